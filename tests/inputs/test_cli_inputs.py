"""Bad input at the command line: exit 2 with one line naming file, field and fix; JSON with --json;
user text printed as written (escaped for rich), never a crash on `[/`."""

from __future__ import annotations

import json

import pytest
from hostile import LDF
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.limits import SEED_MAX

runner = CliRunner()


def _one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("seed", ["-1", str(2**70), str(SEED_MAX + 1)])
def test_seeds_outside_the_range_are_refused(seed):
    line = _one_error_line(runner.invoke(app, ["run", "korea-2017", "-s", "engagement", "--runs", "10",
                                               "--seed", seed]))
    assert "--seed" in line and "Fix:" in line and str(SEED_MAX) in line


@pytest.mark.parametrize("workers", ["0", "-1"])
def test_worker_counts_below_one_are_refused(tmp_path, workers, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = _one_error_line(runner.invoke(app, ["explore", "toy:crisis", "--samples", "4", "--workers", workers,
                                               "--db", str(tmp_path / "r.duckdb")]))
    assert "--workers" in line
    assert list(tmp_path.iterdir()) == []  # refused before anything was created


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_float_options_are_refused(tmp_path, value):
    line = _one_error_line(runner.invoke(app, ["discover", "--db", str(tmp_path / "r.duckdb"), "--strategy", "a",
                                               "--threshold", value]))
    assert "--threshold" in line and "finite" in line


def test_json_errors_are_one_json_object_on_stdout(tmp_path):
    result = runner.invoke(app, ["run", "korea-2017", "-s", str(tmp_path / "none.yaml"), "--json"])
    assert result.exit_code == 2
    err = json.loads(result.stdout)["error"]
    assert err["file"] == str(tmp_path / "none.yaml") and err["exit_code"] == 2 and err["fix"]
    usage = runner.invoke(app, ["run", "korea-2017", "-s", "engagement", "--runs", "many", "--json"])
    assert usage.exit_code == 2
    assert json.loads(usage.stdout)["error"]["kind"] == "usage"


def _bracketed_strategy(tmp_path):
    folder = tmp_path / "a[/b] [v2]"
    folder.mkdir(parents=True)  # the path holds `[/b]`
    path = folder / "my[v2].yaml"
    path.write_text(LDF.replace("title: Let U.S. deterrence fail (Soesanto 2017)", "title: T[/] [bold]x[v2]")
                    .replace("id: two-per-launch", "id: r[/]1").replace("high_value", "hv[v2]"), encoding="utf-8")
    return path


def test_brackets_in_paths_titles_and_ids_are_shown_as_written(tmp_path):
    path = _bracketed_strategy(tmp_path)
    show = runner.invoke(app, ["show", "korea-2017", "-s", str(path)])
    assert show.exit_code == 0, show.output
    for text in ("T[/] [bold]x[v2]", "r[/]1", "hv[v2]"):
        assert text in show.output, text
    audit = runner.invoke(app, ["audit", str(path)])
    assert audit.exit_code == 0, audit.output
    assert "T[/] [bold]x[v2]" in audit.output
    broken = path.with_name("bad[x].yaml")  # its folder already holds `[/b]`
    broken.write_text(LDF.replace("on: missile_test", "on: [/oops]"), encoding="utf-8")
    line = _one_error_line(runner.invoke(app, ["run", "korea-2017", "-s", str(broken), "--runs", "10"]))
    assert str(broken) in line and "rules.0.on" in line


def test_a_deadline_after_the_last_simulated_month_is_refused_naming_the_months(tmp_path):
    path = tmp_path / "late.yaml"
    path.write_text(LDF.replace("earliest: 2018-01-01, latest: 2018-12-31", "earliest: 2020-09-01, latest: 2020-09-20"),
                    encoding="utf-8")
    line = _one_error_line(runner.invoke(app, ["run", "korea-2017", "-s", str(path), "--runs", "10"]))
    assert "deadlines.0.at.earliest" in line and "2017-09-24" in line and "2020-08" in line
    ok = tmp_path / "last.yaml"  # the last simulated month itself is fine
    ok.write_text(LDF.replace("earliest: 2018-01-01, latest: 2018-12-31", "earliest: 2020-08-01, latest: 2020-08-31"),
                  encoding="utf-8")
    assert runner.invoke(app, ["audit", str(ok), "--scenario", "korea-2017"]).exit_code == 0


@pytest.mark.parametrize("command", ["explain", "run"])
def test_a_nan_parameter_is_refused_before_any_work(tmp_path, command):
    path = tmp_path / "nan.yaml"
    path.write_text(LDF.replace("probability: {value: 0.9, range: [0.5, 1.0]", "probability: {value: .nan, range: [0.5, 1.0]"),
                    encoding="utf-8")
    extra = ["--runs", "10"] if command == "run" else []
    line = _one_error_line(runner.invoke(app, [command, "korea-2017", "-s", str(path), *extra]))
    assert "rules.0.probability.value" in line and "finite" in line


def test_a_1e400_warhead_count_is_refused(tmp_path):
    from brinkmanship.spec.loader import scenario_dir

    text = (scenario_dir() / "korea-2017.yaml").read_text(encoding="utf-8")
    start = text.index("warheads:")
    value_at = text.index("value:", start) + len("value:")
    end = text.index(",", value_at)
    path = tmp_path / "sc.yaml"
    path.write_text(text[:value_at] + " 1e400" + text[end:], encoding="utf-8")
    line = _one_error_line(runner.invoke(app, ["run", str(path), "-s", "engagement", "--runs", "10"]))
    assert "initial.warheads.value" in line


@pytest.mark.parametrize("expr", ["major_war<1e400", "warheads>-1e999", "deal>=1e16"])
def test_threshold_conditions_need_finite_numbers(expr):
    from brinkmanship.analysis.robustness import parse_thresholds
    from brinkmanship.errors import InputError

    with pytest.raises(InputError, match="finite"):
        parse_thresholds(expr)
    assert parse_thresholds("major_war<0.05")[0].value == pytest.approx(0.05)


def test_an_error_message_keeps_ranges_and_relative_paths_as_written():
    """One period ends the problem, whatever it held: `1..4096` and `../x.yaml` are not shortened to one dot."""
    from brinkmanship.errors import InputError

    err = InputError("must lie in 1..4096, got 0", file="../x.yaml", field="--type-count", fix="use 64.")
    assert err.render() == "../x.yaml: --type-count: must lie in 1..4096, got 0. Fix: use 64."
    assert InputError("ends with a period.", fix="f").render() == "ends with a period. Fix: f"

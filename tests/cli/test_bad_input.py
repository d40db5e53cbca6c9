"""Bad input: one clear message naming the file, the field (and line) and the fix; exit code 2; no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.spec.loader import strategy_dir

runner = CliRunner()
LDF = (strategy_dir() / "let-deterrence-fail.yaml").read_text()


def _run_with(tmp_path: Path, text: str, *extra: str):
    path = tmp_path / "my-strategy.yaml"
    path.write_text(text)
    result = runner.invoke(app, ["run", "korea-2017", "--strategy", str(path), "--runs", "200", *extra])
    return result, path


CASES = [
    # (name, edit of the op-ed's file, expected field, text on the expected line (or None), words in the message)
    ("malformed yaml", lambda t: t.replace("  sanctions:\n    mode: freeze\n", "  sanctions:\n    mode: [freeze\n"),
     None, None, "malformed YAML"),
    ("unknown key", lambda t: t.replace("  sanctions:\n    mode: freeze\n", "  sanctions:\n    mode: freeze\n    level: 3\n"),
     "levers.sanctions.level", "level: 3", "Extra inputs"),
    ("wrong type", lambda t: t.replace("ramp_months: 6", "ramp_months: soon"),
     "levers.posture.ramp_months", "ramp_months: soon", "integer"),
    ("probability above one", lambda t: t.replace("probability: {value: 0.9, range: [0.5, 1.0]",
                                                  "probability: {value: 1.3, range: [0.5, 1.3]"),
     "rules.0.probability", "value: 1.3", "probability must lie in [0, 1]"),
    ("negative count", lambda t: t.replace("    count: 2\n", "    count: -2\n"),
     "rules.0.count", "count: -2", "greater than or equal to 0"),
    ("date outside the scenario", lambda t: t.replace("earliest: 2018-01-01", "earliest: 2016-01-01"),
     "deadlines.0.at.earliest", "earliest: 2016", "outside the scenario"),
    ("unknown event", lambda t: t.replace("on: missile_test", "on: satellite_launch"),
     "rules.0.on", "on: satellite_launch", "missile_test"),
    ("unknown source", lambda t: t.replace("source: soesanto2017, note", "source: my-blog, note"),
     "levers.posture.target.source", "source: my-blog", "unknown source id"),
    ("number without source", lambda t: t.replace(
        "offer: {value: 0.5, range: [0.2, 0.8], assumption: true, note: \"Seoul's offer; the op-ed names none\"}",
        "offer: 0.5"), "levers.talks.offer", "offer: 0.5", "no source"),
]


@pytest.mark.parametrize(("name", "edit", "field", "marker", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_strategy_file(tmp_path, name, edit, field, marker, words):
    text = edit(LDF)
    assert text != LDF, "the edit must change the file"
    result, path = _run_with(tmp_path, text)
    assert result.exit_code == 2, result.output
    out = result.output
    assert "Traceback" not in out
    assert str(path) in out
    assert words in out
    assert "Fix:" in out
    if field:
        assert field in out
    if marker:
        line = next(i for i, t in enumerate(text.splitlines(), 1) if marker in t)
        assert f"{path}:{line}:" in out


def test_unknown_strategy_name():
    result = runner.invoke(app, ["run", "korea-2017", "--strategy", "nope", "--runs", "10"])
    assert result.exit_code == 2
    assert "unknown strategy 'nope'" in result.output and "let-deterrence-fail" in result.output


def test_unknown_scenario_name():
    result = runner.invoke(app, ["compare", "korea-2099", "--runs", "10"])
    assert result.exit_code == 2
    assert "unknown scenario" in result.output


def test_bad_runs_and_adversary():
    assert runner.invoke(app, ["compare", "korea-2017", "--runs", "0"]).exit_code == 2
    result = runner.invoke(app, ["compare", "korea-2017", "--runs", "10", "--adversary", "psychic"])
    assert result.exit_code == 2 and "--adversary" in result.output


def test_missing_file(tmp_path):
    result = runner.invoke(app, ["run", str(tmp_path / "none.yaml"), "--strategy", "engagement"])
    assert result.exit_code == 2 and "file not found" in result.output


def test_the_unmodified_copy_runs(tmp_path):
    result, _ = _run_with(tmp_path, LDF, "--json", "--types", "point")  # the control: the file as packaged passes
    assert result.exit_code == 0, result.output

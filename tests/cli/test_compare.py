"""`brink compare/run/show/scenarios`: JSON shape scripts rely on, user files, and bit-identical reruns."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from brinkmanship.cli import app
from brinkmanship.engine import OUTCOMES
from brinkmanship.spec.loader import scenario_dir, strategy_dir

runner = CliRunner()


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# 8 of the default 64 prior types: the subject here is the command's output and its bits, not the mixture
# (tests/adversary/test_types.py), at an eighth of the planner's time
TYPES = ["--type-count", "8"]


@pytest.fixture(scope="module")
def compared():
    return _json(["compare", "korea-2017", "--runs", "3000", "--seed", "7", "--json", *TYPES])


def test_compare_json_shape(compared):
    assert compared["scenario"] == "korea-2017" and compared["seed"] == 7 and compared["runs"] == 3000
    names = [s["name"] for s in compared["strategies"]]
    assert names == ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike",
                     "engagement"]
    for s in compared["strategies"]:
        assert list(s["outcomes"]) == list(OUTCOMES)
        total = sum(o["p"] for o in s["outcomes"].values())
        assert total == pytest.approx(1.0, abs=1e-9)
        for o in s["outcomes"].values():
            assert 0 <= o["lo"] <= o["p"] <= o["hi"] <= 1
        for key in ("deaths_median", "deaths_p95", "warheads_median", "months_to_resolution_median",
                    "civilian_strikes_mean"):
            assert key in s["metrics"]


def test_compare_is_bit_identical_across_chunk_sizes(compared):
    again = _json(["compare", "korea-2017", "--runs", "3000", "--seed", "7", "--json", "--chunk-size", "700", *TYPES])
    assert again == compared


def test_run_one_strategy_matches_compare(compared):
    one = _json(["run", "korea-2017", "--strategy", "engagement", "--runs", "3000", "--seed", "7", "--json",
                 *TYPES])
    assert one["strategies"][0] == next(s for s in compared["strategies"] if s["name"] == "engagement")


def test_user_scenario_and_strategy_files(tmp_path):
    sc = tmp_path / "my-scenario.yaml"
    sc.write_text((scenario_dir() / "korea-2017.yaml").read_text().replace("horizon_months: 36",
                                                                           "horizon_months: 12"))
    st = tmp_path / "my-strategy.yaml"
    st.write_text((strategy_dir() / "maximum-pressure.yaml").read_text().replace(
        "name: maximum-pressure", "name: my-pressure"))
    out = _json(["run", str(sc), "--strategy", str(st), "--runs", "500", "--json"])
    assert out["strategies"][0]["name"] == "my-pressure"
    assert out["strategies"][0]["metrics"]["months_to_resolution_median"] is None or \
        out["strategies"][0]["metrics"]["months_to_resolution_median"] <= 12


def test_table_output_and_listing():
    result = runner.invoke(app, ["compare", "korea-2017", "--runs", "500", *TYPES])
    assert result.exit_code == 0
    for name in ("let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"):
        assert name in result.output
    listing = runner.invoke(app, ["scenarios"])
    assert listing.exit_code == 0 and "korea-2017" in listing.output


def test_show_lists_every_number_with_its_source():
    out = _json(["show", "korea-2017", "--strategy", "let-deterrence-fail", "--json"])
    rows = out["scenario"]["parameters"] + out["strategy"]["parameters"]
    assert len(rows) > 60
    for r in rows:
        assert r["source"] or (r["assumption"] and r["range"]), r
        if r["source"]:
            assert r["citation"], r
    names = {r["name"] for r in out["strategy"]["parameters"]}
    assert "deadlines.congressional-decision.probability" in names
    assert "rules.city-per-test.believed" in names


def test_compare_strategic_coercer_reports_the_equilibrium():
    got = _json(["compare", "korea-2017", "--strategies", "let-deterrence-fail,limited-strike", "--types", "point",
                 "--runs", "1000", "--coercer", "strategic", "--json"])
    block = got["coercer"]["strategies"]
    city = next(t for t in block["let-deterrence-fail"]["threats"] if t["rule"] == "city-per-test")
    assert city["declared"] == 0.9 and city["verdict"] in ("credible", "partly credible", "not credible")
    conv = block["limited-strike"]["convergence"]
    assert [s["start"] for s in conv["starts"]] == ["declared", "chance only"]
    assert all({"iterations", "residual", "converged"} <= set(s) for s in conv["starts"])
    ldf = block["let-deterrence-fail"]
    assert ldf["sampled_runs"].startswith("the equilibrium played")  # the runs play it and learn
    levels = ldf["execution_by_belief_level"]["city-per-test"]
    assert len(levels) > 1 and all(v is None or 0 <= v <= 1 for v in levels)
    committed = _json(["compare", "korea-2017", "--strategies", "let-deterrence-fail", "--types", "point",
                       "--runs", "1000", "--json"])
    assert "coercer" not in committed


@pytest.mark.parametrize("extra", [["--coercer", "bogus"], ["--coercer", "strategic", "--adversary", "base-rate"]])
def test_compare_refuses_a_bad_coercer(extra):
    res = runner.invoke(app, ["compare", "korea-2017", "--runs", "100", *extra])
    assert res.exit_code == 2 and "--coercer" in res.output

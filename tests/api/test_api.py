"""The public Python API: exact public names, a light import, results that match the CLI, doctests."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import brinkmanship as bk
from brinkmanship._api import results as api_results
from brinkmanship._api import verbs as api_verbs
from brinkmanship.cli import app
from brinkmanship.engine import OUTCOMES
from short_scenario import short_korea

VERBS = ["audit", "backtest", "compare", "explain", "explore", "load_scenario", "load_strategy", "run",
         "sensitivity", "solve"]
RESULTS = ["Audit", "Backtest", "Comparison", "Explanation", "Provenance", "Sensitivity", "Solution"]


def test_all_lists_exactly_the_public_names():
    assert sorted(bk.__all__) == sorted([*VERBS, *RESULTS, "__version__"])
    for name in bk.__all__:
        assert getattr(bk, name) is not None
    assert sorted(dir(bk)) == sorted(bk.__all__)
    with pytest.raises(AttributeError):
        bk.simulate_strategies  # noqa: B018  internal helpers stay private


def test_import_is_light():
    """`import brinkmanship` loads neither the API nor numpy, pandas or pydantic."""
    code = ("import sys, time; t = time.perf_counter(); import brinkmanship; dt = time.perf_counter() - t; "
            "heavy = [m for m in ('numpy', 'pandas', 'pydantic', 'brinkmanship._api') if m in sys.modules]; "
            "print(heavy, dt)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == "[]", out
    assert float(out[1]) < 0.5  # generous: about a millisecond on an idle machine


def test_every_public_function_has_a_doctest_example():
    for name in VERBS:
        doc = getattr(bk, name).__doc__ or ""
        assert "Examples:" in doc and ">>>" in doc, name


@pytest.mark.slow
def test_doctests_run():
    """The examples in the API's docstrings (the API reference shows them) run and give what they say."""
    for module in (bk, api_verbs, api_results):
        res = doctest.testmod(module, extraglobs={"bk": bk}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert res.failed == 0, module.__name__
    assert doctest.testmod(api_verbs, extraglobs={"bk": bk}).attempted >= len(VERBS)


runner = CliRunner()


def _cli_json(args: list[str]) -> dict:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def pair():
    args = dict(runs=1500, seed=11, adversary="base-rate")
    cli = _cli_json(["compare", "korea-2017", "--strategies", "engagement,limited-strike", "--runs", "1500",
                     "--seed", "11", "--adversary", "base-rate", "--json"])
    api = bk.compare("korea-2017", ["engagement", "limited-strike"], progress=False, **args)
    return cli, api


def test_to_frame_equals_the_cli_json(pair):
    cli, api = pair
    expected = pd.DataFrame(
        [{"strategy": s["name"], "outcome": o, "p": s["outcomes"][o]["p"], "lo": s["outcomes"][o]["lo"],
          "hi": s["outcomes"][o]["hi"]} for s in cli["strategies"] for o in OUTCOMES])
    pd.testing.assert_frame_equal(api.to_frame(), expected)
    metrics = api.to_frame("metrics")
    for s in cli["strategies"]:
        got = metrics[metrics["strategy"] == s["name"]].set_index("metric")["value"]
        for key, value in s["metrics"].items():
            if isinstance(value, dict):
                for sub, x in value.items():
                    assert got[f"{key}.{sub}"] == pytest.approx(x)
            elif value is None:
                assert pd.isna(got[key])
            else:
                assert got[key] == pytest.approx(value)


def test_to_json_is_the_cli_json(pair):
    cli, api = pair
    assert json.loads(json.dumps(api.to_json())) == cli


def test_result_records_how_it_was_made(pair):
    _, api = pair
    p = api.provenance
    assert (p.scenario, p.strategies, p.adversary, p.seed, p.runs, p.version) == (
        "korea-2017", ("engagement", "limited-strike"), "base-rate", 11, 1500, bk.__version__)
    assert p.method == "monte-carlo"
    html = api._repr_html_()
    assert "engagement" in html and "seed 11" in html
    assert len(api.results) == 2


def test_plot_is_the_reports_figure(pair):
    _, api = pair
    fig = api.plot()
    assert [t.name for t in fig.data] == ["engagement", "limited-strike"]


def test_objects_and_files_are_accepted(korea, strategies):
    a = bk.run(korea, strategies["engagement"], runs=300, seed=2, adversary="base-rate", progress=False)
    b = bk.run("korea-2017", "engagement", runs=300, seed=2, adversary="base-rate", progress=False)
    assert a.to_json() == b.to_json()


def test_progress_off_prints_nothing(capfd):
    bk.run("korea-2017", "engagement", runs=200, adversary="base-rate", progress=False)
    out, err = capfd.readouterr()
    assert out == "" and err == ""


def test_explore_returns_aligned_frames():
    x, y = bk.explore("korea-2017", 6, strategies=["engagement", "maximum-pressure"], runs=5, vary="war.*",
                      progress=False)
    assert len(x) == len(y) == 12
    assert x["strategy"].tolist() == ["engagement"] * 6 + ["maximum-pressure"] * 6
    assert x["experiment_id"].tolist() == list(range(6)) * 2
    assert set(OUTCOMES) <= set(y.columns)
    assert x.attrs["provenance"]["runs"] == 5 and y.attrs["provenance"] == x.attrs["provenance"]
    # the same sampled world for both strategies
    cols = [c for c in x.columns if c.startswith("war.")]
    assert cols and (x.loc[:5, cols].to_numpy() == x.loc[6:, cols].to_numpy()).all()


def test_explain_rejects_the_base_rate_target():
    from brinkmanship.errors import InputError

    with pytest.raises(InputError, match="planner"):
        bk.explain("korea-2017", "engagement", adversary="base-rate")


def test_solve_matches_the_cli():
    cli = _cli_json(["solve", "chicken", "--json"])
    s = bk.solve("chicken")
    assert s.to_json() == cli
    f = s.to_frame()
    assert f.groupby(["equilibrium", "player"])["probability"].sum().round(9).eq(1).all()


def test_audit_matches_the_cli(tmp_path):
    short = str(short_korea(tmp_path))  # the same answer both ways, on a 16-month horizon (half the time)
    cli = runner.invoke(app, ["audit", "let-deterrence-fail", "--scenario", short, "--json"])
    assert json.loads(cli.stdout) == bk.audit("let-deterrence-fail", short).to_json()


def test_verbs_named_like_subpackages_stay_verbs():
    import brinkmanship.audit
    import brinkmanship.explore.models  # noqa: F401

    assert callable(bk.audit) and bk.audit.__module__ == "brinkmanship._api.verbs"
    assert callable(bk.explore) and bk.explore.__module__ == "brinkmanship._api.verbs"
    from brinkmanship.audit import audit_strategy

    assert callable(audit_strategy)

"""PRIM scenario discovery: agreement with EMA Workbench's PRIM (the oracle) and our own behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from brinkmanship.analysis.prim import Prim, get_quantile, prim
from brinkmanship.errors import InputError
from brinkmanship.explore.parameters import Uncertainty

EMA_SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    warnings.filterwarnings("ignore")
    import numpy as np, pandas as pd
    from ema_workbench.analysis import prim
    results = []
    for path, choose in zip(sys.argv[1::2], sys.argv[2::2]):
        d = np.load(path, allow_pickle=True)
        x = pd.DataFrame({c: d[c] for c in d["columns"]})
        for c in x.columns:
            if x[c].dtype == object:
                x[c] = x[c].astype(str)
        box = prim.Prim(x, d["y"], threshold=float(d["threshold"])).find_box()
        pt = box.peeling_trajectory
        lims = []
        for bl in box.box_lims:
            lims.append({c: (sorted(bl[c][0]) if isinstance(bl[c][0], set) else [float(bl[c][0]), float(bl[c][1])])
                         for c in bl.columns})
        choose = int(choose)
        box.select(choose)
        results.append({"coverage": pt["coverage"].tolist(), "density": pt["density"].tolist(),
               "res_dim": [int(v) for v in pt["res_dim"]], "lims": lims,
               "qp": {k: [float(v) for v in vv] for k, vv in box.qp[choose].items()},
               "selected_coverage": float(box.coverage), "selected_density": float(box.density)})
    print(json.dumps(results))
""")

CASES = [(0, False), (1, False), (2, True)]


def _planted(seed: int, n: int = 2000, categorical: bool = False):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 5)), columns=["credibility_believed", "b", "c", "d", "e"])
    x["b"] = 10 + 20 * x["b"]  # a range other than [0, 1]
    inside = (x["credibility_believed"] < 0.4) & (x["b"] > 22)
    if categorical:
        x["channel"] = rng.choice(["none", "coercer", "ally", "multilateral"], n)
        inside &= x["channel"].isin(["none", "coercer"])
    y = np.where(rng.random(n) < 0.05, ~inside, inside).astype(np.int64)
    return x, y


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """Our PRIM and EMA Workbench's on the same planted-box data (EMA in one separate interpreter)."""
    import ema_workbench  # noqa: F401  the oracle is part of the test extra: missing it is a failure
    tmp = tmp_path_factory.mktemp("prim")
    argv, ours = [], []
    for k, (seed, categorical) in enumerate(CASES):
        x, y = _planted(seed, categorical=categorical)
        res = prim(x, y, threshold=0.8)
        chosen = res.choose()  # explicit box choice from the trade-off curve
        cols = {c: (x[c].to_numpy() if pd.api.types.is_numeric_dtype(x[c]) else x[c].to_numpy(dtype=object))
                for c in x.columns}
        f = tmp / f"case{k}.npz"
        np.savez(f, columns=np.array(list(x.columns)), y=y, threshold=0.8, **cols)
        argv += [str(f), str(chosen)]
        ours.append((x, res, chosen))
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run([sys.executable, "-c", EMA_SCRIPT, *argv], capture_output=True, text=True,
                         timeout=180, env=env, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return list(zip(ours, json.loads(out.stdout.strip().splitlines()[-1]), strict=True))


def test_prim_agrees_with_ema_workbench(oracle):
    for case in range(len(CASES)):  # one test: EMA Workbench is imported once, in one interpreter
        _check_against_ema(*oracle[case])


def _check_against_ema(mine, ema):
    x, ours, chosen = mine
    assert len(ours) == len(ema["coverage"])
    ranges = {c: float(x[c].max() - x[c].min()) for c in x.columns if pd.api.types.is_numeric_dtype(x[c])}
    init = ema["lims"][0]
    for i in range(len(ours)):
        assert abs(ours.coverage[i] - ema["coverage"][i]) <= 0.01
        assert abs(ours.density[i] - ema["density"][i]) <= 0.01
        assert ours.res_dim[i] == ema["res_dim"][i]
        lims = ours.limits(i)
        ema_restricted = [c for c, lim in ema["lims"][i].items() if lim != init[c]]
        assert sorted(lims) == sorted(ema_restricted), i
        for c, lim in lims.items():
            if isinstance(lim, list):
                assert sorted(lim) == ema["lims"][i][c]
            else:
                assert abs(lim[0] - ema["lims"][i][c][0]) <= 0.01 * ranges[c]
                assert abs(lim[1] - ema["lims"][i][c][1]) <= 0.01 * ranges[c]
    assert abs(ours.coverage[chosen] - ema["selected_coverage"]) <= 0.01
    assert abs(ours.density[chosen] - ema["selected_density"]) <= 0.01
    qp = ours.qp(chosen)
    assert set(qp) == set(ema["qp"])
    for k, (lo, hi) in qp.items():
        assert np.allclose([lo, hi], ema["qp"][k], rtol=1e-6, atol=1e-12)
    # the planted box is found, and the chosen box is not the over-fitted last peel
    assert {"credibility_believed", "b"} <= set(ours.restricted_dims(chosen))
    assert ours.density[chosen] >= 0.8 and ours.coverage[chosen] > 0.6
    assert ours.coverage[chosen] > ours.coverage[-1]


def test_chosen_box_recovers_the_planted_limits_and_reads_as_words():
    x, y = _planted(4, n=4000)
    res = prim(x, y, threshold=0.8)
    i = res.choose(min_density=0.9)
    lims = res.limits(i)
    assert set(lims) == {"credibility_believed", "b"}
    assert abs(lims["credibility_believed"][1] - 0.4) < 0.03 and abs(lims["b"][0] - 22) < 0.6
    text = res.describe(i)
    assert text.startswith("credibility_believed <= 0.") and " and b >= 2" in text
    assert all(p < 1e-6 for pair in res.qp(i).values() for p in pair if p >= 0)
    s = res.summary(i)
    assert s["description"] == text and s["box"] == i and 0 < s["coverage"] <= 1


def test_month_dimensions_read_as_dates():
    rng = np.random.default_rng(5)
    n = 3000
    x = {"deadline_month": rng.integers(0, 24, n), "credibility_believed": rng.random(n)}
    y = ((x["deadline_month"] < 10) & (x["credibility_believed"] < 0.4)).astype(int)
    params = [Uncertainty("deadline_month", 0, 23, kind="integer", origin="2017-09-01"),
              Uncertainty("credibility_believed", 0, 1)]
    res = prim(x, y, threshold=0.8)
    text = res.describe(res.choose(), params)
    assert "deadline_month before 2018-07" in text
    assert "credibility_believed <= 0.4" in text


def test_categorical_only_box_and_select():
    rng = np.random.default_rng(6)
    n = 2000
    x = {"channel": rng.choice(["a", "b", "c", "d"], n), "noise": rng.random(n)}
    y = np.isin(x["channel"], ["a", "c"]).astype(int)
    res = prim(x, y, threshold=0.9)
    assert res.limits() == {"channel": ["a", "c"]}
    assert res.describe() == "channel in {a, c}"
    assert res.select(0).limits() == {}
    assert res.describe(0) == "all worlds (no restriction)"
    with pytest.raises(InputError, match="not on the trajectory"):
        res.select(len(res) + 3)


def test_second_box_uses_remaining_data_and_dump_box():
    x, y = _planted(7)
    p = Prim(x, y, threshold=0.8)
    first = p.find_box()
    second = p.find_box()
    assert second.n[0] == first.n[0] - first.n[-1]
    assert second.dump or second.mean[-1] >= 0.8


def test_get_quantile_matches_sdtoolkit_rule():
    d = np.array([1.0, 2, 2, 2, 3, 4, 5, 6, 7, 8])
    assert get_quantile(d, 0.05) == 1.5  # lower: index 0 and 1 average
    assert get_quantile(d, 0.95) == 7.5
    assert get_quantile(np.array([1.0, 1, 1, 1, 2]), 0.1) == 1.5  # ties skipped upward


def test_bad_inputs_are_input_errors():
    x = {"a": np.linspace(0, 1, 10)}
    with pytest.raises(InputError, match="both 0 and 1"):
        Prim(x, np.zeros(10, int), 0.8)
    with pytest.raises(InputError, match="different lengths"):
        Prim(x, np.zeros(9, int), 0.8)
    with pytest.raises(InputError, match="objective"):
        Prim(x, np.arange(10) % 2, 0.8, obj_function="greedy")


def test_choose_prunes_insignificant_restrictions_when_no_box_is_clean():
    rng = np.random.default_rng(8)
    n, d = 600, 40  # few worlds, many dimensions: the peels restrict noise dimensions
    x = {f"u{j}": rng.random(n) for j in range(d)}
    y = ((x["u0"] < 0.5) & (x["u1"] < 0.6)).astype(int)
    y = np.where(rng.random(n) < 0.1, 1 - y, y)
    res = prim(x, y, threshold=0.8)
    before = len(res)
    i = res.choose()
    qp = res.qp(i)
    assert all(v <= 0.05 for pair in qp.values() for v in pair)
    assert {"u0", "u1"} <= set(res.restricted_dims(i))
    if i >= before:  # a pruned box was appended, as EMA's drop_restriction does
        assert res.res_dim[i] < max(res.res_dim[:before])
    n_dropped = res.drop_restrictions(i, ["u0"])
    assert "u0" not in res.limits(n_dropped) and res.mass[n_dropped] > res.mass[i]

"""How close to the edge: the batched margin search against thresholds known in closed form.

The one-month case: korea-2017 cut to one month, talks ripe (a deal can be accepted), no rules or deadlines,
arsenal weight 0 and victory 0 (tests and invasions never pay). A freeze and a deal are states a run can
leave; after the one month each is valued at the horizon as a perpetuity of its own monthly flow (the feared
defection from a deal pinned at 0, so the deal's is a safe one), with
A = beyond_horizon / (1 - discount) and e_1 the economy index at the horizon under the strategy's sanctions
path: open f = S + E * e_1, frozen f + E * r * (D - e_1) (the share r of a deal's economic gain the strategy
grants for a freeze),
in a deal S * s + E * D (S survival, s deal security, E economy weight, D deal economy). So
    freeze  d * A * (f + E r (D - e_1)),      hold  d * A * f,
    accept  q * d * A * (S s + E D) + (1 - q) * d * A * f.
Freezing beats holding by d A E r (D - e_1); accepting beats freezing iff q (S s + E D - f) > E r (D - e_1),
so the most likely ending flips from freeze to denuclearisation at
    s* = 1 - E (D - e_1) (1 - r / q) / S        and        S* = E (D - e_1) (q - r) / (q (1 - s)).
(With r = 0 these are the thresholds of a final freeze: s* = 1 + E (e_1 - D) / S.)
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import fixed, load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.explain import explain
from brinkmanship.adversary.margins import NO_CHANGE, first_change, margins, value_gap
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model

S0, S_RANGE = 10.0, (2.0, 20.0)
DS0, DS_RANGE = 0.6, (0.5, 1.0)
E, D, Q, DELTA, BEYOND, RELIEF = 2.0, 2.0, 0.8, 0.97, 1.0, 0.1
PINNED = {
    "adversary.discount": DELTA, "adversary.beyond_horizon": BEYOND, "adversary.arsenal": 0.0,
    "adversary.economy": E, "adversary.deal_economy": D, "adversary.victory_value": 0.0,
    "adversary.test_cost": 0.3, "adversary.negotiation_cost": 0.1, "adversary.limited_conflict_cost": 15.0,
    "talks.close_probability": Q, "talks.deal_threshold": 0.6, "initial.talks": 1.0,
    "adversary.deal_defection_believed": 0.0,  # a deal valued at the horizon as a safe perpetuity
}
QUIET = {  # no rules: nothing is ever struck, so these weights cannot matter (they keep real ranges)
    "strike_cost": {"value": 0.3, "range": [0.05, 1.0], "assumption": True},
    "city_cost": {"value": 5.0, "range": [1.0, 20.0], "assumption": True},
}
STRATEGY = {
    "name": "one-month-offer",
    "title": "One month: a ripe deal on the table, no threats, relief for a freeze",
    "levers": {**quiet_levers("coercer-led", 0.5), "sanctions": {"mode": "freeze", "freeze_relief": fixed(RELIEF)}},
}


@pytest.fixture(scope="module")
def one_month(toy_dir):
    import yaml

    path = write_scenario(toy_dir, "one-month-deal", {"horizon_months": 1}, PINNED)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["adversary"]["regime_survival"] = {"value": S0, "range": list(S_RANGE), "assumption": True}
    data["adversary"]["deal_security"] = {"value": DS0, "range": list(DS_RANGE), "assumption": True}
    for key in data["adversary"]:  # every other target weight pinned, except the two that cannot matter
        if f"adversary.{key}" not in PINNED and key not in ("regime_survival", "deal_security"):
            data["adversary"][key] = QUIET.get(key, {**data["adversary"][key], "range": [
                data["adversary"][key]["value"]] * 2, "assumption": True})
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    sc, st = load_pair(path, write_strategy(toy_dir, STRATEGY))
    c = compile_model(sc, st)
    econ = dyn.policy_paths(c)[1]
    return sc, st, c, float(econ[0]), float(econ[1])


def test_synthetic_edges_are_found_in_one_call_per_step():
    """Known edges: weight 0 flips above +0.3, weight 1 below -0.55 (to label 2) and above +0.9, weight 2
    never, weight 3 has no room. The search makes 1 + steps calls, each batched over all weights."""
    calls: list[int] = []

    def classify(which, move):
        calls.append(which.size)
        out = np.zeros(which.size, dtype=np.int64)
        out[(which == 0) & (move > 0.3)] = 1
        out[(which == 1) & (move < -0.55)] = 2
        out[(which == 1) & (move > 0.9)] = 1
        return out

    room = np.array([[0.5, 0.5], [1.0, 1.0], [0.7, 0.3], [0.0, 0.0]])
    moves, tol, to = first_change(classify, room, 0, points=2, steps=3, split=4)
    assert len(calls) == 4 and calls[0] == 2 * 2 * 3  # 3 weights with room, 2 directions, 2 points
    assert np.all(tol[~np.isnan(tol)] <= room.max() / (2 * 4 ** 3) + 1e-12)
    assert moves[0, 1] - tol[0, 1] <= 0.3 <= moves[0, 1] and np.isnan(moves[0, 0])
    assert moves[1, 0] - tol[1, 0] <= 0.55 <= moves[1, 0] and moves[1, 1] - tol[1, 1] <= 0.9 <= moves[1, 1]
    assert to[0, 1] == 1 and to[1, 0] == 2 and to[1, 1] == 1
    assert np.isnan(moves[2]).all() and np.isnan(moves[3]).all() and (to[2:] == NO_CHANGE).all()


def test_an_edge_between_coarse_points_is_refined_not_skipped():
    moves, tol, _ = first_change(lambda w, m: (m > 0.1).astype(np.int64), np.array([[0.0, 1.0]]), 0,
                                 points=2, steps=2, split=4)
    assert moves[0, 1] - tol[0, 1] <= 0.1 <= moves[0, 1] and tol[0, 1] == pytest.approx(0.5 / 16)


def test_margins_equal_the_closed_form_threshold(one_month):
    sc, st, _, _e0, e1 = one_month
    s_star = 1 - E * (D - e1) * (1 - RELIEF / Q) / S0
    surv_star = E * (D - e1) * (Q - RELIEF) / (Q * (1 - DS0))
    assert DS_RANGE[0] < DS0 < s_star < DS_RANGE[1] and S_RANGE[0] < surv_star < S0  # the edges lie inside
    m = margins(sc, st, "rational", points=2, steps=3)
    assert m["most_likely"] == "freeze"
    rows = {w["name"]: w for w in m["weights"]}
    ds, surv = rows["adversary.deal_security"], rows["adversary.regime_survival"]
    want_ds = (s_star - DS0) / (DS_RANGE[1] - DS_RANGE[0])
    want_surv = -(S0 - surv_star) / (S_RANGE[1] - S_RANGE[0])
    assert ds["margin"] > 0 and ds["margin"] - ds["tolerance"] <= want_ds + 1e-9 <= ds["margin"] + 1e-9
    assert surv["margin"] < 0 and surv["margin"] - 1e-9 <= want_surv <= surv["margin"] + surv["tolerance"] + 1e-9
    assert ds["changes_to"] == surv["changes_to"] == ds["up_to"] == surv["down_to"] == "denuclearisation"
    assert ds["down"] is ds["down_to"] is surv["up"] is surv["up_to"] is None  # the other way changes nothing
    assert ds["tolerance"] <= m["settings"]["tolerance"] + 1e-12


def test_a_weight_that_cannot_matter_reports_none(one_month):
    sc, st, *_ = one_month
    rows = {w["name"]: w for w in margins(sc, st, "rational", points=2, steps=1)["weights"]}
    for name in ("adversary.strike_cost", "adversary.city_cost"):
        assert rows[name]["margin"] is None and rows[name]["up"] is None and rows[name]["down"] is None
    assert rows["adversary.war_cost"]["range"][0] == rows["adversary.war_cost"]["range"][1]  # pinned: no room


def test_value_gap_is_freeze_over_hold_in_closed_form(one_month):
    _, _, c, _e0, e1 = one_month
    assert D > e1  # a deal's economy beats the horizon's: a freeze's relief is worth something
    gap = value_gap(solve(c))
    annuity = BEYOND / (1 - DELTA)
    assert (gap["best"], gap["second"]) == ("freeze", "hold")
    assert gap["best_value"] == pytest.approx(DELTA * annuity * (S0 + E * e1 + E * RELIEF * (D - e1)), rel=1e-12)
    assert gap["gap"] == pytest.approx(DELTA * annuity * E * RELIEF * (D - e1), rel=1e-9)
    assert gap["relative"] == pytest.approx(gap["gap"] / gap["best_value"])


def test_explain_carries_margins_and_the_gap(one_month):
    sc, st, *_ = one_month
    out = explain(sc, st, "rational", points=2, steps=1)
    assert out["margins"]["most_likely"] == "freeze" and "nearest edges" in out["margins"]["summary"]
    assert out["value_gap"]["best"] == "freeze"
    assert "margins" not in explain(sc, st, "rational", with_margins=False)



def test_the_cli_and_the_api_print_the_same_margins(one_month, toy_dir):
    import json

    from typer.testing import CliRunner

    import brinkmanship as bk
    from brinkmanship.cli import app

    sc, st, *_ = one_month
    files = [str(toy_dir / "one-month-deal.yaml"), "--strategy", str(toy_dir / "one-month-offer.yaml")]
    res = CliRunner().invoke(app, ["explain", *files, "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    api = bk.explain(sc, st)
    assert out["margins"] == api.to_json()["margins"] and out["value_gap"] == api.value_gap
    frame = api.margins
    assert frame.loc[frame["name"] == "adversary.deal_security", "changes_to"].item() == "denuclearisation"
    assert frame["margin"].isna().sum() == len(frame) - 2  # only survival and deal security can change it
    text = CliRunner().invoke(app, ["explain", *files], terminal_width=200).output
    assert "How close to the edge" in text and "none within the range" in text and ": denuclearisation" in text
    quick = json.loads(CliRunner().invoke(app, ["explain", *files, "--json", "--no-margins"]).output)
    assert "margins" not in quick and quick["value_gap"] == out["value_gap"]

"""Regret, satisficing, threshold parsing and the ranking table."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.analysis.robustness import (
    Condition,
    parse_thresholds,
    regret,
    resolve_outcome,
    robustness_table,
    satisficing,
)
from brinkmanship.errors import InputError
from brinkmanship.explore.models import CRISIS_OUTCOMES, declared_outcomes
from brinkmanship.explore.parameters import Direction, Outcome

MAJOR_WAR = Outcome("major_war")

# 4 worlds x 3 strategies
WAR = np.array([[0.10, 0.02, 0.30],
                [0.20, 0.25, 0.01],
                [0.05, 0.04, 0.50],
                [0.00, 0.10, 0.02]])
WARHEADS = np.array([[20.0, 40, 10],
                     [25, 35, 12],
                     [50, 20, 15],
                     [10, 10, 20]])


def test_regret_is_distance_to_the_best_strategy_of_each_world():
    r = regret(WAR)
    assert np.allclose(r, [[0.08, 0.0, 0.28], [0.19, 0.24, 0.0], [0.01, 0.0, 0.46], [0.0, 0.10, 0.02]])
    deal = 1 - WAR
    assert np.allclose(regret(deal, maximise=True), r)


def test_satisficing_share_needs_every_condition():
    conds = parse_thresholds("major_war<0.05 and warheads<30")
    assert conds == [Condition("major_war", "<", 0.05), Condition("warheads", "<", 30.0)]
    share = satisficing({"major_war": WAR, "warheads": WARHEADS}, conds)
    # s0: world 3 only (world 2 has 0.05, not < 0.05); s1: world 2 only (world 0 has 40 warheads); s2: worlds 1, 3
    assert share.tolist() == [0.25, 0.25, 0.5]


def test_threshold_parser_accepts_forms_and_rejects_code():
    assert parse_thresholds(["major_war <= 5e-2", "denuclearisation>=0.3, warheads < 30"]) == [
        Condition("major_war", "<=", 0.05), Condition("denuclearisation", ">=", 0.3), Condition("warheads", "<", 30.0)]
    for bad in ["major_war", "__import__('os') < 1", "major_war == 0.1", "major_war < x"]:
        with pytest.raises(InputError, match="cannot read condition"):
            parse_thresholds(bad)


def test_ranking_table_orders_by_satisficing_then_minimax_regret():
    outcomes = {"major_war": WAR, "warheads_mean": WARHEADS}
    conds = [Condition("major_war", "<", 0.05), Condition("warheads_mean", "<", 30)]
    rows = robustness_table(["a", "b", "c"], outcomes, MAJOR_WAR, conds)
    assert [r["strategy"] for r in rows] == ["c", "a", "b"]  # c satisfices most; a beats b on max regret
    a = next(r for r in rows if r["strategy"] == "a")
    assert a["regret_max"] == pytest.approx(0.19) and a["regret_mean"] == pytest.approx(0.07)
    assert a["p50"] == pytest.approx(np.median(WAR[:, 0])) and a["worlds"] == 4 and a["rank"] == 2
    assert sum(r["best_share"] for r in rows) == pytest.approx(1.0)
    plain = robustness_table(["a", "b", "c"], outcomes, MAJOR_WAR)
    assert [r["strategy"] for r in plain] == ["a", "b", "c"] and "satisficing" not in plain[0]


def test_outcome_names_resolve_and_errors_are_clear():
    available = [MAJOR_WAR, Outcome("warheads_mean")]
    assert resolve_outcome("warheads", available) == Outcome("warheads_mean")
    with pytest.raises(InputError, match="unknown outcome"):
        resolve_outcome("casualties", [MAJOR_WAR])
    with pytest.raises(InputError, match="no world"):
        robustness_table(["a"], {"major_war": np.empty((0, 1))}, MAJOR_WAR)


def test_the_declared_direction_drives_regret():
    deal = declared_outcomes(["denuclearisation"])[0]
    assert deal.direction is Direction.MAXIMISE
    rows = {r["strategy"]: r for r in robustness_table(["a", "b", "c"], {"denuclearisation": 1 - WAR}, deal)}
    assert rows["a"]["direction"] == "max" and rows["a"]["regret_max"] == pytest.approx(0.19)
    flipped = robustness_table(["a", "b", "c"], {"denuclearisation": 1 - WAR}, deal.directed(False))
    assert flipped[0]["direction"] == "min"


def test_crisis_outcomes_are_all_declared_with_a_direction():
    directions = {o.name: o.direction for o in CRISIS_OUTCOMES}
    assert {n for n, d in directions.items() if d is Direction.MAXIMISE} == {"denuclearisation", "freeze"}
    with pytest.raises(InputError, match="not declared"):
        declared_outcomes(["major_war", "happiness"])

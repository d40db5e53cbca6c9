"""A two-month crisis with a strategic coercer, built as an extensive-form game and solved by the `games/`
solvers (subgame perfect), gives the crisis solver's strategy and values.

The crisis is the one-threat reduction of the Zagare-Kilgour test over two months: each month the target holds
or tests a missile (a test adds one test-equivalent of delivery), the coercer then strikes one military target
or not, a struck target absorbs. Leaf payoffs are written in closed form from the scenario numbers: the target's
open-month flow f_t(m) = regime_survival + arsenal * min(warheads_t / reference, 1) * delivery(m), its test and
strike costs, its horizon value beyond * f_H(m) / (1 - d); the coercer's flow `coercer.status_quo` each month and
beyond the horizon, the strike's cost (strike_cost + life_cost / 1000 * enemy_civilian_weight * military deaths)
with the reputation it buys, or the audience cost of not striking.
"""

from __future__ import annotations

import numpy as np
import pytest
from adversary_helpers import load_pair, quiet_levers, write_scenario, write_strategy

from brinkmanship.adversary.coercer import coercer_sweep, equilibrium, threats_of
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import FREEZE_ACT, HOLD, MISSILE
from brinkmanship.games.builder import game, leaf, move
from brinkmanship.games.solve import solve as solve_game

PINNED = {
    "adversary.economy": 0.0, "adversary.victory_value": 0.0, "adversary.negotiation_cost": 0.1,
    "adversary.limited_conflict_cost": 15.0, "arsenal.nuclear_test_weight": 0.0, "adversary.strike_cost": 2.5,
    "adversary.test_cost": 0.1,
    # a freeze is holding for both sides (the economy weight is 0): the target may split that tie, and the
    # coercer's month of a freeze is worth its open month, as in the tree
    "coercer.freeze": -0.2, "coercer.status_quo": -0.2,
}
RULE = "strike-if-test"
THREAT = {
    "name": "two-month-threat",
    "title": "Two months, one threat: a missile test is answered by a strike",
    "levers": quiet_levers(),
    "rules": [{
        "id": RULE, "on": "missile_test", "do": "strike", "target_class": "military", "count": 1, "per": "event",
        "probability": {"value": 1.0, "range": [0.0, 1.0], "assumption": True},
        "believed": {"value": 1.0, "range": [0.0, 1.0], "assumption": True},
    }],
}
CASES = [  # (reputation value, audience cost, the target's cost of a strike): never strikes; strikes by reputation,
    (0.0, 0.0, 2.5), (10.0, 0.0, 2.5), (0.0, 8.0, 2.5), (10.0, 0.0, 0.05)]  # by audience cost; strikes, tested


@pytest.fixture(scope="module")
def crisis(toy_dir):
    return load_pair(write_scenario(toy_dir, "two-month", {"horizon_months": 2}, PINNED),
                     write_strategy(toy_dir, THREAT))


def crisis_game(c):
    """The two-month crisis as a tree: payoffs (target, coercer) in closed form from the compiled numbers."""
    a = "adversary."
    d, beyond = c[a + "discount"], c[a + "beyond_horizon"]
    dc, sq = c["coercer.discount"], c["coercer.status_quo"]
    d0, gain = c["initial.delivery"], c["arsenal.delivery_gain_per_test"]

    def f(t, m):
        scale = min(dyn.warheads_at(c, t) / c[a + "arsenal_reference"], 1.0)
        return c[a + "regime_survival"] + c[a + "arsenal"] * scale * (1 - (1 - d0) * (1 - gain) ** m)

    strike_c = c["coercer.strike_cost"] + c["coercer.life_cost"] / 1000 * c["coercer.enemy_civilian_weight"] * c[
        "war.military_deaths_per_target"]
    rep, aud = c["coercer.reputation_value"], c["coercer.audience_cost"]

    def month(t, m):
        if t == 2:
            return None
        nodes = {}
        for act, dm in (("hold", 0), ("test", 1)):
            def tail(extra_a, extra_b, act=act, dm=dm):
                nxt = month(t + 1, m + dm)
                return extra_a, extra_b, nxt, m + dm
            if act == "hold":
                nodes[act] = tail(0.0, 0.0)
            else:
                nodes[act] = {"strike": tail(-c[a + "test_cost"] - c[a + "strike_cost"], -strike_c + rep),
                              "no strike": tail(-c[a + "test_cost"], -aud)}
        return nodes

    def build(t, m, acc_a, acc_b, disc_a, disc_b, label):
        if t == 2:
            ta = acc_a + disc_a * beyond * f(2, m) / (1 - d)
            tb = acc_b + disc_b * beyond * sq / (1 - dc)
            return leaf(label, float(ta), float(tb))
        acc_a, acc_b = acc_a + disc_a * f(t, m), acc_b + disc_b * sq
        children = {}
        for act, node in month(t, m).items():
            if act == "hold":
                children[act] = build(t + 1, m, acc_a, acc_b, disc_a * d, disc_b * dc, label + " H")
            else:
                b = {}
                for resp, (xa, xb, _, m2) in node.items():
                    b[resp] = build(t + 1, m2, acc_a + disc_a * xa, acc_b + disc_b * xb, disc_a * d, disc_b * dc,
                                    label + (" T+S" if resp == "strike" else " T"))
                children[act] = move("B", b, infoset=f"B t{t}{label}")
        return move("A", children, infoset=f"A t{t}{label}")

    return game("two-month crisis", ["A", "B"], build(0, 0, 0.0, 0.0, 1.0, 1.0, ""))


def _choices(g, eq) -> dict[str, str]:
    """Infoset label -> the action it takes (pure)."""
    out = {}
    for player in (1, 2):
        for i, k in enumerate(g.player_infosets(player)):
            probs = eq.strategies[player - 1][i]
            out[g.infoset_label(k)] = g.action_label(int(g.action_offset[k]) + int(np.argmax(probs)))
    return out


@pytest.mark.parametrize(("reputation", "audience", "struck"), CASES)
def test_the_game_solvers_give_the_crisis_solvers_strategy_and_values(crisis, reputation, audience, struck):
    sc, st = crisis
    numbers = {"coercer.reputation_value": reputation, "coercer.audience_cost": audience,
               "adversary.strike_cost": struck}
    c = compile_model(sc, st, numbers)
    eq = equilibrium(c)
    assert eq.converged
    g = crisis_game(c)
    spe = solve_game(g, "spe").equilibria[0]
    picks = _choices(g, spe)
    strikes = {v for k, v in picks.items() if k.startswith("B")}
    assert len(strikes) == 1  # the coercer's decision is the same at every trigger
    carried_out = strikes == {"strike"}
    assert eq.execution[RULE][0] == (1.0 if carried_out else 0.0)
    # the crisis solver at the equilibrium belief: the target's first move and both values
    cb = compile_model(sc, st, {**numbers, f"rules.{RULE}.believed": float(eq.execution[RULE][0])})
    sol = solve(cb)
    k0, m0, r0 = sol.initial_state()
    first = sol.policy(0)[:, 0, int(k0[0]), m0, r0]
    assert first[HOLD] + first[FREEZE_ACT] + first[MISSILE] == pytest.approx(1.0)  # nothing else tempts the target
    assert (first[MISSILE] == 1.0) == (picks["A t0"] == "test")
    sweep = coercer_sweep(cb, sol, threats_of(cb))
    assert float(sol.value_at_start()[0]) == pytest.approx(float(spe.payoffs[0]), rel=1e-10)
    assert float(sweep.W0[0, int(k0[0]), m0, r0]) == pytest.approx(float(spe.payoffs[1]), rel=1e-10)
    assert float(eq.coercer_value[0]) == pytest.approx(float(spe.payoffs[1]), rel=1e-10)

"""Mixed equilibria of the strategic coercer (issue 11): where the damped best responses cycle, the belief at
which the coercer's best response jumps across the target's belief is found by `bisect_mixing`, and the
target's mix that keeps the coercer indifferent by `indifference_mix`. Checked on a 2x2 deterrence game
against `games`' support enumeration, and on the packaged crisis (a cycling type of limited-strike; the
learned let-deterrence-fail) by answering again just below and just above the mixing belief."""

from __future__ import annotations

import numpy as np
import pytest
from test_coercer import CYCLING_TYPE

from brinkmanship.adversary.coercer import (
    MIX_TOLERANCE,
    TOLERANCE,
    _decide,
    _respond,
    bisect_mixing,
    equilibrium,
    indifference_mix,
    threats_of,
)
from brinkmanship.adversary.planner import Decision
from brinkmanship.engine.compiled import compile_model
from brinkmanship.games.normal import NormalFormGame
from brinkmanship.games.solvers.support import support_enumeration
from brinkmanship.spec import load_scenario, load_strategy

# an inspection game: the target tests (gain G unpunished, -L punished) or holds (0); the coercer keeps a
# strike ready (cost COST, whatever the target does) and, when the target tests, buys REP by striking and
# loses LOSS by letting the test pass
GAMES = [dict(G=1.0, L=3.0, COST=1.0, REP=2.0, LOSS=2.0), dict(G=2.0, L=1.0, COST=0.5, REP=1.0, LOSS=4.0),
         dict(G=0.3, L=5.0, COST=2.0, REP=3.0, LOSS=0.5)]


def _bimatrix(G: float, L: float, COST: float, REP: float, LOSS: float) -> NormalFormGame:
    """Rows: the target tests or holds; columns: the coercer carries the strike out or not."""
    target = [[-L, G], [0.0, 0.0]]
    coercer = [[REP - COST, -LOSS], [-COST, 0.0]]
    return NormalFormGame.from_payoffs([target, coercer], players=["target", "coercer"],
                                       strategies=[["test", "hold"], ["carry out", "not"]])


def _crisis_answer(b: np.ndarray, G: float, L: float, COST: float, REP: float, LOSS: float) -> dict:
    """The crisis iteration's pieces on the 2x2 game: the target chooses under belief b (the rational
    target's `Decision.choose`), the coercer decides by the sign of its gain from carrying out (`_decide`)."""
    q = Decision().choose(np.stack([G * (1 - b) - L * b, np.zeros_like(b)]))[0]  # chance the target tests
    gain = q * (REP - COST + LOSS) + (1 - q) * (-COST)
    return {"response": _decide(gain), "gain": gain}


@pytest.mark.parametrize("numbers", GAMES)
def test_two_by_two_mix_is_the_support_enumeration_equilibrium(numbers):
    eqs = support_enumeration(_bimatrix(**numbers)).equilibria
    assert len(eqs) == 1  # one equilibrium, and it is mixed: the best responses cycle
    target, coercer = (np.asarray(p, dtype=float) for p in eqs[0].strategies)
    assert 0 < coercer[0] < 1 and 0 < target[0] < 1
    lo, hi = np.zeros(1), np.ones(1)
    at_lo, at_hi = _crisis_answer(lo, **numbers), _crisis_answer(hi, **numbers)
    assert at_lo["response"][0] > lo[0] and at_hi["response"][0] < hi[0]  # a cycle: 0 -> 1 -> 0
    a, z, end_lo, end_hi = bisect_mixing(lambda b, rows: _crisis_answer(b, **numbers), lo, hi, at_lo, at_hi)
    assert z[0] - a[0] <= MIX_TOLERANCE
    assert a[0] <= coercer[0] <= z[0]  # the coercer's execution probability: G / (G + L)
    assert coercer[0] == pytest.approx(numbers["G"] / (numbers["G"] + numbers["L"]), rel=1e-12)
    w = indifference_mix(end_lo["gain"], end_hi["gain"], at_lo["gain"] - at_hi["gain"])
    # the target's mix that keeps the coercer indifferent: it tests with COST / (REP + LOSS)
    assert w[0] == pytest.approx(target[0], rel=1e-12)


def test_search_closes_on_a_linear_gain_in_few_answers():
    """A gain that falls linearly through the belief: the chord's root closes the bracket at once."""
    calls = []

    def respond(b, rows):
        calls.append(b.size)
        gain = 0.7 - b
        return {"response": _decide(gain), "gain": gain}

    lo, hi = np.array([0.0, 0.2]), np.array([1.0, 0.9])
    a, z, _, _ = bisect_mixing(respond, lo, hi, respond(lo, None), respond(hi, None))
    assert np.all(z - a <= MIX_TOLERANCE) and np.all((a <= 0.7) & (0.7 <= z))
    assert len(calls) - 2 <= 3


@pytest.fixture(scope="module")
def fixed():
    return load_scenario("korea-2017").model_copy(update={"credibility": None})


def _around(c, eq, k: str, i: int = 0) -> tuple[float, float]:
    """The coercer's best-response execution of threat k at beliefs just below and above its mix."""
    threats = threats_of(c)
    out = []
    for side in (-1, 1):
        b = {j: eq.beliefs[j][[i]] for j in eq.beliefs}
        b[k] = b[k] + side * MIX_TOLERANCE
        out.append(float(_respond(c, Decision(), threats, b, 1).response[k][0]))
    return out[0], out[1]


def test_cycling_type_gets_a_verified_mixed_equilibrium(fixed):
    from brinkmanship._api.coercer import convergence, threat_numbers
    from brinkmanship.audit.credibility import credibility_audit

    c = compile_model(fixed, load_strategy("limited-strike"), CYCLING_TYPE)
    eq = equilibrium(c)
    k = "bloody-nose"
    assert eq.starts[0].cycling[0] and eq.mixed[k][0]
    star = eq.execution[k][0]
    assert star == eq.beliefs[k][0] and 0 < star < eq.declared[k][0]
    below, above = _around(c, eq, k)
    assert below > star - MIX_TOLERANCE + TOLERANCE and above < star + MIX_TOLERANCE - TOLERANCE
    assert "mixed equilibrium" in convergence(eq)["note"]
    finding = credibility_audit(fixed, threat_numbers(fixed, eq))[0]
    assert finding.verdict == "partly credible" and f"{star:.2f}" in finding.why and "mixes" in finding.why


def test_learned_let_deterrence_fail_mixes_over_two_per_launch():
    sc = load_scenario("korea-2017")
    c = compile_model(sc, load_strategy("let-deterrence-fail", sc))
    eq = equilibrium(c)
    k = "two-per-launch"
    assert eq.mixed[k][0] and eq.moved[k].endswith(".bluff")
    star = eq.execution[k][0]
    assert 0 < star < eq.declared[k][0]
    below, above = _around(c, eq, k)
    assert below > star and above < star  # the best response jumps across the mixing belief
    assert np.isnan(eq.target_mix[k][0])  # the gain is continuous in the bluff: no mix of the target needed
    np.testing.assert_allclose(eq.outcomes.sum(axis=1), 1.0, rtol=1e-12)


def test_a_types_equilibrium_does_not_depend_on_its_block():
    """Types that settle or cycle stop while their block iterates, and only the moving ones are solved again:
    each type's equilibrium is the one it has alone (up to the last bits of batched products)."""
    from brinkmanship._api.typed import resolve_types
    from brinkmanship._api.verbs import parse_adversary

    sc = load_scenario("korea-2017")
    types = resolve_types(sc, parse_adversary("rational"), "prior", 8)
    c = types.compiled(compile_model(sc, load_strategy("limited-strike", sc)))
    together = equilibrium(c)
    ends = {(bool(s), bool(m)) for s, m in zip(together.starts[0].settled, together.mixed["bloody-nose"], strict=True)}
    assert ends  # types that settle, cycle or mix side by side are each compared with their own solve below
    for i in range(8):
        alone = equilibrium(c.chunk(slice(i, i + 1)))
        np.testing.assert_allclose(alone.outcomes[0], together.outcomes[i], rtol=0, atol=1e-12)
        for k in alone.execution:
            assert alone.execution[k][0] == pytest.approx(together.execution[k][i], abs=1e-12)
            assert alone.mixed[k][0] == together.mixed[k][i]

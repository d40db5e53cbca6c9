"""The simulator plays the strategic coercer's equilibrium (issue 11): one model for the planner and the runs.

- the runs execute each rule and deadline with the coercer's decision at their state and the target learns by
  Bayes' rule with the declared resolute and the equilibrium bluffing likelihoods: the simulated outcome shares
  and belief path match the exact mixture of the play types within 5 standard errors, and that mixture is the
  equilibrium's own;
- Bayes' closed form for the belief after k executions and m non-executions at the equilibrium's numbers;
- a coercer whose decisions are all "carry out" draws exactly the committed coercer's runs (same bits).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from adversary_helpers import TestAndAbsorb

from brinkmanship._api.coercer import solve_equilibrium, strategic_model
from brinkmanship.adversary.strategic import play_types
from brinkmanship.adversary.types import point_types
from brinkmanship.engine import belief
from brinkmanship.engine.chunk import K_MONTH_FIXED, Chunk
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import MISSILE, OUTCOMES
from brinkmanship.engine.decision import Adversary
from brinkmanship.engine.simulate import simulate, stream_sizes
from brinkmanship.engine.streams import Streams

STRATEGY = "let-deterrence-fail"
RULE = "two-per-launch"
# a target that tests (so the rules trigger), an evidence step between levels, and a coercer to whom the status
# quo and a freeze are worse than war: it carries out the preventive war at the deadline (which acts whatever
# the target's status), so the outcomes are a real mixture; it does not carry out `city-per-test` on the path
# (the target learns), and mixes over `two-per-launch` (two play types)
TESTING = {"adversary.arsenal": 8.0, "adversary.test_cost": 0.0, "credibility.step": 1.5,
           "coercer.freeze": -10.0, "coercer.status_quo": -10.0}
HORIZON = 12  # months: the deadline's window opens at month 4
RATIONAL = Adversary("rational")


@pytest.fixture(scope="module")
def short(korea):
    return korea.model_copy(update={"horizon_months": HORIZON})


@pytest.fixture(scope="module")
def played(short, strategies):
    """The equilibrium of let-deterrence-fail (its deadline acting whatever the status) for the declared type,
    and its model for the simulator."""
    st = strategies[STRATEGY]
    st = st.model_copy(update={"deadlines": [d.model_copy(update={"unless": []}) for d in st.deadlines]})
    eq = solve_equilibrium(short, st, RATIONAL, None, TESTING)
    return st, point_types(short), eq, strategic_model(eq, None, RATIONAL)


def test_play_types_split_a_mixing_type_at_its_bracket():
    from brinkmanship.adversary.coercer import Equilibrium

    nan = np.full(2, np.nan)
    eq = Equilibrium(threats=[], declared={}, chance={}, execution={"a": np.zeros(2), "b": np.zeros(2)}, triggered={},
                     outcomes=np.zeros((2, 6)), coercer_value=np.zeros(2), gain={}, direct_cost={}, stakes={},
                     moved={"a": "rules.a.bluff", "b": "rules.b.bluff"},
                     beliefs={"a": np.array([0.3, 0.5]), "b": np.array([0.1, 0.2])},
                     mix_lo={"a": np.array([np.nan, 0.4]), "b": nan}, mix_hi={"a": np.array([np.nan, 0.6]), "b": nan},
                     mix_weight={"a": np.array([np.nan, 0.25]), "b": nan}, learned=True)
    play = play_types(eq, None)
    np.testing.assert_allclose(play.values["rules.a.bluff"], [0.3, 0.4, 0.6])
    np.testing.assert_allclose(play.values["rules.b.bluff"], [0.1, 0.2, 0.2])
    np.testing.assert_allclose(play.weights, [0.5, 0.5 * 0.25, 0.5 * 0.75])
    np.testing.assert_array_equal(play.settings["type_of_play"], [0, 1, 1])


def test_exact_play_mixture_is_the_equilibriums(short, played):
    st, types, eq, model = played
    assert model.types.count == 2 and eq.mixed[RULE].all()  # the mixing type is played as its two pure answers
    assert eq.execution["city-per-test"][0] == 0 and eq.triggered["city-per-test"][0] > 0.5  # learned on the path
    assert eq.outcomes.max() < 0.9  # a real mixture of outcomes
    c = model.types.compiled(compile_model(short, st, TESTING))
    per_play = model.outcome_probabilities(c)
    rows = model.types.settings["type_of_play"]
    by_type = np.zeros_like(eq.outcomes)
    np.add.at(by_type, rows, model.types.weights[:, None] * per_play)
    np.testing.assert_allclose(by_type / types.weights[:, None], eq.outcomes, atol=1e-9)


def test_simulated_runs_match_the_exact_mixture(short, played):
    """Monte Carlo under the strategic coercer (decisions per state, beliefs learned) against the exact mixture
    of the play types, on every outcome and on the belief path (which must move: the runs learn)."""
    st, types, eq, model = played
    runs = 20_000
    play = model.types
    index = play.draw(2017, runs)
    res = simulate(short, st, runs=runs, seed=2017, adversary=model, kernel="fused",
                   overrides={**TESTING, **play.per_run(index)})
    assert res.extra["kernel"] == "numpy" and "strategic coercer" in res.extra["kernel_fallback"]
    exact = types.mixture(eq.outcomes)[0]
    counts = np.bincount(res.outcomes["outcome"], minlength=len(OUTCOMES))
    se = np.sqrt(np.maximum(exact * (1 - exact), 1e-4) / runs)
    assert (np.abs(counts / runs - exact) <= 5 * se).all(), (counts / runs, exact)
    tally = res.timeline["credibility"]
    seen = tally["open"] > 0
    assert tally["exact"][seen].min() < tally["exact"][0] - 0.05  # the runs learn: the belief moves
    # the belief path on the planner's levels: the play types' exact paths, weighted by their open mass
    ex = model.exact(model.types.compiled(compile_model(short, st, TESTING)))
    np.testing.assert_allclose(ex.outcomes, model.outcome_probabilities(
        model.types.compiled(compile_model(short, st, TESTING))), atol=1e-9)  # the two forward passes agree
    conflict = [OUTCOMES.index(o) for o in ("limited_conflict", "major_war", "nuclear_war")]
    open_mass = model.types.weights * (1 - ex.timeline[:-1][:, :, conflict].sum(axis=2))  # (H, play types)
    want = (open_mass * ex.credibility).sum(axis=1) / open_mass.sum(axis=1)
    busy = tally["open"] > 1000
    se_c = np.sqrt(0.25 / tally["open"][busy])
    assert (np.abs(tally["on_levels"][busy] - want[busy]) <= 5 * se_c).all(), (tally["on_levels"], want)



class Executing(TestAndAbsorb):
    """The same target, against a coercer that carries out each rule with probability `e` (None: the declared
    one), through the hook a strategic coercer's model gives the simulator."""

    def __init__(self, e: float | None) -> None:
        super().__init__()
        self.e = e

    def execution_probabilities(self, c, obs):
        return {r.prob: np.broadcast_to(np.asarray(c[r.prob] if self.e is None else self.e, dtype=float),
                                        obs.tests.shape) for r in c.rules}


def _one_rule(st):
    return st.model_copy(update={"rules": [r for r in st.rules if r.id == RULE], "deadlines": []})


def test_simulated_belief_is_bayes_at_the_equilibriums_numbers(korea, strategies, played):
    """The runs carry out `RULE` with the equilibrium's execution probability e while the target reads the
    declared resolute likelihood p and the equilibrium's bluffing one b: after k executions and m
    non-executions its posterior is the binomial closed form in (p, b), k counted from the runs' own uniforms
    against e."""
    _, _, eq, _ = played
    e, b = float(eq.execution[RULE][0]), float(eq.beliefs[RULE][0])
    runs, H = 4000, 8
    c = replace(compile_model(korea, _one_rule(strategies[STRATEGY]), {**TESTING, f"rules.{RULE}.bluff": b}),
                horizon=H)
    p, prior = float(c[f"rules.{RULE}.probability"]), float(c[f"rules.{RULE}.believed"])
    assert 0 < e < 1 and abs(e - p) > 1e-3 and 0 < b < 1  # neither certain nor the declared probability
    ch = Chunk(c, Executing(e), Streams(11, 0, runs, *stream_sizes(c)))
    again = Streams(11, 0, runs, *stream_sizes(c))
    k = np.zeros(runs, dtype=np.int64)
    for t in range(H):
        ch.step(t)
        k += again.month()[K_MONTH_FIXED] < e  # the rule answers every month's test
    assert (ch.action_counts[:, MISSILE] == runs).all()
    want = belief.posterior_after(prior, p, b, k, H - k)
    np.testing.assert_allclose(belief.posterior(prior, ch.llr), want, rtol=0, atol=1e-12)
    assert len(np.unique(k)) > 3 and abs(k.mean() / H - e) < 0.02  # executed at e, not at p


def test_carrying_out_as_declared_is_the_committed_runs(korea, strategies):
    """A hook that returns the declared probabilities draws the committed coercer's runs, bit for bit."""
    c = replace(compile_model(korea, _one_rule(strategies[STRATEGY]), TESTING), horizon=6)
    a = Chunk(c, Executing(None), Streams(3, 0, 2000, *stream_sizes(c)))
    b = Chunk(c, TestAndAbsorb(), Streams(3, 0, 2000, *stream_sizes(c)))
    for t in range(6):
        a.step(t)
        b.step(t)
    for name in ("llr", "lists", "phase", "status", "warheads", "evidence"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_execution_by_belief_level_averages_to_the_equilibriums(short, played):
    """The execution on the path per evidence level, weighted by its triggers, is the threat's equilibrium
    execution (for the threats the coercer does not mix over)."""
    from brinkmanship._api.coercer import execution_by_level

    st, _, eq, model = played
    got = execution_by_level(short, st, model, TESTING)
    c = model.types.compiled(compile_model(short, st, TESTING))
    raw = model.execution_by_level(c)
    assert set(got) == set(eq.execution) and all(len(v) == short.credibility.levels for v in got.values())
    for k in ("city-per-test", "congressional-decision"):
        e, triggers = raw[k]
        w = model.types.weights[:, None] * triggers
        assert w.sum() > 0
        np.testing.assert_allclose((w * np.nan_to_num(e)).sum() / w.sum(), eq.execution[k][0], atol=1e-9)
    assert got["city-per-test"] == [0.0 if v is not None else None for v in got["city-per-test"]]


def test_play_types_keep_every_type_without_threats():
    """A strategy without threats: the play types are the target's types, weights and all."""
    from brinkmanship.adversary.coercer import Equilibrium
    from brinkmanship.adversary.types import Types

    types = Types("prior", {"adversary.x": np.array([1.0, 2.0, 3.0])}, np.array([0.2, 0.3, 0.5]))
    eq = Equilibrium(threats=[], declared={}, chance={}, execution={}, triggered={}, outcomes=np.zeros((3, 6)),
                     coercer_value=np.zeros(3), gain={}, direct_cost={}, stakes={})
    play = play_types(eq, types)
    np.testing.assert_array_equal(play.values["adversary.x"], [1.0, 2.0, 3.0])
    np.testing.assert_allclose(play.weights, [0.2, 0.3, 0.5])


def test_typed_runs_play_their_own_types_equilibrium(short, played):
    """Two prior types: each run plays its own type's equilibrium (the play types carry the target's numbers
    and the equilibrium beliefs); the simulated shares match the exact mixture within 5 standard errors."""
    from brinkmanship.adversary.types import prior_types

    st = played[0]
    types = prior_types(short, 2)
    eq = solve_equilibrium(short, st, RATIONAL, types, TESTING)
    model = strategic_model(eq, types, RATIONAL)
    assert set(types.values) < set(model.types.values)
    runs = 10_000
    index = model.types.draw(11, runs)
    res = simulate(short, st, runs=runs, seed=11, adversary=model, overrides={**TESTING, **model.types.per_run(index)})
    exact = types.mixture(eq.outcomes)[0]
    counts = np.bincount(res.outcomes["outcome"], minlength=len(OUTCOMES))
    se = np.sqrt(np.maximum(exact * (1 - exact), 1e-4) / runs)
    assert (np.abs(counts / runs - exact) <= 5 * se).all(), (counts / runs, exact)


@pytest.mark.parametrize("fits", [True, False])
def test_compare_says_how_the_strategic_runs_were_made(monkeypatch, fits):
    """`compare` plays the equilibrium in its runs when the play types' solve fits the memory limit, and
    otherwise falls back to type-weighted probabilities and says so (the exact outcomes are the same)."""
    import brinkmanship as bk

    monkeypatch.setattr("brinkmanship._api.coercer.play_fits", lambda *a: fits)
    got = bk.compare("korea-2017", ["limited-strike"], runs=500, seed=3, types="point", coercer="strategic",
                     progress=False)
    block = got.to_json()["coercer"]["strategies"]["limited-strike"]
    assert block["sampled_runs"].startswith("the equilibrium played" if fits else "type-weighted")
    assert ("execution_by_belief_level" in block) == fits
    assert got.to_frame()["p"].sum() == pytest.approx(1.0)

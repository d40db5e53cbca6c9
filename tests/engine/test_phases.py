"""Phases in a strategy: the same settings change nothing (bit for bit), a phase acts only from its month, a
condition opens its phase exactly in the month it first holds, and the planner follows dated phases."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.chunk import Chunk
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import N_ACTIONS, Action
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.simulate import simulate, stream_sizes
from brinkmanship.engine.streams import Streams
from brinkmanship.errors import InputError
from brinkmanship.spec import Strategy
from brinkmanship.spec.loader import strategy_from_text

RUNS = 3000


def with_phases(base: Strategy, phases: list[dict]) -> Strategy:
    """`base` with `phases` added (validated as a file's would be)."""
    data = base.model_dump(mode="json", exclude_none=True)
    data["phases"] = phases
    return Strategy.model_validate(data)


def same_levers(st: Strategy) -> dict:
    """Every lever of `st`, restated as a phase's settings (the same values under the phase's own names)."""
    return st.levers.model_dump(mode="json", exclude_none=True)


def assert_same_runs(a, b) -> None:
    for k in a.outcomes:
        assert np.array_equal(a.outcomes[k], b.outcomes[k]), k
    for k in ("outcome_counts", "action_counts", "warheads_q"):
        assert np.array_equal(a.timeline[k], b.timeline[k]), k
    assert np.array_equal(a.transitions, b.transitions)


@pytest.mark.parametrize("name", ["let-deterrence-fail", "maximum-pressure", "engagement"])
def test_phases_with_the_same_settings_equal_the_unphased_strategy_bit_for_bit(korea, strategies, name):
    st = strategies[name]
    ids = [r.id for r in st.rules] + [d.id for d in st.deadlines]
    lv = same_levers(st)
    phased = with_phases(st, [
        {"id": "dated", "enter": {"month": 3}, "levers": lv, "switch_on": ids},
        {"id": "window", "enter": {"month": {"earliest": 5, "latest": 12}}, "levers": lv},
        {"id": "talks", "enter": {"when": {"talks_at_least": {"value": 0.1, "range": [0.0, 0.3],
                                                              "assumption": True}}}, "levers": lv},
        {"id": "quiet", "enter": {"when": {"months_without_test": 2}}, "levers": lv, "switch_on": ids},
    ])
    c = compile_model(korea, phased)
    assert len(c.phases) == 5  # the per-run phase machinery runs
    a = simulate(korea, st, runs=RUNS, seed=11, chunk_size=700)
    b = simulate(korea, phased, runs=RUNS, seed=11, chunk_size=700)
    assert_same_runs(a, b)


def test_dated_phases_with_the_same_settings_give_the_same_exact_probabilities(korea, strategies):
    st = strategies["let-deterrence-fail"]
    phased = with_phases(st, [{"id": "later", "enter": {"month": 4}, "levers": same_levers(st)}])
    for model in ("rational", "base-rate"):
        outs = []
        for s in (st, phased):
            c = compile_model(korea, s)
            outs.append(propagate(c, solve(c, model) if model == "rational" else BaseRatePolicy()))
        assert np.array_equal(outs[0].outcomes, outs[1].outcomes)
        assert np.array_equal(outs[0].timeline, outs[1].timeline)


RELIEF = {"talks": {"channel": "coercer-led", "offer": {"value": 0.7, "range": [0.5, 0.9], "assumption": True}},
          "sanctions": {"mode": "relax"}, "exercises": {"mode": "suspended"},
          "third_parties": {"china": "forget", "russia": "engage"},
          "posture": {"target": {"value": 0.4, "range": [0.2, 0.6], "assumption": True}, "ramp_months": 3}}


@pytest.mark.parametrize("k", [6, 13])
def test_a_phase_entered_at_month_k_changes_nothing_before_k(korea, strategies, k):
    st = strategies["let-deterrence-fail"]
    phased = with_phases(st, [{"id": "relief", "enter": {"month": k}, "levers": RELIEF,
                               "switch_off": [r.id for r in st.rules]}])
    a = simulate(korea, st, runs=RUNS, seed=5)
    b = simulate(korea, phased, runs=RUNS, seed=5)
    assert np.array_equal(a.timeline["action_counts"][:k], b.timeline["action_counts"][:k])
    assert np.array_equal(a.timeline["outcome_counts"][:k + 1], b.timeline["outcome_counts"][:k + 1])
    assert not np.array_equal(a.timeline["action_counts"][k:], b.timeline["action_counts"][k:])
    # the base-rate target's exact path, and the sanctions and economy paths, agree before k too
    ca, cb = compile_model(korea, st), compile_model(korea, phased)
    ea, eb = propagate(ca, BaseRatePolicy()), propagate(cb, BaseRatePolicy())
    assert np.array_equal(ea.timeline[:k + 1], eb.timeline[:k + 1])
    assert np.array_equal(ea.actions[:k], eb.actions[:k])
    pa, pb = dyn.policy_paths(ca), dyn.policy_paths(cb)
    assert np.array_equal(pa[0][:k], pb[0][:k]) and np.array_equal(pa[1][:k + 1], pb[1][:k + 1])
    assert not np.allclose(pa[1][k + 2:], pb[1][k + 2:])


def test_the_posture_ramps_from_where_it_was_when_the_phase_begins(korea, strategies):
    st = strategies["let-deterrence-fail"]  # ramps to its target over 6 months
    phased = with_phases(st, [{"id": "back", "enter": {"month": 3}, "levers": {"posture": {
        "target": {"value": 1.0, "source": "usfk2017"}, "ramp_months": 2}}}])
    c = compile_model(korea, phased)
    base = compile_model(korea, st)
    target = base["posture.target"]
    at2 = base.posture(2)
    assert c.at_month(2).posture(2) == pytest.approx(at2)
    assert c.at_month(3).posture(3) == pytest.approx(at2 + (1.0 - at2) / 2)
    assert c.at_month(4).posture(4) == pytest.approx(1.0)
    assert at2 == pytest.approx(1.0 + (target - 1.0) * 3 / 6)


class Scripted:
    """A target that follows a script: run i takes action script[t][i] in month t (its original index)."""

    name = "scripted"

    def __init__(self, script: np.ndarray) -> None:
        self.script, self.chunk = script, None

    def action_probabilities(self, c, obs):
        ids = self.chunk.orig[self.chunk.seen]
        out = np.zeros((N_ACTIONS, ids.size))
        out[self.script[obs.t, ids], np.arange(ids.size)] = 1.0
        return out

    def response_probabilities(self, c, obs, strikes):
        out = np.zeros((3, strikes.total.shape[0]))
        out[0] = 1.0
        return out


class Watched(Chunk):
    """A chunk that records each run's phase in every month."""

    def observe(self, t, idx):
        self.seen = idx
        return super().observe(t, idx)

    def _enter_phases(self, t):
        super()._enter_phases(t)
        self.history[t, self.orig] = self.phase_idx


def run_script(korea, st: Strategy, script: np.ndarray) -> np.ndarray:
    c = compile_model(korea, st)
    n = script.shape[1]
    model = Scripted(script)
    ch = Watched(c, model, Streams(0, 0, n, *stream_sizes(c)))
    model.chunk = ch
    ch.history = np.full((c.horizon, n), -1)
    for t in range(c.horizon):
        ch.step(t)
    return ch.history


def first_month(history: np.ndarray, phase: int) -> list[int | None]:
    return [int(np.argmax(col >= phase)) if (col >= phase).any() else None for col in history.T]


def test_a_condition_opens_its_phase_in_the_month_it_first_holds(korea, strategies):
    st = strategies["maximum-pressure"]
    phased = with_phases(st, [{"id": "quiet", "enter": {"when": {"months_without_test": 3}}, "levers": RELIEF}])
    H = korea.horizon_months
    script = np.full((H, 4), Action.HOLD)
    script[:3, 0] = Action.MISSILE_TEST       # tests in months 0-2, then quiet: 3 quiet months by month 6
    script[:, 2] = Action.MISSILE_TEST        # tests every month: never
    script[[0, 2, 5], 3] = Action.NUCLEAR_TEST  # a nuclear test resets the count too: months 6-8 quiet
    assert first_month(run_script(korea, phased, script), 1) == [6, 3, None, 9]


def test_talks_and_dated_conditions_enter_in_order_one_phase_a_month(korea, strategies):
    st = strategies["maximum-pressure"]
    thr = {"value": 0.2, "range": [0.1, 0.3], "assumption": True}
    phased = with_phases(st, [
        {"id": "talks", "enter": {"when": {"talks_at_least": thr}}, "levers": RELIEF},
        {"id": "dated", "enter": {"month": 2}, "levers": {"sanctions": {"mode": "freeze"}}},
    ])
    c = compile_model(korea, phased)
    ch = Chunk(c, BaseRatePolicy(), Streams(0, 0, 4, *stream_sizes(c)))
    ch.talks_idx = np.array([0, 4, 3, 10])  # talks 0, 0.2, 0.15, 0.5
    assert ch.phase_entering(0).tolist() == [False, True, False, True]
    ch.phase_idx = np.array([1, 1, 1, 1])
    assert ch.phase_entering(1).tolist() == [False] * 4  # the dated phase waits for its month
    assert ch.phase_entering(2).tolist() == [True] * 4
    ch.phase_idx = np.array([2, 2, 2, 2])
    assert ch.phase_entering(9).tolist() == [False] * 4  # no phase after the last


def test_an_uncertain_month_is_drawn_in_its_window_and_keeps_the_other_draws(korea, strategies):
    st = strategies["maximum-pressure"]
    phased = with_phases(st, [{"id": "w", "enter": {"month": {"earliest": 4, "latest": 9}}, "levers": RELIEF}])
    c = compile_model(korea, phased)
    n = 4000
    ch = Chunk(c, BaseRatePolicy(), Streams(3, 0, n, *stream_sizes(c)))
    drawn = ch.entry_month[1]
    assert drawn.min() == 4 and drawn.max() == 9
    np.testing.assert_allclose(np.bincount(drawn - 4) / n, 1 / 6, atol=0.03)
    plain = Chunk(compile_model(korea, st), BaseRatePolicy(), Streams(3, 0, n, *stream_sizes(c)))
    assert np.array_equal(plain.init, ch.init)


def test_the_planner_follows_dated_phases_and_agrees_with_the_simulator(korea, strategies):
    st = strategies["let-deterrence-fail"]
    phased = with_phases(st, [{"id": "relief", "enter": {"month": 8}, "levers": RELIEF,
                               "switch_off": [r.id for r in st.rules]}])
    c = compile_model(korea, phased)
    result = propagate(c, BaseRatePolicy())
    exact = result.outcomes[0]
    runs = 20_000
    res = simulate(korea, phased, runs=runs, seed=3)
    share = res.outcome_shares()
    se = np.sqrt(np.maximum(exact * (1 - exact), 1e-4) / runs)
    assert np.all(np.abs(share - exact) < 5 * se), (share, exact)
    unphased = propagate(compile_model(korea, st), BaseRatePolicy())
    assert np.array_equal(result.actions[:8], unphased.actions[:8])
    assert not np.allclose(result.actions[8:], unphased.actions[8:], atol=1e-3)
    sol = solve(c, "rational")  # the rational planner plans on the phased strategy
    assert np.isfinite(sol.V[0]).all()


@pytest.mark.parametrize(("entry", "adversary"), [
    ({"month": {"earliest": 4, "latest": 9}}, "base-rate"),
    ({"when": {"talks_at_least": {"value": 0.15, "range": [0.1, 0.3], "assumption": True}}}, "logit:1"),
    ({"when": {"months_without_test": 3}}, "rational"),
])
def test_the_planner_tracks_phases_that_begin_per_run_in_its_state(korea, strategies, entry, adversary):
    st = strategies["let-deterrence-fail"]
    phased = with_phases(st, [{"id": "relief", "enter": entry, "levers": RELIEF | {"posture": {
        "target": {"value": 1.0, "source": "usfk2017"}, "ramp_months": 0}}, "switch_off": ["two-per-launch"]}])
    c = compile_model(korea, phased)
    sol = solve(c, adversary) if adversary != "base-rate" else None
    if sol is not None:  # the phase factor: 2 phases, and the months without a test when the phase waits for them
        quiet = entry.get("when", {}).get("months_without_test", 0) + 1
        assert (sol.grid.P, sol.grid.Q) == (2, quiet)
        assert sol.grid.R == 2 * quiet * solve(compile_model(korea, st), "rational").grid.R
    exact = propagate(c, sol or BaseRatePolicy()).outcomes[0]
    runs = 20_000
    share = simulate(korea, phased, runs=runs, seed=3, adversary=adversary).outcome_shares()
    se = np.sqrt(np.maximum(exact * (1 - exact), 1e-4) / runs)
    assert np.all(np.abs(share - exact) < 5 * se), (share, exact)


def test_phases_with_the_same_settings_leave_the_planner_unchanged(korea, strategies):
    st = strategies["maximum-pressure"]
    phased = with_phases(st, [{"id": "q", "enter": {"when": {"months_without_test": 2}}, "levers": same_levers(st)}])
    c0, c1 = compile_model(korea, st), compile_model(korea, phased)
    for adversary in ("logit:1", "rational"):
        a, b = propagate(c0, solve(c0, adversary)), propagate(c1, solve(c1, adversary))
        np.testing.assert_allclose(a.timeline, b.timeline, atol=1e-12)
        np.testing.assert_allclose(a.actions, b.actions, atol=1e-12)


def test_a_calculation_that_needs_a_schedule_names_the_phase_that_has_none(korea, strategies):
    phased = with_phases(strategies["maximum-pressure"], [
        {"id": "quiet-spell", "enter": {"when": {"months_without_test": 2}}, "levers": RELIEF}])
    with pytest.raises(InputError, match="quiet-spell") as err:
        compile_model(korea, phased).at_month(3)
    assert err.value.field == "phases.quiet-spell.enter"


BAD = """\
name: bad
title: Bad phase
levers:
  talks: {channel: none, offer: {value: 0.1, range: [0, 0.3], assumption: true}}
  posture: {target: {value: 1.0, source: usfk2017}}
rules:
  - {id: hit, on: missile_test, do: sanctions_step, probability: {value: 1, source: usfk2017},
     believed: {value: 1, source: usfk2017}}
phases:
  - id: first
    enter: {month: 2}
  - id: summit
    enter: {month: 6}
    levers:
{levers}
{extra}
"""


@pytest.mark.parametrize(("levers", "extra", "field", "line", "text"), [
    ("      talks: {channel: phone, offer: {value: 0.5, range: [0, 1], assumption: true}}", "",
     "phases.1.levers.talks.channel", 15, "phase 'summit'"),
    ("      talks: {channel: none, offer: 0.5}", "", "phases.1.levers.talks.offer", 15, "bare number"),
    ("      sanctions: {mode: relax}", "    switch_off: [hit, nothing]", "phases.1.switch_off.1", 16,
     "unknown rule or deadline 'nothing'"),
    ("      sanctions: {mode: relax}", "    bogus: 1", "phases.1.bogus", 16, "phase 'summit'"),
])
def test_loader_errors_name_the_phase_field_and_line(korea, levers, extra, field, line, text):
    with pytest.raises(InputError) as err:
        strategy_from_text(BAD.replace("{levers}", levers).replace("{extra}", extra), "bad.yaml", korea)
    e = err.value
    assert e.field == field and e.line == line and e.file == "bad.yaml"
    assert text in e.message


def test_loader_refuses_a_phase_outside_the_horizon_and_out_of_order(korea):
    text = BAD.replace("{levers}", "      sanctions: {mode: relax}").replace("{extra}", "")
    with pytest.raises(InputError) as err:
        strategy_from_text(text.replace("{month: 6}", "{month: 40}"), "bad.yaml", korea)
    assert "phase 'summit'" in err.value.message and err.value.field == "phases.1.enter.month"
    assert err.value.line == 13
    with pytest.raises(InputError) as err:
        strategy_from_text(text.replace("{month: 6}", "{month: 1}"), "bad.yaml", korea)
    assert "phase 'summit'" in err.value.message and err.value.field == "phases.1.enter"


def test_packaged_phased_strategies_are_sourced_and_dated(korea):
    from brinkmanship.spec import load_strategy

    us = load_strategy("us-policy-2017-2018", korea)
    assert [p.id for p in us.phases] == ["olympic-opening", "summit"]
    c = compile_model(korea, us)
    assert [int(p.first_month) for p in c.phases[1:]] == [5, 9]  # February and June 2018
    assert c.at_month(9).exercises_mode == "suspended" and c.at_month(9).channel == "coercer-led"
    assert c.at_month(4).sanctions_mode == "escalate" and c.at_month(5).sanctions_mode == "freeze"
    for ph in us.phases:
        assert ph.source and ph.enter.at.source
        assert ph.levers.talks.offer.assumption and ph.levers.talks.offer.range
    pts = load_strategy("pressure-then-summit", korea)
    assert pts.phases[0].enter.months.earliest == pts.phases[0].enter.months.latest == 6
    assert compile_model(korea, pts).fixed_schedule


def test_the_policy_followed_backtests_and_its_phases_move_the_forecast(korea):
    from brinkmanship.history.backtest import backtest

    us = backtest(korea, runs=2000, seed=1, strategy="us-policy-2017-2018", adversary="base-rate")
    mp = backtest(korea, runs=2000, seed=1, strategy="maximum-pressure", adversary="base-rate")
    assert us["strategy"] == "us-policy-2017-2018" and np.isfinite(us["log_likelihood"])
    # the same runs until February 2018; the opening and the summit raise the chance of talks in talks months
    assert us["p_talks_in_talks_months"] > mp["p_talks_in_talks_months"]
    assert us["months"][:4] == mp["months"][:4]


def test_phased_runs_do_not_depend_on_the_chunking(korea, strategies):
    st = strategies["let-deterrence-fail"]
    phased = with_phases(st, [
        {"id": "w", "enter": {"month": {"earliest": 3, "latest": 9}}, "levers": RELIEF},
        {"id": "q", "enter": {"when": {"months_without_test": 2}}, "levers": {"sanctions": {"mode": "freeze"}}}])
    assert_same_runs(simulate(korea, phased, runs=2500, seed=9, chunk_size=600),
                     simulate(korea, phased, runs=2500, seed=9, chunk_size=2500))

"""One test per step of the simulator's month (`Chunk._step`), on a handful of runs whose draws are set by hand.

Every uniform is 0.999 (nothing random happens) unless a test sets it; the target's actions and responses
come from a scripted decision model. Expected values are worked out in each docstring. The model is
korea-2017 / let-deterrence-fail with the numbers a step reads set explicitly, except the quiet months of
the last test, which read the packaged scenario (6).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from brinkmanship.engine.chunk import (
    I_CHINA,
    I_COUNTER,
    I_DETON,
    I_INVADE,
    I_NUC_SCALE,
    I_NUC_USE,
    I_RUSSIA,
    I_WAR,
    K_MONTH_FIXED,
    M_CITY,
    M_DETAIL,
    M_TALKS,
    Chunk,
    MonthState,
    deadline_slots,
    salvo_size,
    sample_categorical,
)
from brinkmanship.engine.compiled import Compiled, CompiledDeadline, CompiledRule, compile_model
from brinkmanship.engine.constants import (
    N_ACTIONS,
    OUTCOMES,
    Action,
    Event,
    Phase,
    Response,
    Rung,
    Status,
    TargetClass,
)
from brinkmanship.engine.simulate import stream_sizes
from brinkmanship.engine.streams import Streams

NOTHING = 0.999  # a uniform that makes no chance event happen


class Scripted:
    """Plays the given action in each observed run, and the given response in each struck run."""

    name = "scripted"

    def __init__(self, actions=(), responses=()) -> None:
        self.actions = np.asarray(actions, dtype=np.int64)
        self.responses = np.asarray(responses, dtype=np.int64)
        self.infos = []

    def action_probabilities(self, c, obs):
        n = obs.talks.shape[0]
        assert n == self.actions.size
        out = np.zeros((N_ACTIONS, n))
        out[self.actions, np.arange(n)] = 1.0
        return out

    def response_probabilities(self, c, obs, strikes):
        self.infos.append(strikes)
        n = strikes.total.shape[0]
        out = np.zeros((len(Response), n))
        out[self.responses, np.arange(n)] = 1.0
        return out


@pytest.fixture(scope="module")
def base(korea, strategies) -> Compiled:
    c = compile_model(korea, strategies["let-deterrence-fail"])
    return replace(c, posture_start=0.5, values={**c.values, "posture.target": 0.5})  # posture 0.5 every month


def model(c: Compiled, values: dict | None = None, **fields) -> Compiled:
    return replace(c, values={**c.values, **(values or {})}, **fields)


def make_chunk(c: Compiled, n: int, decision=None) -> Chunk:
    ch = Chunk(c, decision or Scripted(), Streams(0, 0, n, *stream_sizes(c)))
    ch.init = np.full_like(ch.init, NOTHING)
    ch.talks_idx = np.full(n, 4)  # talks 0.2
    ch.warheads = np.full(n, 20.0)
    return ch


def month(ch: Chunk, t: int = 0, **fields) -> MonthState:
    """The month's state with every uniform at NOTHING and every event flag off, then `fields`."""
    u = np.full((K_MONTH_FIXED + len(ch.c.rules), ch.n), NOTHING)
    m = MonthState.start(ch, t, u)
    off = np.zeros(ch.n, dtype=bool)
    for name in ("is_m", "is_n", "is_p", "deal", "freeze", "first_use", "clash", "limited", "nuclear", "war"):
        setattr(m, name, off.copy())
    m.action = np.full(ch.n, -1)
    m.total = np.zeros(ch.n, dtype=np.int64)
    for k, v in fields.items():
        setattr(m, k, np.asarray(v) if isinstance(v, list) else v)
    return m


def test_sample_categorical_and_salvo_size(base):
    """Weights (1, 0, 3): total 4; u = 0.2 -> 0.8 < 1: category 0; u = 0.3 -> 1.2: category 2 (the empty
    one is stepped over). Salvo cdf (3, 4, 6, 8, 9) / 9: u = 0.5 -> third size (3 missiles); u = 0.1 -> 1."""
    probs = np.array([[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]])
    assert sample_categorical(probs, np.array([0.2, 0.3])).tolist() == [0, 2]
    assert salvo_size(base, np.array([0.5, 0.1, 0.99])).tolist() == [3.0, 1.0, 5.0]


def test_step_1_deadlines(base):
    """Month 2. Deadline a (preventive war, p 0.5) acts in runs 0 (drawn month 2, u 0.1 < 0.5), not in run 1
    (u 0.9), not in run 2 (month 1), not in run 5 (in a deal, `unless: deal`). Deadline b (3 military strikes)
    acts in run 3. Deadline c (sanctions, unless talks reach 0.3) sets run 4's talks back 0.2 - 0.08 = 0.12,
    but not run 6's (talks 0.4)."""
    deadlines = (
        CompiledDeadline("a", 0, 9, "preventive_war", -1, 0, True, True, None, "d.a", "b.a"),
        CompiledDeadline("b", 0, 9, "strike", TargetClass.MILITARY, 3, True, True, None, "d.b", "b.b"),
        CompiledDeadline("c", 0, 9, "sanctions", -1, 0, True, True, "d.c.thr", "d.c", "b.c"),
    )
    c = model(base, {"d.a": 0.5, "d.b": 0.5, "d.c": 0.5, "d.c.thr": 0.3, "talks.setback_sanctions": 0.08},
              deadlines=deadlines)
    ch = make_chunk(c, 7)
    ch.deadline_month[:] = 9
    ch.deadline_month[0, [0, 1, 5]] = 2
    ch.deadline_month[0, 2] = 1
    ch.deadline_month[1, 3] = 2
    ch.deadline_month[2, [4, 6]] = 2
    ch.init[deadline_slots(0)[1], [0, 2, 5]] = 0.1
    ch.init[deadline_slots(0)[1], 1] = 0.9
    ch.init[deadline_slots(1)[1], 3] = 0.1
    ch.init[deadline_slots(2)[1], [4, 6]] = 0.1
    ch.phase[5] = Phase.DEAL
    ch.status[5] = Status.DEAL
    ch.talks_idx[6] = 8
    m = month(ch, t=2)
    ch._deadlines(m)
    assert m.deadline_hit.tolist() == [True, False, False, True, True, False, False]
    assert m.new_war.tolist() == m.regime.tolist() == ch.preventive.tolist() == [True] + [False] * 6
    assert m.strikes[TargetClass.MILITARY].tolist() == [0, 0, 0, 3, 0, 0, 0]
    np.testing.assert_allclose(m.talks, [0.2, 0.2, 0.2, 0.2, 0.12, 0.2, 0.4])


def test_step_2_the_targets_action(base):
    """Posture 0.5. One run per action (two invasions). Missile test: u 0.5 draws 3 missiles, tests 0 -> 1,
    talks 0.2 - 0.03. Nuclear test: tests 5 + 2 capped at 6, talks 0.2 - 0.15. Provocation: u 0.01 < clash
    0.05: a clash, 5 military deaths. Negotiation: talks 0.2 + 0.1 x 1 x 1.5 x 1.25 x 1 x 1 x 1.2 = 0.425.
    Accept: u 0.1 < 0.2 x (1 + 0.5 x 0.5) = 0.25: a deal. Invasion: success 0.3 - 0.28 x 0.5 = 0.16; run 7
    (u 0.1) succeeds, run 8 (u 0.5) fails and threatens the regime."""
    actions = [Action.HOLD, Action.MISSILE_TEST, Action.NUCLEAR_TEST, Action.PROVOCATION, Action.NEGOTIATE,
               Action.ACCEPT_DEAL, Action.FREEZE, Action.INVADE, Action.INVADE, Action.NUCLEAR_USE]
    c = model(base, {"talks.progress_rate": 0.1, "talks.channel_ally_led": 1.0, "talks.offer": 0.5,
                     "talks.offer_effect": 1.0, "talks.withdrawal_goodwill": 0.5, "talks.exercises_goodwill": 0.0,
                     "talks.sanctions_reserve": 0.2, "talks.setback_missile_test": 0.03,
                     "talks.setback_nuclear_test": 0.15, "talks.close_probability": 0.2,
                     "talks.withdrawal_pressure": 0.5, "invasion.success_full_posture": 0.02,
                     "invasion.success_no_posture": 0.3, "escalation.provocation_clash": 0.05,
                     "war.provocation_deaths": 5.0, "arsenal.nuclear_test_weight": 2.0})
    ch = make_chunk(c, 10, Scripted(actions))
    ch.tests[2] = 5
    ch.init[I_INVADE, 7], ch.init[I_INVADE, 8] = 0.1, 0.5
    m = month(ch)
    m.u[M_DETAIL, [1, 3, 5]] = [0.5, 0.01, 0.1]
    ch._act(m)
    assert m.action.tolist() == [int(a) for a in actions]
    assert m.missiles.tolist() == [0, 3, 0, 0, 0, 0, 0, 0, 0, 0]
    assert ch.tests.tolist() == [0, 1, 6, 0, 0, 0, 0, 0, 0, 0]
    np.testing.assert_allclose(m.talks, [0.2, 0.17, 0.05, 0.2, 0.425, 0.2, 0.2, 0.2, 0.2, 0.2], rtol=1e-12)
    assert np.flatnonzero(m.deal).tolist() == [5]
    assert np.flatnonzero(m.freeze).tolist() == [6]
    assert np.flatnonzero(m.new_war).tolist() == np.flatnonzero(ch.invaded).tolist() == [7, 8]
    assert np.flatnonzero(m.regime).tolist() == [8]
    assert np.flatnonzero(m.first_use).tolist() == [9]
    assert np.flatnonzero(m.clash).tolist() == np.flatnonzero(m.limited).tolist() == [3]
    assert ch.deaths_mil.tolist() == [0, 0, 0, 5, 0, 0, 0, 0, 0, 0]
    assert ch.action_counts[0].tolist() == [1, 1, 1, 1, 1, 1, 1, 2, 1]


def test_step_3_rules_answer_the_events(base):
    """List high_value (20 military, 10 leadership). Run 0: 3 missiles, the rule fires (0.5 < 0.9): 6 targets
    by Sainte-Lague (military at 0.025, 0.075, 0.125, 0.175; leadership at 0.05, 0.15): 4 military and 2
    leadership. Run 1: the rule does not fire (0.95). Run 2: a nuclear test, one city. Run 3: a provocation
    and a sanctions rule (0.1 < 0.5): one round, talks 0.2 - 0.08. Run 4: 2 missiles want 4, 1 left: 1."""
    extra = CompiledRule("s", Event.PROVOCATION, "sanctions", -1, 1, False, -1, "p.s", "b.s")
    c = model(base, {"p.s": 0.5, "rules.two-per-launch.probability": 0.9,
                     "rules.city-per-test.probability": 0.9, "talks.setback_sanctions": 0.08},
              rules=(*base.rules, extra))
    ch = make_chunk(c, 5)
    ch.lists[0][:, 4] = [1, 0, 0, 0]
    m = month(ch, is_m=[True, True, False, False, True], is_n=[False, False, True, False, False],
              is_p=[False, False, False, True, False], missiles=np.array([3.0, 3.0, 0.0, 0.0, 2.0]))
    m.u[K_MONTH_FIXED + 0] = [0.5, 0.95, NOTHING, NOTHING, 0.5]
    m.u[K_MONTH_FIXED + 1, 2] = 0.5
    m.u[K_MONTH_FIXED + 2, 3] = 0.1
    ch._answer_events(m)
    assert m.strikes.T.tolist() == [[4, 2, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]]
    assert ch.lists[0].T.tolist() == [[16, 8, 0, 0], [20, 10, 0, 0], [20, 10, 0, 0], [20, 10, 0, 0], [0, 0, 0, 0]]
    assert m.rounds.tolist() == [0, 0, 0, 1, 0]
    np.testing.assert_allclose(m.talks, [0.2, 0.2, 0.2, 0.12, 0.2])


def test_step_4_after_strikes(base):
    """Struck runs 0-3 (run 4 is already at war, run 5 not struck). Responses absorb, retaliate (counter-
    escalation u 0.1 < 0.25: war), retaliate (u 0.9: a limited conflict), escalate (war). Events seen:
    missile test, deadline, nuclear test, provocation. Talks of the struck runs 0.2 - 0.2 = 0. Deaths: 50 per
    military target (run 0: 3 x 50), the city of run 2 at u 0.5: sqrt(3,000 x 100,000) = 17,320.508."""
    c = model(base, {"escalation.counter_escalation": 0.25, "talks.setback_strike": 0.2,
                     "war.military_deaths_per_target": 50.0, "war.civilian_deaths_per_city": 20_000.0},
              ranges={**base.ranges, "war.civilian_deaths_per_city": (3_000.0, 100_000.0, 20_000.0)})
    decision = Scripted(responses=[Response.ABSORB, Response.RETALIATE, Response.RETALIATE, Response.ESCALATE])
    ch = make_chunk(c, 6, decision)
    ch.init[I_COUNTER, 1], ch.init[I_COUNTER, 2] = 0.1, 0.9
    strikes = np.array([[2, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]).T
    m = month(ch, strikes=strikes.copy(), new_war=np.array([False] * 4 + [True, False]),
              action=np.array([Action.MISSILE_TEST, -1, Action.NUCLEAR_TEST, Action.PROVOCATION,
                               Action.MISSILE_TEST, Action.HOLD]))
    m.u[M_CITY] = 0.5
    ch._after_strikes(m)
    info = decision.infos[0]
    assert info.event.tolist() == [Event.MISSILE_TEST, Event.DEADLINE, Event.NUCLEAR_TEST, Event.PROVOCATION]
    assert (info.total.tolist(), info.leadership.tolist(), info.civilian.tolist()) == (
        [3, 1, 1, 1], [1, 0, 0, 1], [0, 0, 1, 0])
    assert m.total.tolist() == [3, 1, 1, 1, 1, 0]
    assert m.limited.tolist() == [False, False, True, False, False, False]
    assert m.new_war.tolist() == [False, True, False, True, True, False]
    np.testing.assert_allclose(m.talks, [0.0, 0.0, 0.0, 0.0, 0.2, 0.2], atol=1e-15)
    np.testing.assert_allclose(ch.deaths_mil, [150, 50, 0, 50, 50, 0])
    np.testing.assert_allclose(ch.deaths_civ, [0, 0, 17_320.508075688772, 0, 0, 0], rtol=1e-12)
    assert ch.by_class.T.tolist() == strikes.T.tolist()


def test_step_5_general_war_and_nuclear_use(base):
    """Delivery 0.7 (no tests): nuclear use in war 0.3 x (0.5 + 0.5 x 0.7) = 0.255, regime threatened 0.425.
    Run 0 (u 0.2) goes nuclear, run 1 (u 0.3) not, run 2 (threatened, u 0.3) does, run 3 uses first, run 4
    (half a warhead, u 0) cannot. Every run is at war; detonations exactly in the nuclear ones."""
    c = model(base, {"war.nuclear_use_in_war": 0.3, "war.nuclear_use_regime_threatened": 0.5,
                     "war.nuclear_use_without_delivery": 0.5, "initial.delivery": 0.7})
    ch = make_chunk(c, 5)
    ch.warheads[4] = 0.5
    ch.init[I_NUC_USE] = [0.2, 0.3, 0.3, NOTHING, 0.0]
    m = month(ch, new_war=np.array([True, True, True, False, True]),
              regime=np.array([False, False, True, False, False]),
              first_use=np.array([False, False, False, True, False]))
    ch._general_war(m)
    assert m.nuclear.tolist() == [True, False, True, True, False]
    assert m.war.all()
    assert (ch.detonations > 0).tolist() == [True, False, True, True, False]


def test_resolve_war_deaths_and_detonations(base):
    """Conventional deaths at u 0.5: sqrt(30,000 x 300,000) = 94,868.33, doubled in run 0 where China joins
    (u 0.1 < 0.3); 60% civilian. Detonations: ceil(-ln(e^-0.9) x 3) = ceil(2.7) = 3, at most the 2 whole
    warheads of run 2; each kills sqrt(50,000 x 500,000) = 158,113.88 at u 0.5."""
    conv, per = 94_868.32980505138, 158_113.88300841898
    c = model(base, {"war.conventional_deaths": 100_000.0, "china.intervention_forgotten": 0.3,
                     "russia.intervention_forgotten": 0.05, "war.intervention_deaths_multiplier": 2.0,
                     "war.civilian_share": 0.6, "war.detonations_mean": 3.0, "war.deaths_per_detonation": 200_000.0},
              ranges={**base.ranges, "war.conventional_deaths": (30_000.0, 300_000.0, 100_000.0),
                      "war.deaths_per_detonation": (50_000.0, 500_000.0, 200_000.0)})
    ch = make_chunk(c, 3)
    ch.warheads[2] = 2.5
    ch.init[I_WAR] = ch.init[I_NUC_SCALE] = 0.5
    ch.init[I_CHINA, 0] = 0.1
    ch.init[I_RUSSIA] = NOTHING
    ch.init[I_DETON] = np.exp(-0.9)
    ch._resolve_war(np.array([True, True, True]), np.array([False, True, True]))
    np.testing.assert_allclose(ch.detonations, [0, 3, 2])
    np.testing.assert_allclose(ch.warheads, [20, 17, 0.5])
    np.testing.assert_allclose(ch.deaths_mil, [2 * conv * 0.4, conv * 0.4, conv * 0.4], rtol=1e-12)
    np.testing.assert_allclose(ch.deaths_civ, [2 * conv * 0.6, conv * 0.6 + 3 * per, conv * 0.6 + 2 * per],
                               rtol=1e-12)


def test_step_6_phases_ladder_and_slow_variables(base, korea):
    """Later phases win: deal, freeze, limited, (limited and) war, war and nuclear. Quiet months (korea-2017:
    6): run 5 quiet 5 -> 6, peace; run 6 quiet 4 -> 5, crisis; run 7 tests, quiet 0, crisis, and under
    escalating sanctions a round sets its talks back 0.2 - 0.08 = 0.12 -> 2.4 steps, u 0.3 < 0.4: level 3.
    Rungs from the crisis (1): limited or struck 2, war 3, nuclear 4. Running runs (open, frozen, in a deal
    not yet carried out) gain 9 / 12 warheads. Run 8 was in a deal already: it stays there, resolved at
    month 1."""
    assert korea.escalation.quiet_months.value == 6
    c = model(base, {"talks.setback_sanctions": 0.08, "arsenal.production_per_year": 9.0},
              sanctions_mode="escalate")
    ch = make_chunk(c, 9)
    ch.quiet[:] = [0, 0, 0, 0, 0, 5, 4, 9, 0]
    ch.phase[8] = Phase.DEAL
    ch.status[8] = Status.DEAL
    ch.month_resolved[8] = 1
    m = month(ch, t=3, deal=np.arange(9) == 0, freeze=np.arange(9) == 1, limited=np.isin(np.arange(9), [2, 3]),
              war=np.isin(np.arange(9), [3, 4]), nuclear=np.arange(9) == 4, is_m=np.arange(9) == 7,
              total=np.array([0, 0, 0, 0, 0, 0, 0, 2, 0]))
    m.u[M_TALKS] = 0.3
    ch._advance(m)
    assert ch.phase.tolist() == [Phase.DEAL, Phase.FREEZE, Phase.LIMITED_CONFLICT, Phase.MAJOR_WAR,
                                 Phase.NUCLEAR_WAR, Phase.PEACE, Phase.CRISIS, Phase.CRISIS, Phase.DEAL]
    assert ch.quiet.tolist() == [1, 1, 1, 1, 1, 6, 5, 0, 1]
    assert ch.rung.tolist() == [Rung.CRISIS, Rung.CRISIS, Rung.LIMITED_STRIKES, Rung.MAJOR_WAR,
                                Rung.NUCLEAR_USE, Rung.CRISIS, Rung.CRISIS, Rung.LIMITED_STRIKES, Rung.CRISIS]
    assert ch.month_resolved.tolist() == [4, 4, 4, 4, 4, -1, -1, -1, 1]
    assert ch.talks_idx.tolist() == [4, 4, 4, 4, 4, 4, 4, 3, 4]
    np.testing.assert_allclose(ch.warheads, [20.75, 20.75, 20, 20, 20, 20.75, 20.75, 20.75, 20.75])
    assert ch.status.tolist() == [Status.DEAL, Status.FROZEN] + [Status.OPEN] * 6 + [Status.DEAL]
    expected = np.zeros_like(ch.transitions)
    for p in (Phase.DEAL, Phase.FREEZE, Phase.LIMITED_CONFLICT, Phase.MAJOR_WAR, Phase.NUCLEAR_WAR, Phase.PEACE):
        expected[Phase.CRISIS, p] = 1
    assert (ch.transitions == expected).all()
    counts = dict(zip(OUTCOMES, ch.outcome_counts[4].tolist(), strict=True))
    assert counts == {"denuclearisation": 2, "freeze": 1, "buildup": 3, "limited_conflict": 1, "major_war": 1,
                      "nuclear_war": 1}


@pytest.mark.slow
def test_peace_is_a_reported_phase_that_changes_no_outcome(korea, strategies):
    """Decides the PEACE phase: it relabels open runs after the quiet months (final phase, transitions) and
    nothing else. Quiet months beyond the horizon (99) never reach it; every outcome is bit-identical."""
    from brinkmanship.engine import simulate

    st = strategies["maximum-pressure"]
    a = simulate(korea, st, runs=3000, seed=4)
    b = simulate(korea, st, runs=3000, seed=4, overrides={"escalation.quiet_months": 99.0})
    assert (a.outcomes["final_phase"] == Phase.PEACE).any()
    assert not (b.outcomes["final_phase"] == Phase.PEACE).any()
    for k, v in a.outcomes.items():
        if k != "final_phase":
            assert np.array_equal(v, b.outcomes[k]), k
    assert np.array_equal(a.outcomes["final_phase"] <= Phase.CRISIS, b.outcomes["final_phase"] <= Phase.CRISIS)
    assert not np.array_equal(a.transitions, b.transitions)


@pytest.mark.slow
def test_rung_zero_is_the_ladders_unreached_bottom(korea, strategies):
    """Decides rung 0 ("sub-crisis"): every run starts in the crisis, rung 1, and rungs only rise, so no run
    ends at rung 0. It stays on the ladder only so that rung numbers are Kahn's and the report's ladder table
    reads whole; its share is always 0."""
    from brinkmanship.engine import simulate
    from brinkmanship.engine.constants import RUNGS

    res = simulate(korea, strategies["engagement"], runs=2000, seed=2)
    assert RUNGS[Rung.SUB_CRISIS] == "sub-crisis" and len(RUNGS) == len(Rung)
    assert (res.outcomes["highest_rung"] >= Rung.CRISIS).all()
    assert (res.outcomes["highest_rung"][res.outcomes["final_phase"] <= Phase.CRISIS] == Rung.CRISIS).all()

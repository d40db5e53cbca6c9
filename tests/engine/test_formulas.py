"""One test per mechanism of `engine.dynamics`: inputs chosen by hand, the expected value worked out in the
docstring, so that any change to a formula (or to which parameter it reads) fails here.

The model is the packaged korea-2017 / let-deterrence-fail pair with the numbers a test needs set
explicitly, so the hand computation never depends on the scenario file.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, CompiledRule, compile_model
from brinkmanship.engine.constants import Event, TargetClass


@pytest.fixture(scope="module")
def base(korea, strategies) -> Compiled:
    return compile_model(korea, strategies["let-deterrence-fail"])


def model(c: Compiled, values: dict[str, float | np.ndarray] | None = None, **fields) -> Compiled:
    """`c` with some numbers (dotted names) and structural fields replaced."""
    return replace(c, values={**c.values, **(values or {})}, **fields)


def test_warheads_at_and_monthly_production(base):
    """20 warheads, 9 a year: after 4 months 20 + 9 x 4 / 12 = 23; one month adds 9 / 12 = 0.75."""
    c = model(base, {"initial.warheads": 20.0, "arsenal.production_per_year": 9.0})
    assert dyn.warheads_at(c, 4) == pytest.approx(23.0)
    assert dyn.warheads_at(c, 0) == pytest.approx(20.0)
    assert dyn.monthly_production(c) == pytest.approx(0.75)


def test_delivery_closes_a_share_of_the_gap_per_test_up_to_max_tests(base):
    """d0 = 0.7, gain 0.1: 0 tests 0.7; 2 tests 1 - 0.3 x 0.9^2 = 0.757; 9 tests count as 6:
    1 - 0.3 x 0.9^6 = 1 - 0.3 x 0.531441 = 0.8405677. Per-run parameters (d0 = 0.7, 0.5) give the same
    (0.5: 1 - 0.5 x 0.81 = 0.595 at 2 tests)."""
    c = model(base, {"initial.delivery": 0.7, "arsenal.delivery_gain_per_test": 0.1})
    np.testing.assert_allclose(dyn.delivery(c, np.array([0, 2, 9])), [0.7, 0.757, 0.8405677], rtol=1e-12)
    per_run = model(base, {"initial.delivery": np.array([0.7, 0.5]), "arsenal.delivery_gain_per_test": 0.1})
    np.testing.assert_allclose(dyn.delivery(per_run, np.array([2, 2])), [0.757, 0.595], rtol=1e-12)
    assert dyn.MAX_TESTS == 6


def test_nuclear_test_weight_rounds_to_whole_tests(base):
    """2.4 test-equivalents round to 2, 2.6 to 3."""
    assert dyn.nuclear_test_weight(model(base, {"arsenal.nuclear_test_weight": 2.4})) == 2
    assert dyn.nuclear_test_weight(model(base, {"arsenal.nuclear_test_weight": 2.6})) == 3


def test_talks_round_is_stochastic_rounding_to_the_grid():
    """0.12 is 2.4 grid steps: up to 3 when u < 0.4 (u = 0.3), down to 2 otherwise (u = 0.5). 0.15 is on the
    grid (3 steps, despite 0.15 / 0.05 = 2.9999999999999996): 3 whatever u. Out of [0, 1]: clipped to 0, 20.
    Exactly on a level (0, fraction 0) it never moves up, even at u = 0."""
    x = np.array([0.12, 0.12, 0.15, 0.15, 1.3, -0.2, 0.0])
    u = np.array([0.3, 0.5, 0.0, 0.999, 0.0, 0.999, 0.0])
    assert dyn.talks_round(x, u).tolist() == [3, 2, 3, 3, 20, 0, 0]
    assert (dyn.TALKS_STEP, dyn.TALKS_LEVELS) == (0.05, 21)


@pytest.mark.parametrize("mode, sanctions, economy", [
    # escalate: level 0.6 -> 0.606 -> 0.612 (+0.015 x enforcement 0.4 a month); felt = level x 0.4;
    # economy 1 -> 1 - 0.02 x 0.606 x 0.4 = 0.995152 -> 0.995152 - 0.02 x 0.612 x 0.4 + 0.005 x 0.004848
    # = 0.99028024
    ("escalate", [0.24, 0.2424, 0.2448], [1.0, 0.995152, 0.99028024]),
    # relax: level 0.6 -> 0.57 -> 0.54; economy 1 -> 1 - 0.02 x 0.57 x 0.4 = 0.99544
    # -> 0.99544 - 0.02 x 0.54 x 0.4 + 0.005 x 0.00456 = 0.9911428
    ("relax", [0.24, 0.228, 0.216], [1.0, 0.99544, 0.9911428]),
    # freeze: level stays 0.6; economy 1 -> 0.9952 -> 0.9952 - 0.0048 + 0.005 x 0.0048 = 0.990424
    ("freeze", [0.24, 0.24, 0.24], [1.0, 0.9952, 0.990424]),
])
def test_policy_paths_follow_the_sanctions_mode(base, mode, sanctions, economy):
    """Enforcement 0.5 x 0.8 = 0.4 (both forgotten); start level 0.6, economy 1; drag 0.02, recovery 0.005;
    tightening 0.015, relax step 0.03. Values in the parameters."""
    c = model(base, {"initial.sanctions": 0.6, "initial.economy": 1.0, "economy.sanctions_drag": 0.02,
                     "economy.recovery": 0.005, "sanctions.monthly_tightening": 0.015,
                     "sanctions.relax_step": 0.03, "china.enforcement_forgotten": 0.5,
                     "russia.enforcement_forgotten": 0.8},
              sanctions_mode=mode, china_engaged=False, russia_engaged=False)
    felt, econ = dyn.policy_paths(c)
    np.testing.assert_allclose(felt[:3], sanctions, rtol=1e-12)
    np.testing.assert_allclose(econ[:3], economy, rtol=1e-12)
    assert felt.shape == (c.horizon + 1,)


def test_enforcement_multiplies_the_third_parties_shares(base):
    """Engaged: China 0.8 x Russia 0.95 = 0.76; forgotten: 0.5 x 0.8 = 0.4; mixed: 0.8 x 0.8 = 0.64."""
    v = {"china.enforcement_engaged": 0.8, "china.enforcement_forgotten": 0.5,
         "russia.enforcement_engaged": 0.95, "russia.enforcement_forgotten": 0.8}
    assert dyn.enforcement(model(base, v, china_engaged=True, russia_engaged=True)) == pytest.approx(0.76)
    assert dyn.enforcement(model(base, v, china_engaged=False, russia_engaged=False)) == pytest.approx(0.4)
    assert dyn.enforcement(model(base, v, china_engaged=True, russia_engaged=False)) == pytest.approx(0.64)


def test_restraint_counts_only_engaged_parties(base):
    """Effect 2: China alone (0.3) 0.6; both (0.3 + 0.1) 0.8; Russia alone 0.2; none 0."""
    v = {"china.restraint_engaged": 0.3, "russia.restraint_engaged": 0.1, "base_rate.restraint_effect": 2.0}
    assert dyn.restraint(model(base, v, china_engaged=True, russia_engaged=False)) == pytest.approx(0.6)
    assert dyn.restraint(model(base, v, china_engaged=True, russia_engaged=True)) == pytest.approx(0.8)
    assert dyn.restraint(model(base, v, china_engaged=False, russia_engaged=True)) == pytest.approx(0.2)
    assert dyn.restraint(model(base, v, china_engaged=False, russia_engaged=False)) == 0.0


@pytest.mark.parametrize("channel, expected", [("none", 0.2), ("coercer-led", 1.0), ("ally-led", 0.8),
                                               ("multilateral", 0.9)])
def test_channel_effect_reads_the_chosen_channel(base, channel, expected):
    """Each channel reads its own parameter (set to 0.2, 1.0, 0.8, 0.9)."""
    v = {"talks.channel_none": 0.2, "talks.channel_coercer_led": 1.0, "talks.channel_ally_led": 0.8,
         "talks.channel_multilateral": 0.9}
    assert dyn.channel_effect(model(base, v, channel=channel)) == expected


def test_talks_gain_multiplies_every_factor(base):
    """rate 0.08 x channel 1 x (1 + offer_effect 1 x offer 0.5) x (1 + goodwill 0.5 x (1 - posture 0.6))
    x (1 + exercises_goodwill 0.3 x suspended 1) x (1 + China's support 0.2) x (1 + reserve 0.3, frozen)
    = 0.08 x 1.5 x 1.2 x 1.3 x 1.2 x 1.3 = 0.292032. Not frozen, nothing suspended, nobody engaged:
    0.08 x 1.5 x 1.2 = 0.144."""
    v = {"talks.progress_rate": 0.08, "talks.channel_coercer_led": 1.0, "talks.offer_effect": 1.0,
         "talks.offer": 0.5, "talks.withdrawal_goodwill": 0.5, "talks.exercises_goodwill": 0.3,
         "china.talks_support_engaged": 0.2, "russia.talks_support_engaged": 0.1, "talks.sanctions_reserve": 0.3}
    c = model(base, v, channel="coercer-led", exercises_suspended=1.0, china_engaged=True, russia_engaged=False,
              sanctions_mode="freeze")
    assert dyn.talks_gain(c, 0.6) == pytest.approx(0.292032, rel=1e-12)
    plain = model(base, v, channel="coercer-led", exercises_suspended=0.0, china_engaged=False,
                  russia_engaged=False, sanctions_mode="escalate")
    assert dyn.talks_gain(plain, 0.6) == pytest.approx(0.144, rel=1e-12)
    both = model(base, v, channel="coercer-led", exercises_suspended=0.0, china_engaged=True,
                 russia_engaged=True, sanctions_mode="escalate")  # support 0.2 + 0.1: 0.144 x 1.3
    assert dyn.talks_gain(both, 0.6) == pytest.approx(0.1872, rel=1e-12)
    ally = model(plain, {"talks.channel_ally_led": 0.8}, channel="ally-led")  # channel 0.8: 0.144 x 0.8
    assert dyn.talks_gain(ally, 0.6) == pytest.approx(0.1152, rel=1e-12)


def test_deal_close_probability_rises_with_withdrawal_and_is_capped(base):
    """0.2 x (1 + 0.5 x (1 - 0.6)) = 0.24; with pressure 5 at posture 0: 0.2 x 6 = 1.2, capped at 1."""
    c = model(base, {"talks.close_probability": 0.2, "talks.withdrawal_pressure": 0.5})
    assert dyn.deal_close_probability(c, 0.6) == pytest.approx(0.24)
    c5 = model(base, {"talks.close_probability": 0.2, "talks.withdrawal_pressure": 5.0})
    assert dyn.deal_close_probability(c5, 0.0) == 1.0


def test_invasion_success_is_linear_in_posture(base):
    """Full posture 0.02, none 0.3: posture 1 -> 0.02, 0 -> 0.3, 0.5 -> 0.3 - 0.28 x 0.5 = 0.16,
    0.25 -> 0.3 - 0.28 x 0.25 = 0.23."""
    c = model(base, {"invasion.success_full_posture": 0.02, "invasion.success_no_posture": 0.3})
    np.testing.assert_allclose(dyn.invasion_success(c, np.array([1.0, 0.0, 0.5, 0.25])),
                               [0.02, 0.3, 0.16, 0.23], rtol=1e-12)


def test_deal_available_from_the_threshold_with_grid_slack(base):
    """Threshold 0.6: level 12 (12 x 0.05 = 0.6000000000000001), 0.6 - 1e-10 and 0.5 exactly at a threshold
    of 0.5 + 1e-9 are ripe, 0.55 is not."""
    c = model(base, {"talks.deal_threshold": 0.6})
    assert dyn.deal_available(c, np.array([12 * dyn.TALKS_STEP, 0.6 - 1e-10, 0.55])).tolist() == [True, True,
                                                                                                   False]
    edge = model(base, {"talks.deal_threshold": 0.5 + dyn.GRID_TOL})
    assert dyn.deal_available(edge, np.array([0.5]))[0]


def test_mean_salvo(base):
    """Sizes 1 and 3 with shares 1/2 each: 2 missiles a launch month; packaged 2017 record:
    (1 x 3 + 2 x 1 + 3 x 2 + 4 x 2 + 5 x 1) / 9 = 24 / 9."""
    c = model(base, salvo_sizes=np.array([1.0, 3.0]), salvo_cdf=np.array([0.5, 1.0]))
    assert dyn.mean_salvo(c) == pytest.approx(2.0)
    assert dyn.mean_salvo(base) == pytest.approx(24 / 9)


def test_believed_threat_sums_believed_strikes_capped_by_the_list(base):
    """Mean salvo 2. Missile test: rule A (2 per missile from list 0, believed 0.5) wants 4: with 5 left
    0.5 x 4 = 2, with 3 left 0.5 x 3 = 1.5; rule B (sanctions) adds nothing. Nuclear test: rule C
    (3 civilian targets, believed 0.9) 2.7. Provocation: no rule, 0."""
    rules = (
        CompiledRule("a", Event.MISSILE_TEST, "strike", -1, 2, True, 0, "p.a", "b.a"),
        CompiledRule("b", Event.MISSILE_TEST, "sanctions", -1, 1, False, -1, "p.b", "b.b"),
        CompiledRule("c", Event.NUCLEAR_TEST, "strike", TargetClass.CIVILIAN_POPULATION, 3, False, -1, "p.c", "b.c"),
    )
    c = model(base, {"b.a": 0.5, "b.b": 1.0, "b.c": 0.9}, rules=rules, salvo_sizes=np.array([1.0, 3.0]),
              salvo_cdf=np.array([0.5, 1.0]))
    left = np.array([[5, 3]])
    np.testing.assert_allclose(dyn.believed_threat(c, left, Event.MISSILE_TEST), [2.0, 1.5])
    assert dyn.believed_threat(c, left, Event.NUCLEAR_TEST) == pytest.approx(2.7)
    assert dyn.believed_threat(c, left, Event.PROVOCATION) == 0.0


def test_nuclear_use_in_war_needs_a_warhead_and_grows_with_delivery(base):
    """In war 0.3, regime threatened 0.5, share open without delivery 0.5, delivery 0.7:
    0.3 x (0.5 + 0.5 x 0.7) = 0.255; threatened 0.5 x 0.85 = 0.425; half a warhead: 0; one warhead is
    enough (0.255). With the share at 0.2: 0.3 x (0.2 + 0.8 x 0.7) = 0.228."""
    v = {"war.nuclear_use_in_war": 0.3, "war.nuclear_use_regime_threatened": 0.5,
         "war.nuclear_use_without_delivery": 0.5}
    c = model(base, v)
    p = dyn.nuclear_use_in_war(c, np.array([20.0, 20.0, 0.5]), np.array([0.7, 0.7, 0.7]),
                               np.array([False, True, True]))
    np.testing.assert_allclose(p, [0.255, 0.425, 0.0], rtol=1e-12)
    assert dyn.nuclear_use_in_war(c, np.array([1.0]), np.array([0.7]), np.array([False]))[0] == pytest.approx(0.255)
    c2 = model(base, {**v, "war.nuclear_use_without_delivery": 0.2})
    assert dyn.nuclear_use_in_war(c2, np.array([20.0]), np.array([0.7]), np.array([False]))[0] == pytest.approx(
        0.228, rel=1e-12)


def test_intervention_probability_engaged_or_forgotten(base):
    """China 0.15 engaged / 0.3 forgotten, Russia 0.02 / 0.05: each party's own lever picks its number."""
    v = {"china.intervention_engaged": 0.15, "china.intervention_forgotten": 0.3,
         "russia.intervention_engaged": 0.02, "russia.intervention_forgotten": 0.05}
    assert dyn.intervention_probability(model(base, v, china_engaged=True, russia_engaged=False)) == (0.15, 0.05)
    assert dyn.intervention_probability(model(base, v, china_engaged=False, russia_engaged=True)) == (0.3, 0.02)


def test_strike_order_interleaves_classes_by_sainte_lague():
    """Composition (1, 3): class 0's seat at 0.5 / 1 = 0.5; class 1's at 0.5/3, 1.5/3 = 0.5, 2.5/3. Sorted
    (ties by class): class 1, class 0, class 1, class 1. Rows are cumulative counts by class."""
    table = dyn.strike_order(np.array([1, 3, 0, 0]))
    assert table.tolist() == [[0, 0, 0, 0], [0, 1, 0, 0], [1, 1, 0, 0], [1, 2, 0, 0], [1, 3, 0, 0]]


def test_allocate_strikes_continues_the_order_from_what_is_struck():
    """Order of (2, 1): class 0 (0.25), class 1 (0.5), class 0 (0.75). Full list, take 2: (1, 1). One of
    class 0 already struck (left (1, 1)), take 2: rows 3 - 1 = (1, 1). Left (1, 0), take 1: (1, 0)."""
    order = dyn.strike_order(np.array([2, 1, 0, 0]))
    left = np.array([[2, 1, 1], [1, 1, 0], [0, 0, 0], [0, 0, 0]])
    out = dyn.allocate_strikes(np.array([2, 2, 1]), left, order)
    assert out.T.tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [1, 0, 0, 0]]
    # order of (1, 3): class 1, class 0, class 1, class 1; after the first two, 2 more are both class 1
    five = dyn.strike_order(np.array([1, 3, 0, 0]))
    assert dyn.allocate_strikes(np.array([2]), np.array([[0], [2], [0], [0]]), five).T.tolist() == [[0, 2, 0, 0]]


def test_loguniform_scale_spans_the_range_and_moves_with_the_value(base):
    """Range 30,000-300,000 declared at 100,000; an exploration sets 200,000 (x 2): u = 0.5 gives
    2 x sqrt(30,000 x 300,000) = 2 x 94,868.33 = 189,736.66; u = 0 gives 60,000, u = 1 gives 600,000.
    Without a positive range the value itself."""
    c = model(base, {"war.conventional_deaths": 200_000.0},
              ranges={**base.ranges, "war.conventional_deaths": (30_000.0, 300_000.0, 100_000.0),
                      "war.provocation_deaths": (5.0, 5.0, 5.0)})
    np.testing.assert_allclose(dyn.loguniform_scale(c, "war.conventional_deaths", np.array([0.5, 0.0, 1.0])),
                               [189_736.659610103, 60_000.0, 600_000.0], rtol=1e-12)
    c2 = model(c, {"war.provocation_deaths": 5.0})
    np.testing.assert_allclose(dyn.loguniform_scale(c2, "war.provocation_deaths", np.array([0.1, 0.9])), [5, 5])
    small = model(c2, {"war.provocation_deaths": 1.0}, ranges={**c2.ranges, "war.provocation_deaths": (0.5, 2.0, 1.0)})
    np.testing.assert_allclose(dyn.loguniform_scale(small, "war.provocation_deaths", np.array([0.0, 1.0])), [0.5, 2.0])
    for rng in [(0.0, 50.0, 5.0), (50.0, 5.0, 5.0), (1.0, 50.0, 0.0)]:  # no log-uniform spread: the value
        c3 = model(c2, ranges={**c2.ranges, "war.provocation_deaths": rng})
        np.testing.assert_allclose(dyn.loguniform_scale(c3, "war.provocation_deaths", np.array([0.1, 0.9])), [5, 5])


def test_policy_paths_stay_in_the_unit_interval(base):
    """Relaxing 0.03 from 0.04: 0.01, then -0.02 clipped to 0. Tightening 0.5 x enforcement 1 from 0.9: 1.4
    clipped to 1. The economy at 0.01 with drag 1 under full sanctions: 0.01 - 1 x 1 x 1 + 0 clipped to 0;
    at 0.995 with recovery 2 and no sanctions: 0.995 + 2 x 0.005 = 1.005 clipped to 1."""
    v = {"china.enforcement_forgotten": 1.0, "russia.enforcement_forgotten": 1.0, "economy.recovery": 0.0,
         "economy.sanctions_drag": 0.0}
    relax = model(base, {**v, "initial.sanctions": 0.04, "sanctions.relax_step": 0.03}, sanctions_mode="relax",
                  china_engaged=False, russia_engaged=False)
    np.testing.assert_allclose(dyn.policy_paths(relax)[0][:3], [0.04, 0.01, 0.0], atol=1e-15)
    tight = model(base, {**v, "initial.sanctions": 0.9, "sanctions.monthly_tightening": 0.5},
                  sanctions_mode="escalate", china_engaged=False, russia_engaged=False)
    np.testing.assert_allclose(dyn.policy_paths(tight)[0][:2], [0.9, 1.0])
    crash = model(base, {**v, "initial.sanctions": 1.0, "initial.economy": 0.01, "economy.sanctions_drag": 1.0},
                  sanctions_mode="freeze", china_engaged=False, russia_engaged=False)
    np.testing.assert_allclose(dyn.policy_paths(crash)[1][:2], [0.01, 0.0])
    boom = model(base, {**v, "initial.sanctions": 0.0, "initial.economy": 0.995, "economy.recovery": 2.0},
                 sanctions_mode="freeze", china_engaged=False, russia_engaged=False)
    np.testing.assert_allclose(dyn.policy_paths(boom)[1][:3], [0.995, 1.0, 1.0])

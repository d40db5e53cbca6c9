"""The crisis mechanisms as vectorised functions: one source of truth for the simulator and the planner.

Each function takes the compiled model and state arrays (any batch shape) and returns probabilities or
deterministic updates; the simulator samples from them, the planner takes their expectations.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from brinkmanship.engine import fmath
from brinkmanship.engine.constants import CIV, LEAD, N_ACTIONS, TARGET_CLASSES, Action, Event, Status

if TYPE_CHECKING:
    from brinkmanship.engine.compiled import Compiled, Value

TALKS_STEP = 0.05  # talks progress moves on a grid of 21 levels (stochastic rounding keeps the mean)
TALKS_LEVELS = 21
MAX_TESTS = 6  # test-equivalents after which delivery no longer improves (the planner's grid size)
GRID_TOL = 1e-9  # floating-point slack when a value on a grid is compared with a grid level
MONTHS_PER_YEAR = 12.0
SAINTE_LAGUE_OFFSET = 0.5  # the Sainte-Lague divisor method's offset: the j-th seat of a class at (j + 0.5) / n


def warheads_at(c: Compiled, t: Value) -> Value:
    """Warheads of a run still open at the start of month t (production accumulates; nothing detonated)."""
    return c["initial.warheads"] + c["arsenal.production_per_year"] * t / MONTHS_PER_YEAR


def monthly_production(c: Compiled) -> Value:
    """Warheads added in one month of an open crisis."""
    return c["arsenal.production_per_year"] / MONTHS_PER_YEAR


def delivery(c: Compiled, tests: np.ndarray) -> np.ndarray:
    """Delivery capability after `tests` test-equivalents: each closes a fixed share of the remaining gap."""
    d0, g = c["initial.delivery"], c["arsenal.delivery_gain_per_test"]
    if np.ndim(d0) == 0 and np.ndim(g) == 0:  # one parameter set: a lookup table instead of a power
        table = 1.0 - (1.0 - d0) * (1.0 - g) ** np.arange(MAX_TESTS + 1)
        return table[np.minimum(tests, MAX_TESTS)]
    return 1.0 - (1.0 - d0) * (1.0 - g) ** np.minimum(tests, MAX_TESTS)


def nuclear_test_weight(c: Compiled) -> np.ndarray:
    """Test-equivalents of one nuclear test, rounded to an integer so delivery stays on its grid."""
    return np.rint(c["arsenal.nuclear_test_weight"]).astype(np.int64)


def talks_round(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Stochastic rounding of talks progress in [0, 1] to the grid index; keeps the expectation."""
    y = np.clip(x, 0.0, 1.0) / TALKS_STEP
    lo = np.floor(y + GRID_TOL)
    return (lo + (u < (y - lo))).astype(np.int64).clip(0, TALKS_LEVELS - 1)


def policy_paths(c: Compiled) -> tuple[np.ndarray, np.ndarray]:
    """Sanctions pressure felt and the economy index for each month 0..H under the strategy's sanctions mode.

    The level follows the mode (frozen, tightened monthly, or relaxed monthly); the economy is dragged by the
    enforced level and recovers slowly. Both are paths in time (shape (H+1,) or (H+1, n) for per-run
    parameters): reactive sanctions rounds act on talks, not on this path. Under phases, each month follows
    the mode and the enforcement in force that month, each phase beginning at its earliest month (exact for
    phases that begin at known months; the simulator follows each run's own phases).
    """
    H = c.horizon
    views = [c.at_month(t, nominal=True) for t in range(H)] if c.phases else [c] * H
    enfs = [enforcement(v) for v in views]
    enf_end = enfs[-1] if H else enforcement(c)
    names = ("initial.sanctions", "initial.economy", "economy.sanctions_drag", "economy.recovery",
             "sanctions.monthly_tightening", "sanctions.relax_step")
    shape = np.broadcast_shapes(*(np.shape(e) for e in enfs), np.shape(enf_end), *(np.shape(c[k]) for k in names))
    level = np.broadcast_to(np.asarray(c["initial.sanctions"], dtype=float), shape)
    econ = np.broadcast_to(np.asarray(c["initial.economy"], dtype=float), shape)
    levels, econs = [level], [econ]
    for t in range(H):
        level, econ = policy_step(views[t], level, econ, enfs[t])
        levels.append(level)
        econs.append(econ)
    if not c.phases:
        return np.stack(levels) * enf_end, np.stack(econs)
    felt = [lvl * e for lvl, e in zip(levels, [*enfs, enf_end], strict=True)]
    return np.stack([np.broadcast_to(f, shape) for f in felt]), np.stack(econs)


def policy_step(c: Compiled, level: Value, econ: Value, enf: Value) -> tuple[Value, Value]:
    """One month of the sanctions level (by the mode in force; per run under phases) and of the economy."""
    mode = c.sanctions_mode
    if isinstance(mode, str):
        if mode == "escalate":
            level = level + c["sanctions.monthly_tightening"] * enf
        elif mode == "relax":
            level = level - c["sanctions.relax_step"]
    else:
        level = np.where(mode == "escalate", level + c["sanctions.monthly_tightening"] * enf,
                         np.where(mode == "relax", level - c["sanctions.relax_step"], level))
    level = np.clip(level, 0.0, 1.0)
    econ = np.clip(econ - c["economy.sanctions_drag"] * level * enf
                   + c["economy.recovery"] * (1.0 - econ), 0.0, 1.0)
    return level, econ


def _pick(flag: bool | np.ndarray, yes: Value, no: Value) -> Value:
    """`yes` where a lever flag holds, else `no` (a plain choice, or per run under phases)."""
    if isinstance(flag, np.ndarray):
        return np.where(flag, yes, no)
    return yes if flag else no


def enforcement(c: Compiled) -> Value:
    """Share of the sanctions' bite that China and Russia let through (engaged or forgotten)."""
    ch = _pick(c.china_engaged, c["china.enforcement_engaged"], c["china.enforcement_forgotten"])
    ru = _pick(c.russia_engaged, c["russia.enforcement_engaged"], c["russia.enforcement_forgotten"])
    return ch * ru


def restraint(c: Compiled) -> Value:
    """Third-party restraint on testing (log-odds), present only when the coercer engages them."""
    r = 0.0
    if isinstance(c.china_engaged, np.ndarray) or isinstance(c.russia_engaged, np.ndarray):
        r = c.china_engaged * c["china.restraint_engaged"] + c.russia_engaged * c["russia.restraint_engaged"]
        return r * c["base_rate.restraint_effect"]
    if c.china_engaged:
        r = r + c["china.restraint_engaged"]
    if c.russia_engaged:
        r = r + c["russia.restraint_engaged"]
    return r * c["base_rate.restraint_effect"]


def channel_effect(c: Compiled) -> Value:
    """How well the chosen talks channel converts negotiation into progress."""
    keys = {"none": "talks.channel_none", "coercer-led": "talks.channel_coercer_led",
            "ally-led": "talks.channel_ally_led", "multilateral": "talks.channel_multilateral"}
    if isinstance(c.channel, np.ndarray):  # per run, under phases
        out: Value = 0.0
        for name, key in keys.items():
            out = np.where(c.channel == name, c[key], out)
        return out
    return c[keys[c.channel]]


def talks_gain(c: Compiled, posture: Value) -> Value:
    """Talks progress from one month of negotiation: channel, offer, third parties, goodwill (op-ed 1) and
    sanctions held in reserve rather than spent (the op-ed's case for a freeze)."""
    support = 0.0
    if isinstance(c.china_engaged, np.ndarray) or isinstance(c.russia_engaged, np.ndarray):
        support = (c.china_engaged * c["china.talks_support_engaged"]
                   + c.russia_engaged * c["russia.talks_support_engaged"])
    else:
        if c.china_engaged:
            support = support + c["china.talks_support_engaged"]
        if c.russia_engaged:
            support = support + c["russia.talks_support_engaged"]
    return (c["talks.progress_rate"] * channel_effect(c) * (1 + c["talks.offer_effect"] * c["talks.offer"])
            * (1 + c["talks.withdrawal_goodwill"] * (1 - posture))
            * (1 + c["talks.exercises_goodwill"] * c.exercises_suspended) * (1 + support)
            * (1 + c["talks.sanctions_reserve"] * (c.sanctions_mode == "freeze")))


def deal_close_probability(c: Compiled, posture: Value) -> Value:
    """Chance that a ripe deal is signed this month; withdrawal presses both Koreas to agree (op-ed 2)."""
    return np.minimum(1.0, c["talks.close_probability"] * (1 + c["talks.withdrawal_pressure"] * (1 - posture)))


def status_actions() -> np.ndarray:
    """(statuses, actions) which actions a target can take in each status. A freeze can be kept (hold, talk,
    a deal) or broken by a test; a deal is kept or reneged on by a test while the arsenal is still there; once
    it is given up, nothing is left to test or to use, and an invasion without it is not an option."""
    table = np.ones((len(Status), N_ACTIONS), dtype=bool)
    table[Status.FROZEN, Action.FREEZE] = False
    for s in (Status.DEAL, Status.DISARMED):
        table[s, [Action.NEGOTIATE, Action.ACCEPT_DEAL, Action.FREEZE]] = False
    table[Status.DISARMED, [Action.MISSILE_TEST, Action.NUCLEAR_TEST, Action.INVADE, Action.NUCLEAR_USE]] = False
    return table


def deadline_acts(c: Compiled, d: Any, talks: np.ndarray, status: np.ndarray,
                  threshold: Value | None = None) -> np.ndarray:
    """Whether deadline `d` (a CompiledDeadline) acts when it falls due, given talks progress and the status
    (arrays that broadcast): not while a condition in its `unless` holds (a deal, a freeze, talks at or above
    its threshold; `threshold` reshaped for the caller's axes). A deadline that falls due and does not act is
    spent."""
    status = np.asarray(status)
    acts = np.ones(np.broadcast_shapes(np.shape(talks), status.shape), dtype=bool)
    if d.unless_deal:
        acts &= (status != Status.DEAL) & (status != Status.DISARMED)
    if d.unless_freeze:
        acts &= status != Status.FROZEN
    if d.talks_threshold is not None:
        thr = c[d.talks_threshold] if threshold is None else threshold
        acts = acts & (np.asarray(talks) < thr - GRID_TOL)
    return acts


def disarmament_probability(c: Compiled) -> Value:
    """Chance per month that a deal being carried out completes (the arsenal is given up): 1 / mean months."""
    return 1.0 / np.maximum(c["endings.disarmament_months"], 1.0)


def invasion_success(c: Compiled, posture: Value) -> Value:
    """Chance an invasion succeeds: grows linearly as the posture falls (op-ed 3, the bait)."""
    full, none = c["invasion.success_full_posture"], c["invasion.success_no_posture"]
    return none + (full - none) * posture


def deal_available(c: Compiled, talks: np.ndarray) -> np.ndarray:
    """A deal can be accepted once talks have passed the threshold (grid values, so a tolerance)."""
    return talks >= c["talks.deal_threshold"] - GRID_TOL


def mean_salvo(c: Compiled) -> float:
    """Expected missiles in a month with launches."""
    return float(np.dot(c.salvo_sizes, np.diff(np.concatenate([[0.0], c.salvo_cdf]))))


def believed_threat(c: Compiled, lists_left: np.ndarray, event: Event) -> np.ndarray | float:
    """Targets the target believes it would lose in answer to one `event` (expected, list-limited).

    `lists_left` is (L, n): targets left on each finite list.
    """
    out: np.ndarray | float = 0.0
    for r in c.rules:
        if r.event != event or r.response != "strike":
            continue
        want = r.count * (mean_salvo(c) if r.per_missile else 1.0)
        if r.target_list >= 0:
            want = np.minimum(want, lists_left[r.target_list])
        out = out + c[r.believed] * want
    return out


def nuclear_use_in_war(c: Compiled, warheads: np.ndarray, delivery: np.ndarray,
                       regime_threatened: np.ndarray) -> np.ndarray:
    """Chance a major war turns nuclear: needs a warhead; likelier when the regime itself is threatened, and
    with proven delivery (a share of the chance is open without it, the rest grows with delivery)."""
    base = np.where(regime_threatened, c["war.nuclear_use_regime_threatened"], c["war.nuclear_use_in_war"])
    floor = c["war.nuclear_use_without_delivery"]
    return np.where(warheads >= 1.0, base * (floor + (1.0 - floor) * delivery), 0.0)


def intervention_probability(c: Compiled) -> tuple[Value, Value]:
    """Chances that China and Russia enter a war on the target's side (higher when forgotten)."""
    ch = _pick(c.china_engaged, c["china.intervention_engaged"], c["china.intervention_forgotten"])
    ru = _pick(c.russia_engaged, c["russia.intervention_engaged"], c["russia.intervention_forgotten"])
    return ch, ru


def strike_order(composition: np.ndarray) -> np.ndarray:
    """(L0 + 1, C) targets of each class among the first x struck from a list.

    The classes are interleaved in proportion (Sainte-Lague order), so the split after x strikes depends
    only on x, never on how the strikes were grouped month by month, and each class depletes monotonically.
    """
    keys = sorted(((j + SAINTE_LAGUE_OFFSET) / n_c, c) for c, n_c in enumerate(np.asarray(composition, dtype=np.int64))
                  for j in range(int(n_c)))
    table = np.zeros((len(keys) + 1, len(composition)), dtype=np.int64)
    for x, (_, c) in enumerate(keys):
        table[x + 1] = table[x]
        table[x + 1, c] += 1
    return table


def allocate_strikes(take: np.ndarray, left: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Targets struck by class when `take` more are struck from a list with `left` (C, n) left.

    `order` is the list's `strike_order`; returns (C, n) integers summing to `take`, never above `left`.
    """
    struck = order.shape[0] - 1 - left.sum(axis=0)
    return (order[struck + take] - order[struck]).T


def loguniform_scale(c: Compiled, name: str, u: np.ndarray) -> np.ndarray:
    """A draw of parameter `name` spread log-uniformly over its declared range, rescaled to its value.

    With the declared value the draw spans the declared range; an exploration that moves the value moves
    the whole range with it. A parameter without a positive range is returned as its value.
    """
    lo, hi, declared = c.ranges[name]
    v = c[name]
    if lo <= 0 or hi <= lo or declared <= 0:
        return np.broadcast_to(np.asarray(v, dtype=float), u.shape).copy()
    log_lo, log_hi = math.log(lo), math.log(hi)  # scalars: the C library's log, the same in the fused kernel
    return (v / declared) * fmath.exp(log_lo + (log_hi - log_lo) * u)


__all__ = [
    "CIV",
    "LEAD",
    "MAX_TESTS",
    "TALKS_LEVELS",
    "TALKS_STEP",
    "TARGET_CLASSES",
    "allocate_strikes",
    "believed_threat",
    "channel_effect",
    "deadline_acts",
    "deal_available",
    "deal_close_probability",
    "delivery",
    "disarmament_probability",
    "enforcement",
    "intervention_probability",
    "invasion_success",
    "loguniform_scale",
    "mean_salvo",
    "monthly_production",
    "nuclear_test_weight",
    "nuclear_use_in_war",
    "policy_paths",
    "policy_step",
    "restraint",
    "status_actions",
    "talks_gain",
    "talks_round",
    "warheads_at",
]

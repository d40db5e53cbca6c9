"""How the target decides: the `DecisionModel` interface and the base-rate stochastic policy.

A decision model maps what the target observes to probabilities over its actions each month, and over
its responses (absorb, retaliate, escalate) after being struck. The rational planner implements the same
interface, so the simulator never knows which adversary it runs. Models register by kind in
`DECISION_MODELS`; the adversary package registers its planners, so the engine never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine import fmath
from brinkmanship.engine.compiled import Compiled, Value
from brinkmanship.engine.constants import (
    ACCEPT,
    FREEZE_ACT,
    INVADE,
    MISSILE,
    N_ACTIONS,
    NEGOTIATE,
    NUCLEAR_TEST,
    NUCLEAR_USE,
    PROVOCATION,
    Event,
    Response,
    Status,
)
from brinkmanship.errors import InputError


@dataclass
class Observation:
    """What the target sees at the start of month `t` (arrays over the batch; scalars broadcast)."""

    t: int
    warheads: np.ndarray
    delivery: np.ndarray
    tests: np.ndarray  # test-equivalents so far (delivery is a function of them)
    economy: np.ndarray
    sanctions: np.ndarray  # effective pressure (level x enforcement)
    talks: np.ndarray
    talks_idx: np.ndarray  # talks progress as a grid index (talks = idx x TALKS_STEP)
    lists_left: np.ndarray  # (L, n) targets left on each finite list
    struck: np.ndarray  # targets lost from the coercer's finite lists so far
    posture: Value
    exercises: Value  # exercise intensity this month (Compiled.exercises)
    deadline_done: np.ndarray | None = None  # whether the (first) deadline has already acted
    phase: np.ndarray | None = None  # the strategy's phase in force (strategies with phases)
    months_without_test: np.ndarray | None = None  # months since the last test (strategies with phases)
    status: np.ndarray | None = None  # open, frozen, in a deal or disarmed (`Status`; None: open)
    evidence: np.ndarray | None = None  # evidence level of the target's belief in the coercer's resolve
    evidence_shift: np.ndarray | None = None  # evidence levels this month brings (known once rules answered)


@dataclass
class StrikeInfo:
    """Strikes suffered this month, by kind (all targets, leadership targets, cities), and what provoked them
    (`event`: missile_test, nuclear_test, provocation or deadline), for each struck run."""

    total: np.ndarray
    leadership: np.ndarray
    civilian: np.ndarray
    event: np.ndarray
    rounds: np.ndarray | None = None  # sanctions rounds the coercer's rules added on the same event


@dataclass
class PolicyTables:
    """A planner's solved choices as tables, for the fused simulator kernel (`engine.fused`), which reads them at
    each run's grid state instead of calling `action_probabilities` and `response_probabilities`.

    The grid state of a run is (talks level, tests level, last-axis index); the kernel computes the last-axis
    index from the run's state through the strides given here: index = evidence x `evidence_block` + the
    status's level (`status_level`) x `status_block` + done x `done_block` + the level of the targets left among
    `left_values` (`adversary.grid.Grid.index`). A grid with a factor beyond these is not tabulated (the model
    says why instead, and the reference runs).
    A rational target's action policy is its set of best actions (ties split evenly), one bit per action;
    after strikes it compares the value of absorbing (read at the state after the strikes, its evidence
    split between two levels as the reference does) with retaliating and escalating, ties within `tie_tol`.
    After a test the status is open (the test broke any freeze or deal), so those values are kept for the open
    states only (`absorb_tested`, read through `tested_index`).
    """

    chosen: np.ndarray  # (H, T, K, M, R) uint16: bit a set where action a is among the best
    absorb: np.ndarray  # (S, H, T, K, M, R) discounted value of absorbing the month's strikes, per slot
    absorb_tested: np.ndarray  # (S', H, T, K, M, R') the same after a test, at the open status only (R' states)
    absorb_slot: np.ndarray  # (events, sanctions rounds + 1) int64: the slot of `absorb`, or of `absorb_tested`
    # for a test (-1: never struck)
    tested_index: np.ndarray  # (R,) int64: the last-axis index in `absorb_tested` of each open state (-1: other)
    retaliate: np.ndarray  # (H, T, M, S) value of retaliating in kind, per status level
    escalate: np.ndarray  # (H, T, M, S) value of escalating to general war, per status level
    run_type: np.ndarray  # (n,) or (1,) int64: each run's type (row of the T axis)
    left_values: np.ndarray  # (levels,) int64: targets-left values the grid tracks, ascending
    list_id: int  # the target list the grid tracks (-1: none)
    done_block: int  # last-axis stride of the deadline's acted flag
    deadline_states: int  # 1: the flag is not tracked; 2: it is
    evidence_block: int  # last-axis stride of the evidence level
    status_block: int  # last-axis stride of the status (open, frozen, deal, disarmed)
    status_level: np.ndarray  # (len(Status),) int64: the grid's status level of each `Status` (all 0: not tracked)
    evidence_levels: int  # 1: nothing is learned
    tie_tol: float  # values this close (relative) are a tie

    @property
    def nbytes(self) -> int:
        """Memory the tables hold."""
        return int(sum(getattr(self, f).nbytes for f in ("chosen", "absorb", "absorb_tested", "retaliate", "escalate",
                                                         "run_type")))


@runtime_checkable
class DecisionModel(Protocol):
    """The target's decision rule: action and response probabilities for a batch of observations."""

    name: str

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        """(N_ACTIONS, n) probabilities, actions along axis 0, columns summing to 1, zero where unavailable."""
        ...

    def response_probabilities(self, c: Compiled, obs: Observation, strikes: StrikeInfo) -> np.ndarray:
        """(3, n) probabilities of absorbing, retaliating in kind, escalating to general war."""
        ...


def available_actions(c: Compiled, obs: Observation) -> np.ndarray:
    """(N_ACTIONS, n) mask: a deal needs ripe talks, nuclear use a warhead, and each status its own actions
    (`dynamics.status_actions`)."""
    n = obs.talks.shape[0]
    mask = np.ones((N_ACTIONS, n), dtype=bool)
    mask[ACCEPT] = dyn.deal_available(c, obs.talks)
    mask[NUCLEAR_USE] = obs.warheads >= 1.0
    if obs.status is not None:
        mask &= dyn.status_actions()[np.asarray(obs.status, dtype=np.int64)].T
    return mask


LOGIT_CLIP = 60.0  # exp stays finite; no model's log-odds come near this


def softmax_masked(logits: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax along axis 0 over the allowed entries (log-odds clipped to +-60, so exp never overflows);
    `fmath.exp`, so the fused kernel computes the same bits."""
    e = fmath.exp(np.clip(logits, -LOGIT_CLIP, LOGIT_CLIP))
    if mask is not None:
        e *= mask
    e /= e.sum(axis=0)
    return e


class BaseRatePolicy:
    """A stochastic policy whose action log-odds respond linearly to the state (calibrated to history)."""

    name = "base-rate"

    def logits(self, c: Compiled, obs: Observation) -> np.ndarray:
        """(N_ACTIONS, n) action log-odds against holding."""
        n = obs.talks.shape[0]
        b = "base_rate."
        ex = obs.exercises * c[b + "exercises_effect"]
        rest = dyn.restraint(c)
        talks = c[b + "talks_effect"] * obs.talks
        mature = c[b + "arsenal_maturity_effect"] * obs.delivery
        deter = c[b + "deterrence_effect"]
        struck = c[b + "struck_effect"] * obs.struck
        withdrawal = 1.0 - obs.posture
        goodwill = c[b + "goodwill_effect"] * (withdrawal + c[b + "suspension_goodwill_share"] * c.exercises_suspended)
        need = c[b + "economy_effect"] * (1.0 - obs.economy) + c[b + "sanctions_effect"] * obs.sanctions
        L = np.zeros((N_ACTIONS, n))
        L[MISSILE] = (c[b + "missile_test"] + ex - rest - talks - mature + struck
                         - deter * dyn.believed_threat(c, obs.lists_left, Event.MISSILE_TEST))
        L[NUCLEAR_TEST] = (c[b + "nuclear_test"] + c[b + "nuclear_test_exercises_share"] * ex - rest - talks
                           - mature + struck - deter * dyn.believed_threat(c, obs.lists_left, Event.NUCLEAR_TEST))
        L[PROVOCATION] = (c[b + "provocation"] + ex + struck
                             - deter * dyn.believed_threat(c, obs.lists_left, Event.PROVOCATION))
        L[NEGOTIATE] = c[b + "negotiate"] + need + goodwill + talks
        L[ACCEPT] = c[b + "accept_deal"] + need + goodwill + talks
        L[FREEZE_ACT] = c[b + "freeze"] + need + goodwill + talks + mature + rest
        L[INVADE] = c[b + "invade"] + c[b + "invasion_temptation"] * (
            dyn.invasion_success(c, obs.posture) - c["invasion.success_full_posture"])
        L[NUCLEAR_USE] = c[b + "nuclear_use"] + struck
        if obs.status is not None:  # a test breaks a freeze or reneges on a deal
            keep = (c[b + "freeze_break"] * (obs.status == Status.FROZEN)
                    + c[b + "deal_renege"] * (obs.status == Status.DEAL))
            L[MISSILE] = L[MISSILE] + keep
            L[NUCLEAR_TEST] = L[NUCLEAR_TEST] + keep
        return L

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        """Softmax of the log-odds over the available actions."""
        return softmax_masked(self.logits(c, obs), available_actions(c, obs))

    def action_weights(self, c: Compiled, obs: Observation) -> np.ndarray:
        """Unnormalised action weights, enough for sampling (the simulator's path; `engine.fused` computes the
        same bits): exp of the clipped log-odds over the available actions.

        A subclass that overrides `action_probabilities` or `logits` is sampled from its own definition.
        """
        if type(self).action_probabilities is not BaseRatePolicy.action_probabilities:
            return self.action_probabilities(c, obs)
        return fmath.exp(np.clip(self.logits(c, obs), -LOGIT_CLIP, LOGIT_CLIP)) * available_actions(c, obs)

    def response_probabilities(self, c: Compiled, obs: Observation, strikes: StrikeInfo) -> np.ndarray:
        """Absorb / retaliate / escalate: likelier to hit back the more, and the more sensitive, it loses."""
        e = "escalation."
        hurt = (c[e + "per_strike_logit"] * strikes.total + c[e + "civilian_logit"] * (strikes.civilian > 0)
                + c[e + "leadership_logit"] * (strikes.leadership > 0))
        n = strikes.total.shape[0]
        L = np.zeros((len(Response), n))
        L[Response.RETALIATE] = c[e + "retaliate_logit"] + hurt
        L[Response.ESCALATE] = c[e + "escalate_logit"] + hurt
        return softmax_masked(L)


@dataclass(frozen=True)
class Adversary:
    """Which decision model the target follows (`--adversary`), parsed once: a registered kind and its parameter.

    `base-rate`, `rational` and `logit:<lambda>` are the packaged kinds; `param` is the number after the colon.
    """

    kind: str = "base-rate"
    param: float | None = None

    @property
    def name(self) -> str:
        """The text form, as the user writes it (`logit:2`)."""
        return self.kind if self.param is None else f"{self.kind}:{self.param:g}"

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def parse(spec: str | Adversary) -> Adversary:
        """`kind` or `kind:<number>` for a registered decision model (a typed value passes through)."""
        if isinstance(spec, Adversary):
            return spec
        kind, sep, rest = str(spec).partition(":")
        entry = DECISION_MODELS.get(kind)
        if entry is None:
            raise InputError(f"unknown adversary '{spec}'", field="--adversary",
                             fix=f"use one of: {_known()} (a decision model registers when its package is imported)")
        if entry.parameter is None:
            if sep:
                raise InputError(f"adversary '{kind}' takes no parameter, got '{spec}'", field="--adversary",
                                 fix=f"write {kind}")
            return Adversary(kind)
        try:
            value = float(rest)
        except ValueError:
            value = float("nan")
        if not value >= 0:  # also rejects NaN
            raise InputError(f"'{rest}' is not a valid {entry.parameter} in '{spec}'", field="--adversary",
                             fix=f"write {kind}:<{entry.parameter}> with {entry.parameter} >= 0, e.g. {kind}:2")
        return Adversary(kind, value)


@dataclass(frozen=True)
class DecisionModelEntry:
    """A registered decision model: how to build it from an `Adversary`, and the name of its parameter, if any."""

    factory: Callable[[Adversary], DecisionModel]
    parameter: str | None = None


# Decision models register themselves (as OpenSpiel's games do); the engine never imports them.
DECISION_MODELS: dict[str, DecisionModelEntry] = {}


def register_decision_model(kind: str, factory: Callable[[Adversary], DecisionModel],
                            parameter: str | None = None) -> None:
    """Make `kind` (with `kind:<parameter>` when `parameter` is named) available to `--adversary`."""
    DECISION_MODELS[kind] = DecisionModelEntry(factory, parameter)


def _known() -> str:
    return ", ".join(sorted(k if e.parameter is None else f"{k}:<{e.parameter}>" for k, e in DECISION_MODELS.items()))


register_decision_model("base-rate", lambda _adv: BaseRatePolicy())


@runtime_checkable
class ExactDecisionModel(DecisionModel, Protocol):
    """A decision model that also gives outcome probabilities without sampling (a planner)."""

    def outcome_probabilities(self, c: Compiled) -> np.ndarray:
        """(n, len(OUTCOMES)) exact outcome probabilities for each parameter sample of `c`."""
        ...


def get_decision_model(spec: str | Adversary | DecisionModel) -> DecisionModel:
    """The decision model for an `Adversary` (or its text form); a `DecisionModel` passes through."""
    if not isinstance(spec, str | Adversary):
        return spec
    adversary = Adversary.parse(spec)
    return DECISION_MODELS[adversary.kind].factory(adversary)

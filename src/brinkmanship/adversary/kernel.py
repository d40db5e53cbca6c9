"""What can happen in one month, as branches over the planner's grid: the shared transition model.

A month's branches are built from the engine's own mechanism functions (`engine.dynamics`) with either the
probabilities the target *believes* (for planning) or those the strategy *really* has (for the exact
forward distribution). Backward induction reads them as values, forward propagation as moving mass.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from itertools import product

import numpy as np

from brinkmanship.adversary.gathers import backend
from brinkmanship.adversary.grid import Grid
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, CompiledRule
from brinkmanship.engine.constants import (
    EVENT_OF_ACTION,
    N_ACTIONS,
    Action,
    Event,
    Outcome,
    Status,
    TalksMove,
    TargetClass,
)

DENUCLEAR_O, FREEZE_O, BUILDUP_O, LIMITED_O, WAR_O, NUCLEAR_O = Outcome
GRID_AXES = "nKMR"  # samples, talks levels, tests levels, the last axis: the shape of values on the grid
GRID_NDIM = len(GRID_AXES)  # a term of that many axes is already laid out on the grid
DISCOUNT_CAP = 1 - 1e-9  # a discount factor of 1 would make the perpetuity beyond the horizon infinite
HAZARD_FLOOR = 1e-12  # no division by zero when the deadline is certain to have acted already

# talks move before a strike is absorbed, by what provoked it
TALKS_MOVE_OF_EVENT = {Event.MISSILE_TEST: TalksMove.MISSILE_SETBACK, Event.NUCLEAR_TEST: TalksMove.NUCLEAR_SETBACK,
                       Event.PROVOCATION: TalksMove.NONE, Event.DEADLINE: TalksMove.NONE}


def col(x: np.ndarray | float) -> np.ndarray | float:
    """A per-sample array (n,) as (n, 1, 1, 1), so it broadcasts over the grid; scalars and arrays already on
    the grid (n, K, M, R), such as a strategic coercer's execution probability per state, pass through."""
    if np.ndim(x) == len(GRID_AXES):
        return x
    return np.reshape(x, (-1, 1, 1, 1)) if np.ndim(x) else x


def row(x: np.ndarray | float) -> np.ndarray:
    """A per-sample number (scalar or (n,)) as (n or 1, 1), to broadcast against (R,) arrays."""
    return np.reshape(np.asarray(x, dtype=float), (-1, 1))


def mcol(x: np.ndarray) -> np.ndarray:
    """A per-sample, per-tests array (n, M) or (M,) as (n, 1, M, 1); a grid array (n, 1, M, R) passes."""
    if np.ndim(x) == GRID_NDIM:
        return x
    x = np.atleast_2d(x)
    return x[:, None, :, None]


Key = tuple[TalksMove, int, int]  # talks shift: (base move, strike setbacks, sanctions rounds)


@dataclass
class Open:
    """Stay open: talks move by shift `key`, tests by `dm`; nothing struck."""

    weight: np.ndarray | float
    key: Key
    dm: int = 0
    done: bool = False  # this branch is the deadline acting
    to_status: int | None = None  # the status it moves to (None: it stays)
    ev: np.ndarray | float = 0.0  # evidence the target gains (levels): the rules it saw carried out or not
    ev_key: tuple = ()  # which rules fired (caches branch values)
    fired: tuple[str, ...] = ()  # rules carried out in this branch
    silent: tuple[str, ...] = ()  # rules triggered but not carried out in this branch


@dataclass
class Strike:
    """The coercer strikes: `listed` targets requested from the list (capped by what is left) plus `fixed`
    strikes by class off the list; the target then absorbs, retaliates or escalates."""

    weight: np.ndarray | float
    key_open: Key  # talks shift when nothing could be struck (the list is empty)
    key_absorb: Key  # talks shift when the strike is absorbed
    dm: int
    listed: int
    fixed: np.ndarray  # (4,) strikes by class not drawn from the list
    event: Event
    done: bool = False  # this branch is the deadline acting
    to_status: int | None = None  # the status it moves to (None: it stays)
    ev: np.ndarray | float = 0.0  # evidence the target gains (levels): the rules it saw carried out or not
    ev_key: tuple = ()  # which rules fired (caches branch values)
    fired: tuple[str, ...] = ()  # rules carried out in this branch
    silent: tuple[str, ...] = ()  # rules triggered but not carried out in this branch


@dataclass
class End:
    """An absorbing ending: value (n, M) or (n,) terms and the outcome mixture it lands in."""

    weight: np.ndarray | float
    value: np.ndarray  # (n, M), or (n, 1, M, R) where the status matters
    outcomes: dict[int, np.ndarray | float] = field(default_factory=dict)  # outcome -> prob: as value, or scalar


Branch = Open | Strike | End


class Month:
    """Month t of the crisis for n parameter samples, with believed or real credibility."""

    def __init__(self, c: Compiled, grid: Grid, t: int, n: int, believed: bool,
                 paths: tuple[np.ndarray, np.ndarray], execution: dict[str, np.ndarray | float] | None = None) -> None:
        if c.whole is None:  # the whole model: the levers in force this month under phases at known months
            c = c.at_month(t)
        self.c, self.grid, self.t, self.n, self.believed = c, grid, t, n, believed
        self.execution = execution or {}
        self.paths = paths
        posture = c.posture(t)
        self.delta = c["adversary.discount"]
        self.close = dyn.deal_close_probability(c, posture)
        self.success = dyn.invasion_success(c, posture)
        self.clash = c["escalation.provocation_clash"]
        self.counter = c["escalation.counter_escalation"]
        sanctions, economy = paths
        self.sanctions, self.economy = sanctions[t], economy[t]
        self.status = grid.status
        self.armed = (self.status != Status.DISARMED).astype(float)[None, None, None, :]
        self.in_deal = ((self.status == Status.DEAL) | (self.status == Status.DISARMED))[None, None, None, :]
        self._talks_shifts(posture)
        self._arsenal()
        self._endings()
        self._costs()
        self._belief()
        self.hazard = self._hazard()
        self.defection = self._prob("endings.deal_defection", "adversary.deal_defection_believed")
        self.disarm = dyn.disarmament_probability(c)
        self.nuclear_weight = int(np.rint(np.mean(c["arsenal.nuclear_test_weight"])))

    def with_execution(self, execution: dict[str, np.ndarray | float]) -> Month:
        """The same month with other real execution probabilities (a strategic coercer's decisions): a copy
        whose deadline hazard and deal defection are read again, the numbers built from them (the rest is the
        same month's)."""
        out = copy.copy(self)
        out.execution = execution or {}
        out.hazard = out._hazard()
        out.defection = out._prob("endings.deal_defection", "adversary.deal_defection_believed")
        return out

    def _talks_shifts(self, posture: np.ndarray | float) -> None:
        """Talks moves in grid units: the action's own move, each strike, each sanctions round."""
        c, step = self.c, dyn.TALKS_STEP
        escalate = c.sanctions_mode == "escalate"  # a test month then also brings a sanctions round
        s_sanc = c["talks.setback_sanctions"] / step
        self.base_shift = {
            TalksMove.NONE: 0.0,
            TalksMove.GAIN: dyn.talks_gain(c, posture) / step,
            TalksMove.MISSILE_SETBACK: -(c["talks.setback_missile_test"] / step + (s_sanc if escalate else 0.0)),
            TalksMove.NUCLEAR_SETBACK: -(c["talks.setback_nuclear_test"] / step + (s_sanc if escalate else 0.0)),
        }
        self.strike_shift = -c["talks.setback_strike"] / step
        self.sanctions_shift = -s_sanc

    def _arsenal(self) -> None:
        """Warheads this month, delivery at each tests level (n or 1, M), nuclear use in a war at each."""
        c = self.c
        self.warheads = dyn.warheads_at(c, self.t)
        cc = c.as_columns()
        self.delivery = dyn.delivery(cc, np.arange(self.grid.M)[None, :])  # (n or 1, M)
        wh = np.reshape(self.warheads, (-1, 1))
        self.pn_free = dyn.nuclear_use_in_war(cc, wh, self.delivery, np.zeros_like(self.delivery, dtype=bool))
        self.pn_threat = dyn.nuclear_use_in_war(cc, wh, self.delivery, np.ones_like(self.delivery, dtype=bool))

    def _endings(self) -> None:
        """Values of the endings entered at the end of this month (flows from t+1 to the horizon), (n, M)."""
        c, a = self.c, "adversary."
        p_ch, p_ru = dyn.intervention_probability(c)
        p_int = np.reshape(1 - (1 - p_ch) * (1 - p_ru), (-1, 1))
        remaining = c.horizon - self.t - 1
        annuity = np.reshape(annuity_from(self.delta, remaining, c[a + "beyond_horizon"]), (-1, 1))
        surv = np.reshape(c[a + "regime_survival"], (-1, 1))
        status_quo = status_quo_flow(c, self.t, self.economy, self.delivery)
        war_cost = np.reshape(c[a + "war_cost"], (-1, 1))
        fall = np.reshape(c[a + "regime_fall_war"], (-1, 1)) * (
            1 - np.reshape(c[a + "intervention_protection"], (-1, 1)) * p_int)
        nuclear = (-(np.reshape(c[a + "nuclear_war_cost_factor"], (-1, 1)) * war_cost)
                   + annuity * surv * (1 - np.reshape(c[a + "regime_fall_nuclear_war"], (-1, 1))))
        conventional = -war_cost + annuity * surv * (1 - fall)
        self.flow = status_quo  # (n, M) utility of an open month
        self.flow_grid = status_flows(c, self.grid.status, self.economy, status_quo)  # (n, 1, M, R)
        # a freeze and a deal kept to the horizon (neither broken nor defected from): the endings of the
        # one-period bargaining reduction (`coercer.bargain`), (n, M)
        kept = status_flows(c, np.array([Status.FROZEN, Status.DEAL]), self.economy, status_quo)[:, 0]
        self.T_freeze, self.T_deal = annuity * kept[..., 0], annuity * kept[..., 1]
        self.T_conventional = conventional + 0 * self.delivery
        self.T_limited = -np.reshape(c[a + "limited_conflict_cost"], (-1, 1)) + annuity * status_quo
        self.T_nuclear = nuclear + 0 * self.delivery
        self.T_war_free = (1 - self.pn_free) * conventional + self.pn_free * nuclear
        self.T_war_threat = (1 - self.pn_threat) * conventional + self.pn_threat * nuclear
        # where the arsenal is given up a war cannot turn nuclear: (n, 1, M, R) values and chances of nuclear use
        self.pn_free_grid, self.pn_threat_grid = self.armed * mcol(self.pn_free), self.armed * mcol(self.pn_threat)
        self.T_war_free_grid = self.armed * mcol(self.T_war_free) + (1 - self.armed) * mcol(self.T_conventional)
        self.T_war_threat_grid = (self.armed * mcol(self.T_war_threat)
                                  + (1 - self.armed) * mcol(self.T_conventional))
        win = np.reshape(c[a + "victory_value"], (-1, 1)) - war_cost + annuity * surv
        s = np.reshape(self.success, (-1, 1))
        self.T_invade = s * ((1 - self.pn_free) * win + self.pn_free * nuclear) + (1 - s) * self.T_war_threat

    def _costs(self) -> None:
        """One-off costs: per listed target and per city struck, per test month and month of talks."""
        c, a = self.c, "adversary."
        self.strike_cost = c[a + "strike_cost"]
        st = self.status[None, None, None, :]
        test = col(c[a + "test_cost"]) + col(c[a + "freeze_break_cost"]) * (st == Status.FROZEN) + col(
            c[a + "deal_renege_cost"]) * (st == Status.DEAL)  # a test breaks a freeze or reneges on a deal
        self.action_cost = {Action.MISSILE_TEST: test, Action.NUCLEAR_TEST: test,
                            Action.NEGOTIATE: c[a + "negotiation_cost"]}
        self.city_cost = c[a + "city_cost"]

    @property
    def delta_col(self) -> np.ndarray | float:
        """The discount factor, broadcastable over the grid."""
        return col(self.delta)

    # -- the target's belief in the coercer's resolve (engine.belief) -------------------------------------
    def _belief(self) -> None:
        """The evidence (log-likelihood ratio) at each last-axis index, and what this month's deadline teaches
        by acting or by not acting (in evidence levels; 0 without an evidence factor)."""
        c, g = self.c, self.grid
        self.L: np.ndarray | float = 0.0
        self.deadline_act: np.ndarray | float = 0.0
        self.deadline_skip: np.ndarray | float = 0.0
        if g.B == 1:
            return
        step = c["credibility.step"]
        self.L = np.atleast_2d(belief.level_value(g.B, step))[:, g.evidence][:, None, None, :]  # (n or 1,1,1,R)
        self.step = row(step)
        if c.deadlines and c.deadlines[0].bluff:
            d = c.deadlines[0]
            hp = belief.deadline_hazard(c[d.prob], self.t, d.first_month, d.last_month)
            hb = belief.deadline_hazard(c[d.bluff], self.t, d.first_month, d.last_month)
            if np.any(hp > 0) or np.any(hb > 0):
                self.deadline_act = row(np.log(np.maximum(hp, belief.TINY)) - np.log(np.maximum(hb, belief.TINY)))
                self.deadline_act = self.deadline_act / self.step
                self.deadline_skip = row(np.log1p(-np.minimum(hp, belief.NEAR_ONE))
                                         - np.log1p(-np.minimum(hb, belief.NEAR_ONE))) / self.step

    def rule_evidence(self, r: CompiledRule, fired: bool) -> np.ndarray | float:
        """Evidence levels gained by seeing rule `r` carried out (or not): (n or 1, 1), or 0 with no factor."""
        if self.grid.B == 1 or not r.bluff:
            return 0.0
        return row(belief.evidence(fired, self.c[r.prob], self.c[r.bluff])) / self.step

    def evidence_shift(self, b: Open | Strike) -> np.ndarray | None:
        """(n or 1, R) evidence levels a branch moves each state by (None without an evidence factor, or when the
        branch teaches nothing): its rules, and the deadline acting (a deadline branch) or not acting this
        month (any other branch)."""
        if self.grid.B == 1:
            return None
        if b.done:
            shift = np.zeros((1, 1)) + b.ev + self.deadline_act
        else:
            shift = np.zeros((1, 1)) + b.ev + self.deadline_skip * (self.grid.done == 0)[None, :]
        return shift if shift.any() else None  # nothing learned: the evidence stays where it is

    # -- probabilities with the chosen credibility -----------------------------------------------------
    def _prob(self, real: str, believed: str, bluff: str = "") -> np.ndarray | float:
        """The one read of a rule's or deadline's execution probability: the real probability (the strategy's
        own for a committed coercer or, for a strategic coercer, its equilibrium execution probability per
        grid state or per sample, from `execution`), or the credibility the target believes. With learned
        credibility the belief is the item's prior (`believed`) moved by the evidence at each state:
        mu p + (1 - mu) bluff."""
        c = self.c
        if not self.believed:
            return self.execution.get(real, c[real])
        if not (bluff and c.credibility_levels):
            return c[believed]
        mu = belief.posterior(col(c[believed]), self.L)
        q = belief.believed_execution(mu, col(c[real]), col(c[bluff]))
        if np.ndim(q) == len(GRID_AXES) and self.grid.B > 1:
            return q
        return np.reshape(q, np.broadcast_shapes(*(np.shape(c[k]) for k in (believed, real, bluff))))[()]

    def deadline_split(self) -> tuple[np.ndarray | float, np.ndarray | float]:
        """(n, K, 1, R) chances that the deadline falls due this month and acts, and that it falls due and is
        spent without acting (a condition in its `unless` holds: a deal, a freeze, talks at its threshold)."""
        if not self.c.deadlines:
            return 0.0, 0.0
        d = self.c.deadlines[0]
        h = self.hazard_grid
        talks = (np.arange(self.grid.K) * dyn.TALKS_STEP)[None, :, None, None]
        thr = col(self.c[d.talks_threshold]) if d.talks_threshold is not None else None
        acts = dyn.deadline_acts(self.c, d, talks, self.status[None, None, None, :], thr)
        return h * acts, h * ~acts

    @property
    def defection_grid(self) -> np.ndarray | float:
        """(n, 1, 1, R) chance that the coercer defects from a deal this month (states in a deal)."""
        return col(self.defection) * self.in_deal

    def defection_branches(self) -> list[Branch]:
        """The coercer defects from a deal: it attacks, and the regime is threatened."""
        return [End(1.0, self.T_war_threat_grid, {NUCLEAR_O: self.pn_threat_grid, WAR_O: 1 - self.pn_threat_grid})]

    def _hazard(self) -> np.ndarray | float:
        """Chance the deadline acts this month, given it has not acted before (uniform month, probability p).
        Believed with learned credibility: the posterior mixture of the resolute and the bluffing hazards,
        the posterior read at each evidence level, or (no factor) after the deadline's months without action."""
        if not self.c.deadlines:
            return 0.0
        d = self.c.deadlines[0]
        if not d.first_month <= self.t <= d.last_month:
            return 0.0
        if not (self.believed and d.bluff and self.c.credibility_levels):
            return belief.deadline_hazard(self._prob(d.prob, d.believed), self.t, d.first_month, d.last_month)[()]
        c = self.c
        hp = belief.deadline_hazard(c[d.prob], self.t, d.first_month, d.last_month)
        hb = belief.deadline_hazard(c[d.bluff], self.t, d.first_month, d.last_month)
        if self.grid.B > 1:
            mu = belief.posterior(col(c[d.believed]), self.L)
            return mu * col(hp) + (1.0 - mu) * col(hb)
        L = belief.skipped_deadline_evidence(c[d.prob], c[d.bluff], self.t, d.first_month, d.last_month)
        mu = belief.posterior(c[d.believed], L)
        return (mu * hp + (1.0 - mu) * hb)[()]

    # -- branches --------------------------------------------------------------------------------------
    def deadline_branches(self) -> list[Branch]:
        """What the deadline does when it acts (the target then only responds this month)."""
        if not self.c.deadlines:
            return []
        d = self.c.deadlines[0]
        if d.response == "preventive_war":
            return [End(1.0, self.T_war_threat_grid, {NUCLEAR_O: self.pn_threat_grid, WAR_O: 1 - self.pn_threat_grid})]
        if d.response == "strike":
            fixed = np.zeros(len(TargetClass), dtype=np.int64)
            fixed[d.target_class] = d.count
            return [Strike(1.0, (TalksMove.NONE, 0, 0), (TalksMove.NONE, 1, 0), 0, 0, fixed, Event.DEADLINE,
                           done=True, ev_key=("deadline",))]
        return [Open(1.0, (TalksMove.NONE, 0, 1), done=True, ev_key=("deadline",))]

    def _event_branches(self, event: Event, dm: int, sizes: list[tuple[float, int]]) -> list[Branch]:
        """The rules answering `event`: one branch per salvo size and per subset of rules that fire (a test
        opens the crisis again: it breaks a freeze or reneges on a deal)."""
        key = TALKS_MOVE_OF_EVENT[event]
        to = Status.OPEN if event in (Event.MISSILE_TEST, Event.NUCLEAR_TEST) else None
        rules = [r for r in self.c.rules if r.event == event]
        out: list[Branch] = []
        for size_p, size in sizes:
            for fired in product((False, True), repeat=len(rules)):
                w: np.ndarray | float = size_p
                ev: np.ndarray | float = 0.0
                listed = 0
                fixed = np.zeros(len(TargetClass), dtype=np.int64)
                for r, f in zip(rules, fired, strict=True):
                    p = self._prob(r.prob, r.believed, r.bluff)
                    w = w * (p if f else 1 - p)
                    ev = ev + self.rule_evidence(r, f)
                    if not f or r.response != "strike":
                        continue
                    want = r.count * (size if r.per_missile else 1)
                    if r.target_list >= 0:
                        listed += want
                    else:
                        fixed[r.target_class] += want
                rounds = sum(1 for r, f in zip(rules, fired, strict=True) if f and r.response != "strike")
                ek = (event, fired) if self.grid.B > 1 else ()
                yes = tuple(r.id for r, f in zip(rules, fired, strict=True) if f)
                no = tuple(r.id for r, f in zip(rules, fired, strict=True) if not f)
                if listed or fixed.any():
                    out.append(Strike(w, (key, 0, rounds), (key, 1, rounds), dm, listed, fixed, event, to_status=to,
                                      ev=ev, ev_key=ek, fired=yes, silent=no))
                else:
                    out.append(Open(w, (key, 0, rounds), dm, to_status=to, ev=ev, ev_key=ek, fired=yes, silent=no))
        return out

    def action_branches(self, a: int) -> list[Branch]:
        """Branches of action `a` (weights sum to 1 for each sample)."""
        c = self.c
        if a == Action.HOLD:
            return [Open(1.0, (TalksMove.NONE, 0, 0))]
        if a == Action.NEGOTIATE:
            return [Open(1.0, (TalksMove.GAIN, 0, 0))]
        if a == Action.ACCEPT_DEAL:
            return [Open(self.close, (TalksMove.NONE, 0, 0), to_status=Status.DEAL),
                    Open(1 - self.close, (TalksMove.NONE, 0, 0))]
        if a == Action.FREEZE:
            return [Open(1.0, (TalksMove.NONE, 0, 0), to_status=Status.FROZEN)]
        if a == Action.INVADE:
            s = np.reshape(self.success, (-1, 1))
            pn = s * self.pn_free + (1 - s) * self.pn_threat
            return [End(1.0, self.T_invade, {NUCLEAR_O: pn, WAR_O: 1 - pn})]
        if a == Action.NUCLEAR_USE:
            return [End(1.0, self.T_nuclear, {NUCLEAR_O: 1.0})]
        if a == Action.PROVOCATION:
            return [End(self.clash, self.T_limited, {LIMITED_O: 1.0}),
                    *self._scaled(self._event_branches(Event.PROVOCATION, 0, [(1.0, 1)]), 1 - self.clash)]
        sizes = [(float(p), int(s)) for s, p in zip(c.salvo_sizes, np.diff(np.concatenate([[0.0], c.salvo_cdf])),
                                                    strict=True)]
        if a == Action.MISSILE_TEST:
            return self._event_branches(EVENT_OF_ACTION[a], 1, sizes)
        if a == Action.NUCLEAR_TEST:
            return self._event_branches(EVENT_OF_ACTION[a], self.nuclear_weight, [(1.0, 1)])
        raise ValueError(f"unknown action {a}")

    @staticmethod
    def _scaled(branches: list[Branch], w: np.ndarray | float) -> list[Branch]:
        for b in branches:
            b.weight = b.weight * w
        return branches

    def shift_of(self, key: Key) -> np.ndarray | float:
        """Talks shift (grid units) of a branch key."""
        base, strikes, rounds = key
        return self.base_shift[base] + strikes * self.strike_shift + rounds * self.sanctions_shift

    def available(self) -> np.ndarray:
        """(A, 1 or n, K, 1, R) mask of actions open in each talks level (a deal needs ripe talks) and status."""
        K = self.grid.K
        mask = np.ones((N_ACTIONS, 1, K, 1, 1), dtype=bool)
        thr = np.atleast_1d(self.c["talks.deal_threshold"])
        if thr.size > 1:
            mask = np.broadcast_to(mask, (N_ACTIONS, thr.size, K, 1, 1)).copy()
        mask[Action.ACCEPT_DEAL] = (np.arange(K)[None, :] * dyn.TALKS_STEP >= thr[:, None] - dyn.GRID_TOL)[
            :, :, None, None]
        if np.all(np.asarray(self.warheads) < 1.0):
            mask[Action.NUCLEAR_USE] = False
        return mask & dyn.status_actions()[self.status].T[:, None, None, None, :]

    @property
    def hazard_grid(self) -> np.ndarray | float:
        """The deadline's hazard where it has not acted yet, broadcastable over the grid."""
        if not self.c.deadlines:
            return 0.0
        return col(self.hazard) * (self.grid.done == 0)[None, None, None, :]

    def strikes_at(self, b: Strike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each last-axis index: listed targets struck, leadership targets struck, cities struck."""
        R = self.grid.R
        listed = np.minimum(b.listed, self.grid.left)
        if b.listed and self.grid.list_id >= 0:
            order = self.c.list_orders[self.grid.list_id]  # the list's strike order, computed once at compile
            lead = dyn.allocate_strikes(listed, self.grid.left_by_class(order), order)[TargetClass.LEADERSHIP]
        else:
            lead = np.zeros(R, dtype=np.int64)
        return listed, lead + b.fixed[TargetClass.LEADERSHIP], np.full(R, b.fixed[TargetClass.CIVILIAN_POPULATION])


def tested_key(key: Key) -> bool:
    """Whether a branch with talks move `key` is a month in which the target tested (missile or nuclear)."""
    return key[0] in (TalksMove.MISSILE_SETBACK, TalksMove.NUCLEAR_SETBACK)


def phase_months(c: Compiled, grid: Grid, t: int, n: int, believed: bool,
                 paths: tuple[np.ndarray, np.ndarray], execution: dict[str, np.ndarray | float] | None = None,
                 ) -> list[tuple[np.ndarray | None, Month]]:
    """Month t's branches for each phase of the grid's phase factor, with the (R,) mask of the states in that
    phase; one month and no mask without a phase factor (phases at known months are read from time).
    `execution`: a strategic coercer's real execution probabilities this month (see `Month._prob`)."""
    if grid.P == 1:
        return [(None, Month(c, grid, t, n, believed, paths, execution))]
    return [(grid.phase == p, Month(c.phase_view(p), grid, t, n, believed, paths, execution))
            for p in range(grid.P)]


def status_flows(c: Compiled, status: np.ndarray, economy: np.ndarray | float,
                 status_quo: np.ndarray) -> np.ndarray:
    """(n, 1, M, R) utility of a month in each status: open, the status quo; frozen, the status quo with the
    share of a deal's economic gain the strategy grants for a freeze (`sanctions.freeze_relief`, 0 unless it
    offers some); in a deal or disarmed, the deal's security and economy."""
    a = "adversary."
    econ_w, deal_econ = np.reshape(c[a + "economy"], (-1, 1)), np.reshape(c[a + "deal_economy"], (-1, 1))
    relief = np.reshape(c["sanctions.freeze_relief"], (-1, 1)) * (deal_econ - np.reshape(economy, (-1, 1)))
    deal = (np.reshape(c[a + "regime_survival"], (-1, 1)) * np.reshape(c[a + "deal_security"], (-1, 1))
            + econ_w * deal_econ)
    st = status[None, None, None, :]
    return np.where(st == Status.OPEN, mcol(status_quo), np.where(
        st == Status.FROZEN, mcol(status_quo + econ_w * relief), mcol(deal + 0 * status_quo)))


def status_quo_flow(c: Compiled, t: int, economy: np.ndarray | float, delivery: np.ndarray) -> np.ndarray:
    """(n, M) utility of an open month t: regime survival, the arsenal's value, the economy."""
    a = "adversary."
    warheads = np.reshape(dyn.warheads_at(c, t), (-1, 1))
    arsenal = np.minimum(warheads / np.reshape(c[a + "arsenal_reference"], (-1, 1)), 1.0) * delivery
    return (np.reshape(c[a + "regime_survival"], (-1, 1)) + np.reshape(c[a + "arsenal"], (-1, 1)) * arsenal
            + np.reshape(c[a + "economy"], (-1, 1)) * np.reshape(economy, (-1, 1)))


def annuity_from(d: np.ndarray | float, remaining: int, beyond: np.ndarray | float) -> np.ndarray:
    """Discounted months of a steady flow: `remaining` months to the horizon, then `beyond` x a perpetuity."""
    d = np.minimum(np.asarray(d, dtype=float), DISCOUNT_CAP)
    return (1 - d ** remaining) / (1 - d) + beyond * d ** remaining / (1 - d)


def talks_split(shift: np.ndarray | float, K: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n or 1, K) the talks lottery from each level k: to the neighbours `lo` (chance 1 - frac) and `hi` (frac) of
    k + shift (clamped), keeping the mean. `talks_matrix` as a matrix, `talks_pull` / `talks_push` as gathers."""
    pos = np.clip(np.arange(K)[None, :] + np.reshape(shift, (-1, 1)), 0, K - 1)
    lo = np.floor(pos + dyn.GRID_TOL).astype(np.int64).clip(0, K - 1)
    frac = np.where(lo >= K - 1, 0.0, pos - lo)
    return lo, np.minimum(lo + 1, K - 1), frac


def talks_matrix(shift: np.ndarray | float, K: int, n: int) -> np.ndarray:
    """(n, K, K) lottery matrix: from level k to the neighbours of k + shift (clamped), keeping the mean."""
    lo, hi, frac = (np.broadcast_to(x, (n, K)) for x in talks_split(shift, K))
    P = np.zeros((n, K, K))
    rows = np.arange(K)[None, :]
    nn = np.arange(n)[:, None]
    P[nn, rows, lo] += 1 - frac
    P[nn, rows, hi] += frac
    return P


def talks_pull(values: np.ndarray, shift: np.ndarray | float, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Values (n, K, ...) read after the talks lottery, times `scale` ((n,) or scalar): out[i, k] =
    sum_j talks_matrix[i, k, j] scale_i values[i, j], as two gathers (each row of the matrix holds two entries)
    in one compiled pass."""
    n, K = values.shape[:2]
    lo, hi, frac = talks_split(shift, K)
    s = np.reshape(scale, (-1, 1))
    w_lo, w_hi = (np.broadcast_to(w, (n, K)) for w in ((1 - frac) * s, frac * s))
    flat = np.ascontiguousarray(values).reshape(n, K, -1)
    return backend().talks_pull(flat, lo, hi, w_lo, w_hi).reshape(values.shape)


def talks_push(mass: np.ndarray, shift: np.ndarray | float) -> np.ndarray:
    """Mass (n, K, ...) moved by the talks lottery: out[i, j] = sum_k talks_matrix[i, k, j] mass[i, k] (each
    level split between its two neighbours, added in the order of k, in one compiled pass)."""
    n, K = mass.shape[:2]
    lo, hi, frac = talks_split(shift, K)
    w_lo, w_hi = (np.broadcast_to(w, (n, K)) for w in (1 - frac, frac))
    flat = mass.reshape(n, K, -1)
    return backend().talks_push(flat, lo, hi, w_lo, w_hi).reshape(mass.shape)

"""Backward induction for the rational (or logit boundedly rational) target, batched over parameter samples.

The target maximises expected discounted utility under the credibility it *believes* each rule and deadline
has. Values live on the grid (n samples, K talks levels, M test levels, R targets left) for every month.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from brinkmanship.adversary import gathers
from brinkmanship.adversary.gathers import backend
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import (
    DISCOUNT_CAP,
    GRID_AXES,
    GRID_NDIM,
    HAZARD_FLOOR,
    End,
    Key,
    Month,
    Open,
    Strike,
    col,
    mcol,
    phase_months,
    status_flows,
    status_quo_flow,
    talks_pull,
    tested_key,
)
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import N_ACTIONS, Action, Response
from brinkmanship.engine.decision import Adversary
from brinkmanship.errors import InputError

TIE_TOL = 1e-9  # values this close (relative) are a tie, split evenly by the rational target
# samples x grid states per backward pass (blocks of types bound its working arrays; measured on 64 types of the
# largest packaged grid, 56,448 states, CPU s: 2**19 (9 types a block) 25-26, 2**18 (4) 19-22, 2**17 (2) 22-23)
SOLVE_CELLS = 2**18
# actions that commit the target to an ending (enter a freeze, accept a deal): taken only for a strict gain
COMMITMENTS = (Action.FREEZE, Action.ACCEPT_DEAL)
COMMITTING = np.isin(np.arange(N_ACTIONS), COMMITMENTS)  # (A,) whether each action is one of them
# called with each block's solution and its samples while the block's values are at hand (`solve`)
Tabulate = Callable[["Solution", slice], None]
TABLES = "_kernel_tables"  # a solution's settings key of the fused kernel's tables (`PlannerModel.policy_tables`)
EXP_FLOOR = -700.0  # exp(-700) is ~1e-304: the logit weights never underflow to a zero sum


@dataclass(frozen=True)
class Decision:
    """How the target turns values into choices: `rational` (argmax, ties split) or logit with precision lam."""

    kind: str = "rational"
    lam: float = float("inf")

    @staticmethod
    def of(adversary: Adversary) -> Decision:
        """The choice rule of a planner adversary (`rational`, or `logit` with its precision)."""
        if adversary.kind == "rational":
            return Decision()
        if adversary.kind == "logit" and adversary.param is not None:
            return Decision("logit", adversary.param)
        raise InputError(f"'{adversary.name}' is not a planner adversary", field="--adversary",
                         fix="use rational or logit:<lambda>")

    @staticmethod
    def parse(spec: str | Adversary) -> Decision:
        """`rational` or `logit:<lambda>` (lambda >= 0; lambda = 0 is uniform, large lambda is rational)."""
        return Decision.of(Adversary.parse(spec))

    @property
    def name(self) -> str:
        return "rational" if self.kind == "rational" else f"logit:{self.lam:g}"

    @property
    def argmax(self) -> bool:
        """Whether choices are a plain argmax: the rational target, or logit with infinite precision."""
        return self.kind == "rational" or bool(np.isinf(self.lam))

    def value(self, Q: np.ndarray) -> np.ndarray:
        """Expected value of choosing over axis 0 of `Q` (all options allowed): the max, or the logit mean."""
        if self.argmax:
            return Q.max(axis=0)
        return (self.choose(Q) * Q).sum(axis=0)

    def choose(self, Q: np.ndarray, mask: np.ndarray | None = None, commitments: tuple[int, ...] = ()
               ) -> np.ndarray:
        """Choice probabilities over axis 0 of `Q` among the allowed entries. Rational: the best entries, ties
        split evenly, except that an entry of `commitments` (the target's actions: `COMMITMENTS`) loses every
        tie with another entry (`best_options`); logit: unchanged."""
        allowed = np.ones(Q.shape, dtype=bool) if mask is None else np.broadcast_to(mask, Q.shape)
        Qm = Q if mask is None else np.where(allowed, Q, -np.inf)
        if self.argmax:
            top = best_options(Qm, commitments)
            return top / top.sum(axis=0)
        best = Qm.max(axis=0)
        z = np.where(allowed, np.exp(np.clip(self.lam * np.where(allowed, Qm - best, 0.0), EXP_FLOOR, 0)), 0.0)
        return z / z.sum(axis=0)


def best_options(Q: np.ndarray, commitments: tuple[int, ...] = ()) -> np.ndarray:
    """(options, ...) the rational target's best options over axis 0 of `Q`: those within the tie tolerance of
    the best. An option in `commitments` (entering a freeze, accepting a deal) is best only where no other
    option is: commitment needs a strict gain (beyond the tolerance) over the best action that commits to
    nothing, so that a freeze worth no more than holding is not drifted into by splitting ties."""
    best = Q.max(axis=0)
    top = Q >= best - TIE_TOL * (1.0 + np.abs(best))
    if commitments:
        free = np.zeros(top.shape[1:], dtype=bool)  # some option that commits to nothing is among the best
        for a in range(Q.shape[0]):
            if a not in commitments:
                free |= top[a]
        for a in commitments:
            top[a] &= ~free
    return top


@dataclass
class MonthValues:
    """One month's backward step: action values Q (A, n, K, M, R), their mask, the policy (or its bits) and the
    value."""

    Q: np.ndarray
    mask: np.ndarray
    policy: np.ndarray | None
    value: np.ndarray
    bits: np.ndarray | None = None  # a rational policy packed as bits (`gathers.month_choice`), where asked for


def strike_signature(b: Strike) -> tuple:
    """What a strike branch's values depend on within a month (its cache key; forward and backward share it)."""
    return ("strike", b.key_open, b.key_absorb, b.dm, b.listed, tuple(b.fixed), b.done, b.to_status, b.ev_key)


class Evaluator:
    """Values of a month's branches given next month's values `Vn` (n, K, M, R).

    With `keep_responses` a rational target's choice after each strike branch is kept as bits per state
    (`responses`, by `strike_signature`), so that the forward propagation reads it instead of recomputing it.
    """

    def __init__(self, month: Month, Vn: np.ndarray, decision: Decision, keep_responses: bool = False) -> None:
        self.mk, self.Vn, self.decision = month, Vn, decision
        self.n = Vn.shape[0]
        self._G: dict = {}
        self._values: dict = {}
        self.responses: dict[tuple, np.ndarray] | None = {} if keep_responses and decision.argmax else None

    def G(self, key: Key) -> np.ndarray:
        """Discounted expected next-month value after the talks move `key`, for each pre-month talks level."""
        if key not in self._G:
            self._G[key] = talks_pull(self.Vn, self.mk.shift_of(key), self.mk.delta)
        return self._G[key]

    def m_index(self, dm: int) -> np.ndarray:
        return np.minimum(np.arange(self.mk.grid.M) + dm, self.mk.grid.M - 1)

    def Gm(self, key: Key, dm: int) -> np.ndarray:
        """G(key) read at the tests level reached after `dm` more test-equivalents."""
        if (key, dm) not in self._G:
            self._G[(key, dm)] = self.G(key)[:, :, self.m_index(dm)] if dm else self.G(key)
        return self._G[(key, dm)]

    def _response_parts(self, b: Strike) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Values of absorbing (n, K, M, R), retaliating and escalating (n, 1, M, 1); hit mask (R,); cost."""
        mk = self.mk
        listed, _, cities = mk.strikes_at(b)
        mi = self.m_index(b.dm)
        rmap = mk.grid.r_map(listed, b.done, tested_key(b.key_absorb), b.to_status)
        absorb = self.at(self.Gm(b.key_absorb, b.dm), rmap, b)
        lim, war = mcol(mk.T_limited[:, mi]), mk.T_war_free_grid[:, :, mi, :][..., rmap]  # in the status after
        retaliate = mk.delta_col * ((1 - col(mk.counter)) * lim + col(mk.counter) * war)
        escalate = mk.delta_col * war
        hit = (listed + b.fixed.sum()) > 0
        cost = col(mk.strike_cost) * (listed + b.fixed.sum() - cities)[None, None, None, :] + col(
            mk.city_cost) * cities[None, None, None, :]
        return absorb, retaliate, escalate, hit, cost

    def response_values(self, b: Strike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(3, n, K, M, R) values of absorbing, retaliating and escalating; the hit mask (R,); the cost."""
        absorb, retaliate, escalate, hit, cost = self._response_parts(b)
        shape = absorb.shape
        values = np.stack([absorb, np.broadcast_to(retaliate, shape), np.broadcast_to(escalate, shape)])
        return values, hit, cost

    def at(self, G: np.ndarray, dest: np.ndarray, b: Open | Strike) -> np.ndarray:
        """Next-month values `G` read at each state's destination `dest` (R,), with the evidence the branch
        brings split between the two neighbouring levels (stochastic rounding, as in the simulator)."""
        shift = self.mk.evidence_shift(b)
        grid = self.mk.grid
        if shift is None and np.array_equal(dest, np.arange(G.shape[3])):
            return G
        out = grid.pull(G, dest, shift)
        if out is not None:  # two gathers: the destination and the evidence split together
            return out
        lo, hi, frac = grid.evidence_split(shift)  # (n, R): the split differs per sample
        # (1 - frac) G[dest + lo] + frac G[dest + hi], summed level by level over the evidence levels with
        # weights per sample (0 for the levels not reached, which adds 0; a level reached by no state is
        # skipped). A destination keeps its state's evidence level and moves within the level's block.
        e, blk, B = grid.evidence, grid.evidence_block, grid.B
        lo_level, hi_level = e + lo // blk, e + hi // blk
        n, R = G.shape[0], G.shape[3]
        weights = np.empty((n, B, R))
        for level in range(B):
            weights[:, level] = np.where(lo_level == level, 1 - frac, np.where(hi_level == level, frac, 0.0))
        active = weights.any(axis=(0, 2))
        base = np.ascontiguousarray(dest - e * blk)  # dest at evidence level 0
        if base.size and (base.min() < 0 or base.max() >= blk):
            raise RuntimeError("a branch's destination changes the evidence level: Evaluator.at reads one block")
        return backend().evidence_pull(G, base, blk, weights, active)

    def _open(self, key: Key, dm: int, done: bool, b: Open | Strike, to_status: int | None = None) -> np.ndarray:
        grid = self.mk.grid
        G = self.Gm(key, dm)
        if not done and grid.F == 1 and to_status is None and self.mk.evidence_shift(b) is None:
            return G
        return self.at(G, grid.r_map(0, done, tested_key(key), to_status), b)

    def branch_value(self, b: Open | Strike | End) -> np.ndarray:
        """Value of one branch at every grid state (cached: branches often repeat within a month)."""
        mk = self.mk
        if isinstance(b, Open):
            sig: tuple = ("open", b.key, b.dm, b.done, b.to_status, b.ev_key)
        elif isinstance(b, End):
            if np.ndim(b.value) == GRID_NDIM:
                return mk.delta_col * b.value
            return mk.delta_col * mcol(np.broadcast_to(b.value, (np.shape(b.value)[0], mk.grid.M)))
        else:
            sig = strike_signature(b)
        if sig in self._values:
            return self._values[sig]
        if isinstance(b, Open):
            out = self._open(b.key, b.dm, b.done, b, b.to_status)
        else:
            absorb, retaliate, escalate, hit, cost = self._response_parts(b)
            other = self._open(b.key_open, b.dm, b.done, b, b.to_status)
            if self.decision.argmax:  # the best response, less the cost where struck: one compiled pass
                keep = self.responses is not None
                shape = np.broadcast_shapes(absorb.shape, np.shape(other))
                full = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape)  # noqa: E731
                out, bits = backend().strike_response(full(absorb), full(retaliate), full(escalate),
                                                      np.asarray(hit), full(cost), full(other), TIE_TOL, keep)
                if keep:
                    self.responses[sig] = bits
            else:
                shape = absorb.shape
                responded = self.decision.value(np.stack(
                    [absorb, np.broadcast_to(retaliate, shape), np.broadcast_to(escalate, shape)]))
                out = np.where(hit[None, None, None, :], responded - cost, other)
        self._values[sig] = out
        return out

    def expected(self, branches: list) -> np.ndarray | float:
        """Weighted sum of the branches' values (`accumulate`)."""
        total: np.ndarray | float = 0.0
        for b in branches:
            total = accumulate(total, col(b.weight), self.branch_value(b))
        return total

    def action_values(self) -> np.ndarray:
        """(A, n, K, M, R) value of each action before the mask."""
        mk = self.mk
        K, M, R = mk.grid.shape
        Q = np.empty((N_ACTIONS, self.n, K, M, R))
        for a in range(N_ACTIONS):
            cost = mk.action_cost.get(a, 0.0)
            np.subtract(self.expected(mk.action_branches(a)), cost if np.ndim(cost) == GRID_NDIM else col(cost),
                        out=Q[a])
        return Q

    def month_values(self, policy: np.ndarray | None = None, need_policy: bool = True,
                     pack: bool = False) -> MonthValues:
        """Q for every action, the policy, and the month's value V_t: the month's flow; the coercer defecting
        from a deal; the deadline acting; else the chosen action. A deadline that falls due and does not act
        (its `unless` holds) is spent: the target, who sees only that nothing happened, chooses on the mixture.

        With `policy` (A, n, K, M, R) the month is evaluated under that policy instead of the best one;
        without `need_policy` a rational month skips building the policy (backward induction needs the max),
        and with `pack` keeps it as bits (`MonthValues.bits`, as `pack_policy` packs them), all in one compiled pass.
        """
        mk = self.mk
        K, M, R = mk.grid.shape
        shape = (self.n, K, M, R)
        Q = self.action_values()
        h_act, h_spent = mk.deadline_split()
        spent = np.zeros((0,) * Q.ndim)
        if np.any(h_spent):
            spent = Evaluator(mk, np.ascontiguousarray(self.Vn[..., mk.grid.spent]), self.decision).action_values()
        avail = mk.available()
        mask = np.broadcast_to(avail, Q.shape)
        bits = None
        full = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape)  # noqa: E731
        commit = COMMITTING
        if policy is None and self.decision.argmax and not need_policy:  # the best value (and bits) in one pass
            chosen, packed = backend().month_choice(Q, spent, full(h_act), full(h_spent), mask, HAZARD_FLOOR,
                                                    commit, TIE_TOL, pack)
            bits = packed if pack else None
        else:  # the same mixing and closing of actions (the reference), then the policy
            gathers.month_choice(Q, spent, full(h_act), full(h_spent), mask, HAZARD_FLOOR, commit, TIE_TOL, False)
            if policy is None:  # closed actions already hold -inf: a plain argmax needs no mask
                policy = self.decision.choose(Q, None if self.decision.argmax else mask, COMMITMENTS)
            chosen = (policy * np.where(mask, Q, 0.0)).sum(axis=0)
        deadline = self.expected(mk.deadline_branches()) if mk.c.deadlines else 0.0
        hd = mk.defection_grid
        value = mk.flow_grid + hd * self.expected(mk.defection_branches()) + (1 - hd) * (
            h_act * deadline + (1 - h_act) * chosen)
        return MonthValues(Q=Q, mask=mask, policy=policy, value=np.broadcast_to(value, shape), bits=bits)


def accumulate(total: np.ndarray | float, w: np.ndarray | float, v: np.ndarray) -> np.ndarray | float:
    """total + w v, in place (one compiled pass, the same operations) where the sum has the grid's shape; `total`
    is 0.0 or an array this sum made (a weighted sum of branches, term by term)."""
    if np.ndim(v) == GRID_NDIM and np.broadcast_shapes(np.shape(w), v.shape) == v.shape and (
            not isinstance(total, np.ndarray) or (total.flags.c_contiguous and v.shape == total.shape)):
        weight = np.broadcast_to(np.asarray(w, dtype=float), v.shape)
        if not isinstance(total, np.ndarray):  # the first term: 0.0 + w v, as the sum below adds it
            return backend().scaled(float(total), weight, v)
        backend().add_scaled(total, weight, v)
        return total
    term = w * v
    if isinstance(total, np.ndarray) and total.shape == np.broadcast_shapes(total.shape, np.shape(term)):
        total += term
        return total
    return total + term


@dataclass
class Solution:
    """The solved planner: values per month on the grid, and the settings that produced them (Gambit style)."""

    c: Compiled
    grid: Grid
    decision: Decision
    n: int
    V: list[np.ndarray] | None  # V[t] (n, K, M, R) for t = 0..H; V[H] = 0 (None: not kept, see `values`)
    method: str = "backward induction"
    settings: dict = field(default_factory=dict)

    def values(self) -> list[np.ndarray]:
        """V, solved again when the solve did not keep it (a tabulated solve keeps its tables instead: memory);
        the same values, since each sample's are its own whatever the blocks."""
        if self.V is None:
            self.V = _backward(self.c, self.decision, self.n)[1]
        assert self.V is not None
        return self.V

    @cached_property
    def paths(self) -> tuple[np.ndarray, np.ndarray]:
        return dyn.policy_paths(self.c)

    def month(self, t: int, believed: bool = True, phase: int | None = None) -> Month:
        """Month t's branches; with a phase factor, those of `phase` (the levers it puts in force; default the
        first, where every run starts)."""
        c = self.c if self.grid.P == 1 else self.c.phase_view(phase or 0)
        return Month(c, self.grid, t, self.n, believed, self.paths)

    def evaluator(self, t: int, phase: int | None = None) -> Evaluator:
        """The believed month t (in `phase`, with a phase factor) evaluated against the values of month t+1."""
        return Evaluator(self.month(t, phase=phase), self.values()[t + 1], self.decision)

    def policy(self, t: int) -> np.ndarray:
        """(A, n, K, M, R) action probabilities at month t."""
        return self._policy_cache(t)

    def kept_policy(self, t: int) -> np.ndarray:
        """(A, n, K, M, R) action probabilities at month t as the solve kept them (cached or packed as bits),
        without caching them again; rebuilt from the month's values only when the solve kept none."""
        cached = self.settings.get("_policies", {})
        if t in cached:
            return cached[t]
        packed = self.settings.get("_packed", {})
        if t in packed:
            return unpack_policy(packed[t])
        policy = self._policy_cache(t)
        self.settings["_policies"].pop(t)  # rebuilt for this call only (memory: one month at a time)
        return policy

    def packed_months(self) -> np.ndarray:
        """(H, n, K, M, R) every month's packed rational policy as one array: the solve's own where its blocks
        wrote one (no copy), else stacked."""
        packed = self.settings["_packed"]
        months = [packed[t] for t in range(self.c.horizon)]
        base = months[0].base
        if isinstance(base, np.ndarray) and base.shape == (len(months), *months[0].shape) and all(m.base is base for m in months):
            return base
        return np.stack(months)

    def samples(self, sl: slice, c: Compiled) -> Solution:
        """The solution of samples `sl` alone (`c` cut to them): values, kept policies and responses cut."""
        settings = {**{k: v for k, v in self.settings.items() if k != TABLES}, "_policies": {},
                    "_packed": {t: b[sl] for t, b in self.settings.get("_packed", {}).items()},
                    "_responses": {k: b[sl] for k, b in self.settings.get("_responses", {}).items()}}
        V = None if self.V is None else [v[sl] for v in self.V]
        return Solution(c=c, grid=self.grid, decision=self.decision, n=sl.stop - sl.start, V=V,
                        method=self.method, settings=settings)

    def chosen_actions(self, t: int) -> dict[int, np.ndarray] | np.ndarray:
        """Month t's policy for the forward pass: the packed rational policy's chosen actions only ({action:
        (n, K, M, R)}), or the whole (A, n, K, M, R) policy when it is not packed."""
        packed = self.settings.get("_packed", {})
        if t in packed and t not in self.settings.get("_policies", {}):
            return chosen_options(packed[t])
        return self.policy(t)

    def kept_response(self, t: int, phase: int | None, b: Strike) -> np.ndarray | None:
        """(3, n, K, M, R) the rational response after strike `b` in month t as backward induction chose it
        (None when it was not kept: a logit target, or a solution built without it)."""
        bits = self.kept_response_bits(t, phase, b)
        return None if bits is None else unpack_policy(bits, len(Response))

    def kept_response_bits(self, t: int, phase: int | None, b: Strike) -> np.ndarray | None:
        """`kept_response` as the kept bits (n, K, M, R): bit r set where response r is among the best."""
        return self.settings.get("_responses", {}).get((t, phase if self.grid.P > 1 else None, strike_signature(b)))

    def _policy_cache(self, t: int) -> np.ndarray:
        cache = self.settings.setdefault("_policies", {})
        packed = self.settings.get("_packed", {})
        if t not in cache and t in packed:  # kept by backward induction as bits: no month to rebuild, and
            last = self.settings.get("_unpacked")  # only the month last read is kept unpacked (9 floats a state)
            if last is None or last[0] != t:
                self.settings["_unpacked"] = last = (t, unpack_policy(packed[t]))
            return last[1]
        if t not in cache:
            if self.grid.P == 1:
                cache[t] = self.evaluator(t).month_values().policy
            else:  # each state chooses under the levers of its own phase
                out = None
                for p in range(self.grid.P):
                    pol = self.evaluator(t, p).month_values().policy
                    out = pol if out is None else np.where((self.grid.phase == p)[None, None, None, None, :], pol, out)
                cache[t] = out
        return cache[t]

    def initial_state(self) -> tuple[np.ndarray, int, int]:
        """Grid indices of the starting state: talks level(s), tests 0, full list."""
        k0 = dyn.talks_round(np.atleast_1d(np.asarray(self.c["initial.talks"], dtype=float)), np.zeros(1))
        return k0, 0, self.grid.start_index

    def value_at_start(self) -> np.ndarray:
        """(n,) value of the starting state."""
        k0, m0, r0 = self.initial_state()
        V0 = self.values()[0]
        return V0[np.arange(self.n), np.broadcast_to(k0, (self.n,)), m0, r0]


def horizon_value(c: Compiled, grid: Grid, n: int, paths: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Value of a state at the horizon: `beyond_horizon` x its status's flow as a perpetuity (0: none). A deal
    keeps the risk it carries within the horizon: each month the feared defection e (`defection_grid`) ends
    it in a war worth T, so V = f + e d T + (1 - e) d V, V = (f + e d T) / (1 - (1 - e) d); without it a deal
    made near the horizon would be valued as a safe perpetuity."""
    last = Month(c.at_month(c.horizon - 1, nominal=True), grid, c.horizon - 1, n, True, paths)
    economy = paths[1][c.horizon]
    flow = status_flows(c, grid.status, economy, status_quo_flow(c, c.horizon, economy, last.delivery))
    d = np.minimum(col(c["adversary.discount"]), DISCOUNT_CAP)
    e = last.defection_grid  # 0 where no deal is made
    return col(c["adversary.beyond_horizon"]) * (flow + e * d * last.T_war_threat_grid) / (1 - (1 - e) * d)


def pack_policy(policy: np.ndarray) -> np.ndarray:
    """A rational policy (A, ...) (ties split evenly) as one integer per state: bit a set where a is chosen."""
    bits = np.zeros(policy.shape[1:], dtype=np.uint16)
    for a in range(policy.shape[0]):
        bits |= (policy[a] > 0).astype(np.uint16) << a
    return bits


def option_shares(options: int = N_ACTIONS) -> np.ndarray:
    """(options, 2^options) each option's share of the choice for each pattern of packed bits: the chosen
    options split evenly (a pattern with nothing chosen is NaN, as `Decision.choose` gives on NaN values)."""
    patterns = np.arange(1 << options)
    top = ((patterns[None, :] >> np.arange(options)[:, None]) & 1).astype(bool)  # (options, patterns)
    with np.errstate(invalid="ignore"):
        return top / top.sum(axis=0)


def chosen_options(bits: np.ndarray, options: int = N_ACTIONS) -> dict[int, np.ndarray]:
    """The share of each option that some state chose, from packed bits (`pack_policy`, `pack_responses`): the
    chosen options split evenly, as `choose` gives them; options chosen nowhere are left out (all zero)."""
    table = option_shares(options)
    if not bits.all():  # some state chose nothing (NaN values): read the whole table
        present, single = (1 << options) - 1, False
    else:  # the options some state chose, and whether every state chose one option (no ties: 1 or 0)
        present, single = int(np.bitwise_or.reduce(bits.ravel())), not (bits & (bits - 1)).any()
    out: dict[int, np.ndarray] = {}
    idx = None
    for a in range(options):
        if not present >> a & 1:
            continue
        if single:
            out[a] = (bits == np.uint16(1 << a)).astype(float)  # the table's 1/1 or 0
        else:  # a flat gather per option (one gather along axis 1 is several times slower)
            idx = bits.astype(np.intp) if idx is None else idx
            out[a] = np.take(table[a], idx, mode="clip")  # indices are in range
    return out


def unpack_policy(bits: np.ndarray, options: int = N_ACTIONS) -> np.ndarray:
    """The rational choice (options, ...) of packed bits (`chosen_options`, with zeros where chosen nowhere)."""
    out = np.zeros((options, *bits.shape))
    for a, share in chosen_options(bits, options).items():
        out[a] = share
    return out


def backward_induction(c: Compiled, decision: Decision, n: int, policies: list[np.ndarray] | None = None,
                       keep: dict[int, np.ndarray] | None = None, pack: bool = False,
                       responses: dict[tuple, np.ndarray] | None = None) -> tuple[Grid, list[np.ndarray]]:
    """Values V[t] (n, K, M, R) for t = H..0, from the horizon's value back, month by month.

    Each month takes the best action under `decision`, or the given `policies[t]` (policy evaluation);
    `keep`, when given, receives each month's chosen policy (with `pack`, a rational policy as bits), and
    `responses` a rational target's response after each strike branch, as bits by (t, phase, signature).
    """
    grid = Grid.of(c)
    H = c.horizon
    paths = dyn.policy_paths(c)
    V: list[np.ndarray] = [np.zeros((n, *grid.shape)) for _ in range(H + 1)]
    V[H] = np.broadcast_to(horizon_value(c, grid, n, paths), (n, *grid.shape)).copy()
    for t in range(H - 1, -1, -1):
        value: np.ndarray | None = None
        chosen: np.ndarray | None = None
        for p, (mask, mk) in enumerate(phase_months(c, grid, t, n, True, paths)):  # one month, or one per phase
            ev = Evaluator(mk, V[t + 1], decision, keep_responses=responses is not None)
            month = (ev.month_values(need_policy=False, pack=keep is not None and pack) if policies is None
                     else ev.month_values(policies[t]))
            if ev.responses is not None and responses is not None:
                responses.update({(t, None if mask is None else p, sig): bits for sig, bits in ev.responses.items()})
            pol = None
            if keep is not None and pack and month.bits is not None:
                pol = month.bits  # the packed rational policy, from the pass that took the best action
            elif keep is not None:
                pol = month.policy if month.policy is not None else decision.choose(month.Q, month.mask, COMMITMENTS)
            if mask is None:
                value, chosen = month.value, pol
            else:
                value = month.value if value is None else np.where(mask, month.value, value)
                if pol is not None:
                    chosen = pol if chosen is None else np.where(mask, pol, chosen)
        start = grid.enter_values(value, grid.phase_entry(c, t, n))  # phases begin, deals complete at the start
        V[t] = np.ascontiguousarray(grid.disarm_values(start, col(dyn.disarmament_probability(c))))
        if keep is not None:
            keep[t] = pack_policy(chosen) if pack and chosen.ndim == len(GRID_AXES) + 1 else chosen
    return grid, V


def solve(c: Compiled, decision: Decision | str = "rational", tabulate: Tabulate | None = None) -> Solution:
    """Backward induction over the horizon for every parameter sample of `c`, in blocks of `solve_block` samples
    (each sample's numbers are its own: the blocks bound the working arrays, not the results).

    `tabulate(part, sl)`, when given, is called with each block's solution (samples `sl`) while its values are
    at hand (to build the tables read from them); the values of every month are then not kept
    (`Solution.values` solves them again if asked): a many-type solve holds its tables, not values and tables."""
    if isinstance(decision, str):
        decision = Decision.parse(decision)
    n = max((np.size(v) for v in c.values.values() if isinstance(v, np.ndarray)), default=1)
    policies: dict[int, np.ndarray] | None = {} if n == 1 else None  # one parameter set: keep the (small)
    pack = n > 1 and decision.argmax  # many samples: a rational policy kept as bits (2 bytes a state), so
    packed: dict[int, np.ndarray] = {}  # the exact propagation need not rebuild every month's action values
    responses: dict[tuple, np.ndarray] = {}  # nor the responses after strikes (rational: bits a state)
    grid, V = _backward(c, decision, n, packed if pack else policies, pack, responses if decision.argmax else None,
                        tabulate)
    _intern(responses)
    return Solution(c=c, grid=grid, decision=decision, n=n, V=V,
                    settings={"horizon": c.horizon, "grid": grid.shape, "samples": n, "decision": decision.name,
                              "_policies": policies or {}, "_packed": packed, "_responses": responses})


def solve_block(states: int) -> int:
    """Samples per backward pass on a grid of `states` states: about `SOLVE_CELLS` sample-states."""
    return max(1, SOLVE_CELLS // max(1, int(states)))


def _backward(c: Compiled, decision: Decision, n: int, keep: dict[int, np.ndarray] | None = None, pack: bool = False,
              responses: dict[tuple, np.ndarray] | None = None, tabulate: Tabulate | None = None,
              ) -> tuple[Grid, list[np.ndarray] | None]:
    """`backward_induction` for all `n` samples: one pass, or block by block above `solve_block` samples; with
    `tabulate`, each block's solution goes to it and the values are not returned (None)."""
    block = solve_block(Grid.of(c).size)
    if n > block:
        return _solve_blocks(c, decision, n, block, keep, pack, responses, tabulate)
    grid, V = backward_induction(c, decision, n, keep=keep, pack=pack, responses=responses)
    if tabulate is None:
        return grid, V
    tabulate(_part(c, grid, decision, V, keep, pack, responses), slice(0, n))
    return grid, None


def _part(c: Compiled, grid: Grid, decision: Decision, V: list[np.ndarray], kept: dict[int, np.ndarray] | None,
          pack: bool, answers: dict[tuple, np.ndarray] | None) -> Solution:
    """The solution of one backward pass (a block of samples), for `solve`'s tabulate step."""
    settings = {"_policies": {} if pack else kept or {}, "_packed": kept if pack else {}, "_responses": answers}
    return Solution(c=c, grid=grid, decision=decision, n=V[0].shape[0], V=V, settings=settings)


def _solve_blocks(c: Compiled, decision: Decision, n: int, block: int, keep: dict[int, np.ndarray] | None,
                  pack: bool, responses: dict[tuple, np.ndarray] | None, tabulate: Tabulate | None = None,
                  ) -> tuple[Grid, list[np.ndarray] | None]:
    """Backward induction block by block of samples, each block's values (unless tabulated: each block's solution
    then goes to `tabulate`), kept policies and responses written into arrays for all `n` samples (every month's
    policy a view of one array; responses the same in every block are kept once)."""
    V: list[np.ndarray] = []
    parts: dict[tuple, list[np.ndarray]] = {}
    for first in range(0, n, block):
        sl = slice(first, min(n, first + block))
        kept: dict[int, np.ndarray] | None = None if keep is None else {}
        answers: dict[tuple, np.ndarray] | None = None if responses is None else {}
        part = c.chunk(sl)
        grid, Vb = backward_induction(part, decision, sl.stop - sl.start, keep=kept, pack=pack, responses=answers)
        if tabulate is not None:
            tabulate(_part(part, grid, decision, Vb, kept, pack, answers), sl)
        else:
            if not V:
                V = [np.empty((n, *v.shape[1:])) for v in Vb]
            for t, v in enumerate(Vb):
                V[t][sl] = v
        if kept and not keep:  # every month's policy in one array, each month a view of it
            months = np.empty((len(kept), *kept[0].shape[:-4], n, *kept[0].shape[-3:]), dtype=kept[0].dtype)
            keep.update({t: months[t] for t in range(len(kept))})
        for t, pol in (kept or {}).items():
            keep[t][..., sl, :, :, :] = pol
        _intern(answers or {})
        for key, bits in (answers or {}).items():
            parts.setdefault(key, []).append(bits)
    blocks = -(-n // block)
    joined: dict[tuple[int, ...], np.ndarray] = {}  # the blocks' (interned) arrays joined once per combination
    for key, arrays in parts.items():
        if len(arrays) == blocks and responses is not None:  # a response some block did not keep is recomputed
            ids = tuple(id(a) for a in arrays)
            if ids not in joined:
                joined[ids] = np.concatenate(arrays)
            responses[key] = joined[ids]
    return grid, None if tabulate is not None else V


def _intern(arrays: dict[tuple, np.ndarray]) -> None:
    """Kept responses that repeat (over months and branches, often all the same choice) held once."""
    seen: dict[tuple, list[np.ndarray]] = {}
    for key, bits in arrays.items():
        probe = (bits.shape, int(bits.sum(dtype=np.int64)), bits.ravel()[::max(1, bits.size // 64)].tobytes())
        same = next((other for other in seen.get(probe, []) if other is bits or np.array_equal(other, bits)), None)
        if same is None:
            seen.setdefault(probe, []).append(bits)
        else:
            arrays[key] = same


def policy_value(c: Compiled, policies: list[np.ndarray], decision: Decision | str = "rational") -> Solution:
    """Values of fixed action policies (policies[t] (A, n, K, M, R), one per sample): policy evaluation.

    Responses to strikes are still chosen by `decision`. Used to check the planner against other policies.
    """
    if isinstance(decision, str):
        decision = Decision.parse(decision)
    n = policies[0].shape[1]
    grid, V = backward_induction(c, decision, n, policies)
    return Solution(c=c, grid=grid, decision=decision, n=n, V=V, method="policy evaluation",
                    settings={"horizon": c.horizon, "grid": grid.shape, "samples": n})

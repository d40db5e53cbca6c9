"""The planner as a `DecisionModel`: the simulator asks it what the rational target does in each run."""

from __future__ import annotations

import dataclasses

import numpy as np

from brinkmanship.adversary.budget import check_planner, kernel_tables_memory, planner_memory, tables_share
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import TALKS_MOVE_OF_EVENT
from brinkmanship.adversary.planner import (
    TABLES,
    TIE_TOL,
    Decision,
    Solution,
    pack_policy,
    solve,
    unpack_policy,
)
from brinkmanship.adversary.types import Types
from brinkmanship.engine import belief
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import Event, Response, Status
from brinkmanship.engine.decision import Observation, PolicyTables, StrikeInfo
from brinkmanship.errors import InputError
from brinkmanship.limits import DEFAULT_MAX_MEMORY, format_bytes

TESTS = (Event.MISSILE_TEST, Event.NUCLEAR_TEST)  # events after which the target's status is open again
# the type axis of each value table (`_value_tables`: absorb, absorb_tested, retaliate, escalate)
TABLE_TYPE_AXES = (2, 2, 1, 1)

# the grid factors the fused kernel reads (adversary.grid.Grid's fields); a grid with any other factor is not
# tabulated for the kernel, which then falls back to the NumPy reference (tests/adversary/test_fused_planner.py)
KERNEL_GRID_FIELDS = frozenset({"K", "M", "values", "D", "list_id", "composition", "P", "Q", "S", "B"})


def _unread_factors(g: Grid) -> str | None:
    """Why the fused kernel cannot read a planner grid's tables (a factor it does not index), or None."""
    unknown = sorted(f.name for f in dataclasses.fields(g)  # a factor of one state changes no index
                     if f.name not in KERNEL_GRID_FIELDS and getattr(g, f.name) != 1)
    if unknown or g.F > 1 or g.R != g.B * g.S * g.D * g.levels:
        return (f"a planner grid with factors the kernel does not read ({', '.join(unknown) or 'phases'}): "
                "extend engine.fused_kernel")
    return None


def status_levels(g: Grid) -> np.ndarray:
    """(len(Status),) the grid's status level of each `Status` (a grid with fewer statuses keeps the last for
    the rest): the one mapping the reference's observations and the fused kernel's tables both use."""
    return np.minimum(np.arange(len(Status)), g.S - 1)


def _at(x: np.ndarray | float, tau: np.ndarray | int) -> np.ndarray | float:
    """A per-sample array (n,) or (n, ...) read at each run's type `tau`; scalars and one-sample rows pass."""
    if np.ndim(x) == 0:
        return x
    x = np.asarray(x)
    return x[tau] if x.shape[0] > 1 else x[0]


class PlannerModel:
    """Rational or logit target: best response to the strategy as believed, solved once per strategy.

    With `types`, every run carries one of the K types (its `adversary.*` numbers): the K types are solved
    in one batched call per strategy, and each run reads the policy of its own type.
    """

    def __init__(self, decision: Decision, types: Types | None = None, tabulate: bool = True) -> None:
        self.decision = decision
        self.types = None if types is None or types.is_point else types
        self.name = decision.name
        # a many-type rational solve keeps the fused kernel's tables instead of every month's values; False where
        # later work reads the values (the NumPy reference simulating, a strategic coercer's sweep)
        self.tabulate = tabulate
        self._solutions: dict[tuple, Solution] = {}
        self._max_memory: int | None = None  # the request's memory limit (`check_budget`; None: the default)

    def with_types(self, types: Types, tabulate: bool = True) -> PlannerModel:
        """The same target as a distribution over `types` (point types: the single declared type); `tabulate`
        False for a request whose runs the NumPy reference simulates (`--kernel numpy`)."""
        return PlannerModel(self.decision, types, tabulate)

    def solution(self, c: Compiled) -> Solution:
        """The solved planner for this compiled strategy (cached); with types, all K types at once; a month's
        view under phases is planned as the whole phased strategy."""
        c = c.whole or c
        if self.types is not None:
            c = self.types.compiled(c)
            fixed = tuple(sorted((k, v) for k, v in c.values.items() if k not in self.types.values))
            key = (c.strategy.model_dump_json(), fixed)
        elif c.has_arrays:
            raise InputError("the simulator runs the rational adversary with one parameter set at a time",
                             field="--adversary", fix="use exact outcomes (`--exact`) for parameter batches")
        else:
            key = (c.strategy.model_dump_json(), tuple(sorted(c.values.items())))
        if key not in self._solutions:
            self._solutions[key] = self._solve(c)
        return self._solutions[key]

    def tables_share(self, c: Compiled) -> float | None:
        """The kernel's value tables a solve of `c` keeps instead of its values, in values a state a month
        (`budget.planner_memory`), or None where it keeps values: a point type, a logit target, a grid the kernel
        does not read, or a model whose later work reads the values (`tabulate`)."""
        if self.types is None or not self.tabulate or not self.decision.argmax:
            return None
        g = Grid.of(c.whole or c)
        if _unread_factors(g):
            return None
        tested, others, *_ = _table_slots(c.whole or c, g)
        return tables_share(len(others), len(tested), g.S, g.S / (g.K * g.R))

    def _solve(self, c: Compiled) -> Solution:
        """The solve; over many types of a rational target whose grid the kernel reads, its kernel tables are built
        block by block within it, and the values of every month are not kept (memory: about half at 256 types)."""
        if self.tables_share(c) is None:
            return solve(c, self.decision)
        tables = _BlockTables(self.types.count)
        sol = solve(c, self.decision, tables)
        sol.settings[TABLES] = _month_tables(sol, tables.arrays)
        return sol

    def _type(self, c: Compiled) -> np.ndarray | int:
        """Each run's type index (0: the single type)."""
        return 0 if self.types is None else self.types.index_of(c)

    def grid_states(self, c: Compiled) -> int:
        """States of the planner's grid for one parameter sample of `c` (sizes batches of samples)."""
        return Grid.of(c).size

    def outcome_probabilities(self, c: Compiled) -> np.ndarray:
        """(n, outcomes) exact outcome probabilities for every parameter sample of `c` (one batched solve)."""
        from brinkmanship.adversary.exact import propagate

        return propagate(c, solve(c, self.decision)).outcomes

    def check_budget(self, c: Compiled, max_memory: int | None = None) -> None:
        """Refuse (exit 2) a solve beyond the planner's branch or memory limits, before it starts (the limit is
        kept: the kernel's tables are built only within it)."""
        self._max_memory = max_memory
        if self.types is None:
            check_planner(c, 1, max_memory, cached_policies=True)
        else:  # K types keep one month's policy at a time (`_policy`), and the kernel's tables, not values
            check_planner(c, self.types.count, max_memory, tables=self.tables_share(c))

    def _index(self, sol: Solution, obs: Observation, set_done: bool = False, tested: bool | None = None) -> tuple:
        """Grid indices of the observed states; `tested` (after a month): the months-without-a-test count moves,
        and a test opens the crisis again (it breaks a freeze or reneges on a deal)."""
        g = sol.grid
        left = obs.lists_left[g.list_id] if g.list_id >= 0 else np.zeros_like(obs.talks_idx)
        done = obs.deadline_done if obs.deadline_done is not None else np.zeros(left.shape, dtype=bool)
        if g.D == 1:
            done = np.zeros_like(done)
        elif set_done:
            done = np.ones_like(done)
        quiet = phase = 0
        if g.F > 1:  # the phase factor: phase in force x months without a test
            quiet = np.minimum(obs.months_without_test, g.Q - 1)
            if tested is not None:
                quiet = np.zeros_like(quiet) if tested else np.minimum(quiet + 1, g.Q - 1)
            phase = obs.phase
        status = np.zeros_like(left) if obs.status is None else np.asarray(obs.status, dtype=np.int64)
        if tested:
            status = np.full_like(status, Status.OPEN)
        status = status_levels(g)[status]
        evidence = obs.evidence if g.B > 1 else 0  # the evidence factor: the target's belief in the resolve
        j = g.index(left=g.level_of(left), done=done.astype(np.int64), quiet=quiet, phase=phase,
                    status=status, evidence=evidence)
        return obs.talks_idx, np.minimum(obs.tests, g.M - 1), j

    def action_probabilities(self, c: Compiled, obs: Observation) -> np.ndarray:
        """The planner's policy at the observed grid states."""
        sol = self.solution(c)
        k, m, j = self._index(sol, obs)
        packed = sol.settings.get("_packed", {})
        if obs.t in packed and obs.t not in sol.settings.get("_policies", {}):  # the kept bits, read at the runs
            return unpack_policy(packed[obs.t][self._type(c), k, m, j])  # (the same shares as the whole month's)
        return self._policy(sol, obs.t)[:, self._type(c), k, m, j]

    def _policy(self, sol: Solution, t: int) -> np.ndarray:
        """Month t's policy; over many types only the current month's is kept (memory, not numbers)."""
        if self.types is not None:
            cache = sol.settings.setdefault("_policies", {})
            for month in [m for m in cache if m != t]:
                del cache[month]
        return sol.policy(t)

    def policy_tables(self, c: Compiled) -> PolicyTables | str:
        """The solved policy and responses as tables for the fused kernel (`engine.decision.PolicyTables`), or why
        they cannot be: a logit target (its responses are not tabulated), or a grid factor the kernel does not
        read (phases, or a factor added to `Grid` after the kernel was written)."""
        if not self.decision.argmax:
            return f"the '{self.name}' target (the kernel reads a rational target's tables only)"
        sol = self.solution(c)
        g = sol.grid
        unread = _unread_factors(g)
        if unread:
            return unread
        if TABLES not in sol.settings:
            tested, others, *_ = _table_slots(sol.c, g)
            need = (planner_memory(sol.c, sol.n, self.types is None)
                    + kernel_tables_memory(float(sol.n) * g.size, sol.c.horizon, len(others), len(tested), g.S))
            limit = DEFAULT_MAX_MEMORY if self._max_memory is None else self._max_memory
            if need > limit:
                return (f"the planner's tables for the kernel with its solve need about {format_bytes(need)}, over "
                        f"the memory limit of {format_bytes(limit)}")
            sol.settings[TABLES] = _month_tables(sol)
        chosen, absorb, absorb_tested, slot, tested_index, retaliate, escalate = sol.settings[TABLES]
        return PolicyTables(chosen=chosen, absorb=absorb, absorb_tested=absorb_tested, absorb_slot=slot,
                            tested_index=tested_index, retaliate=retaliate, escalate=escalate,
                            run_type=np.atleast_1d(np.asarray(self._type(c), dtype=np.int64)),
                            left_values=np.asarray(g.values, dtype=np.int64), list_id=g.list_id,
                            done_block=g.done_block, deadline_states=g.D, evidence_block=g.evidence_block,
                            evidence_levels=g.B, status_block=g.status_block, status_level=status_levels(g),
                            tie_tol=TIE_TOL)

    def response_probabilities(self, c: Compiled, obs: Observation, strikes: StrikeInfo) -> np.ndarray:
        """Absorb, retaliate or escalate by comparing their values after this month's strikes."""
        sol = self.solution(c)
        tau = self._type(c)
        n = strikes.total.shape[0]
        values = np.zeros((len(Response), n))
        rounds = strikes.rounds if strikes.rounds is not None else np.zeros(n, dtype=np.int64)
        phases = obs.phase if sol.grid.P > 1 else np.zeros(n, dtype=np.int64)
        cut = lambda x, sel: None if x is None else x[sel]  # noqa: E731
        for event, nr, ph in {(Event(e), int(r), int(p)) for e, r, p in zip(strikes.event, rounds, phases,
                                                                             strict=True)}:
            ev = sol.evaluator(obs.t, ph if sol.grid.P > 1 else None)
            mk = ev.mk
            sel = (strikes.event == event) & (rounds == nr) & (phases == ph)
            sub = Observation(**{**obs.__dict__, "talks_idx": obs.talks_idx[sel], "tests": obs.tests[sel],
                                 "lists_left": obs.lists_left[:, sel], "deadline_done": cut(obs.deadline_done, sel),
                                 "phase": cut(obs.phase, sel), "months_without_test": cut(obs.months_without_test, sel),
                                 "status": cut(obs.status, sel), "evidence": cut(obs.evidence, sel),
                                 "evidence_shift": cut(obs.evidence_shift, sel)})
            k, m, j = self._index(sol, sub, set_done=event == Event.DEADLINE,
                                  tested=event in (Event.MISSILE_TEST, Event.NUCLEAR_TEST))
            ts = tau if np.ndim(tau) == 0 else tau[sel]
            lim = mk.T_limited[ts if mk.T_limited.shape[0] > 1 else 0, m]
            war = mk.T_war_free_grid[ts if mk.T_war_free_grid.shape[0] > 1 else 0, 0, m, j]
            delta, counter = _at(mk.delta, ts), _at(mk.counter, ts)
            # G is already discounted
            G = ev.G((TALKS_MOVE_OF_EVENT[event], 1, nr))
            if sol.grid.B > 1:  # the month's evidence, split between two levels as in the planner
                lo, hi, frac = belief.round_split(sub.evidence, sub.evidence_shift, sol.grid.B)
                blk = sol.grid.evidence_block
                values[Response.ABSORB, sel] = ((1 - frac) * G[ts, k, m, j + (lo - sub.evidence) * blk]
                                                + frac * G[ts, k, m, j + (hi - sub.evidence) * blk])
            else:
                values[Response.ABSORB, sel] = G[ts, k, m, j]
            values[Response.RETALIATE, sel] = delta * ((1 - counter) * lim + counter * war)
            values[Response.ESCALATE, sel] = delta * war
        return self.decision.choose(values)


def _struck_keys(c: Compiled) -> tuple[list[tuple[Event, int]], np.ndarray]:
    """The (event, sanctions rounds) after which strikes can come (strike rules on the event; a deadline's
    strike), and each one's slot in an (events, rounds + 1) table (-1: never struck)."""
    struck = {Event(r.event) for r in c.rules if r.response == "strike"}
    struck |= {Event.DEADLINE} if any(d.response == "strike" for d in c.deadlines) else set()
    rounds = {e: sum(1 for r in c.rules if r.response != "strike" and Event(r.event) == e) for e in Event}
    slot = np.full((len(Event), max(rounds.values()) + 1), -1, dtype=np.int64)
    keys = [(e, nr) for e in sorted(struck) for nr in range(rounds[e] + 1)]
    for s, (e, nr) in enumerate(keys):
        slot[e, nr] = s
    return keys, slot


def _table_slots(c: Compiled, g: Grid) -> tuple[list, list, np.ndarray, np.ndarray, np.ndarray]:
    """The (event, sanctions rounds) that can bring strikes after a test and after other events, each one's slot
    within its table (events, rounds + 1; -1: never struck), the open states and each one's compact index."""
    keys, slot_of_key = _struck_keys(c)
    slot = np.full_like(slot_of_key, -1)  # numbered within each table (after a test, after other events)
    tested = [key for key in keys if key[0] in TESTS]
    others = [key for key in keys if key[0] not in TESTS]
    for group in (tested, others):
        for s, (e, nr) in enumerate(group):
            slot[e, nr] = s
    open_states = np.flatnonzero(g.status == status_levels(g)[Status.OPEN])
    tested_index = np.full(g.R, -1, dtype=np.int64)
    tested_index[open_states] = np.arange(open_states.size)
    return tested, others, slot, open_states, tested_index


def _value_tables(sol: Solution) -> tuple[np.ndarray, ...]:
    """The values of absorbing after each (event, sanctions rounds) that can bring strikes (S, H, T, K, M, R),
    those after a test only where the status is open (a test breaks a freeze or a deal: S', H, T, K, M, R /
    statuses), and of retaliating and escalating (H, T, M, S: they differ between states only by status, a war
    being worth less where the arsenal is given up; checked), read from the solution's values with the same
    arithmetic per element as `response_probabilities`."""
    c, H, T, g = sol.c, sol.c.horizon, sol.n, sol.grid
    tested, others, _, open_states, _ = _table_slots(c, g)
    shape = (T, *g.shape)
    none = np.zeros((1, 1, *(1 for _ in shape)))  # (slots, months, *shape) of one element: no slot
    absorb = np.empty((len(others), H, *shape)) if others else none
    absorb_tested = np.empty((len(tested), H, *shape[:-1], open_states.size)) if tested else none
    M, R = g.M, g.R
    retaliate, escalate = np.empty((H, T, M, g.S)), np.empty((H, T, M, g.S))
    first = np.array([np.flatnonzero(g.status == s)[0] for s in range(g.S)])  # a state of each status level
    tau = np.arange(T)
    for t in range(H):
        ev = sol.evaluator(t)
        for s, (e, nr) in enumerate(tested):
            absorb_tested[s, t] = ev.G((TALKS_MOVE_OF_EVENT[e], 1, nr))[..., open_states]
        for s, (e, nr) in enumerate(others):
            absorb[s, t] = ev.G((TALKS_MOVE_OF_EVENT[e], 1, nr))
        mk = ev.mk
        lim = np.broadcast_to(mk.T_limited[tau if mk.T_limited.shape[0] > 1 else 0][..., None], (T, M, R))
        war = np.broadcast_to(mk.T_war_free_grid[tau if mk.T_war_free_grid.shape[0] > 1 else 0, 0], (T, M, R))
        delta = np.reshape(_at(mk.delta, tau), (-1, 1, 1))
        counter = np.reshape(_at(mk.counter, tau), (-1, 1, 1))
        for table, full in ((retaliate, delta * ((1 - counter) * lim + counter * war)), (escalate, delta * war)):
            table[t] = full[..., first]
            if not np.array_equal(full, table[t][..., g.status]):
                raise RuntimeError("the values of retaliating and escalating differ between states of one status: "
                                   "the fused kernel's tables (H, T, M, statuses) cannot hold them")
    return absorb, absorb_tested, retaliate, escalate


class _BlockTables:
    """`solve`'s tabulate step for a many-type solve: each block's value tables written into arrays for all
    `n` types while the block's values are at hand (then dropped: the tables are what the kernel reads)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.arrays: list[np.ndarray] | None = None

    def __call__(self, part: Solution, sl: slice) -> None:
        block = _value_tables(part)
        if self.arrays is None:
            self.arrays = [b if b.size == 1 else np.empty((*b.shape[:a], self.n, *b.shape[a + 1:]))
                           for b, a in zip(block, TABLE_TYPE_AXES, strict=True)]
        for whole, b, a in zip(self.arrays, block, TABLE_TYPE_AXES, strict=True):
            if b.size > 1:
                whole[(slice(None),) * a + (sl,)] = b


def _month_tables(sol: Solution, values: list[np.ndarray] | None = None) -> tuple[np.ndarray, ...]:
    """Every month's policy bits (H, T, K, M, R), the value tables (`_value_tables`: read from the solution, or
    `values` as its solve tabulated them), with their slots and the compact index of each open state: the
    numbers `action_probabilities` and `response_probabilities` read, with the same arithmetic per element."""
    _, _, slot, _, tested_index = _table_slots(sol.c, sol.grid)
    packed = sol.settings.get("_packed", {})
    if len(packed) == sol.c.horizon:  # the solve's bits, then held once as a view of the table
        chosen = sol.packed_months()
        packed.update({t: chosen[t] for t in range(sol.c.horizon)})
    else:
        chosen = np.stack([pack_policy(sol.policy(t)) for t in range(sol.c.horizon)])
    absorb, absorb_tested, retaliate, escalate = values if values is not None else _value_tables(sol)
    return chosen, absorb, absorb_tested, slot, tested_index, retaliate, escalate

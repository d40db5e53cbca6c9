"""The planner's discretised state: talks level x test-equivalents x targets left on the list.

These are the simulator's own state variables (talks on its 21-level grid, delivery counted in tests,
the finite target list), so planner and simulator share one state space. Warheads, the economy and
sanctions are paths in time for open runs, so time carries them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import TargetClass
from brinkmanship.engine.decision import Observation
from brinkmanship.errors import InputError

DEADLINE_STATES = 2  # a recurring deadline has not acted yet, or has


def _reachable(c: Compiled, list_id: int, full: int) -> np.ndarray:
    """Targets-left values reachable from a full list under the strategy's strike sizes (closure)."""
    if list_id < 0:
        return np.zeros(1, dtype=np.int64)
    sizes = [int(s) for s in c.salvo_sizes]
    amounts = {r.count * (s if r.per_missile else 1) for r in c.rules if r.target_list == list_id
               for s in (sizes if r.per_missile else [1])}
    seen, frontier = {full}, [full]
    while frontier:
        r = frontier.pop()
        for w in amounts:  # several rules on one event can add up; closure over single amounts covers sums
            nxt = max(r - w, 0)
            if nxt not in seen:
                seen.add(nxt)
                frontier.append(nxt)
    return np.array(sorted(seen), dtype=np.int64)


@dataclass(frozen=True)
class Grid:
    """Sizes of the state grid and the finite target list it tracks (one list at most).

    The last axis joins the targets left on the list (`levels` values) with, when the deadline's action
    does not end the crisis (a strike), whether it has already acted: index = done x levels + left.
    """

    K: int
    M: int
    values: np.ndarray  # targets-left values the list can reach, ascending (0 ... full)
    D: int
    list_id: int
    composition: np.ndarray  # (4,) targets per class on the list at the start

    @property
    def levels(self) -> int:
        return len(self.values)

    @property
    def R(self) -> int:
        return self.levels * self.D

    @property
    def left(self) -> np.ndarray:
        """(R,) targets left on the list at each index of the last axis."""
        return np.tile(self.values, self.D)

    def level_of(self, left: np.ndarray) -> np.ndarray:
        """Index of each targets-left value among the reachable ones."""
        return np.searchsorted(self.values, left)

    @property
    def done(self) -> np.ndarray:
        """(R,) whether the deadline has acted, at each index of the last axis."""
        return np.repeat(np.arange(self.D), self.levels)

    @property
    def start_index(self) -> int:
        """Last-axis index of the start: full list, deadline not yet acted."""
        return self.levels - 1

    def r_map(self, listed: np.ndarray | int, set_done: bool) -> np.ndarray:
        """(R,) destination index after `listed` targets are struck (capped by what is left)."""
        left = self.left
        after = self.level_of(left - np.minimum(listed, left))
        done = np.ones_like(left) * (self.D - 1) if set_done else self.done
        return done * self.levels + after

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.K, self.M, self.R

    @property
    def size(self) -> int:
        return self.K * self.M * self.R

    @staticmethod
    def of(c: Compiled) -> Grid:
        """The grid for a compiled strategy; refuses structures the planner does not cover, with the fix."""
        used = {r.target_list for r in c.rules if r.target_list >= 0}
        if len(used) > 1:
            raise InputError("the rational planner tracks one target list; this strategy draws on several",
                             field="rules.from_list", fix="merge the lists into one, or use --adversary base-rate")
        if len(c.deadlines) > 1:
            raise InputError("the rational planner supports at most one deadline per strategy",
                             field="deadlines", fix="keep one deadline, or use --adversary base-rate")
        if any(d.talks_threshold is not None for d in c.deadlines):
            raise InputError("the rational planner does not support `unless: talks_progress`",
                             field="deadlines.unless", fix="use deal and freeze conditions only")
        c.at_month(0)  # refuses phases that begin at an uncertain month or on a condition, with the fix
        list_id = used.pop() if used else -1
        comp = c.list_sizes[list_id] if list_id >= 0 else np.zeros(len(TargetClass), dtype=np.int64)
        recurring = bool(c.deadlines) and c.deadlines[0].response != "preventive_war"
        return Grid(K=dyn.TALKS_LEVELS, M=dyn.MAX_TESTS + 1, values=_reachable(c, list_id, int(comp.sum())),
                    D=DEADLINE_STATES if recurring else 1, list_id=list_id, composition=comp)

    def left_by_class(self, order: np.ndarray | None = None) -> np.ndarray:
        """(4, R) targets left per class at each last-axis index (the simulator's strike order; pass the
        list's `strike_order` when it is at hand)."""
        order = dyn.strike_order(self.composition) if order is None else order
        full = int(self.composition.sum())
        return (self.composition[None, :] - order[full - self.left]).T

    def observation(self, c: Compiled, t: int, n: int, economy: np.ndarray, sanctions: np.ndarray,
                    tests_shift: int = 0, r_index: np.ndarray | None = None) -> tuple[Observation, Compiled]:
        """Observations for every grid state of `n` parameter samples, flattened to n*K*M*R runs.

        Returns the observation and the compiled model cut to those runs (per-sample parameters repeated).
        `tests_shift` and `r_index` give what is observed after a month's tests and strikes.
        """
        K, M, R = self.shape
        if c.has_arrays:
            c = c.chunk(np.repeat(np.arange(n), K * M * R))
        k = np.broadcast_to(np.arange(K)[None, :, None, None], (n, K, M, R)).ravel()
        m = np.broadcast_to(np.minimum(np.arange(M) + tests_shift, M - 1)[None, None, :, None],
                            (n, K, M, R)).ravel()
        seen = np.arange(R) if r_index is None else r_index  # the last-axis index the target observes
        r = np.broadcast_to(self.left[seen][None, None, None, :], (n, K, M, R)).ravel()
        done = np.broadcast_to(self.done[None, None, None, :], (n, K, M, R)).ravel()  # as at the month's start
        lists = np.zeros((max(1, len(c.list_sizes)), r.size), dtype=np.int64)
        if self.list_id >= 0:
            lists[self.list_id] = r
        per = lambda x: np.repeat(np.broadcast_to(np.asarray(x, dtype=float), (n,)), K * M * R)  # noqa: E731
        warheads = np.broadcast_to(dyn.warheads_at(c, t), k.shape)
        obs = Observation(
            t=t, warheads=warheads, delivery=dyn.delivery(c, m), tests=m, economy=per(economy),
            sanctions=per(sanctions), talks=k * dyn.TALKS_STEP, talks_idx=k, lists_left=lists,
            struck=c.list_sizes.sum() - lists.sum(axis=0), posture=c.posture(t),
            exercises=c.exercises(t), deadline_done=done.astype(bool),
        )
        return obs, c

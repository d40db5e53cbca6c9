"""The planner's discretised state: talks level x test-equivalents x (status, phase, targets left, ...).

These are the simulator's own state variables (talks on its 21-level grid, delivery counted in tests,
the finite target list), so planner and simulator share one state space. Warheads, the economy and
sanctions are paths in time for open runs, so time carries them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from brinkmanship.adversary.gathers import backend, pair_operator
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import Status, TargetClass
from brinkmanship.engine.decision import Observation
from brinkmanship.errors import InputError

DEADLINE_STATES = 2  # a recurring deadline has not acted yet, or has
FACTOR_CACHE = 64  # factor arrays kept (`_factor_values`): six factors a grid shape, a few grid shapes a run


def phase_factor(c: Compiled) -> tuple[int, int]:
    """(phases, quiet-month states) of the grid's phase factor: none (1, 1) without phases or when every phase
    begins at a known month (time carries those); else the phase in force, and, when a phase waits for months
    without a test, the months since the last test (0 .. the longest wait)."""
    if c.fixed_schedule:
        return 1, 1
    return len(c.phases), max(ph.quiet_months for ph in c.phases) + 1


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


@functools.lru_cache(maxsize=FACTOR_CACHE)
def _factor_values(R: int, stride: int, size: int) -> np.ndarray:
    """(R,) a factor's level at each index of the last axis, (index // stride) % size, computed once per grid
    shape (the planner reads them tens of thousands of times a solve) and read-only, since it is shared."""
    out = (np.arange(R) // stride) % size
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class Grid:
    """Sizes of the state grid and the finite target list it tracks (one list at most).

    The last axis joins the targets left on the list (`levels` values) with, when the deadline can act or be
    spent without ending the crisis (a strike, or any deadline with an `unless` condition), whether it is
    spent; for phases that begin at an uncertain month or on a condition, the phase factor (the phase in
    force x months since the last test); the status (open, frozen, in a deal, disarmed); and, outermost,
    when the target learns the coercer's resolve, the evidence level (`B` levels):
    index = ((((evidence x S + status) x P + phase) x Q + quiet) x D + done) x levels + left (`Grid.index`).
    Each factor is read through its stride, so one more outer factor changes `R` and adds one stride.
    """

    K: int
    M: int
    values: np.ndarray  # targets-left values the list can reach, ascending (0 ... full)
    D: int
    list_id: int
    composition: np.ndarray  # (4,) targets per class on the list at the start
    P: int = 1  # phases tracked in the state (1: none, or time carries them)
    Q: int = 1  # months-without-a-test states (1: no phase waits for them)
    S: int = 1  # statuses tracked (1: open only; len(Status): freezes and deals that can break)
    B: int = 1  # evidence levels of the target's belief in the coercer's resolve (1: nothing is learned)

    @property
    def levels(self) -> int:
        return len(self.values)

    @property
    def F(self) -> int:
        """Size of the phase factor."""
        return self.P * self.Q

    # strides of the last axis, innermost first: left, done, quiet, phase, status, evidence
    @property
    def done_block(self) -> int:
        return self.levels

    @property
    def quiet_block(self) -> int:
        return self.D * self.done_block

    @property
    def phase_block(self) -> int:
        """Distance along the last axis from a state to the same state in the next phase."""
        return self.Q * self.quiet_block

    @property
    def status_block(self) -> int:
        """Distance along the last axis from a state to the same state in the next status."""
        return self.P * self.phase_block

    @property
    def evidence_block(self) -> int:
        """Distance along the last axis from a state to the same state one evidence level higher."""
        return self.S * self.status_block

    @property
    def R(self) -> int:
        return self.B * self.evidence_block

    def _factor(self, stride: int, size: int) -> np.ndarray:
        return _factor_values(self.R, stride, size)

    @property
    def left(self) -> np.ndarray:
        """(R,) targets left on the list at each index of the last axis."""
        return self.values[self._factor(1, self.levels)]

    @property
    def done(self) -> np.ndarray:
        """(R,) whether the deadline has acted, at each index of the last axis."""
        return self._factor(self.done_block, self.D)

    @property
    def quiet(self) -> np.ndarray:
        """(R,) months since the last test (capped at Q - 1) at each index of the last axis."""
        return self._factor(self.quiet_block, self.Q)

    @property
    def phase(self) -> np.ndarray:
        """(R,) the phase in force at each index of the last axis."""
        return self._factor(self.phase_block, self.P)

    @property
    def status(self) -> np.ndarray:
        """(R,) the status (`Status`: open, frozen, deal, disarmed) at each index of the last axis."""
        return self._factor(self.status_block, self.S)

    @property
    def evidence(self) -> np.ndarray:
        """(R,) the evidence level of the target's belief at each index of the last axis."""
        return self._factor(self.evidence_block, self.B)

    def index(self, left: np.ndarray | int = 0, done: np.ndarray | int = 0, quiet: np.ndarray | int = 0,
              phase: np.ndarray | int = 0, status: np.ndarray | int = 0,
              evidence: np.ndarray | int = 0) -> np.ndarray:
        """Last-axis index of the given factor values (`left` as a level index among `values`)."""
        return (np.asarray(left) + np.asarray(done) * self.done_block + np.asarray(quiet) * self.quiet_block
                + np.asarray(phase) * self.phase_block + np.asarray(status) * self.status_block
                + np.asarray(evidence) * self.evidence_block)

    @property
    def spent(self) -> np.ndarray:
        """(R,) the same state with the deadline spent (a deadline that fell due and did not act)."""
        return np.arange(self.R) + (self.D - 1 - self.done) * self.done_block

    def level_of(self, left: np.ndarray) -> np.ndarray:
        """Index of each targets-left value among the reachable ones."""
        return np.searchsorted(self.values, left)

    @property
    def start_index(self) -> int:
        """Last-axis index of the start: full list, deadline not yet acted, no evidence yet (the prior)."""
        return int(self.index(left=self.levels - 1, evidence=belief.prior_level(self.B)))

    def r_map(self, listed: np.ndarray | int, set_done: bool, tested: bool = False,
              to_status: int | None = None) -> np.ndarray:
        """(R,) destination index after `listed` targets are struck (capped by what is left); with a phase
        factor, a month passes for the months-without-a-test count (`tested`: a test restarts it); the status
        moves to `to_status` (None: it stays). The evidence level is kept (`evidence_split` moves it)."""
        left = self.left
        after = self.level_of(left - np.minimum(listed, left))
        done = np.ones_like(left) * (self.D - 1) if set_done else self.done
        quiet = np.zeros_like(left) if tested else np.minimum(self.quiet + 1, self.Q - 1)
        status = self.status if to_status is None else np.full_like(left, min(to_status, self.S - 1))
        return self.index(left=after, done=done, quiet=quiet, phase=self.phase, status=status,
                          evidence=self.evidence)

    def disarm_values(self, W: np.ndarray, d: np.ndarray | float) -> np.ndarray:
        """Values at the start of a month from the values W after a deal's disarmament may complete (chance
        `d`, broadcastable over W): a state in a deal is worth (1 - d) W + d W(disarmed)."""
        if self.S <= Status.DISARMED:
            return W
        deal = self.status == Status.DEAL
        nxt = np.where(deal, np.arange(self.R) + self.status_block, np.arange(self.R))
        return np.where(deal, (1 - d) * W + d * W[..., nxt], W)

    def disarm_mass(self, mass: np.ndarray, d: np.ndarray | float) -> np.ndarray:
        """The distribution after the month's completed disarmaments (mass moves one status block on, at
        every evidence level)."""
        if self.S <= Status.DISARMED:
            return mass
        deal = self.status == Status.DEAL
        moving = mass * deal * d
        out = mass - moving
        out[..., np.flatnonzero(deal) + self.status_block] += moving[..., deal]
        return out

    def move_weights(self, dest: np.ndarray, shift: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None:
        """Where each state goes with the evidence split between two levels by `shift` ((1, R) levels): (R,)
        indices and weights of the first and the second level (a split onto one level keeps the summed weight on
        the first); None when the split differs per sample."""
        if shift is None:
            return dest, np.ones(self.R), dest, np.zeros(self.R)
        lo, hi, frac = self.evidence_split(shift)
        if frac.shape[0] != 1:
            return None
        first, second = dest + lo[0], dest + hi[0]
        w_first, w_second = 1 - frac[0], frac[0]
        same = first == second
        return first, np.where(same, w_first + w_second, w_first), second, np.where(same, 0.0, w_second)

    def move_operator(self, dest: np.ndarray, shift: np.ndarray | None = None) -> sparse.csr_array | None:
        """(R, R) sparse weights from each state (row) to where it goes (column): `dest`, with the evidence split
        between two levels by `shift` ((1, R) levels); None when the split differs per sample. The matrix that
        `pull` and `push` apply as gathers (at most two entries a row)."""
        moves = self.move_weights(dest, shift)
        return None if moves is None else pair_operator(*moves)

    def pull(self, values: np.ndarray, dest: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray | None:
        """Values (..., R) read where each state goes (`move_weights`): out[..., j] = w_first[j] values[...,
        first[j]] + w_second[j] values[..., second[j]], two gathers in one compiled pass (`gathers.pull_pair`);
        None when the split differs per sample."""
        grid4 = values if values.ndim == 4 else values.reshape(1, 1, -1, values.shape[-1])  # (samples, K, M, R)
        if shift is None:
            out = backend().take_last(grid4, np.asarray(dest, dtype=np.int64))
            return out.reshape(*values.shape[:-1], -1)
        moves = self.move_weights(dest, shift)
        if moves is None:
            return None
        first, w_first, second, w_second = moves
        out = backend().pull_pair(grid4, first.astype(np.int64), np.asarray(w_first, dtype=float),
                                  second.astype(np.int64), np.asarray(w_second, dtype=float))
        return out.reshape(*values.shape[:-1], -1)

    def push(self, mass: np.ndarray, dest: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray | None:
        """Mass (n, K, M, R) moved to where each state goes (`move_weights`), the adjoint of `pull`: out[..., k]
        = sum_j mass[..., j] move_operator[j, k], in one compiled scatter (`gathers.push_pair`); None when the
        split differs per sample."""
        moves = self.move_weights(dest, shift)
        if moves is None:
            return None
        first, w_first, second, w_second = moves
        return backend().push_pair(mass, first.astype(np.int64), np.asarray(w_first, dtype=float),
                                   second.astype(np.int64), np.asarray(w_second, dtype=float))

    def evidence_split(self, shift: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stochastic rounding of each state's evidence moved by `shift` levels ((n or 1, R) or scalar):
        last-axis offsets to the lower and upper neighbouring level, and the chance of the upper one."""
        e = self.evidence
        lo, hi, frac = belief.round_split(e, shift, self.B)
        return (lo - e) * self.evidence_block, (hi - e) * self.evidence_block, frac

    def phase_entry(self, c: Compiled, t: int, n: int) -> np.ndarray | None:
        """(n or 1, K, 1, R) chance that a state enters its next phase at the start of month t (None: no
        phase factor). A dated phase enters with the hazard of its month window (exact once eligible from the
        window's start), a talks condition on the talks level, a quiet condition on the months without a test."""
        if self.F == 1:
            return None
        out = np.zeros((1, self.K, 1, self.R))
        talks = np.arange(self.K) * dyn.TALKS_STEP
        for q in range(1, self.P):
            ph = c.phases[q]
            waiting = self.phase == q - 1
            if ph.first_month >= 0:
                h = 0.0 if t < ph.first_month else 1.0 / max(ph.last_month - t + 1, 1)
                out = out + np.where(waiting, h, 0.0)[None, None, None, :]
            elif ph.talks_at_least is not None:
                thr = np.reshape(c[ph.talks_at_least], (-1, 1))
                ok = (talks[None, :] >= thr - dyn.GRID_TOL).astype(float)  # (n or 1, K)
                out = out + ok[:, :, None, None] * waiting[None, None, None, :]
            else:
                ok = waiting & (self.quiet >= ph.quiet_months)
                out = out + ok[None, None, None, :].astype(float)
        return out

    def enter_values(self, W: np.ndarray, E: np.ndarray | None) -> np.ndarray:
        """Values at the start of a month from the month's values W after entry: (1 - E) W + E W(next phase)."""
        if E is None:
            return W
        nxt = np.minimum(np.arange(self.R) + self.phase_block, self.R - 1)
        return (1 - E) * W + E * W[..., nxt]

    def enter_mass(self, mass: np.ndarray, E: np.ndarray | None) -> np.ndarray:
        """The distribution after the month's phase entries (mass moves one phase block on)."""
        if E is None:
            return mass
        moving = mass * E
        out = mass - moving
        b = self.phase_block
        out[..., b:] += moving[..., :-b]
        return out

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
        list_id = used.pop() if used else -1
        comp = c.list_sizes[list_id] if list_id >= 0 else np.zeros(len(TargetClass), dtype=np.int64)
        d = c.deadlines[0] if c.deadlines else None
        # a strike leaves the crisis open, and a deadline with a condition can fall due without acting: either
        # way whether it is spent is state (a preventive war without conditions ends the run when it acts)
        tracked = d is not None and (d.response != "preventive_war" or d.unless_deal or d.unless_freeze
                                     or d.talks_threshold is not None)
        P, Q = phase_factor(c)
        return Grid(K=dyn.TALKS_LEVELS, M=dyn.MAX_TESTS + 1, values=_reachable(c, list_id, int(comp.sum())),
                    D=DEADLINE_STATES if tracked else 1, list_id=list_id, composition=comp, P=P, Q=Q,
                    S=len(Status), B=c.evidence_levels)

    def left_by_class(self, order: np.ndarray | None = None) -> np.ndarray:
        """(4, R) targets left per class at each last-axis index (the simulator's strike order; pass the
        list's `strike_order` when it is at hand)."""
        order = dyn.strike_order(self.composition) if order is None else order
        full = int(self.composition.sum())
        return (self.composition[None, :] - order[full - self.left]).T

    def observation(self, c: Compiled, t: int, n: int, economy: np.ndarray, sanctions: np.ndarray,
                    tests_shift: int = 0, r_index: np.ndarray | None = None,
                    cells: np.ndarray | None = None) -> tuple[Observation, Compiled]:
        """Observations for every grid state of `n` parameter samples, flattened to n*K*M*R runs.

        Returns the observation and the compiled model cut to those runs (per-sample parameters repeated).
        `tests_shift` and `r_index` give what is observed after a month's tests and strikes. With `cells` (flat
        indices into (n, K, M, R)) only those states are observed, in that order: a decision model asked where
        probability mass is, not over the whole grid.
        """
        K, M, R = self.shape
        if cells is None:
            full = (n, K, M, R)
            i, k, m, r = (np.broadcast_to(x, full).ravel() for x in (
                np.arange(n)[:, None, None, None], np.arange(K)[None, :, None, None],
                np.arange(M)[None, None, :, None], np.arange(R)[None, None, None, :]))
        else:
            i, k, m, r = np.unravel_index(np.asarray(cells, dtype=np.int64), (n, K, M, R))
        if c.has_arrays:
            c = c.chunk(i)
        m = np.minimum(np.arange(M) + tests_shift, M - 1)[m]
        seen = r if r_index is None else np.asarray(r_index)[r]  # the last-axis index the target observes
        left = self.left[seen]
        done = self.done[r]  # as at the month's start
        lists = np.zeros((max(1, len(c.list_sizes)), left.size), dtype=np.int64)
        if self.list_id >= 0:
            lists[self.list_id] = left
        per = lambda x: np.broadcast_to(np.asarray(x, dtype=float), (n,))[i]  # noqa: E731
        warheads = np.broadcast_to(dyn.warheads_at(c, t), k.shape)
        obs = Observation(
            t=t, warheads=warheads, delivery=dyn.delivery(c, m), tests=m, economy=per(economy),
            sanctions=per(sanctions), talks=k * dyn.TALKS_STEP, talks_idx=k, lists_left=lists,
            struck=c.list_sizes.sum() - lists.sum(axis=0), posture=c.posture(t),
            exercises=c.exercises(t), deadline_done=done.astype(bool), status=self.status[seen],
            evidence=self.evidence[seen] if self.B > 1 else None,
        )
        return obs, c

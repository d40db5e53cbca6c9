"""The workbench's computation: exact outcomes of a strategy, the target's policy in words, the IHL audit.

Results are cached by the content hash of scenario, strategy and adversary (a bounded LRU); concurrent
requests for one key compute it once; at most `workers` solves run at a time, whatever the number of
sessions. `Sessions` lets a newer request of a browser session supersede its older one.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.errors import InputError
from brinkmanship.spec import Scenario, Strategy, content_hash

# Work bound per request: planner grid cells (talks x tests x targets-left ...) of one strategy, per status
# the grid tracks (open, frozen, deal, disarmed: every strategy's grid has the same status factor, so the
# bound scales with it and still limits what a strategy controls, its target lists). The packaged
# strategies use at most about 14,000 a status (let-deterrence-fail: 56,448 states, under a second); a
# target list of thousands would make one solve take minutes.
MAX_GRID_CELLS = 50_000
# The targets a page may ask for (the CLI's `--adversary` values; a whitelist bounds the work per request).
ADVERSARIES = ("rational", "logit:1", "logit:2", "logit:5", "base-rate")


@dataclass(frozen=True)
class Evaluation:
    """One strategy's exact results: outcome probabilities, their path over months, the policy described."""

    strategy: str
    outcomes: dict[str, float]
    timeline: np.ndarray  # (H+1, 6) cumulative outcome probabilities; build-up = still open
    months: list[str]
    explanation: dict[str, Any]
    audit: list[dict[str, str]]
    seconds: float


def check_work(scenario: Scenario, strategy: Strategy) -> None:
    """Refuse a strategy whose planner grid is too large to solve within a request."""
    from brinkmanship.adversary.grid import Grid
    from brinkmanship.engine.compiled import compile_model

    g = Grid.of(compile_model(scenario, strategy))
    cells, limit = g.K * g.M * g.R, MAX_GRID_CELLS * g.S
    if cells > limit:
        raise InputError(f"the planner's grid would have {cells:,} states, above the browser's limit of "
                         f"{limit:,}", field="target_lists",
                         fix="use smaller target lists (or run `brink compare --exact` from the command line)")


def evaluate(scenario: Scenario, strategy: Strategy, adversary: str = "rational") -> Evaluation:
    """Solve the target's best response and propagate it exactly (the numbers of `brink compare --exact`)."""
    from brinkmanship.adversary.exact import propagate
    from brinkmanship.adversary.explain import describe
    from brinkmanship.adversary.planner import Decision, solve
    from brinkmanship.audit import audit_strategy
    from brinkmanship.engine.compiled import compile_model
    from brinkmanship.spec.scenario import add_months

    t0 = time.perf_counter()
    c = compile_model(scenario, strategy)
    if adversary == "base-rate":  # a calibrated stochastic policy: propagated as is, nothing to explain
        from brinkmanship.engine.decision import get_decision_model

        res = propagate(c, get_decision_model("base-rate"))
        why = {"summary": "The base-rate target follows a calibrated stochastic policy, not a best response; "
                          "choose the rational or a logit target to see its policy explained.",
               "policy_map": None}
    else:
        sol = solve(c, Decision.parse(adversary))
        res = propagate(c, sol)
        why = describe(scenario, strategy, c, sol, res)
    months = [add_months(scenario.start, t).isoformat()[:7] for t in range(scenario.horizon_months + 1)]
    audit = [f.model_dump() for f in audit_strategy(strategy)]
    return Evaluation(strategy=strategy.name, outcomes=res.as_dict(), timeline=res.timeline[:, 0, :].copy(),
                      months=months, explanation=why, audit=audit, seconds=time.perf_counter() - t0)


def cache_key(scenario: Scenario, strategy: Strategy, adversary: str) -> str:
    """The content hash a result is cached under."""
    return f"{content_hash(scenario)}:{content_hash(strategy)}:{adversary}"


class ResultCache:
    """Bounded LRU of evaluations; one computation per key at a time; at most `workers` at once overall."""

    def __init__(self, size: int = 256, workers: int = 2) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._done: OrderedDict[str, Evaluation] = OrderedDict()
        self._pending: dict[str, threading.Event] = {}
        self._slots = threading.BoundedSemaphore(workers)
        self.computed = 0

    def __len__(self) -> int:
        return len(self._done)

    def peek(self, key: str) -> Evaluation | None:
        """The cached evaluation, if any (no computation)."""
        with self._lock:
            return self._done.get(key)

    def get(self, key: str, compute: Callable[[], Evaluation]) -> Evaluation:
        """The evaluation for `key`: cached, awaited from another request, or computed now."""
        while True:
            with self._lock:
                if key in self._done:
                    self._done.move_to_end(key)
                    return self._done[key]
                event = self._pending.get(key)
                owner = event is None
                if owner:
                    event = self._pending[key] = threading.Event()
            if owner:
                break
            event.wait()  # another request computes it; on its failure, this one computes it itself
        try:
            with self._slots:
                value = compute()
            with self._lock:
                self._done[key] = value
                self.computed += 1
                while len(self._done) > self.size:
                    self._done.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()


class Sessions:
    """Per browser session: the number of its latest request and a progress line (bounded LRU)."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._latest: OrderedDict[str, int] = OrderedDict()
        self._progress: dict[str, str] = {}

    def begin(self, sid: str) -> int:
        """Register a new request of session `sid`; older requests of it are superseded from now on."""
        with self._lock:
            n = self._latest.get(sid, 0) + 1
            self._latest[sid] = n
            self._latest.move_to_end(sid)
            while len(self._latest) > self.size:
                old, _ = self._latest.popitem(last=False)
                self._progress.pop(old, None)
            return n

    def current(self, sid: str, n: int) -> bool:
        """Whether request `n` is still the latest of its session."""
        with self._lock:
            return self._latest.get(sid) == n

    def set_progress(self, sid: str, text: str) -> None:
        with self._lock:
            if sid in self._latest:
                self._progress[sid] = text

    def progress(self, sid: str) -> str:
        with self._lock:
            return self._progress.get(sid, "")


class SupersededError(Exception):
    """A newer request of the same session arrived; this one stops between solves."""


def evaluate_all(scenario: Scenario, edited: Strategy, packaged: list[Strategy], cache: ResultCache,
                 adversary: str = "rational", alive: Callable[[], bool] = lambda: True,
                 progress: Callable[[str], None] = lambda _: None) -> tuple[Evaluation, list[Evaluation]]:
    """The edited strategy and the packaged ones, each from the cache or solved; checks `alive` between solves."""
    todo = [edited, *packaged]
    out: list[Evaluation] = []
    for i, s in enumerate(todo):
        if not alive():
            raise SupersededError
        key = cache_key(scenario, s, adversary)
        hit = cache.peek(key)
        if hit is None:
            progress(f"solving the target's best response to {s.name} ({i + 1} of {len(todo)})")
            hit = cache.get(key, lambda s=s: evaluate(scenario, s, adversary))
        out.append(hit)
    return out[0], out[1:]


def outcome_cells(outcomes: dict[str, float]) -> list[str]:
    """Outcome probabilities as printed by `brink compare` (percent, one decimal), in OUTCOMES order."""
    return [f"{100 * outcomes[o]:.1f}%" for o in OUTCOMES]

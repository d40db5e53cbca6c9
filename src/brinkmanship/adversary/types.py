"""Adversary types: the target's utility weights, discount and horizon weight as a finite set of draws.

A type is one parameter sample of the scenario's `adversary.*` numbers that carry a range, so the planner
solves every type of a set in one batched call (its sample axis). `point` is the single declared type;
`prior` draws K types from the declared ranges (each number's `dist`) at fixed scrambled Sobol points;
a posterior is the prior's types reweighted by a likelihood (built above this layer, from the record).
Monte Carlo runs draw one type per run from the run's own stream, so a run's type depends only on the seed
and the run's index, never on chunking or workers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.streams import Streams
from brinkmanship.errors import InputError
from brinkmanship.spec import Scenario

PREFIX = "adversary."
KINDS = ("point", "prior", "posterior")
DEFAULT_TYPE_COUNT = 64  # quasi-random types of an exact mixture: `make demo` stays under a minute
MAX_TYPE_COUNT = 4096  # more types than this would not fit the planner's memory for one strategy
SOBOL_SEED = 20170924  # the fixed scrambling of the type points (the scenario's start date)
TYPES_STREAM = 7_919  # spawn-key prefix of the per-run type streams (apart from the simulation's own)
NORMAL_SDS_IN_RANGE = 4.0  # `dist: normal`: the declared range spans four standard deviations
Z95 = 1.959963984540054  # two-sided 95% normal quantile: the type-sampling interval is p +- Z95 x se


def _ppf(u: np.ndarray, lo: float, hi: float, mode: float, dist: str) -> np.ndarray:
    """Values at quantiles `u` of a number's type distribution on [lo, hi] (uniform, triangular, normal)."""
    width = hi - lo
    if width <= 0:
        return np.full(u.shape, lo)
    if dist == "triangular":
        cut = (mode - lo) / width
        left = lo + np.sqrt(u * width * (mode - lo))
        right = hi - np.sqrt((1 - u) * width * (hi - mode))
        return np.where(u < cut, left, right)
    if dist == "normal":
        from scipy.stats import truncnorm

        sd = width / NORMAL_SDS_IN_RANGE
        return truncnorm.ppf(u, (lo - mode) / sd, (hi - mode) / sd, loc=mode, scale=sd)
    return lo + u * width


@dataclass(frozen=True)
class Types:
    """K adversary types: per-type values of the `adversary.*` numbers, their weights, and how they were made."""

    kind: str
    values: dict[str, np.ndarray]  # dotted name -> (K,) value of each type
    weights: np.ndarray  # (K,) summing to 1
    notes: dict[str, str] = field(default_factory=dict)  # per number: what the record says of it (posterior)
    settings: dict[str, object] = field(default_factory=dict)

    @property
    def count(self) -> int:
        """K, the number of types."""
        return int(self.weights.size)

    @property
    def is_point(self) -> bool:
        """One type with the declared values: today's single rational target."""
        return self.kind == "point"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.values)

    def matrix(self) -> np.ndarray:
        """(K, P) type values, columns in `names` order."""
        return np.column_stack([self.values[n] for n in self.names]) if self.values else np.zeros((self.count, 0))

    def overrides(self) -> dict[str, np.ndarray]:
        """Per-type values as parameter overrides: compiling with them gives K planner samples."""
        return {k: v.copy() for k, v in self.values.items()}

    def effective_count(self) -> float:
        """Kish's effective number of types: K for equal weights, fewer when a posterior concentrates."""
        return float(1.0 / np.sum(np.square(self.weights)))

    def draw(self, seed: int, runs: int) -> np.ndarray:
        """(runs,) type index of each run, from the run's own stream keyed by (seed, block): chunk-free."""
        if self.count == 1:
            return np.zeros(runs, dtype=np.int64)
        u = Streams(seed, 0, runs, 1, 0, key=(TYPES_STREAM,)).initial[0].astype(np.float64)
        cum = np.cumsum(self.weights)
        return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), self.count - 1)

    def per_run(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """Overrides giving each run its type's values."""
        return {k: v[index] for k, v in self.values.items()}

    def mixture(self, per_type: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weighted mean over types of (K, ...) per-type results, and its type-sampling standard error.

        The error is the delta-method error of a weighted (self-normalised) mean, sqrt(sum w^2 (x - mean)^2):
        sd / sqrt(K) for equal weights. Quasi-random points usually do better: this bound is conservative.
        """
        x = np.asarray(per_type, dtype=float)
        w = self.weights.reshape((-1,) + (1,) * (x.ndim - 1))
        mean = (w * x).sum(axis=0)
        se = np.sqrt((np.square(w) * np.square(x - mean)).sum(axis=0)) if self.count > 1 else np.zeros_like(mean)
        return mean, se

    def reweighted(self, log_likelihood: np.ndarray, notes: dict[str, str], settings: dict[str, object]) -> Types:
        """The posterior: these types weighted by exp(log-likelihood) (importance weights of the prior)."""
        ll = np.asarray(log_likelihood, dtype=float)
        if ll.shape != (self.count,) or not np.all(np.isfinite(ll)):
            raise ValueError("a posterior needs one finite log-likelihood per type")
        w = self.weights * np.exp(ll - ll.max())
        return Types("posterior", self.values, w / w.sum(), notes, {**self.settings, **settings})

    def describe(self) -> dict[str, object]:
        """JSON-ready summary: kind, K, effective K, and per number the weighted mean and range of the types."""
        out: dict[str, object] = {"kind": self.kind, "count": self.count,
                                  "effective_count": round(self.effective_count(), 1), **self.settings}
        numbers = {}
        for name, v in self.values.items():
            mean, _ = self.mixture(v)
            numbers[name.removeprefix(PREFIX)] = {"mean": float(mean), "low": float(v.min()),
                                                  "high": float(v.max()), **({"record": self.notes[name]}
                                                                             if name in self.notes else {})}
        if numbers:
            out["numbers"] = numbers
        return out

    def index_of(self, c: Compiled) -> np.ndarray | int:
        """Type index of each run of `c`, whose per-run `adversary.*` arrays are copies of type rows.

        Identical rows are one type (any of them gives the same policy); a row that is no type's is an error.
        """
        if self.count == 1 or not self.values:
            return 0
        X = np.column_stack([np.broadcast_to(np.asarray(c[n], dtype=float), np.shape(c[self.names[0]]))
                             for n in self.names])
        T = self.matrix()
        distinct = [len(np.unique(T[:, j])) for j in range(T.shape[1])]
        j = int(np.argmax(distinct))
        if distinct[j] == len(np.unique(T, axis=0)):  # one column tells the types apart: sort and search
            order = np.argsort(T[:, j], kind="stable")
            pos = np.clip(np.searchsorted(T[order, j], X[:, j]), 0, self.count - 1)
            idx = order[pos]
        else:
            both = np.unique(np.vstack([T, X]), axis=0, return_inverse=True)[1].ravel()
            first = np.full(both.max() + 1, -1)
            first[both[:self.count][::-1]] = np.arange(self.count)[::-1]
            idx = first[both[self.count:]]
        if np.any(idx < 0) or not np.array_equal(T[idx], X):
            raise ValueError("a run's adversary numbers are not one of the types")
        return idx

    def compiled(self, c: Compiled) -> Compiled:
        """`c` with its per-run type arrays replaced by the K types (for one batched planner solve)."""
        from dataclasses import replace

        other = [k for k, v in c.values.items() if isinstance(v, np.ndarray) and k not in self.values]
        if other:
            raise InputError("the simulator varies only the adversary's types per run", field="--types",
                             fix=f"use exact outcomes (`--exact`) to vary {other[0]}")
        return replace(c, values={**c.values, **self.overrides()})


def point_types(scenario: Scenario) -> Types:
    """Today's single type: every adversary number at its declared value."""
    return Types("point", {}, np.ones(1), settings={"method": "declared values"})


def type_numbers(scenario: Scenario) -> dict[str, object]:
    """The adversary numbers that make a type: those of the scenario's `adversary:` block with a range."""
    return {k: p for k, p in scenario.params().items() if k.startswith(PREFIX) and p.range is not None}


def prior_types(scenario: Scenario, count: int = DEFAULT_TYPE_COUNT) -> Types:
    """K types at fixed scrambled Sobol points, mapped through each number's declared `dist` on its range."""
    check_count(count)
    numbers = type_numbers(scenario)
    if not numbers:
        return point_types(scenario)
    from scipy.stats import qmc

    with warnings.catch_warnings():  # K need not be a power of two (balance is then slightly weaker)
        warnings.simplefilter("ignore", UserWarning)
        U = qmc.Sobol(len(numbers), scramble=True, seed=SOBOL_SEED).random(count)
    values = {k: _ppf(U[:, j], p.low, p.high, p.value, p.dist) for j, (k, p) in enumerate(numbers.items())}
    return Types("prior", values, np.full(count, 1.0 / count),
                 settings={"method": f"scrambled Sobol points (seed {SOBOL_SEED}) on the declared ranges"})


def check_count(count: int) -> None:
    """Refuse a type count outside 1..MAX_TYPE_COUNT (exit 2)."""
    if not 1 <= count <= MAX_TYPE_COUNT:
        raise InputError(f"--type-count must lie in 1..{MAX_TYPE_COUNT}, got {count}", field="--type-count",
                         fix=f"use e.g. {DEFAULT_TYPE_COUNT} (powers of two balance the Sobol points best)")


def check_kind(kind: str) -> str:
    """`point`, `prior` or `posterior` (exit 2 otherwise)."""
    if kind not in KINDS:
        raise InputError(f"unknown --types '{kind}'", field="--types", fix="use prior, posterior or point")
    return kind

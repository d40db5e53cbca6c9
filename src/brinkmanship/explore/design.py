"""Experiment design = samples x strategies, cut into chunks of about `chunk_size` experiment-runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_CHUNK_RUNS = 100_000


@dataclass(frozen=True, order=True)
class Chunk:
    """A unit of work: experiments [start, stop) of one strategy."""

    strategy: str
    start: int
    stop: int

    @property
    def size(self) -> int:
        """Number of experiments in the chunk."""
        return self.stop - self.start


def experiments_per_chunk(runs: int, chunk_size: int = DEFAULT_CHUNK_RUNS) -> int:
    """Experiments per chunk so that a chunk holds about `chunk_size` experiment-runs."""
    return max(1, int(chunk_size) // max(1, int(runs)))


def _runs_of(mask: np.ndarray) -> list[tuple[int, int]]:
    """Contiguous [start, stop) stretches where a boolean mask is True."""
    if not mask.any():
        return []
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def plan_chunks(n_experiments: int, strategies: Sequence[str], runs: int = 1,
                chunk_size: int = DEFAULT_CHUNK_RUNS,
                done: Mapping[str, np.ndarray] | None = None) -> list[Chunk]:
    """Chunks covering every (experiment, strategy) not yet done; `done[s]` is a boolean mask per experiment."""
    step = experiments_per_chunk(runs, chunk_size)
    chunks: list[Chunk] = []
    for s in strategies:
        todo = np.ones(n_experiments, dtype=bool)
        if done is not None and s in done:
            todo &= ~np.asarray(done[s], dtype=bool)
        for a, b in _runs_of(todo):
            chunks.extend(Chunk(s, lo, min(lo + step, b)) for lo in range(a, b, step))
    return chunks

"""Random streams keyed by (seed, stream, run, month, slot): the same run gets the same numbers whatever the
chunking, the worker count, the order, or which other runs are still open.

Every uniform is one Philox4x32-10 output word (`engine.philox`), a pure function of the seed, the stream
key (e.g. the types' tag), the run's index, the month (or the initial and phase-entry words) and the slot
of the draw. A run's numbers depend on nothing else, so a chunk draws only for its open runs and closed
runs draw nothing. Uniforms are float64 multiples of 2^-32. Strategies share streams (common random
numbers), which sharpens comparisons between them. `engine.fused` draws the same numbers in Numba.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from brinkmanship.engine.philox import (
    BELIEF_WORD,
    COERCER_WORD,
    INITIAL_WORD,
    MASK32,
    PHASE_WORD,
    WORD_BITS,
    stream_key,
    uniforms,
)

DEFAULT_BLOCK = 8192  # runs per experiment block of `for_blocks` callers that give none (no effect on numbers)
PHASE_STREAM = PHASE_WORD  # the counter word of the draws of phase entry months (apart from the rest)
BELIEF_STREAM = BELIEF_WORD  # the counter word of the draws that round the target's evidence each month
COERCER_STREAM = COERCER_WORD  # the counter word of a strategic coercer's deadline draws (month by month)


class Streams:
    """Uniform draws for runs [start, stop) of a batch (run r is counter (r mod 2^32, r div 2^32))."""

    def __init__(self, seed: int, start: int, stop: int, k_init: int, k_month: int,
                 block: int = DEFAULT_BLOCK, key: tuple[int, ...] = ()) -> None:
        if stop <= start:
            raise ValueError("empty run range")
        self.start, self.stop, self.block = start, stop, block
        self.k_init, self.k_month = k_init, k_month
        self.seed, self.key = seed, stream_key(seed, key)
        runs = np.arange(start, stop, dtype=np.uint64)
        self.run_lo, self.run_hi = runs & np.uint64(MASK32), runs >> np.uint64(WORD_BITS)
        self._next = 0

    @classmethod
    def for_blocks(cls, seed: int, block_ids: np.ndarray, block: int, k_init: int, k_month: int,
                   key: tuple[int, ...] = (), months: int | None = None) -> Streams:
        """Streams for whole blocks of `block` runs given by id (e.g. one block per experiment), in the order
        given: run j of block b is counter (j, b), so an experiment's numbers do not depend on its batch.
        `months` is accepted for callers that announce the horizon (draws are made month by month)."""
        self = cls.__new__(cls)
        ids = np.asarray(block_ids, dtype=np.uint64)
        self.start, self.stop, self.block = 0, ids.size * block, block
        self.k_init, self.k_month = k_init, k_month
        self.seed, self.key = seed, stream_key(seed, key)
        self.run_lo = np.tile(np.arange(block, dtype=np.uint64), ids.size)
        self.run_hi = np.repeat(ids & np.uint64(MASK32), block)
        self._next = 0
        return self

    @cached_property
    def initial(self) -> np.ndarray:
        """(k_init, runs) each run's initial uniforms (drawn when first read: the fused kernel draws its own)."""
        return self._draw(INITIAL_WORD, self.k_init)

    def _draw(self, word: int, k: int, runs: np.ndarray | None = None) -> np.ndarray:
        lo, hi = (self.run_lo, self.run_hi) if runs is None else (self.run_lo[runs], self.run_hi[runs])
        return uniforms(self.key, lo, hi, word, k)

    def phase_uniforms(self, k: int, stream: int = PHASE_STREAM) -> np.ndarray:
        """(k, runs) uniforms for phase entry months (or another `stream`, e.g. BELIEF_STREAM): the counter word
        `stream`, which no month reaches, so a strategy's phases or learned credibility leave every other draw of
        the run unchanged."""
        return self._draw(stream, k)

    def month_at(self, t: int, runs: np.ndarray | None = None) -> np.ndarray:
        """Month t's uniforms, shape (k_month, runs), for the runs at positions `runs` (all by default)."""
        return self._draw(t, self.k_month, runs)

    def month(self, runs: np.ndarray | None = None) -> np.ndarray:
        """The next month's uniforms (months in order from 0), for the runs at positions `runs` (all)."""
        t = self._next
        self._next += 1
        return self.month_at(t, runs)

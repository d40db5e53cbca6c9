"""Random streams keyed by (seed, block): the same run gets the same numbers whatever the chunking.

Runs are grouped in fixed blocks; block b draws from `SeedSequence(seed, spawn_key=(*key, b))`, first the
run's initial uniforms, then one row of uniforms per month. A chunk that cuts a block redraws the whole
block and keeps its slice. Uniforms are float32 (resolution 2^-24, ample for probabilities; twice as fast), so chunk size changes memory and time, never the numbers. Strategies share
streams (common random numbers), which sharpens comparisons between them.
"""

from __future__ import annotations

import numpy as np

DEFAULT_BLOCK = 8192
PHASE_STREAM = 0x50484153  # extra spawn-key entry of the stream that draws phase entry months (apart from the rest)
BELIEF_STREAM = 0x42454C46  # extra spawn-key entry of the stream that rounds the target's evidence each month


class Streams:
    """Uniform draws for runs [start, stop) of a batch whose runs are grouped in blocks of `block`."""

    def __init__(self, seed: int, start: int, stop: int, k_init: int, k_month: int,
                 block: int = DEFAULT_BLOCK, key: tuple[int, ...] = ()) -> None:
        if stop <= start:
            raise ValueError("empty run range")
        self.start, self.stop, self.block = start, stop, block
        self.k_init, self.k_month = k_init, k_month
        first, last = start // block, (stop - 1) // block
        self._seed, self._keys = seed, [(*key, b) for b in range(first, last + 1)]
        self._gens = [
            np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(*key, b))))
            for b in range(first, last + 1)
        ]
        self._offset = start - first * block
        self.initial = self._draw(k_init)

    @classmethod
    def for_blocks(cls, seed: int, block_ids: np.ndarray, block: int, k_init: int, k_month: int,
                   key: tuple[int, ...] = (), months: int | None = None) -> Streams:
        """Streams for whole blocks given by id (e.g. one block per experiment), in the order given.

        With `months`, each block's numbers for the whole horizon are drawn in one call (the same numbers as
        month by month: a generator fills rows in order), so many small blocks cost one call each.
        """
        self = cls.__new__(cls)
        self.start, self.stop, self.block = 0, len(block_ids) * block, block
        self.k_init, self.k_month = k_init, k_month
        self._seed, self._keys = seed, [(*key, int(b)) for b in block_ids]
        self._gens = [np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=k)))
                      for k in self._keys]
        self._offset = 0
        self._pre = None
        if months is not None:
            rows = k_init + months * k_month
            self._pre = np.concatenate([g.random((rows, block), dtype=np.float32) for g in self._gens], axis=1)
            self._next = k_init
            self.initial = self._pre[:k_init]
        else:
            self.initial = self._draw(k_init)
        return self

    def _draw(self, k: int) -> np.ndarray:
        if len(self._gens) == 1:
            full = self._gens[0].random((k, self.block), dtype=np.float32)
        else:
            full = np.concatenate([g.random((k, self.block), dtype=np.float32) for g in self._gens], axis=1)
        return full[:, self._offset:self._offset + (self.stop - self.start)]

    def phase_uniforms(self, k: int, stream: int = PHASE_STREAM) -> np.ndarray:
        """(k, runs) uniforms for phase entry months (or another `stream`, e.g. BELIEF_STREAM), from a stream
        of their own: a strategy's phases or learned credibility leave every other draw of the run unchanged."""
        gens = [np.random.Generator(np.random.PCG64(np.random.SeedSequence(self._seed, spawn_key=(*key, stream))))
                for key in self._keys]
        full = np.concatenate([g.random((k, self.block), dtype=np.float32) for g in gens], axis=1)
        return full[:, self._offset:self._offset + (self.stop - self.start)]

    def month(self) -> np.ndarray:
        """The next month's uniforms, shape (k_month, runs): slot first; call once per month in order."""
        if getattr(self, "_pre", None) is not None:
            rows = self._pre[self._next:self._next + self.k_month]
            self._next += self.k_month
            return rows
        return self._draw(self.k_month)

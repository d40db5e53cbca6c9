"""Philox4x32-10, a counter-based random number generator (Salmon, Moraes, Dror and Shaw, "Parallel random
numbers: as easy as 1, 2, 3", SC 2011), vectorised with NumPy.

A draw is a pure function of a 64-bit key (the seed and the stream) and a 128-bit counter (the run, the
month and the draw slot), so any run's numbers depend on nothing else: not on the chunk, the worker, the
order, nor on which other runs are still open. `engine.fused` implements the same rounds in Numba; both
give the same bits (tests pin both to the published known-answer vectors).

The counter of slot s of run r in month t is (r mod 2^32, r div 2^32, t, s div 4) and the draw is word
s mod 4 of the output block; the run's initial draws and its phase-entry draws use the month words
INITIAL_WORD and PHASE_WORD (and the evidence rounding BELIEF_WORD, a strategic coercer's deadlines COERCER_WORD),
which no month reaches.
"""

from __future__ import annotations

import numpy as np

# Philox4x32 constants (Salmon et al. 2011, table 2): round multipliers and the Weyl key increments
PHILOX_M0 = 0xD2511F53
PHILOX_M1 = 0xCD9E8D57
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
PHILOX_ROUNDS = 10
WORDS = 4  # 32-bit words per output block
KEY_WORDS = 2  # 32-bit words of the key
MASK32 = 0xFFFFFFFF
WORD_BITS = 32
TO_UNIT = 2.0 ** -WORD_BITS  # a 32-bit word to a uniform in [0, 1) (exact in float64)
INITIAL_WORD = 0xFFFFFFFF  # month word of a run's initial draws
PHASE_WORD = 0xFFFFFFFE  # month word of a run's phase-entry draws
BELIEF_WORD = 0xFFFFFFFD  # month word of the draws that round a run's evidence (learned credibility)
COERCER_WORD = 0xFFFFFFFC  # month word of the draws of a strategic coercer's deadlines (their monthly hazard)


def stream_key(seed: int, key: tuple[int, ...] = ()) -> tuple[int, int]:
    """The 64-bit Philox key of (seed, stream key), as two 32-bit words (NumPy's SeedSequence hash)."""
    words = np.random.SeedSequence(seed, spawn_key=key).generate_state(KEY_WORDS, np.uint32)
    return int(words[0]), int(words[1])


def philox4x32(c0: np.ndarray, c1: np.ndarray, c2: np.ndarray, c3: np.ndarray,
               k0: int, k1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Philox4x32-10 of counters (c0, c1, c2, c3) under key (k0, k1): four uint64 arrays of 32-bit words."""
    m = np.uint64(MASK32)
    x0, x1, x2, x3 = (np.asarray(v, dtype=np.uint64) & m for v in (c0, c1, c2, c3))
    x0, x1, x2, x3 = np.broadcast_arrays(x0, x1, x2, x3)
    key0, key1 = k0 & MASK32, k1 & MASK32
    for r in range(PHILOX_ROUNDS):
        if r:
            key0, key1 = (key0 + PHILOX_W0) & MASK32, (key1 + PHILOX_W1) & MASK32
        p0 = x0 * np.uint64(PHILOX_M0)
        p1 = x2 * np.uint64(PHILOX_M1)
        x0, x1, x2, x3 = ((p1 >> np.uint64(WORD_BITS)) ^ x1 ^ np.uint64(key0), p1 & m,
                          (p0 >> np.uint64(WORD_BITS)) ^ x3 ^ np.uint64(key1), p0 & m)
    return x0, x1, x2, x3


def uniforms(key: tuple[int, int], run_lo: np.ndarray, run_hi: np.ndarray | int, word: int, k: int) -> np.ndarray:
    """(k, runs) float64 uniforms in [0, 1) of slots 0..k-1 of the given runs at month word `word`."""
    run_lo = np.asarray(run_lo, dtype=np.uint64)
    out = np.empty((k, run_lo.shape[0]))
    for block in range((k + WORDS - 1) // WORDS):
        words = philox4x32(run_lo, run_hi, word, block, *key)
        for lane in range(min(WORDS, k - block * WORDS)):
            np.multiply(words[lane], TO_UNIT, out=out[block * WORDS + lane], casting="unsafe")
    return out

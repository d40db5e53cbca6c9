"""Counter-based random streams keyed by (seed, strategy, experiment id): vectorised and chunk-independent.

A stream never depends on the batch, chunk or worker that evaluates an experiment, which is what makes
results bit-identical across runners.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser on uint64 arrays (wrapping arithmetic): a strong bijective mixer."""
    z = np.asarray(x, dtype=np.uint64) + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def name_key(name: str) -> int:
    """A stable 64-bit key for a name (strategy), independent of Python's hash randomisation."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little")


def experiment_keys(seed: int, strategy: str, experiment_ids: np.ndarray) -> np.ndarray:
    """One 64-bit key per experiment, a function of (seed, strategy, experiment id) only."""
    base = splitmix64(np.array([int(seed) & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
    base = splitmix64(base ^ np.uint64(name_key(strategy)))
    ids = np.asarray(experiment_ids, dtype=np.uint64)
    return splitmix64(base ^ splitmix64(ids))


def keyed_uniforms(seed: int, strategy: str, experiment_ids: np.ndarray, draws: int) -> np.ndarray:
    """Uniform [0, 1) numbers of shape (n_experiments, draws), row i keyed by experiment_ids[i]."""
    keys = experiment_keys(seed, strategy, experiment_ids)[:, None]
    counters = np.arange(1, draws + 1, dtype=np.uint64)[None, :] * _GOLDEN
    bits = splitmix64(keys + counters)
    return (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

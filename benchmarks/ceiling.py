"""The simulator's ceiling: a NumPy kernel touching the same arrays with the same random numbers and no logic.

For each chunk of runs it draws the engine's own uniform streams (same seed, same slots, same blocks) and,
every month, reads all of that month's uniforms once and updates each per-run state array of the engine
(phase, arsenal, tests, talks, target lists, strikes by class, deaths, detonations, ladder rung, month
resolved, flags, quiet months) with one vectorised operation, over every run (no compaction, no decisions).
No simulator doing the model's work with NumPy over the same arrays can beat it by much: the ratio
ours / ceiling says how much of the memory-and-random-numbers budget the model's logic costs.
"""

from __future__ import annotations

import numpy as np

from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.simulate import DEFAULT_CHUNK, stream_sizes
from brinkmanship.engine.streams import Streams


def ceiling_kernel(scenario, strategy, runs: int, seed: int, chunk_size: int = DEFAULT_CHUNK) -> float:
    """Touch the engine's per-run arrays every month with the engine's random numbers; returns a checksum."""
    c = compile_model(scenario, strategy)
    k_init, k_month = stream_sizes(c)
    check = 0.0
    for start in range(0, runs, chunk_size):
        stop = min(runs, start + chunk_size)
        n = stop - start
        s = Streams(seed, start, stop, k_init, k_month)
        phase = np.zeros(n, dtype=np.int8)
        warheads = np.zeros(n) + s.initial.sum(axis=0)
        tests = np.zeros(n, dtype=np.int64)
        talks_idx = np.zeros(n, dtype=np.int64)
        lists = np.repeat(c.list_sizes[:, :, None], n, axis=2)
        by_class = np.zeros((4, n), dtype=np.int64)
        deaths_mil, deaths_civ, detonations = np.zeros(n), np.zeros(n), np.zeros(n)
        rung = np.ones(n, dtype=np.int8)
        month_resolved = np.full(n, -1, dtype=np.int16)
        invaded = np.zeros(n, dtype=bool)
        preventive = np.zeros(n, dtype=bool)
        quiet = np.zeros(n, dtype=np.int16)
        for _ in range(c.horizon):
            u = s.month().sum(axis=0)  # every uniform of the month, read once
            flag = u < 0.5
            warheads += u
            deaths_mil += u
            deaths_civ += u
            detonations += u
            tests += flag
            talks_idx += flag
            phase ^= flag
            rung |= flag
            month_resolved += flag
            quiet += flag
            invaded ^= flag
            preventive ^= flag
            by_class += flag
            lists -= flag
        check += float(warheads.sum() + deaths_civ[0] + tests[0] + lists.sum() + by_class.sum() + invaded.sum()
                       + preventive.sum() + quiet.sum() + phase.sum() + rung.sum() + month_resolved.sum()
                       + talks_idx.sum() + deaths_mil[0] + detonations[0])
    return check

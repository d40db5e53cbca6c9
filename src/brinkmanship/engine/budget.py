"""Work and memory estimates of the simulator: a request is refused before it starts when it would not fit.
These numbers decide only whether a simulation runs, never what it returns."""

from __future__ import annotations

from brinkmanship.engine.chunk import WARHEAD_BINS
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import N_ACTIONS, OUTCOMES
from brinkmanship.engine.simulate import stream_sizes

# bytes per run while a chunk is simulated: the state and outcome arrays, the month's uniforms and the
# step's temporaries (measured peak about 0.75 kB per run on korea-2017, either adversary; doubled for
# margin), and per run kept in the result (the outcome arrays, 62 bytes)
CHUNK_BYTES_PER_RUN = 1_500
RESULT_BYTES_PER_RUN = 80


def simulation_memory(c: Compiled, runs: int, chunk_size: int, whole_horizon: bool = False) -> float:
    """Upper estimate of the bytes `simulate` needs: the kept outcomes plus one chunk's working set.

    `whole_horizon`: the chunk's uniforms are drawn for every month at once (experiments' streams).
    """
    k_init, k_month = stream_sizes(c)
    per_run = (CHUNK_BYTES_PER_RUN + 4 * (k_init + k_month * (c.horizon if whole_horizon else 1))
               + 8 * c.list_sizes.size)
    fixed = 3 * 8 * (c.horizon + 1) * (WARHEAD_BINS + N_ACTIONS + len(OUTCOMES))  # the monthly tallies
    return float(runs) * RESULT_BYTES_PER_RUN + float(min(runs, chunk_size)) * per_run + fixed

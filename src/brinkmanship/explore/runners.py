"""Runners: evaluate chunks in-process, in a process pool, or on Dask; results stream back as they finish.

Every runner calls the same `evaluate_chunk`, and an experiment's random stream is keyed by
(seed, experiment id, strategy), so results do not depend on the runner, worker count or chunk size.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.design import Chunk


@dataclass
class ChunkTask:
    """Everything a worker needs for one chunk: the model reference, the chunk and its sampled inputs."""

    model: Any
    chunk: Chunk
    inputs: dict[str, np.ndarray]
    runs: int
    seed: int
    common_stream: bool = False  # every experiment uses experiment 0's random stream (for sensitivity designs)


@dataclass
class ChunkResult:
    """Outcome arrays of one chunk, in experiment-id order, and the seconds spent computing them."""

    chunk: Chunk
    outputs: dict[str, np.ndarray]
    seconds: float


def evaluate_chunk(task: ChunkTask) -> ChunkResult:
    """Run the model on one chunk (the function every runner executes)."""
    t0 = time.perf_counter()
    ids = np.arange(task.chunk.start, task.chunk.stop, dtype=np.int64)
    keys = np.zeros_like(ids) if task.common_stream else ids
    out = task.model.evaluate(task.chunk.strategy, task.inputs, keys, task.runs, task.seed)
    clean: dict[str, np.ndarray] = {}
    for name in task.model.outcome_names:
        arr = np.asarray(out[name], dtype=np.float64)
        if arr.shape != ids.shape:
            raise ValueError(f"model returned shape {arr.shape} for outcome '{name}', expected {ids.shape}")
        clean[name] = arr
    return ChunkResult(task.chunk, clean, time.perf_counter() - t0)


class InProcessRunner:
    """Evaluate chunks one after another in this process (the default)."""

    description = "in-process"

    def __enter__(self) -> InProcessRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield results in task order."""
        for task in tasks:
            yield evaluate_chunk(task)


class ProcessRunner:
    """A pool of N worker processes started with an explicit spawn/forkserver context (never the global one)."""

    def __init__(self, workers: int, start_method: str = "spawn") -> None:
        if workers < 1:
            raise InputError(f"--workers must be at least 1, got {workers}", field="--workers", fix="use --workers 2")
        self.workers = workers
        self.start_method = start_method
        self.description = f"{workers} processes ({start_method})"
        self._pool: Any = None

    def __enter__(self) -> ProcessRunner:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from brinkmanship.explore.lifeline import exit_with_parent

        ctx = multiprocessing.get_context(self.start_method)
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=exit_with_parent,
                                         initargs=(os.getpid(),))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield results as they complete, keeping at most 2 tasks per worker in flight."""
        from concurrent.futures import FIRST_COMPLETED, wait

        it = iter(tasks)
        pending: set[Any] = set()
        limit = 2 * self.workers
        while True:
            while len(pending) < limit:
                task = next(it, None)
                if task is None:
                    break
                pending.add(self._pool.submit(evaluate_chunk, task))
            if not pending:
                return
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut.result()


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise InputError("Dask is not installed", field="--scheduler/--dask-local",
                         fix="pip install 'brinkmanship[dask]' (dask[distributed]), or use --workers N") from exc
    return distributed


class DaskRunner:
    """Chunks as Dask tasks on an existing scheduler (`tcp://host:port`) or on a LocalCluster of N workers."""

    def __init__(self, scheduler: str | None = None, local_workers: int | None = None,
                 connect_timeout: float = 10.0) -> None:
        if (scheduler is None) == (local_workers is None):
            raise InputError("give exactly one of --scheduler and --dask-local", field="--scheduler")
        if local_workers is not None and local_workers < 1:
            raise InputError(f"--dask-local must be at least 1, got {local_workers}", field="--dask-local",
                             fix="use --dask-local 2")
        self.scheduler = scheduler
        self.local_workers = local_workers
        self.connect_timeout = connect_timeout
        self.description = (f"Dask scheduler {scheduler}" if scheduler
                            else f"Dask LocalCluster ({local_workers} workers)")
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskRunner:
        distributed = _import_distributed()
        if self.scheduler is not None:
            try:
                self._client = distributed.Client(self.scheduler, timeout=f"{self.connect_timeout}s")
            except (OSError, TimeoutError) as exc:
                raise InputError(f"cannot reach the Dask scheduler at {self.scheduler} ({exc})", field="--scheduler",
                                 fix="start it with `dask scheduler` or check the address") from exc
        else:
            self._cluster = distributed.LocalCluster(
                n_workers=self.local_workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=40,
            )
            self._client = distributed.Client(self._cluster)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def map(self, tasks: Iterable[ChunkTask]) -> Iterator[ChunkResult]:
        """Yield results as they complete, keeping about 2 tasks per worker thread in flight."""
        distributed = _import_distributed()
        threads = max(1, sum(self._client.nthreads().values()))
        it = iter(tasks)
        ac = distributed.as_completed()
        inflight = 0
        for task in it:
            ac.add(self._client.submit(evaluate_chunk, task, pure=False))
            inflight += 1
            if inflight >= 2 * threads:
                break
        for fut in ac:
            res = fut.result()
            fut.release()
            task = next(it, None)
            if task is not None:
                ac.add(self._client.submit(evaluate_chunk, task, pure=False))
            yield res


def make_runner(workers: int | None = None, dask_local: int | None = None,
                scheduler: str | None = None) -> InProcessRunner | ProcessRunner | DaskRunner:
    """The runner the options ask for (at most one of them); in-process when none."""
    given = [x is not None for x in (workers, dask_local, scheduler)]
    if sum(given) > 1:
        raise InputError("--workers, --dask-local and --scheduler exclude one another", field="--workers",
                         fix="choose one way to run")
    if scheduler is not None:
        return DaskRunner(scheduler=scheduler)
    if dask_local is not None:
        return DaskRunner(local_workers=dask_local)
    if workers is not None and workers > 1:
        return ProcessRunner(workers)
    return InProcessRunner()


def slice_inputs(inputs: Mapping[str, np.ndarray], chunk: Chunk) -> dict[str, np.ndarray]:
    """The sampled inputs of one chunk's experiments (copies, so a task pickles only its slice)."""
    return {k: np.ascontiguousarray(v[chunk.start:chunk.stop]) for k, v in inputs.items()}

"""Models that an exploration evaluates: the crisis engine (by reference) or the built-in toy.

A model is a small picklable object: workers receive the reference and load the scenario themselves,
once per process.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.parameters import Direction, Outcome, Uncertainty, as_parameters

if TYPE_CHECKING:
    from brinkmanship.engine.decision import Adversary


class Model(Protocol):
    """What the exploration machinery needs from a model."""

    name: str
    outcomes: tuple[Outcome, ...]
    outcome_names: tuple[str, ...]

    def parameters(self) -> list[Uncertainty]: ...
    def strategy_names(self) -> list[str]: ...
    def scenario_hash(self) -> str: ...
    def strategy_hash(self, strategy: str) -> str: ...
    def evaluate(self, strategy: str, overrides: Mapping[str, np.ndarray], experiment_ids: np.ndarray,
                 runs: int, seed: int) -> dict[str, np.ndarray]: ...


# scenario and strategies loaded once per process (workers unpickle a fresh EngineModel for every task)
_LOADED: dict[tuple[str, tuple[str, ...] | None], dict[str, Any]] = {}

_MAX, _MIN = Direction.MAXIMISE, Direction.MINIMISE
# what the crisis models (the engine and the toy) report per experiment, and which way each is better
CRISIS_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("denuclearisation", _MAX, "share of runs in a deal that holds at the horizon"),
    Outcome("freeze", _MAX, "share of runs in a freeze that holds at the horizon (the arsenal kept)"),
    Outcome("buildup", _MIN, "share of runs still building up at the horizon"),
    Outcome("limited_conflict", _MIN, "share of runs ending in limited conflict"),
    Outcome("major_war", _MIN, "share of runs ending in major war"),
    Outcome("nuclear_war", _MIN, "share of runs ending in nuclear use"),
    Outcome("deaths_mean", _MIN, "mean deaths per run"),
    Outcome("deaths_p95", _MIN, "95th percentile of deaths"),
    Outcome("warheads_mean", _MIN, "mean warheads at the horizon"),
    Outcome("civilian_strikes_mean", _MIN, "mean strikes on population centres per run"),
)
ENGINE_OUTCOMES: tuple[str, ...] = tuple(o.name for o in CRISIS_OUTCOMES)
# a planner sample counts as this many experiment-runs in a chunk: 1,000 samples in a default chunk
EXACT_RUNS_PER_SAMPLE = 100


def declared_outcomes(names: Sequence[str]) -> list[Outcome]:
    """The declared outcome (with its direction) of each name a store holds."""
    declared = {o.name: o for o in CRISIS_OUTCOMES}
    unknown = [n for n in names if n not in declared]
    if unknown:
        raise InputError(f"outcome(s) {', '.join(unknown)} are not declared by any model", field="outcomes",
                         fix="write the store with `brink explore`")
    return [declared[n] for n in names]


class EngineModel:
    """The crisis simulator (`brinkmanship.engine.experiments`) for one scenario and adversary model."""

    outcomes: tuple[Outcome, ...] = CRISIS_OUTCOMES
    outcome_names: tuple[str, ...] = ENGINE_OUTCOMES

    def __init__(self, scenario: str, adversary: Adversary | str = "base-rate",
                 strategies: Sequence[str] | None = None, kernel: str = "fused") -> None:
        self.scenario_ref = str(scenario)
        self.adversary = _adversary(adversary)
        self.kernel = kernel  # the simulator's kernel (fused or numpy): the same numbers either way
        self._strategy_refs = list(strategies) if strategies else None
        self._cache: dict[str, Any] | None = None
        self.name = self.scenario_ref

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_cache"] = None  # workers reload from the reference
        return state

    def _loaded(self) -> dict[str, Any]:
        if self._cache is None:
            key = (self.scenario_ref, tuple(self._strategy_refs) if self._strategy_refs else None)
            if key not in _LOADED:
                from brinkmanship.spec import load_scenario, load_strategy, packaged_strategies

                scenario = load_scenario(self.scenario_ref)
                if self._strategy_refs is None:
                    strategies = list(packaged_strategies(scenario))
                else:
                    strategies = [load_strategy(s, scenario) for s in self._strategy_refs]
                _LOADED[key] = {"scenario": scenario, "strategies": {s.name: s for s in strategies}}
            self._cache = _LOADED[key]
        return self._cache

    @property
    def scenario(self) -> Any:
        """The loaded scenario object."""
        return self._loaded()["scenario"]

    def parameters(self) -> list[Uncertainty]:
        """Every scenario parameter with a range (the scenario's uncertainties)."""
        items = [Uncertainty(name, p.low, p.high, "real", str(p.source or "assumption"))
                 for name, p in self.scenario.params().items() if p.uncertain]
        return as_parameters(items)

    def strategy_names(self) -> list[str]:
        """Names of the strategies this model evaluates."""
        return list(self._loaded()["strategies"])

    def _strategy(self, name: str) -> Any:
        strategies = self._loaded()["strategies"]
        if name not in strategies:
            raise InputError(f"unknown strategy '{name}' for scenario '{self.scenario_ref}'", field="--strategies",
                             fix=f"use some of: {', '.join(strategies)}")
        return strategies[name]

    def scenario_hash(self) -> str:
        """Content hash of the validated scenario."""
        from brinkmanship.spec import content_hash

        return content_hash(self.scenario)

    def strategy_hash(self, strategy: str) -> str:
        """Content hash of one validated strategy."""
        from brinkmanship.spec import content_hash

        return content_hash(self._strategy(strategy))

    @property
    def exact(self) -> bool:
        """Whether experiments are solved exactly (a planner adversary: no runs) rather than simulated."""
        return self.adversary.kind != "base-rate"

    def runs_per_experiment(self, runs: int) -> int:
        """What one experiment counts for in a chunk's size (`--chunk-size` experiment-runs): its runs when
        simulated; a planner sample, which has no runs, counts as `EXACT_RUNS_PER_SAMPLE`, so that a strategy's
        samples are cut into many chunks (workers and Dask share them; a kill loses at most one chunk)."""
        return EXACT_RUNS_PER_SAMPLE if self.exact else runs

    def chunk_memory(self, strategy: str, n_experiments: int, runs: int) -> float:
        """Upper estimate of the bytes one chunk of `n_experiments` x `runs` needs; refuses (exit 2) a planner
        beyond its branch limit or a strategy the planner does not cover, before any chunk runs."""
        from brinkmanship.engine.compiled import compile_model

        c = compile_model(self.scenario, self._strategy(strategy))
        overrides = 8.0 * len(self.parameters()) * n_experiments
        if self.adversary.kind == "base-rate":
            from brinkmanship.engine.budget import simulation_memory

            return overrides * runs + simulation_memory(c, n_experiments * runs, n_experiments * runs, True)
        from brinkmanship.adversary.budget import check_planner, planner_memory
        from brinkmanship.adversary.grid import Grid
        from brinkmanship.engine.experiments import exact_block

        check_planner(c, 1, max_memory=2**62)  # structure and branch limits (memory is judged by the caller)
        return overrides + planner_memory(c, min(n_experiments, exact_block(Grid.of(c).size)))

    def evaluate(self, strategy: str, overrides: Mapping[str, np.ndarray], experiment_ids: np.ndarray,
                 runs: int, seed: int) -> dict[str, np.ndarray]:
        """Delegate to `engine.experiments.evaluate_experiments` (vectorised over the experiments)."""
        from brinkmanship.engine.experiments import evaluate_experiments

        _adversary(self.adversary)  # a worker process registers the decision models before it evaluates
        out = evaluate_experiments(self.scenario, self._strategy(strategy), dict(overrides),
                                   np.asarray(experiment_ids, dtype=np.int64), runs, seed, adversary=self.adversary,
                                   kernel=getattr(self, "kernel", "fused"))
        return {k: np.asarray(out[k], dtype=np.float64) for k in self.outcome_names}


def _adversary(adversary: Adversary | str) -> Adversary:
    """The typed adversary, with the packaged decision models registered (the adversary package registers them)."""
    import brinkmanship.adversary  # noqa: F401
    from brinkmanship.engine.decision import Adversary

    return Adversary.parse(adversary)


def resolve_model(scenario: str, adversary: Adversary | str = "base-rate",
                  strategies: Sequence[str] | None = None, kernel: str = "fused") -> Model:
    """`toy:crisis` gives the built-in toy model; anything else names a scenario for the crisis engine.

    `strategies` (names or files) restricts the model to those strategies, in that order; `kernel` picks the
    simulator's kernel (`fused` where it applies, or the `numpy` reference).
    """
    if scenario.startswith("toy:"):
        from brinkmanship.explore.toymodel import ToyCrisisModel

        if scenario != "toy:crisis":
            raise InputError(f"unknown toy model '{scenario}'", field="SCENARIO", fix="use toy:crisis")
        return ToyCrisisModel(strategies)
    return EngineModel(scenario, adversary, strategies, kernel)

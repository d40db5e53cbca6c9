"""The verbs of the Python API: the same as the CLI's, returning result objects instead of printing.

Each function loads what it is given (a packaged name, a file path or an already loaded model), runs the
same code the `brink` command runs, and returns a result that records how it was made.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brinkmanship._api.progress import progress_bar
from brinkmanship._api.results import (
    Audit,
    Backtest,
    Comparison,
    Explanation,
    Provenance,
    Sensitivity,
    Solution,
)

if TYPE_CHECKING:
    import pandas as pd

    from brinkmanship.adversary.types import Types
    from brinkmanship.engine import SimulationResult
    from brinkmanship.engine.decision import Adversary
    from brinkmanship.spec import Scenario, Strategy

DEFAULT_RUNS = 100_000
DEFAULT_CHUNK = 50_000


def load_scenario(scenario: str | Path | Scenario) -> Scenario:
    """A validated scenario by packaged name (`korea-2017`) or YAML file; a `Scenario` passes through.

    Examples:
        >>> sc = bk.load_scenario("korea-2017")
        >>> sc.start.isoformat(), sc.horizon_months
        ('2017-09-24', 36)
    """
    from brinkmanship.spec import Scenario
    from brinkmanship.spec import load_scenario as _load

    return scenario if isinstance(scenario, Scenario) else _load(scenario)


def load_strategy(strategy: str | Path | Strategy, scenario: str | Path | Scenario | None = None) -> Strategy:
    """A validated strategy by packaged name or YAML file, its deadlines checked against `scenario` if given.

    Examples:
        >>> st = bk.load_strategy("let-deterrence-fail", "korea-2017")
        >>> st.levers.posture.target.value < 1
        True
    """
    from brinkmanship.spec import Strategy
    from brinkmanship.spec import load_strategy as _load
    from brinkmanship.spec.loader import check_dates

    sc = load_scenario(scenario) if scenario is not None else None
    if isinstance(strategy, Strategy):
        if sc is not None:
            check_dates(strategy, sc)
        return strategy
    return _load(strategy, sc)


def _strategies(sc: Scenario, strategies: Sequence[str | Path | Strategy] | str | Path | None) -> list[Strategy]:
    from brinkmanship.spec import packaged_strategies

    if strategies is None:
        return packaged_strategies(sc)
    if isinstance(strategies, str | Path):
        strategies = [strategies]
    return [load_strategy(s, sc) for s in strategies]


def parse_adversary(adversary: str | Adversary) -> Adversary:
    """The typed adversary (`rational`, `base-rate`, `logit:<lambda>`), with the planner's models registered."""
    import brinkmanship.adversary  # noqa: F401  registers the planner decision models
    from brinkmanship.engine.decision import Adversary

    return Adversary.parse(adversary)


def _memory(max_memory: int | str | None) -> int | None:
    """A memory limit in bytes from `4G`-style text or a byte count; None keeps the package default."""
    from brinkmanship.limits import parse_memory

    return None if max_memory is None else parse_memory(max_memory)


def _typed_model(adversary: Adversary, types: Types | None, kernel: str = "fused") -> Any:
    """The decision model of `adversary`, over `types` when given (a planner target; its solves keep the fused
    kernel's tables, or the values the NumPy reference reads with `kernel` numpy)."""
    from brinkmanship.engine.decision import get_decision_model

    model = get_decision_model(adversary)
    if types is not None and not types.is_point:
        model = model.with_types(types, tabulate=kernel != "numpy")
    return model


def check_simulations(sc: Scenario, strategies: list[Strategy], runs: int, chunk_size: int, adversary: Adversary,
                      max_memory: int | None, types: Types | None = None, kernel: str = "fused") -> None:
    """Refuse (exit 2), before the first run, simulations whose kept results or working set would not fit."""
    from brinkmanship.engine.budget import RESULT_BYTES_PER_RUN, simulation_memory
    from brinkmanship.engine.compiled import compile_model
    from brinkmanship.limits import check_memory

    model = _typed_model(adversary, types, kernel)
    check_budget = getattr(model, "check_budget", None)
    need = 0.0
    for s in strategies:
        c = compile_model(sc, s)
        need = max(need, simulation_memory(c, runs, chunk_size))
        if check_budget is not None:
            check_budget(c, max_memory)
    need += (len(strategies) - 1) * float(runs) * RESULT_BYTES_PER_RUN  # every strategy's results are kept
    check_memory(need, max_memory, f"simulating {runs:,} runs x {len(strategies)} strategies",
                 "use fewer --runs or a smaller --chunk-size", field="--runs")


def simulate_strategies(sc: Scenario, strategies: list[Strategy], runs: int, seed: int,
                        adversary: str | Adversary, chunk_size: int = DEFAULT_CHUNK, progress: bool = True,
                        console: Any = None, max_memory: int | None = None,
                        types: Types | None = None, model: Any = None,
                        per_strategy: dict[str, dict[str, float]] | None = None,
                        kernel: str = "fused") -> list[SimulationResult]:
    """Simulate each strategy against one decision model, with a progress bar per strategy, after checking
    that the work fits `max_memory` (bytes; default the package limit).

    With `types` (not the point type) each run draws its type from its own stream (`Types.draw`); the runs'
    type indices are kept in each result's `extra["type_index"]`. `model`: that typed decision model, when
    the caller reuses its solutions. `per_strategy`: parameter overrides per strategy name (a strategic
    coercer's execution probabilities and the target's beliefs). `kernel`: `fused` (the compiled simulator where
    it implements the model, else the NumPy reference; each result's `extra["kernel"]` says which ran) or
    `numpy`; the same numbers either way.
    """
    from brinkmanship.engine import simulate

    adversary = parse_adversary(adversary)
    check_simulations(sc, strategies, runs, chunk_size, adversary, max_memory, types, kernel)
    model = model if model is not None else _typed_model(adversary, types, kernel)
    typed = types is not None and not types.is_point
    index = types.draw(seed, runs) if typed else None
    overrides = types.per_run(index) if typed else None
    results = []
    with progress_bar(progress, console) as bar:
        advances = [bar.add(s.name, runs) for s in strategies]
        for s, advance in zip(strategies, advances, strict=True):
            extra = (per_strategy or {}).get(s.name, {})
            ov = {**overrides, **extra} if overrides and extra else (overrides or extra or None)
            res = simulate(sc, s, runs=runs, seed=seed, adversary=model, chunk_size=chunk_size,
                           overrides=ov, progress=advance, max_memory=max_memory, kernel=kernel)
            if typed:
                res.extra["type_index"] = index
            results.append(res)
    return results


def compare(scenario: str | Path | Scenario, strategies: Sequence[str | Path | Strategy] | None = None, *,
            runs: int = DEFAULT_RUNS, seed: int = 0, adversary: str | Adversary = "rational", exact: bool = False,
            chunk_size: int = DEFAULT_CHUNK, progress: bool = True, max_memory: int | str | None = None,
            types: str | Types | None = None, type_count: int | None = None,
            credibility_sweep: int | None = None, coercer: str = "committed", kernel: str = "fused") -> Comparison:
    """Simulate strategies side by side (default: all of the scenario's) as `brink compare` does.

    `coercer`: `committed` (the file as written) or `strategic` (carrying out each rule and deadline is the
    coercer's decision, in equilibrium with the target's belief; outcomes are then exact, per type, and the
    JSON carries `coercer`: per strategy the threats' equilibrium probabilities and verdicts, and the
    iteration's convergence; the sampled runs play the equilibrium: the coercer decides at each run's state
    and the target learns from what it sees, as the exact propagation assumes).

    `kernel`: the simulator's kernel, as in `simulate_strategies`.
    `exact` replaces the sampled outcome shares by exactly propagated probabilities. `types` (a planner
    target): `prior` (the default: K = `type_count` quasi-random draws of the adversary's numbers from their
    declared ranges), `posterior` (those types weighted by the 2016-2017 record) or `point` (the declared
    values: one type). With types, each run draws a type; exact outcomes are the mixture over the K types,
    with the type-sampling error (`type_se`) apart from the Monte Carlo error, and each strategy gets
    `what_decides`: the type numbers that most move its outcome. With learned credibility each strategy has
    its belief path (`credibility`: the open runs' mean credibility per month); `credibility_sweep` (a
    number of points) adds `credibility_sweep`: the ranking over a common prior credibility in [0, 1] and
    the prior at which each strategy's rank changes (exact, point type).
    Work estimated above `max_memory` (`4G`-style or bytes; default the package limit) is refused first.

    Examples:
        >>> c = bk.compare("korea-2017", ["maximum-pressure", "engagement"], runs=2000, seed=7,
        ...             adversary="base-rate", progress=False)
        >>> sorted(c.to_frame()["strategy"].unique())
        ['engagement', 'maximum-pressure']
        >>> c.to_frame().groupby("strategy")["p"].sum().round(6).tolist()
        [1.0, 1.0]
        >>> c.provenance.runs, c.provenance.seed, c.provenance.adversary
        (2000, 7, 'base-rate')
    """
    from brinkmanship._api.typed import add_types, exact_mixture_parts, resolve_types, sampled_by_type
    from brinkmanship.engine import compare as summarise

    sc = load_scenario(scenario)
    sts = _strategies(sc, strategies)
    adversary, memory = parse_adversary(adversary), _memory(max_memory)
    typeset = resolve_types(sc, adversary, types, type_count)
    from brinkmanship._api.coercer import check_coercer

    strategic = check_coercer(coercer, adversary) == "strategic"
    exact = exact or strategic
    model = _typed_model(adversary, typeset, kernel)
    if exact and adversary.kind != "base-rate":
        from brinkmanship.adversary.budget import check_planner
        from brinkmanship.engine.compiled import compile_model

        for s in sts:  # a committed coercer's many-type solve keeps the kernel's tables instead of values
            c = compile_model(sc, s)
            check_planner(c, typeset.count, memory, tables=None if strategic else model.tables_share(c))
    equilibria, weights = {}, (None if typeset.is_point else typeset.weights)
    if strategic:  # each strategy's runs play its equilibrium: the coercer's decisions per state, beliefs learned
        from brinkmanship._api.coercer import (
            execution_by_level,
            mean_overrides,
            play_fits,
            solve_equilibrium,
            strategic_model,
        )

        equilibria = {s.name: solve_equilibrium(sc, s, adversary, typeset) for s in sts}
        results, by_level, sampled = [], {}, {}
        for s in sts:
            play = strategic_model(equilibria[s.name], typeset, adversary)
            if play_fits(sc, s, play, memory):
                results += simulate_strategies(sc, [s], runs, seed, adversary, chunk_size, progress,
                                               max_memory=memory, types=play.types, model=play, kernel=kernel)
                by_level[s.name] = execution_by_level(sc, s, play)
                sampled[s.name] = "the equilibrium played (decisions per state, beliefs learned)"
            else:  # a gap, said in the JSON: the exact outcomes are the equilibrium's whatever the runs do
                over = {s.name: mean_overrides(equilibria[s.name], weights)}
                results += simulate_strategies(sc, [s], runs, seed, adversary, chunk_size, progress,
                                               max_memory=memory, types=typeset, model=model, per_strategy=over,
                                               kernel=kernel)
                sampled[s.name] = (f"type-weighted execution probabilities, nothing learned: the {play.types.count} "
                                   "play types (a mixing type plays its two pure answers) exceed the memory limit")
    else:
        results = simulate_strategies(sc, sts, runs, seed, adversary, chunk_size, progress, max_memory=memory,
                                      types=typeset, model=model, kernel=kernel)
    exact_probs = None
    unproven: dict | None = None  # per strategy, each outcome's probability reached with delivery not proven
    per_type: dict = {}
    per_type_unproven: dict = {}
    run_share: dict | None = None
    if strategic:
        from brinkmanship.engine.constants import OUTCOMES

        per_type = {k: e.outcomes for k, e in equilibria.items()}
        exact_probs = {k: dict(zip(OUTCOMES, typeset.mixture(v)[0], strict=True)) for k, v in per_type.items()}
    elif exact and not typeset.is_point:
        from brinkmanship.engine.constants import OUTCOMES

        parts = {s.name: exact_mixture_parts(sc, s, adversary, typeset, seed, model) for s in sts}
        per_type = {k: v[0] for k, v in parts.items()}
        per_type_unproven = {k: v[1] for k, v in parts.items()}
        exact_probs = {k: dict(zip(OUTCOMES, typeset.mixture(v)[0], strict=True)) for k, v in per_type.items()}
        unproven = {k: dict(zip(OUTCOMES, typeset.mixture(v)[0], strict=True)) for k, v in per_type_unproven.items()
                    if v is not None}
    elif exact:
        from brinkmanship.adversary.exact import exact_result

        results_exact = {s.name: exact_result(sc, s, adversary) for s in sts}
        exact_probs = {k: r.as_dict() for k, r in results_exact.items()}
        unproven = {k: r.unproven_dict() for k, r in results_exact.items()}
    elif not typeset.is_point:
        by_type = {r.strategy: sampled_by_type(r, typeset) for r in results}
        per_type = {k: v[0] for k, v in by_type.items()}
        per_type_unproven = {k: v[1] for k, v in by_type.items()}
        run_share = {k: v[2] for k, v in by_type.items()}
    summary = summarise(results, _prohibited_counts(sts), exact_probs, sc.aims, unproven)
    summary["kernel"] = {r.strategy: r.extra.get("kernel", "numpy") + (
        f" (fallback: {r.extra['kernel_fallback']})" if "kernel_fallback" in r.extra else "") for r in results}
    add_types(summary, typeset, per_type, run_share, exact, per_type_unproven)
    if credibility_sweep:
        from brinkmanship._api.credibility import credibility_sweep as sweep

        summary["credibility_sweep"] = sweep(sc, sts, adversary, credibility_sweep)
    if strategic:
        from brinkmanship._api.coercer import equilibrium_summary

        summary["coercer"] = {"kind": "strategic", "strategies": {
            k: {**equilibrium_summary(sc, e, weights), "sampled_runs": sampled[k],
                **({"execution_by_belief_level": by_level[k]} if k in by_level else {})}
            for k, e in equilibria.items()}}
    method = "exact propagation" if exact else "monte-carlo"
    if strategic:
        method = "equilibrium of a strategic coercer, " + method
    if not typeset.is_point:
        method += f" over {typeset.count} {typeset.kind} types"
    prov = Provenance(method=method, scenario=sc.name,
                      strategies=tuple(s.name for s in sts), adversary=results[0].adversary, seed=seed,
                      runs=runs, settings={"chunk_size": chunk_size, "exact": exact, "types": typeset.kind,
                                           "type_count": typeset.count, "coercer": coercer})
    return Comparison(summary, results, prov)


def run(scenario: str | Path | Scenario, strategy: str | Path | Strategy, *, runs: int = DEFAULT_RUNS,
        seed: int = 0, adversary: str | Adversary = "rational", exact: bool = False,
        chunk_size: int = DEFAULT_CHUNK, progress: bool = True, max_memory: int | str | None = None,
        types: str | Types | None = None, type_count: int | None = None, coercer: str = "committed",
        kernel: str = "fused") -> Comparison:
    """Simulate one strategy as `brink run` does: its outcome distribution with 95% intervals and metrics
    (`types`, `type_count`, `coercer` and `kernel` as in `compare`).

    Examples:
        >>> r = bk.run("korea-2017", "maximum-pressure", runs=2000, seed=1, adversary="base-rate", progress=False)
        >>> r.to_frame()[["strategy", "outcome"]].head(2).values.tolist()
        [['maximum-pressure', 'denuclearisation'], ['maximum-pressure', 'freeze']]
    """
    return compare(scenario, [strategy], runs=runs, seed=seed, adversary=adversary, exact=exact,
                   chunk_size=chunk_size, progress=progress, max_memory=max_memory, types=types,
                   type_count=type_count, coercer=coercer, kernel=kernel)


def _prohibited_counts(strategies: list[Strategy]) -> dict[str, int]:
    from brinkmanship.audit import prohibited_count

    return {s.name: int(prohibited_count(s)) for s in strategies}


def explain(scenario: str | Path | Scenario, strategy: str | Path | Strategy,
            adversary: str | Adversary = "rational", types: str | Types | None = "point",
            type_count: int | None = None, *, margins: bool = True, coercer: str = "committed") -> Explanation:
    """The planner's best response to a strategy, in words, month by month and as a policy map, and how close
    to the edge it is: the value gap between its best and second-best plan at the start and, with `margins`,
    per weight the smallest move (share of its declared range) that changes the most likely outcome.

    The policy is the declared (point) type's; with `types` (`prior`, `posterior`) the explanation also
    carries `types`: the exact outcome mixture over those types and what decides it. With `coercer`
    `strategic` the target answers the equilibrium: its beliefs are the coercer's equilibrium execution
    probabilities, the months are propagated with them, and `coercer` holds the equilibrium's verdicts.

    Examples:
        >>> e = bk.explain("korea-2017", "let-deterrence-fail", margins=False)
        >>> e.provenance.adversary, e.to_frame().columns.tolist()
        ('rational', ['month', 'date', 'action', 'share'])
        >>> e.value_gap["best"], e.margins is None
        ('missile_test', True)
    """
    from brinkmanship.adversary.explain import explain as _explain
    from brinkmanship.errors import InputError

    adversary = parse_adversary(adversary)
    if adversary.kind == "base-rate":
        raise InputError("explain describes a planner's best response", field="adversary",
                         fix="use rational or logit:<lambda>")
    sc = load_scenario(scenario)
    st = load_strategy(strategy, sc)
    from brinkmanship._api.coercer import check_coercer

    eq = None
    if check_coercer(coercer, adversary) == "strategic":
        from brinkmanship._api.coercer import mean_overrides, solve_equilibrium

        eq = solve_equilibrium(sc, st, adversary)
    data = _explain(sc, st, adversary, with_margins=margins, overrides=mean_overrides(eq) if eq else None)
    if eq is not None:
        from brinkmanship._api.coercer import equilibrium_summary

        data = {**data, "coercer": equilibrium_summary(sc, eq)}
    settings = dict(data["settings"])
    if margins:
        settings["margins"] = dict(data["margins"]["settings"])
    from brinkmanship._api.typed import resolve_types, type_mixture

    typeset = resolve_types(sc, adversary, types, type_count)
    if not typeset.is_point:
        data = {**data, "types": type_mixture(sc, st, adversary, typeset)}
    settings.update(types=typeset.kind, type_count=typeset.count, coercer=coercer)
    prov = Provenance(method=data["method"], scenario=sc.name, strategies=(st.name,), adversary=data["adversary"],
                      settings=settings)
    return Explanation(data, prov)


def audit(strategy: str | Path | Strategy, scenario: str | Path | Scenario | None = None, *,
          adversary: str | Adversary = "rational", types: str | Types | None = "point",
          type_count: int | None = None, credibility: bool = True) -> Audit:
    """Audit a strategy as `brink audit` does: humanitarian law (not legal advice) and credibility.

    The credibility audit solves the strategic coercer's equilibrium under the scenario's `coercer:` payoffs
    (default scenario: the first packaged one that lists the strategy) against `adversary` over `types`,
    and judges per rule and deadline whether it would be carried out.

    Examples:
        >>> a = bk.audit("let-deterrence-fail")
        >>> a.prohibited > 0, a.to_frame().columns.tolist()[:3]
        (True, ['rule', 'principle', 'verdict'])
        >>> sorted({f.verdict for f in a.credibility})
        ['not credible', 'partly credible']
    """
    from brinkmanship.audit import audit_strategy

    st = load_strategy(strategy, scenario)
    sc = load_scenario(scenario) if scenario is not None else _home_scenario(st)
    found: list = []
    note = ""
    if credibility and sc is not None and sc.coercer is not None:
        from brinkmanship._api.coercer import check_coercer
        from brinkmanship._api.coercer import credibility as credibility_audit
        from brinkmanship._api.typed import resolve_types

        adv = parse_adversary(adversary)
        check_coercer("strategic", adv)
        found, _ = credibility_audit(sc, st, adv, resolve_types(sc, adv, types, type_count))
    elif credibility:
        note = "no scenario with a `coercer:` block given: no credibility audit (pass --scenario)"
    prov = Provenance(method="rule-based IHL checks; credibility: equilibrium of a strategic coercer",
                      scenario=None if sc is None else sc.name, strategies=(st.name,),
                      settings={"credibility_note": note} if note else {})
    return Audit(audit_strategy(st), prov, found)


def _home_scenario(st: Strategy) -> Scenario | None:
    """The first packaged scenario (by name) that lists the strategy, if any."""
    from brinkmanship.spec.loader import packaged_scenarios

    for name in sorted(packaged_scenarios()):
        sc = load_scenario(name)
        if st.name in sc.strategies:
            return sc
    return None


def explore(scenario: str | Path, samples: int = 100, *, seed: int = 0,
            strategies: Sequence[str] | None = None, runs: int = 50, adversary: str | Adversary = "base-rate",
            sampler: str = "lhs", vary: str | None = None, db: str | Path | None = None,
            progress: bool = True, kernel: str = "fused") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Explore sampled uncertain worlds x strategies; return `(experiments, outcomes)` as the EMA Workbench does.

    Row i of `experiments` (the sampled inputs, `experiment_id` and `strategy`) belongs with row i of
    `outcomes` (outcome shares and means over `runs` runs). With `db` the results go to that DuckDB store
    (resumed if it exists, as `brink explore --db`); otherwise to a temporary one. Both frames carry the
    exploration's provenance in `.attrs["provenance"]`. `kernel`: the simulator's kernel, as in `compare`.

    Examples:
        >>> x, y = bk.explore("korea-2017", 8, strategies=["engagement"], runs=20, vary="war.*", progress=False)
        >>> len(x) == len(y) == 8, "strategy" in x.columns, "major_war" in y.columns
        (True, True, True)
    """
    from brinkmanship.explore.models import resolve_model
    from brinkmanship.explore.pipeline import run_exploration

    adversary = parse_adversary(adversary)
    model = resolve_model(str(scenario), adversary, list(strategies) if strategies else None, kernel=kernel)
    with tempfile.TemporaryDirectory() as tmp, progress_bar(progress) as bar:
        path = Path(db) if db is not None else Path(tmp) / "explore.duckdb"
        advance: list[Any] = []
        summary = run_exploration(
            model, samples, seed, path, sampler=sampler, strategies=model.strategy_names(), runs=runs,
            adversary=adversary, vary=vary,
            on_plan=lambda total, done: advance.append(bar.add("exploring", total, done)),
            on_chunk=lambda res: advance[0](res.chunk.size))
        experiments, outcomes = _frames(path)
    prov = Provenance(method=f"exploration ({sampler} sampler)", scenario=str(scenario),
                      strategies=tuple(summary.strategies), adversary=adversary.name, seed=seed, runs=runs,
                      settings={"samples": samples, "n_experiments": summary.n_experiments, "vary": vary,
                                "db": None if db is None else str(db)}).to_dict()
    experiments.attrs["provenance"] = prov
    outcomes.attrs["provenance"] = prov
    return experiments, outcomes


def _frames(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Aligned (experiments, outcomes) frames from a store: one row per experiment x strategy."""
    from brinkmanship.store import open_store

    with open_store(path, read_only=True) as store:
        x = store.experiments_frame()
        y = store.outcomes_frame()
        names = store.outcome_names()
    order = {s: i for i, s in enumerate(y["strategy"].unique())}
    y = y.sort_values(["strategy", "experiment_id"], key=lambda c: c.map(order) if c.name == "strategy" else c)
    experiments = x.loc[y["experiment_id"].to_numpy()].reset_index()
    experiments["strategy"] = y["strategy"].to_numpy()
    outcomes = y[names].reset_index(drop=True)
    return experiments, outcomes


def sensitivity(scenario: str | Path, strategy: str | Path, outcome: str = "major_war", *, method: str = "sobol",
                n: int = 1024, seed: int = 0, runs: int = 50, adversary: str | Adversary = "base-rate",
                vary: str | None = None, progress: bool = True, max_memory: int | str | None = None) -> Sensitivity:
    """Sobol indices (first and total order) or Morris screening of one outcome over the uncertainties.

    `n` is the number of Sobol base samples (a power of two) or of Morris trajectories. Every sample sees
    the same random stream (common random numbers), so the indices measure the parameters' effects rather
    than Monte Carlo noise.

    Examples:
        >>> s = bk.sensitivity("korea-2017", "engagement", method="morris", n=4, runs=10, vary="war.*",
        ...                    progress=False)
        >>> {"name", "mu_star", "sigma"} <= set(s.to_frame().columns), s.provenance.method
        (True, 'morris')
    """
    from brinkmanship.analysis import sensitivity as sa
    from brinkmanship.analysis.robustness import resolve_outcome
    from brinkmanship.errors import InputError
    from brinkmanship.explore.design import DEFAULT_CHUNK_RUNS
    from brinkmanship.explore.models import resolve_model
    from brinkmanship.explore.parameters import salib_problem, select_parameters
    from brinkmanship.explore.pipeline import check_exploration, evaluate_in_memory

    if method not in ("sobol", "morris"):
        raise InputError(f"unknown method '{method}'", field="--method", fix="use sobol or morris")
    adversary = parse_adversary(adversary)
    model = resolve_model(str(scenario), adversary, [str(strategy)])
    name = model.strategy_names()[0]  # its name (the argument may be a file)
    outcome = resolve_outcome(outcome, model.outcomes).name
    params = select_parameters(model.parameters(), vary)
    evaluations = n * (len(params) + 2) if method == "sobol" else n * (len(params) + 1)
    check_exploration(model, params, evaluations, "mc", [name], runs, DEFAULT_CHUNK_RUNS,
                      max_memory=_memory(max_memory))
    problem = salib_problem(params, unit=True)
    X = sa.sobol_sample(problem, n, seed) if method == "sobol" else sa.morris_sample(problem, n, seed=seed)
    inputs = {p.name: p.scale(X[:, j]) for j, p in enumerate(params)}
    with progress_bar(progress) as bar:
        advance = bar.add(f"{method} {name}", int(X.shape[0]))
        Y = evaluate_in_memory(model, inputs, [name], runs, seed, common_stream=True)[name][outcome]
        advance(int(X.shape[0]))
    res = sa.sobol_indices(problem, Y, seed=seed) if method == "sobol" else sa.morris_indices(problem, X, Y, seed=seed)
    data = {"scenario": str(scenario), "strategy": name, "outcome": outcome, "method": method, "n": n,
            "evaluations": int(X.shape[0]), "indices": sa.as_table(res)}
    prov = Provenance(method=method, scenario=str(scenario), strategies=(name,), adversary=adversary.name, seed=seed,
                      runs=runs, settings={"outcome": outcome, "n": n, "evaluations": int(X.shape[0]), "vary": vary})
    return Sensitivity(data, prov)


def backtest(scenario: str | Path | Scenario = "korea-2017", *, runs: int = 10_000, seed: int = 0,
             strategy: str | Path | Strategy = "maximum-pressure", adversary: str | Adversary = "base-rate",
             max_memory: int | str | None = None) -> Backtest:
    """Score a strategy's monthly forecast from the scenario's start against the observed record, as
    `brink backtest` does (any strategy; base-rate, logit or rational target).

    Examples:
        >>> b = bk.backtest(runs=500, seed=0)
        >>> b.to_frame()["month"].iloc[0], b.to_json()["log_likelihood"] < 0
        ('2017-10', True)
    """
    from brinkmanship.history.backtest import backtest as _backtest

    sc = load_scenario(scenario)
    data = _backtest(sc, runs=runs, seed=seed, strategy=load_strategy(strategy, sc),
                     adversary=parse_adversary(adversary), max_memory=_memory(max_memory))
    prov = Provenance(method="backtest", scenario=sc.name, strategies=(data["strategy"],),
                      adversary=data["adversary"], seed=seed, runs=runs, settings={"window": data["window"]})
    return Backtest(data, prov)


def solve(game: str | Path | Any, method: str | None = None, *, exact: bool = False) -> Solution:
    """Equilibria of a game: a library name (see `brink games`), a Gambit `.efg`/`.nfg` file or a game object.

    `method`: pure, support, lemke-howson, sequence, spe or qre (default by the game's form).

    Examples:
        >>> s = bk.solve("chicken")
        >>> s.provenance.method, len(s.equilibria)
        ('support', 3)
    """
    from brinkmanship.errors import InputError
    from brinkmanship.games import library
    from brinkmanship.games.gambit_io import read_game
    from brinkmanship.games.solve import METHODS
    from brinkmanship.games.solve import solve as _solve

    if method is not None and method not in METHODS:
        raise InputError(f"unknown method '{method}'", field="--method", fix=f"use one of: {', '.join(METHODS)}")
    if isinstance(game, str | Path):
        path = Path(game)
        name = str(game)
        g = read_game(path) if path.suffix in (".efg", ".nfg") or path.exists() else library.get(str(game))
    else:
        g, name = game, getattr(game, "title", "") or type(game).__name__
    try:
        result = _solve(g, method, exact=exact)
    except ValueError as exc:
        raise InputError(str(exc), field="--method", fix="choose a method that fits the game") from None
    return Solution(result, g, name)

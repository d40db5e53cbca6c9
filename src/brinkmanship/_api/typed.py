"""Adversary types in the API: which types a command uses (point, prior, or the record's posterior), the
exact mixture over them, the type-sampling error, and the "what decides" line per strategy.

The posterior is built here, above `history` (the record's likelihood of each prior type) and `analysis`
(which numbers that likelihood moves), and passed down to the planner as weighted types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from brinkmanship.adversary.types import Types
    from brinkmanship.engine import SimulationResult
    from brinkmanship.engine.decision import Adversary
    from brinkmanship.spec import Scenario, Strategy

IDENTIFIED_LEVEL = 0.01  # a number is identified by the record when its bins' F test of the record's
#                          log-likelihood is significant at this level (Bonferroni over the type numbers)
IDENTIFIED_SHARE = 0.02  # ... and it explains at least this share of the log-likelihood's variance
FIT_DEGREE = 3  # the log-likelihood's part in an identified number: a cubic in it
DECIDES_TOP = 3  # type numbers named in a strategy's "what decides" line
DECIDES_MIN_SHARE = 0.02  # ... each explaining at least this share of its outcome's variance across types


def resolve_types(sc: Scenario, adversary: Adversary, types: str | Types | None, count: int | None = None) -> Types:
    """The types a command runs: `prior` by default for a planner target, `point` for the base-rate target."""
    from brinkmanship.adversary.types import (
        DEFAULT_TYPE_COUNT,
        Types,
        check_count,
        check_kind,
        point_types,
        prior_types,
    )
    from brinkmanship.errors import InputError

    if isinstance(types, Types):
        return types
    count = DEFAULT_TYPE_COUNT if count is None else count
    check_count(count)
    if adversary.kind == "base-rate":
        if types not in (None, "point"):
            raise InputError(f"--types {types} needs a planner target: the base-rate target has no utility weights",
                             field="--types", fix="use --adversary rational (or logit:<lambda>), or --types point")
        return point_types(sc)
    kind = check_kind(types or "prior")
    if kind == "point":
        return point_types(sc)
    prior = prior_types(sc, count)
    return prior if kind == "prior" else posterior_types(sc, prior)


def posterior_types(sc: Scenario, prior: Types) -> Types:
    """The prior types weighted by the 2016-2017 record's likelihood (logit precision integrated out).

    A number the likelihood does not move beyond chance (a binned F test at IDENTIFIED_LEVEL, Bonferroni over
    the numbers), or moves by less than IDENTIFIED_SHARE of its variance, is not identified by the record:
    the weights do not depend on it (they are an additive cubic fit of the log-likelihood in the identified
    numbers, chosen one at a time), so its posterior is its prior, and the output says so.
    """
    from brinkmanship.analysis.sensitivity import binned_f_test, pooled_first_order
    from brinkmanship.errors import InputError
    from brinkmanship.history.strategic import type_log_likelihoods

    if not prior.values:
        return prior
    try:
        ll = type_log_likelihoods(sc, prior.values)
    except (KeyError, ValueError, IndexError) as exc:
        raise InputError(f"the record does not cover scenario '{sc.name}': {exc}", field="--types",
                         fix="use --types prior (the posterior needs the 2016-2017 record's months)") from None
    bins = _bins(prior.count)
    # forward selection: the number whose bins explain the rest of the log-likelihood best joins the fit while
    # its F test passes; testing the residual keeps a number correlated with a chosen one (in a small set of
    # quasi-random points) from being chosen for that one's effect
    fitted = np.full_like(ll, ll.mean())
    identified: list[str] = []
    p_values = {name: 1.0 for name in prior.values}
    while True:
        rest = ll - fitted
        tests = {name: binned_f_test(x, rest, bins) for name, x in prior.values.items() if name not in identified}
        if not tests:
            break
        p_values.update(tests)
        best = min(tests, key=tests.__getitem__)
        share, _ = pooled_first_order(prior.values[best], rest, bins=bins)
        if tests[best] * len(prior.values) >= IDENTIFIED_LEVEL or share * rest.var() < IDENTIFIED_SHARE * ll.var():
            break
        identified.append(best)
        x = prior.values[best]
        fit = np.polynomial.Polynomial.fit(x, rest, min(FIT_DEGREE, len(np.unique(x)) - 1))
        fitted = fitted + fit(x)
    notes = {}
    for name, x in prior.values.items():
        if name in identified:
            share, _ = pooled_first_order(x, ll, bins=bins)
            notes[name] = (f"identified by the record ({share:.0%} of its log-likelihood's variance over the "
                           f"types; F test p = {p_values[name]:.1g})")
        else:
            notes[name] = (f"not identified by the record (F test p = {min(p_values[name], 1.0):.2g}): "
                           "its posterior is its prior")
    settings = {"method": "prior types weighted by the likelihood of the 2016-2017 record (logit planner, "
                          "precision integrated over the strategic estimation's grid; additive cubic "
                          "in the identified numbers)",
                "identified": [n.removeprefix("adversary.") for n in identified]}
    return prior.reweighted(fitted, notes, settings)


def _bins(n: int) -> int:
    from brinkmanship.analysis.sensitivity import DECIDES_MAX_BINS, DECIDES_PER_BIN

    return max(2, min(DECIDES_MAX_BINS, n // DECIDES_PER_BIN))


def exact_mixture(sc: Scenario, strategy: Strategy, adversary: Adversary, types: Types, seed: int,
                  model: Any = None) -> np.ndarray:
    """(K, outcomes) exact outcome probabilities of every type, solved in batches of types.

    With `model`, the typed planner that simulated the runs, its solution of the K types is propagated
    (in blocks of types) instead of solving them again.
    """
    return exact_mixture_parts(sc, strategy, adversary, types, seed, model)[0]


def exact_mixture_parts(sc: Scenario, strategy: Strategy, adversary: Adversary, types: Types, seed: int,
                        model: Any = None) -> tuple[np.ndarray, np.ndarray | None]:
    """`exact_mixture`, and (K, outcomes) each outcome's probability reached with delivery not proven at the
    horizon (the aims scored by it), known where the typed `model` is propagated (else None)."""
    from brinkmanship.engine.constants import OUTCOMES
    from brinkmanship.engine.experiments import evaluate_experiments

    if model is not None and getattr(model, "types", None) is types:
        from brinkmanship.adversary.exact import propagate
        from brinkmanship.engine.compiled import compile_model
        from brinkmanship.engine.experiments import exact_block

        c = compile_model(sc, strategy)
        sol, typed = model.solution(c), types.compiled(c)
        out = np.empty((types.count, len(OUTCOMES)))
        unproven = np.empty((types.count, len(OUTCOMES)))
        block = exact_block(sol.grid.size)  # propagated in blocks of types whose arrays stay small (memory, time)
        for start in range(0, types.count, block):
            sl = slice(start, min(types.count, start + block))
            part = sol.samples(sl, typed.chunk(sl))
            res = propagate(part.c, part)
            out[sl], unproven[sl] = res.outcomes, res.unproven
        return out, unproven
    res = evaluate_experiments(sc, strategy, types.overrides(), np.arange(types.count), 1, seed, adversary)
    return np.column_stack([res[name] for name in OUTCOMES]), None


def type_mixture(sc: Scenario, strategy: Strategy, adversary: Adversary, types: Types) -> dict[str, Any]:
    """One strategy's exact outcome mixture over `types`, its type-sampling error and what decides it."""
    from brinkmanship.adversary.types import PREFIX
    from brinkmanship.analysis.sensitivity import what_decides
    from brinkmanship.engine.constants import OUTCOMES

    P = exact_mixture(sc, strategy, adversary, types, 0)
    mean, se = types.mixture(P)
    inputs = {k.removeprefix(PREFIX): v for k, v in types.values.items()}
    return {**types.describe(),
            "outcomes": {name: {"p": float(mean[i]), "type_se": float(se[i])} for i, name in enumerate(OUTCOMES)},
            "what_decides": what_decides(inputs, P, OUTCOMES, types.weights, DECIDES_TOP, DECIDES_MIN_SHARE)}


def sampled_by_type(result: SimulationResult, types: Types) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, outcomes) outcome shares of each type's runs, (K, outcomes) the shares reached with delivery not
    proven, and (K,) the share of runs each type got."""
    from brinkmanship.engine.constants import OUTCOMES
    from brinkmanship.engine.summary import delivery_unproven

    tau = result.extra["type_index"]
    n_out = len(OUTCOMES)
    cell = tau * n_out + result.outcomes["outcome"]
    counts = np.bincount(cell, minlength=types.count * n_out).reshape(types.count, n_out)
    unproven = np.bincount(cell[delivery_unproven(result.outcomes)],
                           minlength=types.count * n_out).reshape(types.count, n_out)
    runs = counts.sum(axis=1)
    return counts / np.maximum(runs, 1)[:, None], unproven / np.maximum(runs, 1)[:, None], runs / runs.sum()


def add_types(summary: dict[str, Any], types: Types, per_type: dict[str, np.ndarray],
              run_share: dict[str, np.ndarray] | None, exact: bool,
              per_type_unproven: dict[str, np.ndarray | None] | None = None) -> None:
    """Add the mixture's type-sampling error, the "what decides" ranking and the types' description.
    `per_type_unproven`: per strategy, each type's outcome probabilities reached with delivery not proven (the
    aims scored by what is reached; None: not known, and such an aim's mixture is a lower bound).

    Exact: the intervals are the type-sampling 95% intervals (no Monte Carlo error). Monte Carlo: the
    intervals stay the runs' Wilson intervals; the type-sampling error is given beside them.
    """
    from brinkmanship.adversary.types import PREFIX, Z95
    from brinkmanship.analysis.sensitivity import what_decides
    from brinkmanship.engine.constants import OUTCOMES

    if types.is_point:
        return
    for s in summary["strategies"]:
        P = per_type[s["name"]]
        weights = types.weights if run_share is None else run_share[s["name"]]
        mixture, se = types.mixture(P) if run_share is None else _weighted(P, weights)
        for i, name in enumerate(OUTCOMES):
            o = s["outcomes"][name]
            o["type_se"] = float(se[i])
            if exact:
                p = float(mixture[i])
                o.update(p=p, lo=max(0.0, p - Z95 * se[i]), hi=min(1.0, p + Z95 * se[i]))
        U = (per_type_unproven or {}).get(s["name"])
        for aim in s.get("aims", {}).values():  # an aim per type: its outcomes, and those reached unproven
            met = P[:, [OUTCOMES.index(o) for o in aim["outcomes"]]].sum(axis=1, keepdims=True)
            if aim.get("if_delivery_unproven"):
                if U is None:
                    aim["note"] = ("lower bound: delivery at the horizon is not tracked here, so "
                                   f"{' and '.join(aim['if_delivery_unproven'])} are not counted")
                else:
                    met = met + U[:, [OUTCOMES.index(o) for o in aim["if_delivery_unproven"]]].sum(
                        axis=1, keepdims=True)
            m, e = types.mixture(met) if run_share is None else _weighted(met, weights)
            aim["type_se"] = float(e[0])
            if exact:
                p = float(m[0])
                aim.update(p=p, lo=max(0.0, p - Z95 * e[0]), hi=min(1.0, p + Z95 * e[0]))
        inputs = {k.removeprefix(PREFIX): v for k, v in types.values.items()}
        s["what_decides"] = what_decides(inputs, P, OUTCOMES, weights, DECIDES_TOP, DECIDES_MIN_SHARE)
    summary["types"] = {**types.describe(),
                        "error": "type-sampling error: standard error across the types (`type_se`), apart from "
                                 + ("the intervals' Monte Carlo error" if not exact else
                                    "sampling of runs (none: exact propagation per type)")}


def _weighted(P: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    w = w / w.sum()
    mean = w @ P
    return mean, np.sqrt(np.square(w) @ np.square(P - mean))

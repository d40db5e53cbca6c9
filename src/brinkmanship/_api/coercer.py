"""The strategic coercer at the API: solve the equilibrium (adversary layer), summarise it, audit it.

`--coercer committed` (the default) executes the strategy file as written; `--coercer strategic` makes
carrying out each rule and deadline the coercer's decision (`adversary.coercer`). This module joins the two
layers: it solves the equilibrium for a strategy and the target's types, and passes plain numbers down to
the credibility audit (`audit.credibility`), which sits below the adversary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from brinkmanship.audit.credibility import (
    CredibilityFinding,
    LotteryNumbers,
    ThreatNumbers,
    credibility_audit,
)
from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.errors import InputError

if TYPE_CHECKING:
    from brinkmanship.adversary.coercer import Equilibrium
    from brinkmanship.adversary.strategic import StrategicModel
    from brinkmanship.adversary.types import Types
    from brinkmanship.engine.decision import Adversary
    from brinkmanship.spec import Scenario, Strategy

COERCERS = ("committed", "strategic")
SETTLED = ("denuclearisation", "freeze")


def check_coercer(coercer: str, adversary: Adversary) -> str:
    """The coercer's kind, refused with the fix when unknown or when the target is not a planner."""
    if coercer not in COERCERS:
        raise InputError(f"unknown coercer '{coercer}'", field="--coercer", fix="use committed or strategic")
    if coercer == "strategic" and adversary.kind == "base-rate":
        raise InputError("the strategic coercer answers a planner target's policy", field="--coercer",
                         fix="use --adversary rational (or logit:<lambda>) with --coercer strategic")
    return coercer


def solve_equilibrium(sc: Scenario, st: Strategy, adversary: Adversary, types: Types | None = None,
                      overrides: dict[str, float] | None = None) -> Equilibrium:
    """The equilibrium of `st` for every type (one batched solve per block of types)."""
    from brinkmanship.adversary.coercer import equilibrium
    from brinkmanship.adversary.planner import Decision
    from brinkmanship.engine.compiled import compile_model

    c = compile_model(sc, st, overrides)
    if types is not None and not types.is_point:
        c = types.compiled(c)
    return equilibrium(c, Decision.of(adversary))


def strategic_model(eq: Equilibrium, types: Types | None, adversary: Adversary) -> StrategicModel:
    """The simulator's model of the equilibrium `eq` (`adversary.strategic`): its play types (`.types`), the
    target's solve over them and the coercer's decision at each run's state."""
    from brinkmanship.adversary.planner import Decision
    from brinkmanship.adversary.strategic import strategic_model as model

    return model(eq, types, Decision.of(adversary))


def play_fits(sc: Scenario, st: Strategy, model: StrategicModel, max_memory: int | None) -> bool:
    """Whether the target's solve over the play types fits the memory limit (else the sampled runs of `compare`
    fall back to type-weighted execution probabilities, and the JSON says so)."""
    from brinkmanship.adversary.budget import planner_memory
    from brinkmanship.engine.compiled import compile_model
    from brinkmanship.limits import DEFAULT_MAX_MEMORY

    limit = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    return planner_memory(compile_model(sc, st), model.types.count) <= limit


def execution_by_level(sc: Scenario, st: Strategy, model: StrategicModel,
                       overrides: dict[str, float] | None = None) -> dict[str, list[float | None]]:
    """Per threat, the coercer's execution probability on the equilibrium path at each evidence level of the
    target's belief (lowest first; None where it is never triggered), weighted over the play types by their
    triggers: where it differs across levels, the target's one likelihood per threat is an average (the gap to a
    per-state perfect Bayesian equilibrium)."""
    from brinkmanship.engine.compiled import compile_model

    c = model.types.compiled(compile_model(sc, st, overrides))
    w = model.types.weights[:, None]
    out = {}
    for k, (e, triggers) in model.execution_by_level(c).items():
        mass = (w * triggers).sum(axis=0)
        carried = (w * triggers * np.nan_to_num(e)).sum(axis=0)
        out[k] = [float(a / m) if m > 0 else None for a, m in zip(carried, mass, strict=True)]
    return out


def _mean(x: np.ndarray, w: np.ndarray | None) -> float:
    return float(np.average(x, weights=w)) if w is not None and np.size(x) == np.size(w) else float(np.mean(x))


def _settled(outcomes: np.ndarray) -> np.ndarray:
    return outcomes[:, [OUTCOMES.index(o) for o in SETTLED if o in OUTCOMES]].sum(axis=1)


def threat_numbers(sc: Scenario, eq: Equilibrium, weights: np.ndarray | None = None,
                   lotteries: dict[str, Equilibrium] | None = None) -> list[ThreatNumbers]:
    """Each threat's numbers as the audit reads them: type-weighted means, and the share of types for which
    it is credible."""
    from brinkmanship.audit.credibility import verdict

    hi, lo = sc.coercer.credible_at.value, sc.coercer.partly_credible_at.value
    out = []
    for th in eq.threats:
        k = th.id
        ok = np.array([verdict(d, e, hi, lo) == "credible" for d, e in zip(eq.declared[k], eq.execution[k],
                                                                            strict=True)], dtype=float)
        lottery = None
        if lotteries and k in lotteries:
            alt = lotteries[k]
            lottery = LotteryNumbers(value_as_written=_mean(eq.coercer_value, weights),
                                     value_as_lottery=_mean(alt.coercer_value, weights),
                                     settled_as_written=_mean(_settled(eq.outcomes), weights),
                                     settled_as_lottery=_mean(_settled(alt.outcomes), weights))
        out.append(ThreatNumbers(
            id=k, kind=th.kind, declared=_mean(eq.declared[k], weights), chance=_mean(eq.chance[k], weights),
            equilibrium=_mean(eq.execution[k], weights), gain=_mean(eq.gain[k], weights),
            direct_cost=_mean(eq.direct_cost[k], weights),
            reputation=_mean(eq.stakes[k], weights) - float(sc.coercer.audience_cost.value),
            audience=float(sc.coercer.audience_cost.value), credible_share=_mean(ok, weights), lottery=lottery,
            mixed=_mean(eq.mixed[k].astype(float), weights) if k in eq.mixed else 0.0))
    return out


def lotteries(sc: Scenario, st: Strategy, adversary: Adversary, types: Types | None,
              eq: Equilibrium) -> dict[str, Equilibrium]:
    """Per threat that is not fully credible: the equilibrium with that threat made a lottery at its declared
    probability that the coercer cannot take back (Schelling's threat that leaves something to chance)."""
    out = {}
    for th in eq.threats:
        declared, execution = np.mean(eq.declared[th.id]), np.mean(eq.execution[th.id])
        if declared <= 0 or execution >= declared:
            continue
        out[th.id] = solve_equilibrium(sc, st, adversary, types, {th.chance: float(declared)})
    return out


def credibility(sc: Scenario, st: Strategy, adversary: Adversary, types: Types | None = None,
                ) -> tuple[list[CredibilityFinding], Equilibrium]:
    """The credibility audit of `st` under the scenario's coercer payoffs, and the equilibrium it rests on."""
    if sc.coercer is None:
        raise InputError(f"scenario '{sc.name}' has no `coercer:` block", field="coercer",
                         fix="add the coercer's payoffs (see korea-2017.yaml)")
    eq = solve_equilibrium(sc, st, adversary, types)
    weights = None if types is None or types.is_point else types.weights
    return credibility_audit(sc, threat_numbers(sc, eq, weights, lotteries(sc, st, adversary, types, eq))), eq


def convergence(eq: Equilibrium) -> dict[str, Any]:
    """How the iteration went: per start its iterations and residual; several equilibria or not."""
    several = int(np.sum(eq.several)) if eq.several is not None else 0
    cycles = [int(np.sum(s.cycling)) if s.cycling is not None else 0 for s in eq.starts]
    notes = ["every start reached the same equilibrium" if not several else
             f"{several} type(s) have several equilibria: the starts ended at different beliefs; the first "
             "start's ('declared') is reported"]
    mixed = {k: int(np.sum(v)) for k, v in eq.mixed.items() if np.any(v)}
    if any(cycles):
        notes.append(f"the best responses cycle for {max(cycles)} type(s) (no pure equilibrium)")
    for k, count in mixed.items():
        notes.append(f"mixed equilibrium for {count} type(s): the coercer carries out '{k}' with probability "
                     f"{float(np.mean(eq.execution[k][eq.mixed[k]])):.3f} on average, the belief at which it is "
                     "indifferent")
    unmixed = max(cycles, default=0) - max(mixed.values(), default=0)
    if unmixed > 0:
        notes.append(f"{unmixed} cycling type(s) without a bracketed mix: their beliefs are where the damped "
                     "iteration stopped")
    return {"starts": [{"start": s.name, "iterations": s.iterations, "residual": s.residual,
                        "converged": s.converged, "types_cycling": c} for s, c in zip(eq.starts, cycles, strict=True)],
            "converged": eq.converged, "types_with_several_equilibria": several,
            "types_mixing": mixed, "note": "; ".join(notes)}


def equilibrium_summary(sc: Scenario, eq: Equilibrium, weights: np.ndarray | None = None) -> dict[str, Any]:
    """The JSON block of one strategy's equilibrium (compare output)."""
    findings = credibility_audit(sc, threat_numbers(sc, eq, weights))
    return {"threats": [f.model_dump() for f in findings],
            "coercer_value": _mean(eq.coercer_value, weights), "convergence": convergence(eq)}


def mean_overrides(eq: Equilibrium, weights: np.ndarray | None = None) -> dict[str, float]:
    """The equilibrium as parameter overrides for the simulator: each threat's type-weighted execution
    probability (`probability`) and what the iteration moved in equilibrium (where the first start ended, or
    the mixing belief where the coercer mixes): the target's belief
    (`believed`), or with a learned belief the strategic type's execution likelihood (`bluff`; the prior stays)."""
    out = {}
    for th in eq.threats:
        out[th.prob] = _mean(eq.execution[th.id], weights)
        out[eq.moved.get(th.id, th.believed)] = _mean(eq.beliefs[th.id], weights)
    return out

"""Robustness of strategies across sampled worlds: regret, satisficing share, percentiles, a ranking table.

Inputs are matrices of shape (n_worlds, n_strategies): row = one sampled world, column = one strategy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.parameters import Outcome
from brinkmanship.limits import is_finite_number

_OPS = {"<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}
_TERM = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class Condition:
    """One satisficing condition `outcome op value` (e.g. major_war < 0.05)."""

    outcome: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.outcome} {self.op} {self.value:g}"

    def holds(self, values: np.ndarray) -> np.ndarray:
        """Boolean array: where the condition is met."""
        return _OPS[self.op](values, self.value)


def parse_thresholds(exprs: Sequence[str] | str) -> list[Condition]:
    """Parse 'major_war<0.05 and warheads<30' (also '&' or ','; several strings are and-ed); no eval."""
    if isinstance(exprs, str):
        exprs = [exprs]
    out: list[Condition] = []
    for expr in exprs:
        for term in re.split(r"\band\b|&|,", expr):
            if not term.strip():
                continue
            m = _TERM.match(term)
            if not m:
                raise InputError(f"cannot read condition '{term.strip()}'", field="--threshold",
                                 fix="write OUTCOME < NUMBER (ops < <= > >=), joined by 'and'")
            if not is_finite_number(float(m.group(3))):
                raise InputError(f"{m.group(3)} in '{term.strip()}' is not a finite number of sane size",
                                 field="--threshold", fix="write a finite number such as 0.05")
            out.append(Condition(m.group(1), m.group(2), float(m.group(3))))
    return out


def resolve_outcome(name: str, available: Sequence[Outcome]) -> Outcome:
    """A declared outcome by name, accepting the bare metric for `<name>_mean` (warheads -> warheads_mean)."""
    by_name = {o.name: o for o in available}
    for candidate in (name, f"{name}_mean"):
        if candidate in by_name:
            return by_name[candidate]
    raise InputError(f"unknown outcome '{name}'", field="outcome", fix=f"use one of: {', '.join(by_name)}")


def regret(values: np.ndarray, maximise: bool = False) -> np.ndarray:
    """Regret of each strategy in each world: distance to the best strategy of that world (>= 0)."""
    v = np.asarray(values, dtype=np.float64)
    if maximise:
        return v.max(axis=1, keepdims=True) - v
    return v - v.min(axis=1, keepdims=True)


def satisficing(outcomes: Mapping[str, np.ndarray], conditions: Sequence[Condition]) -> np.ndarray:
    """Share of worlds in which each strategy meets every condition (shape (n_strategies,))."""
    if not conditions:
        raise InputError("no satisficing conditions given", field="--threshold", fix="e.g. 'major_war<0.05'")
    ok = None
    for c in conditions:
        if c.outcome not in outcomes:
            raise InputError(f"unknown outcome '{c.outcome}' in a condition", field="--threshold",
                             fix=f"use one of: {', '.join(outcomes)}")
        values = np.asarray(outcomes[c.outcome], dtype=np.float64)
        if values.size and np.isnan(values).all():
            raise InputError(f"outcome '{c.outcome}' has no values in this store (not computed for its adversary)",
                             field="--threshold", fix="use outcome probabilities such as major_war")
        m = c.holds(values)
        ok = m if ok is None else ok & m
    assert ok is not None
    return ok.mean(axis=0)


def robustness_table(strategies: Sequence[str], outcomes: Mapping[str, np.ndarray], objective: Outcome,
                     conditions: Sequence[Condition] = (),
                     percentiles: Sequence[float] = (5, 50, 95)) -> list[dict[str, Any]]:
    """One row per strategy: objective mean/percentiles, regret (mean, p90, max), satisficing share, rank.

    Regret follows the objective's declared direction. Ranked by satisficing share (desc) when conditions
    are given, then by maximum regret (minimax regret, Savage), then mean regret.
    """
    maximise = objective.maximise
    objective_name = objective.name
    if objective_name not in outcomes:
        raise InputError(f"unknown objective '{objective_name}'", field="--objective",
                         fix=f"use one of: {', '.join(outcomes)}")
    v = np.asarray(outcomes[objective_name], dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != len(strategies):
        raise InputError("outcome matrix must have one column per strategy", field="outcomes")
    if v.shape[0] == 0:
        raise InputError("no world has results for every strategy", field="--db",
                         fix="finish the exploration (re-run the same `brink explore` command)")
    if np.isnan(v).any():
        raise InputError(f"objective '{objective_name}' has missing values (not computed for this store's adversary)",
                         field="--objective", fix="use an outcome probability such as major_war")
    r = regret(v, maximise)
    sat = satisficing(outcomes, conditions) if conditions else None
    pct = np.percentile(v, list(percentiles), axis=0)
    best = np.argmin(r, axis=1)  # the strategy with zero regret (first on ties)
    rows = []
    for j, s in enumerate(strategies):
        row: dict[str, Any] = {"strategy": s, "objective": objective_name, "direction": str(objective.direction),
                               "mean": float(v[:, j].mean())}
        for q, p in zip(percentiles, pct[:, j], strict=True):
            row[f"p{q:g}"] = float(p)
        row.update({"regret_mean": float(r[:, j].mean()), "regret_p90": float(np.percentile(r[:, j], 90)),
                    "regret_max": float(r[:, j].max()), "best_share": float((best == j).mean())})
        if sat is not None:
            row["satisficing"] = float(sat[j])
            row["conditions"] = " and ".join(str(c) for c in conditions)
        row["worlds"] = int(v.shape[0])
        rows.append(row)
    rows.sort(key=lambda rw: (-rw.get("satisficing", 0.0), rw["regret_max"], rw["regret_mean"]))
    for k, rw in enumerate(rows, 1):
        rw["rank"] = k
    return rows

"""Uncertainties, levers and outcomes as first-class data (EMA Workbench style) and their unit-cube scaling."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

import numpy as np

from brinkmanship.errors import InputError

Kind = Literal["real", "integer", "categorical"]
KINDS: tuple[str, ...] = ("real", "integer", "categorical")


class Direction(StrEnum):
    """Which way an outcome is better (EMA Workbench's `ScalarOutcome.MINIMIZE` / `MAXIMIZE`)."""

    MINIMISE = "min"
    MAXIMISE = "max"


@dataclass(frozen=True)
class Outcome:
    """One model output with the direction in which it is better; robustness, PRIM and the report read the
    direction from here instead of deciding it themselves."""

    name: str
    direction: Direction = Direction.MINIMISE
    description: str = ""

    @property
    def maximise(self) -> bool:
        """Whether more of this outcome is better."""
        return self.direction is Direction.MAXIMISE

    def directed(self, maximise: bool | None) -> Outcome:
        """This outcome, with its direction overridden when `maximise` is given (a user's explicit choice)."""
        if maximise is None:
            return self
        return Outcome(self.name, Direction.MAXIMISE if maximise else Direction.MINIMISE, self.description)


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain model input: a range (real or integer) or a list of categories, with its source.

    `origin` (an ISO date) marks a parameter counted in months from that date, so boxes read as dates.
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    kind: Kind = "real"
    source: str = ""
    categories: tuple[Any, ...] = ()
    origin: str | None = None
    role: str = field(default="uncertainty")

    def __post_init__(self) -> None:
        if not self.name:
            raise InputError("a parameter needs a name", field="name", fix="give every parameter a name")
        if self.kind not in KINDS:
            raise InputError(f"unknown kind '{self.kind}'", field=f"{self.name}.kind",
                             fix="use real, integer or categorical")
        if self.kind == "categorical":
            if not self.categories:
                raise InputError("a categorical parameter needs categories", field=f"{self.name}.categories",
                                 fix="list at least one category")
            object.__setattr__(self, "low", 0.0)
            object.__setattr__(self, "high", float(len(self.categories) - 1))
            return
        lo, hi = float(self.low), float(self.high)
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            raise InputError(f"range [{self.low}, {self.high}] is empty or not finite",
                             field=f"{self.name}.range", fix="give a finite range with low <= high")
        if self.kind == "integer" and (lo != int(lo) or hi != int(hi)):
            raise InputError(f"integer range [{self.low}, {self.high}] has non-integer ends",
                             field=f"{self.name}.range", fix="use whole numbers for an integer parameter")
        object.__setattr__(self, "low", lo)
        object.__setattr__(self, "high", hi)

    @property
    def n_levels(self) -> int | None:
        """Number of distinct values (None for a real range)."""
        if self.kind == "categorical":
            return len(self.categories)
        if self.kind == "integer":
            return int(self.high - self.low) + 1
        return None

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Map unit-cube coordinates in [0, 1) to values of this parameter (vectorised)."""
        u = np.asarray(u, dtype=np.float64)
        if self.kind == "real":
            return self.low + u * (self.high - self.low)
        levels = self.n_levels or 1
        idx = np.minimum(np.floor(u * levels).astype(np.int64), levels - 1)
        idx = np.maximum(idx, 0)
        if self.kind == "integer":
            return idx + np.int64(self.low)
        return np.asarray(self.categories, dtype=object)[idx]

    def grid(self, levels: int) -> np.ndarray:
        """`levels` evenly spaced values (all values for integer/categorical when fewer), for full factorial."""
        if self.kind == "real":
            if levels == 1:
                return np.array([(self.low + self.high) / 2.0])
            return np.linspace(self.low, self.high, levels)
        n = self.n_levels or 1
        idx = np.unique(np.round(np.linspace(0, n - 1, min(levels, n))).astype(np.int64))
        if self.kind == "integer":
            return idx + np.int64(self.low)
        return np.asarray(self.categories, dtype=object)[idx]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able description (stored in the provenance of a results store)."""
        return {"name": self.name, "low": self.low, "high": self.high, "kind": self.kind,
                "source": self.source, "categories": [str(c) for c in self.categories],
                "origin": self.origin, "role": self.role}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Uncertainty:
        """Inverse of `to_dict`."""
        return cls(name=d["name"], low=d.get("low", 0.0), high=d.get("high", 1.0), kind=d.get("kind", "real"),
                   source=d.get("source", ""), categories=tuple(d.get("categories") or ()),
                   origin=d.get("origin"), role=d.get("role", "uncertainty"))


@dataclass(frozen=True)
class Lever(Uncertainty):
    """A policy lever: sampled like an uncertainty but tagged as a choice of the coercer."""

    role: str = field(default="lever")


def as_parameters(items: Iterable[Any]) -> list[Uncertainty]:
    """Convert Uncertainty-like objects (`.name .low .high .kind .source`) to `Uncertainty`; names must be unique."""
    out: list[Uncertainty] = []
    for it in items:
        if isinstance(it, Uncertainty):
            out.append(it)
            continue
        kind = getattr(it, "kind", "real") or "real"
        origin = getattr(it, "origin", None)
        out.append(Uncertainty(
            name=str(it.name), low=float(getattr(it, "low", 0.0)), high=float(getattr(it, "high", 1.0)),
            kind=kind, source=str(getattr(it, "source", "") or ""),
            categories=tuple(getattr(it, "categories", ()) or ()),
            origin=None if origin is None else str(origin), role=str(getattr(it, "role", "uncertainty")),
        ))
    seen: set[str] = set()
    for p in out:
        if p.name in seen:
            raise InputError(f"parameter '{p.name}' is declared twice", field=p.name,
                             fix="give every uncertainty and lever a unique name")
        seen.add(p.name)
    return out


def salib_problem(params: Sequence[Uncertainty], unit: bool = False) -> dict[str, Any]:
    """A SALib problem description: names and bounds (unit bounds when `unit`, for scaled sampling)."""
    bounds = [[0.0, 1.0] if unit or p.kind != "real" else [p.low, p.high] for p in params]
    return {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds}


def select_parameters(params: Sequence[Uncertainty], spec: str | Sequence[str] | None) -> list[Uncertainty]:
    """Parameters matching comma-separated glob patterns ('war.*,base_rate.*'); '-pattern' excludes.

    With only exclusions, every other parameter stays. Each pattern must match something.
    """
    import fnmatch

    if spec is None:
        return list(params)
    pats = [p.strip() for p in (spec.split(",") if isinstance(spec, str) else spec) if p.strip()]
    include = [p for p in pats if not p.startswith("-")]
    exclude = [p[1:] for p in pats if p.startswith("-")]
    names = [p.name for p in params]
    for pat in include + exclude:
        if not fnmatch.filter(names, pat):
            raise InputError(f"pattern '{pat}' matches no uncertain parameter", field="--vary",
                             fix="use glob patterns over dotted names, e.g. 'war.*,base_rate.*' or '-economy.*'")
    chosen = [p for p in params if (not include or any(fnmatch.fnmatchcase(p.name, i) for i in include))
              and not any(fnmatch.fnmatchcase(p.name, e) for e in exclude)]
    if not chosen:
        raise InputError("no parameter left to vary", field="--vary", fix="loosen the patterns")
    return chosen

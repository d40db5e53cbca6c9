"""Solver results (Gambit style: each records its method and settings) and the equilibrium check.

Every solver passes each candidate through `verify_*` before returning it: probabilities must be
non-negative and sum to one, and the maximum regret must be within the stated tolerance (exactly zero
in rational arithmetic). A candidate that fails is a bug, and raises rather than being returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.normal import NormalFormGame

DEFAULT_TOL = 1e-8


class EquilibriumCheckError(RuntimeError):
    """A solver produced a profile that is not an equilibrium within tolerance (never returned)."""


@dataclass(frozen=True)
class Equilibrium:
    """One equilibrium. `strategies[i]` is player i's mixed strategy (strategic form) or, for trees,
    a list of action-probability lists, one per information set in file order.

    For trees the flat behaviour vector is kept in `behavior` and nested only when asked for (a 10^6-node
    tree has half a million information sets)."""

    raw: Any
    payoffs: list[Any]
    max_regret: float
    exact: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    nest: Callable[[Any], list[Any]] | None = None

    @property
    def strategies(self) -> list[Any]:
        """Per player: probability vector, or per-infoset action probabilities."""
        return self.nest(self.raw) if self.nest is not None else self.raw

    @property
    def behavior(self) -> np.ndarray:
        """The flat behaviour profile (trees only)."""
        return np.asarray(self.raw)

    def as_floats(self) -> list[Any]:
        """Strategies as nested lists of floats."""
        return _floatify(self.strategies)


@dataclass(frozen=True)
class SolveResult:
    """What a solver returns: the game, method, settings and the verified equilibria."""

    game: str
    method: str
    form: Literal["strategic", "behavior"]
    settings: dict[str, Any]
    equilibria: list[Equilibrium]

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape; exact numbers are written as strings like "1/3"."""
        return {
            "game": self.game,
            "method": self.method,
            "form": self.form,
            "settings": self.settings,
            "equilibria": [
                {
                    "strategies": _jsonify(e.strategies),
                    "payoffs": _jsonify(e.payoffs),
                    "max_regret": e.max_regret,
                    **({"extra": _jsonify(e.extra)} if e.extra else {}),
                }
                for e in self.equilibria
            ],
        }


def _floatify(x: Any) -> Any:
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_floatify(v) for v in x]
    return float(x)


def _jsonify(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _jsonify(v) for k, v in x.items()}
    if isinstance(x, (list, tuple, np.ndarray)):
        return [_jsonify(v) for v in x]
    if isinstance(x, Fraction):
        return str(x)
    if isinstance(x, (np.integer, int)) and not isinstance(x, bool):
        return int(x)
    if isinstance(x, (np.floating, float)):
        return float(x)
    return x


def check_distribution(p: Sequence[Any], tol: float, what: str) -> None:
    """Non-negative entries summing to one (exactly, for Fractions)."""
    arr = list(p)
    if all(isinstance(v, Fraction) for v in arr):
        if any(v < 0 for v in arr) or sum(arr) != 1:
            raise EquilibriumCheckError(f"{what}: not a probability vector: {arr}")
        return
    a = np.asarray(arr, dtype=float)
    if np.any(a < -tol) or abs(a.sum() - 1.0) > max(tol, 1e-9) * len(a):
        raise EquilibriumCheckError(f"{what}: not a probability vector (sum {a.sum()!r}, min {a.min()!r})")


def verify_strategic(
    game: NormalFormGame, profile: Sequence[Any], tol: float = DEFAULT_TOL, *, nash: bool = True
) -> Equilibrium:
    """Check a mixed profile of a strategic game and wrap it as an Equilibrium (raises if it is not one).

    With `nash=False` only the distributions are checked (used for QRE points)."""
    exact = all(isinstance(v, Fraction) for p in profile for v in p)
    for i, p in enumerate(profile):
        if len(p) != game.shape[i]:
            raise EquilibriumCheckError(f"player {i + 1}: {len(p)} probabilities for {game.shape[i]} strategies")
        check_distribution(p, tol, f"player {game.players[i]}")
    if exact:
        prof = [np.array(list(p), dtype=object) for p in profile]
        regrets = game.regrets(prof)
        reg = max(regrets)
        if nash and reg != 0:
            raise EquilibriumCheckError(f"exact profile has regret {reg}")
        pay = list(game.payoff_values(prof))
        return Equilibrium([list(p) for p in profile], pay, float(reg), exact=True)
    prof = [np.asarray(p, dtype=float) for p in profile]
    reg = game.max_regret(prof)
    scale = max(1.0, game.payoff_range())
    if nash and reg > tol * scale:
        raise EquilibriumCheckError(f"profile has max regret {reg:.3g} > tolerance {tol * scale:.3g}")
    return Equilibrium([list(map(float, p)) for p in prof], [float(v) for v in game.payoff_values(prof)], reg)


def verify_behavior(
    game: ExtensiveGame, beh: np.ndarray, tol: float = DEFAULT_TOL, *, nash: bool = True, extra: dict | None = None
) -> Equilibrium:
    """Check a flat behaviour profile (sums to one at every infoset, regret within tolerance)."""
    beh = game.with_chance(beh)
    if np.any(beh < -tol):
        raise EquilibriumCheckError("negative behaviour probability")
    sums = np.add.reduceat(beh, game.action_offset[:-1]) if game.n_actions else np.zeros(0)
    if np.any(np.abs(sums - 1.0) > max(tol, 1e-9) * game.infoset_nactions):
        k = int(np.argmax(np.abs(sums - 1.0)))
        raise EquilibriumCheckError(f"behaviour probabilities at information set {k} sum to {sums[k]!r}")
    reg = game.max_regret(beh)
    scale = max(1.0, game.payoff_range())
    if nash and reg > tol * scale:
        raise EquilibriumCheckError(f"behaviour profile has max regret {reg:.3g} > tolerance {tol * scale:.3g}")
    return Equilibrium(
        beh, [float(v) for v in game.expected_payoffs(beh)], reg, extra=extra or {}, nest=game.behavior_lists
    )

"""N-player normal-form games as payoff arrays, with optional exact (Fraction) payoffs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from brinkmanship.games.numbers import Number, to_fraction


@dataclass(frozen=True)
class NormalFormGame:
    """A finite game in strategic form: `payoffs[i, s_1, ..., s_n]` is player i's payoff.

    `exact` (same shape, Fractions) is kept when the payoffs were given exactly, so that solvers can run
    in rational arithmetic and files round-trip bit for bit.
    """

    title: str
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]
    payoffs: np.ndarray
    exact: np.ndarray | None = None
    comment: str = ""
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        n = len(self.players)
        shape = tuple(len(s) for s in self.strategies)
        if len(self.strategies) != n:
            raise ValueError("one strategy list per player is required")
        if self.payoffs.shape != (n, *shape):
            raise ValueError(f"payoffs have shape {self.payoffs.shape}, expected {(n, *shape)}")
        if not np.all(np.isfinite(self.payoffs)):
            raise ValueError("payoffs must be finite")
        if any(len(s) == 0 for s in self.strategies):
            raise ValueError("every player needs at least one strategy")

    # -- construction -------------------------------------------------------------------------------
    @classmethod
    def from_payoffs(
        cls,
        payoffs: Any,
        *,
        title: str = "",
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
        source: str = "",
        exact: bool | None = None,
    ) -> NormalFormGame:
        """Build from an array `[player, s1, ..., sn]` of ints, floats, Fractions or strings."""
        raw = np.asarray(payoffs, dtype=object)
        n = raw.shape[0]
        players = tuple(players) if players is not None else tuple(str(i + 1) for i in range(n))
        if strategies is None:
            strategies = [tuple(str(j + 1) for j in range(k)) for k in raw.shape[1:]]
        flat = raw.ravel()
        is_exact = all(isinstance(v, (int, Fraction, str, np.integer)) for v in flat)
        if exact is None:
            exact = is_exact
        ex = None
        if exact:
            ex = np.empty(raw.shape, dtype=object)
            ex.ravel()[:] = [to_fraction(int(v) if isinstance(v, np.integer) else v) for v in flat]
            fl = np.array([float(v) for v in ex.ravel()], dtype=float).reshape(raw.shape)
        else:
            fl = np.array([float(v) for v in flat], dtype=float).reshape(raw.shape)
        return cls(
            title=title,
            players=players,
            strategies=tuple(tuple(s) for s in strategies),
            payoffs=fl,
            exact=ex,
            source=source,
        )

    @classmethod
    def bimatrix(cls, A: Any, B: Any, **kwargs: Any) -> NormalFormGame:
        """Two-player game from row player's matrix A and column player's matrix B."""
        a = np.asarray(A, dtype=object)
        b = np.asarray(B, dtype=object)
        if a.shape != b.shape or a.ndim != 2:
            raise ValueError("A and B must be matrices of the same shape")
        return cls.from_payoffs(np.stack([a, b]), **kwargs)

    # -- structure ----------------------------------------------------------------------------------
    @property
    def n_players(self) -> int:
        """Number of players."""
        return len(self.players)

    @property
    def shape(self) -> tuple[int, ...]:
        """Number of strategies of each player."""
        return tuple(len(s) for s in self.strategies)

    def exact_payoffs(self) -> np.ndarray:
        """Payoffs as Fractions (the decimal each float prints as when no exact data was given)."""
        if self.exact is not None:
            return self.exact
        return self._decimal_payoffs

    @cached_property
    def _decimal_payoffs(self) -> np.ndarray:
        """The float payoffs as the decimals they print as, converted once (exact solvers ask often)."""
        out = np.empty(self.payoffs.shape, dtype=object)
        out.ravel()[:] = [to_fraction(float(v)) for v in self.payoffs.ravel()]
        out.flags.writeable = False
        return out

    # -- evaluation -----------------------------------------------------------------------------------
    def strategy_values(self, profile: Sequence[Any], player: int) -> np.ndarray:
        """Expected payoff of each pure strategy of `player` against the others' mixed strategies.

        Works with float arrays or with Fraction object arrays (exact)."""
        exact = any(np.asarray(p).dtype == object for p in profile)
        table = self.exact_payoffs()[player] if exact else self.payoffs[player]
        out = table
        # contract the other players' axes, last axis first so indices stay valid
        for k in range(self.n_players - 1, -1, -1):
            if k == player:
                continue
            p = np.asarray(profile[k], dtype=object if exact else float)
            out = _contract(out, p, k)
        return out

    def payoff_values(self, profile: Sequence[Any]) -> np.ndarray:
        """Expected payoff of every player under a mixed profile."""
        return np.array(
            [np.dot(self.strategy_values(profile, i), np.asarray(profile[i])) for i in range(self.n_players)],
            dtype=object if any(np.asarray(p).dtype == object for p in profile) else float,
        )

    def regrets(self, profile: Sequence[Any]) -> list[Any]:
        """Per player: best pure-strategy value minus the profile's value (0 at an equilibrium)."""
        out = []
        for i in range(self.n_players):
            v = self.strategy_values(profile, i)
            out.append(max(v) - np.dot(v, np.asarray(profile[i])))
        return out

    def max_regret(self, profile: Sequence[Any]) -> float:
        """Largest regret of any player (a float even in exact arithmetic)."""
        return float(max(self.regrets(profile)))

    def payoff_range(self) -> float:
        """max - min payoff over the whole game (scale for relative tolerances)."""
        return float(self.payoffs.max() - self.payoffs.min())


def _contract(table: np.ndarray, p: np.ndarray, axis: int) -> np.ndarray:
    """Sum `table` against probability vector `p` along `axis` (object or float arrays)."""
    return np.tensordot(table, p, axes=([axis], [0]))


def as_numbers(values: Sequence[Number]) -> list[Number]:
    """Plain Python numbers (drop numpy scalar types) for JSON and comparisons."""
    return [v if isinstance(v, (Fraction, int)) else float(v) for v in values]

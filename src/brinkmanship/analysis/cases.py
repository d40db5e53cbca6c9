"""Case selection for scenario discovery: which explored worlds are "cases of interest" for PRIM.

One rule for `brink discover` (a threshold the user gives) and the report's PRIM section (the worst share
of worlds, worst in the outcome's declared direction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from brinkmanship.errors import InputError
from brinkmanship.explore.parameters import Outcome


@dataclass(frozen=True)
class Cases:
    """A world is a case when its outcome is at or beyond `threshold`: >= it, or <= it when `below`."""

    outcome: str
    threshold: float
    below: bool = False

    def __str__(self) -> str:
        return f"{self.outcome} {'<=' if self.below else '>='} {self.threshold:g}"

    def mask(self, values: np.ndarray) -> np.ndarray:
        """Boolean array over the worlds: which are cases."""
        v = np.asarray(values, dtype=np.float64)
        return v <= self.threshold if self.below else v >= self.threshold

    def select(self, values: np.ndarray) -> np.ndarray:
        """The case mask; an input error when it does not split the worlds (nothing to discover)."""
        y = self.mask(values)
        n_cases = int(y.sum())
        if n_cases == 0 or n_cases == y.size:
            raise InputError(f"{'all' if n_cases else 'none'} of {y.size:,} worlds have {self}: nothing to discover",
                             field="--threshold", fix="choose a threshold that splits the worlds")
        return y

    @staticmethod
    def worst(outcome: Outcome, values: np.ndarray, share: float = 0.2) -> Cases:
        """The worlds strictly beyond the outcome's (1 - share) quantile in its bad direction (high when it is
        minimised, low when maximised); with ties at the extreme, the worlds at the extreme."""
        v = np.asarray(values, dtype=np.float64)
        if outcome.maximise:
            cut = float(np.quantile(v, share))
            beyond = v[v < cut]
            return Cases(outcome.name, float(beyond.max()) if beyond.size else cut, below=True)
        cut = float(np.quantile(v, 1.0 - share))
        beyond = v[v > cut]
        return Cases(outcome.name, float(beyond.min()) if beyond.size else cut)

"""The credibility sweep of `compare`: how the strategies' ranking moves with the target's prior credibility.

Every rule's and deadline's `believed` (the target's prior that the coercer is resolute) is set to one
common value x on a grid from 0 to 1; each strategy's exact outcomes are solved for the point type at each x,
strategies are ranked by their chance of a settlement (a deal or a freeze, the outcomes that end the crisis
without conflict), and the crossing points (the x at which one strategy's settlement chance passes another's,
by linear interpolation between grid points) are reported per strategy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from brinkmanship.engine.decision import Adversary
    from brinkmanship.spec import Scenario, Strategy

SETTLED = ("denuclearisation", "freeze")  # the outcomes a strategy is ranked by (the crisis ends without conflict)
RANK_TOL = 1e-9  # settlement chances this close are a tie


def believed_names(strategy: Strategy) -> list[str]:
    """The `believed` parameters of a strategy's rules and deadlines (the target's priors)."""
    return [f"rules.{r.id}.believed" for r in strategy.rules] + [
        f"deadlines.{d.id}.believed" for d in strategy.deadlines]


def credibility_sweep(sc: Scenario, strategies: list[Strategy], adversary: Adversary, points: int) -> dict[str, Any]:
    """Settlement chance of each strategy at `points` common prior credibilities in [0, 1], each strategy's
    rank there (1: most settlements), and per strategy the crossing points where its rank changes."""
    from brinkmanship.adversary.exact import exact_outcomes

    grid = np.linspace(0.0, 1.0, points)
    score = np.zeros((len(strategies), points))
    for i, s in enumerate(strategies):
        names = believed_names(s)
        for j, x in enumerate(grid):
            out = exact_outcomes(sc, s, adversary, {n: float(x) for n in names})
            score[i, j] = sum(out[k] for k in SETTLED)
    rank = 1 + (score[None, :, :] > score[:, None, :] + RANK_TOL).sum(axis=1)  # (S, points)
    out: dict[str, Any] = {"prior_credibility": grid.round(6).tolist(), "ranked_by": " + ".join(SETTLED),
                           "types": "point", "strategies": {}}
    for i, s in enumerate(strategies):
        out["strategies"][s.name] = {"settled": score[i].round(6).tolist(), "rank": rank[i].tolist(),
                                     "crossings": crossings(grid, score, i, [t.name for t in strategies])}
    return out


def crossings(grid: np.ndarray, score: np.ndarray, i: int, names: list[str]) -> list[dict[str, Any]]:
    """The prior credibilities at which strategy i's settlement chance crosses another's, in order: where the
    difference changes sign between two grid points, the linear interpolation of its zero (a tie that breaks:
    the grid point of the tie). `above`: whether i is ahead of or behind the other above that point."""
    out = []
    for j in range(score.shape[0]):
        if j == i:
            continue
        d = score[i] - score[j]
        sign = np.where(np.abs(d) <= RANK_TOL, 0, np.sign(d))
        for k in range(len(grid) - 1):
            if sign[k] == sign[k + 1] or sign[k + 1] == 0:
                continue
            x = grid[k] if sign[k] == 0 else grid[k] + (grid[k + 1] - grid[k]) * d[k] / (d[k] - d[k + 1])
            out.append({"at": round(float(x), 6), "other": names[j], "above": "ahead" if d[k + 1] > 0 else "behind"})
    return sorted(out, key=lambda c: c["at"])

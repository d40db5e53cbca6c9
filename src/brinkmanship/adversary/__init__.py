"""The rational adversary: a planner that best-responds to the committed strategy, and exact outcomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brinkmanship.adversary.model import PlannerModel


def planner_model(spec: str) -> PlannerModel:
    """The decision model for `rational` or `logit:<lambda>` (solved lazily for each strategy it meets)."""
    from brinkmanship.adversary.model import PlannerModel
    from brinkmanship.adversary.planner import Decision

    return PlannerModel(Decision.parse(spec))


__all__ = ["planner_model"]

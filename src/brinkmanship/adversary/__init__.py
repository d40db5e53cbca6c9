"""The rational adversary: a planner that best-responds to the committed strategy, and exact outcomes.

Importing this package registers its decision models with the engine: `rational` and `logit:<lambda>`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from brinkmanship.engine.decision import Adversary, register_decision_model

if TYPE_CHECKING:
    from brinkmanship.adversary.model import PlannerModel


def planner_model(spec: str | Adversary) -> PlannerModel:
    """The decision model for `rational` or `logit:<lambda>` (solved lazily for each strategy it meets)."""
    from brinkmanship.adversary.model import PlannerModel
    from brinkmanship.adversary.planner import Decision

    return PlannerModel(Decision.of(Adversary.parse(spec)))


register_decision_model("rational", planner_model)
register_decision_model("logit", planner_model, parameter="lambda")

__all__ = ["planner_model"]

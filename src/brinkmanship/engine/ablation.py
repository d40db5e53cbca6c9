"""Switch one element of a strategy off (to its status-quo setting) to see what that element does."""

from __future__ import annotations

from brinkmanship.spec import Strategy
from brinkmanship.spec.params import Param
from brinkmanship.spec.strategy import Channel, Engagement, ExercisesMode, SanctionsMode

STATUS_QUO_POSTURE = Param(value=1.0, source="usfk2017")


def without(strategy: Strategy, element: str) -> Strategy:
    """`strategy` with `element` (a name from `Strategy.elements()`) at its 2017 status-quo setting or removed."""
    lv = strategy.levers
    if element == "third_parties.china":
        levers = lv.model_copy(update={"third_parties": lv.third_parties.model_copy(
            update={"china": Engagement.engage})})
    elif element == "third_parties.russia":
        levers = lv.model_copy(update={"third_parties": lv.third_parties.model_copy(
            update={"russia": Engagement.engage})})
    elif element == "talks":
        levers = lv.model_copy(update={"talks": lv.talks.model_copy(update={"channel": Channel.none})})
    elif element == "sanctions":
        levers = lv.model_copy(update={"sanctions": lv.sanctions.model_copy(
            update={"mode": SanctionsMode.escalate})})
    elif element == "posture":
        levers = lv.model_copy(update={"posture": lv.posture.model_copy(
            update={"target": STATUS_QUO_POSTURE, "ramp_months": 0})})
    elif element == "exercises":
        levers = lv.model_copy(update={"exercises": lv.exercises.model_copy(
            update={"mode": ExercisesMode.normal})})
    elif element.startswith("rules."):
        rid = element.removeprefix("rules.")
        return strategy.model_copy(update={"rules": [r for r in strategy.rules if r.id != rid],
                                           "name": f"{strategy.name}-without-{rid}"})
    elif element.startswith("deadlines."):
        did = element.removeprefix("deadlines.")
        return strategy.model_copy(update={"deadlines": [d for d in strategy.deadlines if d.id != did],
                                           "name": f"{strategy.name}-without-{did}"})
    elif element.startswith("phases."):
        pid = element.removeprefix("phases.")
        return strategy.model_copy(update={"phases": [p for p in strategy.phases if p.id != pid],
                                           "name": f"{strategy.name}-without-{pid}"})
    else:
        raise KeyError(f"unknown strategy element '{element}' (known: {strategy.elements()})")
    return strategy.model_copy(update={"levers": levers, "name": f"{strategy.name}-without-{element}"})

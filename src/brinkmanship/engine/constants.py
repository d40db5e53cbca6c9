"""Names of phases, outcomes, escalation rungs, target actions, events and responses (values are array codes).

Each code is an `IntEnum`, so it indexes arrays directly and prints by name. The old module-level names
(`MISSILE`, `CRISIS`, `CIV`, ...) remain as aliases of the members; the tuples of lower-case names
(`PHASES`, `ACTIONS`, ...) are the strings used in data files, JSON and reports.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


def _names(enum: type[IntEnum]) -> tuple[str, ...]:
    """The members' names in code order, lower case (the spelling of data files and outputs)."""
    return tuple(m.name.lower() for m in enum)


class Phase(IntEnum):
    """Where a run stands: peace and crisis are open, freeze and deal are open endings a run can leave
    (its `Status` says which), the conflicts absorbing."""

    PEACE = 0  # open, after the scenario's quiet months without a test or provocation (reported, not acted on)
    CRISIS = 1
    LIMITED_CONFLICT = 2
    MAJOR_WAR = 3
    NUCLEAR_WAR = 4
    DEAL = 5
    FREEZE = 6


class Outcome(IntEnum):
    """How a run stands at the horizon: a deal that holds (denuclearisation), a freeze that holds (the arsenal
    kept), an open crisis (continued build-up), or the conflict it ended in."""

    DENUCLEARISATION = 0
    FREEZE = 1
    BUILDUP = 2
    LIMITED_CONFLICT = 3
    MAJOR_WAR = 4
    NUCLEAR_WAR = 5


class Status(IntEnum):
    """Which ending a run that is not at war is in: none (open), a freeze, a deal being carried out, or a
    deal carried out (the arsenal given up). A freeze is broken by a test; a deal by the target reneging
    (a test, before the arsenal is gone) or by the coercer defecting (an attack)."""

    OPEN = 0
    FROZEN = 1
    DEAL = 2
    DISARMED = 3


class Rung(IntEnum):
    """Escalation ladder adapting Kahn's thresholds (On Escalation, 1965) to five rungs."""

    SUB_CRISIS = 0
    CRISIS = 1
    LIMITED_STRIKES = 2
    MAJOR_WAR = 3
    NUCLEAR_USE = 4


class Action(IntEnum):
    """The target's monthly actions."""

    HOLD = 0
    MISSILE_TEST = 1
    NUCLEAR_TEST = 2
    PROVOCATION = 3
    NEGOTIATE = 4
    ACCEPT_DEAL = 5
    FREEZE = 6
    INVADE = 7
    NUCLEAR_USE = 8


class Event(IntEnum):
    """What the coercer's rules answer (the first three) or what a deadline is (the last)."""

    MISSILE_TEST = 0
    NUCLEAR_TEST = 1
    PROVOCATION = 2
    DEADLINE = 3


class Response(IntEnum):
    """The target's answer to strikes suffered."""

    ABSORB = 0
    RETALIATE = 1
    ESCALATE = 2


class TargetClass(IntEnum):
    """Abstract classes of targets (never coordinates or named facilities)."""

    MILITARY = 0
    LEADERSHIP = 1
    DUAL_USE = 2
    CIVILIAN_POPULATION = 3


class TalksMove(IntEnum):
    """How a month's own action moves talks before strikes and sanctions rounds: the planner's talks branches."""

    NONE = 0
    GAIN = 1  # a month of negotiation
    MISSILE_SETBACK = 2  # a missile test (and, under escalating sanctions, the round that follows it)
    NUCLEAR_SETBACK = 3  # a nuclear test (likewise)


PHASES = _names(Phase)
PEACE, CRISIS, LIMITED, MAJOR_WAR, NUCLEAR_WAR, DEAL, FREEZE = Phase
ABSORBING = (LIMITED, MAJOR_WAR, NUCLEAR_WAR)  # the conflicts; a freeze or a deal can still break
STATUSES = _names(Status)
DEAL_STATUSES = (Status.DEAL, Status.DISARMED)
PHASE_OF_STATUS = {Status.FROZEN: Phase.FREEZE, Status.DEAL: Phase.DEAL, Status.DISARMED: Phase.DEAL}

OUTCOMES = _names(Outcome)
OUTCOME_OF_STATUS = {Status.OPEN: Outcome.BUILDUP, Status.FROZEN: Outcome.FREEZE,
                     Status.DEAL: Outcome.DENUCLEARISATION, Status.DISARMED: Outcome.DENUCLEARISATION}
# final phase -> outcome index (a run in a freeze or a deal is in the FREEZE or DEAL phase)
OUTCOME_OF_PHASE = {Phase.PEACE: Outcome.BUILDUP, Phase.CRISIS: Outcome.BUILDUP,
                    Phase.LIMITED_CONFLICT: Outcome.LIMITED_CONFLICT, Phase.MAJOR_WAR: Outcome.MAJOR_WAR,
                    Phase.NUCLEAR_WAR: Outcome.NUCLEAR_WAR, Phase.DEAL: Outcome.DENUCLEARISATION,
                    Phase.FREEZE: Outcome.FREEZE}
PHASE_TO_OUTCOME = np.array([OUTCOME_OF_PHASE[p] for p in Phase], dtype=np.int8)

RUNGS = ("sub-crisis", "crisis", "limited conventional strikes", "major conventional war", "nuclear use")

ACTIONS = _names(Action)
HOLD, MISSILE, NUCLEAR_TEST, PROVOCATION, NEGOTIATE, ACCEPT, FREEZE_ACT, INVADE, NUCLEAR_USE = Action
N_ACTIONS = len(Action)

RESPONSES = _names(Response)
ABSORB, RETALIATE, ESCALATE = Response

TARGET_CLASSES = _names(TargetClass)
MIL, LEAD, DUAL, CIV = TargetClass

EVENTS = _names(Event)[:Event.DEADLINE]  # the events a rule can answer
EVENT_OF_ACTION = {Action.MISSILE_TEST: Event.MISSILE_TEST, Action.NUCLEAR_TEST: Event.NUCLEAR_TEST,
                   Action.PROVOCATION: Event.PROVOCATION}

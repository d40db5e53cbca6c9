"""Names of phases, outcomes, escalation rungs, target actions and responses (indices are array codes)."""

from __future__ import annotations

import numpy as np

PHASES = ("peace", "crisis", "limited_conflict", "major_war", "nuclear_war", "deal", "freeze")
PEACE, CRISIS, LIMITED, MAJOR_WAR, NUCLEAR_WAR, DEAL, FREEZE = range(7)
ABSORBING = (LIMITED, MAJOR_WAR, NUCLEAR_WAR, DEAL, FREEZE)

OUTCOMES = ("deal", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war")
# final phase -> outcome index
PHASE_TO_OUTCOME = np.array([2, 2, 3, 4, 5, 0, 1], dtype=np.int8)

# Escalation ladder adapting Kahn's thresholds (On Escalation, 1965) to five rungs.
RUNGS = ("sub-crisis", "crisis", "limited conventional strikes", "major conventional war", "nuclear use")

ACTIONS = ("hold", "missile_test", "nuclear_test", "provocation", "negotiate", "accept_deal", "freeze",
           "invade", "nuclear_use")
HOLD, MISSILE, NUCLEAR_TEST, PROVOCATION, NEGOTIATE, ACCEPT, FREEZE_ACT, INVADE, NUCLEAR_USE = range(9)
N_ACTIONS = len(ACTIONS)

RESPONSES = ("absorb", "retaliate", "escalate")
ABSORB, RETALIATE, ESCALATE = range(3)

TARGET_CLASSES = ("military", "leadership", "dual_use", "civilian_population")
MIL, LEAD, DUAL, CIV = range(4)

EVENTS = ("missile_test", "nuclear_test", "provocation")
EVENT_OF_ACTION = {MISSILE: 0, NUCLEAR_TEST: 1, PROVOCATION: 2}

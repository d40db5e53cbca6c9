"""Zagare & Kilgour's deterrence games (Perfect Deterrence, 2000; Kilgour & Zagare 2007).

Payoffs are ordinal utilities chosen to satisfy the authors' stated preference assumptions; every
parameter can be changed, and the tests sweep them across the whole admissible region.
"""

from __future__ import annotations

from fractions import Fraction

from brinkmanship.games.builder import game, harsanyi, leaf, move
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.numbers import Number

RADG_SOURCE = (
    "Zagare & Kilgour, Perfect Deterrence (Cambridge UP, 2000), ch. 4: Rudimentary Asymmetric Deterrence "
    "Game with one-sided incomplete information about B's type (Hard: bDD+ > bDC; Soft: bDD- < bDC)"
)
AEG_SOURCE = (
    "Kilgour & Zagare, 'Explaining Limited Conflicts', Conflict Management and Peace Science 24(1), 2007; "
    "Zagare & Kilgour, Perfect Deterrence (2000), ch. 6 (Asymmetric Escalation Game), complete information"
)


def radg(
    pB: Number = Fraction(1, 2),
    *,
    aSQ: Number = 0,
    aDC: Number = 1,
    aDD: Number = -2,
    bSQ: Number = 2,
    bDC: Number = 0,
    bDD_hard: Number = 1,
    bDD_soft: Number = -1,
) -> ExtensiveGame:
    """Rudimentary Asymmetric Deterrence Game: Nature draws B Hard (pB) or Soft; A, not knowing which,
    keeps the status quo (C) or challenges (D); B concedes (C, outcome DC) or resists (D, outcome DD).

    Assumptions: aDD < aSQ < aDC and bDD_soft < bDC < bDD_hard < bSQ."""
    if not (aDD < aSQ < aDC and bDD_soft < bDC < bDD_hard < bSQ):
        raise ValueError("RADG needs aDD < aSQ < aDC and bDD- < bDC < bDD+ < bSQ")

    def a_node(kind: str, bDD: Number) -> object:
        return move(
            "A",
            {
                "C": leaf("SQ", aSQ, bSQ),
                "D": move("B", {"C": leaf("DC", aDC, bDC), "D": leaf(f"DD-{kind}", aDD, bDD)}, infoset=f"B {kind}"),
            },
            infoset="A",
        )

    return game(
        "Rudimentary Asymmetric Deterrence Game",
        ["A", "B"],
        harsanyi({"Hard": (pB, a_node("Hard", bDD_hard)), "Soft": (1 - pB, a_node("Soft", bDD_soft))}),
        source=RADG_SOURCE,
    )


def radg_threshold(aSQ: Number = 0, aDC: Number = 1, aDD: Number = -2) -> Fraction:
    """A challenges iff pB < (aDC - aSQ) / (aDC - aDD) (Zagare & Kilgour 2000)."""
    return (Fraction(str(aDC)) - Fraction(str(aSQ))) / (Fraction(str(aDC)) - Fraction(str(aDD)))


DEFAULT_AEG = {
    # Challenger: DC > ED > SQ > DD > DE > EE   (wins beat the status quo; conflict it does not win does not)
    "ch": {"DC": 6, "ED": 5, "SQ": 4, "DD": 3, "DE": 2, "EE": 1},
    # Defender: SQ > DE > DD > DC > ED > EE      (tactically and strategically hard by default)
    "def": {"SQ": 6, "DE": 5, "DD": 4, "DC": 3, "ED": 2, "EE": 1},
}


def aeg(ch: dict[str, Number] | None = None, defender: dict[str, Number] | None = None) -> ExtensiveGame:
    """Asymmetric Escalation Game (complete information).

    Ch: cooperate (SQ) or demand (D). Def: concede (DC), respond in kind (D) or escalate (E).
    After D, Ch may escalate (E) or not (DD, limited conflict); after Ch escalates, Def counter-escalates
    (EE, all-out war) or not (ED). After Def escalates, Ch counter-escalates (EE) or backs down (DE)."""
    c = {**DEFAULT_AEG["ch"], **(ch or {})}
    d = {**DEFAULT_AEG["def"], **(defender or {})}

    def o(name: str) -> object:
        return leaf(name, c[name], d[name])

    tree = move(
        "Challenger",
        {
            "Cooperate": o("SQ"),
            "Demand": move(
                "Defender",
                {
                    "Concede": o("DC"),
                    "Respond": move(
                        "Challenger",
                        {"Hold": o("DD"), "Escalate": move("Defender", {"Counter": o("EE"), "Yield": o("ED")})},
                    ),
                    "Escalate": move("Challenger", {"Counter": o("EE"), "Back down": o("DE")}),
                },
            ),
        },
    )
    return game("Asymmetric Escalation Game", ["Challenger", "Defender"], tree, source=AEG_SOURCE)

"""A Schelling/Powell brinkmanship game and a commitment game for the 2017 op-ed.

All payoffs here are assumptions (ordinal, normalised), not estimates; every one is a parameter.
"""

from __future__ import annotations

from fractions import Fraction

from brinkmanship.games.builder import chance, game, harsanyi, leaf, move
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.numbers import Number, to_fraction

BRINK_SOURCE = (
    "Schelling, The Strategy of Conflict (1960), ch. 8 ('the threat that leaves something to chance'); "
    "Powell, Nuclear Deterrence Theory: The Search for Credibility (1990), ch. 2 (escalation with a rising "
    "risk of disaster and private information about resolve); simplified finite form"
)
OPED_SOURCE = (
    "Commitment game for 'Let U.S. Deterrence Fail on the Korean Peninsula', The National Interest, "
    "24 Sep 2017: the coercer commits to withdrawal plus retaliation rules; payoffs are assumptions"
)
IHL_NOTE = (
    "The op-ed's 'a city for every nuclear test' rule targets civilians and is a reprisal against civilians: "
    "prohibited (ICRC customary IHL rules 1, 145-146; AP I art. 51(2), 51(6)). It is modelled only as an "
    "abstract punitive-strike payoff to analyse the proposal."
)


def brinkmanship(
    rounds: int = 3,
    risk: tuple[Number, ...] | None = None,
    cA: Number = 2,
    cB_resolute: Number = Fraction(1, 2),
    cB_irresolute: Number = 3,
    prior_resolute: Number = Fraction(1, 3),
) -> ExtensiveGame:
    """Players alternate (A first) choosing Quit (lose: 0 to the quitter, 1 to the other) or Escalate;
    each escalation at step k ends in disaster with probability risk[k] (payoffs -cA, -cB), and the last
    one surely does. Nature draws B resolute (low disaster cost) with `prior_resolute`; A does not see it."""
    if risk is None:
        risk = tuple(Fraction(k + 1, rounds) for k in range(rounds))
    risk = tuple(to_fraction(r) for r in risk)
    if len(risk) != rounds or risk[-1] != 1 or any(not 0 <= r <= 1 for r in risk):
        raise ValueError("risk needs one probability per round, the last equal to 1")
    cA = to_fraction(cA)

    def stage(k: int, cB: Fraction, kind: str, hist: str) -> object:
        mover = "A" if k % 2 == 0 else "B"
        quit_payoffs = (0, 1) if mover == "A" else (1, 0)
        disaster = leaf("disaster", -cA, -cB)
        if k == rounds - 1:
            after = disaster
        else:
            after = chance({"disaster": (risk[k], disaster),
                            "safe": (1 - risk[k], stage(k + 1, cB, kind, hist + "E"))})
        info = f"A after {hist or 'start'}" if mover == "A" else f"B {kind} after {hist}"
        return move(mover, {"Quit": leaf(f"{mover} quits", *quit_payoffs), "Escalate": after}, infoset=info)

    p = to_fraction(prior_resolute)
    root = harsanyi({"resolute": (p, stage(0, to_fraction(cB_resolute), "resolute", "")),
                     "irresolute": (1 - p, stage(0, to_fraction(cB_irresolute), "irresolute", ""))})
    return game("Schelling-Powell brinkmanship", ["A", "B"], root, source=BRINK_SOURCE)


DEFAULT_OPED = {
    # (coercer, target) payoffs of each outcome; assumptions, ordinal scale
    "talks": (3, 2),  # negotiated freeze
    "tests_tolerated": (1, 3),  # target tests, coercer does not retaliate (rule not executed)
    "tests_punished_absorbed": (2, 0),  # retaliation rule executed, target absorbs
    "tests_punished_war": (-4, -6),  # retaliation executed, target escalates to general war
    "invasion_no_us": (-3, 1),  # invasion after withdrawal (no tripwire)
    "invasion_us": (-5, -5),  # invasion against US forces in place: general war
    "status_quo_tests": (1, 2),  # forces stay, sanctions ratchet, target keeps testing
}


def oped_commitment(credibility: Number = Fraction(1, 2), payoffs: dict[str, tuple[Number, Number]] | None = None) -> ExtensiveGame:
    """Coercer: keep forces (status quo) or withdraw + commit to retaliation rules. Target (seeing it):
    tests, talks or invasion. After a test under the commitment the rule is executed with probability
    `credibility`; struck, the target absorbs or escalates to general war."""
    pay = {**DEFAULT_OPED, **(payoffs or {})}
    k = to_fraction(credibility)

    def o(name: str) -> object:
        return leaf(name, *pay[name])

    commit = move(
        "Target",
        {
            "Tests": chance({
                "rule executed": (k, move("Target", {"Absorb": o("tests_punished_absorbed"), "Escalate": o("tests_punished_war")})),
                "rule not executed": (1 - k, o("tests_tolerated")),
            }),
            "Talks": o("talks"),
            "Invasion": o("invasion_no_us"),
        },
    )
    status_quo = move("Target", {"Tests": o("status_quo_tests"), "Talks": o("talks"), "Invasion": o("invasion_us")})
    g = game(
        "Op-ed commitment game (withdrawal plus retaliation rules)",
        ["Coercer", "Target"],
        move("Coercer", {"Status quo": status_quo, "Withdraw and commit": commit}),
        source=OPED_SOURCE,
        comment=IHL_NOTE,
    )
    g.meta["ihl"] = IHL_NOTE
    return g

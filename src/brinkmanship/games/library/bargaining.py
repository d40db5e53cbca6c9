"""Fearon's (1995) bargaining model of war and Powell's (2006) commitment problem (preventive war)."""

from __future__ import annotations

from fractions import Fraction

from brinkmanship.games.builder import game, leaf, move
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.numbers import Number, to_fraction

FEARON_SOURCE = "Fearon, 'Rationalist Explanations for War', International Organization 49(3), 1995, sec. 2"
POWELL_SOURCE = (
    "Powell, 'War as a Commitment Problem', International Organization 60(1), 2006; one-shift form: the "
    "declining state's per-period war share q falls permanently by Delta after this period"
)


def bargaining_range(p: Number, cA: Number, cB: Number) -> tuple[Fraction, Fraction]:
    """Divisions x (A's share) that both prefer to war: the open interval (p - cA, p + cB)."""
    p, cA, cB = to_fraction(p), to_fraction(cA), to_fraction(cB)
    return p - cA, p + cB


def fearon(p: Number = Fraction(1, 2), cA: Number = Fraction(1, 10), cB: Number = Fraction(1, 10), steps: int = 20) -> ExtensiveGame:
    """A proposes x in {0, 1/steps, ..., 1} of a unit pie; B accepts or fights (A wins with probability p).

    War payoffs are p - cA and 1 - p - cB (Fearon's costly lottery)."""
    p, cA, cB = to_fraction(p), to_fraction(cA), to_fraction(cB)
    if not (0 <= p <= 1 and cA > 0 and cB > 0):
        raise ValueError("need 0 <= p <= 1 and positive war costs")
    offers = {}
    for k in range(steps + 1):
        x = Fraction(k, steps)
        offers[f"x={x}"] = move(
            "B", {"accept": leaf(f"deal {x}", x, 1 - x), "war": leaf("war", p - cA, 1 - p - cB)}
        )
    return game("Fearon bargaining", ["A", "B"], move("A", offers), source=FEARON_SOURCE)


def powell_prefers_war(q: Number, Delta: Number, d: Number, delta: Number) -> bool:
    """The declining state fights iff delta * Delta > (1 - delta) * (1 - q + d)."""
    q, Delta, d, delta = map(to_fraction, (q, Delta, d, delta))
    return delta * Delta > (1 - delta) * (1 - q + d)


def powell(
    q: Number = Fraction(1, 2),
    Delta: Number = Fraction(3, 10),
    d: Number = Fraction(1, 20),
    delta: Number = Fraction(9, 10),
    steps: int = 20,
) -> ExtensiveGame:
    """Commitment problem: the rising state R offers the declining state D a share x of this period's
    flow; D accepts (x now, then its lower war value q - Delta - d per period forever, since R cannot
    commit to more) or fights now ((q - d) per period forever). Payoffs are discounted sums."""
    q, Delta, d, delta = map(to_fraction, (q, Delta, d, delta))
    if not (0 < delta < 1 and Delta > 0 and d > 0 and q - Delta - d >= 0):
        raise ValueError("need 0 < delta < 1, Delta > 0, d > 0 and q - Delta - d >= 0")
    later = q - Delta - d
    war_D = (q - d) / (1 - delta)
    war_R = (1 - q - d) / (1 - delta)
    offers = {}
    for k in range(steps + 1):
        x = Fraction(k, steps)
        accept_D = x + delta * later / (1 - delta)
        accept_R = (1 - x) + delta * (1 - later) / (1 - delta)
        offers[f"x={x}"] = move("D", {"accept": leaf(f"peace {x}", accept_R, accept_D), "fight": leaf("war", war_R, war_D)})
    return game("Powell preventive war", ["R", "D"], move("R", offers), source=POWELL_SOURCE)

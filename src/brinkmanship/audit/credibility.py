"""The credibility audit: would a coercer with the scenario's payoffs carry out each rule and deadline?

Beside the humanitarian-law audit. The numbers come from the strategic coercer's equilibrium (solved above,
in `adversary.coercer`, and passed down as plain `ThreatNumbers`); this module only judges them: per threat
the equilibrium probability that it is carried out against the declared one, a verdict whose thresholds are
data (the scenario's `coercer.credible_at` and `coercer.partly_credible_at`, each with its rationale), and the
payoff that decides it, as a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict

from brinkmanship.spec.scenario import Scenario

CredibilityVerdict = Literal["credible", "partly credible", "not credible"]
CREDIBILITY_VERDICTS: tuple[CredibilityVerdict, ...] = ("credible", "partly credible", "not credible")
MIXED_MAJORITY = 0.5  # a threat over which the coercer mixes for at least this share of the types is `partly credible`


@dataclass(frozen=True)
class ThreatNumbers:
    """What the equilibrium says about one threat (means over the target's types where there are several)."""

    id: str
    kind: str  # rule or deadline
    declared: float  # the declared execution probability
    chance: float  # the lottery's probability (0: none)
    equilibrium: float  # probability it is carried out when triggered, in equilibrium
    gain: float  # the coercer's gain from carrying it out at its first trigger from the start
    direct_cost: float  # the cost of the act itself
    reputation: float  # reputation bought by carrying it out
    audience: float  # audience cost of not carrying it out
    credible_share: float = 1.0  # share of the types (weighted) for which it is credible
    lottery: LotteryNumbers | None = None
    mixed: float = 0.0  # share of the types (weighted) for which the coercer mixes (a mixed equilibrium)


@dataclass(frozen=True)
class LotteryNumbers:
    """The same threat as a lottery at its declared probability that the coercer cannot take back, against
    the threat as written: the coercer's value and the target's chance of a deal or a freeze in both."""

    value_as_written: float
    value_as_lottery: float
    settled_as_written: float
    settled_as_lottery: float


class CredibilityFinding(BaseModel):
    """One threat's verdict: declared and equilibrium probabilities, the verdict and the deciding payoff."""

    model_config = ConfigDict(frozen=True)

    rule: str
    kind: str
    declared: float
    equilibrium: float
    verdict: CredibilityVerdict
    why: str
    chance: str = ""
    mixed: float = 0.0  # share of the target's types for which the coercer mixes over it (a mixed equilibrium)


def verdict(declared: float, equilibrium: float, credible_at: float, partly_at: float) -> CredibilityVerdict:
    """`credible` when the equilibrium execution is at least `credible_at` x the declared probability,
    `not credible` below `partly_at` x it, `partly credible` between (a threat declared at 0 is credible)."""
    if declared <= 0:
        return "credible"
    ratio = equilibrium / declared
    if ratio >= credible_at:
        return "credible"
    if ratio >= partly_at:
        return "partly credible"
    return "not credible"


def _why(t: ThreatNumbers, v: CredibilityVerdict) -> str:
    if t.mixed >= MIXED_MAJORITY:
        share = f" (for {t.mixed:.0%} of the target's types)" if t.mixed < 1 else ""
        return (f"a coercer with these payoffs mixes over `{t.id}`{share}: it carries it out with probability "
                f"{t.equilibrium:.2f} (declared {t.declared:.3g}), the belief at which it is indifferent. Were the "
                f"target surer, the reputation it buys (at most {t.reputation:.3g}) with the audience cost it "
                f"avoids ({t.audience:.3g}) would no longer pay for its cost ({t.direct_cost:.3g}) and the crisis "
                "after it; were it less sure, they would: no certain answer is an equilibrium.")
    rest = t.gain - (t.reputation + t.audience - t.direct_cost)
    after = f"; the rest of the crisis changes its value by {rest:+.3g}" if abs(rest) > 1e-9 else ""
    stakes = (f"the reputation it buys ({t.reputation:.3g}) and the audience cost it avoids ({t.audience:.3g})")
    if v == "credible":
        return (f"a coercer with these payoffs carries out `{t.id}`: its cost ({t.direct_cost:.3g}) is below "
                f"{stakes}{after}; net gain {t.gain:+.3g}.")
    lottery = f" It is carried out only by its lottery ({t.chance:.3g})." if t.chance > 0 else ""
    share = (f" Credible for {t.credible_share:.0%} of the target's types." if 0 < t.credible_share < 1 else "")
    return (f"a coercer with these payoffs does not carry out `{t.id}`: its cost ({t.direct_cost:.3g}) exceeds "
            f"{stakes}{after}; net gain {t.gain:+.3g}.{lottery}{share}")


def _lottery_line(t: ThreatNumbers) -> str:
    if t.lottery is None:
        return ""
    lo = t.lottery
    better = lo.value_as_lottery > lo.value_as_written + 1e-9
    return (f"As a lottery at {t.declared:.3g} that cannot be taken back: coercer value {lo.value_as_lottery:.3g} "
            f"vs {lo.value_as_written:.3g} as written, deal or freeze {lo.settled_as_lottery:.0%} vs "
            f"{lo.settled_as_written:.0%}: leaving it to chance is {'more' if better else 'not more'} effective "
            "than the threat as written.")


def credibility_audit(scenario: Scenario, threats: list[ThreatNumbers]) -> list[CredibilityFinding]:
    """The verdict per threat, with the thresholds of the scenario's `coercer:` block; a threat the coercer mixes
    over (for most types) is `partly credible`, with its mixing probability, whatever the ratio."""
    if scenario.coercer is None:
        return []
    hi, lo = scenario.coercer.credible_at.value, scenario.coercer.partly_credible_at.value
    out = []
    for t in threats:
        v = "partly credible" if t.mixed >= MIXED_MAJORITY else verdict(t.declared, t.equilibrium, hi, lo)
        out.append(CredibilityFinding(rule=t.id, kind=t.kind, declared=t.declared, equilibrium=t.equilibrium,
                                      verdict=v, why=_why(t, v), chance=_lottery_line(t), mixed=t.mixed))
    return out

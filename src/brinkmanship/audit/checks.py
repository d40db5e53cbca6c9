"""The humanitarian-law checks: one small class per principle, all with the same shape.

A check has a `name`, a `principle`, a `citation` and `check(element) -> Finding | None` (None: the
principle is not engaged by that element). To add a check, subclass `Check` and append it to `CHECKS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

Verdict = Literal["prohibited", "needs case-by-case review", "no issue found"]
PROHIBITED: Verdict = "prohibited"
REVIEW: Verdict = "needs case-by-case review"
NO_ISSUE: Verdict = "no issue found"
VERDICTS: tuple[Verdict, ...] = (PROHIBITED, REVIEW, NO_ISSUE)

CIVILIANS = "civilian_population"
ATTACKS = ("strike", "preventive_war")


class Finding(BaseModel):
    """One audit finding: which strategy element, which principle, the verdict, the citation and why."""

    model_config = ConfigDict(frozen=True)

    rule: str
    principle: str
    verdict: Verdict
    citation: str
    why: str


@dataclass(frozen=True)
class Element:
    """A strategy element reduced to what the law looks at: what is done, to which target classes, when.

    `kind` is `rule`, `deadline` or `lever`; `action` is the response (`strike`, `sanctions_step`,
    `preventive_war`) or the lever's name; `on` is the triggering event (rules) or None.
    """

    id: str
    kind: Literal["rule", "deadline", "lever"]
    action: str
    on: str | None = None
    target_classes: frozenset[str] = field(default_factory=frozenset)
    count: int = 0
    probability: float = 1.0

    @property
    def is_attack(self) -> bool:
        """True when the element makes the coercer use armed force."""
        return self.action in ATTACKS

    @property
    def targets_civilians(self) -> bool:
        """True when the civilian population is among the element's targets, whatever the response.

        A rule or deadline that names `civilian_population` is read as directing its response at civilians.
        """
        return CIVILIANS in self.target_classes

    @property
    def trigger(self) -> str:
        """How the element is triggered, in words."""
        if self.kind == "rule":
            return f"in answer to each {str(self.on).replace('_', ' ')}"
        if self.kind == "deadline":
            return "at a deadline unless the target complies"
        return "as a standing lever"


class Check:
    """Base class of an audit check; subclasses set the class attributes and implement `check`."""

    name: ClassVar[str] = "check"
    principle: ClassVar[str] = ""
    citation: ClassVar[str] = ""

    def check(self, element: Element) -> Finding | None:
        """The finding of this check on one element, or None when the principle is not engaged."""
        raise NotImplementedError

    def finding(self, element: Element, verdict: Verdict, why: str) -> Finding:
        """A finding of this check on `element`."""
        return Finding(rule=element.id, principle=self.principle, verdict=verdict, citation=self.citation,
                       why=why)


class Distinction(Check):
    """Civilians may never be the object of attack; leadership and dual-use targets need their status shown."""

    name = "distinction"
    principle = "distinction"
    citation = "ICRC CIHL Rules 1, 6-8; AP I art. 48, 51(2), 52(2)"

    def check(self, element: Element) -> Finding | None:
        if element.targets_civilians:
            return self.finding(element, PROHIBITED,
                                f"The {element.kind} makes the civilian population the object of attack "
                                f"({element.trigger}), which is prohibited whatever the number of strikes "
                                f"or their probability; announcing it is itself a threat against civilians.")
        if element.action != "strike":
            return None
        notes = []
        if "leadership" in element.target_classes:
            notes.append("leadership targets are lawful only where they are military objectives "
                         "(persons in the military chain of command, command facilities), not civilian officials")
        if "dual_use" in element.target_classes:
            notes.append("dual-use objects are military objectives only if they meet the art. 52(2) "
                         "test at the time of attack; their civilian function also counts in proportionality")
        if notes:
            text = "; ".join(notes)
            return self.finding(element, REVIEW, text[0].upper() + text[1:] + ".")
        return None


class Terror(Check):
    """Acts or threats of violence whose primary purpose is to spread terror among civilians."""

    name = "terror"
    principle = "terror against civilians"
    citation = "ICRC CIHL Rule 2; AP I art. 51(2)"

    def check(self, element: Element) -> Finding | None:
        if not element.targets_civilians:
            return None
        return self.finding(element, PROHIBITED,
                            "Violence against a populated area to coerce the adversary's government has "
                            "the purpose of terrorising the civilian population; the declared threat is "
                            "prohibited as well as its execution.")


class IndiscriminateAttack(Check):
    """Attacks not directed at a specific military objective, including area bombardment of a city."""

    name = "indiscriminate-attack"
    principle = "indiscriminate attack"
    citation = "ICRC CIHL Rules 11-13; AP I art. 51(4)-(5)(a)"

    def check(self, element: Element) -> Finding | None:
        if not element.targets_civilians:
            return None
        return self.finding(element, PROHIBITED,
                            "An attack on a populated area as a whole is not directed at a specific "
                            "military objective and treats a city as a single target (area bombardment).")


class Proportionality(Check):
    """Expected incidental civilian harm must not be excessive in relation to the military advantage."""

    name = "proportionality"
    principle = "proportionality"
    citation = "ICRC CIHL Rule 14; AP I art. 51(5)(b), 57(2)(a)(iii)"

    def check(self, element: Element) -> Finding | None:
        if not element.is_attack or element.targets_civilians:
            return None  # a direct attack on civilians is prohibited outright: no balancing applies
        what = ("a general war" if element.action == "preventive_war"
                else f"strikes on {', '.join(sorted(element.target_classes)) or 'listed'} targets")
        return self.finding(element, REVIEW,
                            f"For {what}, expected incidental civilian harm must be weighed against the "
                            f"concrete military advantage of each attack, which abstract target classes "
                            f"cannot settle.")


class Precautions(Check):
    """Constant care to spare civilians: verify targets, choose means and timing, warn, cancel if needed."""

    name = "precautions"
    principle = "precautions in attack"
    citation = "ICRC CIHL Rules 15-21; AP I art. 57"

    def check(self, element: Element) -> Finding | None:
        if not element.is_attack or element.targets_civilians:
            return None
        pace = ("; a rule that fires automatically after each event leaves little room for target "
                "verification" if element.kind == "rule" else "")
        return self.finding(element, REVIEW,
                            "Each attack needs feasible precautions (verification, choice of means and "
                            "timing, warnings, cancellation) that only an operational plan can show" + pace + ".")


class Reprisals(Check):
    """Belligerent reprisals against civilians are prohibited."""

    name = "reprisals"
    principle = "reprisals against civilians"
    citation = "ICRC CIHL Rules 145-146; AP I art. 51(6)"

    def check(self, element: Element) -> Finding | None:
        if not element.targets_civilians:
            return None
        return self.finding(element, PROHIBITED,
                            f"Attacking civilians {element.trigger} to make the adversary change its "
                            f"conduct is a reprisal against the civilian population, which is prohibited.")


class JusAdBellum(Check):
    """Resort to force is governed by the UN Charter, not by IHL: flagged as context, not decided here."""

    name = "jus-ad-bellum"
    principle = "resort to force (jus ad bellum, outside IHL)"
    citation = "UN Charter art. 2(4), 51 (context; not an IHL rule)"

    def check(self, element: Element) -> Finding | None:
        if element.action == "preventive_war":
            return self.finding(element, REVIEW,
                                "Whether to start a preventive war is a question of the UN Charter, not of "
                                "IHL: self-defence under art. 51 is generally read to need an armed attack "
                                "or an imminent one; once begun, the war's conduct is bound by all IHL rules.")
        if element.action == "strike" and not element.targets_civilians:
            trigger = ("a provocation may or may not amount to an armed attack"
                       if element.on == "provocation"
                       else "a weapons test is not itself an armed attack")
            return self.finding(element, REVIEW,
                                f"A strike is a use of force under art. 2(4); {trigger}, so its justification "
                                f"under art. 51 is a separate, contested question outside this IHL audit.")
        return None


class NotAnAttack(Check):
    """Sanctions, posture, talks, exercises and diplomacy are not attacks: conduct-of-hostilities rules are not engaged."""

    name = "not-an-attack"
    principle = "conduct of hostilities"
    citation = "ICRC CIHL Rules 1-24 (not engaged); AP I art. 49(1)"

    def check(self, element: Element) -> Finding | None:
        if element.is_attack or element.targets_civilians:
            return None
        what = {
            "sanctions_step": "A sanctions step",
            "sanctions": "The sanctions lever",
            "talks": "The talks lever",
            "posture": "The force-posture lever",
            "exercises": "The exercises lever",
            "third_parties": "Engaging or not engaging third parties",
        }.get(element.action, "This element")
        return self.finding(element, NO_ISSUE,
                            f"{what} is not an attack in the sense of AP I art. 49(1), so the "
                            f"conduct-of-hostilities rules audited here do not apply to it.")


CHECKS: list[Check] = [
    Distinction(), Terror(), IndiscriminateAttack(), Reprisals(), Proportionality(), Precautions(),
    JusAdBellum(), NotAnAttack(),
]

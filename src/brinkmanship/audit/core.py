"""Audit a strategy: reduce each rule, deadline and lever to an `Element`, run every check on it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from brinkmanship.audit.checks import CHECKS, NO_ISSUE, PROHIBITED, Check, Element, Finding
from brinkmanship.spec.strategy import Strategy

DISCLAIMER = (
    "This audit is not legal advice. It checks the strategy as written, on abstract target classes, against "
    "principles of international humanitarian law (ICRC customary IHL; Additional Protocol I); a legal "
    "assessment of any real operation needs the facts of each attack and qualified legal review."
)

LEVERS = ("third_parties", "talks", "sanctions", "posture", "exercises")


def _value(param: object) -> float:
    return float(getattr(param, "value", 1.0))


def elements(strategy: Strategy) -> list[Element]:
    """Every rule, deadline and standing lever of a strategy, as audit elements (in file order)."""
    out: list[Element] = []
    for rule in strategy.rules:
        classes: set[str] = set()
        if rule.target_class is not None:
            classes.add(str(rule.target_class))
        if rule.from_list is not None and rule.from_list in strategy.target_lists:
            tl = strategy.target_lists[rule.from_list]
            classes |= {str(c) for c, n in tl.classes.items() if n > 0}
        out.append(Element(id=rule.id, kind="rule", action=str(rule.do), on=str(rule.on),
                           target_classes=frozenset(classes), count=rule.count,
                           probability=_value(rule.probability)))
    for d in strategy.deadlines:
        classes = {str(d.target_class)} if d.target_class is not None else set()
        out.append(Element(id=d.id, kind="deadline", action=str(d.do), target_classes=frozenset(classes),
                           count=d.count, probability=_value(d.probability)))
    for lever in LEVERS:
        out.append(Element(id=f"levers.{lever}", kind="lever", action=lever))
    return out


def audit_elements(items: Iterable[Element], checks: Sequence[Check] | None = None) -> list[Finding]:
    """Run the checks on each element; an element no check speaks to gets one `no issue found`."""
    checks = CHECKS if checks is None else checks
    findings: list[Finding] = []
    for el in items:
        found = [f for c in checks if (f := c.check(el)) is not None]
        if not found:
            found = [Finding(rule=el.id, principle="international humanitarian law", verdict=NO_ISSUE,
                             citation="ICRC CIHL", why="None of the audited principles is engaged by this element.")]
        findings.extend(found)
    return findings


def audit_strategy(strategy: Strategy, checks: Sequence[Check] | None = None) -> list[Finding]:
    """The IHL findings for every rule, deadline and lever of a strategy (see `DISCLAIMER`)."""
    return audit_elements(elements(strategy), checks)


def prohibited_count(strategy: Strategy) -> int:
    """How many findings of the audit say `prohibited` (the audit column of comparisons and reports)."""
    return sum(f.verdict == PROHIBITED for f in audit_strategy(strategy))


def prohibited_rules(strategy: Strategy) -> list[str]:
    """Ids of the strategy elements with at least one `prohibited` finding, in order."""
    out: list[str] = []
    for f in audit_strategy(strategy):
        if f.verdict == PROHIBITED and f.rule not in out:
            out.append(f.rule)
    return out

"""Humanitarian-law audit of strategies: distinction, indiscriminate attack, proportionality, reprisals.

Not legal advice (see `DISCLAIMER`). Each check is a small class (`checks.Check`); add one to `CHECKS`.
"""

from brinkmanship.audit.checks import (
    CHECKS,
    NO_ISSUE,
    PROHIBITED,
    REVIEW,
    VERDICTS,
    Check,
    Element,
    Finding,
    Verdict,
)
from brinkmanship.audit.core import (
    DISCLAIMER,
    audit_elements,
    audit_strategy,
    elements,
    prohibited_count,
    prohibited_rules,
)

__all__ = [
    "CHECKS", "DISCLAIMER", "NO_ISSUE", "PROHIBITED", "REVIEW", "VERDICTS", "Check", "Element", "Finding",
    "Verdict", "audit_elements", "audit_strategy", "elements", "prohibited_count", "prohibited_rules",
]

"""Reports: the comparison as CSV and PNG, and one self-contained HTML report with PNG figures.

Sections appear as their data exists (results, an exploration store, an adversary policy map).
"""

from brinkmanship.report.blocks import ReportContext, Section
from brinkmanship.report.build import build_report, build_sections
from brinkmanship.report.comparison import comparison_rows, write_comparison
from brinkmanship.report.sections import LADDER_DOC, policy_section

__all__ = ["LADDER_DOC", "ReportContext", "Section", "build_report", "build_sections", "comparison_rows",
           "policy_section", "write_comparison"]

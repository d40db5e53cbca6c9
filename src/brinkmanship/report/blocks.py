"""The report's building blocks: the context every section reads, the `Section` and `Figure` it returns, and
the small HTML helpers sections share (so the section modules never import each other)."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from brinkmanship.audit.checks import Finding
    from brinkmanship.engine import SimulationResult
    from brinkmanship.spec import Scenario, Strategy

esc = html.escape


@dataclass
class Figure:
    """One figure of the report: a static PNG (always) and an interactive plotly version (optional)."""

    slug: str
    caption: str
    png: bytes
    plotly: Any | None = None  # a plotly Figure; plotly is imported only when a figure is drawn


@dataclass
class Section:
    """A titled block of the report: HTML before the figures, the figures, HTML after them."""

    id: str
    title: str
    body: str = ""
    figures: list[Figure] = field(default_factory=list)
    after: str = ""


@dataclass
class ReportContext:
    """Everything a section may draw on: results and the compare summary may be empty, the store and the
    policy map absent; every strategy in the summary is in `strategies` and `audit`."""

    scenario: Scenario | None
    results: list[SimulationResult]
    summary: dict[str, Any] | None  # the `compare` JSON object
    strategies: list[Strategy]
    audit: dict[str, list[Finding]]
    out_dir: Path
    db: Path | None = None
    policy: dict[str, Any] | None = None  # {"rows", "cols", "action", "title", "description"}
    history: dict[str, Any] | None = None  # a model comparison against the record (`history.compare`)
    lead: dict[str, Any] | None = None  # the comparison the report opens with (compare JSON; API defaults)
    margins: dict[str, dict[str, Any]] | None = None  # per strategy: `adversary.margins.strategy_margins`
    credibility: dict[str, list[Any]] | None = None  # per strategy: `audit.credibility.CredibilityFinding`s
    notes: list[str] = field(default_factory=list)

    @property
    def summaries(self) -> list[dict[str, Any]]:
        """The per-strategy summaries (empty when there is no summary)."""
        return list((self.summary or {}).get("strategies", []))


SectionFn = Callable[[ReportContext], "Section | list[Section] | None"]


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], cls: str = "", raw_cols: Sequence[int] = ()) -> str:
    """An HTML table; cells are escaped except in `raw_cols` (already-safe HTML)."""
    head = "".join(f"<th>{esc(str(h))}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, v in enumerate(row):
            text = "" if v is None else (v if i in raw_cols else esc(str(v)))
            cells.append(f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def fmt(x: Any, digits: int = 3) -> str:
    """A number for a table cell: thousands separated when large, `digits` significant digits otherwise."""
    if x is None:
        return "n/a"
    if isinstance(x, float | np.floating | int | np.integer) and not isinstance(x, bool):
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        return f"{x:.{digits}g}"
    return str(x)

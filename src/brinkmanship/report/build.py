"""Build the HTML report: gather the context, run each section, write `report.html` and one PNG per figure."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from brinkmanship.outfiles import write_bytes, write_text
from brinkmanship.report import explore as exploration
from brinkmanship.report import lead
from brinkmanship.report import sections as main
from brinkmanship.report.blocks import ReportContext, Section, SectionFn
from brinkmanship.report.history import history_section
from brinkmanship.report.html import page

if TYPE_CHECKING:
    from brinkmanship.engine import SimulationResult
    from brinkmanship.spec import Scenario, Strategy


class ReportSectionError(RuntimeError):
    """A report section failed: the report is not written (no section is silently left out)."""


def default_sections() -> list[SectionFn]:
    """The report's sections in reading order. A new section is one function `ReportContext -> Section | None`
    (None when its data is absent) inserted here where it should be read."""
    return [
        lead.bottom_line_section,  # one sentence, computed from the lead comparison and the margins
        lead.lead_section,  # the comparison against the API's default target (the op-ed's premise)
        lead.margins_section,  # how close to the edge each strategy's answer is
        main.summary_section, main.comparison_section, main.audit_section, main.credibility_section,
        main.fan_section, main.sankey_section, main.ladder_section,
        main.policy_section, history_section,
        exploration.exploration_sections,
        main.assumptions_section, main.provenance_section,
    ]


def _load_strategies(names: Sequence[str], scenario: Scenario) -> tuple[list[Strategy], list[str]]:
    """The packaged strategies of these names, and a note for each name that is not packaged (a user file the
    caller did not pass: the report goes on without its audit)."""
    from brinkmanship.spec import load_strategy, packaged_strategy_names

    packaged = set(packaged_strategy_names())
    found = [load_strategy(n, scenario) for n in names if n in packaged]
    notes = [f"Strategy '{n}' is not a packaged strategy and was not given to the report: its audit is not shown."
             for n in names if n not in packaged]
    return found, notes


def _context(scenario: Scenario | str | Path, results: Sequence[SimulationResult] | None, out_dir: Path,
             summary: dict[str, Any] | None, db: str | Path | None, strategies: Sequence[Strategy] | None,
             policy: dict[str, Any] | None, history: dict[str, Any] | None = None,
             lead: dict[str, Any] | None = None, margins: dict[str, dict[str, Any]] | None = None,
             credibility: dict[str, list[Any]] | None = None) -> ReportContext:
    from brinkmanship.audit import audit_strategy
    from brinkmanship.engine import summarize

    if isinstance(scenario, str | Path):
        from brinkmanship.spec import load_scenario

        scenario = load_scenario(scenario)
    results = list(results or [])
    if summary is None and results:
        first = results[0]
        summary = {"scenario": scenario.name, "seed": first.seed, "runs": first.runs,
                   "adversary": first.adversary, "strategies": [summarize(r) for r in results]}
    names = [s["name"] for s in (summary or {}).get("strategies", [])] or [r.strategy for r in results]
    notes: list[str] = []
    if strategies is None:
        strategies, notes = _load_strategies(names, scenario)
    strategies = list(strategies)
    if names:  # keep the order of the comparison; audit only the strategies that were compared
        order = {n: i for i, n in enumerate(names)}
        strategies = sorted([s for s in strategies if s.name in order], key=lambda s: order[s.name])
    audit = {s.name: audit_strategy(s) for s in strategies}
    return ReportContext(scenario=scenario, results=results, summary=summary, strategies=strategies,
                         audit=audit, out_dir=out_dir, db=Path(db) if db is not None else None, policy=policy,
                         notes=notes, history=history, lead=lead, margins=margins, credibility=credibility)


def build_sections(ctx: ReportContext, sections: Sequence[SectionFn] | None = None) -> list[Section]:
    """Run every section function; keep those that have data (a function may return several sections).

    A section that fails stops the report with an error naming the section (bad input keeps its own message).
    """
    from brinkmanship.errors import InputError

    out: list[Section] = []
    for fn in sections or default_sections():
        try:
            got = fn(ctx)
        except InputError:
            raise
        except Exception as exc:  # re-raised with the section's name: never skipped
            raise ReportSectionError(f"report section '{fn.__name__}' failed: {type(exc).__name__}: {exc}") from exc
        if got is None:
            continue
        out.extend(got if isinstance(got, list) else [got])
    return out


def build_report(scenario: Scenario | str | Path, results: Sequence[SimulationResult] | None, out_dir: str | Path,
                 summary: dict[str, Any] | None = None, db: str | Path | None = None, *,
                 strategies: Sequence[Strategy] | None = None, policy: dict[str, Any] | None = None,
                 sections: Sequence[SectionFn] | None = None, history: dict[str, Any] | None = None,
                 lead: dict[str, Any] | None = None, margins: dict[str, dict[str, Any]] | None = None,
                 credibility: dict[str, list[Any]] | None = None) -> Path:
    """Write `out_dir/report.html` (self-contained, offline) and `out_dir/figures/<figure>.png`; return the HTML path.

    `results` are engine results (may be empty), `summary` the compare JSON (computed from `results` when
    None), `db` an exploration store, `policy` an adversary policy map {"rows", "cols", "action"}, `history` a
    model comparison against the record (`history.compare.compare_models`), `lead` the comparison the report
    opens with (the compare JSON of the public API's `compare` with its defaults) and `margins` each
    strategy's margins (`adversary.margins.strategy_margins`), `credibility` each strategy's credibility
    verdicts (`audit.credibility`; the CLI passes the API's audit).
    """
    from brinkmanship.audit import DISCLAIMER

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = _context(scenario, results, out, summary, db, strategies, policy, history, lead, margins, credibility)
    built = build_sections(ctx, sections)
    fig_dir = out / "figures"
    for s in built:
        for f in s.figures:
            fig_dir.mkdir(exist_ok=True)
            write_bytes(fig_dir / f"{f.slug}.png", f.png)
    sc = ctx.scenario
    assert sc is not None  # loaded above
    title = f"brinkmanship report: {sc.title or sc.name}"
    subtitle = (sc.summary or "").strip()
    footer = ("Generated by brinkmanship. Model outputs under stated assumptions, not forecasts. "
              + DISCLAIMER)
    import html as _html

    write_text(out / "report.html", page(title, subtitle, built, _html.escape(footer)))
    return out / "report.html"

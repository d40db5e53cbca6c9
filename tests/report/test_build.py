"""`build_report`: one self-contained HTML file, PNGs per figure, sections that appear as their data exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from report_fakes import STRATEGIES

from brinkmanship.report import build_report
from brinkmanship.report.build import ReportSectionError
from brinkmanship.report.sections import LADDER_DOC
from brinkmanship.spec import load_scenario

SCENARIO = load_scenario("korea-2017")
def section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


def test_plotly_js_is_embedded_once_and_nothing_is_fetched(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    assert full_report.name == "report.html"
    assert html.count("<script type=\"text/javascript\">/**") + html.count("plotly.js v") >= 1
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    assert not re.search(r"<img[^>]+src=\"(?!data:image/png;base64,)", html)
    assert "@import" not in html and "@font-face" not in html


def test_every_section_with_data_is_present(full_report: Path) -> None:
    ids = section_ids(full_report.read_text(encoding="utf-8"))
    assert ids == ["bottom-line", "summary", "comparison", "audit", "time", "flows", "ladder", "policy",
                   "assumptions", "provenance"]


def test_a_png_per_figure_is_written(full_report: Path) -> None:
    figs = sorted(p.stem for p in (full_report.parent / "figures").glob("*.png"))
    assert figs == ["comparison", "fan", "ladder", "policy", "sankey"]
    for p in (full_report.parent / "figures").glob("*.png"):
        assert p.read_bytes()[:4] == b"\x89PNG" and p.stat().st_size > 5000


def test_summary_states_the_numbers_and_the_audit(full_report: Path, fake_summary: dict[str, Any]) -> None:
    html = full_report.read_text(encoding="utf-8")
    text = re.search(r'<section id="summary">(.*?)</section>', html, re.S).group(1)
    best_deal = max(fake_summary["strategies"], key=lambda s: s["outcomes"]["denuclearisation"]["p"])
    assert f"{100 * best_deal['outcomes']['denuclearisation']['p']:.1f}%" in text
    assert best_deal["name"] in text
    assert "city-per-test" in text and "prohibited" in text and "not legal advice" in text
    assert "5 strategies" in text and "2,000 simulated runs" in text
    for word in ("should", "must", "recommend", "best option"):
        assert word not in text.lower()


def test_comparison_table_carries_the_audit_column(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    sec = re.search(r'<section id="comparison">(.*?)</section>', html, re.S).group(1)
    assert "prohibited findings" in sec
    row = re.search(r"<tr><td>let-deterrence-fail</td>(.*?)</tr>", sec, re.S).group(1)
    assert row.rstrip().endswith('<td><span class="bad">4</span></td>')


def test_ladder_is_documented_with_its_five_rungs(full_report: Path) -> None:
    html = full_report.read_text(encoding="utf-8")
    sec = re.search(r'<section id="ladder">(.*?)</section>', html, re.S).group(1)
    assert "Kahn" in sec
    for i, (name, _) in enumerate(LADDER_DOC):
        assert f"<td>{i}</td><td>{name}</td>" in sec


def test_sections_appear_as_data_exists(tmp_path: Path, fake_summary: dict[str, Any]) -> None:
    only_summary = build_report(SCENARIO, [], tmp_path / "a", summary=fake_summary)
    ids = section_ids(only_summary.read_text(encoding="utf-8"))
    assert ids == ["bottom-line", "summary", "comparison", "audit", "assumptions", "provenance"]
    nothing = build_report(SCENARIO, [], tmp_path / "b")
    html = nothing.read_text(encoding="utf-8")
    assert section_ids(html) == ["assumptions", "provenance"]
    assert "plotly.js v" not in html  # no figure, no plotly


def test_summary_is_computed_from_results_when_not_given(tmp_path: Path, fake_results: list[Any]) -> None:
    html = build_report(SCENARIO, fake_results[:2], tmp_path).read_text(encoding="utf-8")
    assert section_ids(html)[:4] == ["bottom-line", "summary", "comparison", "audit"]
    assert "2 strategies" in html
    assert [n for n in STRATEGIES if f"<td>{n}</td>" in html] == list(STRATEGIES[:2])


def test_policy_map_rejects_a_grid_of_the_wrong_shape(tmp_path: Path) -> None:
    bad = {"rows": ["a", "b"], "cols": ["x"], "action": [["hold", "hold"]]}
    with pytest.raises(ReportSectionError, match=r"'policy_section' failed: ValueError: .*shape"):
        build_report(SCENARIO, [], tmp_path, policy=bad)


def test_report_is_small(full_report: Path) -> None:
    assert full_report.stat().st_size < 10_000_000


def test_fan_series_are_cumulative_probabilities(fake_results: list[Any]) -> None:
    from brinkmanship.report.figures import fan_series

    s = fan_series(fake_results[0])
    assert s["war"][0] == 0 and np.all(np.diff(s["war"]) >= 0)
    assert np.all(s["war_lo"] <= s["war"]) and np.all(s["war"] <= s["war_hi"])
    final = fake_results[0].outcomes["outcome"]
    assert s["deal"][-1] == pytest.approx(np.mean(final == 0))


def test_the_report_shows_the_credibility_audit(tmp_path: Path) -> None:
    from brinkmanship.audit.credibility import CredibilityFinding
    from brinkmanship.report.build import build_sections

    found = [CredibilityFinding(rule="city-per-test", kind="rule", declared=0.9, equilibrium=0.0,
                                verdict="not credible", why="a coercer with these payoffs does not carry it out.")]
    from brinkmanship.report.build import _context
    from brinkmanship.report.sections import audit_section, credibility_section

    ctx = _context("korea-2017", [], tmp_path, None, None, None, None, credibility={"let-deterrence-fail": found})
    ctx.audit = {"let-deterrence-fail": []}
    built = build_sections(ctx, [audit_section, credibility_section])
    assert [s.id for s in built] == ["audit", "credibility"]  # beside the humanitarian-law audit
    sec = built[1].body
    assert "city-per-test" in sec and "not credible" in sec and "0.90" in sec

"""The report's opening: a bottom line computed from the numbers, the lead comparison and the margins."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest

from brinkmanship.report import build_report
from brinkmanship.report.lead import bottom_line, nearest_edge
from brinkmanship.spec import load_scenario

SCENARIO = load_scenario("korea-2017")


def _margins(edge_strategy: str, move: float) -> dict[str, Any]:
    """Fake margins (the shape `strategy_margins` returns): one edge in one strategy, none elsewhere."""
    def weights(edge: float | None) -> list[dict[str, Any]]:
        rows = [{"name": "adversary.war_cost", "value": 40.0, "range": [10.0, 100.0], "down": None, "up": None,
                 "margin": None, "tolerance": None, "changes_to": None, "at_value": None}]
        if edge is not None:
            rows.insert(0, {"name": "adversary.deal_security", "value": 0.9, "range": [0.5, 1.0], "down": None,
                            "up": edge, "margin": edge, "tolerance": 0.01, "changes_to": "denuclearisation",
                            "at_value": 0.9 + edge * 0.5})
        return rows

    gap = {"best": "hold", "best_value": 400.0, "second": "negotiate", "second_value": 399.9, "gap": 0.1,
           "relative": 0.00025}
    return {name: {"most_likely": "buildup", "weights": weights(move if name == edge_strategy else None),
                   "settings": {"points": 1, "steps": 2, "tolerance": 1 / 16}, "value_gap": gap, "summary": "-"}
            for name in ("let-deterrence-fail", "engagement")}


@pytest.fixture()
def lead(fake_summary: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(fake_summary)
    out["adversary"] = "rational"
    return out


def test_the_bottom_line_is_computed_from_the_numbers(lead: dict[str, Any]) -> None:
    text = bottom_line(lead)
    assert text.startswith("Against a rational target (the op-ed's premise), ") and text.endswith(".")
    assert not re.search(r"\.\s", text)  # one sentence
    mixed = bottom_line({**lead, "types": {"kind": "prior", "count": 64, "method": "Sobol"}})
    assert mixed.startswith("Against a rational target (the op-ed's premise) as a mixture over 64 prior types, ")
    assert all(s["name"] in text for s in lead["strategies"])
    war = max(lead["strategies"], key=lambda s: s["outcomes"]["major_war"]["p"] + s["outcomes"]["nuclear_war"]["p"])
    assert f"highest under {war['name']}" in text
    # move the numbers: the sentence follows them
    moved = copy.deepcopy(lead)
    for s in moved["strategies"]:
        for o in s["outcomes"].values():
            o["p"] = 0.0
        s["outcomes"]["denuclearisation"]["p"] = 1.0
    other = bottom_line(moved)
    assert "most likely end in denuclearisation (a deal that holds) (100%)" in other and "no strategy ends in major or nuclear war" in other


def test_the_bottom_line_names_the_nearest_edge(lead: dict[str, Any]) -> None:
    text = bottom_line(lead, _margins("engagement", 0.04))
    assert "point) type the answers sit 0.04 of a range from an edge" in text and "makes engagement most likely end in denuclearisation (a deal that holds)" in text
    assert nearest_edge(_margins("let-deterrence-fail", 0.3))[0] == "let-deterrence-fail"
    none = {k: {**v, "weights": v["weights"][1:]} for k, v in _margins("engagement", 0.04).items()}
    assert nearest_edge(none) is None and "no single weight" in bottom_line(lead, none)


def test_the_report_opens_with_the_bottom_line_the_lead_comparison_and_the_margins(
        tmp_path: Path, fake_results: list[Any], fake_summary: dict[str, Any], lead: dict[str, Any]) -> None:
    html = build_report(SCENARIO, fake_results, tmp_path, summary=fake_summary, lead=lead,
                        margins=_margins("engagement", 0.04)).read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids[:5] == ["bottom-line", "lead", "margins", "summary", "comparison"]
    first = re.search(r'<section id="bottom-line">(.*?)</section>', html, re.S).group(1)
    assert "engagement" in first and "deal_security" in first
    lead_sec = re.search(r'<section id="lead">(.*?)</section>', html, re.S).group(1)
    assert "rational target" in lead_sec and "<td>let-deterrence-fail</td>" in lead_sec
    assert (tmp_path / "figures" / "lead-comparison.png").exists()
    assert "what decides" not in lead_sec  # no types, no line
    decided = copy.deepcopy(lead)
    decided["strategies"][0]["what_decides"] = [{"name": "economy", "share": 0.23, "moves": "freeze", "rises": False}]
    html2 = build_report(SCENARIO, [], tmp_path / "b", summary=fake_summary, lead=decided).read_text(encoding="utf-8")
    assert "economy 23% (higher: less freeze)" in html2
    margins = re.search(r'<section id="margins">(.*?)</section>', html, re.S).group(1)
    assert "adversary.deal_security +0.04" in margins and "none within the ranges" in margins
    assert "hold over negotiate by 0.1" in margins
    assert "Strategy comparison: against" in html  # the main comparison says whom it is against


def test_without_a_lead_the_bottom_line_reads_the_main_comparison(tmp_path: Path,
                                                                   fake_summary: dict[str, Any]) -> None:
    html = build_report(SCENARIO, [], tmp_path, summary=fake_summary).read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids[0] == "bottom-line" and "lead" not in ids and "margins" not in ids


def test_the_lead_shows_the_belief_paths(tmp_path: Path, fake_summary: dict[str, Any], lead: dict[str, Any]) -> None:
    """A strategy with a belief path (the compare JSON's `credibility`) gets a row at 0, 6, 12 months and the
    last month with open runs; one without gets none, and no path means no table."""
    learned = copy.deepcopy(lead)
    mean = [0.4 + 0.01 * t for t in range(20)] + [None] * 16
    learned["strategies"][0]["credibility"] = {"months": [], "mean": mean, "on_levels": mean, "open_runs": []}
    html = build_report(SCENARIO, [], tmp_path, summary=fake_summary, lead=learned).read_text(encoding="utf-8")
    sec = re.search(r'<section id="lead">(.*?)</section>', html, re.S).group(1)
    name = learned["strategies"][0]["name"]
    assert "Credibility the target learns" in sec
    assert f"<td>{name}</td><td>0.40</td><td>0.46</td><td>0.52</td><td>0.59</td>" in sec.replace("\n", "")
    plain = build_report(SCENARIO, [], tmp_path / "b", summary=fake_summary, lead=lead).read_text(encoding="utf-8")
    assert "Credibility the target learns" not in plain

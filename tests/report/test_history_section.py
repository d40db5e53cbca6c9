"""The report's "What history says" section: the ranking table, the verdict, the bands figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brinkmanship.history.compare import compare_models
from brinkmanship.report import build_report
from brinkmanship.report.blocks import ReportContext
from brinkmanship.report.history import BANDS, band_arrays, history_section, verdict
from brinkmanship.spec import load_scenario


@pytest.fixture(scope="module")
def comparison() -> dict[str, Any]:
    return compare_models("korea-2017", runs=300, seed=1, lambdas=(1.0,))


def _ctx(history: dict[str, Any] | None, out: Path) -> ReportContext:
    return ReportContext(scenario=load_scenario("korea-2017"), results=[], summary=None, strategies=[], audit={},
                         out_dir=out, history=history)


def test_section_needs_a_comparison(tmp_path: Path) -> None:
    assert history_section(_ctx(None, tmp_path)) is None


def test_section_table_verdict_and_figure(tmp_path: Path, comparison: dict[str, Any]) -> None:
    sec = history_section(_ctx(comparison, tmp_path))
    assert sec is not None and sec.title == "What history says"
    for row in comparison["rows"]:
        assert f"<td>{row['params']}</td>" in sec.body
    assert "held-out log-likelihood" in sec.body and "2018-01..2018-12" in sec.body
    best = comparison["rows"][0]
    assert f"supports {best['model']} ({best['params']}) most" in verdict(comparison)
    (fig,) = sec.figures
    assert fig.png[:8] == b"\x89PNG\r\n\x1a\n" and len(fig.png) > 10_000
    assert len(fig.plotly.data) == (len(comparison["rows"]) - 1) * (len(BANDS) + 1)  # no bands for climatology


def test_bands_are_the_forecast_class_shares(comparison: dict[str, Any]) -> None:
    for r in comparison["results"].values():
        months, probs, observed, talks = band_arrays(r)
        assert probs.shape == (4, len(months)) == (4, len(observed)) == (4, talks.size)
        assert probs.sum(axis=0) == pytest.approx(1.0)


def test_report_carries_the_section(tmp_path: Path, comparison: dict[str, Any]) -> None:
    html = build_report(load_scenario("korea-2017"), [], tmp_path, history=comparison).read_text(encoding="utf-8")
    assert "What history says" in html
    assert (tmp_path / "figures" / "history.png").stat().st_size > 10_000
    assert "What history says" not in build_report("korea-2017", [], tmp_path / "b").read_text(encoding="utf-8")

"""The report in headless Chromium: no console errors, no network request, every figure drawn, a screenshot."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from report_browser import CHROMIUM, render

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="Debian chromium is not installed at /usr/bin/chromium (run `make browser`)"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None,
                       reason="the playwright Python package is not installed (pip install -e '.[test]')"),
    pytest.mark.xdist_group("browser"),
    pytest.mark.slow,
]


FIGURES = {"comparison", "fan", "sankey", "ladder", "policy", "robustness", "prim", "sobol"}


@pytest.fixture(scope="module")
def rendered(report_with_store: Path, tmp_path_factory: pytest.TempPathFactory, playwright_driver) -> dict:
    shot = tmp_path_factory.mktemp("shot") / "report.png"
    out = render(report_with_store, shot, playwright_driver)
    out["shot"] = shot
    out["pngs"] = {p.stem for p in (report_with_store.parent / "figures").glob("*.png")}
    return out


def test_no_console_errors(rendered: dict) -> None:
    assert rendered["errors"] == []


def test_no_request_but_the_page_itself(rendered: dict) -> None:
    assert rendered["requests"] == [rendered["url"]]


def test_screenshot_is_taken(rendered: dict) -> None:
    from PIL import Image

    img = Image.open(rendered["shot"])
    assert img.width >= 1000 and img.height > 3000
    assert len(img.convert("RGB").getcolors(maxcolors=1_000_000) or []) > 50


def test_every_plotly_figure_has_data_marks(rendered: dict) -> None:
    marks = {m["id"]: m for m in rendered["marks"]}
    assert rendered["pngs"] == FIGURES
    assert set(marks) == {f"plot-{f}" for f in FIGURES}
    for m in marks.values():
        assert m["svg"] and m["traces"] > 0, m
        assert m["marks"] > 0, m
        assert m["width"] > 300 and m["height"] > 200, m
    assert marks["plot-comparison"]["marks"] >= 5 * 6  # a bar per strategy and outcome
    assert marks["plot-sankey"]["marks"] >= 5  # links in every strategy's flow


def test_every_png_decodes_and_is_not_blank(rendered: dict) -> None:
    images = rendered["images"]
    assert {i["figure"] for i in images} == FIGURES
    for img in images:
        assert img["ok"], img
        assert img["w"] > 200 and img["h"] > 150, img
        assert img["colours"] > 5, img  # non-uniform pixels


def test_all_sections_are_in_the_page(rendered: dict) -> None:
    assert rendered["sections"] == 13  # with the bottom line

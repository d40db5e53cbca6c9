"""Exploration sections: robustness, PRIM and sensitivity from a results store; notes instead of failures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from brinkmanship.report import build_report
from brinkmanship.report.explore import first_order_indices
from brinkmanship.spec import load_scenario

SCENARIO = load_scenario("korea-2017")


def sections(html_path: Path) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html_path.read_text(encoding="utf-8"))


def test_store_adds_robustness_prim_and_sensitivity(toy_store: Path, tmp_path: Path,
                                                    fake_summary: dict[str, Any]) -> None:
    html = build_report(SCENARIO, [], tmp_path, summary=fake_summary, db=toy_store)
    ids = sections(html)
    assert ids[ids.index("audit") + 1:ids.index("assumptions")] == ["robustness", "prim", "sensitivity"]
    text = html.read_text(encoding="utf-8")
    assert "minimax regret" in text and "coverage" in text and "first-order" in text
    assert {"robustness", "prim", "sobol"} <= {p.stem for p in (tmp_path / "figures").glob("*.png")}


def test_a_store_that_cannot_be_read_gives_a_note_not_a_failure(tmp_path: Path, fake_summary: dict[str, Any]) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database at all, just bytes" * 10)
    html = build_report(SCENARIO, [], tmp_path / "out", summary=fake_summary, db=bad)
    assert "exploration" in sections(html)
    assert "Exploration sections skipped" in html.read_text(encoding="utf-8")


def test_report_command_rejects_a_corrupt_store(tmp_path: Path) -> None:
    cli = pytest.importorskip("brinkmanship.cli", reason="the CLI package does not import in this build")
    from typer.testing import CliRunner

    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"garbage" * 100)
    res = CliRunner().invoke(cli.app, ["report", "korea-2017", "--out", str(tmp_path / "o"), "--db", str(bad)])
    assert res.exit_code == 2


def test_first_order_index_separates_a_driver_from_noise() -> None:
    rng = np.random.default_rng(0)
    x1, x2 = rng.random(5000), rng.random(5000)
    y = x1 ** 2
    assert first_order_indices(x1, y) > 0.95
    assert first_order_indices(x2, y) < 0.02
    assert first_order_indices(x1, np.ones(10)) == 0.0
    cats = np.array(["a", "b"] * 50)
    assert first_order_indices(cats, (cats == "a").astype(float)) == pytest.approx(1.0)

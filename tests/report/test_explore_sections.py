"""Exploration sections: robustness, PRIM and sensitivity from a results store; notes instead of failures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from brinkmanship.cli import app
from brinkmanship.errors import InputError
from brinkmanship.report import build_report
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


def test_a_store_that_cannot_be_read_is_an_error_naming_it(tmp_path: Path, fake_summary: dict[str, Any]) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"not a database at all, just bytes" * 10)
    with pytest.raises(InputError) as exc:
        build_report(SCENARIO, [], tmp_path / "out", summary=fake_summary, db=bad)
    assert "bad.duckdb" in exc.value.render()
    assert not (tmp_path / "out" / "report.html").exists()


def test_a_failing_section_fails_the_report_with_its_name(tmp_path: Path, fake_summary: dict[str, Any]) -> None:
    from brinkmanship.report.build import ReportSectionError, default_sections

    def broken(ctx):
        raise ValueError("no data of that shape")

    with pytest.raises(ReportSectionError, match="'broken' failed: ValueError: no data of that shape"):
        build_report(SCENARIO, [], tmp_path, summary=fake_summary, sections=[*default_sections(), broken])


def test_report_command_rejects_a_corrupt_store(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"garbage" * 100)
    res = CliRunner().invoke(app, ["report", "korea-2017", "--out", str(tmp_path / "o"), "--db", str(bad)])
    assert res.exit_code == 2

"""The engine's real results through the report, and the `brink report` command."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from brinkmanship import engine
from brinkmanship.audit import prohibited_count
from brinkmanship.cli import app
from brinkmanship.report import build_report, write_comparison
from brinkmanship.spec import load_scenario, packaged_strategies
from short_scenario import short_korea

RUNS = 5_000


@pytest.fixture(scope="module")
def engine_run() -> tuple:
    sc = load_scenario("korea-2017")
    strategies = packaged_strategies(sc)
    results = [engine.simulate(sc, s, runs=RUNS, seed=7) for s in strategies]
    summary = engine.compare(results, {s.name: prohibited_count(s) for s in strategies})
    return sc, strategies, results, summary


def test_report_from_engine_results(engine_run: tuple, tmp_path: Path) -> None:
    sc, strategies, results, summary = engine_run
    csv_path, _ = write_comparison(summary, tmp_path)
    html_path = build_report(sc, results, tmp_path, summary=summary)
    html = html_path.read_text(encoding="utf-8")
    assert re.findall(r'<section id="([^"]+)"', html) == [
        "bottom-line", "summary", "comparison", "audit", "time", "flows", "ladder", "assumptions", "provenance"]
    assert html_path.stat().st_size < 10_000_000
    with csv_path.open(newline="") as fh:
        rows = {r["strategy"]: r for r in csv.DictReader(fh)}
    assert list(rows) == [s.name for s in strategies]
    for s in summary["strategies"]:
        assert float(rows[s["name"]]["denuclearisation_p"]) == s["outcomes"]["denuclearisation"]["p"]
    assert rows["let-deterrence-fail"]["prohibited_findings"] == "4"
    assert f"{RUNS:,} simulated runs" in html


def test_report_command(tmp_path: Path) -> None:
    (tmp_path / "scenario").mkdir()  # the command's files and sections, on a 16-month horizon (a third of the time)
    scenario = short_korea(tmp_path / "scenario")
    res = CliRunner().invoke(app, ["report", str(scenario), "--out", str(tmp_path), "--runs", "2000",
                                       "--seed", "3", "--json", "--no-margins",
                                       "--type-count", "4"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout[res.stdout.index("{"):])
    assert Path(info["report"]).exists() and (tmp_path / "comparison.csv").exists()
    assert (tmp_path / "figures" / "fan.png").exists() and (tmp_path / "figures" / "lead-comparison.png").exists()
    assert info["size_bytes"] < 10_000_000
    html = Path(info["report"]).read_text(encoding="utf-8")
    ids = re.findall(r'<section id="([^"]+)"', html)
    assert ids[:4] == ["bottom-line", "lead", "summary", "comparison"]  # the rational target first
    assert "Against a rational target" in html and "base-rate target" in html
    assert "mixture over 4 prior types" in html  # --type-count reaches the lead comparison


def test_report_command_rejects_a_missing_store(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["report", "korea-2017", "--out", str(tmp_path), "--db",
                                       str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2

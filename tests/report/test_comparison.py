"""`write_comparison`: one CSV row per strategy with the summary's probabilities, and a real PNG chart."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np
from report_fakes import STRATEGIES

from brinkmanship.report import write_comparison
from brinkmanship.report.common import OUTCOMES


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_one_row_per_strategy_with_the_summary_probabilities(fake_summary: dict[str, Any], tmp_path: Path) -> None:
    csv_path, png_path = write_comparison(fake_summary, tmp_path)
    assert csv_path == tmp_path / "comparison.csv" and png_path == tmp_path / "comparison.png"
    rows = read_rows(csv_path)
    assert [r["strategy"] for r in rows] == list(STRATEGIES)
    for row, s in zip(rows, fake_summary["strategies"], strict=True):
        for o in OUTCOMES:
            for k in ("p", "lo", "hi"):
                assert float(row[f"{o}_{k}"]) == s["outcomes"][o][k]
        assert abs(sum(float(row[f"{o}_p"]) for o in OUTCOMES) - 1.0) < 1e-9
        for m in ("deaths_median", "deaths_p95", "warheads_median", "months_to_resolution_median"):
            assert float(row[m]) == s["metrics"][m]


def test_prohibited_findings_column_comes_from_the_audit(fake_summary: dict[str, Any], tmp_path: Path) -> None:
    stripped = {**fake_summary, "strategies": [
        {**s, "metrics": {k: v for k, v in s["metrics"].items() if k != "prohibited_findings"}}
        for s in fake_summary["strategies"]]}
    rows = {r["strategy"]: r for r in read_rows(write_comparison(stripped, tmp_path)[0])}
    assert rows["let-deterrence-fail"]["prohibited_findings"] == "4"
    assert all(rows[n]["prohibited_findings"] == "0" for n in STRATEGIES if n != "let-deterrence-fail")


def test_a_given_prohibited_count_is_kept(fake_summary: dict[str, Any], tmp_path: Path) -> None:
    summary = {**fake_summary, "strategies": [
        {**s, "metrics": {**s["metrics"], "prohibited_findings": 9}} for s in fake_summary["strategies"]]}
    rows = read_rows(write_comparison(summary, tmp_path)[0])
    assert {r["prohibited_findings"] for r in rows} == {"9"}


def test_png_is_a_non_blank_chart(fake_summary: dict[str, Any], tmp_path: Path) -> None:
    import matplotlib.image as mpimg

    png = write_comparison(fake_summary, tmp_path)[1].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = mpimg.imread(io.BytesIO(png), format="png")
    assert img.shape[0] > 200 and img.shape[1] > 400
    assert len(np.unique(img.reshape(-1, img.shape[-1])[::50], axis=0)) > 10


def test_unknown_user_strategy_leaves_the_audit_cell_empty(tmp_path: Path) -> None:
    s = {"name": "not-packaged", "outcomes": {o: {"p": 1 / 6, "lo": 0.1, "hi": 0.2} for o in OUTCOMES},
         "metrics": {"deaths_median": 1.0}}
    rows = read_rows(write_comparison({"strategies": [s]}, tmp_path)[0])
    assert rows[0]["strategy"] == "not-packaged" and rows[0]["prohibited_findings"] == ""

"""The strategy comparison as files: `comparison.csv` (one row per strategy) and `comparison.png`."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

from brinkmanship.outfiles import atomic_open, write_bytes
from brinkmanship.report.blocks import esc, fmt, table
from brinkmanship.report.common import (
    OUTCOMES,
    label,
    new_figure,
    png_bytes,
    prohibited_for,
    strategy_color,
)

METRICS: tuple[str, ...] = ("deaths_median", "deaths_p95", "warheads_median", "warheads_mean",
                            "months_to_resolution_median", "civilian_strikes_mean", "strikes_mean",
                            "prohibited_findings")


def _strategies(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-strategy summaries of a compare JSON (or a bare list of them)."""
    rows = summary.get("strategies") if isinstance(summary, dict) else summary
    return list(rows or [])


def comparison_rows(summary: dict[str, Any], strategies: list[Any] | None = None) -> list[dict[str, Any]]:
    """One flat dict per strategy: `<outcome>_p/_lo/_hi` for the six outcomes, then every metric."""
    rows = []
    for s in _strategies(summary):
        row: dict[str, Any] = {"strategy": s["name"]}
        for o in OUTCOMES:
            cell = s.get("outcomes", {}).get(o, {})
            for k in ("p", "lo", "hi"):
                row[f"{o}_{k}"] = cell.get(k)
        metrics = dict(s.get("metrics", {}))
        if metrics.get("prohibited_findings") is None:
            metrics["prohibited_findings"] = prohibited_for(s["name"], strategies)
        keys = list(METRICS) + [k for k in metrics if k not in METRICS]
        for k in keys:
            v = metrics.get(k)
            if isinstance(v, dict):  # nested metrics (e.g. shares by rung) become dotted columns
                for sub, x in v.items():
                    row[f"{k}.{sub}"] = x
            else:
                row[k] = v
        rows.append(row)
    return rows


def comparison_html(summary: dict[str, Any], strategies: list[Any] | None = None) -> str:
    """The comparison as an HTML table: outcome probabilities with intervals, deaths, warheads, months and the
    audit's prohibited findings, one row per strategy."""
    headers = ["strategy", *[label(o) for o in OUTCOMES], "deaths (median)", "deaths (95th pct)",
               "warheads (median)", "months to resolution (median)", "IHL audit: prohibited findings"]
    rows = []
    for s in _strategies(summary):
        m = s.get("metrics", {})
        cells: list[Any] = [esc(s["name"])]
        for o in OUTCOMES:
            c = s["outcomes"][o]
            cells.append(f'{c["p"]:.3f}<br><span class="ci">[{c["lo"]:.3f}, {c["hi"]:.3f}]</span>')
        cells += [esc(fmt(m.get(k))) for k in ("deaths_median", "deaths_p95", "warheads_median",
                                               "months_to_resolution_median")]
        n = m.get("prohibited_findings")
        if n is None:
            n = prohibited_for(s["name"], strategies)
        cells.append(f'<span class="bad">{n}</span>' if n else esc(fmt(n)))
        rows.append(cells)
    return table(headers, rows, "num", raw_cols=range(len(headers)))


def comparison_png(summary: dict[str, Any]) -> bytes:
    """Grouped bars of the six outcome probabilities per strategy, with 95% interval error bars."""
    strats = _strategies(summary)
    fig, axes = new_figure(10, 4.6)
    ax = axes[0, 0]
    x = np.arange(len(OUTCOMES))
    width = 0.8 / max(len(strats), 1)
    for i, s in enumerate(strats):
        p = np.array([s["outcomes"][o]["p"] for o in OUTCOMES])
        lo = np.array([s["outcomes"][o]["lo"] for o in OUTCOMES])
        hi = np.array([s["outcomes"][o]["hi"] for o in OUTCOMES])
        err = np.vstack([np.clip(p - lo, 0, None), np.clip(hi - p, 0, None)])
        ax.bar(x - 0.4 + width * (i + 0.5), p, width, yerr=err, capsize=2, color=strategy_color(i),
               label=s["name"], error_kw={"elinewidth": 0.8})
    ax.set_xticks(x, [label(o) for o in OUTCOMES])
    ax.set_ylabel("probability at the horizon")
    ax.set_ylim(0, 1)
    ax.set_title("Outcome probabilities by strategy (bars: 95% intervals)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncols=min(len(strats), 3), loc="upper right")
    return png_bytes(fig)


def write_comparison(summary: dict[str, Any], out_dir: str | Path,
                     strategies: list[Any] | None = None) -> tuple[Path, Path]:
    """Write `comparison.csv` and `comparison.png` into `out_dir` from a compare summary; return both paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = comparison_rows(summary, strategies)
    csv_path = out / "comparison.csv"
    fields: list[str] = []
    for r in rows:
        fields += [k for k in r if k not in fields]
    with atomic_open(csv_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields or ["strategy"])
        writer.writeheader()
        for r in rows:
            writer.writerow({k: ("" if v is None else v) for k, v in r.items()})
    png_path = out / "comparison.png"
    write_bytes(png_path, comparison_png(summary))
    return csv_path, png_path

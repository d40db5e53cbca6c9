"""`brink audit STRATEGY [--scenario S] [--json]`: tables, JSON {"ihl": findings, "credibility": verdicts}, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from brinkmanship.cli import app

runner = CliRunner()


def test_audit_json_is_a_list_of_findings_with_the_five_keys() -> None:
    res = runner.invoke(app, ["audit", "let-deterrence-fail", "--json"])
    assert res.exit_code == 0, res.output
    start = res.stdout.index("{")
    both = json.loads(res.stdout[start:res.stdout.rindex("}") + 1])
    findings = both["ihl"]
    assert isinstance(findings, list) and findings
    assert {c["rule"] for c in both["credibility"]} == {"two-per-launch", "city-per-test", "congressional-decision"}
    assert all(c["verdict"] in ("credible", "partly credible", "not credible") for c in both["credibility"])
    assert all(set(f) == {"rule", "principle", "verdict", "citation", "why"} for f in findings)
    city = {f["principle"]: f["verdict"] for f in findings if f["rule"] == "city-per-test"}
    assert city["distinction"] == "prohibited" and city["reprisals against civilians"] == "prohibited"


def test_audit_table_shows_verdicts_and_the_disclaimer() -> None:
    res = runner.invoke(app, ["audit", "limited-strike", "--scenario", "korea-2017"])
    assert res.exit_code == 0, res.output
    assert "bloody-nose" in res.stdout
    assert "0 prohibited finding(s)" in res.stdout
    assert "not legal advice" in res.stdout
    assert "Credibility audit" in res.stdout


def test_audit_accepts_a_file_path(tmp_path: Path) -> None:
    from brinkmanship.spec.loader import strategy_dir

    src = (strategy_dir() / "let-deterrence-fail.yaml").read_text()
    path = tmp_path / "mine.yaml"
    path.write_text(src.replace("name: let-deterrence-fail", "name: mine"))
    res = runner.invoke(app, ["audit", str(path), "--json"])
    assert res.exit_code == 0, res.output
    assert '"prohibited"' in res.stdout


def test_audit_unknown_strategy_is_bad_input() -> None:
    res = runner.invoke(app, ["audit", "no-such-strategy"])
    assert res.exit_code == 2

"""The documentation site builds in strict mode (a broken link or reference fails) with generated pages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_docs_build_strict(tmp_path):
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
                          cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
    cli = (site / "cli.html").read_text(encoding="utf-8")
    assert "brink compare" in cli and "brink schema" in cli
    strategy = (site / "files" / "strategy.html").read_text(encoding="utf-8")
    assert "target_lists" in strategy and "believed" in strategy
    api = (site / "api.html").read_text(encoding="utf-8")
    assert "compare" in api and "to_frame" in api
    assert "&gt;&gt;&gt;" in api and "<blockquote>" not in api  # examples render as code, not as quotes
    assert "soesanto2017" in (site / "cite.html").read_text(encoding="utf-8")
    assert (site / "notebooks" / "01-flagship-comparison.html").exists()

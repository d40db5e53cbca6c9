"""Entry points: `brink --version` and `python -m brinkmanship` run the same command line."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

import brinkmanship
from brinkmanship.cli import app


def test_version_option_prints_the_package_version():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"brink {brinkmanship.__version__}"


def test_python_dash_m_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "brinkmanship", "--version"], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"brink {brinkmanship.__version__}"

"""Fixtures for the exploration tests: a CLI app with the explore commands, an entry script for subprocesses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
ENTRY = HERE / "brink_entry.py"


@pytest.fixture(scope="session")
def cli_app():
    """The shared Typer app with the explore commands registered."""
    sys.path.insert(0, str(HERE))
    try:
        import brink_entry  # noqa: F401  (stubs CLI modules other engineers have not written yet)
    finally:
        sys.path.remove(str(HERE))
    from brinkmanship.cli.app import app

    return app


def brink_cmd(*args: str) -> list[str]:
    """Command line that runs `brink ARGS...` in a fresh interpreter."""
    return [sys.executable, str(ENTRY), *args]

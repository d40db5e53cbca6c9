"""Fixtures for the exploration tests: a CLI app with the explore commands, an entry script for subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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


def start_paused(args: list[str], env: dict[str, str], timeout: float = 240) -> subprocess.Popen:
    """Start `brink ARGS...` with a pause point (see brink_entry) and return once it has paused there.

    The kill point is then deterministic: the test kills a process that is waiting at a known place.
    """
    proc = subprocess.Popen(brink_cmd(*args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **env},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if line.strip() == "paused":
            return proc
        if not line and proc.poll() is not None:
            break
        lines.append(line)
    proc.kill()
    proc.wait()
    raise AssertionError(f"the command never reached its pause point (rc {proc.returncode}):\n{''.join(lines)[-2000:]}")

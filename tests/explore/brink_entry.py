"""Run the `brink` app in a subprocess for tests, with optional pause points for deterministic kill tests.

Pause points (environment variables; the process prints `paused` on stderr, then sleeps until killed):
- `BRINK_TEST_PAUSE_CHUNK=k`: after the k-th chunk this process commits to a results store.
- `BRINK_TEST_PAUSE_WRITE=k:before` or `k:after`: at the k-th output file, before its content is written
  or once it is written but not yet renamed into place.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import time
import types
from contextlib import contextmanager
from pathlib import Path

_root = Path(importlib.util.find_spec("brinkmanship").submodule_search_locations[0])
_MODULES = ("commands_sim", "commands_games", "commands_explore", "commands_report", "commands_history")
for _mod in _MODULES:
    if not (_root / "cli" / f"{_mod}.py").exists():  # stubs CLI modules that do not exist yet
        sys.modules[f"brinkmanship.cli.{_mod}"] = types.ModuleType(f"brinkmanship.cli.{_mod}")
for _mod in _MODULES:
    importlib.import_module(f"brinkmanship.cli.{_mod}")

from brinkmanship.cli.app import app  # noqa: E402


def _pause() -> None:
    sys.stderr.write("paused\n")
    sys.stderr.flush()
    time.sleep(600)


def _install_hooks() -> None:
    chunk_at = os.environ.get("BRINK_TEST_PAUSE_CHUNK")
    if chunk_at:
        from brinkmanship.store.results import ResultsStore

        commit = ResultsStore.commit_chunk

        def commit_then_pause(self, *args, **kwargs):
            commit(self, *args, **kwargs)
            if self.chunks_committed == int(chunk_at):
                _pause()

        ResultsStore.commit_chunk = commit_then_pause
    write_at = os.environ.get("BRINK_TEST_PAUSE_WRITE")
    if write_at:
        from brinkmanship import outfiles

        k, phase = write_at.split(":")
        atomic_path = outfiles.atomic_path
        count = 0

        @contextmanager
        def pausing(path):
            nonlocal count
            count += 1
            if count == int(k) and phase == "before":
                _pause()
            with atomic_path(path) as tmp:
                yield tmp
                if count == int(k) and phase == "after":
                    _pause()

        outfiles.atomic_path = pausing


if __name__ == "__main__":
    _install_hooks()
    app()

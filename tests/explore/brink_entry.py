"""Run the `brink` app in a subprocess for tests (stubs CLI command modules that do not exist yet)."""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

_root = Path(importlib.util.find_spec("brinkmanship").submodule_search_locations[0])
for _mod in ("commands_sim", "commands_games", "commands_explore", "commands_report", "commands_history"):
    if not (_root / "cli" / f"{_mod}.py").exists():
        sys.modules[f"brinkmanship.cli.{_mod}"] = types.ModuleType(f"brinkmanship.cli.{_mod}")

from brinkmanship.cli import commands_explore  # noqa: E402,F401
from brinkmanship.cli.app import app  # noqa: E402

if __name__ == "__main__":
    app()

"""The `brink` command line: one Typer app, commands grouped by domain in small modules."""

from __future__ import annotations

from brinkmanship.cli.app import app, main

# Each module registers its commands on `app`; heavy imports happen inside the commands.
from brinkmanship.cli import commands_sim  # noqa: F401  isort: skip
from brinkmanship.cli import commands_games  # noqa: F401  isort: skip
from brinkmanship.cli import commands_explore  # noqa: F401  isort: skip
from brinkmanship.cli import commands_report  # noqa: F401  isort: skip
from brinkmanship.cli import commands_history  # noqa: F401  isort: skip
from brinkmanship.cli import commands_schema  # noqa: F401  isort: skip
from brinkmanship.cli import commands_serve  # noqa: F401  isort: skip

__all__ = ["app", "main"]

"""CLI commands of the games area (registered on the shared app)."""

from __future__ import annotations

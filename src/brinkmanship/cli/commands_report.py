"""CLI commands of the report area (registered on the shared app)."""

from __future__ import annotations

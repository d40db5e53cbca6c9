"""CLI commands of the history area (registered on the shared app)."""

from __future__ import annotations

"""CLI commands of the explore area (registered on the shared app)."""

from __future__ import annotations

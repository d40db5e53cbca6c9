"""The browser explorer of `brink serve`: a strategy workbench with live exact results, and an exploration
browser for a store. `create_app` builds the Dash app (Dash is imported only there)."""

from __future__ import annotations

from typing import Any


def create_app(scenario: str = "korea-2017", store: Any = None, warm: bool = True) -> Any:
    """The Dash app for a scenario and an optional exploration store (see `brinkmanship.web.app`)."""
    from brinkmanship.web.app import create_app as build

    return build(scenario, store, warm)


__all__ = ["create_app"]

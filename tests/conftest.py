"""Shared fixtures: the packaged scenario and strategies, loaded once per session."""

from __future__ import annotations

import pytest

from brinkmanship.spec import load_scenario, packaged_strategies


@pytest.fixture(scope="session")
def korea():
    return load_scenario("korea-2017")


@pytest.fixture(scope="session")
def strategies(korea):
    return {s.name: s for s in packaged_strategies(korea)}

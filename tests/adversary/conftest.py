"""Fixtures for the rational adversary's acceptance tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def toy_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("adversary-toys")

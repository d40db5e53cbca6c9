"""Shared fixtures: the packaged scenario and strategies, loaded once per session."""

from __future__ import annotations

import os
import sys

# one BLAS thread: the suite's matrix products are small (a talks matrix of 21 levels), and on a shared 2-core
# machine OpenBLAS's second thread waits for the first at every call (measured under load: 6x the CPU time of
# tests/adversary/test_coercer_simulated.py); read when numpy first loads, so only if nothing loaded it yet
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pathlib import Path

import pytest

from brinkmanship.spec import load_scenario, packaged_strategies


@pytest.fixture(scope="session")
def korea():
    return load_scenario("korea-2017")


@pytest.fixture(scope="session")
def strategies(korea):
    return {s.name: s for s in packaged_strategies(korea)}


@pytest.fixture(scope="session")
def toy_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small exploration store of the explore package's toy model (the report's and the browser's)."""
    from brinkmanship.explore.models import resolve_model
    from brinkmanship.explore.pipeline import run_exploration

    db = tmp_path_factory.mktemp("store") / "toy.duckdb"
    run_exploration(resolve_model("toy:crisis"), 300, 1, db, runs=40)
    return db


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver per test process, shared by every browser test: a second sync driver started
    while another is open in the same process fails, whichever tests xdist puts together."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw

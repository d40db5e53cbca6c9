"""Fixtures of the report tests: fake engine results and their compare summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from report_fakes import POLICY, STRATEGIES, FakeResult, make_fake_result, make_fake_summary

from brinkmanship.report import build_report
from brinkmanship.spec import load_scenario


@pytest.fixture(scope="session")
def fake_results() -> list[FakeResult]:
    """Five fake results, one per packaged strategy."""
    return [make_fake_result(n) for n in STRATEGIES]


@pytest.fixture(scope="session")
def fake_summary(fake_results: list[FakeResult]) -> dict[str, Any]:
    """The compare JSON of the fake results."""
    return make_fake_summary(fake_results)


@pytest.fixture(scope="session")
def full_report(tmp_path_factory: pytest.TempPathFactory, fake_results: list[FakeResult],
                fake_summary: dict[str, Any]) -> Path:
    """A report with every non-exploration section: fake results, their summary and a policy map."""
    out = tmp_path_factory.mktemp("full")
    return build_report(load_scenario("korea-2017"), fake_results, out, summary=fake_summary, policy=POLICY)


@pytest.fixture(scope="session")
def report_with_store(tmp_path_factory: pytest.TempPathFactory, fake_results: list[FakeResult],
                      fake_summary: dict[str, Any], toy_store: Path) -> Path:
    """The full report plus the exploration sections (every kind of figure the report draws)."""
    out = tmp_path_factory.mktemp("full-db")
    return build_report(load_scenario("korea-2017"), fake_results, out, summary=fake_summary, policy=POLICY,
                        db=toy_store)

"""Exact results of the workbench: the CLI's numbers bit for bit, computed once per content, superseded."""

from __future__ import annotations

import threading

import pytest

from brinkmanship.web.compute import (
    ResultCache,
    Sessions,
    SupersededError,
    cache_key,
    evaluate,
    evaluate_all,
    outcome_cells,
)


@pytest.fixture(scope="module")
def ldf(korea, strategies):
    return evaluate(korea, strategies["let-deterrence-fail"])


def test_evaluation_equals_exact_outcomes_bit_for_bit(korea, strategies, ldf) -> None:
    from brinkmanship.adversary.exact import exact_outcomes

    assert ldf.outcomes == exact_outcomes(korea, strategies["let-deterrence-fail"], "rational")
    assert ldf.timeline.shape == (korea.horizon_months + 1, 6)
    assert abs(ldf.timeline[-1].sum() - 1.0) < 1e-9
    assert ldf.explanation["summary"].startswith("Against 'let-deterrence-fail'")
    assert any(f["verdict"] == "prohibited" for f in ldf.audit)


def test_cells_are_printed_as_compare_prints_them() -> None:
    cells = outcome_cells({"denuclearisation": 0.1234, "freeze": 0.0, "buildup": 0.5, "limited_conflict": 0.00049,
                           "major_war": 0.3761, "nuclear_war": 1.0})
    assert cells == ["12.3%", "0.0%", "50.0%", "0.0%", "37.6%", "100.0%"]


def test_concurrent_requests_for_one_key_compute_once(ldf) -> None:
    cache = ResultCache(size=4, workers=2)
    calls = []
    gate = threading.Event()

    def slow():
        calls.append(1)
        gate.wait(5)
        return ldf

    threads = [threading.Thread(target=cache.get, args=("k", slow)) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1 and cache.peek("k") is ldf


def test_the_cache_is_bounded(ldf) -> None:
    cache = ResultCache(size=3)
    for i in range(10):
        cache.get(str(i), lambda: ldf)
    assert len(cache) == 3 and cache.peek("0") is None and cache.peek("9") is ldf


def test_a_newer_request_supersedes_the_older() -> None:
    s = Sessions(size=2)
    first = s.begin("a")
    assert s.current("a", first)
    second = s.begin("a")
    assert not s.current("a", first) and s.current("a", second)
    s.begin("b")
    s.begin("c")  # the oldest session is forgotten: the registry stays bounded
    assert not s.current("a", second)


def test_a_superseded_comparison_stops_between_solves(korea, strategies, ldf) -> None:
    cache = ResultCache()
    st = strategies["let-deterrence-fail"]
    cache.get(cache_key(korea, st, "rational"), lambda: ldf)
    with pytest.raises(SupersededError):
        evaluate_all(korea, st, [strategies["engagement"]], cache, alive=iter([True, False]).__next__)
    assert len(cache) == 1  # engagement was never solved

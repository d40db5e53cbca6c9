"""The exploration browser's numbers: sensitivity with bootstrap intervals, a missing store refused."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.analysis.sensitivity import first_order_with_ci
from brinkmanship.errors import InputError
from brinkmanship.report.explore import first_order_indices
from brinkmanship.web.explorer import Explorer


def test_estimate_is_the_reports_and_the_interval_covers_it() -> None:
    rng = np.random.default_rng(3)
    x = {"strong": rng.uniform(size=2000), "weak": rng.uniform(size=2000), "kind": rng.choice(["a", "b"], 2000)}
    y = 3 * x["strong"] + 0.3 * x["weak"] + rng.normal(size=2000) * 0.2
    rows = {name: (s1, lo, hi) for name, s1, lo, hi in first_order_with_ci(x, y, resamples=100)}
    for name, (s1, lo, hi) in rows.items():
        assert s1 == pytest.approx(first_order_indices(x[name], y), abs=1e-12)
        assert lo <= s1 <= hi
    assert rows["strong"][1] > 0.8 and rows["weak"][2] < 0.1
    assert first_order_with_ci(x, y, resamples=20)[0][0] == "strong"


def test_a_missing_store_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="store not found"):
        Explorer.load(tmp_path / "nothing.duckdb")

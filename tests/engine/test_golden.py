"""The packaged scenario's results, pinned: `brink compare korea-2017 --exact --types point --json` prints the golden file
(and the mixture over 16 prior types its own).

A change to any formula, parameter or default that moves a result fails here. When the change is intended,
regenerate with `make golden` (it shows the diff) and commit the new file with the reason.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("golden_update", Path(__file__).parents[1] / "golden" / "update.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


def _close(got, want, where: str = "") -> None:
    """Same structure and keys; numbers equal to 1e-9 relative (the engine is bit-identical on one platform,
    the slack allows another BLAS or libm)."""
    assert type(got) is type(want) or {type(got), type(want)} <= {int, float}, where
    if isinstance(want, dict):
        assert list(got) == list(want), where
        for k in want:
            _close(got[k], want[k], f"{where}.{k}")
    elif isinstance(want, list):
        assert len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _close(g, w, f"{where}[{i}]")
    elif isinstance(want, float | int) and not isinstance(want, bool):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12), where
    else:
        assert got == want, where


@pytest.mark.slow
@pytest.mark.parametrize("name", list(golden.GOLDEN))
def test_results_match_the_golden_file(name):
    want = json.loads((golden.HERE / name).read_text(encoding="utf-8"))
    got = json.loads(golden.render(golden.GOLDEN[name]))
    _close(got, want, name)

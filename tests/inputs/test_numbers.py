"""NaN and infinity are refused wherever a number is read, and JSON output never holds NaN or Infinity."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from brinkmanship.cli.app import json_safe, to_json
from brinkmanship.errors import InputError
from brinkmanship.limits import MAX_MAGNITUDE
from brinkmanship.spec import Scenario, Strategy
from brinkmanship.spec.loader import _validate, scenario_dir, strategy_dir
from brinkmanship.spec.yaml_input import parse_yaml

BAD = [math.nan, math.inf, -math.inf, "1e400", 10 * MAX_MAGNITUDE]


def _numeric_leaves(data: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _numeric_leaves(v, (*path, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _numeric_leaves(v, (*path, i))]
    return [path] if isinstance(data, int | float) and not isinstance(data, bool) else []


def _set(data: Any, path: tuple, value: Any) -> Any:
    out = copy.deepcopy(data)
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo = [root]
    while todo:
        m = todo.pop()
        if m in seen:
            continue
        seen.add(m)
        for f in m.model_fields.values():
            stack = [f.annotation]
            while stack:
                t = stack.pop()
                if isinstance(t, type) and issubclass(t, BaseModel):
                    todo.append(t)
                stack.extend(getattr(t, "__args__", ()) or ())
                stack.extend((getattr(t, "__metadata__", ()) and [getattr(t, "__origin__", None)]) or [])
    return seen


@pytest.mark.parametrize("root", [Scenario, Strategy])
def test_every_spec_model_refuses_non_finite_floats(root):
    models = _models(root)
    assert len(models) > 5
    for m in models:
        assert m.model_config.get("allow_inf_nan") is False, m.__name__


def _load(kind: str) -> tuple[type[BaseModel], dict, dict]:
    folder, model = (scenario_dir(), Scenario) if kind == "scenario" else (strategy_dir(), Strategy)
    name = "korea-2017" if kind == "scenario" else "let-deterrence-fail"
    data, lines = parse_yaml((folder / f"{name}.yaml").read_text(encoding="utf-8"))
    return model, data, lines


@pytest.mark.parametrize("kind", ["scenario", "strategy"])
def test_nan_and_infinity_are_refused_at_every_number_of_the_packaged_files(kind):
    model, data, lines = _load(kind)
    leaves = _numeric_leaves(data)
    assert len(leaves) > (200 if kind == "scenario" else 20)
    for i, path in enumerate(leaves):
        bad = BAD[i % len(BAD)] if kind == "scenario" else None
        for value in [bad] if bad is not None else BAD:
            with pytest.raises(InputError) as err:
                _validate(model, _set(data, path, value), Path("f.yaml"), lines)
            assert err.value.field and err.value.line, (path, value)


def test_a_nan_deal_probability_is_refused_with_field_and_line():
    model, data, lines = _load("scenario")
    with pytest.raises(InputError) as err:
        _validate(model, _set(data, ("talks", "close_probability", "value"), math.nan), Path("s.yaml"), lines)
    assert err.value.field == "talks.close_probability.value"
    assert "finite" in err.value.message
    assert err.value.line == lines[("talks", "close_probability", "value")]


def test_a_nan_salvo_share_is_refused():
    model, data, lines = _load("scenario")
    key = next(iter(data["arsenal"]["salvo_sizes"]))
    with pytest.raises(InputError, match="finite"):
        _validate(model, _set(data, ("arsenal", "salvo_sizes", key), math.nan), Path("s.yaml"), lines)


@settings(max_examples=60, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=3), c, max_size=4),
                    max_leaves=20))
def test_json_output_is_strict_json_whatever_the_numbers(obj):
    text = to_json({"x": obj})
    back = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} in JSON output"))
    assert back == {"x": json_safe(obj)}


def test_numpy_values_become_plain_json():
    import numpy as np

    assert json.loads(to_json({"a": np.float64("nan"), "b": np.arange(3), "c": np.bool_(True)})) == {
        "a": None, "b": [0, 1, 2], "c": True}


@pytest.mark.parametrize("count", ["²", "1e3", "nan", "9" * 5000, "-1", "1.5"])
def test_event_record_counts_are_plain_bounded_integers(tmp_path, count):
    from brinkmanship.history.events import events_path, load_events

    lines = events_path().read_text(encoding="utf-8").splitlines()
    row = next(i for i, ln in enumerate(lines) if ",missile_launch," in ln)
    cells = lines[row].split(",")
    cells[4] = count
    lines[row] = ",".join(cells)
    path = tmp_path / "events.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_events(path)
    assert err.value.field == "count" and err.value.line == row + 1


@pytest.mark.parametrize("size", [0, 1001, 10**400])
def test_salvo_sizes_are_bounded_whole_numbers(size):
    model, data, lines = _load("scenario")
    salvo = {size: 1.0}
    with pytest.raises(InputError, match="salvo_sizes"):
        _validate(model, _set(data, ("arsenal", "salvo_sizes"), salvo), Path("s.yaml"), lines)


def test_a_start_date_whose_months_leave_the_calendar_is_refused():
    model, data, lines = _load("scenario")
    with pytest.raises(InputError, match="too late"):
        _validate(model, _set(data, ("start",), "9999-12-01"), Path("s.yaml"), lines)

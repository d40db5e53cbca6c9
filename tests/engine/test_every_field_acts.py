"""Every field of the strategy and scenario schema acts: changing it changes a result, so a dead field fails.

The fields are found by walking the pydantic models (`Scenario`, `Strategy` and every model they hold), so a
new field is covered without editing this file: it must either act in one of the packaged files walked here
or be listed in `INERT` with the reason it cannot change a run (titles, notes, sources, identifiers).
A result is everything a comparison reports, without sampling noise: the exact outcome probabilities of the
base-rate target and of a planner target (logit, so that every weight moves them a little), the chance each
aim is met, and the metrics of a small simulation under fixed random numbers (deaths, warheads, strikes).
"""

from __future__ import annotations

import datetime as dt
import typing
from enum import Enum

import numpy as np
import pytest
from pydantic import BaseModel

from brinkmanship.adversary.exact import propagate
from brinkmanship.adversary.planner import solve
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import OUTCOMES
from brinkmanship.engine.decision import BaseRatePolicy
from brinkmanship.engine.simulate import simulate
from brinkmanship.engine.summary import aims_met
from brinkmanship.spec import Scenario, Strategy, load_scenario, load_strategy
from brinkmanship.spec.params import Param
from brinkmanship.spec.scenario import Coercer

SCENARIO = load_scenario("korea-2017")
# together these use every structure: a list, rules on both test kinds, deadlines (a preventive war, a strike),
# phases, normal exercises, every talks channel; a field acts if changing it changes a result in one of them
STRATEGIES = ("let-deterrence-fail", "pressure-then-summit", "limited-strike", "freeze-for-freeze")
# a scenario field is tried on the strategies in this order: let-deterrence-fail's learned credibility makes its
# exact solves some ten times the others'
CHEAPEST_FIRST = ("freeze-for-freeze", "pressure-then-summit", "limited-strike", "let-deterrence-fail")

INERT = {  # Class.field -> why it cannot change a run
    "Scenario.name": "identifier", "Scenario.title": "text", "Scenario.summary": "text",
    "Scenario.step": "a single allowed value (month)", "Scenario.exercise_source": "provenance",
    "Scenario.strategies": "which strategies `compare` lists by default",
    "Arsenal.salvo_source": "provenance", "Aim.text": "text", "Aim.source": "provenance",
    "Aim.assumption": "provenance", "Aim.note": "text",
    "Param.range": "the declared range: the prior of types and exploration (tests/adversary/test_types.py), and the "
                   "log-uniform spread of deaths (tests/engine/test_formulas.py)",
    "Param.source": "provenance", "Param.assumption": "provenance", "Param.note": "text",
    "Param.dist": "the prior's shape for types (tests/adversary/test_types.py)",
    "Strategy.name": "identifier", "Strategy.title": "text", "Strategy.summary": "text",
    "Strategy.source": "provenance", "Rule.id": "identifier", "Deadline.id": "identifier",
    "Phase.id": "identifier", "Phase.title": "text", "Phase.source": "provenance",
    "DeadlineDate.source": "provenance", "DeadlineDate.assumption": "provenance",
    "TargetList.size": "checked equal to the sum of its classes (the classes act)",
    "Sanctions.resolution_step": "the step of the 2016-2017 sanctions record (history/record.py, `brink backtest`); "
                                 "no run reads it",
}
# numbers drawn log-uniformly over their declared range: in one run the range acts, the value only anchors it
# (an exploration that overrides the value moves the whole range); the test changes the range
DRAWN = {"War.conventional_deaths", "War.deaths_per_detonation", "War.civilian_deaths_per_city"}
ELSEWHERE = {  # Class.field -> the test where it acts (a structure the packaged files walked here do not use)
    "Deadline.talks_progress_threshold": "tests/adversary/test_endings.py (unless: talks_progress)",
    "PhaseEntry.at": "tests/engine/test_phases.py", "PhaseEntry.when": "tests/engine/test_phases.py",
    "PhaseCondition.talks_at_least": "tests/engine/test_phases.py",
    "PhaseCondition.months_without_test": "tests/engine/test_phases.py",
    "MonthWindow.earliest": "tests/engine/test_phases.py", "MonthWindow.latest": "tests/engine/test_phases.py",
    "Phase.switch_on": "tests/engine/test_phases.py", "Phase.switch_off": "tests/engine/test_phases.py",
    "PhaseLevers.third_parties": "tests/engine/test_phases.py", "PhaseLevers.posture": "tests/engine/test_phases.py",
    "Rule.target_class": "tests/engine/test_chunk_steps.py (a rule striking a class off any list)",
    "Exercises.scaled_down_intensity": "tests/engine/test_scenario_numbers.py (no packaged strategy scales "
                                       "exercises down)",
    "Adversary.victory_value": "tests/adversary/test_kernel.py (the invasion's value by hand); for the packaged "
                               "strategies invading is so far from chosen that its weight moves no result above "
                               "floating-point rounding",
    "Rule.bluff": "tests/adversary/test_credibility.py (a rule's own chance of execution by a bluffing coercer)",
    "Deadline.bluff": "tests/adversary/test_credibility.py (a deadline's own bluff chance)",
    "Rule.chance": "tests/adversary/test_coercer.py (the threat that leaves something to chance)",
    "Deadline.chance": "tests/adversary/test_coercer.py (the threat that leaves something to chance)",
}
# the strategic coercer's aims act where it decides (`--coercer strategic`); the results walked here are the
# committed coercer's
ELSEWHERE.update({f"Coercer.{f}": "tests/adversary/test_coercer.py, test_coercer_game.py, test_coercer_fearon.py, "
                                  "tests/audit (the strategic coercer)" for f in Coercer.model_fields})


def _models(tp: object) -> list[type[BaseModel]]:
    """The pydantic model classes inside a field's annotation (lists, dicts, unions, Annotated)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    out: list[type[BaseModel]] = []
    for arg in typing.get_args(tp):
        out += _models(arg)
    return out


def schema_fields(root: type[BaseModel]) -> set[str]:
    """Every `Class.field` reachable from `root`."""
    seen: set[type[BaseModel]] = set()
    todo, out = [root], set()
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for name, info in cls.model_fields.items():
            out.add(f"{cls.__name__}.{name}")
            todo += _models(info.annotation)
    return out


def leaves(obj: BaseModel, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path in the model's JSON dump, `Class.field`) of every set field of an instance; a Param is a leaf
    for its value (its other fields are provenance and priors, in INERT)."""
    out = []
    for name in type(obj).model_fields:
        v = getattr(obj, name)
        tag = f"{type(obj).__name__}.{name}"
        if v is None:
            continue
        if isinstance(v, Param):
            out.append(((*path, name, "value"), tag))
            out += [((*path, name, k), f"Param.{k}") for k in ("range", "source", "assumption", "note", "dist")]
        elif isinstance(v, BaseModel):
            out.append(((*path, name), tag))
            out += leaves(v, (*path, name))
        elif isinstance(v, list) and v and isinstance(v[0], BaseModel):
            out.append(((*path, name), tag))
            for i, x in enumerate(v):
                out += leaves(x, (*path, name, i))
        elif isinstance(v, dict) and v and isinstance(next(iter(v.values())), BaseModel):
            out.append(((*path, name), tag))
            for k, x in v.items():
                out += leaves(x, (*path, name, k.value if isinstance(k, Enum) else k))
        else:
            out.append(((*path, name), tag))
    return out


def _get(d: dict, path: tuple) -> object:
    for p in path:
        d = d[p]
    return d


def perturb(dump: dict, path: tuple, tag: str, annotation: object) -> dict:
    """A copy of the model dump with the field at `path` changed."""
    import copy

    d = copy.deepcopy(dump)
    parent, key = _get(d, path[:-1]), path[-1]
    v = parent[key]
    if key == "value" and isinstance(v, int | float):  # a Param's value: to the far end of its range
        lo, hi = parent.get("range") or (v, v)
        if tag in DRAWN:
            parent["range"] = [lo, 2 * hi]
            return d
        parent[key] = lo if abs(v - lo) > abs(v - hi) else hi
        if parent[key] == v:
            parent[key] = min(v + 0.3, 1.0) if v < 0.5 else v - 0.3
            if parent.get("range"):
                parent["range"] = [min(lo, parent[key]), max(hi, parent[key])]
        return d
    enum = next((a for a in [annotation, *typing.get_args(annotation)] if isinstance(a, type) and issubclass(a, Enum)),
                None)
    literal = [a for a in typing.get_args(annotation) if isinstance(a, str)]
    if isinstance(v, dict) and key == "classes":  # one target moved from one class to another
        a, b = list(v)[:2]
        parent[key] = {**v, a: v[a] - 1, b: v[b] + 1}
    elif enum is not None:  # (a deadline's action: one that needs no target class)
        parent[key] = next(m.value for m in enum if m.value != v and m.value != "strike")
    elif len(literal) > 1 and not isinstance(v, list):
        parent[key] = next(x for x in literal if x != v)
    elif key == "outcomes":
        parent[key] = [*v, next(o for o in OUTCOMES if o not in v)]
    elif isinstance(v, bool):
        parent[key] = not v
    elif isinstance(v, int) and key == "levels":  # evidence levels stay odd (the prior is the middle level)
        parent[key] = v + 2
    elif isinstance(v, int):
        parent[key] = v + 3 if v < 3 else v - 1
    elif isinstance(v, str) and _is_date(v):
        day = dt.date.fromisoformat(v)
        parent[key] = dt.date(day.year + (day.month == 12), day.month % 12 + 1, day.day).isoformat()
    elif isinstance(v, list):
        parent[key] = v[1:] if len(v) > 1 else []
    elif isinstance(v, dict) and key == "salvo_sizes":
        parent[key] = {k: (1.0 if i == 0 else 0.0) for i, k in enumerate(v)}
    elif isinstance(v, dict) and key == "classes":
        a, b = list(v)[:2]
        parent[key] = {**v, a: v[a] - 1, b: v[b] + 1}
    elif key == "from_list":
        parent[key] = None
        parent["target_class"] = "military"
    elif key == "enter":
        parent[key] = {"month": parent[key].get("month", 0) + 2}
    else:
        raise KeyError(f"no change defined for {tag} at {path}")
    return d


def _is_date(v: str) -> bool:
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        return False
    return True


def _annotation(root: type[BaseModel], tag: str) -> object:
    cls_name, field = tag.split(".")
    for cls in [root, *_all_models(root)]:
        if cls.__name__ == cls_name:
            return cls.model_fields[field].annotation
    return None


def _all_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    out, todo = [], [root]
    while todo:
        cls = todo.pop()
        if cls in out:
            continue
        out.append(cls)
        for info in cls.model_fields.values():
            todo += _models(info.annotation)
    return out


def result_parts(sc: Scenario, st: Strategy) -> typing.Iterator[np.ndarray]:
    """The parts of a result, cheapest first (a field that moves an early part needs no later one): a small
    fixed-seed simulation's metrics; the logit planner's value at the start and exact outcomes; the exact
    base-rate outcomes and the chance each aim is met."""
    c = compile_model(sc, st)
    res = simulate(sc, st, runs=1000, seed=1)
    o = res.outcomes
    yield np.array([o[k].astype(float).mean() for k in ("deaths", "deaths_civilian", "warheads", "detonations",
                                                         "month_resolved", "final_phase",
                                                         "strikes_military", "strikes_leadership",
                                                         "strikes_civilian_population", "highest_rung")])
    planned = solve(c, "logit:1")
    yield np.concatenate([planned.value_at_start(),  # utility weights act on the value even where choices stay
                          propagate(c, planned).outcomes[0]])
    exact = propagate(c, BaseRatePolicy())
    base = exact.outcomes[0]
    aims = [a["p"] for a in aims_met(res, sc.aims, dict(zip(OUTCOMES, base, strict=True)),
                                     exact.unproven_dict()).values()]
    yield np.concatenate([base, aims])


def result(sc: Scenario, st: Strategy) -> list[np.ndarray]:
    """Every part of `result_parts`: the exact base-rate and logit outcomes, the aims met, and the metrics."""
    return list(result_parts(sc, st))


def moved(parts: typing.Iterator[np.ndarray], reference: list[np.ndarray]) -> bool:
    """Whether some part differs from the reference's (computing the parts only up to the first that does)."""
    return any(np.abs(p - r).max() > 1e-9 for p, r in zip(parts, reference, strict=True))


def _cases() -> dict[str, list[tuple[str, tuple]]]:
    """Per `Class.field`, where it occurs: (file, path), non-empty and not a container of walked models."""
    out = [("scenario", p, t) for p, t in leaves(SCENARIO)]
    for name in STRATEGIES:
        out += [(name, p, t) for p, t in leaves(load_strategy(name, SCENARIO))]
    by_tag: dict[str, list[tuple[str, tuple]]] = {}
    for w, p, t in out:
        if t not in INERT and not _container(w, p) and not _empty(w, p):
            by_tag.setdefault(t, []).append((w, p))
    return by_tag


def _root(which: str) -> BaseModel:
    return SCENARIO if which == "scenario" else load_strategy(which, SCENARIO)


def _empty(which: str, path: tuple) -> bool:
    """An empty list or dict: nothing there to change (the field acts where it is filled, elsewhere)."""
    v = _get(_root(which).model_dump(mode="json"), path)
    return isinstance(v, list | dict) and not v


def _container(which: str, path: tuple) -> bool:
    """A field holding models whose own fields are walked (changing the whole is not one field's effect)."""
    v: object = SCENARIO if which == "scenario" else load_strategy(which, SCENARIO)
    for p in path:
        if isinstance(v, BaseModel):
            v = getattr(v, p)
        elif isinstance(v, dict):
            v = next(x for k, x in v.items() if (k.value if isinstance(k, Enum) else k) == p)
        else:
            v = v[p]
    if isinstance(v, BaseModel) and not isinstance(v, Param):
        return True
    items = list(v.values()) if isinstance(v, dict) else v if isinstance(v, list) else []
    return bool(items) and isinstance(items[0], BaseModel)


CASES = _cases()


def test_every_schema_field_acts_somewhere_or_says_why_not():
    walked = set(CASES) | {"Param.value"}  # each Param's value is walked under its field
    for name in ("scenario", *STRATEGIES):  # fields holding models: walked through the models they hold
        walked |= {t for p, t in leaves(_root(name)) if _container(name, p) and not _empty(name, p)}
    fields = schema_fields(Scenario) | schema_fields(Strategy)
    missing = sorted(f for f in fields if f not in walked and f not in INERT and f not in ELSEWHERE)
    assert missing == [], f"fields neither acting in the packaged files walked here nor listed with a reason: {missing}"
    assert not set(INERT) & set(ELSEWHERE)


@pytest.fixture(scope="module")
def reference() -> dict[str, list[np.ndarray]]:
    return {name: result(SCENARIO, load_strategy(name, SCENARIO)) for name in STRATEGIES}


def _moves(reference: dict[str, list[np.ndarray]], which: str, path: tuple, tag: str) -> bool:
    """Whether changing the field at `path` of `which` (the scenario or a strategy) changes a result."""
    if which == "scenario":
        sc = Scenario.model_validate(perturb(SCENARIO.model_dump(mode="json"), path, tag, _annotation(Scenario, tag)))
        return any(moved(result_parts(sc, load_strategy(n, SCENARIO)), reference[n]) for n in CHEAPEST_FIRST)
    st0 = load_strategy(which, SCENARIO)
    st = Strategy.model_validate(perturb(st0.model_dump(mode="json"), path, tag, _annotation(Strategy, tag)))
    return moved(result_parts(SCENARIO, st), reference[which])


@pytest.mark.slow
@pytest.mark.parametrize("tag", sorted(t for t in CASES if t not in ELSEWHERE))
def test_changing_a_field_changes_a_result(reference, tag):
    """The field changes a result in at least one place it occurs (e.g. a posture ramp acts where the posture
    moves; a deadline's count where it strikes)."""
    tried = []
    for which, path in CASES[tag]:
        if _moves(reference, which, path, tag):
            return
        tried.append(f"{which}:{'.'.join(map(str, path))}")
    pytest.fail(f"{tag} changes no result where it occurs: {tried}")


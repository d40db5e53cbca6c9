"""Load scenario and strategy files safely, validate them, and report errors with file, field and line."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from brinkmanship.errors import InputError
from brinkmanship.limits import MAX_YAML_BYTES, read_text_bounded
from brinkmanship.spec.params import Param
from brinkmanship.spec.scenario import Scenario, add_months
from brinkmanship.spec.strategy import Strategy
from brinkmanship.spec.yaml_input import Lines, parse_yaml

M = TypeVar("M", bound=BaseModel)

_DATA = "brinkmanship.data"
# a rule or deadline that declares no lottery: nothing fires by chance, only by the coercer's decision
NO_CHANCE = Param(value=0.0, range=(0.0, 0.0), assumption=True,
                  note="no lottery declared: the threat is carried out only when the coercer decides to")
# a strategy that names no freeze relief offers nothing for a freeze: the target keeps only what holding earns
NO_RELIEF = Param(value=0.0, range=(0.0, 0.0), assumption=True,
                  note="no freeze relief declared: a freeze earns no share of a deal's economic gain")


def _data_dir(kind: str) -> Path:
    return Path(str(resources.files(_DATA).joinpath(kind)))


@lru_cache(maxsize=1)
def sources() -> dict[str, str]:
    """The packaged list of sources: id -> citation."""
    raw, _ = parse_yaml((_data_dir("sources") / "sources.yaml").read_text(encoding="utf-8"))
    return {k: v["citation"] for k, v in raw.items()}


def _read_yaml(path: Path) -> tuple[dict[str, Any], Lines]:
    """Read a bounded regular file and parse it once (see `yaml_input`): data plus a line per key path."""
    return _parse_yaml(read_text_bounded(path, MAX_YAML_BYTES, "YAML file"), path)


def _parse_yaml(text: str, path: Path) -> tuple[dict[str, Any], Lines]:
    """Parse YAML text that came from `path` (a file, or a name for text from elsewhere): data and lines."""
    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise InputError(f"YAML text is over the limit of {MAX_YAML_BYTES:,} bytes", file=str(path),
                         fix=f"give at most {MAX_YAML_BYTES:,} bytes")
    data, lines = parse_yaml(text, file=str(path))
    if not isinstance(data, dict):
        raise InputError("expected a YAML mapping at the top level", file=str(path), line=1,
                         fix="start the file with `name: ...`")
    return data, lines


def _line_for(loc: tuple[Any, ...], lines: Lines) -> int | None:
    path = tuple(loc)
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return None


def _fix_for(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "remove the key or correct its spelling (see `brink show` for a valid file)"
    if kind == "missing":
        return "add the missing key"
    if kind in ("enum", "literal_error"):
        return "use one of the allowed values"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return "give a value of the expected type"
    return "correct the value"


def _validate(model: type[M], data: dict[str, Any], path: Path, lines: Lines) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "tagged-"))))
        msg = err["msg"].removeprefix("Value error, ")
        named = re.search(r"\((phases\.[\w.-]+)\)", msg) if not loc else None
        if named:  # a check across fields that names where it failed
            loc = tuple(int(p) if p.isdigit() else p for p in named.group(1).split("."))
        msg = _name_phase(loc, data) + msg
        field = ".".join(str(p) for p in loc) or "(top level)"
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        raise InputError(msg + more, file=str(path), field=field, line=_line_for(loc, lines),
                         fix=_fix_for(err)) from None


def _name_phase(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """`phase 'summit': ` when an error lies inside a phase (so the message names it), else nothing."""
    if len(loc) < 2 or loc[0] != "phases" or not isinstance(loc[1], int):
        return ""
    phases = data.get("phases")
    if not isinstance(phases, list) or loc[1] >= len(phases) or not isinstance(phases[loc[1]], dict):
        return ""
    pid = phases[loc[1]].get("id")
    if not isinstance(pid, str) or f"phase '{pid}'" in str(loc):
        return ""
    return f"phase '{pid}': "


def _check_sources(obj: BaseModel, path: Path, lines: Lines, prefix: tuple = ()) -> None:
    """Every `source:` must name an entry of the packaged sources list."""
    known = sources()
    for name in type(obj).model_fields:
        value = getattr(obj, name)
        items: list[tuple[Any, Any]]
        if isinstance(value, BaseModel):
            items = [(name, value)]
        elif isinstance(value, list):
            items = [((name, i), v) for i, v in enumerate(value)]
        elif isinstance(value, dict):
            items = [((name, k), v) for k, v in value.items()]
        else:
            items = []
        for key, v in items:
            loc = (*prefix, *(key if isinstance(key, tuple) else (key,)))
            if isinstance(v, BaseModel):
                src = getattr(v, "source", None)
                if isinstance(src, str) and src not in known:
                    raise InputError(
                        f"unknown source id '{src}'", file=str(path), field=".".join(map(str, loc)) + ".source",
                        line=_line_for((*loc, "source"), lines),
                        fix="use an id from the sources list (`brink show --sources`) or mark it `assumption: true`",
                    )
                _check_sources(v, path, lines, loc)


def scenario_dir() -> Path:
    """Folder of packaged scenarios."""
    return _data_dir("scenarios")


def strategy_dir() -> Path:
    """Folder of packaged strategies."""
    return _data_dir("strategies")


def packaged_scenarios() -> list[str]:
    """Names of the packaged scenarios."""
    return sorted(p.stem for p in scenario_dir().glob("*.yaml"))


def packaged_strategy_names() -> list[str]:
    """Names of the packaged strategies."""
    return sorted(p.stem for p in strategy_dir().glob("*.yaml"))


def _resolve(ref: str | Path, folder: Path, kind: str, known: list[str]) -> Path:
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return p
    cand = folder / f"{ref}.yaml"
    if cand.exists():
        return cand
    raise InputError(f"unknown {kind} '{ref}'", field=kind,
                     fix=f"use a file path or one of: {', '.join(known)}")


def load_scenario(ref: str | Path) -> Scenario:
    """A scenario by packaged name (`korea-2017`) or by file path."""
    path = _resolve(ref, scenario_dir(), "scenario", packaged_scenarios())
    return _scenario_from(*_read_yaml(path), path)


def scenario_from_text(text: str, origin: str) -> Scenario:
    """A scenario from YAML text (an upload, an edit in the browser), checked exactly as a file is;
    `origin` names it in error messages."""
    path = Path(origin)
    return _scenario_from(*_parse_yaml(text, path), path)


def _scenario_from(data: dict[str, Any], lines: Lines, path: Path) -> Scenario:
    scenario = _validate(Scenario, data, path, lines)
    _check_sources(scenario, path, lines)
    for src_field in ("exercise_source",):
        if getattr(scenario, src_field) not in sources():
            raise InputError(f"unknown source id '{getattr(scenario, src_field)}'", file=str(path),
                             field=src_field, line=_line_for((src_field,), lines),
                             fix="use an id from the sources list")
    return scenario


def load_strategy(ref: str | Path, scenario: Scenario | None = None) -> Strategy:
    """A strategy by packaged name or file path, checked against the scenario's dates when one is given."""
    path = _resolve(ref, strategy_dir(), "strategy", packaged_strategy_names())
    return _strategy_from(*_read_yaml(path), path, scenario)


def strategy_from_text(text: str, origin: str, scenario: Scenario | None = None) -> Strategy:
    """A strategy from YAML text (an upload, an edit in the browser), checked exactly as a file is;
    `origin` names it in error messages."""
    path = Path(origin)
    return _strategy_from(*_parse_yaml(text, path), path, scenario)


def _strategy_from(data: dict[str, Any], lines: Lines, path: Path, scenario: Scenario | None) -> Strategy:
    strategy = _validate(Strategy, data, path, lines)
    _check_sources(strategy, path, lines)
    if strategy.source is not None and strategy.source not in sources():
        raise InputError(f"unknown source id '{strategy.source}'", file=str(path), field="source",
                         line=_line_for(("source",), lines), fix="use an id from the sources list")
    if scenario is not None:
        check_dates(strategy, scenario, path, lines)
    return strategy


def check_dates(strategy: Strategy, scenario: Scenario, path: Path | str = "<strategy>",
                lines: Lines | None = None) -> None:
    """Every deadline or phase date must fall in a simulated month (on or after the start day), or it can
    never act."""
    lines = lines or {}
    last = add_months(scenario.start, scenario.horizon_months - 1)
    months = (f"{scenario.start.isoformat()} to the end of {last:%Y-%m} "
              f"({scenario.horizon_months} monthly steps of scenario '{scenario.name}')")
    for i, d in enumerate(strategy.deadlines):
        for end in ("earliest", "latest"):
            day = getattr(d.at, end)
            if day < scenario.start or scenario.month_index(day) >= scenario.horizon_months:
                raise InputError(
                    f"date {day.isoformat()} is outside the scenario's simulated months: {months}",
                    file=str(path), field=f"deadlines.{i}.at.{end}",
                    line=_line_for(("deadlines", i, "at", end), lines),
                    fix="move the date into a simulated month or lengthen the scenario's horizon_months",
                )
    for i, ph in enumerate(strategy.phases):
        for end in ("earliest", "latest"):
            where = ("phases", i, "enter", "at", end)
            if ph.enter.at is not None:
                day = getattr(ph.enter.at, end)
                bad = day < scenario.start or scenario.month_index(day) >= scenario.horizon_months
                shown = day.isoformat()
            elif ph.enter.months is not None:
                where = ("phases", i, "enter", "month") + (() if isinstance(ph.enter.month, int) else (end,))
                shown = str(getattr(ph.enter.months, end))
                bad = getattr(ph.enter.months, end) >= scenario.horizon_months
            else:
                continue
            if bad:
                raise InputError(
                    f"phase '{ph.id}': {shown} is outside the scenario's simulated months: {months}",
                    file=str(path), field=".".join(map(str, where)), line=_line_for(where, lines),
                    fix="move the phase's start into a simulated month or lengthen the scenario's horizon_months",
                )


def packaged_strategies(scenario: Scenario) -> list[Strategy]:
    """The scenario's own strategies (in its listed order), validated against it."""
    names = scenario.strategies or packaged_strategy_names()
    return [load_strategy(n, scenario) for n in names]


def content_hash(obj: BaseModel) -> str:
    """A stable hash of a validated model's content (provenance for stores and reports)."""
    return hashlib.sha256(obj.model_dump_json().encode()).hexdigest()[:16]


def all_params(scenario: Scenario, strategy: Strategy | None = None) -> dict[str, Param]:
    """Every sourced number of a scenario and, optionally, of a strategy, by dotted name."""
    out = dict(scenario.params())
    if strategy is not None:
        out["talks.offer"] = strategy.levers.talks.offer
        out["posture.target"] = strategy.levers.posture.target
        out["sanctions.freeze_relief"] = strategy.levers.sanctions.freeze_relief or NO_RELIEF
        for r in strategy.rules:
            out[f"rules.{r.id}.probability"] = r.probability
            out[f"rules.{r.id}.believed"] = r.believed
            if r.bluff is not None:
                out[f"rules.{r.id}.bluff"] = r.bluff
            out[f"rules.{r.id}.chance"] = r.chance if r.chance is not None else NO_CHANCE
        for d in strategy.deadlines:
            out[f"deadlines.{d.id}.probability"] = d.probability
            out[f"deadlines.{d.id}.believed"] = d.believed
            if d.talks_progress_threshold is not None:
                out[f"deadlines.{d.id}.talks_progress_threshold"] = d.talks_progress_threshold
            if d.bluff is not None:
                out[f"deadlines.{d.id}.bluff"] = d.bluff
            out[f"deadlines.{d.id}.chance"] = d.chance if d.chance is not None else NO_CHANCE
        out.update(phase_params(strategy))
    return out


def phase_params(strategy: Strategy) -> dict[str, Param]:
    """The numbers the strategy's phases set (`phases.<id>.talks.offer`, ...), by dotted name."""
    out: dict[str, Param] = {}
    for ph in strategy.phases:
        if ph.levers.talks is not None:
            out[f"phases.{ph.id}.talks.offer"] = ph.levers.talks.offer
        if ph.levers.posture is not None:
            out[f"phases.{ph.id}.posture.target"] = ph.levers.posture.target
        if ph.levers.sanctions is not None and ph.levers.sanctions.freeze_relief is not None:
            out[f"phases.{ph.id}.sanctions.freeze_relief"] = ph.levers.sanctions.freeze_relief
        if ph.enter.when is not None and ph.enter.when.talks_at_least is not None:
            out[f"phases.{ph.id}.talks_at_least"] = ph.enter.when.talks_at_least
    return out

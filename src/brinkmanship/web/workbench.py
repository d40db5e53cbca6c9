"""The strategy workbench: controls generated from the schema, live exact results, download and upload.

Every request is rebuilt into YAML and validated by the same loader as files (`strategy_from_text`), so a
bad value gets the message the CLI prints. Work per request is bounded (grid size, upload size, one solve
per strategy at most, `ResultCache` workers); a newer change of the same browser session supersedes an
older one between solves (`Sessions`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from brinkmanship.errors import InputError
from brinkmanship.spec import Scenario, Strategy, content_hash
from brinkmanship.web.compute import (
    ADVERSARIES,
    Evaluation,
    ResultCache,
    Sessions,
    SupersededError,
    cache_key,
    check_work,
    evaluate_all,
    outcome_cells,
)
from brinkmanship.web.fields import FieldSpec, apply, walk

MAX_UPLOAD_BYTES = 64 * 1024
EDITED = "edited strategy"
SID = re.compile(r"^[0-9a-f]{32}$")
OUTCOME_NAMES = ("denuclearisation", "freeze", "build-up", "limited", "major war", "nuclear")


@dataclass
class Workbench:
    """The server's state: the scenario named at start, its packaged strategies, the caches."""

    scenario: Scenario
    packaged: list[Strategy]
    adversary: str = "rational"
    cache: ResultCache = field(default_factory=ResultCache)
    sessions: Sessions = field(default_factory=Sessions)
    _models: OrderedDict[str, Any] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def validated(self, kind: str, data: Any, context: str, load: Callable[[str], Any]) -> Any:
        """`load(yaml_text)` of `data`, remembered by the data's content (bounded): the loader is pure, so
        the same data validated again gives the same model; failures are not remembered."""
        key = hashlib.sha256(json.dumps([kind, context, data], sort_keys=True, default=str).encode()).hexdigest()
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
        model = load(yaml.safe_dump(data, sort_keys=False))
        with self._lock:
            self._models[key] = model
            while len(self._models) > 256:
                self._models.popitem(last=False)
        return model

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.packaged]

    def strategy(self, name: str) -> Strategy:
        """A packaged strategy by name (anything else is refused)."""
        for s in self.packaged:
            if s.name == name:
                return s
        raise InputError(f"unknown strategy '{name}'", field="strategy", fix=f"use one of: {', '.join(self.names)}")

    def warm(self) -> None:
        """Solve the packaged strategies once (in a background thread at start)."""
        evaluate_all(self.scenario, self.packaged[0], self.packaged[1:], self.cache, self.adversary)


def to_yaml(model: Strategy | Scenario) -> str:
    """A validated model as the YAML text `brink run` reads back."""
    return yaml.safe_dump(model.model_dump(mode="json", exclude_none=True), sort_keys=False, allow_unicode=True,
                          width=110)


def _page_error(exc: InputError) -> InputError:
    """An edit in the page has no file line: the same message without the line of the generated YAML."""
    return InputError(exc.message, file=exc.file, field=exc.field, fix=exc.fix)


def edited_strategy(wb: Workbench, base: Any, values: dict[str, Any], scenario: Scenario) -> Strategy:
    """The base strategy data with the page's values put in, validated as a file would be."""
    from brinkmanship.spec.loader import strategy_from_text

    if not isinstance(base, dict):
        raise InputError("the page sent no strategy", field="strategy", fix="reload the page")
    load = lambda text: strategy_from_text(text, EDITED, scenario)  # noqa: E731
    context = content_hash(scenario)
    try:
        base_model = wb.validated("strategy", base, context, load)
        strategy = wb.validated("strategy", apply(base, walk(base_model), values), context, load)
    except InputError as exc:
        raise _page_error(exc) from None
    check_work(scenario, strategy)
    return strategy


def edited_scenario(wb: Workbench, values: dict[str, Any]) -> Scenario:
    """The scenario named at start with the page's assumption values put in, validated as a file would be."""
    from brinkmanship.spec.loader import scenario_from_text

    if not values:
        return wb.scenario
    base = wb.scenario.model_dump(mode="json")
    data = apply(base, scenario_specs(wb.scenario), values)
    if data == base:
        return wb.scenario
    try:
        return wb.validated("scenario", data, "", lambda text: scenario_from_text(text, "edited scenario"))
    except InputError as exc:
        raise _page_error(exc) from None


def scenario_specs(scenario: Scenario) -> list[FieldSpec]:
    """The scenario's sourced numbers with a range: its assumptions, one slider each."""
    from brinkmanship.spec import sources

    return [s for s in walk(scenario, sources()) if s.kind == "param" and s.slider]


def uploaded_strategy(contents: str, filename: str, scenario: Scenario) -> Strategy:
    """A strategy file uploaded from the browser, checked by the loader (size bounded, never written)."""
    from brinkmanship.spec.loader import strategy_from_text

    name = str(filename or "upload.yaml")[:200]
    try:
        _, b64 = str(contents).split(",", 1)
        raw = base64.b64decode(b64, validate=True)
    except (ValueError, binascii.Error):
        raise InputError("the upload could not be read", file=name, fix="upload a YAML strategy file") from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise InputError(f"file is {len(raw):,} bytes, above the limit of {MAX_UPLOAD_BYTES:,}", file=name,
                         fix="upload a strategy file (a few kilobytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("cannot read file (not UTF-8)", file=name, fix="give a UTF-8 YAML file") from None
    strategy = strategy_from_text(text, name, scenario)
    check_work(scenario, strategy)
    return strategy


def values_of(ids: list[dict[str, Any]], values: list[Any]) -> dict[str, Any]:
    """Control values by path key, from a pattern-matching callback's ids and values."""
    return {i["path"]: v for i, v in zip(ids or [], values or [], strict=False) if isinstance(i, dict)}


def result_json(label: str, edited: Evaluation, packaged: list[Evaluation], keys: list[str]) -> dict[str, Any]:
    """The numbers the page shows, as data (tests and concurrent clients read these), and the cache keys the
    figures are drawn from."""
    return {"label": label, "keys": keys,
            "edited": {"strategy": edited.strategy, "outcomes": edited.outcomes,
                       "cells": outcome_cells(edited.outcomes)},
            "packaged": [{"strategy": e.strategy, "outcomes": e.outcomes, "cells": outcome_cells(e.outcomes)}
                         for e in packaged]}


def cached(wb: Workbench, result: Any) -> tuple[str, Evaluation, list[Evaluation]] | None:
    """The label and evaluations a `result_json` names, if all are still cached (the figures' input)."""
    if not isinstance(result, dict) or not isinstance(result.get("keys"), list) or not result["keys"]:
        return None
    evs = [wb.cache.peek(k) if isinstance(k, str) else None for k in result["keys"]]
    if any(e is None for e in evs):
        return None
    return str(result.get("label", "edited")), evs[0], evs[1:]  # type: ignore[return-value]


def compute(wb: Workbench, sid: str, base: Any, strategy_values: dict[str, Any], scenario_values: dict[str, Any],
            adversary: Any = "rational") -> dict[str, Any]:
    """One change of the page: validate, evaluate the edited and packaged strategies (superseding); the
    numbers as `result_json`."""
    if not isinstance(sid, str) or not SID.match(sid):
        raise InputError("the page sent no valid session", field="session", fix="reload the page")
    if adversary not in ADVERSARIES:
        raise InputError(f"unknown adversary '{adversary}'", field="adversary",
                         fix=f"use one of: {', '.join(ADVERSARIES)}")
    n = wb.sessions.begin(sid)
    scenario = edited_scenario(wb, scenario_values)
    strategy = edited_strategy(wb, base, strategy_values, scenario)
    packaged = wb.packaged if scenario is wb.scenario else [
        s for s in (_revalidate(p, scenario) for p in wb.packaged) if s is not None]
    edited, others = evaluate_all(scenario, strategy, packaged, wb.cache, str(adversary),
                                  alive=lambda: wb.sessions.current(sid, n),
                                  progress=lambda text: wb.sessions.set_progress(sid, text))
    if not wb.sessions.current(sid, n):
        raise SupersededError
    wb.sessions.set_progress(sid, "")
    keys = [cache_key(scenario, s, str(adversary)) for s in (strategy, *packaged)]
    return result_json(f"edited: {strategy.name}", edited, others, keys)


def _revalidate(strategy: Strategy, scenario: Scenario) -> Strategy | None:
    """A packaged strategy under an edited scenario (its dates must still fit the scenario's window)."""
    from brinkmanship.spec.loader import check_dates

    try:
        check_dates(strategy, scenario)
    except InputError:
        return None
    return strategy

"""A monthly record as a file: the observed crisis, one entry a month, validated like a scenario.

A record file is YAML: `name`, optional `title` and `source`, and `months`, a list of consecutive months,
each `{month: YYYY-MM, class: quiet | missile_test | nuclear_test | provocation}` with optional
`missiles` (ballistic missiles launched that month), `talks` (the target in talks, a summit or other
diplomacy that month), `exercises` (a major exercise ran that month; default: the scenario's exercise
months) and `sanctions` (sanctions level on the scenario's 0-1 scale; default: the previous month's, or
the scenario's initial level). `load_record` turns it into the same `Record` the packaged event file gives
(`history.record.monthly_record`), so the backtest and the calibration read either. The format is
documented in `data/history/README.md`; `record_yaml` writes one (the packaged example is written by it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from brinkmanship.errors import InputError
from brinkmanship.history.record import CLASSES, MISSILE_C, NUCLEAR_C, Record
from brinkmanship.spec import Scenario

__all__ = ["RecordFile", "RecordMonth", "load_record", "month_order_problem", "record_from_file", "record_yaml"]

ClassName = Literal["quiet", "missile_test", "nuclear_test", "provocation"]


class RecordMonth(BaseModel):
    """One observed month: its class and, optionally, missiles, talks, exercises and sanctions level."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    month: str
    class_: ClassName = Field(alias="class")
    missiles: int = Field(default=0, ge=0, le=1000)
    talks: bool = False
    exercises: bool | None = None
    sanctions: float | None = Field(default=None, ge=0.0, le=1.0)
    note: str | None = None

    @field_validator("month", mode="before")
    @classmethod
    def _month(cls, v: object) -> str:
        text = str(v)
        try:
            pd.Period(text, freq="M")
        except ValueError:
            raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2017-10") from None
        if len(text) != 7 or text[4] != "-":
            raise ValueError(f"{text!r} is not a month; write YYYY-MM, e.g. 2017-10")
        return text

    @model_validator(mode="after")
    def _missiles_match_class(self) -> RecordMonth:
        if self.missiles > 0 and self.class_ not in ("missile_test", "nuclear_test"):
            raise ValueError(f"{self.missiles} missiles in a '{self.class_}' month; a month with a ballistic "
                             "launch is class missile_test (or nuclear_test when a nuclear test happened too)")
        return self


class RecordFile(BaseModel):
    """A record file: a name, where it comes from, and consecutive observed months."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    title: str | None = None
    source: str | None = None
    months: list[RecordMonth] = Field(min_length=1, max_length=1200)  # a century of months at most


def month_order_problem(rf: RecordFile) -> tuple[int, str] | None:
    """The first month out of sequence (its index and what is wrong), or None: months are consecutive."""
    first = pd.Period(rf.months[0].month, freq="M")
    for i, m in enumerate(rf.months):
        want = first + i
        if pd.Period(m.month, freq="M") != want:
            return i, (f"month {m.month} breaks the sequence; expected {want} "
                       "(months are consecutive, oldest first, each once)")
    return None


def record_from_file(rf: RecordFile, scenario: Scenario) -> Record:
    """The `Record` of a validated record file, with defaults taken from `scenario`."""
    problem = month_order_problem(rf)
    if problem is not None:
        raise InputError(problem[1], field=f"months.{problem[0]}.month", fix="list each month once, oldest first")
    months = pd.period_range(rf.months[0].month, periods=len(rf.months), freq="M", name="month")
    classes = np.array([CLASSES.index(m.class_) for m in rf.months], dtype=np.int64)
    exercises = np.array([m.exercises if m.exercises is not None else p.month in scenario.exercise_months
                          for m, p in zip(rf.months, months, strict=True)], dtype=float)
    level, sanctions = float(scenario.initial.sanctions.value), np.empty(len(months))
    for i, m in enumerate(rf.months):
        level = m.sanctions if m.sanctions is not None else level
        sanctions[i] = level
    missiles = np.array([m.missiles for m in rf.months], dtype=np.int64)
    agg = pd.DataFrame({
        "launch_events": (classes == MISSILE_C).astype(np.int64), "missiles": missiles,
        "nuclear_tests": (classes == NUCLEAR_C).astype(np.int64), "exercises_active": exercises > 0,
    }, index=months)
    return Record(months=months, classes=classes, exercises=exercises, sanctions_level=sanctions,
                  talks_or_summit=np.array([m.talks for m in rf.months]), aggregates=agg)


def load_record(path: str | Path, scenario: Scenario) -> Record:
    """Read and validate a record file; errors name the file, line, field and fix (InputError, exit 2)."""
    from brinkmanship.spec.loader import _line_for, _read_yaml, _validate

    p = Path(path)
    data, lines = _read_yaml(p)
    rf = _validate(RecordFile, data, p, lines)
    problem = month_order_problem(rf)
    if problem is not None:
        i, msg = problem
        raise InputError(msg, file=str(p), field=f"months.{i}.month", line=_line_for(("months", i, "month"), lines),
                         fix="list each month once, oldest first, with no gap")
    return record_from_file(rf, scenario)


def record_yaml(record: Record, name: str, title: str | None = None, source: str | None = None) -> str:
    """A record file's text for `record` (every field written, so the file documents itself)."""
    head = [f"name: {name}"]
    if title:
        head.append(f'title: "{title}"')
    if source:
        head.append(f'source: "{source}"')
    head.append("months:")
    rows = []
    for i, m in enumerate(record.months):
        parts = [f"month: {m}", f"class: {CLASSES[record.classes[i]]}"]
        missiles = int(record.aggregates["missiles"].iloc[i])
        if missiles:
            parts.append(f"missiles: {missiles}")
        parts.append(f"talks: {'true' if record.talks_or_summit[i] else 'false'}")
        parts.append(f"exercises: {'true' if record.exercises[i] > 0 else 'false'}")
        parts.append(f"sanctions: {record.sanctions_level[i]:.3f}")
        rows.append("  - {" + ", ".join(parts) + "}")
    return "\n".join(head + rows) + "\n"

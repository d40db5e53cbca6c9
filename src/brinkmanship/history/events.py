"""The 2016-2018 Korean Peninsula crisis as a sourced event record, and its monthly aggregates.

The packaged file `data/history/korea-2016-2018-events.csv` holds one row per event: `date`, optional
`end_date` (for events that last, such as exercises), `actor`, `type`, `count`, `detail`, `source`.
`load_events` reads and validates it (or a user copy); `monthly_aggregates` turns it into the per-month
counts the calibration and the backtest compare with. The counting rules are stated in
`data/history/README.md` and in `monthly_aggregates`'s docstring.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import pandas as pd

from brinkmanship.errors import InputError
from brinkmanship.limits import MAX_RECORD_BYTES, read_text_bounded

__all__ = [
    "ACTORS",
    "COLUMNS",
    "COUNTING_RULES",
    "DATE_MAX",
    "DATE_MIN",
    "EVENTS_FILE_NAME",
    "EVENT_TYPES",
    "LAUNCH_TYPES",
    "UNVERIFIED_MARK",
    "events_path",
    "load_events",
    "monthly_aggregates",
]

EVENTS_FILE_NAME = "korea-2016-2018-events.csv"
COLUMNS: tuple[str, ...] = ("date", "end_date", "actor", "type", "count", "detail", "source")
DATE_MIN = date(2016, 1, 1)
DATE_MAX = date(2018, 12, 31)
UNVERIFIED_MARK = "[unverified]"

#: Every event type the file may use, with its meaning.
EVENT_TYPES: Mapping[str, str] = {
    "missile_launch": "ballistic missile launch event (incl. SLBMs and failures); count = missiles",
    "cruise_missile_launch": "cruise missile launch event; count = missiles",
    "satellite_launch": "space launch on a long-range rocket (ballistic-missile technology); count = rockets",
    "artillery_rocket_launch": "multiple-rocket-launcher salvo or unidentified short-range projectiles",
    "nuclear_test": "underground nuclear test",
    "sanctions_resolution": "UN Security Council sanctions resolution",
    "sanctions_unilateral": "national sanctions measure (law, executive order, designation, closure)",
    "exercise": "major combined US-ROK military exercise (date to end_date)",
    "exercise_suspension": "announced suspension of a US-ROK exercise",
    "summit": "meeting of heads of state or government",
    "talks": "official talks below summit level, envoy visits",
    "diplomacy": "other diplomatic event (e.g. the Olympic truce)",
    "announcement": "public statement, threat, declaration or decision",
    "moratorium": "declared halt to nuclear and/or long-range missile testing",
    "concession": "unilateral step such as dismantlement, detainee or remains return",
}

LAUNCH_TYPES: frozenset[str] = frozenset(
    {"missile_launch", "cruise_missile_launch", "satellite_launch", "artillery_rocket_launch"}
)

#: Which event types count as launches (and whose `count` counts as missiles) under each rule.
COUNTING_RULES: Mapping[str, frozenset[str]] = {
    "ballistic_only": frozenset({"missile_launch"}),
    "all_missiles": frozenset({"missile_launch", "cruise_missile_launch", "satellite_launch"}),
}

ACTORS: frozenset[str] = frozenset(
    {
        "DPRK", "US", "ROK", "UNSC", "China", "Russia", "Japan",
        "US-DPRK", "ROK-DPRK", "China-DPRK", "US-ROK", "China-Russia",
    }
)  # fmt: skip

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_MONTH = re.compile(r"^\d{4}-\d{2}$")
_FIX_DATE = f"write an ISO date YYYY-MM-DD between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"


def events_path() -> Path:
    """Path of the packaged event file."""
    return Path(str(resources.files("brinkmanship") / "data" / "history" / EVENTS_FILE_NAME))


def _parse_date(text: str, *, file: str, row: int, line: int, field: str) -> date:
    where = f"row {row}"
    if not _ISO_DATE.match(text):
        raise InputError(
            f"{where}: {text!r} is not an ISO date", file=file, field=field, line=line, fix=_FIX_DATE
        )
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"{where}: {text!r} is not a valid calendar date",
            file=file,
            field=field,
            line=line,
            fix=_FIX_DATE,
        ) from None
    if not DATE_MIN <= value <= DATE_MAX:
        raise InputError(
            f"{where}: {text} is outside the record's range", file=file, field=field, line=line, fix=_FIX_DATE
        )
    return value


def _validate_row(raw: dict[str, str | None], *, file: str, row: int, line: int) -> dict[str, object]:
    """Check one CSV row and return it typed; raise InputError naming file, row, line and field."""
    cells = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    if None in raw:  # csv.DictReader puts surplus cells under the key None
        raise InputError(
            f"row {row} has more cells than the {len(COLUMNS)} columns",
            file=file, line=line, field="row",
            fix="quote any cell that contains a comma with double quotes",
        )  # fmt: skip
    start = _parse_date(cells["date"], file=file, row=row, line=line, field="date")
    end: date | None = None
    if cells["end_date"]:
        end = _parse_date(cells["end_date"], file=file, row=row, line=line, field="end_date")
        if end < start:
            raise InputError(
                f"row {row}: end_date {end} is before date {start}",
                file=file, field="end_date", line=line, fix="give an end_date on or after the date, or leave it empty",
            )  # fmt: skip
    if cells["actor"] not in ACTORS:
        raise InputError(
            f"row {row}: unknown actor {cells['actor']!r}",
            file=file, field="actor", line=line, fix=f"use one of {', '.join(sorted(ACTORS))}",
        )  # fmt: skip
    if cells["type"] not in EVENT_TYPES:
        raise InputError(
            f"row {row}: unknown event type {cells['type']!r}",
            file=file, field="type", line=line, fix=f"use one of {', '.join(sorted(EVENT_TYPES))}",
        )  # fmt: skip
    count_text = cells["count"]
    if not re.fullmatch(r"[0-9]{1,6}", count_text) or int(count_text) < 1:  # ASCII, bounded: no '²', no 10**5000
        raise InputError(
            f"row {row}: count {count_text!r} is not a positive whole number",
            file=file, field="count", line=line, fix="write the number of missiles for a launch, 1 otherwise",
        )  # fmt: skip
    count = int(count_text)
    if cells["type"] not in LAUNCH_TYPES and count != 1:
        raise InputError(
            f"row {row}: count is {count} for a {cells['type']} event",
            file=file, field="count", line=line, fix="count is 1 for every event that is not a launch",
        )  # fmt: skip
    for field in ("detail", "source"):
        if not cells[field]:
            raise InputError(
                f"row {row}: {field} is empty",
                file=file, field=field, line=line,
                fix="name the publication and its date" if field == "source" else "describe the event in a few words",
            )  # fmt: skip
    return {
        "date": start,
        "end_date": end,
        "actor": cells["actor"],
        "type": cells["type"],
        "count": count,
        "detail": cells["detail"],
        "source": cells["source"],
        "unverified": UNVERIFIED_MARK in cells["detail"],
    }


def load_events(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the event record (the packaged file unless `path` is given).

    Returns one row per event, sorted by date (stable), with columns `date` and `end_date`
    (datetime64; `end_date` is NaT for point events), `actor`, `type`, `count` (int), `detail`,
    `source` and `unverified` (True when `detail` carries the "[unverified]" mark).

    Raises InputError naming the file, the row (1 = first data row), its line in the file, the field
    and the fix, for: a wrong header, a date that is not ISO or lies outside 2016-01-01..2018-12-31,
    an unknown actor or type, a count that is not a positive integer (or is not 1 for a non-launch),
    an empty detail or source.
    """
    file_path = Path(path) if path is not None else events_path()
    file = str(file_path)
    text = read_text_bounded(file_path, MAX_RECORD_BYTES, "event file")  # regular, UTF-8, bounded
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            missing = [c for c in COLUMNS if c not in header]
            extra = [c for c in header if c not in COLUMNS]
            raise InputError(
                f"header is {','.join(header) or '(empty)'}; missing {missing or 'none'}, unexpected {extra or 'none'}",
                file=file, field="header", line=1, fix=f"the first line must be exactly {','.join(COLUMNS)}",
            )  # fmt: skip
        rows: list[dict[str, object]] = []
        previous_line = 1
        for row_number, raw in enumerate(reader, start=1):
            line = previous_line + 1  # first physical line of this record
            previous_line = reader.line_num
            rows.append(_validate_row(raw, file=file, row=row_number, line=line))
    if not rows:
        raise InputError("event file has no data rows", file=file, line=2, fix="add at least one event row")
    frame = pd.DataFrame(rows, columns=[*COLUMNS, "unverified"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    frame["count"] = frame["count"].astype("int64")
    frame["unverified"] = frame["unverified"].astype(bool)
    return frame.sort_values("date", kind="stable").reset_index(drop=True)


def _month(text: str, field: str) -> pd.Period:
    if not isinstance(text, str) or not _ISO_MONTH.match(text):
        raise InputError(
            f"{text!r} is not a month", field=field, fix="write the month as YYYY-MM, e.g. 2017-09"
        )
    try:
        return pd.Period(text, freq="M")
    except ValueError:
        raise InputError(
            f"{text!r} is not a month", field=field, fix="write the month as YYYY-MM, e.g. 2017-09"
        ) from None


def monthly_aggregates(
    events: pd.DataFrame,
    start: str = "2016-01",
    end: str = "2018-12",
    rule: Literal["ballistic_only", "all_missiles"] = "ballistic_only",
) -> pd.DataFrame:
    """Per-month counts of the event record, one row per month from `start` to `end` (inclusive).

    Counting rule (`rule`):
    - "ballistic_only": a launch event is a `missile_launch` row (ballistic missiles, SLBMs
      included); cruise missiles, satellite launches and artillery rockets are not counted.
    - "all_missiles": `missile_launch`, `cruise_missile_launch` and `satellite_launch` rows count.
    Under both rules a multi-missile salvo on one day is one launch event whose `count` is the
    number of missiles; failed launches count as launches; artillery-rocket salvos
    (`artillery_rocket_launch`) are never counted. For 2017 the rules give 15 events / 20 missiles
    (ballistic_only) and 16 events / 24 missiles (all_missiles).

    Columns (index: monthly `PeriodIndex` named "month"):
    launch_events, missiles, nuclear_tests, sanctions_resolutions (UNSC), sanctions_unilateral,
    summits, talks, exercise_suspensions, concessions (ints); exercises_active (bool: a major
    US-ROK exercise ran on at least one day of the month); flags (bools): any_launch,
    any_nuclear_test, provocation (launch or nuclear test), moratorium_declared (a `moratorium`
    event on or before the month's end), has_unverified (a row of that month carries "[unverified]").
    Events outside [start, end] are ignored; exercises count in every month they overlap.
    """
    if rule not in COUNTING_RULES:
        raise InputError(
            f"unknown counting rule {rule!r}",
            field="rule",
            fix=f"use one of {', '.join(sorted(COUNTING_RULES))}",
        )
    first, last = _month(start, "start"), _month(end, "end")
    if last < first:
        raise InputError(
            f"end {end} is before start {start}", field="end", fix="give an end month on or after start"
        )
    needed = {"date", "end_date", "type", "count", "detail"}
    missing = sorted(needed - set(events.columns))
    if missing:
        raise InputError(
            f"events lack the columns {missing}",
            field="events",
            fix="pass the frame returned by load_events()",
        )

    months = pd.period_range(first, last, freq="M", name="month")
    month_of = pd.to_datetime(events["date"]).dt.to_period("M")
    in_range = (month_of >= first) & (month_of <= last)
    ev = events.loc[in_range].assign(month=month_of[in_range])

    def per_month(mask: pd.Series, values: pd.Series | None = None) -> pd.Series:
        series = (values if values is not None else pd.Series(1, index=ev.index))[mask]
        return series.groupby(ev.loc[mask, "month"]).sum().reindex(months, fill_value=0).astype("int64")

    kinds = ev["type"]
    launches = kinds.isin(COUNTING_RULES[rule])
    out = pd.DataFrame(index=months)
    out["launch_events"] = per_month(launches)
    out["missiles"] = per_month(launches, ev["count"])
    out["nuclear_tests"] = per_month(kinds == "nuclear_test")
    out["sanctions_resolutions"] = per_month(kinds == "sanctions_resolution")
    out["sanctions_unilateral"] = per_month(kinds == "sanctions_unilateral")
    out["summits"] = per_month(kinds == "summit")
    out["talks"] = per_month(kinds == "talks")
    out["exercise_suspensions"] = per_month(kinds == "exercise_suspension")
    out["concessions"] = per_month(kinds == "concession")

    active = pd.Series(False, index=months)
    exercises = events.loc[events["type"] == "exercise"]
    for begin, finish in zip(exercises["date"], exercises["end_date"], strict=True):
        begin_m = pd.Timestamp(begin).to_period("M")
        finish_m = pd.Timestamp(finish).to_period("M") if pd.notna(finish) else begin_m
        active |= (months >= begin_m) & (months <= finish_m)
    out["exercises_active"] = active.to_numpy()

    out["any_launch"] = out["launch_events"] > 0
    out["any_nuclear_test"] = out["nuclear_tests"] > 0
    out["provocation"] = out["any_launch"] | out["any_nuclear_test"]
    moratoria = pd.to_datetime(events.loc[events["type"] == "moratorium", "date"])
    if len(moratoria):
        first_moratorium = moratoria.min().to_period("M")
        out["moratorium_declared"] = months >= first_moratorium
    else:
        out["moratorium_declared"] = False
    unverified = ev["detail"].astype(str).str.contains(UNVERIFIED_MARK, regex=False)
    out["has_unverified"] = per_month(unverified) > 0
    return out

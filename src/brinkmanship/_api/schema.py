"""JSON Schemas of the file formats, generated from the models that validate them (so they cannot drift).

`strategy`, `scenario` and `record` (the monthly record a backtest reads with `--record`) come from the
pydantic models; `events` (one row of the event record CSV) from the constants its loader checks against. Editors use them to validate and complete YAML as users type.
"""

from __future__ import annotations

from typing import Any

KINDS = ("strategy", "scenario", "record", "events")
_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a file format: `strategy`, `scenario`, `record` or `events`."""
    if kind == "strategy":
        from brinkmanship.spec import Strategy

        schema = Strategy.model_json_schema()
    elif kind == "scenario":
        from brinkmanship.spec import Scenario

        schema = Scenario.model_json_schema()
    elif kind == "record":
        from brinkmanship.history.recordfile import RecordFile

        schema = RecordFile.model_json_schema()
    elif kind == "events":
        schema = _events_schema()
    else:
        from brinkmanship.errors import InputError

        raise InputError(f"unknown file format '{kind}'", field="KIND", fix=f"use one of: {', '.join(KINDS)}")
    return {"$schema": _DRAFT, "$id": f"brinkmanship-{kind}.schema.json", **schema}


def _events_schema() -> dict[str, Any]:
    """One event of the record (a CSV row) as JSON Schema, from the event loader's own rules."""
    from brinkmanship.history.events import ACTORS, COLUMNS, DATE_MAX, DATE_MIN, EVENT_TYPES, LAUNCH_TYPES

    date = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": f"ISO date between {DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}"}
    props: dict[str, Any] = {
        "date": {**date, "title": "date"},
        "end_date": {"anyOf": [{**date}, {"type": "string", "maxLength": 0}, {"type": "null"}],
                     "title": "end_date", "description": "last day of an event that lasts (e.g. an exercise)"},
        "actor": {"title": "actor", "enum": sorted(ACTORS)},
        "type": {"title": "type", "enum": list(EVENT_TYPES),
                 "description": "; ".join(f"{k}: {v}" for k, v in EVENT_TYPES.items())},
        "count": {"title": "count", "type": "integer", "minimum": 1,
                  "description": "missiles for a launch event, 1 for every other event"},
        "detail": {"title": "detail", "type": "string", "minLength": 1},
        "source": {"title": "source", "type": "string", "minLength": 1,
                   "description": "the publication and its date"},
    }
    return {
        "title": "Event", "description": "One row of the event record (CSV with the columns below, in order).",
        "type": "object", "properties": {k: props[k] for k in COLUMNS},
        "required": [c for c in COLUMNS if c != "end_date"], "additionalProperties": False,
        "allOf": [{"if": {"properties": {"type": {"not": {"enum": sorted(LAUNCH_TYPES)}}}},
                   "then": {"properties": {"count": {"const": 1}}}}],
    }

"""Controls generated from the pydantic schema: walk a model's fields into `FieldSpec`s, and put edited
values back into the model's data.

Nothing here is written per field: a new field of `Strategy` or `Scenario` gets a control from its type
(a sourced number with a range: a slider within it; an int with bounds: a slider; an enum or a literal: a
dropdown; lists and mappings of sub-models: one group per item).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import types
import typing
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel

from brinkmanship.spec.params import Param

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldSpec:
    """One editable value: where it lives in the model's data, what kind of control it needs, its bounds."""

    path: Path
    kind: str  # param | int | number | choice | multi | list | text | date | bool
    value: Any
    low: float | None = None
    high: float | None = None
    options: tuple[str, ...] = ()
    optional: bool = False
    help: str = ""

    @property
    def key(self) -> str:
        """The path as a JSON string (the control's id: dict keys may hold dots)."""
        return json.dumps(list(self.path))

    @property
    def label(self) -> str:
        return str(self.path[-1])

    @property
    def group(self) -> Path:
        return self.path[:-1]

    @property
    def slider(self) -> bool:
        """Whether the value has a declared range a slider can span."""
        return self.low is not None and self.high is not None and self.high > self.low


def _unwrap(ann: Any) -> tuple[Any, bool]:
    """`X | None` -> (X, True); anything else -> (ann, False)."""
    if typing.get_origin(ann) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(ann)) == 2:
            return args[0], True
    return ann, False


def _choices(ann: Any) -> tuple[str, ...] | None:
    """Allowed values of an enum or a literal type, as strings; None for other types."""
    if isinstance(ann, type) and issubclass(ann, enum.Enum):
        return tuple(str(m.value) for m in ann)
    if typing.get_origin(ann) is typing.Literal:
        return tuple(str(a) for a in typing.get_args(ann))
    return None


def _bounds(metadata: list[Any]) -> tuple[float | None, float | None]:
    lo = hi = None
    for m in metadata:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            lo = float(getattr(m, "ge", None) if isinstance(m, annotated_types.Ge) else m.gt)
        if isinstance(m, annotated_types.Le | annotated_types.Lt):
            hi = float(getattr(m, "le", None) if isinstance(m, annotated_types.Le) else m.lt)
    return lo, hi


def _param_help(p: Param, sources: dict[str, str]) -> str:
    parts = []
    if p.source:
        parts.append(f"source: {sources.get(p.source, p.source)}")
    if p.assumption:
        parts.append("assumption")
    if p.range is not None:
        parts.append(f"range [{p.range[0]:g}, {p.range[1]:g}]")
    if p.note:
        parts.append(p.note)
    return "; ".join(parts)


def _scalar(path: Path, ann: Any, value: Any, metadata: list[Any], doc: str) -> FieldSpec:
    inner, optional = _unwrap(ann)
    value = value.value if isinstance(value, enum.Enum) else value
    choices = _choices(inner)
    if choices is not None:
        return FieldSpec(path, "choice", value, options=choices, optional=optional, help=doc)
    if inner is bool:
        return FieldSpec(path, "bool", bool(value), help=doc)
    if inner is int:
        lo, hi = _bounds(metadata)
        return FieldSpec(path, "int", value, lo, hi, optional=optional, help=doc)
    if inner is float:
        return FieldSpec(path, "number", value, optional=optional, help=doc)
    if inner is dt.date:
        return FieldSpec(path, "date", value.isoformat() if value else value, optional=optional, help=doc)
    return FieldSpec(path, "text", "" if value is None else str(value), optional=optional, help=doc)


def walk(model: BaseModel, sources: dict[str, str] | None = None, prefix: Path = ()) -> list[FieldSpec]:
    """Every editable value of a validated model, in schema order."""
    sources = sources or {}
    out: list[FieldSpec] = []
    cls = type(model)
    for name, info in cls.model_fields.items():
        path = (*prefix, name)
        value = getattr(model, name)
        ann, _ = _unwrap(info.annotation)
        doc = info.description or ""
        if isinstance(value, Param):
            out.append(FieldSpec(path, "param", value.value, value.low if value.uncertain else None,
                                 value.high if value.uncertain else None, help=_param_help(value, sources)))
        elif isinstance(value, BaseModel):
            out += walk(value, sources, path)
        elif isinstance(value, list) and typing.get_origin(ann) is list:
            (item_ann,) = typing.get_args(ann)
            if isinstance(item_ann, type) and issubclass(item_ann, BaseModel):
                for i, item in enumerate(value):
                    out += walk(item, sources, (*path, i))
            elif (choices := _choices(item_ann)) is not None:
                out.append(FieldSpec(path, "multi", [str(v) for v in value], options=choices, help=doc))
            else:
                out.append(FieldSpec(path, "list", ", ".join(str(v) for v in value), help=doc or "comma-separated"))
        elif isinstance(value, dict) and typing.get_origin(ann) is dict:
            key_ann, val_ann = typing.get_args(ann)
            if isinstance(val_ann, type) and issubclass(val_ann, BaseModel):
                for k, item in value.items():
                    out += walk(item, sources, (*path, str(k)))
            else:
                keys = _choices(key_ann) or tuple(str(k.value if isinstance(k, enum.Enum) else k) for k in value)
                current = {str(k.value if isinstance(k, enum.Enum) else k): v for k, v in value.items()}
                for k in keys:
                    out.append(_scalar((*path, k), val_ann, current.get(k, 0), [], doc))
        else:
            out.append(_scalar(path, info.annotation, value, list(info.metadata), doc))
    return out


def _parse(spec: FieldSpec, raw: Any) -> Any:
    """A control's raw browser value as data for the model (validation stays with pydantic)."""
    if spec.kind == "list":
        return [v.strip() for v in str(raw or "").split(",") if v.strip()]
    if spec.kind in ("choice", "text", "date") and spec.optional and raw in ("", None):
        return None
    return raw


def apply(data: dict[str, Any], specs: list[FieldSpec], values: dict[str, Any]) -> dict[str, Any]:
    """The model's data (`model_dump(mode='json')`) with the edited values put in; keys are `FieldSpec.key`."""
    out = json.loads(json.dumps(data))
    for spec in specs:
        if spec.key not in values:
            continue
        raw = _parse(spec, values[spec.key])
        node: Any = out
        for part in spec.path[:-1]:
            node = node[part]
        last = spec.path[-1]
        if spec.kind == "param":
            node[last] = {**node[last], "value": raw}
        elif isinstance(node, dict) and last not in node and raw in (0, None):
            continue  # a mapping entry the data did not have stays absent
        else:
            node[last] = raw
    return out

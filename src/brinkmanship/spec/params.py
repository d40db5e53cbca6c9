"""A sourced number: every calibration value carries its source or is declared an assumption with a range."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from brinkmanship.limits import MAX_MAGNITUDE


class Param(BaseModel):
    """One model number: `value`, optional `range` [low, high], and a `source` id or `assumption: true`.

    A disputed sourced number keeps its range too; an assumption must state one, so exploration can vary it.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    value: float
    range: tuple[float, float] | None = None
    source: str | None = None
    assumption: bool = False
    note: str | None = None
    dist: Literal["uniform", "triangular", "normal"] = Field(
        "uniform", description="how adversary types draw it from its range: uniform, triangular (mode at the "
                               "value) or normal (mean at the value, a quarter of the range per sd, truncated)")

    @model_validator(mode="before")
    @classmethod
    def _accept_bare_number(cls, data: Any) -> Any:
        if isinstance(data, bool):
            raise ValueError("expected a number or a mapping with value/source, got a boolean")
        if isinstance(data, int | float):
            raise ValueError(
                f"bare number {data} has no source; write {{value: {data}, source: <id>}} "
                f"or {{value: {data}, assumption: true, range: [low, high]}}"
            )
        return data

    @model_validator(mode="after")
    def _check_provenance(self) -> Param:
        for v in (self.value, *(self.range or ())):
            if abs(v) > MAX_MAGNITUDE:
                raise ValueError(f"{v:g} is beyond the largest model number ({MAX_MAGNITUDE:g})")
        if self.source is None and not self.assumption:
            raise ValueError("needs a `source` (an id from the sources list) or `assumption: true` with a `range`")
        if self.assumption and self.range is None:
            raise ValueError("an assumption needs a `range: [low, high]` so that it can be explored")
        if self.range is not None:
            lo, hi = self.range
            if lo > hi:
                raise ValueError(f"range [{lo}, {hi}] has low above high")
            if not lo - 1e-12 <= self.value <= hi + 1e-12:
                raise ValueError(f"value {self.value} lies outside its range [{lo}, {hi}]")
        if self.dist != "uniform" and self.range is None:
            raise ValueError(f"`dist: {self.dist}` needs a `range: [low, high]` to draw from")
        return self

    @property
    def low(self) -> float:
        """Lower end of the plausible range (the value itself when none is given)."""
        return self.range[0] if self.range else self.value

    @property
    def high(self) -> float:
        """Upper end of the plausible range (the value itself when none is given)."""
        return self.range[1] if self.range else self.value

    @property
    def uncertain(self) -> bool:
        """True when the parameter has a non-degenerate range."""
        return self.range is not None and self.range[1] > self.range[0]


def _bounded(lo: float | None, hi: float | None, what: str):
    def check(p: Param) -> Param:
        for v in (p.value, p.low, p.high):
            if (lo is not None and v < lo) or (hi is not None and v > hi):
                lo_s = "-inf" if lo is None else f"{lo:g}"
                hi_s = "inf" if hi is None else f"{hi:g}"
                raise ValueError(f"{what} must lie in [{lo_s}, {hi_s}], got {v:g}")
        return p

    return AfterValidator(check)


Probability = Annotated[Param, _bounded(0.0, 1.0, "a probability")]
Fraction = Annotated[Param, _bounded(0.0, 1.0, "a fraction")]
NonNegative = Annotated[Param, _bounded(0.0, None, "a non-negative quantity")]
Real = Param

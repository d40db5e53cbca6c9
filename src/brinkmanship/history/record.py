"""The monthly record as the model sees it: one observed action class and one observed state per month.

Class rule (one class per month, first match wins; ballistic-only counting rule of `monthly_aggregates`):
1. `nuclear_test`: a nuclear test that month (a launch in the same month does not change the class);
2. `missile_test`: at least one ballistic missile launch event;
3. `provocation`: no ballistic launch or nuclear test, but another military launch (cruise missiles,
   a satellite launch, an artillery-rocket salvo);
4. `quiet`: none of these. In the model a quiet month is `hold` or `negotiate` (no test, no provocation,
   no ending); the record of 2016-2017 has no DPRK-initiated talks, and a month of talks is quiet too.

Observed state of a month (what the target saw at its start): major US-ROK exercise that month (the
record's `exercises_active`), UN sanctions level from the record's sectoral resolutions (each adds the
scenario's `sanctions.resolution_step`, anchored so that the level at the scenario's start is its
`initial.sanctions`; 2356 adds designations only and does not count), talks 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from brinkmanship.history.events import load_events, monthly_aggregates
from brinkmanship.spec import Scenario

__all__ = ["CLASSES", "OTHER_LAUNCH_TYPES", "Record", "month_step", "monthly_record"]

CLASSES: tuple[str, ...] = ("quiet", "missile_test", "nuclear_test", "provocation")
QUIET, MISSILE_C, NUCLEAR_C, PROVOCATION_C = range(4)
OTHER_LAUNCH_TYPES = frozenset({"cruise_missile_launch", "satellite_launch", "artillery_rocket_launch"})
_DESIGNATIONS_ONLY = "designations only"


@dataclass(frozen=True)
class Record:
    """Monthly observations: class codes (T,), exercises (T,), sanctions level (T,), and the raw aggregates."""

    months: pd.PeriodIndex
    classes: np.ndarray
    exercises: np.ndarray
    sanctions_level: np.ndarray
    talks_or_summit: np.ndarray  # (T,) bool: DPRK in talks, a summit or the Olympic diplomacy that month
    aggregates: pd.DataFrame

    @property
    def counts(self) -> dict[str, int]:
        """How many months fall in each class."""
        return {name: int((self.classes == i).sum()) for i, name in enumerate(CLASSES)}


def month_step(scenario: Scenario, month: pd.Period) -> int:
    """The scenario step whose calendar month is `month` (step 0 = the start month)."""
    return (month.year - scenario.start.year) * 12 + (month.month - scenario.start.month)


def monthly_record(scenario: Scenario, start: str, end: str, events: pd.DataFrame | None = None) -> Record:
    """The record from `start` to `end` (YYYY-MM, inclusive) as classes and observed states."""
    ev = load_events() if events is None else events
    agg = monthly_aggregates(ev, start, end, rule="ballistic_only")
    months = agg.index
    month_of = pd.to_datetime(ev["date"]).dt.to_period("M")
    other = ev.loc[ev["type"].isin(OTHER_LAUNCH_TYPES)]
    other_months = set(month_of[other.index])
    classes = np.full(len(months), QUIET, dtype=np.int64)
    for i, m in enumerate(months):
        if agg.loc[m, "nuclear_tests"] > 0:
            classes[i] = NUCLEAR_C
        elif agg.loc[m, "launch_events"] > 0:
            classes[i] = MISSILE_C
        elif m in other_months:
            classes[i] = PROVOCATION_C
    dip = ev.loc[ev["type"].isin({"talks", "summit", "diplomacy"}) & ev["actor"].str.contains("DPRK")]
    dip_months = set(month_of[dip.index])
    talks = np.array([m in dip_months for m in months])

    res = ev.loc[(ev["type"] == "sanctions_resolution")
                 & ~ev["detail"].str.contains(_DESIGNATIONS_ONLY, regex=False)]
    dates = pd.to_datetime(res["date"])
    anchor = pd.Timestamp(scenario.start)
    step = float(scenario.sanctions.resolution_step.value)
    base = float(scenario.initial.sanctions.value)
    level = np.empty(len(months))
    for i, m in enumerate(months):
        first_day = m.start_time
        later = int(((dates >= first_day) & (dates < anchor)).sum())
        earlier = int(((dates >= anchor) & (dates < first_day)).sum())
        level[i] = np.clip(base - step * later + step * earlier, 0.0, 1.0)
    return Record(months=months, classes=classes, exercises=agg["exercises_active"].to_numpy(dtype=float),
                  sanctions_level=level, talks_or_summit=talks, aggregates=agg)

"""Compile a scenario and a strategy into plain numbers and index arrays the vectorised engine uses.

Parameters are scalars, or per-run arrays when an exploration overrides them (one value per run).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from brinkmanship.engine.constants import EVENTS, TARGET_CLASSES, Event
from brinkmanship.engine.dynamics import strike_order
from brinkmanship.errors import InputError
from brinkmanship.spec import Scenario, Strategy, all_params
from brinkmanship.spec.strategy import Engagement, ExercisesMode, Response

Value = float | np.ndarray


@dataclass(frozen=True)
class CompiledRule:
    """A rule as indices: event, response, class (or list), count, per-missile flag and its parameter names."""

    id: str
    event: Event
    response: str
    target_class: int
    count: int
    per_missile: bool
    target_list: int  # -1: no finite list
    prob: str
    believed: str


@dataclass(frozen=True)
class CompiledDeadline:
    """A deadline as a month range, an action and the conditions that cancel it."""

    id: str
    first_month: int
    last_month: int
    response: str
    target_class: int
    count: int
    unless_deal: bool
    unless_freeze: bool
    talks_threshold: float | None
    prob: str
    believed: str


@dataclass(frozen=True)
class Compiled:
    """Everything the engine needs for one (scenario, strategy) pair: numbers by dotted name, and structure."""

    scenario: Scenario
    strategy: Strategy
    values: dict[str, Value]
    ranges: dict[str, tuple[float, float, float]]  # (low, high, declared value)
    horizon: int
    exercise_months: np.ndarray  # (H,) 1.0 in a month with major joint exercises, else 0.0
    exercises_mode: str  # the strategy's exercises lever: normal, scaled_down or suspended
    exercises_suspended: float
    posture_start: float
    channel: str
    china_engaged: bool
    russia_engaged: bool
    sanctions_mode: str
    salvo_sizes: np.ndarray
    salvo_cdf: np.ndarray
    rules: tuple[CompiledRule, ...]
    deadlines: tuple[CompiledDeadline, ...]
    list_sizes: np.ndarray  # (L, 4) targets per class per list
    list_orders: tuple[np.ndarray, ...] = ()  # per list: dynamics.strike_order of its composition

    def __getitem__(self, name: str) -> Value:
        return self.values[name]

    @property
    def has_arrays(self) -> bool:
        """True when some parameter varies per run (an exploration batch)."""
        return any(isinstance(v, np.ndarray) for v in self.values.values())

    def chunk(self, sl: slice | np.ndarray) -> Compiled:
        """The same model with per-run parameter arrays cut to runs `sl` (a slice or an index array)."""
        vals = {k: (v[sl] if isinstance(v, np.ndarray) else v) for k, v in self.values.items()}
        return replace(self, values=vals)

    def as_columns(self) -> Compiled:
        """The same model with per-sample arrays shaped (n, 1), to broadcast against (n, k) arrays."""
        if not self.has_arrays:
            return self
        vals = {k: (v.reshape(-1, 1) if isinstance(v, np.ndarray) else v) for k, v in self.values.items()}
        return replace(self, values=vals)

    def exercises(self, t: int) -> Value:
        """Exercise intensity at step t: none outside exercise months or when suspended, full when normal,
        the scenario's `exercises.scaled_down_intensity` when scaled down."""
        if not self.exercise_months[t] or self.exercises_mode == ExercisesMode.suspended.value:
            return 0.0
        if self.exercises_mode == ExercisesMode.normal.value:
            return 1.0
        return self.values["exercises.scaled_down_intensity"]

    def posture(self, t: int) -> Value:
        """Posture at step t: a linear ramp from the start value to the lever's target."""
        ramp = self.strategy.levers.posture.ramp_months
        target = self.values["posture.target"]
        frac = 1.0 if ramp == 0 else min(1.0, (t + 1) / ramp)
        return self.posture_start + (target - self.posture_start) * frac


def compile_model(scenario: Scenario, strategy: Strategy,
                  overrides: dict[str, np.ndarray | float] | None = None) -> Compiled:
    """Numbers and structure of one (scenario, strategy) pair, with optional per-run overrides."""
    params = all_params(scenario, strategy)
    values: dict[str, Value] = {k: float(p.value) for k, p in params.items()}
    ranges = {k: (float(p.low), float(p.high), float(p.value)) for k, p in params.items()}
    for name, v in (overrides or {}).items():
        if name not in values:
            raise InputError(f"unknown parameter '{name}'", field="overrides",
                             fix="use a dotted name listed by `brink show` (e.g. war.conventional_deaths)")
        values[name] = np.asarray(v, dtype=float) if np.ndim(v) else float(v)

    lv = strategy.levers
    H = scenario.horizon_months
    ex = np.array([float(scenario.calendar_month(t) in scenario.exercise_months) for t in range(H)])

    lists = list(strategy.target_lists)
    list_sizes = np.zeros((max(1, len(lists)), len(TARGET_CLASSES)), dtype=np.int64)
    for i, name in enumerate(lists):
        for cls, n in strategy.target_lists[name].classes.items():
            list_sizes[i, TARGET_CLASSES.index(cls.value)] = n

    rules = tuple(
        CompiledRule(
            id=r.id, event=Event(EVENTS.index(r.on.value)), response=r.do.value,
            target_class=TARGET_CLASSES.index(r.target_class.value) if r.target_class else -1,
            count=r.count, per_missile=r.per == "missile",
            target_list=lists.index(r.from_list) if r.from_list else -1,
            prob=f"rules.{r.id}.probability", believed=f"rules.{r.id}.believed",
        )
        for r in strategy.rules
    )
    deadlines = tuple(
        CompiledDeadline(
            id=d.id, first_month=scenario.month_index(d.at.earliest), last_month=scenario.month_index(d.at.latest),
            response=d.do.value,
            target_class=TARGET_CLASSES.index(d.target_class.value) if d.target_class else -1,
            count=d.count, unless_deal="deal" in d.unless, unless_freeze="freeze" in d.unless,
            talks_threshold=(d.talks_progress_threshold.value if "talks_progress" in d.unless
                             and d.talks_progress_threshold else None),
            prob=f"deadlines.{d.id}.probability", believed=f"deadlines.{d.id}.believed",
        )
        for d in strategy.deadlines
    )
    sizes = np.array(sorted(scenario.arsenal.salvo_sizes), dtype=float)
    shares = np.array([scenario.arsenal.salvo_sizes[int(k)] for k in sizes])
    assert all(r.response in {x.value for x in Response} for r in rules)
    return Compiled(
        scenario=scenario, strategy=strategy, values=values, ranges=ranges, horizon=H,
        exercise_months=ex, exercises_mode=ExercisesMode(lv.exercises.mode).value, exercises_suspended=1.0 if lv.exercises.mode == ExercisesMode.suspended else 0.0,
        posture_start=float(scenario.initial.posture.value), channel=lv.talks.channel.value,
        china_engaged=lv.third_parties.china == Engagement.engage,
        russia_engaged=lv.third_parties.russia == Engagement.engage,
        sanctions_mode=lv.sanctions.mode.value, salvo_sizes=sizes, salvo_cdf=np.cumsum(shares),
        rules=rules, deadlines=deadlines, list_sizes=list_sizes,
        list_orders=tuple(strike_order(row) for row in list_sizes),
    )

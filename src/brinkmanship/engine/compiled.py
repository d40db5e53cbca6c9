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
    bluff: str = ""  # parameter name of a bluffing coercer's probability ("": credibility is a fixed input)


@dataclass(frozen=True)
class CompiledDeadline:
    """A deadline as a month range, an action and the conditions that cancel it."""

    id: str
    first_month: int
    last_month: int
    response: str
    target_class: int
    count: int
    unless_deal: bool  # the deadline does not act while a deal holds
    unless_freeze: bool  # ... while a freeze holds
    talks_threshold: str | None  # ... while talks are at or above this parameter (`unless: talks_progress`)
    prob: str
    believed: str
    bluff: str = ""  # parameter name of a bluffing coercer's probability ("": credibility is a fixed input)


@dataclass(frozen=True)
class CompiledPhase:
    """A phase (index 0: the strategy's own levers) as the levers in force from its entry on, and its entry:
    a month window (first == last: a fixed month; -1: a condition), talks at or above a level, or months
    without a test."""

    id: str
    first_month: int
    last_month: int
    talks_at_least: str | None  # parameter name of the talks level that opens the phase
    quiet_months: int  # months without a test that open the phase (0: not this condition)
    channel: str
    china_engaged: bool
    russia_engaged: bool
    sanctions_mode: str
    exercises_mode: str
    offer: str  # parameter name of the talks offer in force
    freeze_relief: str  # parameter name of the freeze relief in force
    posture_target: str  # parameter name of the posture target in force
    posture_ramp: int
    posture_reset: bool  # the phase changes the posture lever: a new ramp starts at its entry
    off: frozenset[str]  # rule and deadline ids switched off

    @property
    def fixed(self) -> bool:
        """Entered at a known month (so the planner reads it as a lever that depends on time)."""
        return self.first_month >= 0 and self.first_month == self.last_month

    @property
    def earliest(self) -> int:
        """The earliest month the phase can begin: its window's first month, or the months without a test it
        waits for (a talks level may be met at once)."""
        return self.first_month if self.first_month >= 0 else self.quiet_months


# lever fields that a phased strategy may hold per run (arrays), cut with the runs like parameters
LEVER_FIELDS = ("channel", "china_engaged", "russia_engaged", "sanctions_mode", "exercises_mode",
                "exercises_suspended", "posture_start", "posture_entry", "posture_ramp")
SUSPENDED = ExercisesMode.suspended.value


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
    posture_ramp: int | np.ndarray = 0  # months of the linear ramp to the posture target
    posture_entry: int | np.ndarray = 0  # month the ramp began (a phase that changes posture restarts it)
    phases: tuple[CompiledPhase, ...] = ()  # phase 0 is the strategy's own levers; empty without phases
    credibility_levels: int = 0  # evidence levels of the learned credibility (0: credibility is a fixed input)
    whole: Compiled | None = None  # for a view with one phase's levers (`in_phase`): the model with all phases

    def __getitem__(self, name: str) -> Value:
        return self.values[name]

    def _lever_arrays(self) -> dict[str, np.ndarray]:
        return {f: getattr(self, f) for f in LEVER_FIELDS if isinstance(getattr(self, f), np.ndarray)}

    @property
    def has_arrays(self) -> bool:
        """True when some parameter (or, under phases, some lever) varies per run."""
        return any(isinstance(v, np.ndarray) for v in self.values.values()) or bool(self._lever_arrays())

    @property
    def evidence_levels(self) -> int:
        """Evidence levels of the target's learned belief in the coercer's resolve: the scenario's
        `credibility.levels` when a rule's execution tells the types apart (a bluff unlike its probability) and
        some rule's or deadline's prior can move (strictly between 0 and 1), else 1. A deadline alone needs no
        factor: its posterior is a function of the month (`belief.skipped_deadline_evidence`)."""
        whole = self.whole or self
        if not whole.credibility_levels:
            return 1
        rules = [r for r in whole.rules if r.bluff]
        items = [*rules, *(d for d in whole.deadlines if d.bluff)]
        told = any(np.any(np.asarray(whole[r.prob]) != np.asarray(whole[r.bluff])) for r in rules)
        prior = [np.asarray(whole[it.believed]) for it in items]
        if told and any(np.any((x > 0) & (x < 1)) for x in prior):
            return whole.credibility_levels
        return 1

    def chunk(self, sl: slice | np.ndarray) -> Compiled:
        """The same model with per-run parameter arrays cut to runs `sl` (a slice or an index array)."""
        vals = {k: (v[sl] if isinstance(v, np.ndarray) else v) for k, v in self.values.items()}
        levers = self._lever_arrays()
        if levers:
            return replace(self, values=vals, **{k: v[sl] for k, v in levers.items()})
        return replace(self, values=vals)

    def as_columns(self) -> Compiled:
        """The same model with per-sample arrays shaped (n, 1), to broadcast against (n, k) arrays."""
        if not self.has_arrays:
            return self
        vals = {k: (v.reshape(-1, 1) if isinstance(v, np.ndarray) else v) for k, v in self.values.items()}
        return replace(self, values=vals, **{k: v.reshape(-1, 1) for k, v in self._lever_arrays().items()})

    def exercises(self, t: int) -> Value:
        """Exercise intensity at step t: none outside exercise months or when suspended, full when normal,
        the scenario's `exercises.scaled_down_intensity` when scaled down."""
        mode = self.exercises_mode
        if not self.exercise_months[t]:
            return 0.0
        if isinstance(mode, np.ndarray):  # per run, under phases
            return np.where(mode == ExercisesMode.normal.value, 1.0, np.where(
                mode == SUSPENDED, 0.0, self.values["exercises.scaled_down_intensity"]))
        if mode == SUSPENDED:
            return 0.0
        if mode == ExercisesMode.normal.value:
            return 1.0
        return self.values["exercises.scaled_down_intensity"]

    def posture(self, t: int) -> Value:
        """Posture at step t: a linear ramp from the start value (or the posture when a phase changed the
        lever) to the lever's target."""
        ramp, entry = self.posture_ramp, self.posture_entry
        target = self.values["posture.target"]
        if np.ndim(ramp) == 0 and np.ndim(entry) == 0:
            frac: Value = 1.0 if ramp == 0 else min(1.0, (t - entry + 1) / ramp)
        else:
            frac = np.where(ramp == 0, 1.0, np.minimum(1.0, (t - entry + 1) / np.maximum(ramp, 1)))
        return self.posture_start + (target - self.posture_start) * frac

    # -- phases -----------------------------------------------------------------------------------------
    @property
    def fixed_schedule(self) -> bool:
        """No phases, or every phase entered at a known month: the phase in force is a function of time."""
        return all(ph.fixed for ph in self.phases[1:])

    def in_phase(self, p: int | np.ndarray, posture_start: Value | None = None,
                 posture_entry: int | np.ndarray = 0) -> Compiled:
        """The model with the levers of phase `p` in force: one phase (an int), or one per run (an array, so
        levers that differ between phases become per-run arrays). `posture_start` and `posture_entry` give
        the ramp under way (from the posture, and the month, at which the last change of posture began)."""
        phs = self.phases
        one = np.ndim(p) == 0
        idx = int(p) if one else np.asarray(p)

        def lever(attr: str) -> object:
            got = [getattr(ph, attr) for ph in phs]
            if one:
                return got[idx]
            if all(g == got[0] for g in got):
                return got[0]
            return np.asarray(got)[idx]

        def number(names: list[str]) -> Value:
            got = [self.values[k] for k in names]
            if one:
                return got[idx]
            if all(isinstance(g, float) and g == got[0] for g in got):
                return got[0]
            out = got[0]
            for q in range(1, len(got)):
                out = np.where(idx == q, got[q], out)
            return out

        values = dict(self.values)
        values["talks.offer"] = number([ph.offer for ph in phs])
        values["sanctions.freeze_relief"] = number([ph.freeze_relief for ph in phs])
        values["posture.target"] = number([ph.posture_target for ph in phs])
        for item in (*self.rules, *self.deadlines):
            off = np.array([item.id in ph.off for ph in phs])
            if not off.any():
                continue
            for name in (item.prob, item.believed, *((item.bluff,) if item.bluff else ())):
                values[name] = (0.0 if off[idx] else values[name]) if one else (
                    0.0 if off.all() else np.where(off[idx], 0.0, values[name]))
        mode = lever("exercises_mode")
        return replace(
            self, values=values, channel=lever("channel"), china_engaged=lever("china_engaged"),
            russia_engaged=lever("russia_engaged"), sanctions_mode=lever("sanctions_mode"), exercises_mode=mode,
            exercises_suspended=(np.where(mode == SUSPENDED, 1.0, 0.0) if isinstance(mode, np.ndarray)
                                 else float(mode == SUSPENDED)),
            posture_ramp=lever("posture_ramp"), posture_entry=posture_entry,
            posture_start=self.posture_start if posture_start is None else posture_start,
            whole=self.whole or self)

    def schedule(self) -> np.ndarray:
        """(H,) the phase in force each month when every phase begins at its earliest month (one phase a
        month): the schedule itself when every phase begins at a known month."""
        out = np.zeros(self.horizon, dtype=np.int64)
        p = 0
        for t in range(self.horizon):
            if p + 1 < len(self.phases) and t >= self.phases[p + 1].earliest:
                p += 1
            out[t] = p
        return out

    def at_month(self, t: int, nominal: bool = False) -> Compiled:
        """The model with the levers in force at month t (itself without phases). Needs a fixed schedule (a
        phase entered at an uncertain month or on a condition differs between runs) unless `nominal`: then
        each phase is taken to begin at its earliest month."""
        if not self.phases:
            return self
        if not (nominal or self.fixed_schedule):
            bad = next(ph for ph in self.phases[1:] if not ph.fixed)
            raise InputError(
                f"phase '{bad.id}' begins at an uncertain month or on a condition, so the phase in force differs "
                "from run to run; this calculation needs phases that begin at a fixed date or month",
                field=f"phases.{bad.id}.enter", fix="give the phase a fixed `at` date or `month`")
        return self.phase_view(int(self.schedule()[min(t, self.horizon - 1)]))

    def phase_view(self, p: int) -> Compiled:
        """The levers of phase p, with the posture ramp as the schedule of earliest months has it (exact for
        phases that begin at known months)."""
        sched = self.schedule()
        start, entry = self.posture_start, 0
        view = self.in_phase(0)
        for q in range(1, p + 1):
            hit = np.flatnonzero(sched == q)
            e = int(hit[0]) if hit.size else self.horizon  # the month the phase begins (one phase a month)
            if self.phases[q].posture_reset:
                start, entry = (view.posture(e - 1) if e > 0 else self.posture_start), e
            view = self.in_phase(q, start, entry)
        return view


def compile_model(scenario: Scenario, strategy: Strategy,
                  overrides: dict[str, np.ndarray | float] | None = None) -> Compiled:
    """Numbers and structure of one (scenario, strategy) pair, with optional per-run overrides."""
    params = all_params(scenario, strategy)
    values: dict[str, Value] = {k: float(p.value) for k, p in params.items()}
    ranges = {k: (float(p.low), float(p.high), float(p.value)) for k, p in params.items()}
    later: dict[str, Value] = {}  # an item's own `bluff` that reads the scenario's: set once the items are built
    for name, v in (overrides or {}).items():
        if name not in values and scenario.credibility and name.endswith(".bluff"):
            later[name] = np.asarray(v, dtype=float) if np.ndim(v) else float(v)
            continue
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
            bluff=f"rules.{r.id}.bluff" if scenario.credibility else "",
        )
        for r in strategy.rules
    )
    deadlines = tuple(
        CompiledDeadline(
            id=d.id, first_month=scenario.month_index(d.at.earliest), last_month=scenario.month_index(d.at.latest),
            response=d.do.value,
            target_class=TARGET_CLASSES.index(d.target_class.value) if d.target_class else -1,
            count=d.count, unless_deal="deal" in d.unless, unless_freeze="freeze" in d.unless,
            talks_threshold=(f"deadlines.{d.id}.talks_progress_threshold" if "talks_progress" in d.unless
                             and d.talks_progress_threshold else None),
            prob=f"deadlines.{d.id}.probability", believed=f"deadlines.{d.id}.believed",
            bluff=f"deadlines.{d.id}.bluff" if scenario.credibility else "",
        )
        for d in strategy.deadlines
    )
    for item in (*rules, *deadlines):  # an item without its own `bluff` reads the scenario's
        if item.bluff and item.bluff not in values:
            values[item.bluff] = later.pop(item.bluff, values["credibility.bluff"])
    for name in later:
        raise InputError(f"unknown parameter '{name}'", field="overrides",
                         fix="use a dotted name listed by `brink show` (e.g. war.conventional_deaths)")
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
        posture_ramp=lv.posture.ramp_months, phases=_compile_phases(scenario, strategy, values),
        credibility_levels=scenario.credibility.levels if scenario.credibility else 0,
    )


def _compile_phases(scenario: Scenario, strategy: Strategy, values: dict[str, Value]) -> tuple[CompiledPhase, ...]:
    """Phase 0 (the strategy's own levers) and each phase with the levers in force from its entry on."""
    if not strategy.phases:
        return ()
    lv = strategy.levers
    cur = CompiledPhase(
        id="start", first_month=0, last_month=0, talks_at_least=None, quiet_months=0, channel=lv.talks.channel.value,
        china_engaged=lv.third_parties.china == Engagement.engage,
        russia_engaged=lv.third_parties.russia == Engagement.engage, sanctions_mode=lv.sanctions.mode.value,
        exercises_mode=ExercisesMode(lv.exercises.mode).value, offer="talks.offer",
        freeze_relief="sanctions.freeze_relief", posture_target="posture.target",
        posture_ramp=lv.posture.ramp_months, posture_reset=False, off=frozenset())
    out = [cur]
    for ph in strategy.phases:
        pl, en = ph.levers, ph.enter
        first = last = -1
        if en.at is not None:
            first, last = scenario.month_index(en.at.earliest), scenario.month_index(en.at.latest)
        elif en.months is not None:
            first, last = en.months.earliest, en.months.latest
        cond = en.when
        changes: dict[str, object] = {}
        if pl.third_parties is not None:
            changes["china_engaged"] = pl.third_parties.china == Engagement.engage
            changes["russia_engaged"] = pl.third_parties.russia == Engagement.engage
        if pl.talks is not None:
            changes["channel"] = pl.talks.channel.value
            changes["offer"] = f"phases.{ph.id}.talks.offer"
        if pl.sanctions is not None:
            changes["sanctions_mode"] = pl.sanctions.mode.value
            if pl.sanctions.freeze_relief is not None:
                changes["freeze_relief"] = f"phases.{ph.id}.sanctions.freeze_relief"
        if pl.exercises is not None:
            changes["exercises_mode"] = ExercisesMode(pl.exercises.mode).value
        reset = False
        if pl.posture is not None:
            name = f"phases.{ph.id}.posture.target"
            old, new = values[cur.posture_target], values[name]
            same = (isinstance(old, float) and isinstance(new, float) and old == new
                    and pl.posture.ramp_months == cur.posture_ramp)
            if not same:  # setting the posture in force changes nothing (the ramp under way goes on)
                changes.update(posture_target=name, posture_ramp=pl.posture.ramp_months)
                reset = True
        off = (cur.off | set(ph.switch_off)) - set(ph.switch_on)
        cur = replace(cur, id=ph.id, first_month=first, last_month=last,
                      talks_at_least=(f"phases.{ph.id}.talks_at_least" if cond and cond.talks_at_least else None),
                      quiet_months=(cond.months_without_test or 0) if cond else 0, posture_reset=reset,
                      off=frozenset(off), **changes)
        out.append(cur)
    return tuple(out)

"""A coercer strategy as data: standing levers, reactive rules (`on` event `do` response) and deadlines."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from brinkmanship.spec.params import Fraction, Probability


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TargetEvent(StrEnum):
    """What the target can do that a coercer rule may answer."""

    missile_test = "missile_test"
    nuclear_test = "nuclear_test"
    provocation = "provocation"


class Response(StrEnum):
    """What a rule or deadline makes the coercer do."""

    strike = "strike"
    sanctions_step = "sanctions_step"
    preventive_war = "preventive_war"


class TargetClass(StrEnum):
    """Abstract target classes: counts and values only, never locations."""

    military = "military"
    leadership = "leadership"
    dual_use = "dual_use"
    civilian_population = "civilian_population"


class Engagement(StrEnum):
    engage = "engage"
    forget = "forget"


class Channel(StrEnum):
    none = "none"
    coercer_led = "coercer-led"
    ally_led = "ally-led"
    multilateral = "multilateral"


class SanctionsMode(StrEnum):
    freeze = "freeze"
    escalate = "escalate"
    relax = "relax"


class ExercisesMode(StrEnum):
    normal = "normal"
    scaled_down = "scaled-down"
    suspended = "suspended"


class ThirdPartyLevers(_Frozen):
    """Whether the coercer engages China and Russia (the op-ed: forget both)."""

    china: Engagement = Engagement.engage
    russia: Engagement = Engagement.engage


class TalksLever(_Frozen):
    """Who talks to the target, and how much is offered (0 nothing, 1 everything asked)."""

    channel: Channel = Channel.none
    offer: Fraction


class SanctionsLever(_Frozen):
    """Sanctions policy: frozen at the starting level, escalated after tests, or relaxed as talks progress; and
    what a freeze earns: the share of a deal's economic gain granted while the target keeps a test freeze."""

    mode: SanctionsMode = SanctionsMode.escalate
    freeze_relief: Fraction | None = Field(
        None, description="share of a deal's economic gain (adversary.deal_economy) the coercer grants while the "
                          "target keeps a freeze (unset: nothing is offered for a freeze; in a phase: as in force)")


class PostureLever(_Frozen):
    """US force posture in the ally's territory as a fraction of the 2017 level, reached by a linear ramp."""

    target: Fraction
    ramp_months: int = Field(0, ge=0, le=120)


class ExercisesLever(_Frozen):
    """Joint exercises on the scenario's calendar: normal, scaled down or suspended."""

    mode: ExercisesMode = ExercisesMode.normal


class Levers(_Frozen):
    """The standing levers of a strategy."""

    third_parties: ThirdPartyLevers = ThirdPartyLevers()
    talks: TalksLever
    sanctions: SanctionsLever = SanctionsLever()
    posture: PostureLever
    exercises: ExercisesLever = ExercisesLever()


class TargetList(_Frozen):
    """A finite list of abstract targets, by class; strikes drawn from it stop when it runs out."""

    size: int = Field(gt=0, le=10_000)
    classes: dict[TargetClass, int]

    @model_validator(mode="after")
    def _sum(self) -> TargetList:
        if any(v < 0 for v in self.classes.values()):
            raise ValueError("class counts must be non-negative")
        if sum(self.classes.values()) != self.size:
            raise ValueError(f"class counts sum to {sum(self.classes.values())}, not size {self.size}")
        return self


class Rule(_Frozen):
    """`on <target event> do <response>`: e.g. strike 2 listed targets per missile launched.

    `probability` is how often the coercer really executes the rule; `believed` is the credibility the
    target assigns to it (misperception is a parameter, not a bug).
    """

    id: str = Field(min_length=1)
    on: TargetEvent
    do: Response
    target_class: TargetClass | None = None
    count: int = Field(1, ge=0, le=1000)
    per: Literal["missile", "event"] = "event"
    from_list: str | None = None
    probability: Probability
    believed: Probability
    bluff: Probability | None = None  # a bluffing coercer's probability (default: the scenario's credibility.bluff)
    chance: Probability | None = Field(None, description=(
        "a threat that leaves something to chance: the probability with which the rule fires by a lottery the "
        "coercer commits to and cannot take back (the strategic coercer cannot stop it, only add to it)"))

    @model_validator(mode="after")
    def _strike_needs_class(self) -> Rule:
        if self.do == Response.strike and self.target_class is None and self.from_list is None:
            raise ValueError("a strike rule needs `target_class` or `from_list`")
        if self.do == Response.preventive_war:
            raise ValueError("preventive war is a deadline's action, not a rule's (use `deadlines:`)")
        return self


class DeadlineDate(_Frozen):
    """A deadline's date: fixed, or uncertain and drawn uniformly by month between two dates."""

    earliest: dt.date
    latest: dt.date
    source: str | None = None
    assumption: bool = False

    @model_validator(mode="after")
    def _order(self) -> DeadlineDate:
        if self.latest < self.earliest:
            raise ValueError("`latest` is before `earliest`")
        if self.source is None and not self.assumption:
            raise ValueError("needs a `source` or `assumption: true`")
        return self


class Deadline(_Frozen):
    """`at <date> unless <condition> do <action> with probability p`: e.g. Congress decides on preventive war."""

    id: str = Field(min_length=1)
    at: DeadlineDate
    unless: list[Literal["deal", "freeze", "talks_progress"]] = ["deal", "freeze"]
    do: Response
    target_class: TargetClass | None = None
    count: int = Field(1, ge=0, le=1000)
    probability: Probability
    believed: Probability
    bluff: Probability | None = None  # a bluffing coercer's probability (default: the scenario's credibility.bluff)
    talks_progress_threshold: Fraction | None = None
    chance: Probability | None = Field(None, description=(
        "a threat that leaves something to chance: the probability with which the deadline acts by a lottery "
        "the coercer commits to (the strategic coercer cannot stop it, only add to it)"))

    @model_validator(mode="after")
    def _check(self) -> Deadline:
        if self.do == Response.strike and self.target_class is None:
            raise ValueError("a strike deadline needs `target_class`")
        if "talks_progress" in self.unless and self.talks_progress_threshold is None:
            raise ValueError("`unless: talks_progress` needs `talks_progress_threshold`")
        return self


class PhaseLevers(_Frozen):
    """The levers a phase sets; a lever it leaves out (or sets to what is already in force) stays as it was."""

    third_parties: ThirdPartyLevers | None = None
    talks: TalksLever | None = None
    sanctions: SanctionsLever | None = None
    posture: PostureLever | None = None
    exercises: ExercisesLever | None = None


MAX_MONTH = 1200


class MonthWindow(_Frozen):
    """Months from the scenario's start (0 = its first month): fixed, or drawn uniformly in [earliest, latest]."""

    earliest: int = Field(ge=0, le=MAX_MONTH)
    latest: int = Field(ge=0, le=MAX_MONTH)

    @model_validator(mode="after")
    def _order(self) -> MonthWindow:
        if self.latest < self.earliest:
            raise ValueError("`latest` is before `earliest`")
        return self


class PhaseCondition(_Frozen):
    """An observable condition, checked at the start of each month: talks at or above a level, or a number of
    months without a missile or nuclear test. Exactly one is given."""

    talks_at_least: Fraction | None = None
    months_without_test: int | None = Field(None, ge=1, le=120)

    @model_validator(mode="after")
    def _one(self) -> PhaseCondition:
        given = [k for k in ("talks_at_least", "months_without_test") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one condition: `talks_at_least` or `months_without_test`")
        return self


class PhaseEntry(_Frozen):
    """When a phase begins: `at` a date (fixed or uncertain), at a `month` (fixed or a window), or `when` a
    condition first holds. Exactly one is given."""

    at: DeadlineDate | None = None
    month: Annotated[int, Field(ge=0, le=MAX_MONTH)] | MonthWindow | None = None
    when: PhaseCondition | None = None

    @property
    def months(self) -> MonthWindow | None:
        """The `month` entry as a window (a single month is a window of one)."""
        if isinstance(self.month, int):
            return MonthWindow(earliest=self.month, latest=self.month)
        return self.month

    @model_validator(mode="after")
    def _one(self) -> PhaseEntry:
        given = [k for k in ("at", "month", "when") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of `at` (a date), `month` or `when` (a condition)")
        return self


class Phase(_Frozen):
    """A stage of the strategy: from its entry on, the levers it sets and the rules or deadlines it switches
    on or off are in force. Phases are entered in their listed order, at most one a month."""

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    title: str = ""
    source: str | None = None
    enter: PhaseEntry
    levers: PhaseLevers = PhaseLevers()
    switch_on: list[str] = []
    switch_off: list[str] = []


class Strategy(_Frozen):
    """A coercer strategy: levers, rules, deadlines and finite target lists; `source` says whose it is.

    `phases`, when given, change levers and switch rules or deadlines over time (the top-level levers are
    in force until the first phase begins).
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    summary: str = ""
    source: str | None = None
    levers: Levers
    target_lists: dict[str, TargetList] = {}
    rules: list[Rule] = []
    deadlines: list[Deadline] = []
    phases: list[Phase] = []

    @model_validator(mode="after")
    def _references(self) -> Strategy:
        ids = [r.id for r in self.rules] + [d.id for d in self.deadlines]
        dup = {i for i in ids if ids.count(i) > 1}
        if dup:
            raise ValueError(f"rule/deadline ids must be unique, repeated: {sorted(dup)}")
        for rule in self.rules:
            if rule.from_list is not None and rule.from_list not in self.target_lists:
                raise ValueError(
                    f"rule '{rule.id}' draws from unknown target list '{rule.from_list}' "
                    f"(known: {sorted(self.target_lists) or 'none'})"
                )
        self._check_phases(ids)
        return self

    def _check_phases(self, ids: list[str]) -> None:
        """Phase ids unique; switched ids name a rule or deadline; dated phases in order."""
        seen: set[str] = set()
        last: int | dt.date | None = None
        for i, ph in enumerate(self.phases):
            if ph.id in seen:
                raise ValueError(f"phase '{ph.id}' (phases.{i}.id): phase ids must be unique")
            seen.add(ph.id)
            for key in ("switch_on", "switch_off"):
                for j, x in enumerate(getattr(ph, key)):
                    if x not in ids:
                        raise ValueError(f"phase '{ph.id}' (phases.{i}.{key}.{j}): unknown rule or deadline "
                                         f"'{x}' (known: {sorted(ids) or 'none'})")
            both = set(ph.switch_on) & set(ph.switch_off)
            if both:
                raise ValueError(f"phase '{ph.id}' (phases.{i}.switch_on): {sorted(both)} switched both on and off")
            start = (ph.enter.at.earliest if ph.enter.at else ph.enter.months.earliest if ph.enter.months else None)
            if start is not None and last is not None and type(start) is type(last) and start < last:
                raise ValueError(f"phase '{ph.id}' (phases.{i}.enter): begins before the phase listed above it; "
                                 "list phases in the order they begin")
            if start is not None:
                last = start

    def elements(self) -> list[str]:
        """Names of the strategy's elements that can be switched off one at a time (for ablation)."""
        out = ["third_parties.china", "third_parties.russia", "talks", "sanctions", "posture", "exercises"]
        out += [f"rules.{r.id}" for r in self.rules]
        out += [f"deadlines.{d.id}" for d in self.deadlines]
        out += [f"phases.{p.id}" for p in self.phases]
        return out

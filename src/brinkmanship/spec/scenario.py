"""A crisis scenario as data: actors' starting state and every calibration number with its source."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from brinkmanship.spec.params import Fraction, NonNegative, Param, Probability, Real


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Initial(_Frozen):
    """The target's and the coercer's state at the start (indices in [0, 1] unless counted)."""

    warheads: NonNegative
    delivery: Fraction
    economy: Fraction
    sanctions: Fraction
    posture: Fraction
    talks: Fraction


class Arsenal(_Frozen):
    """How the arsenal and the means to deliver it grow."""

    production_per_year: NonNegative
    delivery_gain_per_test: Fraction
    nuclear_test_weight: NonNegative
    salvo_sizes: dict[int, float] = Field(description="missiles per launch event -> share of events")
    salvo_source: str

    @model_validator(mode="after")
    def _salvo(self) -> Arsenal:
        total = sum(self.salvo_sizes.values())
        if abs(total - 1.0) > 1e-6 or any(not 1 <= k <= 1000 or v < 0 for k, v in self.salvo_sizes.items()):
            raise ValueError(f"salvo_sizes must map sizes 1-1000 to shares that sum to 1 (sum is {total:g})")
        return self


class Exercises(_Frozen):
    """Joint exercises: how intense a scaled-down exercise is, next to a normal one (1) and none (0)."""

    scaled_down_intensity: Fraction


class Economy(_Frozen):
    """The target's economy index: dragged down by enforced sanctions, recovering slowly otherwise."""

    sanctions_drag: NonNegative
    recovery: NonNegative


class Sanctions(_Frozen):
    """UN sanctions: the level added per resolution after a test, and relief when relaxed."""

    resolution_step: Fraction
    monthly_tightening: Fraction
    relax_step: Fraction


class Talks(_Frozen):
    """Talks progress in [0, 1]; a deal can close once progress passes the threshold."""

    progress_rate: NonNegative
    channel_none: NonNegative
    channel_ally_led: NonNegative
    channel_coercer_led: NonNegative
    channel_multilateral: NonNegative
    offer_effect: NonNegative
    setback_missile_test: Fraction
    setback_nuclear_test: Fraction
    setback_strike: Fraction
    setback_sanctions: Fraction
    deal_threshold: Fraction
    close_probability: Probability
    withdrawal_goodwill: NonNegative
    withdrawal_pressure: NonNegative
    exercises_goodwill: NonNegative
    sanctions_reserve: NonNegative


class ThirdParty(_Frozen):
    """A reactive third party (China, Russia): sanctions enforcement, restraint on the target, war entry."""

    enforcement_engaged: Fraction
    enforcement_forgotten: Fraction
    restraint_engaged: NonNegative
    talks_support_engaged: NonNegative
    intervention_engaged: Probability
    intervention_forgotten: Probability


class Escalation(_Frozen):
    """What follows a strike or a provocation."""

    retaliate_logit: Real
    escalate_logit: Real
    per_strike_logit: NonNegative
    civilian_logit: NonNegative
    leadership_logit: NonNegative
    counter_escalation: Probability
    provocation_clash: Probability
    quiet_months: NonNegative


class Credibility(_Frozen):
    """Credibility as a learned belief: a bluffing coercer executes a rule or deadline with `bluff` (a
    resolute one with the item's `probability`); the target's evidence (log-likelihood ratio, resolute against
    bluffing) is kept on `levels` points `step` apart. Without this block credibility is a fixed input."""

    bluff: Probability
    step: NonNegative
    levels: int = Field(5, ge=1, le=21, description="evidence levels (odd keeps the prior on a level)")

    @model_validator(mode="after")
    def _odd(self) -> Credibility:
        if self.levels % 2 == 0:
            raise ValueError("`levels` must be odd, so the prior (no evidence) is a level")
        return self


class Invasion(_Frozen):
    """An invasion across the DMZ: its chance of success grows as the coercer's posture falls."""

    success_full_posture: Probability
    success_no_posture: Probability


class War(_Frozen):
    """War resolution: deaths drawn from the sourced ranges, nuclear use, third-party intervention."""

    conventional_deaths: NonNegative
    civilian_share: Fraction
    intervention_deaths_multiplier: NonNegative
    nuclear_use_in_war: Probability
    nuclear_use_regime_threatened: Probability
    nuclear_use_without_delivery: Fraction
    detonations_mean: NonNegative
    deaths_per_detonation: NonNegative
    military_deaths_per_target: NonNegative
    civilian_deaths_per_city: NonNegative
    provocation_deaths: NonNegative


class BaseRate(_Frozen):
    """The base-rate adversary: monthly action logits (against `hold`) and their responses to the state."""

    missile_test: Real
    nuclear_test: Real
    provocation: Real
    negotiate: Real
    accept_deal: Real
    freeze: Real
    invade: Real
    nuclear_use: Real
    exercises_effect: Real
    sanctions_effect: Real
    deterrence_effect: Real
    restraint_effect: Real
    talks_effect: Real
    goodwill_effect: Real
    economy_effect: Real
    arsenal_maturity_effect: Real
    invasion_temptation: Real
    struck_effect: Real
    nuclear_test_exercises_share: Fraction
    suspension_goodwill_share: Fraction
    freeze_break: Real
    deal_renege: Real


class Adversary(_Frozen):
    """The target's aims for the rational planner: utility weights, discount, and what wars and deals mean.

    Flow utilities are per month; `war_cost` and `victory_value` are one-off; probabilities say how likely
    the regime is to fall or to feel secure in each ending.
    """

    discount: Fraction
    beyond_horizon: Fraction
    regime_survival: NonNegative
    arsenal: NonNegative
    arsenal_reference: NonNegative
    economy: NonNegative
    strike_cost: NonNegative
    test_cost: NonNegative
    negotiation_cost: NonNegative
    city_cost: NonNegative
    limited_conflict_cost: NonNegative
    war_cost: NonNegative
    nuclear_war_cost_factor: NonNegative
    regime_fall_war: Probability
    regime_fall_nuclear_war: Probability
    intervention_protection: Fraction
    victory_value: NonNegative
    deal_security: Probability
    deal_economy: NonNegative
    freeze_break_cost: NonNegative
    deal_renege_cost: NonNegative
    deal_defection_believed: Probability


class Endings(_Frozen):
    """How a deal can end: what the coercer really does once a deal is made, and how fast the arsenal is given
    up (what a freeze earns is the strategy's: `levers.sanctions.freeze_relief`)."""

    deal_defection: Probability
    disarmament_months: NonNegative


OutcomeName = Literal["denuclearisation", "freeze", "buildup", "limited_conflict", "major_war", "nuclear_war"]


class Aim(_Frozen):
    """One of the strategy's stated aims, met by a run that ends in one of `outcomes`, or in one of
    `if_delivery_unproven` with delivery not proven at the horizon (fewer test-equivalents than those after
    which delivery stops improving): what is reached, not the ending's label."""

    text: str
    outcomes: list[OutcomeName] = Field(default_factory=list)
    if_delivery_unproven: list[Literal["freeze", "buildup"]] = Field(
        default_factory=list, description="endings that meet the aim only where delivery is not proven at the "
                                          "horizon (a freeze after delivery was proven does not)")
    source: str | None = None
    assumption: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _provenance(self) -> Aim:
        if not self.source and not self.assumption:
            raise ValueError("an aim needs a `source` or `assumption: true`")
        if not self.outcomes and not self.if_delivery_unproven:
            raise ValueError("an aim needs `outcomes` or `if_delivery_unproven` that meet it")
        return self

    @property
    def only_if_unproven(self) -> list[str]:
        """The endings that meet the aim only with delivery not proven (one also in `outcomes` meets it anyway)."""
        return [o for o in self.if_delivery_unproven if o not in self.outcomes]


class Coercer(_Frozen):
    """The coercer's aims for the strategic coercer (`--coercer strategic`): what it gains from each ending,
    what carrying out a threat costs it, and what not carrying out a declared one costs it.

    Flows are per month in units of a month of denuclearisation; one-off costs in the same units; lives
    are counted through the `war:` casualty numbers (per thousand deaths).
    """

    discount: Fraction
    denuclearisation: Real
    freeze: Real
    status_quo: Real
    after_war: Real
    life_cost: NonNegative
    allied_share: Fraction
    enemy_civilian_weight: NonNegative
    war_cost: NonNegative
    nuclear_use_cost: NonNegative
    limited_conflict_cost: NonNegative
    strike_cost: NonNegative
    sanctions_cost: NonNegative
    audience_cost: NonNegative
    reputation_value: NonNegative
    credible_at: Fraction
    partly_credible_at: Fraction

    @model_validator(mode="after")
    def _thresholds(self) -> Coercer:
        if self.partly_credible_at.value > self.credible_at.value:
            raise ValueError("partly_credible_at must not exceed credible_at")
        return self


class Scenario(_Frozen):
    """A crisis: dates, starting state and the sourced parameters of every mechanism in the model."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    summary: str = ""
    start: dt.date
    horizon_months: int = Field(36, gt=0, le=240)
    step: Literal["month"] = "month"
    exercise_months: list[int] = Field(description="calendar months with major joint exercises")
    exercise_source: str
    strategies: list[str] = []
    initial: Initial
    arsenal: Arsenal
    exercises: Exercises
    economy: Economy
    sanctions: Sanctions
    talks: Talks
    china: ThirdParty
    russia: ThirdParty
    escalation: Escalation
    invasion: Invasion
    war: War
    base_rate: BaseRate
    adversary: Adversary
    endings: Endings
    aims: dict[str, Aim] = Field(default_factory=dict,
                                 description="the aims a strategy is scored against, by name (`brink compare`)")
    credibility: Credibility | None = None
    coercer: Coercer | None = None

    @model_validator(mode="after")
    def _months(self) -> Scenario:
        if any(not 1 <= m <= 12 for m in self.exercise_months):
            raise ValueError("exercise_months must be calendar months 1-12")
        if self.start.year > 9000:  # the calendar must hold every simulated month
            raise ValueError(f"start {self.start.isoformat()} is too late: the simulated months must end by 9999")
        return self

    @property
    def end(self) -> dt.date:
        """First day after the horizon."""
        return add_months(self.start, self.horizon_months)

    def month_index(self, day: dt.date) -> int:
        """Step index of a date (0 = the start month); may be out of range."""
        return (day.year - self.start.year) * 12 + (day.month - self.start.month)

    def calendar_month(self, t: int) -> int:
        """Calendar month (1-12) of step t."""
        return (self.start.month - 1 + t) % 12 + 1

    def params(self) -> dict[str, Param]:
        """Every sourced number, by dotted name (`war.conventional_deaths`)."""
        out: dict[str, Param] = {}
        for section in ("initial", "arsenal", "exercises", "economy", "sanctions", "talks", "china", "russia",
                        "escalation", "invasion", "war", "base_rate", "adversary", "endings", "credibility",
                        "coercer"):
            block = getattr(self, section)
            if block is None:
                continue
            for key in type(block).model_fields:
                value = getattr(block, key)
                if isinstance(value, Param):
                    out[f"{section}.{key}"] = value
        return out


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day-of-month `months` later (clamped to the 28th for safety)."""
    idx = day.year * 12 + day.month - 1 + months
    return dt.date(idx // 12, idx % 12 + 1, min(day.day, 28))

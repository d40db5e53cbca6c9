"""Controls generated from the schema: every value found, ranges become sliders, edits validate as files do."""

from __future__ import annotations

import json

from pydantic import Field

from brinkmanship.spec import content_hash
from brinkmanship.spec.params import Fraction, Param
from brinkmanship.spec.strategy import Strategy
from brinkmanship.web.fields import apply, walk


def _by_path(specs):
    return {s.path: s for s in specs}


def test_posture_is_a_slider_within_its_declared_range(strategies) -> None:
    specs = _by_path(walk(strategies["let-deterrence-fail"]))
    posture = specs[("levers", "posture", "target")]
    assert posture.kind == "param" and posture.slider
    assert (posture.low, posture.high, posture.value) == (0.0, 0.15, 0.05)
    ramp = specs[("levers", "posture", "ramp_months")]
    assert ramp.kind == "int" and (ramp.low, ramp.high) == (0, 120)


def test_enums_literals_rules_and_deadlines_get_controls(strategies) -> None:
    specs = _by_path(walk(strategies["let-deterrence-fail"]))
    channel = specs[("levers", "talks", "channel")]
    assert channel.kind == "choice" and channel.options == ("none", "coercer-led", "ally-led", "multilateral")
    assert specs[("rules", 0, "per")].options == ("missile", "event")
    assert specs[("rules", 1, "target_class")].optional
    assert specs[("deadlines", 0, "unless")].kind == "multi"
    assert specs[("deadlines", 0, "at", "earliest")].kind == "date"
    assert specs[("target_lists", "high_value", "classes", "leadership")].value == 10
    assert specs[("rules", 0, "believed")].help.startswith("assumption; range [0.1, 0.9]")


def test_sources_are_in_the_hover_text(strategies) -> None:
    from brinkmanship.spec import sources

    specs = _by_path(walk(strategies["let-deterrence-fail"], sources()))
    assert "Soesanto" in specs[("levers", "posture", "target")].help


def test_unchanged_values_give_back_the_same_strategy(strategies) -> None:
    for st in strategies.values():
        specs = walk(st)
        data = st.model_dump(mode="json")
        values = {s.key: s.value for s in specs}
        assert content_hash(Strategy.model_validate(apply(data, specs, values))) == content_hash(st)


def test_an_edit_lands_in_the_model(strategies) -> None:
    st = strategies["let-deterrence-fail"]
    specs = walk(st)
    key = json.dumps(["levers", "posture", "target"])
    edited = Strategy.model_validate(apply(st.model_dump(mode="json"), specs, {key: 0.12}))
    assert edited.levers.posture.target.value == 0.12
    assert edited.levers.posture.target.range == (0.0, 0.15)


def test_a_new_field_gets_a_control_without_ui_code(strategies) -> None:
    class Extended(Strategy):
        resolve: Fraction = Field(default_factory=lambda: Param(value=0.3, range=(0.1, 0.6), assumption=True))
        mood: int = Field(2, ge=0, le=5)

    st = Extended.model_validate(strategies["engagement"].model_dump())
    specs = _by_path(walk(st))
    assert specs[("resolve",)].slider and (specs[("resolve",)].low, specs[("resolve",)].high) == (0.1, 0.6)
    assert specs[("mood",)].kind == "int" and (specs[("mood",)].low, specs[("mood",)].high) == (0, 5)

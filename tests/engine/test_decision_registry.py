"""The decision-model registry and the typed `--adversary` value, parsed once."""

from __future__ import annotations

import math

import pytest

import brinkmanship.adversary  # noqa: F401  registers rational and logit
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.engine import BaseRatePolicy
from brinkmanship.engine.decision import (
    DECISION_MODELS,
    Adversary,
    ExactDecisionModel,
    get_decision_model,
    register_decision_model,
)
from brinkmanship.errors import InputError


@pytest.mark.parametrize(("text", "kind", "param"), [
    ("base-rate", "base-rate", None), ("rational", "rational", None), ("logit:2", "logit", 2.0),
    ("logit:0", "logit", 0.0), ("logit:inf", "logit", math.inf),
])
def test_parse_gives_the_typed_value(text, kind, param):
    adv = Adversary.parse(text)
    assert (adv.kind, adv.param) == (kind, param)
    assert Adversary.parse(adv) is adv  # a typed value is never parsed again


@pytest.mark.parametrize("text", ["psychic", "logit", "logit:-1", "logit:nan", "logit:x", "rational:2", ""])
def test_parse_rejects_with_the_option_named(text):
    with pytest.raises(InputError) as exc:
        Adversary.parse(text)
    assert exc.value.field == "--adversary"


def test_names_round_trip():
    for text in ("base-rate", "rational", "logit:0.5"):
        assert Adversary.parse(text).name == text == str(Adversary.parse(text))


def test_registry_builds_the_registered_models():
    assert isinstance(get_decision_model("base-rate"), BaseRatePolicy)
    rational = get_decision_model(Adversary("rational"))
    assert isinstance(rational, PlannerModel) and rational.name == "rational"
    assert isinstance(rational, ExactDecisionModel) and not isinstance(BaseRatePolicy(), ExactDecisionModel)
    assert get_decision_model("logit:3").name == "logit:3"


def test_a_new_model_registers_itself(monkeypatch):
    monkeypatch.setitem(DECISION_MODELS, "always-hold", DECISION_MODELS["base-rate"])
    register_decision_model("always-hold", lambda adv: BaseRatePolicy())
    assert isinstance(get_decision_model("always-hold"), BaseRatePolicy)

"""The humanitarian-law audit: expected verdicts on the packaged strategies, and properties on user strategies."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.audit import (
    CHECKS,
    DISCLAIMER,
    NO_ISSUE,
    PROHIBITED,
    REVIEW,
    VERDICTS,
    Check,
    Element,
    Finding,
    audit_strategy,
    prohibited_count,
)
from brinkmanship.spec import Strategy, load_scenario, packaged_strategies

PACKAGED = {s.name: s for s in packaged_strategies(load_scenario("korea-2017"))}


def by(findings: list[Finding], rule: str) -> dict[str, str]:
    """principle -> verdict for one strategy element."""
    return {f.principle: f.verdict for f in findings if f.rule == rule}


def test_all_five_packaged_strategies_are_audited() -> None:
    assert set(PACKAGED) == {"let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike",
                             "engagement"}


def test_city_per_test_is_prohibited_under_distinction_reprisals_and_indiscriminate_attack() -> None:
    found = by(audit_strategy(PACKAGED["let-deterrence-fail"]), "city-per-test")
    assert found["distinction"] == PROHIBITED
    assert found["reprisals against civilians"] == PROHIBITED
    assert found["indiscriminate attack"] == PROHIBITED
    assert all(v == PROHIBITED for v in found.values())


def test_city_per_test_citations_name_the_icrc_rules_and_ap1_articles() -> None:
    cites = {f.principle: f.citation for f in audit_strategy(PACKAGED["let-deterrence-fail"])
             if f.rule == "city-per-test"}
    assert "Rules 1" in cites["distinction"] and "51(2)" in cites["distinction"]
    assert "145-146" in cites["reprisals against civilians"] and "51(6)" in cites["reprisals against civilians"]
    assert "11-13" in cites["indiscriminate attack"] and "51(4)" in cites["indiscriminate attack"]


def test_two_per_launch_on_military_and_leadership_targets_needs_case_by_case_review() -> None:
    found = by(audit_strategy(PACKAGED["let-deterrence-fail"]), "two-per-launch")
    assert found["proportionality"] == REVIEW
    assert found["precautions in attack"] == REVIEW
    assert PROHIBITED not in found.values()


def test_let_deterrence_fail_counts_only_the_city_rule_as_prohibited() -> None:
    findings = audit_strategy(PACKAGED["let-deterrence-fail"])
    assert {f.rule for f in findings if f.verdict == PROHIBITED} == {"city-per-test"}
    assert prohibited_count(PACKAGED["let-deterrence-fail"]) == 4


def test_preventive_war_deadline_is_flagged_as_jus_ad_bellum_outside_ihl() -> None:
    found = [f for f in audit_strategy(PACKAGED["let-deterrence-fail"]) if f.rule == "congressional-decision"]
    ad_bellum = [f for f in found if "jus ad bellum" in f.principle]
    assert len(ad_bellum) == 1
    assert ad_bellum[0].verdict == REVIEW
    assert "2(4)" in ad_bellum[0].citation and "51" in ad_bellum[0].citation
    assert "not of IHL" in ad_bellum[0].why
    assert all(f.verdict != PROHIBITED for f in found)


@pytest.mark.parametrize("name", ["maximum-pressure", "freeze-for-freeze", "engagement"])
def test_strategies_without_strikes_have_no_issue(name: str) -> None:
    findings = audit_strategy(PACKAGED[name])
    assert prohibited_count(PACKAGED[name]) == 0
    assert {f.verdict for f in findings} == {NO_ISSUE}
    assert {f.rule for f in findings} >= {"levers.sanctions", "levers.posture", "levers.talks"}


def test_limited_strike_needs_case_by_case_review_and_nothing_prohibited() -> None:
    strat = PACKAGED["limited-strike"]
    found = by(audit_strategy(strat), "bloody-nose")
    assert found["proportionality"] == REVIEW
    assert prohibited_count(strat) == 0


def test_every_finding_is_well_formed() -> None:
    for strat in PACKAGED.values():
        for f in audit_strategy(strat):
            assert f.verdict in VERDICTS
            assert f.rule and f.principle and f.citation
            assert f.why.endswith(".") and f.why.replace("art. ", "art ").count(". ") == 0  # one sentence


def test_disclaimer_says_not_legal_advice() -> None:
    assert "not legal advice" in DISCLAIMER


# ---- user strategies -------------------------------------------------------------------------------------

def _param(v: float) -> dict[str, Any]:
    return {"value": v, "range": [0.0, 1.0], "assumption": True}


def make_strategy(rules: list[dict[str, Any]] = (), deadlines: list[dict[str, Any]] = (),
                  target_lists: dict[str, Any] | None = None) -> Strategy:
    """A minimal valid user strategy with the given rules, deadlines and target lists."""
    return Strategy.model_validate({
        "name": "user", "title": "user strategy",
        "levers": {"talks": {"channel": "none", "offer": _param(0.1)},
                   "posture": {"target": _param(1.0), "ramp_months": 0}},
        "target_lists": target_lists or {}, "rules": list(rules), "deadlines": list(deadlines),
    })


def test_dual_use_strike_needs_review_with_a_note() -> None:
    strat = make_strategy([{"id": "du", "on": "missile_test", "do": "strike", "target_class": "dual_use",
                            "count": 1, "probability": _param(0.5), "believed": _param(0.5)}])
    found = [f for f in audit_strategy(strat) if f.rule == "du"]
    dist = next(f for f in found if f.principle == "distinction")
    assert dist.verdict == REVIEW and "dual-use" in dist.why.lower()
    assert all(f.verdict == REVIEW for f in found)


def test_sanctions_step_rule_is_no_issue() -> None:
    strat = make_strategy([{"id": "sx", "on": "nuclear_test", "do": "sanctions_step",
                            "probability": _param(1.0), "believed": _param(1.0)}])
    assert by(audit_strategy(strat), "sx") == {"conduct of hostilities": NO_ISSUE}


civ_rule = st.fixed_dictionaries({
    "event": st.sampled_from(["missile_test", "nuclear_test", "provocation"]),
    "count": st.integers(0, 1000),
    "p": st.floats(0.0, 1.0),
    "b": st.floats(0.0, 1.0),
    "per": st.sampled_from(["missile", "event"]),
    "via_list": st.booleans(),
    "civ_in_list": st.integers(1, 50),
    "mil_in_list": st.integers(0, 50),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(civ_rule)
def test_any_rule_targeting_civilians_is_prohibited_whatever_count_probability_event(r: dict[str, Any]) -> None:
    rule: dict[str, Any] = {"id": "punish", "on": r["event"], "do": "strike", "count": r["count"], "per": r["per"],
                            "probability": _param(r["p"]), "believed": _param(r["b"])}
    lists = None
    if r["via_list"]:
        n = r["civ_in_list"] + r["mil_in_list"]
        lists = {"mixed": {"size": n, "classes": {"civilian_population": r["civ_in_list"],
                                                   "military": r["mil_in_list"]}}}
        rule["from_list"] = "mixed"
    else:
        rule["target_class"] = "civilian_population"
    strat = make_strategy([rule], target_lists=lists)
    found = by(audit_strategy(strat), "punish")
    assert found["distinction"] == PROHIBITED
    assert found["reprisals against civilians"] == PROHIBITED
    assert found["indiscriminate attack"] == PROHIBITED
    assert prohibited_count(strat) >= 3


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, 1000), p=st.floats(0.0, 1.0))
def test_any_deadline_targeting_civilians_is_prohibited(count: int, p: float) -> None:
    strat = make_strategy(deadlines=[{"id": "ultimatum", "at": {"earliest": "2018-01-01", "latest": "2018-06-30",
                                                                 "assumption": True},
                                      "do": "strike", "target_class": "civilian_population", "count": count,
                                      "probability": _param(p), "believed": _param(p)}])
    found = by(audit_strategy(strat), "ultimatum")
    assert found["distinction"] == PROHIBITED and found["reprisals against civilians"] == PROHIBITED


@settings(max_examples=80, deadline=None)
@given(cls=st.sampled_from(["military", "leadership", "dual_use"]), count=st.integers(0, 1000),
       p=st.floats(0.0, 1.0), event=st.sampled_from(["missile_test", "nuclear_test", "provocation"]))
def test_strikes_on_non_civilian_classes_are_never_prohibited(cls: str, count: int, p: float, event: str) -> None:
    strat = make_strategy([{"id": "s", "on": event, "do": "strike", "target_class": cls, "count": count,
                            "probability": _param(p), "believed": _param(p)}])
    found = by(audit_strategy(strat), "s")
    assert PROHIBITED not in found.values()
    assert found["proportionality"] == REVIEW


def test_a_target_list_with_zero_civilians_is_not_a_civilian_target() -> None:
    strat = make_strategy([{"id": "s", "on": "missile_test", "do": "strike", "from_list": "l", "count": 2,
                            "probability": _param(1.0), "believed": _param(1.0)}],
                          target_lists={"l": {"size": 5, "classes": {"military": 5, "civilian_population": 0}}})
    assert prohibited_count(strat) == 0


def test_a_new_check_is_a_small_class() -> None:
    class NightStrikes(Check):
        name = "night"
        principle = "test principle"
        citation = "none"

        def check(self, element: Element) -> Finding | None:
            return self.finding(element, REVIEW, "Flagged.") if element.action == "strike" else None

    findings = audit_strategy(PACKAGED["limited-strike"], [*CHECKS, NightStrikes()])
    assert by(findings, "bloody-nose")["test principle"] == REVIEW
    assert "test principle" not in by(findings, "levers.talks")

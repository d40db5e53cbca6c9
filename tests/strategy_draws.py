"""Hypothesis strategies that draw coercer strategies, shared by the fused kernel's identity tests (the base-rate
target in tests/engine/test_fused.py, the rational planner in tests/adversary/test_fused_planner.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

from brinkmanship.spec import Scenario, Strategy

CLASSES = ["military", "leadership", "dual_use", "civilian_population"]


@dataclass(frozen=True)
class Bounds:
    """How large a drawn strategy may be: the planner accepts at most one deadline and few branches a month."""

    rules: int = 4  # reactive rules, at most
    count: int = 4  # targets or steps per rule, at most
    per_class: int = 10  # listed targets per class, at most
    deadlines: int = 2  # deadlines, at most
    talks_threshold: bool = True  # a deadline may wait on talks progress (`unless: talks_progress`)


ENGINE = Bounds()
PLANNER = Bounds(rules=3, count=3, per_class=6, deadlines=1, talks_threshold=False)


def number(draw, low: float = 0.0, high: float = 1.0) -> dict[str, object]:
    """A drawn model number with its range, as an assumption."""
    return {"value": draw(st.floats(low, high)), "range": [low, high], "assumption": True}


@st.composite
def drawn_strategy(draw, scenario: Scenario, base: Strategy, bounds: Bounds = ENGINE) -> Strategy:
    """A strategy with drawn levers, reactive rules (strikes from a class or a finite list, sanctions steps) and
    deadlines (war, strikes, sanctions; each with a drawn `unless`: none, a deal, a freeze, both, or with
    `bounds.talks_threshold` talks progress too), no phases."""
    d = base.model_dump(mode="json", exclude_none=True, by_alias=True)
    d["name"] = "generated"
    d.pop("phases", None)
    lv = d["levers"]
    lv["third_parties"] = {"china": draw(st.sampled_from(["engage", "forget"])),
                           "russia": draw(st.sampled_from(["engage", "forget"]))}
    lv["talks"] = {"channel": draw(st.sampled_from(["none", "coercer-led", "ally-led", "multilateral"])),
                   "offer": number(draw)}
    lv["sanctions"] = {"mode": draw(st.sampled_from(["freeze", "escalate", "relax"]))}
    lv["posture"] = {"target": number(draw), "ramp_months": draw(st.integers(0, 12))}
    lv["exercises"] = {"mode": draw(st.sampled_from(["normal", "scaled-down", "suspended"]))}
    counts = draw(st.lists(st.integers(0, bounds.per_class), min_size=4, max_size=4).filter(lambda c: sum(c) > 0))
    d["target_lists"] = {"listed": {"size": sum(counts),
                                    "classes": {c: n for c, n in zip(CLASSES, counts, strict=True) if n}}}
    rules = []
    for i in range(draw(st.integers(0, bounds.rules))):
        r = {"id": f"r{i}", "on": draw(st.sampled_from(["missile_test", "nuclear_test", "provocation"])),
             "do": draw(st.sampled_from(["strike", "sanctions_step"])), "count": draw(st.integers(0, bounds.count)),
             "per": draw(st.sampled_from(["missile", "event"])), "probability": number(draw),
             "believed": number(draw)}
        if r["do"] == "strike":
            if draw(st.booleans()):
                r["from_list"] = "listed"
            else:
                r["target_class"] = draw(st.sampled_from(CLASSES))
        rules.append(r)
    d["rules"] = rules
    unless = [[], ["deal"], ["freeze"], ["deal", "freeze"]]
    if bounds.talks_threshold:
        unless.append(["deal", "freeze", "talks_progress"])
    deadlines = []
    for j in range(draw(st.integers(0, bounds.deadlines))):
        first = draw(st.integers(0, scenario.horizon_months - 1))
        last = draw(st.integers(first, scenario.horizon_months - 1))
        at = [scenario.start + dt.timedelta(days=31 * m) for m in (first, last)]
        dl = {"id": f"d{j}", "at": {"earliest": at[0].isoformat(), "latest": at[1].isoformat(), "assumption": True},
              "do": draw(st.sampled_from(["preventive_war", "strike", "sanctions_step"])),
              "count": draw(st.integers(0, 3)), "probability": number(draw), "believed": number(draw),
              "unless": draw(st.sampled_from(unless))}
        if dl["do"] == "strike":
            dl["target_class"] = draw(st.sampled_from(CLASSES))
        if "talks_progress" in dl["unless"]:
            dl["talks_progress_threshold"] = number(draw)
        deadlines.append(dl)
    d["deadlines"] = deadlines
    return Strategy.model_validate(d)

"""Hypothesis draws of strategy pieces shared by the fused kernel's identity tests (base-rate and planner)."""

from __future__ import annotations

from hypothesis import strategies as st

CLASSES = ["military", "leadership", "dual_use", "civilian_population"]


def number(draw, low: float = 0.0, high: float = 1.0) -> dict[str, object]:
    """A drawn number with its declared range, as a strategy file writes it."""
    return {"value": draw(st.floats(low, high)), "range": [low, high], "assumption": True}


def rules(draw, max_rules: int, max_count: int) -> list[dict[str, object]]:
    """Up to `max_rules` reactive rules: strikes (from the list `listed` or a class) or sanctions steps."""
    out = []
    for i in range(draw(st.integers(0, max_rules))):
        r = {"id": f"r{i}", "on": draw(st.sampled_from(["missile_test", "nuclear_test", "provocation"])),
             "do": draw(st.sampled_from(["strike", "sanctions_step"])), "count": draw(st.integers(0, max_count)),
             "per": draw(st.sampled_from(["missile", "event"])), "probability": number(draw),
             "believed": number(draw)}
        if r["do"] == "strike":
            if draw(st.booleans()):
                r["from_list"] = "listed"
            else:
                r["target_class"] = draw(st.sampled_from(CLASSES))
        out.append(r)
    return out

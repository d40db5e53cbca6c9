"""The target's best response in words and tables: when it tests, talks, freezes or invades, and why."""

from __future__ import annotations

from typing import Any

import numpy as np

from brinkmanship.adversary.exact import ExactResult, propagate
from brinkmanship.adversary.margins import (
    MARGIN_POINTS,
    MARGIN_STEPS,
    margins,
    most_likely,
    summary_line,
    value_gap,
)
from brinkmanship.adversary.planner import Decision, Solution, solve
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import ACTIONS, OUTCOMES
from brinkmanship.engine.decision import Adversary
from brinkmanship.spec import Scenario, Strategy
from brinkmanship.spec.scenario import add_months

SHOWN = 0.005  # actions and outcomes below this share are left out of the words and labels
PURE = 0.95  # a policy this sure of one action is labelled with that action alone
TOP = 3  # actions named in a mixed label and in the summary
SHOWN_TAKEN = 1e-4  # an action taken with at most this chance in a month is left out of the month's row
MAP_MONTH = 3  # month of the policy map when the strategy has no deadline
MAP_TALKS_EVERY = 4  # the policy map shows every fourth talks level
MAP_COLUMNS = 3  # the policy map shows the full and the empty list and this many cuts between, at most


def _month(scenario: Scenario, t: int) -> str:
    """Year and month of step t, as 2017-09."""
    return add_months(scenario.start, t).strftime("%Y-%m")


ACTION_WORDS = {
    "hold": "waits", "missile_test": "tests missiles", "nuclear_test": "tests a nuclear device",
    "provocation": "stages a limited provocation", "negotiate": "negotiates", "accept_deal": "accepts a deal",
    "freeze": "freezes its programme", "invade": "invades across the DMZ", "nuclear_use": "uses nuclear weapons",
}


def _label(p: np.ndarray) -> str:
    """The action(s) a policy column chooses: one name, or the mixed names with their shares."""
    order = np.argsort(-p)
    top = [i for i in order if p[i] > SHOWN]
    if len(top) == 1 or p[top[0]] > PURE:
        return ACTIONS[top[0]]
    return " / ".join(f"{ACTIONS[i]} {p[i]:.0%}" for i in top[:TOP])


def explain(scenario: Scenario, strategy: Strategy, adversary: Adversary | str = "rational",
            with_margins: bool = True, points: int = MARGIN_POINTS, steps: int = MARGIN_STEPS,
            overrides: dict[str, float] | None = None) -> dict[str, Any]:
    """Solve, propagate and describe the target's best response to `strategy` (JSON-ready).

    `overrides`: parameter values to solve with (a strategic coercer's equilibrium beliefs and execution
    probabilities; the margins search then starts from them too).

    With `with_margins`, also how close to the edge its choice is (`margins.margins`: per weight, the smallest
    move in units of its range that changes the most likely outcome, searched with `points` and `steps`).
    """
    adversary = Adversary.parse(adversary)
    c = compile_model(scenario, strategy, overrides)
    sol: Solution = solve(c, Decision.of(adversary))
    res = propagate(c, sol)
    out = describe(scenario, strategy, c, sol, res)
    if with_margins:
        m = margins(scenario, strategy, adversary, c=c, base=int(most_likely(res.outcomes)[0]), points=points,
                    steps=steps)
        out["margins"] = {**m, "summary": summary_line(m, out["value_gap"])}
    return out


def describe(scenario: Scenario, strategy: Strategy, c: Compiled, sol: Solution, res: ExactResult) -> dict[str, Any]:
    """`explain` for a solution already solved and propagated (callers that need both solve once)."""
    g = sol.grid
    k0 = int(sol.initial_state()[0][0])
    months = list(range(c.horizon))
    by_month = [
        {"month": t, "date": _month(scenario, t),
         "at_start_state": _label(sol.policy(t)[:, 0, k0, 0, g.start_index]),
         "actions_taken": {ACTIONS[a]: float(res.actions[t, 0, a]) for a in range(len(ACTIONS))
                           if res.actions[t, 0, a] > SHOWN_TAKEN}}
        for t in months
    ]
    # policy map: talks level x targets left, at the month the deadline window opens (or month 3)
    t_map = c.deadlines[0].first_month if c.deadlines else min(MAP_MONTH, c.horizon - 1)
    talks_rows = list(range(0, g.K, MAP_TALKS_EVERY))
    idx = sorted({(g.levels - 1) * j // MAP_COLUMNS for j in range(MAP_COLUMNS + 1)}, reverse=True)
    lefts = [int(g.values[i]) for i in idx]
    pol = sol.policy(t_map)
    grid_actions = [[_label(pol[:, 0, k, 0, i]) for i in idx] for k in talks_rows]
    summary = _words(strategy, res, by_month, grid_actions, talks_rows, lefts, g.list_id >= 0)
    return {
        "scenario": scenario.name, "strategy": strategy.name, "adversary": sol.decision.name,
        "method": sol.method, "settings": {k: v for k, v in sol.settings.items() if not k.startswith("_")},
        "value_at_start": float(sol.value_at_start()[0]),
        "value_gap": value_gap(sol),
        "outcomes": res.as_dict(),
        "summary": summary,
        "policy_by_month": by_month,
        "policy_map": {
            "month": t_map, "date": _month(scenario, t_map),
            "rows": [f"talks {k * dyn.TALKS_STEP:.1f}" for k in talks_rows],
            "cols": [f"{r} targets left" for r in lefts] if g.list_id >= 0 else ["no target list"],
            "action": grid_actions if g.list_id >= 0 else [[row[0]] for row in grid_actions],
        },
    }


def _words(strategy: Strategy, res: ExactResult, by_month: list[dict], grid_actions: list[list[str]],
           talks_rows: list[int], lefts: list[int], has_list: bool) -> str:
    out = res.as_dict()
    likely = max(OUTCOMES, key=lambda o: out[o])
    first = by_month[0]["at_start_state"]
    taken = res.actions[:, 0, :].sum(axis=0)
    total = taken.sum() or 1.0  # no month with an action: every share is 0
    shares = {ACTIONS[a]: taken[a] / total for a in range(len(ACTIONS))}
    top = sorted(shares, key=lambda a: -shares[a])[:TOP]
    opening = (f"Against '{strategy.name}', the target in its first month {ACTION_WORDS.get(first, first)}."
               if " " not in first else f"Against '{strategy.name}', the target starts mixed: {first}.")
    others = ", ".join(f"{o} {out[o]:.0%}" for o in OUTCOMES if out[o] >= SHOWN and o != likely)
    lines = [
        opening,
        f"Most likely ending: {likely} ({out[likely]:.0%})" + (f"; then {others}." if others else "."),
        "Over the crisis its months go mostly to: " + ", ".join(f"{a} ({shares[a]:.0%})" for a in top
                                                                if shares[a] >= SHOWN) + ".",
    ]
    if has_list:
        row0 = grid_actions[0]
        if len(set(row0)) > 1:
            lines.append(f"As the target list empties (from {lefts[0]} to {lefts[-1]} left) its choice at "
                         f"stalled talks moves from {row0[0]} to {row0[-1]}.")
        else:
            lines.append(f"The target list's depletion does not change its choice at stalled talks ({row0[0]}).")
    col0 = [row[0] for row in grid_actions]
    if len(set(col0)) > 1:
        lines.append(f"As talks advance (0 to {talks_rows[-1] * dyn.TALKS_STEP:.1f}) it moves from {col0[0]} "
                     f"to {col0[-1]}.")
    return " ".join(lines)

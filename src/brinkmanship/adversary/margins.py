"""How close to the edge the target's choice is: per weight, the smallest move (in units of its declared range)
that changes the most likely outcome, and the value gap between its best and second-best plan at the start.

The search is batched (no loop per sample): one exact evaluation of a coarse grid of moves, for every weight
and both directions at once (parameter samples of the batched planner), then a few refinement steps, each
cutting every bracket into `SPLIT` parts at once, one evaluation per step. A change that appears and disappears between two coarse points is not seen:
the answer is the first change on the coarse grid, refined to `tolerance`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from brinkmanship.adversary.planner import Solution
from brinkmanship.engine.compiled import Compiled, compile_model
from brinkmanship.engine.constants import ACTIONS, OUTCOMES
from brinkmanship.engine.decision import Adversary
from brinkmanship.engine.experiments import evaluate_experiments
from brinkmanship.spec import Scenario, Strategy

MARGIN_POINTS = 2  # coarse moves per direction: half and all of the room to the end of the range
MARGIN_STEPS = 3  # refinement steps after the coarse grid
QUICK_POINTS = 1  # the report's quicker search: each weight at the ends of its range first,
QUICK_STEPS = 2  # then two refinements (tolerance a sixteenth of the room)
SPLIT = 4  # each refinement step cuts every bracket into this many parts (evaluates SPLIT - 1 points)
DOWN, UP = 0, 1  # the two directions of a move (columns of the (P, 2) arrays)
SIGNS = np.array([-1.0, 1.0])  # the sign of a move in each direction
NO_CHANGE = -1  # label of "nothing changes within the range"
SUMMARY_EDGES = 3  # nearest edges named in the one-line summary

Classify = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _evaluate(classify: Classify, moves: np.ndarray, which: np.ndarray, sign: np.ndarray, base: int,
              live: np.ndarray) -> np.ndarray:
    """Labels of the moves (any shape) in one call; `base` where a move is not live."""
    labels = np.full(moves.shape, base, dtype=np.int64)
    if live.any():
        labels[live] = classify(which[live], (sign * moves)[live])
    return labels


def _first(points: np.ndarray, labels: np.ndarray, base: int, lo: np.ndarray, hi: np.ndarray,
           to: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first changing point along the last axis: (found, new lo, new hi, its label)."""
    changed = labels != base
    found = changed.any(axis=-1)
    first = np.argmax(changed, axis=-1)[..., None]
    before = np.maximum(first - 1, 0)
    new_hi = np.where(found, np.take_along_axis(points, first, axis=-1)[..., 0], hi)
    new_lo = np.where(found & (first[..., 0] > 0), np.take_along_axis(points, before, axis=-1)[..., 0],
                      np.where(found, lo, points[..., -1]))
    new_to = np.where(found, np.take_along_axis(labels, first, axis=-1)[..., 0], to)
    return found, new_lo, new_hi, new_to


def first_change(classify: Classify, room: np.ndarray, base: int, points: int = MARGIN_POINTS,
                 steps: int = MARGIN_STEPS, split: int = SPLIT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For P weights and both directions, the smallest move that changes `classify`'s label from `base`.

    `classify(which, move)` labels n moved points at once: weight `which[i]` (an index < P) moved by `move[i]`
    (signed, in units of its range), every other weight at its value. `room` (P, 2) is how far each weight can
    move down and up (>= 0). A coarse grid of `points` moves per direction finds the first change; `steps`
    refinements then cut each bracket into `split` parts. Returns `moves` (P, 2): the size of the smallest
    changing move found (NaN where none within the room); `tolerance` (P, 2): the width of the final bracket
    (the first change lies within `tolerance` below `moves`), room / (points * split**steps); and `to` (P, 2):
    the label at that move (`NO_CHANGE` where none). Cost: 1 + `steps` calls of `classify`, the first with
    2 P `points` moves, the others with (split - 1) moves per bracket found.
    """
    room = np.asarray(room, dtype=float)
    sign = SIGNS[None, :, None]
    which = np.arange(room.shape[0])[:, None, None]
    grid = room[:, :, None] * (np.arange(1, points + 1) / points)[None, None, :]  # (P, 2, points)
    shape = grid.shape
    labels = _evaluate(classify, grid, np.broadcast_to(which, shape), np.broadcast_to(sign, shape), base, grid > 0)
    start = np.zeros(room.shape)
    found, lo, hi, to = _first(grid, labels, base, start, start, np.full(room.shape, NO_CHANGE, dtype=np.int64))
    inner = np.arange(1, split) / split
    for _ in range(steps):  # one batched evaluation per step, every bracket at once
        cut = lo[:, :, None] + (hi - lo)[:, :, None] * inner[None, None, :]  # (P, 2, split - 1)
        live = np.broadcast_to(found[:, :, None], cut.shape)
        labels = _evaluate(classify, cut, np.broadcast_to(which, cut.shape), np.broadcast_to(sign, cut.shape),
                           base, live)
        got, new_lo, new_hi, new_to = _first(cut, labels, base, lo, hi, to)
        lo = np.where(found, np.where(got, new_lo, cut[:, :, -1]), lo)
        hi = np.where(found & got, new_hi, hi)
        to = np.where(found & got, new_to, to)
    moves = np.where(found, hi, np.nan)
    tolerance = np.where(found, hi - lo, np.nan)
    return moves, tolerance, np.where(found, to, NO_CHANGE)


def weight_names(c: Compiled) -> list[str]:
    """The weights whose margins are searched: the scenario's `adversary.*` numbers and each rule's and
    deadline's `believed` credibility."""
    names = [k for k in c.ranges if k.startswith("adversary.")]
    return names + [r.believed for r in c.rules] + [d.believed for d in c.deadlines]


def most_likely(probs: np.ndarray) -> np.ndarray:
    """Index of the most likely outcome per row of (n, outcomes) probabilities (the first on a tie)."""
    return np.argmax(probs, axis=1)


def margins(scenario: Scenario, strategy: Strategy, adversary: Adversary | str = "rational",
            c: Compiled | None = None, base: int | None = None, points: int = MARGIN_POINTS,
            steps: int = MARGIN_STEPS) -> dict[str, Any]:
    """Per weight, the smallest move (units of its declared range, signed) that changes the most likely outcome.

    `c` is the compiled pair and `base` the index of its most likely outcome, when the caller has them. Weights
    with no room (a value at both ends of its range) are not moved. JSON-ready.
    """
    c = c if c is not None else compile_model(scenario, strategy)
    names = weight_names(c)
    low, high, value = np.array([c.ranges[k] for k in names]).T
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    room = np.where(width[:, None] > 0, np.stack([(value - low) / safe, (high - value) / safe], axis=1), 0.0)

    def classify(which: np.ndarray, move: np.ndarray) -> np.ndarray:
        n = which.size
        x = np.broadcast_to(value, (n, len(names))).copy()
        x[np.arange(n), which] = np.clip(value[which] + move * width[which], low[which], high[which])
        res = evaluate_experiments(scenario, strategy, {k: x[:, j] for j, k in enumerate(names)},
                                   np.arange(n), 1, 0, adversary)
        return most_likely(np.stack([res[o] for o in OUTCOMES], axis=1))

    if base is None:
        base = int(classify(np.zeros(1, dtype=np.int64), np.zeros(1))[0])
    moves, tol, to = first_change(classify, room, base, points, steps, SPLIT)
    rows = []
    for j, k in enumerate(names):
        down, up = moves[j, DOWN], moves[j, UP]
        pick = None if np.isnan(down) and np.isnan(up) else (UP if np.isnan(down) or up <= down else DOWN)
        rows.append({
            "name": k, "value": float(value[j]), "range": [float(low[j]), float(high[j])],
            "down": None if np.isnan(down) else -float(down), "up": None if np.isnan(up) else float(up),
            "down_to": None if np.isnan(down) else OUTCOMES[int(to[j, DOWN])],
            "up_to": None if np.isnan(up) else OUTCOMES[int(to[j, UP])],
            "margin": None if pick is None else float(moves[j, pick]) * (1 if pick == UP else -1),
            "tolerance": None if pick is None else float(tol[j, pick]),
            "changes_to": None if pick is None else OUTCOMES[int(to[j, pick])],
            "at_value": None if pick is None else float(
                np.clip(value[j] + (1 if pick == UP else -1) * moves[j, pick] * width[j], low[j], high[j])),
        })
    rows.sort(key=lambda r: (r["margin"] is None, abs(r["margin"] or 0.0)))
    return {"most_likely": OUTCOMES[base], "method": "coarse grid, then brackets refined, batched over weights",
            "settings": {"points": points, "steps": steps, "split": SPLIT, "unit": "share of the declared range",
                         "tolerance": 1.0 / (points * SPLIT ** steps)},
            "weights": rows}


def value_gap(sol: Solution) -> dict[str, Any]:
    """The target's best and second-best plan at the start: action values in month 0 at the starting state
    (first parameter sample), their gap in utility units and relative to the best value's size."""
    ev = sol.evaluator(0).month_values()
    k0, m0, r0 = sol.initial_state()
    q = np.where(ev.mask, ev.Q, -np.inf)[:, 0, int(k0[0]), m0, r0]
    order = np.argsort(-q, kind="stable")
    best, second = int(order[0]), int(order[1])
    gap = float(q[best] - q[second])
    scale = abs(float(q[best]))
    return {"best": ACTIONS[best], "best_value": float(q[best]), "second": ACTIONS[second],
            "second_value": float(q[second]), "gap": gap, "relative": gap / scale if scale > 0 else None}


def summary_line(m: dict[str, Any], gap: dict[str, Any] | None = None, top: int = SUMMARY_EDGES) -> str:
    """One sentence: the nearest edges (weight, signed move, new outcome) and the value gap."""
    near = [w for w in m["weights"] if w["margin"] is not None][:top]
    if near:
        edges = "; ".join(f"{w['name']} {w['margin']:+.2f} of its range (to {w['at_value']:.3g}) gives "
                          f"{w['changes_to']}" for w in near)
        text = f"Most likely ending {m['most_likely']}; the nearest edges: {edges}."
    else:
        text = f"Most likely ending {m['most_likely']}; no single weight changes it within its range."
    if gap is not None:
        rel = "" if gap["relative"] is None else f" ({gap['relative']:.2%} of its value)"
        text += f" At the start {gap['best']} beats {gap['second']} by {gap['gap']:.3g} utility units{rel}."
    return text


def strategy_margins(scenario: Scenario, strategies: list[Strategy], adversary: Adversary | str = "rational",
                     points: int = QUICK_POINTS, steps: int = QUICK_STEPS) -> dict[str, dict[str, Any]]:
    """For each strategy: its margins, the value gap at the start and the one-line summary (the report's input;
    by default the quicker search, which looks at the ends of each range first and so can miss an edge that a
    weight crosses and crosses back within its range)."""
    from brinkmanship.adversary.exact import propagate
    from brinkmanship.adversary.planner import Decision, solve

    adversary = Adversary.parse(adversary)
    out = {}
    for st in strategies:  # one batched search per strategy (strategies compile to different models)
        c = compile_model(scenario, st)
        sol = solve(c, Decision.of(adversary))
        base = int(most_likely(propagate(c, sol).outcomes)[0])
        m = margins(scenario, st, adversary, c=c, base=base, points=points, steps=steps)
        gap = value_gap(sol)
        out[st.name] = {**m, "value_gap": gap, "summary": summary_line(m, gap)}
    return out

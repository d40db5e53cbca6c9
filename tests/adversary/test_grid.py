"""The planner's grid tracks targets left on the list as one number; the simulator tracks them by class."""

from __future__ import annotations

import numpy as np

from brinkmanship.adversary.grid import Grid
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model


def _paths(grid: Grid, sizes: list[int]):
    """Every sequence of strikes (amounts in `sizes`) from the full list, as the simulator allocates them."""
    out = []
    frontier = [(grid.composition.copy(), ())]
    while frontier:
        left, path = frontier.pop()
        for s in sizes:
            if left.sum() == 0:
                continue
            order = dyn.strike_order(grid.composition)
            alloc = dyn.allocate_strikes(np.minimum([s], left.sum()), left[:, None], order)[:, 0]
            nxt = left - alloc
            out.append((nxt, (*path, s), alloc))
            if len(path) < 4:
                frontier.append((nxt, (*path, s)))
    return out


def test_reachable_values_cover_every_simulated_strike_sequence(korea, strategies):
    c = compile_model(korea, strategies["let-deterrence-fail"])
    g = Grid.of(c)
    sizes = sorted({2 * int(s) for s in c.salvo_sizes})  # two targets per missile launched
    for left, path, _ in _paths(g, sizes):
        assert int(left.sum()) in set(g.values.tolist()), path


def test_simulated_class_split_is_the_grids(korea, strategies):
    c = compile_model(korea, strategies["let-deterrence-fail"])
    g = Grid.of(c)
    by_class = g.left_by_class()
    sizes = sorted({2 * int(s) for s in c.salvo_sizes})
    bad = []
    for left, path, _ in _paths(g, sizes):
        want = by_class[:, g.level_of(np.array([left.sum()]))[0]]
        if not np.array_equal(left, want):
            bad.append((path, left[:2].tolist(), want[:2].tolist()))
    assert not bad, f"{len(bad)} strike sequences disagree, e.g. {bad[:3]}"

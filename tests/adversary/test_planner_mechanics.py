"""The planner's mechanics that change time and memory, never numbers: the talks lottery and the evidence move
as gathers, the backward pass in blocks of samples, kept responses held once, and a decision model asked only
where mass is."""

from __future__ import annotations

import numpy as np
import pytest

from brinkmanship.adversary import planner
from brinkmanship.adversary.exact import _Policy
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import Month, Strike, talks_matrix, talks_pull, talks_push
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import Action
from brinkmanship.engine.decision import BaseRatePolicy

SHORT = 8  # months: the deadline window (from month 4) and strikes on the list are inside
SHIFTS = [1.5, -0.25, 0.0, -30.0, 2.9999999999, np.array([0.3, -2.7, 5.0])]


@pytest.mark.parametrize("shift", SHIFTS, ids=[str(s) for s in range(len(SHIFTS))])
def test_talks_gathers_are_the_lottery_matrix(shift):
    """Pull and push equal the (n, K, K) matrix products to rounding (a BLAS product may fuse a multiply-add)."""
    rng = np.random.default_rng(0)
    n, K = 3, 21
    V = rng.normal(size=(n, K, 7, 5))
    delta = np.array([0.9, 0.95, 0.99])
    P = talks_matrix(shift, K, n)
    pulled = np.einsum("ikj,ijx->ikx", P * delta[:, None, None], V.reshape(n, K, -1)).reshape(V.shape)
    pushed = np.einsum("ikj,ikx->ijx", P, V.reshape(n, K, -1)).reshape(V.shape)
    np.testing.assert_allclose(talks_pull(V, shift, delta), pulled, rtol=0, atol=1e-14)
    np.testing.assert_allclose(talks_push(V, shift), pushed, rtol=0, atol=1e-14)
    assert np.allclose(talks_push(V, shift).sum(axis=1), V.sum(axis=1))  # mass is kept


def test_evidence_move_by_gathers_equals_the_sparse_operator_bit_for_bit(korea, strategies):
    c = compile_model(korea, strategies["let-deterrence-fail"])
    g = Grid.of(c)
    assert g.B > 1
    rng = np.random.default_rng(1)
    values = rng.normal(size=(2, 3, 4, g.R))
    dest = g.r_map(2, True, to_status=1)
    for shift in (None, np.full((1, g.R), 0.4), np.full((1, g.R), -1.7), np.full((1, g.R), 9.0)):
        op = g.move_operator(dest, shift)
        want = (op @ values.reshape(-1, g.R).T).T.reshape(values.shape)
        assert np.array_equal(g.pull(values, dest, shift), want)
        _, w_first, _, w_second = g.move_weights(dest, shift)
        assert np.allclose(w_first + w_second, 1.0)
    assert g.pull(values, dest, np.full((2, g.R), 0.4)) is None  # a split per sample: the caller's path


def test_blocks_of_samples_solve_like_one_batch(korea, strategies, monkeypatch):
    """Five samples solved in blocks of two: the same values, packed policies and kept responses, bit for bit."""
    short = korea.model_copy(update={"horizon_months": SHORT})
    c = compile_model(short, strategies["let-deterrence-fail"],
                      {"adversary.discount": np.linspace(0.9, 0.99, 5), "adversary.war_cost": np.linspace(20, 60, 5)})
    whole = planner.solve(c)
    monkeypatch.setattr(planner, "SOLVE_CELLS", 2 * Grid.of(c).size)
    assert planner.solve_block(Grid.of(c).size) == 2
    blocks = planner.solve(c)
    for t in range(c.horizon + 1):
        assert np.array_equal(whole.V[t], blocks.V[t])
    for name in ("_packed", "_responses"):
        assert whole.settings[name].keys() == blocks.settings[name].keys()
        for key, bits in whole.settings[name].items():
            assert np.array_equal(bits, blocks.settings[name][key]), (name, key)


def test_a_tabulated_solve_keeps_the_tables_of_the_untabulated_one_and_no_values(korea, strategies, monkeypatch):
    """Five samples in blocks of two, the kernel's tables built block by block within the solve: the same tables,
    packed policies and kept responses as tabulating the whole solve after it, every month's values dropped (and
    the same when solved again), the same exact propagation."""
    from brinkmanship.adversary.exact import propagate
    from brinkmanship.adversary.model import _BlockTables, _month_tables

    short = korea.model_copy(update={"horizon_months": SHORT})
    c = compile_model(short, strategies["let-deterrence-fail"],
                      {"adversary.discount": np.linspace(0.9, 0.99, 5), "adversary.war_cost": np.linspace(20, 60, 5)})
    whole = planner.solve(c)
    want = _month_tables(whole)
    monkeypatch.setattr(planner, "SOLVE_CELLS", 2 * Grid.of(c).size)
    tables = _BlockTables(5)
    tabulated = planner.solve(c, tabulate=tables)
    assert tabulated.V is None
    got = _month_tables(tabulated, tables.arrays)
    assert len(got) == len(want) == 7
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.shares_memory(got[0], tabulated.settings["_packed"][3])  # the bits held once
    for key, bits in whole.settings["_responses"].items():
        assert np.array_equal(bits, tabulated.settings["_responses"][key]), key
    a, b = propagate(c, whole), propagate(c, tabulated)
    assert np.array_equal(a.outcomes, b.outcomes) and np.array_equal(a.timeline, b.timeline)
    assert all(np.array_equal(x, y) for x, y in zip(tabulated.values(), whole.V, strict=True))


def test_only_a_fused_kernel_request_tabulates(korea, strategies):
    """A typed rational target keeps the kernel's tables (no values) where the fused kernel simulates, and the
    values where the NumPy reference does (it reads them: no second backward pass)."""
    from brinkmanship._api.verbs import _typed_model
    from brinkmanship.adversary.types import prior_types
    from brinkmanship.engine.decision import Adversary

    short = korea.model_copy(update={"horizon_months": SHORT})
    c = compile_model(short, strategies["let-deterrence-fail"])
    types = prior_types(short, 2)
    fused = _typed_model(Adversary(kind="rational"), types, "fused").solution(c)
    assert fused.V is None and planner.TABLES in fused.settings
    reference = _typed_model(Adversary(kind="rational"), types, "numpy").solution(c)
    assert reference.V is not None and planner.TABLES not in reference.settings
    assert all(np.array_equal(a, b) for a, b in zip(fused.values(), reference.V, strict=True))


def test_kept_responses_that_repeat_are_one_array(korea, strategies):
    short = korea.model_copy(update={"horizon_months": SHORT})
    c = compile_model(short, strategies["let-deterrence-fail"], {"adversary.discount": np.array([0.95, 0.97])})
    kept = planner.solve(c).settings["_responses"]
    distinct = {id(b) for b in kept.values()}
    assert len(distinct) < len(kept)
    for a in kept.values():  # held once: arrays that are equal are the same array
        for b in kept.values():
            assert (a is b) == np.array_equal(a, b)


def test_a_decision_model_asked_only_where_mass_is(korea, strategies):
    """Actions and responses read at a support of cells equal the whole grid's there, and are 0 elsewhere."""
    c = compile_model(korea, strategies["let-deterrence-fail"])
    g = Grid.of(c)
    paths = dyn.policy_paths(c)
    rng = np.random.default_rng(2)
    cells = np.sort(rng.choice(2 * g.size, 40, replace=False))
    model = BaseRatePolicy()
    full, some = _Policy(c, g, 2, model, paths), _Policy(c, g, 2, model, paths, cells)
    for p in (full, some):
        p.start(5)
    a_full, a_some = full.actions().reshape(9, -1), some.actions().reshape(9, -1)
    assert np.array_equal(a_some[:, cells], a_full[:, cells])
    assert not np.delete(a_some, cells, axis=1).any()
    month = Month(c, g, 5, 2, False, paths)
    strike = next(b for b in month.action_branches(Action.MISSILE_TEST) if isinstance(b, Strike) and b.listed)
    r_full, r_some = full.responses(month, strike).reshape(3, -1), some.responses(month, strike).reshape(3, -1)
    assert np.array_equal(r_some[:, cells], r_full[:, cells])

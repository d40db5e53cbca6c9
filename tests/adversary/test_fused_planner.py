"""The fused kernel with a rational planner target (`PlannerModel.policy_tables`) against the NumPy reference:
the same bits on the packaged strategies (one type and a prior of types, learned credibility or fixed), on
generated strategies the planner accepts, whatever the chunk size or thread count; the explicit fallback for
a logit target and for a grid factor the kernel does not read."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.adversary import model as planner_model
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.adversary.planner import Decision
from brinkmanship.adversary.types import prior_types
from brinkmanship.engine import fused
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.decision import PolicyTables
from brinkmanship.engine.simulate import OUTCOME_FIELDS, simulate
from brinkmanship.spec import Strategy
from strategy_draws import CLASSES, number
from strategy_draws import rules as draw_rules

pytest.importorskip("numba", reason="the fused kernel needs numba (a project dependency)")

FLAGSHIP = ["let-deterrence-fail", "maximum-pressure", "freeze-for-freeze", "limited-strike", "engagement"]
TYPES = 8  # a few prior types: every run draws one, so strikes, responses and all the grid's factors occur


def same(a, b) -> None:
    """Identical outcome arrays, monthly tallies and transitions."""
    for k in OUTCOME_FIELDS:
        assert a.outcomes[k].dtype == b.outcomes[k].dtype, k
        assert np.array_equal(a.outcomes[k], b.outcomes[k]), k
    for k in ("outcome_counts", "warheads_q", "action_counts"):
        assert np.array_equal(a.timeline[k], b.timeline[k]), k
    for k, v in a.timeline.get("credibility", {}).items():
        assert np.array_equal(v, b.timeline["credibility"][k], equal_nan=True), k
    assert np.array_equal(a.transitions, b.transitions)


def typed_runs(scenario, strategy, model: PlannerModel, runs: int, seed: int, kernel: str, **kw):
    """Simulate with each run's type drawn as `brink compare` does (`Types.draw`, per-run overrides)."""
    types = model.types
    overrides = types.per_run(types.draw(seed, runs)) if types is not None else None
    return simulate(scenario, strategy, runs=runs, seed=seed, adversary=model, overrides=overrides, kernel=kernel,
                    **kw)


@pytest.fixture(scope="module")
def typed(korea) -> PlannerModel:
    return PlannerModel(Decision(), prior_types(korea, TYPES))


@pytest.mark.parametrize("name", FLAGSHIP)
def test_fused_equals_numpy_for_a_rational_target_with_types(korea, strategies, typed, name):
    a = typed_runs(korea, strategies[name], typed, 2000, 11, "numpy")
    b = typed_runs(korea, strategies[name], typed, 2000, 11, "fused")
    assert (a.extra["kernel"], b.extra["kernel"]) == ("numpy", "fused")
    same(a, b)
    if name in ("let-deterrence-fail", "limited-strike"):  # the responses after strikes are exercised
        assert sum(b.outcomes[k].sum() for k in OUTCOME_FIELDS if k.startswith("strikes_")) > 0


@pytest.mark.parametrize("name", FLAGSHIP)
def test_fused_equals_numpy_for_the_point_rational_target(korea, strategies, name):
    fixed = korea.model_copy(update={"credibility": None})
    for scenario in (korea, fixed):  # learned credibility (evidence factor) or fixed
        a = simulate(scenario, strategies[name], runs=1500, seed=3, adversary="rational", kernel="numpy")
        b = simulate(scenario, strategies[name], runs=1500, seed=3, adversary="rational", kernel="fused")
        assert b.extra["kernel"] == "fused"
        same(a, b)


def test_the_tables_hold_the_policy_and_the_grid_strides(korea, strategies, typed):
    """The tables are the planner's own numbers: its policy bits at a state, its grid's strides."""
    c = compile_model(korea, strategies["let-deterrence-fail"])
    model = PlannerModel(Decision())
    tables = model.policy_tables(c)
    assert isinstance(tables, PolicyTables)
    sol = model.solution(c)
    g = sol.grid
    assert (tables.done_block, tables.evidence_block, tables.evidence_levels) == (g.levels, g.evidence_block, g.B)
    assert tables.chosen.shape == (c.horizon, 1, *g.shape)
    pol = sol.policy(5)
    k, m, j = 10, 3, g.index(left=g.levels - 1, evidence=1)
    best = np.flatnonzero(pol[:, 0, k, m, j] > 0)
    assert [a for a in range(pol.shape[0]) if tables.chosen[5, 0, k, m, j] >> a & 1] == list(best)
    # the strike rules' events have slots; provocations bring no strikes under this strategy
    assert tables.absorb_slot[0, 0] >= 0 and tables.absorb_slot[1, 0] >= 0 and tables.absorb_slot[2, 0] == -1
    assert np.array_equal(tables.absorb[tables.absorb_slot[0, 0], 7], sol.evaluator(7).G((
        planner_model.TALKS_MOVE_OF_EVENT[0], 1, 0)))


def test_rational_results_do_not_depend_on_chunk_size_or_threads(korea, strategies, typed):
    import numba

    st_ = strategies["let-deterrence-fail"]
    ref = typed_runs(korea, st_, typed, 2500, 21, "numpy", chunk_size=1_000)
    for chunk in (1_000, 100_000, 1_000_000):
        same(ref, typed_runs(korea, st_, typed, 2500, 21, "fused", chunk_size=chunk))
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            same(ref, typed_runs(korea, st_, typed, 2500, 21, "fused"))
    finally:
        numba.set_num_threads(before)


# -- generated strategies the planner accepts (one target list, at most one deadline, no talks threshold) ----

@st.composite
def plannable(draw, korea, base: Strategy) -> Strategy:
    """Drawn levers, rules (strikes from one finite list or a class, sanctions steps) and at most one deadline."""
    d = base.model_dump(mode="json", exclude_none=True, by_alias=True)
    d["name"] = "generated"
    d.pop("phases", None)
    lv = d["levers"]
    lv["talks"] = {"channel": draw(st.sampled_from(["none", "coercer-led", "multilateral"])), "offer": number(draw)}
    lv["sanctions"] = {"mode": draw(st.sampled_from(["freeze", "escalate", "relax"]))}
    lv["posture"] = {"target": number(draw), "ramp_months": draw(st.integers(0, 12))}
    counts = draw(st.lists(st.integers(0, 6), min_size=4, max_size=4).filter(lambda c: sum(c) > 0))
    d["target_lists"] = {"listed": {"size": sum(counts),
                                    "classes": {c: n for c, n in zip(CLASSES, counts, strict=True) if n}}}
    d["rules"] = draw_rules(draw, 3, 3)
    d["deadlines"] = []
    if draw(st.booleans()):
        first = draw(st.integers(0, korea.horizon_months - 1))
        last = draw(st.integers(first, korea.horizon_months - 1))
        at = [korea.start + dt.timedelta(days=31 * m) for m in (first, last)]
        dl = {"id": "d0", "at": {"earliest": at[0].isoformat(), "latest": at[1].isoformat(), "assumption": True},
              "do": draw(st.sampled_from(["preventive_war", "strike", "sanctions_step"])),
              "count": draw(st.integers(0, 3)), "probability": number(draw), "believed": number(draw)}
        if dl["do"] == "strike":
            dl["target_class"] = draw(st.sampled_from(CLASSES))
        d["deadlines"] = [dl]
    return Strategy.model_validate(d)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), seed=st.integers(0, 2**40))
def test_fused_equals_numpy_for_a_rational_target_on_generated_strategies(korea, strategies, typed, data, seed):
    fixed = korea.model_copy(update={"credibility": None})
    scenario = korea if data.draw(st.booleans()) else fixed
    strategy = data.draw(plannable(scenario, strategies[data.draw(st.sampled_from(FLAGSHIP))]))
    model = typed if data.draw(st.booleans()) else PlannerModel(Decision())
    runs = data.draw(st.integers(1, 400))
    b = typed_runs(scenario, strategy, model, runs, seed, "fused")
    assert b.extra["kernel"] == "fused"
    same(typed_runs(scenario, strategy, model, runs, seed, "numpy"), b)


# -- fallback ----------------------------------------------------------------------------------------------

def test_a_logit_target_falls_back_and_says_so(korea, strategies):
    res = simulate(korea, strategies["limited-strike"], runs=300, seed=1, adversary="logit:2", kernel="fused")
    assert res.extra["kernel"] == "numpy" and "logit" in res.extra["kernel_fallback"]
    same(res, simulate(korea, strategies["limited-strike"], runs=300, seed=1, adversary="logit:2", kernel="numpy"))


def test_a_grid_factor_the_kernel_does_not_read_falls_back(korea, strategies, monkeypatch):
    """A grid that grows a factor (as a status factor would) sends the rational target to the reference until
    the kernel reads that factor: here the evidence factor `B` is declared unknown to the kernel."""
    st_ = strategies["let-deterrence-fail"]
    c = compile_model(korea, st_)
    model = PlannerModel(Decision())
    assert fused.unsupported(c, model) is None
    monkeypatch.setattr(planner_model, "KERNEL_GRID_FIELDS", planner_model.KERNEL_GRID_FIELDS - {"B"})
    why = fused.unsupported(c, model)
    assert why is not None and "B" in why
    res = simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="fused")
    assert res.extra["kernel"] == "numpy" and res.extra["kernel_fallback"] == why
    same(res, simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="numpy"))


def test_tables_over_the_memory_limit_fall_back(korea, strategies):
    """The kernel's tables are built only when they fit the request's memory limit beside the planner's solve;
    otherwise the reference runs (it needs no tables), and says why."""
    from brinkmanship.adversary.budget import kernel_tables_memory, planner_memory
    from brinkmanship.adversary.grid import Grid

    st_ = strategies["let-deterrence-fail"]
    c = compile_model(korea, st_)
    solve_only = planner_memory(c, 1, True)
    tables = kernel_tables_memory(float(Grid.of(c).size), c.horizon, 2)  # strikes after missile and nuclear tests
    limit = int(solve_only + tables / 2)
    model = PlannerModel(Decision())
    res = simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="fused", max_memory=limit)
    assert res.extra["kernel"] == "numpy" and "memory limit" in res.extra["kernel_fallback"]
    ok = simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="fused", max_memory=int(solve_only + tables))
    assert ok.extra["kernel"] == "fused"
    same(res, ok)

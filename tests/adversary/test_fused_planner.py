"""The fused kernel with a rational planner target (`PlannerModel.policy_tables`) against the NumPy reference:
the same bits on the packaged strategies (one type and a prior of types, learned credibility or fixed), with a
drawn policy that visits every status of breakable endings, on generated strategies the planner accepts, whatever
the chunk size or thread count; the explicit fallback for a logit target, for a grid factor the kernel does not
read and for tables over the memory limit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from brinkmanship.adversary import model as planner_model
from brinkmanship.adversary.model import PlannerModel
from brinkmanship.adversary.planner import Decision
from brinkmanship.adversary.types import prior_types
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine import fused
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import N_ACTIONS, Action, Phase, Status
from brinkmanship.engine.decision import PolicyTables
from brinkmanship.engine.simulate import OUTCOME_FIELDS, simulate
from brinkmanship.spec import Strategy
from strategy_draws import PLANNER, drawn_strategy

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
    if name == "let-deterrence-fail":  # the responses after strikes are exercised (under limited-strike the
        # rational types freeze before its strike falls due, and its `unless` then holds it back)
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
    assert g.S == len(Status) and tables.status_block == g.status_block == g.D * g.levels  # breakable endings
    assert list(tables.status_level) == list(range(g.S))
    assert tables.chosen.shape == (c.horizon, 1, *g.shape)
    pol = sol.policy(5)
    k, m, j = 10, 3, g.index(left=g.levels - 1, evidence=1)
    best = np.flatnonzero(pol[:, 0, k, m, j] > 0)
    assert [a for a in range(pol.shape[0]) if tables.chosen[5, 0, k, m, j] >> a & 1] == list(best)
    # the strike rules' events have slots; provocations bring no strikes under this strategy
    assert tables.absorb_slot[0, 0] >= 0 and tables.absorb_slot[1, 0] >= 0 and tables.absorb_slot[2, 0] == -1
    # after a test the status is open: the values are kept at the open states only
    G = sol.evaluator(7).G((planner_model.TALKS_MOVE_OF_EVENT[0], 1, 0))
    open_states = np.flatnonzero(g.status == Status.OPEN)
    assert np.array_equal(tables.absorb_tested[tables.absorb_slot[0, 0], 7], G[..., open_states])
    assert np.array_equal(tables.tested_index[open_states], np.arange(open_states.size))
    assert (np.delete(tables.tested_index, open_states) == -1).all()


# -- every status visited: a drawn policy in place of the solved one ------------------------------------------

# the chance that each action (engine.constants.Action order) is among a state's drawn best actions: mostly
# peaceful, so runs live long enough to freeze, break the freeze, sign, renege and disarm
DRAWN_CHANCE = np.array([0.5, 0.25, 0.1, 0.15, 0.3, 0.3, 0.3, 0.01, 0.005])


def draw_policy(model: PlannerModel, c, seed: int) -> np.ndarray:
    """Replace `model`'s solved policy for `c` by drawn sets of best actions (each action in with its chance in
    `DRAWN_CHANCE`, only actions open in the state's status; hold where none is drawn), kept as the solve keeps a
    rational policy (packed bits), so that the reference and the kernel both read it. The solved policy freezes
    and keeps its freeze under every packaged strategy; the drawn one visits every status (a freeze broken, a
    deal reneged on or carried out) and so every status block of the tables. Returns the bits (H, T, K, M, R)."""
    sol = model.solution(c)
    g = sol.grid
    rng = np.random.default_rng(seed)
    bits = np.zeros((c.horizon, sol.n, *g.shape), dtype=np.uint16)
    open_in_status = dyn.status_actions()[g.status]  # (R, A)
    none = np.ones(bits.shape, dtype=bool)
    for a in range(N_ACTIONS - 1, -1, -1):
        chosen = (rng.random(bits.shape) < DRAWN_CHANCE[a]) & open_in_status[:, a]
        if a == Action.HOLD:  # hold is open in every status
            chosen |= none
        none &= ~chosen
        bits |= chosen.astype(np.uint16) << a
    sol.settings.update(_packed=dict(enumerate(bits)), _policies={})
    for key in ("_unpacked", "_kernel_tables"):
        sol.settings.pop(key, None)
    return bits


def everywhere(strategies) -> Strategy:
    """let-deterrence-fail with strikes in every status: a provocation (which breaks no freeze or deal) brings a
    listed strike, and the deadline strikes whatever the status (no `unless`)."""
    d = strategies["let-deterrence-fail"].model_dump(mode="json", exclude_none=True, by_alias=True)
    d["name"] = "strikes-in-every-status"
    d["rules"].append({"id": "per-provocation", "on": "provocation", "do": "strike", "from_list": "high_value",
                       "count": 1, "per": "event", "probability": {"value": 0.8, "range": [0.5, 1.0],
                                                                   "assumption": True},
                       "believed": {"value": 0.5, "range": [0.1, 0.9], "assumption": True}})
    d["deadlines"][0].update({"unless": [], "do": "strike", "target_class": "military", "count": 2})
    return Strategy.model_validate(d)


@pytest.mark.parametrize("types", [1, 2])
def test_fused_equals_numpy_in_every_status(korea, strategies, types):
    """With a drawn policy runs freeze, break the freeze, sign, renege, disarm and are struck in each status: the
    kernel reads the status factor where the reference does (the action at the month's status, the value of
    absorbing at the status after the month's test), the same bits."""
    st_ = everywhere(strategies)
    model = PlannerModel(Decision(), prior_types(korea, types)) if types > 1 else PlannerModel(Decision())
    bits = draw_policy(model, compile_model(korea, st_), 5)
    a = typed_runs(korea, st_, model, 1500, 17, "numpy")
    b = typed_runs(korea, st_, model, 1500, 17, "fused")
    assert (a.extra["kernel"], b.extra["kernel"]) == ("numpy", "fused")
    assert np.array_equal(model.solution(compile_model(korea, st_)).settings["_kernel_tables"][0], bits)
    same(a, b)
    tr, status = b.transitions, np.bincount(b.outcomes["final_status"], minlength=len(Status))
    opened = [Phase.CRISIS, Phase.PEACE]
    assert tr[Phase.FREEZE, opened].sum() > 0 and tr[Phase.DEAL, opened].sum() > 0  # freezes broken, deals reneged
    assert (status > 0).all()  # every status at the end, disarmed too
    struck = sum(b.outcomes[k] for k in OUTCOME_FIELDS if k.startswith("strikes_")) > 0
    assert struck.sum() > 0


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


# -- generated strategies the planner accepts (tests/strategy_draws.py: one target list, at most one deadline) --

@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), seed=st.integers(0, 2**40))
def test_fused_equals_numpy_for_a_rational_target_on_generated_strategies(korea, strategies, typed, data, seed):
    fixed = korea.model_copy(update={"credibility": None})
    scenario = korea if data.draw(st.booleans()) else fixed
    strategy = data.draw(drawn_strategy(scenario, strategies[data.draw(st.sampled_from(FLAGSHIP))], PLANNER))
    model = PlannerModel(Decision(), typed.types) if data.draw(st.booleans()) else PlannerModel(Decision())
    if data.draw(st.booleans()):  # a drawn policy: every status visited (the solved one mostly freezes at once)
        draw_policy(model, compile_model(scenario, strategy), seed)
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
    """A grid with a factor the kernel does not read (here the status factor, as if the kernel had been written
    before it: the case of a factor added to `Grid` later) sends the rational target to the reference, which
    says why."""
    st_ = strategies["let-deterrence-fail"]
    c = compile_model(korea, st_)
    model = PlannerModel(Decision())
    monkeypatch.setattr(planner_model, "KERNEL_GRID_FIELDS", planner_model.KERNEL_GRID_FIELDS - {"S"})
    why = fused.unsupported(c, model)
    assert why is not None and "S" in why
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
    g = Grid.of(c)
    tables = kernel_tables_memory(float(g.size), c.horizon, 0, 2, g.S)  # strikes after missile and nuclear tests
    model = PlannerModel(Decision())
    res = simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="fused", max_memory=int(solve_only + tables / 2))
    assert res.extra["kernel"] == "numpy" and "memory limit" in res.extra["kernel_fallback"]
    ok = simulate(korea, st_, runs=300, seed=2, adversary=model, kernel="fused", max_memory=int(solve_only + tables))
    assert ok.extra["kernel"] == "fused"
    same(res, ok)

"""The simulator's rational adversary (`PlannerModel`) reads the solved planner exactly.

In the simulator the planner is a `DecisionModel`: it sees each run's observation (after this month's
strikes, when it must respond to them) and must give the same action and response probabilities as the
Solution that the exact forward propagation uses. Deterministic: no sampling.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from brinkmanship.adversary import planner_model
from brinkmanship.adversary.kernel import Strike
from brinkmanship.engine.compiled import compile_model
from brinkmanship.engine.constants import CIV, MISSILE, NUCLEAR_TEST, PROVOCATION
from brinkmanship.engine.decision import Observation, StrikeInfo
from brinkmanship.spec import load_strategy

CASES = [("let-deterrence-fail", "rational"), ("let-deterrence-fail", "logit:0.05"),
         ("limited-strike", "rational"), ("limited-strike", "logit:0.05")]

RESPONSE_CASES = CASES


def post_strike_observation(sol, t: int, b: Strike) -> tuple[Observation, np.ndarray, StrikeInfo]:
    """Observations of every grid state of month t as the simulator makes them at response time: tests
    already moved by the branch, the list already struck, the deadline's flag set if it is the deadline."""
    c, g = sol.c, sol.grid
    econ, sanc = sol.paths[1][t], sol.paths[0][t]
    obs, _ = g.observation(c, t, 1, econ, sanc, tests_shift=b.dm)
    mk = sol.month(t)
    listed, lead, cities = mk.strikes_at(b)
    dest = g.r_map(listed, b.done)  # (R,) last-axis index after the strike
    K, M, R = g.shape
    per_r = lambda x: np.broadcast_to(np.asarray(x)[None, None, :], (K, M, R)).ravel()  # noqa: E731
    lists = obs.lists_left.copy()
    if g.list_id >= 0:
        lists[g.list_id] = per_r(g.left[dest])
    done = per_r(g.done[dest].astype(bool)) if c.deadlines else None
    shift = mk.evidence_shift(b)  # the evidence this month brings (None: nothing is learned)
    post = Observation(**{**obs.__dict__, "lists_left": lists, "deadline_done": done,
                          "struck": c.list_sizes.sum() - lists.sum(axis=0),
                          "evidence_shift": None if shift is None else per_r(shift[0])})
    hit = per_r((listed + b.fixed.sum()) > 0)
    info = StrikeInfo(total=per_r(listed + b.fixed.sum()), leadership=per_r(lead), civilian=per_r(cities),
                      event=np.full(K * M * R, b.event), rounds=np.full(K * M * R, b.key_absorb[2]))
    assert (info.civilian == per_r(np.full(R, b.fixed[CIV]))).all()
    return post, hit, info


@pytest.mark.parametrize(("name", "spec"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_simulator_actions_are_the_solution_policy(korea, strategies, name, spec):
    c = compile_model(korea, strategies[name])
    pm = planner_model(spec)
    sol = pm.solution(c)
    for t in (0, 4, 6, 15, c.horizon - 1):
        obs, _ = sol.grid.observation(c, t, 1, sol.paths[1][t], sol.paths[0][t])
        got = pm.action_probabilities(c, obs)
        np.testing.assert_allclose(got, sol.policy(t).reshape(9, -1), atol=1e-12)


@pytest.mark.parametrize(("name", "spec"), RESPONSE_CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_simulator_responses_are_the_solution_responses(korea, strategies, name, spec):
    c = compile_model(korea, strategies[name])
    pm = planner_model(spec)
    sol = pm.solution(c)
    checked = 0
    for t in (0, 4, 5, 6, 15):
        mk, ev = sol.month(t), sol.evaluator(t)
        branches = mk.deadline_branches() + [b for a in (MISSILE, NUCLEAR_TEST, PROVOCATION)
                                             for b in mk.action_branches(a)]
        for b in branches:
            if not isinstance(b, Strike):
                continue
            values, _, _ = ev.response_values(b)
            want = sol.decision.choose(values).reshape(3, -1)
            obs, hit, info = post_strike_observation(sol, t, b)
            got = pm.response_probabilities(c, obs, info)
            bad = np.abs(got - want)[:, hit].max()
            assert bad < 1e-9, (f"month {t}, event {b.event}, {b.listed} listed + {b.fixed} fixed: "
                                f"simulator responses differ from the solution's by {bad:.3g}")
            checked += int(hit.sum())
    assert checked > 0


def test_simulator_responses_with_a_sanctions_rule_on_the_same_event(korea, strategies, toy_dir):
    """let-deterrence-fail plus `on missile_test do sanctions_step`: strike and sanctions on one launch."""
    data = strategies["let-deterrence-fail"].model_dump(mode="json", exclude_none=True)
    data["name"] = "ldf-plus-sanctions"
    data["rules"].append({"id": "sanctions-per-launch", "on": "missile_test", "do": "sanctions_step",
                          "probability": {"value": 0.8, "range": [0.5, 1.0], "assumption": True},
                          "believed": {"value": 0.8, "range": [0.5, 1.0], "assumption": True}})
    path = toy_dir / "ldf-plus-sanctions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    c = compile_model(korea, load_strategy(path, korea))
    pm = planner_model("logit:0.05")
    sol = pm.solution(c)
    for t in (0, 5):
        mk, ev = sol.month(t), sol.evaluator(t)
        for b in mk.action_branches(MISSILE):
            if isinstance(b, Strike) and b.key_absorb[2] > 0:
                want = sol.decision.choose(ev.response_values(b)[0]).reshape(3, -1)
                obs, hit, info = post_strike_observation(sol, t, b)
                got = pm.response_probabilities(c, obs, info)
                assert np.abs(got - want)[:, hit].max() < 1e-9, f"month {t}, {b.listed} listed, key {b.key_absorb}"

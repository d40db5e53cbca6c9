"""Work and memory estimates of the rational planner: a request is refused before it starts when its branches
per month or its memory would exceed the limits. These numbers decide only whether a solve runs, never
what it returns."""

from __future__ import annotations

import math

from brinkmanship.adversary.grid import Grid, phase_factor
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled
from brinkmanship.engine.constants import Status
from brinkmanship.errors import InputError

# bytes of one branch object and its bookkeeping in the backward induction (Python objects, measured ~0.6 kB)
BRANCH_BYTES = 1_000
# branches per month the planner may evaluate: 10 rules on one event (5,129 branches) take about two
# minutes on one core; each further rule doubles it (50 rules: 10^15 branches, never finishing)
MAX_PLANNER_BRANCHES = 8_192
# targets-left levels above which the reachable set is not enumerated: the bound alone decides the refusal
MAX_ENUMERATED_LEVELS = 100_000


def _levels_bound(c: Compiled) -> int:
    """Upper bound on the targets-left levels of the grid, without enumerating them (a gcd argument)."""
    used = {r.target_list for r in c.rules if r.target_list >= 0}
    if len(used) != 1:
        return 1
    list_id = next(iter(used))
    full = int(c.list_sizes[list_id].sum())
    sizes = [int(s) for s in c.salvo_sizes]
    amounts = [r.count * (s if r.per_missile else 1) for r in c.rules if r.target_list == list_id
               for s in (sizes if r.per_missile else [1])]
    step = math.gcd(*amounts) if amounts else full or 1
    return full // max(step, 1) + 2


def planner_branches(c: Compiled) -> tuple[int, int]:
    """(branches, distinct branch values) the planner evaluates per month.

    Every subset of the rules on one event may fire, for each salvo size: 2^rules branches per event. Their
    values differ only in the sanctions rounds, the targets drawn from the list and the fixed strikes, so
    far fewer are distinct (and cached).
    """
    branches, distinct = 7, 7  # hold, negotiate, accept (2), freeze, invade, nuclear use, provocation clash
    sizes = [int(s) for s in c.salvo_sizes]
    for event, event_sizes in ((0, sizes), (1, [1]), (2, [1])):
        rules = [r for r in c.rules if r.event == event]
        strikes = [r for r in rules if r.response == "strike"]
        listed = [r for r in strikes if r.target_list >= 0]
        fixed = [r for r in strikes if r.target_list < 0]
        most = max(event_sizes)
        listed_sums = min(2 ** len(listed), 1 + sum(r.count * (most if r.per_missile else 1) for r in listed))
        fixed_sums = 1
        for cls in range(4):
            in_cls = [r for r in fixed if r.target_class == cls]
            fixed_sums *= min(2 ** len(in_cls), 1 + sum(r.count * (most if r.per_missile else 1) for r in in_cls))
        b = len(event_sizes) * 2 ** len(rules)
        branches += b
        distinct += min(b, len(event_sizes) * (len(rules) - len(strikes) + 1) * listed_sums * fixed_sums)
    return branches, distinct


PACKED_POLICY_SHARE = 0.25  # a month's packed rational policy: 2 bytes a state against a value's 8
KEPT_RESPONSE_SHARE = 0.125  # a month's kept response after strikes (held once where it repeats): 1 byte


def check_planner(c: Compiled, n: int = 1, max_memory: int | None = None, cached_policies: bool = False,
                  tables: float | None = None) -> None:
    """Refuse (exit 2) a planner solve whose branches per month or memory exceed the limits, before starting."""
    from brinkmanship.limits import check_memory

    branches, _ = planner_branches(c)
    if branches > MAX_PLANNER_BRANCHES:
        raise InputError(f"the rational planner would evaluate {branches:,} branches a month (each rule on an "
                         f"event doubles them), over the limit of {MAX_PLANNER_BRANCHES:,} (minutes of work)",
                         field="rules", fix="merge rules that answer the same event, or use --adversary base-rate")
    check_memory(planner_memory(c, n, cached_policies, tables), max_memory, f"the rational planner ({n} parameter sample(s))",
                 "use fewer rules or a smaller target list, or --adversary base-rate", field="--adversary")


def planner_memory(c: Compiled, n: int = 1, cached_policies: bool = False, tables: float | None = None) -> float:
    """Upper estimate of the bytes the backward induction needs for `n` samples (measured: about a third).

    Grows with the grid (talks x tests x targets-left levels x deadline x phases x statuses x evidence): every
    sample's values and packed policy for every month are kept; a block of samples (`planner.solve_block`) also
    holds its own values, one month's action values, policy and mask and the month's cached branch values
    (distinct branch values of a month); and with the branches themselves, which double with every rule on one
    event. `cached_policies`: the simulator's planner also keeps every month's policy. `tables`: a tabulated
    solve (`planner.solve`'s tabulate) keeps the kernel's tables, `tables` values a state a month, instead of
    every month's values.
    """
    from brinkmanship.adversary.planner import solve_block
    from brinkmanship.engine.constants import N_ACTIONS

    levels = _levels_bound(c)
    P, Q = phase_factor(c)
    per_sample = float(dyn.TALKS_LEVELS * (dyn.MAX_TESTS + 1) * levels * 2 * P * Q * len(Status) * c.evidence_levels)
    states = per_sample
    if levels <= MAX_ENUMERATED_LEVELS:
        grid = Grid.of(c)  # also refuses structures the planner does not cover
        states = float(grid.size)
        per_sample = per_sample / levels * grid.levels
    block = min(n, solve_block(int(states)))
    branches, distinct = planner_branches(c)
    months = c.horizon + 1
    kept = months * ((1 if tables is None else tables) + PACKED_POLICY_SHARE + KEPT_RESPONSE_SHARE + (N_ACTIONS if cached_policies else 0))
    working = months + 2 * (3 * N_ACTIONS + distinct + 16)  # twice: a spent deadline's month is evaluated again
    return 8.0 * per_sample * (n * kept + block * working) + float(branches) * (BRANCH_BYTES + 8 * n)


def kernel_tables_memory(cells: float, months: int, slots: int, tested_slots: int = 0, statuses: int = 1) -> float:
    """Bytes of a planner's tables for the fused simulator kernel: per month, the packed policy (2 bytes a
    state), one value array per (event, sanctions rounds) that can bring strikes, over `cells` states (after a
    test, `tested_slots`, only the open status's share of them), and the values of retaliating and escalating
    (two arrays over the test levels and statuses: counted as over every state but the talks level, a bound)."""
    return 8.0 * cells * months * (tables_share(slots, tested_slots, statuses) + PACKED_POLICY_SHARE)


def tables_share(slots: int, tested_slots: int = 0, statuses: int = 1, per_status: float | None = None) -> float:
    """The kernel's value tables in values a state a month (`kernel_tables_memory` without the policy bits).
    `per_status`: the size of a table per test level and status against one per grid state, S / (K R), where
    the grid is known (the retaliate and escalate tables; None: the bound 1 / K)."""
    return slots + tested_slots / statuses + 2.0 * (1.0 / dyn.TALKS_LEVELS if per_status is None else per_status)

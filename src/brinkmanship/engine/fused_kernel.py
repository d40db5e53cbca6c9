"""The fused simulator kernel: Numba code for the month step of `engine.chunk`, one run at a time.

Imported only by `engine.fused` (which sets Numba's cache directory first); importing it imports Numba.
Each function repeats, in the same order of floating-point operations, what the NumPy reference does on
arrays, so both give the same bits; `engine.fused` prepares the model's numbers as flat arrays (`par`:
per-run scalars, `mon`: per-month terms) and explains each index.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from brinkmanship.engine import fmath
from brinkmanship.engine.belief import ROUND_TOL
from brinkmanship.engine.constants import N_ACTIONS, Action, Event, Phase, Response, Rung, Status, TargetClass
from brinkmanship.engine.philox import (
    BELIEF_WORD,
    INITIAL_WORD,
    KEY_WORDS,
    MASK32,
    PHILOX_M0,
    PHILOX_M1,
    PHILOX_ROUNDS,
    PHILOX_W0,
    PHILOX_W1,
    TO_UNIT,
    WORD_BITS,
    WORDS,
)

# per-run scalars: rows of `par`
(P_WARHEADS0, P_TALKS0, P_PRODUCTION, P_SETBACK_MISSILE, P_SETBACK_NUCLEAR, P_SETBACK_SANCTIONS, P_SETBACK_STRIKE,
 P_DEAL_FROM, P_CLASH, P_CLASH_DEATHS, P_COUNTER, P_PER_STRIKE, P_CIVILIAN_LOGIT, P_LEADERSHIP_LOGIT,
 P_RETALIATE_LOGIT, P_ESCALATE_LOGIT, P_MILITARY_PER_TARGET, P_NUC_REGIME, P_NUC_WAR, P_NUC_FLOOR, P_CHINA_JOINS,
 P_RUSSIA_JOINS, P_JOINED_MULTIPLIER, P_CIVILIAN_SHARE, P_DETONATIONS_MEAN, P_QUIET_MONTHS, P_DETERRENCE,
 P_TALKS_EFFECT, P_MATURITY, P_STRUCK_EFFECT, P_RESTRAINT, P_CITY_FACTOR, P_WAR_FACTOR, P_DETONATION_FACTOR,
 P_CREDIBILITY_STEP, P_DISARM, P_DEFECTION, P_FREEZE_BREAK, P_DEAL_RENEGE, N_PAR) = range(40)
# per-month terms: rows of `mon` (the state-free parts of the action log-odds, then the month's mechanisms)
(T_MISSILE, T_NUCLEAR_TEST, T_PROVOCATION, T_NEGOTIATE, T_ACCEPT, T_FREEZE, T_INVADE, T_NUCLEAR_USE, T_GAIN,
 T_DEAL_CLOSES, T_INVASION_SUCCEEDS, T_INVADE_WEIGHT, T_PROVOCATION_WEIGHT, T_NUCLEAR_USE_WEIGHT,
 N_MON) = range(15)
# log-uniform draws: rows of `lu` (log of the range's low end, log-width; `lu_on` 0: the value itself)
LU_CITY, LU_WAR, LU_DETONATION, N_LU = range(4)
LU_LOG_LOW, LU_LOG_WIDTH, N_LU_COLS = range(3)
# columns of `rule_i` and `dl_i`, and the deadline responses
R_EVENT, R_STRIKE, R_CLASS, R_COUNT, R_PER_MISSILE, R_LIST, N_RULE_COLS = range(7)
D_FIRST, D_LAST, D_RESPONSE, D_CLASS, D_COUNT, D_HAS_THRESHOLD, D_UNLESS_DEAL, D_UNLESS_FREEZE, N_DL_COLS = range(9)
D_SANCTIONS, D_WAR, D_STRIKE = range(3)
# a planner target's grid: rows of `grid_i` (engine.decision.PolicyTables)
G_LIST, G_DONE_BLOCK, G_DEADLINE_STATES, G_EVIDENCE_BLOCK, G_EVIDENCE_LEVELS, G_STATUS_BLOCK, N_GRID = range(7)
# axes of its tables: policy bits (H, T, K, M, R), absorbing (S, H, T, K, M, R), slots (events, rounds),
# retaliating and escalating (H, T, M, R)
CHOSEN_AXES, ABSORB_AXES, SLOT_AXES, VALUE_AXES = 5, 6, 2, 4
# learned credibility: an item's prior (a probability, or a certainty), and the columns of an item's evidence
PRIOR_OPEN, PRIOR_ZERO, PRIOR_ONE = range(3)
EV_DONE, EV_NOT_DONE, EV_ON, N_EV = range(4)
# codes of engine.constants as plain integers for the compiled code
PEACE, CRISIS, LIMITED, MAJOR, NUCLEAR, DEAL, FREEZE = (int(p) for p in Phase)
OPEN, FROZEN, IN_DEAL, DISARMED = (int(s) for s in Status)
HOLD, MISSILE, NUCLEAR_TEST, PROVOCATION, NEGOTIATE, ACCEPT, FREEZE_ACT, INVADE, NUCLEAR_USE = (int(a) for a in Action)
EV_MISSILE, EV_NUCLEAR, EV_PROVOCATION = int(Event.MISSILE_TEST), int(Event.NUCLEAR_TEST), int(Event.PROVOCATION)
EV_DEADLINE = int(Event.DEADLINE)
ABSORB, RETALIATE, ESCALATE = (int(r) for r in Response)
RUNG_LIMITED, RUNG_MAJOR, RUNG_NUCLEAR = int(Rung.LIMITED_STRIKES), int(Rung.MAJOR_WAR), int(Rung.NUCLEAR_USE)
LEADERSHIP, CIVILIAN = int(TargetClass.LEADERSHIP), int(TargetClass.CIVILIAN_POPULATION)
N_CLASSES = len(TargetClass)

# the action weights' memo (`_run_block`): slots per month and action (a power of two), and the state's hash
MEMO_SLOTS = 256
MEMO_TALKS, MEMO_TESTS, MEMO_LEFT = 37, 11, 5  # odd multipliers spread the talks level, tests and targets left
_U32 = np.uint64(MASK32)
_SHIFT = np.uint64(WORD_BITS)
_M0, _M1 = np.uint64(PHILOX_M0), np.uint64(PHILOX_M1)
_W0, _W1 = np.uint64(PHILOX_W0), np.uint64(PHILOX_W1)

JIT = {"cache": True, "nogil": True}  # njit: nopython mode
INLINE = {**JIT, "inline": "always"}  # small helpers of the run loop: inlined in Numba's IR, so LLVM optimises
# them with their caller (a separately compiled helper is a call, its arguments spilled, on every use)

exp = numba.njit(**INLINE)(fmath.exp_scalar)
log = numba.njit(**INLINE)(fmath.log_scalar)


@numba.njit(**JIT)
def round_keys(k0, k1):  # pragma: no cover - compiled
    """(PHILOX_ROUNDS, 2) the key of each round (the Weyl sequence of the key), computed once per batch."""
    keys = np.empty((PHILOX_ROUNDS, KEY_WORDS), dtype=np.uint64)
    key0, key1 = k0 & _U32, k1 & _U32
    for r in range(PHILOX_ROUNDS):
        if r:
            key0 = (key0 + _W0) & _U32
            key1 = (key1 + _W1) & _U32
        keys[r, 0] = key0
        keys[r, 1] = key1
    return keys


@numba.njit(**INLINE)
def philox4x32(x0, x1, x2, x3, keys):  # pragma: no cover - compiled
    """Philox4x32-10 of one counter (uint64 words below 2^32) under the round keys (engine.philox.philox4x32)."""
    for r in range(PHILOX_ROUNDS):
        p0 = x0 * _M0
        p1 = x2 * _M1
        x0, x1, x2, x3 = (p1 >> _SHIFT) ^ x1 ^ keys[r, 0], p1 & _U32, (p0 >> _SHIFT) ^ x3 ^ keys[r, 1], p0 & _U32
    return x0, x1, x2, x3


@numba.njit(**INLINE)
def philox_block(run_lo, run_hi, word, block, keys, out, k):  # pragma: no cover - compiled
    """Slots 4 block .. 4 block + 3 of one run at month word `word` into `out` (engine.philox.uniforms, for
    one run and one output block; `out` is longer than k by a block, and slots from k on are not read)."""
    x0, x1, x2, x3 = philox4x32(run_lo, run_hi, np.uint64(word), np.uint64(block), keys)
    s0 = block * WORDS  # `out` has room for whole blocks
    s1 = s0 + 1
    s2 = s1 + 1
    s3 = s2 + 1
    out[s0] = float(x0) * TO_UNIT
    out[s1] = float(x1) * TO_UNIT
    out[s2] = float(x2) * TO_UNIT
    out[s3] = float(x3) * TO_UNIT


@numba.njit(**INLINE)
def philox_uniforms(run_lo, run_hi, word, keys, out, k):  # pragma: no cover - compiled
    """Slots 0..k-1 of one run at month word `word` into out[:k] (engine.philox.uniforms, for one run)."""
    for block in range((k + WORDS - 1) // WORDS):
        philox_block(run_lo, run_hi, word, block, keys, out, k)


@numba.njit(**INLINE)
def talks_round(x, u, step, tol, levels):  # pragma: no cover - compiled
    """dynamics.talks_round for one run."""
    y = min(max(x, 0.0), 1.0) / step
    lo = math.floor(y + tol)
    idx = int(lo + (1.0 if u < (y - lo) else 0.0))
    return min(max(idx, 0), levels - 1)


@numba.njit(**INLINE)
def loguniform(lu, lu_on, which, factor, u):  # pragma: no cover - compiled
    """dynamics.loguniform_scale for one draw."""
    if not lu_on[which]:
        return factor
    return factor * exp(lu[which, LU_LOG_LOW] + lu[which, LU_LOG_WIDTH] * u)


@numba.njit(**INLINE)
def _credibility(item_logit, item_kind, llr, ci):  # pragma: no cover - compiled
    """Mean over the learned items of belief.posterior(prior, llr) (a prior of 0 or 1 stays put)."""
    total = 0.0
    for it in range(item_logit.shape[0]):
        kind = item_kind[it, ci]
        if kind == PRIOR_ZERO:
            post = 0.0
        elif kind == PRIOR_ONE:
            post = 1.0
        else:
            post = 1.0 / (1.0 + exp(-(item_logit[it, ci] + llr)))
        total = post if it == 0 else total + post
    return total / item_logit.shape[0]


@numba.njit(**INLINE)
def _categorical(running, x):  # pragma: no cover - compiled
    """engine.chunk.sample_categorical for one run: the categories whose running sum x reaches."""
    a = 0
    for k in range(running.shape[0] - 1):
        if x >= running[k]:
            a += 1
    return a


@numba.njit(**INLINE)
def _grid_index(lists, left_values, list_id, done_block, done, evidence_block, evidence,
                status_offset):  # pragma: no cover - compiled
    """The planner grid's last-axis index of a run's state (adversary.grid.Grid.index through its strides):
    the level of the targets left on the tracked list, the deadline's flag, the evidence level, and the status
    (its level times the status stride, `status_offset`)."""
    left = 0
    if list_id >= 0:
        for k in range(N_CLASSES):
            left += lists[list_id, k]
    level = 0  # np.searchsorted(values, left): the values below it
    for v in range(left_values.shape[0]):
        if left_values[v] < left:
            level += 1
    return level + (done_block if done else 0) + status_offset + evidence * evidence_block


@numba.njit(**INLINE)
def _planner_response(absorb, index, slot, ret_tab, esc_tab, t, tau, k, m, j, st, evidence, shift, levels,
                      evidence_block, tie_tol):  # pragma: no cover - compiled
    """Running sums of the rational target's response probabilities after strikes (absorb, retaliate,
    escalate; adversary.model.PlannerModel.response_probabilities): the value of absorbing read at the state
    after the strikes (last-axis index j, at `index[j]` of the table `absorb`), with the month's evidence split
    between two levels (belief.round_split); those of retaliating and escalating at its status level `st`."""
    if levels > 1:
        pos = min(max(evidence + shift, 0.0), levels - 1.0)
        below = min(max(int(np.floor(pos + ROUND_TOL)), 0), levels - 1)
        frac = 0.0 if below >= levels - 1 else max(pos - below, 0.0)
        above = min(below + 1, levels - 1)
        q0 = ((1 - frac) * absorb[slot, t, tau, k, m, index[j + (below - evidence) * evidence_block]]
              + frac * absorb[slot, t, tau, k, m, index[j + (above - evidence) * evidence_block]])
    else:
        q0 = absorb[slot, t, tau, k, m, index[j]]
    q1 = ret_tab[t, tau, m, st]
    q2 = esc_tab[t, tau, m, st]
    best = max(q0, max(q1, q2))
    floor = best - tie_tol * (1.0 + abs(best))
    top0, top1, top2 = q0 >= floor, q1 >= floor, q2 >= floor
    share = 1.0 / (int(top0) + int(top1) + int(top2))
    c0 = share if top0 else 0.0
    c1 = c0 + (share if top1 else 0.0)
    return c0, c1, c1 + (share if top2 else 0.0)


@numba.njit(**INLINE)
def _bin(warheads, bin_width, bins):  # pragma: no cover - compiled
    return min(int(warheads / bin_width), bins - 1)


@numba.njit(parallel=True, **JIT)
def simulate_runs(run_lo, run_hi, k0, k1, horizon, k_init, k_month, par, mon, delivery_tab, test_weight,
                  rule_i, rule_prob, rule_bel, rule_want, dl_i, dl_threshold, dl_prob, list_sizes, list_total,
                  orders, salvo_sizes, salvo_cdf, lu, lu_on, escalate, consts, ints,
                  phase_out, warheads_out, mil_out, civ_out, det_out, by_class_out, rung_out, resolved_out,
                  invaded_out, preventive_out, actions, hist, carry_hist, trans, outcome_of, outc, carry_outc,
                  bel_i, item_logit, item_kind, levels_tab, rule_ev, dl_ev, tally, planner, chosen, absorb,
                  absorb_tested, absorb_slot, tested_index, all_index, ret_tab, esc_tab, run_type, left_values,
                  grid_i, tie_tol, status_level, status_out, tests_out, allowed):  # pragma: no cover - compiled
    """Every run of the batch, months in order, in parallel over blocks of runs (tallies per block)."""
    n = run_lo.shape[0]
    nblocks = actions.shape[0]
    keys = round_keys(k0, k1)
    for p in numba.prange(nblocks):
        b = np.int64(p)  # the parallel loop's index may be unsigned: one signature of _run_block, one compile
        _run_block(b * n // nblocks, (b + 1) * n // nblocks, b, run_lo, run_hi, keys, horizon, k_init, k_month,
                   par, mon, delivery_tab, test_weight, rule_i, rule_prob, rule_bel, rule_want, dl_i, dl_threshold,
                   dl_prob, list_sizes, list_total, orders, salvo_sizes, salvo_cdf, lu, lu_on, escalate, consts,
                   ints, phase_out, warheads_out, mil_out, civ_out, det_out, by_class_out, rung_out, resolved_out,
                   invaded_out, preventive_out, actions, hist, carry_hist, trans, outcome_of, outc, carry_outc,
                   bel_i, item_logit, item_kind, levels_tab, rule_ev, dl_ev, tally, planner, chosen, absorb,
                   absorb_tested, absorb_slot, tested_index, all_index, ret_tab, esc_tab, run_type, left_values,
                   grid_i, tie_tol, status_level, status_out, tests_out, allowed)


@numba.njit(**JIT)
def _run_block(lo, hi, b, run_lo, run_hi, keys, horizon, k_init, k_month, par, mon, delivery_tab, test_weight,
               rule_i, rule_prob, rule_bel, rule_want, dl_i, dl_threshold, dl_prob, list_sizes, list_total, orders,
               salvo_sizes, salvo_cdf, lu, lu_on, escalate, consts, ints, phase_out, warheads_out, mil_out,
               civ_out, det_out, by_class_out, rung_out, resolved_out, invaded_out, preventive_out, actions, hist,
               carry_hist, trans, outcome_of, outc, carry_outc, bel_i, item_logit, item_kind, levels_tab, rule_ev,
               dl_ev, tally, planner, chosen, absorb, absorb_tested, absorb_slot, tested_index, all_index, ret_tab,
               esc_tab, run_type, left_values, grid_i, tie_tol, status_level, status_out, tests_out,
               allowed):  # pragma: no cover - compiled
    """Runs lo..hi-1 of block b, each from month 0 to its end (engine.chunk.Chunk, one column of its arrays at
    a time); one call per block, so the scratch arrays and the model's arrays are set up once, not per run."""
    step, tol, log_floor, clip, bin_width = consts
    levels, max_tests, bins = ints[0], ints[1], ints[2]
    i_war, i_nuc_scale, i_deton, i_china, i_russia, i_nuc_use, i_invade, i_counter = (
        ints[3], ints[4], ints[5], ints[6], ints[7], ints[8], ints[9], ints[10])
    m_action, m_detail, m_resp, m_city, m_talks, k_fixed = ints[11], ints[12], ints[13], ints[14], ints[15], ints[16]
    k_init_fixed = ints[17]
    m_defect, m_disarm = ints[18], ints[19]
    g_list, g_done_block, g_deadline_states = grid_i[G_LIST], grid_i[G_DONE_BLOCK], grid_i[G_DEADLINE_STATES]
    g_evidence_block, g_levels, g_tests = grid_i[G_EVIDENCE_BLOCK], grid_i[G_EVIDENCE_LEVELS], chosen.shape[3]
    g_status_block = grid_i[G_STATUS_BLOCK]
    init = np.empty(k_init + WORDS)
    u = np.empty(k_month + WORDS)
    lists = np.empty(list_sizes.shape, dtype=np.int64)
    strikes = np.zeros(N_CLASSES, dtype=np.int64)
    weights = np.empty(N_ACTIONS)
    deadline_month = np.empty(dl_i.shape[0], dtype=np.int64)
    bu = np.empty(horizon + WORDS)  # the belief word's uniforms, slot t at bu[t]
    # the action weights' exponentials already taken in this block, by month, action and a hash of the state
    # (its talks level, tests, targets left, status); an entry is used only where its input is the same float
    memo_in = np.full((horizon, N_ACTIONS, MEMO_SLOTS), np.nan)
    memo_out = np.empty((horizon, N_ACTIONS, MEMO_SLOTS))
    for i in range(lo, hi):
        rlo = run_lo[i]
        rhi = run_hi[i]
        ci = i // (phase_out.shape[0] // par.shape[1])  # the run's column: its own, its experiment's, or the one
        tau = run_type[i // (phase_out.shape[0] // run_type.shape[0])]  # its type (a planner target), the same way
        n_rules = rule_i.shape[0]
        n_lists = list_sizes.shape[0]
        philox_uniforms(rlo, rhi, INITIAL_WORD, keys, init, k_init)
        for j in range(dl_i.shape[0]):
            span = dl_i[j, D_LAST] - dl_i[j, D_FIRST] + 1
            deadline_month[j] = dl_i[j, D_FIRST] + min(int(init[k_init_fixed + 2 * j] * span), span - 1)
        for lst in range(n_lists):
            for k in range(N_CLASSES):
                lists[lst, k] = list_sizes[lst, k]
        all_listed = 0
        for lst in range(n_lists):
            all_listed += list_total[lst]
        phase = CRISIS
        status = OPEN
        warheads = 0.0 + par[P_WARHEADS0, ci]
        tests = 0
        talks_idx = talks_round(0.0 + par[P_TALKS0, ci], 0.0, step, tol, levels)
        by0 = by1 = by2 = by3 = 0
        mil = 0.0
        civ = 0.0
        detonations = 0.0
        rung = CRISIS
        resolved = -1
        invaded = False
        preventive = False
        quiet = 0
        learning, n_levels, scale = bel_i[0], bel_i[1], bel_i[2]
        evidence = (n_levels - 1) >> 1  # belief.prior_level: no evidence yet
        llr = 0.0
        cred_llr = 0.0
        cred = 0.0
        for t in range(horizon):
            if learning:  # the month's open runs: their count and credibility, on the levels and exact
                tally[b, t, 0] += 1
                tally[b, t, 1] += np.int64(np.rint(levels_tab[ci, evidence] * scale))  # credibility on each level
                if t == 0 or llr != cred_llr:  # the same input gives the same bits: computed again only on news
                    cred_llr = llr
                    cred = _credibility(item_logit, item_kind, llr, ci)
                tally[b, t, 2] += np.int64(np.rint(cred * scale))
            m_llr = 0.0
            shift = 0.0
            philox_block(rlo, rhi, t, 0, keys, u, k_month)  # the slots every month reads
            drawn = WORDS  # the later blocks (city, endings, rules) are drawn when first read
            talks = talks_idx * step
            for k in range(N_CLASSES):
                strikes[k] = 0
            new_war = False
            regime = False
            deadline_hit = False
            rounds = 0
            missiles = 0.0
            in_deal = status == IN_DEAL or status == DISARMED
            if in_deal:
                while drawn <= m_disarm:
                    philox_block(rlo, rhi, t, drawn // WORDS, keys, u, k_month)
                    drawn += WORDS
            # 0. a deal being carried out may complete: the arsenal is given up
            if status == IN_DEAL and u[m_disarm] < par[P_DISARM, ci]:
                status = DISARMED
                warheads = 0.0
            # 1. the coercer defects from a deal (an attack), or a deadline acts (unless a condition holds)
            if in_deal and u[m_defect] < par[P_DEFECTION, ci]:
                new_war = True
                regime = True
                deadline_hit = True
            for j in range(dl_i.shape[0]):
                fire = deadline_month[j] == t and init[k_init_fixed + 2 * j + 1] < dl_prob[j, ci]
                if dl_i[j, D_UNLESS_DEAL] and (status == IN_DEAL or status == DISARMED):
                    fire = False
                if dl_i[j, D_UNLESS_FREEZE] and status == FROZEN:
                    fire = False
                if dl_i[j, D_HAS_THRESHOLD]:
                    fire = fire and talks < dl_threshold[j, ci]
                if learning and dl_ev[j, t, EV_ON, ci] != 0.0:  # a deadline with a bluff, in its window
                    pending = not (deadline_month[j] < t and init[k_init_fixed + 2 * j + 1] < dl_prob[j, ci])
                    ev = dl_ev[j, t, EV_DONE, ci] if fire else (dl_ev[j, t, EV_NOT_DONE, ci] if pending else 0.0)
                    m_llr = m_llr + ev
                    shift = shift + ev / par[P_CREDIBILITY_STEP, ci]
                if fire:
                    deadline_hit = True
                    resp = dl_i[j, D_RESPONSE]
                    if resp == D_WAR:
                        new_war = True
                        regime = True
                        preventive = True
                    elif resp == D_STRIKE:
                        strikes[dl_i[j, D_CLASS] % N_CLASSES] += dl_i[j, D_COUNT]
                    else:
                        talks = talks - par[P_SETBACK_SANCTIONS, ci]
            # 2. the target's action
            a = -1
            deliv = delivery_tab[ci, min(tests, max_tests)]
            if not deadline_hit and planner:  # the planner's best actions at the run's grid state, ties split
                done = g_deadline_states > 1 and deadline_month[0] < t and init[k_init_fixed + 1] < dl_prob[0, ci]
                j = _grid_index(lists, left_values, g_list, g_done_block, done, g_evidence_block,
                                evidence if g_levels > 1 else 0, status_level[status] * g_status_block)
                bits = np.int64(chosen[t, tau, talks_idx, min(tests, g_tests - 1), j])
                count = 0
                for k in range(N_ACTIONS):
                    count += (bits >> k) & 1
                share = 1.0 / count  # True / count, as `planner.unpack_policy`
                total_w = 0.0
                for k in range(N_ACTIONS):
                    total_w = total_w + (share if (bits >> k) & 1 else 0.0)
                    weights[k] = total_w  # the running sum (cumsum)
                a = _categorical(weights, u[m_action] * total_w)
                actions[b, t, a] += 1
            elif not deadline_hit:
                left_total = 0
                for lst in range(n_lists):
                    for k in range(N_CLASSES):
                        left_total += lists[lst, k]
                struck = par[P_STRUCK_EFFECT, ci] * float(all_listed - left_total)
                untouched = all_listed == left_total  # no listed target struck yet
                tk = par[P_TALKS_EFFECT, ci] * talks
                mature = par[P_MATURITY, ci] * deliv
                deter = par[P_DETERRENCE, ci]
                threat0 = 0.0
                threat1 = 0.0
                threat2 = 0.0
                for r in range(n_rules):
                    if not rule_i[r, R_STRIKE]:
                        continue
                    want = rule_want[r]
                    lst = rule_i[r, R_LIST]
                    if lst >= 0:
                        left = 0
                        for k in range(N_CLASSES):
                            left += lists[lst, k]
                        want = min(want, float(left))
                    term = rule_bel[r, ci] * want
                    ev = rule_i[r, R_EVENT]
                    if ev == EV_MISSILE:
                        threat0 = threat0 + term
                    elif ev == EV_NUCLEAR:
                        threat1 = threat1 + term
                    else:
                        threat2 = threat2 + term
                keep = (par[P_FREEZE_BREAK, ci] * (1.0 if status == FROZEN else 0.0)
                        + par[P_DEAL_RENEGE, ci] * (1.0 if status == IN_DEAL else 0.0))  # a test breaks the ending
                weights[MISSILE] = mon[T_MISSILE, t, ci] - tk - mature + struck - deter * threat0 + keep
                weights[NUCLEAR_TEST] = mon[T_NUCLEAR_TEST, t, ci] - tk - mature + struck - deter * threat1 + keep
                weights[PROVOCATION] = mon[T_PROVOCATION, t, ci] + struck - deter * threat2
                weights[NEGOTIATE] = mon[T_NEGOTIATE, t, ci] + tk
                weights[ACCEPT] = mon[T_ACCEPT, t, ci] + tk
                weights[FREEZE_ACT] = mon[T_FREEZE, t, ci] + tk + mature + par[P_RESTRAINT, ci]
                weights[NUCLEAR_USE] = mon[T_NUCLEAR_USE, t, ci] + struck
                total_w = 1.0  # holding: log-odds 0, weight exp(0) = 1 exactly
                weights[HOLD] = total_w
                for k in range(1, N_ACTIONS):
                    if not allowed[status, k]:
                        w = 0.0  # not open in this status (dynamics.status_actions)
                    elif k == INVADE:
                        w = mon[T_INVADE_WEIGHT, t, ci]  # state-free: exp taken once per month
                    elif k == PROVOCATION and untouched and threat2 == 0.0:
                        w = mon[T_PROVOCATION_WEIGHT, t, ci]  # log-odds A + 0 - 0 = A: the same bits
                    elif k == NUCLEAR_USE and untouched and warheads >= 1.0:
                        w = mon[T_NUCLEAR_USE_WEIGHT, t, ci]
                    elif (k == ACCEPT and not talks >= par[P_DEAL_FROM, ci]) or (
                            k == NUCLEAR_USE and not warheads >= 1.0):
                        w = 0.0  # unavailable: a finite weight times 0
                    else:  # exp of the clipped log-odds, remembered: the same input gives the same bits
                        x = min(max(weights[k], -clip), clip)
                        slot = (talks_idx * MEMO_TALKS + tests * MEMO_TESTS + left_total * MEMO_LEFT
                                + status) & (MEMO_SLOTS - 1)
                        if memo_in[t, k, slot] == x:
                            w = memo_out[t, k, slot]
                        else:
                            w = exp(x)
                            memo_in[t, k, slot] = x
                            memo_out[t, k, slot] = w
                    total_w = total_w + w
                    weights[k] = total_w  # the running sum (cumsum)
                a = _categorical(weights, u[m_action] * total_w)
                actions[b, t, a] += 1
            is_m = a == MISSILE
            is_n = a == NUCLEAR_TEST
            is_p = a == PROVOCATION
            if is_m:
                s = 0
                for k in range(salvo_cdf.shape[0]):
                    if salvo_cdf[k] <= u[m_detail]:
                        s += 1
                missiles = salvo_sizes[min(s, salvo_sizes.shape[0] - 1)]
                tests = min(tests + 1, max_tests)
            elif is_n:
                tests = min(tests + test_weight[ci], max_tests)
            if a == NEGOTIATE:
                talks = talks + mon[T_GAIN, t, ci]
            if is_m:
                talks = talks - par[P_SETBACK_MISSILE, ci]
            if is_n:
                talks = talks - par[P_SETBACK_NUCLEAR, ci]
            deal = a == ACCEPT and u[m_detail] < mon[T_DEAL_CLOSES, t, ci]
            freeze = a == FREEZE_ACT
            if a == INVADE:
                invaded = True
                new_war = True
                if not init[i_invade] < mon[T_INVASION_SUCCEEDS, t, ci]:
                    regime = True
            first_use = a == NUCLEAR_USE
            clash = is_p and u[m_detail] < par[P_CLASH, ci]
            limited = clash
            if clash:
                mil = mil + par[P_CLASH_DEATHS, ci]
            # 3. the coercer's rules
            for r in range(n_rules):
                ev = rule_i[r, R_EVENT]
                happened = is_m if ev == EV_MISSILE else (is_n if ev == EV_NUCLEAR else is_p)
                if not happened:
                    continue
                while drawn <= k_fixed + r:
                    philox_block(rlo, rhi, t, drawn // WORDS, keys, u, k_month)
                    drawn += WORDS
                executed = u[k_fixed + r] < rule_prob[r, ci]
                if learning and rule_ev[r, EV_ON, ci] != 0.0:  # the target sees whether the rule was carried out
                    ev = rule_ev[r, EV_DONE, ci] if executed else rule_ev[r, EV_NOT_DONE, ci]
                    m_llr = m_llr + ev
                    shift = shift + ev / par[P_CREDIBILITY_STEP, ci]
                if not executed:
                    continue
                if rule_i[r, R_STRIKE]:
                    count = int(rule_i[r, R_COUNT] * (missiles if rule_i[r, R_PER_MISSILE] else 1.0))
                    lst = rule_i[r, R_LIST]
                    if lst >= 0:
                        if count > 0:
                            left = 0
                            for k in range(N_CLASSES):
                                left += lists[lst, k]
                            take = min(count, left)
                            done = list_total[lst] - left
                            for k in range(N_CLASSES):
                                alloc = orders[lst, done + take, k] - orders[lst, done, k]
                                lists[lst, k] -= alloc
                                strikes[k] += alloc
                    else:
                        strikes[rule_i[r, R_CLASS] % N_CLASSES] += count
                else:
                    rounds += 1
                    talks = talks - par[P_SETBACK_SANCTIONS, ci]
            # 4. after strikes
            total = strikes[0] + strikes[1] + strikes[2] + strikes[3]
            if total > 0 and not new_war and not first_use and not deal and not freeze and not clash:
                if planner:
                    event = EV_MISSILE if is_m else (EV_NUCLEAR if is_n else (EV_PROVOCATION if is_p else EV_DEADLINE))
                    done = g_deadline_states > 1 and (event == EV_DEADLINE or (
                        deadline_month[0] < t and init[k_init_fixed + 1] < dl_prob[0, ci]))
                    tested = is_m or is_n  # a test breaks a freeze or reneges on a deal: the status is open
                    seen = OPEN if tested else status
                    c0, c1, c2 = _planner_response(
                        absorb_tested if tested else absorb, tested_index if tested else all_index,
                        absorb_slot[event, rounds], ret_tab, esc_tab, t, tau, talks_idx,
                        min(tests, g_tests - 1), _grid_index(lists, left_values, g_list, g_done_block, done,
                                                             g_evidence_block, evidence if g_levels > 1 else 0,
                                                             status_level[seen] * g_status_block),
                        status_level[seen], evidence, shift, g_levels, g_evidence_block, tie_tol)
                else:
                    hurt = (par[P_PER_STRIKE, ci] * float(total)
                            + par[P_CIVILIAN_LOGIT, ci] * (1.0 if strikes[CIVILIAN] > 0 else 0.0)
                            + par[P_LEADERSHIP_LOGIT, ci] * (1.0 if strikes[LEADERSHIP] > 0 else 0.0))
                    e0 = exp(min(max(0.0, -clip), clip))
                    e1 = exp(min(max(par[P_RETALIATE_LOGIT, ci] + hurt, -clip), clip))
                    e2 = exp(min(max(par[P_ESCALATE_LOGIT, ci] + hurt, -clip), clip))
                    z = e0 + e1 + e2
                    c0 = e0 / z
                    c1 = c0 + e1 / z
                    c2 = c1 + e2 / z
                x = u[m_resp] * c2
                resp = (1 if x >= c0 else 0) + (1 if x >= c1 else 0)
                if resp == RETALIATE:
                    if init[i_counter] < par[P_COUNTER, ci]:
                        new_war = True
                    else:
                        limited = True
                elif resp == ESCALATE:
                    new_war = True
                talks = talks - par[P_SETBACK_STRIKE, ci]
            if total > 0:
                while drawn <= m_city:
                    philox_block(rlo, rhi, t, drawn // WORDS, keys, u, k_month)
                    drawn += WORDS
                city = loguniform(lu, lu_on, LU_CITY, par[P_CITY_FACTOR, ci], u[m_city])
                mil = mil + (total - strikes[CIVILIAN]) * par[P_MILITARY_PER_TARGET, ci]
                civ = civ + strikes[CIVILIAN] * city
                by0 += strikes[0]
                by1 += strikes[1]
                by2 += strikes[2]
                by3 += strikes[3]
            # 5. general war
            nuclear = first_use
            if new_war:
                base = par[P_NUC_REGIME, ci] if regime else par[P_NUC_WAR, ci]
                floor = par[P_NUC_FLOOR, ci]
                p_use = (base * (floor + (1.0 - floor) * delivery_tab[ci, min(tests, max_tests)])
                         if warheads >= 1.0 else 0.0)
                if init[i_nuc_use] < p_use:
                    nuclear = True
            war = new_war or nuclear
            if war:
                joined = init[i_china] < par[P_CHINA_JOINS, ci] or init[i_russia] < par[P_RUSSIA_JOINS, ci]
                conv = loguniform(lu, lu_on, LU_WAR, par[P_WAR_FACTOR, ci], init[i_war])
                conv = conv * (par[P_JOINED_MULTIPLIER, ci] if joined else 1.0)
                share = par[P_CIVILIAN_SHARE, ci]
                civ = civ + conv * share
                mil = mil + conv * (1.0 - share)
                det = np.ceil(-log(max(init[i_deton], log_floor)) * par[P_DETONATIONS_MEAN, ci])
                det = min(max(det, 1.0), max(np.floor(warheads), 1.0)) * (1.0 if nuclear else 0.0)
                per = loguniform(lu, lu_on, LU_DETONATION, par[P_DETONATION_FACTOR, ci], init[i_nuc_scale])
                detonations = detonations + det
                civ = civ + det * per
                warheads = warheads - det
            # 6. statuses, phases, ladder, talks, warheads
            old = phase
            if is_m or is_n:
                status = OPEN  # a test breaks a freeze or reneges on a deal
            if freeze:
                status = FROZEN
            if deal:
                status = IN_DEAL
            quiet = 0 if (is_m or is_n or is_p) else quiet + 1
            if status == OPEN:
                phase = PEACE if quiet >= par[P_QUIET_MONTHS, ci] else CRISIS
            else:
                phase = FREEZE if status == FROZEN else DEAL
            if limited:
                phase = LIMITED
            if war:
                phase = MAJOR
            if nuclear:
                phase = NUCLEAR
            still = not (limited or war or nuclear)  # running on next month (open, or in a freeze or a deal)
            if phase > CRISIS and phase != old:
                resolved = t + 1  # entered its ending
            if still and phase <= CRISIS:
                resolved = -1  # open (again, after a freeze or a deal broken)
            if (limited or total > 0) and rung < RUNG_LIMITED:
                rung = RUNG_LIMITED
            if war and rung < RUNG_MAJOR:
                rung = RUNG_MAJOR
            if nuclear and rung < RUNG_NUCLEAR:
                rung = RUNG_NUCLEAR
            if escalate and (is_m or is_n):
                talks = talks - par[P_SETBACK_SANCTIONS, ci]
            if still:
                talks_idx = talks_round(talks, u[m_talks], step, tol, levels)
            if learning and still:
                llr = llr + m_llr
                if n_levels > 1:  # belief.round_draw, its uniform slot t of the belief word
                    if t % WORDS == 0:
                        philox_block(rlo, rhi, BELIEF_WORD, t // WORDS, keys, bu, horizon)
                    pos = min(max(evidence + shift, 0.0), n_levels - 1.0)
                    below = min(max(int(np.floor(pos + ROUND_TOL)), 0), n_levels - 1)
                    frac = 0.0 if below >= n_levels - 1 else max(pos - below, 0.0)
                    evidence = min(below + 1, n_levels - 1) if bu[t] < frac else below
            if still and status != DISARMED:  # production goes on in a freeze and until disarmament completes
                warheads = warheads + par[P_PRODUCTION, ci]
            if old != phase:
                trans[b, old, phase] += 1
            hist[b, t + 1, _bin(warheads, bin_width, bins)] += 1
            outc[b, t + 1, outcome_of[phase]] += 1
            if not still:
                # the closed run stays in its bin and its outcome from month t + 2 on: counted once here, carried
                # over the later months by a running sum after the kernel (`engine.fused.run`)
                if t + 1 < horizon:
                    carry_hist[b, t + 2, _bin(warheads, bin_width, bins)] += 1
                    carry_outc[b, t + 2, outcome_of[phase]] += 1
                break
        phase_out[i] = phase
        status_out[i] = status
        tests_out[i] = tests
        warheads_out[i] = warheads
        mil_out[i] = mil
        civ_out[i] = civ
        det_out[i] = detonations
        by_class_out[0, i] = by0
        by_class_out[1, i] = by1
        by_class_out[2, i] = by2
        by_class_out[3, i] = by3
        rung_out[i] = rung
        resolved_out[i] = resolved
        invaded_out[i] = invaded
        preventive_out[i] = preventive

"""Every model number lives in the scenario file: the engine and the planner hold no numeric literal except
structural ones (0 and 1, array indices and axes) and the named constants below, each with its reason.

A new literal in a formula fails here: move it into the scenario (with a source, or `assumption: true` and a
range) or, if it truly is not a model number, give it a name and a line in `NAMED`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import brinkmanship

PACKAGE = Path(brinkmanship.__file__).parent
MODULES = sorted([*(PACKAGE / "engine").glob("*.py"), *(PACKAGE / "adversary").glob("*.py")])
# summary statistics of results (interval, percentiles), not model numbers: owned by the summary layer;
# work and memory estimates (budget.py), which decide only whether a request runs, never what it returns
EXCLUDED = {"summary.py", "budget.py"}

# Named module constants that are not model numbers: numerical guards, discretisation, sizes and display.
NAMED = {
    # dynamics: discretisation of the state and unit conversions
    "TALKS_STEP": "talks progress grid (21 levels); the planner's state space",
    "TALKS_LEVELS": "talks progress grid size",
    "MAX_TESTS": "delivery saturates after this many test-equivalents; the planner's tests axis",
    "GRID_TOL": "floating-point slack in comparisons with grid levels",
    "MONTHS_PER_YEAR": "unit conversion",
    "SAINTE_LAGUE_OFFSET": "definition of the Sainte-Lague divisor method (strike order)",
    # chunk: random-number layout, memory and numerical guards
    "WARHEAD_BIN": "histogram resolution of warheads (reporting percentiles)",
    "WARHEAD_BINS": "histogram size",
    "COMPACT_BELOW": "memory: when to compact closed runs (no effect on numbers)",
    "LOG_FLOOR": "keeps log(u) finite",
    "I_WAR": "layout of the per-run uniforms",
    "K_INIT_FIXED": "layout of the per-run uniforms",
    "SLOTS_PER_DEADLINE": "layout of the per-run uniforms",
    "M_ACTION": "layout of the monthly uniforms",
    "K_MONTH_FIXED": "layout of the monthly uniforms",
    # decision, planner, kernel: numerical guards
    "LOGIT_CLIP": "exp of a log-odds stays finite",
    "TIE_TOL": "relative tolerance for a tie between values",
    "EXP_FLOOR": "logit weights never underflow to a zero sum",
    "DISCOUNT_CAP": "a perpetuity stays finite",
    "HAZARD_FLOOR": "no division by zero in the deadline's hazard",
    "GRID_NDIM": "the planner grid's number of axes (samples, talks, tests, last axis)",
    "TABLE_TYPE_AXES": "layout of the fused kernel's value tables (the type axis of each)",
    "DEADLINE_STATES": "a recurring deadline has acted or not (grid axis size)",
    # runners and outputs: sizes, defaults and display
    "EXACT_BLOCK": "memory: samples per planner solve",
    "EXACT_CELLS": "memory: samples x grid states per planner solve (no effect on numbers)",
    "SOLVE_CELLS": "memory: samples x grid states per backward pass (no effect on numbers)",
    "FACTOR_CACHE": "speed: grid factor arrays kept between reads (no effect on numbers)",
    "DEATHS_PERCENTILE": "the deaths_p95 metric",
    "LONE_COPIES": "a lone exact sample is solved among copies of itself (same bits as in a batch)",
    "DEFAULT_CHUNK": "memory: runs per chunk (no effect on numbers)",
    "DEFAULT_RUNS": "default number of runs",
    "WARHEAD_QUANTILES": "timeline bands",
    "DEFAULT_BLOCK": "random-number block size (no effect on numbers)",
    # counter-based random numbers (Philox4x32-10, Salmon et al. 2011): the generator's published constants
    "PHILOX_M0": "Philox4x32 round multiplier", "PHILOX_M1": "Philox4x32 round multiplier",
    "PHILOX_W0": "Philox4x32 key increment", "PHILOX_W1": "Philox4x32 key increment",
    "PHILOX_ROUNDS": "Philox4x32-10: ten rounds", "WORDS": "words per Philox output block",
    "KEY_WORDS": "words of the Philox key", "MASK32": "32-bit words", "WORD_BITS": "32-bit words",
    "TO_UNIT": "a 32-bit word to a uniform in [0, 1)", "INITIAL_WORD": "counter word of a run's initial draws",
    "PHASE_WORD": "counter word of a run's phase-entry draws (keeps them apart from the others)",
    "BELIEF_WORD": "counter word of the draws that round a run's evidence (apart from the others)",
    "COERCER_WORD": "counter word of a strategic coercer's monthly deadline draws (apart from the others)",
    # portable exp and log (fmath): the definition of the functions and their series
    "TWO": "doubling a mantissa; ln m = 2 atanh(s)", "TWO_I": "Horner loops start at the second coefficient",
    "LN2_HI": "Cody-Waite split of ln 2", "LN2_LO": "Cody-Waite split of ln 2",
    "HALF": "round to nearest", "TABLE_BITS": "exp's table of 2^(j/32)", "MIN_EXP": "exponents of normal floats",
    # the fused kernel: layout of its flat arrays and its load balance
    "P_WARHEADS0": "rows of the fused kernel's per-run numbers", "T_MISSILE": "rows of its per-month terms",
    "LU_CITY": "rows of its log-uniform draws", "LU_LOG_LOW": "columns of its log-uniform draws",
    "MEMO_SLOTS": "size of the kernel's memo of exponentials (no effect on numbers)",
    "MEMO_TALKS": "hash multiplier of the memo's slots (no effect on numbers)",
    "R_EVENT": "columns of its rule table", "D_FIRST": "columns of its deadline table",
    "D_SANCTIONS": "codes of deadline responses", "PRIOR_OPEN": "kinds of a learned item's prior",
    "EV_DONE": "columns of its evidence tables", "G_LIST": "rows of its planner grid strides",
    "CHOSEN_AXES": "axes of its planner tables", "BLOCKS_PER_THREAD": "load balance (no effect on numbers)", "EXP_TERMS": "Taylor terms of exp", "LOG_TERMS": "series terms of log",
    "PACKED_POLICY_SHARE": "budget: memory of a packed policy relative to a value array",
    "KEPT_RESPONSE_SHARE": "budget: memory of a kept response relative to a value array",
    "BELIEF_SCALE": "fixed-point resolution of the belief tallies (chunking-independent sums)",
    "BELIEF_STREAM": "the counter word of the evidence rounding draws (keeps them apart from the others)",
    # belief: numerical guards of Bayes' rule and of stochastic rounding
    "TINY": "belief: keeps log(0) finite",
    "NEAR_ONE": "belief: keeps log(1 - 1) finite",
    "ROUND_TOL": "belief: floating-point slack when rounding onto the evidence levels",
    "GRID_AXES": "kernel: the planner grid's four axes (samples, talks, tests, last axis)",
    "SHOWN": "explain: display threshold",
    "PURE": "explain: display threshold",
    "TOP": "explain: how many actions are named",
    "SHOWN_TAKEN": "explain: display threshold",
    "MAP_MONTH": "explain: month of the policy map without a deadline",
    "MAP_TALKS_EVERY": "explain: rows of the policy map",
    "MAP_COLUMNS": "explain: columns of the policy map",
    # adversary types: sizes, seeds and the definition of a distribution
    "DEFAULT_TYPE_COUNT": "types: default K of the quasi-random type set (time, not a model number)",
    "MAX_TYPE_COUNT": "types: memory bound on K",
    "SOBOL_SEED": "types: the fixed scrambling of the type points",
    "TYPES_STREAM": "types: spawn-key prefix of the per-run type streams",
    "NORMAL_SDS_IN_RANGE": "types: definition of `dist: normal` (the range spans four sds)",
    "Z95": "types: 95% normal quantile of the type-sampling interval",
    "MARGIN_POINTS": "margins: coarse moves per direction of the search (resolution, not a model number)",
    "MARGIN_STEPS": "margins: refinement steps of the search (resolution)",
    "QUICK_POINTS": "margins: the report's quicker search (resolution)",
    "QUICK_STEPS": "margins: the report's quicker search (resolution)",
    "SPLIT": "margins: parts each refinement step cuts a bracket into (resolution)",
    "SUMMARY_EDGES": "margins: how many edges the one-line summary names",
    # strategic coercer: the iteration's settings, a unit, sizes
    "DAMPING": "coercer: share of the step towards the best response per iteration (the solver, not the model)",
    "TOLERANCE": "coercer: belief change at which the iteration has converged",
    "MAX_ITERATIONS": "coercer: iterations per start before it is reported as not converged",
    "SAME_EQUILIBRIUM": "coercer: starts that end this close found the same equilibrium",
    "THOUSAND": "coercer: unit conversion (deaths are costed per thousand)",
    "TIE_SHARE": "coercer: an indifferent coercer carries out half the time (the tie rule, as the target's)",
    "CYCLE": "coercer: length of the best-response cycles detected (the solver, not the model)",
    "BLOCK": "coercer: memory: types solved together (no effect on numbers)",
    "BLOCK_STATES": "coercer: memory: grid states x types solved together on a small grid (no effect on numbers)",
    "MIX_TOLERANCE": "coercer: width of the bracket at which the search for a mixing probability stops",
    "STALLED": "coercer: share of the bracket a search step keeps before the next step bisects (the solver)",
    "GAIN_JUMP": "coercer: share of the gain's first swing left over the last bracket that makes it a jump",
    "MIDDLE": "coercer: a bisection's step, the middle of the bracket (the solver, not the model)",
}
STRUCTURAL = {0, 1}
AXES_CALLS = {"transpose", "swapaxes", "moveaxis"}


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _allowed(node: ast.Constant, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether a numeric literal is structural or named (see the module docstring)."""
    if node.value in STRUCTURAL:
        return True
    child, p = node, parents.get(node)
    while p is not None:
        if isinstance(p, ast.Subscript) and child is p.slice:
            return True  # an index or a slice: x[2], shape[3], m[:, :, dm:]
        if isinstance(p, ast.keyword) and p.arg == "axis":
            return True
        if isinstance(p, ast.Call) and getattr(p.func, "attr", getattr(p.func, "id", None)) in AXES_CALLS:
            return True  # axes of a transpose
        if isinstance(p, ast.Compare) and isinstance(p.left, ast.Attribute) and p.left.attr == "ndim":
            return True
        if isinstance(p, ast.ClassDef):
            return any(isinstance(b, ast.Name) and b.id == "IntEnum" for b in p.bases)  # enum codes
        if isinstance(p, ast.Assign) and isinstance(parents.get(p), ast.Module):
            names = [n.id for t in p.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            return bool(names) and names[0] in NAMED
        if isinstance(p, ast.FunctionDef | ast.Lambda):
            return False
        child, p = p, parents.get(p)
    return False


def literals_outside_the_data(path: Path) -> list[str]:
    """`file:line: value` for each numeric literal of `path` that is neither structural nor named."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    out = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, int | float)
                and not isinstance(node.value, bool) and not _allowed(node, parents)):
            out.append(f"{path.parent.name}/{path.name}:{node.lineno}: {node.value!r}")
    return sorted(out)


@pytest.mark.parametrize("path", [m for m in MODULES if m.name not in EXCLUDED], ids=lambda p: p.name)
def test_no_model_number_in_engine_or_planner_code(path):
    found = literals_outside_the_data(path)
    assert not found, ("numeric literals in code; move model numbers into the scenario file (source or "
                       "assumption + range), or name a structural constant in NAMED:\n" + "\n".join(found))


def test_the_scan_catches_a_literal_in_a_formula(tmp_path):
    """The scan is not vacuous: the issue's examples are found, structural uses are not."""
    src = tmp_path / "m.py"
    src.write_text(
        "import numpy as np\n"
        "LIMIT = 7\n"
        "def f(c, d, w, x):\n"
        "    y = np.zeros((4, 3))[2] + x.sum(axis=2) + x[:, 3]\n"
        "    return c * (0.5 + 0.5 * d) - 2 * w + y\n",
        encoding="utf-8")
    where = f"{tmp_path.name}/m.py"
    assert literals_outside_the_data(src) == [f"{where}:2: 7", f"{where}:4: 3", f"{where}:4: 4",
                                              f"{where}:5: 0.5", f"{where}:5: 0.5", f"{where}:5: 2"]


def test_every_named_constant_is_used():
    """No stale entry in the allow-list."""
    text = "\n".join(m.read_text(encoding="utf-8") for m in MODULES)
    assert [name for name in NAMED if f"{name} =" not in text and f"{name}," not in text] == []

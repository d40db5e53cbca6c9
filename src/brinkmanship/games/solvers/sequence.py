"""Nash equilibrium of a two-player extensive game via the sequence form (Koller, Megiddo, von Stengel 1996).

The LCP has one variable per sequence and per information set, so its size is linear in the tree (not
exponential like the strategic form). Solved by Lemke's algorithm; realisation plans are turned into
behaviour strategies and the profile is verified on the tree before it is returned.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from brinkmanship.games.extensive import CHANCE, ExtensiveGame
from brinkmanship.games.solvers.lcp import RayTerminationError, lemke
from brinkmanship.games.solvers.result import DEFAULT_TOL, Equilibrium, SolveResult, verify_behavior


def sequence_form(game: ExtensiveGame, *, exact: bool = False) -> dict[str, np.ndarray]:
    """Constraint matrices E, F, right-hand sides e, f and payoff matrices A, B over sequences."""
    if game.n_players != 2:
        raise ValueError("the sequence form solver needs a two-player game")
    if not game.has_perfect_recall:
        raise ValueError("the sequence form needs perfect recall")
    s1, s2 = game.sequences
    t = game.terminals
    chance_actions = game.infoset_player[game.action_infoset] == CHANCE
    if exact:
        prob = np.array([game.exact_chance(a) if chance_actions[a] else Fraction(1) for a in range(game.n_actions)],
                        dtype=object)
        reach = np.array([Fraction(1)] * game.n_nodes, dtype=object)
        for lvl in game.levels[1:]:
            reach[lvl] = reach[game.parent[lvl]] * prob[game.edge_action[lvl]]
        pay = np.empty((game.n_nodes, 2), dtype=object)
        pay[:] = Fraction(0)
        for v in np.flatnonzero(game.node_outcome >= 0):
            pay[v] = list(game.exact_outcome(int(game.node_outcome[v])))
        for lvl in game.levels[1:]:
            pay[lvl] += pay[game.parent[lvl]]
        top = max(max(pay[t, 0]), max(pay[t, 1])) + 1
        dtype = object
        zero = Fraction(0)
    else:
        beh = np.where(chance_actions, np.nan_to_num(game.chance_prob), 1.0)
        reach = game.reach(beh)
        pay = game.cumulative_payoffs
        top = float(pay[t].max()) + 1.0
        dtype = float
        zero = 0.0
    n1, n2 = int(s1["n_seq"]), int(s2["n_seq"])
    A = np.full((n1, n2), zero, dtype=dtype)
    B = np.full((n1, n2), zero, dtype=dtype)
    r1, r2 = s1["node_seq"][t], s2["node_seq"][t]
    # shift payoffs below zero (does not change equilibria; Lemke's algorithm needs it)
    np.add.at(A, (r1, r2), reach[t] * (pay[t, 0] - top))
    np.add.at(B, (r1, r2), reach[t] * (pay[t, 1] - top))
    if not exact:  # unit scale keeps the pivoting tolerances meaningful
        A /= max(1.0, float(np.abs(A).max()))
        B /= max(1.0, float(np.abs(B).max()))
    out = {"A": A, "B": B}
    for name, s, rhs in (("E", s1, "e"), ("F", s2, "f")):
        infosets = s["infosets"]
        E = np.full((1 + len(infosets), int(s["n_seq"])), zero, dtype=dtype)
        E[0, 0] = 1
        for r, k in enumerate(infosets, start=1):
            E[r, s["parent_seq"][k]] = -1
            a0 = s["seq_of_action"][game.action_offset[k]]
            E[r, a0 : a0 + game.infoset_nactions[k]] = 1
        vec = np.full(1 + len(infosets), zero, dtype=dtype)
        vec[0] = 1
        out[name] = E
        out[rhs] = vec
    return out


def _lcp(sf: dict[str, np.ndarray], exact: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The LCP (M, q) over z = (x, y, p, q) of Koller, Megiddo and von Stengel.

    With all payoffs negative the infoset values are <= 0, so the free dual variables can be taken as
    p = -(value) >= 0 and the equalities E x = e become E x >= e complementary to p (no split p+ / p-,
    which would make every basis degenerate)."""
    A, B, E, F, e, f = sf["A"], sf["B"], sf["E"], sf["F"], sf["e"], sf["f"]
    n1, n2 = A.shape
    k1, k2 = E.shape[0], F.shape[0]
    N = n1 + n2 + k1 + k2
    dtype = object if exact else float
    zero = Fraction(0) if exact else 0.0
    M = np.full((N, N), zero, dtype=dtype)
    q = np.full(N, zero, dtype=dtype)
    x0, y0, p0, q0 = 0, n1, n1 + n2, n1 + n2 + k1
    M[x0:y0, y0:p0] = -A
    M[x0:y0, p0:q0] = -E.T
    M[y0:p0, x0:y0] = -B.T
    M[y0:p0, q0:N] = -F.T
    M[p0:q0, x0:y0] = E
    M[q0:N, y0:p0] = F
    q[p0:q0] = -e
    q[q0:N] = -f
    return M, q, np.array([n1, n2])


def _plan_to_behavior(game: ExtensiveGame, player: int, plan: np.ndarray, beh: np.ndarray, exact: bool) -> None:
    """Behaviour at each infoset = realisation of (infoset, action) / realisation of its parent sequence."""
    s = game.sequences[player - 1]
    for k in s["infosets"]:
        a0 = int(game.action_offset[k])
        na = int(game.infoset_nactions[k])
        q0 = int(s["seq_of_action"][a0])
        par = plan[int(s["parent_seq"][k])]
        vals = plan[q0 : q0 + na]
        if (par > 0) if exact else (par > 1e-12):
            probs = [v / par for v in vals]
            if not exact:
                probs = list(np.clip(np.asarray(probs, dtype=float), 0.0, None))
                tot = sum(probs)
                probs = [v / tot for v in probs]
        else:  # unreached by the player's own plan: any choice keeps the equilibrium
            probs = [Fraction(1, na) if exact else 1.0 / na] * na
        beh[a0 : a0 + na] = probs


def sequence_lcp(game: ExtensiveGame, *, tol: float = DEFAULT_TOL, exact: bool = False) -> SolveResult:
    """One Nash equilibrium (in behaviour strategies) of a two-player game with perfect recall."""
    sf = sequence_form(game, exact=exact)
    M, q, sizes = _lcp(sf, exact)
    n1, n2 = int(sizes[0]), int(sizes[1])
    z, pivots, attempt = _solve_lcp(M, q, exact)
    x, y = z[:n1], z[n1 : n1 + n2]
    zero = Fraction(0) if exact else 0.0
    beh = np.array([zero] * game.n_actions, dtype=object if exact else float)
    chance = game.infoset_player[game.action_infoset] == CHANCE
    for a in np.flatnonzero(chance):
        beh[a] = game.exact_chance(int(a)) if exact else game.chance_prob[a]
    _plan_to_behavior(game, 1, x, beh, exact)
    _plan_to_behavior(game, 2, y, beh, exact)
    eq = _verified(game, beh, tol, exact)
    settings = {"tol": tol, "exact": exact, "lcp_size": len(q), "pivots": pivots, "lcp_attempt": attempt,
                "sequences": [n1, n2]}
    return SolveResult(game.title, "sequence", "behavior", settings, [eq])


ATTEMPTS = (0.0, 1e-5)
EXACT_FALLBACK_SIZE = 200


def _solve_lcp(M: np.ndarray, q: np.ndarray, exact: bool) -> tuple[np.ndarray, int, str]:
    """Lemke in floats (lexicographic, then with growing perturbations of q), then exactly if small.

    Each float answer is checked as an LCP solution before it is accepted."""
    if exact:
        z, piv = lemke(M, q, exact=True)
        return z, piv, "exact"
    N = len(q)
    errors = []
    for pz in ATTEMPTS:
        try:
            z, piv = lemke(M, q, exact=False, perturb=pz, max_pivots=20 * N + 1000)
        except (RayTerminationError, RuntimeError) as exc:
            errors.append(f"perturb={pz}: {exc}")
            continue
        w = q + M @ z
        scale = max(1.0, float(np.abs(z).max()))
        if w.min() >= -1e-8 * scale and abs(float(z @ w)) <= 1e-8 * scale * N:
            return z, piv, f"float, perturbation {pz}"
        errors.append(f"perturb={pz}: not a solution (min w {w.min():.3g})")
    if N <= EXACT_FALLBACK_SIZE:
        Mx = np.array([[Fraction(repr(float(v))) for v in row] for row in M], dtype=object)
        qx = np.array([Fraction(repr(float(v))) for v in q], dtype=object)
        z, piv = lemke(Mx, qx, exact=True)
        return np.array([float(v) for v in z]), piv, "exact fallback"
    raise RuntimeError("sequence-form LCP not solved: " + "; ".join(errors))


def _verified(game: ExtensiveGame, beh: np.ndarray, tol: float, exact: bool) -> Equilibrium:
    fbeh = np.array([float(v) for v in beh])
    eq = verify_behavior(game, fbeh, tol)
    if not exact:
        return eq
    return Equilibrium(beh, eq.payoffs, eq.max_regret, exact=True, nest=game.behavior_lists)

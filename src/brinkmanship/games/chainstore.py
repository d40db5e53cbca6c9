"""The Kreps-Wilson chain-store game: reputation in a short finite horizon, as a tree and in closed form.

An incumbent meets N entrants in turn. Nature first makes it *strong* (always fights) with prior `prior`
or *weak*. Entrant k sees every earlier entry decision and response, not the type, and stays out (0) or
enters: it gets b if accommodated and b - 1 if fought (0 < b < 1). The weak incumbent gets a > 1 for each
entrant that stays out, 0 for each accommodation and -1 for each fight; the strong one gets a per
entrant out and 0 per fight (Kreps & Wilson's "strong" payoffs; it never accommodates). This is the
normalisation of Fudenberg & Tirole, "Game Theory" (MIT Press, 1991), section 9.2.

Three versions of the same equilibrium, which the tests check against each other:
- `chain_store_game`: the extensive form, built with `games.builder` (N + 1 players), for the solvers and
  for `games.beliefs.assess` (no profitable deviation at any information set);
- the closed form (`entry_probability`, `fight_probability`, `posterior_after_fight`, `weak_value`,
  `chain_store_path`): plain functions on arrays, exact on arrays of Fractions;
- `chain_store_by_backward_induction`: value functions over a reputation grid, solved backwards period by
  period with Bayes updates, vectorised over a batch of parameter sets (the crisis planner's shape).

References: D. Kreps & R. Wilson, "Reputation and imperfect information", Journal of Economic Theory 27
(1982) 253-279; P. Milgrom & J. Roberts, "Predation, reputation and entry deterrence", JET 27 (1982)
280-312; Fudenberg & Tirole (1991) section 9.2; R. Gibbons, "A Primer in Game Theory" (1992) section 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from brinkmanship.games.builder import Tree, game, harsanyi, leaf, move
from brinkmanship.games.extensive import ExtensiveGame
from brinkmanship.games.numbers import Number, to_fraction

SOURCE = (
    "Kreps & Wilson, 'Reputation and imperfect information', JET 27 (1982) 253-279; payoffs as in "
    "Fudenberg & Tirole, Game Theory (1991) section 9.2"
)
# one letter per period's public outcome in infoset labels: entrant out, entry fought, entry accommodated
OUT, FIGHT, ACCOMMODATE = "O", "F", "A"
FLOAT_TOL = 1e-9  # closeness of floats that the equilibrium makes equal (a belief at an entry threshold)


def check_parameters(n_entrants: int, prior: Any, a: Any, b: Any) -> None:
    """Raise ValueError unless N >= 1, 0 < prior < 1, a > 1 and 0 < b < 1 (element-wise)."""
    if int(n_entrants) != n_entrants or n_entrants < 1:
        raise ValueError(f"the chain-store game needs at least one entrant (got {n_entrants})")
    for name, x, ok in (("prior", prior, lambda v: (v > 0) & (v < 1)), ("a", a, lambda v: v > 1),
                        ("b", b, lambda v: (v > 0) & (v < 1))):
        if not np.all(ok(np.asarray(x))):
            bound = {"prior": "0 < prior < 1", "a": "a > 1", "b": "0 < b < 1"}[name]
            raise ValueError(f"chain-store parameter {name} = {x} is outside {bound}")


# -- the extensive form -----------------------------------------------------------------------------
def entrant_infoset(period: int, history: str) -> str:
    """Label of entrant `period`'s information set after the public `history` (one letter per period)."""
    return f"E{period}:{history}"


def weak_infoset(period: int, history: str) -> str:
    """Label of the weak incumbent's decision after entry in `period`, after the public `history`."""
    return f"W{period}:{history}"


def chain_store_game(n_entrants: int, prior: Number, a: Number, b: Number) -> ExtensiveGame:
    """The chain-store game with `n_entrants` entrants as an extensive form (exact payoffs and prior).

    Players: "Entrant 1" .. "Entrant N", then "Incumbent". Nature draws the type; each entrant's
    information set holds the strong and the weak node with the same public history; the weak incumbent's
    decisions are singletons; the strong incumbent has no decision (it fights)."""
    check_parameters(n_entrants, to_fraction(prior), to_fraction(a), to_fraction(b))
    p, a_, b_ = to_fraction(prior), to_fraction(a), to_fraction(b)
    n = int(n_entrants)
    players = [f"Entrant {k}" for k in range(1, n + 1)] + ["Incumbent"]

    def play(strong: bool, history: str, paid: tuple[Fraction, ...]) -> Tree:
        k = len(history) + 1
        if k > n:
            return leaf(history, *paid)
        entrant, incumbent = k - 1, n

        def after(step: str, own: Fraction, inc: Fraction) -> Tree:
            pay = list(paid)
            pay[entrant] += own
            pay[incumbent] += inc
            return play(strong, history + step, tuple(pay))

        out = after(OUT, Fraction(0), a_)
        if strong:
            entered = after(FIGHT, b_ - 1, Fraction(0))
        else:
            entered = move("Incumbent", {"fight": after(FIGHT, b_ - 1, Fraction(-1)),
                                         "accommodate": after(ACCOMMODATE, b_, Fraction(0))},
                           infoset=weak_infoset(k, history))
        return move(players[entrant], {"out": out, "enter": entered}, infoset=entrant_infoset(k, history))

    zero = tuple(Fraction(0) for _ in players)
    root = harsanyi({"strong": (p, play(True, "", zero)), "weak": (1 - p, play(False, "", zero))})
    return game(f"Chain store (Kreps-Wilson), N={n}, prior={p}, a={a_}, b={b_}", players, root, source=SOURCE)


# -- the closed-form sequential equilibrium ------------------------------------------------------------
_SIGN = np.frompyfunc(lambda v: (v > 0) - (v < 0), 1, 1)


def _cmp(x: Any, y: Any) -> np.ndarray:
    """Sign of x - y element-wise: exact for Fractions, within FLOAT_TOL (relative) for floats."""
    x, y = np.asarray(x), np.asarray(y)
    d = np.asarray(x - y)
    if d.dtype == object:
        return np.asarray(_SIGN(d)).astype(int)
    tol = FLOAT_TOL * np.maximum(1.0, np.maximum(np.abs(x), np.abs(y)))
    return np.where(d > tol, 1, np.where(d < -tol, -1, 0))


def entry_threshold(n_left: int, b: Any) -> Any:
    """Reputation b**n below which the entrant enters when n entrants (itself included) remain."""
    return np.asarray(b) ** int(n_left)


def entry_probability(n_left: int, p: Any, a: Any, b: Any) -> np.ndarray:
    """Probability that the entrant enters with n entrants left and reputation p.

    Enters if p < b**n, stays out if p > b**n; at p = b**n it stays out with probability 1/a, the mix that
    leaves the weak incumbent indifferent between fighting and accommodating one period earlier
    (Kreps & Wilson 1982, section 4; Fudenberg & Tirole 1991, section 9.2)."""
    s = _cmp(p, entry_threshold(n_left, b))
    a = np.asarray(a)
    one = a ** 0  # 1 in the arithmetic of the parameters (Fraction stays exact)
    return np.where(s < 0, one, np.where(s > 0, 0 * one, one - 1 / a))


def fight_probability(n_left: int, p: Any, b: Any) -> np.ndarray:
    """Probability that the weak incumbent fights an entry with n entrants left (this one included).

    Last entrant: 0. Otherwise 1 if p >= b**(n-1), else the mix that makes the posterior after a fight
    exactly b**(n-1): p (1 - b**(n-1)) / ((1 - p) b**(n-1)) (Kreps & Wilson 1982; FT 1991, 9.2)."""
    p = np.asarray(p)
    one = p ** 0
    if n_left <= 1:
        return np.asarray(0 * one)
    t = entry_threshold(n_left - 1, b)
    above = _cmp(p, t) >= 0
    den = (1 - p) * t
    mix = p * (1 - t) / np.where(above, one, den)  # (p = 1 is above every threshold)
    return np.where(above, one, mix)


def posterior_after_fight(n_left: int, p: Any, b: Any) -> np.ndarray:
    """Bayes' rule for the reputation after a fight (the strong type always fights).

    With fight probability f of the weak type: p / (p + (1 - p) f); at p = 0 (weak revealed) it stays 0."""
    p = np.asarray(p)
    f = fight_probability(n_left, p, b)
    den = p + (1 - p) * f
    safe = np.where(_cmp(den, 0 * den) > 0, den, p ** 0)
    return np.where(_cmp(den, 0 * den) > 0, p / safe, p)


def weak_value(n_left: int, p: Any, a: Any, b: Any) -> np.ndarray:
    """The weak incumbent's equilibrium value with n entrants left and reputation p.

    a per remaining period with b**m < p (those entrants stay out), plus 1 if p equals the threshold where
    entry starts (the entrant mixes, 1/a out); every period after the first entry is worth 0 (the weak
    incumbent is indifferent and accommodating reveals it: Kreps & Wilson 1982, FT 1991, 9.2)."""
    p, a = np.asarray(p), np.asarray(a)
    value = 0 * p * a
    for m in range(1, int(n_left) + 1):  # m = entrants left, from the last one up
        s = _cmp(p, entry_threshold(m, b))
        value = np.where(s > 0, a + value, np.where(s == 0, 1 + 0 * value, 0 * value))
    return np.asarray(value)


def entrant_value(n_left: int, p: Any, b: Any) -> np.ndarray:
    """The entrant's equilibrium payoff: 0 if p >= b**n, else b minus the probability of a fight."""
    p = np.asarray(p)
    fought = p + (1 - p) * fight_probability(n_left, p, b)
    return np.where(_cmp(p, entry_threshold(n_left, b)) >= 0, 0 * fought, b - fought)


@dataclass(frozen=True)
class ChainStorePath:
    """The equilibrium path, per parameter set (rows) and period (columns, first entrant first).

    entry: probability that entrant k enters; fight: probability of a fight given entry (both types);
    weak_fight: the weak type's, given entry against it; reputation: expected belief that the incumbent is
    strong at the start of period k, given it has not accommodated yet; entrant_values: entrant k's
    expected payoff; weak_value / strong_value / incumbent_value: the incumbent's expected total payoff
    by type and ex ante. NaN where the conditioning event has probability 0."""

    entry: np.ndarray
    fight: np.ndarray
    weak_fight: np.ndarray
    reputation: np.ndarray
    entrant_values: np.ndarray
    weak_value: np.ndarray
    strong_value: np.ndarray
    incumbent_value: np.ndarray


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den as floats, NaN where den == 0."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def propagate(
    beliefs: np.ndarray, start: np.ndarray, enter: np.ndarray, fight: np.ndarray, post: np.ndarray,
    prior: np.ndarray, a: np.ndarray, b: np.ndarray,
) -> ChainStorePath:
    """Push the type-and-reputation distribution forward under a policy on reputation states.

    beliefs (m, S): the reputation of each state (state 0 must be belief 0: the weak type revealed);
    start (m,): the state of the prior; enter, fight (N, m, S): entry and weak-fight probabilities in each
    period; post (N, m, S): the state after a fight. Vectorised over the m parameter sets and S states."""
    n_periods, m, n_states = enter.shape
    rows = np.arange(m)[:, None].repeat(n_states, 1)
    weak = np.zeros((m, n_states), dtype=enter.dtype)
    strong = np.zeros((m, n_states), dtype=enter.dtype)
    weak[np.arange(m), start] = 1 - prior
    strong[np.arange(m), start] = prior
    zero = prior * 0
    shape = (m, n_periods)
    out = {k: np.zeros(shape) for k in ("entry", "fight", "weak_fight", "reputation")}
    ent_val = np.empty(shape, dtype=enter.dtype)
    weak_total, strong_total = zero.copy(), zero.copy()
    for k in range(n_periods):
        e, f, q = enter[k], fight[k], post[k]
        intact = weak[:, 1:].sum(1) + strong[:, 1:].sum(1)
        out["reputation"][:, k] = _ratio(((weak + strong)[:, 1:] * beliefs[:, 1:]).sum(1), intact)
        entry_w, entry_s = weak * e, strong * e
        fights = entry_w * f
        out["entry"][:, k] = np.asarray((entry_w + entry_s).sum(1), dtype=float)
        out["fight"][:, k] = _ratio((fights + entry_s).sum(1), (entry_w + entry_s).sum(1))
        out["weak_fight"][:, k] = _ratio(fights.sum(1), entry_w.sum(1))
        ent_val[:, k] = ((fights + entry_s).sum(1) * (b - 1) + (entry_w - fights).sum(1) * b)
        weak_total = weak_total + (weak * (1 - e)).sum(1) * a - fights.sum(1)
        strong_total = strong_total + (strong * (1 - e)).sum(1) * a
        new_w = weak * (1 - e)
        new_s = strong * (1 - e)
        np.add.at(new_w, (rows, q), fights)
        np.add.at(new_s, (rows, q), entry_s)
        new_w[:, 0] = new_w[:, 0] + (entry_w - fights).sum(1)
        weak, strong = new_w, new_s
    # the totals are unconditional (the masses of each type sum to its prior): condition them on the type
    return ChainStorePath(out["entry"], out["fight"], out["weak_fight"], out["reputation"], ent_val,
                          weak_total / (1 - prior), strong_total / prior, weak_total + strong_total)


def chain_store_path(n_entrants: int, prior: Any, a: Any, b: Any) -> ChainStorePath:
    """The closed-form equilibrium path for a batch of parameter sets (arrays of shape (m,); Fractions
    in object arrays give exact values).

    The reputation only takes the values 0 (weak revealed), the prior and the thresholds b**1 .. b**(N-1)
    (where a fight that the weak type mixes over leaves it), so these are the states propagated."""
    check_parameters(n_entrants, prior, a, b)
    prior, a, b = (np.atleast_1d(np.asarray(x)) for x in (prior, a, b))
    prior, a, b = np.broadcast_arrays(prior, a, b)
    n, m = int(n_entrants), prior.shape[0]
    beliefs = np.stack([0 * prior, prior, *[b**j for j in range(1, n + 1)]], axis=1)  # (m, N + 2)
    enter, fight, post = [], [], []
    for k in range(1, n + 1):
        n_left = n - k + 1
        enter.append(entry_probability(n_left, beliefs, a[:, None], b[:, None]))
        f = fight_probability(n_left, beliefs, b[:, None])
        fight.append(f)
        # a fight the weak type always makes keeps the reputation; one it mixes over moves it to b**(n-1)
        to_threshold = (_cmp(f, f**0) < 0) & (n_left > 1)
        post.append(np.where(to_threshold, 1 + (n_left - 1), np.arange(n + 2)[None, :]).astype(np.int64))
    return propagate(beliefs, np.ones(m, dtype=np.int64), np.stack(enter), np.stack(fight), np.stack(post),
                     prior, a, b)


# -- the same equilibrium as a behaviour profile of the tree -------------------------------------------
def public_belief(n_entrants: int, history: str, prior: Any, b: Any) -> Any:
    """The closed-form reputation after a public history (Bayes along it; 0 once the weak type is revealed)."""
    p = np.asarray(prior)
    for j, step in enumerate(history, start=1):
        n_left = n_entrants - j + 1
        if step == FIGHT:
            p = posterior_after_fight(n_left, p, b)
        elif step == ACCOMMODATE:
            p = np.asarray(0 * p)
    return np.asarray(p)[()]


def closed_form_behavior(g: ExtensiveGame, prior: Any, a: Any, b: Any) -> np.ndarray:
    """The closed-form equilibrium as a flat behaviour profile of `chain_store_game(...)` (same parameters)."""
    n = g.n_players - 1
    if isinstance(prior, Fraction):  # exact: chance probabilities as the game holds them
        chance = g.infoset_player[g.action_infoset] == 0
        beh = np.array([g.exact_chance(i) if chance[i] else Fraction(0) for i in range(g.n_actions)], dtype=object)
    else:
        beh = g.uniform_behavior()
    for k in np.flatnonzero(g.infoset_player > 0):
        role, history = g.infoset_label(int(k)).split(":")
        period = int(role[1:])
        n_left = n - period + 1
        p = public_belief(n, history, prior, b)
        a0 = int(g.action_offset[k])
        if role[0] == "E":  # actions: out, enter
            e = entry_probability(n_left, p, a, b)[()]
            beh[a0], beh[a0 + 1] = 1 - e, e
        else:  # actions: fight, accommodate
            f = fight_probability(n_left, p, b)[()]
            beh[a0], beh[a0 + 1] = f, 1 - f
    return beh


# -- backward induction over a reputation grid (the crisis planner's shape) ----------------------------
def reputation_grid(n_entrants: int, prior: Any, b: Any, points: int = 101) -> np.ndarray:
    """A belief grid per parameter set (m, points + N): uniform points on [0, 1], the prior and the
    reputations b**1 .. b**N (the posteriors a mixed fight can lead to, so the solution is exact)."""
    prior, b = np.broadcast_arrays(np.atleast_1d(np.asarray(prior, dtype=float)),
                                   np.atleast_1d(np.asarray(b, dtype=float)))
    uniform = np.broadcast_to(np.linspace(0.0, 1.0, points), (prior.shape[0], points))
    extra = [prior[:, None]] + [b[:, None] ** j for j in range(1, int(n_entrants))]
    return np.sort(np.concatenate([uniform, *extra], axis=1), axis=1)


@dataclass(frozen=True)
class BackwardSolution:
    """Policies on the grid per period (N, m, K): entry and weak-fight probabilities, the grid index of
    the reputation after a fight; the weak type's value function per period; and the path from the prior."""

    grid: np.ndarray
    enter: np.ndarray
    fight: np.ndarray
    post: np.ndarray
    weak_values: np.ndarray
    path: ChainStorePath


def chain_store_by_backward_induction(
    n_entrants: int, prior: Any, a: Any, b: Any, grid: np.ndarray | None = None, *, tol: float = FLOAT_TOL
) -> BackwardSolution:
    """Solve the chain-store game by backward induction over the reputation, for m parameter sets at once.

    State: the public belief that the incumbent is strong, on a grid (m, K) whose first point is 0 and
    which holds the prior (default `reputation_grid`). Backwards from the last entrant, with C the weak
    type's value function of the next period: after entry the weak type fights for sure when the
    reputation is worth the fight (C(p) - C(0) >= 1), else mixes so that the posterior (Bayes' rule) is the
    lowest grid belief q > p that is worth it (C(q) - C(0) = 1 when the grid holds the threshold), else
    accommodates; the entrant enters when the probability of a fight is below b, stays out above, and at
    equality mixes so that the weak type's value is C_n(0) + 1, the indifference one period earlier needs.
    Exact (to float rounding) when the grid holds the beliefs the equilibrium reaches (the prior and
    b**1 .. b**(N-1)); on a coarser grid the weak type aims at the next grid belief above the threshold.
    Loops run over periods only; every step is vectorised over parameter sets and grid points."""
    check_parameters(n_entrants, prior, a, b)
    prior, a, b = np.broadcast_arrays(*(np.atleast_1d(np.asarray(x, dtype=float)) for x in (prior, a, b)))
    n, m = int(n_entrants), prior.shape[0]
    g = reputation_grid(n, prior, b) if grid is None else np.broadcast_to(np.asarray(grid, dtype=float), (m, np.shape(grid)[-1]))
    if np.any(g[:, 0] != 0.0) or np.any(np.diff(g, axis=1) < 0):
        raise ValueError("the reputation grid must be sorted and start at belief 0 (the weak type revealed)")
    start = np.argmin(np.abs(g - prior[:, None]), axis=1)
    if np.any(np.abs(g[np.arange(m), start] - prior) > tol):
        raise ValueError("the reputation grid must hold the prior")
    K = g.shape[1]
    idx = np.broadcast_to(np.arange(K), (m, K))
    cont = np.zeros((m, K))  # the weak type's value after the last period
    enter, fight, post, values = [], [], [], []
    aa, bb = a[:, None], b[:, None]
    for n_left in range(1, n + 1):
        gain = cont - cont[:, :1]  # what a reputation is worth from the next period on
        if n_left == 1:
            f, q = np.zeros((m, K)), idx.copy()
        else:
            worth = gain >= 1 - tol
            # the lowest grid belief at or above each point that is worth a fight (K if none)
            cand = np.where(worth, idx, K)
            target = np.minimum.accumulate(cand[:, ::-1], axis=1)[:, ::-1]
            has = target < K
            q = np.where(worth, idx, np.where(has, target, idx))
            pq = np.take_along_axis(g, np.minimum(q, K - 1), axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                mix = np.where((pq > 0) & (g < 1), g * (1 - pq) / ((1 - g) * pq), 0.0)
            f = np.where(worth, 1.0, np.where(has, mix, 0.0))
        cont_post = np.take_along_axis(cont, q, axis=1)
        after_entry = f * (cont_post - 1) + (1 - f) * cont[:, :1]
        stay_out = aa + cont
        fought = g + (1 - g) * f
        gap = fought - bb
        at_zero = after_entry[:, :1]  # reputation 0: the entrant enters (b > 0)
        wanted = at_zero + 1  # the value that makes the weak type indifferent one period earlier
        with np.errstate(divide="ignore", invalid="ignore"):
            mix_e = np.clip((stay_out - wanted) / (stay_out - after_entry), 0.0, 1.0)
        e = np.where(gap < -tol, 1.0, np.where(gap > tol, 0.0, np.nan_to_num(mix_e)))
        cont = e * after_entry + (1 - e) * stay_out
        enter.append(e)
        fight.append(f)
        post.append(q)
        values.append(cont)
    # stored first period first (the last solved is the first played)
    enter, fight, post, values = (np.stack(x[::-1]) for x in (enter, fight, post, values))
    path = propagate(g, start, enter, fight, post, prior, a, b)
    return BackwardSolution(g, enter, fight, post, values, path)

"""The strategic coercer: carrying out a rule or a deadline is a decision, taken by backward induction.

At each trigger (a test, a provocation, a deadline's date) the coercer compares its value of carrying the
threat out with that of not doing so, on the planner's grid, against the target's policy: the coercer's value
function W (n, K, M, R) moves back month by month beside the target's V, with the coercer's payoffs from the
scenario's `coercer:` block. The target believes each threat is carried out with a probability b (one number
per rule and type); in equilibrium b is the coercer's own execution probability along the path. Best responses
are iterated with damping from several starting beliefs; each start reports its iterations and residual, and
starts that end apart are reported as several equilibria (or a cycle when a start does not settle).

The coercer's payoff from being seen resolute is `reputation_value` x the move of the target's belief that
carrying out (rather than not) causes: `belief_swing`. Without a learned belief that move is one full unit;
with the learned belief (an evidence factor of the grid) it is the Bayes update between the two evidence
states, read at the same place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from brinkmanship.adversary.exact import _Policy, advance, running_outcomes, start_mass
from brinkmanship.adversary.gathers import backend
from brinkmanship.adversary.grid import Grid
from brinkmanship.adversary.kernel import (
    DENUCLEAR_O,
    DISCOUNT_CAP,
    FREEZE_O,
    LIMITED_O,
    NUCLEAR_O,
    WAR_O,
    End,
    Key,
    Month,
    Open,
    Strike,
    annuity_from,
    col,
    mcol,
    talks_pull,
    tested_key,
)
from brinkmanship.adversary.planner import (
    TIE_TOL,
    Decision,
    Evaluator,
    Solution,
    accumulate,
    option_shares,
    solve,
)
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, CompiledDeadline
from brinkmanship.engine.constants import N_ACTIONS, OUTCOMES, Action, Event, Response, Status, TargetClass
from brinkmanship.errors import InputError

DAMPING = 0.5  # share of the step towards the best response taken per iteration (after an undamped first step)
TOLERANCE = 1e-4  # largest change of a belief at which the iteration has converged (probabilities are shown to 2 d.p.)
MIX_TOLERANCE = 5e-3  # width of the bracket of a mixing probability at which bisection stops (shown to 2 d.p.)
MIDDLE = 0.5  # a bisection's step: the middle of the bracket (and the chord's guard, half the tolerance inside)
STALLED = 0.9  # a search step that keeps this share of the bracket is followed by a bisection
GAIN_JUMP = 0.1  # share of the gain's swing over the first bracket still there over the last: a jump, not a slope
MAX_ITERATIONS = 25  # iterations per starting point before the start is reported as not converged
SAME_EQUILIBRIUM = 2 * TOLERANCE  # starts that stop within TOLERANCE of one fixed point end up to twice that apart
THOUSAND = 1000.0  # deaths are costed per thousand (`coercer.life_cost`)
CYCLE = 2  # the length of the cycles of best responses that are detected
TIE_SHARE = 0.5  # an indifferent coercer carries out half the time (the rational target's tie rule)
C = "coercer."


def belief_swing(month: Month, threat: str) -> np.ndarray | float:
    """How far carrying out `threat` (rather than not) moves the target's belief that the coercer is resolute,
    per grid state: posterior(prior, L + e(carried out)) - posterior(prior, L + e(not)), with L the evidence
    at each state and e the Bayes move of the observation (`engine.belief`; for a deadline, acting this month
    against letting the month pass). Without a learned belief (no evidence factor) the observation is decisive:
    one full unit."""
    c = month.c
    if month.grid.B == 1:
        return 1.0
    item = next((r for r in (*c.rules, *c.deadlines) if r.id == threat), None)
    if item is None or not item.bluff:
        return 1.0
    p, b = c[item.prob], c[item.bluff]
    if isinstance(item, CompiledDeadline):  # a deadline: its hazards this month, resolute against bluffing
        p = belief.deadline_hazard(p, month.t, item.first_month, item.last_month)
        b = belief.deadline_hazard(b, month.t, item.first_month, item.last_month)
    prior = col(c[item.believed])
    moved = [belief.posterior(prior, month.L + col(belief.evidence(seen, p, b))) for seen in (True, False)]
    return moved[0] - moved[1]


@dataclass
class Threat:
    """A rule or a deadline as the coercer decides it: parameter names, its event and its lottery."""

    id: str
    kind: str  # "rule" or "deadline"
    prob: str  # the declared execution probability: the machinery's share once the coercer decides to
    believed: str
    chance: str  # the lottery's probability, fired whatever the coercer decides
    event: Event | None = None
    response: str = ""


def threats_of(c: Compiled) -> list[Threat]:
    """The strategy's rules and deadlines as threats."""
    out = [Threat(r.id, "rule", r.prob, r.believed, f"rules.{r.id}.chance", r.event, r.response) for r in c.rules]
    out += [Threat(d.id, "deadline", d.prob, d.believed, f"deadlines.{d.id}.chance", None, d.response)
            for d in c.deadlines]
    return out


def execution_probability(c: Compiled, th: Threat, decided: np.ndarray | float) -> np.ndarray | float:
    """Execution probability from the decision (1 execute, 0 not, 1/2 a tie): the lottery fires with its
    chance; otherwise the coercer's decision is carried out with the declared probability."""
    ch, p = col(c[th.chance]), col(c[th.prob])
    if np.all(np.asarray(decided) == 1) and np.all(np.asarray(c[th.chance]) == 0):
        return c[th.prob]  # always carried out: the committed coercer's own number, bit for bit
    return ch + (1 - ch) * p * decided


class Payoffs:
    """The coercer's payoffs in month t: an open month's flow, each ending's value (n, M), a strike's cost."""

    def __init__(self, mk: Month) -> None:
        c = mk.c
        self.mk = mk
        self.delta = c[C + "discount"]
        remaining = c.horizon - mk.t - 1
        annuity = np.reshape(annuity_from(self.delta, remaining, c["adversary.beyond_horizon"]), (-1, 1))
        self.annuity = annuity
        life = np.reshape(c[C + "life_cost"], (-1, 1)) / THOUSAND
        ally = np.reshape(c[C + "allied_share"], (-1, 1))
        enemy = np.reshape(c[C + "enemy_civilian_weight"], (-1, 1))
        war_deaths = np.reshape(c["war.conventional_deaths"], (-1, 1)) * (ally + (1 - ally) * enemy)
        nuclear_deaths = np.reshape(c["war.detonations_mean"] * c["war.deaths_per_detonation"], (-1, 1)) * ally
        war = -np.reshape(c[C + "war_cost"], (-1, 1)) - life * war_deaths + annuity * np.reshape(
            c[C + "after_war"], (-1, 1))
        zero = np.zeros((1, mk.grid.M))
        # a month's flow by the status of the state: open, a freeze, a deal being carried out or carried out
        status = mk.grid.status[None, None, None, :]
        self.flow = np.where(status == Status.OPEN, col(c[C + "status_quo"]), np.where(
            status == Status.FROZEN, col(c[C + "freeze"]), col(c[C + "denuclearisation"])))
        self.ending = {
            DENUCLEAR_O: annuity * np.reshape(c[C + "denuclearisation"], (-1, 1)) + zero,
            FREEZE_O: annuity * np.reshape(c[C + "freeze"], (-1, 1)) + zero,
            LIMITED_O: (-np.reshape(c[C + "limited_conflict_cost"], (-1, 1))
                        - life * np.reshape(c["war.provocation_deaths"], (-1, 1))
                        + annuity * np.reshape(c[C + "status_quo"], (-1, 1)) + zero),
            WAR_O: war + zero,
            NUCLEAR_O: war - np.reshape(c[C + "nuclear_use_cost"], (-1, 1)) - life * nuclear_deaths + zero,
        }
        pn = mk.pn_free
        self.war_free = (1 - pn) * self.ending[WAR_O] + pn * self.ending[NUCLEAR_O]  # (n, M)
        self.target_cost = c[C + "strike_cost"] + c[C + "life_cost"] / THOUSAND * c[C + "enemy_civilian_weight"] \
            * c["war.military_deaths_per_target"]
        self.city_cost = c[C + "strike_cost"] + c[C + "life_cost"] / THOUSAND * c[C + "enemy_civilian_weight"] \
            * c["war.civilian_deaths_per_city"]
        self.round_cost = c[C + "sanctions_cost"]
        self.audience = c[C + "audience_cost"]
        self.reputation = c[C + "reputation_value"]

    def end_value(self, b: End) -> np.ndarray:
        """(n, 1, M, 1) value of an absorbing branch: its outcome mixture's values."""
        total = 0.0
        for o, p in b.outcomes.items():
            pv = mcol(np.atleast_2d(p)) if np.ndim(p) else p
            total = total + pv * mcol(self.ending[o])
        return total


class CoercerMonth:
    """The coercer's values of month t's branches from its next-month values Wn, against the target's
    responses (read from the target's evaluator of the same month). `cache` is shared between the versions
    of one month that differ only in execution probabilities (the continuation values do not depend on them)."""

    def __init__(self, mk: Month, Wn: np.ndarray, target: Evaluator, threats: dict[str, Threat],
                 pay: Payoffs, cache: dict, kept: Callable[[Strike], np.ndarray | None] | None = None) -> None:
        self.mk, self.Wn, self.target, self.threats, self.pay, self.cache = mk, Wn, target, threats, pay, cache
        self.kept = kept  # the target's responses to a strike as bits, as its solve kept them (None: recompute)
        self.n = Wn.shape[0]

    def G(self, key: Key, dm: int) -> np.ndarray:
        """Discounted next-month value after the talks move `key` and `dm` more tests."""
        if ("G", key, dm) not in self.cache:
            M = self.mk.grid.M
            G = talks_pull(self.Wn, self.mk.shift_of(key), self.pay.delta)  # two gathers (kernel.talks_pull)
            self.cache[("G", key, dm)] = G[:, :, np.minimum(np.arange(M) + dm, M - 1)] if dm else G
        return self.cache[("G", key, dm)]

    def _open(self, key: Key, dm: int, done: bool, to_status: int | None = None) -> np.ndarray:
        grid = self.mk.grid
        G = self.G(key, dm)
        if not done and grid.F == 1 and to_status is None:
            return G
        return grid.pull(G, grid.r_map(0, done, tested_key(key), to_status))  # no evidence split: one gather

    def _stakes(self, b: Open | Strike) -> np.ndarray | float:
        """Reputation bought by the rules carried out, audience costs of those left undone, sanctions rounds."""
        out: np.ndarray | float = 0.0
        for rid in b.fired:
            out = out + col(self.pay.reputation) * belief_swing(self.mk, rid)
            if self.threats[rid].response != "strike":
                out = out - col(self.pay.round_cost)
        for _ in b.silent:
            out = out - col(self.pay.audience)
        return out

    def _strike(self, b: Strike) -> np.ndarray:
        """Value of a strike branch before the stakes of the rules in it (cached by the strike's shape)."""
        sig = ("strike", b.key_open, b.key_absorb, b.dm, b.listed, tuple(b.fixed), b.done, b.to_status)
        if sig in self.cache:
            return self.cache[sig]
        mk, pay = self.mk, self.pay
        dc = col(pay.delta)
        listed, _, cities = mk.strikes_at(b)
        mi = np.minimum(np.arange(mk.grid.M) + b.dm, mk.grid.M - 1)
        rmap = mk.grid.r_map(listed, b.done, tested_key(b.key_absorb), b.to_status)
        G = self.G(b.key_absorb, b.dm)
        war = mcol(pay.war_free[:, mi])
        counter = col(mk.counter)
        retaliate = dc * ((1 - counter) * mcol(pay.ending[LIMITED_O][:, mi]) + counter * war)
        escalate = dc * war
        bits = self.kept(b) if self.kept is not None else None  # the solve's own choice: nothing to rebuild
        if bits is None:
            values, _, _ = self.target.response_values(b)
            sigma, bits = self.target.decision.choose(values), np.zeros((0, 0, 0, 0), dtype=np.uint8)
        else:  # read as shares of the kept bits in the same pass
            sigma = np.zeros((len(Response), 0, 0, 0, 0))
        hit = (listed + b.fixed.sum()) > 0
        cost = (col(pay.target_cost) * (listed + b.fixed.sum() - cities)[None, None, None, :]
                + col(pay.city_cost) * cities[None, None, None, :])
        shape = G.shape
        full = lambda x: np.broadcast_to(np.asarray(x, dtype=float), shape)  # noqa: E731
        if sigma.size:
            sigma = np.broadcast_to(sigma, (len(Response), *shape))
        out = backend().strike_value(G, np.asarray(rmap, dtype=np.int64), sigma, np.broadcast_to(bits, shape)
                                     if bits.size else bits, option_shares(len(Response)), full(retaliate),
                                     full(escalate), full(cost), full(self._open(b.key_open, b.dm, b.done,
                                                                                   b.to_status)), np.asarray(hit))
        self.cache[sig] = out
        return out

    def value(self, b: Open | Strike | End) -> np.ndarray:
        """The coercer's value of one branch at every grid state."""
        if isinstance(b, End):
            return col(self.pay.delta) * self.pay.end_value(b)
        if isinstance(b, Open):
            return self._open(b.key, b.dm, b.done, b.to_status) + self._stakes(b)
        return self._strike(b) + self._stakes(b)

    def expected(self, branches: list) -> np.ndarray:
        """The coercer's weighted sum of the branches' values (`planner.accumulate`: in place)."""
        total: np.ndarray | float = 0.0
        for b in branches:
            total = accumulate(total, col(b.weight), self.value(b))
        return total


def _again(mk: Month, execution: dict[str, np.ndarray | float]) -> Month:
    """The same month with other real execution probabilities."""
    return mk.with_execution(execution)


def _decide(gain: np.ndarray | float) -> np.ndarray:
    """1 where carrying out is better, 0 where not, 1/2 on a tie (the rational target's tie rule)."""
    gain = np.asarray(gain, dtype=float)
    tie = np.abs(gain) <= TIE_TOL * (1.0 + np.abs(gain))
    return np.where(tie, TIE_SHARE, (gain > 0).astype(float))


TRIGGERS = {Action.MISSILE_TEST: Event.MISSILE_TEST, Action.NUCLEAR_TEST: Event.NUCLEAR_TEST,
            Action.PROVOCATION: Event.PROVOCATION}


def encode(decision: np.ndarray | float) -> np.ndarray:
    """A decision in {0, 1/2, 1} as the byte {0, 1, 2} (a month's decisions on the whole grid, kept for every
    month, are an eighth of their floats: 6 MB a type for let-deterrence-fail's 36 months)."""
    return np.rint(np.asarray(decision) / TIE_SHARE).astype(np.uint8)


def decode(code: np.ndarray) -> np.ndarray:
    """The decision a byte of `encode` stands for (exact: 0, 1/2 or 1)."""
    return code * TIE_SHARE


@dataclass
class Sweep:
    """One backward pass of the coercer against a solved target: per month the decisions (threat id ->
    (n, K, M, R) in {0, 1/2, 1}, kept as bytes: `encode`) and the coercer's values at the start of month 0."""

    decided: list[dict[str, np.ndarray]]
    W0: np.ndarray
    gain: dict[str, np.ndarray]  # threat id -> (n,) gain from carrying out at the start state, first trigger month

    def at(self, t: int) -> dict[str, np.ndarray]:
        """Month t's decisions as numbers (threat id -> (n, K, M, R) in {0, 1/2, 1})."""
        return {k: decode(v) for k, v in self.decided[t].items()}


def executions(c: Compiled, threats: list[Threat], decided: dict[str, np.ndarray]) -> dict[str, np.ndarray | float]:
    """A month's real execution probabilities from its decisions (what `Month._prob` reads)."""
    return {th.prob: execution_probability(c, th, decided[th.id]) for th in threats if th.id in decided}


def coercer_sweep(c: Compiled, sol: Solution, threats: list[Threat]) -> Sweep:
    """Backward induction of the coercer's decisions against the target's solved policy `sol`."""
    grid, n, H = sol.grid, sol.n, c.horizon
    paths = sol.paths
    by_id = {th.id: th for th in threats}
    rules = [th for th in threats if th.kind == "rule"]
    dls = [th for th in threats if th.kind == "deadline"]
    last = Payoffs(Month(c.at_month(H - 1, nominal=True), grid, H - 1, n, False, paths))
    W = np.broadcast_to(col(c["adversary.beyond_horizon"]) * last.flow
                        / (1 - np.minimum(col(last.delta), DISCOUNT_CAP)), (n, *grid.shape)).copy()
    decided: list[dict[str, np.ndarray]] = [{} for _ in range(H)]
    k0, m0, r0 = sol.initial_state()
    at_start = lambda x: np.broadcast_to(x, (n, *grid.shape))[np.arange(n), np.broadcast_to(k0, (n,)), m0, r0]  # noqa: E731
    gains: dict[str, np.ndarray] = {}
    for t in range(H - 1, -1, -1):
        ev = sol.evaluator(t)
        policy = sol.kept_policy(t)  # the solve's own policy: no month's action values to rebuild
        execution: dict[str, np.ndarray | float] = {}
        mk = Month(c, grid, t, n, False, paths, execution)
        pay, cache = Payoffs(mk), {}
        answered = lambda b, t=t: sol.kept_response_bits(t, None, b)  # noqa: E731
        for a, event in TRIGGERS.items():  # each rule on this event; those before it at their decisions
            for th in (r for r in rules if r.event == event):
                on, off = _again(mk, {**execution, th.prob: 1.0}), _again(mk, {**execution, th.prob: 0.0})
                gain = (CoercerMonth(on, W, ev, by_id, pay, cache, answered).expected(on.action_branches(a))
                        - CoercerMonth(off, W, ev, by_id, pay, cache, answered).expected(off.action_branches(a)))
                d = _decide(gain)
                decided[t][th.id] = encode(d)
                gains[th.id] = at_start(gain)
                execution[th.prob] = execution_probability(c, th, d)
        mk = _again(mk, execution)
        cm = CoercerMonth(mk, W, ev, by_id, pay, cache, answered)
        chosen: np.ndarray | float = 0.0
        for a in range(N_ACTIONS):
            if np.any(policy[a]):
                chosen = accumulate(chosen, policy[a], cm.expected(mk.action_branches(a)))
        value = chosen
        if dls:
            th = dls[0]
            audience = col(c[C + "audience_cost"])
            acting = cm.expected(mk.deadline_branches()) + col(c[C + "reputation_value"]) * belief_swing(mk, th.id)
            if th.response == "sanctions_step":  # the round the deadline brings
                acting = acting - col(c[C + "sanctions_cost"])
            # the date arrives where no condition of its `unless` holds (otherwise it is spent, at no cost)
            arrive = np.broadcast_to(_again(mk, {**execution, th.prob: 1.0}).deadline_split()[0], (n, *grid.shape))
            gain = acting - (chosen - audience)
            d = np.where(arrive > 0, _decide(gain), 1.0)
            decided[t][th.id] = encode(d)
            if np.any(arrive > 0):
                gains[th.id] = at_start(gain)
            execution[th.prob] = execution_probability(c, th, d)
            h = _again(mk, execution).deadline_split()[0]
            # the date arrived and the deadline was not carried out: the audience cost
            value = h * acting + (1 - h) * chosen - (arrive - h) * audience
        hd = mk.defection_grid  # the coercer's own defection from a deal (an attack), at its real chance
        if np.any(hd):
            value = hd * cm.expected(mk.defection_branches()) + (1 - hd) * value
        W = np.ascontiguousarray(grid.disarm_values(np.broadcast_to(pay.flow + value, (n, *grid.shape)),
                                                    col(dyn.disarmament_probability(c))))
    return Sweep(decided=decided, W0=W, gain=gains)


@dataclass
class Path:
    """The forward distribution under the coercer's decisions: outcomes (n, 6), and per threat the share of
    its triggers (weighted by how likely each is on the path) at which the coercer decided to carry it out."""

    outcomes: np.ndarray
    decided_share: dict[str, np.ndarray]
    triggered: dict[str, np.ndarray]  # (n,) expected number of triggers on the path
    by_level: dict[str, np.ndarray] = field(default_factory=dict)  # (n, B) the share decided at each evidence
    # level of the target's belief (NaN: no trigger there), against the one number the target's Bayes reads
    triggered_by_level: dict[str, np.ndarray] = field(default_factory=dict)  # (n, B) expected triggers there


def forward(c: Compiled, sol: Solution, threats: list[Threat], sweep: Sweep) -> Path:
    """Move the probability mass forward under the target's policy and the coercer's decisions."""
    grid, n = sol.grid, sol.n
    policy = _Policy(c, grid, n, sol, sol.paths)  # reads the solve's kept responses to strikes
    mass = start_mass(c, grid, n)
    absorbed = np.zeros((n, len(OUTCOMES)))
    num = {th.id: np.zeros(n) for th in threats}
    den = {th.id: np.zeros(n) for th in threats}
    levels = (grid.evidence[:, None] == np.arange(grid.B)[None, :]).astype(float)  # (R, B)
    num_b = {th.id: np.zeros((n, grid.B)) for th in threats}
    den_b = {th.id: np.zeros((n, grid.B)) for th in threats}
    first = {th.id: None for th in threats}
    for t in range(c.horizon):
        decided = sweep.at(t)
        mk = Month(c, grid, t, n, False, sol.paths, executions(c, threats, decided))
        policy.start(t)
        pi = policy.actions()
        for th in threats:
            d = decided.get(th.id)
            if d is None:
                continue
            if th.kind == "deadline":
                arrive = np.broadcast_to(_again(mk, {**mk.execution, th.prob: 1.0}).deadline_split()[0], mass.shape)
                dl = c.deadlines[0]
                w = mass * (arrive > 0) / (dl.last_month - dl.first_month + 1)  # the date falls in this month
                if first[th.id] is None and np.any(arrive > 0):
                    first[th.id] = t
            else:
                a = next(a for a, e in TRIGGERS.items() if e == th.event)
                w = mass * (1 - mk.hazard_grid) * (pi.get(a, 0.0) if isinstance(pi, dict) else pi[a])
                if first[th.id] is None:
                    first[th.id] = t
            wd = (w * d).sum(axis=(1, 2))
            num_b[th.id] += wd @ levels
            den_b[th.id] += w.sum(axis=(1, 2)) @ levels
            num[th.id] += wd.sum(axis=1)
            den[th.id] += w.sum(axis=(1, 2, 3))
        mass = grid.disarm_mass(mass, col(dyn.disarmament_probability(c)))  # deals whose disarmament completes
        mass, newly = advance(mk, policy, mass)
        sol.settings.get("_policies", {}).pop(t, None)  # one month's policy at a time (memory)
        absorbed += newly
    out = absorbed + running_outcomes(grid, mass)  # the mass still on the grid ends by its status
    share = {}
    k0, m0, r0 = sol.initial_state()
    for th in threats:
        off_path = np.zeros(n)
        if first[th.id] is not None:  # never triggered on the path: the decision at the start state
            code = np.broadcast_to(sweep.decided[first[th.id]][th.id], (n, *grid.shape))
            off_path = decode(code[np.arange(n), np.broadcast_to(k0, (n,)), m0, r0])
        with np.errstate(invalid="ignore", divide="ignore"):
            share[th.id] = np.where(den[th.id] > 0, num[th.id] / np.where(den[th.id] > 0, den[th.id], 1.0), off_path)
    with np.errstate(invalid="ignore", divide="ignore"):
        by_level = {k: np.where(den_b[k] > 0, num_b[k] / np.where(den_b[k] > 0, den_b[k], 1.0), np.nan) for k in num_b}
    return Path(outcomes=out, decided_share=share, triggered=den, by_level=by_level, triggered_by_level=den_b)


BLOCK = 16  # types solved together at least (memory: a month's policy is 9 x BLOCK x the grid)
BLOCK_STATES = 1 << 18  # grid states x types solved together at most when the grid is small (fewer passes)


@dataclass
class Start:
    """One run of the damped best-response iteration from a starting belief."""

    name: str
    iterations: int
    residual: float
    converged: bool
    beliefs: dict[str, np.ndarray]  # threat id -> (n,) the target's belief where the iteration ended
    cycling: np.ndarray | None = None  # (n,) bool: the best response alternates (no pure equilibrium there)
    tried: list = field(default_factory=list, repr=False)  # (beliefs, Answer) of each iteration
    settled: np.ndarray | None = None  # (n,) bool: the type's belief is its best response's (a pure equilibrium)


@dataclass
class Equilibrium:
    """The equilibrium of a strategy against a planner target, per type: each threat's declared and equilibrium
    execution probability, the outcomes, the coercer's value, and how the iteration went from each start."""

    threats: list[Threat]
    declared: dict[str, np.ndarray]
    chance: dict[str, np.ndarray]
    execution: dict[str, np.ndarray]  # (n,) equilibrium probability the threat is carried out when triggered
    triggered: dict[str, np.ndarray]  # (n,) expected triggers on the equilibrium path
    outcomes: np.ndarray  # (n, 6)
    coercer_value: np.ndarray  # (n,)
    gain: dict[str, np.ndarray]  # (n,) gain from carrying out at the first trigger from the start state
    direct_cost: dict[str, np.ndarray]  # (n,) the cost of the act itself (strikes' deaths and cost, a round)
    stakes: dict[str, np.ndarray]  # (n,) reputation bought plus the audience cost avoided
    starts: list[Start] = field(default_factory=list)
    several: np.ndarray | None = None  # (n,) bool: the starts ended at different beliefs
    moved: dict[str, str] = field(default_factory=dict)  # threat id -> the parameter the iteration moved
    beliefs: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) the moved parameter in equilibrium
    mixed: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) bool: the coercer mixes over the threat
    target_mix: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) the target's weight on its best
    # response below the mixing belief that keeps the coercer indifferent (NaN: none needed or none found)
    mix_lo: dict[str, np.ndarray] = field(default_factory=dict)  # (n,) the mix's bracket ends (NaN: no mix) and
    mix_hi: dict[str, np.ndarray] = field(default_factory=dict)  # the weight of the pure answer at its low end
    mix_weight: dict[str, np.ndarray] = field(default_factory=dict)
    learned: bool = False  # the target learns the coercer's resolve (the iteration moved each threat's `bluff`)

    @property
    def converged(self) -> bool:
        return all(s.converged for s in self.starts)


def learned(c: Compiled) -> bool:
    """True when the target learns the coercer's resolve (an evidence factor in the grid): the iteration then
    moves the likelihood of the strategic (bluffing) type, and the prior `believed` stays the scenario's."""
    return c.evidence_levels > 1


def moved_parameter(c: Compiled, th: Threat) -> str:
    """The parameter the best-response iteration moves for `th`: the target's belief (`believed`) when
    credibility is a fixed input; with a learned belief, the strategic type's execution probability (`bluff`),
    which the target's Bayes updates read as the likelihood of carrying out."""
    if not c.credibility_levels:  # `equilibrium` switches learning off when nothing is learnable
        return th.believed
    item = next(it for it in (*c.rules, *c.deadlines) if it.id == th.id)
    return item.bluff


def _with_beliefs(c: Compiled, threats: list[Threat], b: dict[str, np.ndarray]) -> Compiled:
    """The model with each threat's moved parameter (`moved_parameter`) set to `b` (plain floats for a single
    parameter set)."""
    values = dict(c.values)
    for th in threats:
        v = b[th.id]
        values[moved_parameter(c, th)] = v if c.has_arrays else float(np.reshape(v, -1)[0])
    return replace(c, values=values)


def _per_sample(c: Compiled, name: str, n: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(c[name], dtype=float), (n,)).copy()


@dataclass
class Answer:
    """The best responses to one belief per type: the coercer's execution probability on the path per threat
    (what the belief should be), its gain at the first trigger, the outcomes, its value at the start."""

    response: dict[str, np.ndarray]  # threat id -> (n,)
    gain: dict[str, np.ndarray]
    outcomes: np.ndarray  # (n, 6)
    value: np.ndarray  # (n,)
    triggered: dict[str, np.ndarray]

    def merged(self, rows: np.ndarray, part: Answer) -> Answer:
        """This answer with types `rows` answered again by `part`."""
        def put(old: np.ndarray, new: np.ndarray) -> np.ndarray:
            out = old.copy()
            out[rows] = new
            return out

        return Answer({k: put(v, part.response[k]) for k, v in self.response.items()},
                      {k: put(v, part.gain[k]) for k, v in self.gain.items()}, put(self.outcomes, part.outcomes),
                      put(self.value, part.value), {k: put(v, part.triggered[k]) for k, v in self.triggered.items()})

    def take(self, rows: np.ndarray) -> Answer:
        """The answer of types `rows` (an index array)."""
        return Answer({k: v[rows] for k, v in self.response.items()}, {k: v[rows] for k, v in self.gain.items()},
                      self.outcomes[rows], self.value[rows], {k: v[rows] for k, v in self.triggered.items()})


def _respond(c: Compiled, decision: Decision, threats: list[Threat], b: dict[str, np.ndarray], n: int) -> Answer:
    """The target solves under beliefs `b`, the coercer answers by backward induction, the path follows."""
    cb = _with_beliefs(c, threats, b)
    sol = solve(cb, decision)
    sweep = coercer_sweep(cb, sol, threats)
    path = forward(cb, sol, threats, sweep)
    k0, m0, r0 = sol.initial_state()
    chance = {th.id: _per_sample(c, th.chance, n) for th in threats}
    return Answer(response={th.id: chance[th.id] + (1 - chance[th.id]) * _per_sample(c, th.prob, n)
                            * path.decided_share[th.id] for th in threats},
                  gain={th.id: sweep.gain.get(th.id, np.zeros(n)) for th in threats}, outcomes=path.outcomes,
                  value=sweep.W0[np.arange(n), np.broadcast_to(k0, (n,)), m0, r0], triggered=path.triggered)


def _iterate(c: Compiled, decision: Decision, threats: list[Threat], b: dict[str, np.ndarray], n: int,
             name: str, seen: dict) -> tuple[Start, Answer]:
    """Best responses from beliefs `b`: the target solves under b, the coercer answers by backward induction,
    b moves towards the coercer's execution probability on the path (a full step first, then damped).
    A type that has settled or cycles stops moving, and only the types still moving are solved again (a
    type's answer is its own). `seen` keeps the answers to beliefs already solved (another start often
    reaches them)."""
    step, residual, it = 1.0, np.inf, 0
    history: list[dict[str, np.ndarray]] = []
    tried: list[tuple[dict[str, np.ndarray], Answer]] = []
    stay, cycling = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    answer: Answer | None = None
    while True:
        it += 1
        rows = np.flatnonzero(~stay)
        key = (rows.tobytes(), *(np.asarray(b[th.id], dtype=float)[rows].tobytes() for th in threats))
        if key not in seen:
            sub = c.chunk(rows) if c.has_arrays and rows.size < n else c
            seen[key] = _respond(sub, decision, threats, {k: v[rows] for k, v in b.items()}, rows.size)
        answer = seen[key] if answer is None or rows.size == n else answer.merged(rows, seen[key])
        tried.append((b, answer))
        target = answer.response
        residual = max((float(np.max(np.abs(target[k] - b[k]))) for k in b), default=0.0)
        settled = np.ones(n, dtype=bool)
        for k in b:
            settled &= np.abs(target[k] - b[k]) <= TOLERANCE
        moved = np.any([target[k] != history[-1][k] for k in b], axis=0) if history else np.zeros(n, dtype=bool)
        if len(history) >= CYCLE:  # the best response alternates between two answers: a cycle
            again = np.all([target[k] == history[-CYCLE][k] for k in b], axis=0)
            cycling |= ~settled & again & moved & ~stay
        elif history:  # the full first step's answer sends a belief back where it started (the others settled):
            back = np.all([(target[k] == tried[0][0][k]) | (np.abs(target[k] - b[k]) <= TOLERANCE)  # a cycle
                           for k in b], axis=0)
            cycling |= ~settled & back & moved
        history.append(target)
        stay |= settled | cycling
        if residual <= TOLERANCE or np.all(stay) or it >= MAX_ITERATIONS:
            return Start(name, it, residual, residual <= TOLERANCE, b, cycling, tried, stay & ~cycling), answer
        b = {k: np.where((target[k] == b[k]) | stay, b[k], b[k] + step * (target[k] - b[k])) for k in b}
        step = DAMPING


def bisect_mixing(respond: Callable[[np.ndarray, np.ndarray], dict[str, np.ndarray]], lo: np.ndarray,
                  hi: np.ndarray, at_lo: dict[str, np.ndarray], at_hi: dict[str, np.ndarray],
                  tol: float = MIX_TOLERANCE) -> tuple[np.ndarray, np.ndarray, dict, dict]:
    """Where the best response to a belief jumps across it: a safeguarded bracketing search on b for the sign
    of response(b) - b, vectorised over elements (types).

    `respond(b, rows)` answers beliefs b (m,) of the elements `rows` (an index array) with a dict of arrays
    whose "response" entry is the best-response execution probability and, optionally, "gain" the coercer's
    gain from carrying out; `at_lo`, `at_hi` are the answers at the bracket's ends (response above the belief
    at `lo`, below it at `hi`). Each step tries the root of the chord of the gain (where carrying out stops
    paying, when the gains at the ends differ in sign), kept tol/2 inside the bracket so that a right guess
    closes it at once, and bisects instead after a step that left most of the bracket (`STALLED`, a safeguard
    against the chord's stalling).
    Returns the final bracket (width <= tol, or a point where the response equals the belief within
    TOLERANCE: a pure equilibrium) and the answers at its ends. Each element's bracket is its own."""
    lo, hi = np.array(lo, dtype=float), np.array(hi, dtype=float)
    at_lo = {k: np.array(v, dtype=float) for k, v in at_lo.items()}
    at_hi = {k: np.array(v, dtype=float) for k, v in at_hi.items()}
    halve = np.zeros(lo.shape, dtype=bool)
    while True:
        rows = np.flatnonzero(hi - lo > tol)
        if rows.size == 0:
            return lo, hi, at_lo, at_hi
        a, z, width = lo[rows], hi[rows], hi[rows] - lo[rows]
        mid = a + MIDDLE * width
        if "gain" in at_lo:
            g_a, g_z = at_lo["gain"][rows], at_hi["gain"][rows]
            chord = (g_a >= 0) & (g_z <= 0) & (g_a > g_z)
            root = a + width * g_a / np.where(chord, g_a - g_z, 1.0)
            guess = np.where(chord & ~halve[rows], np.clip(root, a + MIDDLE * tol, z - MIDDLE * tol), mid)
        else:
            guess = mid
        got = respond(guess, rows)
        gap = got["response"] - guess
        up, down = gap > TOLERANCE, gap < -TOLERANCE
        for side, ends, at in ((up, lo, at_lo), (down, hi, at_hi), (~up & ~down, lo, at_lo),
                               (~up & ~down, hi, at_hi)):
            ends[rows[side]] = guess[side]
            for k, v in got.items():
                at[k][rows[side]] = v[side]
        halve[rows] = hi[rows] - lo[rows] > STALLED * width


def indifference_mix(gain_lo: np.ndarray, gain_hi: np.ndarray, first_swing: np.ndarray | float) -> np.ndarray:
    """The target's weight on its answer below the mixing belief (gain `gain_lo` > 0 for the coercer) against
    its answer above it (`gain_hi` < 0) that makes the coercer's gain zero: gain_hi / (gain_hi - gain_lo), the
    coercer's gain being linear in the target's mix. Only where the gain jumps at the belief (the target's
    answer changes there, as the next entrant's in Kreps-Wilson): a swing over the final bracket of more than
    GAIN_JUMP x its swing over the first; a gain that shrank with the bracket is zero at the belief whatever
    the target does (NaN: no mix of the target needed)."""
    gain_lo, gain_hi = np.asarray(gain_lo, dtype=float), np.asarray(gain_hi, dtype=float)
    jumps = (gain_lo > 0) & (gain_hi < 0) & (gain_lo - gain_hi > GAIN_JUMP * np.abs(first_swing))
    return np.where(jumps, gain_hi / np.where(jumps, gain_hi - gain_lo, 1.0), np.nan)


def _answer_rows(ans: Answer, keys: list[str], chosen: np.ndarray) -> dict[str, np.ndarray]:
    """An answer's numbers as `bisect_mixing` carries them, per type: the response and gain of its chosen threat
    (`keys[chosen]`), its value and outcomes, and every threat's response and expected triggers."""
    pick = lambda d: np.stack([d[k] for k in keys])[chosen, np.arange(chosen.size)]  # noqa: E731
    return {"response": pick(ans.response), "gain": pick(ans.gain), "value": ans.value, "outcomes": ans.outcomes,
            **{f"response:{j}": v for j, v in ans.response.items()},
            **{f"triggered:{j}": v for j, v in ans.triggered.items()}}


@dataclass
class Mixed:
    """The mixed equilibria of the types whose best responses cycle: per type the threat the coercer mixes
    over, the execution probability b* at which its best response jumps across the target's belief (the
    coercer is indifferent there), the bracket [lo, hi] found, and the weight on the target's best response
    below b* that keeps the coercer indifferent (NaN where none is needed)."""

    rows: np.ndarray  # (m,) the types
    threat: np.ndarray  # (m,) index of the threat mixed over (in the equilibrium's threats)
    belief: np.ndarray  # (m,) b*
    lo: np.ndarray
    hi: np.ndarray
    weight: np.ndarray  # (m,) weight of the answer below b* (carrying out) in the coercer's mix
    target_mix: np.ndarray  # (m,)
    at: dict[str, np.ndarray]  # the mixed answer: outcomes (m, 6), value, response:<id>, triggered:<id>


def _mix(c: Compiled, decision: Decision, threats: list[Threat], n: int, starts: list[Start],
         beliefs: dict[str, np.ndarray]) -> Mixed | None:
    """For the types whose best responses cycle: the threat whose belief swings most, bracketed by the
    iterations' answers (the highest belief answered above itself, the lowest answered below), and searched
    (`bisect_mixing`); the other threats stay at the beliefs where the iteration ended. The coercer mixes
    between its best responses at the bracket's ends so that its execution on the path is b*, the target's
    belief. Vectorised over types (loops over threats and the iterations' answers only)."""
    cycling = np.zeros(n, dtype=bool)  # or stopped unsettled (a longer cycle): a bracket may still be found
    for st in starts:
        cycling |= st.cycling | (~st.settled if st.settled is not None else False)
    keys = list(beliefs)
    if not keys or not cycling.any():
        return None
    tried = [t for st in starts for t in st.tried]
    bs = np.stack([np.stack([b[k] for k in keys]) for b, _ in tried])  # (E, threats, n)
    ts = np.stack([np.stack([a.response[k] for k in keys]) for _, a in tried])
    types = np.arange(n)
    chosen = np.argmax(np.abs(ts - bs).max(axis=0), axis=0)  # (n,) the threat that swings most
    b_k, t_k = bs[:, chosen, types], ts[:, chosen, types]  # (E, n)
    below, above = t_k > b_k + TOLERANCE, t_k < b_k - TOLERANCE
    e_lo = np.argmax(np.where(below, b_k, -np.inf), axis=0)
    e_hi = np.argmin(np.where(above, b_k, np.inf), axis=0)
    lo, hi = b_k[e_lo, types], b_k[e_hi, types]
    idx = np.flatnonzero(cycling & below.any(axis=0) & above.any(axis=0) & (lo < hi))
    if idx.size == 0:
        return None
    per_entry = [_answer_rows(a.take(idx), keys, chosen[idx]) for _, a in tried]
    at_end = lambda e: {key: np.stack([d[key] for d in per_entry])[e[idx], np.arange(idx.size)]  # noqa: E731
                        for key in per_entry[0]}
    first_lo, first_hi = at_end(e_lo), at_end(e_hi)

    def respond(b: np.ndarray, which: np.ndarray) -> dict[str, np.ndarray]:
        rows = idx[which]
        sub = c.chunk(rows) if c.has_arrays else c
        trial = {k: np.where(chosen[rows] == j, b, beliefs[k][rows]) for j, k in enumerate(keys)}
        return _answer_rows(_respond(sub, decision, threats, trial, rows.size), keys, chosen[rows])

    lo_b, hi_b, end_lo, end_hi = bisect_mixing(respond, lo[idx], hi[idx], first_lo, first_hi)
    star = lo_b + MIDDLE * (hi_b - lo_b)
    jump = end_lo["response"] - end_hi["response"]
    weight = np.clip(np.where(jump > 0, (star - end_hi["response"]) / np.where(jump > 0, jump, 1.0), MIDDLE), 0, 1)
    target_mix = indifference_mix(end_lo["gain"], end_hi["gain"], first_lo["gain"] - first_hi["gain"])
    mixed = {key: (weight.reshape(-1, *([1] * (np.ndim(v) - 1))) * v
                   + (1 - weight.reshape(-1, *([1] * (np.ndim(v) - 1)))) * end_hi[key])
             for key, v in end_lo.items()}
    for j, k in enumerate(keys):  # consistent: the target's belief is the execution on the path
        mixed[f"response:{k}"] = np.where(chosen[idx] == j, star, mixed[f"response:{k}"])
    return Mixed(rows=idx, threat=chosen[idx], belief=star, lo=lo_b, hi=hi_b, weight=weight,
                 target_mix=target_mix, at=mixed)


def _block(c: Compiled, decision: Decision, threats: list[Threat], n: int) -> Equilibrium:
    if Grid.of(c).P > 1:
        raise InputError("the strategic coercer does not yet handle phases that begin at an uncertain month or "
                         "on a condition", field="phases", fix="use --coercer committed for this strategy")
    declared = {th.id: _per_sample(c, th.prob, n) for th in threats}
    chance = {th.id: _per_sample(c, th.chance, n) for th in threats}
    starts = {"declared": declared, "chance only": chance}
    seen: dict = {}
    runs = [_iterate(c, decision, threats, dict(b), n, name, seen) for name, b in starts.items()]
    first, answer = runs[0]
    several = np.zeros(n, dtype=bool)
    for other, _ in runs[1:]:
        for k in first.beliefs:
            several |= np.abs(other.beliefs[k] - first.beliefs[k]) > SAME_EQUILIBRIUM
    for start, _ in runs:  # a type whose best responses cycle has no pure equilibrium to count
        several &= ~start.cycling
    execution = {k: v.copy() for k, v in answer.response.items()}
    outcomes, value = answer.outcomes.copy(), answer.value.copy()
    triggered = {k: v.copy() for k, v in answer.triggered.items()}
    gain = {k: v.copy() for k, v in answer.gain.items()}
    beliefs = {k: v.copy() for k, v in first.beliefs.items()}
    mixed_flag = {th.id: np.zeros(n, dtype=bool) for th in threats}
    target_mix = {th.id: np.full(n, np.nan) for th in threats}
    mix_lo, mix_hi, mix_weight = ({th.id: np.full(n, np.nan) for th in threats} for _ in "lo hi weight".split())
    mix = _mix(c, decision, threats, n, [r[0] for r in runs], first.beliefs)
    if mix is not None:
        r = mix.rows
        outcomes[r], value[r] = mix.at["outcomes"], mix.at["value"]
        for k in execution:
            execution[k][r] = mix.at[f"response:{k}"]
            triggered[k][r] = mix.at[f"triggered:{k}"]
        for j, k in enumerate(beliefs):
            here = r[mix.threat == j]
            beliefs[k][here] = mix.belief[mix.threat == j]
            mixed_flag[k][here] = mix.hi[mix.threat == j] > mix.lo[mix.threat == j]  # else a pure point was found
            target_mix[k][here] = mix.target_mix[mix.threat == j]
            mix_lo[k][here], mix_hi[k][here] = mix.lo[mix.threat == j], mix.hi[mix.threat == j]
            mix_weight[k][here] = mix.weight[mix.threat == j]
            gain[k][here] = 0.0  # indifferent (or at a pure equilibrium): carrying out and not are worth the same
    grid = Grid.of(c)
    pay = Payoffs(Month(c, grid, 0, n, False, dyn.policy_paths(c)))
    stakes = {th.id: _per_sample(c, C + "reputation_value", n) + _per_sample(c, C + "audience_cost", n)
              for th in threats}
    return Equilibrium(threats=threats, declared=declared, chance=chance, execution=execution,
                       triggered=triggered, outcomes=outcomes, coercer_value=value, gain=gain,
                       direct_cost={th.id: direct_cost(c, th, pay, n) for th in threats}, stakes=stakes,
                       starts=[r[0] for r in runs], several=several,
                       moved={th.id: moved_parameter(c, th) for th in threats}, beliefs=beliefs,
                       mixed=mixed_flag, target_mix=target_mix, mix_lo=mix_lo, mix_hi=mix_hi, mix_weight=mix_weight,
                       learned=learned(c))


def direct_cost(c: Compiled, th: Threat, pay: Payoffs, n: int) -> np.ndarray:
    """The cost to the coercer of the act itself, once: the strikes (their deaths and cost, a launch's mean
    salvo for a per-missile rule) or a sanctions round; a preventive war's cost is the war's ending itself."""
    if th.kind == "rule":
        r = next(r for r in c.rules if r.id == th.id)
        if r.response != "strike":
            return np.broadcast_to(np.asarray(pay.round_cost, dtype=float), (n,)).copy()
        each = pay.city_cost if r.target_class == TargetClass.CIVILIAN_POPULATION else pay.target_cost
        count = r.count * (dyn.mean_salvo(c) if r.per_missile else 1)
        return np.broadcast_to(np.asarray(each * count, dtype=float), (n,)).copy()
    d = next(d for d in c.deadlines if d.id == th.id)
    if d.response == "strike":
        each = pay.city_cost if d.target_class == TargetClass.CIVILIAN_POPULATION else pay.target_cost
        return np.broadcast_to(np.asarray(each * d.count, dtype=float), (n,)).copy()
    if d.response == "preventive_war":
        once = pay.war_free[:, 0] - pay.annuity[:, 0] * np.reshape(c[C + "after_war"], (-1,))
        return np.broadcast_to(-once, (n,)).copy()
    return np.broadcast_to(np.asarray(pay.round_cost, dtype=float), (n,)).copy()


def equilibrium(c: Compiled, decision: Decision | str = "rational") -> Equilibrium:
    """The strategic coercer's equilibrium against a planner target, for every parameter sample (type) of `c`,
    solved in blocks of types (each type's equilibrium is its own)."""
    if c.scenario.coercer is None:
        raise InputError(f"scenario '{c.scenario.name}' has no `coercer:` block", field="coercer",
                         fix="add the coercer's payoffs (see korea-2017.yaml), or use --coercer committed")
    if isinstance(decision, str):
        decision = Decision.parse(decision)
    if not learned(c):  # nothing learnable: the equilibrium's belief is the coercer's own strategy
        c = replace(c, credibility_levels=0)
    threats = threats_of(c)
    n = max((np.size(v) for v in c.values.values() if isinstance(v, np.ndarray)), default=1)
    block = max(BLOCK, BLOCK_STATES // int(np.prod(Grid.of(c).shape)))
    parts = [_block(c.chunk(slice(s, min(n, s + block))) if c.has_arrays else c, decision, threats,
                    min(n, s + block) - s) for s in range(0, n, block)]
    if len(parts) == 1:
        return parts[0]
    cat = lambda name: {k: np.concatenate([getattr(p, name)[k] for p in parts]) for k in parts[0].declared}  # noqa: E731
    starts = [Start(s.name, max(p.starts[i].iterations for p in parts), max(p.starts[i].residual for p in parts),
                    all(p.starts[i].converged for p in parts),
                    {k: np.concatenate([p.starts[i].beliefs[k] for p in parts]) for k in s.beliefs},
                    np.concatenate([p.starts[i].cycling for p in parts]))
              for i, s in enumerate(parts[0].starts)]
    return Equilibrium(threats=threats, declared=cat("declared"), chance=cat("chance"), execution=cat("execution"),
                       triggered=cat("triggered"), outcomes=np.concatenate([p.outcomes for p in parts]),
                       coercer_value=np.concatenate([p.coercer_value for p in parts]), gain=cat("gain"),
                       direct_cost=cat("direct_cost"), stakes=cat("stakes"), starts=starts,
                       several=np.concatenate([p.several for p in parts]), moved=parts[0].moved,
                       beliefs=cat("beliefs"), mixed=cat("mixed"), target_mix=cat("target_mix"),
                       mix_lo=cat("mix_lo"), mix_hi=cat("mix_hi"), mix_weight=cat("mix_weight"),
                       learned=parts[0].learned)


@dataclass
class Bargain:
    """One period of the crisis as Fearon's bargaining over the arsenal: a division x is the share of the arsenal
    given up (1: the deal's denuclearisation, 0: a freeze that keeps it), each side's payoff linear in x between
    those two endings of the crisis; war is the crisis's preventive-war ending for each side, in pie units."""

    war_coercer: np.ndarray  # (n,) the coercer's war payoff in units of its pie (Fearon's p - cA)
    war_target: np.ndarray  # (n,) the target's war payoff in units of its share 1 - x (Fearon's 1 - p - cB)
    coercer: tuple[np.ndarray, np.ndarray]  # (n,) its values of x = 0 and x = 1 (freeze, deal)
    target: tuple[np.ndarray, np.ndarray]

    @property
    def deals(self) -> tuple[np.ndarray, np.ndarray]:
        """The open interval (lo, hi) of divisions both prefer to war (empty when lo >= hi)."""
        return self.war_coercer, 1 - self.war_target

    def accepts(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(n, X) whether the coercer and the target prefer division x to war, from the endings' values."""
        x = np.asarray(x)[None, :]
        (a0, a1), (b0, b1) = self.coercer, self.target
        ua = a0[:, None] + x * (a1 - a0)[:, None]
        ub = b0[:, None] + x * (b1 - b0)[:, None]
        wa = a0 + self.war_coercer * (a1 - a0)
        wb = b1 + self.war_target * (b0 - b1)
        return ua > wa[:, None], ub > wb[:, None]


def bargain(c: Compiled, t: int = 0, m: int = 0) -> Bargain:
    """The one-period reduction of month t (at m test-equivalents): both sides' freeze, deal and preventive-war
    endings, from the same ending values the coercer's and the target's backward inductions read."""
    grid = Grid.of(c)
    n = max((np.size(v) for v in c.values.values() if isinstance(v, np.ndarray)), default=1)
    mk = Month(c, grid, t, n, False, dyn.policy_paths(c))
    pay = Payoffs(mk)
    pn = mk.pn_threat[:, m]
    war_c = (1 - pn) * pay.ending[WAR_O][:, m] + pn * pay.ending[NUCLEAR_O][:, m]
    a0, a1 = pay.ending[FREEZE_O][:, m], pay.ending[DENUCLEAR_O][:, m]
    b0, b1 = np.broadcast_to(mk.T_freeze[:, m], (n,)), np.broadcast_to(mk.T_deal[:, 0], (n,))
    war_t = np.broadcast_to(mk.T_war_threat[:, m], (n,))
    a0, a1, war_c = (np.broadcast_to(v, (n,)) for v in (a0, a1, war_c))
    return Bargain(war_coercer=(war_c - a0) / (a1 - a0), war_target=(war_t - b1) / (b0 - b1),
                   coercer=(a0, a1), target=(b0, b1))

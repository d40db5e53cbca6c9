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

from dataclasses import dataclass, field, replace

import numpy as np

from brinkmanship.adversary.exact import _Policy, advance, running_outcomes, start_mass
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
    talks_matrix,
    tested_key,
)
from brinkmanship.adversary.planner import TIE_TOL, Decision, Evaluator, Solution, solve
from brinkmanship.engine import belief
from brinkmanship.engine import dynamics as dyn
from brinkmanship.engine.compiled import Compiled, CompiledDeadline
from brinkmanship.engine.constants import N_ACTIONS, OUTCOMES, Action, Event, Status, TargetClass
from brinkmanship.errors import InputError

DAMPING = 0.5  # share of the step towards the best response taken per iteration (after an undamped first step)
TOLERANCE = 1e-4  # largest change of a belief at which the iteration has converged (probabilities are shown to 2 d.p.)
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
                 pay: Payoffs, cache: dict) -> None:
        self.mk, self.Wn, self.target, self.threats, self.pay, self.cache = mk, Wn, target, threats, pay, cache
        self.n = Wn.shape[0]

    def G(self, key: Key, dm: int) -> np.ndarray:
        """Discounted next-month value after the talks move `key` and `dm` more tests."""
        if ("G", key, dm) not in self.cache:
            K, M, R = self.mk.grid.shape
            P = talks_matrix(self.mk.shift_of(key), K, self.n) * np.reshape(self.pay.delta, (-1, 1, 1))
            G = np.matmul(P, self.Wn.reshape(self.n, K, M * R)).reshape(self.n, K, M, R)
            self.cache[("G", key, dm)] = G[:, :, np.minimum(np.arange(M) + dm, M - 1)] if dm else G
        return self.cache[("G", key, dm)]

    def _open(self, key: Key, dm: int, done: bool, to_status: int | None = None) -> np.ndarray:
        grid = self.mk.grid
        G = self.G(key, dm)
        if not done and grid.F == 1 and to_status is None:
            return G
        return G[..., grid.r_map(0, done, tested_key(key), to_status)]

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
        absorb = self.G(b.key_absorb, b.dm)[..., rmap]
        war = mcol(pay.war_free[:, mi])
        counter = col(mk.counter)
        retaliate = dc * ((1 - counter) * mcol(pay.ending[LIMITED_O][:, mi]) + counter * war)
        escalate = dc * war
        values, hit, _ = self.target.response_values(b)
        sigma = self.target.decision.choose(values)
        cost = (col(pay.target_cost) * (listed + b.fixed.sum() - cities)[None, None, None, :]
                + col(pay.city_cost) * cities[None, None, None, :])
        responded = sigma[0] * absorb + sigma[1] * retaliate + sigma[2] * escalate - cost
        out = np.where(hit[None, None, None, :], responded, self._open(b.key_open, b.dm, b.done, b.to_status))
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
        total = 0.0
        for b in branches:
            total = total + col(b.weight) * self.value(b)
        return total


def _again(mk: Month, execution: dict[str, np.ndarray | float]) -> Month:
    """The same month with other real execution probabilities."""
    return Month(mk.c, mk.grid, mk.t, mk.n, False, mk.paths, execution)


def _decide(gain: np.ndarray | float) -> np.ndarray:
    """1 where carrying out is better, 0 where not, 1/2 on a tie (the rational target's tie rule)."""
    gain = np.asarray(gain, dtype=float)
    tie = np.abs(gain) <= TIE_TOL * (1.0 + np.abs(gain))
    return np.where(tie, TIE_SHARE, (gain > 0).astype(float))


TRIGGERS = {Action.MISSILE_TEST: Event.MISSILE_TEST, Action.NUCLEAR_TEST: Event.NUCLEAR_TEST,
            Action.PROVOCATION: Event.PROVOCATION}


@dataclass
class Sweep:
    """One backward pass of the coercer against a solved target: per month the decisions (threat id ->
    (n, K, M, R) in {0, 1/2, 1}) and the coercer's values at the start of month 0."""

    decided: list[dict[str, np.ndarray]]
    W0: np.ndarray
    gain: dict[str, np.ndarray]  # threat id -> (n,) gain from carrying out at the start state, first trigger month


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
        policy = ev.month_values().policy
        execution: dict[str, np.ndarray | float] = {}
        mk = Month(c, grid, t, n, False, paths, execution)
        pay, cache = Payoffs(mk), {}
        for a, event in TRIGGERS.items():  # each rule on this event; those before it at their decisions
            for th in (r for r in rules if r.event == event):
                on, off = _again(mk, {**execution, th.prob: 1.0}), _again(mk, {**execution, th.prob: 0.0})
                gain = (CoercerMonth(on, W, ev, by_id, pay, cache).expected(on.action_branches(a))
                        - CoercerMonth(off, W, ev, by_id, pay, cache).expected(off.action_branches(a)))
                decided[t][th.id] = _decide(gain)
                gains[th.id] = at_start(gain)
                execution[th.prob] = execution_probability(c, th, decided[t][th.id])
        mk = _again(mk, execution)
        cm = CoercerMonth(mk, W, ev, by_id, pay, cache)
        chosen: np.ndarray | float = 0.0
        for a in range(N_ACTIONS):
            if np.any(policy[a]):
                chosen = chosen + policy[a] * cm.expected(mk.action_branches(a))
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
            decided[t][th.id] = np.where(arrive > 0, _decide(gain), 1.0)
            if np.any(arrive > 0):
                gains[th.id] = at_start(gain)
            execution[th.prob] = execution_probability(c, th, decided[t][th.id])
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


def forward(c: Compiled, sol: Solution, threats: list[Threat], sweep: Sweep) -> Path:
    """Move the probability mass forward under the target's policy and the coercer's decisions."""
    grid, n = sol.grid, sol.n
    policy = _Policy(c, grid, n, sol, sol.paths)
    mass = start_mass(c, grid, n)
    absorbed = np.zeros((n, len(OUTCOMES)))
    num = {th.id: np.zeros(n) for th in threats}
    den = {th.id: np.zeros(n) for th in threats}
    first = {th.id: None for th in threats}
    for t in range(c.horizon):
        mk = Month(c, grid, t, n, False, sol.paths, executions(c, threats, sweep.decided[t]))
        policy.start(t)
        pi = policy.actions()
        for th in threats:
            d = sweep.decided[t].get(th.id)
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
            num[th.id] += (w * d).sum(axis=(1, 2, 3))
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
            off_path = sweep.decided[first[th.id]][th.id][np.arange(n), np.broadcast_to(k0, (n,)), m0, r0]
        with np.errstate(invalid="ignore", divide="ignore"):
            share[th.id] = np.where(den[th.id] > 0, num[th.id] / np.where(den[th.id] > 0, den[th.id], 1.0), off_path)
    return Path(outcomes=out, decided_share=share, triggered=den)


BLOCK = 16  # types solved together (memory: a month's policy is 9 x BLOCK x the grid)


@dataclass
class Start:
    """One run of the damped best-response iteration from a starting belief."""

    name: str
    iterations: int
    residual: float
    converged: bool
    beliefs: dict[str, np.ndarray]  # threat id -> (n,) the target's belief where the iteration ended
    cycling: np.ndarray | None = None  # (n,) bool: the best response alternates (no pure equilibrium there)


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


def _iterate(c: Compiled, decision: Decision, threats: list[Threat], b: dict[str, np.ndarray], n: int,
             name: str, seen: dict) -> tuple[Start, Solution, Sweep, Path]:
    """Best responses from beliefs `b`: the target solves under b, the coercer answers by backward induction,
    b moves towards the coercer's execution probability on the path (a full step first, then damped).
    `seen` keeps the answers to beliefs already solved (another start often reaches them)."""
    step, residual, it = 1.0, np.inf, 0
    history: list[dict[str, np.ndarray]] = []
    while True:
        it += 1
        key = tuple(np.asarray(b[th.id], dtype=float).tobytes() for th in threats)
        if key not in seen:
            cb = _with_beliefs(c, threats, b)
            sol = solve(cb, decision)
            sweep = coercer_sweep(cb, sol, threats)
            seen[key] = (sol, sweep, forward(cb, sol, threats, sweep))
        sol, sweep, path = seen[key]
        target = {th.id: _per_sample(c, th.chance, n) + (1 - _per_sample(c, th.chance, n))
                  * _per_sample(c, th.prob, n) * path.decided_share[th.id] for th in threats}
        residual = max((float(np.max(np.abs(target[k] - b[k]))) for k in b), default=0.0)
        settled = np.ones(n, dtype=bool)
        cycling = np.zeros(n, dtype=bool)
        for k in b:
            settled &= np.abs(target[k] - b[k]) <= TOLERANCE
        if len(history) >= CYCLE:  # the best response alternates between two answers: a cycle
            two, one = history[-CYCLE], history[-1]
            again = np.all([target[k] == two[k] for k in b], axis=0)
            moved = np.any([target[k] != one[k] for k in b], axis=0)
            cycling = ~settled & again & moved
        history.append(target)
        if residual <= TOLERANCE or np.all(settled | cycling) or it >= MAX_ITERATIONS:
            return Start(name, it, residual, residual <= TOLERANCE, b, cycling), sol, sweep, path
        b = {k: np.where(target[k] == b[k], b[k], b[k] + step * (target[k] - b[k])) for k in b}
        step = DAMPING


def _block(c: Compiled, decision: Decision, threats: list[Threat], n: int) -> Equilibrium:
    if Grid.of(c).P > 1:
        raise InputError("the strategic coercer does not yet handle phases that begin at an uncertain month or "
                         "on a condition", field="phases", fix="use --coercer committed for this strategy")
    declared = {th.id: _per_sample(c, th.prob, n) for th in threats}
    chance = {th.id: _per_sample(c, th.chance, n) for th in threats}
    starts = {"declared": declared, "chance only": chance}
    seen: dict = {}
    runs = [_iterate(c, decision, threats, dict(b), n, name, seen) for name, b in starts.items()]
    first, sol, sweep, path = runs[0]
    several = np.zeros(n, dtype=bool)
    for other, *_ in runs[1:]:
        for k in first.beliefs:
            several |= np.abs(other.beliefs[k] - first.beliefs[k]) > SAME_EQUILIBRIUM
    for start, *_ in runs:  # a type whose best responses cycle has no pure equilibrium to count
        several &= ~start.cycling
    k0, m0, r0 = sol.initial_state()
    value = sweep.W0[np.arange(n), np.broadcast_to(k0, (n,)), m0, r0]
    execution = {th.id: chance[th.id] + (1 - chance[th.id]) * declared[th.id] * path.decided_share[th.id]
                 for th in threats}
    pay = Payoffs(Month(c, sol.grid, 0, n, False, sol.paths))
    stakes = {th.id: _per_sample(c, C + "reputation_value", n) + _per_sample(c, C + "audience_cost", n)
              for th in threats}
    return Equilibrium(threats=threats, declared=declared, chance=chance, execution=execution,
                       triggered=path.triggered, outcomes=path.outcomes, coercer_value=value,
                       gain={th.id: sweep.gain.get(th.id, np.zeros(n)) for th in threats},
                       direct_cost={th.id: direct_cost(c, th, pay, n) for th in threats}, stakes=stakes,
                       starts=[r[0] for r in runs], several=several,
                       moved={th.id: moved_parameter(c, th) for th in threats})


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
    parts = [_block(c.chunk(slice(s, min(n, s + BLOCK))) if c.has_arrays else c, decision, threats,
                    min(n, s + BLOCK) - s) for s in range(0, n, BLOCK)]
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
                       several=np.concatenate([p.several for p in parts]), moved=parts[0].moved)


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

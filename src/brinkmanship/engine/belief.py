"""The target's belief that the coercer is resolute, updated by Bayes' rule: plain functions on arrays.

The coercer is one of two types: resolute (a rule or deadline is executed with its `probability` p) or
bluffing (with a small `bluff` probability b). The target starts from the prior `believed` that it is
resolute and, each time a rule is triggered or a deadline's month passes, observes whether the coercer acted.
Everything it learns is one number, the log-likelihood ratio L of resolute against bluffing (a sufficient
statistic: observations are independent given the type), so each item's posterior is its own prior moved by
the shared L. The planner and the simulator keep L on `levels` points `step` apart (centred on 0), moving
to the two neighbouring points of the continuous update with the chances that keep its mean
(stochastic rounding), so both follow one discrete model.

References: Bayes' rule for a two-type reputation model as in Kreps and Wilson (1982), "Reputation and
imperfect information", J. Econ. Theory 27; Sobel (1985), "A theory of credibility", Rev. Econ. Stud. 52.
Stochastic rounding: Croci et al. (2022), "Stochastic rounding: implementation, error analysis and
applications", R. Soc. Open Sci. 9.
"""

from __future__ import annotations

import numpy as np

from brinkmanship.engine import fmath

Value = float | np.ndarray
TINY = 1e-300  # keeps log(0) finite: an item that can never be executed gives a huge, finite ratio
NEAR_ONE = 1 - 1e-16  # keeps log(1 - 1) finite: an item that is always executed
HAZARD_FLOOR = 1e-12
ROUND_TOL = 1e-12  # no division by zero when the deadline is certain to have acted already


def posterior(prior: Value, llr: Value) -> np.ndarray:
    """Posterior that the coercer is resolute: logit(posterior) = logit(prior) + llr. A prior of exactly 0
    or 1 stays where it is (nothing can move a certainty)."""
    prior = np.asarray(prior, dtype=float)
    llr = np.asarray(llr, dtype=float)
    inner = np.clip(prior, TINY, NEAR_ONE)
    odds = np.log(inner) - np.log1p(-inner) + llr
    mid = 1.0 / (1.0 + fmath.exp(-odds))  # fmath: the fused simulator computes the same bits
    return np.where(prior <= 0.0, 0.0, np.where(prior >= 1.0, 1.0, mid))


def believed_execution(mu: Value, p: Value, b: Value) -> np.ndarray:
    """Chance the target expects an item to be executed: mu p + (1 - mu) b (exactly p at mu = 1, b at 0)."""
    mu = np.asarray(mu, dtype=float)
    return mu * p + (1.0 - mu) * b


def evidence(executed: bool, p: Value, b: Value) -> np.ndarray:
    """Log-likelihood ratio (resolute against bluffing) of seeing an item executed, or not executed."""
    p, b = np.asarray(p, dtype=float), np.asarray(b, dtype=float)
    if executed:
        return np.log(np.maximum(p, TINY)) - np.log(np.maximum(b, TINY))
    return np.log1p(-np.minimum(p, NEAR_ONE)) - np.log1p(-np.minimum(b, NEAR_ONE))


def deadline_hazard(p: Value, t: int, first: int, last: int) -> np.ndarray:
    """Chance a deadline acts in month t given it has not acted before: it acts with probability p, in a
    month drawn uniformly in [first, last] (0 outside the window)."""
    p = np.asarray(p, dtype=float)
    if not first <= t <= last:
        return np.zeros_like(p)
    span = last - first + 1
    done = p * (t - first) / span
    return (p / span) / np.maximum(1 - done, HAZARD_FLOOR)


def skipped_deadline_evidence(p: Value, b: Value, t: int, first: int, last: int) -> np.ndarray:
    """Log-likelihood ratio of a deadline that has not acted before month t: the product of the months'
    (1 - hazard) telescopes to 1 - p (months elapsed) / span for each type."""
    k = min(max(t - first, 0), last - first + 1)
    span = last - first + 1
    return evidence(False, np.asarray(p, dtype=float) * k / span, np.asarray(b, dtype=float) * k / span)


def posterior_after(prior: Value, p: Value, b: Value, executed: int, skipped: int) -> np.ndarray:
    """Closed form: the posterior after `executed` executions and `skipped` non-executions of an item with
    resolute probability p and bluffing probability b (Bayes' rule on the binomial likelihoods)."""
    prior = np.asarray(prior, dtype=float)
    res = prior * p ** executed * (1 - p) ** skipped
    bl = (1 - prior) * b ** executed * (1 - b) ** skipped
    return res / (res + bl)


def prior_level(levels: int) -> int:
    """The middle of an odd number of evidence levels: no evidence yet, the belief is the prior."""
    return (levels - 1) >> 1


def level_value(levels: int, step: Value) -> np.ndarray:
    """(levels,) the log-likelihood ratio at each evidence level, centred on 0 (the prior)."""
    return (np.arange(levels) - prior_level(levels)) * np.asarray(step, dtype=float)[..., None]


def round_split(level: np.ndarray, shift: Value, levels: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stochastic rounding of level + shift (in level units, clipped to the levels): the lower neighbour,
    the upper one, and the chance of the upper one (the mean is kept inside the range)."""
    pos = np.clip(np.asarray(level, dtype=float) + shift, 0, levels - 1)
    lo = np.floor(pos + ROUND_TOL).astype(np.int64).clip(0, levels - 1)
    frac = np.where(lo >= levels - 1, 0.0, np.maximum(pos - lo, 0.0))
    return lo, np.minimum(lo + 1, levels - 1), frac


def round_draw(level: np.ndarray, shift: Value, levels: int, u: np.ndarray) -> np.ndarray:
    """One stochastic rounding draw per run (uniform `u`): the upper neighbour with chance `frac`."""
    lo, hi, frac = round_split(level, shift, levels)
    return np.where(u < frac, hi, lo)

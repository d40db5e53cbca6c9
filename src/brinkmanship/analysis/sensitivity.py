"""Global sensitivity through SALib: Sobol first/total-order indices (Saltelli/Jansen) and Morris screening;
and first-order indices estimated from any sample (an exploration's) by binning.

Plain functions on arrays with a SALib problem dict (`num_vars`, `names`, `bounds`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from brinkmanship.errors import InputError


def _check_problem(problem: Mapping[str, Any]) -> None:
    names, bounds = problem.get("names"), problem.get("bounds")
    if not names or not bounds or len(names) != len(bounds):
        raise InputError("a sensitivity problem needs matching 'names' and 'bounds'", field="problem",
                         fix="give {'num_vars': d, 'names': [...], 'bounds': [[lo, hi], ...]}")
    for n, (lo, hi) in zip(names, bounds, strict=True):
        if not lo < hi:
            raise InputError(f"bounds [{lo}, {hi}] of '{n}' are empty", field=f"bounds.{n}", fix="use low < high")


def _full(problem: Mapping[str, Any]) -> dict[str, Any]:
    p = dict(problem)
    p.setdefault("num_vars", len(p["names"]))
    return p


def sobol_sample(problem: Mapping[str, Any], n: int, seed: int = 0, second_order: bool = False) -> np.ndarray:
    """Saltelli design from a scrambled Sobol sequence: n*(d+2) rows (n*(2d+2) with second order)."""
    from SALib.sample import sobol as sobol_sampler

    _check_problem(problem)
    if n < 2 or n & (n - 1):
        raise InputError(f"Sobol base sample count must be a power of two, got {n}", field="--n",
                         fix="use 512, 1024, 2048, ...")
    return sobol_sampler.sample(_full(problem), n, calc_second_order=second_order, scramble=True, seed=seed)


def sobol_indices(problem: Mapping[str, Any], Y: np.ndarray, second_order: bool = False, seed: int = 0,
                  num_resamples: int = 100) -> dict[str, Any]:
    """First-order S1 and total-order ST indices with bootstrap confidence halves, per parameter name."""
    from SALib.analyze import sobol as sobol_analyzer

    _check_problem(problem)
    Y = np.asarray(Y, dtype=np.float64)
    if not np.isfinite(Y).all():
        raise InputError("model output has non-finite values", field="outcome", fix="check the model output")
    res = sobol_analyzer.analyze(_full(problem), Y, calc_second_order=second_order, num_resamples=num_resamples,
                                 print_to_console=False, seed=seed)
    out: dict[str, Any] = {"names": list(problem["names"])}
    for k in ("S1", "S1_conf", "ST", "ST_conf"):
        out[k] = np.asarray(res[k], dtype=np.float64)
    if second_order:
        out["S2"] = np.asarray(res["S2"], dtype=np.float64)
    return out


def sobol_analysis(problem: Mapping[str, Any], func: Callable[[np.ndarray], np.ndarray], n: int, seed: int = 0,
                   second_order: bool = False) -> dict[str, Any]:
    """Sample, evaluate `func` on the whole design at once (vectorised), analyse."""
    X = sobol_sample(problem, n, seed, second_order)
    return sobol_indices(problem, func(X), second_order, seed)


def morris_sample(problem: Mapping[str, Any], trajectories: int, num_levels: int = 4, seed: int = 0) -> np.ndarray:
    """Morris elementary-effects design: trajectories*(d+1) rows."""
    from SALib.sample import morris as morris_sampler

    _check_problem(problem)
    if trajectories < 2:
        raise InputError(f"Morris needs at least 2 trajectories, got {trajectories}", field="--n", fix="use --n 20")
    return morris_sampler.sample(_full(problem), trajectories, num_levels=num_levels, seed=seed)


def morris_indices(problem: Mapping[str, Any], X: np.ndarray, Y: np.ndarray, num_levels: int = 4,
                   seed: int = 0) -> dict[str, Any]:
    """mu, mu* (mean absolute elementary effect), sigma and mu* confidence per parameter name."""
    from SALib.analyze import morris as morris_analyzer

    _check_problem(problem)
    res = morris_analyzer.analyze(_full(problem), np.asarray(X), np.asarray(Y, dtype=np.float64),
                                  num_levels=num_levels, print_to_console=False, seed=seed)
    out: dict[str, Any] = {"names": list(problem["names"])}
    for k in ("mu", "mu_star", "sigma", "mu_star_conf"):
        out[k] = np.asarray(res[k], dtype=np.float64)
    return out


def morris_analysis(problem: Mapping[str, Any], func: Callable[[np.ndarray], np.ndarray], trajectories: int,
                    num_levels: int = 4, seed: int = 0) -> dict[str, Any]:
    """Sample, evaluate `func` on the whole design at once, analyse."""
    X = morris_sample(problem, trajectories, num_levels, seed)
    return morris_indices(problem, X, func(X), num_levels, seed)


def ishigami(X: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    """The Ishigami test function on [-pi, pi]^3 (vectorised)."""
    X = np.asarray(X, dtype=np.float64)
    return np.sin(X[:, 0]) + a * np.sin(X[:, 1]) ** 2 + b * X[:, 2] ** 4 * np.sin(X[:, 0])


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> dict[str, np.ndarray]:
    """Analytic first- and total-order Sobol indices of the Ishigami function."""
    pi = np.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return {"S1": np.array([v1, v2, 0.0]) / var, "ST": np.array([v1 + v13, v2, v13]) / var}


def as_table(res: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per parameter with every index in `res` (JSON-able), sorted by ST or mu* (largest first)."""
    keys = [k for k in res if k not in ("names", "S2")]
    rows = [{"name": n, **{k: float(res[k][i]) for k in keys}} for i, n in enumerate(res["names"])]
    key = "ST" if "ST" in res else "mu_star"
    return sorted(rows, key=lambda r: -r[key] if np.isfinite(r[key]) else 0.0)


def bin_codes(x: np.ndarray, bins: int = 10) -> np.ndarray:
    """Bin index of each value of `x`: quantile bins for numbers, one bin per category otherwise."""
    xs = np.asarray(x)
    if xs.dtype.kind not in "fiu":
        return np.unique(xs.astype(str), return_inverse=True)[1]
    edges = np.unique(np.quantile(xs.astype(float), np.linspace(0, 1, bins + 1)))
    return np.clip(np.searchsorted(edges, xs, side="right") - 1, 0, max(len(edges) - 2, 0))


def first_order_indices(x: np.ndarray, y: np.ndarray, bins: int = 10) -> float:
    """First-order sensitivity Var(E[y|x]) / Var(y), estimated from any sample by quantile binning of x.

    Categorical x is binned by category. Needs no Saltelli design, so it reads an exploration's sample as is.
    """
    y = np.asarray(y, dtype=float)
    var = y.var()
    if var <= 0:
        return 0.0
    codes = bin_codes(x, bins)
    counts = np.bincount(codes)
    means = np.bincount(codes, weights=y) / np.maximum(counts, 1)
    between = float(np.sum(counts * (means - y.mean()) ** 2) / y.size)
    return max(0.0, min(1.0, between / var))


def first_order_with_ci(inputs: dict[str, np.ndarray], y: np.ndarray, bins: int = 10, resamples: int = 200,
                        seed: int = 0) -> list[tuple[str, float, float, float]]:
    """First-order indices Var(E[y|x]) / Var(y) by quantile binning of each input, with 95% bootstrap
    intervals: (name, estimate, low, high), largest first. Vectorised over resamples."""
    y = np.asarray(y, dtype=float)
    n = y.size
    rng = np.random.default_rng(seed)
    idx = np.vstack([np.arange(n), rng.integers(0, n, size=(resamples, n))])  # row 0: the sample itself
    ys = y[idx]
    var = ys.var(axis=1)
    rows = []
    for name, x in inputs.items():
        codes = bin_codes(x, bins)
        k = int(codes.max()) + 1
        flat = (codes[idx] + k * np.arange(idx.shape[0])[:, None]).ravel()
        counts = np.bincount(flat, minlength=k * idx.shape[0]).reshape(-1, k)
        sums = np.bincount(flat, weights=ys.ravel(), minlength=k * idx.shape[0]).reshape(-1, k)
        means = sums / np.maximum(counts, 1)
        between = (counts * (means - ys.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / n
        s1 = np.clip(np.divide(between, var, out=np.zeros_like(var), where=var > 0), 0.0, 1.0)
        lo, hi = np.percentile(s1[1:], [2.5, 97.5])
        rows.append((name, float(s1[0]), float(lo), float(hi)))
    return sorted(rows, key=lambda r: -r[1])


DECIDES_MAX_BINS = 10  # quantile bins of each input in `what_decides`
DECIDES_PER_BIN = 8  # at least this many (effective) samples per bin


def pooled_first_order(x: np.ndarray, Y: np.ndarray, weights: np.ndarray | None = None,
                       bins: int = DECIDES_MAX_BINS) -> tuple[float, np.ndarray]:
    """Bias-corrected first-order share of a vector outcome's variance explained by one input, by binning.

    Share = sum over columns of Var(E[Y_o | x]) / sum of Var(Y_o) (the first-order index of a multivariate
    output), the between-bin variance corrected for its noise floor as epsilon-squared is: a noise input
    scores about 0, not (bins - 1) / n. Also returns the weighted means of the bins that hold weight
    (bins, columns), lowest x first, for the direction. `weights` (summing to anything positive) weight the samples, e.g. posterior types.
    """
    Y = np.asarray(Y, dtype=float).reshape(len(x), -1)
    w = np.full(len(x), 1.0) if weights is None else np.asarray(weights, dtype=float)
    w = w / w.sum()
    n_eff = 1.0 / np.sum(np.square(w))
    codes = bin_codes(x, bins)
    B = int(codes.max()) + 1
    W = np.bincount(codes, weights=w, minlength=B)
    means = np.stack([np.bincount(codes, weights=w * Y[:, o], minlength=B) for o in range(Y.shape[1])], axis=1)
    means = np.divide(means, W[:, None], out=np.zeros_like(means), where=W[:, None] > 0)
    mean = w @ Y
    total = float((w @ np.square(Y - mean)).sum())
    if total <= 0 or np.ptp(Y, axis=0).max() <= 0:  # a constant outcome (rounding leaves a tiny `total`)
        return 0.0, means[W > 0]
    between = float((W @ np.square(means - mean)).sum())
    within = total - between
    used = int((W > 0).sum())
    if n_eff > used:  # epsilon-squared: remove the between-bin variance that noise alone would give
        between -= (used - 1) / (n_eff - used) * within
    return max(0.0, min(1.0, between / total)), means[W > 0]


def what_decides(inputs: dict[str, np.ndarray], Y: np.ndarray, columns: list[str] | tuple[str, ...],
                 weights: np.ndarray | None = None, top: int = 3,
                 min_share: float = 0.0) -> list[dict[str, Any]]:
    """The inputs that most move a vector outcome `Y` (n, columns): name, share of its variance explained
    alone (`pooled_first_order`), the column it moves most and whether that column rises with the input.

    Largest share first; at most `top`, each above `min_share`. Plain arrays: the sample may be types,
    runs or experiments.
    """
    n = len(next(iter(inputs.values()))) if inputs else 0
    w = np.full(n, 1.0) if weights is None else np.asarray(weights, dtype=float)
    n_eff = float(w.sum() ** 2 / np.sum(np.square(w))) if n else 0.0
    bins = max(2, min(DECIDES_MAX_BINS, round(n_eff) // DECIDES_PER_BIN))
    rows = []
    for name, x in inputs.items():
        if np.ptp(np.asarray(x, dtype=float)) <= 0:
            continue
        share, means = pooled_first_order(x, Y, w, bins)
        if share <= min_share:
            continue
        spread = means.max(axis=0) - means.min(axis=0)
        col = int(np.argmax(spread))
        used = means[:, col]
        rises = bool(used[-1] >= used[0])
        rows.append({"name": name, "share": float(share), "moves": columns[col], "rises": rises})
    rows.sort(key=lambda r: -r["share"])
    return rows[:top]


def binned_f_test(x: np.ndarray, y: np.ndarray, bins: int = DECIDES_MAX_BINS) -> float:
    """p-value of the one-way ANOVA F test that y's mean is the same in every quantile bin of x.

    Small: y varies with x beyond what chance gives in a sample of this size (e.g. a number the record's
    likelihood identifies); large: no evidence that it does.
    """
    from scipy.stats import f as f_dist

    y = np.asarray(y, dtype=float)
    codes = bin_codes(x, bins)
    counts = np.bincount(codes)
    used = counts > 0
    B, n = int(used.sum()), y.size
    if B < 2 or n <= B:
        return 1.0
    means = np.bincount(codes, weights=y)[used] / counts[used]
    ssb = float(np.sum(counts[used] * np.square(means - y.mean())))
    ssw = float(np.sum(np.square(y - (np.bincount(codes, weights=y) / np.maximum(counts, 1))[codes])))
    if ssw <= 0:
        return 0.0 if ssb > 0 else 1.0
    return float(f_dist.sf((ssb / (B - 1)) / (ssw / (n - B)), B - 1, n - B))

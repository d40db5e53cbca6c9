"""PRIM scenario discovery (Friedman & Fisher 1999; Bryant & Lempert 2010), vectorised with numpy.

It follows EMA Workbench's implementation (`ema_workbench.analysis.prim`, 2.5.3): the same peeling and
pasting rules and candidate order, `get_quantile`, the lenient1/lenient2/original objectives, mass_min,
the coverage/density trajectory and one-sided binomial quasi-p-values, so that both find the same boxes.
Deliberate difference: pasting also runs when only integer or categorical dimensions are restricted.
The box is chosen explicitly from the trade-off curve (`PrimResult.choose` / `select`), not the last peel.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from brinkmanship.errors import InputError

ABOVE = 1
BELOW = -1


def get_quantile(data: np.ndarray, quantile: float, presorted: bool = False) -> float:
    """Quantile as in sdtoolkit/EMA: the midpoint of the two order statistics around it, skipping ties."""
    if not 0.0 < quantile < 1.0:
        raise ValueError("quantile must lie strictly between 0 and 1")
    d = data if presorted else np.sort(data)
    i = (len(d) - 1) * quantile
    lo, hi = math.floor(i), math.ceil(i)
    if quantile > 0.5:
        while d[lo] == d[hi] and lo > 0:
            lo -= 1
    else:
        while d[lo] == d[hi] and hi < len(d) - 1:
            hi += 1
    return (d[lo] + d[hi]) / 2


@dataclass(frozen=True)
class Box:
    """Box limits: inclusive [lower, upper] per numeric dimension and a category set per nominal one."""

    lower: np.ndarray
    upper: np.ndarray
    cats: tuple[frozenset[int], ...]

    def with_num(self, j: int, lower: float | None = None, upper: float | None = None) -> Box:
        lo, hi = self.lower.copy(), self.upper.copy()
        if lower is not None:
            lo[j] = lower
        if upper is not None:
            hi[j] = upper
        return Box(lo, hi, self.cats)

    def with_cats(self, c: int, cats: frozenset[int]) -> Box:
        new = list(self.cats)
        new[c] = cats
        return Box(self.lower, self.upper, tuple(new))


def _gain_per_removed(y_old: np.ndarray, y_new: np.ndarray) -> float:
    """Change of the box mean per point removed (EMA Workbench's lenient objectives share this)."""
    mean_old = np.mean(y_old)
    mean_new = np.mean(y_new) if y_new.shape[0] > 0 else 0
    if mean_old == mean_new:  # mirrors EMA Workbench exactly, so that trajectories stay identical
        return 0.0
    d = abs(y_old.shape[0] - y_new.shape[0])
    if d == 0:
        raise RuntimeError("PRIM: means differ while box sizes are equal")
    return float((mean_new - mean_old) / d)


def _obj_lenient1(y_old: np.ndarray, y_new: np.ndarray) -> float:
    return _gain_per_removed(y_old, y_new)


def _obj_lenient2(y_old: np.ndarray, y_new: np.ndarray) -> float:
    return y_new.shape[0] * _gain_per_removed(y_old, y_new)


def _obj_original(y_old: np.ndarray, y_new: np.ndarray) -> float:
    return float(np.mean(y_new)) if y_new.shape[0] > 0 else -1.0


OBJECTIVES = {"lenient1": _obj_lenient1, "lenient2": _obj_lenient2, "original": _obj_original}


class Prim:
    """PRIM over numeric (real, integer) and categorical inputs; `find_box()` finds one box at a time."""

    def __init__(self, x: Any, y: np.ndarray, threshold: float, *, peel_alpha: float = 0.05,
                 paste_alpha: float = 0.05, mass_min: float = 0.05, threshold_type: int = ABOVE,
                 obj_function: str = "lenient1", mode: str = "binary", update_function: str = "default",
                 kinds: Mapping[str, str] | None = None) -> None:
        cols = _columns(x)
        y = np.asarray(y)
        if y.ndim != 1:
            raise InputError(f"y must be one-dimensional, got shape {y.shape}", field="y")
        n = y.shape[0]
        if any(len(v) != n for v in cols.values()):
            raise InputError("x and y have different lengths", field="x")
        if mode not in ("binary", "regression"):
            raise InputError(f"unknown mode '{mode}'", field="mode", fix="use binary or regression")
        if mode == "binary" and set(np.unique(y).tolist()) != {0, 1}:
            raise InputError("binary PRIM needs y with both 0 and 1 cases", field="y",
                             fix="choose a threshold that splits the cases, or mode='regression'")
        if obj_function not in OBJECTIVES:
            raise InputError(f"unknown objective '{obj_function}'", field="obj_function",
                             fix=f"use one of {', '.join(OBJECTIVES)}")
        if update_function not in ("default", "guivarch"):
            raise InputError(f"unknown update function '{update_function}'", field="update_function")
        kinds = dict(kinds or {})
        self.names: list[str] = list(cols)
        floats, ints, noms = [], [], []
        for name, v in cols.items():
            k = kinds.get(name) or _infer_kind(v)
            if k == "real":
                floats.append(name)
            elif k == "integer":
                ints.append(name)
            elif k == "categorical":
                if len(np.unique(np.asarray(v).astype(str))) > 1:  # EMA drops one-category columns
                    noms.append(name)
            else:
                raise InputError(f"unknown kind '{k}' for '{name}'", field="kinds")
        self.num_names = floats + ints
        self.num_is_int = np.array([False] * len(floats) + [True] * len(ints), dtype=bool)
        self.X = (np.column_stack([np.asarray(cols[c], dtype=np.float64) for c in self.num_names])
                  if self.num_names else np.empty((n, 0)))
        self.nom_names = noms
        self.categories: list[np.ndarray] = []
        codes = []
        for c in noms:
            vals, inv = np.unique(np.asarray(cols[c]).astype(str), return_inverse=True)
            self.categories.append(vals)
            codes.append(inv.astype(np.int64))
        self.codes = np.column_stack(codes) if codes else np.empty((n, 0), dtype=np.int64)
        self.n_cols = len(self.num_names) + len(self.nom_names)
        self.names = [c for c in self.names if c in set(self.num_names) | set(self.nom_names)]

        self.y = y.astype(np.float64)
        self.n = n
        self.threshold = threshold
        self.threshold_type = threshold_type
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min
        self.obj = OBJECTIVES[obj_function]
        self.update_function = update_function
        self.box_init = Box(
            self.X.min(axis=0) if n else np.zeros(0), self.X.max(axis=0) if n else np.zeros(0),
            tuple(frozenset(range(len(v))) for v in self.categories),
        )
        self.t_coi = self.coi(np.arange(n))
        self.results: list[PrimResult] = []

    # ---- helpers -------------------------------------------------------------------------------------
    def coi(self, idx: np.ndarray) -> int:
        """Number of cases of interest among the given rows."""
        y = self.y[idx]
        return int((y >= self.threshold).sum() if self.threshold_type == ABOVE else (y <= self.threshold).sum())

    def restricted(self, box: Box) -> tuple[np.ndarray, list[int]]:
        """Restricted numeric columns (bool mask) and nominal columns (indices)."""
        num = (box.lower != self.box_init.lower) | (box.upper != self.box_init.upper)
        nom = [c for c in range(len(self.nom_names)) if box.cats[c] != self.box_init.cats[c]]
        return num, nom

    def n_restricted(self, box: Box) -> int:
        num, nom = self.restricted(box)
        return int(num.sum()) + len(nom)

    def in_box(self, rows: np.ndarray, box: Box, num: np.ndarray | None = None,
               nom: Sequence[int] | None = None) -> np.ndarray:
        """Boolean mask of `rows` inside `box`, checking only the given (restricted) dimensions."""
        if num is None or nom is None:
            num, nom = self.restricted(box)
        ok = np.ones(rows.shape[0], dtype=bool)
        js = np.flatnonzero(num)
        if js.size:
            xs = self.X[np.ix_(rows, js)]
            ok &= ((box.lower[js] <= xs) & (xs <= box.upper[js])).all(axis=1)
        for c in nom:
            ok &= np.isin(self.codes[rows, c], np.fromiter(box.cats[c], dtype=np.int64))
        return ok

    # ---- the algorithm -------------------------------------------------------------------------------
    def find_box(self) -> PrimResult | None:
        """Peel and paste one box on the data not covered by earlier boxes; a 'dump' box if it misses threshold."""
        if self.update_function == "guivarch":
            for r in self.results:
                self.y[r.indices()] = 0
            remaining = np.arange(self.n)
        else:
            logical = np.ones(self.n, dtype=bool)
            for r in self.results:
                logical[r.indices()] = False
            remaining = np.flatnonzero(logical)
        if remaining.size == 0:
            return None
        res = PrimResult(self, remaining)
        res._add(self.box_init, remaining)
        self._peel(res)
        self._paste(res)
        mean = res.mean[-1]
        ok = mean >= self.threshold if self.threshold_type == ABOVE else mean <= self.threshold
        if not ok:
            res = PrimResult(self, remaining)
            res._add(self.box_init, remaining)
            res.dump = True
        self.results.append(res)
        return res

    def _peel_candidates(self, box: Box, idx: np.ndarray) -> list[tuple[np.ndarray, Box]]:
        out: list[tuple[np.ndarray, Box]] = []
        a = self.peel_alpha
        for j in range(len(self.num_names)):
            xj = self.X[idx, j]
            xs = np.sort(xj)
            if not self.num_is_int[j]:
                q_up = get_quantile(xs, 1 - a, presorted=True)
                out.append((idx[xj <= q_up], box.with_num(j, upper=q_up)))
                q_lo = get_quantile(xs, a, presorted=True)
                out.append((idx[xj >= q_lo], box.with_num(j, lower=q_lo)))
                continue
            lo_lim, hi_lim = box.lower[j], box.upper[j]
            # upper (mirrors EMA's _discrete_peel)
            q = float(int(get_quantile(xs, 1 - a, presorted=True)))
            if q == hi_lim:
                logical = (xj < hi_lim) & (xj >= lo_lim)
            else:
                logical = (xj <= q) & (xj >= lo_lim)
            new = np.max(xj[logical]) if logical.any() else np.max(xj)
            out.append((idx[logical], box.with_num(j, upper=new)))
            # lower
            q = float(int(get_quantile(xs, a, presorted=True)))
            if q == lo_lim:
                logical = (xj > lo_lim) & (xj <= hi_lim)
            else:
                logical = (xj >= q) & (xj <= hi_lim)
            new = np.min(xj[logical]) if logical.any() else np.min(xj)
            out.append((idx[logical], box.with_num(j, lower=new)))
        for c in range(len(self.nom_names)):
            cats = box.cats[c]
            if len(cats) <= 1:
                continue
            col = self.codes[idx, c]
            for entry in sorted(cats):
                out.append((idx[col != entry], box.with_cats(c, cats - {entry})))
        return out

    def _best(self, y_old: np.ndarray, candidates: list[tuple[np.ndarray, Box]]) -> tuple[float, np.ndarray, Box]:
        best: tuple[float, int] | None = None
        choice: tuple[float, np.ndarray, Box] | None = None
        for ind, b in candidates:  # first of the maxima of (objective, unrestricted dims), as EMA's stable sort
            score = (self.obj(y_old, self.y[ind]), self.n_cols - self.n_restricted(b))
            if best is None or score > best:
                best, choice = score, (score[0], ind, b)
        assert choice is not None
        return choice

    def _peel(self, res: PrimResult) -> None:
        while True:
            box, idx = res.boxes[-1], res._indices[-1]
            candidates = self._peel_candidates(box, idx)
            if not candidates:
                return
            obj, ind, new = self._best(self.y[idx], candidates)
            mass_old, mass_new = idx.shape[0] / self.n, ind.shape[0] / self.n
            if mass_new >= self.mass_min and mass_new < mass_old and obj > 0:
                res._add(new, ind)
            else:
                return

    def _paste(self, res: PrimResult) -> None:
        R = res.remaining
        init = self.box_init
        while True:
            box, idx = res.boxes[-1], res._indices[-1]
            num, nom = self.restricted(box)
            candidates: list[tuple[np.ndarray, Box]] = []
            for j in np.flatnonzero(num):
                xR = self.X[R, j]
                # lower: paste from the slab below the box
                region = box.with_num(j, lower=init.lower[j], upper=box.lower[j])
                data = xR[self.in_box(R, region, num, nom)]
                value = get_quantile(data, 1 - self.paste_alpha) if data.size else init.lower[j]
                new = box.with_num(j, lower=value)
                candidates.append((R[self.in_box(R, new, num, nom)], new))
                # upper
                region = box.with_num(j, lower=box.upper[j], upper=init.upper[j])
                data = xR[self.in_box(R, region, num, nom)]
                value = get_quantile(data, self.paste_alpha) if data.size else init.upper[j]
                new = box.with_num(j, upper=value)
                candidates.append((R[self.in_box(R, new, num, nom)], new))
            for c in nom:
                for entry in sorted(init.cats[c] - box.cats[c]):
                    new = box.with_cats(c, box.cats[c] | {entry})
                    candidates.append((R[self.in_box(R, new, num, nom)], new))
            if not candidates:
                return
            y_old = self.y[idx]
            obj, ind, new = self._best(y_old, candidates)
            mass_old, mass_new = idx.shape[0] / self.n, ind.shape[0] / self.n
            mean_old, mean_new = np.mean(y_old), np.mean(self.y[ind])
            if mass_new >= self.mass_min and mass_new > mass_old and obj > 0 and mean_new > mean_old:
                res._add(new, ind)
            else:
                return


@dataclass
class PrimResult:
    """The peeling-and-pasting trajectory of one PRIM box: the coverage/density trade-off curve."""

    prim: Prim
    remaining: np.ndarray
    boxes: list[Box] = field(default_factory=list)
    coverage: list[float] = field(default_factory=list)
    density: list[float] = field(default_factory=list)
    mean: list[float] = field(default_factory=list)
    mass: list[float] = field(default_factory=list)
    res_dim: list[int] = field(default_factory=list)
    n: list[int] = field(default_factory=list)
    k: list[int] = field(default_factory=list)
    dump: bool = False
    selected: int = -1
    _indices: list[np.ndarray] = field(default_factory=list, repr=False)
    _qp: dict[int, dict[str, tuple[float, float]]] = field(default_factory=dict, repr=False)

    def _add(self, box: Box, idx: np.ndarray) -> None:
        p = self.prim
        coi = p.coi(idx)
        y = p.y[idx]
        self.boxes.append(box)
        self._indices.append(idx)
        self.coverage.append(coi / p.t_coi if p.t_coi else float("nan"))
        self.density.append(coi / y.shape[0] if y.shape[0] else float("nan"))
        self.mean.append(float(np.mean(y)) if y.shape[0] else float("nan"))
        self.mass.append(y.shape[0] / p.n)
        self.res_dim.append(p.n_restricted(box))
        self.n.append(int(y.shape[0]))
        self.k.append(coi)
        self.selected = len(self.boxes) - 1

    def __len__(self) -> int:
        return len(self.boxes)

    def _i(self, i: int | None) -> int:
        i = self.selected if i is None else i
        if not -len(self.boxes) <= i < len(self.boxes):
            raise InputError(f"box {i} is not on the trajectory (0..{len(self.boxes) - 1})", field="box",
                             fix="pick an index from the trade-off table")
        return i % len(self.boxes)

    def indices(self, i: int | None = None) -> np.ndarray:
        """Rows (of the data given to Prim) inside box i (default: the selected box)."""
        return self._indices[self._i(i)]

    def select(self, i: int) -> PrimResult:
        """Choose box i of the trajectory explicitly."""
        self.selected = self._i(i)
        return self

    def restricted_dims(self, i: int | None = None) -> list[str]:
        """Names of the dimensions box i restricts, in the data's column order."""
        box = self.boxes[self._i(i)]
        num, nom = self.prim.restricted(box)
        names = {self.prim.num_names[j] for j in np.flatnonzero(num)} | {self.prim.nom_names[c] for c in nom}
        return [c for c in self.prim.names if c in names]

    def limits(self, i: int | None = None) -> dict[str, tuple[float, float] | list[str]]:
        """Limits of the restricted dimensions of box i: (lower, upper), or the categories kept."""
        box = self.boxes[self._i(i)]
        p = self.prim
        out: dict[str, tuple[float, float] | list[str]] = {}
        for name in self.restricted_dims(i):
            if name in p.num_names:
                j = p.num_names.index(name)
                out[name] = (float(box.lower[j]), float(box.upper[j]))
            else:
                c = p.nom_names.index(name)
                out[name] = [str(p.categories[c][k]) for k in sorted(box.cats[c])]
        return out

    def qp(self, i: int | None = None) -> dict[str, tuple[float, float]]:
        """Quasi-p-values (one-sided binomial test, Bryant & Lempert 2010) per restricted dimension of box i.

        (p for the lower limit, p for the upper limit); -1 where that side is not restricted (as EMA).
        """
        from scipy.stats import binomtest

        i = self._i(i)
        if i in self._qp:
            return self._qp[i]
        p, box, R = self.prim, self.boxes[i], self.remaining
        num, nom = p.restricted(box)
        H, T = self.k[i], self.n[i]
        yR = p.y[R]

        def test(b: Box) -> float:
            inside = p.in_box(R, b, num, nom)
            Tj = int(inside.sum())
            pj = float(np.sum(yR[inside])) / Tj
            return float(binomtest(int(H), int(T), pj, alternative="greater").pvalue)

        out: dict[str, tuple[float, float]] = {}
        for j in np.flatnonzero(num):
            lo = test(box.with_num(j, lower=p.box_init.lower[j])) if box.lower[j] != p.box_init.lower[j] else -1.0
            hi = test(box.with_num(j, upper=p.box_init.upper[j])) if box.upper[j] != p.box_init.upper[j] else -1.0
            out[p.num_names[j]] = (lo, hi)
        for c in nom:
            out[p.nom_names[c]] = (test(box.with_cats(c, p.box_init.cats[c])), -1.0)
        self._qp[i] = {k: out[k] for k in self.restricted_dims(i)}
        return self._qp[i]

    def trajectory(self) -> list[dict[str, Any]]:
        """The trade-off curve: one row per box (id, coverage, density, mean, mass, res_dim, n, k)."""
        return [{"id": i, "coverage": self.coverage[i], "density": self.density[i], "mean": self.mean[i],
                 "mass": self.mass[i], "res_dim": self.res_dim[i], "n": self.n[i], "k": self.k[i]}
                for i in range(len(self.boxes))]

    def choose(self, min_density: float | None = None, max_qp: float = 0.05, max_res_dim: int | None = None) -> int:
        """Pick a box from the curve: the highest coverage with density >= min_density, all quasi-p <= max_qp.

        `min_density` defaults to the PRIM threshold in binary mode (the density a box must reach). Box 0
        (no restriction) is never chosen unless it is the only box. When no box has every quasi-p-value
        <= max_qp, the highest-coverage box dense enough (else the densest) is pruned of its insignificant
        restrictions (`prune`, appended to the trajectory as EMA's drop_restriction does). Selects and
        returns the index.
        """
        if min_density is None:
            min_density = self.prim.threshold if self.prim.threshold <= 1 else 0.0
        dense = [i for i in range(1, len(self.boxes)) if self.density[i] >= min_density
                 and (max_res_dim is None or self.res_dim[i] <= max_res_dim)]
        best: tuple[float, int, int] | None = None
        for i in dense:
            if any(v > max_qp for pair in self.qp(i).values() for v in pair):
                continue
            key = (self.coverage[i], -self.res_dim[i], -i)
            if best is None or key > best:
                best = key
        if best is not None:
            i = -best[2]
        elif len(self.boxes) == 1:
            i = 0
        else:
            start = (max(dense, key=lambda j: (self.coverage[j], -self.res_dim[j])) if dense
                     else 1 + int(np.argmax(self.density[1:])))
            i = self.prune(start, max_qp)
        self.selected = i
        return i

    def drop_restrictions(self, i: int, names: Sequence[str]) -> int:
        """Box i without the restrictions on `names`, appended to the trajectory; returns its index."""
        p, box = self.prim, self.boxes[self._i(i)]
        lo, hi, cats = box.lower.copy(), box.upper.copy(), list(box.cats)
        for name in names:
            if name in p.num_names:
                j = p.num_names.index(name)
                lo[j], hi[j] = p.box_init.lower[j], p.box_init.upper[j]
            elif name in p.nom_names:
                c = p.nom_names.index(name)
                cats[c] = p.box_init.cats[c]
            else:
                raise InputError(f"'{name}' is not a dimension of this PRIM run", field="names")
        new = Box(lo, hi, tuple(cats))
        self._add(new, self.remaining[p.in_box(self.remaining, new)])
        return len(self.boxes) - 1

    def prune(self, i: int, max_qp: float = 0.05) -> int:
        """Drop box i's restrictions one by one (least significant first) until every quasi-p <= max_qp."""
        i = self._i(i)
        while True:
            qp = self.qp(i)
            worst = max(qp, key=lambda k: max(qp[k]), default=None)
            if worst is None or max(qp[worst]) <= max_qp:
                return i
            i = self.drop_restrictions(i, [worst])

    def describe(self, i: int | None = None, params: Sequence[Any] | None = None, digits: int = 3) -> str:
        """Box i in words, e.g. 'credibility_believed <= 0.4 and deadline_month before 2018-07'."""
        lims = self.limits(i)
        if not lims:
            return "all worlds (no restriction)"
        origins = {getattr(q, "name", None): getattr(q, "origin", None) for q in (params or [])}
        box = self.boxes[self._i(i)]
        p = self.prim
        parts = []
        for name, lim in lims.items():
            if isinstance(lim, list):
                parts.append(f"{name} in {{{', '.join(lim)}}}")
                continue
            j = p.num_names.index(name)
            lo_r = box.lower[j] != p.box_init.lower[j]
            hi_r = box.upper[j] != p.box_init.upper[j]
            origin = origins.get(name)
            if origin:
                d0 = dt.date.fromisoformat(str(origin)[:10])
                if lo_r:
                    parts.append(f"{name} from {_month(d0, math.ceil(lim[0]))}")
                if hi_r:
                    parts.append(f"{name} before {_month(d0, math.floor(lim[1]) + 1)}")
                continue
            f = lambda v: f"{v:.{digits}g}"  # noqa: E731
            if lo_r and hi_r:
                parts.append(f"{f(lim[0])} <= {name} <= {f(lim[1])}")
            elif hi_r:
                parts.append(f"{name} <= {f(lim[1])}")
            else:
                parts.append(f"{name} >= {f(lim[0])}")
        return " and ".join(parts)

    def summary(self, i: int | None = None, params: Sequence[Any] | None = None) -> dict[str, Any]:
        """JSON-able description of box i: stats, limits, quasi-p-values, words."""
        i = self._i(i)
        return {"box": i, "coverage": self.coverage[i], "density": self.density[i], "mass": self.mass[i],
                "res_dim": self.res_dim[i], "n": self.n[i], "k": self.k[i], "limits": self.limits(i),
                "qp": self.qp(i), "description": self.describe(i, params), "dump": self.dump}


def _month(origin: dt.date, months: int) -> str:
    idx = origin.year * 12 + origin.month - 1 + months
    return f"{idx // 12:04d}-{idx % 12 + 1:02d}"


def _infer_kind(v: Any) -> str:
    a = np.asarray(v)
    if a.dtype.kind == "f":
        return "real"
    if a.dtype.kind in "iu":
        return "integer"
    return "categorical"


def _columns(x: Any) -> dict[str, np.ndarray]:
    if hasattr(x, "columns") and hasattr(x, "__getitem__"):  # pandas DataFrame
        return {str(c): np.asarray(x[c]) for c in x.columns}
    if isinstance(x, Mapping):
        return {str(k): np.asarray(v) for k, v in x.items()}
    raise InputError("x must be a DataFrame or a mapping of column name to array", field="x")


def prim(x: Any, y: np.ndarray, threshold: float, **kwargs: Any) -> PrimResult:
    """Run PRIM once and return the first box's trajectory (select or `choose` a box from it)."""
    res = Prim(x, y, threshold, **kwargs).find_box()
    assert res is not None
    return res

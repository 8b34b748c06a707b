"""Kernels of two-step polychoric correlations, as lavaan's ``lavCor(x, ordered = names(x))``.

Step 1: each item's thresholds from its margins, ``qnorm(cumsum(p))``. Step 2: each pair's
correlation maximises the bivariate-probit likelihood of its contingency table given those
thresholds (lavaan's ``lav_bvord_cor_twostep_fit``): a bracketed Newton iteration run for all
pairs at once on padded tables, with lavaan's conventions (cell probabilities floored at
sqrt(machine epsilon), cells below it left out of the derivatives, the estimate bounded by
+-0.999, lavaan's special cases of 2 x 2 tables).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from colead.psychometrics import _bivariate as bv

EPS = float(np.sqrt(np.finfo(float).eps))
BOUND = 0.999


def codes_and_levels(x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Category codes 0..C-1 (-1 where missing) and each item's sorted observed values."""
    codes = np.full(x.shape, -1, dtype=np.int64)
    levels = []
    for j in range(x.shape[1]):
        col = x[:, j]
        seen = ~np.isnan(col)
        values, inverse = np.unique(col[seen], return_inverse=True)
        codes[seen, j] = inverse
        levels.append(values)
    return codes, levels


def thresholds(counts: np.ndarray) -> np.ndarray:
    """``qnorm`` of the cumulative proportions of one item's category counts."""
    return ndtri(np.cumsum(counts)[:-1] / counts.sum())


def pair_index(p: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each pair in lavaan's order (``vech`` without the diagonal:
    column by column, rows below the diagonal)."""
    rows, cols = [], []
    for j in range(p - 1):
        rows += list(range(j + 1, p))
        cols += [j] * (p - 1 - j)
    return np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)


def pair_tables(codes: np.ndarray, ncat: np.ndarray, size: int) -> np.ndarray:
    """Contingency tables of all pairs (pairs, size, size): rows by the pair's row item
    (the later one), columns by its column item; rows with either answer missing are left out.

    All tables are blocks of one cross-product of the respondents' one-hot answers (float32:
    the counts are exact integers below 2^24, which the chunks guarantee)."""
    n, p = codes.shape
    offsets = np.concatenate([[0], np.cumsum(ncat)[:-1]]).astype(np.int64)
    width = int(ncat.sum())
    gram = np.zeros((width, width))
    for start in range(0, n, _ONE_HOT_CHUNK):
        block = codes[start : start + _ONE_HOT_CHUNK]
        hot = np.zeros((len(block), width), dtype=np.float32)
        r, j = np.nonzero(block >= 0)
        hot[r, offsets[j] + block[r, j]] = 1.0
        gram += hot.T @ hot
    rows, cols = pair_index(p)
    out = np.zeros((len(rows), size, size))
    for k, (a, b) in enumerate(zip(rows, cols, strict=True)):
        out[k, : ncat[a], : ncat[b]] = gram[
            offsets[a] : offsets[a] + ncat[a], offsets[b] : offsets[b] + ncat[b]
        ]
    return out


_ONE_HOT_CHUNK = 1 << 20


def padded_thresholds(taus: list[np.ndarray], size: int) -> np.ndarray:
    """(items, size + 1): -inf, the thresholds, then +inf up to ``size`` (empty padded cells)."""
    out = np.full((len(taus), size + 1), np.inf)
    out[:, 0] = -np.inf
    for j, t in enumerate(taus):
        out[j, 1 : len(t) + 1] = t
    return out


def _corners(f: np.ndarray) -> np.ndarray:
    """Cell values from corner values: f[r+1,s+1] - f[r+1,s] - f[r,s+1] + f[r,s]."""
    return f[:, 1:, 1:] - f[:, 1:, :-1] - f[:, :-1, 1:] + f[:, :-1, :-1]


def cell_terms(
    rho: np.ndarray, t_row: np.ndarray, t_col: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell probabilities (floored at EPS), their first and second derivatives in rho.

    ``t_row``, ``t_col`` (pairs, size + 1) are the padded thresholds of the pairs' items.
    """
    u = t_row[:, :, None]
    v = t_col[:, None, :]
    r = rho[:, None, None]
    big = bv.cdf(u, v, r)
    dens = bv.pdf(u, v, r)
    det = 1.0 - r * r
    with np.errstate(invalid="ignore"):
        guv = (u * v * det - r * (u * u - 2.0 * r * u * v + v * v) + r * det) / (det * det)
        second = np.where(dens > 0, dens * guv, 0.0)
    prob = np.maximum(_corners(big), EPS)
    return prob, _corners(dens), _corners(second)


def estimate(
    tables: np.ndarray, t_row: np.ndarray, t_col: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood correlation of every pair given the thresholds.

    Returns the estimates and a flag per pair that the iteration converged.
    """
    rho = np.clip(start, -BOUND, BOUND)
    low = np.full(rho.shape, -BOUND)
    high = np.full(rho.shape, BOUND)
    done = np.zeros(rho.shape, dtype=bool)
    for _ in range(200):
        act = ~done
        if not act.any():
            break
        prob, d1, d2 = cell_terms(rho[act], t_row[act], t_col[act])
        n = tables[act]
        ok = prob > EPS
        grad = np.where(ok, n * d1 / prob, 0.0).sum(axis=(1, 2))
        hess = np.where(ok, n * d2 / prob - n * d1 * d1 / (prob * prob), 0.0).sum(axis=(1, 2))
        r = rho[act]
        lo, hi = low[act], high[act]
        lo = np.where(grad > 0, np.maximum(lo, r), lo)
        hi = np.where(grad < 0, np.minimum(hi, r), hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            new = np.where(hess < 0, r - grad / hess, np.nan)
        inside = (new > lo) & (new < hi)
        new = np.where(inside, new, (lo + hi) / 2.0)
        at_edge = ((r >= BOUND) & (grad > 0)) | ((r <= -BOUND) & (grad < 0))
        new = np.where(at_edge, r, new)
        stop = at_edge | (np.abs(new - r) < 1e-14) | (grad == 0) | (hi - lo < 1e-15)
        rho[act], low[act], high[act] = new, lo, hi
        done[np.flatnonzero(act)[stop]] = True
    return rho, done


def two_by_two(table: np.ndarray, tau_row: float, tau_col: float) -> float | None:
    """lavaan's closed forms for 2 x 2 tables, or None when the likelihood must be maximised.

    ``table`` may be changed in place (0.5 moved into an empty cell, margins kept)."""
    zero = np.flatnonzero(table.ravel() == 0)
    if len(zero) == 2:
        return 1.0 if table[0, 0] > 0 else -1.0
    if len(zero) == 1:
        sign = 1.0 if zero[0] in (0, 3) else -1.0
        table += sign * 0.5 * np.array([[1.0, -1.0], [-1.0, 1.0]])
    if table[0, 0] * table[1, 1] == table[0, 1] * table[1, 0]:
        return 0.0
    if tau_row == 0 and tau_col == 0:
        return float(-np.cos(2.0 * np.pi * table[0, 0] / table.sum()))
    return None


class GroupStats:
    """Step-1 and step-2 estimates of one group: thresholds, correlations and tables."""

    def __init__(self, codes: np.ndarray, ncat: np.ndarray) -> None:
        n, p = codes.shape
        self.codes, self.ncat = codes, ncat
        size = int(ncat.max())
        self.size = size
        answered = codes >= 0
        self.counts = [np.bincount(codes[answered[:, j], j], minlength=ncat[j]) for j in range(p)]
        self.taus = [thresholds(c.astype(float)) for c in self.counts]
        self.t_pad = padded_thresholds(self.taus, size)
        self.rows, self.cols = pair_index(p)
        self.tables = pair_tables(codes, ncat, size)
        start = _pearson_start(codes, self.rows, self.cols)
        tables = self.tables.copy()
        fixed = np.full(len(self.rows), np.nan)
        for k in np.flatnonzero((ncat[self.rows] == 2) & (ncat[self.cols] == 2)):
            a, b = self.rows[k], self.cols[k]
            value = two_by_two(tables[k, :2, :2], self.taus[a][0], self.taus[b][0])
            if value is not None:
                fixed[k] = value
        free = np.isnan(fixed)
        rho = fixed.copy()
        self.converged = np.ones(len(rho), dtype=bool)
        if free.any():
            est, ok = estimate(
                tables[free],
                self.t_pad[self.rows[free]],
                self.t_pad[self.cols[free]],
                start[free],
            )
            rho[free] = est
            self.converged[free] = ok
        rho[self.tables.sum(axis=(1, 2)) == 0] = np.nan  # never answered together
        self.rho = rho
        cor = np.eye(p)
        cor[self.rows, self.cols] = rho
        cor[self.cols, self.rows] = rho
        self.cor = cor
        self.n = n

    @property
    def th(self) -> np.ndarray:
        """All thresholds, item by item (lavaan's order)."""
        return np.concatenate(self.taus) if self.taus else np.empty(0)


def _pearson_start(codes: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """lavaan's starting value: the Pearson correlation of the category codes."""
    x = np.where(codes >= 0, codes, np.nan).astype(float)
    if not np.isnan(x).any():
        r = np.corrcoef(x, rowvar=False) if x.shape[1] > 1 else np.eye(1)
        start = np.atleast_2d(r)[rows, cols]
    else:
        start = np.array([_pairwise_r(x[:, a], x[:, b]) for a, b in zip(rows, cols, strict=True)])
    return np.where(np.isfinite(start) & (np.abs(start) < 1), start, 0.0)


def _pairwise_r(a: np.ndarray, b: np.ndarray) -> float:
    keep = ~(np.isnan(a) | np.isnan(b))
    if keep.sum() < 2:
        return 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.corrcoef(a[keep], b[keep])[0, 1])

"""Numpy kernels for coefficient alpha and item statistics, following R psych's ``alpha``.

psych works from the pairwise covariance matrix C (each pair's own complete cases) and its
rescaling R = cov2cor(C); raw alpha, standardized alpha, Guttman's lambda 6, the average
inter-item correlation and Duhachek's Q all come from those two matrices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def covariance(x: np.ndarray, nan_policy: str) -> np.ndarray:
    """Item covariance matrix: pairwise-complete (each pair's own means, as R's
    ``cov(use = "pairwise")``) or listwise."""
    present = ~np.isnan(x)
    if nan_policy == "listwise":
        x = x[present.all(axis=1)]
        present = np.ones(x.shape, dtype=bool)
    if present.all():
        return np.atleast_2d(np.cov(x, rowvar=False, ddof=1))
    return pairwise_covariance(x, present)


def pairwise_covariance(x: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Pairwise-complete covariances from three matrix products.

    For items i and j over the rows that answered both: cov = (S_ij - S_i S_j / N) / (N - 1),
    with S_i the sum of item i over those rows. Centring each item first keeps the sums small,
    so no precision is lost to cancellation. NaN where fewer than two rows answered both.
    """
    weights = present.astype(float)
    centred = np.where(present, x - np.nanmean(x, axis=0), 0.0)
    count = weights.T @ weights
    sums = centred.T @ weights  # sums[i, j]: item i over the rows that answered j too
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (centred.T @ centred - sums * sums.T / count) / (count - 1)
    cov[count < 2] = np.nan
    return cov


def cov2cor(c: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(c))
    return c / np.outer(d, d)


def smc(r: np.ndarray) -> np.ndarray:
    """Squared multiple correlations 1 - 1/diag(R^-1), clipped to [0, 1] as psych does.

    R is inverted as psych's ``Pinv`` does: singular values below sqrt(eps) of the largest
    are dropped, so a singular R (a dependent item) gives the same answer whether rounding
    left its smallest singular value at +1e-17 or made ``inv`` fail.
    """
    u, d, vt = np.linalg.svd(r)
    keep = d > np.sqrt(np.finfo(float).eps) * d[0]
    inverse = (vt[keep].T / d[keep]) @ u[:, keep].T
    with np.errstate(divide="ignore"):
        values = 1 - 1 / np.diag(inverse)
    return np.clip(values, 0, 1)


@dataclass(frozen=True)
class AlphaParts:
    raw: float
    std: float
    g6: float
    average_r: float
    median_r: float
    var_r: float
    signal_noise: float
    q: float


def alpha_parts(c: np.ndarray, r: np.ndarray) -> AlphaParts:
    """psych's ``alpha.1``: every coefficient from C and R."""
    k = c.shape[0]
    total, trace = c.sum(), np.trace(c)
    sum_r = r.sum()
    raw = (1 - trace / total) * k / (k - 1)
    std = (1 - k / sum_r) * k / (k - 1)
    g6 = 1 - (k - smc(r).sum()) / sum_r
    average_r = (sum_r - k) / (k * (k - 1))
    off = r[np.tril_indices(k, -1)]  # each pair once (psych's var.r matches this, not both)
    var_r = float(np.var(off, ddof=1)) if off.size > 1 else np.nan
    cc = c @ c
    q = (2 * k**2 / ((k - 1) ** 2 * total**3)) * (
        total * (np.trace(cc) + trace**2) - 2 * trace * cc.sum()
    )
    return AlphaParts(
        raw=float(raw),
        std=float(std),
        g6=float(g6),
        average_r=float(average_r),
        median_r=float(np.median(off)),
        var_r=var_r,
        signal_noise=float(k * average_r / (1 - average_r)),
        q=float(q),
    )


def item_statistics(
    x: np.ndarray, c: np.ndarray, r: np.ndarray, nan_policy: str
) -> dict[str, np.ndarray]:
    """Per item: raw_r (with the mean score), std_r, r_cor, r_drop, as psych computes them."""
    k = c.shape[0]
    std_r = r.sum(axis=0) / np.sqrt(r.sum())
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    column_sums = c.sum(axis=0)
    total = c.sum()
    r_drop = np.empty(k)
    for i in range(k):
        rest = total - 2 * column_sums[i] + c[i, i]  # sum of C without row and column i
        r_drop[i] = (column_sums[i] - c[i, i]) / np.sqrt(c[i, i] * rest)
    return {"raw_r": _raw_r(x, nan_policy), "std_r": std_r, "r_cor": r_cor, "r_drop": r_drop}


def _raw_r(x: np.ndarray, nan_policy: str) -> np.ndarray:
    """Correlation of each item with the mean of the answered items (psych's raw.r)."""
    answered = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        totals = np.nansum(x, axis=1) / answered.sum(axis=1)
    frame = pd.DataFrame(np.column_stack([totals, x]))
    if nan_policy == "listwise":
        frame = frame[answered.all(axis=1)]
    return frame.corr(min_periods=2).to_numpy()[0, 1:]


def bootstrap_alphas(
    x: np.ndarray, n_boot: int, rng: np.random.Generator, nan_policy: str, chunk: int = 50
) -> np.ndarray:
    """Raw alpha of ``n_boot`` row resamples, computed from weighted sums (no per-resample
    loop over rows): a resample is a vector of counts w, and each pairwise covariance is
    built from sums of w * m_i * m_j * x_i * x_j over the rows."""
    if nan_policy == "listwise":
        x = x[~np.isnan(x).any(axis=1)]
    n = x.shape[0]
    present = (~np.isnan(x)).astype(float)
    filled = np.nan_to_num(x)
    k = x.shape[1]
    out = np.empty(n_boot)
    for start in range(0, n_boot, chunk):
        b = min(chunk, n_boot - start)
        w = rng.multinomial(n, np.full(n, 1 / n), size=b).astype(float)
        count = np.einsum("bn,ni,nj->bij", w, present, present)
        s_i = np.einsum("bn,ni,nj->bij", w, filled, present)  # sum of x_i where both present
        s_ij = np.einsum("bn,ni,nj->bij", w, filled, filled)
        with np.errstate(invalid="ignore", divide="ignore"):
            cov = (s_ij - s_i * np.swapaxes(s_i, 1, 2) / count) / (count - 1)
        trace = np.trace(cov, axis1=1, axis2=2)
        out[start : start + b] = (1 - trace / cov.sum(axis=(1, 2))) * k / (k - 1)
    return out

"""Numpy kernels behind :func:`colead.influence_relations`: least squares for the full sample
and every replicate at once, and the four variance estimators (OLS, cluster-robust CR1,
survey linearization, replicate weights), plus R's ``p.adjust``.

Every design matrix has the intercept in column 0. Columns 1.. are centred and scaled before
the normal equations are solved and the coefficients mapped back, so that a control measured
in thousands (enrolment) does not cost accuracy; the fitted model is the same.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colead.exceptions import InsufficientDataError

#: Condition number above which a (scaled) normal-equations matrix counts as singular.
_SINGULAR = 1e12


@dataclass(frozen=True)
class Fit:
    """One zone's model: coefficients, their covariance, residual df, rows used."""

    coef: np.ndarray
    vcov: np.ndarray
    df: float
    n: int
    dropped_replicates: int = 0


def _scaled(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    centre = x.mean(axis=0)
    spread = x.std(axis=0)
    centre[0], spread[0] = 0.0, 1.0
    spread = np.where(spread > 0, spread, 1.0)
    return (x - centre) / spread, centre, spread


def _unscale(beta: np.ndarray, centre: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Map coefficients of the scaled columns (..., p) back to the original columns."""
    out = beta / spread
    out[..., 0] = beta[..., 0] - (out[..., 1:] * centre[1:]).sum(axis=-1)
    return out


def solve_many(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted least squares for every column of ``w`` (n x m) at once.

    Returns the coefficients (m x p) and a boolean (m,) flagging singular fits (their
    coefficients are NaN). The cross-products of all m fits come from one matrix product of
    the n x p^2 row-wise outer products with ``w``; the m systems are solved together.
    """
    n, p = x.shape
    xs, centre, spread = _scaled(x)
    outer = (xs[:, :, None] * xs[:, None, :]).reshape(n, p * p)
    a = (outer.T @ w).T.reshape(-1, p, p)
    b = ((xs * y[:, None]).T @ w).T
    singular = np.linalg.cond(a) > _SINGULAR
    safe = np.where(singular[:, None, None], np.eye(p), a)
    beta = np.linalg.solve(safe, b[..., None])[..., 0]
    beta[singular] = np.nan
    return _unscale(beta, centre, spread), singular


def _bread(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.linalg.inv((x * w[:, None]).T @ x)


def _full(x: np.ndarray, y: np.ndarray, w: np.ndarray, terms: list[str], zone: str) -> np.ndarray:
    if x.shape[0] <= x.shape[1]:
        raise InsufficientDataError(
            f"zone {zone!r}: {x.shape[0]} complete rows for {x.shape[1]} coefficients"
        )
    beta, singular = solve_many(x, y, w[:, None])
    if singular[0]:
        raise InsufficientDataError(
            f"zone {zone!r}: the predictors are collinear (or one is constant) among the "
            f"{x.shape[0]} complete rows; terms: {', '.join(terms)}"
        )
    return beta[0]


def fit_ols(x: np.ndarray, y: np.ndarray, terms: list[str], zone: str) -> Fit:
    """``lm``: sigma^2 (X'X)^-1 with sigma^2 = RSS / (n - p), t on n - p df."""
    n, p = x.shape
    ones = np.ones(n)
    beta = _full(x, y, ones, terms, zone)
    e = y - x @ beta
    vcov = _bread(x, ones) * (e @ e) / (n - p)
    return Fit(beta, vcov, float(n - p), n)


def _cluster_scores(
    x: np.ndarray, e: np.ndarray, w: np.ndarray, codes: np.ndarray
) -> tuple[np.ndarray, int]:
    """Per-cluster sums of w x e (G x p), clusters in order of their codes."""
    scores = x * (w * e)[:, None]
    _, index = np.unique(codes, return_inverse=True)
    g = int(index.max()) + 1
    sums = np.zeros((g, x.shape[1]))
    np.add.at(sums, index, scores)
    return sums, g


def fit_cluster(
    x: np.ndarray, y: np.ndarray, codes: np.ndarray, terms: list[str], zone: str
) -> Fit:
    """``sandwich::vcovCL(lm, cluster)`` (type HC1): G/(G-1) (n-1)/(n-p) A^-1 M A^-1,
    t on G - 1 df with G the clusters among the rows used (``lmtest::coeftest(df = G -
    1)``, Stata's rule; the same as :func:`colead.regress`)."""
    n, p = x.shape
    ones = np.ones(n)
    beta = _full(x, y, ones, terms, zone)
    e = y - x @ beta
    sums, g = _cluster_scores(x, e, ones, codes)
    _check_clusters(g, zone)
    bread = _bread(x, ones)
    vcov = bread @ (sums.T @ sums) @ bread * (g / (g - 1)) * ((n - 1) / (n - p))
    return Fit(beta, vcov, float(g - 1), n)


def fit_linearized(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    psu: np.ndarray,
    psu_stratum: np.ndarray,
    terms: list[str],
    zone: str,
) -> Fit:
    """``svyglm`` on ``svydesign(ids = ~cluster or ~1, strata = ~stratum or none, weights =
    ~w)``: the Taylor-linearised variance A^-1 V A^-1 with
    V = sum_h n_h / (n_h - 1) sum_i (s_hi - mean_h s)(s_hi - mean_h s)', s_hi the total of
    w x e over PSU i of stratum h (survey's ``svyrecvar``, one stage, no fpc).

    ``psu`` gives each used row's PSU (codes 0..P-1 over the whole design) and
    ``psu_stratum`` each PSU's stratum (all 0 without strata). As in survey, n_h counts the
    PSUs of the whole design, rows with missing values included (a subset keeps its design;
    PSUs without a used row have total 0), while the residual df is the PSUs minus the strata
    among the rows used, plus 1, minus p (``degf + 1 - p``). Without strata every PSU total
    sums to 0 over the design (the normal equations), so V = N / (N - 1) sum_i s_i s_i'."""
    n, p = x.shape
    beta = _full(x, y, w, terms, zone)
    e = y - x @ beta
    n_psu, n_strata = len(psu_stratum), int(psu_stratum.max()) + 1
    totals = np.zeros((n_psu, p))
    np.add.at(totals, psu, x * (w * e)[:, None])
    per_stratum = np.bincount(psu_stratum, minlength=n_strata).astype(float)
    means = np.zeros((n_strata, p))
    np.add.at(means, psu_stratum, totals)
    means /= per_stratum[:, None]
    dev = totals - means[psu_stratum]
    factor = (per_stratum / (per_stratum - 1))[psu_stratum]
    bread = _bread(x, w)
    vcov = bread @ ((dev * factor[:, None]).T @ dev) @ bread
    used = np.unique(psu)
    _check_clusters(len(used), zone)
    df = len(used) - len(np.unique(psu_stratum[used])) + 1 - p
    return Fit(beta, vcov, float(df), n)


def fit_replicates(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    reps: np.ndarray,
    *,
    scale: float,
    rscales: np.ndarray,
    mse: bool,
    degf: int,
    terms: list[str],
    zone: str,
) -> Fit:
    """``svyglm`` on ``svrepdesign``: the full fit with the final weights, every replicate fit
    from one batched solve, and ``svrVar`` of the replicate coefficients; df = degf + 1 - p
    with the whole design's degf, as survey computes it."""
    n, p = x.shape
    if n <= p:
        raise InsufficientDataError(f"zone {zone!r}: {n} complete rows for {p} coefficients")
    beta, singular = solve_many(x, y, np.column_stack([w, reps]))
    if singular[0]:
        _full(x, y, w, terms, zone)  # raises with the message for a collinear model
    full, rep = beta[0], beta[1:]
    keep = ~singular[1:]
    if not keep.any():
        raise InsufficientDataError(f"zone {zone!r}: every replicate fit is singular")
    rep, rs = rep[keep], rscales[keep]
    centre = full if mse else rep[rs > 0].mean(axis=0)
    dev = (rep - centre) * np.sqrt(rs)[:, None]
    vcov = dev.T @ dev * scale
    return Fit(full, vcov, float(degf + 1 - p), n, int((~keep).sum()))


def _check_clusters(g: int, zone: str) -> None:
    if g < 2:
        raise InsufficientDataError(
            f"zone {zone!r}: cluster-robust errors need at least 2 clusters; got {g}"
        )


def weighted_sd(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted standard deviation of each column (the denominator cancels in ratios)."""
    mean = (w[:, None] * v).sum(axis=0) / w.sum()
    return np.sqrt((w[:, None] * (v - mean) ** 2).sum(axis=0) / w.sum())


# -- multiple comparisons ------------------------------------------------------------------------
P_ADJUST_METHODS = ("bonferroni", "holm", "hochberg", "BH", "BY")


def p_adjust(p: np.ndarray, method: str) -> np.ndarray:
    """R's ``p.adjust``: NaN p-values are left out of the family and stay NaN."""
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    m = q.size
    if m == 0:
        return out
    if method == "bonferroni":
        adj = np.minimum(1.0, m * q)
    elif method == "holm":
        order = np.argsort(q, kind="mergesort")
        steps = (m - np.arange(m)) * q[order]
        adj = np.empty(m)
        adj[order] = np.minimum(1.0, np.maximum.accumulate(steps))
    else:
        order = np.argsort(q, kind="mergesort")[::-1]  # largest first
        i = np.arange(m, 0, -1)
        if method == "hochberg":
            steps = (m - i + 1) * q[order]
        else:
            factor = 1.0 if method == "BH" else float((1.0 / np.arange(1, m + 1)).sum())
            steps = factor * m / i * q[order]
        adj = np.empty(m)
        adj[order] = np.minimum(1.0, np.minimum.accumulate(steps))
    out[ok] = adj
    return out

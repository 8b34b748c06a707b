"""Kernels behind :func:`colead.icc`: the one-way ANOVA of a variable over groups from
per-group sums, and the random-intercept model's REML profiled over the variance ratio.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from colead.exceptions import InsufficientDataError
from colead.schools._kernels import Input, group_sum

# ---------------------------------------------------------------------------------------------
# ICC: one-way ANOVA and REML from group sizes, means and the within sum of squares
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneWay:
    """Sufficient statistics of a one-way layout (observed groups only)."""

    n: int  # values
    n_groups: int  # groups with at least one value
    sizes: np.ndarray  # (G,)
    means: np.ndarray  # (G,)
    ss_between: float
    ss_within: float


def one_way(y: np.ndarray, codes: np.ndarray, n_codes: int) -> OneWay:
    """Group sizes, means and the ANOVA sums of squares; missing values and empty groups go."""
    ok = ~np.isnan(y) & (codes >= 0)
    codes = np.where(ok, codes, n_codes)
    sizes = group_sum(codes, None, n_codes)
    sums = group_sum(codes, y, n_codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        means_all = sums / sizes
    dev = np.where(ok, y - np.take(means_all, codes, mode="clip"), 0.0)
    present = sizes > 0
    sizes, means = sizes[present], means_all[present]
    n = int(sizes.sum())
    grand = sums.sum() / n if n else float("nan")
    return OneWay(
        n=n,
        n_groups=int(present.sum()),
        sizes=sizes,
        means=means,
        ss_between=float(np.dot(sizes, (means - grand) ** 2)),
        ss_within=float(np.dot(dev, dev)),
    )


def _reml_parts(lam: float, w: OneWay) -> tuple[np.ndarray, float, float]:
    weights = w.sizes / (1 + w.sizes * lam)
    mu = float(np.dot(weights, w.means) / weights.sum())
    rss = w.ss_within + float(np.dot(weights, (w.means - mu) ** 2))
    return weights, mu, rss


def reml_score(lam: float, w: OneWay) -> float:
    """Derivative of the profiled REML log-likelihood in lambda = tau00 / sigma2."""
    weights, mu, rss = _reml_parts(lam, w)
    big_w = weights.sum()
    w2 = weights * weights
    explained = float(np.dot(w2, (w.means - mu) ** 2))
    return -0.5 * (-(w.n - 1) * explained / rss + big_w - w2.sum() / big_w)


def reml_loglik(lam: float, w: OneWay) -> float:
    """Profiled REML log-likelihood (as nlme's ``logLik(REML = TRUE)``) at lambda."""
    weights, _, rss = _reml_parts(lam, w)
    df = w.n - 1
    return -0.5 * (
        df * np.log(2 * np.pi)
        + df * np.log(rss / df)
        + np.sum(np.log1p(w.sizes * lam))
        + np.log(weights.sum())
        + df
    )


def reml_fit(w: OneWay) -> tuple[float, float, float]:
    """REML (lambda, tau00, sigma2) of y_ij = mu + u_j + e_ij, lambda = tau00 / sigma2 >= 0.

    The profiled REML likelihood need not be unimodal in lambda (with very unequal groups it
    can fall from 0 and rise again), so the maximum is located on a grid of the implied
    ICC(1), lambda / (1 + lambda), from 0 to .999 (doubling beyond it while it still rises),
    then refined as the root of the score (Brent's method) between the grid neighbours of
    the best point; it is 0 when the likelihood is highest there. Without within-group
    variation sigma2 = 0, lambda = inf and tau00 is the variance of the group means.
    """
    if w.ss_within == 0:
        return float("inf"), float(np.var(w.means, ddof=1)), 0.0
    icc = np.linspace(0.0, 0.999, _GRID)
    lams = list(icc / (1.0 - icc))
    while True:
        ll = [reml_loglik(lam, w) for lam in lams]
        best = int(np.argmax(ll))
        if best < len(lams) - 1 or lams[-1] >= 1e15:
            break
        lams.append(lams[-1] * 2)  # still rising at the last point: look further
    if best == 0 and reml_score(0.0, w) <= 0:
        lam = 0.0
    else:
        low, high = lams[max(best - 1, 0)], lams[min(best + 1, len(lams) - 1)]
        if reml_score(low, w) > 0 > reml_score(high, w):
            lam = optimize.brentq(reml_score, low, high, args=(w,), xtol=1e-14, rtol=1e-15)
        else:  # the grid point itself is (numerically) the maximum
            lam = lams[best]
    _, _, rss = _reml_parts(lam, w)
    sigma2 = rss / (w.n - 1)
    return lam, lam * sigma2, sigma2


#: Points of the grid over ICC(1) in [0, .999] on which the REML maximum is looked for.
_GRID = 201


def n0(sizes: np.ndarray) -> float:
    """The group size of unbalanced one-way ANOVA: (N - sum n_j^2 / N) / (G - 1), the
    coefficient of tau00 in the expected MSB (Snedecor & Cochran; Searle, Casella &
    McCulloch 1992, 3.6). Equals N / G when the groups are balanced, and is smaller
    otherwise."""
    n = float(sizes.sum())
    return float((n - np.dot(sizes, sizes) / n) / (len(sizes) - 1))


def icc_fit(
    y: np.ndarray, inp: Input, method: str, name: str, func: str, group_size: str = "mean"
) -> dict[str, Any]:
    """The fields of an ICCResult for one variable (see :class:`ICCResult`)."""
    w = one_way(y, inp.codes, len(inp.labels))
    if w.n_groups < 2:
        raise InsufficientDataError(
            f"{func} needs values in at least 2 groups; {name!r} has {w.n_groups}."
        )
    df1, df2 = w.n_groups - 1, w.n - w.n_groups
    if df2 < 1:
        raise InsufficientDataError(
            f"{func} needs a group with at least 2 values; every group of {name!r} has one."
        )
    icc1: float
    tau00: float
    sigma2: float
    with np.errstate(divide="ignore", invalid="ignore"):  # no variation at all: NaN, inf
        msb, msw = np.float64(w.ss_between) / df1, np.float64(w.ss_within) / df2
        f = msb / msw
        if method == "anova":
            k = w.n / w.n_groups if group_size == "mean" else n0(w.sizes)
            icc1 = (msb - msw) / (msb + (k - 1) * msw)
            icc2 = (msb - msw) / msb
            tau00, sigma2 = (msb - msw) / k, msw
        else:
            grouped = inp.codes[inp.codes >= 0]
            k = len(grouped) / np.count_nonzero(np.bincount(grouped, minlength=len(inp.labels)))
            lam, tau00, sigma2 = reml_fit(w)
            icc1 = 1.0 if np.isinf(lam) else lam / (1 + lam)
            icc2 = k * icc1 / (1 + (k - 1) * icc1)
        p_value = stats.f.sf(f, df1, df2)
    return {
        "icc1": float(icc1),
        "icc2": float(icc2),
        "f": float(f),
        "df1": df1,
        "df2": df2,
        "p_value": float(p_value),
        "msb": float(msb),
        "msw": float(msw),
        "tau00": float(tau00),
        "sigma2": float(sigma2),
        "n": w.n,
        "n_groups": w.n_groups,
        "mean_group_size": float(k),
        "method": method,
        "variable": name,
        "group_size": group_size,
    }

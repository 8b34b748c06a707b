"""Numpy kernels behind :func:`colead.change` and :func:`colead.trend`: group counts, means
and variances of each wave by bincount, the paired part of a panel, the two-wave comparison
and the linear trend over waves. Arrays are (groups, scales); nothing here rounds or checks
user input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True)
class WaveStats:
    """Per group and scale: respondents with a score, their mean and variance (ddof 1);
    ``outside`` counts, per scale, the scores of respondents in no group."""

    n: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    outside: np.ndarray


def wave_stats(codes: np.ndarray, values: np.ndarray, n_groups: int) -> WaveStats:
    """Group statistics of every column of ``values`` (rows x scales) for group codes
    0..n_groups-1 (-1: no group), in two passes (mean, then squared deviations)."""
    k = values.shape[1]
    n, mean, var = (np.full((n_groups, k), np.nan) for _ in range(3))
    outside = np.zeros(k)
    grouped = codes >= 0
    for j in range(k):
        column = values[:, j]
        seen = ~np.isnan(column)
        outside[j] = np.count_nonzero(seen & ~grouped)
        use = seen & grouped
        g, x = codes[use], column[use]
        count = np.bincount(g, minlength=n_groups).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mu = np.bincount(g, weights=x, minlength=n_groups) / count
            squares = np.bincount(g, weights=(x - mu[g]) ** 2, minlength=n_groups)
            var[:, j] = np.where(count > 1, squares / (count - 1), np.nan)
        n[:, j], mean[:, j] = count, mu
    return WaveStats(n=n, mean=mean, var=var, outside=outside)


def pair_stats(
    current: tuple[np.ndarray, np.ndarray, np.ndarray],
    previous: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Respondents in both waves (same key, same group) with a score in both, and the
    correlation of their two scores, per group and scale. Each wave is (codes, keys, values);
    a zero variance in either wave gives r = 0 (as Partiallyoverlapping::Partover.test)."""
    frames = []
    for codes, keys, _ in (current, previous):
        frame = pd.DataFrame({"key": keys, "g": codes, "row": np.arange(len(codes))})
        frames.append(frame[frame["key"].notna() & (frame["g"] >= 0)])
    pairs = frames[0].merge(frames[1], on=["key", "g"], suffixes=("_c", "_p"))
    g = pairs["g"].to_numpy()
    a_all = current[2][pairs["row_c"].to_numpy()]
    b_all = previous[2][pairs["row_p"].to_numpy()]
    k = a_all.shape[1]
    n12, r = np.zeros((n_groups, k)), np.zeros((n_groups, k))
    for j in range(k):
        both = ~np.isnan(a_all[:, j]) & ~np.isnan(b_all[:, j])
        gj, a, b = g[both], a_all[both, j], b_all[both, j]
        count = np.bincount(gj, minlength=n_groups).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            da = a - (np.bincount(gj, weights=a, minlength=n_groups) / count)[gj]
            db = b - (np.bincount(gj, weights=b, minlength=n_groups) / count)[gj]
            saa = np.bincount(gj, weights=da * da, minlength=n_groups)
            sbb = np.bincount(gj, weights=db * db, minlength=n_groups)
            sab = np.bincount(gj, weights=da * db, minlength=n_groups)
            rj = sab / np.sqrt(saa * sbb)
        n12[:, j] = count
        r[:, j] = np.where((count >= 2) & (saa > 0) & (sbb > 0), rj, 0.0)
    return n12, r


def two_wave(
    cur: WaveStats,
    prev: WaveStats,
    *,
    fpc_current: np.ndarray,
    fpc_previous: np.ndarray,
    ci_level: float,
    pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """Change of the mean, its standard error, degrees of freedom, interval, p-value, minimum
    detectable change and effect size.

    Independent samples: ``se^2 = s1^2 fpc1 / n1 + s2^2 fpc2 / n2`` with Welch-Satterthwaite
    degrees of freedom. With ``pairs`` (n12, r, and where to use them), the partially
    overlapping samples t-test of Derrick, Russ, Toher & White (2017): the covariance
    ``r s1 s2 n12 / (n1 n2)`` (times ``sqrt(fpc1 fpc2)``) is subtracted twice and the degrees
    of freedom are their ``v2``.
    """
    n1, n2 = cur.n, prev.n
    with np.errstate(invalid="ignore", divide="ignore"):
        v1 = cur.var * fpc_current / n1
        v2 = prev.var * fpc_previous / n2
        variance = v1 + v2
        welch = variance**2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        df = welch
        if pairs is not None:
            n_paired, r, used = pairs
            covariance = (r * np.sqrt(cur.var * prev.var) * n_paired / (n1 * n2)
                          * np.sqrt(fpc_current * fpc_previous))
            variance = variance - 2 * np.where(used, covariance, 0.0)
            alone = (n1 - n_paired) + (n2 - n_paired)
            derrick = (n_paired - 1) + (welch - n_paired + 1) / (alone + 2 * n_paired) * alone
            df = np.where(used, derrick, welch)
        se = np.sqrt(np.maximum(variance, 0.0))
        change = cur.mean - prev.mean
        t = change / se
        exact = se == 0  # no sampling error left (a census): the interval is the change
        half = stats.t.ppf(0.5 + ci_level / 2, df) * se
        p = 2 * stats.t.sf(np.abs(t), df)
        p = np.where(exact, np.where(change == 0, 1.0, 0.0), p)
        pooled = np.sqrt(((n1 - 1) * cur.var + (n2 - 1) * prev.var) / (n1 + n2 - 2))
        effect = np.where(pooled > 0, change / pooled, np.nan)
    half = np.where(exact, 0.0, half)
    return {
        "change": change,
        "se": se,
        "df": np.where(exact, np.nan, df),
        "ci_low": change - half,
        "ci_high": change + half,
        "p_value": np.where(np.isnan(se), np.nan, p),
        "mdc": stats.norm.ppf(0.5 + ci_level / 2) * se,
        "effect_size": effect,
    }


def linear_trend(
    waves: list[WaveStats], times: np.ndarray, ci_level: float
) -> dict[str, np.ndarray]:
    """Least-squares slope of the wave means on ``times``, a linear contrast
    ``sum c_w mean_w`` with ``c_w = (t_w - mean t) / sum (t - mean t)^2``; its variance
    ``sum c_w^2 s_w^2 / n_w`` from the independent samples, Satterthwaite degrees of freedom.
    With two waves at 0 and 1 it is the change and its Welch test."""
    centred = times - times.mean()
    c = centred / np.sum(centred**2)
    means = np.stack([w.mean for w in waves])
    parts = np.stack([(c_w**2) * w.var / w.n for c_w, w in zip(c, waves, strict=True)])
    dfs = np.stack([w.n - 1 for w in waves])
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.tensordot(c, means, axes=1)
        variance = parts.sum(axis=0)
        df = variance**2 / (parts**2 / dfs).sum(axis=0)
        se = np.sqrt(variance)
        half = stats.t.ppf(0.5 + ci_level / 2, df) * se
        p = 2 * stats.t.sf(np.abs(slope / se), df)
    return {"trend": slope, "trend_se": se, "trend_df": df, "trend_ci_low": slope - half,
            "trend_ci_high": slope + half, "trend_p_value": p}

"""Fit measures of a maximum-likelihood CFA as lavaan's ``fitMeasures`` computes them: the
log-likelihood, SRMR, the RMSEA interval and test of close fit, CFI/TLI/AIC/BIC, and the
likelihood-ratio difference between nested models (numpy and scipy only).
"""

from __future__ import annotations

import numpy as np
from scipy import optimize, special, stats


def log_likelihood(f_value: float, n_obs: np.ndarray, p: int, logdet_cov: np.ndarray) -> float:
    """Complete-data log-likelihood from F (lavaan's ``logl``)."""
    n_total = float(n_obs.sum())
    base = float(n_obs @ (p * np.log(2.0 * np.pi) + logdet_cov + p))
    return -0.5 * (n_total * f_value + base)


def srmr(
    cov: np.ndarray,
    mean: np.ndarray | None,
    sigma: np.ndarray,
    mu: np.ndarray | None,
    n_obs: np.ndarray,
) -> float:
    """Bentler's SRMR as lavaan reports it: residuals scaled by the observed sds, with the mean
    residuals in the average when the model has a mean structure, weighted by n_g / N."""
    p = cov.shape[-1]
    sd = np.sqrt(np.diagonal(cov, axis1=1, axis2=2))
    resid = (cov - sigma) / (sd[:, :, None] * sd[:, None, :])
    low = np.tril_indices(p)
    ss = (resid[:, low[0], low[1]] ** 2).sum(axis=1)
    count = p * (p + 1) / 2
    if mu is not None and mean is not None:
        ss = ss + (((mean - mu) / sd) ** 2).sum(axis=1)
        count += p
    return float(n_obs @ np.sqrt(ss / count) / n_obs.sum())


def rmsea_interval(
    chisq: float, df: float, n_total: float, n_groups: int, level: float = 0.90
) -> tuple[float, float]:
    """lavaan's RMSEA interval: noncentrality roots of the chi-square distribution function."""
    if not (np.isfinite(chisq) and df >= 1):
        return 0.0, 0.0
    chisq = max(chisq, 0.0)  # a degenerate fit can round below 0, where chdtr is NaN
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam: float) -> float:
        return float(special.chdtr(df, chisq) if lam <= 0 else special.chndtr(chisq, df, lam))

    def scale(lam: float) -> float:
        return float(np.sqrt(lam / (n_total * df)) * np.sqrt(n_groups))

    low = 0.0
    if cdf(0.0) - upper_p >= 0:
        low = scale(optimize.brentq(lambda v: cdf(v) - upper_p, 0.0, chisq, xtol=1e-12))
    top = max(n_total, 4 * chisq)
    high = 0.0
    if not (cdf(top) - lower_p > 0 or cdf(0.0) - lower_p < 0):
        high = scale(optimize.brentq(lambda v: cdf(v) - lower_p, 0.0, top, xtol=1e-12))
    return low, high


def fit_indices(
    *,
    chisq: float,
    df: int,
    baseline_chisq: float,
    baseline_df: int,
    logl: float,
    unrestricted_logl: float,
    npar: int,
    n_total: int,
    n_groups: int,
    srmr_value: float,
) -> dict[str, float]:
    """lavaan's ``fitMeasures`` (standard test) from the chi-squares and log-likelihoods."""
    p_value = float(special.chdtrc(df, chisq)) if df > 0 else np.nan
    t1 = max(chisq - df, 0.0)
    t2 = max(chisq - df, baseline_chisq - baseline_df, 0.0)
    cfi = 1.0 if (abs(t1) < 1.5e-8 and abs(t2) < 1.5e-8) else 1.0 - t1 / t2
    tli_num = (chisq - df) * baseline_df
    tli_den = (baseline_chisq - baseline_df) * df
    tli = 1.0 - tli_num / tli_den if (df > 0 and abs(tli_den) > 0) else 1.0
    rmsea = 0.0
    if df > 0:
        rmsea = float(np.sqrt(max(chisq / n_total / df - 1.0 / n_total, 0.0)) * np.sqrt(n_groups))
    low, high = rmsea_interval(chisq, df, n_total, n_groups)
    rmsea_p = np.nan
    if df > 0:
        ncp = n_total * df * 0.05**2 / n_groups
        rmsea_p = float(stats.ncx2.sf(chisq, df, ncp))
    log_n = np.log(n_total)
    return {
        "chisq": float(chisq),
        "df": int(df),
        "p_value": p_value,
        "baseline_chisq": float(baseline_chisq),
        "baseline_df": int(baseline_df),
        "cfi": float(cfi),
        "tli": float(tli),
        "logl": float(logl),
        "unrestricted_logl": float(unrestricted_logl),
        "aic": float(-2.0 * logl + 2.0 * npar),
        "bic": float(-2.0 * logl + npar * log_n),
        "bic2": float(-2.0 * logl + npar * np.log((n_total + 2.0) / 24.0)),
        "rmsea": rmsea,
        "rmsea_ci_low": low,
        "rmsea_ci_high": high,
        "rmsea_p_value": rmsea_p,
        "srmr": float(srmr_value),
        "npar": int(npar),
        "n": int(n_total),
    }


def lr_difference(
    chisq: float, df: int, prev_chisq: float, prev_df: int, n_total: int, n_groups: int
) -> dict[str, float]:
    """Chi-square difference test of nested models as lavaan's ``lavTestLRT`` (standard test):
    the difference, its df, p-value and the RMSEA of the difference."""
    d_chi, d_df = chisq - prev_chisq, df - prev_df
    if d_df <= 0:
        return {"chisq_diff": d_chi, "df_diff": d_df, "p_value_diff": np.nan, "rmsea_diff": np.nan}
    rmsea = np.sqrt(max(0.0, (d_chi - d_df) / (n_total * d_df))) * np.sqrt(n_groups)
    return {
        "chisq_diff": float(d_chi),
        "df_diff": int(d_df),
        "p_value_diff": float(special.chdtrc(d_df, d_chi)),
        "rmsea_diff": float(rmsea),
    }

"""Fit measures of an ordinal CFA as lavaan 0.6-14's ``fitMeasures`` reports them.

Baseline model: thresholds free, correlations 0 (its statistic and scaled statistic from the same
kernels as the model's). CFI, TLI, RMSEA from the standard and from the scaled-and-shifted
statistics. The robust CFI, TLI and RMSEA of Savalei (2021) as ``lav_fit_catml_dwls``: the ML
discrepancy of the fitted correlation matrices from the polychoric ones (``catML``, the DWLS
estimates plugged in, not refitted), corrected by ``c = tr(U' V U Gamma) / df``. lavaan 0.6-14
cannot build that model when thresholds or intercepts are constrained across groups and reports
NA; so does colead. SRMR: root mean square of the correlation residuals over p(p + 1) / 2
elements (lavaan's ``srmr_bentler_nomean`` for categorical data).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import special, stats

from colead.psychometrics._polychoric import pair_index
from colead.psychometrics.cfa import wlsmv_fit as wf
from colead.psychometrics.cfa.indices import rmsea_interval


def cfi(
    x2: float, df: float, x2_null: float, df_null: float, c: float = 1.0, c_null: float = 1.0
) -> float:
    """lavaan's ``lav_fit_cfi`` (with the robust corrections c, c_null when both differ from 1)."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null, c, c_null])):
        return np.nan
    if df > 0 and c != 1 and c_null != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, x2_null - c_null * df_null, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, x2_null - df_null, 0.0)
    if abs(t1) < 1.5e-8 and abs(t2) < 1.5e-8:
        return 1.0
    return 1.0 - t1 / t2


def tli(
    x2: float, df: float, x2_null: float, df_null: float, c: float = 1.0, c_null: float = 1.0
) -> float:
    """lavaan's ``lav_fit_tli``."""
    if not np.all(np.isfinite([x2, df, x2_null, df_null, c, c_null])):
        return np.nan
    if df > 0 and c != 1 and c_null != 1:
        t1 = (x2 - c * df) * df_null
        t2 = (x2_null - c_null * df_null) * df
    else:
        t1 = (x2 - df) * df_null
        t2 = (x2_null - df_null) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rmsea(x2: float, df: float, n: float, groups: int, c: float = 1.0) -> float:
    if not np.all(np.isfinite([x2, df, c])):
        return np.nan
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(x2 / n / df - c / n, 0.0)) * np.sqrt(groups))


def baseline(sample: wf.Sample, robust: bool, ulsmv: bool) -> dict[str, float]:
    """The independence model: thresholds at their sample values, correlations 0."""
    n_groups, n_mom = sample.moments.shape
    nt = n_mom - sample.cor.shape[1] * (sample.cor.shape[1] - 1) // 2
    cor = sample.moments[:, nt:]
    stat = float(((sample.n_obs - 1.0) * (sample.weights[:, nt:] * cor * cor).sum(axis=1)).sum())
    df = n_groups * (n_mom - nt)
    out = {
        "chisq": stat,
        "df": df,
        "p_value": _p(stat, df, ulsmv),
        "scaled": np.nan,
        "scaling_factor": np.nan,
        "shift": np.nan,
    }
    if robust:
        frac = sample.n_obs / sample.n_obs.sum()
        jac = np.zeros((n_groups, n_mom, n_groups * nt))
        for g in range(n_groups):
            jac[g, np.arange(nt), g * nt + np.arange(nt)] = 1.0
        e_inv = np.linalg.inv(wf.information(jac, sample.weights, frac))
        gam = [g for g in sample.gamma if g is not None]
        tr1, tr2 = wf.ugamma_traces(jac, sample.weights, gam, e_inv, frac)
        ss = wf.scaled_shifted(stat, df, tr1, tr2)
        out.update(scaled=ss["stat"], scaling_factor=ss["scaling_factor"], shift=ss["shift"])
    return out


def _p(stat: float, df: float, unknown: bool) -> float:
    if unknown or df <= 0 or not np.isfinite(stat):
        return np.nan
    return float(special.chdtrc(df, stat))


def implied_correlations(res: dict[str, Any], p: int) -> np.ndarray:
    """Model-implied correlation matrices of the latent responses (G, p, p), unit diagonal."""
    n_groups = res["implied"].shape[0]
    rows, cols = pair_index(p)
    nt = res["implied"].shape[1] - len(rows)
    out = np.repeat(np.eye(p)[None], n_groups, axis=0)
    out[:, rows, cols] = res["implied"][:, nt:]
    out[:, cols, rows] = res["implied"][:, nt:]
    return out


def srmr(sample: wf.Sample, res: dict[str, Any]) -> float:
    p = sample.cor.shape[1]
    nt = sample.moments.shape[1] - p * (p - 1) // 2
    resid = res["resid"][:, nt:]
    per_group = np.sqrt((resid * resid).sum(axis=1) / (p * (p + 1) / 2))
    return float(sample.n_obs @ per_group / sample.n_obs.sum())


def catml(sample: wf.Sample, res: dict[str, Any], n_free_cor: int) -> dict[str, float]:
    """Savalei's robust quantities: XX3, df3, c3 and those of the baseline (lavaan's names)."""
    n_groups, p, _ = sample.cor.shape
    sigma = implied_correlations(res, p)
    rows, cols = pair_index(p)
    n_pairs = len(rows)
    nt = sample.moments.shape[1] - n_pairs
    logdet_s = np.linalg.slogdet(sample.cor)[1]
    logdet_m = np.linalg.slogdet(sigma)[1]
    inv = np.linalg.inv(sigma)
    trace = np.einsum("gij,gji->g", sample.cor, inv)
    xx3 = float(sample.n_obs @ (logdet_m + trace - logdet_s - p))
    df3 = n_groups * n_pairs - n_free_cor
    frac = sample.n_obs / sample.n_obs.sum()
    d = np.concatenate([res["jac"][g, nt:] for g in range(n_groups)], axis=0)
    w = np.concatenate([frac[g] * sample.weights[g, nt:] for g in range(n_groups)])
    size = n_groups * n_pairs
    v_all = np.zeros((size, size))
    gam_all = np.zeros((size, size))
    for g in range(n_groups):
        s = slice(g * n_pairs, (g + 1) * n_pairs)
        gamma = sample.gamma[g]
        if gamma is None:
            raise ValueError("the robust fit measures need the asymptotic covariance matrix")
        a = inv[g]
        # 0.5 * D'(A kron A)D on the correlations: A_ik A_jl + A_il A_jk for pairs (i,j), (k,l)
        v_all[s, s] = frac[g] * (
            a[rows][:, rows] * a[cols][:, cols] + a[rows][:, cols] * a[cols][:, rows]
        )
        gam_all[s, s] = gamma[nt:, nt:] / frac[g]
    wiu = np.eye(size) - d @ res["e_inv"] @ d.T * w[None, :]
    ks = float(np.trace(wiu.T @ v_all @ wiu @ gam_all))
    xx3_null = float(sample.n_obs @ (-logdet_s))
    df3_null = n_groups * n_pairs
    return {
        "xx3": xx3,
        "df3": df3,
        "c3": ks / df3 if df3 > 0 else np.nan,
        "xx3_null": xx3_null,
        "df3_null": df3_null,
        "c3_null": float(np.trace(gam_all)) / df3_null,
    }


def measures(
    sample: wf.Sample,
    res: dict[str, Any],
    estimator: str,
    *,
    npar: int,
    n_free_cor: int,
    constrained: bool,
) -> dict[str, Any]:
    """Every fit measure of the result (lavaan's names with dots as underscores)."""
    robust = estimator in ("wlsmv", "ulsmv")
    uls = estimator.startswith("uls")
    n_groups = sample.moments.shape[0]
    n = float(sample.n_obs.sum()) - n_groups  # lavaan's N for ordinal fits (lav_utils_get_ntotal)
    chisq, df = res["chisq"], res["df"]
    base = baseline(sample, robust, uls)
    sc = res["scaled"]
    out: dict[str, Any] = {
        "chisq": chisq,
        "df": df,
        "p_value": _p(chisq, df, uls),
        "chisq_scaled": sc["stat"],
        "df_scaled": df if robust else np.nan,
        "p_value_scaled": _p(sc["stat"], df, not robust),
        "scaling_factor": sc["scaling_factor"],
        "shift": sc["shift"],
        "baseline_chisq": base["chisq"],
        "baseline_df": base["df"],
        "baseline_chisq_scaled": base["scaled"],
        "cfi": cfi(chisq, df, base["chisq"], base["df"]),
        "tli": tli(chisq, df, base["chisq"], base["df"]),
        "cfi_scaled": cfi(sc["stat"], df, base["scaled"], base["df"]),
        "tli_scaled": tli(sc["stat"], df, base["scaled"], base["df"]),
        "rmsea": rmsea(chisq, df, n, n_groups),
        "rmsea_scaled": rmsea(sc["stat"], df, n, n_groups),
    }
    low, high = rmsea_interval(chisq, df, n, n_groups)
    out["rmsea_ci_low"], out["rmsea_ci_high"] = low, high
    out["rmsea_p_value"] = (
        float(stats.ncx2.sf(chisq, df, n * df * 0.05**2 / n_groups)) if df > 0 else np.nan
    )
    if robust and np.isfinite(sc["stat"]):
        low, high = rmsea_interval(sc["stat"], df, n, n_groups)
    else:
        low, high = np.nan, np.nan
    out["rmsea_ci_low_scaled"], out["rmsea_ci_high_scaled"] = low, high
    rob = {"cfi_robust": np.nan, "tli_robust": np.nan, "rmsea_robust": np.nan}
    pd_ok = all(np.linalg.eigvalsh(c)[0] >= np.sqrt(np.finfo(float).eps) for c in sample.cor)
    if robust and not constrained and pd_ok and res["e_inv"] is not None:
        cm = catml(sample, res, n_free_cor)
        rob["cfi_robust"] = cfi(cm["xx3"], df, cm["xx3_null"], base["df"], cm["c3"], cm["c3_null"])
        rob["tli_robust"] = tli(cm["xx3"], df, cm["xx3_null"], base["df"], cm["c3"], cm["c3_null"])
        rob["rmsea_robust"] = rmsea(cm["xx3"], cm["df3"], n, n_groups, cm["c3"])
    out.update(rob)
    out["srmr"] = srmr(sample, res)
    out["npar"] = npar
    out["n"] = int(sample.n_obs.sum())
    return out

"""Result pieces of the ordinal CFA: its fit measures and its parameter-table columns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from colead.psychometrics.cfa import ordinal_model as om
from colead.psychometrics.cfa.results import FitMeasures

_Z975 = float(stats.norm.ppf(0.975))
NAMES = {"wlsmv": "WLSMV", "dwls": "DWLS", "ulsmv": "ULSMV"}


@dataclass(frozen=True)
class OrdinalFitMeasures(FitMeasures):
    """lavaan's ``fitMeasures`` for an ordinal fit (WLSMV, DWLS or ULSMV).

    The attributes of :class:`~colead.FitMeasures` keep lavaan's meaning for the standard
    (unscaled) statistic; the likelihood-based ones (``logl``, ``aic``, ``bic``...) are NaN.
    ``p_value`` is NaN for ULSMV (lavaan gives none for the unscaled ULS statistic).

    Attributes
    ----------
    estimator : str
        ``"WLSMV"``, ``"DWLS"`` or ``"ULSMV"``.
    chisq_scaled, df_scaled, p_value_scaled : float
        The mean- and variance-adjusted (scaled and shifted) statistic, its df (equal to
        ``df``) and p-value; ``chisq_scaled = chisq / scaling_factor + shift``.
    scaling_factor, shift : float
    baseline_chisq_scaled : float
    cfi_scaled, tli_scaled, rmsea_scaled, rmsea_ci_low_scaled, rmsea_ci_high_scaled : float
        The indices computed from the scaled statistics.
    cfi_robust, tli_robust, rmsea_robust : float
        Savalei's (2021) robust indices for categorical data (lavaan's ``.robust``); NaN
        when thresholds or intercepts are constrained across groups (lavaan 0.6-14 reports NA).
    """

    estimator: str
    chisq_scaled: float
    df_scaled: float
    p_value_scaled: float
    scaling_factor: float
    shift: float
    baseline_chisq_scaled: float
    cfi_scaled: float
    tli_scaled: float
    rmsea_scaled: float
    rmsea_ci_low_scaled: float
    rmsea_ci_high_scaled: float
    cfi_robust: float
    tli_robust: float
    rmsea_robust: float

    def summary(self) -> str:
        return "\n".join(fit_lines(self))


def _p(value: float) -> str:
    if not np.isfinite(value):
        return "NA"
    return "< .001" if value < 0.001 else f"= {value:.3f}"


def fit_lines(fit: OrdinalFitMeasures) -> list[str]:
    lines = [
        f"Chi-square ({fit.estimator}, unscaled) {fit.chisq:.3f} on {fit.df} df, "
        f"p {_p(fit.p_value)}  (baseline {fit.baseline_chisq:.3f} on {fit.baseline_df} df)",
    ]
    if np.isfinite(fit.chisq_scaled):
        lines.append(
            f"Scaled and shifted chi-square {fit.chisq_scaled:.3f} on {fit.df} df, p "
            f"{_p(fit.p_value_scaled)} (scaling factor {fit.scaling_factor:.3f}, shift "
            f"{fit.shift:.3f})"
        )
        lines.append(
            f"Scaled: CFI {fit.cfi_scaled:.3f}  TLI {fit.tli_scaled:.3f}  RMSEA "
            f"{fit.rmsea_scaled:.3f} [{fit.rmsea_ci_low_scaled:.3f}, "
            f"{fit.rmsea_ci_high_scaled:.3f}]"
        )
        lines.append(
            f"Robust: CFI {fit.cfi_robust:.3f}  TLI {fit.tli_robust:.3f}  RMSEA "
            f"{fit.rmsea_robust:.3f}"
        )
    lines.append(
        f"Unscaled: CFI {fit.cfi:.3f}  TLI {fit.tli:.3f}  RMSEA {fit.rmsea:.3f}  "
        f"SRMR {fit.srmr:.3f}; {fit.npar} free parameters, n = {fit.n}"
    )
    return lines


def derived_theta(spec: om.OrdinalSpec, raw: dict[str, Any]) -> np.ndarray:
    """Residual variances of the latent responses (G, p): 1 / delta^2 - diag(Lambda Psi Lambda')."""
    delta = raw["mats"]["delta"]
    return 1.0 / delta**2 - np.diagonal(raw["omega"], axis1=1, axis2=2)


def parameter_columns(spec: om.OrdinalSpec, raw: dict[str, Any]) -> dict[str, np.ndarray]:
    """Estimate, se, z, p_value, 95% interval and lavaan's std.lv / std.all per row."""
    x, free = raw["x"], spec.free
    kind = np.array(spec.kind)
    g, r, c = spec.group, spec.row, spec.col
    est = np.where(free >= 0, np.append(x, 0.0)[free], spec.value)
    th = kind == "theta"
    theta = derived_theta(spec, raw)
    est[th] = theta[g[th], r[th]]
    if raw["vcov"] is not None:
        sd = np.sqrt(np.clip(np.diag(raw["vcov"]), 0.0, None))
        se = np.where(free >= 0, np.append(sd, 0.0)[free], 0.0)
    else:
        se = np.where(free >= 0, np.nan, 0.0)
    mats = raw["mats"]
    sd_lv = np.sqrt(np.diagonal(mats["psi"], axis1=1, axis2=2))
    delta = mats["delta"]
    item = np.where(kind == "tau", spec.th_item[np.where(kind == "tau", r, 0)], r)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free >= 0, est / se, np.nan)
        p_value = np.where(free >= 0, 2.0 * stats.norm.sf(np.abs(z)), np.nan)
        std_lv, std_all = est.copy(), est.copy()
        lam = kind == "lam"
        std_lv[lam] = est[lam] * sd_lv[g[lam], c[lam]]
        std_all[lam] = std_lv[lam] * delta[g[lam], r[lam]]
        for name, power in (("tau", 1), ("nu", 1), ("theta", 2)):
            sel = kind == name
            std_all[sel] = est[sel] * delta[g[sel], item[sel]] ** power
        ps = kind == "psi"
        std_lv[ps] = est[ps] / (sd_lv[g[ps], r[ps]] * sd_lv[g[ps], c[ps]])
        std_all[ps] = std_lv[ps]
        al = kind == "alpha"
        std_lv[al] = est[al] / sd_lv[g[al], r[al]]
        std_all[al] = std_lv[al]
        std_all[kind == "delta"] = 1.0
    return {
        "estimate": est,
        "se": se,
        "z": z,
        "p_value": p_value,
        "ci_low": est - _Z975 * se,
        "ci_high": est + _Z975 * se,
        "std_lv": std_lv,
        "std_estimate": std_all,
    }

"""Reliability of ordinal items: ordinal alpha and categorical omega.

Ordinal alpha (Zumbo, Gadermann & Zeisser 2007) is the standardized alpha of the polychoric
correlation matrix. Categorical omega (Green & Yang 2009) is the reliability of the sum of the
item scores implied by a one-factor model of the latent responses, as
``semTools::compRelSEM(fit, ord.scale = TRUE)`` on ``lavaan::cfa(..., ordered = TRUE)`` (WLSMV):

    omega = sum_jk [sum_cd Phi2(t_jc, t_kd, r*_jk) - Phi(t_j.) Phi(t_k.)]
            / sum_jk [sum_cd Phi2(t_jc, t_kd, rho_jk) - Phi(t_j.) Phi(t_k.)],

with ``r* = Lambda Psi Lambda'`` (the common part, also on the diagonal), ``rho`` the polychoric
correlations (1 on the diagonal), t the thresholds and ``Phi(t_j.)`` the sum over item j's
thresholds of Phi(t_jc).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from colead.exceptions import ColeadWarning, InsufficientDataError
from colead.psychometrics import _alpha_kernels
from colead.psychometrics import _bivariate as bv
from colead.psychometrics.polychoric import polychoric

METHOD = "one-factor WLSMV CFA, categorical omega (Green & Yang 2009)"


def ordinal_alpha(x: np.ndarray, names: list[str], nan_policy: str, ci: float) -> dict[str, Any]:
    """The fields of an AlphaResult for ordinal alpha from the polychoric correlations."""
    frame = pd.DataFrame(x, columns=names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)
        poly = polychoric(frame, missing="listwise" if nan_policy == "listwise" else "pairwise")
    for note in poly.warnings:
        warnings.warn(f"alpha: {note}.", ColeadWarning, stacklevel=4)
    r = poly.correlation.to_numpy()
    parts = _alpha_kernels.alpha_parts(r, r)
    answered = ~np.isnan(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        totals = np.nansum(x, axis=1) / answered.sum(axis=1)
    return {
        "alpha": parts.std,
        "std_alpha": parts.std,
        "g6": parts.g6,
        "average_r": parts.average_r,
        "median_r": parts.median_r,
        "var_r": parts.var_r,
        "signal_noise": parts.signal_noise,
        "ase": np.nan,
        "mean": float(np.nanmean(totals)),
        "sd": float(np.nanstd(totals, ddof=1)),
        "n": poly.n,
        "n_complete": int(answered.all(axis=1).sum()),
        "k": len(names),
        "ci_low": np.nan,
        "ci_high": np.nan,
        "ci_level": ci,
        "ci_method": "none",
        "nan_policy": poly.missing,
        "items": tuple(names),
        "ordinal": True,
    }


def omega_categorical(
    common: np.ndarray, total: np.ndarray, taus: list[np.ndarray], scales: np.ndarray
) -> float:
    """semTools' ``omegaCat``: common (p, p) = Lambda Psi Lambda', total the polychoric matrix,
    taus each item's thresholds, scales the items' scale factors (1 in one group)."""
    p = len(taus)
    size = max(len(t) for t in taus)
    t = np.full((p, size), np.nan)
    for j, tau in enumerate(taus):
        t[j, : len(tau)] = tau * scales[j]
    rstar = scales[:, None] * common * scales[None, :]
    sd = np.sqrt(np.diag(total))
    denom = total / np.outer(sd, sd)
    valid = ~np.isnan(t)
    a = np.where(valid, t, -np.inf)[:, None, :, None]  # (p, 1, C, 1): -inf rows add nothing
    b = np.where(valid, t, -np.inf)[None, :, None, :]
    marg = ndtr(np.where(valid, t, -np.inf)).sum(axis=1)
    outer = np.outer(marg, marg)
    num = bv.cdf(a, b, rstar[:, :, None, None]).sum(axis=(2, 3)) - outer
    den = bv.cdf(a, b, denom[:, :, None, None]).sum(axis=(2, 3)) - outer
    return float(num.sum() / den.sum())


def one_factor_ordinal(x: np.ndarray, names: list[str]) -> dict[str, Any]:
    """Fields of an OmegaResult: categorical omega from a one-factor WLSMV fit."""
    from colead.psychometrics.cfa.fit import CFAResult, cfa

    frame = pd.DataFrame(x, columns=names).dropna()
    if len(frame) <= len(names):
        raise InsufficientDataError(
            f"omega: {len(frame)} complete rows for {len(names)} items "
            "are too few to fit a factor model."
        )
    fit = cfa(frame, {"general": names}, estimator="wlsmv")
    if not isinstance(fit, CFAResult):  # only with group=/invariance=; keeps the types honest
        raise TypeError("cfa returned a multi-group result")
    raw = fit._raw
    lam = raw["mats"]["lam"][0][:, 0]
    psi = raw["mats"]["psi"][0][0, 0]
    tau = raw["mats"]["tau"][0]
    bounds = np.cumsum(np.concatenate([[0], fit._spec.nth]))
    taus = [tau[bounds[j] : bounds[j + 1]] for j in range(len(names))]
    cor = raw["moments"].cov[0]
    omega = omega_categorical(np.outer(lam, lam) * psi, cor, taus, raw["mats"]["delta"][0])
    parts = _alpha_kernels.alpha_parts(cor, cor)
    std = fit.loadings["std_estimate"].to_numpy()
    theta = fit.residual_variances["estimate"].to_numpy()
    loadings = pd.DataFrame(
        {"g": lam, "h2": std**2, "u2": theta, "p2": 1.0}, index=pd.Index(names, name="item")
    )
    return {
        "omega_total": omega,
        "omega_hierarchical": None,
        "omega_limit": None,
        "alpha": parts.std,
        "nfactors": 1,
        "n": len(frame),
        "k": len(names),
        "method": METHOD,
        "loadings": loadings,
    }

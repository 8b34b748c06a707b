"""Fit measures of a two-level CFA as lavaan 0.6's ``fitMeasures``.

lavaan's chi-square of a two-level model is 2 (logl_H1 - logl), set to 0 when negative, with
H1 the saturated model of its EM (:func:`._twolevel_stats.saturated`); the baseline model has
uncorrelated items at both levels. CFI, TLI, RMSEA, AIC and BIC follow from these as for one
level, with N the number of respondents. SRMR is the sum of a within and a between part, each
the root mean square of the differences between the correlations of the saturated and the
fitted model (the between matrix forced positive definite first).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from colead.psychometrics.cfa import indices, kernels
from colead.psychometrics.cfa import twolevel_model as tmodel
from colead.psychometrics.cfa import twolevel_stats as tstats


def force_pd(s: np.ndarray, tol: float = 1e-6) -> np.ndarray:
    """lavaan's ``lav_matrix_symmetric_force_pd``: eigenvalues below ``tol`` times the largest
    are raised to it."""
    if s.shape[0] == 1:
        return np.array([[max(float(s[0, 0]), tol)]])
    vals, vecs = np.linalg.eigh(s)
    top = abs(vals[-1])
    vals = np.where(vals / top < tol, tol * top, vals)
    return (vecs * vals) @ vecs.T


def _cor(s: np.ndarray) -> np.ndarray:
    sd = np.sqrt(np.diag(s))
    return s / np.outer(sd, sd)


def _srmr_part(sample: np.ndarray, implied: np.ndarray) -> float:
    if not np.all(np.diag(implied) > 0):
        return np.nan
    p = sample.shape[0]
    resid = _cor(sample) - _cor(implied)
    low = np.tril_indices(p)
    return float(np.sqrt((resid[low] ** 2).sum() / (p * (p + 1) / 2)))


def srmr(h1: tstats.Saturated, sigma: np.ndarray) -> tuple[float, float]:
    """lavaan's ``srmr_within`` and ``srmr_between``."""
    return _srmr_part(h1.within, sigma[0]), _srmr_part(h1.between, force_pd(sigma[1]))


def measures(
    *,
    logl: float,
    h1: tstats.Saturated,
    baseline_logl: float,
    npar: int,
    p: int,
    n: int,
    n_clusters: int,
    sigma: np.ndarray,
) -> dict[str, Any]:
    """Every fit measure, keyed as
    :class:`~colead.psychometrics.cfa.twolevel.TwoLevelFitMeasures` names them."""
    moments = p * (p + 1) + p  # within and between covariances, between means
    chisq = max(2.0 * (h1.logl - logl), 0.0)
    baseline = max(2.0 * (h1.logl - baseline_logl), 0.0)
    within, between = srmr(h1, sigma)
    out = indices.fit_indices(
        chisq=chisq,
        df=moments - npar,
        baseline_chisq=baseline,
        baseline_df=moments - 3 * p,
        logl=logl,
        unrestricted_logl=h1.logl,
        npar=npar,
        n_total=n,
        n_groups=1,
        srmr_value=within + between,
    )
    out.update(srmr_within=within, srmr_between=between, n_clusters=n_clusters)
    return out


def problems(spec: Any, raw: dict[str, Any]) -> list[str]:
    """Why the estimates deserve attention: non-convergence, a singular information matrix,
    Heywood cases, a factor covariance matrix that is not positive definite."""
    out = []
    if not raw["converged"]:
        out.append(
            f"the optimiser did not converge in {raw['iterations']} iterations; the estimates, "
            "standard errors and fit measures are not trustworthy"
        )
    elif raw["vcov"] is None:
        out.append(
            "standard errors could not be computed: the information matrix is singular, which "
            "suggests that the model is not identified"
        )
    _, psi, theta, _, _ = kernels.unpack(spec.structure, raw["x"])
    for g, level in enumerate(tmodel.LEVEL_NAMES):
        negative = [spec.items[j] for j in np.flatnonzero(theta[g] < 0)]
        if negative:
            out.append(
                f"negative residual variance (Heywood case) at the {level} level: "
                f"{', '.join(negative)}"
            )
        if np.linalg.eigvalsh(psi[g])[0] <= 1e-8 * max(1.0, float(np.trace(psi[g]))):
            out.append(
                f"the {level}-level factor covariance matrix is not positive definite (a "
                "factor variance near or below 0, or a correlation beyond +-1)"
            )
    return out

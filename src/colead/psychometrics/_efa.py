"""Exploratory factor analysis as psych's ``fa(fm = "minres")`` and ``schmid`` do it.

psych's minres minimises the squared off-diagonal residuals over the uniquenesses with a
gradient equal to the diagonal residual, so it stops where the communalities reproduce the
diagonal: the fixed point of iterated principal axes. That fixed point is found here directly,
with psych's bounds on the uniquenesses. Oblique rotation is GPArotation's oblimin (gamma 0,
no normalisation), through statsmodels' port of the same gradient projection algorithm.
"""

from __future__ import annotations

import warnings

import numpy as np
from statsmodels.multivariate.factor_rotation import rotate_factors

from colead.exceptions import ColeadWarning
from colead.psychometrics._alpha_kernels import smc

_LOWER = 0.005  # psych's lower bound on a uniqueness


def minres(
    r: np.ndarray, nfactors: int, *, tol: float = 1e-12, max_iter: int = 10_000
) -> np.ndarray:
    """Unrotated minres loadings (p x nfactors) of a correlation matrix."""
    psi = np.diag(r) - smc(r)
    upper = max(float(smc(r).max()), 1.0)
    for _ in range(max_iter):
        loadings = _principal_axes(r, psi, nfactors)
        new = np.clip(np.diag(r) - (loadings**2).sum(axis=1), _LOWER, upper)
        if np.max(np.abs(new - psi)) < tol:
            psi = new
            break
        psi = new
    else:
        warnings.warn(
            "minres factoring did not converge; loadings may be inexact",
            ColeadWarning,
            stacklevel=3,
        )
    return _principal_axes(r, psi, nfactors)


def _principal_axes(r: np.ndarray, psi: np.ndarray, nfactors: int) -> np.ndarray:
    reduced = r - np.diag(psi)
    values, vectors = np.linalg.eigh(reduced)
    order = np.argsort(values)[::-1][:nfactors]
    return vectors[:, order] * np.sqrt(np.maximum(values[order], 0))


def oblimin(loadings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Oblimin (quartimin) pattern loadings and factor correlations, with factors reflected
    so that their loadings sum positive (as psych reports them)."""
    pattern, rotation = rotate_factors(
        loadings, "oblimin", 0, "oblique", tol=1e-10, max_tries=10_000
    )
    phi = rotation.T @ rotation
    signs = np.where(pattern.sum(axis=0) < 0, -1.0, 1.0)
    return pattern * signs, phi * np.outer(signs, signs)


def general_loadings(phi: np.ndarray) -> np.ndarray:
    """Loadings of the group factors on one general factor: a one-factor minres of their
    correlations, or (two factors) psych's option "equal": both sqrt(|phi_12|)."""
    if phi.shape[0] == 2:
        root = np.sqrt(abs(phi[0, 1]))
        return np.array([root, np.sign(phi[0, 1]) * root])
    g = minres(phi, 1)[:, 0]
    return g if g.sum() >= 0 else -g


def schmid_leiman(r: np.ndarray, nfactors: int) -> dict[str, np.ndarray]:
    """The Schmid-Leiman transformation of an oblimin solution (psych ``schmid``).

    Returns ``g`` (general loadings), ``groups`` (p x nfactors residualised group loadings),
    ``h2`` and ``u2`` (communality and uniqueness of the minres solution), ``pattern``,
    ``phi`` and ``gload`` (group factors on g).
    """
    unrotated = minres(r, nfactors)
    pattern, phi = oblimin(unrotated)
    gload = general_loadings(phi)
    g = pattern @ gload
    groups = np.sign(pattern) * np.sqrt(np.maximum(pattern**2 * (1 - gload**2), 0))
    h2 = (unrotated**2).sum(axis=1)
    return {
        "g": g,
        "groups": groups,
        "h2": h2,
        "u2": np.diag(r) - h2,
        "pattern": pattern,
        "phi": phi,
        "gload": gload,
    }

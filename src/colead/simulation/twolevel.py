"""Continuous answers from a two-level factor model with known parameters.

:func:`two_level_factor_data` draws respondents nested in schools from

    y_ij = mu + Lambda_B eta_j + u_j + Lambda_W eta_ij + e_ij,

with eta_j ~ N(0, Psi_B), u_j ~ N(0, diag(theta_B)), eta_ij ~ N(0, Psi_W) and
e_ij ~ N(0, diag(theta_W)): the model a two-level CFA (``cl.cfa(..., cluster=)``) fits, so its
estimates can be checked against the values that made the data. :func:`colead.simulate` gives
answers on an instrument's response scales instead, with no school-level unique variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError


def _matrix(value: np.ndarray | None, size: int, name: str) -> np.ndarray:
    out = np.eye(size) if value is None else np.atleast_2d(np.asarray(value, dtype=float))
    if out.shape != (size, size) or not np.allclose(out, out.T):
        raise InvalidParameterError(f"{name} must be a symmetric {size} x {size} matrix.")
    return out


def two_level_factor_data(
    *,
    n_schools: int,
    respondents: int | tuple[int, int],
    within_loadings: np.ndarray,
    between_loadings: np.ndarray,
    within_residual: np.ndarray,
    between_residual: np.ndarray,
    means: np.ndarray | None = None,
    within_factor_cov: np.ndarray | None = None,
    between_factor_cov: np.ndarray | None = None,
    missing: float = 0.0,
    seed: int | None = None,
) -> pd.DataFrame:
    """Draw ``school_id`` and items ``y1 .. yp`` from a two-level factor model.

    Loadings are (p,) for one factor or (p, m); residual variances and means are (p,).
    ``respondents`` is a number per school or an inclusive range drawn uniformly; ``missing``
    is the share of item cells blanked completely at random.
    """
    lw = np.asarray(within_loadings, dtype=float)
    lb = np.asarray(between_loadings, dtype=float)
    lw = lw[:, None] if lw.ndim == 1 else lw
    lb = lb[:, None] if lb.ndim == 1 else lb
    p = lw.shape[0]
    tw = np.broadcast_to(np.asarray(within_residual, dtype=float), (p,))
    tb = np.broadcast_to(np.asarray(between_residual, dtype=float), (p,))
    mu = np.zeros(p) if means is None else np.broadcast_to(np.asarray(means, dtype=float), (p,))
    if lb.shape[0] != p or (tw < 0).any() or (tb < 0).any():
        raise InvalidParameterError(
            "Loadings must have one row per item and residual variances must be >= 0."
        )
    psi_w = _matrix(within_factor_cov, lw.shape[1], "within_factor_cov")
    psi_b = _matrix(between_factor_cov, lb.shape[1], "between_factor_cov")
    rng = np.random.default_rng(seed)
    if isinstance(respondents, tuple):
        sizes = rng.integers(respondents[0], respondents[1] + 1, size=n_schools)
    else:
        sizes = np.full(n_schools, int(respondents))
    school = np.repeat(np.arange(n_schools), sizes)
    n = len(school)
    eta_b = rng.multivariate_normal(np.zeros(lb.shape[1]), psi_b, size=n_schools)
    u = rng.normal(size=(n_schools, p)) * np.sqrt(tb)
    eta_w = rng.multivariate_normal(np.zeros(lw.shape[1]), psi_w, size=n)
    e = rng.normal(size=(n, p)) * np.sqrt(tw)
    y = mu + (eta_b @ lb.T + u)[school] + eta_w @ lw.T + e
    if missing > 0:
        y[rng.random(y.shape) < missing] = np.nan
    width = max(2, len(str(n_schools)))
    frame = pd.DataFrame(y, columns=[f"y{j + 1}" for j in range(p)])
    frame.insert(0, "school_id", [f"S{i + 1:0{width}d}" for i in school])
    return frame

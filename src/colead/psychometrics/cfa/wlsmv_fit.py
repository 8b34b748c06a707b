"""Estimation of the ordinal CFA by (diagonally) weighted least squares, as lavaan does it.

The discrepancy of group g is ``F_g = (s_g - m_g(x))' W_g (s_g - m_g(x))`` with ``s_g`` the sample
thresholds and polychoric correlations, ``W_g = diag(1 / diag(Gamma_g))`` (DWLS; the identity for
ULS). lavaan minimises ``sum_g (N_g - 1) F_g`` and reports ``chisq = sum_g (N_g - 1) F_g`` at the
minimum. Standard errors are the sandwich ``E^-1 (sum_g f_g D_g' W_g Gamma_g W_g D_g) E^-1 /
(N - G)`` with ``E = sum_g f_g D_g' W_g D_g`` and ``f_g = N_g / N`` (lavaan's ``robust.sem``;
``E^-1 / (N - G)`` for the standard errors of plain DWLS). The scaled-and-shifted statistic is
lavaan's ``lav_test_satorra_bentler(test = "scaled.shifted")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import linalg as scipy_linalg

from colead.psychometrics.cfa import ordinal_model as om


@dataclass(frozen=True)
class Sample:
    """What the fit needs from the data of every group."""

    moments: np.ndarray  # (G, M): thresholds then correlations
    cor: np.ndarray  # (G, p, p) polychoric correlations
    gamma: list[np.ndarray | None]  # N_g times the asymptotic covariance, per group
    weights: np.ndarray  # (G, M) diagonal weights W_g
    n_obs: np.ndarray  # (G,)


def start_values(spec: om.OrdinalSpec, sample: Sample) -> np.ndarray:
    """Principal-axis loadings per factor on the polychoric matrix, thresholds at their sample
    values, factor covariances 0, scale factors 1; shared parameters average over groups."""
    p, m, n_groups = len(spec.items), len(spec.factors), spec.n_groups
    nt = int(spec.nth.sum())
    lam = np.zeros((n_groups, p, m))
    psi = np.zeros((n_groups, m, m))
    loads = (spec.idx["lam"] >= 0) | (spec.val["lam"] != 0)
    for g in range(n_groups):
        for f in range(m):
            items = np.flatnonzero(loads[g, :, f])
            sub = sample.cor[g][np.ix_(items, items)].copy()
            np.fill_diagonal(sub, 0.5)
            vals, vecs = np.linalg.eigh(sub)
            load = np.sqrt(max(vals[-1], 1e-4)) * vecs[:, -1]
            load = -load if load.sum() < 0 else load
            marker = (spec.idx["lam"][g, items, f] < 0) & (spec.val["lam"][g, items, f] != 0)
            if marker.any():
                j = int(np.flatnonzero(marker)[0])
                ref = load[j] if abs(load[j]) > 1e-3 else np.abs(load).max()
                psi[g, f, f] = ref**2
                lam[g, items, f] = load / ref * spec.val["lam"][g, items[j], f]
            else:
                psi[g, f, f] = 1.0
                lam[g, items, f] = load
    guesses = {
        "lam": lam,
        "psi": psi,
        "tau": sample.moments[:, :nt],
        "delta": np.ones((n_groups, p)),
        "nu": np.zeros((n_groups, p)),
        "alpha": np.zeros((n_groups, m)),
    }
    x = np.zeros(spec.npar)
    count = np.zeros(spec.npar)
    for kind, guess in guesses.items():
        idx = spec.idx[kind]
        free = idx >= 0
        np.add.at(x, idx[free], guess[free])
        np.add.at(count, idx[free], 1.0)
    return x / np.maximum(count, 1.0)


def estimate(spec: om.OrdinalSpec, sample: Sample) -> tuple[np.ndarray, int, bool]:
    """Minimise sum_g (N_g - 1) F_g by Levenberg-Marquardt steps on the normal equations
    (Gauss-Newton once close); returns (x, iterations, converged)."""
    scale = np.sqrt((sample.n_obs - 1.0)[:, None] / sample.n_obs.sum() * sample.weights)

    def residuals(x: np.ndarray) -> np.ndarray:
        moments, _, _ = om.implied(spec, x)
        return (scale * (sample.moments - moments)).ravel()

    x = start_values(spec, sample)
    r = residuals(x)
    value = float(r @ r)
    damping = 1e-3
    for iteration in range(1, _MAX_ITER + 1):
        jac = -(scale[:, :, None] * om.jacobian(spec, x)).reshape(-1, spec.npar)
        grad = jac.T @ r
        hess = jac.T @ jac
        diag = np.diag(hess).copy()
        while True:
            step = _solve(hess + damping * np.diag(diag), -grad)
            if step is None:
                damping = max(damping * 10.0, 1e-8)
                if damping > 1e10:
                    return orient(spec, x), iteration, False
                continue
            x_new = x + step
            r_new = residuals(x_new)
            new = float(r_new @ r_new)
            if np.isfinite(new) and new <= value:
                break
            damping = max(damping * 10.0, 1e-8)
            if damping > 1e10:
                return orient(spec, x), iteration, False
        small = np.max(np.abs(step)) <= _TOL * max(1.0, float(np.max(np.abs(x))))
        x, r, value = x_new, r_new, new
        damping = damping / 10.0 if damping > 1e-12 else 0.0
        if small:
            return orient(spec, x), iteration, True
    return orient(spec, x), _MAX_ITER, False


_MAX_ITER = 500
_TOL = 1e-11


def _solve(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    try:
        chol = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        return None
    out = scipy_linalg.cho_solve((chol, True), b)
    return out if np.all(np.isfinite(out)) else None


def orient(spec: om.OrdinalSpec, x: np.ndarray) -> np.ndarray:
    """Turn each factor so that its first item loads positively (lavaan's solution when factors
    are standardized): the model's moments do not change when a factor's loadings, its
    covariances with other factors and its mean change sign together."""
    mats = om.unpack(spec, x)
    lam = mats["lam"]
    first = np.argmax((spec.idx["lam"] >= 0) | (spec.val["lam"] != 0), axis=1)  # (G, m)
    g, f = np.indices(first.shape)
    sign = np.where(lam[g, first, f] < 0, -1.0, 1.0)  # (G, m)
    if np.all(sign > 0):
        return x
    turned = {
        "lam": lam * sign[:, None, :],
        "psi": mats["psi"] * sign[:, :, None] * sign[:, None, :],
        "alpha": mats["alpha"] * sign,
    }
    out = x.copy()
    for kind, values in turned.items():
        idx = spec.idx[kind]
        free = idx >= 0
        out[idx[free]] = values[free]
    return out


def information(jac: np.ndarray, weights: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """E = sum_g f_g D_g' W_g D_g (lavaan's expected information for DWLS/ULS)."""
    out = sum(f * (d.T * w) @ d for f, d, w in zip(frac, jac, weights, strict=True))
    return np.asarray(out)


def robust_vcov(
    e_inv: np.ndarray,
    jac: np.ndarray,
    weights: np.ndarray,
    gamma: list[np.ndarray],
    frac: np.ndarray,
) -> np.ndarray:
    """N times the sandwich covariance of the estimates (lavaan's ``robust.sem``)."""
    middle = np.zeros_like(e_inv)
    for g, gam in enumerate(gamma):
        wd = weights[g][:, None] * jac[g]
        middle += frac[g] * wd.T @ gam @ wd  # lavaan: fg * fg / fg1 with fg1 = fg
    out = e_inv @ middle @ e_inv
    return (out + out.T) / 2.0


def ugamma_traces(
    jac: np.ndarray,
    weights: np.ndarray,
    gamma: list[np.ndarray],
    e_inv: np.ndarray,
    frac: np.ndarray,
) -> tuple[float, float]:
    """tr(U Gamma) and tr((U Gamma)^2) of lavaan's ``lav_test_satorra_bentler_trace_original``,
    with U = V - V D E^-1 D' V, V = bdiag(f_g W_g), Gamma = bdiag(Gamma_g / f_g)."""
    v = np.concatenate([frac[g] * weights[g] for g in range(len(frac))])
    d = np.concatenate(list(jac), axis=0)
    vd = v[:, None] * d
    u = np.diag(v) - vd @ e_inv @ vd.T
    blocks = [gamma[g] / frac[g] for g in range(len(frac))]
    sizes = np.cumsum([0] + [b.shape[0] for b in blocks])
    ug = np.zeros_like(u)
    for g, b in enumerate(blocks):
        s = slice(sizes[g], sizes[g + 1])
        ug[:, s] = u[:, s] @ b
    return float(np.trace(ug)), float(np.sum(ug * ug.T))


def scaled_shifted(chisq: float, df: int, tr1: float, tr2: float) -> dict[str, float]:
    """The mean- and variance-adjusted (scaled and shifted) statistic, same df."""
    if df <= 0 or not np.isfinite(tr2) or tr2 <= 0:
        return {"stat": np.nan, "scaling_factor": np.nan, "shift": np.nan}
    a = np.sqrt(df / tr2)
    shift = df - a * tr1
    return {
        "stat": float(chisq * a + shift),
        "scaling_factor": float(1.0 / a),
        "shift": float(shift),
    }


def fit(spec: om.OrdinalSpec, sample: Sample, estimator: str) -> dict[str, Any]:
    """Estimate, test statistic(s) and covariance of the estimates; plain numbers."""
    x, nfev, converged = estimate(spec, sample)
    moments, omega, mats = om.implied(spec, x)
    n_obs = sample.n_obs
    n_total = float(n_obs.sum())
    frac = n_obs / n_total
    resid = sample.moments - moments
    f_group = (sample.weights * resid * resid).sum(axis=1)
    chisq = float(((n_obs - 1.0) * f_group).sum())
    jac = om.jacobian(spec, x)
    info = information(jac, sample.weights, frac)
    df = spec.n_groups * spec.n_moments - spec.npar
    eig = np.linalg.eigvalsh(info)
    singular = eig.size > 0 and eig[0] <= 1e-12 * max(abs(eig[-1]), 1.0)
    e_inv = None if singular else np.linalg.inv(info)
    robust = estimator in ("wlsmv", "ulsmv")
    vcov = None
    scaled = {"stat": np.nan, "scaling_factor": np.nan, "shift": np.nan}
    if e_inv is not None and converged:
        gam = [g for g in sample.gamma if g is not None]
        nv = robust_vcov(e_inv, jac, sample.weights, gam, frac) if robust else e_inv
        vcov = nv / (n_total - spec.n_groups)
        if robust:
            tr1, tr2 = ugamma_traces(jac, sample.weights, gam, e_inv, frac)
            scaled = scaled_shifted(chisq, df, tr1, tr2)
    return {
        "x": x,
        "mats": mats,
        "omega": omega,
        "implied": moments,
        "resid": resid,
        "chisq": chisq,
        "df": df,
        "scaled": scaled,
        "jac": jac,
        "e_inv": e_inv,
        "vcov": vcov,
        "converged": converged,
        "iterations": nfev,
        "frac": frac,
    }

"""Two-level CFA with missing answers by full-information ML, as ``lavaan::cfa(model, data,
cluster = , missing = "ml")``.

The likelihood and its gradient are :mod:`.twolevel_missing`'s. Three models are fitted by
quasi-Newton steps (BFGS started from the complete-data expected Hessian of the two-level
model, which the missing answers make only slightly too large): the model itself, the
saturated model (lavaan's H1: within and between covariance matrices L L' + 1e-4 I and free
means, started from the model's implied moments) and the baseline model (items uncorrelated at
both levels, started from H1).
Standard errors come from the observed information, as lavaan's default for this case: the
Hessian of -log L by central differences of the analytic gradient (lavaan differentiates its
gradient numerically too).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from colead.exceptions import InsufficientDataError
from colead.psychometrics.cfa import kernels
from colead.psychometrics.cfa import twolevel_fit as tfit
from colead.psychometrics.cfa import twolevel_missing as tmiss
from colead.psychometrics.cfa import twolevel_model as tmodel
from colead.psychometrics.cfa import twolevel_stats as tstats
from colead.psychometrics.cfa.model import Spec

_MAX_ITER = 5000


def objective(st: tmiss.MissingClusters) -> kernels.Objective:
    """F = -2 log L / N (without the 2 pi term) for the kernels: level 0 of ``sigma`` is W,
    level 1 is B; the mean is the sum of the levels' means."""
    work = tmiss.Workspace(st)

    def value(
        sigma: np.ndarray, mu: np.ndarray | None
    ) -> tuple[float, np.ndarray, np.ndarray | None]:
        mu = tmodel._means(mu)
        ev = tmiss.evaluate(st, sigma[0], sigma[1], mu[0] + mu[1], work=work)
        if not np.isfinite(ev.value) or ev.g_within is None or ev.g_between is None:
            return np.inf, sigma, mu
        g_sigma = np.stack([ev.g_within, ev.g_between]) / st.n
        g_mean = np.asarray(ev.g_mean) / st.n
        return ev.value / st.n, g_sigma, np.stack([g_mean, g_mean])

    return value


def _gradient(s: kernels.Structure, fn: kernels.Objective, x: np.ndarray) -> np.ndarray:
    sigma, mu = kernels.implied(s, x)
    _, g_sigma, g_mu = fn(sigma, mu)
    d_sigma, d_mu = kernels.jacobian(s, x)
    return kernels.chain(g_sigma, g_mu, d_sigma, d_mu)


def numerical_hessian(
    s: kernels.Structure, fn: kernels.Objective, x: np.ndarray, *, step: float = 1e-5
) -> np.ndarray:
    """Second derivatives of F by central differences of its analytic gradient."""
    q = len(x)
    hess = np.empty((q, q))
    for k in range(q):
        h = step * max(1.0, abs(float(x[k])))
        up, down = x.copy(), x.copy()
        up[k] += h
        down[k] -= h
        hess[:, k] = (_gradient(s, fn, up) - _gradient(s, fn, down)) / (2.0 * h)
    return (hess + hess.T) / 2.0


def start_moments(
    y: np.ndarray, codes: np.ndarray, n_clusters: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rough within and between covariance matrices and means from the answers available
    (pairwise), made positive definite: starting values only."""
    answered = ~np.isnan(y)
    ones = answered.astype(float)
    filled = np.where(answered, y, 0.0)
    p = y.shape[1]
    mean = filled.sum(axis=0) / ones.sum(axis=0)
    per_cluster = np.column_stack(
        [np.bincount(codes, weights=ones[:, k], minlength=n_clusters) for k in range(p)]
    )
    sums = np.column_stack(
        [np.bincount(codes, weights=filled[:, k], minlength=n_clusters) for k in range(p)]
    )
    has = per_cluster > 0
    cluster_mean = np.where(has, sums / np.maximum(per_cluster, 1.0), 0.0)
    dev = np.where(answered, y - cluster_mean[codes], 0.0)
    pairs = ones.T @ ones - has.T.astype(float) @ has.astype(float)
    within = dev.T @ dev / np.maximum(pairs, 1.0)
    between_dev = np.where(has, cluster_mean - mean, 0.0)
    both = has.T.astype(float) @ has.astype(float)
    between = between_dev.T @ between_dev / np.maximum(both, 1.0)
    size = np.maximum(per_cluster, 1.0)
    shrink = (has / size).sum(axis=0) / np.maximum(has.sum(axis=0), 1)
    between -= within * np.sqrt(np.outer(shrink, shrink))
    between[np.diag_indices(p)] = np.maximum(np.diag(between), 0.05 * np.diag(within))
    return tfit.force_pd(within, 1e-3), tfit.force_pd(between, 1e-3), mean


_H1_FLOOR = 1e-4  # lavaan's H1 adds 1e-4 to every variance


def saturated_structure(p: int) -> kernels.Structure:
    """lavaan's H1 with missing answers (``lav_partable_unrestricted_chol``): at each level p
    factors of unit variance with lower-triangular loadings L and residual variances fixed at
    1e-4, so that Sigma = L L' + 1e-4 I (positive definite by construction); free between
    means. Its maximum can lie below the unrestricted one where the latter's between matrix is
    not positive definite."""
    lam_idx = -np.ones((2, p, p), dtype=int)
    count = 0
    for g in range(2):
        for f in range(p):
            lam_idx[g, f:, f] = count + np.arange(p - f)
            count += p - f
    nu_idx = -np.ones((2, p), dtype=int)
    nu_idx[1] = count + np.arange(p)
    none, zeros = -np.ones((2, p), dtype=int), np.zeros((2, p))
    return kernels.Structure(
        lam_idx, np.zeros((2, p, p)), -np.ones((2, p, p), dtype=int), np.tile(np.eye(p), (2, 1, 1)),
        none, zeros + _H1_FLOOR, nu_idx, zeros, none, zeros, meanstructure=True,
    )  # fmt: skip


def _saturated_x(s: kernels.Structure, within: np.ndarray, between: np.ndarray,
                 mean: np.ndarray) -> np.ndarray:  # fmt: skip
    """Loadings L with L L' + 1e-4 I near the given matrices (raised to positive definite)."""
    x = np.zeros(s.npar)
    for g, cov in enumerate((within, between)):
        vals, vecs = np.linalg.eigh(cov)
        vals = np.maximum(vals - _H1_FLOOR, 1e-4 * max(float(vals[-1]), _H1_FLOOR))
        low = np.linalg.cholesky((vecs * vals) @ vecs.T)
        free = s.lam_idx[g] >= 0
        x[s.lam_idx[g][free]] = low[free]
    x[s.nu_idx[1]] = mean
    return x


def _minimize(
    s: kernels.Structure, st: tmiss.MissingClusters, x0: np.ndarray, units: tmodel.Units
) -> tuple[np.ndarray, int, bool]:
    start = units.expected_hessian(s, x0)
    x, _, iterations, converged = kernels.minimize(
        s, x0, objective(st), np.ones(2), start_hessian=start, max_iter=_MAX_ITER
    )
    return x, iterations, converged


def fit(spec: Spec, st: tmiss.MissingClusters, y: np.ndarray, codes: np.ndarray) -> dict[str, Any]:
    """Estimate ``spec`` from rows ``y`` (NaN where unanswered) in clusters ``codes``; every
    number of the result, unrounded (the keys of :func:`.twolevel_model.fit`)."""
    s = spec.structure
    units = tmodel.Units.of_clusters(st.cluster_size)
    within0, between0, mean0 = start_moments(y, codes, st.n_clusters)
    x0 = tmodel.start_values(spec, within0, between0, mean0)
    x, iterations, converged = _minimize(s, st, x0, units)
    if not converged:
        raise InsufficientDataError(
            f"cfa: the two-level model with missing answers (missing='ml') did not converge "
            f"in {iterations} iterations; the data may not support the model (too few "
            "clusters, items answered by few respondents, a between-level variance near 0)."
        )
    sigma, mu = kernels.implied(s, x)
    mu = tmodel._means(mu)
    hess = numerical_hessian(s, objective(st), x)
    vcov = kernels.covariance_of_estimates(hess, st.n)
    h1 = saturated(st, sigma[0], sigma[1], mu[1], units)
    return {
        "x": x,
        "vcov": vcov,
        "sigma": sigma,
        "mu": mu,
        "logl": tmiss.loglik(st, sigma[0], sigma[1], mu[1]),
        "converged": converged,
        "iterations": iterations,
        "h1": h1,
        "baseline_logl": baseline_logl(st, spec.items, h1, units),
        "mean_inverse_cluster_size": float(np.mean(1.0 / st.cluster_size)),
    }


def saturated(
    st: tmiss.MissingClusters,
    within: np.ndarray,
    between: np.ndarray,
    mean: np.ndarray,
    units: tmodel.Units,
) -> tstats.Saturated:
    """The unrestricted two-level model (lavaan's H1) started from the given moments."""
    s = saturated_structure(st.p)
    x, iterations, converged = _minimize(s, st, _saturated_x(s, within, between, mean), units)
    if not converged:
        raise InsufficientDataError(
            "cfa: the saturated two-level model (free covariance matrices at both levels), "
            f"which the chi-square compares with, did not converge in {iterations} iterations."
        )
    sigma, mu = kernels.implied(s, x)
    mu = tmodel._means(mu)
    logl = tmiss.loglik(st, sigma[0], sigma[1], mu[1])
    return tstats.Saturated(sigma[0], sigma[1], mu[0], mu[1], logl, iterations)


def baseline_logl(
    st: tmiss.MissingClusters, items: tuple[str, ...], h1: tstats.Saturated, units: tmodel.Units
) -> float:
    """Log-likelihood of the baseline model (uncorrelated items at both levels, free variances
    and means), started from the saturated model's variances; NaN if it does not converge."""
    spec = tmodel.build_spec({}, {}, items, std_lv=False)
    s = spec.structure
    x0 = np.zeros(s.npar)
    w_diag = np.diag(h1.within)
    theta = np.stack([w_diag, np.maximum(np.diag(h1.between), 0.01 * w_diag)])
    x0[s.theta_idx[s.theta_idx >= 0]] = theta[s.theta_idx >= 0]
    x0[s.nu_idx[1]] = h1.mean_between
    x, _, converged = _minimize(s, st, x0, units)
    if not converged:
        return np.nan
    sigma, mu = kernels.implied(s, x)
    return tmiss.loglik(st, sigma[0], sigma[1], tmodel._means(mu)[1])

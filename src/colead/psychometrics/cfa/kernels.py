"""Numerical kernels of maximum-likelihood confirmatory factor analysis (numpy and scipy only).

Every array carries a leading group axis ``G``. The model of group ``g`` is

    Sigma_g = Lambda_g Psi_g Lambda_g' + Theta_g,    mu_g = nu_g + Lambda_g alpha_g,

with ``Theta_g`` diagonal. The free parameters are numbered ``0 .. q-1``; an index array holds,
for each matrix element, the number of the free parameter that fills it, or -1 where the element
is fixed to the value in the matching value array. Equality constraints across groups share a
number, as lavaan's ``group.equal`` does.

The discrepancy is lavaan's maximum-likelihood function with ``likelihood = "normal"``
(sample covariances with divisor n):

    F = sum_g (n_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p
                         + (ybar_g - mu_g)' Sigma_g^-1 (ybar_g - mu_g)],

so that chi-square = N F_min and the log-likelihood is -N/2 (F + const). With missing data
(``_cfa_fiml``) F is -2/N times the casewise log-likelihood; both share the chain rule, the
minimiser and the information matrices here.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: (F, dF/dSigma (G, p, p), dF/dmu (G, p) or None); F is inf where Sigma is not positive definite.
Objective = Callable[[np.ndarray, np.ndarray | None], tuple[float, np.ndarray, np.ndarray | None]]


class Structure:
    """Which model-matrix elements are free, fixed (and to what) or equal across groups."""

    def __init__(
        self,
        lam_idx: np.ndarray,
        lam_val: np.ndarray,
        psi_idx: np.ndarray,
        psi_val: np.ndarray,
        theta_idx: np.ndarray,
        theta_val: np.ndarray,
        nu_idx: np.ndarray,
        nu_val: np.ndarray,
        alpha_idx: np.ndarray,
        alpha_val: np.ndarray,
        *,
        meanstructure: bool,
    ) -> None:
        self.lam_idx, self.lam_val = lam_idx, lam_val
        self.psi_idx, self.psi_val = psi_idx, psi_val
        self.theta_idx, self.theta_val = theta_idx, theta_val
        self.nu_idx, self.nu_val = nu_idx, nu_val
        self.alpha_idx, self.alpha_val = alpha_idx, alpha_val
        self.n_groups, self.p, self.m = lam_idx.shape
        self.meanstructure = meanstructure
        indices = [lam_idx, psi_idx, theta_idx, nu_idx, alpha_idx]
        self.npar = max(int(a.max(initial=-1)) for a in indices) + 1
        g, i, f = np.nonzero(lam_idx >= 0)
        self.lam_free = (g, i, f, lam_idx[g, i, f])
        upper = np.triu(np.ones((self.m, self.m), dtype=bool))
        g, f, h = np.nonzero((psi_idx >= 0) & upper)
        self.psi_free = (g, f, h, psi_idx[g, f, h])
        g, i = np.nonzero(theta_idx >= 0)
        self.theta_free = (g, i, theta_idx[g, i])
        g, i = np.nonzero(nu_idx >= 0)
        self.nu_free = (g, i, nu_idx[g, i])
        g, f = np.nonzero(alpha_idx >= 0)
        self.alpha_free = (g, f, alpha_idx[g, f])


def _fill(idx: np.ndarray, val: np.ndarray, x: np.ndarray) -> np.ndarray:
    return np.where(idx >= 0, np.append(x, 0.0)[idx], val)


def unpack(
    s: Structure, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lambda (G, p, m), Psi (G, m, m), theta (G, p), nu (G, p), alpha (G, m) from ``x``."""
    return (
        _fill(s.lam_idx, s.lam_val, x),
        _fill(s.psi_idx, s.psi_val, x),
        _fill(s.theta_idx, s.theta_val, x),
        _fill(s.nu_idx, s.nu_val, x),
        _fill(s.alpha_idx, s.alpha_val, x),
    )


def implied(s: Structure, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Model-implied covariance matrices (G, p, p) and means (G, p) (None without means)."""
    lam, psi, theta, nu, alpha = unpack(s, x)
    sigma = lam @ psi @ lam.transpose(0, 2, 1)
    diag = np.arange(s.p)
    sigma[:, diag, diag] += theta
    if not s.meanstructure:
        return sigma, None
    return sigma, nu + np.einsum("gim,gm->gi", lam, alpha)


def jacobian(s: Structure, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """dSigma/dx (G, q, p, p) and dmu/dx (G, q, p)."""
    lam, psi, _, _, alpha = unpack(s, x)
    n_groups, p, q = s.n_groups, s.p, s.npar
    d_sigma = np.zeros((n_groups, q, p, p))
    lam_psi = lam @ psi
    g, i, f, k = s.lam_free
    v = lam_psi[g, :, f]
    d_sigma[g, k, i, :] += v
    d_sigma[g, k, :, i] += v
    g, f, h, k = s.psi_free
    outer = lam[g, :, f][:, :, None] * lam[g, :, h][:, None, :]
    off = (f != h)[:, None, None]
    d_sigma[g, k] += outer + off * outer.transpose(0, 2, 1)
    g, i, k = s.theta_free
    d_sigma[g, k, i, i] += 1.0
    if not s.meanstructure:
        return d_sigma, None
    d_mu = np.zeros((n_groups, q, p))
    g, i, f, k = s.lam_free
    d_mu[g, k, i] += alpha[g, f]
    g, i, k = s.nu_free
    d_mu[g, k, i] += 1.0
    g, f, k = s.alpha_free
    d_mu[g, k, :] += lam[g, :, f]
    return d_sigma, d_mu


def chain(
    g_sigma: np.ndarray, g_mu: np.ndarray | None, d_sigma: np.ndarray, d_mu: np.ndarray | None
) -> np.ndarray:
    """Gradient with respect to x from the gradients with respect to Sigma and mu."""
    n_groups, q, p, _ = d_sigma.shape
    grad = d_sigma.reshape(n_groups, q, p * p) @ g_sigma.reshape(n_groups, p * p, 1)
    grad = grad[..., 0].sum(axis=0)
    if d_mu is not None and g_mu is not None:
        grad += np.einsum("gkp,gp->k", d_mu, g_mu)
    return grad


def expected_hessian(
    sigma: np.ndarray, d_sigma: np.ndarray, d_mu: np.ndarray | None, weights: np.ndarray
) -> np.ndarray:
    """Expected second derivatives of F: sum_g w_g [tr(Si dS_k Si dS_l) + 2 dmu_k' Si dmu_l].

    Half of it is lavaan's expected (unit) information; the covariance matrix of the estimates
    is ``inv(N / 2 * H)``.
    """
    n_groups, q, p, _ = d_sigma.shape
    s_inv = np.linalg.inv(sigma)
    a = s_inv[:, None] @ d_sigma
    left = a.reshape(n_groups, q, p * p)
    right = a.transpose(0, 1, 3, 2).reshape(n_groups, q, p * p)
    h = np.einsum("g,gkl->kl", weights, left @ right.transpose(0, 2, 1))
    if d_mu is not None:
        h += 2.0 * np.einsum("g,gkl->kl", weights, d_mu @ s_inv @ d_mu.transpose(0, 2, 1))
    return (h + h.T) / 2.0


def complete_hessian(
    s: Structure, x: np.ndarray, cov: np.ndarray, mean: np.ndarray, weights: np.ndarray
) -> np.ndarray:
    """Exact second derivatives of the complete-data F at ``x`` (see :func:`hessian_units`)."""
    sigma, mu = implied(s, x)
    d_sigma, d_mu = jacobian(s, x)
    s_inv = np.linalg.inv(sigma)
    moment, d = cov, None
    if mu is not None:
        d = mean - mu
        moment = cov + d[:, :, None] * d[:, None, :]
    h = hessian_units(d_sigma, d_mu, s_inv, moment, d, weights)
    g_sigma = weights[:, None, None] * (s_inv - s_inv @ moment @ s_inv)
    g_mu = None if d is None else -2.0 * weights[:, None] * np.einsum("gij,gj->gi", s_inv, d)
    return hessian_second_order(s, x, h, g_sigma, g_mu)


def hessian_units(
    d_sigma: np.ndarray,
    d_mu: np.ndarray | None,
    s_inv: np.ndarray,
    moment: np.ndarray,
    d: np.ndarray | None,
    weights: np.ndarray,
    unit_group: np.ndarray | None = None,
) -> np.ndarray:
    """The first-derivative part of the Hessian of F, summed over units: groups, or
    missing-data patterns (``unit_group`` gives each pattern's group; ``s_inv``, ``moment`` and
    ``d`` are then zero in the rows and columns of the unanswered items).

    With M = S + d d', d = ybar - mu and A_k = Si dSigma_k, a unit adds
    w (-tr(A_k A_l) + 2 tr(A_k Si M A_l) + 2 d'Si dSigma_k Si dmu_l + 2 d'Si dSigma_l Si dmu_k
    + 2 dmu_k' Si dmu_l). The traces over all units are one matrix product.
    """
    n_groups, q, p, _ = d_sigma.shape
    grp = np.arange(n_groups) if unit_group is None else unit_group
    n_units = len(grp)
    wide = d_sigma.transpose(0, 2, 1, 3).reshape(n_groups, p, q * p)[grp]
    a = (s_inv @ wide).reshape(n_units, p, q, p)  # a[u, i, k, j] = (Si dSigma_k)[i, j]
    b = ((s_inv @ moment) @ a.reshape(n_units, p, q * p)).reshape(n_units, p, q, p)
    left = (a * weights[:, None, None, None]).transpose(2, 0, 1, 3).reshape(q, -1)
    right = (2.0 * b - a).transpose(2, 0, 3, 1).reshape(q, -1)
    h = left @ right.T
    if d_mu is not None and d is not None:
        si_d = np.einsum("uij,uj->ui", s_inv, d)
        v = (si_d[:, None, :] @ wide).reshape(n_units, q, p)
        mu_u = d_mu[grp]
        si_mu = mu_u @ s_inv
        per_unit = v @ si_mu.transpose(0, 2, 1)
        per_unit = 2.0 * (per_unit + per_unit.transpose(0, 2, 1)) + 2.0 * si_mu @ mu_u.transpose(
            0, 2, 1
        )
        h += np.einsum("u,ukl->kl", weights, per_unit)
    return h


def hessian_second_order(
    s: Structure, x: np.ndarray, h: np.ndarray, g_sigma: np.ndarray, g_mu: np.ndarray | None
) -> np.ndarray:
    """Add tr(dF/dSigma d2Sigma_kl) + dF/dmu' d2mu_kl to ``h`` and symmetrise.

    Sigma is bilinear in loadings and factor (co)variances, mu in loadings and latent means:
    the only second derivatives are loading x loading (same group), loading x factor
    (co)variance and loading x latent mean. ``g_sigma``, ``g_mu`` are dF/dSigma and dF/dmu.
    """
    lam, psi, _, _, _ = unpack(s, x)
    h = h.copy()
    g1, i1, f1, k1 = s.lam_free
    same = g1[:, None] == g1[None, :]
    val = (
        2.0
        * psi[g1[:, None], f1[:, None], f1[None, :]]
        * g_sigma[g1[:, None], i1[:, None], i1[None, :]]
    )
    np.add.at(h, (k1[:, None], k1[None, :]), np.where(same, val, 0.0))
    g2, fa, fb, k2 = s.psi_free
    gl = g_sigma @ lam
    term = gl[g1[:, None], i1[:, None], fa[None, :]] * (fb[None, :] == f1[:, None])
    term = term + np.where(
        fa[None, :] != fb[None, :],
        gl[g1[:, None], i1[:, None], fb[None, :]] * (fa[None, :] == f1[:, None]),
        0.0,
    )
    val = np.where(g1[:, None] == g2[None, :], 2.0 * term, 0.0)
    np.add.at(h, (k1[:, None], k2[None, :]), val)
    np.add.at(h, (k2[None, :], k1[:, None]), val)
    if g_mu is not None:
        g3, f3, k3 = s.alpha_free
        same = (g1[:, None] == g3[None, :]) & (f1[:, None] == f3[None, :])
        val = np.where(same, g_mu[g1, i1][:, None], 0.0)
        np.add.at(h, (k1[:, None], k3[None, :]), val)
        np.add.at(h, (k3[None, :], k1[:, None]), val)
    return (h + h.T) / 2.0


def complete_objective(
    cov: np.ndarray, mean: np.ndarray, weights: np.ndarray, logdet_cov: np.ndarray
) -> Objective:
    """F for complete data with sample covariances ``cov`` (divisor n) and means ``mean``."""
    p = cov.shape[-1]

    def objective(
        sigma: np.ndarray, mu: np.ndarray | None
    ) -> tuple[float, np.ndarray, np.ndarray | None]:
        try:
            chol = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return np.inf, sigma, mu
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        s_inv = np.linalg.inv(sigma)
        moment = cov
        if mu is not None:
            d = mean - mu
            moment = cov + d[:, :, None] * d[:, None, :]
        trace = np.einsum("gij,gji->g", s_inv, moment)
        value = float(weights @ (logdet + trace - logdet_cov - p))
        g_sigma = weights[:, None, None] * (s_inv - s_inv @ moment @ s_inv)
        g_mu = None
        if mu is not None:
            g_mu = -2.0 * weights[:, None] * np.einsum("gij,gj->gi", s_inv, mean - mu)
        return value, g_sigma, g_mu

    return objective


def minimize(
    s: Structure,
    x0: np.ndarray,
    objective: Objective,
    weights: np.ndarray,
    *,
    hessian: Callable[[np.ndarray], np.ndarray] | None = None,
    start_hessian: np.ndarray | None = None,
    tol: float = 1e-11,
    max_iter: int = 500,
) -> tuple[np.ndarray, float, int, bool]:
    """Newton or quasi-Newton minimisation of F with a backtracking line search.

    With ``hessian`` (exact second derivatives) each step is a Newton step, or a Fisher-scoring
    step (expected Hessian) where the exact Hessian is not positive definite. Without it, the
    expected Hessian at the start (or ``start_hessian``, positive definite) is updated by BFGS.
    Each step is halved until F decreases.
    Stops when the largest change of a parameter is below ``tol`` (relative to its size when
    that exceeds 1). Returns ``(x, F, iterations, converged)``.
    """
    x = np.asarray(x0, dtype=float).copy()
    sigma, mu = implied(s, x)
    value, g_sigma, g_mu = objective(sigma, mu)
    if not np.isfinite(value):
        return x, value, 0, False
    d_sigma, d_mu = jacobian(s, x)
    grad = chain(g_sigma, g_mu, d_sigma, d_mu)
    approx = None
    if hessian is None:
        approx = (
            expected_hessian(sigma, d_sigma, d_mu, weights)
            if start_hessian is None
            else start_hessian
        )
    for iteration in range(1, max_iter + 1):
        current = hessian(x) if hessian is not None else approx
        step = None if current is None else _newton_step(current, grad)
        if step is None or grad @ step >= 0:
            step = _newton_step(expected_hessian(sigma, d_sigma, d_mu, weights), grad)
            if step is None:
                return x, value, iteration, False
        slope = float(grad @ step)
        noise = 1e-13 * (1.0 + abs(value))
        t = 1.0
        while True:
            x_new = x + t * step
            sigma_new, mu_new = implied(s, x_new)
            new = objective(sigma_new, mu_new)
            if np.isfinite(new[0]) and new[0] <= value + 1e-4 * t * slope + noise:
                break
            t /= 2.0
            if t < 1e-10:
                small = np.max(np.abs(step)) <= tol * max(1.0, float(np.max(np.abs(x))))
                return x, value, iteration, bool(small)
        change = float(np.max(np.abs(t * step) / np.maximum(1.0, np.abs(x))))
        d_sigma, d_mu = jacobian(s, x_new)
        grad_new = chain(new[1], new[2], d_sigma, d_mu)
        if approx is not None:
            approx = _bfgs(approx, t * step, grad_new - grad)
        x, sigma, mu, grad = x_new, sigma_new, mu_new, grad_new
        value = new[0]
        if change <= tol:
            return x, value, iteration, True
    return x, value, max_iter, False


def _newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray | None:
    try:
        chol = np.linalg.cholesky(hess)
    except np.linalg.LinAlgError:
        return None
    step = -np.linalg.solve(chol.T, np.linalg.solve(chol, grad))
    return step if np.all(np.isfinite(step)) else None


def _bfgs(b: np.ndarray, sv: np.ndarray, y: np.ndarray) -> np.ndarray:
    sy = float(sv @ y)
    if sy <= 1e-12 * float(np.linalg.norm(sv) * np.linalg.norm(y)):
        return b
    bs = b @ sv
    return b - np.outer(bs, bs) / float(sv @ bs) + np.outer(y, y) / sy


def covariance_of_estimates(hess: np.ndarray, n_total: int) -> np.ndarray | None:
    """``inv(N / 2 * H)``, or None when H is singular (the model is not identified)."""
    info = n_total / 2.0 * hess
    eig = np.linalg.eigvalsh(info)
    if eig.size and (eig[0] <= 1e-12 * max(abs(eig[-1]), 1.0)):
        return None
    return np.linalg.inv(info)


def start_values(
    s: Structure, cov: np.ndarray, mean: np.ndarray | None, std_lv: bool
) -> np.ndarray:
    """Starting values: one-step principal-axis loadings per factor with residual variances at
    half the item variances (lavaan's start for them), factor covariances 0, intercepts at the
    sample means, latent means 0; parameters shared across groups take the mean over groups."""
    n_groups, p, m = s.n_groups, s.p, s.m
    lam = np.zeros((n_groups, p, m))
    psi = np.zeros((n_groups, m, m))
    theta = 0.5 * np.diagonal(cov, axis1=1, axis2=2)
    loads = (s.lam_idx >= 0) | (s.lam_val != 0)
    for g in range(n_groups):
        for f in range(m):
            items = np.flatnonzero(loads[g, :, f])
            sub = cov[g][np.ix_(items, items)] - np.diag(theta[g, items])
            vals, vecs = np.linalg.eigh(sub)
            load = np.sqrt(max(vals[-1], 1e-8)) * vecs[:, -1]
            if load.sum() < 0:
                load = -load
            marker = s.lam_val[g, items, f]
            fixed = s.lam_idx[g, items, f] < 0
            scaled = fixed & (marker != 0)
            if not std_lv and scaled.any():
                j = int(np.flatnonzero(scaled)[0])
                ref = load[j] if abs(load[j]) > 1e-3 * np.abs(load).max() else np.abs(load).max()
                psi[g, f, f] = (ref / marker[j]) ** 2
                lam[g, items, f] = load / (ref / marker[j])
            else:
                psi[g, f, f] = 1.0
                lam[g, items, f] = load
    x = np.zeros(s.npar)
    count = np.zeros(s.npar)
    pairs = [(s.lam_idx, lam), (s.psi_idx, psi), (s.theta_idx, theta)]
    if mean is not None:
        pairs += [(s.nu_idx, mean), (s.alpha_idx, np.zeros((n_groups, m)))]
    for idx, val in pairs:
        free = idx >= 0
        np.add.at(x, idx[free], val[free])
        np.add.at(count, idx[free], 1.0)
    return x / np.maximum(count, 1.0)

"""Full-information maximum likelihood (``missing = "ml"``) for the CFA kernels.

Rows are grouped by their pattern of answered items. With n_p rows in pattern p, observed
items o, pattern means ybar_p and covariances S_p (divisor n_p), the discrepancy is

    F = (1 / N) sum_p n_p [log|Sigma_oo| + tr(Sigma_oo^-1 (S_p + d_p d_p'))],  d_p = ybar_p - mu_o,

-2/N times the casewise normal log-likelihood without its 2 pi constant. All patterns are handled
at once: ``Sigma_oo`` is embedded in a p x p matrix with 1 on the diagonal of the unanswered
items, whose inverse and determinant are then those of ``Sigma_oo`` on the answered block.

The saturated model (means and covariances of all items) is fitted by EM exactly as lavaan's
``lav_mvnorm_missing_h1_estimate_moments`` does (start at the available-case means and
variances, stop when no mean or covariance changes by more than 1e-5), so that the unrestricted
log-likelihood, the chi-square and the SRMR are those lavaan reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colead.psychometrics.cfa import kernels
from colead.psychometrics.cfa.kernels import Objective, Structure

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class Patterns:
    """Sufficient statistics of the missing-data patterns of all groups, stacked."""

    mask: np.ndarray  # (P, p) float, 1 where answered
    count: np.ndarray  # (P,) rows with the pattern
    mean: np.ndarray  # (P, p) pattern means, 0 where unanswered
    cov: np.ndarray  # (P, p, p) pattern covariances (divisor n_p), 0 where unanswered
    group: np.ndarray  # (P,) group of the pattern
    n_obs: np.ndarray  # (G,) rows per group

    @property
    def n_total(self) -> int:
        return int(self.n_obs.sum())

    def constant(self) -> float:
        """The 2 pi part of -2 log-likelihood."""
        return float(self.count @ self.mask.sum(axis=1)) * _LOG_2PI


def patterns(groups: list[np.ndarray]) -> Patterns:
    """Pattern statistics of each group's (n_g, p) data with NaN for unanswered items."""
    masks, counts, means, covs, labels = [], [], [], [], []
    for g, x in enumerate(groups):
        answered = ~np.isnan(x)
        uniq, inverse = np.unique(answered, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        filled = np.where(answered, x, 0.0)
        for j in range(len(uniq)):
            rows = filled[inverse == j]
            n = len(rows)
            mean = rows.mean(axis=0)
            centred = rows - mean
            masks.append(uniq[j].astype(float))
            counts.append(n)
            means.append(mean * uniq[j])
            covs.append(centred.T @ centred / n)
            labels.append(g)
    return Patterns(
        mask=np.array(masks),
        count=np.array(counts, dtype=float),
        mean=np.array(means),
        cov=np.array(covs),
        group=np.array(labels, dtype=int),
        n_obs=np.array([len(x) for x in groups], dtype=float),
    )


def _embedded(sigma: np.ndarray, mask: np.ndarray) -> np.ndarray:
    p = mask.shape[1]
    out = sigma * (mask[:, :, None] * mask[:, None, :])
    out[:, np.arange(p), np.arange(p)] += 1.0 - mask
    return out


def _per_group(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    if n_groups == 1:
        return values.sum(axis=0)[None]
    onehot = (group[None, :] == np.arange(n_groups)[:, None]).astype(float)
    return (onehot @ values.reshape(len(group), -1)).reshape(n_groups, *values.shape[1:])


def objective(pat: Patterns) -> Objective:
    """The FIML discrepancy as a kernel ``Objective``."""
    n_total = pat.n_total
    n_groups = len(pat.n_obs)
    w = pat.count / n_total

    def fiml(
        sigma: np.ndarray, mu: np.ndarray | None
    ) -> tuple[float, np.ndarray, np.ndarray | None]:
        if mu is None:  # pragma: no cover - FIML models always have a mean structure
            raise ValueError("FIML needs a mean structure")
        emb = _embedded(sigma[pat.group], pat.mask)
        try:
            chol = np.linalg.cholesky(emb)
        except np.linalg.LinAlgError:
            return np.inf, sigma, mu
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        s_inv = np.linalg.inv(emb)
        d = (pat.mean - mu[pat.group]) * pat.mask
        moment = pat.cov + d[:, :, None] * d[:, None, :]
        trace = np.einsum("pij,pji->p", s_inv, moment)
        value = float(w @ (logdet + trace))
        p = sigma.shape[-1]
        g_p = s_inv - s_inv @ moment @ s_inv
        g_p[:, np.arange(p), np.arange(p)] -= 1.0 - pat.mask
        g_sigma = _per_group(w[:, None, None] * g_p, pat.group, n_groups)
        g_mu = _per_group(
            -2.0 * w[:, None] * np.einsum("pij,pj->pi", s_inv, d), pat.group, n_groups
        )
        return value, g_sigma, g_mu

    return fiml


def log_likelihood(pat: Patterns, sigma: np.ndarray, mu: np.ndarray | None) -> float:
    """Casewise normal log-likelihood at group means ``mu`` (G, p) and covariances ``sigma``."""
    value = objective(pat)(sigma, mu)[0]
    return -0.5 * (pat.n_total * value + pat.constant())


def saturated(
    pat: Patterns, *, tol: float = 1e-5, max_iter: int = 500
) -> tuple[np.ndarray, np.ndarray, bool, np.ndarray]:
    """EM estimates of the group means (G, p) and covariances (G, p, p), convergence, and the
    ridge (G,) the last EM step added to each covariance's diagonal (lavaan adds 1e-8 of the
    largest variance when the smallest eigenvalue falls below 1e-6; 0 where it did not)."""
    n_groups = len(pat.n_obs)
    p = pat.mask.shape[1]
    means = np.empty((n_groups, p))
    covs = np.empty((n_groups, p, p))
    ridges = np.zeros(n_groups)
    converged = True
    for g in range(n_groups):
        sel = pat.group == g
        mask, count, mean, cov = pat.mask[sel], pat.count[sel], pat.mean[sel], pat.cov[sel]
        answered = count @ mask
        mu = (count @ mean) / answered
        dev = (mean - mu) * mask
        var = (count @ (np.diagonal(cov, axis1=1, axis2=2) + dev**2)) / answered
        var[~np.isfinite(var) | (var == 0)] = 1.0
        sigma = np.diag(var)
        n = float(count.sum())
        both = mask[:, :, None] * mask[:, None, :]
        ok, ridge = False, 0.0
        for _ in range(max_iter):
            q = np.linalg.inv(_embedded(sigma[None], mask)) * both
            b = sigma[None] @ q
            d = (mean - mu) * mask
            e1 = count[:, None] * d
            e2 = count[:, None, None] * (cov + d[:, :, None] * d[:, None, :])
            be1 = np.einsum("pij,pj->pi", b, e1)
            t1 = n * mu + be1.sum(axis=0)
            t2 = (
                n * np.outer(mu, mu)
                + np.outer(mu, be1.sum(axis=0))
                + np.outer(be1.sum(axis=0), mu)
                + (b @ e2 @ b.transpose(0, 2, 1)).sum(axis=0)
                + (count[:, None, None] * (sigma[None] - b @ sigma[None])).sum(axis=0)
            )
            new_mu = t1 / n
            new_sigma = t2 / n - np.outer(new_mu, new_mu)
            new_sigma = (new_sigma + new_sigma.T) / 2.0
            ridge = 0.0
            if np.linalg.eigvalsh(new_sigma)[0] < 1e-6:
                ridge = np.max(np.diag(new_sigma)) * 1e-8
                new_sigma[np.diag_indices(p)] += ridge
            low = np.tril_indices(p)
            delta = max(np.max(np.abs(new_mu - mu)), np.max(np.abs(new_sigma[low] - sigma[low])))
            mu, sigma = new_mu, new_sigma
            if delta < tol:
                ok = True
                break
        means[g], covs[g], ridges[g] = mu, sigma, ridge
        converged = converged and ok
    return means, covs, converged, ridges


def independence_log_likelihood(groups: list[np.ndarray]) -> float:
    """Log-likelihood of the baseline model (free means and variances, no covariances), which
    factorises over items: each item's available-case mean and variance (divisor n)."""
    total = 0.0
    for x in groups:
        for col in x.T:
            v = col[~np.isnan(col)]
            var = v.var()
            total += -0.5 * len(v) * (_LOG_2PI + np.log(var) + 1.0)
    return total


def hessian(
    s: Structure, pat: Patterns, x: np.ndarray, *, max_elements: int = 4_000_000
) -> np.ndarray:
    """Exact second derivatives of the FIML discrepancy (the observed information, up to N/2).

    The patterns are summed in chunks of at most ``max_elements`` array elements.
    """
    sigma, mu = kernels.implied(s, x)
    d_sigma, d_mu = kernels.jacobian(s, x)
    if mu is None or d_mu is None:  # pragma: no cover - FIML models have a mean structure
        raise ValueError("FIML needs a mean structure")
    _, g_sigma, g_mu = objective(pat)(sigma, mu)
    q, p = s.npar, s.p
    both = pat.mask[:, :, None] * pat.mask[:, None, :]
    s_inv = np.linalg.inv(_embedded(sigma[pat.group], pat.mask)) * both
    d = (pat.mean - mu[pat.group]) * pat.mask
    moment = pat.cov + d[:, :, None] * d[:, None, :]
    w = pat.count / pat.n_total
    h = np.zeros((q, q))
    step = max(1, max_elements // max(q * p * p, 1))
    for lo in range(0, len(w), step):
        sl = slice(lo, lo + step)
        h += kernels.hessian_units(
            d_sigma, d_mu, s_inv[sl], moment[sl], d[sl], w[sl], pat.group[sl]
        )
    return kernels.hessian_second_order(s, x, h, g_sigma, g_mu)

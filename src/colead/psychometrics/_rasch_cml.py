"""Conditional maximum likelihood for the Rasch rating-scale and partial-credit models.

Parametrisation as eRm's: P(X_i = h | theta) is proportional to exp(h * theta + beta_ih),
beta_i0 = 0, and beta = W @ eta for a design matrix W. Given a person's raw score r, theta
drops out: P(x | r) = exp(sum beta_{i x_i}) / gamma_r, with gamma the elementary symmetric
functions of the items the person answered. Persons who skipped the same items share gamma,
so everything is computed once per missingness pattern and vectorised over patterns
(summation algorithm: gamma is the product of the item polynomials 1 + sum_h e^beta_ih z^h).

Array conventions: items are padded to M steps; ``A`` (patterns x items x M+1) holds the
item polynomials, each divided by its largest coefficient (the factors cancel in every
probability, and are added back in the log-likelihood); a skipped item's polynomial is 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CMLData:
    """Sufficient statistics of the informative persons (at least two answers, raw score
    neither 0 nor the maximum of their answered items)."""

    masks: np.ndarray  # patterns x items, bool: answered
    counts: np.ndarray  # patterns x (R + 1): persons per pattern and raw score
    stats: np.ndarray  # items x M: persons answering category h (1..M) of item i
    steps: np.ndarray  # items: number of steps m_i
    n_persons: int


@dataclass(frozen=True)
class CMLFit:
    eta: np.ndarray
    vcov: np.ndarray  # covariance of eta (inverse observed information)
    loglik: float
    iterations: int
    converged: bool
    gradient_max: float


def beta_table(beta: np.ndarray, steps: np.ndarray) -> np.ndarray:
    """items x (M + 1) with column 0 = 0 and -inf past an item's last category."""
    m_max = int(steps.max())
    table = np.full((len(steps), m_max + 1), -np.inf)
    table[:, 0] = 0.0
    valid = np.arange(1, m_max + 1)[None, :] <= steps[:, None]
    table[:, 1:][valid] = beta
    return table


def _polys(table: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    top = table.max(axis=1)
    scaled = np.exp(table - top[:, None])
    unit = np.zeros_like(scaled[0])
    unit[0] = 1.0
    a = np.where(masks[:, :, None], scaled[None, :, :], unit[None, None, :])
    return a, masks @ top


def _conv(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Product of polynomials p (G x L) and a (G x M+1), truncated to length L."""
    out = p * a[:, :1]
    length = p.shape[1]
    for h in range(1, a.shape[1]):
        out[:, h:] += a[:, h : h + 1] * p[:, : length - h]
    return out


def _mul(p: np.ndarray, q: np.ndarray, p_degree: int, q_degree: int) -> np.ndarray:
    """Product of p and q (G x L, of the given degrees), truncated to length L; the loop
    runs over the coefficients of the shorter one."""
    if q_degree < p_degree:
        p, q, p_degree = q, p, q_degree
    out = np.zeros_like(q)
    length = q.shape[1]
    for s in range(min(p_degree, length - 1) + 1):
        out[:, s:] += p[:, s : s + 1] * q[:, : length - s]
    return out


def _prefix_suffix(a: np.ndarray, length: int, steps: np.ndarray) -> tuple[list, list]:
    g, k = a.shape[0], a.shape[1]
    one = np.zeros((g, length))
    one[:, 0] = 1.0
    pre = [one]
    for i in range(k):
        pre.append(_conv(pre[-1], a[:, i]))
    suf = [one]
    for i in range(k - 1, -1, -1):
        suf.append(_conv(suf[-1], a[:, i]))
    return pre, suf[::-1]  # suf[i]: product of items i..k-1


def _deleted(pre: list, suf: list, steps: np.ndarray) -> np.ndarray:
    """gamma without item i, for every i: items x G x L."""
    k = len(steps)
    degrees = np.concatenate([[0], np.cumsum(steps)])
    out = []
    for i in range(k):
        left, right = degrees[i], degrees[k] - degrees[i + 1]
        out.append(_mul(pre[i], suf[i + 1], int(left), int(right)))
    return np.stack(out)


def _shifted(values: np.ndarray, shifts: int) -> np.ndarray:
    """out[..., t, s] = values[..., s + t] (0 past the end), t in 0..shifts-1."""
    length = values.shape[-1]
    padded = np.concatenate([values, np.zeros((*values.shape[:-1], shifts))], axis=-1)
    index = np.arange(length)[None, :] + np.arange(shifts)[:, None]
    return padded[..., index]


def cml_parts(
    beta: np.ndarray, data: CMLData, *, hessian: bool
) -> tuple[float, np.ndarray, np.ndarray | None]:
    """Log-likelihood, gradient and (optionally) Hessian with respect to beta."""
    steps = data.steps
    table = beta_table(beta, steps)
    a, log_top = _polys(table, data.masks)
    length = data.counts.shape[1]
    m_max = int(steps.max())
    pre, suf = _prefix_suffix(a, length, steps)
    gamma = pre[-1]
    n = data.counts
    used = n > 0
    with np.errstate(divide="ignore"):
        log_gamma = np.log(np.where(used, gamma, 1.0))
    finite = np.isfinite(table[:, 1:])
    stats = data.stats
    loglik = float(np.sum(stats[finite] * table[:, 1:][finite]))
    loglik -= float(np.sum(n * log_gamma) + n.sum(axis=1) @ log_top)
    w = np.where(used, n / np.where(used, gamma, 1.0), 0.0)
    deleted = _deleted(pre, suf, steps)  # k x G x L
    # P1[k, g, h, r] = a_gkh gamma^(k)_{g, r-h} / gamma_gr  (h = 1..M)
    back = np.zeros((*deleted.shape[:2], m_max, length))
    for h in range(1, m_max + 1):
        back[:, :, h - 1, h:] = deleted[:, :, : length - h]
    ak = np.transpose(a[:, :, 1:], (1, 0, 2))  # k x G x M
    expected = np.einsum("kgh,kghr,gr->kh", ak, back, w)
    grad = (stats - expected)[finite]
    if not hessian:
        return loglik, grad, None
    k = len(steps)
    # covariance of the category indicators given the raw score, summed over persons:
    # first the product of the marginals ...
    root = np.where(used, np.sqrt(n) / np.where(used, gamma, 1.0), 0.0)
    z = ak[:, :, :, None] * back * root[None, :, None, :]
    z = np.transpose(z, (1, 3, 0, 2)).reshape(-1, k * m_max)[used.reshape(-1)]
    # not z.T @ z: a multithreaded BLAS call costs more than it saves at this size
    outer = np.einsum("ri,rj->ij", z, z)
    # ... then the joint probabilities: gamma without items i and j, for every pair
    joint = np.zeros((k, m_max, k, m_max))
    for i in range(k):
        joint[i, :, i, :] = np.diag(expected[i])
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    if pairs:
        degrees = np.concatenate([[0], np.cumsum(steps)])
        both = []
        for i in range(k - 1):
            run = pre[i]
            run_degree = int(degrees[i])
            for j in range(i + 1, k):
                both.append(_mul(run, suf[j + 1], run_degree, int(degrees[k] - degrees[j + 1])))
                run = _conv(run, a[:, j])
                run_degree += int(steps[j])
        both_arr = np.stack(both, axis=1)  # G x pairs x L
        shifts = 2 * m_max + 1
        wsh = _shifted(w, shifts)  # G x shifts x L
        t = np.matmul(both_arr, np.transpose(wsh, (0, 2, 1)))  # G x pairs x shifts
        hk = np.arange(1, m_max + 1)[:, None] + np.arange(1, m_max + 1)[None, :]
        ii = np.array([p[0] for p in pairs])
        jj = np.array([p[1] for p in pairs])
        cross = np.einsum("gph,gpk,gphk->phk", a[:, ii, 1:], a[:, jj, 1:], t[:, :, hk])
        joint[ii, :, jj, :] = cross
        joint[jj, :, ii, :] = np.transpose(cross, (0, 2, 1))
    cov = joint.reshape(k * m_max, k * m_max) - outer
    flat = finite.reshape(-1)
    return loglik, grad, -cov[np.ix_(flat, flat)]


def fit_cml(
    data: CMLData, design: np.ndarray, *, max_iter: int = 100, tol: float = 1e-10
) -> CMLFit:
    """Newton-Raphson on eta with step halving; the Hessian is exact."""
    eta = np.zeros(design.shape[1])
    loglik, grad_b, hess_b = cml_parts(design @ eta, data, hessian=True)
    converged = False
    iterations = 0
    while iterations < max_iter and not converged:
        iterations += 1
        grad = design.T @ grad_b
        info = -(design.T @ hess_b @ design)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:  # flat likelihood: no maximum
            break
        scale = 1.0
        while scale >= 1e-10:
            trial = eta + scale * step
            new = cml_parts(design @ trial, data, hessian=True)
            if np.isfinite(new[0]) and new[0] >= loglik - 1e-12 * abs(loglik):
                break
            scale /= 2
        else:
            # no step improves the likelihood: at the maximum up to rounding (then the Newton
            # step is tiny), or running off to infinity where the likelihood is flat
            converged = bool(np.max(np.abs(step)) < 1e-6)
            break
        eta, (loglik, grad_b, hess_b) = trial, new
        converged = bool(np.max(np.abs(scale * step)) < tol)
    grad = design.T @ grad_b
    info = -(design.T @ hess_b @ design)
    try:
        vcov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        vcov, converged = np.full_like(info, np.nan), False
    return CMLFit(
        eta=eta,
        vcov=vcov,
        loglik=loglik,
        iterations=iterations,
        converged=converged,
        gradient_max=float(np.max(np.abs(grad))),
    )

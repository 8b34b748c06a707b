"""Sufficient statistics of two-level data and lavaan's saturated (H1) two-level model.

For items that vary within and between clusters, the two-level normal log-likelihood depends
on the data only through the pooled within-cluster covariance matrix and, per distinct cluster
size s, the number of clusters of that size, the mean and the covariance (divisor n_s) of
their cluster means. All of them come from group sums (``np.bincount``, ``np.add.reduceat``),
so the cost is one pass over the rows whatever the number of clusters.

With these, -2 log L (without the 2 pi term) is

    (N - J) [log|W| + tr(W^-1 S_PW)]
      + sum_s n_s [log|W + s B| + s tr((W + s B)^-1 (C_s + (m_s - mu)(m_s - mu)'))],

with W, B the within and between covariance matrices and mu the mean (lavaan's
``lav_mvnorm_cluster_loglik_samplestats_2l``). Each size class is thus a "unit" with implied
covariance W + sB, moment s (C_s + d d') and weight n_s, and the within part one more unit;
this lets the single-level ML kernels (``_cfa_kernels``) give gradients and Hessians.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class ClusterStats:
    """What the two-level likelihood needs from complete rows ``y`` in clusters ``codes``.

    Attributes
    ----------
    n, n_clusters : int
        Rows and clusters (N and J).
    cluster_size : ndarray (J,)
    sizes, size_count : ndarray (U,)
        The distinct cluster sizes s (ascending) and how many clusters have each (n_s).
    within_cov : ndarray (p, p)
        Pooled within-cluster covariance, divisor N - J (lavaan's ``S.PW``).
    class_mean, class_cov : ndarray (U, p), (U, p, p)
        Mean and covariance (divisor n_s) of the cluster means of each size class.
    class_sum, class_cross : ndarray (U, p), (U, p, p)
        Sum of the cluster means and of their outer products in each class (for the EM).
    cross : ndarray (p, p)
        Raw cross-product Y'Y of the rows (lavaan's ``Y1Y1``).
    grand_mean : ndarray (p,)
    """

    n: int
    n_clusters: int
    cluster_size: np.ndarray
    sizes: np.ndarray
    size_count: np.ndarray
    within_cov: np.ndarray
    class_mean: np.ndarray
    class_cov: np.ndarray
    class_sum: np.ndarray
    class_cross: np.ndarray
    cross: np.ndarray
    grand_mean: np.ndarray

    @property
    def p(self) -> int:
        return int(self.within_cov.shape[0])


def cluster_stats(y: np.ndarray, codes: np.ndarray) -> ClusterStats:
    """Sufficient statistics of complete rows ``y`` (N, p); ``codes`` numbers the clusters
    0..J-1 (every number used)."""
    n, p = y.shape
    size = np.bincount(codes)
    n_clusters = len(size)
    sums = (
        np.column_stack(
            [np.bincount(codes, weights=y[:, k], minlength=n_clusters) for k in range(p)]
        )
        if p
        else np.zeros((n_clusters, 0))
    )
    means = sums / size[:, None]
    within = y - means[codes]
    df_within = n - n_clusters
    within_cov = within.T @ within / df_within if df_within > 0 else np.full((p, p), np.nan)
    sizes, size_class = np.unique(size, return_inverse=True)
    order = np.argsort(size_class, kind="stable")
    starts = np.searchsorted(size_class[order], np.arange(len(sizes)))
    count = np.bincount(size_class, minlength=len(sizes)).astype(float)
    sorted_means = means[order]
    class_sum = np.add.reduceat(sorted_means, starts, axis=0)
    class_mean = class_sum / count[:, None]
    dev = sorted_means - class_mean[size_class[order]]
    class_cov = np.add.reduceat(dev[:, :, None] * dev[:, None, :], starts, axis=0)
    class_cov /= count[:, None, None]
    class_cross = class_cov * count[:, None, None] + count[:, None, None] * (
        class_mean[:, :, None] * class_mean[:, None, :]
    )
    return ClusterStats(
        n=n,
        n_clusters=n_clusters,
        cluster_size=size,
        sizes=sizes.astype(float),
        size_count=count,
        within_cov=within_cov,
        class_mean=class_mean,
        class_cov=class_cov,
        class_sum=class_sum,
        class_cross=class_cross,
        cross=y.T @ y,
        grand_mean=y.mean(axis=0),
    )


def units(st: ClusterStats, mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per size class the moment s (C_s + d d'), d = m_s - mu, and the weights n_s."""
    d = st.class_mean - mu
    moment = st.sizes[:, None, None] * (st.class_cov + d[:, :, None] * d[:, None, :])
    return moment, st.size_count


def minus_two_loglik(st: ClusterStats, w: np.ndarray, b: np.ndarray, mu: np.ndarray) -> float:
    """-2 log L without the 2 pi term; inf where a matrix is not positive definite."""
    moment, count = units(st, mu)
    total = w[None] + st.sizes[:, None, None] * b[None]
    try:
        chol_w = np.linalg.cholesky(w)
        chol = np.linalg.cholesky(total)
    except np.linalg.LinAlgError:
        return np.inf
    logdet_w = 2.0 * np.log(np.diag(chol_w)).sum()
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    trace = np.einsum("uij,uji->u", np.linalg.inv(total), moment)
    within = (st.n - st.n_clusters) * (logdet_w + np.trace(np.linalg.solve(w, st.within_cov)))
    return float(within + count @ (logdet + trace))


def loglik(st: ClusterStats, w: np.ndarray, b: np.ndarray, mu: np.ndarray) -> float:
    """The log-likelihood as lavaan reports it (``logl``)."""
    return -0.5 * (minus_two_loglik(st, w, b, mu) + st.n * st.p * _LOG_2PI)


@dataclass(frozen=True)
class Saturated:
    """lavaan's unrestricted two-level model: Sigma_W, Sigma_B, the within and between means
    and the log-likelihood at which its EM stopped."""

    within: np.ndarray
    between: np.ndarray
    mean_within: np.ndarray
    mean_between: np.ndarray
    logl: float
    iterations: int


def saturated(
    st: ClusterStats, *, tol: float = 1e-4, max_iter: int = 5000, min_variance: float = 1e-5
) -> Saturated:
    """The saturated model by lavaan's EM (``lav_mvnorm_cluster_em_sat`` with the settings of
    ``lav_h1_implied_logl``): start at identity matrices and zero means, stop when the
    log-likelihood rises by less than ``tol``.

    The EM is run exactly as lavaan runs it, stopping rule included, because lavaan's
    chi-square is 2 (logl_H1 - logl_model) with this H1: its log-likelihood is slightly below
    the maximum, and matching lavaan's chi-square needs the same shortfall.
    """
    p = st.p
    w, b = np.eye(p), np.eye(p)
    mu_w, mu_b = np.zeros(p), np.zeros(p)
    fx_old = loglik(st, w, b, mu_w + mu_b)
    fx = fx_old
    i = 0
    for i in range(1, max_iter + 1):  # noqa: B007 (the count is returned)
        w, b, mu_w, mu_b = _em_step(st, w, b, mu_w, mu_b)
        w_used = w
        low = np.flatnonzero(np.diag(w) < min_variance)
        if low.size:
            w_used = w.copy()
            w_used[low, :] = 0.0
            w_used[:, low] = 0.0
            w_used[low, low] = min_variance
            w = w_used
        fx = loglik(st, w_used, b, mu_w + mu_b)
        if fx - fx_old < tol:
            break
        fx_old = fx
    return Saturated(w, b, mu_w, mu_b, fx, i)


def _em_step(
    st: ClusterStats, w: np.ndarray, b: np.ndarray, mu_w: np.ndarray, mu_b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One EM step of lavaan's ``lav_mvnorm_cluster_em_estepb``, all size classes at once.

    The between part of cluster j is predicted as E v_j = a + K ybar_j with
    K = B (W/s + B)^-1 and a = mu_b - K mu, so every sum over clusters reduces to the class
    sums of ybar_j and ybar_j ybar_j'.
    """
    s = st.sizes[:, None, None]
    n_s = st.size_count[:, None, None]
    mu = mu_w + mu_b
    k = b[None] @ np.linalg.inv(w[None] / s + b[None])  # (U, p, p)
    a = mu_b[None] - np.einsum("uij,j->ui", k, mu)  # (U, p)
    sy, syy = st.class_sum, st.class_cross
    k_sy = np.einsum("uij,uj->ui", k, sy)
    sum_ev = st.size_count[:, None] * a + k_sy
    outer_a_sy = a[:, :, None] * sy[:, None, :] @ k.transpose(0, 2, 1)
    sum_evv = (
        n_s * (a[:, :, None] * a[:, None, :])
        + outer_a_sy
        + outer_a_sy.transpose(0, 2, 1)
        + k @ syy @ k.transpose(0, 2, 1)
    )
    sum_y_ev = sy[:, :, None] * a[:, None, :] + syy @ k.transpose(0, 2, 1)  # sum ybar Ev'
    cov_v = n_s * (b[None] - k @ b[None])
    cov_v = (cov_v + cov_v.transpose(0, 2, 1)) / 2.0
    evv = cov_v + sum_evv
    mw = (st.sizes[:, None] * (sy - sum_ev)).sum(axis=0)
    mb = sum_ev.sum(axis=0)
    cw2 = (s * (evv - sum_y_ev - sum_y_ev.transpose(0, 2, 1))).sum(axis=0)
    cb = evv.sum(axis=0)
    m_w = mw / st.n
    m_b = mb / st.n_clusters
    c_b = cb / st.n_clusters
    c_w = (st.cross + cw2) / st.n
    return c_w - np.outer(m_w, m_w), c_b - np.outer(m_b, m_b), m_w, m_b

"""The two-level normal likelihood with missing answers (full-information ML), as lavaan 0.6's
``lav_mvnorm_cluster_missing_loglik_samplestats_2l``, with its gradient.

Respondent i of cluster j answers the items o_i; y_ij = mu + b_j + w_ij with b_j ~ N(0, B) and
w_ij ~ N(0, W). With Wi_i the inverse of W on the answered items (embedded in a p x p matrix
with zeros elsewhere), r_i the residual y_i - mu on the answered items (0 elsewhere),

    A_j = sum_i Wi_i,    p_j = sum_i Wi_i r_i,    H_j = (I + B A_j)^-1 B,

minus twice the log-likelihood (without its 2 pi term) is

    sum_i log|W_oo,i| + sum_j log|I + B A_j| + sum_i r_i' Wi_i r_i - sum_j p_j' H_j p_j.

Rows are grouped by their pattern of answered items (K patterns) and the pairs of a cluster and
a pattern ("cells"), so an evaluation costs a few batched p x p operations per pattern, cell and
cluster. H_j is computed symmetrically as B - B F (I + F'BF)^-1 F'B with A_j = F F' (Cholesky),
which also tells whether the cluster's covariance matrix is positive definite when B is not
(a negative between-level residual variance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class MissingClusters:
    """Sufficient statistics of two-level data with missing answers.

    Attributes
    ----------
    n, n_clusters, p : int
        Rows (each with at least one answer), clusters and items.
    cluster_size : ndarray (J,)
    mask, count : ndarray (K, p), (K,)
        Each pattern of answered items (1 where answered) and its number of rows.
    mean, cov : ndarray (K, p), (K, p, p)
        Mean and covariance (divisor n_k) of the rows of each pattern, 0 where unanswered.
    cell_cluster, cell_pattern, cell_n : ndarray (C,)
        The cluster, pattern and number of rows of each cell.
    cell_sum, cell_count_mask : ndarray (C, p)
        Sum of the answers of the rows of each cell (0 where unanswered), and its number of
        rows where answered (0 elsewhere).
    pattern_bounds : ndarray (K + 1,)
        The cells are sorted by pattern: those of pattern k are ``pattern_bounds[k]`` to
        ``pattern_bounds[k + 1] - 1``.
    counts : sparse matrix (J, K)
        Rows of each pattern in each cluster.
    observed : ndarray (J, p)
        1 where some row of the cluster answered the item.
    n_values : int
        Answers in all (for the 2 pi term).
    """

    n: int
    n_clusters: int
    p: int
    cluster_size: np.ndarray
    mask: np.ndarray
    count: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    cell_cluster: np.ndarray
    cell_pattern: np.ndarray
    cell_n: np.ndarray
    cell_sum: np.ndarray
    cell_count_mask: np.ndarray
    pattern_bounds: np.ndarray
    counts: sparse.csr_matrix
    observed: np.ndarray
    n_values: int


def missing_clusters(y: np.ndarray, codes: np.ndarray) -> MissingClusters:
    """Statistics of rows ``y`` (N, p; NaN where unanswered, every row with an answer) in
    clusters ``codes`` numbered 0..J-1."""
    n, p = y.shape
    answered = ~np.isnan(y)
    filled = np.where(answered, y, 0.0)
    if p <= 62:  # one integer per pattern: much faster than unique rows
        bits = answered.astype(np.int64) @ (np.int64(1) << np.arange(p, dtype=np.int64))
        _, first, pattern = np.unique(bits, return_index=True, return_inverse=True)
        uniq = answered[first]
    else:
        uniq, pattern = np.unique(answered, axis=0, return_inverse=True)
    pattern = pattern.ravel()
    k = len(uniq)
    order = np.argsort(pattern, kind="stable")
    count = np.bincount(pattern, minlength=k)
    bounds = np.concatenate([[0], np.cumsum(count)])
    mean = np.zeros((k, p))
    cov = np.zeros((k, p, p))
    for j in range(k):  # one matrix product per pattern
        block = filled[order[bounds[j] : bounds[j + 1]]]
        mean[j] = block.mean(axis=0)
        centred = block - mean[j]
        cov[j] = centred.T @ centred / len(block)
    n_clusters = int(codes.max()) + 1
    key = pattern.astype(np.int64) * n_clusters + codes  # cells sorted by pattern
    cells, cell_of_row = np.unique(key, return_inverse=True)
    cell_of_row = cell_of_row.ravel()
    n_cells = len(cells)
    cell_sum = np.column_stack(
        [np.bincount(cell_of_row, weights=filled[:, c], minlength=n_cells) for c in range(p)]
    )
    cell_n = np.bincount(cell_of_row, minlength=n_cells).astype(float)
    cell_pattern, cell_cluster = cells // n_clusters, cells % n_clusters
    counts = sparse.csr_matrix(
        (cell_n, (cell_cluster, cell_pattern)), shape=(n_clusters, k), dtype=float
    )
    mask = uniq.astype(float)
    return MissingClusters(
        n=n,
        n_clusters=n_clusters,
        p=p,
        cluster_size=np.bincount(codes, minlength=n_clusters),
        mask=mask,
        count=count.astype(float),
        mean=mean,
        cov=cov,
        cell_cluster=cell_cluster,
        cell_pattern=cell_pattern,
        cell_n=cell_n,
        cell_sum=cell_sum,
        cell_count_mask=cell_n[:, None] * mask[cell_pattern],
        pattern_bounds=np.searchsorted(cell_pattern, np.arange(k + 1)),
        counts=counts,
        observed=(counts @ mask > 0).astype(float),
        n_values=int(answered.sum()),
    )


def _lower_solve(low: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """L^-1 R for a stack of lower-triangular L (n, p, p) and R (n, p, m), by forward
    substitution over the p rows: numpy's batched solve factorises again and is several
    times slower for small matrices."""
    out = np.empty(np.broadcast_shapes(low.shape[:-1], rhs.shape[:-1]) + rhs.shape[-1:])
    for i in range(low.shape[-1]):
        row = rhs[..., i, :] - (low[..., i : i + 1, :i] @ out[..., :i, :])[..., 0, :]
        out[..., i, :] = row / low[..., i, i : i + 1]
    return out


def _pattern_inverses(w: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Wi_k (K, p, p) and log|W_oo,k| (K,); None where W is not positive definite."""
    p = mask.shape[1]
    both = mask[:, :, None] * mask[:, None, :]
    emb = w[None] * both
    emb[:, np.arange(p), np.arange(p)] += 1.0 - mask
    try:
        chol = np.linalg.cholesky(emb)
    except np.linalg.LinAlgError:
        return None
    logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
    half = _lower_solve(chol, np.broadcast_to(np.eye(p), chol.shape))  # L^-1
    return (half.transpose(0, 2, 1) @ half) * both, logdet


def _per_cell(
    mats: np.ndarray, st: MissingClusters, vecs: np.ndarray, out: np.ndarray
) -> np.ndarray:
    """mats[k] @ vecs[c] for every cell c of every pattern k (symmetric ``mats``) into
    ``out``: one matrix product per pattern, faster than gathering a matrix per cell."""
    bounds = st.pattern_bounds
    for k in range(len(mats)):
        lo, hi = bounds[k], bounds[k + 1]
        np.matmul(vecs[lo:hi], mats[k], out=out[lo:hi])
    return out


def _by_cluster(values: np.ndarray, st: MissingClusters) -> np.ndarray:
    return np.column_stack(
        [
            np.bincount(st.cell_cluster, weights=values[:, c], minlength=st.n_clusters)
            for c in range(values.shape[1])
        ]
    )


@dataclass(frozen=True)
class Evaluation:
    """-2 log L without the 2 pi term, and its gradients with respect to W, B (as symmetric
    matrices: d = tr(G dW)) and mu; the gradients are None when not asked for."""

    value: float
    g_within: np.ndarray | None = None
    g_between: np.ndarray | None = None
    g_mean: np.ndarray | None = None


class Workspace:
    """Arrays of the size of the cells, reused from one evaluation to the next: allocating
    them afresh each time costs more than the arithmetic on them."""

    def __init__(self, st: MissingClusters) -> None:
        shape = st.cell_sum.shape
        self.resid, self.q, self.hp, self.g = (np.empty(shape) for _ in range(4))


def evaluate(
    st: MissingClusters,
    w: np.ndarray,
    b: np.ndarray,
    mu: np.ndarray,
    *,
    gradient: bool = True,
    work: Workspace | None = None,
) -> Evaluation:
    """-2 log L (no 2 pi term) at within covariance ``w``, between covariance ``b`` and mean
    ``mu``; inf where a covariance matrix of some cluster is not positive definite."""
    p, k = st.p, len(st.count)
    work = Workspace(st) if work is None else work
    inverses = _pattern_inverses(w, st.mask)
    if inverses is None:
        return Evaluation(np.inf)
    w_inv, logdet_w = inverses
    a = (st.counts @ w_inv.reshape(k, p * p)).reshape(-1, p, p)
    eye = np.eye(p)
    # A_j = F F' with F = L diag(observed): unanswered items get a unit pivot, then drop out
    try:
        low = np.linalg.cholesky(a + eye * (1.0 - st.observed)[:, None, :])
    except np.linalg.LinAlgError:  # pragma: no cover - A_j is positive definite on its items
        return Evaluation(np.inf)
    f_mat = low * st.observed[:, None, :]
    fb = f_mat.transpose(0, 2, 1) @ b  # F'B
    s_mat = eye + fb @ f_mat
    try:
        chol_s = np.linalg.cholesky(s_mat)
    except np.linalg.LinAlgError:
        return Evaluation(np.inf)
    logdet_s = 2.0 * np.log(np.diagonal(chol_s, axis1=1, axis2=2)).sum(axis=1)
    half = _lower_solve(chol_s, fb)  # L_S^-1 F'B
    h = b - half.transpose(0, 2, 1) @ half
    resid = np.subtract(st.cell_sum, np.multiply(st.cell_count_mask, mu, out=work.resid),
                        out=work.resid)  # fmt: skip
    q = _per_cell(w_inv, st, resid, work.q)
    pj = _by_cluster(q, st)
    hp = np.einsum("jab,jb->ja", h, pj)
    d = (st.mean - mu) * st.mask
    moment = st.count[:, None, None] * (st.cov + d[:, :, None] * d[:, None, :])
    value = float(
        st.count @ logdet_w
        + logdet_s.sum()
        + np.einsum("kij,kji->", w_inv, moment)
        - np.einsum("ja,ja->", pj, hp)
    )
    if not gradient:
        return Evaluation(value)
    u = pj - np.einsum("jab,jb->ja", a, hp)
    g_mean = -2.0 * u.sum(axis=0)
    g_between = (a - a @ h @ a).sum(axis=0) - u.T @ u
    g_k = (st.counts.T @ h.reshape(-1, p * p)).reshape(k, p, p)
    g = _per_cell(w_inv, st, np.take(hp, st.cell_cluster, axis=0, out=work.hp), work.g)
    # sum over cells of q g' + g q' - n g g' = X'g + g'X with X = q - n g / 2
    half_n_g = np.multiply(g, 0.5 * st.cell_n[:, None], out=work.resid)
    cross = np.subtract(q, half_n_g, out=work.resid).T @ g
    g_within = (st.count @ w_inv.reshape(k, p * p)).reshape(p, p) - (
        w_inv @ (g_k + moment) @ w_inv
    ).sum(axis=0)
    g_within += cross + cross.T
    return Evaluation(value, g_within, (g_between + g_between.T) / 2.0, g_mean)


def loglik(st: MissingClusters, w: np.ndarray, b: np.ndarray, mu: np.ndarray) -> float:
    """The log-likelihood as lavaan reports it (``logl``)."""
    return -0.5 * (evaluate(st, w, b, mu, gradient=False).value + st.n_values * _LOG_2PI)

"""The asymptotic covariance matrix of thresholds and polychoric correlations (lavaan's NACOV).

This is Muthen's (1984) two-step sandwich as lavaan's ``muthen1984`` builds it: per respondent
the scores of each item's thresholds (univariate probit likelihood) and of each pair's
correlation (bivariate likelihood given the thresholds); ``A11`` (threshold information, block
diagonal), ``A21`` (correlation scores times their thresholds' bivariate scores), ``A22``
(diagonal) and ``INNER`` (all scores' cross-products); then
``Gamma = N * B^-1 INNER B^-T`` with ``B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]]``.

Every score depends on a respondent's answers to one item or one pair only, so each is a
lookup table over categories (or pairs of categories); all blocks but ``INNER`` come from the
contingency tables, and ``INNER`` is one symmetric product of the score matrix, built and
multiplied in chunks of respondents (never a loop over respondents).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from colead.psychometrics._polychoric import EPS, GroupStats, cell_terms

_CHUNK = 8192
_OFFSET = 100.0  # lavaan puts the open ends of the outer categories at +-100


def _limits(tau: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Upper and lower limits of each category (padded to ``size`` with the top category)."""
    ncat = len(tau) + 1
    upper = np.full(size, _OFFSET)
    lower = np.full(size, _OFFSET)
    upper[: ncat - 1] = tau
    lower[0] = -_OFFSET
    lower[1:ncat] = tau
    return upper, lower


def _univariate_scores(tau: np.ndarray) -> np.ndarray:
    """(categories, thresholds): d log P(category) / d threshold (lavaan's ``lav_uvord_scores``)."""
    ncat = len(tau) + 1
    upper, lower = _limits(tau, ncat)
    prob = np.where(lower > 1, ndtr(-lower) - ndtr(-upper), ndtr(upper) - ndtr(lower))
    dens_u = np.exp(-0.5 * upper**2) / np.sqrt(2 * np.pi)
    dens_l = np.exp(-0.5 * lower**2) / np.sqrt(2 * np.pi)
    out = np.zeros((ncat, ncat - 1))
    k = np.arange(ncat - 1)
    out[k, k] += dens_u[k]
    out[k + 1, k] -= dens_l[k + 1]
    return out / prob[:, None]


def _threshold_scores(
    rho: np.ndarray, mine: np.ndarray, other: np.ndarray, lik: np.ndarray
) -> np.ndarray:
    """(pairs, size, size, size - 1): d log P(cell) / d threshold of the row item, for cells
    indexed (row category, column category); ``mine`` / ``other`` are (pairs, 2, size) limits
    (upper, lower) of the row and column items."""
    rr = np.sqrt(1.0 - rho * rho)[:, None, None]
    r = rho[:, None, None]
    z1, z2 = mine[:, 0][:, :, None], mine[:, 1][:, :, None]
    o1, o2 = other[:, 0][:, None, :], other[:, 1][:, None, :]
    phi = lambda z: np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)  # noqa: E731
    up = phi(z1) * (ndtr((o1 - r * z1) / rr) - ndtr((o2 - r * z1) / rr))
    low = phi(z2) * (ndtr((o1 - r * z2) / rr) - ndtr((o2 - r * z2) / rr))
    size = mine.shape[2]
    out = np.zeros((*lik.shape, size - 1))
    k = np.arange(size - 1)
    out[:, k, :, k] += np.moveaxis(up[:, k, :], 1, 0)
    out[:, k + 1, :, k] -= np.moveaxis(low[:, k + 1, :], 1, 0)
    return out / lik[..., None]


def nacov(stats: GroupStats) -> np.ndarray:
    """N times the asymptotic covariance of (thresholds, correlations) of one group, in lavaan's
    order: thresholds item by item, then correlations in ``vech`` order. Complete data only."""
    codes, ncat, size = stats.codes, stats.ncat, stats.size
    n, p = codes.shape
    rows, cols = stats.rows, stats.cols
    n_pairs = len(rows)
    nth = ncat - 1
    th_start = np.concatenate([[0], np.cumsum(nth)[:-1]]).astype(int)
    n_th = int(nth.sum())

    uni = [_univariate_scores(t) for t in stats.taus]
    prob, d_rho, _ = cell_terms(stats.rho, stats.t_pad[rows], stats.t_pad[cols])
    bad = prob <= EPS
    lik = np.where(bad, np.nan, prob)
    sc_rho = np.where(bad, 0.0, d_rho / np.where(bad, 1.0, lik))
    limits = np.array([np.stack(_limits(t, size)) for t in stats.taus])  # (p, 2, size)
    safe = np.where(bad, 1.0, lik)
    d_row = _threshold_scores(stats.rho, limits[rows], limits[cols], safe)
    d_col = _threshold_scores(
        stats.rho, limits[cols], limits[rows], safe.transpose(0, 2, 1)
    ).transpose(0, 2, 1, 3)
    d_row[bad] = 0.0
    d_col[bad] = 0.0

    tables = stats.tables
    a11 = np.zeros((n_th, n_th))
    for j in range(p):
        s = slice(th_start[j], th_start[j] + nth[j])
        a11[s, s] = uni[j].T @ (stats.counts[j][:, None] * uni[j])
    a21 = np.zeros((n_pairs, n_th))
    weighted = tables * sc_rho
    to_row = np.einsum("pab,pabk->pk", weighted, d_row)
    to_col = np.einsum("pab,pabk->pk", weighted, d_col)
    for k in range(n_pairs):
        i, j = rows[k], cols[k]
        a21[k, th_start[i] : th_start[i] + nth[i]] = to_row[k, : nth[i]]
        a21[k, th_start[j] : th_start[j] + nth[j]] = to_col[k, : nth[j]]
    a22 = (tables * sc_rho * sc_rho).sum(axis=(1, 2))

    inner = _inner(codes, uni, sc_rho.reshape(n_pairs, size * size), rows, cols, size, n_th)
    a11_inv = np.linalg.inv(a11)
    b_inv = np.zeros((n_th + n_pairs, n_th + n_pairs))
    b_inv[:n_th, :n_th] = a11_inv
    b_inv[n_th:, :n_th] = -(a21 / a22[:, None]) @ a11_inv
    b_inv[n_th:, n_th:] = np.diag(1.0 / a22)
    gamma = b_inv @ inner @ b_inv.T
    return n * (gamma + gamma.T) / 2.0


def _inner(
    codes: np.ndarray,
    uni: list[np.ndarray],
    sc_flat: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    size: int,
    n_th: int,
) -> np.ndarray:
    """Sum over respondents of the outer product of their score vectors, chunk by chunk."""
    n, p = codes.shape
    width = n_th + len(rows)
    out = np.zeros((width, width))
    table = sc_flat.ravel()
    base = (np.arange(len(rows)) * size * size).astype(np.int64)
    sc = np.empty((min(n, _CHUNK), width))
    for start in range(0, n, _CHUNK):
        block = codes[start : start + _CHUNK]
        m = len(block)
        at = 0
        for j in range(p):
            k = uni[j].shape[1]
            sc[:m, at : at + k] = uni[j][block[:, j]]
            at += k
        cell = block[:, rows] * size + block[:, cols] + base
        np.take(table, cell, out=sc[:m, n_th:])
        part = sc[:m]
        out += part.T @ part
    return out

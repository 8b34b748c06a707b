"""Correlated disturbances of a path model's final outcomes (lavaan's ``auto.cov.y``).

When the final outcomes (outcomes that predict nothing) covary, the likelihood of a recursive
model still splits: every other equation is its own OLS fit, and the final outcomes form a
seemingly unrelated regression (SUR) given everything upstream. Its ML estimate is iterated
GLS (Oberhofer & Kmenta 1974), computed here from covariance matrices, batched over bootstrap
replicates like the rest of :mod:`colead.relate._path_model`. When every final outcome has
the same predictors, GLS is OLS and the first step is the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_ITER = 500
TOL = 1e-13


def residual_cov(cov: np.ndarray, ys: Sequence[int], ps: Sequence[Sequence[int]],
                 coefs: Sequence[np.ndarray]) -> np.ndarray:
    """(R, m, m) covariances of the final outcomes' disturbances for coefficients ``coefs``."""
    m = len(ys)
    out = np.empty((cov.shape[0], m, m))
    for i in range(m):
        for j in range(i, m):
            pi, pj, bi, bj = list(ps[i]), list(ps[j]), coefs[i], coefs[j]
            value = (
                cov[:, ys[i], ys[j]]
                - np.einsum("rk,rk->r", bi, cov[:, pi, ys[j]])
                - np.einsum("rk,rk->r", bj, cov[:, pj, ys[i]])
                + np.einsum("rk,rkl,rl->r", bi, cov[:, pi][:, :, pj], bj)
            )
            out[:, i, j] = out[:, j, i] = value
    return out


def gls_system(
    s: np.ndarray, w: np.ndarray, ys: Sequence[int] | None, ps: Sequence[Sequence[int]]
) -> tuple[np.ndarray, np.ndarray | None]:
    """The stacked GLS normal equations: A (R, K, K) with blocks w_ij S[P_i, P_j] and, when
    ``ys`` is given, b (R, K) with blocks sum_j w_ij S[P_i, y_j]."""
    sizes = [len(p) for p in ps]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    big_k, reps = int(offsets[-1]), s.shape[0]
    a = np.zeros((reps, big_k, big_k))
    b = None if ys is None else np.zeros((reps, big_k))
    for i, pi in enumerate(ps):
        rows = slice(offsets[i], offsets[i + 1])
        for j, pj in enumerate(ps):
            a[:, rows, offsets[j]:offsets[j + 1]] = w[:, i, j, None, None] * s[:, list(pi)][
                :, :, list(pj)]
            if b is not None and ys is not None:
                b[:, rows] += w[:, i, j, None] * s[:, list(pi), ys[j]]
    return a, b


def sur_solve(
    cov: np.ndarray,
    ys: Sequence[int],
    ps: Sequence[Sequence[int]],
    start: Sequence[np.ndarray],
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """ML coefficients of the final outcomes with freely covarying disturbances.

    ``start`` holds each equation's OLS coefficients (R, k_i). Returns the coefficients, the
    disturbance covariance matrix (R, m, m) and a flag (R,) for replicates that could not be
    solved (a singular system), whose values are NaN.
    """
    sizes = [len(p) for p in ps]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    coefs = [np.array(c, dtype=float) for c in start]
    bad = ~np.all([np.isfinite(c).all(axis=1) for c in coefs], axis=0)
    for _ in range(MAX_ITER):
        psi = residual_cov(np.where(bad[:, None, None], np.eye(cov.shape[1]), cov), ys, ps,
                           [np.where(bad[:, None], 0.0, c) for c in coefs])
        bad |= ~(np.linalg.eigvalsh(psi)[:, 0] > 0)
        psi[bad] = np.eye(len(ys))
        a, b = gls_system(cov, np.linalg.inv(psi), ys, ps)
        a[bad], b[bad] = np.eye(a.shape[1]), 0.0  # type: ignore[index]
        stacked = np.linalg.solve(a, b[:, :, None])[:, :, 0]  # type: ignore[index]
        new = [stacked[:, offsets[i]:offsets[i + 1]] for i in range(len(ys))]
        change = max(float(np.max(np.abs(n - c)[~bad], initial=0.0)) for n, c in zip(
            new, coefs, strict=True))
        coefs = new
        if change < TOL * (1 + max(float(np.max(np.abs(c[~bad]), initial=0.0)) for c in coefs)):
            break
    psi = residual_cov(cov, ys, ps, coefs)
    for c in coefs:
        c[bad] = np.nan
    psi[bad] = np.nan
    return coefs, psi, bad


def sur_information(sigma: np.ndarray, psi: np.ndarray, ps: Sequence[Sequence[int]],
                    n: int) -> np.ndarray:
    """Expected-information covariance of the stacked final-outcome coefficients (lavaan ML,
    fixed.x): inv(A) / n, A with blocks inv(psi)_ij Sigma[P_i, P_j] from the model-implied
    covariance matrix ``sigma`` (p, p)."""
    a, _ = gls_system(sigma[None], np.linalg.inv(psi)[None], None, ps)
    return np.asarray(np.linalg.inv(a[0]) / n)

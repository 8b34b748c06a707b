"""Covariance matrices of a path model's coefficients (:func:`colead.path`): lavaan's
expected information, and CR1 cluster-robust, with the final outcomes' SUR block
(:mod:`colead.relate._path_sur`) estimated jointly when their disturbances covary."""

from __future__ import annotations

import numpy as np

from colead.relate._path_model import PathSpec
from colead.relate._path_sur import sur_information


def _blocks(spec: PathSpec) -> list[list[str]]:
    """The equations estimated together: each outcome alone, the correlated finals as one."""
    together = set(spec.correlated)
    blocks = [[y] for y in spec.endogenous if y not in together]
    return [*blocks, list(spec.correlated)] if together else blocks


def _positions(spec: PathSpec) -> dict[str, list[int]]:
    """Each outcome's coefficients' positions among ``spec.edges``."""
    out: dict[str, list[int]] = {}
    for k, (y, _) in enumerate(spec.edges):
        out.setdefault(y, []).append(k)
    return out


def disturbances(beta: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    """The disturbance covariance matrix implied by the model, (I - B) Sigma (I - B)'."""
    lhs = np.eye(len(beta)) - beta
    return np.asarray(lhs @ sigma @ lhs.T)


def ml_vcov(spec: PathSpec, beta: np.ndarray, sigma: np.ndarray, n: int) -> np.ndarray:
    """Expected-information covariance of the path coefficients (lavaan ML, fixed.x): block
    diagonal, psi_y * inv(Sigma[P, P]) / n for the predictors P of outcome y, and for the
    correlated final outcomes inv(A) / n with A's blocks inv(Psi)_ij Sigma[P_i, P_j]."""
    index = {v: i for i, v in enumerate(spec.variables)}
    positions = _positions(spec)
    psi = disturbances(beta, sigma)
    out = np.zeros((len(spec.edges), len(spec.edges)))
    for block in _blocks(spec):
        ys = [index[y] for y in block]
        ps = [[index[x] for x in spec.equations[y]] for y in block]
        at = [k for y in block for k in positions[y]]
        out[np.ix_(at, at)] = sur_information(sigma, psi[np.ix_(ys, ys)], ps, n)
    return out


def cluster_vcov(spec: PathSpec, z: np.ndarray, codes: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """CR1 covariance of all path coefficients jointly: the sandwich over the stacked
    estimating equations, times G/(G-1) and, for coefficients of equations i and j,
    (n-1) / sqrt((n-k_i)(n-k_j)) (k with the intercept).

    Each OLS equation (with its intercept) is exactly statsmodels' / sandwich's CR1; across
    equations the sandwich gives the covariances the delta method needs. The correlated final
    outcomes' block is an M-estimator of its coefficients, intercepts and disturbance
    covariances together, with the observed information as bread: lavaan's ``cluster =``
    errors, which are the same without the (n-1)/(n-k) factor. (The covariances matter:
    when a final outcome's disturbance correlates with another's predictors, which a
    misfitting model allows, estimating them moves the coefficients' errors.)"""
    index = {v: i for i, v in enumerate(spec.variables)}
    n = len(z)
    groups = int(codes.max()) + 1
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    positions = _positions(spec)
    breads, scores, scale, places = [], [], [], []
    for block in _blocks(spec):
        designs = [np.column_stack([np.ones(n), z[:, [index[x] for x in spec.equations[y]]]])
                   for y in block]
        resid = []
        for y, design in zip(block, designs, strict=True):
            slopes = beta[index[y], [index[x] for x in spec.equations[y]]]
            centre = z[:, index[y]] - design[:, 1:] @ slopes
            resid.append(centre - centre.mean())
        info, unit_scores = _block_sandwich(designs, np.column_stack(resid), order, starts)
        breads.append(np.linalg.inv(info))
        scores.append(unit_scores)
        for y, d in zip(block, designs, strict=True):
            scale += [np.sqrt((n - 1) / (n - d.shape[1]))] * d.shape[1]
            places += [-1, *positions[y]]  # -1: the intercept, dropped
        extra = info.shape[0] - sum(d.shape[1] for d in designs)  # disturbance covariances
        scale += [1.0] * extra
        places += [-1] * extra
    meat = np.column_stack(scores)
    bread = np.zeros((meat.shape[1], meat.shape[1]))
    at = 0
    for b in breads:
        bread[at:at + len(b), at:at + len(b)] = b
        at += len(b)
    d = np.asarray(scale)
    full = groups / (groups - 1) * (d[:, None] * (bread @ meat.T @ meat @ bread) * d[None, :])
    out = np.zeros((len(spec.edges), len(spec.edges)))
    keep = [k for k, pos in enumerate(places) if pos >= 0]
    target = [places[k] for k in keep]
    out[np.ix_(target, target)] = full[np.ix_(keep, keep)]
    return out


def _block_sandwich(
    designs: list[np.ndarray], e: np.ndarray, order: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The information matrix and per-cluster scores of one block of equations.

    One equation: OLS, X'X and the cluster sums of x e (its residual variance is orthogonal
    to the coefficients, so it is left out). Several (the correlated finals, ML with
    disturbance covariance Psi = e'e / n, W = inv(Psi)): the parameters are the stacked
    coefficients and vech(Psi); the scores X_i' (W e)_i and tr(G E_ab) with
    G = (W e e' W - W) / 2, and the observed information (minus the Hessian of the
    log-likelihood), coefficient-covariance cross terms included."""
    if len(designs) == 1:
        x = designs[0]
        return x.T @ x, np.add.reduceat((x * e)[order], starts, axis=0)
    n, m = e.shape
    w = np.linalg.inv(e.T @ e / n)
    sizes = [d.shape[1] for d in designs]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    pairs = [(a, b) for a in range(m) for b in range(a, m)]
    units = [np.outer(np.eye(m)[a], np.eye(m)[b]) for a, b in pairs]
    units = [u + u.T if a != b else u for u, (a, b) in zip(units, pairs, strict=True)]
    k = int(offsets[-1])
    info = np.zeros((k + len(pairs), k + len(pairs)))
    we = e @ w  # (n, m): row r, equation i: (W e_r)_i
    beta_scores = []
    for i, di in enumerate(designs):
        rows = slice(offsets[i], offsets[i + 1])
        for j, dj in enumerate(designs):
            info[rows, offsets[j]:offsets[j + 1]] = w[i, j] * di.T @ dj
        beta_scores.append(np.add.reduceat((di * we[:, [i]])[order], starts, axis=0))
        cross = [di.T @ e[:, j] for j in range(m)]  # sum_r X_i,r e_j,r
        for q, u in enumerate(units):
            wuw = w @ u @ w
            info[rows, k + q] = info[k + q, rows] = sum(wuw[i, j] * cross[j] for j in range(m))
    s_e = e.T @ e
    wsw = w @ s_e @ w
    for q, u in enumerate(units):
        for r, v in enumerate(units):
            wvw = w @ v @ w
            info[k + q, k + r] = -0.5 * np.trace((-wvw @ s_e @ w - wsw @ v @ w + n * wvw) @ u)
    outer = (e[:, :, None] * e[:, None, :])[order]
    per_unit = np.add.reduceat(outer, starts, axis=0)  # (G, m, m) sums of e e'
    counts = np.diff(np.r_[starts, n])
    g = 0.5 * (w @ per_unit @ w - counts[:, None, None] * w)
    psi_scores = np.column_stack([np.einsum("gab,ba->g", g, u) for u in units])
    return info, np.column_stack([*beta_scores, psi_scores])

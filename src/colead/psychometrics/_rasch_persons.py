"""Person measures (MLE and Warm's WLE) and item fit for given item parameters.

Persons who answered the same items and have the same raw score share their estimate, so
each distinct (pattern, score) pair is solved once, all pairs at a time (vectorised Newton
steps kept inside a shrinking bracket). The category probabilities follow eRm's
parametrisation, P(X_i = h) proportional to exp(h * theta + beta_ih).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Moments:
    """Per (case, item): mean, variance, third and fourth central moments of the score;
    zero for items the case did not answer."""

    mean: np.ndarray
    var: np.ndarray
    third: np.ndarray
    fourth: np.ndarray


def moments(theta: np.ndarray, table: np.ndarray, masks: np.ndarray) -> Moments:
    """``table``: items x (M + 1) beta with -inf past an item's categories; ``masks``:
    cases x items, answered."""
    h = np.arange(table.shape[1], dtype=float)
    z = h[None, None, :] * theta[:, None, None] + table[None, :, :]
    z -= z.max(axis=2, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=2, keepdims=True)
    mean = p @ h
    d = h[None, None, :] - mean[:, :, None]
    d2 = d * d
    var = np.sum(d2 * p, axis=2)
    third = np.sum(d2 * d * p, axis=2)
    fourth = np.sum(d2 * d2 * p, axis=2)
    zero = ~masks
    for arr in (mean, var, third, fourth):
        arr[zero] = 0.0
    return Moments(mean, var, third, fourth)


def solve_theta(
    scores: np.ndarray,
    table: np.ndarray,
    masks: np.ndarray,
    *,
    weighted: bool,
    bound: float,
    tol: float = 1e-11,
    max_iter: int = 200,
) -> np.ndarray:
    """theta solving r = E(theta) (MLE) or r - E + J / (2 I) = 0 (Warm's WLE), where
    I = sum of the item variances (test information) and J = dI/dtheta (sum of third central
    moments). Both functions decrease in theta; the root is kept inside [-bound, bound]."""
    theta = np.zeros(len(scores))
    low = np.full(len(scores), -bound)
    high = np.full(len(scores), bound)
    active = np.ones(len(scores), dtype=bool)
    for _ in range(max_iter):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        t = theta[idx]
        mo = moments(t, table, masks[idx])
        info = mo.var.sum(axis=1)
        f = scores[idx] - mo.mean.sum(axis=1)
        slope = -info
        if weighted:
            j = mo.third.sum(axis=1)
            k4 = (mo.fourth - 3 * mo.var**2).sum(axis=1)
            f = f + j / (2 * info)
            slope = slope + (k4 * info - j * j) / (2 * info**2)
        low[idx] = np.where(f > 0, t, low[idx])
        high[idx] = np.where(f > 0, high[idx], t)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = t - f / slope
        inside = (slope < 0) & (newton > low[idx]) & (newton < high[idx])
        new = np.where(inside, newton, (low[idx] + high[idx]) / 2)
        theta[idx] = new
        active[idx] = (np.abs(new - t) > tol) & (high[idx] - low[idx] > tol)
    return theta


@dataclass(frozen=True)
class ItemFit:
    n: np.ndarray
    outfit: np.ndarray
    infit: np.ndarray
    outfit_z: np.ndarray
    infit_z: np.ndarray
    chisq: np.ndarray


def item_fit(x: np.ndarray, answered: np.ndarray, mo: Moments) -> ItemFit:
    """Mean-square fit of each item over the given persons (rows), with Wright & Masters'
    variances of the mean squares and the Wilson-Hilferty cube-root standardisation, as
    eRm's ``itemfit``. ``mo`` holds each person's moments at their estimate."""
    resid2 = np.where(answered, (np.nan_to_num(x) - mo.mean) ** 2, 0.0)
    var = mo.var
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = np.where(answered, resid2 / var, 0.0)
        c_over_v2 = np.where(answered, mo.fourth / var**2, 0.0)
    n = answered.sum(axis=0).astype(float)
    chisq = z2.sum(axis=0)
    outfit = chisq / n
    infit = resid2.sum(axis=0) / var.sum(axis=0)
    q_out = np.sqrt(c_over_v2.sum(axis=0) / n**2 - 1 / n)
    q_in = np.sqrt((mo.fourth - var**2).sum(axis=0) / var.sum(axis=0) ** 2)
    outfit_z = (np.cbrt(outfit) - 1) * (3 / q_out) + q_out / 3
    infit_z = (np.cbrt(infit) - 1) * (3 / q_in) + q_in / 3
    return ItemFit(n.astype(int), outfit, infit, outfit_z, infit_z, chisq)

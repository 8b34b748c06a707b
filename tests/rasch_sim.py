"""Draw answers from a Rasch rating-scale or partial-credit model with known parameters.

Used by the Rasch reference data (tests/reference/rasch/make_data.py) and the recovery tests.
An item with thresholds t_1..t_m (Andrich thresholds: adjacent categories equally likely
where theta = t_h) gives category h in 0..m with probability proportional to
exp(sum_{l <= h} (theta - t_l)). A rating-scale item has t_h = location + tau_h.
"""

from __future__ import annotations

import numpy as np


def rsm_thresholds(locations: np.ndarray, taus: np.ndarray) -> np.ndarray:
    """Items x steps thresholds of a rating-scale model."""
    return np.asarray(locations, float)[:, None] + np.asarray(taus, float)[None, :]


def draw(
    thresholds: np.ndarray,
    theta: np.ndarray,
    rng: np.random.Generator,
    *,
    missing: float = 0.0,
) -> np.ndarray:
    """Answers (persons x items, float, NaN missing) for ``theta`` and item ``thresholds``
    (items x max steps, NaN where an item has fewer steps)."""
    thr = np.asarray(thresholds, float)
    steps = (~np.isnan(thr)).sum(axis=1)
    cum = np.concatenate([np.zeros((len(thr), 1)), np.nancumsum(thr, axis=1)], axis=1)
    h = np.arange(thr.shape[1] + 1)
    logits = h[None, None, :] * theta[:, None, None] - cum[None, :, :]
    logits = np.where(h[None, None, :] <= steps[None, :, None], logits, -np.inf)
    logits -= logits.max(axis=2, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=2, keepdims=True)
    u = rng.random((len(theta), len(thr), 1))
    x = (u > np.cumsum(p, axis=2)).sum(axis=2).astype(float)
    x = np.minimum(x, steps[None, :])
    if missing > 0:
        x[rng.random(x.shape) < missing] = np.nan
    return x

"""The bivariate standard normal distribution function and density, vectorised.

``cdf`` is Alan Genz's BVND algorithm (Drezner & Wesolowsky 1989 with Genz's changes for
double precision and correlations near +-1; Genz 2004, Statistics and Computing 14, 251-260),
the algorithm R's pbivnorm and mnormt use, so that lavaan's and semTools' probabilities are
reproduced to rounding error. The Gauss-Legendre rules are computed, not tabulated.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

_TWO_PI = 2.0 * np.pi


def _rule(n: int) -> tuple[np.ndarray, np.ndarray]:
    x, w = np.polynomial.legendre.leggauss(n)
    return x, w


# Genz uses 6 points for |r| < 0.3, 12 for |r| < 0.75 and 20 otherwise.
_RULES = {6: _rule(6), 12: _rule(12), 20: _rule(20)}


def cdf(x: np.ndarray, y: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """P(X < x, Y < y) for standard normals with correlation ``r`` (broadcast; +-inf allowed)."""
    x, y, r = np.broadcast_arrays(
        np.asarray(x, dtype=float), np.asarray(y, dtype=float), np.asarray(r, dtype=float)
    )
    out = np.empty(x.shape)
    h, k, rr = -x.ravel(), -y.ravel(), r.ravel()
    res = out.reshape(-1)
    # Infinite limits: the probability is a univariate one (or 0).
    lo = np.isneginf(x.ravel()) | np.isneginf(y.ravel())
    inf_x, inf_y = np.isposinf(x.ravel()), np.isposinf(y.ravel())
    res[lo] = 0.0
    both = ~lo & inf_x & inf_y
    res[both] = 1.0
    only_x = ~lo & inf_x & ~inf_y
    res[only_x] = ndtr(y.ravel()[only_x])
    only_y = ~lo & inf_y & ~inf_x
    res[only_y] = ndtr(x.ravel()[only_y])
    finite = ~(lo | inf_x | inf_y)
    if finite.any():
        res[finite] = _upper(h[finite], k[finite], rr[finite])
    return out


def _upper(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """P(X > h, Y > k) for finite limits (Genz's BVND)."""
    out = np.empty(h.shape)
    a = np.abs(r)
    for n, pick in ((6, a < 0.3), (12, (a >= 0.3) & (a < 0.75)), (20, (a >= 0.75) & (a < 0.925))):
        if pick.any():
            out[pick] = _moderate(h[pick], k[pick], r[pick], n)
    high = a >= 0.925
    if high.any():
        out[high] = _strong(h[high], k[high], r[high])
    return out


def _moderate(h: np.ndarray, k: np.ndarray, r: np.ndarray, n: int) -> np.ndarray:
    x, w = _RULES[n]
    hk = (h * k)[:, None]
    hs = ((h * h + k * k) / 2.0)[:, None]
    asr = np.arcsin(r)[:, None]
    sn = np.sin(asr * (x[None, :] + 1.0) / 2.0)
    total = (w * np.exp((sn * hk - hs) / (1.0 - sn * sn))).sum(axis=1)
    return total * asr[:, 0] / (2.0 * _TWO_PI) + ndtr(-h) * ndtr(-k)


def _strong(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    x, w = _RULES[20]
    neg = r < 0
    k = np.where(neg, -k, k)
    hk = h * k
    bvn = np.zeros(h.shape)
    inner = np.abs(r) < 1.0
    if inner.any():
        hi, ki, hki = h[inner], k[inner], hk[inner]
        ri = np.abs(r[inner])
        as_ = (1.0 - ri) * (1.0 + ri)
        a = np.sqrt(as_)
        bs = (hi - ki) ** 2
        c = (4.0 - hki) / 8.0
        d = (12.0 - hki) / 16.0
        val = (
            a
            * np.exp(-(bs / as_ + hki) / 2.0)
            * (1.0 - c * (bs - as_) * (1.0 - d * bs / 5.0) / 3.0 + c * d * as_ * as_ / 5.0)
        )
        b = np.sqrt(bs)
        tail = (
            np.exp(-hki / 2.0)
            * np.sqrt(_TWO_PI)
            * ndtr(-b / a)
            * b
            * (1.0 - c * bs * (1.0 - d * bs / 5.0) / 3.0)
        )
        val = val - np.where(hki > -160.0, tail, 0.0)
        half = a / 2.0
        xs = (half[:, None] * (x[None, :] + 1.0)) ** 2
        rs = np.sqrt(1.0 - xs)
        with np.errstate(over="ignore", under="ignore"):
            term = np.exp(-bs[:, None] / (2.0 * xs) - hki[:, None] / (1.0 + rs)) / rs - np.exp(
                -(bs[:, None] / xs + hki[:, None]) / 2.0
            ) * (1.0 + c[:, None] * xs * (1.0 + d[:, None] * xs))
        val = val + half * (w * term).sum(axis=1)
        bvn[inner] = -val / _TWO_PI
    pos = ~neg
    bvn[pos] += ndtr(-np.maximum(h[pos], k[pos]))
    bvn[neg] = -bvn[neg] + np.maximum(0.0, ndtr(-h[neg]) - ndtr(-k[neg]))
    return bvn


def pdf(x: np.ndarray, y: np.ndarray, r: np.ndarray | float) -> np.ndarray:
    """Bivariate standard normal density with correlation ``r`` (|r| capped at .9999 as lavaan's
    ``dbinorm``); 0 where a limit is infinite."""
    r = np.clip(r, -0.9999, 0.9999)
    det = 1.0 - r * r
    with np.errstate(invalid="ignore"):
        q = (x * x - 2.0 * r * x * y + y * y) / det
        out = np.exp(-0.5 * q) / (_TWO_PI * np.sqrt(det))
    return np.where(np.isfinite(x) & np.isfinite(y), out, 0.0)

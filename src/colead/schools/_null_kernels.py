"""Kernels behind :mod:`colead.schools.null`: rwg and rwg(j) of groups answering at random
(multilevel's ``rwg.sim`` / ``rwg.j.sim``), random group resampling (``rgr.agree``), and the
critical values multilevel reads off a simulated distribution.

Every draw is a slice of one array: no Python loop over draws, only over blocks of draws that
bound the memory used (about 2**22 numbers at a time).
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

BLOCK = 1 << 22  # numbers drawn at a time


def _blocks(n_draws: int, per_draw: int) -> list[int]:
    size = max(1, BLOCK // max(per_draw, 1))
    return [min(size, n_draws - start) for start in range(0, n_draws, size)]


def rwg_draws(
    rng: np.random.Generator,
    *,
    group_size: int,
    points: int,
    items: int,
    correlations: np.ndarray | None,
    n_draws: int,
) -> np.ndarray:
    """rwg(j) (uniform null, truncated) of ``n_draws`` groups of ``group_size`` answering
    ``items`` items on ``points`` points at random.

    Uncorrelated: every answer uniform on 1..A (``rwg.sim``, ``rwg.j.sim``). Correlated:
    multivariate normal answers with ``correlations`` cut at the normal quantiles k / A into A
    equally likely categories (``rwg.j.sim`` with ``itemcors``: ``cut(..., breaks = qnorm(c(0,
    1:A / A)))``, intervals closed on the right).

    The item variances are computed exactly in integers, n sum x^2 - (sum x)^2, so equal
    variances give bit-identical rwg values (the distribution is discrete).
    """
    n, a, j = group_size, points, items
    ranvar = (a * a - 1) / 12
    factor = None
    if correlations is not None:  # any square root of the matrix gives the same law
        values, vectors = np.linalg.eigh(correlations)
        factor = vectors * np.sqrt(np.clip(values, 0.0, None))
        cuts = ndtri(np.arange(1, a) / a)
    out = []
    for size in _blocks(n_draws, n * j):
        if factor is None:
            x = rng.integers(1, a + 1, size=(size, n, j), dtype=np.int64)
        else:
            z = rng.standard_normal((size, n, j)) @ factor.T
            x = np.searchsorted(cuts, z, side="left").astype(np.int64) + 1
        total = x.sum(axis=1)
        squares = (x * x).sum(axis=1)
        numerator = (n * squares - total * total).sum(axis=1)  # n (n - 1) J * mean variance
        s = numerator / (n * (n - 1) * j)
        ratio = np.minimum(s, ranvar) / ranvar
        out.append(j * (1 - ratio) / (j * (1 - ratio) + ratio))
    return np.concatenate(out)


def critical_values(draws: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """multilevel's ``quantile.agree.sim`` (and ``rwg.95``): for each level q, the smallest
    simulated value v with at least q of the draws strictly below it, so that an observed
    value of v or more has a simulated p of at most 1 - q. NaN when no value qualifies (the
    largest value alone holds more than 1 - q of the draws). (multilevel gives NA, not the
    second value, when the smallest value alone holds q of the draws: a degenerate case.)

    multilevel tabulates the draws with ``table()``, which merges values equal to 15
    significant digits; the draws here are exact, so the table is the same.
    """
    values, counts = np.unique(draws, return_counts=True)
    below = np.concatenate([[0.0], np.cumsum(counts)[:-1]]) / len(draws)  # share strictly below
    first = np.searchsorted(below, levels, side="left")  # first value with >= q below it
    found = first < len(values)
    return np.where(found, values[np.minimum(first, len(values) - 1)], np.nan)


def random_group_variances(
    rng: np.random.Generator, x: np.ndarray, sizes: np.ndarray, repeats: int
) -> np.ndarray:
    """Variances of pseudo groups: ``repeats`` times, the values ``x`` are shuffled and cut
    into groups of the real groups' ``sizes`` (multilevel's ``ran.group``: each group drawn
    without replacement from what the earlier ones left), in the order of ``sizes``.
    Returns (repeats * G,) sample variances, repeat by repeat."""
    n = len(x)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = []
    for size in _blocks(repeats, n):
        order = np.argsort(rng.random((size, n)), axis=1)
        shuffled = x[order]  # (size, n)
        mean = np.add.reduceat(shuffled, starts, axis=1) / sizes
        dev = shuffled - np.repeat(mean, sizes, axis=1)
        out.append((np.add.reduceat(dev * dev, starts, axis=1) / (sizes - 1)).ravel())
    return np.concatenate(out)


def rgr_test(real_variances: np.ndarray, random_variances: np.ndarray) -> dict[str, float]:
    """multilevel's ``rgr.agree`` test: z = (mean real variance - mean random variance) /
    (SD of the random variances / sqrt(G))."""
    g = len(real_variances)
    real, rand = float(np.mean(real_variances)), float(np.mean(random_variances))
    sd = float(np.std(random_variances, ddof=1))
    return {"real_mean": real, "random_mean": rand, "random_sd": sd,
            "z": (real - rand) / (sd / np.sqrt(g))}

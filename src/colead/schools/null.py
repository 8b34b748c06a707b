"""Is agreement larger than chance? The null distribution of rwg and rwg(j) for groups that
answer at random (R ``multilevel::rwg.sim`` and ``rwg.j.sim``; Dunlap, Burke & Smith-Crowe
2003), and random group resampling (``multilevel::rgr.agree``; Bliese & Halverson 1996).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from colead._text import summary_html
from colead._validation import check_int, check_number
from colead.exceptions import InsufficientDataError, InvalidParameterError
from colead.privacy import check_min_n
from colead.schools import _kernels as core
from colead.schools import _null_kernels as kernels

__all__ = ["RgrAgreeResult", "RwgNull", "rgr_agree", "rwg_null"]

LOWER = (0.005, 0.01, 0.025, 0.05, 0.1)
UPPER = (0.9, 0.95, 0.975, 0.99, 0.995)


def _rng(seed: Any, func: str) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    return np.random.default_rng(check_int(seed, "seed", func, low=0))


def _levels(levels: Any, func: str) -> np.ndarray:
    out = np.atleast_1d(np.asarray(levels, dtype=float))
    for q in out:
        check_number(float(q), "levels", func, low=0, high=1, low_open=True, high_open=True)
    return out


@dataclass(frozen=True)
class RwgNull:
    """The simulated distribution of rwg (one item) or rwg(j) (several) for groups answering
    at random. Made by :func:`rwg_null`.

    Attributes
    ----------
    group_size, scale_points, items, n_draws : int
    correlated : bool
        Whether the items were drawn correlated (``item_correlations``).
    draws : ndarray
        The simulated values, one per random group.
    critical_95 : float
        multilevel's ``rwg.95``: the smallest simulated value that at least 95 % of the draws
        lie below; an observed rwg at or above it is larger than chance at the 5 % level.
    """

    group_size: int
    scale_points: int
    items: int
    n_draws: int
    correlated: bool
    draws: np.ndarray = field(repr=False, compare=False)
    critical_95: float

    def critical(self, levels: Any = 0.95) -> pd.DataFrame:
        """Critical values, as multilevel's ``quantile()`` of an ``agree.sim``: per level q,
        the smallest simulated value with at least q of the draws below it."""
        q = _levels(levels, "RwgNull.critical")
        return pd.DataFrame({"level": q, "value": kernels.critical_values(self.draws, q)})

    def p_value(self, observed: Any) -> np.ndarray:
        """The share of random groups agreeing at least as much as ``observed`` (one value or
        an array; NaN stays NaN): a one-sided Monte Carlo p-value."""
        obs = np.asarray(observed, dtype=float)
        ordered = np.sort(self.draws)
        at_least = len(ordered) - np.searchsorted(ordered, obs, side="left")
        return np.where(np.isnan(obs), np.nan, at_least / len(ordered))

    def summary(self) -> str:
        """The distribution as text, rounded for reading."""
        name = "rwg" if self.items == 1 else f"rwg(j), {self.items} items"
        corr = ", correlated items" if self.correlated else ""
        q = np.quantile(self.draws, [0.5, 0.9, 0.95, 0.99])
        return "\n".join([
            f"Null distribution of {name}{corr}: groups of {self.group_size} answering at "
            f"random on {self.scale_points} points ({self.n_draws} draws)",
            f"  median {q[0]:.3f}, 90th {q[1]:.3f}, 95th {q[2]:.3f}, 99th {q[3]:.3f} percentile",
            f"  critical value (5 %): {self.critical_95:.3f}",
        ])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return summary_html(self.summary())


def rwg_null(
    group_size: int,
    scale_points: int,
    *,
    items: int = 1,
    item_correlations: Any = None,
    n_draws: int = 10_000,
    seed: int | np.random.Generator | None = None,
) -> RwgNull:
    """The distribution of rwg or rwg(j) when a group answers at random: critical values and
    p-values for "more agreement than chance".

    Parameters
    ----------
    group_size : int
        Respondents per group (at least 2).
    scale_points : int
        Response options A (at least 2); answers are 1..A.
    items : int, default 1
        1 for rwg (``rwg.sim``), more for rwg(j) (``rwg.j.sim``).
    item_correlations : square array, optional
        Correlations between the items (``rwg.j.sim``'s ``itemcors``): answers are drawn from
        a multivariate normal and cut into A equally likely categories. Sets ``items``.
    n_draws : int, default 10000
        Random groups drawn (multilevel's ``nrep``).
    seed : int or numpy Generator, optional

    Returns
    -------
    RwgNull
        ``draws``, ``critical_95``, and ``critical(levels)``, ``p_value(observed)``,
        ``summary()``.

    Raises
    ------
    InvalidParameterError
        For a bad size, or correlations that are not a correlation matrix.

    See Also
    --------
    rwg, rwg_j, rgr_agree

    Notes
    -----
    Each draw is one group: every answer uniform on 1..A (or correlated normals cut at the
    normal quantiles k / A), then rwg(j) with the uniform null (A^2 - 1) / 12, truncated as in
    :func:`rwg_j`. The critical value follows ``multilevel``: the smallest simulated value v
    with at least 95 % of the draws strictly below it (so P(rwg >= v) <= .05 under the null).
    Validated against R multilevel 2.7: the distribution of 10,000 draws of ``rwg.sim`` and
    ``rwg.j.sim`` (with and without ``itemcors``) within Monte Carlo error, point by point of
    its cumulative distribution, and against the exact distribution enumerated for small
    groups (tests/reference/agreement_null). Seeds are numpy's, not R's.

    Examples
    --------
    >>> import colead as cl
    >>> null = cl.rwg_null(10, 5, n_draws=2000, seed=1)
    >>> bool(0 < null.critical_95 < 1)
    True
    """
    func = "rwg_null"
    group_size = check_int(group_size, "group_size", func, low=2)
    points = check_int(scale_points, "scale_points", func, low=2)
    n_draws = check_int(n_draws, "n_draws", func, low=1)
    corr = None
    if item_correlations is not None:
        corr = _correlations(item_correlations, func)
        items = corr.shape[0]
    items = check_int(items, "items", func, low=1)
    draws = kernels.rwg_draws(_rng(seed, func), group_size=group_size, points=points,
                              items=items, correlations=corr, n_draws=n_draws)
    return RwgNull(group_size, points, items, n_draws, corr is not None, draws,
                   float(kernels.critical_values(draws, np.array([0.95]))[0]))


def _correlations(value: Any, func: str) -> np.ndarray:
    try:
        corr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        corr = np.array([[np.nan]])
    ok = (
        corr.ndim == 2 and corr.shape[0] == corr.shape[1] and np.isfinite(corr).all()
        and np.allclose(corr, corr.T) and np.allclose(np.diag(corr), 1.0)
    )
    if ok:
        ok = bool(np.linalg.eigvalsh(corr).min() > -1e-8)
    if not ok:
        raise InvalidParameterError(
            f"The 'item_correlations' parameter of {func} must be a correlation matrix "
            "(square, symmetric, ones on the diagonal, no negative eigenvalue)."
        )
    return corr


@dataclass(frozen=True)
class RgrAgreeResult:
    """Random group resampling: are real groups more alike than random ones? Made by
    :func:`rgr_agree`.

    Attributes
    ----------
    n_random_groups : int
        Pseudo groups drawn (multilevel's ``NRanGrp``).
    random_mean, random_sd : float
        Mean and SD of their variances (``AvRGRVar``, ``SDRGRVar``).
    real_mean : float
        Mean within-group variance of the real groups (``AvGrpVar``).
    z : float
        (real_mean - random_mean) / (random_sd / sqrt(n_groups)) (``zvalue``): negative when
        real groups agree more than random ones.
    p_value : float
        One-sided, from the normal distribution: P(Z <= z).
    n, n_groups : int
        Values and groups used.
    n_groups_left_out : int
        Groups with fewer than ``min_n`` values, left out of both real and random groups.
    random_variances : ndarray
        The variance of every pseudo group (``RGRVARS``).
    """

    n_random_groups: int
    random_mean: float
    random_sd: float
    real_mean: float
    z: float
    p_value: float
    n: int
    n_groups: int
    n_groups_left_out: int
    random_variances: np.ndarray = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The test as a one-row DataFrame."""
        names = ["n_random_groups", "random_mean", "random_sd", "real_mean", "z", "p_value",
                 "n", "n_groups", "n_groups_left_out"]
        return pd.DataFrame([{k: getattr(self, k) for k in names}])

    def quantiles(self, levels: Any = LOWER + UPPER) -> pd.DataFrame:
        """Quantiles of the random-group variances (multilevel's ``summary``: the lower and
        upper one-tailed confidence limits; R's default quantile definition)."""
        q = _levels(levels, "RgrAgreeResult.quantiles")
        return pd.DataFrame({"level": q, "value": np.quantile(self.random_variances, q)})

    def summary(self) -> str:
        """The test as text, rounded for reading."""
        return "\n".join([
            f"Random group resampling: {self.n_groups} real groups ({self.n} values) against "
            f"{self.n_random_groups} random groups",
            f"  mean variance within real groups {self.real_mean:.4g}, within random groups "
            f"{self.random_mean:.4g} (SD {self.random_sd:.4g})",
            f"  z = {self.z:.3f}, one-sided p = {self.p_value:.3g}",
        ])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return summary_html(self.summary())


def rgr_agree(
    values: Any,
    groups: Any,
    *,
    n_random_groups: int = 1000,
    min_n: int = 5,
    allow_small_groups: bool = False,
    seed: int | np.random.Generator | None = None,
) -> RgrAgreeResult:
    """Random group resampling (Bliese & Halverson): is the variance within real groups
    smaller than within random groups of the same sizes?

    Parameters
    ----------
    values : array-like, Series or one-column DataFrame
        One variable, such as a scale score (NaN where missing: those rows are dropped).
    groups : array-like, Series or str
        The group of each row, matched by position; or the name of a column of ``values``.
    n_random_groups : int, default 1000
        About how many random groups to draw (multilevel's ``nrangrps``): the values are
        shuffled round(n_random_groups / G) times (at least once), each time cut into groups
        of the real sizes.
    min_n : int, default 5
        Groups with fewer values are left out, of the real groups and of the pool the random
        groups are drawn from (so nothing published rests on them); at least 2 are needed for
        a variance. ``min_n`` below 3 needs ``allow_small_groups=True``.
    allow_small_groups : bool, default False
    seed : int or numpy Generator, optional

    Returns
    -------
    RgrAgreeResult
        ``real_mean``, ``random_mean``, ``random_sd``, ``z``, ``p_value``, the random
        variances and their ``quantiles()``; ``summary()``, ``to_frame()``.

    Raises
    ------
    InsufficientDataError
        With fewer than 2 groups of at least ``min_n`` values.

    See Also
    --------
    rwg_null, icc

    Notes
    -----
    As ``multilevel::rgr.agree``: real_mean is the mean of the groups' sample variances,
    random_mean and random_sd the mean and SD of the pseudo groups' variances, and
    z = (real_mean - random_mean) / (random_sd / sqrt(G)). The p-value (normal, one-sided) is
    colead's addition. Drawn without replacement, a random group's variance is unbiased for
    the variance of the pooled values, so random_mean estimates ``var(values)``.

    Validated against R multilevel 2.7 on bh1996 and colead's reference data: real_mean,
    the number of random groups, and z and the quantiles computed from R's own random
    variances agree to 1e-12; the random mean and SD of colead's draws agree with R's within
    Monte Carlo error (tests/reference/agreement_null). Groups of fewer than ``min_n``: R
    keeps every group of 2 or more (pass ``min_n=2, allow_small_groups=True`` for that).
    """
    func = "rgr_agree"
    min_n = max(check_min_n(min_n, func, allow_small_groups=allow_small_groups), 2)
    wanted = check_int(n_random_groups, "n_random_groups", func, low=1)
    inp = core.read(values, groups, func, max_columns=1)
    x, codes = inp.x[:, 0], inp.codes
    keep = ~np.isnan(x) & (codes >= 0)
    x, codes = x[keep], codes[keep]
    sizes = np.bincount(codes, minlength=len(inp.labels))
    present = sizes > 0
    used = sizes >= min_n
    if used.sum() < 2:
        raise InsufficientDataError(
            f"{func} needs at least 2 groups of {min_n} or more values; "
            f"{int(used.sum())} of {int(present.sum())} groups have that many."
        )
    rows = used[codes]
    x, codes = x[rows], codes[rows]
    order = np.argsort(codes, kind="stable")
    x, codes = x[order], codes[order]
    sizes = sizes[used]
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    mean = np.add.reduceat(x, starts) / sizes
    real = np.add.reduceat((x - np.repeat(mean, sizes)) ** 2, starts) / (sizes - 1)
    repeats = max(1, round(wanted / len(sizes)))
    random = kernels.random_group_variances(_rng(seed, func), x, sizes, repeats)
    test = kernels.rgr_test(real, random)
    from scipy.stats import norm

    return RgrAgreeResult(
        n_random_groups=len(random),
        random_mean=test["random_mean"],
        random_sd=test["random_sd"],
        real_mean=test["real_mean"],
        z=test["z"],
        p_value=float(norm.cdf(test["z"])),
        n=len(x),
        n_groups=len(sizes),
        n_groups_left_out=int((present & ~used).sum()),
        random_variances=random,
    )

"""Kernels behind :mod:`colead.schools.rwg` and :mod:`colead.schools.icc`: reading and
checking the input, per-group sums by ``bincount`` and the agreement indices. The one-way
ANOVA and the REML of the random-intercept model are in :mod:`colead.schools._anova`.

The arrays are floats with items as columns and integer group codes ``0 .. G-1`` (``-1`` for
a row without a group). Rows left out of a statistic are not copied out: they get code ``G``,
whose sums are dropped. There is no loop over groups: every per-group quantity is one
``np.bincount`` per column (or one pandas groupby, for medians).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_int, check_number, check_option
from colead.exceptions import InvalidParameterError, ResponseDataError

# Null-distribution variances for rwg by number of scale points: LeBreton & Senter (2008) as
# tabulated in LeBreton's WGA package (R/RWG.R, R/RWGJ.R, table null.var). The 5-point skew
# values are the variances of the response distributions (.05 .15 .20 .35 .25), (0 .10 .15 .40
# .35) and (0 0 .10 .40 .50); the other rows are WGA's (tests/reference/aggregation/README.md).
NULL_NAMES = (
    "uniform",
    "slight_skew",
    "moderate_skew",
    "heavy_skew",
    "triangular",
    "normal",
)
NULL_TABLE: dict[int, tuple[float, float, float, float, float]] = {
    # points: slight_skew, moderate_skew, heavy_skew, triangular, normal
    5: (1.34, 0.90, 0.44, 1.32, 1.04),
    6: (1.85, 1.26, 0.69, 1.45, 1.25),
    7: (2.90, 2.14, 1.39, 2.10, 1.40),
    8: (3.47, 2.79, 2.35, 2.81, 1.73),
    9: (5.66, 4.73, 3.16, 3.00, 1.58),
    10: (6.30, 5.09, 3.46, 2.89, 1.45),
    11: (7.31, 6.32, 4.02, 3.32, 1.40),
}


def null_variance(name: str, points: int) -> float:
    """Variance of a named null distribution on ``points`` scale points (caller checks)."""
    if name == "uniform":
        return (points * points - 1) / 12
    return NULL_TABLE[points][NULL_NAMES.index(name) - 1]


# ---------------------------------------------------------------------------------------------
# Per-group sums
# ---------------------------------------------------------------------------------------------


def group_sum(codes: np.ndarray, weights: np.ndarray | None, n_groups: int) -> np.ndarray:
    """Sum of ``weights`` (or count of rows) per group, (G,) or (G, J) for (n, J) weights.

    ``codes`` run from 0 to ``n_groups``; code ``n_groups`` collects rows to leave out (they
    may hold NaN) and is dropped. One ``bincount`` per column: no loop over groups.
    """
    if weights is None or weights.ndim == 1:
        return np.bincount(codes, weights, minlength=n_groups + 1)[:n_groups]
    return np.column_stack(
        [np.bincount(codes, weights[:, j], minlength=n_groups + 1)[:n_groups]
         for j in range(weights.shape[1])]
    )  # fmt: skip


def spread(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Each row's group value from a (G, J) table, as an (n, J) array in column-major order
    (like the item arrays, which keeps arithmetic between them fast). Left-out rows (code G)
    get the last group's values; their results are discarded."""
    return np.take(table.T, codes, axis=1, mode="clip").T


@dataclass(frozen=True)
class ItemMoments:
    """Per group (rows) and item (columns): rows used, answers, mean, centred sum of squares."""

    rows: np.ndarray  # (G,) rows kept per group
    count: np.ndarray  # (G, J) answers per item
    mean: np.ndarray  # (G, J), NaN without answers
    ssd: np.ndarray  # (G, J) sum of squared deviations from the group mean
    x: np.ndarray  # (n, J) the items, NaN where unanswered
    codes: np.ndarray  # (n,) group codes; n_groups for a row left out

    @property
    def var(self) -> np.ndarray:
        """Sample variance (n - 1) per group and item, NaN with fewer than 2 answers."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.count >= 2, self.ssd / (self.count - 1), np.nan)


def item_moments(x: np.ndarray, codes: np.ndarray, n_groups: int, missing: str) -> ItemMoments:
    """Moments of the items ``x`` (n, J) per group.

    ``missing="listwise"`` keeps rows with every item answered (multilevel 2.7);
    ``"itemwise"`` keeps rows with at least one answer and uses each item's own answers.
    Rows without a group (code -1) are dropped either way. Dropped rows are not copied out:
    they get the extra code ``n_groups``, whose sums are discarded.
    """
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    codes = np.where(keep & (codes >= 0), codes, n_groups)
    rows = group_sum(codes, None, n_groups)
    gaps = missing == "itemwise" and not (answered | ~keep[:, None]).all()
    if gaps:
        count = group_sum(codes, answered.astype(float), n_groups)
        filled = np.where(answered, x, 0.0)
    else:  # every kept row answers every item
        count = np.repeat(rows[:, None], x.shape[1], axis=1)
        filled = x
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = group_sum(codes, filled, n_groups) / count
    dev = filled - spread(mean, codes)
    if gaps:
        dev[~answered] = 0.0
    ssd = group_sum(codes, dev * dev, n_groups)
    return ItemMoments(rows=rows, count=count, mean=mean, ssd=ssd, x=x, codes=codes)


def mean_abs_deviation(m: ItemMoments, n_groups: int, center: str) -> np.ndarray:
    """Mean absolute deviation per group and item around the group mean or median."""
    if center == "mean":
        centre = m.mean
    else:
        kept = m.codes < n_groups
        frame = pd.DataFrame(m.x[kept])
        centre = frame.groupby(m.codes[kept]).median().reindex(range(n_groups)).to_numpy()
    dev = np.abs(m.x - spread(centre, m.codes))
    with np.errstate(divide="ignore", invalid="ignore"):
        return group_sum(m.codes, np.where(np.isnan(m.x), 0.0, dev), n_groups) / m.count


def usable(m: ItemMoments) -> np.ndarray:
    """Groups with an index: at least 2 rows kept and every item answered at least twice."""
    return (m.rows >= 2) & (m.count >= 2).all(axis=1)


# ---------------------------------------------------------------------------------------------
# Agreement indices (G,) from moments
# ---------------------------------------------------------------------------------------------


def rwg_j_values(m: ItemMoments, ranvar: float, *, lindell: bool) -> np.ndarray:
    """rwg(j) (James, Demaree & Wolf; truncated) or r*wg(j) (Lindell; not truncated)."""
    s = m.var.mean(axis=1)
    ok = usable(m)
    if lindell:
        out = 1 - s / ranvar
    else:
        ratio = np.minimum(s, ranvar) / ranvar
        n_items = m.count.shape[1]
        with np.errstate(divide="ignore", invalid="ignore"):
            out = n_items * (1 - ratio) / (n_items * (1 - ratio) + ratio)
    return np.where(ok, out, np.nan)


def awg_values(m: ItemMoments, low: float, high: float) -> np.ndarray:
    """awg per item as multilevel 2.7 computes it, then the mean of the admissible items."""
    k, mean, var = m.count, m.mean, m.var
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = ((high + low) * mean - mean * mean - high * low) * (k / (k - 1))
        a = 1 - 2 * var / bound
        a = np.where(mean < (low * (k - 1) + high) / k, np.nan, a)
        a = np.where(mean > (high * (k - 1) + low) / k, np.nan, a)
    a = np.where((mean == high) | (mean == low), 1.0, a)
    admissible = ~np.isnan(a)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(admissible, a, 0.0).sum(axis=1) / admissible.sum(axis=1)
    return np.where(usable(m), out, np.nan)


def ad_values(m: ItemMoments, n_groups: int, center: str) -> np.ndarray:
    """AD: mean (or median) absolute deviation, averaged over items."""
    out = mean_abs_deviation(m, n_groups, center).mean(axis=1)
    return np.where(usable(m), out, np.nan)


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    x: np.ndarray  # (n, J) float
    columns: list[str]
    codes: np.ndarray  # (n,) int, -1 without a group
    labels: pd.Index  # group labels, sorted (all categories for a Categorical)
    categorical: bool
    group_name: str


def read(values: Any, groups: Any, func: str, *, max_columns: int | None = None) -> Input:
    """Values as an (n, J) float array and groups as integer codes, checked."""
    group_name = "group"
    if isinstance(groups, str):
        if not isinstance(values, pd.DataFrame) or groups not in values.columns:
            raise InvalidParameterError(
                f"The 'groups' parameter of {func} names a column ({groups!r}), so 'values' must "
                f"be a DataFrame holding that column."
            )
        group_name, groups, values = groups, values[groups], values.drop(columns=groups)
    elif isinstance(groups, pd.Series) and groups.name is not None:
        group_name = str(groups.name)
    if isinstance(values, pd.Series):
        values = values.to_frame(name="value" if values.name is None else values.name)
    if not isinstance(values, pd.DataFrame):
        array = np.asarray(values)
        if array.ndim not in (1, 2):
            raise InvalidParameterError(
                f"The 'values' parameter of {func} must be 1- or 2-dimensional; got "
                f"{array.ndim} dimensions."
            )
        values = pd.DataFrame(array.reshape(len(array), -1))
        if values.shape[1] == 1 and array.ndim == 1:
            values.columns = ["value"]
    columns = [str(c) for c in values.columns]
    if values.shape[1] == 0:
        raise InvalidParameterError(f"The 'values' parameter of {func} has no columns.")
    if max_columns is not None and values.shape[1] > max_columns:
        other = "rwg_j" if func == "rwg" else "icc_table"
        raise InvalidParameterError(
            f"{func} takes one variable; got {values.shape[1]} columns ({', '.join(columns)}). "
            f"Use {other} for several."
        )
    x = _numeric(values, columns, func)
    group_series = groups if isinstance(groups, pd.Series) else pd.Series(np.asarray(groups))
    if group_series.ndim != 1 or len(group_series) != len(x):
        raise InvalidParameterError(
            f"The 'groups' parameter of {func} must have one entry per row of 'values' "
            f"({len(x)}); got {len(group_series)}."
        )
    if isinstance(group_series.dtype, pd.CategoricalDtype):
        codes = group_series.cat.codes.to_numpy().astype(np.intp)
        labels = pd.Index(group_series.cat.categories)
        categorical = True
    else:
        try:
            codes, labels = pd.factorize(group_series, sort=True)
        except TypeError:  # labels of mixed types cannot be sorted
            codes, labels = pd.factorize(group_series)
        categorical = False
    return Input(
        x, columns, np.asarray(codes, dtype=np.intp), pd.Index(labels), categorical, group_name
    )


_NUMERIC_KINDS = {"integer", "floating", "mixed-integer-float", "boolean", "decimal", "empty"}


def _numeric(values: pd.DataFrame, columns: list[str], func: str) -> np.ndarray:
    """The values as floats (NaN where missing); text, objects and infinities are problems."""
    problems = [
        {"column": name, "reason": f"not numeric (dtype {column.dtype})"}
        for name, (_, column) in zip(columns, values.items(), strict=True)
        if pd.api.types.infer_dtype(column, skipna=True) not in _NUMERIC_KINDS
    ]
    if not problems:
        x = values.to_numpy(dtype=float, na_value=np.nan).reshape(len(values), len(columns))
        x = np.asfortranarray(x)  # items as columns: the per-column sums read them in order
        infinite = np.isinf(x).sum(axis=0)
        problems = [
            {"column": name, "reason": f"{int(count)} infinite values"}
            for name, count in zip(columns, infinite, strict=True)
            if count
        ]
    if problems:
        raise ResponseDataError(problems, context=f"the values passed to {func}")
    return x


def check_span(x: np.ndarray, points: int, func: str, columns: list[str]) -> None:
    """Values spread over more than ``points`` scale points cannot come from that scale."""
    low, high = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)  # NaN only if all NaN
    problems = [
        {
            "column": name,
            "reason": f"values from {lo:g} to {hi:g} span more than the {points} scale points "
            "given by scale_points",
        }
        for name, lo, hi in zip(columns, low, high, strict=True)
        if hi - lo > points - 1
    ]
    if problems:
        raise ResponseDataError(problems, context=f"the values passed to {func}")


def resolve_null(null: Any, scale_points: Any, func: str) -> float:
    """The variance of the null (no-agreement) distribution."""
    points = None if scale_points is None else check_int(scale_points, "scale_points", func, low=2)
    if isinstance(null, numbers.Real) and not isinstance(null, bool):
        return check_number(null, "null", func, low=0, low_open=True)
    name = check_option(null, "null", func, NULL_NAMES)
    if points is None:
        raise InvalidParameterError(
            f"{func} needs 'scale_points' (the number of response options) to compute the "
            f"{name!r} null variance; or pass that variance as 'null'."
        )
    if name != "uniform" and points not in NULL_TABLE:
        raise InvalidParameterError(
            f"The {name!r} null of {func} is tabulated (LeBreton & Senter 2008) for 5 to 11 "
            f"scale points; got scale_points={points}. Pass its variance as 'null' instead."
        )
    return null_variance(name, points)


def result_table(
    inp: Input, m: ItemMoments, values: np.ndarray, column: str, min_n: int
) -> pd.DataFrame:
    """Tidy result: one row per group; groups without a usable row only for a Categorical.

    A group of fewer than ``min_n`` rows, or whose statistic rests on fewer than ``min_n``
    answers (the fewest answers to any item: the complete rows when listwise), is suppressed
    (:func:`colead.privacy.blank`). An empty group, or an item nobody in the group answered
    (no statistic at all), has nothing to hide.
    """
    from colead.privacy import blank

    rows = m.rows
    keep = np.ones(len(rows), dtype=bool) if inp.categorical else rows > 0
    table = pd.DataFrame(
        {
            inp.group_name: inp.labels[keep],
            "n": rows[keep].astype(np.int64),
            column: values[keep].astype(float),
        }
    )
    used, rests_on = rows[keep], m.count.min(axis=1)[keep]
    hidden = ((used > 0) & (used < min_n)) | ((rests_on > 0) & (rests_on < min_n))
    return blank(table, hidden, [inp.group_name])


def read_moments(
    values: Any, groups: Any, func: str, missing: str, *, max_columns: int | None = None
) -> tuple[Input, ItemMoments]:
    inp = read(values, groups, func, max_columns=max_columns)
    missing = check_option(missing, "missing", func, ("listwise", "itemwise"))
    return inp, item_moments(inp.x, inp.codes, len(inp.labels), missing)

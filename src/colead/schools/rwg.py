"""Within-group agreement: rwg, rwg(j), r*wg(j), awg and AD, for teachers (rows) nested in
schools (groups). ICC(1) and ICC(2) are in :mod:`colead.schools.icc`.

Every function takes the values (one variable, or a DataFrame of items) and the group of each
row, and follows R's ``multilevel`` package (Bliese), version 2.7, to 1e-6: the same formulas,
truncation, and rules for missing values, groups of one and empty groups. The per-group
arithmetic is done with ``np.bincount`` over group codes, so 100,000 teachers in 4,000 schools
take milliseconds.

The agreement indices take ``min_n`` (default 5): a group whose value rests on fewer answers is
suppressed, as everywhere in colead; ``min_n=1`` gives R's values for every group.

``groups`` is an array or Series with one entry per row (matched by position), or, when the
values are a DataFrame, the name of one of its columns. Rows without a group are dropped, as
``multilevel`` drops them. The result's group column takes the Series' (or column's) name, or
``group``. Groups come out sorted; a pandas Categorical keeps every category, even one that
no usable row belongs to (``n`` 0, index missing), as R keeps the empty levels of a factor.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from colead._validation import check_int, check_number, check_option
from colead.exceptions import ResponseDataError
from colead.schools import _kernels as core

__all__ = ["ad", "awg", "rwg", "rwg_j", "rwg_j_lindell", "scale_agreement"]

Missing = Literal["listwise", "itemwise"]
NullName = Literal["uniform", "slight_skew", "moderate_skew", "heavy_skew", "triangular", "normal"]


# ---------------------------------------------------------------------------------------------
# Agreement
# ---------------------------------------------------------------------------------------------

_SHARED_PARAMETERS = """
    groups : array-like, Series or str
        The group (school) of each row, matched by position; or the name of a column of the
        DataFrame passed first. Rows without a group are dropped."""

_SHARED_NULL = """
    scale_points : int, optional
        Number of response options A. Needed for a named ``null``.
    null : {'uniform', 'slight_skew', 'moderate_skew', 'heavy_skew', 'triangular', 'normal'} \
or float, default 'uniform'
        The variance expected with no agreement: 'uniform' is (A^2 - 1) / 12; the skewed,
        triangular and normal variances are LeBreton & Senter's (2008), tabulated for 5 to 11
        points as in LeBreton's WGA package; a float is used as the variance itself
        (multilevel's ``ranvar``)."""

_SHARED_MIN_N = """
    min_n : int, default 5
        A group whose statistic rests on fewer answers (the fewest answers to any item; the
        complete rows when listwise) is suppressed: ``n`` and the statistic missing,
        ``suppressed`` True. ``min_n=1`` gives R's behaviour (every group with 2 rows has a
        value)."""

_SHARED_MISSING = """
    missing : {'listwise', 'itemwise'}, default 'listwise'
        For several items. 'listwise' (multilevel 2.7, the R reference) drops every row with
        an unanswered item before anything else. 'itemwise' keeps every row with at least one
        answer and computes each item's statistic from its own answers; a group in which some
        item has fewer than 2 answers gets no value (NaN). 'itemwise' is the rule described
        for multilevel 2.8's ``listwise = FALSE``; it is tested against that rule written out
        in R (for rwg(j) and r*wg(j)), not against multilevel 2.8, which was not available."""


def _rwg_family(
    values: Any,
    groups: Any,
    func: str,
    column: str,
    *,
    scale_points: Any,
    null: Any,
    missing: str,
    lindell: bool,
    min_n: int,
    max_columns: int | None = None,
) -> pd.DataFrame:
    ranvar = core.resolve_null(null, scale_points, func)
    min_n = check_int(min_n, "min_n", func, low=1)
    inp, m = core.read_moments(values, groups, func, missing, max_columns=max_columns)
    if scale_points is not None:
        core.check_span(inp.x, scale_points, func, inp.columns)
    values = core.rwg_j_values(m, ranvar, lindell=lindell)
    return core.result_table(inp, m, values, column, min_n)


def rwg(
    values: Any,
    groups: Any,
    *,
    scale_points: int | None = None,
    null: NullName | float = "uniform",
    min_n: int = 5,
) -> pd.DataFrame:
    """Within-group agreement on one item: rwg (James, Demaree & Wolf 1984).

    Parameters
    ----------
    values : array-like, Series or one-column DataFrame
        The answers to one item (NaN where unanswered).
    {groups}
    {null}
    {min_n}

    Returns
    -------
    DataFrame
        One row per group: the group column, ``n`` (answers in the group), ``rwg`` and
        ``suppressed``.

    Raises
    ------
    InvalidParameterError
        For a bad option or several columns (use :func:`rwg_j`).
    ResponseDataError
        For non-numeric or infinite values, or values spanning more than ``scale_points``.

    See Also
    --------
    rwg_j, awg, ad

    Notes
    -----
    rwg = 1 - s^2 / sigma^2_EU with the group variance s^2 (n - 1 denominator) truncated at
    sigma^2_EU, so rwg lies in [0, 1]; a group with one answer gives NaN. Validated against R
    ``multilevel::rwg`` 2.7 (``ranvar`` = the null variance) to 1e-6, on multilevel's lq2002
    and on colead's reference data with missing answers and groups of one.

    Examples
    --------
    >>> import colead as cl
    >>> data = cl.load_sample().data
    >>> table = cl.rwg(data["tp1"], data["school_id"], scale_points=6)
    >>> list(table.columns)
    ['school_id', 'n', 'rwg', 'suppressed']
    """
    return _rwg_family(
        values,
        groups,
        "rwg",
        "rwg",
        scale_points=scale_points,
        null=null,
        missing="listwise",
        lindell=False,
        min_n=min_n,
        max_columns=1,
    )


def rwg_j(
    items: Any,
    groups: Any,
    *,
    scale_points: int | None = None,
    null: NullName | float = "uniform",
    missing: Missing = "listwise",
    min_n: int = 5,
) -> pd.DataFrame:
    """Within-group agreement on a multi-item scale: rwg(j) (James, Demaree & Wolf 1984).

    Parameters
    ----------
    items : DataFrame or 2-D array
        One column per item of the scale (NaN where unanswered). Reversed items need not be
        reversed: agreement does not change.
    {groups}
    {null}
    {missing}
    {min_n}

    Returns
    -------
    DataFrame
        One row per group: the group column, ``n`` (rows used), ``rwg_j`` and ``suppressed``.

    Raises
    ------
    InvalidParameterError
        For a bad option.
    ResponseDataError
        For non-numeric or infinite values, or values spanning more than ``scale_points``.

    See Also
    --------
    rwg_j_lindell, rwg, awg, ad

    Notes
    -----
    With J items and S the mean of the item variances, S truncated at sigma^2_EU,
    rwg(j) = J (1 - S / sigma^2_EU) / (J (1 - S / sigma^2_EU) + S / sigma^2_EU). A group with
    fewer than 2 rows used gives NaN; a group left without any row is absent. Validated
    against R ``multilevel::rwg.j`` 2.7 (listwise) to 1e-6 on lq2002 and colead's reference
    data; the item-wise rule against the same computation written out in R.

    Examples
    --------
    >>> import colead as cl
    >>> data = cl.load_sample().data
    >>> items = ["tp1", "tp2", "tp3", "tp4", "tp5", "tp6"]
    >>> table = cl.rwg_j(data[items], data["school_id"], scale_points=6)
    >>> bool(table["rwg_j"].between(0, 1).all())
    True
    """
    return _rwg_family(
        items,
        groups,
        "rwg_j",
        "rwg_j",
        scale_points=scale_points,
        null=null,
        missing=missing,
        lindell=False,
        min_n=min_n,
    )


def rwg_j_lindell(
    items: Any,
    groups: Any,
    *,
    scale_points: int | None = None,
    null: NullName | float = "uniform",
    missing: Missing = "listwise",
    min_n: int = 5,
) -> pd.DataFrame:
    """Within-group agreement on a multi-item scale: r*wg(j) (Lindell, Brandt & Whitney 1999).

    Parameters
    ----------
    items : DataFrame or 2-D array
        One column per item of the scale (NaN where unanswered).
    {groups}
    {null}
    {missing}
    {min_n}

    Returns
    -------
    DataFrame
        One row per group: the group column, ``n`` (rows used), ``rwg_j_star`` and
        ``suppressed``.

    Raises
    ------
    InvalidParameterError
        For a bad option.
    ResponseDataError
        For non-numeric or infinite values, or values spanning more than ``scale_points``.

    See Also
    --------
    rwg_j

    Notes
    -----
    r*wg(j) = 1 - S / sigma^2_EU with S the mean item variance, not truncated: it is negative
    when the answers vary more than under the null. Validated against R
    ``multilevel::rwg.j.lindell`` 2.7 (listwise) to 1e-6; the item-wise rule against the
    same computation written out in R.
    """
    return _rwg_family(
        items,
        groups,
        "rwg_j_lindell",
        "rwg_j_star",
        scale_points=scale_points,
        null=null,
        missing=missing,
        lindell=True,
        min_n=min_n,
    )


def awg(
    values: Any,
    groups: Any,
    *,
    low: float,
    high: float,
    missing: Missing = "listwise",
    min_n: int = 5,
) -> pd.DataFrame:
    """Within-group agreement relative to the largest possible disagreement: awg (Brown &
    Hauenstein 2005), for one item or the mean over the items of a scale.

    Parameters
    ----------
    values : array-like, Series or DataFrame
        One item, or one column per item of a scale (NaN where unanswered).
    {groups}
    low, high : float
        The lowest and highest response option (multilevel's ``range``).
    {missing}
    {min_n}

    Returns
    -------
    DataFrame
        One row per group: the group column, ``n`` (rows used), ``awg`` and ``suppressed``.

    Raises
    ------
    InvalidParameterError
        For a bad option, or ``low >= high``.
    ResponseDataError
        For non-numeric or infinite values, or values outside [low, high].

    See Also
    --------
    rwg, rwg_j, ad

    Notes
    -----
    Per item, with group mean M, variance s^2 and k answers,
    awg = 1 - 2 s^2 / ([(H + L) M - M^2 - H L] k / (k - 1)). As in multilevel 2.7 it is
    missing when M lies outside [(L (k - 1) + H) / k, (H (k - 1) + L) / k] (where the
    maximum variance cannot be reached), 1 when M = H or M = L, and missing for one answer. A
    scale's awg is the mean over its items with a value, NaN when no item has one.
    Validated against R ``multilevel::awg`` 2.7 to 1e-6. Conventions: .70 or more acceptable,
    .60-.69 reasonable (Brown & Hauenstein 2005, as cited by multilevel).
    """
    min_n = check_int(min_n, "min_n", "awg", low=1)
    low = check_number(low, "low", "awg")
    high = check_number(high, "high", "awg", low=low, low_open=True)
    inp, m = core.read_moments(values, groups, "awg", missing)
    outside = [
        {"column": name, "reason": f"values outside [{low:g}, {high:g}]"}
        for j, name in enumerate(inp.columns)
        if ((inp.x[:, j] < low) | (inp.x[:, j] > high)).any()
    ]
    if outside:
        raise ResponseDataError(outside, context="the values passed to awg")
    return core.result_table(inp, m, core.awg_values(m, low, high), "awg", min_n)


def ad(
    values: Any,
    groups: Any,
    *,
    type: Literal["mean", "median"] = "mean",
    missing: Missing = "listwise",
    min_n: int = 5,
) -> pd.DataFrame:
    """Average deviation index AD (Burke, Finkelstein & Dusig 1999) for one item or a scale.

    Parameters
    ----------
    values : array-like, Series or DataFrame
        One item, or one column per item of a scale (NaN where unanswered).
    {groups}
    type : {'mean', 'median'}, default 'mean'
        Deviations from the group mean (AD_M) or from the group median (AD_Md).
    {missing}
    {min_n}

    Returns
    -------
    DataFrame
        One row per group: the group column, ``n`` (rows used), ``ad`` and ``suppressed``.

    Raises
    ------
    InvalidParameterError
        For a bad option.
    ResponseDataError
        For non-numeric or infinite values.

    See Also
    --------
    rwg, rwg_j, awg

    Notes
    -----
    AD = sum |x - centre| / n per item, averaged over items; 0 is perfect agreement, and
    values below A / 6 (A response options) count as agreement (multilevel's ``ad.m``
    documentation; Burke & Dunlap 2002). A group with one row gives NaN. Validated against R
    ``multilevel::ad.m`` 2.7 to 1e-6 on bhr2000 and colead's reference data.
    """
    center = check_option(type, "type", "ad", ("mean", "median"))
    min_n = check_int(min_n, "min_n", "ad", low=1)
    inp, m = core.read_moments(values, groups, "ad", missing)
    return core.result_table(inp, m, core.ad_values(m, len(inp.labels), center), "ad", min_n)


def scale_agreement(
    items: pd.DataFrame, groups: pd.Series, *, scale_points: int | None, missing: str, func: str
) -> pd.DataFrame:
    """Per group, unsuppressed (for :func:`colead.aggregate` and :func:`colead.agreement`,
    which suppress): ``rwg_n`` (the fewest answers to any item: the complete rows when
    listwise), ``rwg_j`` (uniform null; NaN without ``scale_points``) and ``ad`` (AD_M)."""
    inp, m = core.read_moments(items, groups, func, missing)
    with np.errstate(invalid="ignore"):
        rwg = (
            core.rwg_j_values(m, core.resolve_null("uniform", scale_points, func), lindell=False)
            if scale_points
            else np.full(len(inp.labels), np.nan)
        )
    used = m.rows > 0
    return pd.DataFrame(
        {
            inp.group_name: inp.labels[used],
            "rwg_n": m.count.min(axis=1)[used],
            "rwg_j": rwg[used],
            "ad": core.ad_values(m, len(inp.labels), "mean")[used],
        }
    )


for _func in (rwg, rwg_j, rwg_j_lindell, awg, ad):
    for _key, _text in (
        ("groups", _SHARED_PARAMETERS),
        ("null", _SHARED_NULL),
        ("missing", _SHARED_MISSING),
        ("min_n", _SHARED_MIN_N),
    ):
        _func.__doc__ = (_func.__doc__ or "").replace("    {" + _key + "}", _text.strip("\n"))

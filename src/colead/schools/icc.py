"""The reliability of group means: ICC(1) and ICC(2) for teachers (rows) nested in schools
(groups), by one-way ANOVA as R's ``multilevel::ICC1``/``ICC2`` (Bliese 2000) or by REML as
``lme4``, and a table of them for several variables.

``groups`` follows the same rules as the agreement indices of :mod:`colead.schools.rwg`: one
entry per row, or a column name of a DataFrame; rows without a group are dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

import pandas as pd

from colead._text import summary_html
from colead._validation import check_option
from colead.exceptions import InvalidParameterError
from colead.schools import _anova
from colead.schools import _kernels as core

__all__ = ["ICCResult", "icc", "icc_table"]

_METHOD_TEXT = {
    "anova": "one-way ANOVA, as multilevel::ICC1/ICC2",
    "mixed": "random-intercept model (REML), as multilevel::mult.icc",
}


@dataclass(frozen=True, slots=True)
class ICCResult:
    """ICC(1) and ICC(2) of one variable, with the one-way ANOVA behind them.

    Attributes
    ----------
    variable : str or None
        The variable's name, when it has one.
    method : {'anova', 'mixed'}
    icc1 : float
        ICC(1): the share of the variance that lies between groups (how much one teacher's
        answer tells about the school). ANOVA: negative when groups differ less than chance.
    icc2 : float
        ICC(2): the reliability of the group means.
    f, df1, df2, p_value : float, int, int, float
        The one-way ANOVA F test of equal group means (for both methods).
    msb, msw : float
        Between- and within-group mean squares.
    tau00, sigma2 : float
        Between-group (intercept) and within-group variance: (MSB - MSW) / k and MSW for
        ``anova``, the REML estimates for ``mixed``. ICC(1) = tau00 / (tau00 + sigma2).
    n, n_groups : int
        Values used (missing ones dropped) and groups holding at least one of them.
    mean_group_size : float
        The k of the formulas: for ``anova``, ``n / n_groups`` (``group_size="mean"``) or
        the n0 of unbalanced ANOVA (``group_size="n0"``); for ``mixed``, as mult.icc, the
        mean number of rows per group counting rows whose value is missing.
    group_size : {'mean', 'n0'}
        Which k ``anova`` used.
    """

    variable: str | None
    method: str
    icc1: float
    icc2: float
    f: float
    df1: int
    df2: int
    p_value: float
    msb: float
    msw: float
    tau00: float
    sigma2: float
    n: int
    n_groups: int
    mean_group_size: float
    group_size: str = "mean"

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame (the columns of :func:`icc_table`)."""
        return pd.DataFrame([asdict(self)])

    def summary(self) -> str:
        """The result as text, rounded for reading (the attributes are not rounded)."""
        name = f" of {self.variable}" if self.variable else ""
        return "\n".join(
            [
                f"ICC{name} ({_METHOD_TEXT[self.method]})",
                f"  ICC(1) = {self.icc1:.4f}   ICC(2) = {self.icc2:.4f}",
                f"  F({self.df1}, {self.df2}) = {self.f:.3f}, p = {self.p_value:.3g}",
                f"  {self.n} values in {self.n_groups} groups, "
                + (f"mean group size {self.mean_group_size:.2f}" if self.group_size == "mean"
                   else f"group size n0 = {self.mean_group_size:.2f} (unbalanced ANOVA)"),
                f"  between-group variance tau00 = {self.tau00:.4g}, "
                f"within sigma2 = {self.sigma2:.4g}",
            ]
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return summary_html(self.summary())


def icc(
    values: Any,
    groups: Any,
    *,
    method: Literal["anova", "mixed"] = "anova",
    group_size: Literal["mean", "n0"] = "mean",
) -> ICCResult:
    """ICC(1) and ICC(2): how much of a variable lies between groups, and how reliable the
    group means are.

    Parameters
    ----------
    values : array-like, Series or one-column DataFrame
        One variable, such as a scale score (NaN where missing). For several columns use
        :func:`icc_table`.
    groups : array-like, Series or str
        The group (school) of each row, matched by position; or the name of a column of
        ``values``. Rows without a group are dropped.
    method : {'anova', 'mixed'}, default 'anova'
        'anova': the one-way ANOVA estimates of ``multilevel::ICC1`` and ``ICC2``. 'mixed':
        the random-intercept model fitted by REML, as ``multilevel::mult.icc``.
    group_size : {'mean', 'n0'}, default 'mean'
        The k of the ANOVA formulas when groups differ in size: 'mean' is N / G, as
        ``multilevel::ICC1``; 'n0' is the group size of unbalanced one-way ANOVA,
        n0 = (N - sum n_j^2 / N) / (G - 1), which makes tau00 = (MSB - MSW) / n0 the unbiased
        ANOVA estimator of the between-group variance. They agree for balanced groups; the
        more the sizes differ, the smaller n0 and the larger ICC(1) with it. Only for
        ``method="anova"`` (ICC(2) does not use k).

    Returns
    -------
    ICCResult
        ``icc1``, ``icc2``, the F test (``f``, ``df1``, ``df2``, ``p_value``), ``msb``,
        ``msw``, ``tau00``, ``sigma2``, ``n``, ``n_groups``, ``mean_group_size``,
        ``group_size``; with ``summary()`` and ``to_frame()``.

    Raises
    ------
    InvalidParameterError
        For a bad option, mismatched lengths or several columns.
    InsufficientDataError
        With fewer than 2 groups, or no group holding 2 values.
    ResponseDataError
        For non-numeric or infinite values.

    See Also
    --------
    icc_table, rwg_j

    Notes
    -----
    ANOVA (Bliese 2000): with MSB and MSW from the one-way ANOVA and k = N / G (values per
    group holding one), ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW) and
    ICC(2) = (MSB - MSW) / MSB. Missing values are dropped and a group without any value
    vanishes, as R's ``aov`` does. ICC(1) may be negative. N / G is multilevel's choice; with
    unbalanced groups the expected MSB is sigma2 + n0 tau00, not sigma2 + (N / G) tau00, so
    ``group_size="n0"`` gives the textbook ANOVA estimator (Searle, Casella & McCulloch 1992;
    Snedecor & Cochran). On colead's reference data (schools of 1 to 29) the two differ by
    about 1e-3 in ICC(1); with very unequal schools the difference grows. The REML estimate
    (``method="mixed"``) needs no k.

    Mixed: ICC(1) = tau00 / (tau00 + sigma2) from the REML fit of y = mu + u_j + e_ij, and
    ICC(2) = k ICC(1) / (1 + (k - 1) ICC(1)) where, as in ``mult.icc``, k is the mean number
    of rows per group *including rows whose value is missing*. REML is solved exactly from
    the group sizes, group means and within sum of squares: the profiled REML likelihood is a
    function of lambda = tau00 / sigma2 alone, and lambda is the root of its derivative
    (Brent's method), or 0 on the boundary (so ICC(1) >= 0).

    Validated against R 4.2.2, multilevel 2.7: ANOVA results (``ICC1``, ``ICC2``,
    ``summary(aov())``) to 1e-6; mixed ICC(1), tau00 and sigma2 to 1e-6 against the exact
    REML optimum and lme4 1.1-31. ``mult.icc`` itself agrees only to about 1e-3, because the
    nlme ``optim`` fit it uses stops short of the optimum (by up to 5e-4 in ICC(1) on the
    reference data; 7e-8 on bh1996) and it reads tau00 rounded to 7 digits.

    Examples
    --------
    >>> import colead as cl
    >>> data = cl.load_sample().data
    >>> score = data[["tp1", "tp2", "tp3", "tp4", "tp6"]].mean(axis=1)
    >>> result = cl.icc(score, data["school_id"])
    >>> result.n_groups
    12
    >>> bool(cl.icc(score, data["school_id"], method="mixed").icc1 >= 0)
    True
    """
    check_option(method, "method", "icc", ("anova", "mixed"))
    _check_group_size(group_size, method, "icc")
    inp = core.read(values, groups, "icc", max_columns=1)
    return ICCResult(**_anova.icc_fit(inp.x[:, 0], inp, method, inp.columns[0], "icc",
                                      group_size))


def _check_group_size(group_size: str, method: str, func: str) -> None:
    check_option(group_size, "group_size", func, ("mean", "n0"))
    if group_size == "n0" and method != "anova":
        raise InvalidParameterError(
            f"The 'group_size' parameter of {func} chooses the k of the ANOVA formulas; "
            "method='mixed' needs none. Use group_size='mean' (the default) with it."
        )


def icc_table(
    data: Any,
    groups: Any,
    *,
    method: Literal["anova", "mixed"] = "anova",
    group_size: Literal["mean", "n0"] = "mean",
) -> pd.DataFrame:
    """:func:`icc` for every column of a DataFrame, one row per column.

    Parameters
    ----------
    data : DataFrame or 2-D array
        One column per variable (such as the scale scores).
    groups : array-like, Series or str
        As in :func:`icc`; a column name is left out of the variables.
    method : {'anova', 'mixed'}, default 'anova'
        As in :func:`icc`. For 'mixed', k is the same for every column (rows per group, as
        ``mult.icc``).
    group_size : {'mean', 'n0'}, default 'mean'
        As in :func:`icc`.

    Returns
    -------
    DataFrame
        One row per column: ``variable``, ``method``, ``icc1``, ``icc2``, ``f``, ``df1``,
        ``df2``, ``p_value``, ``msb``, ``msw``, ``tau00``, ``sigma2``, ``n``, ``n_groups``,
        ``mean_group_size``, ``group_size`` (the attributes of :class:`ICCResult`).

    Raises
    ------
    InvalidParameterError, InsufficientDataError, ResponseDataError
        As :func:`icc`; the message names the column.

    Notes
    -----
    Each column uses its own non-missing values (column-wise, not listwise), as
    ``multilevel::mult.icc`` and separate ``aov`` calls do.
    """
    check_option(method, "method", "icc_table", ("anova", "mixed"))
    _check_group_size(group_size, method, "icc_table")
    inp = core.read(data, groups, "icc_table")
    rows = [
        _anova.icc_fit(inp.x[:, j], inp, method, name, "icc_table", group_size)
        for j, name in enumerate(inp.columns)
    ]
    return pd.DataFrame(rows, columns=[f.name for f in fields(ICCResult)])

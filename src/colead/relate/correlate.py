"""Correlations between scales: between teachers, between school means and within schools.

The arithmetic is in the private kernel ``_correlation``; this module checks arguments and
documents the contract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from colead._validation import check_option
from colead.exceptions import InvalidParameterError
from colead.io.responses import Responses
from colead.privacy import check_min_n
from colead.relate import _correlation as corr
from colead.relate._common import (
    as_list,
    check_bool,
    check_ci,
    check_column_name,
    check_columns,
    check_frame,
)

__all__ = ["correlate", "correlation_matrix"]

Level = Literal["individual", "school", "within"]


def correlate(
    scores: pd.DataFrame | Responses,
    *,
    by: str | None = None,
    level: Level | Sequence[Level] = "individual",
    method: Literal["pearson", "spearman"] = "pearson",
    ci: float = 0.95,
    adjust: Literal["bonferroni", "holm", "fdr_bh"] | None = None,
    disattenuate: Mapping[str, float] | pd.DataFrame | None = None,
    columns: Sequence[str] | None = None,
    weighted: bool = False,
    min_n: int = 5,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Correlations between scales, for respondents, between schools or within schools.

    Parameters
    ----------
    scores : DataFrame or Responses
        One row per respondent, as :func:`colead.score` returns it (Responses are scored).
    by : column name, optional
        The column identifying schools, needed for ``level="school"`` and ``"within"``
        (default ``"school_id"``). It is never correlated itself.
    level : {"individual", "school", "within"} or a list of them, default "individual"
        ``"individual"`` correlates respondents' scores (pairwise complete). ``"school"``
        correlates school means from :func:`colead.aggregate`: a school whose mean of a scale
        rests on fewer than ``min_n`` scores is suppressed there and left out of every pair
        with that scale. ``"within"`` correlates deviations from school means (the pooled
        within-school correlation). Several levels give one table with a row per level and
        pair.
    method : {"pearson", "spearman"}, default "pearson"
        Spearman correlates ranks (of the respondents, the school means or, within schools,
        of the respondents before their school means are taken out).
    ci : float, default 0.95
        Level of the Fisher-z intervals.
    adjust : {"bonferroni", "holm", "fdr_bh"}, optional
        Adjust the p-values of all pairs of each level for multiple testing (R's
        ``p.adjust`` methods "bonferroni", "holm" and "BH"); adds ``p_adjusted``.
    disattenuate : mapping or DataFrame, optional
        Reliabilities for the correction for attenuation: a mapping scale -> reliability, or
        the table of :func:`colead.reliability` (its ``alpha``). Adds ``reliability_x,
        reliability_y, r_disattenuated, ci_low_disattenuated, ci_high_disattenuated``. The
        reliability of school means is not alpha; for ``level="school"`` pass the school
        means' reliability (ICC(2), ``mean_reliability`` of :func:`colead.aggregate`).
    columns : list of column names, optional
        The variables to correlate; default every numeric column but the identifiers.
    weighted : bool, default False
        At the school level, weight each school by its number of respondents (Pearson only).
    min_n : int, default 5
        Schools with fewer scores on a scale are excluded from school-level pairs with it.
    allow_small_groups : bool, default False
        Allow ``min_n`` below 3.

    Returns
    -------
    DataFrame
        One row per pair (and level): ``x, y, level, method, n, groups, r, ci_low, ci_high,
        ci_level, p_value`` (+ ``p_adjusted``, + the disattenuated columns). ``n`` counts the
        units correlated: respondents, or schools at the school level; ``groups`` the
        schools involved (missing at the individual level). :func:`correlation_matrix` turns
        the table into a matrix.

    Raises
    ------
    InvalidParameterError
        Unknown options or columns, non-numeric columns, a missing school column, weighted
        Spearman correlations.

    Notes
    -----
    p-values are t tests of r on ``n - 2`` degrees of freedom (``cor.test``), within schools
    on ``n - groups - 1`` (the t test of the slope in ``lm(y ~ x + factor(school))``, which
    the pooled within correlation equals). Intervals are ``tanh(atanh(r) -/+ z / sqrt(df -
    1))``, that is ``1 / sqrt(n - 3)`` for ordinary correlations as ``cor.test``; Spearman
    intervals use the same formula as ``psych::corr.test``. Weighted school correlations are
    ``cov.wt(cor = TRUE)`` with the school sizes as weights. The disattenuated interval
    divides the bounds by the same factor as r (Hunter & Schmidt); values above 1 are kept,
    as a sign that the reliabilities are too low for the observed correlation.

    Validated against R 4.2 (``tests/reference/relate``): ``cor.test`` (individual and school
    means), ``psych::corr.test`` (Spearman), ``p.adjust``, ``cov.wt`` and ``lm`` with school
    dummies (within), to 1e-10.

    Examples
    --------
    >>> scores = cl.score(cl.simulate(n_schools=30, seed=1))               # doctest: +SKIP
    >>> cl.correlate(scores, level=["school", "within"])                    # doctest: +SKIP
    """
    func = "correlate"
    if isinstance(scores, Responses):
        from colead.psychometrics.scoring import score

        scores = score(scores)
    check_frame(scores, func, "scores")
    levels = as_list(level)
    if not levels:
        raise InvalidParameterError(f"The 'level' parameter of {func} names no level.")
    for lv in levels:
        check_option(lv, "level", func, corr.LEVELS)
    check_option(method, "method", func, corr.METHODS)
    ci = check_ci(ci, func)
    if adjust is not None:
        check_option(adjust, "adjust", func, corr.ADJUST)
    weighted = check_bool(weighted, "weighted", func)
    min_n = check_min_n(min_n, func, allow_small_groups=allow_small_groups)
    if weighted and method == "spearman":
        raise InvalidParameterError(f"{func}: weighted correlations are Pearson only.")
    needs_group = any(lv != "individual" for lv in levels)
    if by is None and needs_group:
        by = "school_id"
    if by is not None:
        check_column_name(by, "by", func, scores)
    chosen = corr.default_columns(scores, by) if columns is None else list(columns)
    check_columns(scores, chosen, func)
    if len(chosen) < 2:
        raise InvalidParameterError(f"{func} needs at least two numeric columns; got {chosen}.")
    rel = corr.reliabilities(disattenuate) if disattenuate is not None else None
    tables = []
    for lv in dict.fromkeys(levels):
        table = corr.correlation_pairs(
            scores, chosen, lv, by=by, method=method, ci=ci, weighted=weighted, min_n=min_n
        )
        if adjust is not None:
            table["p_adjusted"] = corr.adjust_p(table["p_value"], adjust)
        if rel is not None:
            table = corr.add_disattenuated(table, rel)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def correlation_matrix(
    pairs: pd.DataFrame, *, value: str = "r", level: Level | None = None
) -> pd.DataFrame:
    """The matrix view of a :func:`correlate` table.

    Parameters
    ----------
    pairs : DataFrame
        As :func:`correlate` returns it.
    value : str, default "r"
        The column to show (``"r"``, ``"p_value"``, ``"n"``, ``"r_disattenuated"``, ...).
    level : str, optional
        Which level, when the table holds several.

    Returns
    -------
    DataFrame
        Variables x variables; the diagonal is 1 for correlations and missing otherwise.
    """
    check_frame(pairs, "correlation_matrix", "pairs")
    return corr.matrix(pairs, value, level)

"""Relating the scales: correlations at two levels, regressions with clustered errors,
multilevel models, mediation and path models.

Teachers are nested in schools, so every function here offers the nested view: school-level
and within-school correlations (:func:`correlate`), cluster-robust errors by school
(:func:`regress`), random-intercept and random-slope models (:func:`multilevel`) and the
cluster bootstrap for indirect effects (:func:`path`, :func:`mediate`). School-level numbers
come from suppressed aggregates only: a school under ``min_n`` respondents never enters them.
Arithmetic lives in private kernels (``_correlation``, ``_regression``, ``_multilevel``,
``_path_model``, ``_path_fit``); this module checks arguments and documents the contract.
:func:`path` and :func:`mediate` are defined in :mod:`colead.path_analysis` and re-exported
here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from colead import _correlation as corr
from colead._multilevel import fit_multilevel
from colead._regression import fit_regression
from colead._relate_common import (
    as_list,
    check_bool,
    check_ci,
    check_column_name,
    check_columns,
    check_formula,
    check_frame,
)
from colead._validation import check_option
from colead.exceptions import InvalidParameterError
from colead.model_result import ModelResult
from colead.path_analysis import mediate, path
from colead.privacy import check_min_n
from colead.responses import Responses

__all__ = [
    "ModelResult",
    "correlate",
    "correlation_matrix",
    "mediate",
    "multilevel",
    "path",
    "regress",
]

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
        from colead.scoring import score

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


def regress(
    formula: str,
    data: pd.DataFrame,
    *,
    cluster: str | None = None,
    weights: str | None = None,
    standardize: bool = False,
    blocks: Mapping[str, str | Sequence[str]] | Sequence[str | Sequence[str]] | None = None,
    ci: float = 0.95,
) -> ModelResult:
    """Linear regression (OLS, or WLS with weights), with errors clustered by school.

    Parameters
    ----------
    formula : str
        A patsy formula, ``"focused_instruction ~ years_experience + trust_principal"``.
    data : DataFrame
        One row per respondent. Rows missing any variable of the formula, the cluster or the
        weight are left out (listwise).
    cluster : column name, optional
        Cluster-robust (CR1) standard errors by this column, with t tests and intervals on
        ``G - 1`` degrees of freedom (G clusters). Without it, classical OLS errors.
    weights : column name, optional
        Positive weights: weighted least squares.
    standardize : bool, default False
        Fit the model to z-scored outcome and design columns (weighted z-scores with
        ``weights``), so that estimates, errors and intervals are for standardized
        coefficients. ``std_estimate`` is reported either way.
    blocks : list of term lists, or mapping name -> terms, optional
        Hierarchical regression: the blocks enter in order (each step adds one block to the
        previous ones) and must split the formula's terms exactly. Every step uses the rows of
        the full model. Wahlstrom & Louis's order would be ``{"teacher": ["years_experience"],
        "trust": ["trust_principal"], "shared_leadership": ["shared_leadership"],
        "professional_community": [...]}``.
    ci : float, default 0.95

    Returns
    -------
    ModelResult
        ``coefficients``: ``term, estimate, se, ci_low, ci_high, p_value, std_estimate``
        (``std_estimate`` = b sd(x) / sd(y) on the rows used, weighted with weights).
        ``fit``: ``n, groups, df_model, df_resid, r2, adj_r2, sigma, f, f_p_value, loglik,
        aic, bic, cov_type, df_inference, weighted, standardized`` and, with ``cluster``, the
        cluster-robust Wald test of all slopes ``wald_f, wald_df1, wald_df2, wald_p_value``.
        ``blocks`` (with ``blocks``): ``step, block, terms, n, r2, adj_r2, r2_change,
        f_change, df1, df2, p_value`` and, with ``cluster``, the block's robust Wald test
        ``wald_f, wald_df1, wald_df2, wald_p_value``; ``steps`` holds each step's model.
        ``model`` is the statsmodels result.

    Raises
    ------
    InvalidParameterError
        A malformed formula, unknown columns, non-positive weights, blocks that do not split
        the formula's terms.
    InsufficientDataError
        No more complete rows than coefficients.

    Notes
    -----
    The F test of an R squared change is the classical nested-model F test (R's ``anova(m0,
    m1)``); it assumes independent respondents. With ``cluster`` the table also gives the
    cluster-robust Wald F of the block's coefficients on (q, G - 1) degrees of freedom, the
    test to read when teachers are nested in schools. AIC, BIC and the log-likelihood count
    the residual variance as a parameter, as R's ``logLik.lm``.

    Stepwise selection is not offered, by default or otherwise. Wahlstrom & Louis (2008) used
    stepwise regression, but choosing predictors by their p-values on the same data biases
    the kept coefficients away from zero, makes the reported standard errors, p-values and R
    squared too optimistic (they ignore the search), and lets the order of entry among
    correlated scales (trust, shared leadership, professional community) be decided by noise.
    Hierarchical blocks in an order fixed by theory answer the same question, how much each
    set of predictors adds, with tests that mean what they say.

    Validated against R 4.2 (``tests/reference/relate``): ``lm`` with ``sandwich::vcovCL(type
    = "HC1")`` and ``lmtest::coeftest``/``coefci`` on G - 1 df (OLS, WLS, standardized),
    ``summary.lm`` and ``confint`` without clusters, ``anova`` for R squared changes and
    ``lmtest::waldtest`` for the robust block tests; agreement to 1e-8 or better.

    Examples
    --------
    >>> fit = cl.regress("focused_instruction ~ trust_principal + shared_leadership",
    ...                  scores, cluster="school_id")                    # doctest: +SKIP
    >>> fit.coefficients                                                  # doctest: +SKIP
    """
    func = "regress"
    check_frame(data, func)
    check_formula(formula, func)
    standardize = check_bool(standardize, "standardize", func)
    ci = check_ci(ci, func)
    return fit_regression(
        formula,
        data,
        cluster=cluster,
        weights=weights,
        standardize=standardize,
        blocks=blocks,
        ci=ci,
    )


def multilevel(
    formula: str,
    data: pd.DataFrame,
    *,
    group: str,
    random: str | Sequence[str] | None = None,
    center: Mapping[str, Literal["grand", "group"]] | None = None,
    ci: float = 0.95,
) -> ModelResult:
    """A two-level linear model (respondents in schools) by REML.

    Parameters
    ----------
    formula : str
        The fixed part, a patsy formula: ``"focused_instruction ~ trust_principal"``.
    data : DataFrame
        One row per respondent; rows missing a variable of the model or the group are left
        out (listwise) before anything is centred.
    group : column name
        The column identifying schools.
    random : str or list of str, optional
        Terms with random slopes: ``"shared_leadership"`` or ``["x", "z"]`` fits
        ``(1 + x | group)`` with intercept and slopes correlated; ``"0 + x"`` drops the
        random intercept. Default: a random intercept only.
    center : mapping column -> {"grand", "group"}, optional
        Centre predictors on the rows used: ``"grand"`` subtracts the overall mean,
        ``"group"`` the school mean. Group-mean centring also makes the school means
        available as ``<column>_group_mean``, so the formula can separate within- and
        between-school effects: ``"y ~ x + x_group_mean"`` with ``center={"x": "group"}``.
    ci : float, default 0.95

    Returns
    -------
    ModelResult
        ``coefficients``: the fixed effects, ``term, estimate, se, ci_low, ci_high, p_value,
        std_estimate`` (Wald z; ``std_estimate`` = b sd(x) / sd(y) over the rows used).
        ``variance_components``: ``level, term, term2, estimate, sd, correlation`` for each
        random-effect variance and covariance and the residual variance (as
        ``as.data.frame(VarCorr(fit))``). ``fit``: ``n, groups, mean_group_size, method,
        reml_loglik, aic, bic, converged, singular, sigma2, tau00`` and, from the null model
        (random intercept only, same rows), ``icc_null, tau00_null, sigma2_null``, with the
        variance explained: ``r2_within`` and ``r2_between`` (proportional reduction of the
        residual and intercept variances, Raudenbush & Bryk), ``r2_level1`` and ``r2_level2``
        (Snijders & Bosker, with the mean group size). ``model`` is the statsmodels
        ``MixedLMResults``.

    Raises
    ------
    InvalidParameterError
        Bad formula, random part, centring or columns; fewer than two groups.
    InsufficientDataError
        Too few complete rows.

    Warns
    -----
    ColeadWarning
        Non-convergence, a singular fit (a variance at zero), and statsmodels' own
        convergence messages, for the model and for the null model.

    Notes
    -----
    Fitted with statsmodels ``MixedLM`` by REML. Standard errors of the fixed effects are
    ``(X' V^-1 X)^-1`` at the REML variance components, as lme4's ``vcov`` (statsmodels'
    own ``bse_fe`` come from the joint Hessian and differ slightly). p-values are Wald z
    tests; lme4 gives none and Satterthwaite degrees of freedom (lmerTest) are not offered.
    AIC and BIC use the REML log-likelihood with lme4's parameter count. With random slopes
    the variance-explained measures use the intercept variance, which depends on where the
    slopes' predictors are centred.

    Validated against ``lme4::lmer(REML = TRUE)`` 1.1-31 (``tests/reference/relate``):
    random-intercept models with and without grand- and group-mean centring and a
    correlated random-slope model; fixed effects, their standard errors and the variance
    components agree to 1e-4 relative (the requirement is 1e-3), the REML log-likelihood to
    1e-6.

    Examples
    --------
    >>> cl.multilevel("focused_instruction ~ trust_principal + trust_principal_group_mean",
    ...               scores, group="school_id", center={"trust_principal": "group"})
    ...                                                                     # doctest: +SKIP
    """
    func = "multilevel"
    check_frame(data, func)
    check_formula(formula, func)
    ci = check_ci(ci, func)
    return fit_multilevel(formula, data, group=group, random=random, center=center, ci=ci)

"""Linear regression of scale scores, with errors clustered by school (CR1) and blocks.

The arithmetic is in the private kernel ``_regression``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from colead.relate._common import (
    check_bool,
    check_ci,
    check_formula,
    check_frame,
)
from colead.relate._regression import fit_regression
from colead.relate.results import ModelResult

__all__ = ["regress"]


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
        ``G - 1`` degrees of freedom (G clusters among the rows used), as Stata and
        ``lmtest::coeftest(df = G - 1)``; :func:`colead.influence_relations` uses the same
        rule. coeftest's own default for ``lm``, n - p, would count every teacher as an
        independent piece of information about the errors, which come from only G schools:
        too liberal with few schools. Without ``cluster``, classical OLS errors.
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

"""Multilevel (mixed) models of teachers in schools: random intercepts and slopes by REML.

The arithmetic is in the private kernel ``_multilevel``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from colead.relate._common import (
    check_ci,
    check_formula,
    check_frame,
)
from colead.relate._multilevel import fit_multilevel
from colead.relate.results import ModelResult

__all__ = ["multilevel"]


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

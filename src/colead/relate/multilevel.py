"""Multilevel (mixed) models of teachers in schools: random intercepts and slopes by REML or ML.

The design is made in ``_multilevel``; the arithmetic, from group sufficient statistics, is in
the private kernel ``_lmm``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import pandas as pd

from colead.relate._common import (
    check_bool,
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
    reml: bool = True,
    ci: float = 0.95,
) -> ModelResult:
    """A two-level linear model (respondents in schools) by REML or maximum likelihood.

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
    reml : bool, default True
        REML (lme4's default) or, with False, maximum likelihood (``lmer(REML = FALSE)``).
        Likelihood-ratio tests of fixed effects need ML fits; :func:`colead.compare` refits
        REML models by ML for them, as lme4's ``anova`` does.
    ci : float, default 0.95

    Returns
    -------
    ModelResult
        ``coefficients``: the fixed effects, ``term, estimate, se, ci_low, ci_high, p_value,
        std_estimate`` (Wald z; ``std_estimate`` = b sd(x) / sd(y) over the rows used).
        ``variance_components``: ``level, term, term2, estimate, sd, correlation`` for each
        random-effect variance and covariance and the residual variance (as
        ``as.data.frame(VarCorr(fit))``). ``fit``: ``n, groups, mean_group_size, method``
        (``"REML"`` or ``"ML"``), ``loglik`` (lme4's ``logLik``: the REML log-likelihood of a
        REML fit), ``reml_loglik`` (the same for REML fits, NaN for ML), ``aic, bic,
        converged, singular, sigma2, tau00`` and, from the null model (random intercept only,
        same rows, same method), ``icc_null, tau00_null, sigma2_null``, with the variance
        explained: ``r2_within`` and ``r2_between`` (proportional reduction of the residual
        and intercept variances, Raudenbush & Bryk), ``r2_level1`` and ``r2_level2``
        (Snijders & Bosker, with the mean group size). ``model`` is colead's
        ``MixedModel``: it refits by ML for :func:`colead.compare`, and forwards any other
        attribute to a statsmodels ``MixedLMResults`` at colead's estimates, built on first
        use (``fit.model.cov_re``, ``fit.model.summary()``; ``fit.model.model`` is the
        statsmodels ``MixedLM`` on the rows used). Before colead fitted mixed models itself,
        ``model`` was the ``MixedLMResults`` of statsmodels' own optimiser.

    Raises
    ------
    InvalidParameterError
        Bad formula, random part, centring or columns; fewer than two groups.
    InsufficientDataError
        Too few complete rows.

    Warns
    -----
    ColeadWarning
        Non-convergence and a singular fit (a variance at zero, or random effects perfectly
        correlated), for the model and for the null model.

    Notes
    -----
    lme4's formulation (Bates et al. 2015): the criterion (REML or ML) is profiled over the
    fixed effects and the residual variance, leaving a function of the relative covariance
    factor of the random effects, which is minimised (bounded Brent search for a random
    intercept, L-BFGS-B then Nelder-Mead for correlated random effects). Every evaluation
    uses per-school sufficient statistics (``Z_g'Z_g``, ``Z_g'X_g``, ``Z_g'y_g``) and the
    Woodbury identity: no n x n matrix and no loop over schools, so 100,000 teachers in
    4,000 schools take a few hundredths of a second for a random intercept (lme4: about a
    second). Standard errors of the fixed effects are ``sigma2 (X' V^-1 X)^-1`` as lme4's
    ``vcov``; p-values are Wald z tests (lme4 gives none; Satterthwaite degrees of freedom,
    lmerTest, are not offered). AIC and BIC use the log-likelihood of the method with lme4's
    parameter count. A fit is singular, as lme4's ``isSingular``, when a diagonal element of
    the relative covariance factor is under 1e-4. With random slopes the variance-explained
    measures use the intercept variance, which depends on where the slopes' predictors are
    centred.

    Validated against ``lme4::lmer`` 1.1-31 (``tests/reference/relate``): by REML,
    random-intercept models with and without grand- and group-mean centring agree to 1e-7
    relative (fixed effects, their standard errors, variance components; the REML
    log-likelihood to 1e-11) and correlated random-slope models to 5e-5 (there lme4's
    default optimiser stops short: colead's REML log-likelihood is higher by 1e-8); by ML
    and on unbalanced schools with random slopes, against ``lmer(REML = FALSE)`` run with
    tight optimiser tolerances, to 1e-6.

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
    reml = check_bool(reml, "reml", func)
    return fit_multilevel(
        formula, data, group=group, random=random, center=center, ci=ci, reml=reml
    )

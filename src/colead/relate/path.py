"""Observed-variable path models and mediation: :func:`path` and :func:`mediate`.

Re-exported by :mod:`colead.relate`; the estimation and the vectorised (cluster) bootstrap are
in the private kernels ``_path_model`` and ``_path_fit``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from colead._validation import check_int, check_option
from colead.exceptions import InvalidParameterError
from colead.privacy import check_min_n
from colead.relate._common import as_list, check_bool, check_ci, check_columns, check_frame
from colead.relate._path_fit import fit_path
from colead.relate.results import ModelResult

__all__ = ["mediate", "path"]


def path(
    model: str | Mapping[str, str | Sequence[str]],
    data: pd.DataFrame,
    *,
    level: Literal["individual", "school"] = "individual",
    group: str | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int | np.random.Generator | None = None,
    min_n: int = 5,
    allow_small_groups: bool = False,
    correlate_outcomes: bool = True,
) -> ModelResult:
    """An observed-variable path model: a recursive system of regressions, with direct,
    indirect and total effects and bootstrap intervals.

    Parameters
    ----------
    model : str or mapping
        ``{"professional_community": ["shared_leadership", "trust_principal"],
        "focused_instruction": ["professional_community"]}``, or the same as lines
        ``"professional_community ~ shared_leadership + trust_principal"`` (``#`` starts a
        comment). Variables that no equation explains are exogenous and correlate freely;
        the model must be recursive (no cycles). Disturbances are uncorrelated, except those
        of the final outcomes (see ``correlate_outcomes``).
    data : DataFrame
        One row per respondent; rows missing a model variable (or the group) are left out.
    level : {"individual", "school"}, default "individual"
        ``"school"`` fits the model to school means from :func:`colead.aggregate`: schools
        with fewer than ``min_n`` scores on any model variable are left out.
    group : column name, optional
        The column identifying schools. At the individual level it makes the bootstrap
        resample schools (with all their respondents) and the coefficients' standard errors
        cluster-robust (CR1); at the school level it defines the schools.
    n_boot : int, default 1000
        Bootstrap replicates for the effects (0: none; the bootstrap columns stay missing).
    ci : float, default 0.95
        Level of the intervals (Wald for coefficients, percentile bootstrap for effects).
    seed : int or numpy Generator, optional
        For a reproducible bootstrap.
    min_n, allow_small_groups
        Suppression of small schools at the school level, as in :func:`colead.aggregate`.
    correlate_outcomes : bool, default True
        Let the disturbances of the final outcomes (outcomes no equation uses as a
        predictor; with two or more) covary, as lavaan's ``sem()`` (``auto.cov.y``) and Mplus
        do by default, so colead and lavaan give the same numbers for the same model. False
        fixes those covariances at 0 (lavaan: ``y1 ~~ 0*y2``), which is a testable
        restriction: one more df per pair, and usually a worse fit.

    Returns
    -------
    ModelResult
        ``coefficients``: ``outcome, term, estimate, se, ci_low, ci_high, p_value,
        std_estimate`` for every path (``std_estimate`` as lavaan's ``std.all``).
        ``effects``: ``outcome, predictor, effect, path, estimate, se, ci_low, ci_high,
        p_value, std_estimate, se_delta`` where ``effect`` is ``direct``, ``indirect`` (all
        indirect routes together; ``path`` names the route when there is only one),
        ``specific`` (one route, when there are several) or ``total``; ``se`` is the
        bootstrap standard deviation, ``ci_low``/``ci_high`` the percentile interval,
        ``p_value`` twice the smaller share of replicates on either side of 0 (add-one
        corrected), ``se_delta`` the delta-method standard error from the coefficients'
        covariance. ``variance_components``: ``outcome, residual_variance, r2``. ``fit``:
        ``n, groups, level, n_boot, resampled, ci_level, se_type, correlated_outcomes (the
        final outcomes whose disturbances covary), chisq, df, p_value, cfi, rmsea, srmr,
        baseline_chisq, baseline_df`` (+ ``schools_excluded, min_n`` at the school level),
        ``replicates_dropped``. ``replicates``: every effect in every replicate. ``model``:
        outcome -> the statsmodels OLS result of its equation (for correlated final outcomes
        with different predictors these are the OLS fits, not the estimates above).

    Raises
    ------
    InvalidParameterError
        A malformed or cyclic model, unknown or non-numeric variables, bad options.
    InsufficientDataError
        Too few complete rows or schools, or linearly dependent predictors.

    Warns
    -----
    ColeadWarning
        When bootstrap replicates had singular normal equations (then left out).

    Notes
    -----
    For a recursive model with exogenous variables treated as fixed, maximum likelihood gives
    each equation's OLS coefficients, except for final outcomes whose disturbances covary:
    they form a seemingly unrelated regression, solved by iterated GLS to the ML estimate
    (the same as OLS when they share their predictors). Everything is solved from the
    covariance matrix of the model's variables (divisor n, as lavaan). Standard errors of
    the coefficients are lavaan's (expected information with the model-implied
    covariances), or, with ``group`` at the individual level, CR1 cluster-robust with t
    intervals on G - 1 df (lavaan's ``cluster =`` errors times sqrt((n - 1) / (n - k)), k
    the equation's coefficients with its intercept).

    The fit measures (chi-square against the saturated model, CFI with lavaan's fixed-x
    baseline, RMSEA, SRMR) are lavaan's normal-theory ones and assume independent
    respondents. With ``group`` at the individual level (teachers in schools) only the
    coefficients, their CR1 errors and the cluster-bootstrap intervals account for the
    clustering. The chi-square and its p-value are not valid then (too large: the model is
    rejected too often; lavaan's Yuan-Bentler scaled chi-square with ``cluster =`` was 1.5
    times smaller on the reference data), nor are RMSEA and CFI, which are computed from it
    (lavaan's robust versions differed by up to 0.004 there); read them as descriptions at
    most. SRMR involves no test and no n: it describes the misfit of the pooled covariance
    matrix whatever the clustering (lavaan's ``cluster =`` SRMR is smaller only because it
    also averages the zero residuals of the means). At ``level="school"`` each school is one
    independent row and the measures are valid, with the few-schools caveats of any SEM.

    The bootstrap never refits a model: each school's (or row's) sums and cross-products are
    computed once, each replicate's covariance matrix is one weighted sum of them, and all
    equations of all replicates are solved in batches, so 1,000 cluster-bootstrap replicates
    on 5,000 teachers in 200 schools take well under a second.

    Validated against ``lavaan::sem`` 0.6-14 (``tests/reference/relate``): a three-equation
    individual-level model, a school-level model on suppressed school means and a mediation
    model with a covariate; coefficients, standard errors, standardized solutions, defined
    indirect and total effects with their delta-method standard errors, chi-square, df,
    CFI, RMSEA and SRMR agree to 1e-6 or better. Two final outcomes, with different and
    with shared predictors (``path_disturbances.R``): lavaan's default (correlated) and, with
    ``correlate_outcomes=False``, the model with their covariance fixed at 0, to 1e-6
    (lavaan's optimizer stops about 1.5e-7 short of the SUR optimum; colead's chi-square is
    the smaller); the CR1 errors, rescaled by sqrt((n - k) / (n - 1)), equal lavaan's
    ``cluster =`` errors to 1e-6, with and without the correlated block.

    Examples
    --------
    >>> fit = cl.path({"collective_responsibility": ["shared_leadership"],
    ...                "focused_instruction": ["collective_responsibility",
    ...                                        "shared_leadership"]},
    ...               scores, group="school_id", seed=1)                  # doctest: +SKIP
    >>> fit.effects                                                       # doctest: +SKIP
    """
    func = "path"
    check_frame(data, func)
    check_option(level, "level", func, ("individual", "school"))
    n_boot = check_int(n_boot, "n_boot", func, low=0)
    ci = check_ci(ci, func)
    min_n = check_min_n(min_n, func, allow_small_groups=allow_small_groups)
    return fit_path(
        model,
        data,
        level=level,
        group=group,
        n_boot=n_boot,
        ci=ci,
        seed=seed,
        min_n=min_n,
        func=func,
        correlate_outcomes=check_bool(correlate_outcomes, "correlate_outcomes", func),
    )


def mediate(
    data: pd.DataFrame,
    *,
    x: str,
    m: str | Sequence[str],
    y: str,
    covariates: Sequence[str] = (),
    level: Literal["individual", "school"] = "individual",
    group: str | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int | np.random.Generator | None = None,
    min_n: int = 5,
    allow_small_groups: bool = False,
) -> ModelResult:
    """Mediation of the effect of ``x`` on ``y`` by one or several (parallel) mediators.

    Fits ``m ~ x + covariates`` for each mediator and ``y ~ m + x + covariates`` as a path
    model (:func:`path`, with everything it says about levels, clusters and the bootstrap).

    Parameters
    ----------
    data : DataFrame
    x, y : str
        Predictor and outcome columns.
    m : str or list of str
        Mediator column(s).
    covariates : list of str, optional
        Columns adjusted for in every equation.
    level, group, n_boot, ci, seed, min_n, allow_small_groups
        As in :func:`path`.

    Returns
    -------
    ModelResult
        As :func:`path`, with ``effects`` limited to the effects of ``x``: on each mediator
        (the a paths), on ``y`` directly, through each mediator and in total.
        ``fit["proportion_mediated"]`` is the indirect effect over the total effect.

    Notes
    -----
    Validated against lavaan (``tests/reference/relate``), the model
    ``m ~ a*x + c1; y ~ b*m + c*x + c1; ind := a*b; total := c + a*b``.
    """
    func = "mediate"
    check_frame(data, func)
    mediators = as_list(m)
    controls = as_list(covariates)
    names = [x, y, *mediators, *controls]
    if not all(isinstance(v, str) for v in names) or not mediators:
        raise InvalidParameterError(
            f"{func}: x, y, m (one or more) and covariates must be column names."
        )
    if len(set(names)) < len(names):
        raise InvalidParameterError(f"{func}: x, y, m and covariates must all differ.")
    check_columns(data, names, func)
    model = {mm: [x, *controls] for mm in mediators}
    model[y] = [*mediators, x, *controls]
    fit = path(
        model,
        data,
        level=level,
        group=group,
        n_boot=n_boot,
        ci=ci,
        seed=seed,
        min_n=min_n,
        allow_small_groups=allow_small_groups,
    )
    effects = fit.effects
    if effects is None:  # path() always returns effects
        raise InvalidParameterError(f"{func}: the path model returned no effects.")
    keep = (effects["predictor"] == x).to_numpy()
    table = effects[keep].reset_index(drop=True)
    rows = table[table["outcome"] == y].set_index("effect")["estimate"]
    indirect = rows.get("indirect", np.nan)
    total = rows.get("total", np.nan)
    summary = fit.fit.copy()
    summary["proportion_mediated"] = indirect / total if total != 0 else np.nan
    return ModelResult(
        kind="mediation",
        formula=fit.formula,
        model=fit.model,
        coefficients=fit.coefficients,
        fit=summary,
        variance_components=fit.variance_components,
        effects=table,
        replicates=None if fit.replicates is None else fit.replicates.loc[:, keep],
        warnings=fit.warnings,
    )

"""Confirmatory factor analysis by maximum likelihood, with the numbers lavaan 0.6 reports.

:func:`cfa` fits one or several correlated factors with simple structure to item columns, in
one group or several, optionally with measurement-invariance constraints, and returns loadings,
factor (co)variances and correlations, residual variances, a lavaan-style parameter table and
lavaan's fit measures.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from colead._validation import check_option
from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.psychometrics.cfa import indices
from colead.psychometrics.cfa import inputs as _input
from colead.psychometrics.cfa import model as engine
from colead.psychometrics.cfa.results import (
    DIFF_COLUMNS,
    FIT_TABLE_COLUMNS,
    CFAResult,
    FitMeasures,
    InvarianceResult,
)

if TYPE_CHECKING:
    from colead.psychometrics.cfa.twolevel import TwoLevelCFAResult

__all__ = ["CFAResult", "FitMeasures", "InvarianceResult", "cfa"]

_FUNC = "cfa"


def cfa(
    data: pd.DataFrame,
    model: Mapping[str, Sequence[str]],
    *,
    estimator: Literal["ml", "wlsmv", "dwls", "ulsmv"] = "ml",
    group: Hashable | None = None,
    invariance: str | Sequence[str] | None = None,
    missing: Literal["listwise", "ml"] = "listwise",
    std_lv: bool = False,
    ordered: bool | Sequence[str] | None = None,
    cluster: Hashable | None = None,
) -> CFAResult | InvarianceResult | TwoLevelCFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa`` with defaults.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; numeric item columns (reverse-keyed items already reversed),
        NaN where unanswered, and the ``group`` column if given.
    model : dict
        Factor name -> its items (column names), at least two per factor; each item loads on
        one factor (simple structure). Factors covary freely.
    estimator : {"ml", "wlsmv", "dwls", "ulsmv"}
        Maximum likelihood, or for ordinal items (Likert answers as ordered categories) lavaan's
        ``estimator = "WLSMV"`` with ``ordered = TRUE``: diagonally weighted least squares on
        thresholds and polychoric correlations, robust standard errors and the scaled-and-shifted
        test; ``"dwls"`` the same estimates with lavaan's unscaled standard errors and test;
        ``"ulsmv"`` unweighted least squares with the robust corrections. See
        :mod:`colead.psychometrics.cfa.ordinal`.
    group : column name, optional
        Fit the model in each group separately (with item intercepts and latent means).
        Rows without a group are left out with a warning.
    invariance : {"configural", "metric", "scalar"} or a sequence of them, optional
        Constraints across groups: ``"metric"`` equal loadings (lavaan ``group.equal =
        "loadings"``), ``"scalar"`` equal loadings and intercepts with latent means free in
        all groups but the first. A sequence such as ``("configural", "metric", "scalar")``
        fits the levels in order and stops after the first whose chi-square difference test
        against the previous level rejects at .05; the result is then an
        :class:`InvarianceResult`. Needs ``group``; with ``group`` the default is configural.
    missing : {"listwise", "ml"}
        ``"listwise"`` (lavaan's default) uses complete rows; ``"ml"`` is full-information
        maximum likelihood on all rows with at least one answer (lavaan ``missing = "ml"``,
        standard errors from the observed information as lavaan's default for it), also for
        two-level models (``cluster``).
    std_lv : bool
        Identify each factor by fixing its variance to 1 (lavaan ``std.lv = TRUE``) instead of
        fixing its first loading to 1.
    ordered : True or list of str, optional
        With an ordinal estimator, the items treated as ordered: all of them (the default and,
        so far, the only choice: a list must name every item of the model).

    Ordinal estimators take ``invariance`` levels ``"configural"``, ``"thresholds"``,
    ``"metric"`` and ``"scalar"``, identified as Wu & Estabrook (2016) and semTools'
    ``measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")`` (factors standardized in
    the first group whatever ``std_lv`` says), and compared by lavaan's scaled-and-shifted
    difference test (``lavTestLRT``, ``method = "satorra.2000"``); ``cfi_diff`` is then the
    change of the scaled CFI. Without ``invariance`` a group fit uses lavaan's defaults.
    They use complete rows only (``missing = "listwise"``).
    cluster : column name, optional
        Fit a two-level model (respondents within schools), as ``lavaan::cfa(model, data,
        cluster = )`` with ``level: 1`` and ``level: 2`` blocks. ``model`` is then one mapping
        (the same factors at both levels, the configural case) or ``{"within": {...},
        "between": {...}}``; every item must appear at both levels. Complete rows by
        default (listwise), every row with an answer with ``missing="ml"`` (lavaan
        ``cluster = , missing = "ml"``); rows without a cluster, and rows left out for missing
        answers, are listed in ``dropped_rows`` with the reason. See
        :class:`~colead.psychometrics.cfa.twolevel.TwoLevelCFAResult`. Validated against lavaan
        0.6-14 (tests/reference/multilevel_cfa): estimates and standard errors to 1e-4 of
        lavaan run to convergence, chi-square and fit indices to 1e-4 of its default run. With
        ``missing="ml"`` (tests/reference/twolevel_fiml: unbalanced schools of 1 to 20 with
        singletons, 12-20% of answers missing in 45-80 patterns, rows without any answer):
        estimates, standard errors and the log-likelihood as lavaan run to convergence (1e-4;
        log-likelihood 1e-9), the saturated model (H1) run to convergence; lavaan's own H1
        stops short of it, so its chi-square is lower by twice that shortfall (see the
        README).

    Returns
    -------
    CFAResult, InvarianceResult when ``invariance`` is a sequence, or TwoLevelCFAResult with
    ``cluster``.

    Raises
    ------
    InvalidParameterError
        Bad options, a malformed model, unknown or non-numeric columns.
    InsufficientDataError
        Too few observations or items to identify the model, or a sample covariance matrix
        that is not positive definite (an item without variance, linearly dependent items).
        Two-level models with ``missing="ml"``: an item without variance or without variance
        within clusters, two items never answered by the same respondent, fewer than 2
        clusters, or no convergence (the data then do not support the model).

    Warns
    -----
    ColeadWarning
        Non-convergence, a singular information matrix (standard errors are NaN), negative
        residual variances (Heywood cases), a non-positive-definite factor covariance matrix.

    Notes
    -----
    The ML discrepancy uses covariances with divisor n (lavaan ``likelihood = "normal"``),
    chi-square = n F_min, standard errors from the expected information (observed under FIML),
    fit measures as lavaan 0.6-14's ``fitMeasures``. It is minimised by Newton's method with
    analytic derivatives from the covariance matrix alone, so the cost after computing the
    covariances does not depend on the number of rows. Validated against lavaan 0.6-14
    (tests/reference/psychometrics): Holzinger-Swineford three-factor model, its configural,
    metric and scalar invariance fits by school with ``lavTestLRT``, and one- and three-factor
    models on simulated teacher data, listwise and FIML. Fit measures agree to 1e-5 (relative),
    estimates, standard errors and standardized solutions to 1e-5; the remaining differences
    come from lavaan's optimiser stopping slightly short of the optimum.

    Two-level models with ``missing="ml"`` maximise lavaan's casewise two-level likelihood
    (``lav_mvnorm_cluster_missing_loglik_samplestats_2l``) by quasi-Newton steps on its analytic
    gradient; standard errors come from the observed information, the Hessian by central
    differences of that gradient (lavaan's default for this case). Validated against lavaan
    0.6-14 (tests/reference/twolevel_fiml): six fits on three data sets, estimates within
    2e-5 and standard errors within 1.1e-6 (relative) of lavaan run to convergence,
    log-likelihood within 4e-14, the saturated and baseline log-likelihoods within 1e-9
    (absolute) of lavaan's models run to convergence. lavaan's default H1 stops short of its
    maximum, so its chi-square is lower than colead's by twice that shortfall (0.0004 to 0.5
    there); lavaan 0.6-14's gradient is wrong when rows without any answer are in the data
    (its issue #580), so compare on data without them.

    The ordinal estimators are validated against lavaan 0.6-14 and semTools 0.5-6
    (tests/reference/ordinal): psych's bfi (2 and 5 factors; WLSMV, DWLS, ULSMV; invariance by
    gender), simulated 4-point items with skewed thresholds (by region), binary and
    three-category items: estimates, robust standard errors, standardized solutions and every
    fit measure agree to 1e-4 relative (measured: within 1e-5), the scaled difference tests of
    ``lavTestLRT`` to 1e-4.

    Examples
    --------
    >>> hs_model = {"visual": ["x1", "x2", "x3"], "textual": ["x4", "x5", "x6"]}
    >>> fit = cl.cfa(hs, hs_model)                                    # doctest: +SKIP
    >>> fit.fit.cfi, fit.loadings[["factor", "item", "std_estimate"]]  # doctest: +SKIP
    """
    check_option(estimator, "estimator", _FUNC, ("ml", "wlsmv", "dwls", "ulsmv"))
    check_option(missing, "missing", _FUNC, ("listwise", "ml"))
    if not isinstance(std_lv, bool | np.bool_):
        raise InvalidParameterError(
            f"The 'std_lv' parameter of {_FUNC} must be True or False; got {std_lv!r}."
        )
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'data' parameter of {_FUNC} must be a DataFrame; got {type(data).__name__}."
        )
    if cluster is not None:
        if estimator != "ml" or ordered is not None:
            raise InvalidParameterError(
                f"{_FUNC} fits two-level models by maximum likelihood only (estimator='ml')."
            )
        if group is not None or invariance is not None:
            raise InvalidParameterError(
                f"{_FUNC} fits either a two-level model (cluster) or a multi-group model "
                "(group, invariance), not both."
            )
        from colead.psychometrics.cfa.twolevel import fit_two_level

        return fit_two_level(data, model, cluster=cluster, missing=missing, std_lv=bool(std_lv))
    if estimator != "ml":
        from colead.psychometrics.cfa.ordinal import fit_ordinal

        return fit_ordinal(
            data,
            model,
            estimator=estimator,
            ordered=ordered,
            group=group,
            invariance=invariance,
            missing=missing,
            std_lv=bool(std_lv),
        )
    if ordered is not None:
        raise InvalidParameterError(
            f"The 'ordered' parameter of {_FUNC} needs an ordinal estimator such as 'wlsmv'."
        )
    clean = _input.check_model(model, data)
    levels = _input.check_invariance(invariance, group)
    groups, labels, n_input = _input.data_arrays(data, clean, group, missing)
    if isinstance(levels, str):
        return _fit_one(clean, groups, labels, n_input, missing, levels, std_lv, "", 3)
    return _invariance_sequence(clean, groups, labels, n_input, missing, levels, std_lv)


def _fit_one(
    model: dict[str, list[str]],
    groups: list[np.ndarray],
    labels: tuple[Hashable, ...] | None,
    n_input: int,
    missing: str,
    level: str,
    std_lv: bool,
    prefix: str,
    stacklevel: int,
) -> CFAResult:
    multi = labels is not None
    spec = engine.build_spec(
        model,
        n_groups=len(groups),
        meanstructure=multi or missing == "ml",
        invariance=level,
        std_lv=std_lv,
    )
    _input.check_identified(spec)
    raw = engine.fit(spec, groups, missing, labels)
    for problem in raw["warnings"]:
        warnings.warn(f"cfa{prefix}: {problem}.", ColeadWarning, stacklevel=stacklevel)
    vcov = None
    if raw["vcov"] is not None:
        names = spec.free_labels()
        vcov = pd.DataFrame(raw["vcov"], index=names, columns=names)
    n_obs = tuple(int(v) for v in raw["moments"].n_obs)
    return CFAResult(
        model={f: tuple(v) for f, v in model.items()},
        factors=spec.factors,
        items=spec.items,
        groups=labels,
        n_obs=n_obs,
        n=sum(n_obs),
        n_input=n_input,
        k=len(spec.items),
        missing=missing,
        invariance=level if multi else None,
        std_lv=std_lv,
        converged=raw["converged"],
        iterations=raw["iterations"],
        fit=FitMeasures(**raw["fit"]),
        vcov=vcov,
        warnings=raw["warnings"],
        _spec=spec,
        _raw=raw,
    )


def _invariance_sequence(
    model: dict[str, list[str]],
    groups: list[np.ndarray],
    labels: tuple[Hashable, ...] | None,
    n_input: int,
    missing: str,
    levels: tuple[str, ...],
    std_lv: bool,
) -> InvarianceResult:
    fits: dict[str, CFAResult] = {}
    rows = []
    supported, failed = levels[0], None
    for level in levels:
        fit = _fit_one(model, groups, labels, n_input, missing, level, std_lv, f" ({level})", 4)
        m = fit.fit
        row: dict[str, Any] = {"level": level, **{k: getattr(m, k) for k in FIT_TABLE_COLUMNS}}
        diff: dict[str, float] = dict.fromkeys(DIFF_COLUMNS, np.nan)
        if fits:
            prev = fits[levels[len(fits) - 1]].fit
            diff = indices.lr_difference(m.chisq, m.df, prev.chisq, prev.df, m.n, len(groups))
            diff["cfi_diff"] = m.cfi - prev.cfi
        rows.append({**row, **diff})
        fits[level] = fit
        if len(fits) > 1:
            if diff["p_value_diff"] < 0.05:
                failed = level
                break
            supported = level
    comparison = pd.DataFrame(rows).set_index("level")
    return InvarianceResult(
        levels=tuple(fits),
        fits=fits,
        comparison=comparison,
        supported=supported,
        failed=failed,
        requested=levels,
    )

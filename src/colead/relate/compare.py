"""Likelihood-ratio tests between nested models, as lme4's ``anova(m0, m1)``."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.relate._common import check_bool
from colead.relate.results import ModelResult

__all__ = ["compare"]

_F = "compare"


def compare(*models: ModelResult, refit: bool = True) -> pd.DataFrame:
    """Compare nested models fitted to the same rows by likelihood-ratio tests.

    Parameters
    ----------
    *models : ModelResult
        Two or more results of :func:`colead.multilevel` or of unweighted
        :func:`colead.regress` (a model without random effects), fitted to the same rows of
        the same outcome, each nested in the next larger one.
    refit : bool, default True
        Refit REML models by maximum likelihood first, as lme4's ``anova(refit = TRUE)``:
        REML likelihoods of models with different fixed effects are not comparable. With
        False, REML fits are compared as they are (only meaningful when the models differ
        in their random part alone).

    Returns
    -------
    DataFrame
        One row per model, ordered by the number of parameters as lme4 does: ``model`` (its
        formula), ``method`` (``"ML"``, ``"REML"`` or ``"OLS"``), ``npar, aic, bic, loglik,
        deviance`` (-2 log-likelihood), and against the row above: ``chisq`` (twice the
        gain in log-likelihood, 0 when there is none), ``df`` (the extra parameters) and
        ``p_value`` (chi-square upper tail; NaN when ``df`` is 0). The first row's test
        columns are NaN.

    Raises
    ------
    InvalidParameterError
        Fewer than two models, a model of another kind (weighted or standardized
        regression, path model), models fitted to different rows or outcomes, or a mix of
        REML and ML fits with ``refit=False``.

    Notes
    -----
    The ML refit of a REML model reuses the statistics stored with the fit (no data are
    read again). A regression's log-likelihood is the ML one, ``-n/2 (1 + log(2 pi RSS/n))``
    with ``p + 1`` parameters, as R's ``logLik(lm)``; so ``compare(ols, mixed)`` tests a
    random intercept as lme4's ``anova(lmer_fit, lm_fit)`` does (the chi-square p-value is
    conservative for a variance on its boundary at 0: halve it for one variance, Self &
    Liang 1987). Validated against lme4 1.1-31 ``anova`` (``tests/reference/relate``): the
    refitted ML log-likelihoods, AIC, BIC, chi-square and p-values to 1e-6.

    Examples
    --------
    >>> m0 = cl.multilevel("y ~ x", data, group="school_id")            # doctest: +SKIP
    >>> m1 = cl.multilevel("y ~ x + z", data, group="school_id")        # doctest: +SKIP
    >>> cl.compare(m0, m1)                                              # doctest: +SKIP
    """
    refit = check_bool(refit, "refit", _F)
    if len(models) == 1 and isinstance(models[0], list | tuple):
        models = tuple(models[0])
    if len(models) < 2:
        raise InvalidParameterError(f"{_F} needs at least two models; got {len(models)}.")
    entries = [_entry(i, m, refit) for i, m in enumerate(models, start=1)]
    _check_same_rows(entries)
    if not refit:
        reml = [e["method"] == "REML" for e in entries]
        if any(reml) and not all(reml):
            raise InvalidParameterError(
                f"{_F}: some models were fitted by REML and some by ML; compare them with "
                "refit=True (every model by ML)."
            )
        fixed = {e["fixed"] for e in entries if e["method"] == "REML"}
        if len(fixed) > 1:
            warnings.warn(
                f"{_F}: REML log-likelihoods of models with different fixed effects are not "
                "comparable; use refit=True.",
                ColeadWarning,
                stacklevel=2,
            )
    order = sorted(range(len(entries)), key=lambda i: entries[i]["npar"])
    table = pd.DataFrame([entries[i] for i in order]).drop(columns=["fixed", "rows", "y"])
    loglik = table["loglik"].to_numpy(dtype=float)
    npar = table["npar"].to_numpy(dtype=float)
    n = float(entries[0]["n"])
    table["aic"] = -2 * loglik + 2 * npar
    table["bic"] = -2 * loglik + np.log(n) * npar
    table["deviance"] = -2 * loglik
    chisq = np.r_[np.nan, 2 * np.maximum(0.0, np.diff(loglik))]
    df = np.r_[np.nan, np.diff(npar)]
    with np.errstate(invalid="ignore"):
        p = np.where(df == 0, np.nan, stats.chi2.sf(chisq, np.where(df > 0, df, np.nan)))
    table["chisq"], table["df"], table["p_value"] = chisq, df, p
    columns = ["model", "method", "npar", "aic", "bic", "loglik", "deviance", "chisq", "df",
               "p_value"]  # fmt: skip
    return table[columns].reset_index(drop=True)


def _entry(position: int, result: Any, refit: bool) -> dict[str, Any]:
    if not isinstance(result, ModelResult):
        raise InvalidParameterError(
            f"{_F}: model {position} must be a ModelResult of colead.multilevel or "
            f"colead.regress; got {type(result).__name__}."
        )
    if result.kind == "mixed":
        model = result.model
        fitted = model.refit(reml=False) if refit else model.fitted
        return {
            "model": result.formula,
            "method": "REML" if fitted.reml else "ML",
            "npar": model.n_parameters,
            "loglik": fitted.loglik,
            "n": model.stats.n,
            "fixed": tuple(result.coefficients["term"]),
            "rows": model.rows.index,
            "y": model.response,
        }
    if result.kind == "ols" and not _standardized(result):
        ols = result.model
        return {
            "model": result.formula,
            "method": "OLS",
            "npar": len(ols.params) + 1,
            "loglik": float(ols.llf),
            "n": int(ols.nobs),
            "fixed": tuple(result.coefficients["term"]),
            "rows": ols.model.data.row_labels,
            "y": np.asarray(ols.model.endog, dtype=float),
        }
    raise InvalidParameterError(
        f"{_F}: model {position} ({result.kind}, {result.formula!r}) cannot be compared: "
        "compare takes multilevel models and unweighted, unstandardized regressions."
    )


def _standardized(result: ModelResult) -> bool:
    return bool(result.fit.get("standardized", False))


def _check_same_rows(entries: list[dict[str, Any]]) -> None:
    first = entries[0]
    for i, e in enumerate(entries[1:], start=2):
        same = (
            e["n"] == first["n"]
            and (e["rows"] is None or first["rows"] is None or e["rows"].equals(first["rows"]))
            and np.array_equal(e["y"], first["y"])
        )
        if not same:
            raise InvalidParameterError(
                f"{_F}: model {i} was fitted to other rows or another outcome than model 1 "
                f"({e['n']} and {first['n']} rows); fit every model to the same rows "
                "(drop rows missing any variable of the largest model first)."
            )

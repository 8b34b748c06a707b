"""Multilevel models behind :func:`colead.multilevel`: the design (patsy formulas, centring),
the (RE)ML fit from group sufficient statistics (``_lmm``), the null-model ICC and variance
explained at each level."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.relate import _lmm
from colead.relate._common import (
    check_column_name,
    check_columns,
    group_codes,
    need_rows,
    t_table,
    weighted_sd,
)
from colead.relate._mixed_model import MixedModel
from colead.relate._regression import design
from colead.relate.results import COEFFICIENT_COLUMNS, ModelResult

_F = "multilevel"
_CENTERING = ("grand", "group")


def random_formula(random: str | Sequence[str] | None) -> str | None:
    """The random part as a one-sided formula: None (random intercept) or ``"~ x + ..."``."""
    if random is None:
        return None
    if isinstance(random, str):
        text = random.strip().lstrip("~").strip()
    elif isinstance(random, Sequence) and all(isinstance(r, str) for r in random) and random:
        text = " + ".join(random)
    else:
        text = ""
    if not text:
        raise InvalidParameterError(
            f"The 'random' parameter of {_F} must name the terms with random slopes, such as "
            f"'x' or ['x', 'z']; got {random!r}."
        )
    return f"~ {text}"


def _centering(center: Mapping[str, str] | None, data: pd.DataFrame) -> dict[str, str]:
    if center is None:
        return {}
    if not isinstance(center, Mapping):
        raise InvalidParameterError(
            f"The 'center' parameter of {_F} must be a mapping column -> 'grand' or 'group'; "
            f"got {center!r}."
        )
    bad = {k: v for k, v in center.items() if v not in _CENTERING}
    if bad:
        raise InvalidParameterError(
            f"The 'center' parameter of {_F} must map columns to 'grand' or 'group'; got {bad}."
        )
    check_columns(data, list(center), _F)
    return dict(center)


def _random_design(re_formula: str | None, rows: pd.DataFrame, random: object) -> pd.DataFrame:
    import patsy

    if re_formula is None:
        return pd.DataFrame({"Intercept": np.ones(len(rows))}, index=rows.index)
    try:
        return patsy.dmatrix(re_formula, rows, return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as exc:
        raise InvalidParameterError(f"{_F}: cannot use random = {random!r}: {exc}") from None


def fit_multilevel(
    formula: str,
    data: pd.DataFrame,
    *,
    group: str,
    random: str | Sequence[str] | None,
    center: Mapping[str, str] | None,
    ci: float,
    reml: bool = True,
) -> ModelResult:
    import patsy

    check_column_name(group, "group", _F, data)
    re_formula = random_formula(random)
    centering = _centering(center, data)
    work = data
    placeholders = [c for c, how in centering.items() if how == "group"]
    if placeholders:  # so that the formula may name them; recomputed on the rows used below
        work = data.assign(
            **{f"{c}_group_mean": data.groupby(group)[c].transform("mean") for c in placeholders}
        )
    y, x, rows = design(formula, work, [group, *centering], _F)
    z = _random_design(re_formula, rows, random)
    if len(z) < len(rows):
        rows = rows.loc[z.index]
    if centering or len(y) != len(rows):
        rows = rows.copy()
        for column, how in centering.items():
            if how == "group":
                means = rows.groupby(group)[column].transform("mean")
                rows[f"{column}_group_mean"] = means
                rows[column] = rows[column] - means
            else:
                rows[column] = rows[column] - rows[column].mean()
        # the design again, on the rows used and the centred columns
        y, x = patsy.dmatrices(formula, rows, return_type="dataframe", NA_action="raise")
        z = _random_design(re_formula, rows, random)
    codes, n_groups = group_codes(rows[group])
    need_rows(len(rows), x.shape[1] + 1, _F, f"the model {formula!r}")
    if n_groups < 2:
        raise InvalidParameterError(f"{_F}: the data have {n_groups} group; at least 2 needed.")
    yv = y.to_numpy(dtype=float)[:, 0]
    xv, zv = x.to_numpy(dtype=float), z.to_numpy(dtype=float)
    _check_rank(xv, list(x.columns))
    stats = _lmm.group_stats(yv, xv, zv, codes, n_groups)
    fitted = _lmm.fit(stats, reml=reml)
    ones = np.ones((len(yv), 1))
    null = _lmm.fit(_lmm.group_stats(yv, ones, ones, codes, n_groups), reml=reml)
    model = MixedModel(
        formula=formula,
        rows=rows,
        group=group,
        re_formula=re_formula,
        stats=stats,
        fitted=fitted,
        response=yv,
    )
    names = [str(c) for c in x.columns]
    re_names = [str(c) for c in z.columns]
    return _assemble(formula, model, fitted, null, names, re_names, xv, yv, n_groups, ci)


def _check_rank(x: np.ndarray, names: list[str]) -> None:
    if np.linalg.matrix_rank(x) < x.shape[1]:
        raise InvalidParameterError(
            f"{_F}: the fixed-effect columns {names} are linearly dependent (one is a "
            "combination of others); drop one."
        )


def _components(psi: np.ndarray, sigma2: float, re_names: list[str]) -> pd.DataFrame:
    rows = [
        {
            "level": "group",
            "term": t,
            "term2": None,
            "estimate": psi[i, i],
            "sd": np.sqrt(psi[i, i]),
            "correlation": np.nan,
        }
        for i, t in enumerate(re_names)
    ]
    for i in range(len(re_names)):
        for j in range(i + 1, len(re_names)):
            denominator = np.sqrt(psi[i, i] * psi[j, j])
            rows.append(
                {
                    "level": "group",
                    "term": re_names[i],
                    "term2": re_names[j],
                    "estimate": psi[i, j],
                    "sd": np.nan,
                    "correlation": psi[i, j] / denominator if denominator > 0 else np.nan,
                }
            )
    rows.append(
        {
            "level": "residual",
            "term": None,
            "term2": None,
            "estimate": sigma2,
            "sd": np.sqrt(sigma2),
            "correlation": np.nan,
        }
    )
    return pd.DataFrame(rows)


def _notes(fitted: _lmm.Fit, null: _lmm.Fit) -> list[str]:
    notes = []
    if fitted.singular:
        notes.append(
            "a random-effect variance is at (or near) zero, or the random effects are perfectly "
            "correlated: a singular fit on the boundary of the parameter space (lme4 would say "
            "isSingular); simplify the random part"
        )
    if not fitted.converged:
        notes.append(f"the {_method(fitted)} optimisation did not converge")
    if null.singular:
        notes.append("null model: the intercept variance is zero (a singular fit)")
    if not null.converged:
        notes.append(f"null model: the {_method(null)} optimisation did not converge")
    return notes


def _method(fitted: _lmm.Fit) -> str:
    return "REML" if fitted.reml else "ML"


def n_parameters(p: int, q: int) -> int:
    """lme4's count for AIC and BIC: fixed effects, random (co)variances, residual variance."""
    return p + q * (q + 1) // 2 + 1


def _assemble(
    formula: str,
    model: MixedModel,
    fitted: _lmm.Fit,
    null: _lmm.Fit,
    names: list[str],
    re_names: list[str],
    x: np.ndarray,
    y: np.ndarray,
    n_groups: int,
    ci: float,
) -> ModelResult:
    params, psi, sigma2 = fitted.beta, fitted.psi, fitted.sigma2
    table = t_table(params, np.sqrt(np.diag(fitted.vcov)), np.inf, ci)
    sd_x, sd_y = weighted_sd(x, None), float(np.std(y, ddof=1))
    slopes = [j for j, n in enumerate(names) if n != "Intercept"]
    std = np.full(len(params), np.nan)
    std[slopes] = params[slopes] * sd_x[slopes] / sd_y
    coefficients = pd.DataFrame({"term": names, **table, "std_estimate": std})
    notes = _notes(fitted, null)
    for note in notes:
        warnings.warn(f"{_F}: {note}", ColeadWarning, stacklevel=4)

    n, p, q = len(y), len(params), len(re_names)
    npar = n_parameters(p, q)
    loglik = fitted.loglik
    tau00 = psi[0, 0] if re_names and re_names[0] == "Intercept" else np.nan
    tau00_0, sigma2_0 = float(null.psi[0, 0]), null.sigma2
    nbar = n / n_groups
    fit = pd.Series(
        {
            "n": n,
            "groups": n_groups,
            "mean_group_size": nbar,
            "method": _method(fitted),
            "loglik": loglik,
            "reml_loglik": loglik if fitted.reml else np.nan,
            "aic": -2 * loglik + 2 * npar,
            "bic": -2 * loglik + np.log(n) * npar,
            "converged": fitted.converged,
            "singular": fitted.singular,
            "sigma2": sigma2,
            "tau00": tau00,
            "icc_null": tau00_0 / (tau00_0 + sigma2_0),
            "tau00_null": tau00_0,
            "sigma2_null": sigma2_0,
            "r2_within": (sigma2_0 - sigma2) / sigma2_0,
            "r2_between": (tau00_0 - tau00) / tau00_0 if tau00_0 > 0 else np.nan,
            "r2_level1": 1 - (sigma2 + tau00) / (sigma2_0 + tau00_0),
            "r2_level2": 1 - (sigma2 / nbar + tau00) / (sigma2_0 / nbar + tau00_0),
        },
        dtype=object,
    )
    return ModelResult(
        kind="mixed",
        formula=formula if q == 1 else f"{formula}; random: {' + '.join(re_names)}",
        model=model,
        coefficients=coefficients[COEFFICIENT_COLUMNS],
        fit=fit,
        variance_components=_components(psi, sigma2, re_names),
        warnings=tuple(notes),
    )

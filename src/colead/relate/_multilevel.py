"""Multilevel models behind :func:`colead.multilevel`: statsmodels MixedLM by REML, centering,
lme4-style standard errors, the null-model ICC and variance explained at each level."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.relate._common import (
    check_column_name,
    check_columns,
    group_codes,
    need_rows,
    t_table,
    weighted_sd,
)
from colead.relate._regression import design
from colead.relate.results import COEFFICIENT_COLUMNS, ModelResult

_F = "multilevel"
_CENTERING = ("grand", "group")
#: lme4's isSingular tolerance on the relative Cholesky factor of the random effects.
SINGULAR_TOL = 1e-4
#: Gradient tolerance of the first (BFGS) REML optimisation.
TIGHT_GTOL = 1e-8


def random_formula(random: str | Sequence[str] | None) -> str | None:
    """The ``re_formula`` of MixedLM: None (random intercept) or ``"~ x + ..."``."""
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


def fit_multilevel(
    formula: str,
    data: pd.DataFrame,
    *,
    group: str,
    random: str | Sequence[str] | None,
    center: Mapping[str, str] | None,
    ci: float,
) -> ModelResult:
    import patsy

    check_column_name(group, "group", _F, data)
    re_formula = random_formula(random)
    centering = _centering(center, data)
    work = data.copy()
    for column, how in centering.items():
        if how == "group":  # placeholder, so that the formula may name it; recomputed below
            work[f"{column}_group_mean"] = work.groupby(group)[column].transform("mean")
    _, x, rows = design(formula, work, [group, *centering], _F)
    if re_formula is not None:
        try:
            z = patsy.dmatrix(re_formula, rows, return_type="dataframe", NA_action="drop")
        except patsy.PatsyError as exc:
            raise InvalidParameterError(f"{_F}: cannot use random = {random!r}: {exc}") from None
        rows = rows.loc[z.index]
    rows = rows.copy()
    for column, how in centering.items():
        if how == "group":
            means = rows.groupby(group)[column].transform("mean")
            rows[f"{column}_group_mean"] = means
            rows[column] = rows[column] - means
        else:
            rows[column] = rows[column] - rows[column].mean()
    codes, n_groups = group_codes(rows[group])
    need_rows(len(rows), x.shape[1] + 1, _F, f"the model {formula!r}")
    if n_groups < 2:
        raise InvalidParameterError(f"{_F}: the data have {n_groups} group; at least 2 needed.")
    fitted, notes = _fit_mixed(formula, rows, group, re_formula)
    null, null_notes = _fit_mixed(f"{formula.split('~')[0].strip()} ~ 1", rows, group, None)
    notes += [f"null model: {n}" for n in null_notes]
    return _assemble(formula, fitted, null, codes, n_groups, ci, notes)


def _fit_mixed(
    formula: str, rows: pd.DataFrame, group: str, re_formula: str | None
) -> tuple[Any, list[str]]:
    """REML fit; statsmodels' warnings are collected as text, not left to escape."""
    import statsmodels.formula.api as smf

    model = smf.mixedlm(formula, rows, groups=rows[group], re_formula=re_formula)
    # BFGS to a tight gradient tolerance first (statsmodels' default stops about 1e-4 short of
    # lme4's optimum). Near the boundary (a variance at 0, a correlation at 1) gradient methods
    # can stall; Powell's derivative-free search then finds lme4's singular optimum, and
    # statsmodels' own sequence of optimisers comes last. The first attempt that converges is
    # kept, with its warnings; if none does, the one with the highest REML log-likelihood.
    attempts: tuple[dict[str, Any], ...] = (
        {"method": ["bfgs"], "gtol": TIGHT_GTOL},
        {"method": ["powell"]},
        {},
    )
    best: tuple[Any, list[str]] | None = None
    for options in attempts:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = model.fit(reml=True, **options)
        notes = [
            str(w.message).strip()
            for w in caught
            if not issubclass(w.category, RuntimeWarning | DeprecationWarning)
        ]
        usable = np.isfinite(result.llf)
        if result.converged and usable:
            return result, list(dict.fromkeys(notes))
        if best is None or (usable and not result.llf <= best[0].llf):  # NaN never wins
            best = (result, notes)
    kept = best if best is not None else (result, notes)
    return kept[0], list(dict.fromkeys(kept[1]))


def fixed_effect_vcov(
    x: np.ndarray, z: np.ndarray, codes: np.ndarray, psi: np.ndarray, sigma2: float
) -> np.ndarray:
    """(X' V^-1 X)^-1 with V_g = Z_g Psi Z_g' + sigma2 I, as lme4's ``vcov``.

    Per group, V_g^-1 = [I - Z_g Psi (sigma2 I + Z_g'Z_g Psi)^-1 Z_g'] / sigma2 (valid for a
    singular Psi), summed from the groups' cross-products.
    """
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    xs, zs = x[order], z[order]
    a = np.add.reduceat(xs[:, :, None] * xs[:, None, :], starts, axis=0)
    b = np.add.reduceat(zs[:, :, None] * xs[:, None, :], starts, axis=0)
    c = np.add.reduceat(zs[:, :, None] * zs[:, None, :], starts, axis=0)
    q = psi.shape[0]
    inner = np.linalg.solve(sigma2 * np.eye(q) + c @ psi, b)  # (G, q, p)
    info = (a - np.swapaxes(b, 1, 2) @ (psi @ inner)).sum(axis=0) / sigma2
    return np.linalg.inv(info)


def _singular(psi: np.ndarray, sigma2: float) -> bool:
    try:
        chol = np.linalg.cholesky(psi / sigma2)
    except np.linalg.LinAlgError:
        return True
    return bool((np.diag(chol) < SINGULAR_TOL).any())


def _assemble(
    formula: str,
    res: Any,
    null: Any,
    codes: np.ndarray,
    n_groups: int,
    ci: float,
    notes: list[str],
) -> ModelResult:
    model = res.model
    x, z, y = model.exog, model.exog_re, model.endog
    names = list(model.exog_names)
    re_names = ["Intercept" if n == "Group" else str(n) for n in res.cov_re.columns]
    psi = np.asarray(res.cov_re, dtype=float)
    sigma2 = float(res.scale)
    params = np.asarray(res.fe_params, dtype=float)
    # statsmodels orders groups by its own labels; codes here follow the rows
    vcov = fixed_effect_vcov(x, z, codes, psi, sigma2)
    table = t_table(params, np.sqrt(np.diag(vcov)), np.inf, ci)
    sd_x, sd_y = weighted_sd(x, None), float(np.std(y, ddof=1))
    slopes = [j for j, n in enumerate(names) if n != "Intercept"]
    std = np.full(len(params), np.nan)
    std[slopes] = params[slopes] * sd_x[slopes] / sd_y
    coefficients = pd.DataFrame({"term": names, **table, "std_estimate": std})

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
    components = pd.DataFrame(rows)

    singular = _singular(psi, sigma2)
    if singular:
        notes.append(
            "a random-effect variance is at (or near) zero, or the random effects are perfectly "
            "correlated: a singular fit (lme4 would say isSingular); simplify the random part"
        )
    if not res.converged:
        notes.append("the REML optimisation did not converge")
    for note in notes:
        warnings.warn(f"{_F}: {note}", ColeadWarning, stacklevel=4)

    n, p, q = len(y), len(params), len(re_names)
    npar = p + q * (q + 1) // 2 + 1
    tau00 = psi[0, 0] if re_names and re_names[0] == "Intercept" else np.nan
    tau00_0, sigma2_0 = float(np.asarray(null.cov_re)[0, 0]), float(null.scale)
    nbar = n / n_groups
    fit = pd.Series(
        {
            "n": n,
            "groups": n_groups,
            "mean_group_size": nbar,
            "method": "REML",
            "reml_loglik": float(res.llf),
            "aic": -2 * float(res.llf) + 2 * npar,
            "bic": -2 * float(res.llf) + np.log(n) * npar,
            "converged": bool(res.converged),
            "singular": singular,
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
        model=res,
        coefficients=coefficients[COEFFICIENT_COLUMNS],
        fit=fit,
        variance_components=components,
        warnings=tuple(notes),
    )

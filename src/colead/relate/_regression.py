"""Linear regression behind :func:`colead.regress`: OLS/WLS, CR1 cluster-robust errors,
standardized coefficients and hierarchical blocks (R squared change and its F tests)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from colead.exceptions import InvalidParameterError
from colead.relate._common import (
    check_column_name,
    group_codes,
    need_rows,
    t_table,
    weighted_sd,
)
from colead.relate.results import COEFFICIENT_COLUMNS, ModelResult

_F = "regress"


def design(
    formula: str, data: pd.DataFrame, extra: Sequence[str], func: str
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Outcome and design matrices (patsy) on the rows complete for the formula and ``extra``.

    Returns ``(y, X, rows)`` where ``rows`` are the data rows used.
    """
    import patsy

    frame = data
    if extra:
        frame = data.loc[data[list(extra)].notna().all(axis=1)]
    try:
        y, x = patsy.dmatrices(formula, frame, return_type="dataframe", NA_action="drop")
    except patsy.PatsyError as exc:
        raise InvalidParameterError(f"{func}: cannot use the formula {formula!r}: {exc}") from None
    if y.shape[1] != 1:
        raise InvalidParameterError(
            f"{func}: the formula must have one numeric outcome; {formula!r} gives {y.shape[1]}"
            " columns."
        )
    return y, x, frame.loc[x.index]


def term_names(formula: str) -> list[str]:
    import patsy

    return [t.name() for t in patsy.ModelDesc.from_formula(formula).rhs_termlist]


def fit_regression(
    formula: str,
    data: pd.DataFrame,
    *,
    cluster: str | None,
    weights: str | None,
    standardize: bool,
    blocks: Mapping[str, Any] | Sequence[Any] | None,
    ci: float,
) -> ModelResult:
    extra = [c for c in (cluster, weights) if c is not None]
    for name, column in (("cluster", cluster), ("weights", weights)):
        if column is not None:
            check_column_name(column, name, _F, data)
    y, x, rows = design(formula, data, extra, _F)
    need_rows(len(rows), x.shape[1], _F, f"the {x.shape[1]} coefficients of {formula!r}")
    w = None
    if weights is not None:
        if rows[weights].dtype.kind not in "biuf" or (rows[weights] <= 0).any():
            raise InvalidParameterError(
                f"The 'weights' column {weights!r} of {_F} must hold positive numbers."
            )
        w = rows[weights].to_numpy(dtype=float)
    groups = None if cluster is None else group_codes(rows[cluster])
    result = _fit_one(formula, y, x, rows, w, groups, standardize, ci)
    if blocks is None:
        return result
    return _hierarchical(formula, result, blocks, rows, w, groups, standardize, ci)


def _fit_one(
    formula: str,
    y: pd.DataFrame,
    x: pd.DataFrame,
    rows: pd.DataFrame,
    w: np.ndarray | None,
    groups: tuple[np.ndarray, int] | None,
    standardize: bool,
    ci: float,
) -> ModelResult:
    import statsmodels.api as sm

    yv, xv = y.to_numpy(dtype=float)[:, 0], x.to_numpy(dtype=float)
    slopes = [j for j, c in enumerate(x.columns) if c != "Intercept"]
    sd_x = weighted_sd(xv, w)
    sd_y = float(weighted_sd(yv[:, None], w)[0])
    if standardize:
        constant = [x.columns[j] for j in slopes if not sd_x[j] > 0]
        if constant or not sd_y > 0:
            raise InvalidParameterError(
                f"{_F}: cannot standardize columns without variance: {constant or [y.columns[0]]}."
            )
        weights_n = np.full(len(yv), 1.0 / len(yv)) if w is None else w / w.sum()
        xs = xv.copy()
        xs[:, slopes] = (xv[:, slopes] - weights_n @ xv[:, slopes]) / sd_x[slopes]
        yv = (yv - weights_n @ yv) / sd_y
        xv = xs
        y = pd.DataFrame(yv, index=y.index, columns=y.columns)
        x = pd.DataFrame(xv, index=x.index, columns=x.columns)
        model = sm.WLS(y, x, weights=w) if w is not None else sm.OLS(y, x)
    else:
        import statsmodels.formula.api as smf

        model = smf.wls(formula, rows, weights=w) if w is not None else smf.ols(formula, rows)
    if groups is None:
        res = model.fit()
        df = float(res.df_resid)
    else:
        res = model.fit(cov_type="cluster", cov_kwds={"groups": groups[0]}, use_t=True)
        df = float(groups[1] - 1)
    params = res.params.to_numpy()
    table = t_table(params, res.bse.to_numpy(), df, ci)
    std = np.full(len(params), np.nan)
    if standardize:
        std[slopes] = params[slopes]
    elif sd_y > 0:
        std[slopes] = params[slopes] * sd_x[slopes] / sd_y
    coefficients = pd.DataFrame({"term": list(x.columns), **table, "std_estimate": std})
    fit = _fit_measures(res, yv, w, groups, slopes, standardize)
    return ModelResult(
        kind="wls" if w is not None else "ols",
        formula=formula,
        model=res,
        coefficients=coefficients[COEFFICIENT_COLUMNS],
        fit=fit,
    )


def _fit_measures(
    res: Any,
    y: np.ndarray,
    w: np.ndarray | None,
    groups: tuple[np.ndarray, int] | None,
    slopes: list[int],
    standardize: bool,
) -> pd.Series:
    n, k = len(y), len(res.params)
    ww = np.ones(n) if w is None else w
    resid = y - res.fittedvalues.to_numpy()
    rss = float(ww @ resid**2)
    centre = ww @ y / ww.sum() if k > len(slopes) else 0.0
    tss = float(ww @ (y - centre) ** 2)
    df_resid, df_model = n - k, len(slopes)
    has_intercept = k > len(slopes)
    r2 = 1 - rss / tss
    # log-likelihood as R's logLik.lm (weights enter through 0.5 sum(log w))
    loglik = 0.5 * (np.log(ww).sum() - n * (np.log(2 * np.pi) + 1 - np.log(n) + np.log(rss)))
    f = ((tss - rss) / df_model) / (rss / df_resid) if df_model else np.nan
    out: dict[str, Any] = {
        "n": n,
        "groups": groups[1] if groups is not None else np.nan,
        "df_model": df_model,
        "df_resid": df_resid,
        "r2": r2,
        "adj_r2": 1 - (1 - r2) * (n - has_intercept) / df_resid,
        "sigma": np.sqrt(rss / df_resid),
        "f": f,
        "f_p_value": stats.f.sf(f, df_model, df_resid) if df_model else np.nan,
        "loglik": loglik,
        "aic": -2 * loglik + 2 * (k + 1),
        "bic": -2 * loglik + np.log(n) * (k + 1),
        "cov_type": "classical" if groups is None else "CR1 (cluster-robust, HC1 factor)",
        "df_inference": df_resid if groups is None else groups[1] - 1,
        "weighted": w is not None,
        "standardized": standardize,
    }
    if groups is not None and df_model:
        wald = _wald(res.params.to_numpy(), res.cov_params().to_numpy(), slopes)
        out.update(
            wald_f=wald,
            wald_df1=df_model,
            wald_df2=groups[1] - 1,
            wald_p_value=stats.f.sf(wald, df_model, groups[1] - 1),
        )
    return pd.Series(out, dtype=object)


def _wald(params: np.ndarray, vcov: np.ndarray, columns: list[int]) -> float:
    """Wald F statistic b' V^-1 b / q of the coefficients in ``columns``."""
    b = params[columns]
    v = vcov[np.ix_(columns, columns)]
    return float(b @ np.linalg.solve(v, b)) / len(columns)


# -- hierarchical blocks ---------------------------------------------------------------------
def _block_spec(
    blocks: Mapping[str, Any] | Sequence[Any], formula: str
) -> list[tuple[str, list[str]]]:
    if isinstance(blocks, Mapping):
        items = [(str(k), v) for k, v in blocks.items()]
    elif isinstance(blocks, Sequence) and not isinstance(blocks, str):
        items = [(f"block {i + 1}", v) for i, v in enumerate(blocks)]
    else:
        raise InvalidParameterError(
            f"The 'blocks' parameter of {_F} must be a list of term lists or a mapping "
            f"name -> terms; got {blocks!r}."
        )
    spec = []
    for name, terms in items:
        entries = [terms] if isinstance(terms, str) else list(terms)
        if not entries or not all(isinstance(t, str) for t in entries):
            raise InvalidParameterError(
                f"Block {name!r} of {_F} must name one or more terms; got {terms!r}."
            )
        names = [n for entry in entries for n in term_names(f"~ 0 + {entry}")]
        spec.append((name, names))
    in_formula = [t for t in term_names(formula) if t != "Intercept"]
    listed = [t for _, terms in spec for t in terms]
    extra = [t for t in listed if t not in in_formula]
    missing = [t for t in in_formula if t not in listed]
    repeated = sorted({t for t in listed if listed.count(t) > 1})
    if extra or missing or repeated:
        problems = []
        if extra:
            problems.append(f"not in the formula: {extra}")
        if missing:
            problems.append(f"in the formula but in no block: {missing}")
        if repeated:
            problems.append(f"in more than one block: {repeated}")
        raise InvalidParameterError(
            f"The 'blocks' of {_F} must split the formula's terms exactly; terms "
            + "; ".join(problems)
            + "."
        )
    if "Intercept" not in term_names(formula):
        raise InvalidParameterError(f"{_F}: hierarchical blocks need a model with an intercept.")
    return spec


def _hierarchical(
    formula: str,
    full: ModelResult,
    blocks: Mapping[str, Any] | Sequence[Any],
    rows: pd.DataFrame,
    w: np.ndarray | None,
    groups: tuple[np.ndarray, int] | None,
    standardize: bool,
    ci: float,
) -> ModelResult:
    """Fit the blocks in order on the full model's rows; R squared change and its F tests."""
    spec = _block_spec(blocks, formula)
    lhs = formula.split("~")[0].strip()
    import patsy

    steps, table, terms = [], [], []
    # step 1 is compared with the intercept-only model (same rows and weights)
    previous_rss, previous_r2, previous_k = float(full.model.centered_tss), 0.0, 1
    for number, (name, block_terms) in enumerate(spec, start=1):
        terms += block_terms
        step_formula = f"{lhs} ~ {' + '.join(terms)}"
        y_s, x_s = patsy.dmatrices(step_formula, rows, return_type="dataframe", NA_action="raise")
        result = (
            full
            if number == len(spec)
            else _fit_one(step_formula, y_s, x_s, rows, w, groups, standardize, ci)
        )
        res = result.model
        rss, k = float(res.ssr), x_s.shape[1]
        q, df2 = k - previous_k, len(rows) - k
        f_change = ((previous_rss - rss) / q) / (rss / df2)
        r2 = float(result.fit["r2"])
        row: dict[str, Any] = {
            "step": number,
            "block": name,
            "terms": ", ".join(block_terms),
            "n": len(rows),
            "r2": r2,
            "adj_r2": float(result.fit["adj_r2"]),
            "r2_change": r2 - previous_r2,
            "f_change": f_change,
            "df1": q,
            "df2": df2,
            "p_value": stats.f.sf(f_change, q, df2),
        }
        if groups is not None:
            cols = [
                j
                for t in block_terms
                for j in range(*x_s.design_info.term_name_slices[t].indices(k))
            ]
            wald = _wald(res.params.to_numpy(), res.cov_params().to_numpy(), cols)
            row.update(
                wald_f=wald,
                wald_df1=len(cols),
                wald_df2=groups[1] - 1,
                wald_p_value=stats.f.sf(wald, len(cols), groups[1] - 1),
            )
        table.append(row)
        steps.append(result)
        previous_rss, previous_r2, previous_k = rss, r2, k
    return ModelResult(
        kind=full.kind,
        formula=full.formula,
        model=full.model,
        coefficients=full.coefficients,
        fit=full.fit,
        blocks=pd.DataFrame(table),
        steps=tuple(steps),
        warnings=full.warnings,
    )

"""Path and mediation models as :class:`~colead.relate.results.ModelResult`: data at the chosen
level, estimates, analytic and bootstrap inference (kernels in :mod:`colead.relate._path_model`)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.relate import _path_model as pm
from colead.relate._common import check_column_name, check_columns, group_codes, t_table
from colead.relate._correlation import school_means
from colead.relate._path_vcov import cluster_vcov, ml_vcov
from colead.relate.results import ModelResult

EFFECT_COLUMNS = [
    "outcome",
    "predictor",
    "effect",
    "path",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "p_value",
    "std_estimate",
    "se_delta",
]


def _level_data(
    data: pd.DataFrame,
    spec: pm.PathSpec,
    level: str,
    group: str | None,
    min_n: int,
    func: str,
) -> tuple[pd.DataFrame, np.ndarray | None, int, dict[str, Any]]:
    """Rows used, cluster codes (None: rows resampled one by one), clusters, design notes."""
    variables = list(spec.variables)
    check_columns(data, variables, func)
    if group is not None:
        check_column_name(group, "group", func, data)
    if level == "school":
        if group is None:
            raise InvalidParameterError(
                f"{func}: level='school' needs group= (the column identifying schools)."
            )
        wide, _ = school_means(data, variables, group, min_n)
        rows = wide.dropna()
        total = data[group].nunique()
        notes = {"schools_excluded": int(total - len(rows)), "min_n": min_n}
        return rows, None, len(rows), notes
    keep = variables + ([group] if group is not None else [])
    rows = data.loc[data[keep].notna().all(axis=1), keep]
    if group is None:
        return rows, None, len(rows), {}
    codes, n_groups = group_codes(rows[group])
    return rows, codes, n_groups, {}


def _seed(seed: int | np.random.Generator | None, func: str) -> np.random.Generator:
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, int | np.integer) and not isinstance(seed, bool) and seed >= 0:
        return np.random.default_rng(int(seed))
    raise InvalidParameterError(
        f"The 'seed' parameter of {func} must be a non-negative integer, a numpy Generator "
        f"or None; got {seed!r}."
    )


def _label(e: pm.Effect) -> str:
    route = " -> ".join(e.path) if e.path else f"{e.predictor} -> {e.outcome}"
    return f"{e.effect}: {route}"


def fit_path(
    model: str | Mapping[str, str | Sequence[str]],
    data: pd.DataFrame,
    *,
    level: str,
    group: str | None,
    n_boot: int,
    ci: float,
    seed: int | np.random.Generator | None,
    min_n: int,
    func: str,
    kind: str = "path",
    correlate_outcomes: bool = True,
) -> ModelResult:
    spec = pm.parse_model(model, func, correlate_outcomes)
    rng = _seed(seed, func)
    rows, codes, n_units, notes = _level_data(data, spec, level, group, min_n, func)
    n = len(rows)
    largest = max(len(xs) for xs in spec.equations.values())
    if n <= largest + 1 or (codes is not None and n_units < 2):
        raise InsufficientDataError(
            f"{func}: {n} complete {'schools' if level == 'school' else 'rows'}"
            f"{f' in {n_units} groups' if codes is not None else ''}; too few for the model."
        )
    z = rows[list(spec.variables)].to_numpy(dtype=float)
    counts, sums, cross = pm.unit_moments(z - z.mean(axis=0), codes)
    cov, _ = pm.covariances(np.ones((1, len(counts))), counts, sums, cross)
    beta, psi, sigma = (a[0] for a in pm.solve_paths(cov, spec))
    if not np.isfinite(beta).all():
        raise InsufficientDataError(
            f"{func}: the predictors of some equation are linearly dependent in the data."
        )
    index = {v: i for i, v in enumerate(spec.variables)}
    edges = spec.edges
    estimates = np.array([beta[index[y], index[x]] for y, x in edges])
    if codes is None:
        vcov, df = ml_vcov(spec, beta, sigma, n), np.inf
    else:
        vcov, df = cluster_vcov(spec, z, codes, beta), float(n_units - 1)
    table = t_table(estimates, np.sqrt(np.diag(vcov)), df, ci)
    var = np.diag(sigma)
    std = np.array(
        [beta[index[y], index[x]] * np.sqrt(var[index[x]] / var[index[y]]) for y, x in edges]
    )
    coefficients = pd.DataFrame(
        {
            "outcome": [y for y, _ in edges],
            "term": [x for _, x in edges],
            **table,
            "std_estimate": std,
        }
    )
    effects = pm.list_effects(spec)
    effect_table, replicates, dropped = _effects(
        effects, spec, beta[None], sigma[None], vcov, (counts, sums, cross), n_boot, ci, rng
    )
    variance = pd.DataFrame(
        {
            "outcome": list(spec.endogenous),
            "residual_variance": [psi[index[y]] for y in spec.endogenous],
            "r2": [1 - psi[index[y]] / var[index[y]] for y in spec.endogenous],
        }
    )
    messages = []
    if dropped:
        messages.append(
            f"{dropped} of {n_boot} bootstrap replicates had singular normal equations and "
            "were left out of the intervals"
        )
        warnings.warn(f"{func}: {messages[-1]}", ColeadWarning, stacklevel=3)
    if codes is None:
        resampled = "schools" if level == "school" else "rows"
    else:
        resampled = "clusters"
    fit = pd.Series(
        {
            "n": n,
            "groups": n_units if (codes is not None or level == "school") else np.nan,
            "level": level,
            "n_boot": n_boot,
            "resampled": resampled,
            "ci_level": ci,
            "se_type": "ML (expected information)" if codes is None else "CR1 (cluster-robust)",
            "correlated_outcomes": ", ".join(spec.correlated),
            **pm.fit_measures(cov[0], sigma, spec, n),
            **notes,
            "replicates_dropped": dropped,
        },
        dtype=object,
    )
    return ModelResult(
        kind=kind,
        formula=spec.text(),
        model=_statsmodels_fits(spec, rows, codes),
        coefficients=coefficients,
        fit=fit,
        variance_components=variance,
        effects=effect_table,
        replicates=replicates,
        warnings=tuple(messages),
    )


def _effects(
    effects: list[pm.Effect],
    spec: pm.PathSpec,
    beta: np.ndarray,
    sigma: np.ndarray,
    vcov: np.ndarray,
    moments: tuple[np.ndarray, np.ndarray, np.ndarray],
    n_boot: int,
    ci: float,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame | None, int]:
    estimate = pm.effect_values(effects, spec, beta, pm.total_effects(beta))[0]
    std = estimate * pm.standardizer(effects, spec, sigma)[0]
    grad = pm.effect_gradients(effects, spec, beta[0])
    se_delta = np.sqrt(np.einsum("ij,jk,ik->i", grad, vcov, grad))
    se = low = high = p = np.full(len(effects), np.nan)
    replicates, dropped = None, 0
    if n_boot > 0:
        counts, sums, cross = moments
        weights = pm.replicate_counts(rng, len(counts), n_boot)
        cov_b, _ = pm.covariances(weights, counts, sums, cross)
        beta_b, _, _ = pm.solve_paths(cov_b, spec)
        values = pm.effect_values(effects, spec, beta_b, pm.total_effects(beta_b))
        bad = ~np.isfinite(beta_b).all(axis=(1, 2))
        values[bad] = np.nan
        dropped = int(bad.sum())
        valid = n_boot - dropped
        se = np.nanstd(values, axis=0, ddof=1)
        low, high = np.nanquantile(values, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        below = (values <= 0).sum(axis=0)
        above = (values >= 0).sum(axis=0)
        p = np.minimum(1.0, 2 * (np.minimum(below, above) + 1) / (valid + 1))
        replicates = pd.DataFrame(values, columns=[_label(e) for e in effects])
    table = pd.DataFrame(
        {
            "outcome": [e.outcome for e in effects],
            "predictor": [e.predictor for e in effects],
            "effect": [e.effect for e in effects],
            "path": [" -> ".join(e.path) for e in effects],
            "estimate": estimate,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "p_value": p,
            "std_estimate": std,
            "se_delta": se_delta,
        }
    )
    return table[EFFECT_COLUMNS], replicates, dropped


def _name(column: str) -> str:
    return column if column.isidentifier() else f'Q("{column}")'


def _statsmodels_fits(
    spec: pm.PathSpec, rows: pd.DataFrame, codes: np.ndarray | None
) -> dict[str, Any]:
    """Each equation as a statsmodels OLS result (CR1 when clustered), for ``.model``."""
    import statsmodels.formula.api as smf

    out = {}
    for y, xs in spec.equations.items():
        formula = f"{_name(y)} ~ {' + '.join(_name(x) for x in xs)}"
        model = smf.ols(formula, rows)
        if codes is None:
            out[y] = model.fit()
        else:
            out[y] = model.fit(cov_type="cluster", cov_kwds={"groups": codes}, use_t=True)
    return out

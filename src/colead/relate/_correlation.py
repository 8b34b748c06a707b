"""Correlations behind :func:`colead.correlate`: individual, school (suppressed school means) and
within-school (deviations from school means), with Fisher intervals, adjusted p-values and
disattenuation."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.io.responses import ID_COLUMNS

_F = "correlate"
LEVELS = ("individual", "school", "within")
METHODS = ("pearson", "spearman")
ADJUST = ("bonferroni", "holm", "fdr_bh")
COLUMNS = [
    "x",
    "y",
    "level",
    "method",
    "n",
    "groups",
    "r",
    "ci_low",
    "ci_high",
    "ci_level",
    "p_value",
]


def default_columns(scores: pd.DataFrame, by: str | None) -> list[str]:
    return [
        c
        for c in scores.columns
        if c not in ID_COLUMNS and c != by and scores[c].dtype.kind in "biuf"
    ]


def _rank(x: np.ndarray) -> np.ndarray:
    return stats.rankdata(x)


def _pearson(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> float:
    if w is None:
        xc, yc = x - x.mean(), y - y.mean()
        denominator = np.sqrt((xc @ xc) * (yc @ yc))
        return float(xc @ yc / denominator) if denominator > 0 else np.nan
    w = w / w.sum()
    xc, yc = x - w @ x, y - w @ y
    denominator = np.sqrt((w @ xc**2) * (w @ yc**2))
    return float(w @ (xc * yc) / denominator) if denominator > 0 else np.nan


def _inference(r: float, df: float, ci: float) -> tuple[float, float, float]:
    """Two-sided t-test p-value of r on ``df`` degrees of freedom and the Fisher interval with
    standard error 1 / sqrt(df - 1) (that is 1 / sqrt(n - 3) when df = n - 2)."""
    if not np.isfinite(r) or df < 1:
        return np.nan, np.nan, np.nan
    if abs(r) >= 1:
        return 0.0, r, r
    p = 2 * stats.t.sf(abs(r) * np.sqrt(df / (1 - r * r)), df)
    if df <= 1:
        return p, np.nan, np.nan
    half = stats.norm.ppf(0.5 + ci / 2) / np.sqrt(df - 1)
    z = np.arctanh(r)
    return p, float(np.tanh(z - half)), float(np.tanh(z + half))


def _pairs_complete(
    values: np.ndarray,
    columns: list[str],
    method: str,
    ci: float,
    *,
    weights: np.ndarray | None = None,
    units_are_groups: bool = False,
) -> list[dict[str, Any]]:
    """Pairwise-complete correlations of the columns of ``values`` (respondents, or school
    means, in which case ``groups`` is the number of schools correlated)."""
    out = []
    for i, j in combinations(range(len(columns)), 2):
        ok = ~(np.isnan(values[:, i]) | np.isnan(values[:, j]))
        x, y = values[ok, i], values[ok, j]
        if method == "spearman":
            x, y = _rank(x), _rank(y)
        n = len(x)
        w = weights[ok] if weights is not None else None
        r = _pearson(x, y, w) if n >= 2 else np.nan
        p, low, high = _inference(r, n - 2, ci)
        out.append(_row(columns[i], columns[j], n, n if units_are_groups else np.nan, r, low,
                        high, p))
    return out


def _pairs_within(
    frame: pd.DataFrame, columns: list[str], by: str, method: str, ci: float
) -> list[dict[str, Any]]:
    values = frame[columns].to_numpy(dtype=float)
    codes = pd.factorize(frame[by])[0]
    out = []
    for i, j in combinations(range(len(columns)), 2):
        ok = ~(np.isnan(values[:, i]) | np.isnan(values[:, j])) & (codes >= 0)
        x, y, g = values[ok, i], values[ok, j], codes[ok]
        if method == "spearman":
            x, y = _rank(x), _rank(y)
        n = len(x)
        used, g = np.unique(g, return_inverse=True)
        size = np.bincount(g)
        dx = x - (np.bincount(g, x) / size)[g]
        dy = y - (np.bincount(g, y) / size)[g]
        r = _pearson(dx, dy) if n > len(used) else np.nan
        df = n - len(used) - 1
        p, low, high = _inference(r, df, ci)
        out.append(_row(columns[i], columns[j], n, len(used), r, low, high, p))
    return out


def school_means(
    scores: pd.DataFrame, columns: list[str], by: str, min_n: int
) -> tuple[pd.DataFrame, pd.Series]:
    """Wide school means from :func:`colead.aggregate` (suppressed schools missing) and each
    school's number of respondents (rows). Rows without a school stay in: they count in the
    district total, so aggregate hides the schools the report hides."""
    from colead.schools.aggregate import aggregate

    frame = scores[[by, *columns]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)
        table = aggregate(frame, by=by, min_n=min_n, allow_small_groups=True)
    shown = table[~table["suppressed"].astype(bool)]
    wide = shown.pivot(index=by, columns="scale", values="mean")
    wide = wide.reindex(columns=columns)
    wide.columns = list(columns)
    sizes = frame.groupby(by, observed=True).size().reindex(wide.index).astype(float)
    return wide, sizes


def _row(
    x: str, y: str, n: int, groups: float, r: float, low: float, high: float, p: float
) -> dict[str, Any]:
    return {
        "x": x,
        "y": y,
        "n": n,
        "groups": groups,
        "r": r,
        "ci_low": low,
        "ci_high": high,
        "p_value": p,
    }


def correlation_pairs(
    scores: pd.DataFrame,
    columns: list[str],
    level: str,
    *,
    by: str | None,
    method: str,
    ci: float,
    weighted: bool,
    min_n: int,
) -> pd.DataFrame:
    if level == "individual":
        rows = _pairs_complete(scores[columns].to_numpy(dtype=float), columns, method, ci)
    elif by is None:
        raise InvalidParameterError(f"{_F}: level={level!r} needs the school column (by=...).")
    elif level == "within":
        rows = _pairs_within(scores, columns, by, method, ci)
    else:
        wide, sizes = school_means(scores, columns, by, min_n)
        rows = _pairs_complete(
            wide[columns].to_numpy(dtype=float), columns, method, ci,
            weights=sizes.to_numpy(dtype=float) if weighted else None, units_are_groups=True)
    table = pd.DataFrame(
        rows, columns=["x", "y", "n", "groups", "r", "ci_low", "ci_high", "p_value"]
    )
    table.insert(2, "level", level)
    table.insert(3, "method", method)
    table.insert(9, "ci_level", ci)
    return table[COLUMNS]


def adjust_p(p: pd.Series, method: str) -> np.ndarray:
    from statsmodels.stats.multitest import multipletests

    out = np.full(len(p), np.nan)
    ok = p.notna().to_numpy()
    if ok.any():
        out[ok] = multipletests(p.to_numpy()[ok], method=method)[1]
    return out


def reliabilities(disattenuate: Any) -> dict[str, float]:
    """Scale -> reliability from a mapping or a :func:`colead.reliability` table (alpha)."""
    if isinstance(disattenuate, pd.DataFrame):
        if "scale" not in disattenuate.columns or "alpha" not in disattenuate.columns:
            raise InvalidParameterError(
                f"The 'disattenuate' table of {_F} needs the columns 'scale' and 'alpha' (as "
                "colead.reliability returns them), or pass a mapping scale -> reliability."
            )
        values = dict(zip(disattenuate["scale"], disattenuate["alpha"], strict=True))
    elif isinstance(disattenuate, Mapping):
        values = dict(disattenuate)
    else:
        raise InvalidParameterError(
            f"The 'disattenuate' parameter of {_F} must be a mapping scale -> reliability or a "
            f"colead.reliability table; got {type(disattenuate).__name__}."
        )
    bad = {
        k: v
        for k, v in values.items()
        if not isinstance(v, int | float | np.floating) or not (0 < v <= 1)
    }
    if bad:
        raise InvalidParameterError(
            f"Reliabilities given to {_F} must be numbers in (0, 1]; got {bad}."
        )
    return {k: float(v) for k, v in values.items()}


def add_disattenuated(table: pd.DataFrame, rel: Mapping[str, float]) -> pd.DataFrame:
    """r / sqrt(rel_x rel_y), and the interval bounds corrected by the same factor."""
    out = table.copy()
    out["reliability_x"] = out["x"].map(rel).astype(float)
    out["reliability_y"] = out["y"].map(rel).astype(float)
    factor = np.sqrt(out["reliability_x"] * out["reliability_y"])
    out["r_disattenuated"] = out["r"] / factor
    out["ci_low_disattenuated"] = out["ci_low"] / factor
    out["ci_high_disattenuated"] = out["ci_high"] / factor
    return out


def matrix(pairs: pd.DataFrame, value: str, level: str | None) -> pd.DataFrame:
    """Square matrix of one column of a pairs table; the diagonal is 1 for r, else missing."""
    if value not in pairs.columns:
        raise InvalidParameterError(
            f"correlation_matrix: the pairs have no column {value!r}; choose one of "
            f"{[c for c in pairs.columns if c not in ('x', 'y', 'level', 'method')]}."
        )
    levels = list(dict.fromkeys(pairs["level"])) if "level" in pairs.columns else [None]
    if level is None and len(levels) > 1:
        raise InvalidParameterError(
            f"correlation_matrix: the pairs hold several levels {levels}; pass level=..."
        )
    if level is not None:
        if level not in levels:
            raise InvalidParameterError(
                f"correlation_matrix: no pairs at level {level!r}; levels: {levels}."
            )
        pairs = pairs[pairs["level"] == level]
    names = list(dict.fromkeys([*pairs["x"], *pairs["y"]]))
    out = pd.DataFrame(np.nan, index=names, columns=names)
    for x, y, v in zip(pairs["x"], pairs["y"], pairs[value], strict=True):
        out.loc[x, y] = out.loc[y, x] = v
    if value in ("r", "r_disattenuated"):
        for name in names:
            out.loc[name, name] = 1.0
    return out

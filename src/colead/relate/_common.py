"""Checks and small helpers shared by the relate modules (correlate, regress, multilevel, path)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from colead.exceptions import InsufficientDataError, InvalidParameterError


def check_frame(data: Any, func: str, name: str = "data") -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be a DataFrame; got {type(data).__name__}."
        )
    return data


def check_columns(
    data: pd.DataFrame, columns: Iterable[str], func: str, *, numeric: bool = True
) -> list[str]:
    """Every column must exist (and be numeric when asked); one error naming all problems."""
    columns = list(columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise InvalidParameterError(
            f"{func}: the data have no column {', '.join(repr(c) for c in missing)}."
        )
    if numeric:
        bad = [c for c in columns if data[c].dtype.kind not in "biuf"]
        if bad:
            raise InvalidParameterError(
                f"{func}: column {', '.join(repr(c) for c in bad)} must be numeric."
            )
    return columns


def check_column_name(value: Any, name: str, func: str, data: pd.DataFrame) -> str:
    """A single column name that exists in ``data``."""
    if value is None or isinstance(value, list | tuple | set | dict):
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be one column name; got {value!r}."
        )
    if value not in data.columns:
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} names {value!r}, which the data do not have."
        )
    return value


def check_bool(value: Any, name: str, func: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise InvalidParameterError(
            f"The {name!r} parameter of {func} must be True or False; got {value!r}."
        )
    return bool(value)


def check_formula(formula: Any, func: str) -> str:
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise InvalidParameterError(
            f"The 'formula' parameter of {func} must be a formula such as 'y ~ x1 + x2'; "
            f"got {formula!r}."
        )
    lhs, rhs = (part.strip() for part in formula.split("~"))
    if not lhs or not rhs:
        raise InvalidParameterError(
            f"The 'formula' of {func} needs an outcome and predictors; got {formula!r}."
        )
    return formula


def check_ci(ci: Any, func: str) -> float:
    from colead._validation import check_number

    return check_number(ci, "ci", func, low=0, high=1, low_open=True, high_open=True)


def group_codes(values: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes 0..G-1 of a group column (no missing values) and G."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.intp), len(uniques)


def t_table(estimate: np.ndarray, se: np.ndarray, df: float, ci: float) -> dict[str, np.ndarray]:
    """Wald t (or z when ``df`` is inf) intervals and two-sided p-values."""
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = estimate / se
    if np.isinf(df):
        crit = stats.norm.ppf(0.5 + ci / 2)
        p = 2 * stats.norm.sf(np.abs(stat))
    else:
        crit = stats.t.ppf(0.5 + ci / 2, df)
        p = 2 * stats.t.sf(np.abs(stat), df)
    return {
        "estimate": estimate,
        "se": se,
        "ci_low": estimate - crit * se,
        "ci_high": estimate + crit * se,
        "p_value": p,
    }


def weighted_sd(x: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """Column standard deviations (ddof 1 unweighted; weighted: divisor sum of weights).

    Only ratios of these enter standardized coefficients, so the divisor does not matter as
    long as it is the same for every column.
    """
    if w is None:
        return x.std(axis=0, ddof=1)
    w = w / w.sum()
    mean = w @ x
    return np.sqrt(w @ (x - mean) ** 2)


def need_rows(n: int, k: int, func: str, what: str) -> None:
    if n <= k:
        raise InsufficientDataError(
            f"{func}: {n} complete row{'s' if n != 1 else ''} for {what}; at least {k + 1} "
            "are needed."
        )


def as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)

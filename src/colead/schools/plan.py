"""``plan``: how many respondents a school needs for a reliable school mean.

The Spearman-Brown relation between ICC(1), the share of a scale's variance that lies between
schools, and ICC(2), the reliability of a school's mean of m answers, is

    ICC(2) = m ICC(1) / (1 + (m - 1) ICC(1)),

so ICC(2) >= target needs m >= target (1 - ICC(1)) / (ICC(1) (1 - target)) respondents. The
same ICC(1) gives the design effect 1 + (m - 1) ICC(1) of sampling m respondents per school,
and with it the number of independent answers those m are worth (Bliese 2000; Kish 1965).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import (
    ColeadError,
    ColeadWarning,
    InsufficientDataError,
    InvalidParameterError,
)

if TYPE_CHECKING:
    import os

    from colead.instrument import Instrument

__all__ = ["plan"]

_F = "plan"
DEFAULT_GROUP_SIZES = (5, 10, 15, 20, 30)
COLUMNS = [
    "scale",
    "icc1",
    "n",
    "n_groups",
    "group_size",
    "icc2",
    "design_effect",
    "effective_n",
    "effective_n_total",
    "target",
    "n_needed",
]


def icc2_of(icc1: float | np.ndarray, m: float | np.ndarray) -> Any:
    """Spearman-Brown: the reliability of a mean of ``m`` answers, m ICC1 / (1 + (m-1) ICC1)."""
    return m * icc1 / (1.0 + (m - 1.0) * icc1)


def respondents_needed(icc1: float, target: float) -> float:
    """The smallest whole m with ICC(2) >= ``target`` (NaN when ICC(1) <= 0: never)."""
    if not icc1 > 0:
        return np.nan
    exact = target * (1.0 - icc1) / (icc1 * (1.0 - target))
    m = max(1, math.ceil(exact))
    if m > 1 and icc2_of(icc1, m - 1) >= target:  # rounding pushed the exact bound up
        m -= 1
    return float(m)


def plan(
    icc1: float | Mapping[str, float] | None = None,
    *,
    data: Any = None,
    target: float = 0.70,
    group_size: float | Sequence[float] | None = None,
    by: Hashable = "school_id",
    instrument: str | os.PathLike[str] | Instrument | None = None,
) -> pd.DataFrame:
    """How many respondents a school needs for its mean to be reliable.

    Parameters
    ----------
    icc1 : float or mapping, optional
        ICC(1) of the scale (or ``{scale: icc1}``), for instance from a previous survey or
        the literature (0.05-0.25 is common for school climate scales). Give this or ``data``.
    data : Responses or DataFrame, optional
        A previous survey: ICC(1) of every scale is estimated from it by the one-way ANOVA
        (:func:`colead.icc`, as ``multilevel::ICC1``). Responses and DataFrames of item
        answers (with ``instrument``) are scored first; a DataFrame without an instrument is
        taken as scale scores (every numeric column but ``by`` and ``respondent_id``).
    target : float, default 0.70
        The reliability a school mean should reach.
    group_size : number or sequence of numbers, optional
        Respondents per school to evaluate. Default: with ``data``, its mean number of
        respondents per school (k = n / number of schools, the k of ``multilevel::ICC1``, so
        that ``icc2`` equals ``multilevel::ICC2`` on those data); without, 5, 10, 15, 20, 30.
    by : column name, default "school_id"
        The school column of ``data``.
    instrument : str, path or Instrument, optional
        Needed to score a DataFrame of item answers.

    Returns
    -------
    DataFrame
        One row per scale and group size: ``scale, icc1, n, n_groups`` (respondents and schools
        behind the estimate; missing without data), ``group_size`` (m), ``icc2`` (reliability
        of the mean of m answers), ``design_effect`` (1 + (m - 1) ICC(1)), ``effective_n``
        (m / design effect: how many independent answers m respondents of one school are
        worth), ``effective_n_total`` (n / design effect, with data), ``target`` and
        ``n_needed`` (respondents per school for ICC(2) >= target; missing when ICC(1) <= 0,
        since no number of respondents then makes the mean reliable).

    Notes
    -----
    Closed forms, checked against a computation by hand and, on the same data, against
    ``multilevel::ICC2`` (multilevel 2.7) to 1e-10 (tests/reference/multilevel_cfa).

    Examples
    --------
    >>> import colead as cl
    >>> table = cl.plan(0.15, group_size=10)
    >>> int(table["n_needed"].iloc[0])
    14
    >>> round(float(table["icc2"].iloc[0]), 3)
    0.638
    """
    check_number(target, "target", _F, low=0, high=1, low_open=True, high_open=True)
    if (icc1 is None) == (data is None):
        raise InvalidParameterError(
            "plan needs either an ICC(1) (icc1=0.15) or a previous survey's data (data=...), "
            "not both."
        )
    estimates = _from_data(data, by, instrument) if data is not None else _given(icc1)
    rows = []
    for scale, est in estimates.items():
        sizes = _group_sizes(group_size, est.get("mean_group_size"))
        needed = respondents_needed(est["icc1"], target)
        for m in sizes:
            deff = 1.0 + (m - 1.0) * est["icc1"]
            rows.append(
                {
                    "scale": scale,
                    "icc1": est["icc1"],
                    "n": est.get("n", np.nan),
                    "n_groups": est.get("n_groups", np.nan),
                    "group_size": m,
                    "icc2": icc2_of(est["icc1"], m),
                    "design_effect": deff,
                    "effective_n": m / deff,
                    "effective_n_total": est.get("n", np.nan) / deff,
                    "target": target,
                    "n_needed": needed,
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS)


def _given(icc1: Any) -> dict[str, dict[str, float]]:
    values = icc1 if isinstance(icc1, Mapping) else {"scale": icc1}
    if not values:
        raise InvalidParameterError("The 'icc1' mapping of plan is empty.")
    return {
        str(k): {"icc1": check_number(v, "icc1", _F, low=-1, high=1, low_open=True)}
        for k, v in values.items()
    }


def _group_sizes(group_size: Any, mean_size: float | None) -> list[float]:
    if group_size is None:
        return [mean_size] if mean_size is not None else [float(m) for m in DEFAULT_GROUP_SIZES]
    sizes = [group_size] if np.ndim(group_size) == 0 else list(group_size)
    if not sizes:
        raise InvalidParameterError("The 'group_size' parameter of plan is empty.")
    return [check_number(m, "group_size", _F, low=1) for m in sizes]


def _from_data(data: Any, by: Hashable, instrument: Any) -> dict[str, dict[str, float]]:
    from colead.io.responses import Responses
    from colead.psychometrics.scoring import score
    from colead.schools.icc import icc

    if isinstance(data, Responses) or instrument is not None:
        scores = score(data, instrument)
    elif isinstance(data, pd.DataFrame):
        scores = data
    else:
        raise InvalidParameterError(
            f"The 'data' parameter of plan must be Responses or a DataFrame; got "
            f"{type(data).__name__}."
        )
    if by not in scores.columns:
        raise InvalidParameterError(f"The school column {by!r} is not in the data.")
    scales = [
        c
        for c in scores.columns
        if c not in (by, "respondent_id", "school_id")
        and pd.api.types.is_numeric_dtype(scores[c])
        and not pd.api.types.is_bool_dtype(scores[c])
    ]
    if not scales:
        raise InvalidParameterError("plan found no numeric scale columns in the data.")
    out: dict[str, dict[str, float]] = {}
    skipped = []
    for scale in scales:
        try:
            res = icc(scores[scale], scores[by])
        except ColeadError as exc:
            skipped.append(f"{scale}: {exc}")
            continue
        out[scale] = {
            "icc1": res.icc1,
            "n": float(res.n),
            "n_groups": float(res.n_groups),
            "mean_group_size": res.mean_group_size,
        }
    if skipped:
        warnings.warn("plan: no ICC(1) for " + "; ".join(skipped), ColeadWarning, stacklevel=3)
    if not out:
        raise InsufficientDataError("plan could not estimate ICC(1) for any scale.")
    return out

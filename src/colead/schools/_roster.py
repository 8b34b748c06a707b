"""Rosters for response rates: group sizes, checked against the respondents.

A roster size is the number of people invited; a response rate over 100% or a division by
zero means a wrong roster or wrong group ids, so such sizes are errors, listed together.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError, ResponseDataError


def roster_sizes(
    roster: Any,
    keys: list[str],
    scores: pd.DataFrame | None,
    func: str,
    respondents: pd.Series | None = None,
) -> pd.Series | None:
    """Group sizes from a roster, checked: positive numbers, one per group, never below the
    group's respondents (a response rate over 100% means a wrong roster or wrong ids). The
    respondents per group are counted in ``scores``, or given as ``respondents``."""
    if roster is None:
        return None
    if isinstance(roster, Mapping):
        sizes = pd.Series(dict(roster), dtype=object)
        rows: list[int | None] = [None] * len(sizes)
    elif isinstance(roster, pd.DataFrame):
        column = next((c for c in ("size", "n_teachers", "n_invited") if c in roster.columns),
                      None)
        if column is None or any(k not in roster.columns for k in keys):
            raise InvalidParameterError(
                f"The 'roster' of {func} needs the 'by' column(s) and a "
                "'size' (or 'n_teachers') column."
            )
        index = (pd.MultiIndex.from_frame(roster[keys]) if len(keys) > 1
                 else pd.Index(roster[keys[0]]))
        sizes = pd.Series(roster[column].to_numpy(), index=index, dtype=object)
        rows = [i + 2 for i in range(len(roster))]  # as a spreadsheet numbers them
    else:
        raise InvalidParameterError(
            f"The 'roster' parameter of {func} must be a DataFrame or a mapping of group -> "
            f"size; got {type(roster).__name__}."
        )
    if respondents is None:
        if scores is None:
            raise TypeError("roster_sizes needs the scores or the respondents per group")
        respondents = scores.groupby(keys, observed=True).size()
    numeric = pd.to_numeric(sizes, errors="coerce").astype(float)
    problems = []
    for row, group, value, size, dup in zip(rows, sizes.index, sizes.to_numpy(),
                                            numeric.to_numpy(), sizes.index.duplicated(),
                                            strict=True):
        answered = int(respondents.get(group, 0))
        shown = value.item() if isinstance(value, np.generic) else value
        where = {"row": row, "column": "size", "value": shown}
        if dup:
            reason = f"group {group!r} appears more than once in the roster"
        elif pd.isna(value):
            continue  # no size: no response rate for that group
        elif not np.isfinite(size) or size <= 0:
            reason = f"the size of group {group!r} must be a positive number"
        elif size < answered:
            reason = (f"group {group!r} has {answered} respondents but a roster size of "
                      f"{size:g}: a size is the number invited, at least the number who answered")
        else:
            continue
        problems.append({**where, "reason": reason})
    if problems:
        raise ResponseDataError(problems, context="the roster")
    return numeric


def lookup_sizes(table: pd.DataFrame, keys: list[str], sizes: pd.Series) -> np.ndarray:
    index = pd.MultiIndex.from_frame(table[keys]) if len(keys) > 1 else pd.Index(table[keys[0]])
    return sizes.reindex(index).to_numpy()



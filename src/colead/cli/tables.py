"""Tables as the command line writes them to files: counts as whole numbers, and figures
rounded only when ``--digits`` asks for it (the library never rounds)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["for_file", "is_count"]

# Counts in colead's column vocabulary: n, k, rwg_n, n_respondents, ...
_COUNT = re.compile(r"^(n|k)$|_n$|^n_")


def is_count(column: object) -> bool:
    """Whether a column of colead's vocabulary holds counts (``n``, ``k``, ``rwg_n``, ``n_*``)."""
    return isinstance(column, str) and bool(_COUNT.search(column))


def for_file(frame: pd.DataFrame, digits: int | None = None) -> pd.DataFrame:
    """``frame`` ready for a CLI output file.

    Count columns hold whole numbers, stored as floats wherever a suppressed row made them
    missing: they become integers (missing stays empty). With ``digits``, every other float
    column is rounded to that many decimals (no ``-0.0``); without it, full precision.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype.kind != "f":
            continue
        x = values.to_numpy(dtype=float)
        finite = x[np.isfinite(x)]
        if is_count(column) and np.array_equal(finite, np.round(finite)):
            out[column] = values.astype("Int64")
        elif digits is not None:
            out[column] = values.round(digits) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out

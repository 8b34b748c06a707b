"""Numbers and names for the page: rounding happens here, at the edge."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["anchor", "fmt", "pct", "slug"]


def fmt(value: Any, digits: int = 2) -> str:
    """A number for the page: fixed decimals, an en dash for missing."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return "\u2013"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def pct(value: Any) -> str:
    return "\u2013" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def anchor(group: Any, part: str = "school") -> str:
    """The id of a school's section in a page (``part``: of one part of it, such as
    ``since``)."""
    text = "".join(ch if ch.isalnum() else "-" for ch in str(group))
    return f"{part}-{text}"


def slug(group: Any) -> str:
    """A file name stem for a school: ASCII letters, digits, - and _ only (no separators, no
    dots), at most 60 characters, so an id from the input can never name another folder."""
    text = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-"
                   for ch in str(group))[:60].strip("-")
    return f"school-{text or 'unnamed'}"

"""The report's "Since the last survey" section: the change of every scale since the previous
wave, for the district and for each school, as a table with intervals and a dot-and-arrow
chart (previous mean -> current mean, with the interval of the change around the arrow's head).

Everything shown comes from :func:`colead.change`, so it has passed through
:func:`colead.privacy.protect_waves`: a school under ``min_n`` in either wave, or held back to
protect a smaller group in either wave, shows no number. The two change tables (the district
and the schools) are computed once (:func:`change_tables`, in
:mod:`colead.reporting.prepare`) and the schools' table is split by school in one pass
(:func:`split`); :func:`since` turns one group's rows into what ``since.html.j2`` shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.io.responses import Responses
from colead.schools.change import CHANGE_COLUMNS, change

__all__ = ["change_tables", "since", "split"]


def change_tables(current: Responses, previous: Responses, *, by: str, min_n: int,
                  grouped: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The district's change table (``by=None``) and the groups' (empty when no group is
    identified in either wave)."""
    if not isinstance(previous, Responses):
        raise InvalidParameterError("The 'previous' parameter of report must be Responses (the "
                                    "previous survey, from read_responses or load_sample); got "
                                    f"{type(previous).__name__}.")
    if by not in previous.data.columns:
        raise InvalidParameterError(f"The 'by' parameter of report names {by!r}, which the "
                                    "previous survey's responses do not have.")
    district = change(current, previous, by=None, min_n=min_n)
    both = grouped and bool(previous.data[by].notna().any())
    table = (change(current, previous, by=by, min_n=min_n) if both
             else pd.DataFrame(columns=[by, *CHANGE_COLUMNS]))
    return district, table


def split(table: pd.DataFrame, by: str) -> dict[Any, list[Any]]:
    """Each group's rows of the change table (named tuples), in one pass over it."""
    out: dict[Any, list[Any]] = {}
    for row in table.itertuples(index=False):
        out.setdefault(getattr(row, by), []).append(row)
    return out


def since(rows: Sequence[Any], *, name: str, anchor: str, titles: dict[str, str],
          bounds: dict[str, tuple[float, float]]) -> dict[str, Any]:
    """What the section shows for one group (or the district): its rows rounded for the
    page, the dot-and-arrow chart's positions on each scale's declared range (``bounds``),
    and the scales that rose or fell beyond their minimum detectable change, in words."""
    out = [_row(r, titles, bounds) for r in rows]
    return {"name": name, "anchor": anchor,
            "suppressed": not any("previous" in r for r in out),  # no mean shown at all
            "rows": out, "notes": _notes(rows, titles)}


def _row(r: Any, titles: dict[str, str],
         bounds: dict[str, tuple[float, float]]) -> dict[str, Any]:
    low, high = bounds.get(r.scale, (0.0, 1.0))

    def at(value: float) -> str:
        return f"{100 * (min(max(value, low), high) - low) / (high - low):.2f}"

    row: dict[str, Any] = {"scale": titles.get(r.scale, r.scale), "comparable": bool(r.comparable),
                           "reason": r.reason, "suppressed": bool(r.suppressed)}
    if row["suppressed"] or not (np.isfinite(r.mean_current) and np.isfinite(r.mean_previous)):
        return row
    row.update(previous=f"{r.mean_previous:.2f}", current=f"{r.mean_current:.2f}",
               n=f"{int(r.n_previous)} / {int(r.n_current)}",
               x_previous=at(r.mean_previous), x_current=at(r.mean_current))
    if row["comparable"] and np.isfinite(r.change):
        row.update(change=_signed(r.change), ci=f"{_signed(r.ci_low)} to {_signed(r.ci_high)}",
                   mdc=f"{r.mdc:.2f}", verdict=_verdict(r),
                   x_low=at(r.mean_previous + r.ci_low), x_high=at(r.mean_previous + r.ci_high),
                   direction="up" if r.change > 0 else "down")
    return row


def _signed(value: float) -> str:
    return f"{round(value, 2) + 0.0:+.2f}"  # never "-0.00"


def _verdict(r: Any) -> str:
    if r.change > r.mdc:
        return "rose"
    if r.change < -r.mdc:
        return "fell"
    return "within noise"


def _notes(rows: Sequence[Any], titles: dict[str, str]) -> list[str]:
    shown = [r for r in rows if not r.suppressed and r.comparable and np.isfinite(r.change)]
    notes = []
    for verb, pick in (("rose", [r for r in shown if r.change > r.mdc]),
                       ("fell", [r for r in shown if r.change < -r.mdc])):
        if pick:
            scales = ", ".join(titles.get(r.scale, r.scale) for r in pick)
            notes.append(f"Beyond what chance in who answered would explain, {verb}: {scales}.")
    return notes

"""Charts drawn in HTML and CSS for the report: fast to make, light to carry, readable by a
screen reader (every value is also in the page as text), and sharp on paper.

They show the same things as :func:`colead.plots.plot_likert` and
:func:`colead.plots.plot_scale_profile`, which researchers use with matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from colead._style import DIVERGING, SEQUENTIAL_CMAP

__all__ = ["heatmap_cells", "likert_rows", "profile_rows", "records"]


def records(frame: pd.DataFrame) -> list[Any]:
    """The rows of a frame as objects with attribute access (for templates and loops)."""
    return [SimpleNamespace(**{str(k): v for k, v in row.items()})
            for row in frame.to_dict(orient="records")]


def _diverging(k: int) -> list[str]:
    index = np.round(np.linspace(0, len(DIVERGING) - 1, k)).astype(int)
    return [DIVERGING[i] for i in index]


def likert_rows(shares: pd.DataFrame, labels: Mapping[Any, str],
                texts: Mapping[Any, str]) -> dict[str, Any]:
    """Rows of a diverging stacked bar chart: per item its segments as (left %, width %,
    colour, label, share %) on a track whose middle is the middle of the scale."""
    points = list(shares.columns)
    k = len(points)
    colours = _diverging(k)
    rows = []
    for item, row in shares.iterrows():
        values = row.to_numpy(dtype=float)
        lower = values[: k // 2].sum() + (values[k // 2] / 2 if k % 2 else 0.0)
        left = 50.0 - 50.0 * lower
        segments = []
        for j, share in enumerate(values):
            segments.append({"left": f"{left:.2f}", "width": f"{50.0 * share:.2f}",
                             "colour": colours[j], "label": labels.get(points[j], str(points[j])),
                             "pct": f"{100 * share:.0f}"})
            left += 50.0 * share
        rows.append({"text": texts.get(item, str(item)), "segments": segments,
                     "summary": "; ".join(f"{s['label']} {s['pct']}%" for s in segments)})
    legend = [{"label": labels.get(p, str(p)), "colour": c} for p, c in zip(points, colours,
                                                                             strict=True)]
    return {"rows": rows, "legend": legend}


def profile_rows(table: pd.DataFrame, reference: Mapping[Any, float], titles: Mapping[Any, str],
                 bounds: tuple[float, float],
                 reasons: Mapping[Any, str] | None = None) -> list[dict[str, Any]]:
    """Rows of an interval chart: the group's mean and 95% interval and the reference mean,
    as % positions on the scale from ``bounds[0]`` to ``bounds[1]``; a suppressed row
    carries its reason (``reasons``), a missing reference no marker."""
    low, high = bounds

    def at(value: float) -> str:
        return f"{100 * (min(max(value, low), high) - low) / (high - low):.2f}"

    rows = []
    for r in records(table):
        row: dict[str, Any] = {"scale": titles.get(r.scale, r.scale),
                               "suppressed": bool(r.suppressed),
                               "reason": (reasons or {}).get(r.scale, "not shown")}
        if not row["suppressed"]:
            ref = reference.get(r.scale, np.nan)
            known = bool(np.isfinite(ref))
            row.update(mean=at(r.mean), low=at(r.ci_low if np.isfinite(r.ci_low) else r.mean),
                       high=at(r.ci_high if np.isfinite(r.ci_high) else r.mean),
                       reference=at(ref) if known else None, text=f"{r.mean:.2f}",
                       ref_text=f"{ref:.2f}" if known else "not shown")
        rows.append(row)
    return rows


def heatmap_cells(matrix: pd.DataFrame, *, low: float, high: float,
                  row_labels: Mapping[Any, str] | None = None,
                  column_labels: Mapping[Any, str] | None = None,
                  digits: int = 1) -> dict[str, Any]:
    """A heat map as table cells: value text plus a background from the colour-blind-safe
    sequential map and a text colour with enough contrast; NaN cells say so."""
    from matplotlib import colormaps

    cmap = colormaps[SEQUENTIAL_CMAP]
    rows = []
    for name, row in matrix.iterrows():
        cells = []
        for value in row.to_numpy(dtype=float):
            if not np.isfinite(value):
                cells.append({"text": "\u2013", "background": "#eeeeee", "colour": "#333333"})
                continue
            r, g, b, _ = cmap((value - low) / (high - low))
            luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
            cells.append({"text": f"{value:.{digits}f}",
                          "background": f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}",
                          "colour": "#000000" if luminance > 0.45 else "#ffffff"})
        rows.append({"label": (row_labels or {}).get(name, str(name)), "cells": cells})
    return {"columns": [(column_labels or {}).get(c, str(c)) for c in matrix.columns],
            "rows": rows}

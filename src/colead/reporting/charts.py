"""Charts drawn in HTML and CSS for the report: fast to make, light to carry, readable by a
screen reader (every value is also in the page as text), and sharp on paper.

They show the same things as :func:`colead.plots.plot_likert` and
:func:`colead.plots.plot_scale_profile`, which researchers use with matplotlib.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from colead._style import DIVERGING, SEQUENTIAL_CMAP

__all__ = ["LikertItems", "band_rows", "heatmap_cells", "histogram_rows", "likert_items",
           "likert_rows", "profile_rows", "records"]


def records(frame: pd.DataFrame) -> list[Any]:
    """The rows of a frame as objects with attribute access (for templates and loops)."""
    return [SimpleNamespace(**{str(k): v for k, v in row.items()})
            for row in frame.to_dict(orient="records")]


@functools.cache
def _diverging(k: int) -> tuple[int, ...]:
    """Positions in DIVERGING of ``k`` ordered categories, unfavourable to favourable."""
    return tuple(int(i) for i in np.round(np.linspace(0, len(DIVERGING) - 1, k)))


@dataclass(frozen=True)
class LikertItems:
    """What every school's chart of one scale shares, made once: the items' labels (escaped,
    reverse-keyed ones marked), which are reverse-keyed, and the legend."""

    labels: tuple[Markup, ...]
    reversed: tuple[bool, ...]
    legend: tuple[dict[str, Any], ...]
    header: Markup


def likert_items(texts: Sequence[str], reversed_items: Sequence[bool],
                 labels: Sequence[str]) -> LikertItems:
    mark = Markup('<span class="rev" title="Reverse-keyed: disagreeing is the favourable '
                  'answer">&#8634;</span> ')
    colours = _diverging(len(labels))
    return LikertItems(
        labels=tuple((mark if r else Markup("")) + escape(t)
                     for t, r in zip(texts, reversed_items, strict=True)),
        reversed=tuple(bool(r) for r in reversed_items),
        legend=tuple({"label": lab, "colour": c} for lab, c in zip(labels, colours,
                                                                   strict=True)),
        header=Markup("").join(Markup('<th scope="col">{}</th>').format(lab) for lab in labels))


def likert_rows(shares: np.ndarray, items: LikertItems) -> dict[str, Any]:
    """A diverging stacked bar chart (items x points ``shares``): the HTML of its bars and of
    the rows of its table of numbers.

    Segments run from the least to the most favourable answer and are coloured by
    favourability: on a reverse-keyed item disagreeing is favourable, so its answers are
    turned around; the table keeps the answers' own order. The bar's middle is the middle of
    the scale; each side holds up to 100% of the answers."""
    k = shares.shape[1]
    colours = _diverging(k)
    bars, table = [], []
    for i, natural in enumerate(shares.tolist()):
        values = natural[::-1] if items.reversed[i] else natural
        lower = sum(values[: k // 2]) + (values[k // 2] / 2 if k % 2 else 0.0)
        track = "".join(f'<i class="c{c}" style="width:{50.0 * v:.1f}%"></i>'
                        for c, v in zip(colours, values, strict=True) if v >= 0.0005)
        bars.append(f'<div class="lrow"><span class="llabel">{items.labels[i]}</span>'
                    f'<span class="ltrack"><i style="width:{50.0 - 50.0 * lower:.1f}%"></i>'
                    f'{track}<span class="mid"></span></span></div>')
        cells = "".join(f"<td>{100 * v:.0f}%</td>" for v in natural)
        table.append(f'<tr><th scope="row">{items.labels[i]}</th>{cells}</tr>')
    # labels were escaped once (LikertItems); the rest is numbers and fixed markup
    return {"bars": Markup("\n".join(bars)), "table": Markup("".join(table)),
            "legend": items.legend, "header": items.header, "any_reversed": any(items.reversed)}


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


def heatmap_cells(matrix: pd.DataFrame | np.ndarray, *, low: float, high: float,
                  row_labels: Mapping[Any, str] | Sequence[str] | None = None,
                  column_labels: Mapping[Any, str] | Sequence[str] | None = None,
                  digits: int = 1) -> dict[str, Any]:
    """A heat map as table rows: per row its label and the HTML of its cells, each with the
    value and a background from the colour-blind-safe sequential map with a text colour of
    enough contrast; NaN cells say so. A DataFrame's labels map its index and columns; an
    array's are sequences in its order."""
    if isinstance(matrix, pd.DataFrame):
        rows_of, cols_of = list(matrix.index), list(matrix.columns)
        values = matrix.to_numpy(dtype=float)
        row_names = [(row_labels or {}).get(r, str(r)) for r in rows_of]  # type: ignore[union-attr]
        col_names = [(column_labels or {}).get(c, str(c)) for c in cols_of]  # type: ignore[union-attr]
    else:
        values = np.asarray(matrix, dtype=float)
        row_names, col_names = list(row_labels or []), list(column_labels or [])
    lut = _sequential()
    finite = np.isfinite(values)
    at = np.rint(255 * np.clip((np.where(finite, values, low) - low) / (high - low), 0, 1))
    rows = []
    for name, row, known, where in zip(row_names, values.tolist(), finite.tolist(),
                                       at.astype(int).tolist(), strict=True):
        cells = []
        for value, ok, j in zip(row, known, where, strict=True):
            if not ok:
                cells.append('<td style="background:#eeeeee;color:#333333">\u2013</td>')
                continue
            background, colour = lut[j]
            cells.append(f'<td style="background:{background};color:{colour}">'
                         f"{value:.{digits}f}</td>")
        rows.append({"label": name, "cells": Markup("".join(cells))})
    return {"columns": col_names, "rows": rows}


@functools.cache
def _sequential() -> tuple[tuple[str, str], ...]:
    """256 (background, text colour) pairs of the sequential colour map, made once."""
    from matplotlib import colormaps

    out = []
    for r, g, b, _ in colormaps[SEQUENTIAL_CMAP](np.linspace(0, 1, 256)):
        luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
        out.append((f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}",
                    "#000000" if luminance > 0.45 else "#ffffff"))
    return tuple(out)


def band_rows(rwg: pd.DataFrame, titles: Mapping[str, str]) -> list[dict[str, Any]]:
    """Per scale, the schools in each agreement band (:data:`colead.reporting.words.BANDS`),
    as a stacked bar: ``rwg`` has ``scale`` and ``rwg_j`` of the shown schools."""
    from colead.reporting.words import BANDS, band_index

    rows = []
    for scale, title in titles.items():
        values = rwg.loc[rwg["scale"] == scale, "rwg_j"].dropna().to_numpy(dtype=float)
        counts = np.bincount([band_index(v) for v in values], minlength=len(BANDS))
        total = int(counts.sum())
        left, segments = 0.0, []
        for i in range(len(BANDS) - 1, -1, -1):  # very strong first: the favourable end
            width = 100.0 * counts[i] / total if total else 0.0
            segments.append({"band": i, "words": BANDS[i][1], "count": int(counts[i]),
                             "left": f"{left:.1f}", "width": f"{width:.1f}",
                             "pct": f"{width:.0f}"})
            left += width
        rows.append({"scale": title, "total": total, "segments": segments,
                     "median": f"{np.median(values):.2f}" if total else "\u2013"})
    return rows


def histogram_rows(means: pd.DataFrame, titles: Mapping[str, str], reference: Mapping[str, float],
                   bounds: tuple[float, float], bins: int = 25) -> list[dict[str, Any]]:
    """Per scale, how many schools' means fall in each of ``bins`` equal bins of the scale's
    range (bar heights in % of the tallest), the district mean's position and a summary in
    words: the same size at 10 schools or 10,000."""
    low, high = bounds
    edges = np.linspace(low, high, bins + 1)
    rows = []
    for scale, title in titles.items():
        values = means.loc[means["scale"] == scale, "mean"].dropna().to_numpy(dtype=float)
        counts = np.histogram(np.clip(values, low, high), bins=edges)[0]
        tallest = counts.max() if len(values) else 0
        ref = reference.get(scale, np.nan)
        row: dict[str, Any] = {
            "scale": title, "n": len(values),
            "bars": [{"height": f"{100 * c / tallest:.0f}" if tallest else "0", "count": int(c),
                      "from": f"{a:.1f}", "to": f"{b:.1f}"}
                     for c, a, b in zip(counts, edges[:-1], edges[1:], strict=True)],
            "reference": (f"{100 * (ref - low) / (high - low):.1f}" if np.isfinite(ref)
                          else None)}
        if len(values):
            q1, q2, q3 = np.percentile(values, [25, 50, 75])
            row["words"] = (f"{len(values)} schools: from {values.min():.2f} to "
                            f"{values.max():.2f}, middle half {q1:.2f} to {q3:.2f}, median "
                            f"{q2:.2f}")
        else:
            row["words"] = "no school's mean is shown"
        rows.append(row)
    return rows

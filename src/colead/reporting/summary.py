"""The schools at a glance, for the district report: how the schools' means spread on each
scale, the schools that stand out, and one sortable row per school.

Its size grows with the schools only through the table (one short row each); the charts are
binned, so they are the same size at 10 schools or 10,000. Every value is a shown (not
suppressed) result of :func:`colead.aggregate`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from colead.reporting.charts import histogram_rows
from colead.reporting.format import fmt
from colead.reporting.prepare import Prepared

__all__ = ["schools_summary"]

#: Schools named per scale and direction among those that stand out.
STAND_OUT = 5


def schools_summary(prep: Prepared, district: dict[str, Any],
                    links: dict[Any, str]) -> dict[str, Any]:
    """``links``: group -> href of its section or file (a group without one is not linked)."""
    titles, by = prep.titles, prep.by
    table = prep.table
    shown = table[~table["suppressed"].astype(bool)] if len(table) else table
    reference = {s: float(district["means"][s][0]) for s in titles}
    scales = prep.inst.scale_list
    bounds = (float(scales[0].min or 0), float(scales[0].max or 1)) if scales else (0.0, 1.0)
    return {
        "histograms": histogram_rows(shown[["scale", "mean"]], titles, reference, bounds),
        "low": f"{bounds[0]:g}", "high": f"{bounds[1]:g}",
        "stand_out": _stand_out(shown, titles, reference, prep, links),
        "table": _table(prep, links),
        "columns": list(titles.values()),
        "bench_columns": ([f"{t}: {'Rasch score' if prep.bench.kind == 'rasch' else 'score'}"
                           for t in titles.values()] if prep.bench is not None else []),
        "by": by,
    }


def _stand_out(shown: pd.DataFrame, titles: dict[str, str], reference: dict[str, float],
               prep: Prepared, links: dict[Any, str]) -> list[dict[str, Any]]:
    """Per scale, up to :data:`STAND_OUT` schools whose whole 95% interval lies above the
    district mean, and as many below, the farthest first."""
    out: list[dict[str, Any]] = []
    by = prep.by
    for scale, title in titles.items():
        mine = shown[shown["scale"] == scale]
        ref = reference[scale]
        if not np.isfinite(ref) or not len(mine):
            out.append({"scale": title, "above": [], "below": []})
            continue
        mine = mine.assign(gap=mine["mean"].astype(float) - ref)
        above = mine[mine["ci_low"].astype(float) > ref].nlargest(STAND_OUT, "gap")
        below = mine[mine["ci_high"].astype(float) < ref].nsmallest(STAND_OUT, "gap")
        out.append({"scale": title,
                    "above": [_named(g, m, prep, links) for g, m in zip(above[by], above["mean"],
                                                                       strict=True)],
                    "below": [_named(g, m, prep, links) for g, m in zip(below[by], below["mean"],
                                                                       strict=True)]})
    return out


def _named(group: Any, mean: float, prep: Prepared, links: dict[Any, str]) -> dict[str, str]:
    return {"name": prep.labels[group], "href": links.get(group, ""), "mean": fmt(mean)}


def _table(prep: Prepared, links: dict[Any, str]) -> list[dict[str, Any]]:
    """One row per school: its respondents and each scale's mean (or why it is not shown),
    with a sort key per cell."""
    titles, by, min_n = prep.titles, prep.by, prep.min_n
    table = prep.table
    if not len(table):
        return []
    wide = table.pivot(index=by, columns="scale", values="mean").reindex(
        index=prep.groups, columns=list(titles))
    hidden = table.pivot(index=by, columns="scale", values="suppressed").reindex(
        index=prep.groups, columns=list(titles)).fillna(True).astype(bool)
    rate = table.groupby(by, sort=False)["response_rate"].first().reindex(prep.groups)
    values, masks = wide.to_numpy(dtype=float), hidden.to_numpy()
    bench = prep.bench
    if bench is not None:
        from colead.reporting.benchmarks_view import school_cells
    rows = []
    for i, group in enumerate(prep.groups):
        n = prep.sizes.get(group, 0)
        small = n < min_n
        cells = [("", "") if masks[i, j] or not np.isfinite(values[i, j])
                 else (f"{values[i, j]:.2f}", f"{values[i, j]:.4f}")
                 for j in range(len(titles))]
        rows.append({"name": prep.labels[group], "href": links.get(group, ""),
                     "n": "" if small else str(n), "small": small,
                     "rate": "" if small or pd.isna(rate.iloc[i]) else
                     f"{100 * float(rate.iloc[i]):.0f}%",
                     "cells": cells,
                     "bench": (school_cells(bench, prep.position[group])
                               if bench is not None else [])})
    return rows

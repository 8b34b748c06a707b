"""Plots of decision influence: the stakeholder x zone heatmap, a school's profile against
the district, and Ni-style supportive / inhibiting estimates by zone.

Suppressed cells (fewer than ``min_n`` answers) are drawn as suppressed, never as numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead._style import (
    OKABE_ITO,
    SEQUENTIAL_CMAP,
    SUPPRESSED_COLOUR,
    SUPPRESSED_MARK,
    get_axes,
    relation_colours,
)
from colead._validation import check_option
from colead.decisions.result import MATRIX_STATS, InfluenceResult
from colead.exceptions import InvalidParameterError
from colead.privacy import check_min_n

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_influence_heatmap", "plot_influence_profile", "plot_influence_relations"]

_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")


def _label(text: Any) -> str:
    return str(text).replace("_", " ")


def plot_influence_heatmap(
    data: InfluenceResult | pd.DataFrame,
    *,
    stat: str = "mean",
    min_n: int = 5,
    ax: Axes | None = None,
    annotate: bool = True,
    cmap: str = SEQUENTIAL_CMAP,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    title: str | None = None,
) -> Axes:
    """Stakeholders x zones as a heatmap with the value printed in each cell.

    Parameters
    ----------
    data : InfluenceResult or DataFrame
        A result (its ``matrix(stat=stat, min_n=min_n)`` is drawn) or a stakeholders x zones
        matrix as ``InfluenceResult.matrix`` returns it (NaN cells are drawn as suppressed).
    stat : {'mean', 'median', 'pct_major', 'sd', 'n'}, default 'mean'
    min_n : int, default 5
    ax : Axes, optional
    annotate : bool, default True
        Print the values (2 decimals; whole percentages for ``pct_major``).
    cmap : str, default colead's colour-blind-safe sequential map
    vmin, vmax : float, optional
        The one colour scale; by default the response scale's bounds for means and medians
        of a result, 0-100 for ``pct_major``, else the data's range.
    colorbar : bool, default True
    title : str, optional

    Returns
    -------
    Axes
        One image and one text per asked cell: the value, or the suppression mark.
    """
    check_option(stat, "stat", "plot_influence_heatmap", MATRIX_STATS)
    asked = None
    if isinstance(data, InfluenceResult):
        matrix = data.matrix(stat=stat, min_n=min_n)  # type: ignore[arg-type]
        asked = pd.DataFrame(data.asked, index=matrix.index, columns=matrix.columns)
        if stat in ("mean", "median"):
            vmin = float(data.scale.min) if vmin is None else vmin  # type: ignore[arg-type]
            vmax = float(data.scale.max) if vmax is None else vmax  # type: ignore[arg-type]
    elif isinstance(data, pd.DataFrame):
        matrix = data
    else:
        raise InvalidParameterError(
            "plot_influence_heatmap needs an InfluenceResult or a stakeholders x zones "
            f"DataFrame; got {type(data).__name__}."
        )
    if stat == "pct_major":
        vmin, vmax = (0.0 if vmin is None else vmin), (100.0 if vmax is None else vmax)
    values = matrix.to_numpy(dtype=float)
    known = np.ones(values.shape, dtype=bool) if asked is None else asked.to_numpy()
    ax = get_axes(ax, figsize=(1.1 * values.shape[1] + 2.5, 0.5 * values.shape[0] + 1.5))
    import matplotlib as mpl

    colours = mpl.colormaps[cmap].with_extremes(bad=SUPPRESSED_COLOUR)
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=colours, vmin=vmin, vmax=vmax, aspect="auto"
    )
    norm = image.norm
    fmt = "{:.0f}" if stat in ("pct_major", "n") else "{:.2f}"
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            if not known[i, j]:
                continue
            v = values[i, j]
            if np.isnan(v):
                ax.text(
                    j, i, SUPPRESSED_MARK, ha="center", va="center", fontsize=7, color="#404040"
                )
            elif annotate:
                dark = colours(norm(v))[:3]
                light = sum(dark) / 3 > 0.5
                ax.text(
                    j,
                    i,
                    fmt.format(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="black" if light else "white",
                )
    ax.set_xticks(
        range(values.shape[1]), [_label(c) for c in matrix.columns], rotation=30, ha="right"
    )
    ax.set_yticks(range(values.shape[0]), [_label(r) for r in _row_labels(matrix.index)])
    ax.set_xlabel("decision zone")
    ax.set_ylabel("stakeholder")
    if colorbar:
        ax.figure.colorbar(image, ax=ax, label=stat.replace("_", " "))
    if title:
        ax.set_title(title)
    return ax


def _row_labels(index: pd.Index) -> list[str]:
    if isinstance(index, pd.MultiIndex):
        return [" / ".join(str(part) for part in row) for row in index]
    return [str(r) for r in index]


def plot_influence_profile(
    result: InfluenceResult,
    school: Any,
    *,
    by: str = "school_id",
    zone: str | None = None,
    min_n: int = 5,
    ax: Axes | None = None,
) -> Axes:
    """One school's mean influence of each stakeholder against the whole district's.

    Parameters
    ----------
    result : InfluenceResult
    school : the group value of the school (``"S01"``)
    by : str, default "school_id"
    zone : str, optional
        One zone; by default every zone together (the mean of all answers about the
        stakeholder).
    min_n : int, default 5
        A school stakeholder resting on fewer respondents is drawn as suppressed.
    ax : Axes, optional

    Returns
    -------
    Axes
        Two marker series (school, district), the connecting segments and one suppression
        mark per suppressed stakeholder.
    """
    f = "plot_influence_profile"
    if not isinstance(result, InfluenceResult):
        raise InvalidParameterError(f"{f} needs an InfluenceResult; got {type(result).__name__}.")
    min_n = check_min_n(min_n, f)
    if by not in result.respondents.columns:
        raise InvalidParameterError(f"The 'by' parameter of {f} names {by!r}, not a column.")
    if zone is not None:
        check_option(zone, "zone", f, result.zones)
    long = result.long.assign(group=result.respondents[by].to_numpy()[result._rows])
    if school not in set(long["group"]):
        raise InvalidParameterError(f"{f}: no answers from {by} {school!r}.")
    if zone is not None:
        long = long[long["zone"] == zone]
    mine = long[long["group"] == school]

    def profile(frame: pd.DataFrame) -> pd.DataFrame:
        grouped = frame.groupby("stakeholder", observed=False)
        table = pd.DataFrame(
            {"mean": grouped["value"].mean(), "n": grouped["respondent_id"].nunique()}
        )
        table.loc[table["n"] < min_n, "mean"] = np.nan
        return table

    district, own = profile(long), profile(mine)
    y = np.arange(len(result.stakeholders))[::-1]
    ax = get_axes(ax, figsize=(6.4, 0.45 * len(y) + 1.5))
    shown = ~np.isnan(own["mean"].to_numpy()) & ~np.isnan(district["mean"].to_numpy())
    ax.hlines(
        y[shown],
        district["mean"].to_numpy()[shown],
        own["mean"].to_numpy()[shown],
        color="#bdbdbd",
        linewidth=2,
        zorder=1,
    )
    ax.plot(
        district["mean"].to_numpy(),
        y,
        linestyle="none",
        marker="o",
        markersize=8,
        markerfacecolor="white",
        markeredgecolor="#595959",
        label="district",
        zorder=2,
    )
    ax.plot(
        own["mean"].to_numpy(),
        y,
        linestyle="none",
        marker="o",
        markersize=8,
        color=OKABE_ITO[4],
        label=str(school),
        zorder=3,
    )
    low, high = float(result.scale.min), float(result.scale.max)  # type: ignore[arg-type]
    for yi, hidden in zip(y, np.isnan(own["mean"].to_numpy()), strict=True):
        if hidden:
            ax.text(high, yi, SUPPRESSED_MARK, ha="right", va="center", fontsize=8, color="#404040")
    ax.set_yticks(y, [_label(s) for s in result.stakeholders])
    ax.set_xlim(low - 0.1, high + 0.1)
    ax.set_xlabel("mean influence" + (f" ({_label(zone)})" if zone else " (all zones)"))
    ax.legend(loc="lower left", frameon=False, fontsize=8)
    return ax


def plot_influence_relations(
    table: pd.DataFrame,
    *,
    standardized: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Estimates with intervals by zone, coloured by relation (supportive / inhibiting /
    none), one marker shape per stakeholder.

    Parameters
    ----------
    table : DataFrame
        As :func:`colead.influence_relations` returns it.
    standardized : bool, default False
        Draw ``std_estimate``, with the interval scaled by the same factor.
    ax : Axes, optional

    Returns
    -------
    Axes
        One error-bar series per stakeholder and relation present, a zero line and two
        legends. Suppressed rows are not drawn.
    """
    f = "plot_influence_relations"
    needed = {"zone", "stakeholder", "estimate", "ci_low", "ci_high", "relation", "std_estimate"}
    if not isinstance(table, pd.DataFrame) or not needed <= set(table.columns):
        raise InvalidParameterError(f"{f} needs the table of colead.influence_relations.")
    zones = list(
        table["zone"].cat.categories
        if isinstance(table["zone"].dtype, pd.CategoricalDtype)
        else dict.fromkeys(table["zone"])
    )
    zones = [z for z in zones if z in set(table["zone"])]
    people = [
        s
        for s in (
            table["stakeholder"].cat.categories
            if isinstance(table["stakeholder"].dtype, pd.CategoricalDtype)
            else dict.fromkeys(table["stakeholder"])
        )
        if s in set(table["stakeholder"])
    ]
    shown = table[table["estimate"].notna()].copy()
    est = shown["estimate"].to_numpy(dtype=float)
    factor = shown["std_estimate"].to_numpy(dtype=float) / est if standardized else 1.0
    shown["y"] = est * factor
    shown["low"] = shown["ci_low"].to_numpy(dtype=float) * factor
    shown["high"] = shown["ci_high"].to_numpy(dtype=float) * factor
    width = 0.8 / max(1, len(people))
    ax = get_axes(ax, figsize=(max(6.4, 1.1 * len(zones) + 1.5), 4.2))
    colours = relation_colours()
    ax.axhline(0, color="#7f7f7f", linewidth=0.8, zorder=0)
    for k, person in enumerate(people):
        mine = shown[shown["stakeholder"] == person]
        for relation, colour in colours.items():
            part = mine[mine["relation"] == relation]
            if part.empty:
                continue
            x = np.array([zones.index(z) for z in part["zone"]]) - 0.4 + (k + 0.5) * width
            ax.errorbar(
                x,
                part["y"],
                yerr=[part["y"] - part["low"], part["high"] - part["y"]],
                fmt=_MARKERS[k % len(_MARKERS)],
                color=colour,
                markersize=5,
                elinewidth=1.2,
                capsize=0,
                linestyle="none",
            )
    from matplotlib.lines import Line2D

    relation_handles = [
        Line2D([], [], color=c, marker="o", linestyle="none", label=r) for r, c in colours.items()
    ]
    people_handles = [
        Line2D(
            [],
            [],
            color="#404040",
            marker=_MARKERS[k % len(_MARKERS)],
            linestyle="none",
            label=_label(p),
        )
        for k, p in enumerate(people)
    ]
    first = ax.legend(
        handles=relation_handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=7,
        frameon=False,
        title="relation",
        title_fontsize=7,
    )
    ax.add_artist(first)
    ax.legend(
        handles=people_handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 0.6),
        fontsize=7,
        frameon=False,
        title="stakeholder",
        title_fontsize=7,
    )
    ax.set_xticks(range(len(zones)), [_label(z) for z in zones], rotation=30, ha="right")
    ax.set_xlim(-0.5, len(zones) - 0.5)
    ax.set_ylabel("standardized estimate" if standardized else "estimate")
    ax.set_xlabel("decision zone")
    return ax

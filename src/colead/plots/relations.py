"""Plots of relations between scales: a correlation heatmap (two levels in one square) and the
estimates of a :class:`~colead.relate.results.ModelResult` with their intervals.

School-level correlations reach these plots only through :func:`colead.correlate`, which uses
suppressed school means; nothing here sees a school under ``min_n``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.plots._style import OKABE_ITO, get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from colead.relate.results import ModelResult

__all__ = ["plot_coefficients", "plot_effects", "plot_relations"]

_DIVERGING_CMAP = "PuOr_r"  # colour-blind safe, centred at 0
_EFFECT_COLOURS = {
    "direct": OKABE_ITO[4],
    "indirect": OKABE_ITO[5],
    "specific": OKABE_ITO[0],
    "total": "#000000",
}


def _label(text: Any) -> str:
    return str(text).replace("_", " ")


def plot_relations(
    pairs: pd.DataFrame,
    *,
    value: str = "r",
    ax: Axes | None = None,
    annotate: bool = True,
    colorbar: bool = True,
    title: str | None = None,
) -> Axes:
    """A correlation table from :func:`colead.correlate` as a heatmap.

    With one level the matrix is symmetric. With two levels (for instance ``level=["school",
    "within"]``) the first level fills the upper triangle and the second the lower one, the
    usual layout of a two-level correlation table; the levels are named on the axes.

    Parameters
    ----------
    pairs : DataFrame
        As :func:`colead.correlate` returns it.
    value : str, default "r"
        Column to draw (``"r_disattenuated"`` after disattenuation).
    ax : Axes, optional
    annotate : bool, default True
        Print each value (2 decimals) in its cell.
    colorbar : bool, default True
    title : str, optional

    Returns
    -------
    Axes
        One image; with ``annotate``, one text per off-diagonal cell with a value.
    """
    from colead.relate._correlation import matrix

    if not isinstance(pairs, pd.DataFrame) or value not in pairs.columns:
        raise InvalidParameterError(
            f"plot_relations needs a correlate() table with a {value!r} column."
        )
    levels = list(dict.fromkeys(pairs["level"])) if "level" in pairs.columns else [None]
    if len(levels) > 2:
        raise InvalidParameterError(
            f"plot_relations draws one or two levels in a square; got {levels}."
        )
    upper = matrix(pairs, value, levels[0])
    names = list(upper.index)
    grid = upper.to_numpy(dtype=float).copy()
    if len(levels) == 2:
        lower = matrix(pairs, value, levels[1]).reindex(
            index=names, columns=names
        )
        below = np.tril_indices(len(names), -1)
        grid[below] = lower.to_numpy(dtype=float)[below]
    np.fill_diagonal(grid, np.nan)
    ax = get_axes(ax, figsize=(1.0 + 0.7 * len(names), 0.8 + 0.6 * len(names)))
    image = ax.imshow(np.ma.masked_invalid(grid), cmap=_DIVERGING_CMAP, vmin=-1, vmax=1)
    ticks = range(len(names))
    ax.set_xticks(list(ticks), [_label(n) for n in names], rotation=45, ha="right")
    ax.set_yticks(list(ticks), [_label(n) for n in names])
    if annotate:
        for i in ticks:
            for j in ticks:
                if i != j and np.isfinite(grid[i, j]):
                    ax.text(
                        j,
                        i,
                        f"{grid[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if abs(grid[i, j]) > 0.6 else "black",
                    )
    if colorbar:
        ax.figure.colorbar(image, ax=ax, shrink=0.8, label=_label(value))
    if len(levels) == 2:
        ax.set_xlabel(f"above the diagonal: {levels[0]}; below: {levels[1]}")
    elif levels[0] is not None:
        ax.set_xlabel(f"level: {levels[0]}")
    if title:
        ax.set_title(title)
    return ax


def _forest(
    ax: Axes,
    labels: list[str],
    estimate: np.ndarray,
    low: np.ndarray | None,
    high: np.ndarray | None,
    colours: list[str],
) -> None:
    y = np.arange(len(labels))[::-1]
    if low is not None and high is not None:
        ok = np.isfinite(low) & np.isfinite(high)
        ax.hlines(y[ok], low[ok], high[ok], colors=np.array(colours)[ok], linewidth=1.5)
    ax.scatter(estimate, y, c=colours, zorder=3, s=24)
    ax.axvline(0, color="#7f7f7f", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)


def plot_coefficients(
    result: ModelResult,
    *,
    ax: Axes | None = None,
    standardized: bool = False,
    intercept: bool = False,
    title: str | None = None,
) -> Axes:
    """Coefficients of a model with their intervals (a forest plot).

    Parameters
    ----------
    result : ModelResult
    ax : Axes, optional
    standardized : bool, default False
        Draw ``std_estimate`` (points only, since the interval is of the raw estimate).
    intercept : bool, default False
        Include the intercept.
    title : str, optional

    Returns
    -------
    Axes
        One point per coefficient, and one interval line per coefficient unless standardized.
    """
    table = result.coefficients
    if not intercept:
        table = table[table["term"] != "Intercept"]
    if table.empty:
        raise InvalidParameterError("plot_coefficients: the model has no coefficient to draw.")
    if "outcome" in table.columns:
        labels = [
            f"{_label(o)} <- {_label(t)}"
            for o, t in zip(table["outcome"], table["term"], strict=True)
        ]
    else:
        labels = [_label(t) for t in table["term"]]
    ax = get_axes(ax, figsize=(6.4, 1.0 + 0.35 * len(labels)))
    column = "std_estimate" if standardized else "estimate"
    _forest(
        ax,
        labels,
        table[column].to_numpy(dtype=float),
        None if standardized else table["ci_low"].to_numpy(dtype=float),
        None if standardized else table["ci_high"].to_numpy(dtype=float),
        [OKABE_ITO[4]] * len(labels),
    )
    ax.set_xlabel("standardized estimate" if standardized else "estimate (interval)")
    if title:
        ax.set_title(title)
    return ax


def plot_effects(
    result: ModelResult,
    *,
    ax: Axes | None = None,
    standardized: bool = False,
    outcome: str | None = None,
    title: str | None = None,
) -> Axes:
    """Direct, indirect and total effects of a path or mediation model with their bootstrap
    intervals, coloured by kind of effect.

    Parameters
    ----------
    result : ModelResult
        From :func:`colead.path` or :func:`colead.mediate`.
    ax : Axes, optional
    standardized : bool, default False
        Draw ``std_estimate`` (points only).
    outcome : str, optional
        Only the effects on this outcome (default: on the last outcome of the model).
    title : str, optional

    Returns
    -------
    Axes
        One point per effect and one interval line per effect with a bootstrap interval.
    """
    if result.effects is None:
        raise InvalidParameterError("plot_effects needs a path or mediation result.")
    table = result.effects
    chosen = table["outcome"].iloc[-1] if outcome is None else outcome
    table = table[table["outcome"] == chosen]
    if table.empty:
        raise InvalidParameterError(
            f"plot_effects: no effects on {chosen!r}; outcomes: "
            f"{list(dict.fromkeys(result.effects['outcome']))}."
        )
    labels = [
        f"{e}: {_label(p)}" if not route else f"{e}: {_label(route)}"
        for e, p, route in zip(table["effect"], table["predictor"], table["path"], strict=True)
    ]
    colours = [_EFFECT_COLOURS.get(e, "#7f7f7f") for e in table["effect"]]
    ax = get_axes(ax, figsize=(7.0, 1.0 + 0.35 * len(labels)))
    column = "std_estimate" if standardized else "estimate"
    _forest(
        ax,
        labels,
        table[column].to_numpy(dtype=float),
        None if standardized else table["ci_low"].to_numpy(dtype=float),
        None if standardized else table["ci_high"].to_numpy(dtype=float),
        colours,
    )
    ax.set_xlabel(f"effect on {_label(chosen)}" + (" (standardized)" if standardized else ""))
    if title:
        ax.set_title(title)
    return ax

"""Plots of relations between scales: a correlation heatmap (two levels in one square).

The estimates of a model (``plot_coefficients``, ``plot_effects``) are drawn by
:mod:`colead.relate._plots`, beside the result that draws itself.

School-level correlations reach these plots only through :func:`colead.correlate`, which uses
suppressed school means; nothing here sees a school under ``min_n``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead._style import get_axes
from colead.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_relations"]

_DIVERGING_CMAP = "PuOr_r"  # colour-blind safe, centred at 0


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

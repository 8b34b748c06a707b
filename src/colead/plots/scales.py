"""Plots of scale scores and item answers: Likert bars, a school's profile, agreement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead._style import DIVERGING, OKABE_ITO, SUPPRESSED_COLOUR, SUPPRESSED_MARK, get_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["likert_shares", "plot_agreement", "plot_likert", "plot_scale_profile"]


def likert_shares(items: pd.DataFrame, values: Sequence[float]) -> pd.DataFrame:
    """Share of the answers of each item at each scale point (rows: items; NaN ignored)."""
    answers = items.to_numpy(dtype=float)
    points = np.asarray(list(values), dtype=float)
    hits = (answers[:, :, None] == points).sum(axis=0)  # items x points, in one pass
    counts = pd.DataFrame(hits, index=items.columns, columns=list(values))
    totals = counts.sum(axis=1).replace(0, np.nan)
    return counts.div(totals, axis=0)


def plot_likert(
    shares: pd.DataFrame,
    labels: Mapping[float, str] | None = None,
    *,
    item_labels: Mapping[str, str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Diverging stacked bars of answer shares, one bar per item, centred on the scale's middle.

    Parameters
    ----------
    shares : DataFrame
        Rows are items, columns the scale points in order, values shares summing to 1 (see
        :func:`likert_shares`). A row of NaN (a suppressed item) is drawn as a grey
        "n<min" bar.
    labels : mapping, optional
        Scale point -> label for the legend.
    item_labels : mapping, optional
        Item id -> text for the y axis.
    """
    ax = get_axes(ax, figsize=(7.5, 0.45 * len(shares) + 1.4))
    points = list(shares.columns)
    k = len(points)
    colours = _diverging(k)
    middle = k / 2
    y = np.arange(len(shares))[::-1]
    lower_half = shares.iloc[:, : int(np.floor(middle))].sum(axis=1)
    centre_share = shares.iloc[:, int(middle)] / 2 if k % 2 else 0.0
    left = -(lower_half + centre_share).to_numpy()
    point_names: dict[Any, str] = dict(labels or {})
    for j, point in enumerate(points):
        width = shares[point].to_numpy()
        ax.barh(y, np.nan_to_num(width), left=np.nan_to_num(left), color=colours[j],
                edgecolor="white", height=0.7, label=point_names.get(point, f"{point:g}"))
        left = left + np.nan_to_num(width)
    hidden = shares.isna().all(axis=1).to_numpy()
    for yi in y[hidden]:
        ax.barh(yi, 1.0, left=-0.5, color=SUPPRESSED_COLOUR, height=0.7)
        ax.text(0, yi, SUPPRESSED_MARK, ha="center", va="center", fontsize=8)
    ax.axvline(0, color="#333333", linewidth=0.8)
    names = [(item_labels or {}).get(i, str(i)) for i in shares.index]
    ax.set_yticks(y, [_wrap(n) for n in names], fontsize=8)
    ax.set_xlim(-1, 1)
    ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["100%", "50%", "0", "50%", "100%"])
    ax.set_xlabel("Share of answers (left: lower half of the scale, right: upper half)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=min(k, 6), fontsize=7,
              frameon=False)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_scale_profile(
    table: pd.DataFrame,
    *,
    reference: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    bounds: tuple[float, float] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """A group's scale means with intervals, beside a reference (the district).

    Parameters
    ----------
    table : DataFrame
        One row per scale with ``scale, mean, ci_low, ci_high`` and ``suppressed`` (as
        :func:`colead.aggregate` returns for one group). Suppressed scales are drawn as a grey
        "n<min" mark, without a number.
    reference : DataFrame, optional
        ``scale, mean`` of the reference, drawn as open diamonds.
    """
    ax = get_axes(ax, figsize=(7.0, 0.45 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    shown = ~table["suppressed"].fillna(False).astype(bool).to_numpy()
    mean = table["mean"].to_numpy(dtype=float)
    low, high = table["ci_low"].to_numpy(dtype=float), table["ci_high"].to_numpy(dtype=float)
    ax.errorbar(mean[shown], y[shown], xerr=[mean[shown] - low[shown], high[shown] - mean[shown]],
                fmt="o", color=OKABE_ITO[4], ecolor=OKABE_ITO[4], capsize=3, label="this school")
    if reference is not None:
        ref = reference.set_index("scale")["mean"].reindex(table["scale"]).to_numpy(dtype=float)
        ax.plot(ref, y, "D", mfc="none", color=OKABE_ITO[5], label="district")
    if bounds is not None:
        ax.set_xlim(bounds[0] - 0.2, bounds[1] + 0.2)
    left = ax.get_xlim()[0]
    for yi in y[~shown]:
        ax.text(left + 0.05, yi, SUPPRESSED_MARK, va="center", fontsize=8, color="#555555")
    ax.set_yticks(y, [_wrap((labels or {}).get(s, s)) for s in table["scale"]], fontsize=8)
    ax.set_xlabel("Scale mean (with its 95% interval)")
    ax.grid(axis="x", color="#e0e0e0")
    ax.legend(fontsize=8, loc="lower right")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def plot_agreement(
    table: pd.DataFrame,
    *,
    value: str = "rwg_j",
    group: str = "school_id",
    cutoff: float = 0.70,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Within-group agreement of every group on every scale, with the conventional cut-off.

    ``table`` is :func:`colead.aggregate`'s output (``scale``, ``group``, ``value``,
    ``suppressed``): one row of dots per scale, one dot per group; suppressed groups are not
    drawn. The dashed line marks ``cutoff``.
    """
    scales = list(dict.fromkeys(table["scale"]))
    ax = get_axes(ax, figsize=(7.0, 0.45 * len(scales) + 1.2))
    shown = table[~table["suppressed"].fillna(False).astype(bool)]
    for i, scale in enumerate(scales):
        part = shown.loc[shown["scale"] == scale, value].to_numpy(dtype=float)
        jitter = np.linspace(-0.15, 0.15, len(part)) if len(part) > 1 else np.zeros(len(part))
        ax.scatter(part, np.full(len(part), len(scales) - 1 - i) + jitter, s=14,
                   color=np.where(part >= cutoff, OKABE_ITO[2], OKABE_ITO[5]))
    ax.axvline(cutoff, color="#333333", linestyle="--", linewidth=0.8)
    ax.set_yticks(np.arange(len(scales))[::-1], [_wrap(s) for s in scales], fontsize=8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel(f"{value} per {group} (dashed: {cutoff:.2f})")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _diverging(k: int) -> list[str]:
    """k colours from the diverging palette, symmetric around its middle."""
    index = np.round(np.linspace(0, len(DIVERGING) - 1, k)).astype(int)
    return [DIVERGING[i] for i in index]


def _wrap(text: str, width: int = 38) -> str:
    words, lines, line = str(text).replace("_", " ").split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3])

"""Shared look of colead's plots: the palette, axes creation and the suppression mark."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Okabe & Ito's colour-blind-safe palette (Color Universal Design).
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
             "#000000")
#: Diverging colours for ordered response categories (low -> high), colour-blind safe
#: (ColorBrewer PuOr-like, distinguishable in deuteranopia and protanopia).
DIVERGING = ("#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788")
#: Sequential colour map for heatmaps (perceptually uniform, colour-blind safe).
SEQUENTIAL_CMAP = "cividis"
#: What a plot shows in place of a suppressed value.
SUPPRESSED_MARK = "n<min"
SUPPRESSED_COLOUR = "#d9d9d9"


def get_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (6.4, 4.0)) -> Axes:
    """``ax`` itself, or the axes of a new figure (matplotlib imported here, lazily)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=figsize)
    return new


def relation_colours() -> dict[str, Any]:
    """Colours of the supportive / inhibiting / none relation labels."""
    return {"supportive": OKABE_ITO[4], "inhibiting": OKABE_ITO[5], "none": "#7f7f7f"}

"""Figures for the report: drawn with colead.plots, embedded as PNG data URIs with alt text."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

DPI = 110


@dataclass(frozen=True)
class Figure:
    """An embedded figure: the data URI of its PNG and the text that describes it."""

    uri: str
    alt: str
    caption: str


def render(draw: Callable[[Any], Any], *, size: tuple[float, float], alt: str,
           caption: str) -> Figure:
    """Draw on a fresh Agg figure of ``size`` inches and embed it; the figure is closed."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=size, layout="constrained")
    FigureCanvasAgg(figure)
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Figure(uri=uri, alt=alt, caption=caption)

"""Figures drawn with colead.plots for the report, embedded once as SVG with alt text.

SVG keeps text as text (``svg.fonttype = none``): sharp on paper, small, and readable at any
width. No section uses a matplotlib figure today (the report's charts are drawn in HTML,
:mod:`colead.reporting.charts`); a section that needs one calls :func:`render` once for the
district, never once per school.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Figure:
    """An embedded figure: the data URI of its SVG and the text that describes it."""

    uri: str
    alt: str
    caption: str


def render(draw: Callable[[Any], Any], *, size: tuple[float, float], alt: str,
           caption: str) -> Figure:
    """Draw on a fresh figure of ``size`` inches and embed it as SVG; the figure is closed."""
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure as MplFigure

    figure = MplFigure(figsize=size, layout="constrained")
    FigureCanvasSVG(figure)
    draw(figure.add_subplot())
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "colead"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return Figure(uri=uri, alt=alt, caption=caption)

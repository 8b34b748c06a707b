"""The HTML report for a school team (``colead report``, :func:`colead.report`)."""

from colead.reporting.build import report

__all__ = ["report"]

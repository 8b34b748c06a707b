"""Shortening text for messages and comments; a summary as HTML."""

from __future__ import annotations

ELLIPSIS = "\u2026"


def shorten(text: str, width: int = 60) -> str:
    """``text`` on one line, at most ``width`` characters: cut at the last word boundary that
    fits, with an ellipsis, never in the middle of a word (a single word longer than
    ``width`` is cut)."""
    flat = " ".join(str(text).split())
    if len(flat) <= width:
        return flat
    room = flat[: max(width - 1, 1) + 1]
    cut = room.rfind(" ")
    head = room[:cut] if cut > 0 else room[: max(width - 1, 1)]
    return head.rstrip(" ,;:.-") + ELLIPSIS


def summary_html(summary: str) -> str:
    """A result's ``summary()`` text as HTML for Jupyter: its first line in bold, the others
    as a list, every line escaped."""
    from html import escape

    head, *lines = summary.splitlines()
    items = "".join(f"<li>{escape(line.strip())}</li>" for line in lines)
    return f"<div><strong>{escape(head)}</strong><ul>{items}</ul></div>"

"""The library's messages in the app's words: the advice names the app's forms rather than
Python keywords, and no message names the private folder (a file is named by the name it was
uploaded with)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from colead.exceptions import ColeadError, InstrumentError, ResponseDataError

# The library's advice names Python keywords; the app's pages and API name their own forms.
_WORDING = (
    (r"map it with mapping=, or read a subset with items=",
     "choose its column under 'Match the columns' (or give a mapping)"),
    (r"Map the columns with mapping= \(colead validate --write-mapping drafts one\)",
     "Match the columns by hand (or give a mapping)"),
    (r"; say which with mapping=", "; say which under 'Match the columns'"),
    (r"with mapping=", "with a mapping"),
    (r"; pass school=None to read without schools",
     "; choose the column that holds the school under 'Match the columns'"),
    (r"Use min_n >= (\d+), or pass allow_small_groups=True\.", r"Use \1 or more."),
    (r"The 'min_n' parameter of \w+", "The smallest group (min_n)"),
    (r"The '(\w+)' parameter of \w+", r"The \1 field"),
)



# -- messages --------------------------------------------------------------------------------
def wording(text: str, folder: Path | None = None) -> str:
    """A library message in the app's words, without the private folder's path (a file is
    named by the name it was uploaded with)."""
    if folder is not None:
        text = re.sub(re.escape(str(folder)) + r"[\\/](?:[^\\/\s]+[\\/])?", "", text)
    for pattern, replacement in _WORDING:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.splitlines())


def describe_error(exc: ColeadError, folder: Path | None = None
                   ) -> tuple[str, list[dict[str, Any]]]:
    """The headline and the problems of an error, as the API returns them: every problem as
    ``{row, column, value, reason}`` (``row`` the spreadsheet row, None for a whole column or
    file). Values are what the library's message quotes (masked and cut short,
    :func:`colead.privacy.quote_cell`), never a whole cell."""
    if isinstance(exc, ResponseDataError):
        problems = [
            {
                "row": _whole_or_none(r["row"]),
                "column": None if _missing(r["column"]) else str(r["column"]),
                "value": None if _missing(r["value"]) else str(r["value"]),
                "reason": wording(str(r["reason"]), folder),
            }
            for r in exc.problems.to_dict("records")
        ]
        head = str(exc).splitlines()[0].rstrip(":")
    elif isinstance(exc, InstrumentError):
        problems = [{"row": None, "column": None, "value": None,
                     "reason": wording(str(p), folder)} for p in exc.problems]
        head = str(exc).splitlines()[0].rstrip(":")
    else:
        head = wording(str(exc), folder)
        problems = [{"row": None, "column": None, "value": None, "reason": head}]
    return wording(head, folder), problems


def shown_lines(exc: ColeadError, folder: Path | None = None) -> list[str]:
    """The lines a page shows for an error: those ``colead`` prints (the first 20 problems,
    then the rest counted by kind), naming the file as the command line does."""
    lines = exc.shown_lines()
    if isinstance(exc, ResponseDataError) and exc.names_a_file:
        lines = [f"{exc.context}: {line}" for line in lines]
    return [wording(line, folder) for line in lines]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _whole_or_none(value: Any) -> int | None:
    return None if _missing(value) else int(value)

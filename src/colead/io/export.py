"""A platform export as its platform lays it out, before any instrument is applied: the
:class:`Export` every platform reader builds (:func:`build`), with its answer, metadata and
personal columns and the rows the platform itself says are not real, finished responses
(previews, tests, spam, incomplete). :func:`colead.io.read_export` reads one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Literal

import numpy as np
import pandas as pd

from colead.exceptions import ResponseDataError
from colead.io._raw import RawTable

__all__ = ["PLATFORM_NAMES", "Column", "ColumnKind", "Export", "build"]

ColumnKind = Literal["answer", "meta", "personal"]

#: Platforms read_export knows, in the order detection tries them.
PLATFORM_NAMES = (
    "qualtrics",
    "redcap",
    "limesurvey",
    "microsoft_forms",
    "surveymonkey",
    "google_forms",
    "generic",
)

#: Reasons a platform gives for leaving a row out. Preview, test and spam rows are never
#: respondents; incomplete rows are kept only on request.
EXCLUDE_REASONS = ("preview", "test", "spam", "incomplete")


@dataclass(frozen=True)
class Column:
    """One column of an export.

    ``name`` is the column's header (a Qualtrics export tag, a LimeSurvey code, a REDCap
    variable, or the question title where a platform has nothing else); ``question`` and
    ``row`` split a grid column into its question and its row (statement, sub-question,
    option), ``row`` being empty for a plain question; ``text`` is the full question text as
    exported. ``position`` is the 0-based place in the file.
    """

    position: int
    name: str
    text: str = ""
    question: str = ""
    row: str = ""
    import_id: str = ""
    kind: ColumnKind = "answer"

    @property
    def label(self) -> str:
        """How messages name the column: its header, and its place when that is ambiguous."""
        return self.name or f"column {self.position + 1}"


@dataclass(frozen=True, repr=False)
class Export:
    """An export as its platform lays it out.

    Attributes
    ----------
    platform, layout : str
        The platform (``qualtrics``, ...) and which of its layouts (``data table``,
        ``legacy``, ``insights``, ``sheets``, ...).
    columns : tuple of Column
        Every non-empty column, in file order.
    cells : DataFrame
        The data rows as text, one column per entry of ``columns`` (labelled by position);
        empty cells are ``""``.
    row_numbers : ndarray
        For each data row, the row number a spreadsheet shows for it (header rows count).
    response_ids : Series
        The platform's response id of each row (``""`` where it has none).
    exclude : Series
        ``""`` for a row to keep, else the platform's reason to leave it out
        (``preview``, ``test``, ``spam``, ``incomplete``).
    multi_separator : str
        How checkbox answers are joined (``", "`` or ``";"``), or ``""``.
    notes : tuple of str
        What the reader noticed and did (encoding, sheets, imported responses, ...).
    """

    platform: str
    layout: str
    source: str
    columns: tuple[Column, ...]
    cells: pd.DataFrame
    row_numbers: np.ndarray
    response_ids: pd.Series
    exclude: pd.Series
    multi_separator: str = ""
    negative_codes_missing: bool = False
    notes: tuple[str, ...] = ()
    incomplete_for: Callable[[Sequence[int]], pd.Series] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    def columns_of(self, kind: ColumnKind) -> list[Column]:
        return [c for c in self.columns if c.kind == kind]

    def exclusions(self, answer_positions: Sequence[int] = ()) -> pd.Series:
        """The platform's reason to leave out each row; where completeness depends on which
        columns are used (REDCap forms), it is judged for ``answer_positions``."""
        if self.incomplete_for is None or not answer_positions:
            return self.exclude
        incomplete = self.incomplete_for(answer_positions)
        return self.exclude.where(self.exclude != "", np.where(incomplete, "incomplete", ""))

    def summary(self) -> str:
        kinds = {k: len(self.columns_of(k)) for k in ("answer", "meta", "personal")}
        reasons = self.exclude[self.exclude != ""].value_counts()
        lines = [
            f"{self.source}: {self.platform} ({self.layout}), {self.n_rows} data rows",
            f"columns: {kinds['answer']} answers, {kinds['meta']} metadata, "
            f"{kinds['personal']} personal",
        ]
        lines += [f"rows the platform marks {reason}: {n}" for reason, n in reasons.items()]
        lines += list(self.notes)
        return "\n".join(lines)

    def _first_columns(self) -> tuple[list[Column], int]:
        """The first columns a preview shows, and how many more there are."""
        shown = list(self.columns[:_PREVIEW_COLUMNS])
        return shown, len(self.columns) - len(shown)

    def __repr__(self) -> str:
        # The dataclass repr would print every column and every cell (thousands of
        # characters at a prompt); a summary and the first column headers say what was read.
        shown, more = self._first_columns()
        names = ", ".join(f"{_short(c.label)} ({c.kind})" for c in shown)
        tail = f", ... ({more} more)" if more else ""
        return f"<Export {self.summary()}\nfirst columns: {names}{tail}>"

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line)}</li>" for line in self.summary().splitlines())
        shown, more = self._first_columns()
        rows = "".join(
            f"<tr><td>{c.position + 1}</td><td>{escape(_short(c.label))}</td><td>{c.kind}</td></tr>"
            for c in shown
        )
        tail = f"<p>... and {more} more columns</p>" if more else ""
        return (
            f"<div><strong>Export</strong><ul>{items}</ul><table><thead><tr><th>#</th>"
            f"<th>column</th><th>kind</th></tr></thead><tbody>{rows}</tbody></table>{tail}</div>"
        )


#: How many columns the repr of an Export lists, and how much of each header it shows.
_PREVIEW_COLUMNS = 8
_HEADER_CHARS = 40


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _HEADER_CHARS else text[: _HEADER_CHARS - 1] + "…"


def body(table: RawTable, header_rows: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The data rows below ``header_rows`` header rows, and their spreadsheet row numbers."""
    cells = table.frame.iloc[header_rows:].reset_index(drop=True)
    return cells, np.arange(header_rows + 1, header_rows + 1 + len(cells))


def build(
    table: RawTable,
    *,
    platform: str,
    layout: str,
    header_rows: int,
    columns: list[Column],
    response_ids: pd.Series | None = None,
    exclude: pd.Series | None = None,
    notes: Sequence[str] = (),
    **extra: Any,
) -> Export:
    """Assemble an Export: drop columns that are empty throughout, align the data rows."""
    cells, numbers = body(table, header_rows)
    if cells.empty and not len(cells):
        raise ResponseDataError(
            [{"reason": f"has {platform} header rows but no data rows"}], context=table.source
        )
    keep = [
        c for c in columns if c.name.strip() or c.text.strip() or (cells[c.position] != "").any()
    ]
    n = len(cells)
    ids = response_ids if response_ids is not None else pd.Series([""] * n)
    excl = exclude if exclude is not None else pd.Series([""] * n)
    return Export(
        platform=platform,
        layout=layout,
        source=table.source,
        columns=tuple(keep),
        cells=cells[[c.position for c in keep]],
        row_numbers=numbers,
        response_ids=ids.reset_index(drop=True).astype(object),
        exclude=excl.reset_index(drop=True).astype(object),
        notes=tuple(table.notes) + tuple(notes),
        **extra,
    )

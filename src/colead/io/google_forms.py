"""Google Forms exports, read and written.

The linked-Sheet CSV download: ``Timestamp`` first (``M/D/YYYY H:MM:SS``), question titles as
headers, one ``Title [Row]`` column per row of a grid question, answers as the choice text,
empty when not answered. See ../shared/reference/exports.md 1.3. A sheet whose columns were
moved (a school column put first, the timestamp moved to the end) is still recognised by its
``Timestamp`` column holding Google's timestamps (:func:`timestamp_position`).
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from typing import IO, Any

import numpy as np

from colead.io._common import format_number, joined_choices, write_rows
from colead.io._layout import questions
from colead.io._raw import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.io.generic import ID_HEADERS
from colead.io.responses import Responses
from colead.privacy import csv_safe, is_personal, normalise_header

SCHOOL_QUESTION = "School"
_START = datetime(2026, 3, 2, 7, 0, 0)


def write_google_forms(responses: Responses, path: str | os.PathLike[str] | IO[str]) -> None:
    """Write the Google Sheets download of a form's responses."""
    inst = responses.instrument
    data = responses.data
    headers, item_order = ["Timestamp", SCHOOL_QUESTION], []
    for question in questions(inst, responses.item_ids):
        for item_id, row_text in question.rows:
            headers.append(f"{question.text} [{row_text}]" if question.is_matrix else question.text)
            item_order.append(item_id)
    columns: list[Any] = []
    for item_id in item_order:
        if inst.response_scale_of(item_id).type == "multiple":  # checkboxes: ", "-joined
            columns.append(joined_choices(data, inst, item_id, labels=True, separator=", "))
            continue
        column = data[item_id].to_numpy(dtype=float)
        rs = inst.response_scale_of(item_id)
        # the scale's labels, and those of the missing answers it offers ("Don't know")
        labels: dict[float, str] = {**rs.label_map, **dict(rs.missing_options)}
        columns.append(
            [
                "" if np.isnan(x) else csv_safe(labels[x]) if labels else format_number(x)
                for x in column
            ]
        )
    rows = [[csv_safe(h) for h in headers]]
    for i, school in enumerate(data["school_id"]):
        when = _START + timedelta(minutes=17 * i, seconds=(i * 29) % 60)
        stamp = (
            f"{when.month}/{when.day}/{when.year} {when.hour}:{when.minute:02d}:{when.second:02d}"
        )
        rows.append(
            [
                stamp,
                "" if school != school else csv_safe(str(school)),
                *(column[i] for column in columns),
            ]
        )
    write_rows(path, rows)


# -- reading ---------------------------------------------------------------------------------
_GRID = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\[\]]*)\]\s*$", re.S)
# The Forms "Download responses (.csv)" writes "2022/06/22 11:07:29 AM AST"; Sheets writes
# "10/1/2024 22:17:11" in the sheet's locale.
_FORMS_STAMP = re.compile(r"^\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2}(:\d{2})? [AP]M\b")
# The Sheets locale also decides the order and separators of the date ("1.10.2024 22:17:11",
# "2024-10-01 22:17:11"), and Excel re-saves drop the seconds ("12/20/2017 10:14").
_SHEETS_STAMP = re.compile(
    r"^\d{1,4}([/.-])\d{1,2}\1\d{1,4},? \d{1,2}:\d{2}(:\d{2})?( ?[AaPp]\.? ?[Mm]\.?)?$"
)
#: The first header of a Google Forms download: "Timestamp" (a Spanish form: "Marca temporal").
TIMESTAMP_HEADERS = ("timestamp", "marcatemporal")
META = (*TIMESTAMP_HEADERS, "score")
# A plain table's respondent id: a form's download has none.
_ID_HEADERS = {normalise_header(h) for h in ID_HEADERS}


def timestamp_position(table: RawTable) -> int | None:
    """Where a Google Forms download holds its timestamp column, or None when the table is
    not one: a ``Timestamp`` header first (as every download writes it), or anywhere else
    when most of its cells are timestamps as Google writes them and no column is a plain
    table's respondent id (a moved column)."""
    keys = [normalise_header(c) for c in table.row(0)]
    if keys and keys[0] in TIMESTAMP_HEADERS:
        return 0
    if _ID_HEADERS & set(keys):
        return None
    for position, key in enumerate(keys):
        if key in TIMESTAMP_HEADERS and _look_like_stamps(table.frame.iloc[1:, position]):
            return position
    return None


def _look_like_stamps(cells: Any) -> bool:
    stamps = cells.astype(str).str.strip()
    stamps = stamps[stamps != ""]
    if not len(stamps):
        return False
    google = stamps.str.match(_FORMS_STAMP) | stamps.str.match(_SHEETS_STAMP)
    return bool(google.mean() > 0.5)


def read_google_forms(table: RawTable) -> Export:
    """Read a Google Forms export (the linked Sheet's CSV or the Forms CSV download)."""
    header = table.row(0)
    columns = []
    for position, title in enumerate(header):
        title = title.strip()
        match = _GRID.match(title)
        question, row = (match["question"].strip(), match["row"].strip()) if match else (title, "")
        key = normalise_header(title)
        kind: ColumnKind = "meta" if key in META else "personal" if is_personal(title) else "answer"
        columns.append(Column(position, title, title, question, row, "", kind))
    stamps = table.frame.iloc[1:, timestamp_position(table) or 0].astype(str)
    forms_csv = bool(len(stamps)) and stamps.str.match(_FORMS_STAMP).mean() > 0.5
    return build(
        table,
        platform="google_forms",
        layout="forms csv download" if forms_csv else "sheets download",
        header_rows=1,
        columns=columns,
        multi_separator=";" if forms_csv else ", ",
    )

"""Google Forms exports.

The linked-Sheet CSV download: ``Timestamp`` first (``M/D/YYYY H:MM:SS``), question titles as
headers, one ``Title [Row]`` column per row of a grid question, answers as the choice text,
empty when not answered. See ../shared/reference/exports.md 1.3.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import IO

import numpy as np

from colead.io._common import csv_safe, format_number, write_rows
from colead.io._layout import questions
from colead.responses import Responses

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
    columns = []
    for item_id in item_order:
        column = data[item_id].to_numpy(dtype=float)
        labels = inst.response_scale_of(item_id).label_map
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

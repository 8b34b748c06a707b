"""Qualtrics exports.

The current "Data Table" CSV has three header rows: export tags (``Q7_3`` or custom tags),
question text (``Question - Statement`` for matrix rows) and a row of ImportId JSON objects
(``{"ImportId":"QID7_3"}``; dates also carry a ``timeZone``). Seventeen metadata columns come
first; embedded data such as ``school_id`` come last. See ../shared/reference/exports.md 1.1.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta
from typing import IO, Literal

import numpy as np

from colead.io._common import csv_safe, format_number, stable_token, write_rows
from colead.io._layout import questions
from colead.responses import Responses

TIME_ZONE = "America/Chicago"

# export tag, question-text row, ImportId (with time zone for dates)
METADATA = (
    ("StartDate", "Start Date", "startDate"),
    ("EndDate", "End Date", "endDate"),
    ("Status", "Response Type", "status"),
    ("IPAddress", "IP Address", "ipAddress"),
    ("Progress", "Progress", "progress"),
    ("Duration (in seconds)", "Duration (in seconds)", "duration"),
    ("Finished", "Finished", "finished"),
    ("RecordedDate", "Recorded Date", "recordedDate"),
    ("ResponseId", "Response ID", "_recordId"),
    ("RecipientLastName", "Recipient Last Name", "recipientLastName"),
    ("RecipientFirstName", "Recipient First Name", "recipientFirstName"),
    ("RecipientEmail", "Recipient Email", "recipientEmail"),
    ("ExternalReference", "External Data Reference", "externalDataReference"),
    ("LocationLatitude", "Location Latitude", "locationLatitude"),
    ("LocationLongitude", "Location Longitude", "locationLongitude"),
    ("DistributionChannel", "Distribution Channel", "distributionChannel"),
    ("UserLanguage", "User Language", "userLanguage"),
)
_DATED = {"startDate", "endDate", "recordedDate"}
_START = datetime(2026, 3, 2, 7, 0, 0)


def response_id(respondent_id: str) -> str:
    """The Qualtrics-style ``R_`` id written for a respondent (fixed for a given id)."""
    return "R_" + stable_token(respondent_id)


def write_qualtrics(
    responses: Responses,
    path: str | os.PathLike[str] | IO[str],
    *,
    values: Literal["numeric", "labels"] = "numeric",
    column_names: Literal["item_id", "platform"] = "item_id",
) -> None:
    """Write the current three-header-row Qualtrics Data Table export."""
    inst = responses.instrument
    data = responses.data
    tags, texts, import_ids, item_order = [], [], [], []
    for number, question in enumerate(questions(inst, responses.item_ids), start=1):
        for position, (item_id, row_text) in enumerate(question.rows, start=1):
            suffix = f"_{position}" if question.is_matrix else ""
            tags.append(item_id if column_names == "item_id" else f"Q{number}{suffix}")
            texts.append(f"{question.text} - {row_text}" if question.is_matrix else question.text)
            import_ids.append(f"QID{number}{suffix}")
            item_order.append(item_id)

    header1 = [tag for tag, _, _ in METADATA] + tags + ["school_id"]
    header2 = [text for _, text, _ in METADATA] + texts + ["school_id"]
    header3 = [
        json.dumps(
            {"ImportId": iid, "timeZone": TIME_ZONE} if iid in _DATED else {"ImportId": iid},
            separators=(",", ":"),
        )
        for _, _, iid in METADATA
    ]
    header3 += [json.dumps({"ImportId": iid}, separators=(",", ":")) for iid in import_ids]
    header3.append(json.dumps({"ImportId": "school_id"}, separators=(",", ":")))
    rows = [header1, [csv_safe(t) for t in header2], header3]

    cells = _answer_cells(responses, item_order, values)
    numeric = values == "numeric"
    for i, (rid, school) in enumerate(
        zip(data["respondent_id"].astype(str), data["school_id"], strict=True)
    ):
        start = _START + timedelta(minutes=17 * i)
        duration = 420 + (i * 137) % 900
        end = start + timedelta(seconds=duration)
        stamp = "%Y-%m-%d %H:%M:%S"
        meta = [
            start.strftime(stamp),
            end.strftime(stamp),
            "0" if numeric else "IP Address",
            f"192.0.2.{i % 254 + 1}",
            "100",
            str(duration),
            "1" if numeric else "True",
            end.strftime(stamp),
            response_id(rid),
            "",
            "",
            "",
            "",
            f"{41.80 + (i * 37 % 100) / 1000:.4f}",
            f"{-87.60 - (i * 53 % 100) / 1000:.4f}",
            "anonymous",
            "EN",
        ]
        rows.append(meta + cells[i] + ["" if school != school else csv_safe(str(school))])
    write_rows(path, rows)


def _answer_cells(
    responses: Responses, item_ids: list[str], values: Literal["numeric", "labels"]
) -> list[list[str]]:
    inst = responses.instrument
    columns = []
    for item_id in item_ids:
        column = responses.data[item_id].to_numpy(dtype=float)
        rs = inst.response_scale_of(item_id)
        if values == "labels" and rs.labels:
            labels = rs.label_map
            columns.append(["" if np.isnan(x) else csv_safe(labels[x]) for x in column])
        else:
            columns.append([format_number(x) for x in column])
    return (
        [list(row) for row in zip(*columns, strict=True)]
        if columns
        else [[] for _ in range(len(responses.data))]
    )

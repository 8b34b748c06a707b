"""Qualtrics exports, read and written.

The current "Data Table" CSV has three header rows: export tags (``Q7_3`` or custom tags),
question text (``Question - Statement`` for matrix rows) and a row of ImportId JSON objects
(``{"ImportId":"QID7_3"}``; dates also carry a ``timeZone``). Seventeen metadata columns come
first; embedded data such as ``school_id`` come last. See ../shared/reference/exports.md 1.1.
"""

from __future__ import annotations

import ast
import json
import os
import re
from datetime import datetime, timedelta
from typing import IO, Literal

import numpy as np
import pandas as pd

from colead.io._common import format_numbers, joined_choices, stable_token, write_rows
from colead.io._layout import questions
from colead.io._raw import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.io.responses import Responses
from colead.privacy import csv_safe, is_personal

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
        rows.append(
            [
                *meta,
                *(column[i] for column in cells),
                "" if school != school else csv_safe(str(school)),
            ]
        )
    write_rows(path, rows)


def _answer_cells(
    responses: Responses, item_ids: list[str], values: Literal["numeric", "labels"]
) -> list[np.ndarray]:
    """One object array of answer texts per item column."""
    inst = responses.instrument
    columns = []
    for item_id in item_ids:
        rs = inst.response_scale_of(item_id)
        if rs.type == "multiple":  # an unsplit multiple-choice question: joined with ","
            columns.append(joined_choices(responses.data, inst, item_id,
                                          labels=values == "labels", separator=","))
            continue
        column = responses.data[item_id].to_numpy(dtype=float)
        if values == "labels" and rs.labels:  # a missing answer offered: its label
            columns.append(_labels(column, {**rs.label_map, **dict(rs.missing_options)}))
        else:
            columns.append(format_numbers(column))
    return columns


def _labels(column: np.ndarray, labels: dict[float, str]) -> np.ndarray:
    out = np.full(column.shape, "", dtype=object)
    for value, label in labels.items():
        out[column == value] = csv_safe(label)
    return out


# -- reading ---------------------------------------------------------------------------------
# Metadata columns of the current, legacy and Insights layouts; the personal ones among them.
META_NAMES = frozenset(
    {
        "StartDate",
        "EndDate",
        "Status",
        "IPAddress",
        "Progress",
        "Duration (in seconds)",
        "Finished",
        "RecordedDate",
        "ResponseId",
        "ResponseID",
        "ResponseSet",
        "Name",
        "ExternalDataReference",
        "ExternalReference",
        "EmailAddress",
        "RecipientLastName",
        "RecipientFirstName",
        "RecipientEmail",
        "LocationLatitude",
        "LocationLongitude",
        "LocationAccuracy",
        "DistributionChannel",
        "UserLanguage",
    }
)
IMPORT_ID = re.compile(r"""^\s*\{\s*["']ImportId["']""")
# Status codes and their text forms (Qualtrics "Understanding your dataset").
STATUS = {
    "0": "",
    "ip address": "",
    "1": "preview",
    "survey preview": "preview",
    "2": "test",
    "survey test": "test",
    "4": "",
    "imported": "",
    "8": "spam",
    "spam": "spam",
    "9": "spam",
    "preview spam": "spam",
    "16": "",
    "offline": "",
    "17": "preview",
    "offline preview": "preview",
}
_IMPORTED = ("4", "imported")


def read_qualtrics(table: RawTable) -> Export:
    """Read any of the three Qualtrics CSV layouts (data table, legacy V1-V10, Insights)."""
    first, second, third = table.row(0), table.row(1), table.row(2)
    if first[:3] == ["V1", "V2", "V3"]:
        layout, header_rows = "legacy", 2
        names = [
            b if a.startswith("V") and a[1:].isdigit() else a
            for a, b in zip(first, second, strict=True)
        ]
        texts, import_ids = second, [""] * len(first)
    elif any(IMPORT_ID.match(cell) for cell in third):
        single_quoted = any(cell.lstrip().startswith("{'") for cell in third)
        layout, header_rows = ("insights" if single_quoted else "data table"), 3
        names, texts, import_ids = first, second, [_import_id(cell) for cell in third]
    elif _is_text_row(first, second):
        layout, header_rows = "two header rows", 2
        names, texts, import_ids = first, second, [""] * len(first)
    else:  # only the export tags were kept (a "cleaned" file): data start on row 2
        layout, header_rows = "one header row", 1
        names, texts, import_ids = first, first, [""] * len(first)
    columns = []
    for position, (name, text, import_id) in enumerate(zip(names, texts, import_ids, strict=True)):
        kind: ColumnKind = "answer"
        if (
            name in META_NAMES
            or name.startswith("Q_")
            or import_id.startswith(("_record", "panel-"))
        ):
            kind = "personal" if is_personal(name) or name == "Name" else "meta"
        question, row = _split_matrix_text(text)
        columns.append(Column(position, name.strip(), text.strip(), question, row, import_id, kind))
    cells = table.frame.iloc[header_rows:]
    by_name = {c.name: c.position for c in columns}
    exclude, notes = _exclusions(cells, by_name)
    ids_at = by_name.get("ResponseId", by_name.get("ResponseID"))
    ids = cells[ids_at] if ids_at is not None else None
    return build(
        table,
        platform="qualtrics",
        layout=layout,
        header_rows=header_rows,
        columns=columns,
        response_ids=ids,
        exclude=exclude,
        notes=notes,
        multi_separator=",",
        negative_codes_missing=True,
    )


def _import_id(cell: str) -> str:
    try:
        value = json.loads(cell)
    except ValueError:
        try:
            value = ast.literal_eval(cell.strip())
        except (ValueError, SyntaxError):
            return ""
    return str(value.get("ImportId", "")) if isinstance(value, dict) else ""


def _split_matrix_text(text: str) -> tuple[str, str]:
    """``"Question - Statement"`` -> its parts. The legacy and Insights layouts join them with
    a bare ``-``, which statements also contain ("full-time"), so those are left whole here
    and the mapping tries every hyphen (colead.io.mapping)."""
    text = text.strip()
    if " - " in text:
        question, row = text.rsplit(" - ", 1)
        return question.strip(), row.strip()
    return text, ""


def _is_text_row(header: list[str], row: list[str]) -> bool:
    """Whether the second row is the question-text row rather than the first response: a
    response has a response id ``R_...``, a number in Progress, or a Finished flag."""
    cells = dict(zip(header, row, strict=True))
    response_id = cells.get("ResponseId", cells.get("ResponseID", ""))
    finished = cells.get("Finished", "").strip().casefold()
    progress = cells.get("Progress", "").strip()
    looks_like_data = (
        response_id.startswith("R_")
        or progress.isdigit()
        or finished in ("0", "1", "true", "false")
    )
    return not looks_like_data


def _exclusions(cells: pd.DataFrame, by_name: dict[str, int]) -> tuple[pd.Series, list[str]]:
    n = len(cells)
    reason = np.full(n, "", dtype=object)
    notes = []
    if "Status" in by_name:
        status = cells[by_name["Status"]].str.strip().str.casefold()
        known = status.map(STATUS)
        reason = np.where(known.fillna("") != "", known.fillna(""), reason)
        unknown = sorted(set(status[known.isna() & (status != "")]))
        if unknown:
            notes.append(f"unknown Status values kept as responses: {', '.join(unknown)}")
        imported = int(status.isin(_IMPORTED).sum())
        if imported:
            notes.append(
                f"{imported} responses were imported into Qualtrics rather than "
                "collected by it (Status Imported); they are kept"
            )
    if "DistributionChannel" in by_name:
        channel = cells[by_name["DistributionChannel"]].str.strip().str.casefold()
        for value in ("preview", "test"):
            reason = np.where((reason == "") & (channel == value).to_numpy(), value, reason)
    unfinished = np.zeros(n, dtype=bool)
    if "Finished" in by_name:
        finished = cells[by_name["Finished"]].str.strip().str.casefold()
        unfinished |= finished.isin(("0", "false")).to_numpy()
    if "Progress" in by_name:
        progress = pd.to_numeric(cells[by_name["Progress"]], errors="coerce")
        unfinished |= (progress < 100).to_numpy()
    reason = np.where((reason == "") & unfinished, "incomplete", reason)
    return pd.Series(reason, dtype=object), notes

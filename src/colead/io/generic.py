"""Generic CSV, TSV or XLSX: one header row (item ids or question texts)."""

from __future__ import annotations

import os
from typing import IO

from colead.io._common import format_numbers, write_rows
from colead.io._raw import RawTable
from colead.io.export import Column, Export, build
from colead.io.responses import Responses
from colead.privacy import csv_safe, is_personal, normalise_header


def write_csv(responses: Responses, path: str | os.PathLike[str] | IO[str]) -> None:
    """``respondent_id, school_id`` and the item columns, numbers as numbers, NaN empty."""
    data = responses.data
    inst = responses.instrument
    items = [c for i in responses.item_ids for c in inst.data_columns(i)]
    rows: list[list[str]] = [["respondent_id", "school_id", *items]]
    ids = data["respondent_id"].astype(str).map(csv_safe).tolist()
    schools = data["school_id"].map(lambda s: "" if s != s else csv_safe(str(s))).tolist()
    columns = [format_numbers(data[item].to_numpy(dtype=float)) for item in items]
    for i, (rid, school) in enumerate(zip(ids, schools, strict=True)):
        rows.append([rid, school, *(column[i] for column in columns)])
    write_rows(path, rows, lineterminator="\n")


# -- reading ---------------------------------------------------------------------------------
#: Headers taken as a respondent id in a generic table.
ID_HEADERS = ("respondent_id", "response_id", "responseid", "respondentid", "record_id", "id")


def read_generic(table: RawTable) -> Export:
    """A table with one header row: headers are item ids or question texts."""
    header = [cell.strip() for cell in table.row(0)]
    keys = [normalise_header(h) for h in header]
    id_at = next(
        (keys.index(normalise_header(k)) for k in ID_HEADERS if normalise_header(k) in keys), None
    )
    columns = [
        Column(
            p,
            name,
            name,
            name,
            "",
            "",
            "meta" if p == id_at else "personal" if is_personal(name) else "answer",
        )
        for p, name in enumerate(header)
    ]
    ids = table.frame.iloc[1:, id_at] if id_at is not None else None
    return build(
        table,
        platform="generic",
        layout="one header row",
        header_rows=1,
        columns=columns,
        response_ids=ids,
    )

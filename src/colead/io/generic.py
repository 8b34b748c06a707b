"""Generic CSV: one header row, one column per item id."""

from __future__ import annotations

import os
from typing import IO

from colead.io._common import csv_safe, format_number, write_rows
from colead.responses import Responses


def write_csv(responses: Responses, path: str | os.PathLike[str] | IO[str]) -> None:
    """``respondent_id, school_id`` and the item columns, numbers as numbers, NaN empty."""
    data = responses.data
    items = responses.item_ids
    rows: list[list[str]] = [["respondent_id", "school_id", *items]]
    ids = data["respondent_id"].astype(str).map(csv_safe).tolist()
    schools = data["school_id"].map(lambda s: "" if s != s else csv_safe(str(s))).tolist()
    values = data[items].to_numpy(dtype=float)
    for rid, school, row in zip(ids, schools, values, strict=True):
        rows.append([rid, school, *map(format_number, row)])
    write_rows(path, rows, lineterminator="\n")

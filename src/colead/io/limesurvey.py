"""LimeSurvey response exports (CSV with code, abbreviated or full-text headings).

Code headings are question codes (``G01Q01``) with sub-questions as ``Q1[SQ001]`` (or
``Q1_SQ001`` in R syntax); full headings are question texts with ``[Sub-question]``. An empty
``submitdate`` marks an incomplete response. See ../shared/reference/exports.md 1.5.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from colead.io._table import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.privacy import is_personal, normalise_header

# Metadata columns, code and full-text headings (letters and digits only).
META = frozenset(
    {
        "id",
        "submitdate",
        "lastpage",
        "startlanguage",
        "seed",
        "startdate",
        "datestamp",
        "interviewtime",
        "responseid",
        "datesubmitted",
        "datestarted",
        "datelastaction",
        "totaltime",
    }
)
_META_PREFIXES = ("grouptime", "questiontime")
_SUB = re.compile(r"^(?P<question>.*\S)\s*\[(?P<row>[^\[\]]*)\]\s*$", re.S)


def read_limesurvey(table: RawTable) -> Export:
    header = [cell.strip() for cell in table.row(0)]
    keys = [normalise_header(h) for h in header]
    code_headings = "submitdate" in keys
    columns = []
    for position, (name, key) in enumerate(zip(header, keys, strict=True)):
        match = _SUB.match(name)
        question, row = (match["question"].strip(), match["row"].strip()) if match else (name, "")
        if key in META or key.startswith(_META_PREFIXES) or _abbreviated_meta(name, key):
            kind: ColumnKind = "meta"
        elif is_personal(name):
            kind = "personal"
        else:
            kind = "answer"
        columns.append(Column(position, name, name, question, row, "", kind))
    cells = table.frame.iloc[1:]
    submitted = _first(keys, ("submitdate", "datesubmitted"))
    exclude = None
    if submitted is not None:
        empty = (cells[submitted].str.strip() == "").to_numpy()
        exclude = pd.Series(np.where(empty, "incomplete", ""), dtype=object)
    id_at = _first(keys, ("id", "responseid"))
    ids = cells[id_at] if id_at is not None else None
    return build(
        table,
        platform="limesurvey",
        layout="code headings" if code_headings else "text headings",
        header_rows=1,
        columns=columns,
        response_ids=ids,
        exclude=exclude,
    )


def _abbreviated_meta(name: str, key: str) -> bool:
    """Abbreviated headings cut texts to 15 characters and add ``..`` (``Date last actio..``)."""
    return name.endswith("..") and len(key) >= 8 and any(m.startswith(key) for m in META)


def _first(keys: list[str], wanted: tuple[str, ...]) -> int | None:
    return next((keys.index(w) for w in wanted if w in keys), None)

"""LimeSurvey response exports (CSV with code, abbreviated or full-text headings).

Code headings are question codes (``G01Q01``) with sub-questions as ``Q1[SQ001]`` (or
``Q1_SQ001`` in R syntax); full headings are question texts with ``[Sub-question]``. An empty
``submitdate`` marks an incomplete response. See ../shared/reference/exports.md 1.5.

:func:`item_codes` gives the question codes colead writes for an instrument's items (letters
and digits only, at most 20 characters); the importer matches them back to the items.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from colead.io._common import stable_token
from colead.io._raw import RawTable
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


# -- question codes --------------------------------------------------------------------------
#: Longest LimeSurvey question code (``questions.title`` is ``string(20)`` in its schema).
CODE_LENGTH = 20
_NOT_CODE = re.compile(r"[^A-Za-z0-9]+")


def item_codes(item_ids: Sequence[str]) -> dict[str, str]:
    """Item id -> the LimeSurvey code colead gives it (codes hold letters and digits only).

    The id without its other characters (``inf_teachers_hiring`` -> ``infteachershiring``);
    an id that would be longer than 20 characters keeps the start of each of its parts
    (``inf_assistant_principals_standards`` -> ``infassisprincstand``), and where that
    shortening meets another item's code, its first 15 characters and a 5-character hash.
    """
    return dict(_codes(tuple(item_ids)))


@functools.lru_cache(maxsize=32)
def _codes(item_ids: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    codes = {i: _short(i) for i in item_ids}
    taken: dict[str, int] = {}
    for code in codes.values():
        taken[code.casefold()] = taken.get(code.casefold(), 0) + 1
    for item_id, code in codes.items():
        compact = _NOT_CODE.sub("", item_id)
        if len(compact) > CODE_LENGTH and taken[code.casefold()] > 1:
            codes[item_id] = compact[:CODE_LENGTH - 5] + stable_token(item_id, 5)
    return tuple(codes.items())


def _short(item_id: str) -> str:
    compact = _NOT_CODE.sub("", item_id)
    if len(compact) <= CODE_LENGTH:
        return compact
    parts = [p for p in _NOT_CODE.split(item_id) if p]
    width = max((w for w in range(1, CODE_LENGTH + 1)
                 if sum(min(len(p), w) for p in parts) <= CODE_LENGTH), default=0)
    if width == 0:
        return compact[:CODE_LENGTH - 5] + stable_token(item_id, 5)
    return "".join(p[:width] for p in parts)

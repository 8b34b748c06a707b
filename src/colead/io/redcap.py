"""REDCap record exports (raw or labels).

The first column is the record id (``record_id``, ``participant_id``, ...); system columns start
with ``redcap_``; each form's fields are followed by ``<form>_complete`` (0/1/2, or Incomplete/
Unverified/Complete in a label export); checkbox fields become ``field___code`` columns. A row
is incomplete for an instrument when a form holding its items is not Complete.
See ../shared/reference/exports.md 1.6.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from colead.exceptions import ResponseDataError
from colead.io._raw import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.privacy import is_personal, normalise_header

SYSTEM = (
    "redcap_event_name",
    "redcap_repeat_instrument",
    "redcap_repeat_instance",
    "redcap_data_access_group",
    "redcap_survey_identifier",
)
# Label-export headers of the system columns.
SYSTEM_LABELS = (
    "eventname",
    "repeatinstrument",
    "repeatinstance",
    "dataaccessgroup",
    "surveyidentifier",
)
_CHECKBOX = re.compile(r"^(?P<question>[a-z][a-z0-9_]*?)___(?P<row>[a-z0-9_]+)$", re.I)
_CHOICE = re.compile(r"^(?P<question>.*\S)\s*\(choice=(?P<row>.*)\)\s*$", re.S)
_COMPLETE_VALUES = ("2", "complete")
_NOT_COMPLETE = ("0", "1", "incomplete", "unverified")
_NOT_SUBMITTED = "[not completed]"


def read_redcap(table: RawTable) -> Export:
    header = [cell.strip() for cell in table.row(0)]
    if header and normalise_header(header[0]) == "variablefieldname":
        raise ResponseDataError(
            [
                {
                    "reason": "is a REDCap data dictionary, not a records "
                    "export; export the records (raw or labels) instead"
                }
            ],
            context=table.source,
        )
    keys = [normalise_header(h) for h in header]
    columns = []
    for position, (name, key) in enumerate(zip(header, keys, strict=True)):
        match = _CHECKBOX.match(name) or _CHOICE.match(name)
        question, row = (match["question"], match["row"].strip()) if match else (name, "")
        if position == 0 or name in SYSTEM or key in SYSTEM_LABELS or _is_form_status(name):
            kind: ColumnKind = "personal" if key.endswith("surveyidentifier") else "meta"
        elif is_personal(name):
            kind = "personal"
        else:
            kind = "answer"
        columns.append(Column(position, name, name, question, row, "", kind))
    cells = table.frame.iloc[1:].reset_index(drop=True)
    id_parts = [0] + [
        p
        for p, k in enumerate(keys)
        if k
        in (
            "redcapeventname",
            "eventname",
            "redcaprepeatinstrument",
            "repeatinstrument",
            "redcaprepeatinstance",
            "repeatinstance",
        )
    ]
    ids = cells[0].str.strip()
    for part in (cells[p].str.strip() for p in id_parts[1:]):
        ids = ids + np.where(part != "", "|" + part, "")
    complete_at = [p for p, name in enumerate(header) if _is_complete(name)]
    labels = any(not re.match(r"^[a-z0-9_]+$", h) for h in header if h)

    stamp_at = [p for p, name in enumerate(header) if _is_timestamp(name)]

    def incomplete_for(positions: Sequence[int]) -> pd.Series:
        after = [[c for c in complete_at if c > p] for p in positions]
        governing = sorted({cols[0] for cols in after if cols})
        if not governing:
            return pd.Series(np.zeros(len(cells), dtype=bool))
        status = cells[governing].apply(lambda col: col.str.strip().str.casefold())
        incomplete = status.isin(_NOT_COMPLETE).any(axis=1)
        # A survey REDCap never saw submitted keeps "[not completed]" as its timestamp even
        # when someone later marks the form Complete (exports.md 3.6).
        stamps = [
            s
            for c in governing
            for s in stamp_at
            if s < c and not any(s < other < c for other in complete_at)
        ]
        if stamps:
            unsent = cells[stamps].apply(lambda col: col.str.strip().str.casefold())
            incomplete |= (unsent == _NOT_SUBMITTED).any(axis=1)
        return incomplete

    return build(
        table,
        platform="redcap",
        layout="labels" if labels else "raw",
        header_rows=1,
        columns=columns,
        response_ids=ids,
        incomplete_for=incomplete_for,
    )


def _is_complete(name: str) -> bool:
    return name.endswith("_complete") or name.strip().casefold() == "complete?"


def _is_timestamp(name: str) -> bool:
    return name.endswith("_timestamp") or normalise_header(name) == "surveytimestamp"


def _is_form_status(name: str) -> bool:
    return _is_complete(name) or _is_timestamp(name)

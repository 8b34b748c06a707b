"""Microsoft Forms exports: the XLSX workbook Forms downloads.

The first visible sheet has ``ID, Start time, Completion time, Email, Name``, sometimes
``Last modified time``, then one column per question; quizzes add points and feedback
columns. Dates may be Excel serial numbers and numbers may be stored as text.
See ../shared/reference/exports.md 1.4.
"""

from __future__ import annotations

from colead.io._raw import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.privacy import is_personal, normalise_header

META = frozenset(
    {
        "id",
        "starttime",
        "completiontime",
        "lastmodifiedtime",
        "totalpoints",
        "quizfeedback",
        "gradepostedtime",
    }
)
_META_PREFIXES = ("points", "feedback")


def read_microsoft_forms(table: RawTable) -> Export:
    header = [cell.strip() for cell in table.row(0)]
    columns = []
    for position, name in enumerate(header):
        key = normalise_header(name)
        if key in META or (
            name.startswith(("Points - ", "Feedback - ")) and key.startswith(_META_PREFIXES)
        ):
            kind: ColumnKind = "meta"
        elif is_personal(name):
            kind = "personal"
        else:
            kind = "answer"
        columns.append(Column(position, name, name, name, "", "", kind))
    keys = [normalise_header(h) for h in header]
    ids = table.frame.iloc[1:, keys.index("id")] if "id" in keys else None
    return build(
        table,
        platform="microsoft_forms",
        layout="xlsx",
        header_rows=1,
        columns=columns,
        response_ids=ids,
        multi_separator=";",
    )

"""SurveyMonkey "All responses data" exports (CSV or XLSX).

Two header rows: the first holds metadata names and question texts, written only over the
first column of a question (its other columns are blank); the second says what each column
is: ``Response``, ``Open-Ended Response``, or the statement or option of a matrix, multiple
choice or contact-information question. See ../shared/reference/exports.md 1.2.
"""

from __future__ import annotations

from colead.io._raw import RawTable
from colead.io.export import Column, ColumnKind, Export, build
from colead.privacy import is_personal, normalise_header

#: Second-row labels of a plain (one-column) question.
PLAIN = ("response", "openendedresponse")
#: Metadata names, 2017 and 2022 spellings (letters and digits only).
META = frozenset({"respondentid", "collectorid", "startdate", "enddate"})


def read_surveymonkey(table: RawTable) -> Export:
    first, second = table.row(0), table.row(1)
    columns, question = [], ""
    for position, (top, sub) in enumerate(zip(first, second, strict=True)):
        top, sub = top.strip(), sub.strip()
        question = top or question
        row = "" if normalise_header(sub) in PLAIN else sub
        key = normalise_header(question)
        if key in META:
            kind: ColumnKind = "meta"
        elif is_personal(question) or (row and is_personal(row)):
            kind = "personal"
        else:
            kind = "answer"
        text = f"{question} - {row}" if row else question
        # A column of a multi-column question is named by its question and its row: the
        # question text alone stands over its first column only, and names the whole question.
        columns.append(Column(position, text if row else top or sub, text, question, row, "", kind))
    id_at = next(
        (c.position for c in columns if normalise_header(c.question) == "respondentid"), None
    )
    ids = table.frame.iloc[2:, id_at] if id_at is not None else None
    return build(
        table,
        platform="surveymonkey",
        layout="two header rows",
        header_rows=2,
        columns=columns,
        response_ids=ids,
    )

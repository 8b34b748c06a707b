"""XLSX workbooks (Microsoft Forms exports and spreadsheets saved by users).

The first visible sheet is read (hidden and very hidden sheets are skipped). Cells become text
as a CSV export would show them: whole numbers without ``.0``, dates as ISO timestamps.
"""

from __future__ import annotations

import io
import warnings
from datetime import date, datetime, time

from colead.exceptions import ResponseDataError
from colead.io._table import RawTable


def read_xlsx(data: bytes, name: str) -> RawTable:
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ResponseDataError(
            [{"reason": f"looks like an XLSX workbook but cannot be opened: {exc}"}], context=name
        ) from None
    visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise ResponseDataError([{"reason": "the workbook has no visible sheet"}], context=name)
    sheet = visible[0]
    rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    skipped = [ws.title for ws in book.worksheets if ws is not sheet]
    notes = (f"read sheet {sheet.title!r}; not read: {', '.join(skipped)}",) if skipped else ()
    return RawTable.from_rows(rows, source=name, encoding="xlsx", sheet=sheet.title, notes=notes)


def cell_text(value: object) -> str:
    """A cell value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).replace("\u00a0", " ")

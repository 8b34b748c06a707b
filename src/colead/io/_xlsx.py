"""XLSX workbooks (Microsoft Forms exports and spreadsheets saved by users).

The first visible sheet is read (hidden and very hidden sheets are skipped). Cells become text
as a CSV export would show them: whole numbers without ``.0``, dates as ISO timestamps.

A workbook is a zip archive, and a small one can unpack to gigabytes or declare a sheet of 17
billion cells. So before anything is unpacked the archive's uncompressed size is checked
(:data:`MAX_UNCOMPRESSED`), the sheet is streamed row by row rather than loaded, and its
declared and actual size are checked against :data:`MAX_CELLS`. A formula cell whose result
Excel never saved (a file written by a program, not saved in Excel) has no value to read: it is
read as blank and the cells are named in the import log.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from colead.exceptions import ResponseDataError
from colead.io._raw import RawTable
from colead.privacy import uncsv_safe

#: Largest total uncompressed size of a workbook's parts that colead unpacks (200 MB).
MAX_UNCOMPRESSED = 200_000_000
#: Largest sheet read, in rows x columns (Excel's own limit is 1,048,576 x 16,384).
MAX_CELLS = 10_000_000
#: Formula cells without a saved result named in the log (the rest are counted).
_SHOWN_CELLS = 10
# A formula element in a sheet part, with or without a namespace prefix: <f>, <x:f t="shared">.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CHUNK = 1 << 20
# What zipfile raises for a damaged archive (an unknown version, a bad CRC, a cut-off part).
_BROKEN_ZIP = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, OSError,
               EOFError, KeyError, zlib.error)


def read_xlsx(data: bytes, name: str) -> RawTable:
    import openpyxl

    _check_archive(data, name)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ResponseDataError(
            [{"reason": f"looks like an XLSX workbook but cannot be opened: {exc}"}], context=name
        ) from None
    try:
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise ResponseDataError([{"reason": "the workbook has no visible sheet"}], context=name)
        sheet = visible[0]
        _check_declared_size(sheet, name)
        with warnings.catch_warnings():
            # the sheet is streamed: openpyxl's warnings (a date serial out of range, read as
            # an error cell) come while reading rows; the cell's text reaches the checks
            warnings.simplefilter("ignore")
            rows = _read_rows(sheet, name)
        skipped = [ws.title for ws in book.worksheets if ws is not sheet]
    except ResponseDataError:
        raise
    except _BROKEN_ZIP as exc:  # the sheet is streamed: a damaged part shows only now
        raise _damaged(name, exc) from None
    finally:
        book.close()
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    notes = [f"read sheet {sheet.title!r}; not read: {', '.join(skipped)}"] if skipped else []
    try:
        if _has_formulas(data):
            notes += _uncached_formulas(data, sheet.title, rows)
    except _BROKEN_ZIP as exc:
        raise _damaged(name, exc) from None
    return RawTable.from_rows(
        rows, source=name, encoding="xlsx", sheet=sheet.title, notes=tuple(notes)
    )


def _damaged(name: str, exc: BaseException) -> ResponseDataError:
    return ResponseDataError(
        [{"reason": f"looks like an XLSX workbook but a part of it is damaged: {exc}"}],
        context=name,
    )


def _too_large(name: str, what: str) -> ResponseDataError:
    return ResponseDataError(
        [
            {
                "reason": f"{what}; colead reads workbooks of at most "
                f"{MAX_UNCOMPRESSED // 1_000_000} MB unpacked and {MAX_CELLS:,} cells (rows x "
                "columns). Save the sheet as CSV, or remove what is not survey data"
            }
        ],
        context=name,
    )


def _check_archive(data: bytes, name: str) -> None:
    """Refuse a workbook whose parts unpack to more than MAX_UNCOMPRESSED bytes.

    The sizes are those the archive declares; zipfile never unpacks more than a part declares.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except _BROKEN_ZIP as exc:
        raise ResponseDataError(
            [{"reason": f"looks like an XLSX workbook but cannot be opened: {exc}"}], context=name
        ) from None
    if total > MAX_UNCOMPRESSED:
        raise _too_large(name, f"the workbook unpacks to {total / 1e6:,.0f} MB")


def _check_declared_size(sheet: Any, name: str) -> None:
    rows, columns = sheet.max_row, sheet.max_column
    if rows and columns and rows * columns > MAX_CELLS:
        raise _too_large(
            name, f"sheet {sheet.title!r} declares {rows:,} rows x {columns:,} columns"
        )
    sheet.reset_dimensions()  # stream the rows the file holds, whatever it declares


def _read_rows(sheet: Any, name: str) -> list[list[str]]:
    rows: list[list[str]] = []
    width = 0
    with warnings.catch_warnings():
        # openpyxl warns, and reads an error value, for a date cell whose serial number is
        # out of range; the cell then fails as an answer like any other wrong value.
        warnings.simplefilter("ignore", UserWarning)
        for values in sheet.iter_rows(values_only=True):
            if not values:  # a row the file skips
                rows.append([])
                continue
            width = max(width, len(values))
            if (len(rows) + 1) * width > MAX_CELLS:
                size = f"more than {len(rows):,} rows x {width:,} columns"
                raise _too_large(name, f"sheet {sheet.title!r} holds {size}")
            rows.append([cell_text(v) for v in values])
    return rows


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
    text = str(value).replace("\u00a0", " ")
    return uncsv_safe(text) if text[:1] == "'" else text


# -- formulas without a saved result ------------------------------------------------------------
def _has_formulas(data: bytes) -> bool:
    """Whether any sheet part holds a formula element (a streamed search, nothing kept)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as part:
                tail = b""
                while chunk := part.read(_CHUNK):
                    if _FORMULA_TAG.search(tail + chunk):
                        return True
                    tail = chunk[-64:]
    return False


def _uncached_formulas(data: bytes, title: str, rows: list[list[str]]) -> list[str]:
    """A note naming the formula cells read as blank because the file holds no result for
    them (the formulas themselves come from a second, streamed reading of the sheet)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = book[title]
        sheet.reset_dimensions()
        found = [
            f"{get_column_letter(c + 1)}{r + 1}"
            for r, c in _formula_cells(sheet.iter_rows(values_only=True))
            if r >= len(rows) or c >= len(rows[r]) or rows[r][c] == ""
        ]
    finally:
        book.close()
    if not found:
        return []
    shown = ", ".join(found[:_SHOWN_CELLS])
    more = f" and {len(found) - _SHOWN_CELLS:,} more" if len(found) > _SHOWN_CELLS else ""
    return [
        f"{len(found):,} formula cell(s) hold no saved result and were read as blank ({shown}"
        f"{more}); open the workbook in Excel and save it again to store the results"
    ]


def _formula_cells(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[int, int]]:
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            if (isinstance(value, str) and value.startswith("=")) or (
                value is not None and not isinstance(value, str | int | float | bool | date | time)
            ):
                yield r, c

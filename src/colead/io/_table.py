"""Turn a file into rows of text cells: encodings, delimiters, quoting, XLSX sheets.

Every platform module starts from a :class:`RawTable`: all rows as lists of strings, exactly
as the file holds them, with the decisions taken on the way (encoding, delimiter) recorded.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.io._raw import RawTable

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DELIMITERS = (",", ";", "\t")
_SNIFF_CHARS = 65536
_SNIFF_ROWS = 12
_XLSX_MAGIC = b"PK\x03\x04"
# The apostrophe CSV neutralisation adds before a formula-like text (searched for from the
# literal apostrophe, which is fast; whether it starts a cell is checked per match).
_NEUTRALISED = re.compile(r"'+[ \t]*[=+\-@]")
_CELL_START = frozenset(',;\t\r\n"')


def _has_neutralised_cell(text: str) -> bool:
    return any(
        m.start() == 0 or text[m.start() - 1] in _CELL_START for m in _NEUTRALISED.finditer(text)
    )


def without_csv_prefix(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells with the ``'`` that CSV neutralisation puts before formula-like text removed
    (:func:`colead.privacy.uncsv_safe`): ids ``-North``, ``+South`` and labels ``- Never``
    written by colead (or any program that neutralises the same way) read back unchanged."""
    from colead.privacy import uncsv_safe

    values = frame.to_numpy(dtype=object)
    flat = values.ravel()
    marked = [i for i, v in enumerate(flat) if isinstance(v, str) and v[:1] == "'"]
    if not marked:
        return frame
    flat = flat.copy()
    flat[marked] = [uncsv_safe(flat[i]) for i in marked]
    return pd.DataFrame(flat.reshape(values.shape), index=frame.index, columns=frame.columns)


def source_name(source: Any) -> str:
    """A short name for messages: the file name, or what kind of object it was."""
    if isinstance(source, str | os.PathLike):
        return Path(source).name
    return getattr(source, "name", None) or type(source).__name__


def read_table(source: str | os.PathLike[str] | IO[Any] | bytes) -> RawTable:
    """Read a CSV, TSV or XLSX file (path, open file or bytes) into a :class:`RawTable`."""
    name = source_name(source)
    data = _read_bytes(source, name)
    if data.startswith(_XLSX_MAGIC):
        from colead.io._xlsx import read_xlsx

        return read_xlsx(data, name)
    text, encoding, notes = decode(data, name)
    delimiter = sniff_delimiter(text)
    frame = parse_csv(text, delimiter, name)
    if _has_neutralised_cell(text):  # the cell-by-cell pass only for files that need it
        frame = without_csv_prefix(frame)
    return RawTable(frame=frame, source=name, encoding=encoding, delimiter=delimiter, notes=notes)


def _read_bytes(source: Any, name: str) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source)
    if isinstance(source, str | os.PathLike):
        try:
            return Path(source).read_bytes()
        except OSError as exc:
            raise ResponseDataError(
                [{"reason": f"cannot read {os.fspath(source)!r}: {exc.strerror or exc}"}],
                context=name,
            ) from None
    if not callable(getattr(source, "read", None)):
        raise InvalidParameterError(
            "The 'source' parameter of read_export must be a path, a file object, bytes or a "
            f"DataFrame; got {type(source).__name__}."
        )
    content = source.read()
    if isinstance(content, str):
        return content.encode("utf-8")
    return bytes(content)


def decode(data: bytes, name: str = "the file") -> tuple[str, str, tuple[str, ...]]:
    """Bytes to text: a byte-order mark decides; else UTF-8; else UTF-16 by its zero bytes;
    else cp1252. NUL characters are removed and no-break spaces become spaces."""
    notes: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _strict(data[len(bom) :], encoding, name)
            break
    else:
        encoding, text = _guess(data, name, notes)
    if "\x00" in text:
        notes.append(f"removed {text.count(chr(0))} NUL characters")
        text = text.replace("\x00", "")
    return text.replace("\u00a0", " "), encoding, tuple(notes)


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ResponseDataError(
            [
                {
                    "reason": f"starts with a {encoding} byte-order mark but byte {exc.start} is "
                    f"not {encoding}"
                }
            ],
            context=name,
        ) from None


def _guess(data: bytes, name: str, notes: list[str]) -> tuple[str, str]:
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    head = data[:2000]
    if len(head) >= 4 and head.count(0) > len(head) // 4:
        encoding = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return encoding, data.decode(encoding)
        except UnicodeDecodeError:
            pass
    notes.append("the file is not UTF-8; read as Windows-1252 (check accented letters)")
    return "cp1252", data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter, among ``,``, ``;`` and tab, that splits the first records of ``text``
    into the most equally wide rows (then the most columns); a comma when none splits them.

    Counting delimiters in the header alone is not enough: a TSV whose question-text headers
    hold commas has more commas than tabs in its first line.
    """
    sample = text[:_SNIFF_CHARS]
    best, best_key = ",", (0.0, 1)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            records = list(itertools.islice(reader, _SNIFF_ROWS))
        except csv.Error:
            continue
        if len(text) > len(sample) and 1 < len(records) < _SNIFF_ROWS:
            records.pop()  # the sample cut the last record short
        rows = [r for r in records if any(c.strip() for c in r)]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        key = (sum(len(r) == width for r in rows) / len(rows), width)
        if key > best_key:
            best, best_key = delimiter, key
    return best


def parse_csv(text: str, delimiter: str, name: str = "the file") -> pd.DataFrame:
    """RFC 4180 parsing (quoted fields may hold delimiters, quotes and line breaks) into a
    frame of strings; short rows are padded and empty trailing lines dropped.

    pandas' C parser does the work; rows wider than the first fall back to the csv module.
    """
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.EmptyDataError:
        return pd.DataFrame(dtype=object)
    except (pd.errors.ParserError, ValueError):
        frame = _parse_with_csv_module(text, delimiter, name)
    frame.columns = pd.RangeIndex(frame.shape[1])
    empty = (frame == "").all(axis=1).to_numpy()
    last = len(frame) - int(np.argmin(empty[::-1])) if not empty.all() else 0
    return frame.iloc[:last]


def _parse_with_csv_module(text: str, delimiter: str, name: str) -> pd.DataFrame:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise ResponseDataError(
            [{"reason": f"is not readable as delimited text: {exc}"}], context=name
        ) from None
    return RawTable.from_rows(rows, source=name).frame

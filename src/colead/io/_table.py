"""Turn a file into rows of text cells: encodings, delimiters, quoting, XLSX sheets.

Every platform module starts from a :class:`RawTable`: all rows as lists of strings, exactly
as the file holds them, with the decisions taken on the way (encoding, delimiter) recorded.

A CSV file is parsed by pandas' C parser straight from its UTF-8 bytes (no decoded copy of
the text, no UCS-4 ``StringIO`` buffer) in blocks of rows, and each column is kept as
categorical codes into its distinct texts: a survey column of a million answers holds a
handful of distinct ones, so a 1,000,000 x 150 export takes about 0.2 GB as codes where the
same cells as Python object pointers take 1.2 GB (and pandas' own one-block read twice that
while it builds the frame). Platform readers use these columns as any column of strings.
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
#: Rows parsed per block; each block is reduced to codes before the next is read.
CHUNK_ROWS = 65536
_UTF8_CHECK_BYTES = 1 << 23
_XLSX_MAGIC = b"PK\x03\x04"
# The apostrophe CSV neutralisation adds before a formula-like text (searched for from the
# literal apostrophe, which is fast; whether it starts a cell is checked per match).
_NEUTRALISED = re.compile(rb"'+[ \t]*[=+\-@]")
_CELL_START = frozenset(b',;\t\r\n"')


def _has_neutralised_cell(data: bytes) -> bool:
    if b"'" not in data:  # a memchr scan; the regular expression only for files with quotes
        return False
    return any(
        m.start() == 0 or data[m.start() - 1] in _CELL_START for m in _NEUTRALISED.finditer(data)
    )


def without_csv_prefix(frame: pd.DataFrame) -> pd.DataFrame:
    """The cells with the ``'`` that CSV neutralisation puts before formula-like text removed
    (:func:`colead.privacy.uncsv_safe`): ids ``-North``, ``+South`` and labels ``- Never``
    written by colead (or any program that neutralises the same way) read back unchanged.
    Categorical columns are fixed through their distinct texts."""
    from colead.privacy import uncsv_safe

    columns = {}
    for key in frame.columns:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            texts = column.cat.categories.to_numpy(dtype=object)
            if any(isinstance(v, str) and v[:1] == "'" for v in texts):
                fixed = [uncsv_safe(v) if isinstance(v, str) else v for v in texts]
                columns[key] = _categorical(column.cat.codes.to_numpy(), np.asarray(fixed, object))
            continue
        values = column.to_numpy(dtype=object)
        marked = [i for i, v in enumerate(values) if isinstance(v, str) and v[:1] == "'"]
        if marked:
            values = values.copy()
            values[marked] = [uncsv_safe(values[i]) for i in marked]
            columns[key] = pd.Series(values, index=frame.index, dtype=object)
    if not columns:
        return frame
    return pd.DataFrame({key: columns.get(key, frame[key]) for key in frame.columns})


def _categorical(codes: np.ndarray, texts: np.ndarray) -> pd.Categorical:
    """Codes into texts, with texts that became equal merged (categories must be unique)."""
    new_code, distinct = pd.factorize(pd.Index(texts, dtype=object))
    remap = np.append(new_code.astype(np.int64), -1)  # code -1 (none) stays -1
    return pd.Categorical.from_codes(
        remap[codes].astype(_code_dtype(len(distinct))),
        categories=pd.Index(distinct, dtype=object),
    )


def _code_dtype(n_categories: int) -> type[np.signedinteger[Any]]:
    for dtype in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(dtype).max:
            return dtype
    return np.int64


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
    payload, encoding, notes = utf8_payload(data, name)
    del data
    delimiter = sniff_delimiter(*_head(payload))
    frame = parse_csv_bytes(payload, delimiter, name)
    if _has_neutralised_cell(payload):  # the cell-by-cell pass only for files that need it
        frame = without_csv_prefix(frame)
    return RawTable(frame=frame, source=name, encoding=encoding, delimiter=delimiter, notes=notes)


def utf8_payload(data: bytes, name: str = "the file") -> tuple[bytes, str, tuple[str, ...]]:
    """The file as UTF-8 bytes with NUL characters removed and no-break spaces as spaces,
    its encoding and notes: :func:`decode`'s rules, without a decoded copy of a UTF-8 file
    (it is checked in slices; U+0000 and U+00A0 are replaced byte-wise, which UTF-8 allows)."""
    body, encoding = data, ""
    if data.startswith(codecs.BOM_UTF8):
        body, encoding = data[len(codecs.BOM_UTF8) :], "utf-8"
        if not _is_utf8(body):
            _strict(body, "utf-8", name)  # raises, naming the byte
    elif not any(data.startswith(bom) for bom, _ in _BOMS) and _is_utf8(data):
        encoding = "utf-8"
    if not encoding:  # UTF-16/32, or not UTF-8: decode, then back to UTF-8
        text, encoding, decoded_notes = decode(data, name)
        return text.encode("utf-8"), encoding, decoded_notes
    notes: tuple[str, ...] = ()
    if b"\x00" in body:
        count = body.count(b"\x00")
        notes = (f"removed {count} NUL characters",)
        body = body.replace(b"\x00", b"")
    if b"\xc2\xa0" in body:
        body = body.replace(b"\xc2\xa0", b" ")
    return body, encoding, notes


def _is_utf8(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _UTF8_CHECK_BYTES):
            decoder.decode(view[start : start + _UTF8_CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _head(payload: bytes) -> tuple[str, bool]:
    """The first characters of the file for :func:`sniff_delimiter`, and whether more follow."""
    head = payload[: _SNIFF_CHARS * 4].decode("utf-8", errors="ignore")
    return head[:_SNIFF_CHARS], len(head) > _SNIFF_CHARS or len(payload) > _SNIFF_CHARS * 4


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


def sniff_delimiter(text: str, truncated: bool | None = None) -> str:
    """The delimiter, among ``,``, ``;`` and tab, that splits the first records of ``text``
    into the most equally wide rows (then the most columns); a comma when none splits them.
    ``truncated`` says whether ``text`` is the start of a longer file (by default: whether it
    is longer than the sample looked at).

    Counting delimiters in the header alone is not enough: a TSV whose question-text headers
    hold commas has more commas than tabs in its first line.
    """
    sample = text[:_SNIFF_CHARS]
    if truncated is None:
        truncated = len(text) > len(sample)
    best, best_key = ",", (0.0, 1)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter, strict=False)
        try:
            records = list(itertools.islice(reader, _SNIFF_ROWS))
        except csv.Error:
            continue
        if truncated and 1 < len(records) < _SNIFF_ROWS:
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
    """:func:`parse_csv_bytes` of a text."""
    return parse_csv_bytes(text.encode("utf-8"), delimiter, name)


def parse_csv_bytes(data: bytes, delimiter: str, name: str = "the file") -> pd.DataFrame:
    """RFC 4180 parsing (quoted fields may hold delimiters, quotes and line breaks) of UTF-8
    bytes into a frame of strings (categorical columns); short rows are padded and empty
    trailing lines dropped.

    pandas' C parser does the work, a block of rows at a time; rows wider than the first fall
    back to the csv module.
    """
    try:
        blocks = pd.read_csv(
            io.BytesIO(data),
            sep=delimiter,
            header=None,
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
            chunksize=CHUNK_ROWS,
        )
        columns = _Columns()
        with blocks:
            for block in blocks:
                columns.add(block)
        frame = columns.frame()
    except pd.errors.EmptyDataError:
        return pd.DataFrame(dtype=object)
    except (pd.errors.ParserError, ValueError):
        frame = _parse_with_csv_module(data.decode("utf-8"), delimiter, name)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return frame.iloc[: _last_nonempty(frame)]


def _last_nonempty(frame: pd.DataFrame) -> int:
    """The number of rows up to the last one with a non-empty cell."""
    last = 0
    for key in frame.columns:
        column = frame[key]
        if isinstance(column.dtype, pd.CategoricalDtype):
            texts = column.cat.categories
            blank = np.append(texts.to_numpy(dtype=object) == "", True)  # code -1: blank
            filled = np.flatnonzero(~blank[column.cat.codes.to_numpy()])
        else:
            filled = np.flatnonzero((column != "").to_numpy())
        if filled.size:
            last = max(last, int(filled[-1]) + 1)
    return last


class _Columns:
    """Per column, the codes of each block into that block's distinct texts; joined at the end
    into one categorical column (codes as small as the number of distinct texts allows)."""

    def __init__(self) -> None:
        self.codes: list[list[np.ndarray]] = []
        self.texts: list[list[np.ndarray]] = []
        self.rows = 0

    def add(self, block: pd.DataFrame) -> None:
        width = block.shape[1]
        if self.codes and width != len(self.codes):
            raise pd.errors.ParserError("rows of different widths")
        if not self.codes:
            self.codes = [[] for _ in range(width)]
            self.texts = [[] for _ in range(width)]
        for j in range(width):
            codes, texts = pd.factorize(block.iloc[:, j].to_numpy(dtype=object), sort=False)
            self.codes[j].append(codes.astype(_code_dtype(len(texts))))
            self.texts[j].append(np.asarray(texts, dtype=object))
        self.rows += len(block)

    def frame(self) -> pd.DataFrame:
        if not self.codes:
            raise pd.errors.EmptyDataError("no rows")
        return pd.DataFrame({j: self._column(j) for j in range(len(self.codes))})

    def _column(self, j: int) -> pd.Categorical:
        texts = self.texts[j]
        both = np.concatenate(texts) if len(texts) > 1 else texts[0]
        remap, distinct = pd.factorize(both, sort=False)
        dtype = _code_dtype(len(distinct))
        out = np.empty(self.rows, dtype=dtype)
        at = offset = 0
        for codes, block_texts in zip(self.codes[j], texts, strict=True):
            out[at : at + len(codes)] = remap[offset : offset + len(block_texts)][codes]
            at += len(codes)
            offset += len(block_texts)
        self.codes[j], self.texts[j] = [], []  # release the blocks as the column is built
        return pd.Categorical.from_codes(out, categories=pd.Index(distinct, dtype=object))


def _parse_with_csv_module(text: str, delimiter: str, name: str) -> pd.DataFrame:
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False))
    except csv.Error as exc:
        raise ResponseDataError(
            [{"reason": f"is not readable as delimited text: {exc}"}], context=name
        ) from None
    return RawTable.from_rows(rows, source=name).frame

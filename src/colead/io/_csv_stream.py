"""A CSV or TSV file read a block of rows at a time, in memory that does not grow with the file
(what ``read_responses(chunksize=)`` reads).

The same rules as :func:`colead.io._table.read_table`: the encoding is decided from the first
megabyte (a byte-order mark; else UTF-8 if it decodes; else UTF-16 by its zero bytes; else
Windows-1252), NUL characters are removed and no-break spaces become spaces, the delimiter is
sniffed from the first records, columns are categorical, CSV-neutralised cells lose their
apostrophe and blank lines at the end of the file are dropped (blank lines inside it are rows).
The text is re-encoded to UTF-8 on the way to pandas' C parser.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.io._table import (
    _BOMS,
    _XLSX_MAGIC,
    _code_dtype,
    _Columns,
    _last_nonempty,
    sniff_delimiter,
    source_name,
    without_csv_prefix,
)

__all__ = ["CsvStream", "join_rows", "open_csv"]

_HEAD_BYTES = 1 << 20
_READ_BYTES = 1 << 20


class _Recoded(io.RawIOBase):
    """The file's text as UTF-8 bytes, decoded a megabyte at a time: NUL characters removed,
    no-break spaces as spaces. A UTF-8 file that stops decoding is a clear error."""

    def __init__(self, raw: IO[bytes], head: bytes, encoding: str, name: str) -> None:
        self.raw, self.pending, self.name = raw, head, name
        errors = "replace" if encoding == "cp1252" else "strict"
        self.decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
        self.encoding = encoding
        self.out = b""
        self.done = False
        self.position = 0  # bytes of the file decoded so far
        self.nul = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.out and not self.done:
            data = self.pending or self.raw.read(_READ_BYTES)
            self.pending = b""
            final = not data
            try:
                text = self.decoder.decode(data, final=final)
            except UnicodeDecodeError as exc:
                raise ResponseDataError(
                    [
                        {
                            "reason": f"byte {self.position + exc.start} is not "
                            f"{self.encoding}, though the start of the file is; read the file "
                            "without chunksize, which falls back to Windows-1252"
                        }
                    ],
                    context=self.name,
                ) from None
            self.position += len(data)
            if "\x00" in text:
                self.nul += text.count("\x00")
                text = text.replace("\x00", "")
            self.out = text.replace("\u00a0", " ").encode("utf-8")
            self.done = final
        size = min(len(buffer), len(self.out))
        buffer[:size] = self.out[:size]
        self.out = self.out[size:]
        return size


class CsvStream:
    """Blocks of rows of a delimited file: :meth:`read` gives up to ``n`` rows as a frame of
    categorical columns, or None at the end."""

    def __init__(self, raw: IO[bytes], head: bytes, name: str, owned: bool) -> None:
        self.name = name
        self._raw, self._owned = raw, owned
        encoding, skip, notes = _encoding(head)
        self.encoding, self.notes = encoding, notes
        self._recoded = _Recoded(raw, head[skip:], encoding, name)
        sample = head[skip:].decode(encoding, errors="ignore")
        self.delimiter = sniff_delimiter(sample, truncated=len(head) >= _HEAD_BYTES)
        self._closed = False
        try:
            self._reader = pd.read_csv(
                io.BufferedReader(self._recoded, buffer_size=_READ_BYTES),
                sep=self.delimiter,
                header=None,
                dtype=object,
                na_filter=False,
                skip_blank_lines=False,
                engine="c",
                encoding="utf-8",
                chunksize=1,  # each read names its own size
            )
        except pd.errors.EmptyDataError:
            self.close()
            raise ResponseDataError([{"reason": "the file is empty"}], context=name) from None
        self.rows = 0  # rows of the file handed out so far
        self._blank = 0  # blank rows held back: trailing ones are dropped
        self._width: int | None = None
        self._nul_reported = 0

    def read(self, n: int) -> pd.DataFrame | None:
        """The next ``n`` rows (fewer at the end; None when none is left). Blank rows are held
        back until a later row shows they are not the file's trailing blank lines."""
        frames: list[pd.DataFrame] = []
        wanted = n
        while wanted > 0 and not self._closed:
            try:
                block = self._reader.get_chunk(wanted)
            except StopIteration:
                self.close()
                break
            except (pd.errors.ParserError, ValueError) as exc:
                self.close()
                raise ResponseDataError(
                    [{"reason": f"is not readable in chunks ({exc}); read it without chunksize, "
                                "which also reads rows wider than the first"}],
                    context=self.name,
                ) from None  # fmt: skip
            if self._width is None:
                self._width = block.shape[1]
            if self._blank:
                blank = pd.DataFrame("", index=range(self._blank), columns=block.columns)
                block = pd.concat([blank, block], ignore_index=True)
                self._blank = 0
            columns = _Columns()
            columns.add(block)
            frame = columns.frame()
            last = _last_nonempty(frame)
            self._blank = len(frame) - last
            frame = frame.iloc[:last]
            if len(frame):
                frames.append(without_csv_prefix(frame))
            wanted = n - sum(len(f) for f in frames)
        if not frames:
            return None
        frame = frames[0] if len(frames) == 1 else join_rows(frames)
        frame.columns = pd.RangeIndex(frame.shape[1])
        self.rows += len(frame)
        return frame.reset_index(drop=True)

    def close(self) -> None:
        """Close the file (when colead opened it) and the parser."""
        if self._closed:
            return
        self._closed = True
        reader = getattr(self, "_reader", None)
        if reader is not None:
            reader.close()
        if self._owned:
            self._raw.close()

    def new_notes(self) -> tuple[str, ...]:
        """NUL characters removed since the last call (as the whole-file reader notes them)."""
        removed = self._recoded.nul - self._nul_reported
        self._nul_reported = self._recoded.nul
        return (f"removed {removed} NUL characters",) if removed else ()


def join_rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns one below the other; categorical columns stay categorical
    (their categories joined)."""
    out = {}
    for key in frames[0].columns:
        parts = [f[key] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            out[key] = _union([p.array for p in parts])
        else:
            out[key] = np.concatenate([p.to_numpy(dtype=object) for p in parts])
    return pd.DataFrame(out)


def _union(parts: list[Any]) -> pd.Categorical:
    """Categoricals one after the other, their categories (object texts) joined."""
    texts = np.concatenate([p.categories.to_numpy(dtype=object) for p in parts])
    remap, distinct = pd.factorize(texts, sort=False)
    codes, offset = [], 0
    for p in parts:
        table = np.append(remap[offset : offset + len(p.categories)], -1)
        codes.append(table[p.codes])
        offset += len(p.categories)
    return pd.Categorical.from_codes(
        np.concatenate(codes).astype(_code_dtype(len(distinct))),
        categories=pd.Index(distinct, dtype=object),
    )


def open_csv(source: str | os.PathLike[str] | IO[Any] | bytes) -> CsvStream | None:
    """A :class:`CsvStream` over a path, a binary or text file object, or bytes; None for an
    XLSX workbook (read whole)."""
    name = source_name(source)
    raw: IO[bytes]
    if isinstance(source, bytes | bytearray | memoryview):
        raw = io.BytesIO(bytes(source))
    elif isinstance(source, str | os.PathLike):
        try:
            raw = Path(source).open("rb")
        except OSError as exc:
            raise ResponseDataError(
                [{"reason": f"cannot read {os.fspath(source)!r}: {exc.strerror or exc}"}],
                context=name,
            ) from None
    elif callable(getattr(source, "read", None)):
        probe = source.read(0)
        raw = io.BytesIO(source.read().encode("utf-8")) if isinstance(probe, str) else source
    else:
        raise InvalidParameterError(
            "The 'source' parameter of read_responses must be a path, a file object, bytes "
            f"or a DataFrame; got {type(source).__name__}."
        )
    owned = isinstance(source, str | os.PathLike)
    head = raw.read(_HEAD_BYTES)
    if head.startswith(_XLSX_MAGIC):
        if owned:
            raw.close()
        return None
    return CsvStream(raw, head, name, owned)


def _encoding(head: bytes) -> tuple[str, int, tuple[str, ...]]:
    """Encoding, byte-order mark length and notes, from the file's first megabyte."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding, len(bom), ()
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8", 0, ()
    except UnicodeDecodeError:
        pass
    sample = head[:2000]
    if len(sample) >= 4 and sample.count(0) > len(sample) // 4:
        little = sample[1::2].count(0) > sample[0::2].count(0)
        return ("utf-16-le" if little else "utf-16-be"), 0, ()
    return "cp1252", 0, ("the file is not UTF-8; read as Windows-1252 (check accented letters)",)


def blocks(stream: CsvStream, n: int) -> Iterator[pd.DataFrame]:
    """Every remaining block of ``n`` rows."""
    while (frame := stream.read(n)) is not None:
        yield frame

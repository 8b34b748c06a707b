"""``read_responses(chunksize=)``: a large export read a block of rows at a time.

The header rows are read once (platform and layout detected on them); every block is then
read as a file of those header rows and the block's rows would be, with the row numbers of the
whole file, and respondent ids kept by earlier blocks counted as duplicates. Memory holds one
block, the header rows and 8 bytes per kept respondent id.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import IO, Any

import pandas as pd

from colead.exceptions import ResponseDataError
from colead.instrument import Instrument
from colead.io._assemble import SeenIds
from colead.io._csv_stream import CsvStream, join_rows, open_csv
from colead.io._decode import ReadOptions, responses_from_export
from colead.io._platforms import READERS, detect, read_export
from colead.io._raw import RawTable
from colead.io.responses import Responses

__all__ = ["read_chunks"]

#: Rows read first, to find the platform and its header rows.
HEAD_ROWS = 16


def read_chunks(
    source: str | os.PathLike[str] | IO[Any] | bytes | pd.DataFrame,
    inst: Instrument,
    options: ReadOptions,
    chunksize: int,
) -> Iterator[Responses]:
    """Responses of ``chunksize`` data rows each. The header is read (and the platform
    detected) now, so that an unreadable file or layout fails at the call; the rows are read
    as the iterator is consumed."""
    stream = None if isinstance(source, pd.DataFrame) else open_csv(source)
    if stream is None:  # a DataFrame or a workbook: read whole, one chunk
        whole = read_export(source, platform=options.platform)
        return iter([responses_from_export(whole, inst, options)])
    try:
        head = stream.read(HEAD_ROWS)
        if head is None or head.shape[1] == 0:
            raise ResponseDataError([{"reason": "the file is empty"}], context=stream.name)
        table = _table(stream, head, stream.notes)
        platform = detect(table) if options.platform == "auto" else options.platform
        export = READERS[platform](table)
    except BaseException:
        stream.close()
        raise
    header_rows = int(export.row_numbers[0]) - 1 if export.n_rows else len(head)
    return _chunks(stream, inst, options, chunksize, platform, head, header_rows)


def _chunks(
    stream: CsvStream,
    inst: Instrument,
    options: ReadOptions,
    chunksize: int,
    platform: str,
    head: pd.DataFrame,
    header_rows: int,
) -> Iterator[Responses]:
    try:
        yield from _blocks(stream, inst, options, chunksize, platform, head, header_rows)
    finally:  # also when the caller stops early, or a chunk raises
        stream.close()


def _blocks(
    stream: CsvStream,
    inst: Instrument,
    options: ReadOptions,
    chunksize: int,
    platform: str,
    head: pd.DataFrame,
    header_rows: int,
) -> Iterator[Responses]:
    header = head.iloc[:header_rows]
    pending = head.iloc[header_rows:]
    first_row = header_rows  # 0-based file row of the next data row
    seen = SeenIds()
    notes = stream.notes
    while True:
        rows = [pending] if len(pending) else []
        more = stream.read(chunksize - len(pending)) if len(pending) < chunksize else None
        if more is not None:
            rows.append(more)
        if not rows:
            return
        body = rows[0] if len(rows) == 1 else join_rows(rows)
        chunk, pending = body.iloc[:chunksize], body.iloc[chunksize:]
        table = _table(stream, join_rows([header, chunk]), notes + stream.new_notes())
        notes = ()
        export = READERS[platform](table)
        shift = first_row - header_rows  # local row numbers -> the file's
        export = dataclasses.replace(export, row_numbers=export.row_numbers + shift)
        yield responses_from_export(export, inst, options, seen)
        first_row += len(chunk)


def _table(stream: CsvStream, frame: pd.DataFrame, notes: tuple[str, ...]) -> RawTable:
    frame = frame.reset_index(drop=True)
    frame.columns = pd.RangeIndex(frame.shape[1])
    return RawTable(frame=frame, source=stream.name, encoding=stream.encoding,
                    delimiter=stream.delimiter, notes=notes)  # fmt: skip

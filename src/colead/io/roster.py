"""Reading a roster: how many people each group (school) has, for response rates.

A roster is a small table (CSV, TSV or XLSX) with one row per group: the group's id in the
column named like the grouping column (``school_id``), its size in ``size`` (or
``n_teachers``, ``n_invited``) and optionally a display ``name``. Every problem is collected
before one :class:`~colead.exceptions.ResponseDataError` is raised.
"""

from __future__ import annotations

import csv
import io
import os
from typing import IO, Any

import pandas as pd

from colead._text import shorten
from colead.exceptions import InvalidParameterError, ResponseDataError

__all__ = ["SIZE_COLUMNS", "read_roster"]

#: Headers taken as a group's size, first match wins.
SIZE_COLUMNS = ("size", "n_teachers", "n_invited")


def read_roster(
    source: str | os.PathLike[str] | IO[Any] | bytes, *, by: str = "school_id"
) -> pd.DataFrame:
    """Read a roster of group sizes.

    Parameters
    ----------
    source : path, file object or bytes
        A CSV, TSV or XLSX file with a header row.
    by : str, default "school_id"
        The header of the column holding the group ids (as in the responses).

    Returns
    -------
    DataFrame
        One row per group: ``by`` (the id as text, spaces trimmed, so ``101`` matches a
        school ``"101"`` of the responses), ``size`` (int) and, when the roster has it,
        ``name``.

    Raises
    ------
    ResponseDataError
        Listing every problem: a file that cannot be read or parsed (an unclosed quote), no
        rows, no ``by`` or size column, a blank or repeated group id, a size that is blank,
        not a whole number, or below 1.
    """
    from colead.io._table import _read_bytes, decode, sniff_delimiter, source_name

    if not isinstance(by, str) or not by:
        raise InvalidParameterError(
            f"The 'by' parameter of read_roster must be a column name; got {by!r}."
        )
    name = source_name(source)
    data = _read_bytes(source, name)
    if data.startswith(b"PK\x03\x04"):
        from colead.io._xlsx import read_xlsx

        rows = [list(r) for r in read_xlsx(data, name).frame.itertuples(index=False)]
    else:
        text, _, _ = decode(data, name)
        rows = _parse(text, sniff_delimiter(text), name)
    rows = [r for r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise ResponseDataError([{"reason": "the roster is empty"}], context=name)
    return _table(rows, by, name)


def _parse(text: str, delimiter: str, name: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    try:
        rows.extend(reader)
    except csv.Error as exc:
        row = len(rows) + 1
        reason = (
            "a quote opened in this row is never closed"
            if "end of data" in str(exc)
            else f"cannot be parsed ({exc}); quote a cell that holds quotes or the delimiter"
        )
        raise ResponseDataError([{"row": row, "reason": reason}], context=name) from None
    return rows


def _table(rows: list[list[str]], by: str, name: str) -> pd.DataFrame:
    header = [str(h).strip() for h in rows[0]]
    folded = [h.casefold() for h in header]
    problems: list[dict[str, Any]] = []
    id_at = folded.index(by.casefold()) if by.casefold() in folded else None
    size_at = next((folded.index(c) for c in SIZE_COLUMNS if c in folded), None)
    name_at = folded.index("name") if "name" in folded else None
    if id_at is None:
        shown = ", ".join(repr(shorten(h, 30)) for h in header[:8])
        more = f" and {len(header) - 8} more" if len(header) > 8 else ""
        problems.append({"column": by, "reason": "the roster has no column for the group ids; "
                         f"its columns: {shown}{more}"})
    if size_at is None:
        problems.append({"reason": "the roster has no size column (size, n_teachers or "
                         "n_invited): the number of people asked in each group"})
    if len(rows) == 1:
        problems.append({"reason": "the roster has a header row but no groups"})
    if problems or id_at is None or size_at is None:
        raise ResponseDataError(problems, context=name)
    ids: list[str] = []
    sizes: list[int] = []
    names: list[str] = []
    first_row: dict[str, int] = {}
    id_header, size_header = header[id_at], header[size_at]
    for number, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() for c in row] + [""] * (len(header) - len(row))
        group, size = cells[id_at], cells[size_at]
        if not group:
            problems.append({"row": number, "column": id_header, "reason": "no group id"})
        elif group in first_row:
            problems.append({"row": number, "column": id_header, "value": group,
                             "reason": f"listed twice (first on row {first_row[group]})"})
        else:
            first_row[group] = number
        count = _size(size)
        if isinstance(count, str):
            problems.append({"row": number, "column": size_header,
                             "value": size or None, "reason": count})
        ids.append(group)
        sizes.append(count if isinstance(count, int) else 0)
        names.append(cells[name_at] if name_at is not None else "")
    if problems:
        raise ResponseDataError(problems, context=name)
    out = pd.DataFrame({by: pd.Series(ids, dtype=object), "size": pd.Series(sizes, dtype="int64")})
    if name_at is not None:
        out["name"] = names
    return out


def _size(text: str) -> int | str:
    """The size, or the reason it is not one."""
    if not text:
        return "no size"
    try:
        value = float(text)
    except ValueError:
        return "not a number"
    if value != value or not value.is_integer():
        return "not a whole number"
    if value < 1:
        return "a group size must be at least 1"
    return int(value)

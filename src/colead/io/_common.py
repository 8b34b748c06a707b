"""Small helpers shared by the platform modules."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
from collections.abc import Iterable, Sequence
from typing import IO, Any

import numpy as np


def format_number(x: float) -> str:
    """A number as a survey platform writes it: ``4`` not ``4.0``; empty for NaN."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def format_numbers(values: np.ndarray) -> np.ndarray:
    """:func:`format_number` for a whole float array at once (an object array of str)."""
    values = np.asarray(values, dtype=float)
    out = np.full(values.shape, "", dtype=object)
    answered = ~np.isnan(values)
    whole = answered & (values == np.round(values)) & (np.abs(values) < 2**53)
    out[whole] = values[whole].astype(np.int64).astype(str).astype(object)
    rest = answered & ~whole
    out[rest] = [repr(float(v)) for v in values[rest]]
    return out


def joined_choices(data: Any, instrument: Any, item_id: str, *, labels: bool,
                   separator: str) -> np.ndarray:
    """The ticked options of a multiple-choice item joined in one cell, as platforms that
    do not split checkbox questions write them (empty when the question was skipped)."""
    rs = instrument.response_scale_of(item_id)
    block = data[list(instrument.data_columns(item_id))].to_numpy(dtype=float)
    names = [label if labels else f"{value:g}" for value, label in rs.labels]
    out = np.full(len(block), "", dtype=object)
    for row in np.flatnonzero(~np.isnan(block).any(axis=1)):
        out[row] = separator.join(n for n, ticked in zip(names, block[row], strict=True) if ticked)
    return out


def stable_token(seed: str, length: int = 15) -> str:
    """A fixed pseudo-random token of letters and digits derived from ``seed``."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    number = int.from_bytes(hashlib.sha256(seed.encode()).digest(), "big")
    chars = []
    for _ in range(length):
        number, rem = divmod(number, len(alphabet))
        chars.append(alphabet[rem])
    return "".join(chars)


def write_rows(
    target: str | os.PathLike[str] | IO[str],
    rows: Iterable[Sequence[Any]],
    *,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    bom: bool = False,
) -> None:
    """Write rows as RFC 4180 CSV to a path (whole or not at all) or an open text file."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerows(rows)
    text = ("\ufeff" if bom else "") + buffer.getvalue()
    if hasattr(target, "write"):
        target.write(text)  # type: ignore[union-attr]
    else:
        from colead._files import write_text

        write_text(target, text, newline="")  # type: ignore[arg-type]

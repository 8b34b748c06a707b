"""``RawTable``: the cells of a file as text, before any platform is assumed (what the CSV and
XLSX readers produce and every platform reader consumes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["RawTable"]


@dataclass(frozen=True)
class RawTable:
    """The cells of a file as text, before any platform is assumed.

    ``frame`` holds every row (header rows included) as strings, ``""`` for an empty cell;
    its columns are the positions 0, 1, ... A CSV file's columns are categorical (codes into
    each column's distinct texts, see ``_table``); compare, ``.str`` and factorize them as
    any column of strings.
    """

    frame: pd.DataFrame
    source: str
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def width(self) -> int:
        return self.frame.shape[1]

    def row(self, index: int) -> list[str]:
        """One row as a list of strings (empty cells as ``""``)."""
        if index >= len(self.frame):
            return [""] * self.width
        # column by column: a row across categorical columns would first look for the
        # columns' common type
        return [str(self.frame.iat[index, j]) for j in range(self.width)]

    @classmethod
    def from_rows(cls, rows: list[list[str]], **kwargs: Any) -> RawTable:
        width = max((len(r) for r in rows), default=0)
        padded = [r + [""] * (width - len(r)) for r in rows]
        frame = pd.DataFrame(padded, columns=range(width), dtype=object)
        return cls(frame=frame, **kwargs)

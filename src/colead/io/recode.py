"""Answers as text -> numbers on the instrument's response scales.

Each column is decoded through its item's response scale, one distinct answer at a time (a
column of 100,000 answers has a handful of distinct ones). Accepted: the scale's values
(``5``, ``5.0``), its labels in any case and spacing, and both at once (``5 = Strongly
agree``, ``5 - Strongly agree``, ``Strongly agree (5)``). Missing labels and codes (the
instrument's, plus "Not applicable", "Don't know", "Prefer not to answer") become NaN, as do
Qualtrics' -99 and negative recodes. A missing answer option (``{value: 8, label: "Don't
know"}``) is read as missing by its code, by its label in any of the instrument's languages,
and by both (``8 = Don't know``). Anything else is a problem, reported cell by cell.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from colead.instrument import Instrument, ResponseScale
from colead.privacy import quote_cell

__all__ = ["decode_columns"]

#: Labels that mean "no answer" on any scale.
MISSING_LABELS = frozenset(
    {
        "not applicable",
        "n/a",
        "na",
        "don't know",
        "dont know",
        "do not know",
        "prefer not to answer",
        "prefer not to say",
        "no answer",
    }
)
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[-+]?\d+,\d{1,2}$")
_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
# "5 = Strongly agree", "5 - Strongly agree", "5. Strongly agree", "5) ...", "(5) ..."
_NUMBER_FIRST = re.compile(r"^\(?([-+]?\d+(?:\.\d+)?)\)?\s*[=:.)\-]?\s+(.+)$")
# "Strongly agree (5)", "Strongly agree = 5", "Strongly agree - 5"
_NUMBER_LAST = re.compile(r"^(.+?)\s*(?:\(([-+]?\d+(?:\.\d+)?)\)|[=\-:]\s*([-+]?\d+(?:\.\d+)?))$")


def normalise_label(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold().rstrip(".").strip()


def parse_number(text: str, *, decimal_comma: bool = False) -> float | None:
    """A number written as platforms write them, or None."""
    if _NUMBER.match(text):
        return float(text)
    if _THOUSANDS.match(text):
        return float(text.replace(",", ""))
    if decimal_comma and _DECIMAL_COMMA.match(text):
        return float(text.replace(",", "."))
    return None


def describe_points(rs: ResponseScale) -> str:
    """``1 Never, 2-6, 7 Always``: each label with its value, runs of unlabelled points
    as a range."""
    named = dict(rs.labels)
    parts: list[str] = []
    run: list[float] = []
    for v in [*rs.values, None]:
        if v is not None and v not in named:
            run.append(v)
            continue
        if run:
            parts.append(f"{run[0]:g}" if len(run) == 1 else f"{run[0]:g}-{run[-1]:g}")
            run = []
        if v is not None:
            parts.append(f"{v:g} {named[v]}")
    return ", ".join(parts)


@dataclass
class Decoder:
    """Decodes the answers of one response scale; remembers what it did."""

    scale: ResponseScale
    negative_codes_missing: bool = False
    by_label: dict[str, float] = field(init=False)
    missing_labels: set[str] = field(init=False)
    missing_codes: set[float] = field(init=False)
    points: frozenset[float] = field(init=False)

    variants: dict[float, list[str]] = field(default_factory=dict)
    missing_variants: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_label = {normalise_label(label): float(v) for v, label in self.scale.labels}
        for value, texts in self.variants.items():  # the labels in other languages
            self.by_label.update({normalise_label(t): float(value) for t in texts})
        self.missing_labels = set(MISSING_LABELS) | {
            normalise_label(m) for m in [*self.scale.missing_labels, *self.missing_variants]
        }
        self.missing_codes = {float(m) for m in self.scale.missing_codes}
        self.points = frozenset(float(v) for v in self.scale.values)

    def valid(self, x: float) -> bool:
        rs = self.scale
        if rs.labels:  # every point, labelled or not (2 on a 1-7 scale labelled at its ends)
            return x in self.points
        return (rs.min is None or x >= rs.min) and (rs.max is None or x <= rs.max)

    def describe(self) -> str:
        rs = self.scale
        if rs.labels:
            return f"response scale {rs.id!r} ({describe_points(rs)})"
        lo = "-inf" if rs.min is None else f"{rs.min:g}"
        hi = "inf" if rs.max is None else f"{rs.max:g}"
        return f"response scale {rs.id!r} (numbers from {lo} to {hi})"

    def decode(self, raw: str) -> tuple[float, str]:
        """``(value, kind)`` for an answer, kind naming how it was read; ``kind`` starts with
        ``problem:`` for an answer that cannot be read, followed by the reason."""
        text = _SPACE.sub(" ", raw).strip()
        if not text:
            return math.nan, "blank"
        key = normalise_label(text)
        if key in self.missing_labels:
            return math.nan, "missing_label"
        number = parse_number(text, decimal_comma=self.scale.type == "numeric")
        if number is not None:
            return self._number(number)
        if key in self.by_label:
            return self.by_label[key], "label"
        return self._combined(text)

    def _number(self, number: float) -> tuple[float, str]:
        if number in self.missing_codes:
            return math.nan, "missing_code"
        if self.valid(number):
            return number, "number"
        if self.negative_codes_missing and number < 0:
            return math.nan, "missing_code"
        return math.nan, f"problem:{number:g} is not a value of {self.describe()}"

    def _combined(self, text: str) -> tuple[float, str]:
        first, last = _NUMBER_FIRST.match(text), _NUMBER_LAST.match(text)
        if first:
            number, label = float(first[1]), first[2]
        elif last:
            number, label = float(last[2] or last[3]), last[1]
        else:
            return math.nan, f"problem:not a label or value of {self.describe()}"
        key = normalise_label(label)
        if key in self.missing_labels:
            return math.nan, "missing_label"
        if key in self.by_label:
            if self.by_label[key] == number:
                return number, "number_and_label"
            return math.nan, (
                f"problem:the number {number:g} and the label {quote_cell(label)!r} "
                f"({self.by_label[key]:g}) disagree"
            )
        if self.valid(number):
            return number, "number_with_other_label"
        return math.nan, f"problem:not a label or value of {self.describe()}"


def label_variants(instrument: Instrument, rs: ResponseScale) -> dict[float, list[str]]:
    """Each value's labels in the instrument's other languages."""
    return {float(v): instrument.variants(f"label:{rs.id}:{v:g}") for v in rs.values}


def missing_variants(instrument: Instrument, rs: ResponseScale) -> list[str]:
    """The labels of the scale's missing answer options in the instrument's other languages."""
    return [
        text
        for code, _ in rs.missing_options
        for text in instrument.variants(f"missing:{rs.id}:{code:g}")
    ]


def decode_columns(
    cells: pd.DataFrame,
    positions: dict[str, int],
    labels: dict[str, str],
    row_numbers: np.ndarray,
    instrument: Instrument,
    *,
    negative_codes_missing: bool = False,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, int]]:
    """Decode the mapped columns.

    ``positions`` maps item id -> column position in ``cells``; ``labels`` maps item id -> the
    column's name for messages. Returns the values (one float column per item), every problem
    cell as ``{row, column, value, reason}``, and how many cells were read each way.
    """
    decoded, problems, counts = decode_codes(
        cells, positions, labels, row_numbers, instrument,
        negative_codes_missing=negative_codes_missing,
    )  # fmt: skip
    values = {item: table[codes] for item, (codes, table) in decoded.items()}
    frame = pd.DataFrame(values, index=cells.index) if values else pd.DataFrame(index=cells.index)
    return frame, problems, counts


def column_codes(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """A column's codes into its distinct texts (-1 for none), as small integers: a
    categorical column's own codes, else ``pd.factorize``'s."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories.to_numpy(dtype=object)
    codes, uniques = pd.factorize(column, sort=False)
    small = np.int8 if len(uniques) < 127 else np.int16 if len(uniques) < 32767 else np.int32
    return codes.astype(small), np.asarray(uniques, dtype=object)


def decode_codes(
    cells: pd.DataFrame,
    positions: dict[str, int],
    labels: dict[str, str],
    row_numbers: np.ndarray,
    instrument: Instrument,
    *,
    negative_codes_missing: bool = False,
) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], list[dict[str, Any]], dict[str, int]]:
    """:func:`decode_columns` without the values spelled out: per item the codes of its cells
    and the value of each code (``table[codes]`` are the values; the last entry of ``table``
    is NaN, for code -1). A million rows of 150 items take 150 MB this way instead of 1.2 GB,
    until the caller knows which rows it keeps."""
    decoders: dict[str, Decoder] = {}
    decoded: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    problems: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    for item_id, position in positions.items():
        rs = instrument.response_scale_of(item_id)
        if rs.id not in decoders:
            decoders[rs.id] = Decoder(
                rs,
                negative_codes_missing,
                label_variants(instrument, rs),
                missing_variants(instrument, rs),
            )
        decoder = decoders[rs.id]
        codes, uniques = column_codes(cells[position])
        read = [decoder.decode(str(u)) for u in uniques]
        decoded[item_id] = (codes, np.array([v for v, _ in read] + [math.nan], dtype=float))
        tally = np.bincount(codes[codes >= 0], minlength=len(uniques))
        for (_, kind), n in zip(read, tally, strict=True):
            if kind.startswith("problem:") or not n:
                continue
            counts[kind] = counts.get(kind, 0) + int(n)
        problems += cell_problems(codes, uniques, [k for _, k in read], row_numbers,
                                  labels[item_id])
    problems.sort(key=lambda p: (p["row"], p["column"]))
    return decoded, problems, counts


def cell_problems(
    codes: np.ndarray, uniques: Any, kinds: list[str], row_numbers: np.ndarray, column: str
) -> list[dict[str, Any]]:
    """One problem per cell whose distinct answer (``uniques[codes[i]]``) was read as a
    ``problem:`` kind. The value is quoted as :func:`colead.privacy.quote_cell` allows: at
    most 40 characters, e-mail addresses and phone numbers masked."""
    bad = np.array([k.startswith("problem:") for k in kinds] + [False], dtype=bool)
    if not bad.any():
        return []
    shown = {c: quote_cell(uniques[c]) for c in np.flatnonzero(bad[:-1])}
    return [
        {
            "row": int(row_numbers[i]),
            "column": column,
            "value": shown[codes[i]],
            "reason": kinds[codes[i]].removeprefix("problem:"),
        }
        for i in np.flatnonzero(bad[codes])  # codes of -1 (NaN) pick the final False
    ]

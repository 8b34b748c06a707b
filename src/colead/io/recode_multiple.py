"""Multiple-choice (checkbox) answers -> one 0/1 column per option.

Platforms write a checkbox question in one of two ways. Joined in one cell: Google Sheets with
``", "``, the Forms download and Microsoft Forms with ``";"`` (a trailing one too), Qualtrics
with ``","``; options may themselves contain the separator ("Data management (GitHub, R)"), so
the known options are matched longest first. Or one column per option: REDCap ``var___code``
with 0/1 (or Checked/Unchecked), SurveyMonkey and LimeSurvey with the option (or ``Y``) or
nothing, Qualtrics split exports with 1 or nothing. A respondent who left every option blank
did not answer the question: all options are missing, not 0.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from colead.instrument import Instrument, ResponseScale
from colead.io.recode import MISSING_LABELS, cell_problems, label_variants, normalise_label
from colead.privacy import quote_cell

_CODE = re.compile(r"[-+]?\d+(?:\.\d+)?")
_SEPARATORS = " ;,"
TRUE_WORDS = frozenset({"1", "1.0", "y", "yes", "true", "checked", "selected"})
FALSE_WORDS = frozenset({"0", "0.0", "n", "no", "false", "unchecked", "not selected"})


class MultipleDecoder:
    """Decodes the answers of one multiple-choice response scale."""

    def __init__(self, scale: ResponseScale,
                 variants: dict[float, list[str]] | None = None) -> None:
        self.scale = scale
        self.codes = [float(v) for v in scale.values]
        texts = [(label, float(v)) for v, label in scale.labels] + [
            (t, value) for value, ts in (variants or {}).items() for t in ts]
        # longest labels first, so that an option holding a separator wins over its parts
        self.labels = sorted(((normalise_label(t), v) for t, v in texts),
                             key=lambda pair: -len(pair[0]))
        self.missing = set(MISSING_LABELS) | {normalise_label(m) for m in scale.missing_labels}

    def joined(self, raw: str) -> tuple[np.ndarray, str]:
        """The 0/1 vector of one joined cell, and how it was read (``problem:...`` if not)."""
        text = normalise_label(raw)
        if not text:
            return np.full(len(self.codes), math.nan), "blank"
        if text in self.missing:
            return np.full(len(self.codes), math.nan), "missing_label"
        chosen: set[float] = set()
        p = 0
        while p < len(text):
            while p < len(text) and text[p] in _SEPARATORS:
                p += 1
            if p >= len(text):
                break
            step = self._label_at(text, p) or self._code_at(text, p)
            if step is None:
                return (np.full(len(self.codes), math.nan),
                        f"problem:{quote_cell(text[p:])!r} is not an option of "
                        f"{self._describe()}")
            code, p = step
            chosen.add(code)
        return np.array([1.0 if c in chosen else 0.0 for c in self.codes]), "choices"

    def _label_at(self, text: str, p: int) -> tuple[float, int] | None:
        for label, code in self.labels:
            end = p + len(label)
            if text.startswith(label, p) and (end == len(text) or text[end] in _SEPARATORS):
                return code, end
        return None

    def _code_at(self, text: str, p: int) -> tuple[float, int] | None:
        match = _CODE.match(text, p)
        if match is None or (match.end() < len(text) and text[match.end()] not in _SEPARATORS):
            return None
        code = float(match.group())
        return (code, match.end()) if code in self.codes else None

    def option(self, raw: str, code: float) -> tuple[float, str]:
        """One option's own column: 1, 0, or NaN for a blank cell."""
        text = normalise_label(raw)
        if not text:
            return math.nan, "blank"
        names = {lab for lab, c in self.labels if c == code}
        label = normalise_label(dict(self.scale.labels)[code])
        if text in TRUE_WORDS or text in names or text == f"{code:g}":
            return 1.0, "choices"
        if text in FALSE_WORDS:
            return 0.0, "choices"
        return math.nan, f"problem:{quote_cell(raw)!r} is neither a tick nor option {label!r}"

    def _describe(self) -> str:
        shown = ", ".join(f"{v:g} {label}" for v, label in self.scale.labels)
        return f"response scale {self.scale.id!r} ({shown})"


def decode_multiple(
    cells: pd.DataFrame,
    joined: dict[str, int],
    split: dict[str, dict[float, int]],
    labels: dict[str, str],
    row_numbers: np.ndarray,
    instrument: Instrument,
) -> tuple[pd.DataFrame, list[dict[str, Any]], dict[str, int]]:
    """Decode multiple-choice items mapped to one joined column (``joined``: item -> column
    position) or to one column per option (``split``: item -> {code: position}). Returns the
    ``<item>__<code>`` columns, the problems and the counts, as ``decode_columns`` does."""
    out: dict[str, np.ndarray] = {}
    problems: list[dict[str, Any]] = []
    counts: dict[str, int] = {}
    n = len(cells)
    for item_id, position in joined.items():
        rs = instrument.response_scale_of(item_id)
        decoder = MultipleDecoder(rs, label_variants(instrument, rs))
        codes, uniques = pd.factorize(cells[position], sort=False)
        decoded = [decoder.joined(str(u)) for u in uniques]
        block = np.vstack([v for v, _ in decoded] + [np.full(len(decoder.codes), math.nan)])[codes]
        _tally(decoded, codes, counts, problems, row_numbers, labels[item_id], uniques)
        for j, name in enumerate(instrument.data_columns(item_id)):
            out[name] = block[:, j]
    for item_id, by_code in split.items():
        rs = instrument.response_scale_of(item_id)
        decoder = MultipleDecoder(rs, label_variants(instrument, rs))
        block = np.full((n, len(decoder.codes)), math.nan)
        for j, code in enumerate(decoder.codes):
            position = by_code[code]
            codes, uniques = pd.factorize(cells[position], sort=False)
            ticks = [decoder.option(str(u), code) for u in uniques]
            block[:, j] = np.array([v for v, _ in ticks] + [math.nan])[codes]
            _tally(ticks, codes, counts, problems, row_numbers, labels[f"{item_id}:{code:g}"],
                   uniques)
        answered = ~np.isnan(block).all(axis=1)  # a blank box beside a ticked one is 0
        block[answered] = np.nan_to_num(block[answered], nan=0.0)
        for j, name in enumerate(instrument.data_columns(item_id)):
            out[name] = block[:, j]
    return pd.DataFrame(out, index=cells.index), problems, counts


def _tally(decoded: list[tuple[Any, str]], codes: np.ndarray, counts: dict[str, int],
           problems: list[dict[str, Any]], row_numbers: np.ndarray, column: str,
           uniques: Any) -> None:
    tally = np.bincount(codes[codes >= 0], minlength=len(decoded))
    for (_, kind), count in zip(decoded, tally, strict=True):
        if not kind.startswith("problem:"):
            counts[kind] = counts.get(kind, 0) + int(count)
    problems += cell_problems(codes, uniques, [k for _, k in decoded], row_numbers, column)

"""The last step of :func:`colead.read_responses`: decoded item codes, the export's ids and
exclusions -> ``Responses`` (which rows are kept, and why the others are not)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pandas as pd

from colead.instrument import Instrument
from colead.io.export import Column, Export
from colead.io.mapping import ColumnMap
from colead.io.recode import column_codes
from colead.io.responses import ImportLog, Responses
from colead.privacy import looks_personal

__all__ = ["SeenIds", "assemble", "labeller"]


class SeenIds:
    """Respondent ids kept by earlier chunks of a file, as sorted 64-bit hashes (8 bytes per
    id), so that a duplicate in a later chunk is found (``read_responses(chunksize=)``)."""

    def __init__(self) -> None:
        self.hashes = np.empty(0, dtype=np.uint64)

    def check(self, ids: np.ndarray) -> np.ndarray:
        """Which of ``ids`` an earlier chunk kept."""
        hashed = pd.util.hash_array(np.asarray(ids, dtype=object))
        at = np.minimum(np.searchsorted(self.hashes, hashed), max(len(self.hashes) - 1, 0))
        return (self.hashes[at] == hashed) if len(self.hashes) else np.zeros(len(ids), bool)

    def add(self, ids: np.ndarray) -> None:
        hashed = pd.util.hash_array(np.asarray(ids, dtype=object))
        self.hashes = np.union1d(self.hashes, hashed)


def labeller(export: Export) -> Callable[[Column], str]:
    """How messages name a column: its header, with its place when the header is empty or
    shared. The headers are counted once (counting per column made wide files quadratic)."""
    same = Counter(c.name for c in export.columns)

    def label(column: Column) -> str:
        if column.name and same[column.name] == 1:
            return column.name
        return f"#{column.position + 1} {column.name}".strip()

    return label


def assemble(
    export: Export,
    inst: Instrument,
    column_map: ColumnMap,
    values: dict[str, tuple[np.ndarray, np.ndarray]],
    choices: pd.DataFrame,
    recoded: dict[str, int],
    school_column: Column | None,
    *,
    keep_incomplete: bool,
    keep_pii: bool,
    seen: SeenIds | None = None,
) -> Responses:
    """The kept rows' data and the import log. With ``seen`` (chunks of one file), an id
    that an earlier chunk kept is a duplicate too, and the ids kept here are added to it."""
    n = export.n_rows
    _label = labeller(export)
    reason = export.exclusions(column_map.positions).to_numpy(object)
    if keep_incomplete:
        reason = np.where(reason == "incomplete", "", reason)
    platform_ids = _stripped(export.response_ids)
    ids, id_note = _respondent_ids(export, platform_ids)
    answered = np.zeros(n, dtype=bool)
    for codes, table in values.values():
        answered |= ~np.isnan(table)[codes]
    if choices.shape[1]:
        answered |= choices.notna().any(axis=1).to_numpy()
    reason = np.where((reason == "") & ~answered, "empty", reason)
    kept_so_far = reason == ""
    ids_kept = pd.Series(platform_ids).where(kept_so_far & (platform_ids != ""))
    duplicated = (ids_kept.duplicated(keep="first") & ids_kept.notna()).to_numpy()
    if seen is not None:
        duplicated = duplicated | kept_so_far & (platform_ids != "") & seen.check(platform_ids)
    reason = np.where(kept_so_far & duplicated, "duplicate", reason)
    keep = reason == ""
    if seen is not None:
        seen.add(platform_ids[keep & (platform_ids != "")])

    found = set(column_map.items) | set(column_map.options)
    order = [c for i in inst.item_ids if i in found for c in inst.data_columns(i)]
    data = _item_frame(order, values, choices, keep)
    data.insert(0, "school_id", _schools(export, school_column)[keep])
    data.insert(0, "respondent_id", ids[keep].astype(object))
    # A personal column that holds the school (SurveyMonkey's Custom Data, say) is kept
    # as school_id, so it is not listed as removed.
    used = set(column_map.positions)
    if school_column is not None:
        used.add(school_column.position)
    personal = [c for c in export.columns_of("personal") if c.position not in used]
    pii_kept: tuple[str, ...] = ()
    if keep_pii and personal:
        extra = {
            _label(c): export.cells.loc[keep, c.position].to_numpy(dtype=object)
            for c in personal
        }
        data = pd.concat([data, pd.DataFrame(extra)], axis=1)
        pii_kept = tuple(extra)
    dropped = pd.DataFrame(
        {
            "row": export.row_numbers[~keep].astype("int64"),
            "respondent_id": ids[~keep].astype(object),
            "reason": reason[~keep].astype(object),
        }
    )
    school_position = school_column.position if school_column else None
    log = ImportLog(
        source=export.source,
        rows_read=n,
        rows_kept=int(keep.sum()),
        dropped=dropped,
        recoded={k: v for k, v in sorted(recoded.items())},
        unmapped_columns=tuple(
            _label(c) for c in column_map.unmapped if c.position != school_position
        ),
        items_not_found=tuple(i for i in column_map.missing if not inst.item(i).required),
        pii_removed=() if keep_pii else tuple(_label(c) for c in personal),
        pii_kept=pii_kept,
        no_school=int(data["school_id"].isna().sum()) if school_column is not None else 0,
        warnings=export.notes
        + ((id_note,) if id_note else ())
        + tuple(
            f"item {item_id!r}: several columns fit ("
            + ", ".join(_label(c) for c in cols)
            + "); none was used"
            for item_id, cols in column_map.ambiguous
        ),
    )
    return Responses(data=data, log=log, platform=export.platform, instrument=inst)


def _item_frame(
    order: list[str],
    values: dict[str, tuple[np.ndarray, np.ndarray]],
    choices: pd.DataFrame,
    keep: np.ndarray,
) -> pd.DataFrame:
    """The kept rows' item values as one float block, written once (no per-column frame,
    no consolidation copy, no row filter of a full-size copy)."""
    every = bool(keep.all())
    rows = slice(None) if every else np.flatnonzero(keep)
    block = np.empty((len(order), int(keep.sum())))  # one row per column: pandas' layout
    for j, name in enumerate(order):
        if name in values:
            codes, table = values[name]
            np.take(table, codes if every else codes[rows], out=block[j])
        else:
            block[j] = choices[name].to_numpy(dtype=float)[rows]
    return pd.DataFrame(block.T, columns=pd.Index(order), copy=False)


def _stripped(column: pd.Series) -> np.ndarray:
    """The texts of a column with spaces trimmed, as an object array (each distinct text
    trimmed once)."""
    codes, texts = column_codes(column)
    trimmed = np.array([str(t).strip() for t in texts] + [""], dtype=object)
    return trimmed[codes]


def _respondent_ids(export: Export, ids: np.ndarray) -> tuple[np.ndarray, str]:
    """The platform's response id (``ids``, trimmed); ``row<N>`` (the row's number in the
    file) where it has none, or where it looks like an e-mail address or a phone number, also
    written with full-width characters or percent-escapes (an id must never identify a
    person). Returns the ids and a warning for the log when some were replaced ("" otherwise).
    """
    codes, distinct = pd.factorize(ids, sort=False)
    distinct = np.asarray(distinct, dtype=object)
    # Letters, digits and underscores alone are never an e-mail address or a phone number
    # (looks_personal needs an @, a + or separators); only the other ids are examined.
    plain = pd.Series(distinct, dtype=object).str.fullmatch(r"[A-Za-z0-9_]*").to_numpy(bool)
    personal_distinct = np.zeros(len(distinct), dtype=bool)
    suspect = np.flatnonzero(~plain)
    personal_distinct[suspect] = [looks_personal(distinct[i]) for i in suspect]
    personal = personal_distinct[codes]
    replace = (ids == "") | personal
    out = ids.copy()
    out[replace] = [f"row{r}" for r in export.row_numbers[replace]]
    if not personal.any():
        return out, ""
    return out, (
        f"{int(personal.sum()):,} respondent id(s) looked like an e-mail address or a phone "
        "number and were replaced by the row number (row<N>)"
    )


def _schools(export: Export, column: Column | None) -> np.ndarray:
    if column is None:
        return np.full(export.n_rows, np.nan, dtype=object)
    codes, texts = column_codes(export.cells[column.position])
    # Spreadsheets turn a school code 12 into 12.0; read it back as the code.
    cleaned = pd.Series([str(t).strip() for t in texts], dtype=object).str.replace(
        r"^(\d+)\.0$", r"\1", regex=True
    )
    table = np.append(np.where(cleaned == "", np.nan, cleaned).astype(object), np.nan)
    return table[codes]

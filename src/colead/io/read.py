"""``read_responses``: a platform export -> clean item data, every row accounted for."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any, TypeAlias

import numpy as np
import pandas as pd

from colead._text import shorten
from colead.exceptions import ResponseDataError
from colead.instrument import Instrument, load_instrument
from colead.io._platforms import read_export
from colead.io.export import Column, Export
from colead.io.mapping import ColumnMap, map_columns, normalise_text, read_mapping
from colead.io.recode import column_codes, decode_codes
from colead.io.recode_multiple import decode_multiple
from colead.io.responses import ImportLog, Responses
from colead.privacy import looks_personal, normalise_header

__all__ = ["read_responses"]

Source: TypeAlias = str | os.PathLike[str] | IO[Any] | bytes | pd.DataFrame


def read_responses(
    source: Source,
    instrument: str | os.PathLike[str] | Instrument,
    *,
    platform: str = "auto",
    mapping: str | os.PathLike[str] | Mapping[str, str] | None = None,
    school: str | None = "school_id",
    keep_incomplete: bool = False,
    keep_pii: bool = False,
    items: Iterable[str] | None = None,
) -> Responses:
    """Read a survey-platform export and map it onto an instrument.

    Parameters
    ----------
    source : path, file object, bytes or DataFrame
        A CSV, TSV or XLSX export of Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms,
        LimeSurvey or REDCap, or a generic table with one header row.
    instrument : str, path or Instrument
        A bundled instrument name, an instrument file, or an Instrument.
    platform : str, default "auto"
        The layout, detected from the header rows unless named (see :func:`read_export`).
    mapping : dict or path, optional
        Column -> item id, for columns colead cannot match itself: a dict, a YAML file or a
        CSV file with columns ``column, item_id``. A column is named by its header, its
        question text, or ``#N`` for the N-th column. ``colead validate --write-mapping``
        drafts one.
    school : str or None, default "school_id"
        The column that holds each respondent's school (embedded data, a hidden field or a
        question), by header or question text. None reads no school.
    keep_incomplete : bool, default False
        Keep responses the platform marks unfinished (they are dropped and listed otherwise).
    keep_pii : bool, default False
        Keep personal columns (names, emails, IP addresses, ...) in ``data``; by default they
        are removed and listed in the log.
    items : iterable of str, optional
        Read only these items (item or scale ids); by default every item of the instrument.

    Returns
    -------
    Responses
        ``data`` with ``respondent_id`` (the platform's response id, or ``row<N>`` where the
        platform has none), ``school_id`` and one float column per item found; ``log``
        accounting for every row: ``rows_read == rows_kept + len(dropped)``.

    Raises
    ------
    ResponseDataError
        Listing every problem: each answer that is not a value or label of its item's response
        scale (row, column, value), each required item no column matched, a missing school
        column, an unreadable file.
    """
    inst = load_instrument(instrument)
    export = read_export(source, platform=platform)
    wanted = _wanted_items(inst, items)
    user_map = read_mapping(mapping) if mapping is not None else None
    column_map = map_columns(export, inst, wanted, user_map)
    school_column = _school_column(export, school, column_map)
    problems = _mapping_problems(export, inst, column_map, school_column, school, wanted)

    _label = _labeller(export)
    multiple = {i for i in column_map.items if inst.response_scale_of(i).type == "multiple"}
    positions = {i: c.position for i, c in column_map.items.items() if i not in multiple}
    labels = {i: _label(c) for i, c in column_map.items.items()}
    labels.update({f"{i}:{code:g}": _label(c) for i, by_code in column_map.options.items()
                   for code, c in by_code.items()})
    values, cell_problems, recoded = decode_codes(
        export.cells, positions, labels, export.row_numbers, inst,
        negative_codes_missing=export.negative_codes_missing)
    choices, choice_problems, choice_counts = decode_multiple(
        export.cells, {i: column_map.items[i].position for i in multiple},
        {i: {code: c.position for code, c in by_code.items()}
         for i, by_code in column_map.options.items()},
        labels, export.row_numbers, inst)
    cell_problems = sorted(cell_problems + choice_problems, key=lambda p: (p["row"], p["column"]))
    for kind, count in choice_counts.items():
        recoded[kind] = recoded.get(kind, 0) + count
    problems += cell_problems
    if problems:
        raise ResponseDataError(problems, context=export.source)
    return _assemble(
        export,
        inst,
        column_map,
        values,
        choices,
        recoded,
        school_column,
        keep_incomplete=keep_incomplete,
        keep_pii=keep_pii,
    )


def _wanted_items(inst: Instrument, items: Iterable[str] | None) -> list[str]:
    if items is None:
        return list(inst.item_ids)
    requested = [items] if isinstance(items, str) else list(items)
    wanted: list[str] = []
    unknown = []
    for name in requested:
        if name in inst.scales:
            wanted += inst.scales[name].items
        elif name in inst.item_ids:
            wanted.append(name)
        else:
            unknown.append(name)
    if unknown:
        raise ResponseDataError(
            [
                {"value": u, "reason": f"is neither an item nor a scale of {inst.name!r}"}
                for u in unknown
            ],
            context="items",
        )
    chosen = set(wanted)
    return [i for i in inst.item_ids if i in chosen]


def _labeller(export: Export) -> Callable[[Column], str]:
    """How messages name a column: its header, with its place when the header is empty or
    shared. The headers are counted once (counting per column made wide files quadratic)."""
    same = Counter(c.name for c in export.columns)

    def label(column: Column) -> str:
        if column.name and same[column.name] == 1:
            return column.name
        return f"#{column.position + 1} {column.name}".strip()

    return label


def _school_column(export: Export, school: str | None, column_map: ColumnMap) -> Column | None:
    if school is None:
        return None
    used = set(column_map.positions)
    free = [c for c in export.columns if c.position not in used]
    for match in (
        lambda c: c.name == school,
        lambda c: normalise_header(c.name) == normalise_header(school),
        lambda c: normalise_text(c.text) == normalise_text(school),
    ):
        found = [c for c in free if match(c)]
        if found:
            return found[0]
    return None


def _mapping_problems(
    export: Export,
    inst: Instrument,
    column_map: ColumnMap,
    school_column: Column | None,
    school: str | None,
    wanted: list[str],
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    _label = _labeller(export)
    if school is not None and school_column is None:
        # Columns named for a school, shortest header first: a long question that mentions
        # the school is not likely to hold it.
        named = sorted(
            (c for c in export.columns if "school" in c.name.casefold()), key=lambda c: len(c.name)
        )[:5]
        hint = (
            f"; columns named for a school: {', '.join(_label(c) for c in named)}"
            if named
            else "; pass school=None to read without schools"
        )
        problems.append(
            {"column": school, "reason": f"no column {school!r} holds the school{hint}"}
        )
    ambiguous = dict(column_map.ambiguous)
    missing = [i for i in column_map.missing if i in wanted and inst.item(i).required]
    if not column_map.items and not column_map.options:
        problems.append(
            {
                "reason": f"no column matched any item of {inst.name!r}: is this an "
                f"export of that instrument? Map the columns with mapping= (colead "
                f"validate --write-mapping drafts one)"
            }
        )
        return problems
    for item_id in missing:
        if item_id in ambiguous:
            where = ", ".join(_label(c) for c in ambiguous[item_id])
            reason = f"several columns fit this item ({where}); say which with mapping="
        else:
            reason = (
                "no column matches this item; map it with mapping=, or read a subset with items="
            )
        problems.append(
            {
                "value": item_id,
                "reason": f"item {item_id!r} ({shorten(inst.item(item_id).text)}): {reason}",
            }
        )
    return problems


def _assemble(
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
) -> Responses:
    n = export.n_rows
    _label = _labeller(export)
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
    reason = np.where(kept_so_far & duplicated, "duplicate", reason)
    keep = reason == ""

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
    return pd.DataFrame(block.T, columns=pd.Index(order, dtype=object), copy=False)


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

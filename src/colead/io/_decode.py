"""One export (a whole file, or a chunk of it) -> Responses: map its columns to the
instrument's items, decode the answers, list every problem, assemble. Shared by
``read_responses`` and the chunked reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from colead._text import shorten
from colead.exceptions import ResponseDataError
from colead.instrument import Instrument
from colead.io._assemble import SeenIds, assemble, labeller
from colead.io.export import Column, Export
from colead.io.mapping import ColumnMap, map_columns, normalise_text
from colead.io.recode import decode_codes
from colead.io.recode_multiple import decode_multiple
from colead.io.responses import Responses
from colead.privacy import normalise_header

__all__ = ["DEFAULT_SCHOOL", "ReadOptions", "responses_from_export"]

DEFAULT_SCHOOL = "school_id"
#: Headers read as the school when the default column is absent (letters and digits only).
_SCHOOL_HEADERS = frozenset({"school", "schoolname", "schoolid", "schoolcode", "yourschool"})


@dataclass(frozen=True)
class ReadOptions:
    """The options of one :func:`read_responses` call, checked, for every chunk alike."""

    platform: str
    user_map: Mapping[str, str] | None
    school: str | None
    keep_incomplete: bool
    keep_pii: bool
    wanted: list[str]


def responses_from_export(
    export: Export, inst: Instrument, options: ReadOptions, seen: SeenIds | None = None
) -> Responses:
    """Map, decode and assemble one export (a whole file, or one chunk of it)."""
    wanted = options.wanted
    column_map = map_columns(export, inst, wanted, options.user_map)
    school_column = _school_column(export, options.school, column_map)
    if school_column is not None and normalise_header(school_column.name) in _SCHOOL_HEADERS - {
            normalise_header(options.school or "")}:  # fmt: skip
        note = (f"the school is read from column {school_column.name!r} (no column "
                f"{options.school!r})")
        export = dataclasses.replace(export, notes=(*export.notes, note))
    problems = _mapping_problems(export, inst, column_map, school_column, options.school,
                                 wanted)  # fmt: skip

    _label = labeller(export)
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
    return assemble(
        export,
        inst,
        column_map,
        values,
        choices,
        recoded,
        school_column,
        keep_incomplete=options.keep_incomplete,
        keep_pii=options.keep_pii,
        seen=seen,
    )


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
    if school == DEFAULT_SCHOOL:
        # The default asked for, a form's own question found: "School", "School name", ...
        found = [c for c in free if normalise_header(c.name) in _SCHOOL_HEADERS]
        if len(found) == 1:
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
    _label = labeller(export)
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

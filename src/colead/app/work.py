"""Reading a team's export without any HTTP: the instrument it chose, what was read and
what was not, the mapping form with colead's guesses for the items that found no column,
and the mapping to save for next year.

Everything here calls the library's public functions (``read_export``, ``map_columns``,
``read_responses``, ``draft_mapping``), so the app reads, maps and protects exactly as
``colead validate`` does; :mod:`.outputs` makes the report, the scores and the school table.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.app.messages import describe_error, shown_lines
from colead.exceptions import InvalidParameterError, ResponseDataError

if TYPE_CHECKING:
    from colead.instrument import Instrument
    from colead.io import ColumnMap, Export, Responses

#: Columns the mapping form lists at most (a form of thousands of menus helps nobody; a
#: mapping file maps the rest).
FORM_COLUMNS = 200
#: How alike a column's text and an item's text must be (difflib ratio) to be suggested.
GUESS_RATIO = 0.6


# -- instruments -----------------------------------------------------------------------------
def bundled() -> list[tuple[str, str]]:
    """(name, title) of every bundled instrument."""
    from colead.instrument import bundled_instrument_paths, load_instrument

    return [(name, load_instrument(path).title)
            for name, path in bundled_instrument_paths().items()]


def instrument(name: str | None, file: Path | None) -> Instrument:
    """The instrument a team chose: an uploaded file (checked as ``colead instruments
    --check`` checks it), or a bundled one by name. A name is never read as a path, so a
    request cannot make the app read a file of the computer."""
    from colead.instrument import bundled_instrument_paths, load_instrument

    if file is not None:
        return load_instrument(file)
    names = bundled_instrument_paths()
    if not name:
        raise InvalidParameterError(
            "choose an instrument: a bundled one (instrument) or your own file (instrument_file)"
        )
    if name not in names:
        raise InvalidParameterError(
            f"{name!r} is not a bundled instrument; bundled: {', '.join(names)} (upload your "
            "own instrument as a file)"
        )
    return load_instrument(names[name])


# -- reading an export -----------------------------------------------------------------------
@dataclass(frozen=True)
class FormColumn:
    """A row of the mapping form: an export column, its text, and the item it is mapped to
    (by the team's mapping) or that colead suggests."""

    position: int
    key: str
    label: str
    text: str
    item: str | None
    suggested: bool


@dataclass(frozen=True)
class Inspection:
    """What reading an export showed: the platform, the import log (when the export could be
    read), the columns to map and the items they may hold, and every problem."""

    source: str
    platform: str
    layout: str
    instrument: str
    rows_read: int
    responses: Responses | None
    problems: list[dict[str, Any]]
    problem_lines: list[str]
    form: list[FormColumn]
    more_columns: int
    items: list[tuple[str, str]]
    school: str | None
    school_choices: list[str]
    personal: list[str]
    unmatched: list[str]
    school_missing: bool = False
    mapping: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.responses is not None

    def log(self) -> dict[str, Any]:
        """The import log as ``POST /api/validate`` returns it."""
        r = self.responses
        log = r.log if r is not None else None
        return {
            "ok": self.ok,
            "source": self.source,
            "platform": self.platform,
            "instrument": self.instrument,
            "rows_read": self.rows_read,
            "rows_kept": log.rows_kept if log else None,
            "dropped": [] if log is None else [
                {"row": int(row), "reason": str(reason)}
                for row, reason in zip(log.dropped["row"], log.dropped["reason"], strict=True)],
            "unmatched_columns": list(log.unmapped_columns) if log else self.unmatched,
            "items_not_found": list(log.items_not_found) if log else [],
            "personal_columns_removed": list(log.pii_removed) if log else self.personal,
            "respondents_without_school": log.no_school if log else None,
            "recoded": dict(log.recoded) if log else {},
            "warnings": list(log.warnings) if log else [],
            "schools": r.n_schools if r is not None else None,
            "problems": self.problems,
        }


def inspect_export(
    path: Path,
    inst: Instrument,
    *,
    mapping: Mapping[str, str] | None = None,
    school: str | None = "school_id",
    platform: str = "auto",
    folder: Path | None = None,
) -> Inspection:
    """Read ``path`` against ``inst`` as ``colead validate`` does and say what happened.

    A file that cannot be read as an export, or a mapping that names what the file does not
    have, raises (the request was wrong); problems in the data (answers that are not labels
    of their scale, items with no column, no school column) are returned in ``problems``.
    So is a mapping that puts an item in a personal column, or a school column that is a
    personal one: the app never reads a personal cell, so no message can quote one.
    """
    from colead.io import map_columns, read_export, read_responses

    export = read_export(path, platform=platform)
    column_map = map_columns(export, inst, list(inst.item_ids), dict(mapping or {}))
    same = Counter(c.name for c in export.columns)
    responses = None
    refused = _personal_problems(export, column_map, school)
    try:
        if refused:
            raise ResponseDataError(refused, context=export.source)
        responses = read_responses(path, inst, platform=export.platform, mapping=mapping,
                                   school=school)
        _check_school_values(responses, school, export.source)
        problems: list[dict[str, Any]] = []
        lines: list[str] = []
    except ResponseDataError as exc:
        responses = None
        problems = describe_error(exc, folder)[1]
        lines = shown_lines(exc, folder)
    form, more, items = _form(export, inst, column_map, school)
    return Inspection(
        source=export.source, platform=export.platform, layout=export.layout,
        instrument=inst.name, rows_read=export.n_rows, responses=responses,
        problems=problems, problem_lines=lines, form=form, more_columns=more, items=items,
        school=school, school_choices=_school_choices(export, column_map, school),
        personal=[c.label for c in export.columns_of("personal") if c.name != school],
        unmatched=[_label(c, same) for c in column_map.unmapped if c.name != school],
        school_missing=school is not None and not _has_column(export, school),
        mapping=dict(mapping or {}))


#: Personal columns that may hold the school: the platforms' custom fields (SurveyMonkey's
#: Custom Data, LimeSurvey's attributes), where teams put a school code.
CUSTOM_FIELDS = ("customdata", "attribute")


def _personal_problems(export: Export, column_map: ColumnMap, school: str | None
                       ) -> list[dict[str, Any]]:
    """A personal column mapped to an item, or named as the school column (other than a
    platform's custom field)."""
    from colead.privacy import is_personal, normalise_header

    problems = [{"column": c.label, "value": item_id,
                 "reason": "is a personal column, which colead removes at import; it cannot "
                           "hold an item"}
                for item_id, c in column_map.items.items()
                if column_map.how.get(item_id) == "mapping" and c.kind == "personal"]
    if school and is_personal(school) and not normalise_header(school).startswith(CUSTOM_FIELDS):
        problems.append({"column": school,
                         "reason": "is a personal column, not the school: choose the column "
                                   "that holds the school under 'Match the columns'"})
    return problems


def _has_column(export: Export, name: str) -> bool:
    """Whether a column is found by ``name`` as ``read_responses`` finds the school column:
    its header, the header without case and punctuation, or its question text."""
    from colead.io.mapping import normalise_text
    from colead.privacy import normalise_header

    header, text = normalise_header(name), normalise_text(name)
    return any(c.name == name or normalise_header(c.name) == header
               or normalise_text(c.text) == text for c in export.columns)


def _check_school_values(responses: Responses, school: str | None, source: str) -> None:
    """The school column must not hold e-mail addresses or phone numbers: the report names
    every school, so they would be shown."""
    from colead.privacy import looks_personal

    values = responses.data["school_id"].dropna().astype(str).unique()
    if any(looks_personal(v) for v in values):
        raise ResponseDataError([{"column": school, "reason": (
            "holds e-mail addresses or phone numbers, not schools: choose the column that "
            "holds the school under 'Match the columns'")}], context=source)


def _label(column: Any, same: Counter[str]) -> str:
    """How the import log names a column: its header, with its place when the header is
    empty or shared."""
    if column.name and same[column.name] == 1:
        return str(column.name)
    return f"#{column.position + 1} {column.name}".strip()


def _keys(export: Export) -> dict[int, str]:
    """How a mapping names each column: its header, or ``#N`` when the header is empty or
    shared (as the drafted mapping files do)."""
    same = Counter(c.name for c in export.columns)
    return {c.position: c.name if c.name and same[c.name] == 1 else f"#{c.position + 1}"
            for c in export.columns}


def _form(export: Export, inst: Instrument, column_map: ColumnMap, school: str | None
          ) -> tuple[list[FormColumn], int, list[tuple[str, str]]]:
    """The mapping form: the columns no item matched and those the team mapped, with the
    items that found no column (and those the team mapped) as choices."""
    from colead._text import shorten

    keys = _keys(export)
    by_team = {c.position: i for i, c in column_map.items.items()
               if column_map.how.get(i) == "mapping"}
    columns = [c for c in export.columns_of("answer")
               if c.position in by_team or c in column_map.unmapped]
    columns = [c for c in columns if not (school and c.name == school)]
    more = max(0, len(columns) - FORM_COLUMNS)
    columns = columns[:FORM_COLUMNS]
    open_items = [i for i in inst.item_ids if i in set(column_map.missing) | set(by_team.values())]
    guesses = _guesses([c for c in columns if c.position not in by_team], open_items, inst,
                       column_map)
    form = []
    for c in columns:
        item = by_team.get(c.position) or guesses.get(c.position)
        form.append(FormColumn(position=c.position, key=keys[c.position], label=c.label,
                               text=shorten(" ".join((c.text or c.name).split()), 160),
                               item=item, suggested=c.position not in by_team and bool(item)))
    items = [(i, shorten(inst.item(i).text, 90)) for i in open_items]
    return form, more, items


def _guesses(columns: list[Any], items: list[str], inst: Instrument, column_map: ColumnMap
             ) -> dict[int, str]:
    """colead's best guess of the item each column holds: an item the column was one of
    several candidates for, else the item whose text is most like the column's (difflib
    ratio at least :data:`GUESS_RATIO`), each item guessed for one column at most."""
    from colead.io.mapping import normalise_text

    guesses: dict[int, str] = {}
    for item_id, candidates in column_map.ambiguous:
        for c in candidates:
            if item_id in items and c in columns and item_id not in guesses.values():
                guesses.setdefault(c.position, item_id)
                break
    texts = {i: {normalise_text(t) for t in (inst.item(i).text, *inst.variants(f"item:{i}"))}
             for i in items if i not in guesses.values()}
    pairs = []
    for c in columns:
        if c.position in guesses:
            continue
        own = {normalise_text(t) for t in (c.row, c.text, c.question and c.row) if t}
        for item_id, variants in texts.items():
            best = max((_ratio(a, b) for a in own for b in variants), default=0.0)
            if best >= GUESS_RATIO:
                pairs.append((best, c.position, item_id))
    taken: set[str] = set(guesses.values())
    for _, position, item_id in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if position not in guesses and item_id not in taken:
            guesses[position] = item_id
            taken.add(item_id)
    return guesses


def _ratio(a: str, b: str) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < GUESS_RATIO or matcher.quick_ratio() < GUESS_RATIO:
        return 0.0
    return matcher.ratio()


def _school_choices(export: Export, column_map: ColumnMap, school: str | None) -> list[str]:
    """Headers that may hold the school: columns no item uses, never a personal column
    (its header is not shown back) but a platform's custom field, plus the school column
    chosen."""
    from colead.privacy import normalise_header

    used = set(column_map.positions)
    names = [c.name for c in export.columns if c.position not in used and c.name and (
        c.kind != "personal" or normalise_header(c.name).startswith(CUSTOM_FIELDS))]
    if school and school not in names:
        names.insert(0, school)
    return list(dict.fromkeys(names))


def form_mapping(inspection: Inspection, chosen: Mapping[int, str]) -> dict[str, str]:
    """The mapping a submitted form gives: the team's mapping so far, with each form column
    (by position) mapped to the chosen item or left out (``""``)."""
    keys = {c.position: c.key for c in inspection.form}
    known = {i for i, _ in inspection.items}
    mapping = {k: v for k, v in inspection.mapping.items() if k not in keys.values()}
    problems = []
    for position, item_id in chosen.items():
        if position not in keys:
            problems.append({"column": f"#{position + 1}",
                             "reason": "is not a column of the mapping form"})
        elif item_id and item_id not in known:
            problems.append({"column": keys[position], "value": item_id,
                             "reason": "is not an item that needs a column"})
        elif item_id:
            mapping[keys[position]] = item_id
    twice = [i for i, n in Counter(mapping.values()).items() if n > 1]
    problems += [{"value": i, "reason": "the mapping gives this item two columns"}
                 for i in twice]
    if problems:
        raise ResponseDataError(problems, context="the mapping")
    return mapping


def mapping_yaml(path: Path, inst: Instrument, inspection: Inspection) -> str:
    """The mapping to save for next year: ``colead validate --write-mapping``'s draft (every
    matched column, and how), with the school column; ``--mapping`` reads it back."""
    import yaml

    from colead.io import draft_mapping, map_columns, read_export

    export = read_export(path, platform=inspection.platform)
    column_map = map_columns(export, inst, list(inst.item_ids), inspection.mapping)
    text = draft_mapping(export, inst, column_map)
    if inspection.school:
        school = yaml.safe_dump({"school": inspection.school}, allow_unicode=True)
        text += "# The column that holds the school (colead app reads it; the CLI's --school):\n"
        text += school
    return text


def read_school(mapping: Mapping[str, Any]) -> str | None:
    """The school column a saved mapping names (``school:``), if any."""
    school = mapping.get("school")
    return str(school) if isinstance(school, str) and school else None

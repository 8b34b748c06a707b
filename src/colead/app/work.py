"""What the app does with a team's files, without any HTTP: read an export against an
instrument, say what was read and what was not, suggest columns for the items that found
none, and make the report, the scores and the school table.

Everything here calls the library's public functions (``read_export``, ``map_columns``,
``read_responses``, ``score``, ``aggregate``, ``report``), so the app reads, maps, protects
and suppresses exactly as ``colead validate``, ``colead score`` and ``colead report`` do.
"""

from __future__ import annotations

import difflib
import inspect as _inspect
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from colead.exceptions import (
    ColeadError,
    InstrumentError,
    InvalidParameterError,
    ResponseDataError,
)

if TYPE_CHECKING:
    from colead.instrument import Instrument
    from colead.io import ColumnMap, Export, Responses

#: Columns the mapping form lists at most (a form of thousands of menus helps nobody; a
#: mapping file maps the rest).
FORM_COLUMNS = 200
#: How alike a column's text and an item's text must be (difflib ratio) to be suggested.
GUESS_RATIO = 0.6

# The library's advice names Python keywords; the app's pages and API name their own forms.
_WORDING = (
    (r"map it with mapping=, or read a subset with items=",
     "choose its column under 'Match the columns' (or give a mapping)"),
    (r"Map the columns with mapping= \(colead validate --write-mapping drafts one\)",
     "Match the columns by hand (or give a mapping)"),
    (r"; say which with mapping=", "; say which under 'Match the columns'"),
    (r"with mapping=", "with a mapping"),
    (r"; pass school=None to read without schools",
     "; choose the column that holds the school under 'Match the columns'"),
    (r"Use min_n >= (\d+), or pass allow_small_groups=True\.", r"Use \1 or more."),
    (r"The 'min_n' parameter of \w+", "The smallest group (min_n)"),
    (r"The '(\w+)' parameter of \w+", r"The \1 field"),
)


# -- messages --------------------------------------------------------------------------------
def wording(text: str, folder: Path | None = None) -> str:
    """A library message in the app's words, without the private folder's path (a file is
    named by the name it was uploaded with)."""
    if folder is not None:
        text = re.sub(re.escape(str(folder)) + r"[\\/](?:[^\\/\s]+[\\/])?", "", text)
    for pattern, replacement in _WORDING:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.splitlines())


def describe_error(exc: ColeadError, folder: Path | None = None
                   ) -> tuple[str, list[dict[str, Any]]]:
    """The headline and the problems of an error, as the API returns them: every problem as
    ``{row, column, value, reason}`` (``row`` the spreadsheet row, None for a whole column or
    file). Values are what the library's message quotes (masked and cut short,
    :func:`colead.privacy.quote_cell`), never a whole cell."""
    if isinstance(exc, ResponseDataError):
        problems = [
            {
                "row": _whole_or_none(r["row"]),
                "column": None if _missing(r["column"]) else str(r["column"]),
                "value": None if _missing(r["value"]) else str(r["value"]),
                "reason": wording(str(r["reason"]), folder),
            }
            for r in exc.problems.to_dict("records")
        ]
        head = str(exc).splitlines()[0].rstrip(":")
    elif isinstance(exc, InstrumentError):
        problems = [{"row": None, "column": None, "value": None,
                     "reason": wording(str(p), folder)} for p in exc.problems]
        head = str(exc).splitlines()[0].rstrip(":")
    else:
        head = wording(str(exc), folder)
        problems = [{"row": None, "column": None, "value": None, "reason": head}]
    return wording(head, folder), problems


def shown_lines(exc: ColeadError, folder: Path | None = None) -> list[str]:
    """The lines a page shows for an error: those ``colead`` prints (the first 20 problems,
    then the rest counted by kind), naming the file as the command line does."""
    lines = exc.shown_lines()
    if isinstance(exc, ResponseDataError) and exc.names_a_file:
        lines = [f"{exc.context}: {line}" for line in lines]
    return [wording(line, folder) for line in lines]


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _whole_or_none(value: Any) -> int | None:
    return None if _missing(value) else int(value)


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
            "unmatched_columns": list(log.unmapped_columns) if log else
            [c.label for c in self.form if c.item is None or c.suggested],
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
    """
    from colead.io import map_columns, read_export, read_responses

    export = read_export(path, platform=platform)
    column_map = map_columns(export, inst, list(inst.item_ids), dict(mapping or {}))
    try:
        responses = read_responses(path, inst, platform=export.platform, mapping=mapping,
                                   school=school)
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
        mapping=dict(mapping or {}))


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
    (its header is not shown back), plus the school column chosen."""
    used = set(column_map.positions)
    names = [c.name for c in export.columns
             if c.position not in used and c.kind != "personal" and c.name]
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


# -- outputs ---------------------------------------------------------------------------------
def report_takes_previous() -> bool:
    """Whether :func:`colead.report` takes a previous wave (``previous=``)."""
    from colead.reporting import report

    return "previous" in _inspect.signature(report).parameters


def check_groups(responses: Responses) -> None:
    if responses.data["school_id"].isna().all():
        raise InvalidParameterError(
            "no respondent has a school: choose the column that holds the school under "
            "'Match the columns'"
        )


def roster_for(path: Path, school: str | None) -> Any:
    """A roster (group sizes) whose group column is named like the export's school column
    or ``school_id``, as the report wants it (``school_id``)."""
    from colead.io import read_roster

    first, *others = list(dict.fromkeys(n for n in (school, "school_id") if n))
    try:
        return read_roster(path, by=first).rename(columns={first: "school_id"})
    except ResponseDataError:
        if not others:
            raise
        try:
            return read_roster(path, by="school_id")
        except ResponseDataError:
            pass
        raise


def make_report(responses: Responses, path: Path, *, min_n: int, title: str | None = None,
                roster: Any = None, previous: Responses | None = None) -> Path:
    """The report, through :func:`colead.report`'s public signature only."""
    from colead.reporting import report

    check_groups(responses)
    extra: dict[str, Any] = {}
    if previous is not None:
        extra["previous"] = previous
    return report(responses, path=path, by="school_id", min_n=min_n, title=title or None,
                  roster=roster, progress=False, **extra)


def scores_csv(responses: Responses, path: Path) -> Path:
    """Every respondent's scale scores (``colead score``), CSV-safe."""
    from colead.privacy import write_csv
    from colead.psychometrics import score

    write_csv(score(responses), path)
    return path


def school_table_csv(responses: Responses, path: Path, *, min_n: int, roster: Any = None
                     ) -> Path:
    """One row per school and scale, schools under ``min_n`` suppressed (``colead score
    --by school_id``)."""
    from colead.privacy import write_csv
    from colead.schools import aggregate

    check_groups(responses)
    write_csv(aggregate(responses, by="school_id", min_n=min_n, roster=roster), path)
    return path


def parse_min_n(text: str | None, default: int = 5) -> int:
    """The smallest group shown, from a form field (at least 3, as the library requires)."""
    from colead.privacy import check_min_n

    if text is None or not text.strip():
        return default
    try:
        value = int(text.strip())
    except ValueError:
        raise InvalidParameterError(
            f"the smallest group (min_n) must be a whole number; got {text.strip()[:20]!r}"
        ) from None
    try:
        return check_min_n(value, "report")
    except ColeadError as exc:
        raise InvalidParameterError(wording(str(exc))) from None

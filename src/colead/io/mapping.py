"""Which export column holds which item.

Columns are matched to items, in order of trust: a mapping the user gives (column header,
question text or ``#position`` -> item id); the column's header equal to the item id (case and
punctuation aside); the question text equal to the item's text, either whole or as the row of a
grid (``Question - Statement``, ``Title [Row]``, ``Question [Sub-question]``); and for an
influence grid, a question naming the stakeholder with a row naming the zone (or the other way
round). Texts are compared without case, spacing, HTML, quotes and trailing punctuation; a text
the platform cut short (``...``) matches by its beginning when that is unambiguous.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import os
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from colead.exceptions import ResponseDataError
from colead.instrument import OPTION_SEPARATOR, Instrument
from colead.io.export import Column, Export
from colead.privacy import normalise_header

__all__ = ["ColumnMap", "draft_mapping", "map_columns", "read_mapping"]

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)
_TRUNCATED = ("...", "..")


@functools.lru_cache(maxsize=65536)
def normalise_text(text: str) -> str:
    """Question text for comparison: no HTML, one case, single spaces, plain quotes, and no
    trailing ``:``, ``?``, ``.`` or ``*`` (a required-question star)."""
    text = html.unescape(_TAG.sub(" ", text)).translate(_QUOTES)
    text = _SPACE.sub(" ", text).strip().casefold()
    return text.rstrip(" :?.*").strip()


@dataclass(frozen=True)
class ColumnMap:
    """The result of matching columns to items.

    ``items`` maps item id -> column; ``how`` says how each was matched; ``unmapped`` lists
    answer columns that matched no item; ``ambiguous`` lists (item id, candidate columns)
    left unmatched because more than one column fitted.
    """

    items: dict[str, Column]
    how: dict[str, str]
    unmapped: tuple[Column, ...]
    ambiguous: tuple[tuple[str, tuple[Column, ...]], ...] = field(default=())
    options: dict[str, dict[float, Column]] = field(default_factory=dict)

    @property
    def missing(self) -> list[str]:
        return [i for i in self.how if i not in self.items and i not in self.options]

    @property
    def positions(self) -> list[int]:
        """Every column position used by a mapped item."""
        return [c.position for c in self.items.values()] + [
            c.position for by_code in self.options.values() for c in by_code.values()]


def map_columns(
    export: Export,
    instrument: Instrument,
    item_ids: list[str],
    mapping: Mapping[str, str] | None = None,
) -> ColumnMap:
    """Match the answer columns of ``export`` to ``item_ids`` of ``instrument``."""
    answers = export.columns_of("answer")
    taken: dict[int, str] = {}
    found: dict[str, Column] = {}
    how: dict[str, str] = dict.fromkeys(item_ids, "")
    ambiguous: list[tuple[str, tuple[Column, ...]]] = []

    def claim(item_id: str, column: Column, method: str) -> None:
        found[item_id] = column
        taken[column.position] = item_id
        how[item_id] = method

    if mapping:
        for item_id, column in _explicit(export, instrument, mapping).items():
            if item_id in how:
                claim(item_id, column, "mapping")
    matchers = (("id", _by_id), ("text", _by_text), ("grid", _by_grid), ("prefix", _by_prefix))
    for method, matcher in matchers:
        for item_id in item_ids:
            if item_id in found:
                continue
            free = [c for c in answers if c.position not in taken]
            candidates = matcher(instrument, item_id, free)
            if len(candidates) == 1:
                claim(item_id, candidates[0], method)
            elif len(candidates) > 1:
                ambiguous.append((item_id, tuple(candidates)))
    options: dict[str, dict[float, Column]] = {}
    for item_id in item_ids:
        if item_id in found or instrument.response_scale_of(item_id).type != "multiple":
            continue
        by_code = _by_options(instrument, item_id,
                              [c for c in answers if c.position not in taken])
        if by_code is not None:
            options[item_id] = by_code
            how[item_id] = "options"
            taken.update((c.position, item_id) for c in by_code.values())
    ambiguous = [(i, cols) for i, cols in ambiguous if i not in found and i not in options]
    unmapped = tuple(c for c in answers if c.position not in taken)
    return ColumnMap(items=found, how=how, unmapped=unmapped, ambiguous=tuple(_dedupe(ambiguous)),
                     options=options)


def _by_options(
    inst: Instrument, item_id: str, columns: list[Column]
) -> dict[float, Column] | None:
    """One column per option of a multiple-choice item: named ``item___code`` (REDCap),
    ``item_code``, ``item[code]`` or colead's own ``item__code``, or with the question text
    and the option as its row (SurveyMonkey, Qualtrics split exports). Every option must be
    found exactly once."""
    texts, _ = _item_texts(inst, item_id)
    rs = inst.response_scale_of(item_id)
    found: dict[float, Column] = {}
    for value, label in rs.labels:
        code = f"{value:g}"
        names = {f"{item_id}{OPTION_SEPARATOR}{code}", f"{item_id}___{code}",
                 f"{item_id}_{code}", f"{item_id}[{code}]",
                 f"{_limesurvey_code(inst, item_id)}[{code}]"}
        options = _variants(inst, f"label:{rs.id}:{code}", label)
        wanted = {(t, o) for t in texts for o in options} | {(normalise_text(item_id), code)}
        hits = [c for c in columns if c.name in names
                or any(split in wanted for split in splits(c))]
        if len(hits) != 1:
            return None
        found[float(value)] = hits[0]
    return found


def _dedupe(pairs: list[tuple[str, tuple[Column, ...]]]) -> list[tuple[str, tuple[Column, ...]]]:
    seen: dict[str, tuple[Column, ...]] = {}
    for item_id, cols in pairs:
        seen.setdefault(item_id, cols)
    return list(seen.items())


def _by_id(inst: Instrument, item_id: str, columns: list[Column]) -> list[Column]:
    exact = [c for c in columns if c.name == item_id]
    if exact:
        return exact
    # the id without punctuation, or the LimeSurvey code colead.fielding gave it
    keys = {normalise_header(item_id), normalise_header(_limesurvey_code(inst, item_id))}
    return [
        c
        for c in columns
        if normalise_header(c.name) in keys or (c.row and normalise_header(c.row) in keys)
    ]


def _limesurvey_code(inst: Instrument, item_id: str) -> str:
    from colead.io.limesurvey import item_codes

    return item_codes(inst.item_ids)[item_id]


def _variants(inst: Instrument, key: str, text: str) -> set[str]:
    """A text and its translations, normalised."""
    return {normalise_text(t) for t in (text, *inst.variants(key))}


def _item_texts(inst: Instrument, item_id: str) -> tuple[set[str], set[str]]:
    """The item's text and its scale's title (the likely matrix question), in every language
    the instrument gives them."""
    item = inst.item(item_id)
    scale = inst.scales.get(item.scale) if item.scale else None
    titles = _variants(inst, f"scale:{scale.id}", scale.title) if scale else set()
    return _variants(inst, f"item:{item_id}", item.text), titles


def splits(column: Column) -> list[tuple[str, str]]:
    """The (question, row) readings of a column, normalised: the platform's own split, and
    for a text joined by a bare hyphen (Qualtrics legacy and Insights) every hyphen."""
    out = [(normalise_text(column.question), normalise_text(column.row))] if column.row else []
    text = column.text
    start = text.find("-")
    while start > 0:
        out.append((normalise_text(text[:start]), normalise_text(text[start + 1 :])))
        start = text.find("-", start + 1)
    return out


def _by_text(inst: Instrument, item_id: str, columns: list[Column]) -> list[Column]:
    texts, titles = _item_texts(inst, item_id)
    whole = [
        c
        for c in columns
        if normalise_text(c.text) in texts or any(row in texts for _, row in splits(c))
    ]
    if len(whole) > 1 and titles:
        titled = [c for c in whole if any(q in titles and r in texts for q, r in splits(c))]
        if titled:
            return titled
    return whole


def _by_grid(inst: Instrument, item_id: str, columns: list[Column]) -> list[Column]:
    grid = inst.influence
    if grid is None or item_id not in grid.item_ids:
        return []
    s, z = next((s, z) for s, z, i in grid.cells if i == item_id)
    s_texts = _variants(inst, f"stakeholder:{s}", grid.stakeholder_labels[s])
    z_texts = _variants(inst, f"zone:{z}", grid.zone_labels[z])
    pairs = {(a, b) for a in s_texts for b in z_texts} | {(b, a) for a in s_texts for b in z_texts}
    return [c for c in columns if any(split in pairs for split in splits(c))]


def _by_prefix(inst: Instrument, item_id: str, columns: list[Column]) -> list[Column]:
    texts, _ = _item_texts(inst, item_id)
    out = []
    for c in columns:
        for candidate in (c.row, c.text):
            stripped = html.unescape(_TAG.sub(" ", candidate)).strip()
            if stripped.endswith(_TRUNCATED):
                start = normalise_text(stripped.rstrip(". \u2026"))
                if len(start) >= 8 and any(t.startswith(start) for t in texts):
                    out.append(c)
                    break
    return out


# -- user mappings ---------------------------------------------------------------------------
def read_mapping(source: str | os.PathLike[str] | Mapping[str, str]) -> dict[str, str]:
    """A mapping of column -> item id from a dict, a YAML file (``{column: item}`` or
    ``{columns: {column: item}}``) or a CSV file with columns ``column`` and ``item_id``."""
    if isinstance(source, Mapping):
        return {str(k): str(v) for k, v in source.items()}
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ResponseDataError(
            [{"reason": f"cannot read the mapping file: {exc.strerror}"}], context=str(path)
        ) from None
    except UnicodeDecodeError as exc:
        from colead._files import decode_error

        raise ResponseDataError(
            [{"reason": f"the mapping file {decode_error(exc)}"}], context=str(path)
        ) from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or not {"column", "item_id"} <= set(rows[0]):
            raise ResponseDataError(
                [{"reason": "a mapping CSV needs the columns column and item_id"}],
                context=str(path),
            )
        return {
            r["column"]: r["item_id"].strip()
            for r in rows
            if r["column"] is not None and (r["item_id"] or "").strip()
        }
    from colead._yaml import describe_yaml_error, load_yaml

    try:
        data, _ = load_yaml(text)  # bounded: no alias bomb expands here
    except yaml.YAMLError as exc:
        raise ResponseDataError(
            [{"reason": f"the mapping file is {describe_yaml_error(exc)}"}], context=str(path)
        ) from None
    if isinstance(data, Mapping) and isinstance(data.get("columns"), Mapping):
        data = data["columns"]
    if not isinstance(data, Mapping):
        raise ResponseDataError(
            [{"reason": "a mapping file must map column -> item id"}], context=str(path)
        )
    return {str(k): str(v) for k, v in data.items() if v not in (None, "")}


def _explicit(export: Export, inst: Instrument, mapping: Mapping[str, str]) -> dict[str, Column]:
    """Resolve a user's mapping; collect every key or item that does not resolve."""
    problems: list[dict[str, Any]] = []
    resolved: dict[str, Column] = {}
    known = set(inst.item_ids)
    for key, item_id in mapping.items():
        if item_id not in known:
            problems.append(
                {
                    "column": key,
                    "value": item_id,
                    "reason": f"the mapping names an item that {inst.name!r} does not have",
                }
            )
            continue
        matches = _columns_for_key(export, key)
        if len(matches) != 1:
            where = ", ".join(f"#{c.position + 1}" for c in matches)
            reason = (
                f"matches {len(matches)} columns ({where}); map it by position as '#N'"
                if matches
                else "the mapping names a column the file does not have"
            )
            problems.append({"column": key, "value": item_id, "reason": reason})
            continue
        if item_id in resolved:
            problems.append(
                {
                    "column": key,
                    "value": item_id,
                    "reason": "the mapping gives this item two columns",
                }
            )
            continue
        resolved[item_id] = matches[0]
    if problems:
        raise ResponseDataError(problems, context="the mapping")
    return resolved


def _columns_for_key(export: Export, key: str) -> list[Column]:
    if key.startswith("#") and key[1:].isdigit():
        return [c for c in export.columns if c.position == int(key[1:]) - 1]
    by_name = [c for c in export.columns if c.name == key]
    if by_name:
        return by_name
    target = normalise_text(key)
    return [c for c in export.columns if normalise_text(c.text) == target]


def draft_mapping(export: Export, instrument: Instrument, column_map: ColumnMap) -> str:
    """A YAML mapping for the user to check: what matched, what did not, and why."""
    lines = [
        f"# colead mapping: columns of {export.source} -> items of {instrument.name}.",
        "# Check every line. Map a column by its header, its question text, or '#N' for",
        "# the N-th column; delete a line to leave a column out.",
        "columns:",
    ]
    same_name = Counter(c.name for c in export.columns)  # counted once: wide files stay linear
    for item_id in instrument.item_ids:
        column = column_map.items.get(item_id)
        if column is not None:
            how = column_map.how[item_id]
            lines.append(
                f"  {_yaml_key(column, same_name)}: {item_id}    # by {how}: {_short(column.text)}"
            )
    if column_map.unmapped:
        lines.append("# Columns that matched no item (give each an item id to use it):")
        lines += [
            f"#  {_yaml_key(c, same_name)}:     # {_short(c.text)}" for c in column_map.unmapped
        ]
    missing = [i for i in instrument.item_ids if i not in column_map.items]
    if missing:
        lines.append("# Items with no column:")
        lines += [f"#  {i}: {_short(instrument.item(i).text)}" for i in missing]
    return "\n".join(lines) + "\n"


def _yaml_key(column: Column, same_name: Counter[str]) -> str:
    key = column.name if column.name and same_name[column.name] == 1 else f"#{column.position + 1}"
    return yaml.safe_dump(key, default_style=None).strip().removesuffix("...").strip()


def _short(text: str, width: int = 70) -> str:
    from colead._text import shorten

    return shorten(_SPACE.sub(" ", text), width)

"""Turn a parsed instrument file into an :class:`~colead.instrument.Instrument`, or say why not.

Every check appends to one list of problems; nothing is raised until the whole file has been
read, so that a user sees every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from colead._yaml import describe_yaml_error, load_yaml
from colead.exceptions import InstrumentError, InstrumentProblem
from colead.instrument.checks import (
    ID_PATTERN,
    LANGUAGE_PATTERN,
    Declared,
    Problems,
    check_fields,
    check_id,
    declared_keys,
    did_you_mean,
    kind_of,
    read_citations,
    read_text,
    shown,
    where_of,
)
from colead.instrument.grid import parse_grid
from colead.instrument.model import Instrument, Item, ResponseScale
from colead.instrument.parse_scales import parse_response_scales, parse_scales

FORMAT_VERSIONS = (1,)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

TOP_FIELDS = (
    "format_version",
    "name",
    "title",
    "version",
    "description",
    "respondent",
    "language",
    "source",
    "citations",
    "licence",
    "sections",
    "response_scales",
    "scales",
    "items",
    "influence",
)
ITEM_FIELDS = ("id", "text", "response_scale", "scale", "reverse", "section", "required",
               "equivalent_to")
SECTION_FIELDS = ("title", "instructions")


# -- entry points ----------------------------------------------------------------------------
def read_instrument_file(path: Path) -> Instrument:
    """Read, parse and check one instrument file."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InstrumentError([InstrumentProblem(file, "", "", f"cannot be read: {exc}")]) from None
    try:
        data, duplicates = load_yaml(text)
    except yaml.YAMLError as exc:
        raise InstrumentError([InstrumentProblem(file, "", "", describe_yaml_error(exc))]) from None
    return parse_instrument(data, file=file, duplicates=duplicates, path=file)


def parse_instrument(
    data: Any, *, file: str, duplicates: Iterable[tuple[Any, int]], path: str | None = None
) -> Instrument:
    """Check parsed YAML and build the instrument; raise one InstrumentError listing all
    problems."""
    p = Problems(file)
    for key, line in duplicates:
        p.add(
            f"line {line}",
            str(key),
            "is defined twice; the second would silently replace the first",
        )
    if not isinstance(data, Mapping):
        p.add("", "", f"must be a mapping of fields (name, title, ...), not {kind_of(data)}")
        p.raise_if_any()
    check_fields(p, data, TOP_FIELDS, "")
    fmt = data.get("format_version", 1)
    if fmt not in FORMAT_VERSIONS or isinstance(fmt, bool):
        p.add(
            "",
            "format_version",
            f"{shown(fmt)} is not a known format version ({', '.join(map(str, FORMAT_VERSIONS))})",
        )
    p.language = read_text(p, data, "language", "") or "en"
    if not LANGUAGE_PATTERN.match(p.language):
        p.add("", "language", f"{shown(p.language)} is not a language code (such as en, es, pt-BR)")
    name = read_text(p, data, "name", "", required=True)
    if name and not _NAME.match(name):
        p.add("", "name", f"{shown(name)} must be lower-case letters, digits, '-', '_' or '.'")
    title = read_text(p, data, "title", "", required=True, translate="title")
    version = read_text(p, data, "version", "", required=True)
    meta = {
        key: read_text(p, data, key, "")
        for key in ("description", "respondent", "source", "licence")
    }
    citations = read_citations(p, data, "")
    sections = _parse_sections(p, data.get("sections"))
    response_scales = parse_response_scales(p, data.get("response_scales"))
    # Ids that are declared but broken are known: their own problems are reported once, and
    # whatever refers to them is not blamed again.
    declared = Declared(
        response_scales=declared_keys(data.get("response_scales")),
        scales=declared_keys(data.get("scales")),
        items={spec.get("id") for spec in _listed(data.get("items")) if isinstance(spec, Mapping)},
    )
    items = _parse_items(p, data.get("items"), response_scales, sections, declared)
    grid, generated = parse_grid(
        p, data.get("influence"), items, response_scales, sections, declared
    )
    items = items + generated
    declared.items |= {item.id for item in generated}
    scales = parse_scales(p, data.get("scales"), items, response_scales, declared)
    p.raise_if_any()
    return Instrument(
        name=name,
        title=title,
        version=version,
        response_scale_list=tuple(response_scales.values()),
        item_list=tuple(items),
        scale_list=tuple(scales),
        influence=grid,
        section_list=tuple((sid, t, ins) for sid, (t, ins) in sections.items()),
        citations=citations,
        language=p.language,
        translation_list=tuple(p.translations),
        path=path,
        **meta,
    )


# -- sections and response scales --------------------------------------------------------------
def _parse_sections(p: Problems, raw: Any) -> dict[str, tuple[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        p.add("", "sections", f"must be a mapping of section id to title, not {kind_of(raw)}")
        return {}
    sections = {}
    for sid, spec in raw.items():
        where = where_of("section", sid, spec)
        if not isinstance(sid, str) or not ID_PATTERN.match(sid):
            p.add(where, "", "section ids must start with a letter and hold letters, digits, _")
            continue
        if isinstance(spec, str):
            sections[sid] = (spec.strip(), "")
        elif isinstance(spec, Mapping):
            check_fields(p, spec, SECTION_FIELDS, where)
            sections[sid] = (
                read_text(p, spec, "title", where, required=True,
                          translate=f"section:{sid}:title"),
                read_text(p, spec, "instructions", where,
                          translate=f"section:{sid}:instructions"),
            )
        else:
            p.add(
                where,
                "",
                f"must be a title or a mapping with title and instructions, not {kind_of(spec)}",
            )
    return sections


# -- items -----------------------------------------------------------------------------------
def _parse_items(
    p: Problems,
    raw: Any,
    response_scales: Mapping[str, ResponseScale],
    sections: Mapping[str, Any],
    declared: Declared,
) -> list[Item]:
    if raw is None:
        p.add("", "items", "is required")
        return []
    if not isinstance(raw, list):
        p.add("", "items", f"must be a list of items, not {kind_of(raw)}")
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        if not isinstance(spec, Mapping):
            p.add(f"items[{index}]", "", f"must be a mapping (id, text, ...), not {kind_of(spec)}")
            continue
        ident = spec.get("id")
        where = (
            where_of("item", ident, spec)
            if isinstance(ident, str) and ident
            else f"items[{index}]"
            + (f" (line {getattr(spec, 'line', 0)})" if getattr(spec, "line", 0) else "")
        )
        check_fields(p, spec, ITEM_FIELDS, where)
        # A repeated id is reported whatever else is wrong with either item.
        repeated = isinstance(ident, str) and ident in seen
        if repeated:
            p.add(where, "id", "duplicate item id")
        if isinstance(ident, str):
            seen.add(ident)
        item = _parse_item(p, spec, where, declared, sections, response_scales)
        if item is not None and not repeated:
            items.append(item)
    return items


def _parse_item(
    p: Problems,
    spec: Mapping[str, Any],
    where: str,
    declared: Declared,
    sections: Mapping[str, Any],
    response_scales: Mapping[str, ResponseScale],
) -> Item | None:
    """One item, or None after reporting every problem it has."""
    n_before = len(p.found)
    ident = spec.get("id")
    check_id(p, ident, where, "id")
    text = read_text(p, spec, "text", where, required=True,
                     translate=f"item:{ident}" if isinstance(ident, str) else None)
    rs = read_text(p, spec, "response_scale", where, required=True)
    if rs and rs not in declared.response_scales:
        p.add(
            where,
            "response_scale",
            f"unknown response scale {shown(rs)}" + did_you_mean(rs, declared.response_scales),
        )
    scale = read_text(p, spec, "scale", where) or None
    if scale is not None and scale not in declared.scales:
        p.add(
            where,
            "scale",
            f"unknown scale {shown(scale)}"
            + did_you_mean(scale, sorted(map(str, declared.scales))),
        )
    reverse = spec.get("reverse", False)
    if not isinstance(reverse, bool):
        p.add(where, "reverse", f"must be true or false, not {shown(reverse)}")
    elif reverse and rs in response_scales and not response_scales[rs].has_bounds:
        p.add(
            where,
            "reverse",
            f"a reverse-keyed item needs a response scale with declared min and max; "
            f"{shown(rs)} has none",
        )
    required = spec.get("required", True)
    if not isinstance(required, bool):
        p.add(where, "required", f"must be true or false, not {shown(required)}")
    section = read_text(p, spec, "section", where) or None
    if section is not None and section not in sections:
        p.add(
            where, "section", f"unknown section {shown(section)}" + did_you_mean(section, sections)
        )
    equivalent = _parse_equivalent(p, spec.get("equivalent_to"), where)
    if len(p.found) > n_before:
        return None
    return Item(
        id=str(ident),
        text=text,
        response_scale=rs,
        scale=scale,
        reverse=reverse,
        section=section,
        required=required,
        equivalent_to=equivalent,
    )


def _parse_equivalent(p: Problems, raw: Any, where: str) -> tuple[str, ...]:
    """``equivalent_to``: an item id of an earlier version, or a list of them (they need not
    be items of this file)."""
    if raw is None:
        return ()
    ids = [raw] if isinstance(raw, str) else raw
    if not isinstance(ids, list) or not ids or not all(
            isinstance(i, str) and ID_PATTERN.match(i) for i in ids):
        p.add(where, "equivalent_to", f"{shown(raw)} must be an item id or a list of item ids "
              "(of an earlier version of the instrument)")
        return ()
    return tuple(dict.fromkeys(ids))


def _listed(raw: Any) -> list[Any]:
    """The entries of a list field, or none when the field is not a list (its own check
    reports that)."""
    return list(raw) if isinstance(raw, list) else []

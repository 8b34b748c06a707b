"""Turn a parsed instrument file into an :class:`~colead.instrument.Instrument`, or say why not.

Every check appends to one list of problems; nothing is raised until the whole file has been
read, so that a user sees every problem at once.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from colead._yaml import describe_yaml_error, load_yaml
from colead.exceptions import InstrumentError, InstrumentProblem
from colead.instrument import (
    InfluenceGrid,
    Instrument,
    Item,
    Number,
    ResponseScale,
    Scale,
)

FORMAT_VERSIONS = (1,)
RESERVED_IDS = ("respondent_id", "school_id")

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

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
RS_FIELDS = ("type", "min", "max", "labels", "missing")
SCALE_FIELDS = ("title", "construct", "description", "items", "min_valid", "citations")
ITEM_FIELDS = ("id", "text", "response_scale", "scale", "reverse", "section")
GRID_FIELDS = ("stem", "response_scale", "stakeholders", "zones", "items", "generate")
GENERATE_FIELDS = ("id", "text", "section")
SECTION_FIELDS = ("title", "instructions")
TEMPLATE_FIELDS = ("stakeholder", "zone", "stakeholder_label", "zone_label")


class _Problems:
    def __init__(self, file: str) -> None:
        self.file = file
        self.found: list[InstrumentProblem] = []

    def add(self, where: str, field: str, reason: str) -> None:
        self.found.append(InstrumentProblem(self.file, where, field, reason))

    def raise_if_any(self) -> None:
        if self.found:
            raise InstrumentError(self.found)


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
    p = _Problems(file)
    for key, line in duplicates:
        p.add(
            f"line {line}",
            str(key),
            "is defined twice; the second would silently replace the first",
        )
    if not isinstance(data, Mapping):
        p.add("", "", f"must be a mapping of fields (name, title, ...), not {_kind(data)}")
        p.raise_if_any()
    _check_fields(p, data, TOP_FIELDS, "")
    fmt = data.get("format_version", 1)
    if fmt not in FORMAT_VERSIONS or isinstance(fmt, bool):
        p.add(
            "",
            "format_version",
            f"{fmt!r} is not a known format version ({', '.join(map(str, FORMAT_VERSIONS))})",
        )
    name = _text(p, data, "name", "", required=True)
    if name and not _NAME.match(name):
        p.add("", "name", f"{name!r} must be lower-case letters, digits, '-', '_' or '.'")
    title = _text(p, data, "title", "", required=True)
    version = _text(p, data, "version", "", required=True)
    meta = {
        key: _text(p, data, key, "") for key in ("description", "respondent", "source", "licence")
    }
    language = _text(p, data, "language", "") or "en"
    citations = _citations(p, data, "")
    sections = _parse_sections(p, data.get("sections"))
    response_scales = _parse_response_scales(p, data.get("response_scales"))
    # Ids that are declared but broken are known: their own problems are reported once, and
    # whatever refers to them is not blamed again.
    declared = _Declared(
        response_scales=_keys(data.get("response_scales")),
        scales=_keys(data.get("scales")),
        items={spec.get("id") for spec in data.get("items") or [] if isinstance(spec, Mapping)},
    )
    items = _parse_items(p, data.get("items"), response_scales, sections, declared)
    grid, generated = _parse_grid(
        p, data.get("influence"), items, response_scales, sections, declared
    )
    items = items + generated
    declared.items |= {item.id for item in generated}
    scales = _parse_scales(p, data.get("scales"), items, response_scales, declared)
    _check_item_scales(p, items, response_scales, declared)
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
        language=language,
        path=path,
        **meta,
    )


# -- small readers ---------------------------------------------------------------------------
class _Declared:
    """The ids a file declares, whether or not their definitions were sound."""

    def __init__(self, response_scales: set[Any], scales: set[Any], items: set[Any]) -> None:
        self.response_scales = response_scales
        self.scales = scales
        self.items = items


def _keys(raw: Any) -> set[Any]:
    return set(raw) if isinstance(raw, Mapping) else set()


def _kind(value: Any) -> str:
    """How a YAML value reads to a user, for messages."""
    if value is None:
        return "empty"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    return "text" if isinstance(value, str) else type(value).__name__


def _where(kind: str, ident: Any, mapping: Any = None) -> str:
    line = getattr(mapping, "line", 0)
    return f"{kind} {ident!r}" + (f" (line {line})" if line else "")


def _check_fields(
    p: _Problems, mapping: Mapping[str, Any], allowed: tuple[str, ...], where: str
) -> None:
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(allowed)})"
            p.add(where, str(key), f"is not a known field{hint}")


def _text(
    p: _Problems, mapping: Mapping[str, Any], key: str, where: str, required: bool = False
) -> str:
    value = mapping.get(key)
    if value is None:
        if required:
            p.add(where, key, "is required")
        return ""
    if isinstance(value, bool | int | float):
        p.add(where, key, f"must be text, not {value!r}; quote it ('{value}')")
        return ""
    if not isinstance(value, str):
        p.add(where, key, f"must be text, not {_kind(value)}")
        return ""
    if required and not value.strip():
        p.add(where, key, "is empty")
    return value.strip()


def _citations(p: _Problems, mapping: Mapping[str, Any], where: str) -> tuple[str, ...]:
    value = mapping.get("citations")
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        p.add(where, "citations", "must be a list of text entries")
        return ()
    return tuple(v.strip() for v in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    known = list(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]!r}?)"
    return f"; known: {', '.join(known)}" if known else "; none are defined"


# -- sections and response scales --------------------------------------------------------------
def _parse_sections(p: _Problems, raw: Any) -> dict[str, tuple[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        p.add("", "sections", f"must be a mapping of section id to title, not {_kind(raw)}")
        return {}
    sections = {}
    for sid, spec in raw.items():
        where = _where("section", sid, spec)
        if not isinstance(sid, str) or not _ID.match(sid):
            p.add(where, "", "section ids must start with a letter and hold letters, digits, _")
            continue
        if isinstance(spec, str):
            sections[sid] = (spec.strip(), "")
        elif isinstance(spec, Mapping):
            _check_fields(p, spec, SECTION_FIELDS, where)
            sections[sid] = (
                _text(p, spec, "title", where, required=True),
                _text(p, spec, "instructions", where),
            )
        else:
            p.add(
                where,
                "",
                f"must be a title or a mapping with title and instructions, not {_kind(spec)}",
            )
    return sections


def _parse_response_scales(p: _Problems, raw: Any) -> dict[str, ResponseScale]:
    if raw is None:
        p.add("", "response_scales", "is required")
        return {}
    if not isinstance(raw, Mapping) or not raw:
        p.add(
            "", "response_scales", f"must be a mapping of scale id to definition, not {_kind(raw)}"
        )
        return {}
    scales = {}
    for rid, spec in raw.items():
        where = _where("response scale", rid, spec)
        if not isinstance(rid, str) or not _ID.match(rid):
            p.add(where, "", "ids must start with a letter and hold letters, digits, _")
            continue
        if not isinstance(spec, Mapping):
            p.add(
                where, "", f"must be a mapping (type, min, max, labels, missing), not {_kind(spec)}"
            )
            continue
        built = _parse_response_scale(p, rid, spec, where)
        if built is not None:
            scales[rid] = built
    return scales


def _parse_response_scale(
    p: _Problems, rid: str, spec: Mapping[str, Any], where: str
) -> ResponseScale | None:
    _check_fields(p, spec, RS_FIELDS, where)
    n_before = len(p.found)
    kind = spec.get("type", "ordinal")
    if kind not in ("ordinal", "categorical", "numeric"):
        p.add(where, "type", f"{kind!r} must be ordinal, categorical or numeric")
        return None
    labels = _parse_labels(p, spec.get("labels"), kind, where)
    bounds: dict[str, Number | None] = {}
    for key in ("min", "max"):
        value = spec.get(key)
        if value is not None and not _is_number(value):
            p.add(where, key, f"must be a number, not {value!r}")
            value = None
        if value is not None and kind == "categorical":
            p.add(where, key, "a categorical scale has no order, so no bounds")
            value = None
        bounds[key] = value
    lo, hi = bounds["min"], bounds["max"]
    if kind == "ordinal" and labels:
        values = [v for v, _ in labels]
        lo = min(values) if lo is None else lo
        hi = max(values) if hi is None else hi
        outside = [v for v in values if not lo <= v <= hi]
        if outside:
            p.add(where, "labels", f"values {outside} lie outside the bounds {lo:g} to {hi:g}")
    if lo is not None and hi is not None and lo >= hi:
        p.add(where, "min", f"min ({lo:g}) must be below max ({hi:g})")
    missing = _parse_missing(p, spec.get("missing"), labels, lo, hi, where)
    if len(p.found) > n_before:
        return None
    return ResponseScale(id=rid, type=kind, labels=labels, min=lo, max=hi, missing=missing)


def _parse_labels(p: _Problems, raw: Any, kind: str, where: str) -> tuple[tuple[Number, str], ...]:
    if raw is None:
        if kind != "numeric":
            p.add(where, "labels", f"are required for a {kind} scale")
        return ()
    if kind == "numeric":
        p.add(where, "labels", "a numeric scale has no labels; use an ordinal scale")
        return ()
    if not isinstance(raw, Mapping) or not raw:
        p.add(where, "labels", f"must be a mapping of value to label, not {_kind(raw)}")
        return ()
    labels = []
    seen: dict[str, Number] = {}
    for value, label in raw.items():
        if not _is_number(value):
            p.add(
                where, "labels", f"value {value!r} must be a number (the code stored in the data)"
            )
            continue
        if not isinstance(label, str) or not label.strip():
            hint = "; quote it" if isinstance(label, bool) else ""
            p.add(where, "labels", f"label of {value!r} must be text, not {label!r}{hint}")
            continue
        folded = label.strip().casefold()
        if folded in seen:
            p.add(
                where,
                "labels",
                f"label {label!r} is used for both {seen[folded]!r} and "
                f"{value!r}, so it cannot be read back",
            )
            continue
        seen[folded] = value
        labels.append((value, label.strip()))
    return tuple(sorted(labels))


def _parse_missing(
    p: _Problems,
    raw: Any,
    labels: tuple[tuple[Number, str], ...],
    lo: Number | None,
    hi: Number | None,
    where: str,
) -> tuple[str | Number, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raw = [raw]
    label_text = {label.casefold() for _, label in labels}
    values = {v for v, _ in labels}
    missing: list[str | Number] = []
    for code in raw:
        if isinstance(code, str) and code.strip():
            if code.strip().casefold() in label_text:
                p.add(where, "missing", f"{code!r} is also a label of a scale point")
                continue
            missing.append(code.strip())
        elif _is_number(code):
            inside = lo is not None and hi is not None and lo <= code <= hi
            if code in values or inside:
                p.add(
                    where,
                    "missing",
                    f"code {code!r} is also a value on the scale "
                    "(missing codes must lie outside it)",
                )
                continue
            missing.append(code)
        else:
            p.add(where, "missing", f"{code!r} must be a label (text) or a numeric code; quote it")
    return tuple(missing)


# -- items -----------------------------------------------------------------------------------
def _parse_items(
    p: _Problems,
    raw: Any,
    response_scales: Mapping[str, ResponseScale],
    sections: Mapping[str, Any],
    declared: _Declared,
) -> list[Item]:
    if raw is None:
        p.add("", "items", "is required")
        return []
    if not isinstance(raw, list):
        p.add("", "items", f"must be a list of items, not {_kind(raw)}")
        return []
    items: list[Item] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        if not isinstance(spec, Mapping):
            p.add(f"items[{index}]", "", f"must be a mapping (id, text, ...), not {_kind(spec)}")
            continue
        ident = spec.get("id")
        where = (
            _where("item", ident, spec)
            if isinstance(ident, str) and ident
            else f"items[{index}]"
            + (f" (line {getattr(spec, 'line', 0)})" if getattr(spec, "line", 0) else "")
        )
        _check_fields(p, spec, ITEM_FIELDS, where)
        item = _parse_item(p, spec, where, declared, sections)
        if item is None:
            continue
        if item.id in seen:
            p.add(where, "id", "duplicate item id")
            continue
        seen.add(item.id)
        items.append(item)
    return items


def _check_id(p: _Problems, ident: Any, where: str, field: str) -> bool:
    if not isinstance(ident, str) or not ident:
        p.add(where, field, "is required" if ident is None else f"must be text, not {ident!r}")
        return False
    if not _ID.match(ident):
        p.add(where, field, f"{ident!r} must start with a letter and hold only letters, digits, _")
        return False
    if ident in RESERVED_IDS:
        p.add(where, field, f"{ident!r} is reserved for colead's own column")
        return False
    return True


def _parse_item(
    p: _Problems,
    spec: Mapping[str, Any],
    where: str,
    declared: _Declared,
    sections: Mapping[str, Any],
) -> Item | None:
    n_before = len(p.found)
    ident = spec.get("id")
    _check_id(p, ident, where, "id")
    text = _text(p, spec, "text", where, required=True)
    rs = _text(p, spec, "response_scale", where, required=True)
    if rs and rs not in declared.response_scales:
        p.add(
            where,
            "response_scale",
            f"unknown response scale {rs!r}" + _did_you_mean(rs, declared.response_scales),
        )
    scale = _text(p, spec, "scale", where) or None
    reverse = spec.get("reverse", False)
    if not isinstance(reverse, bool):
        p.add(where, "reverse", f"must be true or false, not {reverse!r}")
    section = _text(p, spec, "section", where) or None
    if section is not None and section not in sections:
        p.add(where, "section", f"unknown section {section!r}" + _did_you_mean(section, sections))
    if len(p.found) > n_before:
        return None
    return Item(
        id=str(ident), text=text, response_scale=rs, scale=scale, reverse=reverse, section=section
    )


def _check_item_scales(
    p: _Problems,
    items: list[Item],
    response_scales: Mapping[str, ResponseScale],
    declared: _Declared,
) -> None:
    for item in items:
        where = _where("item", item.id)
        if item.scale is not None and item.scale not in declared.scales:
            p.add(
                where,
                "scale",
                f"unknown scale {item.scale!r}"
                + _did_you_mean(item.scale, sorted(map(str, declared.scales))),
            )
        rs = response_scales.get(item.response_scale)
        if item.reverse and rs is not None and not rs.has_bounds:
            p.add(
                where,
                "reverse",
                f"a reverse-keyed item needs a response scale with declared "
                f"min and max; {item.response_scale!r} has none",
            )


# -- scales ----------------------------------------------------------------------------------
def _parse_scales(
    p: _Problems,
    raw: Any,
    items: list[Item],
    response_scales: Mapping[str, ResponseScale],
    declared: _Declared,
) -> list[Scale]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        p.add("", "scales", f"must be a mapping of scale id to definition, not {_kind(raw)}")
        return []
    by_id = {item.id: item for item in items}
    scales = []
    for sid, spec in raw.items():
        where = _where("scale", sid, spec)
        if not isinstance(sid, str) or not _ID.match(sid):
            p.add(where, "", "scale ids must start with a letter and hold letters, digits, _")
            continue
        if not isinstance(spec, Mapping):
            p.add(where, "", f"must be a mapping (title, items, ...), not {_kind(spec)}")
            continue
        built = _parse_scale(p, sid, spec, where, items, by_id, response_scales, declared)
        if built is not None:
            scales.append(built)
    return scales


def _parse_scale(
    p: _Problems,
    sid: str,
    spec: Mapping[str, Any],
    where: str,
    items: list[Item],
    by_id: Mapping[str, Item],
    response_scales: Mapping[str, ResponseScale],
    declared: _Declared,
) -> Scale | None:
    _check_fields(p, spec, SCALE_FIELDS, where)
    n_before = len(p.found)
    title = _text(p, spec, "title", where, required=True)
    owned = [item.id for item in items if item.scale == sid]
    listed = spec.get("items")
    if listed is None:
        members = owned
    elif not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
        p.add(where, "items", "must be a list of item ids")
        members = []
    else:
        members = list(listed)
        for item_id in sorted({i for i in members if members.count(i) > 1}):
            p.add(where, "items", f"lists item {item_id!r} more than once")
        for item_id in members:
            if item_id not in declared.items:
                p.add(where, "items", f"unknown item {item_id!r}" + _did_you_mean(item_id, by_id))
        for item_id in owned:
            if item_id not in members:
                p.add(where, "items", f"item {item_id!r} names this scale but is not in its list")
    if not members:
        p.add(where, "items", "the scale has no items")
    bounds: set[tuple[Number, Number]] = set()
    for item_id in members:
        item = by_id.get(item_id)
        rs = response_scales.get(item.response_scale) if item else None
        if rs is None:
            continue
        if not rs.has_bounds:
            p.add(
                where,
                "items",
                f"item {item_id!r} uses {rs.id!r}, which has no bounds "
                f"({rs.type}); it cannot be scored in a scale",
            )
        elif rs.min is not None and rs.max is not None:
            bounds.add((rs.min, rs.max))
    if len(bounds) > 1:
        shown = ", ".join(f"{lo:g}-{hi:g}" for lo, hi in sorted(bounds))
        p.add(
            where,
            "items",
            f"mixes response scales with different bounds ({shown}); score "
            "such items in separate scales",
        )
    min_valid = _parse_min_valid(p, spec.get("min_valid", 0.5), len(members), where)
    if len(p.found) > n_before or not bounds:
        return None
    lo, hi = bounds.pop()
    return Scale(
        id=sid,
        title=title,
        items=tuple(dict.fromkeys(members)),
        min=lo,
        max=hi,
        construct=_text(p, spec, "construct", where),
        description=_text(p, spec, "description", where),
        min_valid=min_valid,
        citations=_citations(p, spec, where),
    )


def _parse_min_valid(p: _Problems, value: Any, k: int, where: str) -> Number:
    if isinstance(value, float) and 0 < value <= 1:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        if k and value > k:
            p.add(where, "min_valid", f"asks for {value} answered items but the scale has {k}")
        return value
    p.add(
        where,
        "min_valid",
        f"{value!r} must be a fraction in (0, 1] such as 0.5, or a whole count of items such as 2",
    )
    return 0.5


# -- influence grid --------------------------------------------------------------------------
def _parse_grid(
    p: _Problems,
    raw: Any,
    items: list[Item],
    response_scales: Mapping[str, ResponseScale],
    sections: Mapping[str, Any],
    declared: _Declared,
) -> tuple[InfluenceGrid | None, list[Item]]:
    if raw is None:
        return None, []
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(
            where,
            "",
            f"must be a mapping (stakeholders, zones, items or generate), not {_kind(raw)}",
        )
        return None, []
    _check_fields(p, raw, GRID_FIELDS, where)
    n_before = len(p.found)
    stakeholders = _parse_axis(p, raw.get("stakeholders"), "stakeholders")
    zones = _parse_axis(p, raw.get("zones"), "zones")
    stem = _text(p, raw, "stem", where)
    rs = _text(p, raw, "response_scale", where) or None
    if rs is not None and rs not in declared.response_scales:
        p.add(
            where,
            "response_scale",
            f"unknown response scale {rs!r}" + _did_you_mean(rs, declared.response_scales),
        )
    has_items, has_generate = "items" in raw, "generate" in raw
    if has_items == has_generate:
        p.add(
            where,
            "items",
            "give either items (the item of each cell) or generate (a "
            "pattern for the item ids), not " + ("both" if has_items else "neither"),
        )
    generated: list[Item] = []
    cells: list[tuple[str, str, str]] = []
    if has_generate and rs is None:
        p.add(where, "response_scale", "is required when the grid generates its items")
    elif has_generate and rs is not None:
        made = _generate_cells(p, raw["generate"], stakeholders, zones, rs, items, sections)
        generated = [item for _, _, item in made]
        cells = [(s, z, item.id) for s, z, item in made]
    elif has_items:
        cells = _explicit_cells(p, raw["items"], stakeholders, zones, items)
        cell_scales = {next(i.response_scale for i in items if i.id == c[2]) for c in cells}
        if rs is None and len(cell_scales) == 1:
            rs = cell_scales.pop()
        for s, z, item_id in cells:
            item_rs = next(i.response_scale for i in items if i.id == item_id)
            if rs is not None and item_rs != rs:
                p.add(
                    where,
                    "items",
                    f"cell ({s}, {z}) item {item_id!r} uses response scale "
                    f"{item_rs!r}, not the grid's {rs!r}",
                )
        if rs is None and cells:
            p.add(
                where,
                "response_scale",
                "the cells' items use different response scales; name the grid's response_scale",
            )
    if len(p.found) > n_before or rs is None:
        return None, generated
    return (
        InfluenceGrid(
            stakeholders=stakeholders, zones=zones, cells=tuple(cells), response_scale=rs, stem=stem
        ),
        generated,
    )


def _parse_axis(p: _Problems, raw: Any, field: str) -> tuple[tuple[str, str], ...]:
    where = "influence grid"
    pairs: list[tuple[Any, Any]] = []
    if raw is None:
        p.add(where, field, "is required")
    elif isinstance(raw, Mapping):
        pairs = list(raw.items())
    elif isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, Mapping):
                pairs.append((entry.get("id"), entry.get("label")))
            else:
                pairs.append((entry, None))
    else:
        p.add(where, field, f"must be a list of ids or a mapping of id to label, not {_kind(raw)}")
    out: dict[str, str] = {}
    for ident, label in pairs:
        if not isinstance(ident, str) or not _ID.match(ident):
            p.add(where, field, f"{ident!r} must start with a letter and hold letters, digits, _")
            continue
        if ident in out:
            p.add(where, field, f"{ident!r} appears twice")
            continue
        if label is not None and not isinstance(label, str):
            p.add(where, field, f"label of {ident!r} must be text, not {label!r}")
            continue
        out[ident] = label.strip() if label else ident.replace("_", " ").capitalize()
    if raw is not None and not pairs:
        p.add(where, field, "is empty")
    return tuple(out.items())


def _template_fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _generate_cells(
    p: _Problems,
    raw: Any,
    stakeholders: tuple[tuple[str, str], ...],
    zones: tuple[tuple[str, str], ...],
    rs: str,
    items: list[Item],
    sections: Mapping[str, Any],
) -> list[tuple[str, str, Item]]:
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(where, "generate", f"must be a mapping with id and text patterns, not {_kind(raw)}")
        return []
    _check_fields(p, raw, GENERATE_FIELDS, where + " generate")
    id_pattern = _text(p, raw, "id", where + " generate", required=True)
    text_pattern = _text(p, raw, "text", where + " generate") or "{stakeholder_label}: {zone_label}"
    section = _text(p, raw, "section", where + " generate") or None
    if section is not None and section not in sections:
        p.add(where, "generate", f"unknown section {section!r}" + _did_you_mean(section, sections))
    n_before = len(p.found)
    try:
        for pattern in (id_pattern, text_pattern):
            unknown = [f for f in _template_fields(pattern) if f not in TEMPLATE_FIELDS]
            if unknown:
                p.add(
                    where,
                    "generate",
                    f"pattern {pattern!r} uses {unknown}; it may use "
                    + ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS),
                )
        fields = set(_template_fields(id_pattern))
        if id_pattern and not {"stakeholder", "zone"} <= fields:
            p.add(
                where,
                "generate",
                f"id pattern {id_pattern!r} must contain {{stakeholder}} "
                "and {zone} so that every cell gets its own item",
            )
    except ValueError as exc:
        p.add(where, "generate", f"pattern is malformed: {exc}")
    if len(p.found) > n_before or not id_pattern:
        return []
    declared = {item.id for item in items}
    generated = []
    for s, s_label in stakeholders:
        for z, z_label in zones:
            values = {
                "stakeholder": s,
                "zone": z,
                "stakeholder_label": s_label,
                "zone_label": z_label,
            }
            ident = id_pattern.format(**values)
            cell_where = f"influence grid cell ({s}, {z})"
            if not _check_id(p, ident, cell_where, "generate"):
                continue
            if ident in declared:
                p.add(
                    cell_where, "generate", f"generated item id {ident!r} is also a declared item"
                )
                continue
            generated.append(
                (
                    s,
                    z,
                    Item(
                        id=ident,
                        text=text_pattern.format(**values),
                        response_scale=rs,
                        section=section,
                    ),
                )
            )
    return generated


def _explicit_cells(
    p: _Problems,
    raw: Any,
    stakeholders: tuple[tuple[str, str], ...],
    zones: tuple[tuple[str, str], ...],
    items: list[Item],
) -> list[tuple[str, str, str]]:
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(
            where,
            "items",
            f"must map each stakeholder to a mapping of zone to item id, not {_kind(raw)}",
        )
        return []
    s_ids, z_ids = dict(stakeholders), dict(zones)
    known = {item.id for item in items}
    used: dict[str, tuple[str, str]] = {}
    cells = []
    for s, row in raw.items():
        if s not in s_ids:
            p.add(where, "items", f"unknown stakeholder {s!r}" + _did_you_mean(str(s), s_ids))
            continue
        if not isinstance(row, Mapping):
            p.add(where, "items", f"stakeholder {s!r} must map zones to item ids, not {_kind(row)}")
            continue
        for z, item_id in row.items():
            cell = f"cell ({s}, {z})"
            if z not in z_ids:
                p.add(where, "items", f"{cell}: unknown zone {z!r}" + _did_you_mean(str(z), z_ids))
            elif not isinstance(item_id, str) or item_id not in known:
                p.add(where, "items", f"{cell} points at no item: {item_id!r}")
            elif item_id in used:
                p.add(
                    where,
                    "items",
                    f"{cell} uses item {item_id!r}, already the item of cell {used[item_id]}",
                )
            else:
                used[item_id] = (s, z)
                cells.append((s, z, item_id))
    order = {(s, z): i for i, (s, z) in enumerate((s, z) for s in s_ids for z in z_ids)}
    return sorted(cells, key=lambda c: order[(c[0], c[1])])

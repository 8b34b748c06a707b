"""Parsing of the influence grid of an instrument file."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from colead.instrument.checks import (
    ID_PATTERN,
    Declared,
    Problems,
    check_fields,
    check_id,
    did_you_mean,
    kind_of,
    read_text,
    shown,
)
from colead.instrument.model import InfluenceGrid, Item, ResponseScale

GRID_FIELDS = ("stem", "response_scale", "stakeholders", "zones", "items", "generate")
GENERATE_FIELDS = ("id", "text", "section")
TEMPLATE_FIELDS = ("stakeholder", "zone", "stakeholder_label", "zone_label")
#: Most cells a generated grid may have (the SASS grids have 42): a file of a few hundred
#: stakeholders and zones would otherwise stand for a hundred thousand items.
MAX_CELLS = 10_000


def parse_grid(
    p: Problems,
    raw: Any,
    items: list[Item],
    response_scales: Mapping[str, ResponseScale],
    sections: Mapping[str, Any],
    declared: Declared,
) -> tuple[InfluenceGrid | None, list[Item]]:
    if raw is None:
        return None, []
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(
            where,
            "",
            f"must be a mapping (stakeholders, zones, items or generate), not {kind_of(raw)}",
        )
        return None, []
    check_fields(p, raw, GRID_FIELDS, where)
    n_before = len(p.found)
    stakeholders = _parse_axis(p, raw.get("stakeholders"), "stakeholders")
    zones = _parse_axis(p, raw.get("zones"), "zones")
    stem = read_text(p, raw, "stem", where, translate="stem")
    rs = read_text(p, raw, "response_scale", where) or None
    if rs is not None and rs not in declared.response_scales:
        p.add(
            where,
            "response_scale",
            f"unknown response scale {shown(rs)}" + did_you_mean(rs, declared.response_scales),
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
    if has_generate:
        if rs is None:
            p.add(where, "response_scale", "is required when the grid generates its items")
        # the patterns are checked even without a response scale, so that one pass finds all
        made = _generate_cells(
            p, raw["generate"], stakeholders, zones, rs or "", declared.items, sections
        )
        generated = [item for _, _, item in made]
        cells = [(s, z, item.id) for s, z, item in made]
    elif has_items:
        scale_of = {item.id: item.response_scale for item in items}
        cells = _explicit_cells(p, raw["items"], stakeholders, zones, scale_of, declared.items)
        cell_scales = {scale_of[c[2]] for c in cells}
        if rs is None and len(cell_scales) == 1:
            rs = cell_scales.pop()
        for s, z, item_id in cells:
            item_rs = scale_of[item_id]
            if rs is not None and item_rs != rs:
                p.add(
                    where,
                    "items",
                    f"cell ({s}, {z}) item {shown(item_id)} uses response scale "
                    f"{shown(item_rs)}, not the grid's {shown(rs)}",
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


def _parse_axis(p: Problems, raw: Any, field: str) -> tuple[tuple[str, str], ...]:
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
        p.add(where, field, f"must be a list of ids or a mapping id -> label, not {kind_of(raw)}")
    out: dict[str, str] = {}
    for ident, label in pairs:
        if not isinstance(ident, str) or not ID_PATTERN.match(ident):
            p.add(
                where, field, f"{shown(ident)} must start with a letter and hold letters, digits, _"
            )
            continue
        if ident in out:
            p.add(where, field, f"{shown(ident)} appears twice")
            continue
        if isinstance(label, Mapping):
            label = read_text(p, {field: label}, field, where,
                              translate=f"{field.rstrip('s')}:{ident}") or None
        if label is not None and not isinstance(label, str):
            p.add(where, field, f"label of {shown(ident)} must be text, not {shown(label)}")
            continue
        out[ident] = label.strip() if label else ident.replace("_", " ").capitalize()
    if raw is not None and not pairs:
        p.add(where, field, "is empty")
    return tuple(out.items())


def _texts_by_language(p: Problems) -> dict[tuple[str, str], str]:
    """(language, key) -> text of the translations recorded so far (the first of each)."""
    texts: dict[tuple[str, str], str] = {}
    for language, key, text in p.translations:
        texts.setdefault((language, key), text)
    return texts


def _template_fields(template: str) -> list[str]:
    """The fields of a pattern. Only plain ``{name}`` fields are allowed: a format spec or a
    conversion (``{zone_label:>99999999999}``, ``{zone!r}``) raises ValueError, as a malformed
    pattern does; a width alone could make a pattern allocate gigabytes."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if spec or conversion:
            extra = f"!{conversion}" if conversion else ""
            extra += f":{spec}" if spec else ""
            raise ValueError(
                f"field {{{shown(name, quote=False)}{shown(extra, quote=False)}}} has a "
                "format or conversion; write fields as plain {name}"
            )
        names.append(name)
    return names


def _generate_cells(
    p: Problems,
    raw: Any,
    stakeholders: tuple[tuple[str, str], ...],
    zones: tuple[tuple[str, str], ...],
    rs: str,
    declared_ids: set[Any],
    sections: Mapping[str, Any],
) -> list[tuple[str, str, Item]]:
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(where, "generate", f"must be a mapping with id and text patterns, not {kind_of(raw)}")
        return []
    check_fields(p, raw, GENERATE_FIELDS, where + " generate")
    id_pattern = read_text(p, raw, "id", where + " generate", required=True)
    first = len(p.translations)
    text_pattern = (
        read_text(p, raw, "text", where + " generate", translate="pattern")
        or "{stakeholder_label}: {zone_label}"
    )
    # The pattern in other languages is not an instrument text itself: each generated item
    # gets its own translation from it (below), with the labels in that language.
    patterns = {lang: text for lang, _, text in p.translations[first:]}
    del p.translations[first:]
    section = read_text(p, raw, "section", where + " generate") or None
    if section is not None and section not in sections:
        p.add(
            where, "generate", f"unknown section {shown(section)}" + did_you_mean(section, sections)
        )
    n_before = len(p.found)
    for pattern in dict.fromkeys((id_pattern, text_pattern, *patterns.values())):
        try:
            fields = _template_fields(pattern)
        except ValueError as exc:
            p.add(where, "generate", f"pattern {shown(pattern)} is malformed: {exc}")
            continue
        unknown = [f for f in fields if f not in TEMPLATE_FIELDS]
        if unknown:
            p.add(
                where,
                "generate",
                f"pattern {shown(pattern)} uses {shown(unknown)}; it may use "
                + ", ".join(f"{{{f}}}" for f in TEMPLATE_FIELDS),
            )
        if pattern == id_pattern and id_pattern and not {"stakeholder", "zone"} <= set(fields):
            p.add(
                where,
                "generate",
                f"id pattern {shown(id_pattern)} must contain {{stakeholder}} "
                "and {zone} so that every cell gets its own item",
            )
    if len(p.found) > n_before or not id_pattern:
        return []
    if len(stakeholders) * len(zones) > MAX_CELLS:
        p.add(
            where,
            "generate",
            f"{len(stakeholders):,} stakeholders x {len(zones):,} zones would generate more "
            f"than {MAX_CELLS:,} items",
        )
        return []
    texts = _texts_by_language(p)
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
            if not check_id(p, ident, cell_where, "generate"):
                continue
            if ident in declared_ids:
                p.add(
                    cell_where,
                    "generate",
                    f"generated item id {shown(ident)} is also a declared item",
                )
                continue
            for lang, pattern in patterns.items():
                p.translations.append((lang, f"item:{ident}", pattern.format(
                    stakeholder=s, zone=z,
                    stakeholder_label=texts.get((lang, f"stakeholder:{s}"), s_label),
                    zone_label=texts.get((lang, f"zone:{z}"), z_label))))
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
    p: Problems,
    raw: Any,
    stakeholders: tuple[tuple[str, str], ...],
    zones: tuple[tuple[str, str], ...],
    scale_of: Mapping[str, str],
    declared_ids: set[Any],
) -> list[tuple[str, str, str]]:
    """The (stakeholder, zone, item id) of each cell. ``scale_of`` holds the sound items; a
    cell naming a declared item that is broken is left out without blaming it again."""
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(
            where,
            "items",
            f"must map each stakeholder to a mapping of zone to item id, not {kind_of(raw)}",
        )
        return []
    s_ids, z_ids = dict(stakeholders), dict(zones)
    used: dict[str, tuple[str, str]] = {}
    cells = []
    for s, row in raw.items():
        if s not in s_ids:
            p.add(where, "items", f"unknown stakeholder {shown(s)}" + did_you_mean(str(s), s_ids))
            continue
        if not isinstance(row, Mapping):
            reason = f"stakeholder {shown(s)} must map zones to items, not {kind_of(row)}"
            p.add(where, "items", reason)
            continue
        for z, item_id in row.items():
            cell = f"cell ({shown(s, quote=False)}, {shown(z, quote=False)})"
            if z not in z_ids:
                unknown = f"{cell}: unknown zone {shown(z)}"
                p.add(where, "items", unknown + did_you_mean(str(z), z_ids))
            elif not isinstance(item_id, str) or item_id not in declared_ids:
                p.add(where, "items", f"{cell} points at no item: {shown(item_id)}")
            elif item_id not in scale_of:
                continue
            elif item_id in used:
                p.add(
                    where,
                    "items",
                    f"{cell} uses item {shown(item_id)}, already the item of cell {used[item_id]}",
                )
            else:
                used[item_id] = (s, z)
                cells.append((s, z, item_id))
    order = {(s, z): i for i, (s, z) in enumerate((s, z) for s in s_ids for z in z_ids)}
    return sorted(cells, key=lambda c: order[(c[0], c[1])])

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
)
from colead.instrument.model import InfluenceGrid, Item, ResponseScale

GRID_FIELDS = ("stem", "response_scale", "stakeholders", "zones", "items", "generate")
GENERATE_FIELDS = ("id", "text", "section")
TEMPLATE_FIELDS = ("stakeholder", "zone", "stakeholder_label", "zone_label")


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
            f"unknown response scale {rs!r}" + did_you_mean(rs, declared.response_scales),
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
            p.add(where, field, f"{ident!r} must start with a letter and hold letters, digits, _")
            continue
        if ident in out:
            p.add(where, field, f"{ident!r} appears twice")
            continue
        if isinstance(label, Mapping):
            label = read_text(p, {field: label}, field, where,
                              translate=f"{field.rstrip('s')}:{ident}") or None
        if label is not None and not isinstance(label, str):
            p.add(where, field, f"label of {ident!r} must be text, not {label!r}")
            continue
        out[ident] = label.strip() if label else ident.replace("_", " ").capitalize()
    if raw is not None and not pairs:
        p.add(where, field, "is empty")
    return tuple(out.items())


def _label_in(p: Problems, language: str, key: str, default: str) -> str:
    """A label's text in ``language`` when the file gives one, else the default text."""
    return next((t for lang, k, t in p.translations if lang == language and k == key), default)


def _template_fields(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _generate_cells(
    p: Problems,
    raw: Any,
    stakeholders: tuple[tuple[str, str], ...],
    zones: tuple[tuple[str, str], ...],
    rs: str,
    items: list[Item],
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
        p.add(where, "generate", f"unknown section {section!r}" + did_you_mean(section, sections))
    n_before = len(p.found)
    try:
        for pattern in (id_pattern, text_pattern, *patterns.values()):
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
            if not check_id(p, ident, cell_where, "generate"):
                continue
            if ident in declared:
                p.add(
                    cell_where, "generate", f"generated item id {ident!r} is also a declared item"
                )
                continue
            for lang, pattern in patterns.items():
                p.translations.append((lang, f"item:{ident}", pattern.format(
                    stakeholder=s, zone=z,
                    stakeholder_label=_label_in(p, lang, f"stakeholder:{s}", s_label),
                    zone_label=_label_in(p, lang, f"zone:{z}", z_label))))
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
    items: list[Item],
) -> list[tuple[str, str, str]]:
    where = "influence grid"
    if not isinstance(raw, Mapping):
        p.add(
            where,
            "items",
            f"must map each stakeholder to a mapping of zone to item id, not {kind_of(raw)}",
        )
        return []
    s_ids, z_ids = dict(stakeholders), dict(zones)
    known = {item.id for item in items}
    used: dict[str, tuple[str, str]] = {}
    cells = []
    for s, row in raw.items():
        if s not in s_ids:
            p.add(where, "items", f"unknown stakeholder {s!r}" + did_you_mean(str(s), s_ids))
            continue
        if not isinstance(row, Mapping):
            p.add(where, "items", f"stakeholder {s!r} must map zones to items, not {kind_of(row)}")
            continue
        for z, item_id in row.items():
            cell = f"cell ({s}, {z})"
            if z not in z_ids:
                p.add(where, "items", f"{cell}: unknown zone {z!r}" + did_you_mean(str(z), z_ids))
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

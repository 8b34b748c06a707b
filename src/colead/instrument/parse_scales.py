"""Response scales and scales of an instrument file: bounds, labels, missing answers, items,
``min_valid``; every problem appended to the file's list.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from colead.instrument.checks import (
    ID_PATTERN,
    Declared,
    Problems,
    check_fields,
    did_you_mean,
    is_number,
    kind_of,
    read_citations,
    read_text,
    shown,
    where_of,
)
from colead.instrument.missing import parse_missing
from colead.instrument.model import Item, Number, ResponseScale, Scale

#: The most points an ordinal scale may have (every whole number from min to max is one).
MAX_POINTS = 1000
RS_FIELDS = ("type", "min", "max", "labels", "missing")
SCALE_FIELDS = ("title", "construct", "description", "items", "min_valid", "citations")


def parse_response_scales(p: Problems, raw: Any) -> dict[str, ResponseScale]:
    if raw is None:
        p.add("", "response_scales", "is required")
        return {}
    if not isinstance(raw, Mapping) or not raw:
        p.add("", "response_scales", f"must be a mapping of id to definition, not {kind_of(raw)}")
        return {}
    scales = {}
    for rid, spec in raw.items():
        where = where_of("response scale", rid, spec)
        if not isinstance(rid, str) or not ID_PATTERN.match(rid):
            p.add(where, "", "ids must start with a letter and hold letters, digits, _")
            continue
        if not isinstance(spec, Mapping):
            p.add(where, "", f"must be a mapping (type, labels, missing, ...), not {kind_of(spec)}")
            continue
        built = _parse_response_scale(p, rid, spec, where)
        if built is not None:
            scales[rid] = built
    return scales


def _parse_response_scale(
    p: Problems, rid: str, spec: Mapping[str, Any], where: str
) -> ResponseScale | None:
    check_fields(p, spec, RS_FIELDS, where)
    n_before = len(p.found)
    kind = spec.get("type", "ordinal")
    if kind not in ("ordinal", "categorical", "numeric", "multiple"):
        p.add(where, "type", f"{shown(kind)} must be ordinal, categorical, numeric or multiple")
        return None
    labels = _parse_labels(p, spec.get("labels"), kind, where, rid)
    bounds: dict[str, Number | None] = {}
    for key in ("min", "max"):
        value = spec.get(key)
        if value is not None and not is_number(value):
            p.add(where, key, f"must be a number, not {shown(value)}")
            value = None
        if value is not None and kind in ("categorical", "multiple"):
            p.add(where, key, f"a {kind} scale has no order, so no bounds")
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
    elif (kind == "ordinal" and bounds["min"] is not None and bounds["max"] is not None
          and hi - lo >= MAX_POINTS):  # type: ignore[operator]
        p.add(where, "max", f"an ordinal scale from {lo:g} to {hi:g} would have more than "
                            f"{MAX_POINTS} points; use a numeric scale")
    missing, options = parse_missing(p, spec.get("missing"), rid, kind, labels, (lo, hi), where)
    if len(p.found) > n_before:
        return None
    declared = bounds["min"] is not None and bounds["max"] is not None
    return ResponseScale(
        id=rid, type=kind, labels=labels, min=lo, max=hi, missing=missing,
        missing_options=options, bounds_declared=declared,
    )


def _parse_labels(
    p: Problems, raw: Any, kind: str, where: str, rid: str
) -> tuple[tuple[Number, str], ...]:
    if raw is None:
        if kind != "numeric":
            p.add(where, "labels", f"are required for a {kind} scale")
        return ()
    if kind == "numeric":
        p.add(where, "labels", "a numeric scale has no labels; use an ordinal scale")
        return ()
    if not isinstance(raw, Mapping) or not raw:
        p.add(where, "labels", f"must be a mapping of value to label, not {kind_of(raw)}")
        return ()
    labels = []
    seen: dict[str, Number] = {}
    for value, label in raw.items():
        if not is_number(value):
            p.add(
                where,
                "labels",
                f"value {shown(value)} must be a number (the code stored in the data)",
            )
            continue
        if isinstance(label, Mapping):
            label = read_text(p, {"labels": label}, "labels", where,
                              translate=f"label:{rid}:{value:g}")
            if not label:
                continue
        if not isinstance(label, str) or not label.strip():
            hint = "; quote it" if isinstance(label, bool) else ""
            reason = f"label of {shown(value)} must be text, not {shown(label)}{hint}"
            p.add(where, "labels", reason)
            continue
        folded = label.strip().casefold()
        if folded in seen:
            p.add(
                where,
                "labels",
                f"label {shown(label)} is used for both {shown(seen[folded])} and "
                f"{shown(value)}, so it cannot be read back",
            )
            continue
        seen[folded] = value
        labels.append((value, label.strip()))
    return tuple(sorted(labels))


# -- scales ----------------------------------------------------------------------------------
def parse_scales(
    p: Problems,
    raw: Any,
    items: list[Item],
    response_scales: Mapping[str, ResponseScale],
    declared: Declared,
) -> list[Scale]:
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        p.add("", "scales", f"must be a mapping of scale id to definition, not {kind_of(raw)}")
        return []
    by_id = {item.id: item for item in items}
    scales = []
    for sid, spec in raw.items():
        where = where_of("scale", sid, spec)
        if not isinstance(sid, str) or not ID_PATTERN.match(sid):
            p.add(where, "", "scale ids must start with a letter and hold letters, digits, _")
            continue
        if not isinstance(spec, Mapping):
            p.add(where, "", f"must be a mapping (title, items, ...), not {kind_of(spec)}")
            continue
        built = _parse_scale(p, sid, spec, where, items, by_id, response_scales, declared)
        if built is not None:
            scales.append(built)
    return scales


def _parse_scale(
    p: Problems,
    sid: str,
    spec: Mapping[str, Any],
    where: str,
    items: list[Item],
    by_id: Mapping[str, Item],
    response_scales: Mapping[str, ResponseScale],
    declared: Declared,
) -> Scale | None:
    check_fields(p, spec, SCALE_FIELDS, where)
    n_before = len(p.found)
    title = read_text(p, spec, "title", where, required=True, translate=f"scale:{sid}")
    owned = [item.id for item in items if item.scale == sid]
    listed = spec.get("items")
    if listed is None:
        members = owned
    elif not isinstance(listed, list) or not all(isinstance(i, str) for i in listed):
        p.add(where, "items", "must be a list of item ids")
        members = []
    else:
        members = list(listed)
        counts = Counter(members)
        for item_id in sorted(i for i, n in counts.items() if n > 1):
            p.add(where, "items", f"lists item {shown(item_id)} more than once")
        for item_id in members:
            if item_id not in declared.items:
                p.add(
                    where, "items", f"unknown item {shown(item_id)}" + did_you_mean(item_id, by_id)
                )
        for item_id in owned:
            if item_id not in counts:
                reason = f"item {shown(item_id)} names this scale but is not in its list"
                p.add(where, "items", reason)
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
                f"item {shown(item_id)} uses {shown(rs.id)}, which has no bounds "
                f"({rs.type}); it cannot be scored in a scale",
            )
        elif rs.min is not None and rs.max is not None:
            bounds.add((rs.min, rs.max))
    if len(bounds) > 1:
        ranges = ", ".join(f"{lo:g}-{hi:g}" for lo, hi in sorted(bounds))
        p.add(
            where,
            "items",
            f"mixes response scales with different bounds ({ranges}); score "
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
        construct=read_text(p, spec, "construct", where),
        description=read_text(p, spec, "description", where),
        min_valid=min_valid,
        citations=read_citations(p, spec, where),
    )


def _parse_min_valid(p: Problems, value: Any, k: int, where: str) -> Number:
    if isinstance(value, float) and 0 < value <= 1:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        if k and value > k:
            p.add(where, "min_valid", f"asks for {value} answered items but the scale has {k}")
        return value
    p.add(
        where,
        "min_valid",
        f"{shown(value)} must be a fraction in (0, 1] such as 0.5, or a whole count of items "
        "such as 2",
    )
    return 0.5

"""Versions of an instrument across survey waves: which scales may be compared.

A scale of one wave is compared with the same scale of another only when the items that
define it are the same: matched one to one, each pair with the same id and wording, or
declared equivalent in the newer (or older) file under ``equivalent_to:``; and each pair
answered on the same response scale (bounds, points and, for undeclared pairs, labels) with
the same keying. Anything else changes what the scale's mean measures, so its change is
reported as not comparable, with the reason.
"""

from __future__ import annotations

from colead.instrument.model import Instrument, Item, ResponseScale

__all__ = ["comparable_scales", "compare_scales", "matched_items"]


def comparable_scales(current: Instrument, previous: Instrument) -> dict[str, str]:
    """Every scale of either instrument -> ``""`` when its means may be compared across the
    two, else the reason (in words). Scales of ``current`` first, in its order."""
    out = {sid: compare_scales(current, previous, sid) for sid in current.scales}
    for sid in previous.scales:
        out.setdefault(sid, "not in the current survey's instrument")
    return out


def compare_scales(current: Instrument, previous: Instrument, scale: str) -> str:
    """``""`` when ``scale`` may be compared between the two instruments, else why not."""
    if scale not in current.scales:
        return "not in the current survey's instrument"
    if scale not in previous.scales:
        return "not in the previous survey's instrument"
    now = [current.item(i) for i in current.scales[scale].items]
    before = {i: previous.item(i) for i in previous.scales[scale].items}
    unmatched = dict(before)
    for item in now:
        match = _match(item, unmatched)
        if match is None:
            if item.id in before:
                return (f"the wording of item {item.id!r} changed (declare it with "
                        "equivalent_to: if the meaning did not)")
            return f"item {item.id!r} is new to the scale"
        old = unmatched.pop(match)
        reason = _same_answers(current, previous, item, old, declared=_declared(item, old))
        if reason:
            return reason
    if unmatched:
        return f"item {next(iter(unmatched))!r} of the previous survey is no longer in the scale"
    return ""


def matched_items(current: Instrument, previous: Instrument, scale: str) -> dict[str, str]:
    """Item of ``scale`` in ``current`` -> the item of ``previous`` it continues (for a scale
    :func:`compare_scales` finds comparable)."""
    unmatched = {i: previous.item(i) for i in previous.scales[scale].items}
    out = {}
    for item in (current.item(i) for i in current.scales[scale].items):
        match = _match(item, unmatched)
        if match is not None:
            out[item.id] = unmatched.pop(match).id
    return out


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def _declared(item: Item, old: Item) -> bool:
    return old.id in item.equivalent_to or item.id in old.equivalent_to


def _match(item: Item, candidates: dict[str, Item]) -> str | None:
    """The previous item this one continues: declared equivalent (either way), or the same
    id with the same wording (blanks and capitals aside)."""
    for old in candidates.values():
        if _declared(item, old):
            return old.id
    same = candidates.get(item.id)
    if same is not None and _words(same.text) == _words(item.text):
        return same.id
    return None


def _same_answers(current: Instrument, previous: Instrument, item: Item, old: Item,
                  *, declared: bool) -> str:
    rs, rs_old = current.response_scale_of(item.id), previous.response_scale_of(old.id)
    name = repr(item.id) if item.id == old.id else f"{item.id!r} (before: {old.id!r})"
    if item.reverse != old.reverse:
        return f"item {name} is reverse-keyed in one survey only"
    if (rs.min, rs.max, rs.values) != (rs_old.min, rs_old.max, rs_old.values):
        return (f"item {name} is answered on {_points(rs)} now and on {_points(rs_old)} "
                "before")
    labels = [_words(label) for _, label in rs.labels]
    if not declared and labels != [_words(label) for _, label in rs_old.labels]:
        return (f"the answer labels of item {name} changed (declare it with equivalent_to: "
                "if the meaning did not)")
    return ""


def _points(rs: ResponseScale) -> str:
    span = f"{rs.min:g}-{rs.max:g}" if rs.min is not None and rs.max is not None else "no bounds"
    return f"{span} ({rs.n_points} points)" if rs.n_points else span

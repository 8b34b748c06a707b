"""The rules of the conversation guide in words, for the report's Methods section: each
condition names scales, people, decisions and items by their titles, not their ids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from colead.guide.rules import Test, load_rules
from colead.instrument import Instrument

__all__ = ["describe"]


def describe(rules: Any = None, instruments: Sequence[Instrument] = ()) -> pd.DataFrame:
    """Every rule with its condition in words and its source (for the report's methods).

    With ``instruments``, conditions name scales, people, decisions and items by their
    titles, labels and texts instead of their ids."""
    rule_set = load_rules(rules)
    known = {inst.name: inst for inst in instruments}
    rows = [{"rule": r.id, "kind": r.kind, "instrument": r.instrument,
             "condition": " and ".join(_words(t, known.get(r.instrument)) for t in r.tests),
             "source": r.source}
            for r in rule_set.rules]
    return pd.DataFrame(rows, columns=["rule", "kind", "instrument", "condition", "source"])


def _words(test: Test, inst: Instrument | None = None) -> str:
    def named(ids: tuple[str, ...] | None, every: str, labels: Mapping[str, str]) -> str:
        if ids is None:
            return every
        return " or ".join(labels.get(i, i) for i in ids)

    scales = {} if inst is None else {s.id: s.title for s in inst.scale_list}
    grid = None if inst is None else inst.influence
    if test.on == "change":
        what = ("the change of the school mean of "
                f"{named(test.targets, 'any scale', scales)} since the previous survey")
    elif test.on == "scale":
        what = named(test.targets, "any scale", scales)
        what = f"the school mean of {what}" if not test.comparison.startswith("rwg") else what
    elif test.on == "influence":
        who = named(test.targets, "any person or group",
                    {} if grid is None else grid.stakeholder_labels)
        where = named(test.zones, "any kind of decision", {} if grid is None else grid.zone_labels)
        what = f"the influence of {who} over {where}"
    else:
        labels: Mapping[float, str] = {}
        text = test.item
        if inst is not None and test.item in inst.item_ids:
            labels = inst.response_scale_of(test.item).label_map
            text = f"\u201c{inst.item(test.item).text}\u201d"
        options = " or ".join(labels.get(v, f"{v:g}") for v in test.values)
        what = f"the share of answers {options} to {text}"
    t = test.threshold
    phrases = {"above_district": f"at least {t:g} above the district",
               "below_district": f"at least {t:g} below the district",
               "at_least": f"at least {t:g}", "at_most": f"at most {t:g}",
               "rwg_below": f"agreement among teachers (rwg(j)) below {t:g}",
               "rwg_at_least": f"agreement among teachers (rwg(j)) of at least {t:g}",
               "rose_beyond_mdc": _beyond("a rise", t),
               "fell_beyond_mdc": _beyond("a fall", t)}
    if test.comparison.startswith("rwg"):
        return f"{phrases[test.comparison]} on {what}"
    return f"{what}: {phrases[test.comparison]}"


def _beyond(what: str, times: float) -> str:
    """A change test's comparison in words: the minimum detectable change (MDC) is what
    chance in who answered could explain (1.96 standard errors of the change)."""
    mdc = ("its minimum detectable change" if times == 1
           else f"{times:g} times its minimum detectable change")
    return f"{what} larger than {mdc} (the change that chance in who answered could explain)"

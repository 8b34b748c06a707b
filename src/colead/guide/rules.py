"""Conversation-guide rules: read a rules file and check all of it, as an instrument is checked.

The format is documented in README.md beside the bundled ``rules.yaml``.
"""

from __future__ import annotations

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from colead._yaml import describe_yaml_error, load_yaml
from colead.exceptions import InstrumentError, InstrumentProblem
from colead.instrument import Instrument
from colead.instrument.checks import LANGUAGE_PATTERN, Problems, check_fields, kind_of, read_text

__all__ = ["COMPARISONS", "Rule", "RuleSet", "Test", "default_rules_path", "load_rules"]

COMPARISONS = ("above_district", "below_district", "at_least", "at_most", "rwg_below",
               "rwg_at_least", "rose_beyond_mdc", "fell_beyond_mdc")
#: Comparisons of a change since the previous survey with its minimum detectable change.
CHANGE = ("rose_beyond_mdc", "fell_beyond_mdc")
AGREEMENT = ("rwg_below", "rwg_at_least")
TOP_FIELDS = ("format_version", "name", "title", "description", "language", "settings", "rules")
SETTINGS = {"strengths": 3, "questions": 3, "min_schools": 3}
RULE_FIELDS = ("id", "kind", "instrument", "when", "text", "source")
PLACEHOLDERS = {
    "scale": {"value", "district", "difference", "scale_title"},
    "influence": {"value", "district", "difference", "stakeholder_label", "zone_label"},
    "item": {"value", "district", "difference", "item_text", "value_labels"},
    "change": {"value", "previous", "current", "mdc", "scale_title"},
}
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_SUFFIX = re.compile(r"^(?P<name>[a-z_]+?)(?:_(?P<n>\d+))?$")

Kind = Literal["question", "strength"]


@dataclass(frozen=True)
class Test:
    """One test of a rule's condition. ``targets`` is None for ``any``."""

    on: Literal["scale", "influence", "item", "change"]
    comparison: str
    threshold: float
    targets: tuple[str, ...] | None = None
    zones: tuple[str, ...] | None = None
    item: str = ""
    values: tuple[float, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    kind: Kind
    instrument: str
    tests: tuple[Test, ...]
    text: str
    source: str
    translations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """A checked rules file."""

    rules: tuple[Rule, ...]
    name: str = ""
    title: str = ""
    language: str = "en"
    strengths: int = 3
    questions: int = 3
    min_schools: int = 3
    path: str | None = field(default=None, compare=False)

    def for_instrument(self, name: str) -> list[Rule]:
        return [r for r in self.rules if r.instrument == name]


def default_rules_path() -> Path:
    return Path(str(resources.files("colead") / "guide" / "rules.yaml"))


def load_rules(source: str | os.PathLike[str] | Mapping[str, Any] | RuleSet | None = None
               ) -> RuleSet:
    """Read and check a rules file (the bundled one by default); raise one InstrumentError
    listing every problem."""
    if isinstance(source, RuleSet):
        return source
    if isinstance(source, Mapping):
        return parse_rules(source, file="<mapping>", duplicates=[])
    path = default_rules_path() if source is None else Path(source)
    try:
        data, duplicates = load_yaml(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InstrumentError([InstrumentProblem(str(path), "", "", "cannot be read: "
                                                 f"{exc.strerror or exc}")]) from None
    except UnicodeDecodeError as exc:
        from colead._files import decode_error

        raise InstrumentError([InstrumentProblem(str(path), "", "", decode_error(exc))]
                              ) from None
    except yaml.YAMLError as exc:
        raise InstrumentError([InstrumentProblem(str(path), "", "", describe_yaml_error(exc))]
                              ) from None
    return parse_rules(data, file=str(path), duplicates=duplicates)


def parse_rules(data: Any, *, file: str, duplicates: list[tuple[Any, int]]) -> RuleSet:
    from colead.instrument import bundled_instrument_paths, load_instrument

    p = Problems(file)
    for key, line in duplicates:
        p.add(f"line {line}", str(key), "is defined twice")
    if not isinstance(data, Mapping):
        p.add("", "", f"must be a mapping (format_version, rules, ...), not {kind_of(data)}")
        p.raise_if_any()
    check_fields(p, data, TOP_FIELDS, "")
    if data.get("format_version") != 1:
        p.add("", "format_version", f"{data.get('format_version')!r} is not 1")
    p.language = read_text(p, data, "language", "") or "en"
    if not LANGUAGE_PATTERN.match(p.language):
        p.add("", "language", f"{p.language!r} is not a language code")
    settings = _settings(p, data.get("settings") or {})
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        p.add("", "rules", "must be a non-empty list of rules")
        raw_rules = []
    bundled = bundled_instrument_paths()
    rules, seen = [], set()
    for index, spec in enumerate(raw_rules):
        ident = spec.get("id") if isinstance(spec, Mapping) else None
        if isinstance(ident, str) and ident in seen:
            p.add(f"rule {ident!r}", "id", "is used twice")
        seen.add(ident)
        rule = _rule(p, spec, index)
        if rule is None:
            continue
        if rule.instrument in bundled:
            check_against(p, rule, load_instrument(rule.instrument))
        rules.append(rule)
    p.raise_if_any()
    return RuleSet(rules=tuple(rules), name=read_text(p, data, "name", ""),
                   title=read_text(p, data, "title", ""), language=p.language, path=file,
                   **settings)


def _settings(p: Problems, raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        p.add("", "settings", f"must be a mapping, not {kind_of(raw)}")
        return dict(SETTINGS)
    check_fields(p, raw, tuple(SETTINGS), "settings")
    out = dict(SETTINGS)
    for key, value in raw.items():
        low = 2 if key == "min_schools" else 0
        if key in SETTINGS:
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                p.add("settings", key, f"must be a whole number of at least {low}, not {value!r}")
            else:
                out[key] = value
    return out


def _rule(p: Problems, spec: Any, index: int) -> Rule | None:
    if not isinstance(spec, Mapping):
        p.add(f"rules[{index}]", "", f"must be a mapping, not {kind_of(spec)}")
        return None
    ident = spec.get("id")
    where = f"rule {ident!r}" if isinstance(ident, str) else f"rules[{index}]"
    check_fields(p, spec, RULE_FIELDS, where)
    before = len(p.found)
    for key in RULE_FIELDS:
        if key not in spec:
            p.add(where, key, "is required")
    if isinstance(ident, str) and not _RULE_ID.match(ident):
        p.add(where, "id", "must be lower-case letters, digits and _, starting with a letter")
    kind = spec.get("kind")
    if kind not in ("question", "strength"):
        p.add(where, "kind", f"{kind!r} must be question or strength")
    instrument = read_text(p, spec, "instrument", where)
    first = len(p.translations)
    text = read_text(p, spec, "text", where, translate="text")
    translations = tuple((lang, t) for lang, _, t in p.translations[first:])
    del p.translations[first:]
    source = read_text(p, spec, "source", where)
    if "text" in spec and not text:
        p.add(where, "text", "is empty")
    if "source" in spec and not source:
        p.add(where, "source", "is empty")
    tests = _when(p, spec.get("when"), where)
    rule = Rule(id=str(ident), kind=kind if kind == "strength" else "question",
                instrument=instrument, tests=tests, text=text, source=source,
                translations=translations)
    if tests:
        _check_placeholders(p, rule, where)
    return None if len(p.found) > before else rule


def _when(p: Problems, raw: Any, where: str) -> tuple[Test, ...]:
    if isinstance(raw, Mapping) and "all" in raw:
        if len(raw) > 1:
            p.add(where, "when", "an 'all:' list cannot sit beside other keys")
        items = raw["all"]
        if not isinstance(items, list) or not items:
            p.add(where, "when", "'all:' must be a non-empty list of tests")
            return ()
        tests = [_test(p, t, where) for t in items]
        return tuple(t for t in tests if t is not None)
    test = _test(p, raw, where)
    return (test,) if test is not None else ()


def _targets(value: Any) -> tuple[str, ...] | None:
    if value == "any":
        return None
    return tuple(value) if isinstance(value, list) else (value,)


def _test(p: Problems, raw: Any, where: str) -> Test | None:
    if not isinstance(raw, Mapping):
        p.add(where, "when", f"a test must be a mapping, not {kind_of(raw)}")
        return None
    body = raw["influence"] if isinstance(raw.get("influence"), Mapping) else raw
    found = [c for c in COMPARISONS if c in body]
    if len(found) != 1:
        p.add(where, "when", f"a test needs exactly one comparison ({', '.join(COMPARISONS)}); "
              f"found {found or 'none'}")
        return None
    comparison = found[0]
    threshold = body[comparison]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        p.add(where, "when", f"{comparison} must be a number, not {threshold!r}")
        return None
    if comparison in ("above_district", "below_district") and threshold < 0:
        p.add(where, "when", f"{comparison} must be 0 or more")
    if comparison in AGREEMENT and not 0 <= threshold <= 1:
        p.add(where, "when", f"{comparison} must lie between 0 and 1")
    if "change" in raw:
        extra = set(raw) - {"change", comparison}
        if extra:
            p.add(where, "when", f"unknown keys in a change test: {sorted(extra)}")
        if comparison not in CHANGE:
            p.add(where, "when", f"a change test compares with the MDC: {' or '.join(CHANGE)}")
            return None
        if threshold < 0:
            p.add(where, "when", f"{comparison} (a multiple of the MDC) must be 0 or more")
        return Test("change", comparison, float(threshold), targets=_targets(raw["change"]))
    if comparison in CHANGE:
        p.add(where, "when", f"{comparison} applies to change tests only ({{change: ...}})")
        return None
    if "scale" in raw:
        extra = set(raw) - {"scale", comparison}
        if extra:
            p.add(where, "when", f"unknown keys in a scale test: {sorted(extra)}")
        return Test("scale", comparison, float(threshold), targets=_targets(raw["scale"]))
    if comparison in AGREEMENT:
        p.add(where, "when", "an agreement test (rwg) applies to scales only")
        return None
    if "influence" in raw:
        return Test("influence", comparison, float(threshold),
                    targets=_targets(body.get("stakeholder", "any")),
                    zones=_targets(body.get("zone", "any")))
    if "item" in raw:
        values = raw.get("values")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            p.add(where, "when", "an item test needs 'values': a list of option codes")
            return None
        if comparison in ("at_least", "at_most") and not 0 <= threshold <= 1:
            p.add(where, "when", f"{comparison} of an item test is a share between 0 and 1")
        return Test("item", comparison, float(threshold), item=str(raw["item"]),
                    values=tuple(float(v) for v in values))
    p.add(where, "when", "a test names a scale, an influence cell or an item")
    return None


def _check_placeholders(p: Problems, rule: Rule, where: str) -> None:
    provided = {"school"}
    for n, test in enumerate(rule.tests, start=1):
        names = PLACEHOLDERS[test.on]
        provided |= names | {f"{name}_{n}" for name in names}
    for text in (rule.text, *(t for _, t in rule.translations)):
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            p.add(where, "text", f"is malformed: {exc}")
            continue
        for name in fields:
            if name not in provided:
                p.add(where, "text", f"uses {{{name}}}, which no test of the rule provides")


def check_against(p: Problems, rule: Rule, inst: Instrument) -> None:
    """Every scale, grid cell, item and option a rule names exists in the instrument."""
    where = f"rule {rule.id!r}"
    grid = inst.influence
    for test in rule.tests:
        if test.on in ("scale", "change"):
            for sid in test.targets or ():
                if sid not in inst.scales:
                    p.add(where, "when", f"{inst.name!r} has no scale {sid!r}")
            if test.comparison in ("at_least", "at_most"):
                for sc in (inst.scales[s] for s in (test.targets or inst.scales)
                           if s in inst.scales):
                    if not sc.min <= test.threshold <= sc.max:
                        p.add(where, "when", f"{test.threshold:g} lies outside {sc.id!r}'s "
                              f"{sc.min:g}-{sc.max:g}")
        elif test.on == "influence":
            if grid is None:
                p.add(where, "when", f"{inst.name!r} has no influence grid")
                continue
            for sid in test.targets or ():
                if sid not in grid.stakeholder_ids:
                    p.add(where, "when", f"the grid has no stakeholder {sid!r}")
            for zid in test.zones or ():
                if zid not in grid.zone_ids:
                    p.add(where, "when", f"the grid has no zone {zid!r}")
        else:
            if test.item not in inst.item_ids:
                p.add(where, "when", f"{inst.name!r} has no item {test.item!r}")
                continue
            rs = inst.response_scale_of(test.item)
            if rs.type == "numeric":
                p.add(where, "when", f"item {test.item!r} is numeric; test its share of options "
                      "only on a single or multiple choice item")
            missing = [v for v in test.values if v not in rs.values]
            if missing:
                p.add(where, "when", f"codes {missing} are not options of {test.item!r}")

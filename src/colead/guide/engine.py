"""The conversation guide: per school, a few strengths and a few questions chosen by rules.

Values come from colead's own suppressed tables (aggregate, the influence matrix, item shares),
so an unavailable value (suppressed, missing) never meets a test and a rule never fires on it.
"""

from __future__ import annotations

import string
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import (
    ColeadWarning,
    InstrumentError,
    InsufficientDataError,
    InvalidParameterError,
)
from colead.guide.rules import Rule, RuleSet, Test, check_against, load_rules
from colead.instrument import Instrument
from colead.io.responses import Responses
from colead.privacy import check_item_min_n, check_min_n, protect
from colead.schools.aggregate import aggregate

__all__ = ["GUIDE_COLUMNS", "conversation_guide"]

GUIDE_COLUMNS = ["kind", "rank", "rule", "text", "source", "instrument"]


def conversation_guide(
    responses: Responses | Sequence[Responses],
    *,
    rules: Any = None,
    by: str = "school_id",
    min_n: int = 5,
    item_min_n: int = 10,
    names: Mapping[Any, str] | None = None,
    allow_small_groups: bool = False,
    previous: Responses | Sequence[Responses] | None = None,
) -> pd.DataFrame:
    """Strengths and questions for each school's team, chosen by rules from its results
    against the district.

    Parameters
    ----------
    responses : Responses or sequence of Responses
        One survey, or several surveys of the same schools (colead-teacher and
        colead-collaboration); each rule reads the results of its own instrument.
    rules : path, mapping or RuleSet, optional
        The rules (colead's bundled ``guide/rules.yaml`` by default; its format is in the
        README beside it). Checked as a whole, like an instrument.
    by : str, default "school_id"
    min_n : int, default 5
        Results of fewer respondents are unavailable: no rule fires on them, nor on a result
        held back to protect a smaller group (:func:`colead.aggregate`).
    item_min_n : int, default 10
        An item share (a rule ``on: item``) needs this many answers to the item in the
        school, as item-level detail in the report does.
    names : mapping, optional
        Group id -> name used for ``{school}``.
    previous : Responses or sequence of Responses, optional
        The previous survey wave(s): a ``change`` test reads each school's change since the
        previous wave of the same instrument (:func:`colead.change`, suppressed as it is);
        without it such tests are never met.

    Returns
    -------
    DataFrame
        One row per school and shown rule: ``by``, ``kind`` (strength or question), ``rank``
        within the kind (file order), ``rule``, ``text`` (filled in), ``source``,
        ``instrument``. At most ``settings.strengths`` strengths and ``settings.questions``
        questions per school; strengths first.

    Notes
    -----
    A scale value is the school's mean of its teachers' scale scores, an agreement value its
    rwg(j) (both from :func:`colead.aggregate`); an influence value the school's mean rating of
    a cell (:meth:`colead.InfluenceResult.matrix`); an item value the share of answers in the
    rule's options; a change value the change of the school's scale mean since the previous
    wave, against its minimum detectable change (:func:`colead.change`, computed once per
    survey). The district reference is the unweighted mean of the schools' available
    values, and needs ``settings.min_schools`` of them. Every default rule, with its condition
    and source, is listed by :func:`describe` and in the report's methods section.
    """
    min_n = check_min_n(min_n, "conversation_guide", allow_small_groups=allow_small_groups)
    item_min_n = check_item_min_n(item_min_n, min_n, "conversation_guide")
    surveys = [responses] if isinstance(responses, Responses) else list(responses)
    return guide(surveys, rules=rules, by=by, min_n=min_n, item_min_n=item_min_n, names=names,
                 previous=previous)


def guide(surveys: Sequence[Responses], *, rules: Any, by: str, min_n: int, item_min_n: int,
          names: Mapping[Any, str] | None = None,
          tables: Mapping[int, Mapping[str, pd.DataFrame]] | None = None,
          previous: Responses | Sequence[Responses] | None = None) -> pd.DataFrame:
    """:func:`conversation_guide` on checked arguments. ``tables`` (survey position ->
    ``{"scales": aggregate table, "cells": long influence matrix by group, "change": the
    change table by group}``) passes tables the caller has already computed with the same
    ``by`` and ``min_n`` (the report), so that they are not computed twice."""
    rule_set = load_rules(rules)
    for survey in surveys:
        _check_groups(survey, by)
    earlier = _earlier(previous)
    rows: list[dict[str, Any]] = []
    groups: dict[Any, None] = {}
    hits: dict[Any, list[tuple[Rule, str]]] = {}
    for position, survey in enumerate(surveys):
        inst = survey.instrument
        own = rule_set.for_instrument(inst.name)
        if not own:
            continue
        _check(own, inst, rule_set)
        values = _Values(survey, by=by, min_n=min_n, item_min_n=item_min_n,
                         tests=[t for r in own for t in r.tests],
                         min_schools=rule_set.min_schools,
                         given=(tables or {}).get(position, {}),
                         previous=earlier.get(inst.name))
        for group in values.groups:
            groups.setdefault(group, None)
        for rule in own:
            for group, text in _fire_all(rule, values, names or {}, inst):
                hits.setdefault(group, []).append((rule, text))
    order = {r.id: i for i, r in enumerate(rule_set.rules)}
    for group in groups:
        chosen = sorted(hits.get(group, []), key=lambda pair: order[pair[0].id])
        for kind, limit in (("strength", rule_set.strengths), ("question", rule_set.questions)):
            shown = [pair for pair in chosen if pair[0].kind == kind][:limit]
            rows += [{by: group, "kind": kind, "rank": rank, "rule": rule.id, "text": text,
                      "source": rule.source, "instrument": rule.instrument}
                     for rank, (rule, text) in enumerate(shown, start=1)]
    return pd.DataFrame(rows, columns=[by, *GUIDE_COLUMNS])


def _check_groups(survey: Responses, by: str) -> None:
    """The guide speaks to schools: the ``by`` column must exist and name some."""
    if by not in survey.data.columns:
        raise InvalidParameterError(f"The 'by' parameter of conversation_guide names {by!r}, "
                                    "which the responses do not have.")
    if survey.data[by].isna().all():
        raise InsufficientDataError(
            f"conversation_guide speaks to schools, but the column {by!r} is blank in every "
            f"one of the {len(survey.data)} rows of the {survey.instrument.name!r} responses.")


def _earlier(previous: Responses | Sequence[Responses] | None) -> dict[str, Responses]:
    """The previous wave of each instrument, by the instrument's name."""
    if previous is None:
        return {}
    waves = [previous] if isinstance(previous, Responses) else list(previous)
    for wave in waves:
        if not isinstance(wave, Responses):
            raise InvalidParameterError(
                "The 'previous' parameter of conversation_guide must be Responses (or a list "
                f"of them, one per survey); got {type(wave).__name__}.")
    return {wave.instrument.name: wave for wave in waves}


def _check(rules: Iterable[Rule], inst: Instrument, rule_set: RuleSet) -> None:
    from colead.instrument.checks import Problems

    p = Problems(rule_set.path or "<rules>")
    for rule in rules:
        check_against(p, rule, inst)
    if p.found:
        raise InstrumentError(p.found)


class _Values:
    """The school values and district references the tests of one survey read.

    Values are held per key as one array over the groups (NaN: unavailable), and each key's
    district reference is computed once, so a rule costs O(groups x targets) in numpy."""

    def __init__(self, survey: Responses, *, by: str, min_n: int, item_min_n: int,
                 tests: list[Test], min_schools: int,
                 given: Mapping[str, pd.DataFrame] | None = None,
                 previous: Responses | None = None) -> None:
        self.inst = survey.instrument
        self.min_schools = min_schools
        self.groups = list(dict.fromkeys(survey.data[by].dropna()))
        self.position = {g: i for i, g in enumerate(self.groups)}
        self.table: dict[tuple[Any, ...], dict[Any, float]] = {}
        self._columns: dict[tuple[Any, ...], np.ndarray] = {}
        self._district: dict[tuple[Any, ...], float | None] = {}
        given = given or {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            if any(t.on == "scale" for t in tests):
                scales = given.get("scales")
                if scales is None:
                    scales = aggregate(survey, by=by, min_n=min_n)
                shown = scales[~scales["suppressed"].astype(bool)]
                for group, scale, mean, rwg in zip(shown[by], shown["scale"], shown["mean"],
                                                   shown["rwg_j"], strict=True):
                    self.table.setdefault(("mean", scale), {})[group] = float(mean)
                    if pd.notna(rwg):
                        self.table.setdefault(("rwg", scale), {})[group] = float(rwg)
            if any(t.on == "influence" for t in tests):
                cells = given.get("cells")
                if cells is None:
                    from colead.decisions.grid import influence

                    cells = influence(survey).matrix(by=by, long=True, min_n=min_n)
                shown = cells[~cells["suppressed"].astype(bool)]
                for group, s, z, mean in zip(shown[by], shown["stakeholder"], shown["zone"],
                                             shown["mean"], strict=True):
                    self.table.setdefault(("influence", s, z), {})[group] = float(mean)
            if any(t.on == "change" for t in tests):
                self._changes(given.get("change"), survey, previous, by, min_n)
        for test in tests:
            if test.on == "item":
                self.table[("item", test.item, test.values)] = _shares(survey, test, by,
                                                                       item_min_n)

    def _changes(self, found: pd.DataFrame | None, survey: Responses,
                 previous: Responses | None, by: str, min_n: int) -> None:
        """Each shown school's change since the previous wave, its MDC and the two means,
        from one change table (given, or computed once here)."""
        if found is None:
            if previous is None:
                return
            from colead.schools.change import change

            found = change(survey, previous, by=by, min_n=min_n)
        keep = (~found["suppressed"].astype(bool) & found["comparable"].astype(bool)
                & found["change"].notna())
        found = found[keep]
        for key, column in (("change", "change"), ("mdc", "mdc"),
                            ("previous", "mean_previous"), ("current", "mean_current")):
            for group, scale, value in zip(found[by], found["scale"], found[column],
                                           strict=True):
                self.table.setdefault((key, scale), {})[group] = float(value)

    def column(self, key: tuple[Any, ...]) -> np.ndarray:
        """The value of every group (in ``groups`` order); NaN where unavailable."""
        if key not in self._columns:
            out = np.full(len(self.groups), np.nan)
            for group, value in self.table.get(key, {}).items():
                at = self.position.get(group)
                if at is not None and np.isfinite(value):
                    out[at] = value
            self._columns[key] = out
        return self._columns[key]

    def district(self, key: tuple[Any, ...]) -> float | None:
        if key not in self._district:
            values = [v for v in self.table.get(key, {}).values() if np.isfinite(v)]
            self._district[key] = (float(np.mean(values)) if len(values) >= self.min_schools
                                   else None)
        return self._district[key]


def _shares(survey: Responses, test: Test, by: str, min_n: int) -> dict[Any, float]:
    """Share of a school's answers to the item that are among the test's options, for the
    schools :func:`colead.privacy.protect` shows with ``min_n`` (the item threshold): as
    :func:`colead.distribution` would show them."""
    inst = survey.instrument
    columns = list(inst.data_columns(test.item))
    data = survey.data
    if inst.response_scale_of(test.item).type == "multiple":
        chosen = [c for c, v in zip(columns, inst.response_scale_of(test.item).values, strict=True)
                  if float(v) in test.values]
        answered = data[columns].notna().any(axis=1)
        ticked = data[chosen].fillna(0).sum(axis=1) > 0
    else:
        answered = data[columns[0]].notna()
        ticked = data[columns[0]].isin(test.values)
    frame = pd.DataFrame({by: data[by], "n": answered.astype(int), "hit": ticked & answered})
    sums = frame.groupby(by, dropna=False)[["n", "hit"]].sum().reset_index()
    found = protect(sums, [by], min_n=min_n)
    shown = set(found.loc[~found["hidden"], by])
    sums = sums[sums[by].isin(shown)]
    return dict(zip(sums[by], sums["hit"] / sums["n"], strict=True))


def _fire_all(rule: Rule, values: _Values, names: Mapping[Any, str],
              inst: Instrument) -> list[tuple[Any, str]]:
    """(group, filled text) for every group that meets all of the rule's tests."""
    met = [_meet_all(test, values, inst) for test in rule.tests]
    fired = np.logical_and.reduce([m.hit for m in met])
    out = []
    for at in map(int, np.flatnonzero(fired)):
        group = values.groups[at]
        fields: dict[str, str] = {"school": str(names.get(group, group))}
        for n, m in enumerate(met, start=1):
            for name, text in m.fields(at).items():
                fields.setdefault(name, text)
                fields[f"{name}_{n}"] = text
        out.append((group, fill(rule.text, fields)))
    return out


def _candidates(test: Test, inst: Instrument) -> list[tuple[tuple[Any, ...], dict[str, str]]]:
    """(value key, describing fields) of every target of a test, in the instrument's order."""
    if test.on == "change":
        return [(("change", s), {"scale_title": inst.scales[s].title})
                for s in test.targets or tuple(inst.scales)]
    if test.on == "scale":
        ids = test.targets or tuple(inst.scales)
        key = "rwg" if test.comparison.startswith("rwg") else "mean"
        return [((key, s), {"scale_title": inst.scales[s].title}) for s in ids]
    if test.on == "influence":
        grid = inst.influence
        if grid is None:
            return []
        out = []
        for s in test.targets or grid.stakeholder_ids:
            for z in test.zones or grid.zone_ids:
                out.append((("influence", s, z), {"stakeholder_label": grid.stakeholder_labels[s],
                                                  "zone_label": grid.zone_labels[z]}))
        return out
    labels = inst.response_scale_of(test.item).label_map
    named = [labels[v] for v in test.values if v in labels]
    joined = (", ".join(named[:-1]) + " or " + named[-1]) if len(named) > 1 else "".join(named)
    return [(("item", test.item, test.values), {"item_text": inst.item(test.item).text,
                                                "value_labels": joined})]


@dataclass(frozen=True)
class _Met:
    """A test over every group: whether it is met (``hit``), through which target (``best``,
    the first target with the widest margin) and the values that fill its placeholders."""

    hit: np.ndarray
    best: np.ndarray
    values: np.ndarray
    districts: list[float | None]
    describe: list[dict[str, str]]
    kind: str
    #: a change test's MDC and two means (groups x targets), for its placeholders
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)

    def fields(self, at: int) -> dict[str, str]:
        j = int(self.best[at])
        value, district = float(self.values[at, j]), self.districts[j]
        fields = dict(self.describe[j])
        if self.kind == "change":
            fields["value"] = f"{abs(value):.1f}"
            for name, grid in self.extra.items():
                known = np.isfinite(grid[at, j])
                fields[name] = f"{float(grid[at, j]):.1f}" if known else "\u2013"
            return fields
        fields["value"] = _number(value, self.kind)
        fields["district"] = _number(district, self.kind) if district is not None else "\u2013"
        fields["difference"] = (_number(abs(value - district), self.kind, difference=True)
                                if district is not None else "\u2013")
        return fields


def _meet_all(test: Test, values: _Values, inst: Instrument) -> _Met:
    if test.on == "change":
        return _meet_change(test, values, inst)
    kind = "rwg" if test.comparison.startswith("rwg") else "share" if test.on == "item" else "mean"
    candidates = _candidates(test, inst)
    n = len(values.groups)
    if not candidates:
        empty = np.zeros(n, dtype=bool)
        return _Met(empty, np.zeros(n, dtype=int), np.empty((n, 0)), [], [], kind)
    table = np.column_stack([values.column(key) for key, _ in candidates])
    districts = [values.district(key) for key, _ in candidates]
    reference = np.array([np.nan if d is None else d for d in districts])
    margin = _margins(test, table, reference)
    usable = np.isfinite(margin) & (margin >= 0)
    best = np.argmax(np.where(usable, margin, -np.inf), axis=1)  # first of the widest
    return _Met(usable.any(axis=1), best, table, districts,
                [fields for _, fields in candidates], kind)


def _meet_change(test: Test, values: _Values, inst: Instrument) -> _Met:
    """A change beyond ``threshold`` times its minimum detectable change, strictly: a rise
    (``rose_beyond_mdc``) or a fall (``fell_beyond_mdc``), for every group at once."""
    candidates = _candidates(test, inst)
    scales = [key[1] for key, _ in candidates]

    def grid(name: str) -> np.ndarray:
        return (np.column_stack([values.column((name, s)) for s in scales]) if scales
                else np.empty((len(values.groups), 0)))

    change, mdc = grid("change"), grid("mdc")
    sign = 1.0 if test.comparison == "rose_beyond_mdc" else -1.0
    with np.errstate(invalid="ignore"):
        margin = sign * change - test.threshold * mdc
    usable = np.isfinite(margin) & (margin > 0)
    best = (np.argmax(np.where(usable, margin, -np.inf), axis=1) if scales  # first of widest
            else np.zeros(len(values.groups), dtype=int))
    return _Met(np.asarray(usable.any(axis=1)), best, change, [None] * len(scales),
                [fields for _, fields in candidates], "change",
                {"mdc": mdc, "previous": grid("previous"), "current": grid("current")})


def _margins(test: Test, value: np.ndarray, district: np.ndarray) -> np.ndarray:
    """How far each value (groups x targets) meets the test; negative or NaN: not met (a
    missing value or a missing district reference never meets a test)."""
    t = test.threshold
    with np.errstate(invalid="ignore"):
        if test.comparison == "above_district":
            return value - district - t
        if test.comparison == "below_district":
            return district - value - t
        if test.comparison in ("at_least", "rwg_at_least"):
            return value - t
        if test.comparison == "at_most":
            return t - value
        return np.where(value < t, t - value, np.where(np.isnan(value), np.nan, -1.0))


def _number(value: float, kind: str, *, difference: bool = False) -> str:
    if kind == "share":
        return f"{100 * value:.0f}" if difference else f"{100 * value:.0f}%"
    return f"{value:.2f}" if kind == "rwg" else f"{value:.1f}"


_WORDS = {"scale_title", "stakeholder_label", "zone_label", "value_labels", "item_text"}


def fill(text: str, fields: Mapping[str, str]) -> str:
    """Fill placeholders; a title or label inside a sentence starts lower-case (unless it is
    an acronym), as it would in writing."""
    out: list[str] = []
    for literal, name, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if name is None:
            continue
        value = fields[name]
        base = name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1].isdigit() else name
        before = "".join(out).rstrip()
        sentence_start = not before or before[-1] in ".?!"
        if base in _WORDS and not sentence_start and len(value) > 1 and not value[1].isupper():
            value = value[0].lower() + value[1:]
        out.append(value)
    return "".join(out)

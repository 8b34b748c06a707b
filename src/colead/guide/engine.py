"""The conversation guide: per school, a few strengths and a few questions chosen by rules.

Values come from colead's own suppressed tables (aggregate, the influence matrix, item shares),
so an unavailable value (suppressed, missing) never meets a test and a rule never fires on it.
"""

from __future__ import annotations

import string
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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

__all__ = ["GUIDE_COLUMNS", "conversation_guide", "describe"]

GUIDE_COLUMNS = ["kind", "rank", "rule", "text", "source", "instrument"]


@dataclass(frozen=True)
class _Hit:
    """A test met through one target: the values that fill its placeholders."""

    margin: float
    fields: dict[str, str]


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
        The previous survey wave(s): a rule ``on: change`` reads each school's change since
        the previous wave of the same instrument (:func:`colead.change`, suppressed as it
        is); without it such rules never fire.

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
    rule's options. The district reference is the unweighted mean of the schools' available
    values, and needs ``settings.min_schools`` of them. Every default rule, with its condition
    and source, is listed by :func:`describe` and in the report's methods section.
    """
    min_n = check_min_n(min_n, "conversation_guide", allow_small_groups=allow_small_groups)
    item_min_n = check_item_min_n(item_min_n, min_n, "conversation_guide")
    rule_set = load_rules(rules)
    surveys = [responses] if isinstance(responses, Responses) else list(responses)
    for survey in surveys:
        _check_groups(survey, by)
    earlier = ({} if previous is None else
               {p.instrument.name: p for p in
                ([previous] if isinstance(previous, Responses) else list(previous))})
    rows: list[dict[str, Any]] = []
    groups: dict[Any, None] = {}
    hits: dict[Any, list[tuple[Rule, str]]] = {}
    for survey in surveys:
        inst = survey.instrument
        own = rule_set.for_instrument(inst.name)
        if not own:
            continue
        _check(own, inst, rule_set)
        values = _Values(survey, by=by, min_n=min_n, item_min_n=item_min_n,
                         tests=[t for r in own for t in r.tests],
                         min_schools=rule_set.min_schools, previous=earlier.get(inst.name))
        for group in values.groups:
            groups.setdefault(group, None)
            label = str((names or {}).get(group, group))
            for rule in own:
                text = _fire(rule, values, group, label, inst)
                if text is not None:
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


def _check(rules: Iterable[Rule], inst: Instrument, rule_set: RuleSet) -> None:
    from colead.instrument.checks import Problems

    p = Problems(rule_set.path or "<rules>")
    for rule in rules:
        check_against(p, rule, inst)
    if p.found:
        raise InstrumentError(p.found)


class _Values:
    """The school values and district references the tests of one survey read."""

    def __init__(self, survey: Responses, *, by: str, min_n: int, item_min_n: int,
                 tests: list[Test], min_schools: int,
                 previous: Responses | None = None) -> None:
        self.inst = survey.instrument
        self.min_schools = min_schools
        self.groups = list(dict.fromkeys(survey.data[by].dropna()))
        self.table: dict[tuple[Any, ...], dict[Any, float]] = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            if any(t.on == "scale" for t in tests):
                scales = aggregate(survey, by=by, min_n=min_n)
                shown = scales[~scales["suppressed"].astype(bool)]
                for group, scale, mean, rwg in zip(shown[by], shown["scale"], shown["mean"],
                                                   shown["rwg_j"], strict=True):
                    self.table.setdefault(("mean", scale), {})[group] = float(mean)
                    if pd.notna(rwg):
                        self.table.setdefault(("rwg", scale), {})[group] = float(rwg)
            if any(t.on == "influence" for t in tests):
                from colead.decisions.grid import influence

                cells = influence(survey).matrix(by=by, long=True, min_n=min_n)
                shown = cells[~cells["suppressed"].astype(bool)]
                for group, s, z, mean in zip(shown[by], shown["stakeholder"], shown["zone"],
                                             shown["mean"], strict=True):
                    self.table.setdefault(("influence", s, z), {})[group] = float(mean)
        if previous is not None and any(t.on == "change" for t in tests):
            _change_values(self.table, survey, previous, by, min_n)
        for test in tests:
            if test.on == "item":
                self.table[("item", test.item, test.values)] = _shares(survey, test, by,
                                                                       item_min_n)

    def school(self, key: tuple[Any, ...], group: Any) -> float | None:
        value = self.table.get(key, {}).get(group)
        return None if value is None or not np.isfinite(value) else float(value)

    def district(self, key: tuple[Any, ...]) -> float | None:
        values = [v for v in self.table.get(key, {}).values() if np.isfinite(v)]
        return float(np.mean(values)) if len(values) >= self.min_schools else None


def _change_values(table: dict[tuple[Any, ...], dict[Any, float]], survey: Responses,
                   previous: Responses, by: str, min_n: int) -> None:
    """Each shown school's change since the previous wave, its MDC and the two means."""
    from colead.schools.change import change

    found = change(survey, previous, by=by, min_n=min_n)
    found = found[~found["suppressed"] & found["comparable"] & found["change"].notna()]
    for row in found.itertuples(index=False):
        group = getattr(row, by)
        for key, value in (("change", row.change), ("mdc", row.mdc),
                           ("previous", row.mean_previous), ("current", row.mean_current)):
            table.setdefault((key, row.scale), {})[group] = float(value)


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


def _fire(rule: Rule, values: _Values, group: Any, label: str, inst: Instrument) -> str | None:
    fields: dict[str, str] = {"school": label}
    for n, test in enumerate(rule.tests, start=1):
        hit = _meet(test, values, group, inst)
        if hit is None:
            return None
        for name, text in hit.fields.items():
            fields.setdefault(name, text)
            fields[f"{name}_{n}"] = text
    return fill(rule.text, fields)


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


def _meet(test: Test, values: _Values, group: Any, inst: Instrument) -> _Hit | None:
    if test.on == "change":
        return _meet_change(test, values, group, inst)
    best: _Hit | None = None
    kind = "rwg" if test.comparison.startswith("rwg") else "share" if test.on == "item" else "mean"
    for key, describe_fields in _candidates(test, inst):
        value = values.school(key, group)
        if value is None:
            continue
        district = values.district(key)
        margin = _margin(test, value, district)
        if margin is None or margin < 0:
            continue
        if best is None or margin > best.margin:
            fields = dict(describe_fields)
            fields["value"] = _number(value, kind)
            fields["district"] = _number(district, kind) if district is not None else "\u2013"
            fields["difference"] = (_number(abs(value - district), kind, difference=True)
                                    if district is not None else "\u2013")
            best = _Hit(margin, fields)
    return best


def _meet_change(test: Test, values: _Values, group: Any, inst: Instrument) -> _Hit | None:
    """A change beyond ``threshold`` times its minimum detectable change (strictly)."""
    best: _Hit | None = None
    for key, describe_fields in _candidates(test, inst):
        value, mdc = values.school(key, group), values.school(("mdc", key[1]), group)
        if value is None or mdc is None:
            continue
        margin = (value if test.comparison == "rose_beyond_mdc" else -value) - \
            test.threshold * mdc
        if margin <= 0 or (best is not None and margin <= best.margin):
            continue
        before, now = (values.school((k, key[1]), group) for k in ("previous", "current"))
        fields = dict(describe_fields)
        fields.update(value=f"{abs(value):.1f}", mdc=f"{mdc:.1f}",
                      previous=f"{before:.1f}" if before is not None else "\u2013",
                      current=f"{now:.1f}" if now is not None else "\u2013")
        best = _Hit(margin, fields)
    return best


def _margin(test: Test, value: float, district: float | None) -> float | None:
    t = test.threshold
    if test.comparison == "above_district":
        return None if district is None else value - district - t
    if test.comparison == "below_district":
        return None if district is None else district - value - t
    if test.comparison in ("at_least", "rwg_at_least"):
        return value - t
    if test.comparison == "at_most":
        return t - value
    return t - value if value < t else -1.0  # rwg_below: strictly below


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


def describe(rules: Any = None) -> pd.DataFrame:
    """Every rule with its condition in words and its source (for the report's methods)."""
    rule_set = load_rules(rules)
    rows = [{"rule": r.id, "kind": r.kind, "instrument": r.instrument,
             "condition": " and ".join(_words(t) for t in r.tests), "source": r.source}
            for r in rule_set.rules]
    return pd.DataFrame(rows, columns=["rule", "kind", "instrument", "condition", "source"])


def _words(test: Test) -> str:
    if test.on == "change":
        what = ("change since the previous survey of "
                + ("any scale" if test.targets is None else " or ".join(test.targets)))
    elif test.on == "scale":
        what = "any scale" if test.targets is None else " or ".join(test.targets)
    elif test.on == "influence":
        who = "any stakeholder" if test.targets is None else " or ".join(test.targets)
        where = "any zone" if test.zones is None else " or ".join(test.zones)
        what = f"influence of {who} over {where}"
    else:
        codes = ", ".join(f"{v:g}" for v in test.values)
        what = f"share of {test.item} answers in {{{codes}}}"
    t = test.threshold
    phrases = {"above_district": f"at least {t:g} above the district",
               "below_district": f"at least {t:g} below the district",
               "at_least": f"at least {t:g}", "at_most": f"at most {t:g}",
               "rwg_below": f"rwg(j) below {t:g}", "rwg_at_least": f"rwg(j) of at least {t:g}",
               "rose_beyond_mdc": f"a rise of more than {t:g} x its minimum detectable change",
               "fell_beyond_mdc": f"a fall of more than {t:g} x its minimum detectable change"}
    return f"{what}: {phrases[test.comparison]}"

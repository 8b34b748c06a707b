"""Every table the report shows, computed once and grouped once.

The report costs O(schools x scales): each analysis runs once over all respondents, and its
table is split by school in one pass (a groupby), so a school's section only looks up its
own rows. Nothing here is published as it is: the sections turn these (already suppressed)
tables into what the page shows.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead.instrument import Instrument
from colead.io.responses import Responses
from colead.psychometrics.reliability import reliability
from colead.psychometrics.scoring import score
from colead.reporting.charts import LikertItems, likert_items

if TYPE_CHECKING:
    from colead.reporting.benchmarks import Benchmarks, Plan
    from colead.reporting.shares import Shares
from colead.reporting.stability import needed
from colead.schools.aggregate import AGGREGATE_COLUMNS, aggregate, agreement, distribution


@dataclass
class Prepared:
    """The report's inputs and the tables computed from them, split by group."""

    responses: Responses
    inst: Instrument
    by: str
    min_n: int
    item_min_n: int
    grouped: bool
    titles: dict[str, str]
    #: each scale's declared range (the charts' axes)
    bounds: dict[str, tuple[float, float]]
    table: pd.DataFrame
    groups: list[Any]
    labels: dict[Any, str]
    sizes: dict[Any, int]
    counts: pd.DataFrame
    reliability: pd.DataFrame
    agreement: pd.DataFrame | None
    scores: pd.DataFrame
    item_counts: dict[str, np.ndarray] = field(default_factory=dict)
    influence: dict[str, Any] | None = None
    guide: dict[Any, dict[str, list[str]]] = field(default_factory=dict)
    distributions: list[tuple[str, dict[Any, list[dict[str, str]] | None]]] = field(
        default_factory=list)
    position: dict[Any, int] = field(default_factory=dict)
    #: groups x scales arrays of the aggregate table's columns (NaN where a row is missing)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    #: groups x stakeholders x zones: each school's shown influence means (NaN: hidden)
    cell_means: np.ndarray | None = None
    #: per group, its rows of the influence indices (zone, suppressed, figures)
    indices: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)
    #: the previous survey, and the change since it: the district's and the groups' tables
    #: (:func:`colead.change`, computed once), and each group's rows of the latter
    previous: Responses | None = None
    change_district: pd.DataFrame | None = None
    change: pd.DataFrame | None = None
    changes: dict[Any, list[Any]] = field(default_factory=dict)
    #: the reliability table has ordinal alpha and omega too
    ordinal: bool = False
    #: per scale, the respondents a school needs for a reliable mean (colead.plan)
    needed: dict[str, float] = field(default_factory=dict)
    #: per group, its staff from the roster (response rates, respondents still needed)
    staff: dict[Any, float] = field(default_factory=dict)
    #: benchmarked scale scores (Rasch or means) and the Rasch fits (report(scores=, norms=))
    bench: Benchmarks | None = None
    #: shares of respondents beside published percentages (your principals and the nation)
    shares: Shares | None = None
    _likert: dict[str, LikertItems] = field(default_factory=dict)

    def likert_items(self, scale: str) -> LikertItems:
        """What every school's answer chart of ``scale`` shares, made once."""
        if scale not in self._likert:
            sc = self.inst.scales[scale]
            items = [self.inst.item(i) for i in sc.items]
            rs = self.inst.response_scale_of(sc.items[0])
            self._likert[scale] = likert_items(
                [it.text for it in items], [it.reverse for it in items],
                [rs.label_map.get(v, f"{v:g}") for v in rs.values])
        return self._likert[scale]


def prepare(responses: Responses, inst: Instrument, *, by: str, min_n: int, item_min_n: int,
            roster: pd.DataFrame | None, labels: Mapping[Any, str] | None,
            surveys: Sequence[Responses], rules: Any,
            previous: Responses | None = None, ordinal: bool = False,
            benchmarks: Plan | None = None) -> Prepared:
    from colead.guide.engine import guide

    data = responses.data
    grouped = bool(data[by].notna().any())
    table = (aggregate(responses, by=by, min_n=min_n, roster=roster) if grouped
             else pd.DataFrame(columns=[by, *AGGREGATE_COLUMNS]))
    # an instrument without scales has no aggregate rows: its groups come from the data
    groups = (list(dict.fromkeys(table[by])) if len(table) or not grouped
              else list(data.groupby(by, sort=True).size().index))
    titles = {sc.id: sc.title for sc in inst.scale_list}
    scores = score(responses)
    with warnings.catch_warnings():  # a scale nobody answered: no variance, said in the table
        warnings.simplefilter("ignore", RuntimeWarning)
        alphas = reliability(responses, ordinal=ordinal)
    sizes = data.groupby(by, sort=False).size()
    prep = Prepared(
        responses=responses, inst=inst, by=by, min_n=min_n, item_min_n=item_min_n,
        grouped=grouped, titles=titles, table=table, groups=groups,
        bounds={sc.id: (float(sc.min or 0), float(sc.max or 1)) for sc in inst.scale_list},
        labels={g: str((labels or {}).get(g, g)) for g in groups},
        sizes={g: int(n) for g, n in sizes.items()},
        counts=(scores.groupby(by, sort=False)[list(titles)].count() if grouped
                else pd.DataFrame(columns=list(titles))),
        reliability=alphas,
        agreement=agreement(responses, by=by, min_n=min_n) if grouped else None,
        scores=scores,
        position={g: i for i, g in enumerate(groups)},
        previous=previous, ordinal=ordinal,
    )
    if previous is not None:
        from colead.reporting.change import change_tables, split

        prep.change_district, prep.change = change_tables(responses, previous, by=by,
                                                          min_n=min_n, grouped=grouped)
        prep.changes = split(prep.change, by)
    if not grouped:
        _compare(prep, benchmarks)
        return prep
    prep.needed = needed(prep.agreement)
    if roster is not None:
        prep.staff = {g: float(v) for g, v in zip(roster[by], roster["size"], strict=True)
                      if pd.notna(v)}
    prep.arrays = _arrays(table, by, groups, list(titles))
    prep.arrays["count"] = (prep.counts.reindex(index=groups, columns=list(titles))
                            .to_numpy(dtype=float))
    prep.item_counts = _item_counts(data, inst, by, groups)
    _compare(prep, benchmarks)
    if inst.influence is not None:
        from colead.decisions.grid import influence

        result = influence(responses)
        cells = result.matrix(by=by, long=True, min_n=min_n)
        indices = result.indices(by=by, min_n=min_n)
        prep.influence = {"result": result, "cells": cells}
        prep.cell_means = _cell_means(cells, by, groups, inst)
        prep.indices = _indices(indices, by)
    with warnings.catch_warnings():
        from colead.exceptions import ColeadWarning

        warnings.simplefilter("ignore", ColeadWarning)
        tables = {0: {"scales": table,
                      **({"cells": prep.influence["cells"]} if prep.influence else {}),
                      **({"change": prep.change} if prep.change is not None else {})}}
        chosen = guide([responses, *surveys], rules=rules, by=by, min_n=min_n,
                       item_min_n=item_min_n, names=prep.labels, tables=tables)
    for group, kind, text in zip(chosen[by].tolist(), chosen["kind"].tolist(),
                                 chosen["text"].tolist(), strict=True):
        mine = prep.guide.setdefault(group, {"strengths": [], "questions": []})
        mine["strengths" if kind == "strength" else "questions"].append(text)
    prep.distributions = _distributions([responses, *surveys], by=by, min_n=min_n,
                                        item_min_n=item_min_n)
    return prep


def _compare(prep: Prepared, how: Plan | None) -> None:
    """Benchmarked scores and shares beside published percentages, when asked for."""
    if how is None:
        return
    if how.benchmarked:
        from colead.reporting.benchmarks import compute

        prep.bench = compute(prep, how)
    if how.shares is not None:
        from colead.reporting.shares import compute as shares

        prep.shares = shares(prep, how.shares, how.share_items)


def _arrays(table: pd.DataFrame, by: str, groups: list[Any],
            scales: list[str]) -> dict[str, np.ndarray]:
    """Each column of the aggregate table as a groups x scales array, from one pivot."""
    out = {}
    rows = pd.Categorical(table[by], categories=groups).codes
    cols = pd.Categorical(table["scale"], categories=scales).codes
    keep = (rows >= 0) & (cols >= 0)
    for column in ("n", "mean", "ci_low", "ci_high", "rwg_j", "mean_reliability",
                   "suppressed"):
        grid = np.full((len(groups), len(scales)), np.nan)
        values = pd.to_numeric(table[column].astype("float64"), errors="coerce")
        grid[rows[keep], cols[keep]] = values.to_numpy(dtype=float)[keep]
        out[column] = grid
    out["suppressed"] = np.where(np.isnan(out["suppressed"]), 1.0, out["suppressed"])
    return out


def _cell_means(cells: pd.DataFrame, by: str, groups: list[Any],
                inst: Instrument) -> np.ndarray:
    grid = inst.influence
    if grid is None:
        return np.full((len(groups), 0, 0), np.nan)
    shape = (len(groups), len(grid.stakeholder_ids), len(grid.zone_ids))
    out = np.full(shape, np.nan)
    g = pd.Categorical(cells[by], categories=groups).codes
    s = pd.Categorical(cells["stakeholder"], categories=list(grid.stakeholder_ids)).codes
    z = pd.Categorical(cells["zone"], categories=list(grid.zone_ids)).codes
    shown = ~cells["suppressed"].astype(bool).to_numpy()
    keep = (g >= 0) & (s >= 0) & (z >= 0) & shown
    out[g[keep], s[keep], z[keep]] = cells["mean"].to_numpy(dtype=float)[keep]
    return out


def _indices(indices: pd.DataFrame, by: str) -> dict[Any, list[dict[str, Any]]]:
    """Each group's zone rows of the collective-leadership indices, in one pass."""
    out: dict[Any, list[dict[str, Any]]] = {}
    columns = [by, "zone", "suppressed", "total_mean", "principal", "teacher_principal_gap",
               "breadth", "gini"]
    for row in zip(*(indices[c].tolist() for c in columns), strict=True):
        group, zone, hidden, total, principal, gap, breadth, gini = row
        out.setdefault(group, []).append(
            {"zone": zone, "suppressed": bool(hidden), "total": total, "principal": principal,
             "gap": gap, "breadth": breadth, "gini": gini})
    return out


def _item_counts(data: pd.DataFrame, inst: Instrument, by: str,
                 groups: list[Any]) -> dict[str, np.ndarray]:
    """For every scored item, the answers of each group at each scale point: an array of
    groups (in ``groups`` order) x points, from one pass over the item's column."""
    codes = pd.Categorical(data[by], categories=groups).codes.astype(np.int64)
    inside = codes >= 0
    out: dict[str, np.ndarray] = {}
    for sc in inst.scale_list:
        for item in sc.items:
            if item in out or item not in data.columns:
                continue
            points = np.asarray(inst.response_scale_of(item).values, dtype=float)
            answers = data[item].to_numpy(dtype=float)
            at = np.searchsorted(points, answers) if _increasing(points) else None
            if at is None:  # unordered codes: compare with each point
                hits = answers[:, None] == points[None, :]
                known, at = hits.any(axis=1), hits.argmax(axis=1)
            else:
                at = np.minimum(at, len(points) - 1)
                known = points[at] == answers
            keep = inside & known
            flat = codes[keep] * len(points) + at[keep]
            out[item] = np.bincount(flat, minlength=len(groups) * len(points)).reshape(
                len(groups), len(points))
    return out


def _increasing(points: np.ndarray) -> bool:
    return bool(len(points) and np.all(np.diff(points) > 0))


def _distributions(surveys: list[Responses], *, by: str, min_n: int,
                   item_min_n: int) -> list[tuple[str, dict[Any, pd.DataFrame]]]:
    """Single-choice items outside any scale (a community-of-practice stage): each school's
    spread of answers (:func:`colead.distribution`, suppressed under ``item_min_n``)."""
    out = []
    for survey in surveys:
        inst = survey.instrument
        for item in inst.item_list:
            rs = inst.response_scale_of(item.id)
            if item.scale is not None or rs.type != "categorical" or item.id not in survey.data:
                continue
            if item.id in ("school_level", "locale"):
                continue
            table = distribution(survey, item.id, by=by, min_n=min_n, item_min_n=item_min_n)
            mine: dict[Any, list[dict[str, str]] | None] = {}
            for group, label, share, hidden in zip(table[by].tolist(), table["label"].tolist(),
                                                   table["share"].tolist(),
                                                   table["suppressed"].tolist(), strict=True):
                rows = mine.setdefault(group, [])
                if hidden or rows is None:
                    mine[group] = None  # a hidden group shows no row at all
                else:
                    rows.append({"label": label, "pct": _pct(share)})
            out.append((item.text, mine))
    return out


def _pct(value: Any) -> str:
    return "\u2013" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"

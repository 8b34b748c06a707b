"""The content of each part of the report, as plain values for the template.

Rounding happens here, at the edge: the numbers come unrounded from colead's functions.
Nothing here reads a respondent-level value except through those aggregate functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from colead.decisions.grid import influence
from colead.instrument import Instrument
from colead.io.responses import Responses
from colead.plots.scales import likert_shares, plot_agreement
from colead.psychometrics.scoring import score
from colead.relate import correlate, correlation_matrix
from colead.reporting.charts import heatmap_cells, likert_rows, profile_rows, records
from colead.reporting.figures import render
from colead.schools.aggregate import distribution

RWG_OK = 0.70
RELIABLE = 0.70


def fmt(value: Any, digits: int = 2) -> str:
    """A number for the page: fixed decimals, an en dash for missing."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return "\u2013"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{float(value):.{digits}f}"


def pct(value: Any) -> str:
    return "\u2013" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


# -- overview --------------------------------------------------------------------------------
def overview(responses: Responses, table: pd.DataFrame, *, by: str, min_n: int,
             counts: pd.DataFrame) -> dict[str, Any]:
    """Who took part. ``counts`` (school x scale: respondents with a score) tells a result
    held back to protect a smaller group from one resting on too few people."""
    data, log = responses.data, responses.log
    sizes = data.groupby(by).size()
    rate = None
    if table["response_rate"].notna().any():
        shown = table[~table["suppressed"].astype(bool)].drop_duplicates(by)
        rate = pct(shown["response_rate"].median())
    long = counts.rename_axis(index=by, columns="scale").stack().rename("count").reset_index()
    rows = table.merge(long, on=[by, "scale"], how="left") if len(table) else table.assign(count=0)
    held = rows[rows["suppressed"].astype(bool) & (rows["count"] >= min_n)]
    return {
        "respondents": len(data),
        "groups": int(sizes.size),
        "suppressed_groups": int((sizes < min_n).sum()),
        "held_groups": int(held[by].nunique()),
        "median_response_rate": rate,
        "rows_read": log.rows_read,
        "rows_kept": log.rows_kept,
        "dropped": sorted(log.dropped_by_reason.items()),
        "pii_removed": len(log.pii_removed),
        "no_group": int(data[by].isna().sum()),
        "source": log.source,
        "platform": responses.platform,
    }


# -- district --------------------------------------------------------------------------------
def district(responses: Responses, inst: Instrument, table: pd.DataFrame, *, by: str,
             min_n: int, reliability: pd.DataFrame,
             agreement: pd.DataFrame | None) -> dict[str, Any]:
    """District tables. A district figure resting on fewer than ``min_n`` respondents is
    hidden like a school's; the schools' hidden remainder is protected by :func:`aggregate`,
    so the district figures and the shown schools together reveal no hidden school."""
    scores = score(responses)
    titles = {sc.id: sc.title for sc in inst.scale_list}
    stats = scores[list(titles)].agg(["mean", "std", "count"]).T
    shown = {s: bool(stats.loc[s, "count"] >= min_n) for s in titles}
    means = {s: (stats.loc[s, "mean"], stats.loc[s, "std"]) if shown[s] else (np.nan, np.nan)
             for s in titles}
    grouped = responses.data[by].notna().any()
    counts = (scores.groupby(by)[list(titles)].count() if grouped
              else pd.DataFrame(columns=list(titles)))
    reliability_rows = [_reliability_row(r, titles, min_n) for r in records(reliability)]
    agreement_rows = [{
        "scale": titles[r.scale], "icc1": fmt(r.icc1), "icc2": fmt(r.icc2),
        "rwg": fmt(r.rwg_j_median), "share": pct(r.share_rwg_j_70), "ad": fmt(r.ad_mean),
        "groups": r.n_groups, "suppressed": r.n_suppressed,
    } for r in records(agreement if agreement is not None else pd.DataFrame())]
    shown_groups = int((~table["suppressed"].astype(bool)).groupby(table["scale"]).sum().max()
                       if len(table) else 0)
    agreement_figure = None
    if table["rwg_j"].notna().any():
        agreement_figure = render(
            lambda ax: plot_agreement(table.assign(scale=table["scale"].map(titles)), group=by,
                                      ax=ax),
            size=(7.5, 0.4 * len(titles) + 1.3),
            alt=("Dot plot of within-school agreement (rwg(j)) for each scale; one dot per "
                 "school whose results are shown; dashed line at .70."),
            caption="Agreement within schools on each scale (rwg(j); .70 is the usual "
                    "threshold).")
    influence_block = None
    if inst.influence is not None:
        result = influence(responses)
        grid = inst.influence
        rs = inst.response_scales[grid.response_scale]
        influence_block = {
            "heatmap": heatmap_cells(result.matrix(min_n=min_n), low=float(rs.min or 0),
                                     high=float(rs.max or 1),
                                     row_labels=grid.stakeholder_labels,
                                     column_labels=grid.zone_labels),
            "scale": _scale_range(rs.label_map, float(rs.min or 0), float(rs.max or 1)),
            "result": result,
            # per-school tables, computed once for every school section
            "cells": result.matrix(by=by, long=True, min_n=min_n) if grouped else None,
            "indices": result.indices(by=by, min_n=min_n) if grouped else None,
        }
    return {
        "influence": influence_block,
        "means": means,
        "counts": counts,
        "mean_rows": [{"scale": titles[s], "suppressed": not shown[s],
                       "mean": fmt(means[s][0]), "sd": fmt(means[s][1]),
                       "n": str(int(stats.loc[s, "count"]))} for s in titles],
        "reliability": reliability_rows,
        "agreement": agreement_rows,
        "agreement_note": _agreement_note(agreement, shown_groups, grouped),
        "agreement_figure": agreement_figure,
        "relations": _relations(scores, titles, by=by, min_n=min_n, grouped=grouped),
        "relations_note": ("" if len(titles) >= 2 else
                           "The instrument has one scale, so there are no correlations "
                           "between scales to show."),
        "reference": pd.DataFrame({"scale": list(titles),
                                   "mean": [means[s][0] for s in titles]}),
    }


def _reliability_row(r: Any, titles: dict[str, str], min_n: int) -> dict[str, Any]:
    if pd.isna(r.n) or r.n < min_n:
        return {"scale": titles[r.scale], "suppressed": True, "k": r.k}
    return {"scale": titles[r.scale], "suppressed": False, "k": r.k, "n": fmt(int(r.n)),
            "alpha": fmt(r.alpha), "ci": f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            "omega": fmt(r.omega_total), "flagged": r.flagged_items or "none"}


def _agreement_note(agreement: pd.DataFrame | None, shown: int, grouped: bool) -> str:
    if not grouped or agreement is None:
        return ("No school is identified in the data (the school column is blank in every "
                "row), so agreement within and between schools cannot be shown.")
    if shown < 2:
        return (f"ICC(1) and ICC(2) compare schools, and need at least two schools whose "
                f"results are shown; this report has {shown}.")
    return ""


def _relations(scores: pd.DataFrame, titles: dict[str, str], *, by: str,
               min_n: int, grouped: bool = True) -> dict[str, Any] | None:
    """Teachers' correlations below the diagonal, school means' above it; a correlation
    resting on fewer than ``min_n`` teachers is not shown. None with fewer than 2 scales."""
    if len(titles) < 2:
        return None
    levels = ["individual", "school"] if grouped else ["individual"]
    pairs = correlate(scores, by=by, level=levels, columns=list(titles),  # type: ignore[arg-type]
                      min_n=min_n, allow_small_groups=True)
    individual = pairs[pairs["level"] == "individual"]
    pairs.loc[individual.index[individual["n"] < min_n], "r"] = np.nan
    teachers = correlation_matrix(pairs, level="individual")
    schools = (correlation_matrix(pairs, level="school") if grouped
               else pd.DataFrame(np.nan, index=list(titles), columns=list(titles)))
    ids = list(titles)
    rows = []
    for i, a in enumerate(ids):
        cells = [fmt(teachers.loc[a, b]) if j < i else "" if j == i else fmt(schools.loc[a, b])
                 for j, b in enumerate(ids)]
        rows.append([titles[a], *cells])
    school_n = pairs.loc[pairs["level"] == "school", "n"]
    return {"scales": [titles[s] for s in ids], "rows": rows,
            "schools": int(school_n.max()) if school_n.notna().any() else 0}


# -- one school ------------------------------------------------------------------------------
def school(responses: Responses, inst: Instrument, table: pd.DataFrame, group: Any, name: str,
           *, by: str, min_n: int, item_min_n: int, district: dict[str, Any]) -> dict[str, Any]:
    rows = table[table[by] == group]
    members = responses.data[responses.data[by] == group]
    section: dict[str, Any] = {"id": _anchor(group), "name": name, "suppressed": False,
                               "n": len(members)}
    if len(members) < min_n:
        section.update(suppressed=True, n=None)
        return section
    titles = {sc.id: sc.title for sc in inst.scale_list}
    means = district["means"]
    counts = district["counts"]
    own = counts.loc[group] if group in counts.index else pd.Series(0, index=list(titles))
    reasons = {s: _reason(own.get(s, 0), min_n) for s in titles}
    section["rows"] = [_scale_row(r, titles, means, reasons) for r in records(rows)]
    section["notes"] = _plain_words(rows, titles)
    bounds = (inst.scale_list[0].min, inst.scale_list[0].max) if inst.scale_list else (0, 1)
    reference = dict(zip(district["reference"]["scale"], district["reference"]["mean"],
                         strict=True))
    section["profile"] = {
        "rows": profile_rows(rows, reference, titles, bounds, reasons=reasons),
        "low": f"{bounds[0]:g}", "high": f"{bounds[1]:g}",
        "label": (f"Scale means of {name} with 95% intervals (bars) beside the district mean "
                  "(diamonds), on the scales' range."),
    }
    hidden = set(rows.loc[rows["suppressed"].astype(bool), "scale"])
    section["likert"] = _likert_charts(members, inst, name, hidden=hidden,
                                       item_min_n=item_min_n)
    section["influence"] = _school_influence(inst, district, group, by=by, min_n=min_n)
    return section


def _reason(n: Any, min_n: int) -> str:
    """Why a school's result is not shown: too few people, or held back so that a smaller
    group's result cannot be worked out from the district figures (complementary)."""
    if pd.isna(n) or n < min_n:
        return f"fewer than {min_n} respondents"
    return "held back so that a smaller group's result cannot be worked out"


def _scale_row(
    r: Any, titles: dict[str, str], means: dict[str, tuple[float, float]],
    reasons: dict[str, str],
) -> dict[str, Any]:
    if bool(r.suppressed):
        return {"scale": titles[r.scale], "suppressed": True, "reason": reasons[r.scale]}
    return {"scale": titles[r.scale], "suppressed": False, "n": str(int(r.n)), "mean": fmt(r.mean),
            "ci": f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]", "district": fmt(means[r.scale][0]),
            "rwg": fmt(r.rwg_j), "reliability": fmt(r.mean_reliability)}


def _plain_words(rows: pd.DataFrame, titles: dict[str, str]) -> list[str]:
    """Agreement and reliability flags as sentences a school team can discuss."""
    notes = []
    shown = rows[~rows["suppressed"].astype(bool)]
    agree = [titles[s] for s in shown.loc[shown["rwg_j"] >= RWG_OK, "scale"]]
    split = [titles[s] for s in shown.loc[shown["rwg_j"] < RWG_OK, "scale"]]
    shaky = [titles[s] for s in shown.loc[shown["mean_reliability"] < RELIABLE, "scale"]]
    if agree:
        notes.append("Teachers largely agree with one another about: " + ", ".join(agree) + ".")
    if split:
        notes.append("Teachers' views differ a good deal on: " + ", ".join(split)
                     + ". The school mean hides that spread; it is worth talking about.")
    if shaky:
        notes.append("With this many respondents the school mean is not yet a stable estimate "
                     "for: " + ", ".join(shaky) + " (reliability of the mean below .70).")
    return notes


def _likert_charts(members: pd.DataFrame, inst: Instrument, name: str, *, hidden: set[str],
                   item_min_n: int) -> list[dict[str, Any]]:
    """One diverging bar chart per scale: the shares of answers at each point. Item-level
    detail is shown only where the scale's row is shown and every item of the scale has at
    least ``item_min_n`` answers; otherwise the chart says why it is absent."""
    charts = []
    for sc in inst.scale_list:
        items = members[list(sc.items)]
        if sc.id in hidden:
            charts.append({"title": sc.title, "absent": (
                "Not shown: the scale's results for this school are held back.")})
            continue
        if int(items.notna().sum().min()) < item_min_n:
            charts.append({"title": sc.title, "absent": (
                f"Not shown: answers to single items are shown only when every item of the "
                f"scale has at least {item_min_n} answers in the school.")})
            continue
        rs = inst.response_scale_of(sc.items[0])
        shares = likert_shares(items, rs.values)
        chart = likert_rows(shares, rs.label_map, {i: inst.item(i).text for i in sc.items})
        chart.update(title=sc.title, absent="", label=(
            f"How the teachers of {name} answered the {sc.k} items of {sc.title}: for each "
            "item, answers below the middle of the scale extend left, those above it right."))
        charts.append(chart)
    return charts


def _school_influence(inst: Instrument, district: dict[str, Any], group: Any, *, by: str,
                      min_n: int) -> dict[str, Any] | None:
    """The school's influence heat map and its collective-leadership indices per zone."""
    block = district.get("influence")
    if block is None or block["cells"] is None:
        return None
    grid = inst.influence
    if grid is None:
        return None
    rs = inst.response_scales[grid.response_scale]
    cells = block["cells"]
    mine = cells[cells[by] == group]
    matrix = (mine.assign(mean=mine["mean"].where(~mine["suppressed"].astype(bool)))
              .pivot(index="stakeholder", columns="zone", values="mean")
              .reindex(index=list(grid.stakeholder_ids), columns=list(grid.zone_ids)))
    indices = block["indices"]
    rows = []
    for r in records(indices[indices[by] == group]):
        if bool(r.suppressed):
            rows.append({"zone": grid.zone_labels[r.zone], "suppressed": True})
            continue
        rows.append({"zone": grid.zone_labels[r.zone], "suppressed": False,
                     "total": fmt(r.total_mean), "principal": fmt(r.principal),
                     "gap": fmt(r.teacher_principal_gap), "breadth": fmt(r.breadth, 0),
                     "gini": fmt(r.gini)})
    return {"heatmap": heatmap_cells(matrix, low=float(rs.min or 0), high=float(rs.max or 1),
                                     row_labels=grid.stakeholder_labels,
                                     column_labels=grid.zone_labels),
            "indices": rows, "scale": block["scale"]}


def guide_items(guide: pd.DataFrame, group: Any, by: str) -> dict[str, list[str]]:
    """The school's strengths and questions from the conversation guide."""
    mine = guide[guide[by] == group]
    return {"strengths": list(mine.loc[mine["kind"] == "strength", "text"]),
            "questions": list(mine.loc[mine["kind"] == "question", "text"])}


def distributions(surveys: list[Responses], group: Any, *, by: str, min_n: int,
                  item_min_n: int) -> list[dict[str, Any]]:
    """Single-choice items outside any scale (a community-of-practice stage): the spread of
    the school's answers, suppressed under ``item_min_n`` answers (:func:`distribution`)."""
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
            mine = table[table[by] == group]
            out.append({"text": item.text, "suppressed": bool(mine["suppressed"].all()),
                        "rows": [{"label": r.label, "pct": pct(r.share)}
                                 for r in records(mine)]})
    return out


def _scale_range(labels: dict[Any, str], low: float, high: float) -> str:
    return f"{low:g} ({labels.get(low, '')}) to {high:g} ({labels.get(high, '')})"


def _anchor(group: Any) -> str:
    text = "".join(ch if ch.isalnum() else "-" for ch in str(group))
    return f"school-{text}"


# -- methods ---------------------------------------------------------------------------------
def methods(inst: Instrument, *, min_n: int, item_min_n: int,
            rules: pd.DataFrame | None = None) -> dict[str, Any]:
    citations = list(dict.fromkeys([*inst.citations,
                                    *(c for sc in inst.scale_list for c in sc.citations)]))
    return {"source": inst.source, "licence": inst.licence, "citations": citations,
            "min_n": min_n, "item_min_n": item_min_n,
            "rules": [] if rules is None else rules.to_dict(orient="records"),
            "scales": [{"title": sc.title, "construct": sc.construct, "k": sc.k,
                        "reversed": sum(inst.item(i).reverse for i in sc.items)}
                       for sc in inst.scale_list]}

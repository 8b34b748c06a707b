"""The content of each part of the report, as plain values for the templates.

Each section is one function here (or in its own module: :mod:`colead.reporting.school`,
:mod:`colead.reporting.summary`) and one template. They read the tables computed once in
:mod:`colead.reporting.prepare`, already suppressed; rounding happens here, at the edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from colead.instrument import Instrument
from colead.relate import correlate, correlation_matrix
from colead.reporting import benchmarks_view, shares
from colead.reporting.change import since
from colead.reporting.charts import band_rows, heatmap_cells, records
from colead.reporting.format import anchor, fmt, pct
from colead.reporting.prepare import Prepared
from colead.reporting.school import plural, school

__all__ = ["anchor", "district", "fmt", "methods", "overview", "pct", "school"]


# -- overview --------------------------------------------------------------------------------
def overview(prep: Prepared) -> dict[str, Any]:
    """Who took part. The school x scale counts tell a result held back to protect a smaller
    group from one resting on too few people."""
    responses, table, by, min_n = prep.responses, prep.table, prep.by, prep.min_n
    data, log = responses.data, responses.log
    sizes = pd.Series(prep.sizes, dtype=float)
    rate = None
    if table["response_rate"].notna().any():
        shown = table[~table["suppressed"].astype(bool)].drop_duplicates(by)
        rate = pct(shown["response_rate"].median())
    long = prep.counts.rename_axis(index=by, columns="scale").stack().rename("count").reset_index()
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
def district(prep: Prepared) -> dict[str, Any]:
    """District tables. A district figure resting on fewer than ``min_n`` respondents is
    hidden like a school's; the schools' hidden remainder is protected by :func:`aggregate`,
    so the district figures and the shown schools together reveal no hidden school."""
    inst, by, min_n, titles = prep.inst, prep.by, prep.min_n, prep.titles
    scores, table, agreement = prep.scores, prep.table, prep.agreement
    stats = scores[list(titles)].agg(["mean", "std", "count"]).T
    shown = {s: bool(stats.loc[s, "count"] >= min_n) for s in titles}
    means = {s: (stats.loc[s, "mean"], stats.loc[s, "std"]) if shown[s] else (np.nan, np.nan)
             for s in titles}
    agreement_rows = [{
        "scale": titles[r.scale], "icc1": fmt(r.icc1), "icc2": fmt(r.icc2),
        "rwg": fmt(r.rwg_j_median), "share": pct(r.share_rwg_j_70), "ad": fmt(r.ad_mean),
        "groups": r.n_groups, "suppressed": r.n_suppressed,
    } for r in records(agreement if agreement is not None else pd.DataFrame())]
    shown_rows = table[~table["suppressed"].astype(bool)] if len(table) else table
    shown_groups = int(shown_rows.groupby("scale").size().max()) if len(shown_rows) else 0
    bench = (benchmarks_view.district_view(prep.bench, titles, shown) if prep.bench is not None
             else None)
    fits = (benchmarks_view.fit_view(prep.bench, prep, shown)
            if prep.bench is not None and prep.bench.kind == "rasch" else None)
    person = fits["reliability"] if fits is not None else None
    return {
        "influence": _influence(inst, prep, min_n),
        "since": (None if prep.change_district is None else since(
            list(prep.change_district.itertuples(index=False)), name="The district",
            anchor="since-district", titles=titles, bounds=prep.bounds)),
        "means": means,
        "needed": prep.needed,
        "mean_rows": [{"scale": titles[s], "suppressed": not shown[s],
                       "mean": fmt(means[s][0]), "sd": fmt(means[s][1]),
                       "n": str(int(stats.loc[s, "count"])),
                       "bench": bench["cells"][s] if bench else None} for s in titles],
        "bench": bench,
        "fit": fits,
        "reliability": [_reliability_row(r, titles, min_n, ordinal=prep.ordinal,
                                         person=person)
                        for r in records(prep.reliability)],
        "ordinal": prep.ordinal,
        "shares": (shares.district_view(prep.shares, plural(prep.inst.respondent))
                   if prep.shares is not None else None),
        "agreement": agreement_rows,
        "agreement_note": _agreement_note(agreement, shown_groups, prep.grouped),
        "bands": (band_rows(shown_rows[["scale", "rwg_j"]], titles)
                  if shown_groups >= 2 and shown_rows["rwg_j"].notna().any() else []),
        "relations": _relations(scores, titles, by=by, min_n=min_n, grouped=prep.grouped),
        "relations_note": ("" if len(titles) >= 2 else
                           "The instrument has one scale, so there are no correlations "
                           "between scales to show."),
    }


def _influence(inst: Instrument, prep: Prepared, min_n: int) -> dict[str, Any] | None:
    if inst.influence is None:
        return None
    from colead.decisions.grid import influence

    result = prep.influence["result"] if prep.influence else influence(prep.responses)
    grid = inst.influence
    rs = inst.response_scales[grid.response_scale]
    return {"heatmap": heatmap_cells(result.matrix(min_n=min_n), low=float(rs.min or 0),
                                     high=float(rs.max or 1),
                                     row_labels=grid.stakeholder_labels,
                                     column_labels=grid.zone_labels),
            "scale": _scale_range(rs.label_map, float(rs.min or 0), float(rs.max or 1))}


def _reliability_row(r: Any, titles: dict[str, str], min_n: int, *,
                     ordinal: bool = False,
                     person: dict[str, str] | None = None) -> dict[str, Any]:
    if pd.isna(r.n) or r.n < min_n:
        return {"scale": titles[r.scale], "suppressed": True, "k": r.k}
    row = {"scale": titles[r.scale], "suppressed": False, "k": r.k, "n": fmt(int(r.n)),
           "alpha": fmt(r.alpha), "ci": f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
           "omega": fmt(r.omega_total), "flagged": r.flagged_items or "none"}
    if ordinal:
        row.update(ordinal_alpha=fmt(r.ordinal_alpha), ordinal_omega=fmt(r.ordinal_omega))
    if person is not None:
        row["person"] = person.get(r.scale, "\u2013")
    return row


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


def _scale_range(labels: dict[Any, str], low: float, high: float) -> str:
    return f"{low:g} ({labels.get(low, '')}) to {high:g} ({labels.get(high, '')})"



# -- methods ---------------------------------------------------------------------------------
#: The sources of ordinal alpha and categorical omega (``report(ordinal=True)``).
ORDINAL_CITATIONS = (
    "Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007). Ordinal versions of coefficients "
    "alpha and theta for Likert rating scales. Journal of Modern Applied Statistical Methods, "
    "6(1), 21-29.",
    "Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural "
    "equation modeling: An alternative to coefficient alpha. Psychometrika, 74(1), 155-167.",
)


def methods(insts: list[Instrument], *, min_n: int, item_min_n: int,
            rules: pd.DataFrame | None = None, previous: bool = False,
            on_change: frozenset[str] = frozenset(), ordinal: bool = False,
            benchmarks: dict[str, Any] | None = None,
            shares: dict[str, Any] | None = None) -> dict[str, Any]:
    """What was computed and how, with the conversation guide's rules of the instruments
    used, their conditions in words (:func:`colead.guide.describe`); with ``previous``, how
    the change since the previous survey was computed (the rules ``on_change``, which read
    it, are listed only then); with ``benchmarks``
    (:func:`colead.reporting.benchmarks_view.methods_view`) and ``shares``
    (:func:`shares_methods`), how scores were benchmarked and against what."""
    inst = insts[0]
    citations = list(dict.fromkeys([*inst.citations,
                                    *(c for sc in inst.scale_list for c in sc.citations),
                                    *(ORDINAL_CITATIONS if ordinal else ()),
                                    *(benchmarks["citations"] if benchmarks else ())]))
    used = {i.name for i in insts}
    shown = [] if rules is None else [r for r in rules.to_dict(orient="records")
                                      if r["instrument"] in used
                                      and (previous or r["rule"] not in on_change)]
    return {"source": inst.source, "licence": inst.licence, "citations": citations,
            "min_n": min_n, "item_min_n": item_min_n, "rules": shown, "change": previous,
            "ordinal": ordinal, "benchmarks": benchmarks, "shares": shares,
            "several": len(used) > 1,
            "scales": [{"title": sc.title, "construct": sc.construct, "k": sc.k,
                        "reversed": sum(inst.item(i).reverse for i in sc.items)}
                       for sc in inst.scale_list]}


def shares_methods(prep: Prepared) -> dict[str, Any] | None:
    """The reference of the shares compared (your principals and the nation): its title and
    each year's source and link."""
    found = prep.shares
    if found is None:
        return None
    return {"title": found.norms.title, "national": found.national, "years": found.years,
            "respondents": plural(prep.inst.respondent)}

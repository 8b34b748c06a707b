"""One school's section: its results beside the district's, in plain words.

It reads only the school's own row of the prepared arrays (:mod:`colead.reporting.prepare`),
with no pass over respondents or whole tables, so the whole report costs O(schools x
scales). Every figure was suppressed before: a hidden result shows its reason and nothing
else.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from colead.reporting.change import since
from colead.reporting.charts import heatmap_cells, likert_rows
from colead.reporting.format import anchor, fmt
from colead.reporting.prepare import Prepared
from colead.reporting.stability import stability
from colead.reporting.words import STABLE, agreement_band, band_index, listing

__all__ = ["notes", "plural", "school"]


def school(prep: Prepared, group: Any, district: dict[str, Any]) -> dict[str, Any]:
    """The content of one school's section (``suppressed`` when it has fewer than min_n)."""
    name = prep.labels[group]
    n = prep.sizes.get(group, 0)
    section: dict[str, Any] = {"id": anchor(group), "name": name, "suppressed": n < prep.min_n,
                               "n": None if n < prep.min_n else n}
    if section["suppressed"]:
        return section
    at = prep.position[group]
    ids = list(prep.titles)
    row = {k: v[at] for k, v in prep.arrays.items()}
    hidden = row["suppressed"].astype(bool)
    reasons = [_reason(c, prep.min_n) for c in row["count"]]
    means = district["means"]
    reference = np.array([means[s][0] for s in ids], dtype=float)
    section["rows"] = [_scale_row(row, j, prep.titles[s], reference[j], reasons[j], hidden[j])
                       for j, s in enumerate(ids)]
    section["bench"] = prep.bench is not None
    if prep.bench is not None:
        from colead.reporting.benchmarks_view import school_cells

        for r, c, s in zip(section["rows"], school_cells(prep.bench, at), ids, strict=True):
            r["bench"] = {**c, "why": prep.bench.missing.get(s, "")}
    needs = [district["needed"].get(s, np.nan) for s in ids]
    section["notes"] = notes(row, [prep.titles[s] for s in ids], reference, n=n)
    section["stability"] = stability(row, [prep.titles[s] for s in ids], needs, respondents=n,
                                     name=name, noun=plural(prep.inst.respondent),
                                     staff=prep.staff.get(group))
    scales = prep.inst.scale_list
    bounds = (float(scales[0].min or 0), float(scales[0].max or 1)) if scales else (0.0, 1.0)
    section["profile"] = {
        "rows": _profile(row, reference, [prep.titles[s] for s in ids], bounds, reasons, hidden),
        "low": f"{bounds[0]:g}", "high": f"{bounds[1]:g}",
        "label": (f"Scale means of {name} with 95% intervals (bars) beside the district mean "
                  "(diamonds), on the scales' range."),
    }
    section["likert"] = _likert_charts(prep, at, name, hidden={s for s, h in zip(ids, hidden,
                                                                                strict=True) if h})
    section["since"] = (None if prep.previous is None else since(
        prep.changes.get(group, []), name=name, anchor=anchor(group, "since"),
        titles=prep.titles, bounds=prep.bounds))
    section["influence"] = _influence(prep, district, group, at)
    section["shares"] = None
    if prep.shares is not None:
        from colead.reporting.shares import school_view

        section["shares"] = school_view(prep.shares, group, plural(prep.inst.respondent))
    section["guide"] = prep.guide.get(group, {"strengths": [], "questions": []})
    section["distributions"] = [
        {"text": text, "suppressed": mine.get(group) is None, "rows": mine.get(group) or []}
        for text, mine in prep.distributions]
    return section


def plural(respondent: str) -> str:
    """``teacher`` -> ``teachers``; ``respondents`` when the instrument does not say."""
    return f"{respondent}s" if respondent and not respondent.endswith("s") else (
        respondent or "respondents")


def _reason(n: float, min_n: int) -> str:
    """Why a school's result is not shown: too few people, or held back so that a smaller
    group's result cannot be worked out from the district figures (complementary)."""
    if not n >= min_n:
        return f"fewer than {min_n} respondents"
    return "held back so that a smaller group's result cannot be worked out"


def _scale_row(row: dict[str, np.ndarray], j: int, title: str, reference: float, reason: str,
               hidden: bool) -> dict[str, Any]:
    if hidden:
        return {"scale": title, "suppressed": True, "reason": reason}
    reliability = row["mean_reliability"][j]
    return {"scale": title, "suppressed": False, "n": str(int(row["n"][j])),
            "mean": fmt(row["mean"][j]),
            "ci": f"[{fmt(row['ci_low'][j])}, {fmt(row['ci_high'][j])}]",
            "district": fmt(reference), "rwg": fmt(row["rwg_j"][j]),
            "band": agreement_band(float(row["rwg_j"][j])), "reliability": fmt(reliability),
            "stable": ("" if np.isnan(reliability) else
                       "stable" if round(reliability, 2) >= STABLE else "not yet stable")}


def _profile(row: dict[str, np.ndarray], reference: np.ndarray, titles: list[str],
             bounds: tuple[float, float], reasons: list[str],
             hidden: np.ndarray) -> list[dict[str, Any]]:
    """The interval chart: the mean, its 95% interval and the district mean as % positions
    on the scale's range."""
    low, high = bounds

    def at(value: float) -> str:
        return f"{100 * (min(max(value, low), high) - low) / (high - low):.1f}"

    out = []
    for j, title in enumerate(titles):
        if hidden[j]:
            out.append({"scale": title, "suppressed": True, "reason": reasons[j]})
            continue
        mean, lo, hi, ref = (row["mean"][j], row["ci_low"][j], row["ci_high"][j], reference[j])
        known = bool(np.isfinite(ref))
        out.append({"scale": title, "suppressed": False, "mean": at(mean),
                    "low": at(lo if np.isfinite(lo) else mean),
                    "high": at(hi if np.isfinite(hi) else mean),
                    "reference": at(ref) if known else None, "text": f"{mean:.2f}",
                    "ref_text": f"{ref:.2f}" if known else "not shown"})
    return out


def notes(row: dict[str, np.ndarray], titles: list[str], reference: np.ndarray, *,
          n: int) -> list[str]:
    """What stands out, as sentences a school team can discuss: scales where the school
    differs from the district beyond its interval, where teachers' views diverge (rwg(j)
    bands of LeBreton & Senter 2008), and whether its means are stable yet (ICC(2) for its
    size against the respondents each scale needs, Spearman-Brown)."""
    out = []
    shown = ~row["suppressed"].astype(bool)
    with np.errstate(invalid="ignore"):
        above = shown & (row["ci_low"] > reference)
        below = shown & (row["ci_high"] < reference)
        # words follow the figures as printed (two decimals): .699 shows as .70, stable
        shaky = shown & (np.round(row["mean_reliability"], 2) < STABLE)
    pick = [t for t, a in zip(titles, above, strict=True) if a]
    if pick:
        out.append(f"Above the district (the whole 95% interval lies above the district mean): "
                   f"{listing(pick)}.")
    pick = [t for t, b in zip(titles, below, strict=True) if b]
    if pick:
        out.append(f"Below the district (the whole 95% interval lies below the district mean): "
                   f"{listing(pick)}.")
    rated = shown & np.isfinite(row["rwg_j"])
    bands = [band_index(float(v)) if r else -1 for v, r in zip(row["rwg_j"], rated, strict=True)]
    split = [t for t, b in zip(titles, bands, strict=True) if 0 <= b <= 1]
    some = [t for t, b in zip(titles, bands, strict=True) if b == 2]
    if split:
        out.append(f"Teachers' views diverge (weak or no agreement, rwg(j) .50 or less) on "
                   f"{listing(split)}: the school mean hides very different experiences, which "
                   "is worth talking about.")
    if some:
        out.append(f"Teachers agree only moderately (rwg(j) .51 to .70) on {listing(some)}.")
    if rated.any() and not split and not some:
        out.append("Teachers agree strongly with one another on every scale shown (rwg(j) "
                   "above .70).")
    if shaky.any():
        names = [t for t, s in zip(titles, shaky, strict=True) if s]
        out.append(f"With {n} respondents, the school mean is not yet a stable estimate "
                   f"(reliability of the mean below .70) on {len(names)} of the "
                   f"{int(shown.sum())} scales shown: {listing(names)}; how many more answers "
                   "would make them stable is under \u201cAre these averages reliable "
                   "yet?\u201d.")
    return out


def _likert_charts(prep: Prepared, at: int, name: str, *,
                   hidden: set[str]) -> list[dict[str, Any]]:
    """One diverging bar chart per scale, ordered from unfavourable to favourable answers
    (reverse-keyed items turned around). Item-level detail is shown only where the scale's row
    is shown and every item of the scale has at least ``item_min_n`` answers."""
    charts = []
    for sc in prep.inst.scale_list:
        if sc.id in hidden:
            charts.append({"title": sc.title, "absent": (
                "Not shown: the scale's results for this school are held back.")})
            continue
        counts = np.array([prep.item_counts[i][at] for i in sc.items], dtype=float)
        totals = counts.sum(axis=1)
        if totals.min() < prep.item_min_n:
            charts.append({"title": sc.title, "absent": (
                f"Not shown: answers to single items are shown only when every item of the "
                f"scale has at least {prep.item_min_n} answers in the school.")})
            continue
        chart = likert_rows(counts / totals[:, None], prep.likert_items(sc.id))
        chart.update(title=sc.title, absent="", label=(
            f"How the teachers of {name} answered the {sc.k} items of {sc.title}: for each "
            "item, unfavourable answers extend left of the middle, favourable answers right."))
        charts.append(chart)
    return charts


def _influence(prep: Prepared, district: dict[str, Any], group: Any,
               at: int) -> dict[str, Any] | None:
    """The school's influence heat map and its collective-leadership indices per zone."""
    grid = prep.inst.influence
    if prep.cell_means is None or grid is None:
        return None
    rs = prep.inst.response_scales[grid.response_scale]
    rows = []
    for r in prep.indices.get(group, []):
        zone = grid.zone_labels[r["zone"]]
        if r["suppressed"]:
            rows.append({"zone": zone, "suppressed": True})
            continue
        rows.append({"zone": zone, "suppressed": False, "total": fmt(r["total"]),
                     "principal": fmt(r["principal"]), "gap": fmt(r["gap"]),
                     "breadth": fmt(r["breadth"], 0), "gini": fmt(r["gini"])})
    return {"heatmap": heatmap_cells(prep.cell_means[at], low=float(rs.min or 0),
                                     high=float(rs.max or 1),
                                     row_labels=[grid.stakeholder_labels[i]
                                                 for i in grid.stakeholder_ids],
                                     column_labels=[grid.zone_labels[i] for i in grid.zone_ids]),
            "indices": rows, "scale": district["influence"]["scale"]}

"""What the page shows of the benchmarked scores and the Rasch fits: the cells beside the
means (the whole number and its band, in words and colour), the note on the reference, the
person reliability and item fit, and the methods' sources. Rounding happens here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from colead.reporting.benchmarks import BAND_WORDS, FIT_RANGE, Benchmarks
from colead.reporting.format import fmt
from colead.reporting.shares import safe_url

if TYPE_CHECKING:
    from colead.reporting.prepare import Prepared

__all__ = ["BENCHMARK_CITATION", "RASCH_CITATIONS", "cell", "district_view", "fit_view",
           "methods_view", "school_cells"]

#: Sources, cited in the methods when the report shows Rasch scores or benchmarks.
BENCHMARK_CITATION = (
    "Bryk, A. S., Sebring, P. B., Allensworth, E., Luppescu, S., & Easton, J. Q. (2010). "
    "Organizing schools for improvement: Lessons from Chicago. University of Chicago Press.")
RASCH_CITATIONS = (
    "Andrich, D. (1978). A rating formulation for ordered response categories. "
    "Psychometrika, 43(4), 561-573.",
    "Warm, T. A. (1989). Weighted likelihood estimation of ability in item response theory. "
    "Psychometrika, 54(3), 427-450.",
    "Mair, P., & Hatzinger, R. (2007). Extended Rasch modeling: The eRm package for the "
    "application of IRT models in R. Journal of Statistical Software, 20(9), 1-20.",
    "Wright, B. D., & Linacre, J. M. (1994). Reasonable mean-square fit values. Rasch "
    "Measurement Transactions, 8(3), 370.",
)


def cell(score: float, band: int) -> dict[str, Any]:
    """A benchmarked score as the page shows it: the whole number, the band's index (its
    colour) and its words (readable without colour)."""
    if not np.isfinite(score):
        return {"score": "\u2013", "band": -1, "word": ""}
    return {"score": f"{round(score):.0f}", "band": band, "word": BAND_WORDS[band]}


def district_view(bench: Benchmarks, titles: dict[str, str],
                  shown: dict[str, bool]) -> dict[str, Any]:
    """The columns beside the district's means, and what the reader must know about them:
    what the reference is, and the scales left without a benchmark (and why)."""
    cells = {}
    for s in titles:
        if s in bench.missing:
            cells[s] = {"score": "\u2013", "band": -1, "word": "", "why": bench.missing[s]}
        else:
            score, band = bench.district[s] if shown[s] else (np.nan, -1)
            cells[s] = {**cell(score, band), "why": ""}
    rasch = bench.kind == "rasch"
    if bench.own:
        note = ("Scores are benchmarked against this district's own schools in this survey: "
                "50 is the average of the schools shown and every 20 points is one standard "
                "deviation of their scores, so they tell how the schools compare with one "
                "another, not with schools elsewhere (norms from elsewhere would: colead "
                "report --norms).")
    else:
        sources = sorted({f"{r['source']}, {r['year']}" for r in bench.rows.values()})
        name = bench.norms.title if bench.norms is not None and bench.norms.title else "norms"
        note = (f"Scores are benchmarked against {name} ({'; '.join(sources)}): 50 is the "
                "reference's average and every 20 points is one standard deviation of it.")
    lacking = [f"{titles[s]} ({why})" for s, why in bench.missing.items() if s in titles]
    return {"label": "Rasch score (1-99)" if rasch else "Score (1-99)", "rasch": rasch,
            "own": bench.own,
            "cells": cells, "note": note,
            "missing": ("No benchmarked score for " + "; ".join(lacking) + ".") if lacking
            else ""}


def school_cells(bench: Benchmarks, at: int) -> list[dict[str, Any]]:
    """One school's benchmarked score and band per scale (the row ``at`` of the arrays)."""
    return [cell(float(bench.score[at, j]), int(bench.band[at, j]))
            for j in range(bench.score.shape[1])]


def fit_view(bench: Benchmarks, prep: Prepared, shown: dict[str, bool]) -> dict[str, Any]:
    """Person reliability per scale, and the items whose infit or outfit mean square lies
    outside :data:`FIT_RANGE`, in words and numbers; nothing for a scale whose district
    figures are hidden (fewer than ``min_n`` respondents)."""
    low, high = FIT_RANGE
    rows, reliability = [], {}
    for s, fit in bench.fits.items():
        if not shown.get(s, False):
            continue
        reliability[s] = fmt(fit.person_reliability)
        for item, infit, outfit in zip(fit.items["item"], fit.items["infit"],
                                       fit.items["outfit"], strict=True):
            # read at the two decimals printed, so that a flagged 0.70 is never shown
            values = np.round(np.array([infit, outfit], dtype=float), 2)
            if not np.any((values < low) | (values > high)):
                continue
            noisy = bool(np.nanmax(values) > high)
            rows.append({"scale": prep.titles[s], "item": prep.inst.item(item).text,
                         "infit": fmt(infit), "outfit": fmt(outfit),
                         "words": ("answers less predictable than the scale expects: the "
                                   "item may be read differently, or touch something else"
                                   if noisy else
                                   "answers more predictable than the scale expects: the "
                                   "item may repeat what another item asks")})
    return {"reliability": reliability, "misfit": rows, "low": f"{low:g}",
            "high": f"{high:g}",
            "failed": [f"{prep.titles[s]} ({why})" for s, why in bench.failed.items()]}


def methods_view(bench: Benchmarks) -> dict[str, Any]:
    """How the scores were computed and against what, for the methods."""
    rows = []
    for r in bench.rows.values():
        rows.append({"source": str(r.get("source") or ""), "year": str(r.get("year") or ""),
                     "level": str(r.get("level") or ""), "url": str(r.get("url") or "")})
    references = list(dict.fromkeys(
        (x["source"], x["year"], x["level"], x["url"]) for x in rows))
    return {"rasch": bench.kind == "rasch", "own": bench.own,
            "title": bench.norms.title if bench.norms is not None else "",
            "references": [{"source": s, "year": y, "level": lv, "url": safe_url(u),
                            "text": u} for s, y, lv, u in references],
            "citations": [BENCHMARK_CITATION,
                          *(RASCH_CITATIONS if bench.kind == "rasch" else ())]}

"""Shares of respondents beside published percentages: "your principals and the nation".

A norms row with a ``percent`` (the share of a reference population answering an item at
least ``at_least``) is compared with the share of this survey's respondents doing so, for
the district and for each group. The NCES tables of principals reporting major influence
(``nces-principal-influence``) are the bundled case, used by default with the
``sass-principal-influence`` instrument.

Privacy: the district's share is shown only when at least ``min_n`` respondents answered the
item; a group's share goes through :func:`colead.privacy.suppress` with the district as its
total (respondents without a group included), so the district's share and count minus the
shown groups' never describe fewer than ``min_n`` people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from colead.privacy import suppress
from colead.reporting._tables import Tables
from colead.schools.norms import Norms

__all__ = ["Shares", "compute", "district_view", "safe_url", "school_view"]


@dataclass
class Shares:
    """Per compared item: the district's share and count, the groups' (suppressed), and the
    reference's percentages by year."""

    norms: Norms
    #: every row's source is an NCES table: the reference is the nation
    national: bool
    #: one per compared item: measure, label, threshold words, n, k, shown, norms {year: pct}
    rows: list[dict[str, Any]]
    #: the reference's years, newest first: year, source, url (only http(s) links)
    years: list[dict[str, Any]]
    #: group -> per row: pct (0-100, NaN when hidden), n, suppressed
    groups: dict[Any, list[dict[str, Any]]] = field(default_factory=dict)


def safe_url(url: Any) -> str:
    """A link the page may carry: an http(s) address, or "" (a ``javascript:`` or other
    address from a norms file is shown as text, never linked)."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


def compute(prep: Tables, norms: Norms, items: tuple[str, ...]) -> Shares:
    data, inst, by, min_n = prep.responses.data, prep.inst, prep.by, prep.min_n
    table = norms.table[norms.table["percent"].notna() & norms.table["measure"].isin(items)]
    grid = inst.influence
    rows: list[dict[str, Any]] = []
    counts = {}
    for (measure, at_least), part in _keys(table, inst):
        values = data[measure].to_numpy(dtype=float)
        answered = ~np.isnan(values)
        with np.errstate(invalid="ignore"):
            hit = answered & (values >= at_least)
        first = part.iloc[0]
        zone = first["zone"]
        label = (grid.zone_labels.get(zone) if grid is not None and zone else None) or \
            first["label"] or inst.item(measure).text
        n, k = int(answered.sum()), int(hit.sum())
        rows.append({"measure": measure, "label": str(label),
                     "threshold": _threshold(inst, measure, at_least), "n": n, "k": k,
                     "shown": n >= min_n,
                     "norms": dict(zip(part["year"], part["percent"].astype(float),
                                       strict=True))})
        counts[len(rows) - 1] = (answered, hit)
    years = []
    for year in sorted(set(table["year"]), reverse=True):
        first = table[table["year"] == year].iloc[0]
        years.append({"year": str(year), "source": str(first["source"] or ""),
                      "url": safe_url(first["url"]), "text": str(first["url"] or "")})
    urls = [str(u or "") for u in table["url"]]
    out = Shares(norms=norms, national=bool(urls) and all(
        u.startswith("https://nces.ed.gov/") for u in urls), rows=rows, years=years)
    if prep.grouped and rows:
        out.groups = _by_group(data[by], counts, prep.groups, min_n)
    return out


def _keys(table: pd.DataFrame, inst: Any) -> list[tuple[tuple[str, float], pd.DataFrame]]:
    """The rows of each compared (item, threshold), in the norms' order; a threshold left
    out is the item's top answer (NCES: "major influence")."""
    top = {m: float(inst.response_scale_of(m).max or 0) for m in set(table["measure"])}
    at = table["at_least"].where(table["at_least"].notna(), table["measure"].map(top))
    keyed = table.assign(_at=at.astype(float))
    return [((m, float(a)), part.sort_values("year", ascending=False))
            for (m, a), part in keyed.groupby(["measure", "_at"], sort=False)]


def _threshold(inst: Any, item: str, at_least: float) -> str:
    rs = inst.response_scale_of(item)
    label = rs.label_map.get(at_least) or f"{at_least:g}"
    return f"\u201c{label}\u201d" + ("" if rs.max is not None and at_least >= rs.max
                                     else " or higher")


def _by_group(keys: pd.Series, counts: dict[int, tuple[np.ndarray, np.ndarray]],
              groups: list[Any], min_n: int) -> dict[Any, list[dict[str, Any]]]:
    """Each group's share per row, suppressed with the district as the total."""
    frame = pd.DataFrame({"_group": keys.to_numpy()})
    for i, (answered, hit) in counts.items():
        frame[f"n{i}"], frame[f"k{i}"] = answered, hit
    sums = frame.groupby("_group", dropna=False, sort=False).sum()
    long = pd.concat([pd.DataFrame({"_group": sums.index, "row": i,
                                    "n": sums[f"n{i}"].to_numpy(dtype=float),
                                    "k": sums[f"k{i}"].to_numpy(dtype=float)})
                      for i in counts], ignore_index=True)
    long["pct"] = 100 * long["k"] / long["n"].where(long["n"] > 0)
    shown = suppress(long, min_n=min_n, by=["_group"], within=["row"])
    shown = shown[shown["_group"].notna()]
    out: dict[Any, list[dict[str, Any]]] = {g: [] for g in groups}
    for group, row, n, pct, hidden in zip(shown["_group"], shown["row"], shown["n"],
                                          shown["pct"], shown["suppressed"], strict=True):
        if group in out:
            out[group].append({"row": int(row), "n": n, "pct": pct, "suppressed": bool(hidden)})
    for mine in out.values():
        mine.sort(key=lambda r: r["row"])
    return out


# -- what the page shows -----------------------------------------------------------------------
def _pct(value: float) -> str:
    return f"{value:.0f}%"


def _points(value: float) -> str:
    return f"{value:+.0f}"


def district_view(shares: Shares, respondents: str) -> dict[str, Any]:
    """The district's table: each item's share beside the reference's by year, and the
    difference from the latest year in percentage points."""
    latest = shares.years[0]["year"] if shares.years else None
    rows = []
    for r in shares.rows:
        pct = 100 * r["k"] / r["n"] if r["shown"] else np.nan
        ref = r["norms"].get(latest, np.nan)
        rows.append({"label": r["label"], "threshold": r["threshold"], "suppressed":
                     not r["shown"], "pct": _pct(pct) if r["shown"] else "",
                     "n": str(r["n"]) if r["shown"] else "",
                     "norms": [_pct(r["norms"][y["year"]]) if y["year"] in r["norms"]
                               else "\u2013" for y in shares.years],
                     "diff": _points(pct - ref) if r["shown"] and np.isfinite(ref) else
                     "\u2013"})
    thresholds = list(dict.fromkeys(r["threshold"] for r in shares.rows))
    where = "the nation" if shares.national else (shares.norms.title or "the norms")
    return {"heading": f"Your {respondents} and {where}", "rows": rows,
            "years": shares.years, "latest": latest, "national": shares.national,
            "threshold": " / ".join(thresholds), "respondents": respondents,
            "title": shares.norms.title}


def school_view(shares: Shares, group: Any, respondents: str) -> dict[str, Any] | None:
    """One group's shares beside the reference's latest year (None: nothing compared)."""
    mine = shares.groups.get(group)
    if not mine:
        return None
    latest = shares.years[0]["year"] if shares.years else None
    rows = []
    for r in mine:
        row = shares.rows[r["row"]]
        ref = row["norms"].get(latest, np.nan)
        shown = not r["suppressed"] and np.isfinite(r["pct"])
        rows.append({"label": row["label"], "suppressed": not shown,
                     "pct": _pct(r["pct"]) if shown else "",
                     "n": str(int(r["n"])) if shown else "",
                     "norm": _pct(ref) if np.isfinite(ref) else "\u2013",
                     "diff": _points(r["pct"] - ref) if shown and np.isfinite(ref)
                     else "\u2013"})
    where = "the nation" if shares.national else (shares.norms.title or "the norms")
    return {"heading": f"Your {respondents} and {where}", "rows": rows, "latest": latest,
            "threshold": " / ".join(dict.fromkeys(r["threshold"] for r in shares.rows)),
            "respondents": respondents, "national": shares.national}

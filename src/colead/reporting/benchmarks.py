"""Rasch scores and benchmarked scores in the report (``report(scores=, norms=)``).

:func:`plan` decides, before anything is computed, which rows of the norms the report uses,
and fails at once when they match nothing. :func:`compute` (from
:mod:`colead.reporting.prepare`) fits the rating-scale model of every scale once, takes each
school's mean of its respondents' measures once, and benchmarks them on the 1-99 scale
(:func:`colead.benchmark`); the sections only look up a school's row.

Privacy: a school's benchmarked score is shown only where its mean is (the scale's row of
:func:`colead.aggregate`) and where :func:`colead.privacy.protect` shows it on the counts of
the measures themselves; the district's own norms are made from the shown schools only, so
no published figure rests on a hidden school.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead.exceptions import ColeadError, ColeadWarning, InvalidParameterError
from colead.instrument import Instrument
from colead.reporting._tables import Tables
from colead.schools.norms import LABELS, Norms, benchmark, load_norms, make_norms

if TYPE_CHECKING:
    from colead.psychometrics.rasch import RaschResult

__all__ = ["BAND_WORDS", "CUTS", "FIT_RANGE", "NATIONAL", "SCORES", "SUFFIX", "Benchmarks", "Plan",
           "band_of", "compute", "plan"]

#: What a scale score can be: the mean of the items, or the Rasch measure.
SCORES = ("mean", "rasch")
#: A scale's Rasch measure in a norms file: the scale id and this suffix.
SUFFIX = "_rasch"
#: Item infit and outfit mean squares outside this range are flagged.
FIT_RANGE = (0.7, 1.3)
#: The bundled norms compared with the sass-principal-influence instrument by default.
NATIONAL = "nces-principal-influence"
#: The bands' cut points on the printed 1-99 scale (z = -1.5, -0.5, 0.5, 1.5; 20 points per
#: sd around 50, the 5Essentials convention of colead.benchmark's defaults).
CUTS = (20, 40, 60, 80)
_OWN_SOURCE = "this district's own schools in this survey"
#: Why a scale has no Rasch score when the model could not be fitted (details in the fit).
FAILED = "the Rasch model could not be fitted to these answers"
#: The band words, lowest first (colead.benchmark's labels).
BAND_WORDS = LABELS


@dataclass(frozen=True)
class Plan:
    """What the report benchmarks, fixed before anything is computed."""

    #: "mean" or "rasch"
    kind: str
    #: the norms given (None: none, or the district's own for Rasch scores)
    norms: Norms | None
    #: scale id -> the measure benchmarked in the norms
    measures: dict[str, str]
    #: scales the given norms have no mean and sd for
    missing: tuple[str, ...]
    #: norms with percentages of items of the survey, and those items
    shares: Norms | None
    share_items: tuple[str, ...]

    @property
    def benchmarked(self) -> bool:
        """Whether the scales get benchmarked scores at all."""
        return self.kind == "rasch" or bool(self.measures)


def plan(norms: str | os.PathLike[str] | Norms | pd.DataFrame | None, inst: Instrument, *,
         kind: str, columns: Any) -> Plan:
    """Which norms rows the report uses. Norms given but matching no scale (a mean and sd of
    ``<scale>`` for means, ``<scale>_rasch`` for Rasch measures) and no item of the survey (a
    percent) are an error naming what the report looked for; norms matching some scales
    leave the others without a benchmark, which the report says."""
    scales = [sc.id for sc in inst.scale_list]
    if kind == "rasch" and not scales:
        raise InvalidParameterError(
            f"The 'scores' parameter of report is 'rasch', but the instrument {inst.name!r} "
            "has no scales to measure; leave it out (its items are reported one by one)."
        )
    given = None if norms is None else load_norms(norms)
    wanted = {s: f"{s}{SUFFIX}" if kind == "rasch" else s for s in scales}
    measures: dict[str, str] = {}
    missing: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    if given is not None:
        table = given.table
        usable = set(table.loc[table["mean"].notna(), "measure"])
        measures = {s: m for s, m in wanted.items() if m in usable}
        missing = tuple(s for s in scales if s not in measures)
        items = _share_items(table, columns, inst)
        if not measures and not items:
            raise InvalidParameterError(_mismatch(given, wanted, kind, usable, inst))
    shares = given if items else None
    if shares is None and inst.name == "sass-principal-influence":
        bundled = load_norms(NATIONAL)
        items = _share_items(bundled.table, columns, inst)
        shares = bundled if items else None
    return Plan(kind=kind, norms=given, measures=measures, missing=missing, shares=shares,
                share_items=items)


def _share_items(table: pd.DataFrame, columns: Any, inst: Instrument) -> tuple[str, ...]:
    """The survey's items that percent rows describe: rows that name an instrument describe
    its items only (a teacher survey's item may share an id with a principal survey's)."""
    rows = table[table["percent"].notna()]
    if "instrument" in rows:
        rows = rows[rows["instrument"].isna() | rows["instrument"].eq(inst.name)]
    present = set(columns)
    return tuple(dict.fromkeys(m for m in rows["measure"] if m in present))


def _mismatch(norms: Norms, wanted: dict[str, str], kind: str, usable: set[str],
              inst: Instrument) -> str:
    table = norms.table
    inst_name = inst.name
    others = sorted(set(table.loc[table["percent"].notna(), "instrument"].dropna())
                    - {inst_name}) if "instrument" in table else []
    held = sorted(set(table["measure"]))
    what = (f"a mean and sd of each scale's Rasch measure ({', '.join(wanted.values())})"
            if kind == "rasch" else
            f"a mean and sd of each scale's mean ({', '.join(wanted.values())})")
    hint = ""
    if kind == "rasch" and usable & set(wanted):
        hint = " They hold means of the scales: leave out scores='rasch' to benchmark the means."
    elif kind == "mean" and usable & {f"{s}{SUFFIX}" for s in wanted}:
        hint = " They hold Rasch measures of the scales: add scores='rasch'."
    if others:
        hint += (f" Its percents describe the items of {', '.join(map(repr, others))}, "
                 "not of this survey.")
    title = f" ({norms.title})" if norms.title else ""
    return (f"The 'norms' parameter of report gives norms{title} that hold nothing this "
            f"report can use: it looks for {what}, or a percent for an item of the survey "
            f"({inst_name!r}); "
            f"the norms hold {', '.join(held) or 'no rows'}.{hint}")


@dataclass
class Benchmarks:
    """The benchmarked scores of every school and the district, and the Rasch fits."""

    kind: str
    #: benchmarked against the district's own schools (no norms given)
    own: bool
    #: the norms used (given, or made from the shown schools)
    norms: Norms | None
    #: scale id -> the norms row used (measure, mean, sd, n, level, year, source, url)
    rows: dict[str, dict[str, Any]]
    #: scale id -> why it has no benchmarked score
    missing: dict[str, str]
    #: scale id -> (benchmarked score, band index) of the district; NaN, -1 where not shown
    district: dict[str, tuple[float, int]]
    #: groups x scales: benchmarked score (NaN: not shown) and band index (-1)
    score: np.ndarray
    band: np.ndarray
    #: scale id -> the fitted rating-scale model (Rasch scores only)
    fits: dict[str, RaschResult] = field(default_factory=dict)
    #: scale id -> why the rating-scale model could not be fitted
    failed: dict[str, str] = field(default_factory=dict)


def band_of(score: float) -> int:
    """The band of a benchmarked score, read at the whole number the report prints (59.6
    shows as 60: strong), so that words and figure agree; -1 when missing."""
    if not np.isfinite(score):
        return -1
    return int(np.searchsorted(CUTS, round(score), side="right"))


def compute(prep: Tables, how: Plan) -> Benchmarks:
    """Rasch measures (or the scale scores), their school means under the report's
    suppression, and their benchmarks."""
    ids = list(prep.titles)
    by, min_n = prep.by, prep.min_n
    groups = prep.groups
    hidden = (prep.arrays["suppressed"].astype(bool) if prep.arrays
              else np.ones((len(groups), len(ids)), dtype=bool))
    missing: dict[str, str] = {s: "no norms for this scale" for s in how.missing}
    fits: dict[str, RaschResult] = {}
    details: dict[str, str] = {}
    if how.kind == "rasch":
        values, fits, details = _rasch(prep, _shown_rows(prep, hidden, ids))
        missing.update(dict.fromkeys(details, FAILED))
        hidden = hidden | _protected(values, prep.responses.data[by], groups, min_n)
    else:
        values = prep.scores[ids]
    suffix = SUFFIX if how.kind == "rasch" else ""
    names = {s: how.measures.get(s, f"{s}{suffix}") for s in ids}
    means = _group_means(values, prep.responses.data[by], groups, ids)
    means[hidden] = np.nan
    counts = values.count()
    district = {s: float(values[s].mean()) if counts[s] >= min_n else np.nan for s in ids}
    norms = how.norms
    own = how.kind == "rasch" and norms is None
    if own:
        norms = _own_norms(values, prep.responses.data[by], groups, hidden, ids, names,
                           by=by, min_n=min_n, missing=missing)
    score = np.full((len(groups), len(ids)), np.nan)
    band = np.full((len(groups), len(ids)), -1, dtype=int)
    rows: dict[str, dict[str, Any]] = {}
    out_district: dict[str, tuple[float, int]] = {s: (np.nan, -1) for s in ids}
    usable = set() if norms is None else set(
        norms.table.loc[norms.table["mean"].notna(), "measure"])
    for j, s in enumerate(ids):
        if norms is None or s in missing or names[s] not in usable:
            missing.setdefault(s, "no norms for this scale")
            continue
        m = names[s]
        # the schools' means, then the district's, in one call
        found = benchmark(pd.DataFrame({m: [*means[:, j], district[s]]}), norms,
                          measures=[m])["benchmark"].to_numpy(dtype=float)
        score[:, j] = found[:-1]
        band[:, j] = [band_of(v) for v in found[:-1]]
        out_district[s] = (float(found[-1]), band_of(found[-1]))
        rows[s] = _norms_row(norms, m)
    return Benchmarks(kind=how.kind, own=own, norms=norms, rows=rows, missing=missing,
                      district=out_district, score=score, band=band, fits=fits,
                      failed=details)


def _shown_rows(prep: Tables, hidden: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """respondents x scales: True where the respondent's school is shown for the scale."""
    keys = prep.responses.data[prep.by]
    shown = pd.DataFrame(~hidden, index=pd.Index(prep.groups), columns=ids)
    return pd.DataFrame({s: keys.map(shown[s]).eq(True).to_numpy() for s in ids},
                        index=keys.index)


def _rasch(prep: Tables, shown: pd.DataFrame
           ) -> tuple[pd.DataFrame, dict[str, RaschResult], dict[str, str]]:
    """Each scale's rating-scale model, its items calibrated on the respondents of the schools
    shown (so that no shown figure moves with a hidden school's answers); a respondent's
    measure (Warm's WLE) only where they have a scale score, so that a school's mean of
    measures rests on the same respondents as its mean score."""
    from colead.psychometrics.rasch import rasch
    from colead.psychometrics.scoring import keyed_items

    data, inst = prep.responses.data, prep.inst
    out = pd.DataFrame(index=data.index)
    fits, failed = {}, {}
    for sc in inst.scale_list:
        out[sc.id] = np.nan
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColeadWarning)
                fit = rasch(keyed_items(data, inst, sc), model="rsm",
                            scale_min=None if sc.min is None else float(sc.min),
                            calibrate=shown[sc.id].to_numpy())
        except ColeadError as exc:
            failed[sc.id] = _first_line(exc)
            continue
        fits[sc.id] = fit
        measure = fit.persons["estimate"].to_numpy(dtype=float)
        out[sc.id] = np.where(prep.scores[sc.id].notna().to_numpy(), measure, np.nan)
    return out, fits, failed


def _first_line(exc: Exception) -> str:
    """The gist of why a fit failed: its message up to the first colon after the function's
    name (the rest is advice for researchers)."""
    text = str(exc).strip().splitlines()
    first = text[0].removeprefix("rasch: ") if text else type(exc).__name__
    return first.split(": ")[0]


def _group_means(values: pd.DataFrame, keys: pd.Series, groups: list[Any],
                 ids: list[str]) -> np.ndarray:
    means = values.groupby(keys.to_numpy(), sort=False)[ids].mean()
    return means.reindex(index=groups, columns=ids).to_numpy(dtype=float, copy=True)


def _protected(values: pd.DataFrame, keys: pd.Series, groups: list[Any],
               min_n: int) -> np.ndarray:
    """groups x scales: hidden by :func:`colead.privacy.protect` on the counts of measures
    (the respondents without a group in the district's totals)."""
    from colead.privacy import protect

    ids = list(values.columns)
    counts = values.notna().groupby(keys.to_numpy(), dropna=False, sort=False).sum()
    long = counts.rename_axis("_group").reset_index().melt(
        id_vars="_group", var_name="scale", value_name="n")
    found = protect(long, ["_group"], min_n=min_n, within=["scale"])
    grid = found.pivot(index="_group", columns="scale", values="hidden")
    grid = grid.reindex(index=groups, columns=ids)
    return grid.fillna(True).to_numpy(dtype=bool)


def _own_norms(values: pd.DataFrame, keys: pd.Series, groups: list[Any], hidden: np.ndarray,
               ids: list[str], names: dict[str, str], *, by: str, min_n: int,
               missing: dict[str, str]) -> Norms | None:
    """Norms of school means made from the schools shown, scale by scale (a hidden school's
    measures are left out), so that they reveal nothing of a hidden school."""
    shown = pd.DataFrame(~hidden, index=pd.Index(groups), columns=ids)
    frame = pd.DataFrame({by: keys.to_numpy()}, index=values.index)
    for s in ids:
        if s in missing:
            continue
        keep = keys.map(shown[s]).eq(True).to_numpy()
        frame[names[s]] = values[s].where(keep)
    measures = [names[s] for s in ids if s not in missing]
    if not measures:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            norms = make_norms(frame, source=_OWN_SOURCE, year="this survey", by=by,
                               measures=measures, min_n=min_n,
                               title="This district's schools")
    except ColeadError:
        norms = None
    made = set() if norms is None else set(norms.table["measure"])
    for s in ids:
        if s not in missing and names[s] not in made:
            missing[s] = "fewer than two schools shown to compare with"
    return norms


def _norms_row(norms: Norms, measure: str) -> dict[str, Any]:
    table = norms.table
    rows = table[(table["measure"] == measure) & table["mean"].notna()]
    row = rows.sort_values("year").iloc[-1]  # the year colead.benchmark uses: the latest
    return {k: (None if v is None or (isinstance(v, float) and np.isnan(v)) else v)
            for k, v in row.items()}

"""Benchmarked scores: measures on a 1-99 scale against norms (mean and sd of a reference
population), with five bands, as the 5Essentials reports show them; norms files and norms
made from a district's own responses."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.schools import _norms

__all__ = ["BANDS", "LABELS", "Norms", "benchmark", "list_norms", "load_norms", "make_norms"]

BANDS = (-1.5, -0.5, 0.5, 1.5)
LABELS = ("very weak", "weak", "neutral", "strong", "very strong")
_ID_COLUMNS = ("respondent_id", "school_id")


@dataclass(frozen=True)
class Norms:
    """A norms table: per measure and reference year, the ``mean`` and ``sd`` (and ``n``) of a
    reference population, or the ``percent`` of it answering at least ``at_least``, with the
    ``source`` and ``year`` of every row. See :func:`load_norms` for the file format."""

    table: pd.DataFrame = field(repr=False)
    title: str = ""
    description: str = ""

    def write(self, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
        """Write the norms as YAML (``.yaml``/``.yml``) or CSV (``.csv``); an existing file is
        replaced only with ``overwrite=True``."""
        return _norms.write_file(self.table, self.title, self.description, Path(path),
                                 overwrite=overwrite)

    def summary(self) -> str:
        years = ", ".join(sorted(set(self.table["year"])))
        return (f"{self.title or 'norms'}: {len(self.table)} rows, "
                f"{self.table['measure'].nunique()} measures, years {years}")

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        shown = self.table.dropna(axis=1, how="all")
        return f"<div><p>{escape(self.summary())}</p>{shown.to_html(index=False)}</div>"


def list_norms() -> pd.DataFrame:
    """The bundled norms files: ``name``, ``title``, ``rows``, ``years``."""
    rows = []
    for path in sorted(_bundled_folder().glob("*.yaml")):
        norms = load_norms(path)
        rows.append({"name": path.stem, "title": norms.title, "rows": len(norms.table),
                     "years": ", ".join(sorted(set(norms.table["year"])))})
    return pd.DataFrame(rows, columns=["name", "title", "rows", "years"])


def load_norms(source: str | os.PathLike[str] | Norms | pd.DataFrame) -> Norms:
    """Read a norms file, or a bundled norms table by name.

    Parameters
    ----------
    source : str, path, Norms or DataFrame
        A bundled name (see :func:`list_norms`, e.g. ``"nces-principal-influence"``), a
        ``.yaml``/``.yml``/``.csv`` file, or a table with the columns below.

    Returns
    -------
    Norms

    Raises
    ------
    ResponseDataError
        Naming every problem in the file (row or line, column, value, reason).

    Notes
    -----
    One row per measure and reference year. Fields: ``measure``, ``year`` and ``source``
    (required); ``mean`` and ``sd`` (for :func:`benchmark`) or ``percent`` (share of the
    reference population answering at least ``at_least``); optional ``n``, ``level``
    (``respondent``, ``school``, ...: what the mean and sd describe), ``url``,
    ``population``, ``instrument`` (the instrument whose items percent rows describe; the
    report compares such rows only with that instrument's survey), ``label``,
    ``stakeholder``, ``zone``. A YAML file holds the rows as a list under ``norms:`` and may
    state ``title``, ``description`` and, once for all rows, ``source``, ``year``, ``url``,
    ``population``, ``instrument`` and ``level``::

        title: District teacher survey 2024
        source: Our district, all schools
        year: 2024
        level: school
        norms:
          - {measure: shared_leadership, mean: 4.1, sd: 0.45, n: 38}
          - {measure: trust_principal, mean: 4.4, sd: 0.52, n: 38}

    A CSV file has one column per field and needs ``source`` and ``year`` in every row.
    """
    if isinstance(source, Norms):
        return source
    if isinstance(source, pd.DataFrame):
        rows = [{k: v for k, v in rec.items() if v is not None and v == v}
                for rec in source.to_dict("records")]
        return Norms(_norms.check_rows(rows, "the norms table", first_row=0))
    if not isinstance(source, str | os.PathLike):
        raise InvalidParameterError(
            "The 'norms' parameter must be a bundled name, a path, a Norms or a DataFrame; "
            f"got {type(source).__name__}.")
    path = Path(source)
    if isinstance(source, str) and path.suffix == "" and not path.exists():
        bundled = _bundled_folder() / f"{source}.yaml"
        if not bundled.is_file():
            names = ", ".join(p.stem for p in sorted(_bundled_folder().glob("*.yaml")))
            raise InvalidParameterError(
                f"No bundled norms named {source!r}; bundled: {names}. Give a path to a "
                ".yaml or .csv file for your own.")
        path = bundled
    table, title, description = _norms.read_file(path)
    return Norms(table, title, description)


def benchmark(
    scores: pd.DataFrame | pd.Series,
    norms: str | os.PathLike[str] | Norms | pd.DataFrame,
    *,
    points_per_sd: float = 20,
    center: float = 50,
    bands: Sequence[float] = BANDS,
    labels: Sequence[str] = LABELS,
    measures: Sequence[str] | None = None,
    year: str | int | None = None,
) -> pd.DataFrame:
    """Scores on a 1-99 benchmark scale and their bands.

    ``benchmark = center + points_per_sd * (score - mean) / sd``, limited to 1..99, with the
    ``mean`` and ``sd`` of the measure in the norms; the band is set by ``z = (score - mean) /
    sd`` and the cut points ``bands`` (a ``z`` equal to a cut point falls in the upper band).

    Parameters
    ----------
    scores : DataFrame or Series
        One column per measure (a Series is one measure, named by its name), at the level
        the norms describe (respondents, or school means). ``respondent_id``, ``school_id``
        and non-numeric columns are carried over as identifiers. A table with the columns
        ``scale`` and ``mean``, such as :func:`colead.aggregate` returns, is read as one row
        per group and scale (suppressed groups keep missing values).
    norms : str, path, Norms or DataFrame
        See :func:`load_norms`.
    points_per_sd : float, default 20
    center : float, default 50
    bands : sequence of float, default (-1.5, -0.5, 0.5, 1.5)
        Increasing cut points on the z scale.
    labels : sequence of str, default ("very weak", "weak", "neutral", "strong", "very strong")
        One more label than cut points.
    measures : sequence of str, optional
        The measures to benchmark; default: every column with a mean and sd in the norms.
    year : str or int, optional
        The norms' year to use; default: the latest year each measure has.

    Returns
    -------
    DataFrame
        Long: the identifier columns, then ``measure, score, z, benchmark, band`` (ordered
        categorical), ``norm_mean, norm_sd, norm_year, norm_source``. Missing scores give
        missing values.

    Notes
    -----
    The 1-99 scale with 20 points per sd and cuts at +-0.5 and +-1.5 sd are the conventions
    of the UChicago 5Essentials reports (Bryk et al. 2010; "How scores are calculated").
    Compute functions never round: round ``benchmark`` for display.

    Examples
    --------
    >>> import pandas as pd, colead as cl
    >>> norms = pd.DataFrame({"measure": ["trust"], "mean": [4.0], "sd": [0.5],
    ...                       "year": ["2024"], "source": ["district"]})
    >>> cl.benchmark(pd.DataFrame({"trust": [3.0, 4.0, 4.6]}), norms)[["benchmark", "band"]]
       benchmark       band
    0       10.0  very weak
    1       50.0    neutral
    2       74.0     strong
    """
    table = load_norms(norms).table
    points = check_number(points_per_sd, "points_per_sd", "benchmark", low=0, low_open=True)
    mid = check_number(center, "center", "benchmark")
    cuts = np.asarray([check_number(b, "bands", "benchmark") for b in bands], dtype=float)
    if np.any(np.diff(cuts) <= 0) or len(labels) != len(cuts) + 1:
        raise InvalidParameterError(
            "The 'bands' of benchmark must increase, with one more label than cut points; "
            f"got bands {tuple(bands)!r} and {len(labels)} labels.")
    frame = scores.to_frame() if isinstance(scores, pd.Series) else scores
    if not isinstance(frame, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'scores' parameter of benchmark must be a DataFrame or Series; got "
            f"{type(scores).__name__}.")
    long = {"scale", "mean"} <= set(frame.columns)  # cl.aggregate's table
    if long:
        ids = [c for c in frame.columns
               if c in (*_ID_COLUMNS, "suppressed")
               or (c != "scale" and not pd.api.types.is_numeric_dtype(frame[c]))]
        available = list(dict.fromkeys(frame["scale"]))
    else:
        ids = [c for c in frame.columns
               if c in _ID_COLUMNS or not pd.api.types.is_numeric_dtype(frame[c])]
        available = [c for c in frame.columns if c not in ids]
    usable = table[table["mean"].notna()]
    if year is not None:
        usable = usable[usable["year"] == str(year)]
    if measures is None:
        chosen = [c for c in available if c in set(usable["measure"])]
        if not chosen:
            percent_only = sorted(set(available) & set(table["measure"])
                                  - set(usable["measure"]))
            hint = (f" ({', '.join(percent_only)}: percentages, not a mean and sd; compare "
                    "shares instead)" if percent_only else "")
            raise InvalidParameterError(
                "benchmark: no measure of the scores has a mean and sd in the norms"
                + (f" for year {year}" if year is not None else "") + hint
                + f"; the norms cover: {', '.join(sorted(set(usable['measure']))) or 'nothing'}.")
    else:
        chosen = list(measures)
        lacking = [m for m in chosen if m not in available or m not in set(usable["measure"])]
        if lacking:
            raise InvalidParameterError(
                f"benchmark: no scores or no norms (mean and sd"
                f"{f', year {year}' if year is not None else ''}) for: {', '.join(lacking)}.")
    latest = usable.sort_values("year").groupby("measure", sort=False).tail(1)
    latest = latest.set_index("measure")
    parts = []
    for measure in chosen:
        row = latest.loc[measure]
        rows = frame[frame["scale"] == measure] if long else frame
        values = pd.to_numeric(rows["mean" if long else measure], errors="coerce")
        values = values.to_numpy(dtype=float)
        z = (values - row["mean"]) / row["sd"]
        score = np.clip(mid + points * z, 1, 99)
        band_index = np.searchsorted(cuts, z, side="right")
        band = pd.Categorical.from_codes(np.where(np.isnan(z), -1, band_index),
                                         categories=list(labels), ordered=True)
        part = rows[ids].reset_index(drop=True).assign(
            measure=measure, score=values, z=z, benchmark=np.where(np.isnan(z), np.nan, score),
            band=band, norm_mean=row["mean"], norm_sd=row["sd"], norm_year=row["year"],
            norm_source=row["source"])
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def make_norms(
    data: Any,
    *,
    source: str,
    year: str | int,
    by: str | None = None,
    measures: Sequence[str] | None = None,
    min_n: int = 5,
    title: str = "",
    url: str | None = None,
    population: str | None = None,
) -> Norms:
    """Norms from a district's own scores: the mean and sd of each measure.

    Parameters
    ----------
    data : Responses or DataFrame
        Responses are scored first (:func:`colead.score`); a DataFrame holds one column per
        measure (scale scores, Rasch measures, ...).
    source, year : str
        Where the norms come from and the year they describe (written into every row).
    by : str, optional
        A grouping column such as ``"school_id"``: the norms then describe group means
        (the mean and sd over groups of their mean score), for benchmarking school means.
        Only groups with at least ``min_n`` scores count.
    measures : sequence of str, optional
        Default: every numeric column except ``respondent_id``, ``school_id`` and ``by``.
    min_n : int, default 5
        Fewest respondents behind a mean (and, without ``by``, behind the norms).
    title, url, population : str, optional

    Returns
    -------
    Norms
        ``level`` is ``"respondent"``, or the ``by`` column. ``n`` counts respondents (or
        groups).

    Warns
    -----
    ColeadWarning
        For measures left out: fewer than ``min_n`` scores, or fewer than two groups.
    """
    from colead.privacy import check_min_n

    min_n = check_min_n(min_n, "make_norms")
    if not isinstance(source, str) or not source.strip():
        raise InvalidParameterError("The 'source' parameter of make_norms must be a text.")
    if not isinstance(year, str | int) or not str(year).strip():
        raise InvalidParameterError("The 'year' parameter of make_norms must be a text or year.")
    frame = data if isinstance(data, pd.DataFrame) else _scores(data)
    if by is not None and by not in frame.columns:
        raise InvalidParameterError(f"make_norms: no column {by!r} in the scores.")
    skip = {*_ID_COLUMNS, by}
    cols = list(measures) if measures is not None else [
        c for c in frame.columns if c not in skip and pd.api.types.is_numeric_dtype(frame[c])]
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InvalidParameterError(f"make_norms: no columns {', '.join(missing)}.")
    rows, left_out = [], []
    for measure in cols:
        values = pd.to_numeric(frame[measure], errors="coerce")
        if by is None:
            kept = values.dropna()
        else:
            grouped = values.groupby(frame[by]).agg(["count", "mean"])
            kept = grouped.loc[grouped["count"] >= min_n, "mean"]
        if len(kept) < (2 if by is not None else max(min_n, 2)) or not kept.std(ddof=1) > 0:
            left_out.append(measure)
            continue
        rows.append({"measure": measure, "mean": float(kept.mean()),
                     "sd": float(kept.std(ddof=1)), "n": len(kept),
                     "level": by or "respondent", "year": str(year), "source": source,
                     "url": url, "population": population})
    if left_out:
        warnings.warn(f"make_norms: too few scores (or groups of {min_n}), or no spread, for "
                      f"{', '.join(left_out)}; left out.", ColeadWarning, stacklevel=2)
    if not rows:
        raise InsufficientDataError("make_norms: no measure has enough scores for norms.")
    clean = [{k: v for k, v in r.items() if v is not None} for r in rows]
    return Norms(_norms.check_rows(clean, "make_norms", first_row=0), title or source)


def _scores(data: Any) -> pd.DataFrame:
    from colead.io.responses import Responses
    from colead.psychometrics.scoring import score

    if not isinstance(data, Responses):
        raise InvalidParameterError(
            f"The 'data' parameter of make_norms must be Responses or a DataFrame of scores; "
            f"got {type(data).__name__}.")
    return score(data)


def _bundled_folder() -> Path:
    return Path(str(resources.files("colead") / "data" / "norms"))

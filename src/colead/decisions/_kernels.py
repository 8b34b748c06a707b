"""Kernels behind :mod:`colead.decisions.grid` and :func:`colead.influence_relations`:
reading an influence grid out of response data, and the indices of influence matrices.

The answers are held as small integer codes ``C`` of shape (rows, stakeholders, zones): the
index of the answer among the scale's points (ascending), -1 where a cell was not answered,
answered "not applicable" / "don't know", or not asked. At a million respondents a 7 x 7 grid
takes 49 MB this way, where float64 values take 392 MB; group statistics come from per-group
histograms of the codes. The index kernel works on float values ``V`` (NaN for missing), a
block of rows at a time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.instrument import InfluenceGrid, Instrument, ResponseScale
from colead.privacy import quote_cell

#: Rows of float values made at a time for the per-respondent indices.
INDEX_BLOCK_ROWS = 65536


@dataclass(frozen=True)
class GridData:
    """The influence answers of a data set as codes, with the grid they belong to."""

    codes: np.ndarray  # (n, S, Z) int8: index into points, -1 where missing or not asked
    points: np.ndarray  # (P,) the scale's points, ascending
    asked: np.ndarray  # (S, Z) bool: the grid asks this cell and the data hold its column
    stakeholders: tuple[str, ...]
    zones: tuple[str, ...]
    scale: ResponseScale
    grid: InfluenceGrid

    def cell(self, s: int, z: int) -> np.ndarray:
        """One cell's answers as floats (NaN where missing)."""
        return values_of(self.codes[:, s, z], self.points)


def values_of(codes: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Float values of codes (NaN for -1)."""
    return np.append(points, np.nan)[codes]


def grid_of(inst: Instrument, func: str) -> InfluenceGrid:
    if inst.influence is None:
        raise InvalidParameterError(
            f"{func} needs an instrument with an influence grid; {inst.name!r} has none "
            "(bundled grids: sass-principal-influence, sass-teacher-influence, colead-teacher)."
        )
    return inst.influence


def grid_data(frame: pd.DataFrame, inst: Instrument, func: str) -> GridData:
    """The grid's answers as (n, S, Z) codes into the scale's points.

    Numeric missing codes of the grid's response scale (-99, ...) become missing, never a
    scale point. Every other value must be one of the scale's points: a value that is not is
    a problem (row number as a spreadsheet shows it, header included). A cell whose column
    the data lack counts as not asked; data holding none of the grid's columns are an error.
    """
    grid = grid_of(inst, func)
    rs = inst.response_scales[grid.response_scale]
    s_ids, z_ids = grid.stakeholder_ids, grid.zone_ids
    points = np.unique(np.array(rs.values, dtype=float))
    dtype = np.int8 if len(points) < 127 else np.int16
    codes = np.full((len(frame), len(s_ids), len(z_ids)), -1, dtype=dtype)
    asked = np.zeros((len(s_ids), len(z_ids)), dtype=bool)
    missing = np.array([c for c in rs.missing if not isinstance(c, str)], dtype=float)
    problems: list[dict[str, object]] = []
    present = [cell for cell in grid.cells if cell[2] in frame.columns]
    if not present:
        raise ResponseDataError(
            [
                {
                    "reason": f"the data hold none of the {len(grid.cells)} influence items of "
                    f"{inst.name!r} (for example {grid.cells[0][2]!r})"
                }
            ],
            context=f"the data passed to {func}",
        )
    for s, z, item in present:
        column = frame[item]
        numeric = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        bad_text = np.isnan(numeric) & column.notna().to_numpy()
        x = np.where(np.isin(numeric, missing), np.nan, numeric)
        at = np.minimum(np.searchsorted(points, x), len(points) - 1)
        on_point = points[at] == x  # False for NaN
        bad = bad_text | (~np.isnan(x) & ~on_point)
        for row in np.flatnonzero(bad)[:50]:
            problems.append(
                {
                    "row": int(row) + 2,
                    "column": item,
                    "value": _quoted(column.iloc[row]),
                    "reason": f"not a point of the {rs.id!r} scale "
                    f"({', '.join(f'{v:g}' for v in rs.values)})",
                }
            )
        i, j = s_ids.index(s), z_ids.index(z)
        codes[:, i, j] = np.where(on_point, at, -1)
        asked[i, j] = True
    if problems:
        raise ResponseDataError(problems, context=f"the influence items passed to {func}")
    return GridData(codes, points, asked, s_ids, z_ids, rs, grid)


def histogram(codes: np.ndarray, groups: np.ndarray, n_groups: int, n_points: int) -> np.ndarray:
    """(G, S, Z, P): per group (codes 0..G-1, -1 for none) the answers at each point of each
    cell, one ``bincount`` per cell (no (n, S, Z) copy of anything wider than the codes)."""
    _, s, z = codes.shape
    out = np.zeros((n_groups, s, z, n_points), dtype=np.int64)
    in_group = groups >= 0
    for i in range(s):
        for j in range(z):
            cell = codes[:, i, j]
            ok = in_group & (cell >= 0)
            at = groups[ok].astype(np.int64) * n_points + cell[ok]
            out[:, i, j, :] = np.bincount(at, minlength=n_groups * n_points).reshape(
                n_groups, n_points
            )
    return out


def histogram_stats(hist: np.ndarray, points: np.ndarray, top: float) -> dict[str, np.ndarray]:
    """n, mean, sd (n - 1), median and the percentage at ``top`` from histograms (..., P):
    what pandas' count, mean, std, median and the mean of (value == top) x 100 give on the
    answers themselves (sd by the two-pass formula over the points)."""
    n = hist.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (hist * points).sum(axis=-1) / n
        squares = (hist * (points - mean[..., None]) ** 2).sum(axis=-1)
        sd = np.where(n >= 2, np.sqrt(squares / (n - 1)), np.nan)
        at_top = hist[..., points == top].sum(axis=-1) if (points == top).any() else 0 * n
        pct = np.where(n > 0, (100.0 * at_top) / n, np.nan)
    cumulative = hist.cumsum(axis=-1)
    low = _at_rank(cumulative, (n - 1) // 2, points)
    high = _at_rank(cumulative, n // 2, points)
    median = np.where(n > 0, (low + high) / 2, np.nan)
    return {"n": n, "mean": np.where(n > 0, mean, np.nan), "sd": sd, "median": median,
            "pct_major": pct}  # fmt: skip


def _at_rank(cumulative: np.ndarray, rank: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The value of the answer at 0-based ``rank`` (the first point whose count passes it)."""
    index = (cumulative <= rank[..., None]).sum(axis=-1)
    return points[np.minimum(index, len(points) - 1)]


def default_breadth_point(rs: ResponseScale) -> float:
    """The lowest point counting as "at least moderate" influence: the point labelled
    moderate when there is one, else the upper half of the scale, min + ceil((max - min)/2)
    (3 on 1-4 and on 1-5)."""
    for value, label in rs.labels:
        if "moderate" in label.casefold():
            return float(value)
    low, high = float(rs.min), float(rs.max)  # type: ignore[arg-type]  # grid scales are ordinal
    return low + math.ceil((high - low) / 2)


def indices(
    v: np.ndarray,
    *,
    floor: float,
    breadth_at: float,
    asked: np.ndarray,
    principal: int | None,
    teachers: int | None,
) -> dict[str, np.ndarray]:
    """Indices of influence matrices, each of shape (rows, zones).

    ``floor`` is the scale's lowest point ("no influence"); amounts ``a = v - floor`` put it
    at 0, so that shares, the coefficient of variation and the Gini coefficient are ratios of
    influence above none. ``asked`` (S, Z) says which cells exist, for the complete sum.
    """
    rated = ~np.isnan(v)
    k = rated.sum(axis=1).astype(float)  # (m, Z)
    filled = np.where(rated, v, 0.0)
    a = np.where(rated, v - floor, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = filled.sum(axis=1) / k
        total_a = a.sum(axis=1)
        mean_a = total_a / k
        dev = np.where(rated, v - mean[:, None, :], 0.0)
        sd = np.sqrt((dev**2).sum(axis=1) / (k - 1))
        sd = np.where(k >= 2, sd, np.nan)
        cv = np.where(mean_a > 0, sd / mean_a, np.nan)
        diffs = np.abs(a[:, :, None, :] - a[:, None, :, :])
        both = rated[:, :, None, :] & rated[:, None, :, :]
        gini = np.where(both, diffs, 0.0).sum(axis=(1, 2)) / (2 * k**2 * mean_a)
        gini = np.where((k >= 1) & (mean_a > 0), gini, np.nan)
        share = np.where(rated & (total_a[:, None, :] > 0), a / total_a[:, None, :], np.nan)
    n_asked = asked.sum(axis=0)[None, :]
    out = {
        "n_rated": k,
        "principal": v[:, principal, :] if principal is not None else _nan_like(k),
        "total_sum": np.where(k == n_asked, filled.sum(axis=1), np.nan),
        "total_mean": np.where(k > 0, mean, np.nan),
        "teacher_principal_gap": (
            v[:, teachers, :] - v[:, principal, :]
            if principal is not None and teachers is not None
            else _nan_like(k)
        ),
        "sd": sd,
        "cv": cv,
        "gini": gini,
        "breadth": np.where(k > 0, (np.where(rated, v, -np.inf) >= breadth_at).sum(axis=1), np.nan),
    }
    for i in range(v.shape[1]):
        out[f"share_{i}"] = share[:, i, :]
    return out


def _nan_like(k: np.ndarray) -> np.ndarray:
    return np.full(k.shape, np.nan)


def _quoted(value: object) -> object:
    """A cell for a message: numbers as they are, text as quote_cell allows (masked, short)."""
    return quote_cell(value) if isinstance(value, str) else value

"""Kernels behind :mod:`colead.decisions.grid` and :func:`colead.influence_relations`:
reading an influence grid out of response data, and the indices of influence matrices.

Everything works on one array ``V`` of shape (rows, stakeholders, zones) with NaN where a cell
was not answered, answered "not applicable" / "don't know", or not asked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.instrument import InfluenceGrid, Instrument, ResponseScale
from colead.privacy import quote_cell


@dataclass(frozen=True)
class GridData:
    """The influence answers of a data set as an array, with the grid they belong to."""

    values: np.ndarray  # (n, S, Z), NaN where missing or not asked
    asked: np.ndarray  # (S, Z) bool: the grid asks this cell and the data hold its column
    stakeholders: tuple[str, ...]
    zones: tuple[str, ...]
    scale: ResponseScale
    grid: InfluenceGrid


def grid_of(inst: Instrument, func: str) -> InfluenceGrid:
    if inst.influence is None:
        raise InvalidParameterError(
            f"{func} needs an instrument with an influence grid; {inst.name!r} has none "
            "(bundled grids: sass-principal-influence, sass-teacher-influence, colead-teacher)."
        )
    return inst.influence


def grid_data(frame: pd.DataFrame, inst: Instrument, func: str) -> GridData:
    """The grid's answers as an (n, S, Z) float array.

    Numeric missing codes of the grid's response scale (-99, ...) become NaN, never a scale
    point. Every other value must be one of the scale's points: a value that is not is a
    problem (row number as a spreadsheet shows it, header included). A cell whose column the
    data lack counts as not asked; data holding none of the grid's columns are an error.
    """
    grid = grid_of(inst, func)
    rs = inst.response_scales[grid.response_scale]
    s_ids, z_ids = grid.stakeholder_ids, grid.zone_ids
    values = np.full((len(frame), len(s_ids), len(z_ids)), np.nan)
    asked = np.zeros((len(s_ids), len(z_ids)), dtype=bool)
    codes = np.array([c for c in rs.missing if not isinstance(c, str)], dtype=float)
    allowed = np.array(rs.values, dtype=float)
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
        x = np.where(np.isin(numeric, codes), np.nan, numeric)
        bad = bad_text | (~np.isnan(x) & ~np.isin(x, allowed))
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
        values[:, i, j] = np.where(bad, np.nan, x)
        asked[i, j] = True
    if problems:
        raise ResponseDataError(problems, context=f"the influence items passed to {func}")
    return GridData(values, asked, s_ids, z_ids, rs, grid)


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


def group_cells(
    v: np.ndarray, codes: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group (integer codes 0..G-1): the count and the sum of answers in every cell, and
    the number of respondents with at least one answer in each zone, from one groupby.
    Shapes (G, S, Z), (G, S, Z), (G, Z)."""
    m, s, z = v.shape
    flat = pd.DataFrame(v.reshape(m, s * z))
    flat[s * z + np.arange(z)] = (~np.isnan(v)).any(axis=1).astype(float)
    grouped = flat.groupby(codes, sort=True)
    count = grouped.count().reindex(range(n_groups), fill_value=0).to_numpy(dtype=float)
    total = grouped.sum().reindex(range(n_groups), fill_value=0).to_numpy(dtype=float)
    return (
        count[:, : s * z].reshape(n_groups, s, z),
        total[:, : s * z].reshape(n_groups, s, z),
        total[:, s * z :],
    )


def _quoted(value: object) -> object:
    """A cell for a message: numbers as they are, text as quote_cell allows (masked, short)."""
    return quote_cell(value) if isinstance(value, str) else value

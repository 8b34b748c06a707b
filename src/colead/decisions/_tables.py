"""Group tables of an influence grid from its codes (behind ``InfluenceResult.matrix`` and
``indices``): answers per group and cell, and the cell statistics from per-group histograms."""

from __future__ import annotations

import numpy as np
import pandas as pd

from colead.decisions import _kernels as kernels

__all__ = ["cell_table", "count_cells", "group_codes"]


def count_cells(
    codes: np.ndarray,
    respondents: pd.DataFrame,
    keys: list[str],
    stakeholders: tuple[str, ...],
    zones: tuple[str, ...],
) -> pd.DataFrame:
    """Answers per cell and group, groups with a missing key included (in order of first
    appearance), one ``bincount`` per cell over the groups' codes."""
    m, s, z = codes.shape
    if keys:
        frame = respondents[keys].reset_index(drop=True)
        grouper = frame.groupby([frame[k] for k in keys], dropna=False, sort=False)
        group = grouper.ngroup().to_numpy()
        index = grouper.size().index
    else:
        group, index = np.zeros(m, dtype=np.int64), pd.RangeIndex(1)
    answered = codes.reshape(m, s * z) >= 0
    counts = np.stack(
        [np.bincount(group[answered[:, c]], minlength=len(index)) for c in range(s * z)],
        axis=1,
    )
    sums = pd.DataFrame(counts, index=index, columns=pd.RangeIndex(s * z, name="_cell"))
    long = sums.stack().rename("n").reset_index()
    cell = long.pop("_cell").to_numpy()
    long["stakeholder"] = pd.Categorical.from_codes(
        cell // z, categories=list(stakeholders), ordered=True)
    long["zone"] = pd.Categorical.from_codes(cell % z, categories=list(zones), ordered=True)
    return long[[*keys, "stakeholder", "zone", "n"]]


def cell_table(
    hist: np.ndarray,
    groups: pd.DataFrame | None,
    asked: np.ndarray,
    points: np.ndarray,
    top: float,
    stakeholders: tuple[str, ...],
    zones: tuple[str, ...],
) -> pd.DataFrame:
    """The ``by`` columns, ``stakeholder, zone, n, mean, sd, median, pct_major`` of every
    asked cell of every group with an answer (``hist``: (G, S, Z, P) per group, or one group
    when ``groups`` is None)."""
    s_at, z_at = np.nonzero(asked)  # the asked cells, stakeholder by stakeholder
    if groups is not None:
        answered = hist.sum(axis=(1, 2, 3)) > 0
        hist, groups = hist[answered], groups[answered].reset_index(drop=True)
    stats = kernels.histogram_stats(hist[:, s_at, z_at, :], points, top)  # (G, cells)
    per_group = len(s_at)
    table = (
        groups.loc[groups.index.repeat(per_group)].reset_index(drop=True)
        if groups is not None
        else pd.DataFrame(index=pd.RangeIndex(per_group))
    )
    repeats = len(table) // per_group if per_group else 0
    table["stakeholder"] = pd.Categorical.from_codes(
        np.tile(s_at, repeats), categories=list(stakeholders), ordered=True)
    table["zone"] = pd.Categorical.from_codes(
        np.tile(z_at, repeats), categories=list(zones), ordered=True)
    table["n"] = stats["n"].reshape(-1).astype(int)
    for name in ("mean", "sd", "median", "pct_major"):
        table[name] = stats[name].reshape(-1).astype(float)
    return table


def group_codes(respondents: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Integer group codes (sorted groups) and the table of groups; rows without a group
    get the code of no group and are left out."""
    frame = respondents[keys]
    groups = frame.dropna().drop_duplicates().sort_values(keys).reset_index(drop=True)
    index = pd.MultiIndex.from_frame(groups)
    codes = index.get_indexer(pd.MultiIndex.from_frame(frame))
    return codes, groups

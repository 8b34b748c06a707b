"""Small-group suppression: no statistic of fewer than ``min_n`` people, and no total whose
hidden remainder would describe fewer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "ITEM_MIN_N",
    "SMALL_GROUP_FLOOR",
    "blank",
    "check_item_min_n",
    "check_min_n",
    "protect",
    "protect_waves",
    "suppress",
]


# -- small-group suppression -----------------------------------------------------------------
# One rule for every table colead publishes (the README's "Privacy" section): a statistic of
# fewer than min_n people is hidden, and the hidden remainder of every total holds at least
# min_n people, or the total is hidden too. "Totals" are the nested levels of a grouping: the
# whole data (respondents without a group included), each value of the first key, each pair of
# the first two keys, and so on. The remainder of a total is everyone in it who is in no shown
# part: the hidden parts and the people whose key is missing. Subtracting the shown parts
# from a total then only ever reveals a statistic of min_n people or more.

#: Smallest min_n allowed without allow_small_groups=True.
SMALL_GROUP_FLOOR = 3
#: Default threshold for item-level detail (answer distributions of single items).
ITEM_MIN_N = 10


def check_min_n(min_n: int, func: str, *, allow_small_groups: bool = False) -> int:
    """``min_n`` must be a whole number of at least 1, and at least 3 unless the caller
    says ``allow_small_groups=True``: means of one or two teachers expose them."""
    from colead._validation import check_int
    from colead.exceptions import InvalidParameterError

    check_int(min_n, "min_n", func, low=1)
    if min_n < SMALL_GROUP_FLOOR and not allow_small_groups:
        raise InvalidParameterError(
            f"The 'min_n' parameter of {func} is {min_n}: groups that small can identify a "
            f"respondent. Use min_n >= {SMALL_GROUP_FLOOR}, or pass allow_small_groups=True."
        )
    return int(min_n)


def check_item_min_n(item_min_n: int, min_n: int, func: str) -> int:
    """The threshold for item-level detail: ``item_min_n`` (a whole number of at least 1),
    never below ``min_n``."""
    from colead._validation import check_int

    return max(check_int(item_min_n, "item_min_n", func, low=1), int(min_n))


def protect(
    counts: pd.DataFrame,
    by: Sequence[str],
    *,
    min_n: int,
    within: Sequence[str] = (),
    n_column: str = "n",
) -> pd.DataFrame:
    """Which groups to hide so that no statistic of fewer than ``min_n`` people can be
    recovered from a total and its shown parts.

    Parameters
    ----------
    counts : DataFrame
        The people behind each statistic: the ``within`` and ``by`` columns and ``n_column``,
        one row per combination, at the finest level of ``by``. A missing key (NaN) marks
        people who count in the totals above it but in no group at its level (respondents
        without a school, teachers without a role).
    by : sequence of str
        The grouping keys, coarsest first (``["school_id", "role"]``).
    min_n : int
    within : sequence of str
        Columns that separate independent statistics (``scale``; ``stakeholder, zone``):
        the rule is applied within each of their combinations.

    Returns
    -------
    DataFrame
        The groups of the finest level (every key present): ``within``, ``by``, ``n`` and
        ``hidden``. With no ``by``, one row per ``within`` combination (the totals).

    Notes
    -----
    Level by level, from the whole data down: a total of fewer than ``min_n`` people is
    hidden, and so is every part of a hidden total. A part of fewer than ``min_n`` is hidden.
    Then, in every shown total whose hidden parts H or whose remainder H + U (U: people in
    the total but in no part) holds between 1 and ``min_n - 1`` people, the smallest shown
    part is hidden too (complementary suppression). A shown part holds at least ``min_n``
    people, so one such part always closes the gap.
    """
    by, within = list(by), ["_total", *within]
    frame = counts.assign(_total=0)[[*within, *by]].copy()
    frame["_n"] = pd.to_numeric(counts[n_column], errors="coerce").fillna(0).to_numpy(float)
    level = frame.groupby(within, dropna=False, sort=False, observed=True)["_n"].sum()
    table = level.rename("n").reset_index()
    table["hidden"] = table["n"] < min_n
    for depth in range(1, len(by) + 1):
        keys = [*within, *by[:depth]]
        parent_keys = keys[:-1]
        present = frame[by[:depth]].notna().all(axis=1)
        parts = (
            frame[present].groupby(keys, dropna=False, sort=True, observed=True)["_n"].sum()
            .rename("n").reset_index()
        )
        parents = table.rename(columns={"n": "_parent_n", "hidden": "_parent_hidden"})
        parts = parts.merge(parents, on=parent_keys, how="left", sort=False)
        hidden = (parts["n"] < min_n) | parts["_parent_hidden"].fillna(True).astype(bool)
        group = parts.groupby(parent_keys, dropna=False, sort=False, observed=True)
        held = parts["n"].where(hidden, 0.0).groupby(group.ngroup()).transform("sum")
        outside = parts["_parent_n"] - group["n"].transform("sum")
        both = held + outside
        gap = ((held > 0) & (held < min_n)) | ((both > 0) & (both < min_n))
        gap &= ~parts["_parent_hidden"].fillna(True).astype(bool)
        candidates = parts[gap & ~hidden]
        if len(candidates):
            smallest = candidates.groupby(
                group.ngroup()[candidates.index], sort=False
            )["n"].idxmin()
            hidden.loc[smallest.to_numpy()] = True
        table = parts[[*keys, "n"]].assign(hidden=hidden.to_numpy())
    return table.drop(columns="_total").reset_index(drop=True)


def blank(table: pd.DataFrame, hidden: np.ndarray, keep: Iterable[str]) -> pd.DataFrame:
    """Every column but ``keep`` missing in the ``hidden`` rows, and ``suppressed`` set.

    Flags become nullable booleans and counts floats, so that a hidden row says nothing.
    """
    out = table.copy()
    hidden = np.asarray(hidden, dtype=bool)
    keep = set(keep)
    for column in (c for c in out.columns if c not in keep and c != "suppressed"):
        kind = out[column].dtype.kind
        if kind == "b":
            out[column] = out[column].astype("boolean")
            out.loc[hidden, column] = pd.NA
        else:
            if kind in "iu":
                out[column] = out[column].astype(float)
            out.loc[hidden, column] = np.nan
    out["suppressed"] = hidden
    return out


def suppress(
    table: pd.DataFrame,
    *,
    min_n: int,
    n_column: str = "n",
    by: Sequence[str] = (),
    within: Sequence[str] = (),
    counts: pd.DataFrame | None = None,
    keep: Sequence[str] = (),
    cell: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Blank every statistic of the rows that :func:`protect` hides.

    Rows stay (so the reader sees that a group exists) with ``suppressed = True`` and every
    column other than the identifying ones (``by``, ``within``, ``keep``) missing, ``n``
    included.

    Parameters
    ----------
    table : DataFrame
        One row per group (and ``within`` combination), with the people behind each row in
        ``n_column``.
    by, within : sequence of str
        As in :func:`protect`. With ``by``, the rows are parts of the totals above them
        (the whole data, each value of the first key, ...) and get complementary
        suppression; without, each row stands alone and is hidden under ``min_n``.
    counts : DataFrame, optional
        The people per group including those with a missing key (see :func:`protect`);
        by default the table's own ``n``, which assumes everyone is in a row.
    keep : sequence of str
        Further identifying columns (labels) that stay.
    cell : sequence of str, optional
        Identifying columns of rows that stand alone (same as ``within`` without ``by``).
    """
    by = list(by)
    within = list(cell) if cell is not None and not within and not by else list(within)
    source = table if counts is None else counts
    if by or within:
        found = protect(source, by, min_n=min_n, within=within, n_column=n_column)
        keys = [*within, *by]
        index = pd.MultiIndex.from_frame(found[keys].astype(object))
        position = index.get_indexer(pd.MultiIndex.from_frame(table[keys].astype(object)))
        hidden = np.where(position >= 0, found["hidden"].to_numpy()[position], True)
    else:
        hidden = pd.to_numeric(table[n_column], errors="coerce").fillna(0).to_numpy() < min_n
    return blank(table, hidden, [*by, *within, *keep])


def protect_waves(
    counts: Sequence[pd.DataFrame],
    by: str,
    *,
    min_n: int,
    within: Sequence[str] = (),
    n_column: str = "n",
) -> pd.DataFrame:
    """Which groups to hide in a table that shows several waves of the same groups side by
    side (a change or a trend): a group is hidden in every wave or in none.

    Parameters
    ----------
    counts : sequence of DataFrame
        Per wave, the people behind each statistic as :func:`protect` takes them (the
        ``within`` columns, ``by`` and ``n_column``; a missing ``by`` marks people in the
        wave's total but in no group).
    by : str
        The grouping key.

    Returns
    -------
    DataFrame
        ``within``, ``by`` and ``hidden``: one row per group found in any wave.

    Notes
    -----
    A group starts hidden where :func:`protect` hides it in any single wave (so that the
    table shows no group that a wave's own table hides, and the two cannot be played against
    each other) or where a wave has none of its people. Its people then count, in every
    wave, in the hidden remainder of the total, and :func:`protect` runs again on each wave
    with them there, hiding the smallest shown group wherever a remainder would hold 1 to
    ``min_n - 1`` people; until no wave hides more. Each wave's total minus the groups shown
    then leaves at least ``min_n`` people, or none.
    """
    keys = [*within, by]
    waves = [c[[*keys, n_column]] for c in counts]
    # Integer codes for the groups of every wave (protect on small integers is fast).
    stacked = pd.concat([w[keys] for w in waves], ignore_index=True)
    present = stacked[by].notna().to_numpy()
    cell = np.full(len(stacked), -1, dtype=np.intp)
    cell[present] = (stacked[present].astype(object).groupby(keys, sort=False, observed=True)
                     .ngroup().to_numpy())
    groups = (stacked[present].assign(_cell=cell[present]).drop_duplicates("_cell")
              .sort_values("_cell")[keys].reset_index(drop=True))
    n_cells = len(groups)
    part = np.full(len(stacked), -1, dtype=np.intp)  # the within combination of every row
    if within:
        part = stacked[within].astype(object).groupby(within, sort=False, dropna=False,
                                                      observed=True).ngroup().to_numpy()
    else:
        part[:] = 0
    cell_part = np.zeros(n_cells, dtype=np.intp)
    cell_part[cell[present]] = part[present]
    coded, start = [], 0
    for wave in waves:
        stop = start + len(wave)
        n = pd.to_numeric(wave[n_column], errors="coerce").fillna(0).to_numpy(float)
        coded.append((cell[start:stop], part[start:stop], n))
        start = stop
    hidden = np.zeros(n_cells, dtype=bool)
    for cells, _, n in coded:  # a group with nobody (or no row) in a wave shows no change
        people = np.bincount(cells[cells >= 0], weights=n[cells >= 0], minlength=n_cells)
        hidden |= people <= 0
    forced = np.zeros(n_cells, dtype=bool)
    while True:
        for cells, parts, n in coded:
            group = np.where((cells >= 0) & ~forced[np.maximum(cells, 0)], cells, -1)
            frame = pd.DataFrame({"_part": parts, "_cell": np.where(group >= 0, group, np.nan),
                                  "_n": n})
            found = protect(frame, ["_cell"], min_n=min_n, within=["_part"], n_column="_n")
            shown = found["_cell"].to_numpy(dtype=np.intp)
            hidden[shown[found["hidden"].to_numpy(dtype=bool)]] = True
        if (forced == hidden).all():
            break
        forced = hidden.copy()  # their people join the remainder of every wave
    return groups.assign(hidden=hidden)

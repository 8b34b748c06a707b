"""From teachers to schools: group tables of scale scores and a table of agreement per scale.

Every table goes through :func:`colead.privacy.suppress`: a group resting on fewer than
``min_n`` respondents stays as a row, with every statistic missing and ``suppressed = True``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from colead._validation import check_number
from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.io.responses import ID_COLUMNS, Responses
from colead.privacy import check_min_n, suppress
from colead.psychometrics.scoring import _frame_and_instrument, _scales, score
from colead.schools.rwg import ad, icc, rwg_j

if TYPE_CHECKING:
    import os

    from colead.instrument import Instrument

__all__ = ["aggregate", "agreement", "distribution"]

#: Conventional cut-offs (James, Demaree & Wolf 1984; Bliese 2000), repeated in the
#: aggregation literature; colead flags below them, it does not decide for the reader.
RWG_CUTOFF = 0.70
RELIABILITY_CUTOFF = 0.70

AGGREGATE_COLUMNS = [
    "scale",
    "n",
    "response_rate",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "ci_level",
    "rwg_j",
    "mean_reliability",
    "low_agreement",
    "unreliable",
    "suppressed",
]


def aggregate(
    data: Responses | pd.DataFrame,
    by: str | list[str] = "school_id",
    *,
    min_n: int = 5,
    roster: pd.DataFrame | Mapping[str, int] | None = None,
    ci: float = 0.95,
    scales: Iterable[str] | None = None,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Group means of scale scores, with agreement and reliability flags, suppressed under
    ``min_n``.

    Parameters
    ----------
    data : Responses or DataFrame
        Responses (scores are computed, and rwg(j) from the items), or a table of scores as
        :func:`colead.score` returns it (then rwg(j) is not available and stays missing).
    by : str or list of str, default "school_id"
        Grouping column(s). With several (``["school_id", "role"]``) the table is a breakdown
        and gets complementary suppression within each school.
    min_n : int, default 5
        Groups with fewer respondents (per scale: who have a score) are suppressed. Below 3
        only with ``allow_small_groups=True``.
    roster : DataFrame or mapping, optional
        Group sizes (staff invited) for response rates: a mapping group -> size, or a frame
        with the ``by`` column(s) and a column ``size`` (or ``n_teachers``).
    ci : float, default 0.95
        Level of the t interval of each mean.
    scales : iterable of str, optional
        Default: every scale (Responses) or every numeric score column (DataFrame).

    Returns
    -------
    DataFrame
        One row per group and scale: the ``by`` columns, ``scale, n, response_rate, mean, sd,
        ci_low, ci_high, ci_level, rwg_j, mean_reliability, low_agreement, unreliable,
        suppressed``. ``mean_reliability`` is the reliability of this group's mean,
        ICC(2) for its own size, n ICC(1) / (1 + (n - 1) ICC(1)) with ICC(1) of the scale from
        all groups; ``unreliable`` flags values under .70 and ``low_agreement`` rwg(j) under .70.
    """
    min_n = check_min_n(min_n, "aggregate", allow_small_groups=allow_small_groups)
    check_number(ci, "ci", "aggregate", low=0, high=1, low_open=True, high_open=True)
    keys = [by] if isinstance(by, str) else list(by)
    scores, agreement_by_scale = _scores_and_agreement(data, keys, scales)
    missing = [k for k in keys if k not in scores.columns]
    if missing:
        raise InvalidParameterError(
            f"The 'by' parameter of aggregate names {missing}, which the data do not have."
        )
    scale_ids = [
        c
        for c in scores.columns
        if c not in keys and c not in ID_COLUMNS and scores[c].dtype.kind in "biuf"
    ]
    # Group ids as categories: every groupby below then works on small integer codes.
    scores = scores.assign(**{k: scores[k].astype("category") for k in keys})
    sizes = _roster_sizes(roster, keys)
    out = _group_table(scores, keys, scale_ids, ci)
    icc1 = out["scale"].map(_icc1(scores, keys[0], scale_ids))
    out["mean_reliability"] = out["n"] * icc1 / (1 + (out["n"] - 1) * icc1)
    out["rwg_j"] = np.nan
    if len(keys) == 1:
        for scale, rwg in agreement_by_scale.items():
            rows = out["scale"] == scale
            out.loc[rows, "rwg_j"] = out.loc[rows, keys[0]].map(rwg).astype(float)
    out["response_rate"] = (out["n"] / _lookup(out, keys, sizes)) if sizes is not None else np.nan
    out["low_agreement"] = out["rwg_j"] < RWG_CUTOFF
    out["unreliable"] = out["mean_reliability"] < RELIABILITY_CUTOFF
    out = out[[*keys, *AGGREGATE_COLUMNS[:-1]]]
    parent = [keys[0], "scale"] if len(keys) > 1 else None
    return suppress(out, min_n=min_n, parent=parent, cell=keys[1:] if parent else [*keys, "scale"])


def _scores_and_agreement(
    data: Responses | pd.DataFrame, keys: list[str], scales: Iterable[str] | None
) -> tuple[pd.DataFrame, dict[str, dict[Any, float]]]:
    if not isinstance(data, Responses):
        frame = data.copy()
        if scales is not None:
            chosen = [scales] if isinstance(scales, str) else list(scales)
            frame = frame[[c for c in frame.columns if c in keys or c in ID_COLUMNS or c in chosen]]
        return frame, {}
    scores = score(data, scales=scales)
    extra = [k for k in keys if k not in scores.columns and k in data.data.columns]
    scores = scores.join(data.data[extra]) if extra else scores
    inst = data.instrument
    per_scale = {}
    groups = data.data[keys[0]].astype("category") if keys[0] in data.data.columns else None
    for scale in _scales(inst, scales, "aggregate"):
        points = inst.response_scale_of(scale.items[0]).n_points
        if not points or groups is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            table = rwg_j(data.data[list(scale.items)], groups, scale_points=points)
        per_scale[scale.id] = dict(zip(table.iloc[:, 0], table["rwg_j"], strict=True))
    return scores, per_scale


def _group_table(scores: pd.DataFrame, keys: list[str], scale_ids: list[str],
                 ci: float) -> pd.DataFrame:
    """n, mean, sd and the t interval of every scale in every group, from one groupby."""
    grouped = scores.groupby(keys, dropna=True, observed=True)[scale_ids]
    parts = {"n": grouped.count(), "mean": grouped.mean(), "sd": grouped.std()}
    table = pd.concat({name: part.stack() for name, part in parts.items()}, axis=1)
    table.index = table.index.set_names([*keys, "scale"])
    table = table.reset_index()
    se = table["sd"] / np.sqrt(table["n"])
    t = stats.t.ppf(1 - (1 - ci) / 2, np.maximum(table["n"] - 1, 1))
    table["ci_low"], table["ci_high"] = table["mean"] - t * se, table["mean"] + t * se
    table.loc[table["n"] < 2, ["ci_low", "ci_high"]] = np.nan
    table["ci_level"] = ci
    return table


def _icc1(scores: pd.DataFrame, group: str, scale_ids: list[str]) -> pd.Series:
    """ICC(1) of every scale from a one-way ANOVA over ``group`` (as multilevel::ICC1: rows
    without a score dropped, k = N / G), computed from the group counts, means and variances."""
    grouped = scores.groupby(group, observed=True)[scale_ids]
    count, mean, var = grouped.count(), grouped.mean(), grouped.var()
    n, g = count.sum(), (count > 0).sum()
    grand = (mean * count).sum() / n
    msb = (count * (mean - grand) ** 2).sum() / (g - 1)
    msw = ((count - 1) * var.fillna(0)).sum() / (n - g)
    icc1 = (msb - msw) / (msb + (n / g - 1) * msw)
    return icc1.where((g >= 2) & (n > g))


def _roster_sizes(roster: Any, keys: list[str]) -> pd.Series | None:
    if roster is None:
        return None
    if isinstance(roster, Mapping):
        return pd.Series(roster, dtype=float)
    column = next((c for c in ("size", "n_teachers", "n_invited") if c in roster.columns), None)
    if column is None or any(k not in roster.columns for k in keys):
        raise InvalidParameterError(
            "The 'roster' of aggregate needs the 'by' column(s) and a "
            "'size' (or 'n_teachers') column."
        )
    return roster.set_index(keys)[column].astype(float)


def _lookup(table: pd.DataFrame, keys: list[str], sizes: pd.Series) -> np.ndarray:
    index = pd.MultiIndex.from_frame(table[keys]) if len(keys) > 1 else pd.Index(table[keys[0]])
    return sizes.reindex(index).to_numpy()


def agreement(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    by: str = "school_id",
    *,
    min_n: int = 5,
    scales: Iterable[str] | None = None,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Agreement and reliability of group means, one row per scale.

    Returns
    -------
    DataFrame
        ``scale, icc1, icc2, rwg_j_mean, rwg_j_median, share_rwg_j_70, ad_mean, n_groups,
        n_suppressed``. ICC(1) and ICC(2) come from a one-way ANOVA of the scale scores over
        all groups (multilevel's ``ICC1``/``ICC2``); rwg(j) (uniform null for the scale's
        number of points) and AD are summarised over the groups with at least ``min_n``
        respondents, so no small group's value enters the table.
    """
    min_n = check_min_n(min_n, "agreement", allow_small_groups=allow_small_groups)
    frame, inst = _frame_and_instrument(data, instrument, "agreement")
    if by not in frame.columns:
        raise InvalidParameterError(
            f"The 'by' parameter of agreement names {by!r}, which the data do not have."
        )
    scores = score(frame, inst, scales=scales)
    groups = frame[by].astype("category")
    rows = []
    for scale in _scales(inst, scales, "agreement"):
        items = frame[list(scale.items)]
        points = inst.response_scale_of(scale.items[0]).n_points
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            fit = icc(scores[scale.id], groups)
            sizes = scores.groupby(groups, observed=True)[scale.id].count()
            big = set(sizes[sizes >= min_n].index)
            rwg = rwg_j(items, groups, scale_points=points) if points else None
            dev = ad(items, groups)
        rwg_big = (
            rwg[rwg.iloc[:, 0].isin(big)]["rwg_j"] if rwg is not None else pd.Series(dtype=float)
        )
        ad_big = dev[dev.iloc[:, 0].isin(big)]["ad"]
        rows.append(
            {
                "scale": scale.id,
                "icc1": fit.icc1,
                "icc2": fit.icc2,
                "rwg_j_mean": rwg_big.mean(),
                "rwg_j_median": rwg_big.median(),
                "share_rwg_j_70": (rwg_big >= RWG_CUTOFF).mean() if len(rwg_big) else np.nan,
                "ad_mean": ad_big.mean(),
                "n_groups": len(sizes),
                "n_suppressed": int((sizes < min_n).sum()),
            }
        )
    return pd.DataFrame(rows)


def distribution(
    data: Responses | pd.DataFrame,
    item: str,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    *,
    by: str | None = "school_id",
    min_n: int = 5,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """How the answers to one single-choice item spread over its options, per group.

    For items that are reported as a distribution, never as a mean (a community-of-practice
    stage, a school level). Missing answers are left out.

    Returns
    -------
    DataFrame
        One row per group (or one row with ``by=None``) and option: the ``by`` column,
        ``value``, ``label``, ``count``, ``share`` and ``n`` (answers in the group), with
        groups of fewer than ``min_n`` answers suppressed (counts and shares missing).
    """
    min_n = check_min_n(min_n, "distribution", allow_small_groups=allow_small_groups)
    frame, inst = _frame_and_instrument(data, instrument, "distribution")
    if item not in inst.item_ids or item not in frame.columns:
        raise InvalidParameterError(f"The 'item' parameter of distribution names {item!r}, "
                                    "which is not an item of the instrument in the data.")
    rs = inst.response_scale_of(item)
    if not rs.labels or rs.type == "multiple":
        raise InvalidParameterError(f"distribution needs a single-choice item with labelled "
                                    f"options; {item!r} uses {rs.id!r} ({rs.type}).")
    keys = [by] if by is not None else []
    answers = frame[[*keys, item]].dropna(subset=[item])
    if by is None:
        answers = answers.assign(_all=1)
        keys = ["_all"]
    counts = (answers.groupby([*keys, item], observed=True).size()
              .unstack(item, fill_value=0).reindex(columns=list(rs.values), fill_value=0))
    stacked = cast(pd.Series, counts.stack())
    table = stacked.rename("count").reset_index().rename(columns={item: "value"})
    table["n"] = table.groupby(keys)["count"].transform("sum")
    table["share"] = table["count"] / table["n"]
    table["label"] = table["value"].map(rs.label_map)
    table = table[[*keys, "value", "label", "count", "share", "n"]]
    out = suppress(table, min_n=min_n, cell=[*keys, "value", "label"])
    return out.drop(columns="_all") if by is None else out

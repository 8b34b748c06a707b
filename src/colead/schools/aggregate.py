"""From teachers to schools: group tables of scale scores and a table of agreement per scale.

Every table goes through :func:`colead.privacy.suppress`: a group resting on fewer than
``min_n`` respondents stays as a row, with every statistic missing and ``suppressed = True``,
and so does the next-smallest group wherever the hidden remainder of a total (the district,
a school in a breakdown) would hold fewer than ``min_n`` people. Statistics taken across
groups (ICC(1), the reliability of group means, agreement summaries) use the shown groups
only, so that they reveal nothing about a hidden one.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
import pandas as pd

from colead._validation import check_number, check_option
from colead.exceptions import (
    ColeadWarning,
    InsufficientDataError,
    InvalidParameterError,
)
from colead.io.responses import ID_COLUMNS, Responses
from colead.privacy import check_item_min_n, check_min_n, protect, suppress
from colead.psychometrics.scoring import _frame_and_instrument, _scales, score
from colead.schools._group_moments import (
    AGGREGATE_COLUMNS as AGGREGATE_COLUMNS,  # re-exported: the report reads them here
)
from colead.schools._group_moments import (
    RELIABILITY_CUTOFF as RELIABILITY_CUTOFF,
)
from colead.schools._group_moments import (
    RWG_CUTOFF,
    finish,
    first_key_moments,
    group_parts,
    group_table,
    score_moments,
)
from colead.schools._roster import roster_sizes
from colead.schools.icc import icc
from colead.schools.rwg import scale_agreement

if TYPE_CHECKING:
    import os

    from colead.instrument import Instrument

__all__ = ["aggregate", "agreement", "distribution"]

def aggregate(
    data: Responses | pd.DataFrame,
    by: str | list[str] = "school_id",
    *,
    min_n: int = 5,
    roster: pd.DataFrame | Mapping[str, int] | None = None,
    ci: float = 0.95,
    scales: Iterable[str] | None = None,
    missing: Literal["listwise", "itemwise"] = "listwise",
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
        Grouping column(s). With several (``["school_id", "role"]``) the table is a breakdown:
        its totals are the whole data, each school, and so on down the keys.
    min_n : int, default 5
        Groups with fewer respondents (per scale: who have a score) are suppressed, and so is
        the next-smallest group of a total whose hidden remainder (hidden groups, and
        respondents whose ``by`` value is missing) would hold 1 to ``min_n - 1`` people
        (:func:`colead.privacy.protect`). Below 3 only with ``allow_small_groups=True``.
    roster : DataFrame or mapping, optional
        Group sizes (staff invited) for response rates: a mapping group -> size, or a frame
        with the ``by`` column(s) and a column ``size`` (or ``n_teachers``). A size must be a
        positive number of at least the group's respondents; a group without one gets no rate.
    ci : float, default 0.95
        Level of the t interval of each mean.
    scales : iterable of str, optional
        Default: every scale (Responses) or every numeric score column (DataFrame).
    missing : {'listwise', 'itemwise'}, default 'listwise'
        How rwg(j) treats unanswered items (see :func:`colead.rwg_j`).

    Returns
    -------
    DataFrame
        One row per group and scale: the ``by`` columns, ``scale, n, response_rate, mean, sd,
        ci_low, ci_high, ci_level, rwg_j, rwg_n, mean_reliability, low_agreement, unreliable,
        suppressed``. ``rwg_n`` is the number of answers rwg(j) rests on (the complete rows
        when listwise, else the fewest answers to any item); rwg(j) is left out (missing)
        when it is under ``min_n``. ``mean_reliability`` is the reliability of this group's
        mean, ICC(2) for its own size, n ICC(1) / (1 + (n - 1) ICC(1)) with ICC(1) of the
        scale from the shown groups; ``unreliable`` flags values under .70 and
        ``low_agreement`` rwg(j) under .70.

    Raises
    ------
    InvalidParameterError
        For a bad option, or a ``by`` column the data lack.
    InsufficientDataError
        When the ``by`` column is blank in every row.
    ResponseDataError
        For roster sizes that are not positive numbers, or below a group's respondents.
    """
    min_n = check_min_n(min_n, "aggregate", allow_small_groups=allow_small_groups)
    check_number(ci, "ci", "aggregate", low=0, high=1, low_open=True, high_open=True)
    check_option(missing, "missing", "aggregate", ("listwise", "itemwise"))
    keys = [by] if isinstance(by, str) else list(by)
    if isinstance(data, Responses):
        _check_keys(data.data, keys, "aggregate")
        scores, per_scale = _scores_and_agreement(data, data.instrument, keys, scales, missing,
                                                  "aggregate")
    else:
        scores, per_scale = _score_columns(data, keys, scales), {}
        _check_keys(scores, keys, "aggregate")
    scale_ids = [
        c
        for c in scores.columns
        if c not in keys and c not in ID_COLUMNS and scores[c].dtype.kind in "biuf"
    ]
    sizes = roster_sizes(roster, keys, scores, "aggregate")
    if not scale_ids:  # an instrument without scales (an influence grid only)
        return pd.DataFrame(columns=[*keys, *AGGREGATE_COLUMNS])
    moments = score_moments(scores, keys, scale_ids)
    first = first_key_moments(scores, keys[0], scale_ids)
    return finish(moments, first, per_scale, keys, scale_ids, sizes, min_n, ci)


def _check_keys(frame: pd.DataFrame, keys: list[str], func: str) -> None:
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise InvalidParameterError(
            f"The 'by' parameter of {func} names {missing}, which the data do not have."
        )
    blank = [k for k in keys if frame[k].isna().all()]
    if blank:
        raise InsufficientDataError(
            f"{func} groups by {', '.join(map(repr, blank))}, which is blank in every one of "
            f"the {len(frame)} rows: there is no group to report on."
        )


def _score_columns(
    data: pd.DataFrame, keys: list[str], scales: Iterable[str] | None
) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            "The 'data' parameter of aggregate must be Responses or a DataFrame of scores; got "
            f"{type(data).__name__}."
        )
    if scales is None:
        return data.copy()
    chosen = [scales] if isinstance(scales, str) else list(scales)
    return data[[c for c in data.columns if c in keys or c in ID_COLUMNS or c in chosen]].copy()


def _scores_and_agreement(
    data: Responses | pd.DataFrame,
    inst: Instrument,
    keys: list[str],
    scales: Iterable[str] | None,
    missing: str,
    func: str,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Scores with the ``by`` columns, and per scale the per-group rwg(j), rwg_n and AD of
    the first key (unsuppressed). Responses are scored once (their cached scores)."""
    frame = data.data if isinstance(data, Responses) else data
    scores = score(data, None if isinstance(data, Responses) else inst, scales=scales)
    extra = [k for k in keys if k not in scores.columns and k in frame.columns]
    scores = scores.join(frame[extra]) if extra else scores
    chosen = _scales(inst, scales, func)

    def compute() -> dict[str, pd.DataFrame]:
        groups = frame[keys[0]].astype("category")
        per_scale = {}
        for scale in chosen:
            points = inst.response_scale_of(scale.items[0]).n_points
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColeadWarning)
                per_scale[scale.id] = scale_agreement(
                    frame[list(scale.items)], groups, scale_points=points, missing=missing,
                    func=func,
                )
        return per_scale

    if isinstance(data, Responses):  # once per Responses, grouping and missing rule
        key = ("scale_agreement", keys[0], tuple(s.id for s in chosen), missing)
        return scores, dict(data._cached(key, compute))
    return scores, compute()


def _table(
    scores: pd.DataFrame, keys: list[str], scale_ids: list[str], min_n: int, ci: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The group table (unsuppressed), the people behind every cell including those with a
    missing key (for :func:`colead.privacy.protect`), and which first-key groups are shown
    per scale (``keys[0], scale, hidden``)."""
    moments = score_moments(scores, keys, scale_ids)
    counts = moments["n"].rename_axis(columns="scale").stack().rename("n").reset_index()
    shown = protect(counts, keys[:1], min_n=min_n, within=["scale"])
    return group_table(group_parts(moments, keys, scale_ids), keys, ci), counts, shown


def _shown_scores(
    scores: pd.DataFrame, group: str, scale_ids: list[str], shown: pd.DataFrame
) -> pd.DataFrame:
    """The scores with those of hidden (group, scale) cells and of rows without a group
    missing: what statistics across groups may use."""
    hidden = shown.pivot(index=group, columns="scale", values="hidden")
    hidden = hidden.reindex(columns=scale_ids).astype(float).fillna(1.0)
    rows = hidden.reindex(scores[group].astype(object).to_numpy()).fillna(1.0).to_numpy()
    values = scores[scale_ids].where(rows == 0.0)
    return values.assign(**{group: scores[group].to_numpy()})


def agreement(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    by: str = "school_id",
    *,
    min_n: int = 5,
    scales: Iterable[str] | None = None,
    missing: Literal["listwise", "itemwise"] = "listwise",
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Agreement and reliability of group means, one row per scale.

    Returns
    -------
    DataFrame
        ``scale, icc1, icc2, rwg_j_mean, rwg_j_median, share_rwg_j_70, ad_mean, n_groups,
        n_suppressed``. Only the groups :func:`colead.aggregate` shows enter: ICC(1) and
        ICC(2) come from a one-way ANOVA of their scale scores (multilevel's
        ``ICC1``/``ICC2``; missing with fewer than 2 such groups), rwg(j) (uniform null for
        the scale's number of points) and AD are summarised over those whose rwg(j) rests on
        at least ``min_n`` answers (``missing`` as in :func:`colead.rwg_j`). ``n_groups``
        counts the groups, ``n_suppressed`` those hidden. So no hidden group's value enters
        the table, directly or through a statistic across groups.

    Raises
    ------
    InsufficientDataError
        When the ``by`` column is blank in every row (there are no groups to compare).
    """
    min_n = check_min_n(min_n, "agreement", allow_small_groups=allow_small_groups)
    check_option(missing, "missing", "agreement", ("listwise", "itemwise"))
    frame, inst = _frame_and_instrument(data, instrument, "agreement")
    _check_keys(frame, [by], "agreement")
    source = data if isinstance(data, Responses) and instrument is None else frame
    scores, per_scale = _scores_and_agreement(source, inst, [by], scales, missing, "agreement")
    scale_ids = [sc.id for sc in _scales(inst, scales, "agreement")]
    if not scale_ids:  # an instrument without scales (an influence grid only)
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    _, _, shown = _table(scores, [by], scale_ids, min_n, 0.95)
    values = _shown_scores(scores, by, scale_ids, shown)
    rows = []
    for scale in scale_ids:
        mine = shown[shown["scale"] == scale]
        visible = set(mine.loc[~mine["hidden"], by])
        table = per_scale[scale]
        used = table[table.iloc[:, 0].isin(visible) & (table["rwg_n"] >= min_n)]
        rwg, dev = used["rwg_j"].dropna(), used["ad"].dropna()
        icc1 = icc2 = np.nan
        if len(visible) >= 2:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColeadWarning)
                try:
                    fit = icc(values[scale], values[by])
                    icc1, icc2 = fit.icc1, fit.icc2
                except InsufficientDataError:
                    pass  # every shown group holds one score: no within-group variance
        rows.append(
            {
                "scale": scale,
                "icc1": icc1,
                "icc2": icc2,
                "rwg_j_mean": rwg.mean(),
                "rwg_j_median": rwg.median(),
                "share_rwg_j_70": (rwg >= RWG_CUTOFF).mean() if len(rwg) else np.nan,
                "ad_mean": dev.mean(),
                "n_groups": len(mine),
                "n_suppressed": int(mine["hidden"].sum()),
            }
        )
    return pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)


#: The columns of :func:`agreement`.
AGREEMENT_COLUMNS = ("scale", "icc1", "icc2", "rwg_j_mean", "rwg_j_median", "share_rwg_j_70",
                     "ad_mean", "n_groups", "n_suppressed")


def distribution(
    data: Responses | pd.DataFrame,
    item: str,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    *,
    by: str | None = "school_id",
    min_n: int = 5,
    item_min_n: int = 10,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """How the answers to one single-choice item spread over its options, per group.

    For items that are reported as a distribution, never as a mean (a community-of-practice
    stage, a school level). Missing answers are left out.

    Parameters
    ----------
    min_n : int, default 5
    item_min_n : int, default 10
        The answers a group needs for its distribution to be shown: item-level detail needs
        more answers than a scale mean, as school-survey providers require. Never below
        ``min_n``.

    Returns
    -------
    DataFrame
        One row per group (or one row with ``by=None``) and option: the ``by`` column,
        ``value``, ``label``, ``count``, ``share`` and ``n`` (answers in the group). A group
        of fewer than ``item_min_n`` answers is suppressed (counts and shares missing), and
        so is the next-smallest group where the hidden remainder of all answers (hidden
        groups and answers without a group) would hold fewer than ``item_min_n``.
    """
    min_n = check_min_n(min_n, "distribution", allow_small_groups=allow_small_groups)
    threshold = check_item_min_n(item_min_n, min_n, "distribution")
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
    if by is None:
        people = pd.DataFrame({"_all": [1], "n": [len(answers)]})
    else:  # answers per group, those without a group included: they are in the total
        people = (frame[[by]].assign(n=frame[item].notna().astype(int).to_numpy())
                  .groupby(by, dropna=False, observed=True)["n"].sum().reset_index())
    out = suppress(table, min_n=threshold, by=[] if by is None else [by],
                   within=keys if by is None else [], counts=people, keep=["value", "label"])
    return out.drop(columns="_all") if by is None else out

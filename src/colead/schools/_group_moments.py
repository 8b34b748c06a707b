"""Group tables of scale scores from per-group moments: what :func:`colead.aggregate` and
:func:`colead.aggregate_chunks` share.

The respondents enter only through per-group counts, means and variances of the scores
(:func:`score_moments`, and per group of the first key :func:`first_key_moments`): sums that
add up across chunks of rows. :func:`finish` makes the suppressed table from them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from colead.privacy import protect, suppress
from colead.schools._roster import lookup_sizes

__all__ = ["finish", "first_key_moments", "group_parts", "group_table", "score_moments"]

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
    "rwg_n",
    "mean_reliability",
    "low_agreement",
    "unreliable",
    "suppressed",
]


def score_moments(scores: pd.DataFrame, keys: list[str], scale_ids: list[str]) -> pd.DataFrame:
    """Per group of ``keys`` (groups with a missing key included, in order of first
    appearance): ``rows`` and, per scale, ``n``, ``mean`` and ``var`` of the scores (columns
    ``(statistic, scale)``). What :func:`aggregate` needs from the respondents, and what
    :func:`colead.aggregate_chunks` adds up across chunks."""
    grouped = scores.groupby(keys, dropna=False, observed=True, sort=False)
    parts = {
        "n": grouped[scale_ids].count(),
        "mean": grouped[scale_ids].mean(),
        "var": grouped[scale_ids].var(),
    }
    out = pd.concat(parts, axis=1)
    out[("rows", "")] = grouped.size()
    return out


def first_key_moments(scores: pd.DataFrame, key: str, scale_ids: list[str]) -> pd.DataFrame:
    """``n, mean, var`` per group of the first key (rows without one left out): ICC(1)."""
    grouped = scores.groupby(key, observed=True)[scale_ids]
    return pd.concat({"n": grouped.count(), "mean": grouped.mean(), "var": grouped.var()},
                     axis=1)  # fmt: skip


def finish(
    moments: pd.DataFrame,
    first: pd.DataFrame,
    per_scale: dict[str, pd.DataFrame],
    keys: list[str],
    scale_ids: list[str],
    sizes: pd.Series | None,
    min_n: int,
    ci: float,
) -> pd.DataFrame:
    """The aggregate table from group moments (see :func:`score_moments`), the per-group
    rwg(j) of the first key (``scale -> table``) and the roster sizes."""
    counts = (
        moments["n"].rename_axis(columns="scale").stack().rename("n").reset_index()
    )
    shown = protect(counts, keys[:1], min_n=min_n, within=["scale"])
    out = group_table(group_parts(moments, keys, scale_ids), keys, ci)
    out["rwg_j"], out["rwg_n"] = np.nan, np.nan
    if len(keys) == 1 and per_scale:
        found = pd.concat(
            [table.set_axis([keys[0], *table.columns[1:]], axis=1).assign(scale=scale)
             for scale, table in per_scale.items()], ignore_index=True)
        at = pd.MultiIndex.from_frame(found[[keys[0], "scale"]].astype(object)).get_indexer(
            pd.MultiIndex.from_frame(out[[keys[0], "scale"]].astype(object)))
        for column in ("rwg_j", "rwg_n"):
            values = found[column].to_numpy(dtype=float)
            out[column] = np.where(at >= 0, values[at], np.nan)
    out.loc[out["rwg_n"] < min_n, "rwg_j"] = np.nan  # rests on too few complete answers
    out["response_rate"] = np.nan if sizes is None else out["n"] / lookup_sizes(out, keys, sizes)
    icc1 = out["scale"].map(shown_icc1(first, keys[0], scale_ids, shown))
    out["mean_reliability"] = out["n"] * icc1 / (1 + (out["n"] - 1) * icc1)
    out["low_agreement"] = (out["rwg_j"] < RWG_CUTOFF).astype("boolean")
    out.loc[out["rwg_j"].isna(), "low_agreement"] = pd.NA
    out["unreliable"] = out["mean_reliability"] < RELIABILITY_CUTOFF
    out = out[[*keys, *AGGREGATE_COLUMNS[:-1]]]
    return suppress(out, min_n=min_n, by=keys, within=["scale"], counts=counts)


def group_parts(
    moments: pd.DataFrame, keys: list[str], scale_ids: list[str]
) -> dict[str, pd.DataFrame]:
    """n, mean and sd per group with every key present, indexed as a groupby on the keys as
    categories (sorted) gives them, from the moments (one row per group)."""
    index = moments.index.to_frame(index=False)
    known = index.notna().all(axis=1).to_numpy()
    frame = pd.DataFrame(
        {k: pd.Categorical(index[k], categories=np.sort(index[k].dropna().unique()))
         for k in keys}
    ).loc[known].reset_index(drop=True)  # fmt: skip
    parts = {}
    for name, stat in (("n", "n"), ("mean", "mean"), ("sd", "var")):
        values = moments[stat].loc[known].to_numpy()
        values = np.sqrt(values) if name == "sd" else values
        block = pd.concat([frame, pd.DataFrame(values, columns=scale_ids)], axis=1)
        grouped = block.groupby(keys, observed=True)[scale_ids]
        parts[name] = grouped.sum() if name == "n" else grouped.first()
    return parts


def group_table(parts: dict[str, pd.DataFrame], keys: list[str], ci: float) -> pd.DataFrame:
    """n, mean, sd and the t interval of every scale in every group."""
    table = pd.concat({name: part.stack() for name, part in parts.items()}, axis=1)
    table.index = table.index.set_names([*keys, "scale"])
    table = table.reset_index()
    se = table["sd"] / np.sqrt(table["n"])
    t = stats.t.ppf(1 - (1 - ci) / 2, np.maximum(table["n"] - 1, 1))
    table["ci_low"], table["ci_high"] = table["mean"] - t * se, table["mean"] + t * se
    table.loc[table["n"] < 2, ["ci_low", "ci_high"]] = np.nan
    table["ci_level"] = ci
    return table


def shown_icc1(first: pd.DataFrame, group: str, scale_ids: list[str],
          shown: pd.DataFrame) -> pd.Series:
    """ICC(1) of every scale over the shown groups (a one-way ANOVA, as multilevel::ICC1:
    rows without a score dropped, k = N / G), from the group counts, means and variances
    (``first``: :func:`first_key_moments`)."""
    hidden = shown.pivot(index=group, columns="scale", values="hidden")
    hidden = hidden.reindex(columns=scale_ids).astype(float).fillna(1.0)
    mask = hidden.reindex(first.index.astype(object)).fillna(1.0).to_numpy() == 0.0
    count = first["n"].where(mask, 0)
    mean, var = first["mean"].where(mask), first["var"].where(mask)
    n, g = count.sum(), (count > 0).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        grand = (mean * count).sum() / n
        msb = (count * (mean - grand) ** 2).sum() / (g - 1)
        msw = ((count - 1) * var.fillna(0)).sum() / (n - g)
        icc1 = (msb - msw) / (msb + (n / g - 1) * msw)
    return icc1.where((g >= 2) & (n > g))

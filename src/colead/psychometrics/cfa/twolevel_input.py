"""Input checks of the two-level CFA: the model of each level, the cluster column and the
data (every problem a user can cause raises :class:`InvalidParameterError` or
:class:`InsufficientDataError` naming it)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import InsufficientDataError, InvalidParameterError
from colead.psychometrics.cfa import inputs as _input
from colead.psychometrics.cfa import twolevel_missing as tmiss
from colead.psychometrics.cfa import twolevel_stats as tstats


def split_model(
    model: Any, data: pd.DataFrame
) -> tuple[dict[str, list[str]], dict[str, list[str]], tuple[str, ...]]:
    """The within and between models of ``model`` (one mapping for both levels, or
    ``{"within": {...}, "between": {...}}``), checked against ``data``."""
    if (
        isinstance(model, Mapping)
        and set(model) == {"within", "between"}
        and all(isinstance(v, Mapping) for v in model.values())
    ):
        within = _input.check_model(model["within"], data)
        between = _input.check_model(model["between"], data)
    else:
        within = _input.check_model(model, data)
        between = {f: list(v) for f, v in within.items()}
    items = tuple(i for f in within for i in within[f])
    other = [i for f in between for i in between[f]]
    if set(other) != set(items):
        only_w = [i for i in items if i not in other]
        only_b = [i for i in other if i not in items]
        raise InvalidParameterError(
            "Every item of a two-level model must load on a factor at both levels; "
            f"only within: {only_w}, only between: {only_b}."
        )
    return within, between, items


REASONS = {
    "no_cluster": "no cluster",
    "listwise": "an item unanswered (listwise deletion)",
    "ml": "no item answered",
}


def arrays(
    data: pd.DataFrame, items: tuple[str, ...], cluster: Hashable, missing: str = "listwise"
) -> tuple[np.ndarray, np.ndarray, dict[str, int], pd.DataFrame]:
    """The rows used (complete rows for listwise deletion, rows with an answer for
    ``missing='ml'``, always with a cluster), their cluster numbers, the counts of rows left
    out, and the rows left out (``row``: the data's index label, ``reason``)."""
    if cluster not in data.columns:
        raise InvalidParameterError(f"The cluster column {cluster!r} is not in the data.")
    if cluster in items:
        raise InvalidParameterError(f"The cluster column {cluster!r} is also an item.")
    x = data[list(items)].to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        bad = [items[j] for j in np.flatnonzero(np.isinf(x).any(axis=0))]
        raise InvalidParameterError(f"Infinite values in the items {bad}.")
    no_cluster = data[cluster].isna().to_numpy()
    answered = ~np.isnan(x)
    usable = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    keep = usable & ~no_cluster
    codes = pd.factorize(data[cluster].to_numpy()[keep])[0]
    counts = {
        "n_input": len(x),
        "n_incomplete": int((~usable & ~no_cluster).sum()),
        "n_no_cluster": int(no_cluster.sum()),
    }
    reason = np.where(no_cluster, REASONS["no_cluster"], REASONS[missing])
    dropped = pd.DataFrame(
        {"row": data.index[~keep].to_numpy(dtype=object), "reason": reason[~keep].astype(object)}
    )
    return x[keep], codes, counts, dropped


def check_data(st: tstats.ClusterStats, items: tuple[str, ...], npar: int) -> None:
    p = len(items)
    if st.n_clusters < 2:
        raise InsufficientDataError(
            f"A two-level model needs complete answers from at least 2 clusters; got "
            f"{st.n_clusters}."
        )
    if st.n - st.n_clusters <= p:
        raise InsufficientDataError(
            f"A two-level model of {p} items needs more complete rows than clusters plus "
            f"items: {st.n} rows in {st.n_clusters} clusters."
        )
    diag = np.diag(st.within_cov)
    flat = [items[j] for j in np.flatnonzero(diag <= 1e-12 * max(float(diag.max()), 1e-300))]
    if flat:
        raise InsufficientDataError(
            "The pooled within-cluster covariance matrix is not positive definite: no "
            f"within-cluster variance in {', '.join(flat)}."
        )
    try:
        np.linalg.cholesky(st.within_cov)
    except np.linalg.LinAlgError:
        raise InsufficientDataError(
            "The pooled within-cluster covariance matrix is not positive definite: some items "
            "are linearly dependent within clusters."
        ) from None
    moments = p * (p + 1) + p
    if npar > moments:
        raise InsufficientDataError(
            f"The model is not identified: {npar} free parameters but only {moments} sample "
            "moments at the two levels."
        )


def check_missing_data(
    st: tmiss.MissingClusters, y: np.ndarray, codes: np.ndarray, items: tuple[str, ...],
    npar: int,
) -> None:  # fmt: skip
    """What lavaan refuses (or cannot estimate) with ``missing = "ml"``, as clear errors."""
    p = len(items)
    if st.n_clusters < 2 or st.n_clusters == st.n:
        raise InsufficientDataError(
            "A two-level model needs answers from at least 2 clusters, some with more than one "
            f"respondent; got {st.n} rows in {st.n_clusters} clusters."
        )
    gaps = np.isnan(y)
    spread = np.where(gaps, -np.inf, y).max(0) - np.where(gaps, np.inf, y).min(0)
    flat = [items[j] for j in np.flatnonzero(~(spread > 0))]
    if flat:
        raise InsufficientDataError(
            f"No variance (fewer than 2 different answers) in {', '.join(flat)}."
        )
    answered = (~gaps).astype(float)
    together = answered.T @ answered
    never = [f"{items[a]} & {items[b]}" for a, b in zip(*np.nonzero(np.triu(together == 0)),
                                                         strict=True)]  # fmt: skip
    if never:
        raise InsufficientDataError(
            "Some items are never answered by the same respondent, so their covariance "
            f"cannot be estimated (lavaan stops here too): {', '.join(never)}."
        )
    sums = np.column_stack(
        [np.bincount(codes, weights=np.where(gaps[:, k], 0.0, y[:, k])) for k in range(p)]
    )
    n_k = np.column_stack([np.bincount(codes, weights=answered[:, k]) for k in range(p)])
    dev = np.where(gaps, 0.0, y - (sums / np.maximum(n_k, 1.0))[codes])
    within = (dev**2).sum(axis=0)
    scale = np.nanvar(y, axis=0)
    flat = [items[j] for j in np.flatnonzero(within <= 1e-12 * st.n * scale)]
    if flat:
        raise InsufficientDataError(
            "No within-cluster variance (every answer equals its cluster's other answers) in "
            f"{', '.join(flat)}."
        )
    if st.n - st.n_clusters <= p:
        raise InsufficientDataError(
            f"A two-level model of {p} items needs more rows than clusters plus items: {st.n} "
            f"rows in {st.n_clusters} clusters."
        )
    moments = p * (p + 1) + p
    if npar > moments:
        raise InsufficientDataError(
            f"The model is not identified: {npar} free parameters but only {moments} sample "
            "moments at the two levels."
        )

"""The design of :func:`colead.influence_relations`' models: controls as numbers or dummies,
final and replicate weights, and clusters, each checked against the data.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_option
from colead.decisions.weights import REPLICATE_METHODS, ReplicateDesign, replicate_design
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument

_F = "influence_relations"


class Control:
    """A control: numeric values, or category codes entered as dummies."""

    def __init__(self, name: str, values: np.ndarray, categorical: bool) -> None:
        self.name = name
        self.values = values
        self.categorical = categorical
        self.complete = np.isfinite(values)


def control(frame: pd.DataFrame, inst: Instrument, name: str) -> Control:
    if not isinstance(name, str) or name not in frame.columns:
        raise InvalidParameterError(
            f"The 'controls' of {_F} name {name!r}, which the data do not have."
        )
    column = frame[name]
    rs = inst.response_scale_of(name) if name in inst.item_ids else None
    if rs is not None and rs.type not in ("ordinal", "numeric", "categorical"):
        raise InvalidParameterError(
            f"The control {name!r} of {_F} is a {rs.type} item; use its option columns."
        )
    text = not pd.api.types.is_numeric_dtype(column) or isinstance(
        column.dtype, pd.CategoricalDtype
    )
    if text:
        codes, _ = pd.factorize(column, sort=True)
        values = np.where(codes < 0, np.nan, codes.astype(float))
        return Control(name, values, True)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    if np.any(np.isnan(values) & column.notna().to_numpy()):
        raise InvalidParameterError(f"The control {name!r} of {_F} is not numeric.")
    if rs is not None:
        missing_codes = [c for c in rs.missing if not isinstance(c, str)]
        values = np.where(np.isin(values, missing_codes), np.nan, values)
    return Control(name, values, rs is not None and rs.type == "categorical")


def design_matrix(
    cols: list[np.ndarray], used: list[str], controls: list[Control], complete: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    parts = [np.ones(int(complete.sum()))] + [c[complete] for c in cols]
    terms = ["(Intercept)", *used]
    for block in controls:
        v = block.values[complete]
        if block.categorical:
            levels = np.unique(v)
            for level in levels[1:]:
                parts.append((v == level).astype(float))
                terms.append(f"{block.name}[{level:g}]")
        else:
            parts.append(v)
            terms.append(block.name)
    return np.column_stack(parts), terms


def vector(frame: pd.DataFrame, value: Any, name: str, n: int) -> np.ndarray:
    if isinstance(value, str):
        if value not in frame.columns:
            raise InvalidParameterError(
                f"The {name!r} parameter of {_F} names {value!r}, which the data do not have."
            )
        return frame[value].to_numpy()
    array = np.asarray(value)
    if array.ndim != 1 or len(array) != n:
        raise InvalidParameterError(
            f"The {name!r} parameter of {_F} must be a column name or one value per row "
            f"({n}); got shape {array.shape}."
        )
    return array


def weights(
    frame: pd.DataFrame,
    weights: Any,
    replicate_weights: Any,
    method: str,
    fay: float,
    mse: bool,
    n: int,
) -> tuple[ReplicateDesign | None, np.ndarray | None]:
    check_option(method, "replicate_method", _F, REPLICATE_METHODS)
    if isinstance(replicate_weights, ReplicateDesign):
        if weights is not None:
            raise InvalidParameterError(
                f"{_F} takes the final weights from the ReplicateDesign; do not pass weights."
            )
        if replicate_weights.n != n:
            raise InvalidParameterError(
                f"The ReplicateDesign passed to {_F} has {replicate_weights.n} rows; the data "
                f"have {n}."
            )
        return replicate_weights, replicate_weights.weights
    w = None
    if weights is not None:
        w = np.asarray(vector(frame, weights, "weights", n), dtype=float)
        if not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise InvalidParameterError(
                f"The 'weights' of {_F} must be finite and positive for every row."
            )
    if replicate_weights is None:
        return None, w
    if w is None:
        raise InvalidParameterError(
            f"{_F} needs the final 'weights' with 'replicate_weights' (or a ReplicateDesign)."
        )
    if isinstance(replicate_weights, str):
        raise InvalidParameterError(
            f"The 'replicate_weights' of {_F} must be a list of column names or a matrix; "
            f"got the single name {replicate_weights!r}."
        )
    if isinstance(replicate_weights, Sequence) and all(
        isinstance(c, str) for c in replicate_weights
    ):
        missing = [c for c in replicate_weights if c not in frame.columns]
        if missing:
            raise InvalidParameterError(
                f"The 'replicate_weights' of {_F} name columns the data do not have: {missing}."
            )
        reps = frame[list(replicate_weights)].to_numpy(dtype=float)
    else:
        reps = np.asarray(replicate_weights, dtype=float)
    design = replicate_design(w, reps, method=method, fay=fay, mse=mse)  # type: ignore[arg-type]
    return design, w


def cluster(
    frame: pd.DataFrame, cluster: Any, n: int, design: ReplicateDesign | None
) -> np.ndarray | None:
    if cluster is None:
        return None
    if design is not None:
        raise InvalidParameterError(
            f"{_F} takes either replicate weights or a cluster, not both: replicate weights "
            "already carry the design's clustering."
        )
    values = pd.Series(vector(frame, cluster, "cluster", n))
    if values.isna().any():
        raise InvalidParameterError(f"The 'cluster' of {_F} has missing values.")
    codes, _ = pd.factorize(values)
    return codes


def strata(
    frame: pd.DataFrame, strata: Any, n: int, design: ReplicateDesign | None,
    w: np.ndarray | None,
) -> np.ndarray | None:
    """Stratum codes per row, or None."""
    if strata is None:
        return None
    if design is not None:
        raise InvalidParameterError(
            f"{_F} takes either replicate weights or strata, not both: replicate weights "
            "already carry the design's strata."
        )
    if w is None:
        raise InvalidParameterError(
            f"The 'strata' of {_F} describe a survey design: pass its final 'weights' too "
            "(strata enter the linearised standard errors)."
        )
    values = pd.Series(vector(frame, strata, "strata", n))
    if values.isna().any():
        raise InvalidParameterError(f"The 'strata' of {_F} have missing values.")
    codes, _ = pd.factorize(values)
    return codes


def psus(
    frame: pd.DataFrame, strata_codes: np.ndarray | None, cluster_codes: np.ndarray | None,
    strata: Any, n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's PSU (codes 0..P-1) and each PSU's stratum: the clusters, or every row its
    own PSU. A cluster id met in two strata is two PSUs (``svydesign(nest = TRUE)``). A
    stratum with a single PSU has no variance to estimate (survey's default
    ``survey.lonely.psu = "fail"``): an error naming it."""
    stratum = np.zeros(n, dtype=np.intp) if strata_codes is None else strata_codes
    unit = np.arange(n) if cluster_codes is None else cluster_codes
    pairs = pd.MultiIndex.from_arrays([stratum, unit])
    psu, uniques = pd.factorize(pairs)
    psu_stratum = np.asarray(uniques.get_level_values(0), dtype=np.intp)
    per_stratum = np.bincount(psu_stratum)
    lonely = np.flatnonzero(per_stratum == 1)
    if len(lonely) and strata_codes is not None:
        labels = pd.Series(vector(frame, strata, "strata", n))
        names = sorted({str(labels[np.argmax(stratum == h)]) for h in lonely})
        raise InvalidParameterError(
            f"The 'strata' of {_F} hold a single PSU in stratum {', '.join(names)}: its "
            "variance cannot be estimated (R's survey stops too). Merge it with a similar "
            "stratum."
        )
    return np.asarray(psu, dtype=np.intp), psu_stratum

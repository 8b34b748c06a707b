"""Input checks of :func:`colead.psychometrics.cfa.fit.cfa`: the model, the invariance option
and the data.

Every problem a user can cause raises :class:`InvalidParameterError` or
:class:`InsufficientDataError` with a message that names it.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_option
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics.cfa.model import LEVELS, Spec

_FUNC = "cfa"


def check_model(model: Any, data: pd.DataFrame) -> dict[str, list[str]]:
    if not isinstance(model, Mapping) or not model:
        raise InvalidParameterError(
            f"The 'model' parameter of {_FUNC} must be a non-empty dict mapping each factor "
            f"to its items, such as {{'visual': ['x1', 'x2', 'x3']}}; got {model!r}."
        )
    clean: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for factor, items in model.items():
        if not isinstance(factor, str) or not factor:
            raise InvalidParameterError(f"Factor names must be non-empty strings; got {factor!r}.")
        if isinstance(items, str) or not isinstance(items, Sequence):
            raise InvalidParameterError(
                f"The items of factor {factor!r} must be a list of column names; got {items!r}."
            )
        items = list(items)
        if len(items) < 2:
            raise InsufficientDataError(
                f"Factor {factor!r} has {len(items)} item(s); a factor needs at least 2 "
                "(3 when it is the only factor) to be identified."
            )
        for item in items:
            if item in owner:
                where = (
                    "twice" if owner[item] == factor else f"under {owner[item]!r} and {factor!r}"
                )
                raise InvalidParameterError(
                    f"Item {item!r} appears {where}; cfa fits simple structure (each item loads "
                    "on one factor)."
                )
            owner[item] = factor
        clean[factor] = items
    clash = sorted(set(clean) & set(owner))
    if clash:
        raise InvalidParameterError(f"Factor names must differ from item names: {clash}.")
    absent = [i for i in owner if i not in data.columns]
    if absent:
        raise InvalidParameterError(f"Items not found in the data: {absent}.")
    bad = [
        i
        for i in owner
        if not pd.api.types.is_numeric_dtype(data[i]) or pd.api.types.is_bool_dtype(data[i])
    ]
    if bad:
        raise InvalidParameterError(f"cfa needs numeric item columns; not numeric: {bad}.")
    return clean


def check_invariance(invariance: Any, group: Hashable | None) -> str | tuple[str, ...]:
    levels = LEVELS
    if invariance is None:
        return "configural"
    if group is None:
        raise InvalidParameterError(f"The 'invariance' parameter of {_FUNC} needs 'group'.")
    if isinstance(invariance, str):
        return check_option(invariance, "invariance", _FUNC, levels)
    if not isinstance(invariance, Sequence) or not invariance:
        raise InvalidParameterError(
            f"The 'invariance' parameter of {_FUNC} must be one of {levels} or a sequence of "
            f"them; got {invariance!r}."
        )
    seq = tuple(check_option(v, "invariance", _FUNC, levels) for v in invariance)
    ranks = [levels.index(v) for v in seq]
    if any(b <= a for a, b in itertools.pairwise(ranks)):
        raise InvalidParameterError(
            f"The 'invariance' sequence must go from less to more constrained without repeats "
            f"({' < '.join(levels)}); got {seq}."
        )
    return seq


def data_arrays(
    data: pd.DataFrame, model: dict[str, list[str]], group: Hashable | None, missing: str
) -> tuple[list[np.ndarray], tuple[Hashable, ...] | None, int]:
    items = [i for f in model for i in model[f]]
    x = data[items].to_numpy(dtype=float, na_value=np.nan)
    n_input = len(x)
    if np.isinf(x).any():
        bad = [items[j] for j in np.flatnonzero(np.isinf(x).any(axis=0))]
        raise InvalidParameterError(f"Infinite values in the items {bad}.")
    labels: tuple[Hashable, ...] | None = None
    if group is None:
        codes = np.zeros(n_input, dtype=int)
    else:
        if group not in data.columns:
            raise InvalidParameterError(f"The group column {group!r} is not in the data.")
        if group in items:
            raise InvalidParameterError(f"The group column {group!r} is also an item.")
        col = data[group]
        absent = col.isna().to_numpy()
        if absent.any():
            warnings.warn(
                f"cfa: {int(absent.sum())} rows without a group are left out.",
                ColeadWarning,
                stacklevel=3,
            )
        uniq = pd.unique(col[~absent])
        if len(uniq) < 2:
            raise InsufficientDataError(
                f"The group column {group!r} has {len(uniq)} group(s); "
                "a multi-group model needs at least 2."
            )
        labels = tuple(uniq.tolist())
        codes = np.full(n_input, -1)
        codes[~absent] = pd.Index(uniq).get_indexer(pd.Index(col[~absent]))
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    if missing == "ml" and (~keep & (codes >= 0)).any():
        warnings.warn(
            f"cfa: {int((~keep & (codes >= 0)).sum())} rows without any answer are left out.",
            ColeadWarning,
            stacklevel=3,
        )
    groups = []
    p = len(items)
    for g in range(1 if labels is None else len(labels)):
        block = x[keep & (codes == g)]
        name = "" if labels is None else f" in group {labels[g]!r}"
        rows = "complete rows" if missing == "listwise" else "rows"
        if len(block) <= p:
            raise InsufficientDataError(
                f"cfa needs more {rows} than items{name}: {len(block)} {rows} for {p} items."
            )
        if missing == "ml":
            gaps = np.isnan(block)
            spread = np.where(gaps, -np.inf, block).max(0) - np.where(gaps, np.inf, block).min(0)
            flat = [items[j] for j in np.flatnonzero(~(spread > 0))]
            if flat:
                raise InsufficientDataError(
                    f"No variance{name} (fewer than 2 different answers) in {', '.join(flat)}."
                )
        groups.append(block)
    return groups, labels, n_input


def check_identified(spec: Spec) -> None:
    """Raise when the model has more free parameters than sample moments (df < 0)."""
    p = len(spec.items)
    moments = spec.n_groups * (p * (p + 1) // 2 + (p if spec.meanstructure else 0))
    if spec.npar > moments:
        raise InsufficientDataError(
            f"The model is not identified: {spec.npar} free parameters but only {moments} "
            f"sample moments (df = {moments - spec.npar}). A one-factor model needs at least "
            "3 items; add items or fix parameters."
        )

"""Checks and coding of the answers for ``rasch``, eRm's design matrices, and the grouping of
persons by the items they answered."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import (
    ColeadWarning,
    InsufficientDataError,
    InvalidParameterError,
    ResponseDataError,
)

_NUMERIC_KINDS = {"integer", "floating", "mixed-integer-float", "boolean", "decimal", "empty"}


@dataclass(frozen=True)
class Coded:
    """Answers as categories 0..m_i (NaN missing), for the items kept."""

    x: np.ndarray  # persons x items, float
    items: list[str]
    steps: np.ndarray  # m_i
    lowest: np.ndarray  # answer coded 0, per item (in the input's units)
    dropped: list[str]


def code_answers(
    items: pd.DataFrame, model: str, scale_min: float | None, func: str = "rasch"
) -> Coded:
    if not isinstance(items, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'items' parameter of {func} must be a DataFrame of item columns; "
            f"got {type(items).__name__}."
        )
    names = [str(c) for c in items.columns]
    problems: list[dict[str, object]] = [
        {"column": name, "reason": f"not numeric (dtype {column.dtype})"}
        for name, (_, column) in zip(names, items.items(), strict=True)
        if pd.api.types.infer_dtype(column, skipna=True) not in _NUMERIC_KINDS
    ]
    if problems:
        raise ResponseDataError(problems, context=f"the items passed to {func}")
    x = items.to_numpy(dtype=float, na_value=np.nan).reshape(len(items), len(names))
    finite = np.isfinite(x)
    lowest = float(x[finite].min()) if finite.any() else 0.0
    if scale_min is not None:
        lowest = check_number(scale_min, "scale_min", func)
    bad = ~np.isnan(x) & ((x != np.round(x)) | (x < lowest) | np.isinf(x))
    for row, col in zip(*np.nonzero(bad), strict=True):
        value = float(x[row, col])
        if not np.isfinite(value):
            reason = "not a finite number"
        elif value < lowest:
            reason = f"below the lowest category {lowest:g} (scale_min)"
        else:
            reason = "not a whole number"
        problems.append(
            {"row": int(row) + 2, "column": names[col], "value": value, "reason": reason}
        )
    if problems:
        raise ResponseDataError(problems, context=f"the items passed to {func}")
    x = x - lowest
    answered = ~np.isnan(x)
    top = np.where(answered.any(axis=0), np.nanmax(np.where(answered, x, -1), axis=0), -1)
    bottom = np.where(answered.any(axis=0), np.nanmin(np.where(answered, x, np.inf), axis=0), 0)
    if model == "rsm":
        m = int(top.max()) if len(top) else 0
        # the shared categories 0..m: an item answered only at one end carries no information
        useless = (top < 0) | (top == 0) | (bottom == m)
    else:
        useless = (top < 0) | (top == bottom)
    dropped = [n for n, u in zip(names, useless, strict=True) if u]
    if dropped:
        warnings.warn(
            f"{func}: items without information are left out (no answers, or every answer in "
            f"the same {'extreme ' if model == 'rsm' else ''}category): {', '.join(dropped)}",
            ColeadWarning,
            stacklevel=3,
        )
    keep = ~useless
    x, names, top, bottom = x[:, keep], [n for n, k in zip(names, keep, strict=True) if k], \
        top[keep], bottom[keep]
    if len(names) < 2:
        raise InsufficientDataError(f"{func} needs at least 2 items with information; got "
                                    f"{len(names)}.")
    if model == "rsm":
        m = int(top.max())
        used = np.zeros(m + 1, dtype=bool)
        used[np.unique(x[~np.isnan(x)]).astype(int)] = True
        if not used.all():
            missing = ", ".join(f"{v + lowest:g}" for v in np.flatnonzero(~used))
            raise InsufficientDataError(
                f"{func}: no item was answered in category {missing}; the rating-scale model "
                "cannot estimate a threshold next to an unused category. Recode it or give "
                "scale_min."
            )
        steps = np.full(len(names), m)
        shift = np.zeros(len(names))
    else:
        # each item's categories run from its lowest to its highest answer (as eRm)
        shift = bottom.astype(float)
        x = x - shift
        steps = (top - bottom).astype(int)
        gaps = []
        for j, name in enumerate(names):
            seen = np.unique(x[~np.isnan(x[:, j]), j]).astype(int)
            for v in sorted(set(range(steps[j] + 1)) - set(seen)):
                gaps.append(f"{name} = {v + shift[j] + lowest:g}")
        if gaps:
            raise InsufficientDataError(
                f"{func}: the partial-credit model needs an answer in every category between "
                f"an item's lowest and highest answer; none for {', '.join(gaps)}."
            )
    return Coded(x, names, steps.astype(int), shift + lowest, dropped)


def design_matrix(model: str, steps: np.ndarray) -> np.ndarray:
    """eRm's W with ``sum0 = TRUE``: beta = W @ eta (eRm reports ``etapar = -eta``).

    PCM: eta is every beta but the first, which is minus their sum. RSM: beta_ih =
    h * a_i + omega_h with a_1 = -(a_2 + ... + a_k) and omega_1 = 0; eta = (a_2..a_k,
    omega_2..omega_m)."""
    k = len(steps)
    total = int(steps.sum())
    if model == "pcm":
        w = np.vstack([-np.ones((1, total - 1)), np.eye(total - 1)])
        return w
    m = int(steps[0])
    w = np.zeros((total, k - 1 + m - 1))
    h = np.tile(np.arange(1, m + 1), k)
    item = np.repeat(np.arange(k), m)
    for col in range(k - 1):
        w[item == col + 1, col] = h[item == col + 1]
    w[item == 0, : k - 1] = -h[item == 0][:, None]
    for c in range(2, m + 1):
        w[h == c, k - 1 + c - 2] = 1.0
    return w


def patterns(answered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``answered`` (patterns x items) and each person's pattern index."""
    k = answered.shape[1]
    if k <= 62:
        codes = answered.astype(np.int64) @ (np.int64(1) << np.arange(k, dtype=np.int64))
        uniq, inverse = np.unique(codes, return_inverse=True)
        masks = ((uniq[:, None] >> np.arange(k, dtype=np.int64)[None, :]) & 1).astype(bool)
        return masks, inverse.reshape(-1)
    masks, inverse = np.unique(answered, axis=0, return_inverse=True)
    return masks, inverse.reshape(-1)

"""Scale scores: the mean of a respondent's answered items after reverse keying.

Reverse-keyed items are turned around by the scale's declared bounds (``min + max - x``), never
by the values seen in the data. A respondent who answered fewer items of a scale than its
``min_valid`` rule asks for gets no score (NaN) rather than a mean of too little.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.instrument import Instrument, Scale, load_instrument
from colead.io.responses import ID_COLUMNS, Responses

if TYPE_CHECKING:
    import os

__all__ = ["keyed_items", "score"]

_F = "score"


def _frame_and_instrument(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None,
    func: str,
) -> tuple[pd.DataFrame, Instrument]:
    if isinstance(data, Responses):
        return data.data, data.instrument if instrument is None else load_instrument(instrument)
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'data' parameter of {func} must be Responses or a DataFrame; got "
            f"{type(data).__name__}."
        )
    if instrument is None:
        raise InvalidParameterError(
            f"{func} needs the instrument when 'data' is a DataFrame (pass instrument=...)."
        )
    return data, load_instrument(instrument)


def _scales(inst: Instrument, scales: Iterable[str] | None, func: str) -> list[Scale]:
    if scales is None:
        return list(inst.scale_list)
    wanted = [scales] if isinstance(scales, str) else list(scales)
    unknown = [s for s in wanted if s not in inst.scales]
    if unknown:
        raise InvalidParameterError(
            f"The 'scales' parameter of {func} names {unknown}, which are not scales of "
            f"{inst.name!r} ({', '.join(inst.scales)})."
        )
    return [inst.scales[s] for s in wanted]


def keyed_items(data: pd.DataFrame, instrument: Instrument, scale: Scale) -> pd.DataFrame:
    """The items of ``scale`` with reverse-keyed items turned around (``min + max - x``).

    Raises ResponseDataError naming the scale's items that ``data`` lacks.
    """
    missing = [i for i in scale.items if i not in data.columns]
    if missing:
        raise ResponseDataError(
            [
                {"column": i, "reason": f"item of scale {scale.id!r} is not in the data"}
                for i in missing
            ],
            context="the data",
        )
    block = data.loc[:, list(scale.items)].astype(float)
    for item_id in scale.items:
        if instrument.item(item_id).reverse:
            block[item_id] = scale.min + scale.max - block[item_id]
    return block


def score(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    *,
    scales: Iterable[str] | None = None,
    min_valid: float | None = None,
    counts: bool = False,
) -> pd.DataFrame:
    """Scale scores per respondent.

    Parameters
    ----------
    data : Responses or DataFrame
        Item data (as :func:`colead.read_responses` returns it).
    instrument : str, path or Instrument, optional
        Needed when ``data`` is a DataFrame; taken from ``data`` for Responses.
    scales : iterable of str, optional
        The scales to score (default: all of the instrument).
    min_valid : float, optional
        Overrides every scale's own ``min_valid``: a fraction of its items in (0, 1] (``0.5``,
        ``1.0`` for all), or a whole count of items (``2``).
    counts : bool, default False
        Add a column ``<scale>_n`` with the number of items answered.

    Returns
    -------
    DataFrame
        ``respondent_id`` and ``school_id`` (when present), then one column per scale: the
        mean of the answered items after reverse keying, NaN when fewer than the minimum were
        answered.

    Notes
    -----
    With ``min_valid`` low enough to score every respondent with one answer, the scores equal
    ``psych::scoreItems(keys, items, impute = "none", min =, max =)$scores`` (tested to 1e-12),
    except for a scale with an item whose answers never vary: scoreItems deletes that item
    from the data and the keys (with a warning) and scores the rest, colead keeps it, as it
    is part of the scale the respondents answered. (``psych::alpha`` does a third thing: it
    leaves the item out of alpha but adds the first respondent's answer to it into every
    total; :func:`colead.alpha` leaves it out of both.)

    Responses are scored once: with the defaults (their own instrument, each scale's
    ``min_valid``, no counts) the scores of every scale are kept on the Responses and each
    later call returns a copy of the columns it asks for.
    """
    frame, inst = _frame_and_instrument(data, instrument, _F)
    chosen = _scales(inst, scales, _F)
    if min_valid is not None:
        is_count = isinstance(min_valid, int) and not isinstance(min_valid, bool)
        check_number(min_valid, "min_valid", _F, low=0, low_open=True, high=None if is_count else 1)
    if isinstance(data, Responses) and inst is data.instrument and min_valid is None and not counts:
        cached = data._cached(
            "scores", lambda: _score_frame(frame, inst, inst.scale_list, None, False)
        )
        ids = [c for c in ID_COLUMNS if c in cached.columns]
        return cached.loc[:, [*ids, *(s.id for s in chosen)]].copy()
    return _score_frame(frame, inst, chosen, min_valid, counts)


def _score_frame(
    frame: pd.DataFrame, inst: Instrument, chosen: Sequence[Scale], min_valid: float | None,
    counts: bool,
) -> pd.DataFrame:
    out = frame.loc[:, [c for c in ID_COLUMNS if c in frame.columns]].copy()
    for scale in chosen:
        values = keyed_items(frame, inst, scale).to_numpy()
        answered = (~np.isnan(values)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.nansum(values, axis=1) / answered
        needed = _min_answered(scale, min_valid)
        out[scale.id] = np.where(answered >= needed, means, np.nan)
        if counts:
            out[f"{scale.id}_n"] = answered
    return out


def _min_answered(scale: Scale, min_valid: float | None) -> int:
    if min_valid is None:
        return scale.min_answered
    if isinstance(min_valid, int) and not isinstance(min_valid, bool):
        return min(min_valid, scale.k)
    return max(1, math.ceil(min_valid * scale.k - 1e-9))

"""Several survey waves: each group's series of scale means and its linear trend."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from colead._validation import check_number
from colead.exceptions import InvalidParameterError
from colead.privacy import blank, check_min_n
from colead.schools import _waves
from colead.schools._change import linear_trend, wave_stats

__all__ = ["TREND_COLUMNS", "trend"]

TREND_COLUMNS = [
    "scale", "wave", "time", "n", "mean", "sd", "ci_low", "ci_high", "ci_level", "trend",
    "trend_se", "trend_df", "trend_ci_low", "trend_ci_high", "trend_p_value", "comparable",
    "reason", "suppressed",
]


def trend(
    waves: Mapping[Any, Any],
    *,
    by: str | None = "school_id",
    min_n: int = 5,
    times: Sequence[float] | None = None,
    ci_level: float = 0.95,
    scales: Iterable[str] | None = None,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Each group's scale means over survey waves, and their linear trend.

    Parameters
    ----------
    waves : mapping
        Wave label -> Responses (or a table of scale scores with the ``by`` column), in time
        order, oldest first; two or more (meant for three or more: with two,
        :func:`colead.change` says the same and more).
    by : str or None, default "school_id"
        The grouping column; None follows the whole of each wave.
    min_n : int, default 5
        A group is shown only where it has at least ``min_n`` respondents with a score in
        every wave, and where hiding it is not needed to protect a smaller group in any wave
        (:func:`colead.privacy.protect_waves`); otherwise all its rows are blank and
        ``suppressed``.
    times : sequence of float, optional
        When each wave took place (years, say), for a trend per unit of time; by default
        0, 1, 2, ... (a trend per wave).
    ci_level : float, default 0.95
    scales : iterable of str, optional

    Returns
    -------
    DataFrame
        One row per group, scale and wave: ``by``, ``scale``, ``wave``, ``time``, ``n``,
        ``mean``, ``sd``, ``ci_low``, ``ci_high`` (t interval of the mean), ``ci_level``,
        and repeated on each of the group's rows, ``trend`` (the least-squares slope of the
        means on ``time``), ``trend_se``, ``trend_df``, ``trend_ci_low``, ``trend_ci_high``,
        ``trend_p_value``; ``comparable`` and ``reason`` (a scale whose items differ in some
        wave from the last wave's has no trend), ``suppressed``.

    Notes
    -----
    The slope is the linear contrast ``sum c_w mean_w`` with ``c_w = (t_w - mean t) / sum
    (t - mean t)^2``; the waves are independent samples, so its variance is ``sum c_w^2
    s_w^2 / n_w`` with Satterthwaite degrees of freedom (sampling error only: departures
    from a straight line are not counted against it). With two waves at times 0 and 1 it
    is the change and its Welch test of :func:`colead.change` (tested).
    """
    func = "trend"
    min_n = check_min_n(min_n, func, allow_small_groups=allow_small_groups)
    check_number(ci_level, "ci_level", func, low=0, high=1, low_open=True, high_open=True)
    if not isinstance(waves, Mapping) or len(waves) < 2:
        raise InvalidParameterError(
            "The 'waves' parameter of trend must be a mapping of wave label -> Responses in "
            "time order, with at least two waves.")
    labels = [str(label) for label in waves]
    when = _times(times, len(labels))
    read = [_waves.read_wave(data, label, by, None, func)
            for label, data in zip(labels, waves.values(), strict=True)]
    names, reasons = _waves.scale_plan(read, None if scales is None else list(scales), func)
    codes, groups = _waves.group_codes(read, by)
    found = [wave_stats(c, _waves.values(w, names), len(groups))
             for c, w in zip(codes, read, strict=True)]
    slope = linear_trend(found, when, ci_level)
    hidden = _waves.hidden_groups(found, groups, names, min_n)
    g, k, w = len(groups), len(names), len(read)
    comparable = np.array([reasons[s] == "" for s in names])
    columns: dict[str, Any] = {}
    if by is not None:
        columns[by] = np.repeat(groups.to_numpy(dtype=object), k * w)
    columns["scale"] = np.tile(np.repeat(np.array(names, dtype=object), w), g)
    columns["wave"] = np.tile(np.array(labels, dtype=object), g * k)
    columns["time"] = np.tile(when, g * k)
    n = np.stack([st.n for st in found], axis=-1)
    mean = np.stack([st.mean for st in found], axis=-1)
    sd = np.sqrt(np.stack([st.var for st in found], axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + ci_level / 2, n - 1) * sd / np.sqrt(n)
    columns.update(n=n.ravel(), mean=mean.ravel(), sd=sd.ravel(),
                   ci_low=(mean - half).ravel(), ci_high=(mean + half).ravel(),
                   ci_level=np.full(g * k * w, ci_level))
    for name, values in slope.items():
        values = np.where(comparable[None, :], values, np.nan)
        columns[name] = np.repeat(values.ravel(), w)
    columns["comparable"] = np.tile(np.repeat(comparable, w), g)
    columns["reason"] = np.tile(np.repeat(np.array([reasons[s] for s in names], dtype=object),
                                          w), g)
    table = pd.DataFrame(columns)[[*([by] if by else []), *TREND_COLUMNS[:-1]]]
    flat = np.repeat(hidden.ravel(), w)
    one_wave = np.tile(np.repeat(np.array([_absent(reasons[s]) for s in names]), w), g)
    out = blank(table, flat | one_wave, keep=[*([by] if by else []), "scale", "wave", "time",
                                              "comparable", "reason"])
    out["suppressed"] = flat & ~one_wave
    return out


def _absent(reason: str) -> bool:
    return "not in the" in reason


def _times(times: Sequence[float] | None, n: int) -> np.ndarray:
    if times is None:
        return np.arange(n, dtype=float)
    values = [check_number(t, "times", "trend") for t in times]
    if len(values) != n or len(set(values)) != n:
        raise InvalidParameterError(f"The 'times' parameter of trend must give {n} different "
                                    f"times, one per wave; got {list(times)!r}.")
    return np.array(values, dtype=float)

"""Did our school change since the last survey? The change of each group's scale means
between two survey waves, with its interval, suppressed under ``min_n`` in either wave.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.io.responses import Responses
from colead.privacy import blank, check_min_n
from colead.schools import _waves
from colead.schools._change import pair_stats, two_wave, wave_stats

__all__ = ["CHANGE_COLUMNS", "change"]

CHANGE_COLUMNS = [
    "scale", "n_previous", "n_current", "n_paired", "mean_previous", "mean_current", "change",
    "se", "df", "ci_low", "ci_high", "ci_level", "p_value", "mdc", "effect_size",
    "comparable", "reason", "suppressed",
]


def change(
    current: Responses | pd.DataFrame,
    previous: Responses | pd.DataFrame,
    *,
    by: str | None = "school_id",
    min_n: int = 5,
    roster: Any = None,
    ci_level: float = 0.95,
    paired_by: str | None = None,
    scales: Iterable[str] | None = None,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """The change of each group's scale means from the previous survey wave to the current.

    Parameters
    ----------
    current, previous : Responses or DataFrame
        The two waves: Responses (scored here; their instruments decide which scales may be
        compared), or tables of scale scores as :func:`colead.score` returns them with the
        ``by`` column (every numeric column is a scale; no instrument check).
    by : str or None, default "school_id"
        The grouping column; None compares the whole of each wave (the district).
    min_n : int, default 5
        A group is shown only where it has at least ``min_n`` respondents with a score in
        both waves; otherwise, or where hiding it is needed so that no wave's total minus
        the groups shown leaves 1 to ``min_n - 1`` people, its row is blank and
        ``suppressed`` (:func:`colead.privacy.protect_waves`).
    roster : mapping or DataFrame, optional
        Staff counts N per group and wave, for the finite population correction
        ``fpc = 1 - n / N``: a mapping ``{"current": roster, "previous": roster}`` (each a
        frame with the ``by`` column and ``size`` or ``n_teachers``, or a mapping group ->
        size), or one frame with a ``wave`` column holding ``current`` or ``previous``. A
        group without a size gets fpc = 1 (no correction).
    ci_level : float, default 0.95
    paired_by : str, optional
        A column of pseudonymous respondent keys (:func:`colead.pseudonymise`) present in
        both waves: respondents with the same key in the same group in both waves are paired.
    scales : iterable of str, optional
        Default: every scale of either wave.

    Returns
    -------
    DataFrame
        One row per group and scale: ``by``, ``scale``, ``n_previous``, ``n_current``,
        ``n_paired`` (respondents in both waves with both scores; 0 without ``paired_by``),
        ``mean_previous``, ``mean_current``, ``change`` (current minus previous), ``se``,
        ``df``, ``ci_low``, ``ci_high``, ``ci_level``, ``p_value``, ``mdc``,
        ``effect_size``, ``comparable``, ``reason`` and ``suppressed``. A scale whose items
        differ between the waves (by id and wording, unless declared ``equivalent_to:`` in
        the instrument) keeps its two means but has no change (``comparable`` false and the
        reason); a scale of one wave only has no numbers at all.

    Notes
    -----
    Independent samples: ``se = sqrt(s1^2/n1 * fpc1 + s2^2/n2 * fpc2)``, Welch-Satterthwaite
    degrees of freedom, a t interval and a two-sided t test. ``mdc``, the minimum
    detectable change, is ``z * se`` (1.96 se at 95%); ``effect_size`` is the change over
    the group's standard deviation pooled over the two waves, ``sqrt(((n1-1) s1^2 +
    (n2-1) s2^2) / (n1 + n2 - 2))``. With ``paired_by`` the estimate is still the difference
    of the two wave means (all respondents), and its standard error subtracts the covariance
    of the pairs as in the partially overlapping samples t-test of Derrick, Russ, Toher &
    White (2017, JMASM 16(1), 137-157): ``se^2 = s1^2/n1 + s2^2/n2 - 2 r s1 s2 n12 / (n1
    n2)`` with r the correlation of the n12 pairs and their degrees of freedom; with a roster
    the two variances take their fpc and the covariance ``sqrt(fpc1 fpc2)``, which is the
    finite-population paired t-test when everyone answered both waves. Pairs are used only
    where at least ``min_n`` of them have both scores (their correlation would describe fewer
    people); otherwise the waves are treated as independent. Validated against R:
    ``t.test(var.equal = FALSE)``, ``survey::svymean`` with ``fpc``, and
    ``Partiallyoverlapping::Partover.test`` (tests/reference/change), to 1e-10.
    """
    func = "change"
    min_n = check_min_n(min_n, func, allow_small_groups=allow_small_groups)
    check_number(ci_level, "ci_level", func, low=0, high=1, low_open=True, high_open=True)
    waves = [_waves.read_wave(previous, "previous", by, paired_by, func),
             _waves.read_wave(current, "current", by, paired_by, func)]
    names, reasons = _waves.scale_plan(waves, None if scales is None else list(scales), func)
    codes, groups = _waves.group_codes(waves, by)
    x_prev, x_cur = (_waves.values(w, names) for w in waves)
    prev, cur = (wave_stats(c, x, len(groups)) for c, x in zip(codes, (x_prev, x_cur),
                                                               strict=True))
    sizes = _waves.wave_rosters(roster, ["previous", "current"], by, waves, func)
    pairs = None
    n12 = np.zeros_like(cur.n)
    if paired_by is not None:
        n12, r = pair_stats((codes[1], waves[1].scores[paired_by].to_numpy(), x_cur),
                            (codes[0], waves[0].scores[paired_by].to_numpy(), x_prev),
                            len(groups))
        used = n12 >= max(min_n, 2)
        pairs = (n12, np.where(used, r, 0.0), used)
    found = two_wave(cur, prev, fpc_current=_waves.fpc(sizes[1], groups, cur),
                     fpc_previous=_waves.fpc(sizes[0], groups, prev), ci_level=ci_level,
                     pairs=pairs)
    hidden = _waves.hidden_groups([prev, cur], groups, names, min_n)
    table = _assemble(groups, names, reasons, prev, cur, n12, found, ci_level, by)
    flat = hidden.ravel()
    one_wave = np.tile(np.array(["not in the" in reasons[s] for s in names], dtype=bool),
                       len(groups))
    out = blank(table, flat | one_wave, keep=[*([by] if by else []), "scale", "comparable",
                                              "reason"])
    out["suppressed"] = flat & ~one_wave  # a scale of one wave: no numbers, nothing hidden
    return out


def _assemble(groups: pd.Index, names: list[str], reasons: dict[str, str], prev: Any,
              cur: Any, n12: np.ndarray, found: dict[str, np.ndarray], ci_level: float,
              by: str | None) -> pd.DataFrame:
    """The long table, groups x scales in group order, before suppression."""
    g, k = len(groups), len(names)
    comparable = np.tile(np.array([reasons[s] == "" for s in names]), g)
    columns: dict[str, Any] = {}
    if by is not None:
        columns[by] = np.repeat(groups.to_numpy(dtype=object), k)
    columns.update({
        "scale": np.tile(np.array(names, dtype=object), g),
        "n_previous": prev.n.ravel(), "n_current": cur.n.ravel(), "n_paired": n12.ravel(),
        "mean_previous": prev.mean.ravel(), "mean_current": cur.mean.ravel(),
    })
    for column in ("change", "se", "df", "ci_low", "ci_high"):
        columns[column] = np.where(comparable, found[column].ravel(), np.nan)
    columns["ci_level"] = np.full(g * k, ci_level)
    for column in ("p_value", "mdc", "effect_size"):
        columns[column] = np.where(comparable, found[column].ravel(), np.nan)
    columns["comparable"] = comparable
    columns["reason"] = np.tile(np.array([reasons[s] for s in names], dtype=object), g)
    table = pd.DataFrame(columns)
    return table[[*([by] if by is not None else []), *CHANGE_COLUMNS[:-1]]]

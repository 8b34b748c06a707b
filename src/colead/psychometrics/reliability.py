"""``reliability``: one row of reliability statistics per scale of an instrument."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Literal

import pandas as pd

from colead._validation import check_option
from colead.exceptions import ColeadError, ColeadWarning, InvalidParameterError
from colead.psychometrics.alpha import alpha, item_analysis, items_without_variance
from colead.psychometrics.omega import omega
from colead.psychometrics.scoring import _frame_and_instrument, _scales, keyed_items

if TYPE_CHECKING:
    import os

    from colead.instrument import Instrument
    from colead.io.responses import Responses

__all__ = ["reliability"]

COLUMNS = [
    "scale",
    "title",
    "k",
    "dropped_items",
    "n",
    "n_complete",
    "alpha",
    "ci_low",
    "ci_high",
    "ci_level",
    "std_alpha",
    "g6",
    "average_r",
    "omega_total",
    "n_flagged",
    "flagged_items",
]


def reliability(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    *,
    scales: Iterable[str] | None = None,
    ci: float = 0.95,
    nan_policy: Literal["pairwise", "listwise"] = "pairwise",
    method: Literal["feldt", "duhachek", "bootstrap"] = "feldt",
    ci_n: Literal["all", "complete"] = "all",
    omega_total: bool = True,
    ordinal: bool = False,
    cluster: Hashable | None = None,
) -> pd.DataFrame:
    """Reliability of every scale of an instrument.

    Items are reverse-keyed by the instrument's declared bounds before anything is computed.

    Parameters
    ----------
    data : Responses or DataFrame
    instrument : str, path or Instrument, optional
        Needed when ``data`` is a DataFrame.
    scales : iterable of str, optional
        Default: every scale.
    ci, nan_policy, method, ci_n
        As in :func:`colead.alpha` (``ci_n="all"``, psych's n, by default).
    omega_total : bool, default True
        Also fit a one-factor model per scale for omega total (complete rows).
    ordinal : bool, default False
        Also report ``ordinal_alpha`` (standardized alpha of the polychoric correlations) and
        ``ordinal_omega`` (categorical omega from a one-factor WLSMV fit); see
        :func:`colead.alpha` and :func:`colead.omega`.
    cluster : column name, optional
        The school column (such as ``"school_id"``): also fit each scale's one-factor model at
        two levels and add ``omega_within`` and ``omega_between`` (see :func:`colead.omega`).

    Returns
    -------
    DataFrame
        One row per scale: ``scale, title, k, dropped_items, n, n_complete, alpha, ci_low,
        ci_high, ci_level, std_alpha, g6, average_r, omega_total, n_flagged, flagged_items``
        where ``k`` counts the items used, ``dropped_items`` names the scale's items left out
        because nobody's answers to them vary (comma-separated; empty when none), and
        flagged items have a negative item-rest correlation (with ``ordinal=True`` also
        ``ordinal_alpha, ordinal_omega`` after ``omega_total``; with ``cluster`` also
        ``omega_within, omega_between`` at the end). A scale that cannot be computed
        (too few answers) has missing statistics rather than stopping the table.

    Warns
    -----
    ColeadWarning
        Naming flagged items (declared keys that the data contradict), items left out for
        want of variance, and scales that could not be computed.
    """
    check_option(nan_policy, "nan_policy", "reliability", ("pairwise", "listwise"))
    frame, inst = _frame_and_instrument(data, instrument, "reliability")
    rows, notes = [], []
    for scale in _scales(inst, scales, "reliability"):
        items = keyed_items(frame, inst, scale)
        constant = items_without_variance(items)
        row: dict[str, object] = {"scale": scale.id, "title": scale.title,
                                  "k": scale.k - len(constant),
                                  "dropped_items": ", ".join(constant)}
        if constant:
            notes.append(f"{scale.id}: items without variance left out: {', '.join(constant)}")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColeadWarning)
                a = alpha(items, ci=ci, nan_policy=nan_policy, method=method, ci_n=ci_n)
                table = item_analysis(items, nan_policy=nan_policy) if a.k >= 3 else None
        except ColeadError as exc:
            notes.append(f"{scale.id}: {exc}")
            rows.append(row)
            continue
        flagged = list(table.loc[table["flagged"], "item"]) if table is not None else []
        row.update(
            {
                "n": a.n,
                "n_complete": a.n_complete,
                "alpha": a.alpha,
                "ci_low": a.ci_low,
                "ci_high": a.ci_high,
                "ci_level": a.ci_level,
                "std_alpha": a.std_alpha,
                "g6": a.g6,
                "average_r": a.average_r,
                "n_flagged": len(flagged),
                "flagged_items": ", ".join(flagged),
            }
        )
        if flagged:
            notes.append(f"{scale.id}: negative item-rest correlation for {', '.join(flagged)}")
        if omega_total:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ColeadWarning)
                    row["omega_total"] = omega(items).omega_total
            except ColeadError as exc:
                notes.append(f"{scale.id}: omega not computed: {exc}")
        if ordinal:
            for name, func in (
                ("ordinal_alpha", _ordinal_alpha),
                ("ordinal_omega", _ordinal_omega),
            ):
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ColeadWarning)
                        row[name] = func(items, nan_policy)
                except ColeadError as exc:
                    notes.append(f"{scale.id}: {name} not computed: {exc}")
        if cluster is not None:
            row.update(_two_level(items, frame, cluster, scale.id, notes))
        rows.append(row)
    if notes:
        warnings.warn("reliability: " + "; ".join(notes), ColeadWarning, stacklevel=2)
    at = COLUMNS.index("omega_total")
    columns = COLUMNS if not ordinal else [*COLUMNS[:at], *ORDINAL, *COLUMNS[at:]]
    extra = ["omega_within", "omega_between"] if cluster is not None else []
    return pd.DataFrame(rows, columns=columns + extra)


ORDINAL = ["ordinal_alpha", "ordinal_omega"]


def _ordinal_alpha(items: pd.DataFrame, nan_policy: str) -> float:
    return alpha(items, nan_policy=nan_policy, ordinal=True).alpha  # type: ignore[arg-type]


def _ordinal_omega(items: pd.DataFrame, nan_policy: str) -> float:
    return omega(items, ordinal=True).omega_total


def _two_level(
    items: pd.DataFrame, frame: pd.DataFrame, cluster: Hashable, scale: str, notes: list[str]
) -> dict[str, float]:
    from colead.psychometrics.omega_twolevel import two_level_omega

    if cluster not in frame.columns:
        raise InvalidParameterError(f"The cluster column {cluster!r} is not in the data.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            res = two_level_omega(items, frame[cluster].to_numpy())
    except ColeadError as exc:
        notes.append(f"{scale}: two-level omega not computed: {exc}")
        return {}
    return {"omega_within": res.omega_within, "omega_between": res.omega_between}

"""Within- and between-school omega from a two-level CFA (Geldhof, Preacher & Zyphur 2014;
Lai 2021), as ``semTools::compRelSEM(fit, config = , shared = )``.

:func:`colead.omega` with ``cluster=`` fits the one-factor two-level model to a scale's items
and returns :class:`TwoLevelOmegaResult`; :func:`level_reliability` gives the same numbers for
every factor of a two-level fit from :func:`colead.cfa`.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.psychometrics.cfa.twolevel import TwoLevelCFAResult, fit_two_level

__all__ = ["TwoLevelOmegaResult", "level_reliability", "two_level_omega"]

_COLUMNS = ["factor", "omega_within", "omega_2l", "omega_between", "irr"]


@dataclass(frozen=True)
class TwoLevelOmegaResult:
    """Reliability of a scale at the two levels of a two-level one-factor model.

    Attributes
    ----------
    omega_within : float
        Reliability of a respondent's scale score as a measure of where the respondent stands
        within the school: (sum of within loadings)^2 psi_W / 1' S_W 1 (compRelSEM's
        ``omega_W`` of a configural construct).
    omega_2l : float
        Reliability of the total score, both levels together (``omega_2L``).
    omega_between : float
        Reliability of a school's mean score as a measure of the school's standing (the shared
        construct): (sum of between loadings)^2 psi_B / 1'(S_B + S_W mean(1 / n_j))1
        (``omega_B``).
    irr : float
        The share of the variance of school means due to true differences between schools,
        1' S_B 1 / 1'(S_B + S_W mean(1 / n_j))1 (compRelSEM's ``IRR``, an ICC(2) of the sum
        score).
    n, n_clusters, k : int
        Respondents (complete rows), schools and items used.
    mean_inverse_cluster_size : float
        mean(1 / n_j) over the schools.
    fit : TwoLevelCFAResult
        The two-level fit the values come from.
    """

    omega_within: float
    omega_2l: float
    omega_between: float
    irr: float
    n: int
    n_clusters: int
    k: int
    mean_inverse_cluster_size: float
    fit: TwoLevelCFAResult = field(repr=False)

    def summary(self) -> str:
        return (
            f"omega within {self.omega_within:.3f}, omega between {self.omega_between:.3f} "
            f"(two-level total {self.omega_2l:.3f}; reliability of school means {self.irr:.3f})"
            f"\ntwo-level one-factor ML CFA, k = {self.k} items, n = {self.n} in "
            f"{self.n_clusters} clusters"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return f"<div><p>{escape(self.summary()).replace(chr(10), '<br>')}</p></div>"


def _sum_common(lam: np.ndarray, psi: float) -> float:
    return float(lam.sum() ** 2 * psi)


def level_reliability(fit: TwoLevelCFAResult) -> pd.DataFrame:
    """Omega at each level for every factor of a two-level fit, as ``compRelSEM(fit, config =
    <factors at both levels>, shared = <factors at the between level>)``.

    Returns
    -------
    DataFrame
        ``factor, omega_within, omega_2l, omega_between, irr``; ``omega_within`` and
        ``omega_2l`` are NaN for a factor that is not at both levels with the same items.
    """
    loads = fit.loadings
    cov = fit.factor_covariances
    h1_w, h1_b = fit._raw["h1"].within, fit._raw["h1"].between
    pos = {item: j for j, item in enumerate(fit.items)}
    ns = fit._raw["mean_inverse_cluster_size"]
    rows = []
    for factor, items in fit.between.items():
        idx = [pos[i] for i in items]
        s_w = h1_w[np.ix_(idx, idx)].sum()
        s_b = h1_b[np.ix_(idx, idx)].sum()
        b = loads[(loads["level"] == "between") & (loads["factor"] == factor)]
        common_b = _sum_common(b["estimate"].to_numpy(), cov.loc[("between", factor), factor])
        row = {"factor": factor, "omega_within": np.nan, "omega_2l": np.nan}
        if tuple(fit.within.get(factor, ())) == tuple(items):
            w = loads[(loads["level"] == "within") & (loads["factor"] == factor)]
            common_w = _sum_common(w["estimate"].to_numpy(), cov.loc[("within", factor), factor])
            row["omega_within"] = common_w / s_w
            row["omega_2l"] = (common_w + common_b) / (s_w + s_b)
        row["omega_between"] = common_b / (s_w * ns + s_b)
        row["irr"] = s_b / (s_w * ns + s_b)
        rows.append(row)
    return pd.DataFrame(rows, columns=_COLUMNS)


def two_level_omega(
    items: pd.DataFrame, cluster: Hashable | Any, *, stacklevel: int = 4
) -> TwoLevelOmegaResult:
    """Omega within and between clusters of a one-factor two-level model (see
    :func:`colead.omega`, parameter ``cluster``)."""
    if not isinstance(items, pd.DataFrame):
        raise InvalidParameterError(
            f"omega with a cluster needs a DataFrame of items; got {type(items).__name__}."
        )
    if (
        isinstance(cluster, Hashable)
        and not isinstance(cluster, tuple)
        and (cluster in items.columns)
    ):
        frame = items
        names = [c for c in items.columns if c != cluster]
        column = cluster
    else:
        values = np.asarray(cluster, dtype=object)
        if values.ndim != 1 or len(values) != len(items):
            raise InvalidParameterError(
                "The 'cluster' parameter of omega must be a column of the items or one label "
                f"per row ({len(items)}); got {cluster!r}."
            )
        names = list(items.columns)
        column = "__cluster__"
        frame = items.assign(**{column: pd.Series(values, index=items.index)})
    if len(names) < 3:
        raise InvalidParameterError(
            f"omega with a cluster needs at least 3 items; got {len(names)}."
        )
    factor = "f"
    while factor in names:
        factor += "_"
    fit = fit_two_level(frame, {factor: names}, cluster=column, stacklevel=stacklevel)
    row = level_reliability(fit).iloc[0]
    return TwoLevelOmegaResult(
        omega_within=float(row["omega_within"]),
        omega_2l=float(row["omega_2l"]),
        omega_between=float(row["omega_between"]),
        irr=float(row["irr"]),
        n=fit.n,
        n_clusters=fit.n_clusters,
        k=fit.k,
        mean_inverse_cluster_size=float(fit._raw["mean_inverse_cluster_size"]),
        fit=fit,
    )

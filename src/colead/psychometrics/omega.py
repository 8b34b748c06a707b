"""Coefficient omega: total reliability from a one-factor model, and hierarchical omega from a
Schmid-Leiman bifactor solution."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np
import pandas as pd

from colead._validation import check_int, check_option
from colead.exceptions import InsufficientDataError, InvalidParameterError
from colead.psychometrics import _efa
from colead.psychometrics.alpha import _prepare

if TYPE_CHECKING:
    from colead.psychometrics.omega_twolevel import TwoLevelOmegaResult

__all__ = ["OmegaResult", "omega"]


@dataclass(frozen=True)
class OmegaResult:
    """Omega coefficients for one set of items.

    Attributes
    ----------
    omega_total : float
        Share of the total score's variance due to all common factors.
    omega_hierarchical : float or None
        Share due to the general factor alone (``nfactors >= 2``).
    omega_limit : float or None
        omega_hierarchical / omega_total: the general factor's share of the reliable
        variance (psych's ``omega.lim``).
    alpha : float
        Standardized alpha of the same correlation matrix (``nfactors >= 2``) or raw alpha of
        the fitted covariance (one factor, tau-equivalent), for comparison.
    nfactors, n, k : int
        Factors, rows used, items.
    method : str
        ``"one-factor ML CFA"`` or ``"Schmid-Leiman (minres, oblimin)"``.
    loadings : DataFrame
        Per item: the general (or single) factor loading ``g``, group loadings ``F1*``... ,
        ``h2``, ``u2`` and ``p2`` (the general factor's share of the communality).
    groups : DataFrame or None
        Per factor (``g``, ``F1*``...): omega ``total``, ``general`` and ``group`` of its items,
        as psych's ``omega.group``.
    flipped : tuple of str
        Items whose general loading was negative and were reversed (psych's ``flip``).
    """

    omega_total: float
    omega_hierarchical: float | None
    omega_limit: float | None
    alpha: float
    nfactors: int
    n: int
    k: int
    method: str
    loadings: pd.DataFrame = field(repr=False)
    groups: pd.DataFrame | None = field(default=None, repr=False)
    flipped: tuple[str, ...] = ()

    def summary(self) -> str:
        head = f"omega total {self.omega_total:.3f}"
        if self.omega_hierarchical is not None:
            head += (
                f", omega hierarchical {self.omega_hierarchical:.3f} (general factor's "
                f"share of reliable variance {self.omega_limit:.3f})"
            )
        flipped = f"; reversed: {', '.join(self.flipped)}" if self.flipped else ""
        return (
            f"{head}\n{self.method}, {self.nfactors} factor(s), k = {self.k} items, "
            f"n = {self.n}{flipped}"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return (
            f"<div><p>{escape(self.summary()).replace(chr(10), '<br>')}</p>"
            f"{self.loadings.to_html(float_format=lambda v: f'{v:.3f}')}</div>"
        )


@overload
def omega(
    items: pd.DataFrame,
    *,
    nfactors: int = 1,
    nan_policy: Literal["listwise", "pairwise"] | None = None,
    ordinal: bool = False,
    cluster: None = None,
) -> OmegaResult: ...


@overload
def omega(
    items: pd.DataFrame,
    *,
    nfactors: int = 1,
    nan_policy: Literal["listwise", "pairwise"] | None = None,
    ordinal: bool = False,
    cluster: Hashable | Any,
) -> TwoLevelOmegaResult: ...


def omega(
    items: pd.DataFrame,
    *,
    nfactors: int = 1,
    nan_policy: Literal["listwise", "pairwise"] | None = None,
    ordinal: bool = False,
    cluster: Hashable | Any | None = None,
) -> OmegaResult | TwoLevelOmegaResult:
    """Coefficient omega.

    Parameters
    ----------
    items : DataFrame
        One column per item, reverse-keyed items already turned around.
    nfactors : int, default 1
        1: omega total from a one-factor maximum-likelihood CFA (as ``semTools::compRelSEM``
        on ``lavaan::cfa``). 2 or more: omega hierarchical and total from a Schmid-Leiman
        transformation of a minres factor analysis rotated by oblimin (as ``psych::omega``).
    nan_policy : {"listwise", "pairwise"}, optional
        Missing answers: the one-factor CFA uses complete rows (lavaan's default); the
        Schmid-Leiman route uses pairwise correlations (psych's). These are the defaults.
    ordinal : bool, default False
        Categorical omega (Green & Yang 2009) from a one-factor WLSMV fit of the items as
        ordered categories, as ``semTools::compRelSEM(fit, ord.scale = TRUE)``; ``alpha`` is then
        ordinal alpha. One factor, complete rows. Validated against semTools 0.5-6 / lavaan
        0.6-14 (tests/reference/ordinal).
    cluster : column name or array-like, optional
        The school of each row (a column of ``items``, or one label per row): fit the
        one-factor model at two levels (:func:`colead.cfa` with ``cluster``) and return omega
        within schools and omega between schools (the reliability of school means), as
        ``semTools::compRelSEM(fit, config = , shared = )``; complete rows only.

    Returns
    -------
    OmegaResult, or TwoLevelOmegaResult with ``cluster``.

    Notes
    -----
    One factor: omega = (sum of loadings)^2 * factor variance / sum of the observed covariance
    matrix (ML, divisor N), which is compRelSEM's default (``obs.var = TRUE``); validated
    against semTools 0.5-6 / lavaan 0.6-14 to 1e-6. Two or more factors: validated against
    ``psych::omega(x, nfactors, fm = "minres", rotate = "oblimin")`` (psych 2.2.9) to 1e-5;
    with two factors the general loadings are set equal, psych's ``option = "equal"``, and the
    result deserves caution (three factors identify the general factor). With ``cluster``:
    Geldhof, Preacher & Zyphur (2014) and Lai (2021), validated against semTools 0.5-6 on
    lavaan 0.6-14 two-level fits (tests/reference/multilevel_cfa).
    """
    check_int(nfactors, "nfactors", "omega", low=1)
    if cluster is not None:
        if nfactors != 1 or nan_policy not in (None, "listwise") or ordinal:
            raise InvalidParameterError(
                "omega with a cluster fits one factor at each level on complete rows "
                "(nfactors=1, nan_policy='listwise', ordinal=False)."
            )
        from colead.psychometrics.omega_twolevel import two_level_omega

        return two_level_omega(items, cluster)
    policy = nan_policy or ("listwise" if nfactors == 1 else "pairwise")
    check_option(policy, "nan_policy", "omega", ("listwise", "pairwise"))
    x, names, _ = _prepare(items, "omega", min_items=3 if nfactors == 1 else 2 * nfactors + 1)
    if ordinal:
        if nfactors != 1 or policy != "listwise":
            raise InvalidParameterError(
                "omega with ordinal=True fits one factor to complete rows (nfactors=1, "
                "nan_policy='listwise')."
            )
        from colead.psychometrics.ordinal_reliability import one_factor_ordinal

        return OmegaResult(**one_factor_ordinal(x, names))
    if nfactors == 1:
        return _one_factor(x, names, policy)
    return _schmid_leiman(x, names, nfactors, policy)


def _one_factor(x: np.ndarray, names: list[str], nan_policy: str) -> OmegaResult:
    from colead.psychometrics.cfa.fit import CFAResult, cfa

    if nan_policy != "listwise":
        raise InsufficientDataError(
            "omega with one factor is fitted by ML on complete rows (nan_policy='listwise')."
        )
    frame = pd.DataFrame(x, columns=names).dropna()
    if len(frame) <= len(names):
        raise InsufficientDataError(
            f"omega: {len(frame)} complete rows for {len(names)} items "
            "are too few to fit a factor model."
        )
    fit = cfa(frame, {"general": names})
    if not isinstance(fit, CFAResult):  # only with group=/invariance=; keeps the types honest
        raise TypeError("cfa returned a multi-group result")
    lam = fit.loadings["estimate"].to_numpy()
    psi = float(fit.factor_covariances.to_numpy()[0, 0])
    observed = np.cov(frame.to_numpy(), rowvar=False, ddof=0)
    common = lam.sum() ** 2 * psi
    theta = fit.residual_variances["estimate"].to_numpy()
    k = len(names)
    alpha_tau = (1 - np.trace(observed) / observed.sum()) * k / (k - 1)
    std = fit.loadings["std_estimate"].to_numpy()
    loadings = pd.DataFrame(
        {"g": lam, "h2": std**2, "u2": theta, "p2": 1.0}, index=pd.Index(names, name="item")
    )
    return OmegaResult(
        omega_total=float(common / observed.sum()),
        omega_hierarchical=None,
        omega_limit=None,
        alpha=float(alpha_tau),
        nfactors=1,
        n=len(frame),
        k=k,
        method="one-factor ML CFA",
        loadings=loadings,
    )


def _schmid_leiman(x: np.ndarray, names: list[str], nfactors: int, nan_policy: str) -> OmegaResult:
    frame = pd.DataFrame(x, columns=names)
    if nan_policy == "listwise":
        frame = frame.dropna()
    r = frame.corr(min_periods=2).to_numpy()
    if not np.isfinite(r).all():
        raise InsufficientDataError("omega: some pairs of items were never answered together.")
    sl = _efa.schmid_leiman(r, nfactors)
    key = np.where(sl["g"] < 0, -1.0, 1.0)
    m = r * np.outer(key, key)
    g = sl["g"] * key
    groups = sl["groups"] * key[:, None]
    vt, u = m.sum(), sl["u2"].sum()
    k = len(names)
    labels = [f"F{j + 1}*" for j in range(nfactors)]
    loadings = pd.DataFrame(
        np.column_stack([g, groups]), columns=["g", *labels], index=pd.Index(names, name="item")
    )
    loadings["h2"], loadings["u2"] = sl["h2"], sl["u2"]
    loadings["p2"] = g**2 / sl["h2"]
    return OmegaResult(
        omega_total=float((vt - u) / vt),
        omega_hierarchical=float(g.sum() ** 2 / vt),
        omega_limit=float(g.sum() ** 2 / (vt - u)),
        alpha=float((vt - np.trace(m)) / vt * k / (k - 1)),
        nfactors=nfactors,
        n=len(frame),
        k=k,
        method="Schmid-Leiman (minres, oblimin)",
        loadings=loadings,
        groups=_group_omegas(m, g, groups, vt, (vt - u) / vt, labels),
        flipped=tuple(n for n, s in zip(names, key, strict=True) if s < 0),
    )


def _group_omegas(
    m: np.ndarray, g: np.ndarray, groups: np.ndarray, vt: float, total: float, labels: list[str]
) -> pd.DataFrame:
    """psych's omega.group: each item belongs to the group factor it loads most on."""
    member = np.argmax(np.abs(groups), axis=1)
    rows = {"g": {"total": total, "general": g.sum() ** 2 / vt, "group": 0.0}}
    group_sq = 0.0
    for j, label in enumerate(labels):
        idx = np.flatnonzero(member == j)
        if not idx.size:
            rows[label] = {"total": np.nan, "general": np.nan, "group": np.nan}
            continue
        v = m[np.ix_(idx, idx)].sum()
        gr, gg = groups[idx, j].sum(), g[idx].sum()
        group_sq += gr**2
        rows[label] = {"total": (gr**2 + gg**2) / v, "general": gg**2 / v, "group": gr**2 / v}
    rows["g"]["group"] = group_sq / vt
    return pd.DataFrame.from_dict(rows, orient="index")

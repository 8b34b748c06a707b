"""What :func:`colead.cfa` returns: the fit measures, the result of one model and the result
of an invariance sequence, each a frozen dataclass with ``summary()`` and ``_repr_html_``.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from html import escape
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from colead.exceptions import InvalidParameterError
from colead.psychometrics.cfa import model as engine
from colead.psychometrics.cfa.summary import fit_lines, html_table, parameter_lines

if TYPE_CHECKING:
    pass

__all__ = ["DIFF_COLUMNS", "FIT_TABLE_COLUMNS", "CFAResult", "FitMeasures", "InvarianceResult"]

Level = Literal["configural", "metric", "scalar"]
_FUNC = "cfa"
FIT_TABLE_COLUMNS = ("npar", "df", "chisq", "p_value", "cfi", "tli", "rmsea", "srmr", "aic", "bic")
DIFF_COLUMNS = ("chisq_diff", "df_diff", "p_value_diff", "rmsea_diff", "cfi_diff")


@dataclass(frozen=True)
class FitMeasures:
    """lavaan's ``fitMeasures`` for an ML fit (standard test statistic).

    Attributes
    ----------
    chisq, df, p_value : float, int, float
        Model chi-square (N times the minimum of the ML discrepancy), its degrees of freedom and
        p-value (NaN when df is 0).
    baseline_chisq, baseline_df : float, int
        Chi-square of the independence model (free means and variances, no covariances).
    cfi, tli : float
        Comparative fit and Tucker-Lewis indices.
    logl, unrestricted_logl : float
        Log-likelihood of the model and of the saturated model.
    aic, bic, bic2 : float
        Information criteria; ``bic2`` is the sample-size adjusted BIC (n* = (n + 2) / 24).
    rmsea, rmsea_ci_low, rmsea_ci_high, rmsea_p_value : float
        RMSEA, its 90% interval and the p-value of the test of close fit (RMSEA <= .05).
    srmr : float
        Bentler's standardized root mean square residual (with the means when the model has a
        mean structure, as lavaan computes it).
    npar, n : int
        Free parameters and observations used.
    """

    chisq: float
    df: int
    p_value: float
    baseline_chisq: float
    baseline_df: int
    cfi: float
    tli: float
    logl: float
    unrestricted_logl: float
    aic: float
    bic: float
    bic2: float
    rmsea: float
    rmsea_ci_low: float
    rmsea_ci_high: float
    rmsea_p_value: float
    srmr: float
    npar: int
    n: int

    def to_series(self) -> pd.Series:
        """All measures as a Series named by measure."""
        return pd.Series({f.name: getattr(self, f.name) for f in fields(self)}, dtype=object)

    def summary(self) -> str:
        return "\n".join(fit_lines(self))

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return html_table(self.to_series().to_frame("value"), "Fit measures")


@dataclass(frozen=True)
class CFAResult:
    """A maximum-likelihood CFA fit.

    Attributes
    ----------
    model : dict
        Factor -> tuple of its items, as fitted.
    factors, items : tuple of str
        Factor and item names; items in model order (lavaan's order).
    groups : tuple or None
        Group labels in order of first appearance, or None for a single group.
    n_obs : tuple of int
        Observations used per group.
    n, n_input : int
        Observations used in all, and rows in the data (before listwise deletion).
    k : int
        Number of items.
    missing, invariance : str or None
        How missing answers were handled; the invariance constraints (None for one group).
    std_lv : bool
        Whether factors were identified by unit variance instead of marker items.
    converged : bool
    iterations : int
    fit : FitMeasures
    vcov : DataFrame or None
        Covariance matrix of the free parameters (None when it could not be computed), labelled
        as lavaan labels them (``visual=~x2``, ``.g2`` for the second group).
    warnings : tuple of str
        Problems found: non-convergence, singular information, Heywood cases.
    estimator : str
        ``"ml"``, or ``"wlsmv"``, ``"dwls"``, ``"ulsmv"`` for ordinal items (then ``fit`` is an
        :class:`~colead.psychometrics.cfa.ordinal_results.OrdinalFitMeasures`, ``parameters`` has
        lavaan's threshold (``|``), scale-factor (``~*~``) and derived residual-variance rows,
        and the covariance tables hold polychoric and implied correlations).

    Tidy tables (built on first access): ``parameters``, ``loadings``, ``residual_variances``,
    ``factor_covariances``, ``factor_correlations``, ``intercepts``, ``implied_covariance``,
    ``sample_covariance``; see each for its columns.
    """

    model: Mapping[str, tuple[str, ...]]
    factors: tuple[str, ...]
    items: tuple[str, ...]
    groups: tuple[Hashable, ...] | None
    n_obs: tuple[int, ...]
    n: int
    n_input: int
    k: int
    missing: str
    invariance: str | None
    std_lv: bool
    converged: bool
    iterations: int
    fit: FitMeasures
    vcov: pd.DataFrame | None = field(repr=False)
    warnings: tuple[str, ...] = ()
    _spec: Any = field(default=None, repr=False, compare=False)
    _raw: Any = field(default=None, repr=False, compare=False)
    #: How the estimator turns its estimates into parameter-table columns (ML by default).
    _columns: Any = field(default=None, repr=False, compare=False)
    estimator: str = "ml"

    @property
    def parameters(self) -> pd.DataFrame:
        """One row per model parameter, as lavaan's ``parameterEstimates(standardized = TRUE)``.

        Columns: ``group`` (with several groups), ``lhs``, ``op`` (``=~`` loading, ``~~``
        (co)variance, ``~1`` intercept or latent mean), ``rhs``, ``free`` (False for fixed
        parameters, whose ``se`` is 0 and ``z``, ``p_value`` NaN), ``estimate``, ``se``, ``z``,
        ``p_value``, ``ci_low``, ``ci_high`` (95% Wald), ``std_lv`` (factors standardized) and
        ``std_estimate`` (lavaan's ``std.all``: factors and items standardized).
        """
        return self._table.copy()

    @cached_property
    def _table(self) -> pd.DataFrame:
        spec = self._spec
        cols = (self._columns or engine.parameter_columns)(spec, self._raw)
        frame = pd.DataFrame(
            {
                "lhs": list(spec.lhs),
                "op": list(spec.op),
                "rhs": list(spec.rhs),
                "free": spec.free >= 0,
                **cols,
            }
        )
        if self.groups is not None:
            frame.insert(0, "group", [self.groups[g] for g in spec.group])
        return frame

    def _rows(self, op: str, *, items: bool) -> pd.DataFrame:
        par = self._table
        names = set(self.items if items else self.factors)
        return par[(par["op"] == op) & par["lhs"].isin(names)].reset_index(drop=True)

    @property
    def loadings(self) -> pd.DataFrame:
        """Loadings: ``[group,] factor, item, free, estimate, se, z, p_value, ci_low, ci_high,
        std_lv, std_estimate`` (``std_estimate`` is the completely standardized loading)."""
        rows = self._rows("=~", items=False).drop(columns="op")
        return rows.rename(columns={"lhs": "factor", "rhs": "item"})

    @property
    def residual_variances(self) -> pd.DataFrame:
        """Residual (unique) variances: ``[group,] item, free, estimate, se, z, p_value,
        ci_low, ci_high, std_lv, std_estimate`` (``std_estimate`` = 1 - R squared)."""
        rows = self._rows("~~", items=True)
        return rows.drop(columns=["op", "rhs"]).rename(columns={"lhs": "item"})

    @property
    def thresholds(self) -> pd.DataFrame:
        """Thresholds of ordinal items (empty for ML): ``[group,] item, threshold, free,
        estimate, se, z, p_value, ci_low, ci_high, std_lv, std_estimate``."""
        par = self._table
        rows = par[par["op"] == "|"].drop(columns="op").rename(columns={"lhs": "item"})
        rows.insert(rows.columns.get_loc("item") + 1, "threshold", rows.pop("rhs").str[1:])
        return rows.astype({"threshold": int}).reset_index(drop=True)

    @property
    def intercepts(self) -> pd.DataFrame:
        """Item intercepts and latent means (empty without a mean structure): ``[group,] lhs,
        free, estimate, se, z, p_value, ci_low, ci_high, std_lv, std_estimate``."""
        par = self._table
        return par[par["op"] == "~1"].drop(columns=["op", "rhs"]).reset_index(drop=True)

    def _factor_matrix(self, column: str) -> pd.DataFrame:
        par = self._rows("~~", items=False)
        m = len(self.factors)
        pos = {f: j for j, f in enumerate(self.factors)}
        groups = self.groups if self.groups is not None else (None,)
        blocks = []
        for label in groups:
            sub = par if label is None else par[par["group"] == label]
            mat = np.full((m, m), np.nan)
            for lhs, rhs, value in zip(sub["lhs"], sub["rhs"], sub[column], strict=True):
                mat[pos[lhs], pos[rhs]] = mat[pos[rhs], pos[lhs]] = value
            blocks.append(pd.DataFrame(mat, index=list(self.factors), columns=list(self.factors)))
        if self.groups is None:
            return blocks[0]
        return pd.concat(blocks, keys=list(self.groups), names=["group", "factor"])

    @property
    def factor_covariances(self) -> pd.DataFrame:
        """Factor variances and covariances, factors x factors (row index ``(group, factor)``
        with several groups)."""
        return self._factor_matrix("estimate")

    @property
    def factor_correlations(self) -> pd.DataFrame:
        """Factor correlations, factors x factors (row index ``(group, factor)`` with groups)."""
        return self._factor_matrix("std_estimate")

    def loading_matrix(
        self, *, standardized: bool = False, group: Hashable | None = None
    ) -> pd.DataFrame:
        """Loadings as an items x factors matrix (0 where an item does not load).

        ``standardized=True`` gives the completely standardized loadings; ``group`` picks a
        group (the first by default).
        """
        rows = self.loadings
        if self.groups is not None:
            label = self.groups[0] if group is None else group
            if label not in self.groups:
                raise InvalidParameterError(
                    f"Unknown group {label!r}; groups: {list(self.groups)}."
                )
            rows = rows[rows["group"] == label]
        mat = pd.DataFrame(0.0, index=list(self.items), columns=list(self.factors))
        col = "std_estimate" if standardized else "estimate"
        for f, i, v in zip(rows["factor"], rows["item"], rows[col], strict=True):
            mat.loc[i, f] = v
        return mat

    def _moment_frame(self, arrays: np.ndarray) -> pd.DataFrame:
        items = list(self.items)
        if self.groups is None:
            return pd.DataFrame(arrays[0], index=items, columns=items)
        blocks = [pd.DataFrame(a, index=items, columns=items) for a in arrays]
        return pd.concat(blocks, keys=list(self.groups), names=["group", "item"])

    @property
    def implied_covariance(self) -> pd.DataFrame:
        """Model-implied item covariances (row index ``(group, item)`` with groups)."""
        return self._moment_frame(self._raw["sigma"])

    @property
    def sample_covariance(self) -> pd.DataFrame:
        """Item covariances the model was fitted to (divisor n; EM estimates under FIML)."""
        return self._moment_frame(self._raw["moments"].cov)

    def summary(self) -> str:
        """The fit as text: data, fit measures and the parameter table, lavaan style."""
        ident = "unit factor variances" if self.std_lv else "marker items"
        method = "maximum likelihood" if self.estimator == "ml" else self.estimator.upper()
        head = [
            f"Confirmatory factor analysis ({method})",
            f"  {len(self.factors)} factor{'s' if len(self.factors) > 1 else ''}, {self.k} items, "
            f"n = {self.n} ({self.n_input} rows in the data), missing: {self.missing}",
            f"  {'converged' if self.converged else 'DID NOT CONVERGE'} after {self.iterations} "
            f"iterations; identification: {ident}",
        ]
        if self.groups is not None:
            sizes = ", ".join(f"{g} ({n})" for g, n in zip(self.groups, self.n_obs, strict=True))
            head.append(f"  groups: {sizes}; invariance: {self.invariance}")
        lines = [*head, "", *self.fit.summary().split("\n"), "", *parameter_lines(self._table)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        f = self.fit
        chisq, cfi, rmsea = (
            getattr(f, "chisq_scaled", np.nan),
            getattr(f, "cfi_scaled", np.nan),
            getattr(f, "rmsea_scaled", np.nan),
        )
        scaled = bool(np.isfinite(chisq))
        if not scaled:
            chisq, cfi, rmsea = f.chisq, f.cfi, f.rmsea
        method = "" if self.estimator == "ml" else f" ({self.estimator.upper()})"
        caption = (
            f"CFA{method}: {len(self.factors)} factors, {self.k} items, n = {self.n}, "
            f"{'scaled ' if scaled else ''}chi-square {chisq:.3f} on {f.df} df, CFI {cfi:.3f}, "
            f"RMSEA {rmsea:.3f}, SRMR {f.srmr:.3f}"
        )
        warn = "".join(f"<p>warning: {escape(w)}</p>" for w in self.warnings)
        return html_table(self._table, caption) + warn


@dataclass(frozen=True)
class InvarianceResult:
    """Measurement invariance tested step by step (lavaan ``group.equal`` + ``lavTestLRT``).

    Attributes
    ----------
    levels : tuple of str
        The levels that were fitted, in order; fitting stops after the first level whose
        chi-square difference test against the previous level rejects at ``alpha``.
    fits : dict
        Level -> :class:`CFAResult`; ``result["metric"]`` gives the same.
    comparison : DataFrame
        One row per fitted level: ``npar, df, chisq, p_value, cfi, tli, rmsea, srmr, aic, bic``
        and, against the previous level, ``chisq_diff, df_diff, p_value_diff, rmsea_diff``
        (lavTestLRT's RMSEA of the difference) and ``cfi_diff`` (this CFI minus the previous).
    supported : str
        The most constrained level whose difference test did not reject.
    failed : str or None
        The level whose test rejected (None when every requested level held).
    requested : tuple of str
        The levels asked for.
    alpha : float
        Level of the difference tests (0.05).
    """

    levels: tuple[str, ...]
    fits: Mapping[str, CFAResult] = field(repr=False)
    comparison: pd.DataFrame = field(repr=False)
    supported: str
    failed: str | None
    requested: tuple[str, ...]
    alpha: float = 0.05

    def __getitem__(self, level: str) -> CFAResult:
        return self.fits[level]

    def summary(self) -> str:
        """The comparison table as text, and the conclusion."""
        cols = ["df", "chisq", "cfi", "rmsea", "chisq_diff", "df_diff", "p_value_diff", "cfi_diff"]
        if "chisq_scaled" in self.comparison.columns:  # ordinal: the scaled statistics
            cols[1:4] = ["chisq_scaled", "cfi_scaled", "rmsea_scaled"]
        table = self.comparison[cols].to_string(float_format=lambda v: f"{v:.4g}")
        end = (
            f"{self.failed} invariance rejected (p < {self.alpha}); supported: {self.supported}"
            if self.failed
            else f"all requested levels hold; supported: {self.supported}"
        )
        return "\n".join(["Measurement invariance (chi-square difference tests)", table, end])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        end = f"supported: {self.supported}" + (f"; rejected: {self.failed}" if self.failed else "")
        return html_table(self.comparison, f"Measurement invariance; {end}")

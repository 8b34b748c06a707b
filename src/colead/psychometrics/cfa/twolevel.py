"""Two-level confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa(model, data,
cluster = )`` with ``level: 1`` and ``level: 2`` blocks.

Reached through :func:`colead.cfa` with ``cluster=``; the public names here are the result
classes :class:`TwoLevelCFAResult` and :class:`TwoLevelFitMeasures`.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property
from html import escape
from typing import Any

import numpy as np
import pandas as pd

from colead.exceptions import ColeadWarning, InsufficientDataError
from colead.psychometrics.cfa import twolevel_fit as tfit
from colead.psychometrics.cfa import twolevel_input as tinput
from colead.psychometrics.cfa import twolevel_model as tmodel
from colead.psychometrics.cfa import twolevel_stats as tstats
from colead.psychometrics.cfa.model import parameter_columns
from colead.psychometrics.cfa.summary import fit_lines, html_table, parameter_lines

__all__ = ["TwoLevelCFAResult", "TwoLevelFitMeasures", "fit_two_level"]

_LEVELS = tmodel.LEVEL_NAMES


@dataclass(frozen=True)
class TwoLevelFitMeasures:
    """lavaan's ``fitMeasures`` of a two-level ML fit (standard test).

    Attributes
    ----------
    chisq, df, p_value : float, int, float
        2 (logl_H1 - logl) (0 when negative), with H1 the saturated two-level model; its
        degrees of freedom (p(p + 1) + p moments minus free parameters) and p-value.
    baseline_chisq, baseline_df : float, int
        The same for the baseline model (uncorrelated items at both levels).
    cfi, tli, rmsea, rmsea_ci_low, rmsea_ci_high, rmsea_p_value : float
        As for one level, with n the number of respondents.
    logl, unrestricted_logl, aic, bic, bic2 : float
    srmr, srmr_within, srmr_between : float
        SRMR of the within- and between-level correlations, and their sum (lavaan's ``srmr``).
    npar, n, n_clusters : int
        Free parameters, respondents and clusters used.
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
    srmr_within: float
    srmr_between: float
    npar: int
    n: int
    n_clusters: int

    def to_series(self) -> pd.Series:
        """All measures as a Series named by measure."""
        return pd.Series({f.name: getattr(self, f.name) for f in fields(self)}, dtype=object)

    def summary(self) -> str:
        return "\n".join(
            [
                *fit_lines(self),
                f"SRMR within {self.srmr_within:.3f}, between "
                f"{self.srmr_between:.3f}; {self.n_clusters} clusters",
            ]
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        return html_table(self.to_series().to_frame("value"), "Fit measures")


@dataclass(frozen=True)
class TwoLevelCFAResult:
    """A two-level CFA fitted by maximum likelihood (with missing answers by full-information
    ML when ``missing == "ml"``).

    Attributes
    ----------
    within, between : dict
        Factor -> tuple of its items at each level, as fitted.
    items : tuple of str
        The items, in model order (every item is modelled at both levels).
    cluster : column name
    n, n_input : int
        Respondents used (rows with a cluster, complete ones under listwise deletion, those
        with at least one answer under ``missing="ml"``) and rows in the data.
    n_incomplete, n_no_cluster : int
        Rows with a cluster left out for missing answers (any under listwise deletion, every
        item under ``missing="ml"``), and rows left out for a missing cluster.
    n_clusters, n_singletons : int
        Clusters used, and how many of them hold one respondent (with complete data they
        inform the between level only).
    cluster_sizes : tuple of int
        Smallest, median and largest cluster size.
    k : int
    missing : str
        ``"listwise"`` or ``"ml"``.
    std_lv, converged : bool
    iterations : int
    fit : TwoLevelFitMeasures
    vcov : DataFrame or None
        Covariance matrix of the free parameters, labelled as lavaan labels them
        (``f=~y2``; ``f=~y2.l2`` at the between level); None when it could not be computed.
    dropped_rows : DataFrame
        Every row of the data left out: ``row`` (its index label) and ``reason`` (no cluster;
        an item unanswered, under listwise deletion; no item answered, under
        ``missing="ml"``).
    warnings : tuple of str

    Tidy tables (built on first access): ``parameters``, ``loadings``, ``residual_variances``,
    ``intercepts``, ``factor_covariances``, ``factor_correlations``, ``implied_covariance``,
    ``sample_covariance``.
    """

    within: Mapping[str, tuple[str, ...]]
    between: Mapping[str, tuple[str, ...]]
    items: tuple[str, ...]
    cluster: Hashable
    n: int
    n_input: int
    n_incomplete: int
    n_no_cluster: int
    n_clusters: int
    n_singletons: int
    cluster_sizes: tuple[int, int, int]
    k: int
    missing: str
    std_lv: bool
    converged: bool
    iterations: int
    fit: TwoLevelFitMeasures
    vcov: pd.DataFrame | None = field(repr=False)
    dropped_rows: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"row": [], "reason": []}, dtype=object),
        repr=False,
        compare=False,
    )
    warnings: tuple[str, ...] = ()
    _spec: Any = field(default=None, repr=False, compare=False)
    _raw: Any = field(default=None, repr=False, compare=False)

    @property
    def parameters(self) -> pd.DataFrame:
        """One row per parameter, as lavaan's ``parameterEstimates(standardized = TRUE)``:
        ``level`` (``within`` / ``between``), ``lhs, op, rhs, free, estimate, se, z, p_value,
        ci_low, ci_high, std_lv, std_estimate`` (lavaan's ``std.all``, standardized with the
        level's own implied variances)."""
        return self._table.copy()

    @cached_property
    def _table(self) -> pd.DataFrame:
        spec = self._spec
        cols = parameter_columns(spec, self._raw)
        # lavaan's std.all of a residual variance is est / implied variance, which keeps a
        # value (and its sign) where a Heywood case makes the implied variance negative
        theta = np.array(spec.kind) == "theta"
        var = self._raw["sigma"][spec.group, spec.row, spec.row]
        cols["std_estimate"] = np.where(theta, cols["estimate"] / var, cols["std_estimate"])
        frame = pd.DataFrame(
            {
                "level": [_LEVELS[g] for g in spec.group],
                "lhs": list(spec.lhs),
                "op": list(spec.op),
                "rhs": list(spec.rhs),
                "free": spec.free >= 0,
                **cols,
            }
        )
        return frame

    def _rows(self, op: str, names: set[str]) -> pd.DataFrame:
        par = self._table
        return par[(par["op"] == op) & par["lhs"].isin(names)].reset_index(drop=True)

    @property
    def loadings(self) -> pd.DataFrame:
        """``level, factor, item, free, estimate, se, z, p_value, ci_low, ci_high, std_lv,
        std_estimate``."""
        rows = self._rows("=~", set(self.within) | set(self.between)).drop(columns="op")
        return rows.rename(columns={"lhs": "factor", "rhs": "item"})

    @property
    def residual_variances(self) -> pd.DataFrame:
        """``level, item, free, estimate, se, ...``; ``std_estimate`` = 1 - R squared at the
        level."""
        rows = self._rows("~~", set(self.items))
        return rows.drop(columns=["op", "rhs"]).rename(columns={"lhs": "item"})

    @property
    def intercepts(self) -> pd.DataFrame:
        """The between-level item intercepts (the item means; within-level intercepts are
        fixed at 0): ``item, free, estimate, se, ...``."""
        rows = self._rows("~1", set(self.items))
        rows = rows[rows["level"] == "between"].drop(columns=["level", "op", "rhs"])
        return rows.rename(columns={"lhs": "item"}).reset_index(drop=True)

    def _factor_matrix(self, column: str) -> pd.DataFrame:
        par = self._rows("~~", set(self.within) | set(self.between))
        blocks = []
        for level, model in zip(_LEVELS, (self.within, self.between), strict=True):
            names = list(model)
            mat = pd.DataFrame(np.nan, index=names, columns=names)
            for r in par[par["level"] == level].itertuples():
                mat.loc[r.lhs, r.rhs] = mat.loc[r.rhs, r.lhs] = getattr(r, column)
            blocks.append(mat)
        return pd.concat(blocks, keys=list(_LEVELS), names=["level", "factor"])

    @property
    def factor_covariances(self) -> pd.DataFrame:
        """Factor (co)variances per level; row index ``(level, factor)``."""
        return self._factor_matrix("estimate")

    @property
    def factor_correlations(self) -> pd.DataFrame:
        """Factor correlations per level; row index ``(level, factor)``."""
        return self._factor_matrix("std_estimate")

    def _level_frames(self, arrays: Any) -> pd.DataFrame:
        items = list(self.items)
        blocks = [pd.DataFrame(a, index=items, columns=items) for a in arrays]
        return pd.concat(blocks, keys=list(_LEVELS), names=["level", "item"])

    @property
    def implied_covariance(self) -> pd.DataFrame:
        """Model-implied within and between covariance matrices; row index ``(level, item)``."""
        return self._level_frames(self._raw["sigma"])

    @property
    def sample_covariance(self) -> pd.DataFrame:
        """The saturated model's within and between covariance matrices (lavaan's ``h1``, which
        ``lavInspect(fit, "sampstat")`` shows); row index ``(level, item)``."""
        h1 = self._raw["h1"]
        return self._level_frames((h1.within, h1.between))

    def summary(self) -> str:
        """The fit as text: data, fit measures and the parameters of each level."""
        low, mid, high = self.cluster_sizes
        ml = self.missing == "ml"
        method = "full-information maximum likelihood" if ml else "maximum likelihood"
        left = "without any answer" if ml else "incomplete"
        head = [
            f"Two-level confirmatory factor analysis ({method})",
            f"  {self.k} items; n = {self.n} respondents in {self.n_clusters} clusters of "
            f"{low} to {high} (median {mid}), {self.n_singletons} of them with one "
            f"respondent; {self.n_input} rows in the data ({self.n_incomplete} {left}, "
            f"{self.n_no_cluster} without a cluster, left out)",
            f"  {'converged' if self.converged else 'DID NOT CONVERGE'} after "
            f"{self.iterations} iterations",
        ]
        lines = [*head, "", self.fit.summary(), ""]
        for level in _LEVELS:
            sub = self._table[self._table["level"] == level].drop(columns="level")
            lines += [f"Level {level}:", *parameter_lines(sub)[1:], ""]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines).rstrip()

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        f = self.fit
        caption = (
            f"Two-level CFA: {self.k} items, n = {self.n} in {self.n_clusters} clusters, "
            f"chi-square {f.chisq:.3f} on {f.df} df, CFI {f.cfi:.3f}, RMSEA {f.rmsea:.3f}, "
            f"SRMR within {f.srmr_within:.3f}, between {f.srmr_between:.3f}"
        )
        warn = "".join(f"<p>warning: {escape(w)}</p>" for w in self.warnings)
        return html_table(self._table, caption) + warn


def fit_two_level(
    data: pd.DataFrame,
    model: Any,
    *,
    cluster: Hashable,
    missing: str = "listwise",
    std_lv: bool = False,
    stacklevel: int = 3,
) -> TwoLevelCFAResult:
    """Fit a two-level CFA (see :func:`colead.cfa`, parameters ``cluster`` and ``missing``)."""
    within, between, items = tinput.split_model(model, data)
    y, codes, counts, dropped = tinput.arrays(data, items, cluster, missing)
    spec = tmodel.build_spec(within, between, items, std_lv=std_lv)
    if len(y) == 0:
        rows = "complete rows" if missing == "listwise" else "rows with an answer"
        raise InsufficientDataError(f"No {rows} with a cluster to fit.")
    if missing == "ml":
        from colead.psychometrics.cfa import twolevel_fiml as tfiml
        from colead.psychometrics.cfa import twolevel_missing as tmiss

        if counts["n_incomplete"]:
            warnings.warn(
                f"cfa: {counts['n_incomplete']} rows without any answer are left out.",
                ColeadWarning,
                stacklevel=stacklevel,
            )
        mst = tmiss.missing_clusters(y, codes)
        tinput.check_missing_data(mst, y, codes, items, spec.npar)
        raw = tfiml.fit(spec, mst, y, codes)
        h1, baseline, sizes = raw["h1"], raw["baseline_logl"], mst.cluster_size
    else:
        st = tstats.cluster_stats(y, codes)
        tinput.check_data(st, items, spec.npar)
        h1 = tstats.saturated(st)
        raw = tmodel.fit(spec, st, h1)
        raw["h1"] = h1
        raw["mean_inverse_cluster_size"] = float(np.mean(1.0 / st.cluster_size))
        baseline, sizes = tmodel.baseline_logl(st, h1, items), st.cluster_size
    measures = tfit.measures(
        logl=raw["logl"],
        h1=h1,
        baseline_logl=baseline,
        npar=spec.npar,
        p=len(items),
        n=len(y),
        n_clusters=len(sizes),
        sigma=raw["sigma"],
    )
    problems = tfit.problems(spec, raw)
    for problem in problems:
        warnings.warn(f"cfa: {problem}.", ColeadWarning, stacklevel=stacklevel)
    vcov = None
    if raw["vcov"] is not None:
        names = tmodel.free_labels(spec)
        vcov = pd.DataFrame(raw["vcov"], index=names, columns=names)
    return TwoLevelCFAResult(
        within={f: tuple(v) for f, v in within.items()},
        between={f: tuple(v) for f, v in between.items()},
        items=items,
        cluster=cluster,
        n=len(y),
        n_clusters=len(sizes),
        n_singletons=int((sizes == 1).sum()),
        cluster_sizes=(int(sizes.min()), int(np.median(sizes)), int(sizes.max())),
        k=len(items),
        missing=missing,
        std_lv=std_lv,
        converged=raw["converged"],
        iterations=raw["iterations"],
        fit=TwoLevelFitMeasures(**measures),
        vcov=vcov,
        dropped_rows=dropped,
        warnings=tuple(problems),
        _spec=spec,
        _raw=raw,
        **counts,
    )

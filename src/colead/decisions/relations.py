"""Ni, Yan & Pounder (2018): is another stakeholder's influence supportive of, or inhibiting,
the principal's own? One regression per decision zone.

:func:`influence_relations` regresses the outcome stakeholder's influence (the principal's)
on every other stakeholder's influence over the same zone, with principal and school controls,
and labels each coefficient ``supportive`` (positive and significant), ``inhibiting``
(negative and significant) or ``none``. Standard errors come from the survey's replicate
weights (as NCES data require), from Taylor linearisation with final weights (and the
design's clusters and strata), cluster-robust (t on G - 1 df), or plain OLS, each matching R.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from colead._validation import check_number, check_option
from colead.decisions import _kernels as grid_kernels
from colead.decisions import _relations_design as rd
from colead.decisions import _relations_kernels as kernels
from colead.decisions.weights import (
    ReplicateDesign,
    ReplicateMethod,
)
from colead.exceptions import ColeadWarning, InvalidParameterError
from colead.instrument import Instrument
from colead.io.responses import Responses
from colead.privacy import check_min_n, suppress
from colead.psychometrics.scoring import _frame_and_instrument

if TYPE_CHECKING:
    import os

__all__ = ["RELATION_COLUMNS", "influence_relations"]

_F = "influence_relations"
#: The columns of the table :func:`influence_relations` returns.
RELATION_COLUMNS: tuple[str, ...] = (
    "zone",
    "stakeholder",
    "n",
    "estimate",
    "std_estimate",
    "se",
    "df",
    "ci_low",
    "ci_high",
    "ci_level",
    "p_value",
    "p_adjusted",
    "relation",
    "se_method",
    "suppressed",
)
_ADJUST_ALIASES = {
    "bonferroni": "bonferroni",
    "bonf": "bonferroni",
    "holm": "holm",
    "hochberg": "hochberg",
    "BH": "BH",
    "fdr_bh": "BH",
    "fdr": "BH",
    "BY": "BY",
    "fdr_by": "BY",
}


def influence_relations(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
    *,
    outcome: str = "principal",
    stakeholders: Sequence[str] | None = None,
    zones: Sequence[str] | None = None,
    controls: Sequence[str] = (),
    weights: str | Any = None,
    replicate_weights: Sequence[str] | Any = None,
    replicate_method: ReplicateMethod = "BRR",
    fay: float = 0.5,
    mse: bool = False,
    cluster: str | Any = None,
    strata: str | Any = None,
    alpha: float = 0.05,
    adjust: str | None = None,
    min_n: int = 5,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Supportive and inhibiting influence (Ni, Yan & Pounder 2018): one OLS per zone.

    In each zone, the outcome stakeholder's influence (the principal's) is regressed on the
    influence of every other stakeholder over the same zone, plus ``controls``. A positive,
    significant coefficient makes the stakeholder ``supportive`` of the principal's
    influence; a negative one ``inhibiting``; otherwise ``none``.

    Parameters
    ----------
    data : Responses or DataFrame
        One row per respondent (principal) with the grid's items, and for a DataFrame any
        control, weight and cluster columns.
    instrument : str, path or Instrument, optional
        Needed for a DataFrame. It must have an influence grid.
    outcome : str, default "principal"
        The stakeholder whose influence is explained.
    stakeholders : sequence of str, optional
        The predictor stakeholders (default: every other stakeholder of the grid).
    zones : sequence of str, optional
        The zones to model (default: every zone the outcome is asked about).
    controls : sequence of str, default ()
        Columns of ``data`` entered as controls (the principal's experience, school level,
        enrolment, ...). Items on a categorical scale, and text columns, enter as treatment
        dummies with the lowest level as reference (R's ``factor``); others as numbers.
    weights : str or array-like, optional
        Final (full-sample) weights: a column of ``data`` or one value per row.
    replicate_weights : sequence of str, array-like, DataFrame or ReplicateDesign, optional
        Full replicate weights (columns of ``data``, or an n x R matrix), or a
        :class:`~colead.decisions.weights.ReplicateDesign` (which brings its own final weights).
    replicate_method : {'BRR', 'Fay', 'JK1', 'JK2'}, default 'BRR'
        How the replicate weights were made (SASS: BRR).
    fay : float, default 0.5
        Fay's rho, for ``replicate_method='Fay'``.
    mse : bool, default False
        Centre replicate estimates at the full-sample estimate (R's ``mse``).
    cluster : str or array-like, optional
        Cluster ids (a column or one per row) for cluster-robust errors; with ``weights``
        (and no replicates) the clusters are the design's PSUs. Not with replicate weights.
    strata : str or array-like, optional
        The design's strata (a column or one per row), with ``weights`` and no replicate
        weights: the linearised errors are then stratified, as ``svydesign(ids, strata,
        weights)``. A cluster id met in two strata counts as two PSUs (``nest = TRUE``); a
        stratum holding a single PSU is an error.
    alpha : float, default 0.05
        Significance level of the labels; intervals are at level ``1 - alpha``.
    adjust : {'bonferroni', 'holm', 'hochberg', 'BH', 'BY'}, optional
        Adjust p-values over the whole zone x stakeholder family (R's ``p.adjust``; also
        'bonf', 'fdr_bh', 'fdr_by'); labels then use the adjusted p-values.
    min_n : int, default 5
        Zone models with fewer complete rows are suppressed.
    allow_small_groups : bool, default False

    Returns
    -------
    DataFrame
        One row per zone and predictor stakeholder: ``zone, stakeholder, n, estimate,
        std_estimate, se, df, ci_low, ci_high, ci_level, p_value, p_adjusted, relation,
        se_method, suppressed``. ``std_estimate`` is ``estimate * sd(x) / sd(y)`` over the
        model's rows (weighted when weights are given); ``p_adjusted`` equals ``p_value``
        without ``adjust``; ``df`` is the t distribution's degrees of freedom.

    Raises
    ------
    InvalidParameterError
        For a bad option or a column that does not exist.
    InsufficientDataError
        When a zone's model cannot be estimated because its predictors are collinear (or
        one is constant). A zone with no more complete rows than coefficients gets rows
        with missing estimates instead.

    Warns
    -----
    ColeadWarning
        When replicate fits are singular and are left out of the variance (as R does).

    Notes
    -----
    Rows missing any variable of a zone's model are left out of that zone's model
    (listwise, as R's ``na.omit``). The standard errors, each validated against R to 1e-6
    for estimates and 1e-4 for standard errors (tests/reference/influence/):

    - replicate weights: ``survey::svyglm`` on ``svrepdesign(type = replicate_method,
      combined.weights = TRUE)``: every replicate refitted (one batched solve for all),
      ``svrVar`` of the replicate coefficients, t on ``degf + 1 - p`` df.
    - weights only: ``svyglm`` on ``svydesign(ids = ~cluster or ~1, strata = ~strata or
      none, weights = ~w)`` (stratified Taylor linearisation), t on the design's df as
      survey counts them: PSUs (clusters, or rows) minus strata among the rows used, plus
      1, minus p. Leaving out the strata of a stratified sample changes the standard errors
      (by 0.89-1.05x on the reference data) and the df.
    - cluster only: ``sandwich::vcovCL`` (HC1), t on G - 1 df with G the clusters among the
      model's rows: ``lmtest::coeftest(df = G - 1)``, as Stata and :func:`colead.regress`
      (coeftest's own default for ``lm`` is n - p, which treats the clustered errors as if
      there were n independent pieces of information: too liberal with few clusters).
    - neither: ``lm``.

    The per-zone OLS with the principal's influence as outcome, the labels by the sign of
    the coefficient and the control set follow Ni, Yan & Pounder (2018); the paper's
    significance rule is not known, so colead's is two-sided ``p < alpha``. The
    standardized estimate, the family-wise adjustment and the variance options are
    colead's additions. Correlated ratings by one respondent can inflate positive
    associations (common-source bias); read "supportive" with that in mind.
    """
    frame, inst = _frame_and_instrument(data, instrument, _F)
    gd = grid_kernels.grid_data(frame, inst, _F)
    out_i = _stakeholder(outcome, gd.stakeholders, "outcome")
    predictors = _predictors(stakeholders, gd.stakeholders, outcome)
    zone_list = _zones(zones, gd, out_i)
    check_number(alpha, "alpha", _F, low=0, high=1, low_open=True, high_open=True)
    method = None
    if adjust is not None:
        method = _ADJUST_ALIASES[check_option(adjust, "adjust", _F, tuple(_ADJUST_ALIASES))]
    min_n = check_min_n(min_n, _F, allow_small_groups=allow_small_groups)
    n = len(frame)
    control_blocks = [rd.control(frame, inst, name) for name in controls]
    design, w = rd.weights(frame, weights, replicate_weights, replicate_method, fay, mse, n)
    codes = rd.cluster(frame, cluster, n, design)
    strata_codes = rd.strata(frame, strata, n, design, w)
    psu = None if w is None or design is not None else rd.psus(frame, strata_codes, codes,
                                                               strata, n)
    se_method = (
        f"replicate ({design.method})"
        if design is not None
        else "linearization (stratified)"
        if strata_codes is not None
        else "linearization"
        if w is not None
        else "cluster (CR1)"
        if codes is not None
        else "ols"
    )
    rows = []
    dropped = 0
    constant: list[str] = []
    for z in zone_list:
        j = gd.zones.index(z)
        y = gd.cell(out_i, j)
        used = [s for s in predictors if gd.asked[gd.stakeholders.index(s), j]]
        cols = [gd.cell(gd.stakeholders.index(s), j) for s in used]
        complete = np.isfinite(y) & np.all(np.isfinite(np.column_stack(cols)), axis=1)
        for block in control_blocks:
            complete &= block.complete
        x, terms = rd.design_matrix(cols, used, control_blocks, complete)
        if len(x) < min_n or len(x) <= x.shape[1]:  # suppressed, or no residual df: no fit
            rows += [(z, s, len(x), np.nan, np.nan, np.nan, np.nan) for s in used]
            continue
        yc = y[complete]
        if np.ptp(yc) == 0:  # every principal gave the same rating: nothing to explain
            constant.append(z)
            rows += [(z, s, len(x), np.nan, np.nan, np.nan, np.nan) for s in used]
            continue
        fit = _fit(x, yc, complete, w, design, codes, psu, terms, z)
        dropped += fit.dropped_replicates
        k = len(used)
        weight = w[complete] if w is not None else np.ones(len(yc))
        spread = kernels.weighted_sd(np.column_stack([yc, x[:, 1 : k + 1]]), weight)
        se = np.sqrt(np.diag(fit.vcov))[1 : k + 1]
        for i, s in enumerate(used):
            rows.append(
                (
                    z,
                    s,
                    fit.n,
                    fit.coef[i + 1],
                    fit.coef[i + 1] * spread[i + 1] / spread[0],
                    se[i],
                    fit.df,
                )
            )
    if constant:
        warnings.warn(
            f"The {outcome} rating is the same for every respondent in the zone(s) "
            f"{', '.join(constant)}, so those models cannot be fitted; their rows are missing.",
            ColeadWarning,
            stacklevel=2,
        )
    if dropped:
        warnings.warn(
            f"{dropped} replicate fits were singular and were left out of the variance, as "
            "R's svrVar leaves out replicates with NA coefficients.",
            ColeadWarning,
            stacklevel=2,
        )
    return _table(rows, alpha, method, se_method, min_n, gd)


# -- arguments -----------------------------------------------------------------------------------
def _stakeholder(sid: str, known: tuple[str, ...], name: str) -> int:
    if not isinstance(sid, str) or sid not in known:
        raise InvalidParameterError(
            f"The {name!r} parameter of {_F} must be a stakeholder of the grid "
            f"({', '.join(known)}); got {sid!r}."
        )
    return known.index(sid)


def _predictors(given: Sequence[str] | None, known: tuple[str, ...], outcome: str) -> list[str]:
    if given is None:
        return [s for s in known if s != outcome]
    chosen = [given] if isinstance(given, str) else list(given)
    for s in chosen:
        _stakeholder(s, known, "stakeholders")
    if outcome in chosen or not chosen or len(set(chosen)) != len(chosen):
        raise InvalidParameterError(
            f"The 'stakeholders' of {_F} must be distinct stakeholders other than the "
            f"outcome {outcome!r}; got {chosen!r}."
        )
    return [s for s in known if s in chosen]


def _zones(given: Sequence[str] | None, gd: grid_kernels.GridData, out_i: int) -> list[str]:
    modelled = [z for j, z in enumerate(gd.zones) if gd.asked[out_i, j]]
    if given is None:
        return modelled
    chosen = [given] if isinstance(given, str) else list(given)
    unknown = [z for z in chosen if z not in modelled]
    if unknown or not chosen:
        raise InvalidParameterError(
            f"The 'zones' parameter of {_F} names {unknown or chosen!r}; the outcome is asked "
            f"about {', '.join(modelled)}."
        )
    return [z for z in gd.zones if z in chosen]


def _fit(
    x: np.ndarray,
    y: np.ndarray,
    complete: np.ndarray,
    w: np.ndarray | None,
    design: ReplicateDesign | None,
    codes: np.ndarray | None,
    psu: tuple[np.ndarray, np.ndarray] | None,
    terms: list[str],
    zone: str,
) -> kernels.Fit:
    if design is not None:
        return kernels.fit_replicates(
            x,
            y,
            design.weights[complete],
            design.replicate_weights[complete],
            scale=design.scale,
            rscales=design.rscales,
            mse=design.mse,
            degf=design.degf,
            terms=terms,
            zone=zone,
        )
    if w is not None and psu is not None:
        unit, unit_stratum = psu
        return kernels.fit_linearized(x, y, w[complete], unit[complete], unit_stratum, terms,
                                      zone)
    cl = None if codes is None else codes[complete]
    if cl is not None:
        return kernels.fit_cluster(x, y, cl, terms, zone)
    return kernels.fit_ols(x, y, terms, zone)


def _table(
    rows: list[tuple[Any, ...]],
    alpha: float,
    method: str | None,
    se_method: str,
    min_n: int,
    gd: grid_kernels.GridData,
) -> pd.DataFrame:
    table = pd.DataFrame(
        rows, columns=["zone", "stakeholder", "n", "estimate", "std_estimate", "se", "df"]
    )
    est, se, df = (table[c].to_numpy(dtype=float) for c in ("estimate", "se", "df"))
    ok = df > 0
    safe_df = np.where(ok, df, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_value = est / se
    p = np.where(ok, 2 * stats.t.sf(np.abs(t_value), safe_df), np.nan)
    half = np.where(ok, stats.t.ppf(1 - alpha / 2, safe_df), np.nan) * se
    table["ci_low"], table["ci_high"] = est - half, est + half
    table["ci_level"] = 1 - alpha
    table["p_value"] = p
    small = table["n"].to_numpy() < min_n
    family = np.where(small, np.nan, p)  # suppressed models are not part of the family
    table["p_adjusted"] = p if method is None else kernels.p_adjust(family, method)
    padj = table["p_adjusted"].to_numpy()
    relation = np.where(padj < alpha, np.where(est > 0, "supportive", "inhibiting"), "none")
    table["relation"] = pd.Series(relation, dtype=object).where(~np.isnan(padj), None)
    table["se_method"] = se_method
    table["zone"] = pd.Categorical(table["zone"], categories=gd.zones, ordered=True)
    table["stakeholder"] = pd.Categorical(
        table["stakeholder"], categories=gd.stakeholders, ordered=True
    )
    table = suppress(table, min_n=min_n, cell=["zone", "stakeholder"])
    return table[list(RELATION_COLUMNS)]

"""Confirmatory factor analysis of ordinal items by robust weighted least squares.

``cl.cfa(data, model, estimator="wlsmv")`` comes here: lavaan's ``cfa(model, data, ordered = TRUE,
estimator = "WLSMV")`` with its defaults (delta parameterization, thresholds), ``"dwls"`` (the
same estimates, standard errors and test unscaled) and ``"ulsmv"`` (unweighted least squares with
the robust corrections). With a group, ordinal measurement invariance follows Wu & Estabrook
(2016) as semTools' ``measEq.syntax(ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016")``, compared
by lavaan's scaled-and-shifted difference test (``lavTestLRT``, ``method = "satorra.2000"``).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_option
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics import _polychoric as pc
from colead.psychometrics.cfa import inputs as _cfa_input
from colead.psychometrics.cfa import nacov as _nacov
from colead.psychometrics.cfa import ordinal_model as om
from colead.psychometrics.cfa import satorra2000 as _satorra2000
from colead.psychometrics.cfa import wlsmv_fit as wf
from colead.psychometrics.cfa import wlsmv_indices as _wlsmv_indices
from colead.psychometrics.cfa.model import Moments
from colead.psychometrics.cfa.ordinal_results import NAMES, OrdinalFitMeasures, parameter_columns
from colead.psychometrics.cfa.results import CFAResult, InvarianceResult
from colead.psychometrics.polychoric import check_categories, correlation_notes, gap_notes

LEVELS = ("configural", "thresholds", "metric", "scalar")
_FUNC = "cfa"


def fit_ordinal(
    data: pd.DataFrame,
    model: Any,
    *,
    estimator: str,
    ordered: Any,
    group: Hashable | None,
    invariance: Any,
    missing: str,
    std_lv: bool,
) -> CFAResult | InvarianceResult:
    """Validate, compute the sample statistics once, fit the level(s)."""
    if missing != "listwise":
        raise InvalidParameterError(
            f"cfa with estimator={estimator!r} uses complete rows (missing='listwise'), as "
            "lavaan does for ordinal data; got missing={missing!r}."
        )
    clean = _cfa_input.check_model(model, data)
    items = [i for f in clean for i in clean[f]]
    _check_ordered(ordered, items)
    levels = _check_levels(invariance, group)
    groups, labels, n_input = _cfa_input.data_arrays(data, clean, group, "listwise")
    sample, nth, notes = _sample(groups, labels, items)
    for note in notes:
        warnings.warn(f"cfa: {note}.", ColeadWarning, stacklevel=4)
    if levels is None or isinstance(levels, str):
        return _fit_level(clean, sample, nth, labels, n_input, estimator, levels, std_lv, "", 4)
    fits: dict[str, CFAResult] = {}
    rows: list[dict[str, Any]] = []
    supported, failed = levels[0], None
    for level in levels:
        fit = _fit_level(clean, sample, nth, labels, n_input, estimator, level, True, level, 5)
        row = _comparison_row(fit)
        if fits:
            prev = fits[levels[len(fits) - 1]]
            diff = _satorra2000.difference(
                prev._raw["res"], fit._raw["res"], sample.weights, _gammas(sample)
            )
            row.update({k: diff[k] for k in ("chisq_diff", "df_diff", "p_value_diff")})
            row["cfi_diff"] = fit.fit.cfi_scaled - prev.fit.cfi_scaled  # type: ignore[attr-defined]
        rows.append(row)
        fits[level] = fit
        if len(fits) > 1:
            if row["p_value_diff"] < 0.05:
                failed = level
                break
            supported = level
    return InvarianceResult(
        levels=tuple(fits),
        fits=fits,
        comparison=pd.DataFrame(rows).set_index("level"),
        supported=supported,
        failed=failed,
        requested=levels,
    )


def _check_ordered(ordered: Any, items: list[str]) -> None:
    if ordered is None or ordered is True:
        return
    if ordered is False or isinstance(ordered, str) or not isinstance(ordered, Sequence):
        raise InvalidParameterError(
            f"The 'ordered' parameter of {_FUNC} must be True or a list of the model's items; "
            f"got {ordered!r}."
        )
    unknown = [o for o in ordered if o not in items]
    if unknown:
        raise InvalidParameterError(f"'ordered' names items that are not in the model: {unknown}.")
    continuous = [i for i in items if i not in ordered]
    if continuous:
        raise InvalidParameterError(
            "cfa with an ordinal estimator treats every item of the model as ordered; mixing "
            f"continuous items is not supported yet (not in 'ordered': {continuous})."
        )


def _check_levels(invariance: Any, group: Hashable | None) -> str | tuple[str, ...] | None:
    if invariance is None:
        return None
    if group is None:
        raise InvalidParameterError(f"The 'invariance' parameter of {_FUNC} needs 'group'.")
    if isinstance(invariance, str):
        return check_option(invariance, "invariance", _FUNC, LEVELS)
    if not isinstance(invariance, Sequence) or not invariance:
        raise InvalidParameterError(
            f"The 'invariance' parameter of {_FUNC} must be one of {LEVELS} or a sequence of "
            f"them; got {invariance!r}."
        )
    seq = tuple(check_option(v, "invariance", _FUNC, LEVELS) for v in invariance)
    ranks = [LEVELS.index(v) for v in seq]
    if any(b <= a for a, b in itertools.pairwise(ranks)):
        raise InvalidParameterError(
            "The 'invariance' sequence must go from less to more constrained without repeats "
            f"({' < '.join(LEVELS)}); got {seq}."
        )
    return seq


def _sample(
    groups: list[np.ndarray], labels: tuple[Hashable, ...] | None, items: list[str]
) -> tuple[wf.Sample, np.ndarray, list[str]]:
    """Categories from all groups together; per group thresholds, correlations and NACOV."""
    levels = [np.unique(np.concatenate([x[:, j] for x in groups])) for j in range(len(items))]
    check_categories(levels, items, _FUNC)
    notes = gap_notes(levels, items)
    ncat = np.array([len(v) for v in levels])
    empty = []
    stats = []
    for g, x in enumerate(groups):
        codes = np.column_stack([np.searchsorted(levels[j], x[:, j]) for j in range(len(items))])
        where = "" if labels is None else f" in group {labels[g]!r}"
        for j, item in enumerate(items):
            counts = np.bincount(codes[:, j], minlength=ncat[j])
            if (counts == 0).any():
                answers = ", ".join(
                    f"{_num(v)}: {n}" for v, n in zip(levels[j], counts, strict=True)
                )
                empty.append(f"{item}{where} ({answers})")
        if not empty:
            st = pc.GroupStats(codes, ncat)
            notes += correlation_notes(st, items, where)
            stats.append(st)
    if empty:
        raise InsufficientDataError(
            "Some answer categories are empty in a group, so their thresholds cannot be "
            f"estimated there (lavaan stops too): {'; '.join(empty)}. Merge each empty "
            "category with a neighbouring one in every group (for instance replace 4 by 3) "
            "and fit again."
        )
    gammas = [_nacov.nacov(st) for st in stats]
    sample = wf.Sample(
        moments=np.array([np.concatenate([st.th, st.rho]) for st in stats]),
        cor=np.array([st.cor for st in stats]),
        gamma=list(gammas),
        weights=np.array([1.0 / np.diag(gam) for gam in gammas]),
        n_obs=np.array([float(st.n) for st in stats]),
    )
    return sample, ncat - 1, notes


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def _gammas(sample: wf.Sample) -> list[np.ndarray]:
    return [g for g in sample.gamma if g is not None]


def _identification(level: str | None, std_lv: bool) -> om.Identification:
    if level is None:
        return om.Identification(std_lv=std_lv)
    rank = LEVELS.index(level)
    return om.Identification(
        std_lv=True,
        wu_estabrook=True,
        equal_thresholds=rank >= 1,
        equal_loadings=rank >= 2,
        equal_intercepts=rank >= 3,
    )


def _fit_level(
    model: dict[str, list[str]],
    sample: wf.Sample,
    nth: np.ndarray,
    labels: tuple[Hashable, ...] | None,
    n_input: int,
    estimator: str,
    level: str | None,
    std_lv: bool,
    tag: str,
    stacklevel: int,
) -> CFAResult:
    ident = _identification(level, std_lv)
    n_groups = len(sample.n_obs)
    spec = om.build_spec(
        model, nth, n_groups=n_groups, ident=ident, invariance=level or "configural"
    )
    if spec.npar > n_groups * spec.n_moments:
        raise InsufficientDataError(
            f"The model is not identified: {spec.npar} free parameters but only "
            f"{n_groups * spec.n_moments} thresholds and correlations."
        )
    use = sample
    if estimator == "ulsmv":
        use = wf.Sample(
            sample.moments, sample.cor, sample.gamma, np.ones_like(sample.weights), sample.n_obs
        )
    res = wf.fit(spec, use, estimator)
    kinds = np.array(spec.kind)
    n_free_cor = len(
        np.unique(spec.free[(spec.free >= 0) & np.isin(kinds, ("lam", "psi", "delta"))])
    )
    measures = _wlsmv_indices.measures(
        use,
        res,
        estimator,
        npar=spec.npar,
        n_free_cor=n_free_cor,
        constrained=ident.equal_thresholds or ident.equal_intercepts,
    )
    fit = OrdinalFitMeasures(
        **{k: measures[k] for k in _BASE},
        logl=np.nan,
        unrestricted_logl=np.nan,
        aic=np.nan,
        bic=np.nan,
        bic2=np.nan,
        estimator=NAMES[estimator],
        **{k: measures[k] for k in _EXTRA},
    )
    problems = _problems(spec, res, labels)
    prefix = f" ({tag})" if tag else ""
    for problem in problems:
        warnings.warn(f"cfa{prefix}: {problem}.", ColeadWarning, stacklevel=stacklevel)
    vcov = None
    if res["vcov"] is not None:
        names = spec.free_labels()
        vcov = pd.DataFrame(res["vcov"], index=names, columns=names)
    p = len(spec.items)
    raw = {
        "x": res["x"],
        "vcov": res["vcov"],
        "mats": res["mats"],
        "omega": res["omega"],
        "sigma": _wlsmv_indices.implied_correlations(res, p),
        "moments": Moments(sample.cor, np.zeros((n_groups, p)), sample.n_obs),
        "res": res,
    }
    n_obs = tuple(int(v) for v in sample.n_obs)
    return CFAResult(
        model={f: tuple(v) for f, v in model.items()},
        factors=spec.factors,
        items=spec.items,
        groups=labels,
        n_obs=n_obs,
        n=sum(n_obs),
        n_input=n_input,
        k=p,
        missing="listwise",
        invariance=(level or "configural") if labels is not None else None,
        std_lv=ident.std_lv,
        converged=res["converged"],
        iterations=res["iterations"],
        fit=fit,
        vcov=vcov,
        warnings=tuple(problems),
        _spec=spec,
        _raw=raw,
        _columns=parameter_columns,
        estimator=estimator,
    )


_BASE = (
    "chisq",
    "df",
    "p_value",
    "baseline_chisq",
    "baseline_df",
    "cfi",
    "tli",
    "rmsea",
    "rmsea_ci_low",
    "rmsea_ci_high",
    "rmsea_p_value",
    "srmr",
    "npar",
    "n",
)
_EXTRA = (
    "chisq_scaled",
    "df_scaled",
    "p_value_scaled",
    "scaling_factor",
    "shift",
    "baseline_chisq_scaled",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "rmsea_ci_low_scaled",
    "rmsea_ci_high_scaled",
    "cfi_robust",
    "tli_robust",
    "rmsea_robust",
)
_COMPARE = (
    "npar",
    "df",
    "chisq",
    "chisq_scaled",
    "p_value_scaled",
    "cfi_scaled",
    "tli_scaled",
    "rmsea_scaled",
    "cfi_robust",
    "rmsea_robust",
    "srmr",
    "cfi",
    "rmsea",
)


def _comparison_row(fit: CFAResult) -> dict[str, Any]:
    row: dict[str, Any] = {"level": fit.invariance}
    row.update({k: getattr(fit.fit, k) for k in _COMPARE})
    row.update(chisq_diff=np.nan, df_diff=np.nan, p_value_diff=np.nan, cfi_diff=np.nan)
    return row


def _problems(
    spec: om.OrdinalSpec, res: dict[str, Any], labels: tuple[Hashable, ...] | None
) -> list[str]:
    out = []
    if not res["converged"]:
        out.append(
            "the optimiser did not converge; the estimates, standard errors and fit measures "
            "are not trustworthy"
        )
    elif res["vcov"] is None:
        out.append(
            "standard errors could not be computed: the information matrix is singular, which "
            "suggests that the model is not identified"
        )
    theta = 1.0 / res["mats"]["delta"] ** 2 - np.diagonal(res["omega"], axis1=1, axis2=2)
    psi = res["mats"]["psi"]
    for g in range(spec.n_groups):
        where = f" in group {labels[g]!r}" if labels is not None else ""
        negative = [spec.items[j] for j in np.flatnonzero(theta[g] < 0)]
        if negative:
            out.append(f"negative residual variance (Heywood case){where}: {', '.join(negative)}")
        if np.linalg.eigvalsh(psi[g])[0] <= 0:
            out.append(
                f"the factor covariance matrix{where} is not positive definite "
                "(a factor variance <= 0 or a correlation beyond +-1)"
            )
    return out

"""Ordinal methods against lavaan 0.6-14, semTools 0.5-6 and psych 2.2.9 (issue 18).

References: tests/reference/ordinal/ordinal.json, written by ordinal.R from the CSV files there
(psych's bfi, a simulated 4-point data set with skewed thresholds and two regions, and one with
a category that nobody in one group chose). Tolerances: polychoric correlations and thresholds
1e-6 (absolute; lavaan's optimiser stops within 4e-8 of the maximum); estimates, standard
errors and standardized solutions 1e-4 relative (absolute 1e-5 for values near 0: lavaan's
nlminb leaves about 1e-6 in the last digits); fit measures 1e-4 relative. NA in R is NaN here.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl

REF = Path(__file__).resolve().parent / "reference" / "ordinal"
R = json.loads((REF / "ordinal.json").read_text())
BFI = pd.read_csv(REF / "bfi.csv")
SKEWED = pd.read_csv(REF / "skewed.csv")
EMPTY = pd.read_csv(REF / "empty.csv")
# ordinal.R's coarse data: binary y1..y4 (1 vs 2-4), three categories y5..y8 (1, 2, 3-4)
COARSE = SKEWED.copy()
_LOW, _HIGH = ["y1", "y2", "y3", "y4"], ["y5", "y6", "y7", "y8"]
COARSE[_LOW] = np.where(SKEWED[_LOW].isna(), np.nan, np.where(SKEWED[_LOW] > 1, 2.0, 1.0))
COARSE[_HIGH] = SKEWED[_HIGH].clip(upper=3)

MODELS = {
    "bfi_ac": {"A": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3", "C4", "C5"]},
    "big5": {f: [f"{f}{i}" for i in range(1, 6)] for f in "ACENO"},
    "skewed": {"F1": ["y1", "y2", "y3", "y4"], "F2": ["y5", "y6", "y7", "y8"]},
    "empty": {"F": [f"e{i}" for i in range(1, 7)]},
}
FIT = {
    "npar": "npar",
    "chisq": "chisq",
    "df": "df",
    "pvalue": "p_value",
    "chisq.scaled": "chisq_scaled",
    "df.scaled": "df_scaled",
    "pvalue.scaled": "p_value_scaled",
    "chisq.scaling.factor": "scaling_factor",
    "baseline.chisq": "baseline_chisq",
    "baseline.df": "baseline_df",
    "baseline.chisq.scaled": "baseline_chisq_scaled",
    "cfi": "cfi",
    "tli": "tli",
    "cfi.scaled": "cfi_scaled",
    "tli.scaled": "tli_scaled",
    "cfi.robust": "cfi_robust",
    "tli.robust": "tli_robust",
    "rmsea": "rmsea",
    "rmsea.ci.lower": "rmsea_ci_low",
    "rmsea.ci.upper": "rmsea_ci_high",
    "rmsea.pvalue": "rmsea_p_value",
    "rmsea.scaled": "rmsea_scaled",
    "rmsea.ci.lower.scaled": "rmsea_ci_low_scaled",
    "rmsea.ci.upper.scaled": "rmsea_ci_high_scaled",
    "rmsea.robust": "rmsea_robust",
    "srmr": "srmr",
}


def lower(matrix: pd.DataFrame) -> np.ndarray:
    """R's m[lower.tri(m)]: below the diagonal, column by column."""
    m = matrix.to_numpy()
    return np.concatenate([m[j + 1 :, j] for j in range(len(m) - 1)])


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cl.ColeadWarning)
        return func(*args, **kwargs)


def check_fit(fit: cl.CFAResult, ref: dict) -> None:
    for theirs, ours in FIT.items():
        want = ref["fit_measures"].get(theirs, None)
        got = getattr(fit.fit, ours)
        if want is None:
            assert np.isnan(got), f"{ours}: lavaan NA, colead {got}"
        elif theirs == "rmsea.pvalue":  # tiny p-values: noncentral chi-square tail algorithms
            assert_allclose(got, want, rtol=1e-4, atol=1e-9, err_msg=ours)
        else:
            assert_allclose(got, want, rtol=1e-4, atol=1e-12, err_msg=ours)
    if ref["shift"] is not None:
        assert_allclose(fit.fit.shift, ref["shift"], rtol=1e-4, atol=1e-6)
    want = pd.DataFrame(ref["parameters"]).rename(
        columns={"est": "r_estimate", "se": "r_se", "std_lv": "r_std_lv", "std_all": "r_std_all"}
    )
    want["group"] = want["group"].astype(str)
    got = fit.parameters
    got["group"] = got["group"].astype(str) if "group" in got else "1"
    both = want.merge(got, on=["group", "lhs", "op", "rhs"], how="outer", indicator=True)
    assert (both["_merge"] == "both").all(), both[both["_merge"] != "both"]
    for theirs, ours in (
        ("r_estimate", "estimate"),
        ("r_se", "se"),
        ("r_std_lv", "std_lv"),
        ("r_std_all", "std_estimate"),
    ):
        assert_allclose(both[ours], both[theirs], rtol=1e-4, atol=1e-5, err_msg=ours)


# -- polychoric correlations ------------------------------------------------------------------
POLY = {
    "bfi_listwise": (BFI.iloc[:, :25], "listwise"),
    "bfi_pairwise": (BFI.iloc[:, :25], "pairwise"),
    "skewed_listwise": (SKEWED.filter(like="y"), "listwise"),
    "skewed_pairwise": (SKEWED.filter(like="y"), "pairwise"),
    "empty_pooled": (EMPTY.filter(like="e"), "listwise"),
    "coarse_listwise": (COARSE.filter(like="y"), "listwise"),
}


@pytest.mark.parametrize("case", sorted(POLY))
def test_polychoric_equals_lavcor(case: str) -> None:
    data, missing = POLY[case]
    ref = R["polychoric"][case]
    got = cl.polychoric(data, missing=missing)
    assert got.n == ref["nobs"]
    assert list(got.items) == ref["items"]
    assert_allclose(lower(got.correlation), ref["cor"], rtol=0, atol=1e-6)
    th = got.thresholds
    names = [f"{i}|t{t}" for i, t in zip(th["item"], th["threshold"], strict=True)]
    assert names == ref["th_names"]
    assert_allclose(got.thresholds["estimate"], ref["th"], rtol=0, atol=1e-6)


# -- ordinal alpha, categorical omega ----------------------------------------------------------
def keyed(case: str) -> pd.DataFrame:
    ref = R["reliability"][case]
    source = SKEWED if case.startswith("skewed") else BFI
    items = source[ref["items"]].copy()
    reversed_ = ref.get("reversed") or []
    for item in [reversed_] if isinstance(reversed_, str) else reversed_:
        items[item] = 7 - items[item]
    return items


@pytest.mark.parametrize("case", sorted(R["reliability"]))
def test_ordinal_alpha_equals_psych_on_lavcor(case: str) -> None:
    ref = R["reliability"][case]
    got = cl.alpha(keyed(case), ordinal=True, nan_policy="listwise")
    assert got.ordinal and got.ci_method == "none" and np.isnan(got.ci_low)
    assert_allclose(got.alpha, ref["ordinal_alpha"], rtol=1e-6)
    assert_allclose(got.std_alpha, ref["raw_alpha"], rtol=1e-6)  # psych: raw = std for a matrix
    assert_allclose(got.g6, ref["g6"], rtol=1e-6)
    assert_allclose(got.average_r, ref["average_r"], rtol=1e-6)
    pairwise = cl.alpha(keyed(case), ordinal=True, nan_policy="pairwise")
    assert_allclose(pairwise.alpha, ref["ordinal_alpha_pairwise"], rtol=1e-6)


@pytest.mark.parametrize("case", sorted(R["reliability"]))
def test_categorical_omega_equals_comprelsem(case: str) -> None:
    ref = R["reliability"][case]
    got = quiet(cl.omega, keyed(case), ordinal=True)
    assert got.n == ref["nobs"]
    assert_allclose(got.omega_total, ref["categorical_omega"], rtol=1e-5)
    assert_allclose(got.alpha, ref["ordinal_alpha"], rtol=1e-6)
    # The categorical omega differs from the latent-scale one (compRelSEM ord.scale = FALSE).
    assert abs(got.omega_total - ref["omega_ml_scale"]) > 1e-3


# -- CFA --------------------------------------------------------------------------------------
CFA = {
    "bfi_ac_wlsmv": (BFI, "bfi_ac", {"estimator": "wlsmv"}),
    "bfi_ac_dwls": (BFI, "bfi_ac", {"estimator": "dwls"}),
    "bfi_ac_ulsmv": (BFI, "bfi_ac", {"estimator": "ulsmv"}),
    "bfi_ac_wlsmv_std_lv": (BFI, "bfi_ac", {"estimator": "wlsmv", "std_lv": True}),
    "bfi_big5_wlsmv": (BFI, "big5", {"estimator": "wlsmv"}),
    "skewed_wlsmv": (SKEWED, "skewed", {"estimator": "wlsmv"}),
    "skewed_group_wlsmv": (SKEWED, "skewed", {"estimator": "wlsmv", "group": "region"}),
    "empty_pooled_wlsmv": (EMPTY, "empty", {"estimator": "wlsmv"}),
}


@pytest.mark.parametrize("case", sorted(CFA))
def test_cfa_equals_lavaan(case: str) -> None:
    data, model, options = CFA[case]
    ref = R["cfa"][case]
    fit = quiet(cl.cfa, data, MODELS[model], **options)
    assert fit.converged
    assert list(fit.n_obs) == ([ref["nobs"]] if isinstance(ref["nobs"], int) else ref["nobs"])
    assert fit.estimator == options["estimator"]
    check_fit(fit, ref)
    # thresholds of the unconstrained model reproduce the sample thresholds exactly
    samples = ref["sample"].values() if isinstance(ref["sample"], dict) else ref["sample"]
    sample = np.concatenate([s["th"] for s in samples])
    assert_allclose(fit.thresholds["estimate"], sample, rtol=0, atol=1e-6)
    polychorics = np.concatenate([s["cov"] for s in samples])
    blocks = (
        [fit.sample_covariance]
        if fit.groups is None
        else [fit.sample_covariance.loc[g] for g in fit.groups]
    )
    assert_allclose(np.concatenate([lower(b) for b in blocks]), polychorics, rtol=0, atol=1e-6)


def test_dwls_has_no_scaled_statistics() -> None:
    fit = quiet(cl.cfa, BFI, MODELS["bfi_ac"], estimator="dwls")
    assert np.isnan(fit.fit.chisq_scaled) and np.isnan(fit.fit.cfi_robust)
    uls = quiet(cl.cfa, BFI, MODELS["bfi_ac"], estimator="ulsmv")
    assert np.isnan(uls.fit.p_value) and np.isfinite(uls.fit.p_value_scaled)


# -- invariance (Wu & Estabrook 2016) ---------------------------------------------------------
INVARIANCE = {
    "bfi_gender": (BFI, "bfi_ac", "gender"),
    "skewed_region": (SKEWED, "skewed", "region"),
    "coarse_region": (COARSE, "skewed", "region"),  # items with one and two thresholds
}
LEVELS = ("configural", "thresholds", "metric", "scalar")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("case", sorted(INVARIANCE))
def test_invariance_level_equals_measeq(case: str, level: str) -> None:
    data, model, group = INVARIANCE[case]
    ref = R["invariance"][case]["levels"][level]
    fit = quiet(cl.cfa, data, MODELS[model], estimator="wlsmv", group=group, invariance=level)
    assert fit.invariance == level and fit.std_lv
    assert [str(g) for g in fit.groups] == ref["group_labels"]
    check_fit(fit, ref)


@pytest.mark.parametrize("case", sorted(INVARIANCE))
def test_invariance_sequence_equals_lavtestlrt(case: str) -> None:
    data, model, group = INVARIANCE[case]
    lrt = R["invariance"][case]["lrt"]
    res = quiet(cl.cfa, data, MODELS[model], estimator="wlsmv", group=group, invariance=LEVELS)
    table = res.comparison
    fitted = len(res.levels)
    assert_allclose(table["df"], lrt["df"][:fitted])
    assert_allclose(table["chisq"], lrt["chisq"][:fitted], rtol=1e-6)
    for ours in ("chisq_diff", "df_diff", "p_value_diff"):
        want = np.array(lrt[ours][1:fitted], dtype=float)  # None (NA) -> NaN
        assert_allclose(table[ours].iloc[1:], want, rtol=1e-4, atol=1e-6, err_msg=ours)
    p = np.array(lrt["p_value_diff"][1:], dtype=float)
    failed = next((LEVELS[k + 1] for k in range(len(p)) if p[k] < 0.05), None)
    assert res.failed == failed
    assert res.levels == LEVELS[: (LEVELS.index(failed) + 1) if failed else 4]
    assert res.supported == LEVELS[LEVELS.index(failed) - 1] if failed else "scalar"
    assert "scaled" in res.summary() or "chisq_scaled" in res.summary()


# -- a category nobody in one group chose -------------------------------------------------------
def test_empty_category_in_a_group_stops_as_lavaan_does() -> None:
    err = R["empty"]["group_error"]
    freq = re.search(r"\[(.*)\]", err).group(1).split()  # lavaan: [27 62 61 0]
    with pytest.raises(cl.InsufficientDataError) as info:
        cl.cfa(EMPTY, MODELS["empty"], estimator="wlsmv", group="group")
    message = str(info.value)
    assert "e3 in group 'small'" in message
    assert ", ".join(f"{k}: {n}" for k, n in zip(range(1, 5), freq, strict=True)) in message
    assert "Merge" in message


def test_merged_empty_category_equals_lavaan() -> None:
    merged = EMPTY.copy()
    merged.loc[merged["e3"] == 4, "e3"] = 3
    fit = quiet(cl.cfa, merged, MODELS["empty"], estimator="wlsmv", group="group")
    check_fit(fit, R["cfa"]["empty_merged_group_wlsmv"])

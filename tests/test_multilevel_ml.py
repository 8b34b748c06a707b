"""multilevel by ML, on unbalanced schools with random slopes, and compare (likelihood-ratio
tests) against lme4 (tests/reference/relate/mixed_ml.R and mixed_ml.json).

The R fits use lme4's optimiser run to tight tolerances (the script says why); R is never run
here.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import InvalidParameterError

from .conftest import REPO

HERE = REPO / "tests" / "reference" / "relate"
with (HERE / "mixed_ml.json").open(encoding="utf-8") as handle:
    REF = json.load(handle)
FITS = {f["name"]: f for f in REF["fits"]}
TESTS = {t["name"]: t for t in REF["tests"]}
#: The requirement: equal to lme4 at 1e-6 (relative).
RTOL = 1e-6
ML_X = ["years_experience", "trust_principal", "shared_leadership", "collective_responsibility"]


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    teachers = pd.read_csv(HERE / "teachers.csv")
    unbalanced = pd.read_csv(HERE / "unbalanced.csv")
    return {
        "teachers": teachers,
        "slopes": pd.read_csv(HERE / "slopes.csv"),
        "unbalanced": unbalanced,
        "ml_data": teachers.dropna(subset=["school_id", "focused_instruction", *ML_X]),
        "ub": unbalanced.dropna(subset=["group", "y", "x", "w"]),
    }


def _fit(name: str, d: dict[str, pd.DataFrame]) -> cl.ModelResult:
    ml = {"reml": False}
    calls = {
        "ml_random_intercept": lambda: cl.multilevel(
            "focused_instruction ~ " + " + ".join(ML_X), d["teachers"], group="school_id", **ml
        ),
        "ml_centered": lambda: cl.multilevel(
            "focused_instruction ~ years_experience + trust_principal + trust_principal_group_mean",
            d["teachers"],
            group="school_id",
            center={"trust_principal": "group", "years_experience": "grand"},
            **ml,
        ),
        "ml_random_slope": lambda: cl.multilevel(
            "y ~ x + z", d["slopes"], group="group", random="x", **ml
        ),
        "unbalanced_random_slope": lambda: cl.multilevel(
            "y ~ x + w", d["unbalanced"], group="group", random="x"
        ),
        "unbalanced_random_slope_ml": lambda: cl.multilevel(
            "y ~ x + w", d["unbalanced"], group="group", random="x", **ml
        ),
        "unbalanced_centered_ml": lambda: cl.multilevel(
            "y ~ x + x_group_mean + w",
            d["unbalanced"],
            group="group",
            random="x",
            center={"x": "group"},
            **ml,
        ),
        "unbalanced_two_slopes": lambda: cl.multilevel(
            "y ~ x + v + w", d["unbalanced"], group="group", random=["x", "v"]
        ),
    }
    return calls[name]()


@pytest.mark.parametrize("name", list(FITS))
def test_fit_matches_lmer(data, name):
    # lmer(..., REML = FALSE or TRUE, control = tight): summary()$coefficients,
    # as.data.frame(VarCorr(m)), logLik, AIC, BIC, isSingular; the null model's VarCorr
    expected = FITS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = _fit(name, data)
    coef = result.coefficients
    assert list(coef["term"]) == [
        f["term"].replace("(Intercept)", "Intercept") for f in expected["fixed"]
    ]
    assert_allclose(coef["estimate"], [f["estimate"] for f in expected["fixed"]], rtol=RTOL)
    assert_allclose(coef["se"], [f["se"] for f in expected["fixed"]], rtol=RTOL)
    components = result.variance_components
    assert_allclose(
        components["estimate"], [c["variance"] for c in expected["components"]], rtol=RTOL
    )
    sd_or_cor = components["sd"].fillna(components["correlation"])
    assert_allclose(sd_or_cor, [c["sd_or_cor"] for c in expected["components"]], rtol=RTOL)
    fit = result.fit
    assert fit["method"] == ("REML" if expected["reml"] else "ML")
    assert_allclose(float(fit["loglik"]), expected["loglik"], rtol=1e-9)
    assert_allclose(float(fit["aic"]), expected["aic"], rtol=1e-9)
    assert_allclose(float(fit["bic"]), expected["bic"], rtol=1e-9)
    if expected["reml"]:
        assert fit["reml_loglik"] == fit["loglik"]
    else:
        assert np.isnan(fit["reml_loglik"])
    assert (fit["n"], fit["groups"]) == (expected["n"], expected["groups"])
    assert fit["singular"] == expected["is_singular"]
    assert_allclose(float(fit["icc_null"]), expected["null"]["icc"], rtol=RTOL)
    assert_allclose(float(fit["tau00_null"]), expected["null"]["tau00"], rtol=RTOL)
    assert_allclose(float(fit["sigma2_null"]), expected["null"]["sigma2"], rtol=RTOL)
    # colead's optimum is at least as good as lme4's (to rounding of the criterion)
    assert float(fit["loglik"]) >= expected["loglik"] - 1e-9 * abs(expected["loglik"])


def test_the_summary_names_the_method(data):
    ml = _fit("ml_random_intercept", data)
    assert ml.summary().startswith("Multilevel model (ML)")
    assert "(REML)" in _fit("unbalanced_random_slope", data).summary()


# -- compare ---------------------------------------------------------------------------------
def _compare_models(name: str, d: dict[str, pd.DataFrame]) -> list[cl.ModelResult]:
    teachers, ub = d["ml_data"], d["ub"]
    t = {
        "t0": "focused_instruction ~ years_experience",
        "t1": "focused_instruction ~ years_experience + trust_principal",
        "t2": "focused_instruction ~ " + " + ".join(ML_X),
    }

    def mixed(key: str) -> cl.ModelResult:
        return cl.multilevel(t[key], teachers, group="school_id")  # REML, refitted by compare

    u = {
        "u_ri": lambda: cl.multilevel("y ~ x + w", ub, group="group"),
        "u_rs": lambda: cl.multilevel("y ~ x + w", ub, group="group", random="x"),
        "u_ri_reml": lambda: cl.multilevel("y ~ x + w", ub, group="group"),
        "u_rs_reml": lambda: cl.multilevel("y ~ x + w", ub, group="group", random="x"),
        "u_lm": lambda: cl.regress("y ~ x + w", ub),
    }
    models = [m["name"] for m in TESTS[name]["models"]]
    return [mixed(m) if m in t else u[m]() for m in models]


@pytest.mark.parametrize("name", list(TESTS))
def test_compare_matches_anova(data, name):
    # anova(m0, m1, ...) on lme4's ML fits (what anova's refit = TRUE computes from REML
    # fits), or on REML fits with refit = FALSE; colead is given REML fits and refits
    expected = TESTS[name]
    models = _compare_models(name, data)
    refit = "refit = FALSE" not in expected["call_anova"]
    table = cl.compare(*reversed(models), refit=refit)  # colead orders by npar, as lme4
    assert list(table["npar"]) == expected["npar"]
    for column in ["aic", "bic", "loglik", "deviance"]:
        assert_allclose(table[column], expected[column], rtol=RTOL, err_msg=column)
    first = {"chisq": expected["chisq"][0], "df": expected["df"][0], "p": expected["p_value"][0]}
    assert first == {"chisq": None, "df": None, "p": None}
    assert table[["chisq", "df", "p_value"]].iloc[0].isna().all()
    assert_allclose(table["chisq"].iloc[1:], expected["chisq"][1:], rtol=RTOL)
    assert_allclose(table["df"].iloc[1:], expected["df"][1:])
    assert_allclose(table["p_value"].iloc[1:], expected["p_value"][1:], rtol=1e-5)
    methods = set(table["method"])
    assert methods <= ({"REML"} if not refit else {"ML", "OLS"})


@pytest.mark.parametrize("name", list(FITS))
def test_lmers_own_optimum_is_no_better(data, name):
    """lmer() with its default optimiser stops within 1e-4 of the optimum (random slopes) and
    never above colead's log-likelihood."""
    expected = FITS[name]["lmer_default"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = _fit(name, data)
    assert_allclose(result.coefficients["estimate"], expected["fixed"], rtol=1e-4)
    assert_allclose(result.variance_components["estimate"], expected["variance"], rtol=1e-3)
    assert float(result.fit["loglik"]) >= expected["loglik"] - 1e-9 * abs(expected["loglik"])


def test_compare_refits_by_ml_without_the_data(data):
    """The ML refit of a REML model equals fitting it by ML directly."""
    reml = cl.multilevel("y ~ x + w", data["ub"], group="group", random="x")
    ml = cl.multilevel("y ~ x + w", data["ub"], group="group", random="x", reml=False)
    refitted = reml.model.refit(reml=False)
    assert_allclose(refitted.loglik, float(ml.fit["loglik"]), rtol=1e-10)
    assert_allclose(refitted.beta, ml.coefficients["estimate"], rtol=1e-6)


def test_compare_rejects_other_rows_and_kinds(data):
    ub = data["ub"]
    m0 = cl.multilevel("y ~ x", ub, group="group")
    fewer = cl.multilevel("y ~ x", ub.iloc[10:], group="group")
    with pytest.raises(InvalidParameterError, match="other rows"):
        cl.compare(m0, fewer)
    other_y = cl.multilevel("w ~ x", ub, group="group")
    with pytest.raises(InvalidParameterError, match="other rows or another outcome"):
        cl.compare(m0, other_y)
    with pytest.raises(InvalidParameterError, match="at least two"):
        cl.compare(m0)
    weighted = cl.regress("y ~ x", ub.assign(wt=1.0), weights="wt")
    with pytest.raises(InvalidParameterError, match="cannot be compared"):
        cl.compare(m0, weighted)
    with pytest.raises(InvalidParameterError, match="must be a ModelResult"):
        cl.compare(m0, "y ~ x")
    ml = cl.multilevel("y ~ x + w", ub, group="group", reml=False)
    with pytest.raises(InvalidParameterError, match="some by ML"):
        cl.compare(m0, ml, refit=False)
    m1 = cl.multilevel("y ~ x + w", ub, group="group")
    with pytest.warns(cl.ColeadWarning, match="not comparable"):
        cl.compare(m0, m1, refit=False)


def test_reml_must_be_a_bool(data):
    with pytest.raises(InvalidParameterError, match="'reml' parameter"):
        cl.multilevel("y ~ x", data["ub"], group="group", reml="no")


def test_the_statsmodels_result_is_built_at_coleads_estimates(data):
    """ModelResult.model forwards statsmodels' MixedLMResults, evaluated (not re-optimised) at
    colead's estimates, and is built only when asked for."""
    fit = _fit("unbalanced_random_slope", data)
    model = fit.model
    assert "results" not in model._statsmodels  # nothing built by the fit itself
    assert_allclose(model.fe_params, fit.coefficients["estimate"], rtol=1e-12)
    assert_allclose(model.cov_re.to_numpy() if hasattr(model.cov_re, "to_numpy")
                    else model.cov_re, model.fitted.psi, rtol=1e-12)  # fmt: skip
    assert_allclose(model.scale, fit.fit["sigma2"], rtol=1e-12)
    assert model.model.exog.shape == (fit.fit["n"], 3)
    assert "Mixed Linear Model" in str(model.summary())
    # statsmodels' own log-likelihood at colead's estimates is lme4's REML log-likelihood
    assert_allclose(model.llf, FITS["unbalanced_random_slope"]["loglik"], rtol=1e-9)

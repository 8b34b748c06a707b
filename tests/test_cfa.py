"""Confirmatory factor analysis against lavaan 0.6-14.

References: tests/reference/psychometrics/psychometrics.json (``cfa.*`` and ``omega_sem.*``,
made by psychometrics.R with R 4.2.2, lavaan 0.6-14, semTools 0.5-6). Each case's ``prepare``
string is the R code that built the input; it is parsed here (and the parse checked to cover
it) so that the same items are reversed the same way.

Tolerances. lavaan's optimiser (nlminb, rel.tol 1e-10) stops with gradients of about 1e-6, so
its estimates are off the exact optimum by up to ~1e-5 (colead's Newton iterations reach
gradients of 1e-12; at lavaan's own estimates colead's SRMR formula reproduces lavaan's SRMR
to 1e-15). Hence: chi-squares and log-likelihoods, which are flat at the optimum, rtol 1e-7;
other fit measures rtol 1e-5; the RMSEA interval atol 1e-6 (lavaan finds its ends with
uniroot's default tolerance, 1.2e-4 on the noncentrality); estimates, standard errors, z and
standardized solutions rtol 1e-5 (atol 1e-6 for values near 0).
"""

from __future__ import annotations

import json
import re
import time
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics.cfa import fiml as _cfa_fiml
from colead.psychometrics.cfa import kernels
from colead.psychometrics.cfa import model as _cfa_model
from colead.psychometrics.cfa.fit import CFAResult, FitMeasures, InvarianceResult, cfa

from .conftest import REPO

REF = REPO / "tests" / "reference" / "psychometrics"
R = json.loads((REF / "psychometrics.json").read_text())
DATA = {name: pd.read_csv(REF / name) for name in ("teachers.csv", "holzinger_swineford_1939.csv")}
HS = DATA["holzinger_swineford_1939.csv"]
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}

# colead name -> lavaan fitMeasures name
FIT_NAMES = {
    "npar": "npar",
    "n": "ntotal",
    "chisq": "chisq",
    "df": "df",
    "p_value": "pvalue",
    "baseline_chisq": "baseline_chisq",
    "baseline_df": "baseline_df",
    "cfi": "cfi",
    "tli": "tli",
    "logl": "logl",
    "unrestricted_logl": "unrestricted_logl",
    "aic": "aic",
    "bic": "bic",
    "bic2": "bic2",
    "rmsea": "rmsea",
    "rmsea_ci_low": "rmsea_ci_lower",
    "rmsea_ci_high": "rmsea_ci_upper",
    "rmsea_p_value": "rmsea_pvalue",
    "srmr": "srmr",
}
FLAT = {"chisq", "baseline_chisq", "logl", "unrestricted_logl", "aic", "bic", "bic2"}


def prepare(case: dict) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The data frame and model that the case's R ``prepare`` code builds."""
    code = case["prepare"]
    model_text = re.search(r'model <- "(.*?)"', code).group(1)
    model = {}
    for line in model_text.split("\\n"):
        factor, rhs = line.split("=~")
        model[factor.strip()] = [v.strip() for v in rhs.split("+")]
    data = DATA[case["data_file"]]
    rest = code[: code.index("model <-")]
    if case["data_file"] == "teachers.csv":
        cols = re.fullmatch(r"x <- teachers\[, c\(([^)]*)\)\];\s*(.*)", rest.strip(), re.S)
        data = data[[c.strip().strip('"') for c in cols.group(1).split(",")]].astype(float)
        reversals = cols.group(2)
        for item in re.findall(r"x\$(\w+) <- 1 \+ 6 - x\$\1;", reversals):
            data[item] = 1 + 6 - data[item]
        leftover = re.sub(r"x\$(\w+) <- 1 \+ 6 - x\$\1;", "", reversals).strip()
        assert leftover == "", f"unparsed R code: {leftover!r}"
    else:
        assert rest.strip() == ""
    return data, model


def check_fit(fit: FitMeasures, ref: dict) -> None:
    for ours, theirs in FIT_NAMES.items():
        got, want = getattr(fit, ours), ref[theirs]
        if want is None:
            assert np.isnan(got), ours
        elif ours.startswith("rmsea_ci"):
            assert_allclose(got, want, rtol=0, atol=1e-6, err_msg=ours)
        else:
            assert_allclose(
                got, want, rtol=1e-7 if ours in FLAT else 1e-5, atol=1e-12, err_msg=ours
            )


def check_parameters(result: CFAResult, ref: dict) -> None:
    par = result.parameters
    keys = (par["lhs"] + " " + par["op"] + (" " + par["rhs"]).where(par["rhs"] != "", "")).tolist()
    assert sorted(keys) == sorted(ref), "same parameter rows as lavaan"
    want = pd.DataFrame([ref[k] for k in keys])
    for ours, theirs in (
        ("estimate", "est"),
        ("se", "se"),
        ("std_lv", "std_lv"),
        ("std_estimate", "std_all"),
    ):
        assert_allclose(par[ours], want[theirs].astype(float), rtol=1e-5, atol=1e-6, err_msg=ours)
    free = par["free"].to_numpy()
    assert_allclose(par["z"][free], want["z"][free].astype(float), rtol=1e-5, atol=1e-5)
    assert_allclose(par["p_value"][free], want["pvalue"][free].astype(float), rtol=1e-4, atol=1e-9)
    assert par["z"][~free].isna().all() and (par["se"][~free] == 0).all()


def omega_from(result: CFAResult) -> float:
    """semTools::compRelSEM for one factor: (sum lambda)^2 psi / 1'S1 (observed total)."""
    lam = result.loadings["estimate"].sum()
    psi = result.factor_covariances.iloc[0, 0]
    return float(lam**2 * psi / result.sample_covariance.to_numpy().sum())


@pytest.fixture(scope="module")
def hs_fit() -> CFAResult:
    return cfa(HS, HS_MODEL)


def test_holzinger_swineford_three_factor(hs_fit):
    ref = R["cfa"]["holzinger_swineford_3factor"]
    check_fit(hs_fit.fit, ref["fit_measures"])
    check_parameters(hs_fit, ref["parameters"])
    assert hs_fit.converged and hs_fit.n == ref["n_used"] and hs_fit.warnings == ()
    loads = hs_fit.loadings.set_index("item")
    assert_allclose(loads["estimate"], pd.Series(ref["loadings"])[loads.index], rtol=1e-5)
    assert_allclose(loads["std_estimate"], pd.Series(ref["std_loadings"])[loads.index], rtol=1e-5)
    # the rounded values quoted in peers.md section 4
    assert round(hs_fit.fit.chisq, 3) == 85.306 and hs_fit.fit.df == 24
    assert (round(hs_fit.fit.cfi, 3), round(hs_fit.fit.tli, 3)) == (0.931, 0.896)


@pytest.mark.parametrize("case", ["teachers_3factor_listwise", "teachers_3factor_fiml"])
def test_teachers_three_factor(case):
    ref = R["cfa"][case]
    data, model = prepare(ref)
    got = cfa(data, model, missing="ml" if case.endswith("fiml") else "listwise")
    assert got.n == ref["n_used"] and got.n_input == ref["n_input"]
    check_fit(got.fit, ref["fit_measures"])
    check_parameters(got, ref["parameters"])
    want = pd.DataFrame(ref["factor_correlations"]).loc[list(got.factors), list(got.factors)]
    assert_allclose(got.factor_correlations, want, rtol=1e-5)


@pytest.mark.parametrize("case", sorted(R["omega_sem"]))
def test_one_factor_scales(case):
    ref = R["omega_sem"][case]
    data, model = prepare(ref)
    fiml = case.endswith("_fiml")
    got = cfa(data, model, missing="ml" if fiml else "listwise")
    assert got.converged and got.n == ref["n_used"]
    check_fit(got.fit, ref["fit_measures"])
    check_parameters(got, ref["parameters"])
    # the numbers omega needs are reachable: compRelSEM from the result's attributes
    assert_allclose(omega_from(got), ref["omega_total"], rtol=1e-5)


def test_invariance_sequence_matches_lavaan_and_lavtestlrt():
    ref = R["cfa"]["holzinger_swineford_invariance_school"]
    got = cfa(HS, HS_MODEL, group="school", invariance=("configural", "metric", "scalar"))
    assert isinstance(got, InvarianceResult)
    assert got.levels == ("configural", "metric", "scalar")
    for level in got.levels:
        assert list(got[level].groups) == ref[level]["group_labels"]
        check_fit(got[level].fit, ref[level]["fit_measures"])
    table = got.comparison
    for level in got.levels:
        lrt = ref["lrt"][level]
        for ours, theirs in (
            ("chisq_diff", "chisq_diff"),
            ("df_diff", "df_diff"),
            ("p_value_diff", "p_value_diff"),
            ("rmsea_diff", "rmsea_diff"),
        ):
            if lrt[theirs] is None:
                assert np.isnan(table.loc[level, ours])
            else:
                assert_allclose(table.loc[level, ours], lrt[theirs], rtol=1e-5, err_msg=ours)
        assert_allclose(table.loc[level, "aic"], lrt["aic"], rtol=1e-7)
    assert_allclose(
        table.loc["scalar", "cfi_diff"],
        ref["scalar"]["fit_measures"]["cfi"] - ref["metric"]["fit_measures"]["cfi"],
        atol=1e-6,
    )
    # metric holds (p .224), scalar is rejected (p 4.4e-7)
    assert got.supported == "metric" and got.failed == "scalar"
    assert "scalar invariance rejected" in got.summary()
    assert "<table" in got._repr_html_()


def test_invariance_stops_at_first_rejection():
    got = cfa(HS, HS_MODEL, group="school", invariance=("metric", "scalar"))
    assert got.levels == ("metric", "scalar") and got.failed == "scalar"
    # a rejection before the last level stops the sequence: tripling x3 in one school
    # triples its loading there, so metric invariance fails
    shifted = HS.copy()
    pasteur = shifted["school"] == "Pasteur"
    shifted.loc[pasteur, "x3"] = 3 * shifted.loc[pasteur, "x3"]
    got = cfa(shifted, HS_MODEL, group="school", invariance=("configural", "metric", "scalar"))
    assert got.levels == ("configural", "metric") and got.failed == "metric"
    assert got.supported == "configural" and "scalar" not in got.fits


def test_single_invariance_level_and_group_parameters():
    scalar = cfa(HS, HS_MODEL, group="school", invariance="scalar")
    assert isinstance(scalar, CFAResult) and scalar.invariance == "scalar"
    par = scalar.parameters
    loads = par[par["op"] == "=~"].pivot(index=["lhs", "rhs"], columns="group", values="estimate")
    assert_allclose(loads["Pasteur"], loads["Grant-White"], rtol=0, atol=0)  # equal by design
    means = par[(par["op"] == "~1") & par["lhs"].isin(HS_MODEL)]
    first = means[means["group"] == "Pasteur"]
    assert (first["estimate"] == 0).all() and not first["free"].any()
    assert means[means["group"] == "Grant-White"]["free"].all()
    assert scalar.fit.npar == 48 and scalar.fit.df == 60
    assert scalar.factor_correlations.index.names == ["group", "factor"]
    assert scalar.vcov is not None and "visual=~x2" in scalar.vcov.index
    configural = cfa(HS, HS_MODEL, group="school")
    assert configural.invariance == "configural" and configural.fit.df == 48


def test_std_lv_gives_the_same_model(hs_fit):
    std = cfa(HS, HS_MODEL, std_lv=True)
    assert_allclose(std.fit.chisq, hs_fit.fit.chisq, rtol=1e-9)
    assert_allclose(std.loadings["std_estimate"], hs_fit.loadings["std_estimate"], rtol=1e-6)
    assert_allclose(std.loadings["estimate"], hs_fit.loadings["std_lv"], rtol=1e-6)
    assert (np.diag(std.factor_covariances) == 1).all()


def test_fiml_on_complete_data_equals_listwise_estimates(hs_fit):
    fiml = cfa(HS, HS_MODEL, missing="ml")
    assert_allclose(fiml.fit.chisq, hs_fit.fit.chisq, rtol=1e-7)
    assert_allclose(fiml.loadings["estimate"], hs_fit.loadings["estimate"], rtol=1e-7)
    assert fiml.fit.npar == hs_fit.fit.npar + 9  # intercepts


def test_invariants_row_order_and_attributes(hs_fit):
    shuffled = HS.sample(frac=1, random_state=3)
    again = cfa(shuffled, HS_MODEL)
    assert_allclose(again.parameters["estimate"], hs_fit.parameters["estimate"], rtol=1e-9)
    assert list(hs_fit.parameters.columns) == [
        "lhs",
        "op",
        "rhs",
        "free",
        "estimate",
        "se",
        "z",
        "p_value",
        "ci_low",
        "ci_high",
        "std_lv",
        "std_estimate",
    ]
    assert hs_fit.k == 9 and hs_fit.items == tuple(f"x{i}" for i in range(1, 10))
    assert_allclose(hs_fit.factor_correlations.to_numpy(), hs_fit.factor_correlations.T)
    wide = hs_fit.loading_matrix(standardized=True)
    assert wide.loc["x5", "textual"] == hs_fit.loadings.set_index("item").loc["x5", "std_estimate"]
    assert wide.loc["x5", "visual"] == 0
    resid = hs_fit.residual_variances.set_index("item")["std_estimate"]
    assert_allclose(resid, 1 - hs_fit.loadings.set_index("item")["std_estimate"] ** 2, rtol=1e-10)
    assert_allclose(
        hs_fit.implied_covariance.loc["x1", "x1"],
        hs_fit.sample_covariance.loc["x1", "x1"],
        rtol=0.05,
    )
    series = hs_fit.fit.to_series()
    assert series["chisq"] == hs_fit.fit.chisq and len(series) == 19
    text = hs_fit.summary()
    assert "CFI 0.931" in text and "visual =~" in text and str(hs_fit) == text
    assert "<table" in hs_fit._repr_html_() and "<table" in hs_fit.fit._repr_html_()
    with pytest.raises(AttributeError):
        hs_fit.n = 3  # frozen


def test_exported_from_package():
    assert cl.cfa is cfa and cl.CFAResult is CFAResult
    assert cl.InvarianceResult is InvarianceResult and cl.FitMeasures is FitMeasures


def test_heywood_case_warns():
    # r12 r13 / r23 = 1.28 > 1: the loading of i1 would exceed its sd, residual variance < 0
    target = np.array([[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]])
    z = np.random.default_rng(0).normal(size=(200, 3))
    z = (z - z.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(z.T, bias=True))).T
    data = pd.DataFrame(z @ np.linalg.cholesky(target).T, columns=["i1", "i2", "i3"])
    with pytest.warns(ColeadWarning, match="Heywood case.*i1"):
        got = cfa(data, {"f": ["i1", "i2", "i3"]})
    assert got.residual_variances.set_index("item").loc["i1", "estimate"] < 0
    assert got.fit.df == 0 and got.fit.chisq < 1e-8 and np.isnan(got.fit.p_value)
    assert (got.fit.cfi, got.fit.tli, got.fit.rmsea) == (1.0, 1.0, 0.0)


def test_non_convergence_warns():
    stuck = mock.patch.object(
        _cfa_model.kernels, "minimize", side_effect=lambda s, x0, *a, **k: (x0, 1.0, 500, False)
    )
    with stuck, pytest.warns(ColeadWarning, match="did not converge"):
        got = cfa(HS, HS_MODEL)
    assert not got.converged and got.vcov is None
    par = got.parameters
    assert par.loc[par["free"], "se"].isna().all()


def test_not_positive_definite_covariance_raises():
    dup = HS.assign(x3=HS["x1"] * 2 + HS["x2"])
    with pytest.raises(InsufficientDataError, match=r"not positive definite.*linearly dependent"):
        cfa(dup, HS_MODEL)


@pytest.mark.parametrize("missing", ["listwise", "ml"])
def test_a_dependent_column_raises_whatever_the_rounding(missing):
    # The covariance of an exactly dependent column rounds to a smallest eigenvalue of about
    # +-1e-16 of the largest, its sign set by the row order and the BLAS: a Cholesky
    # factorisation succeeds for some orders (a non-converged fit) and fails for others.
    # Every order must raise.
    dup = HS.assign(x3=HS["x1"] * 2 + HS["x2"])
    items = [i for f in HS_MODEL.values() for i in f]
    signs = set()
    for seed in range(12):
        shuffled = dup.sample(frac=1.0, random_state=seed)
        x = shuffled[items].to_numpy(dtype=float)
        centred = x - x.mean(axis=0)
        signs.add(bool(np.linalg.eigvalsh(centred.T @ centred / len(x))[0] > 0))
        with pytest.raises(InsufficientDataError, match=r"items x1, x2, x3 are linearly dependent"):
            cfa(shuffled, HS_MODEL, missing=missing)
    assert signs == {True, False}  # both kinds of rounding were met


def test_singularity_is_judged_relative_to_the_largest_eigenvalue():
    # 301 rows: eigenvalues up to 301 * eps (6.7e-14) of the largest count as zero.
    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(4, 4)))
    items = ("a", "b", "c", "d")
    for scale in (1e-6, 1.0, 1e6):  # the same matrix at any unit of measurement
        for smallest in (1e-10, 1e-12):
            cov = scale * (q * [smallest, 0.5, 1.0, 2.0]) @ q.T
            _cfa_model._check_positive_definite(cov, items, "matrix", 301)
        for smallest in (1e-14, 0.0, -1e-14):
            cov = scale * (q * [smallest, 0.5, 1.0, 2.0]) @ q.T
            with pytest.raises(InsufficientDataError, match="linearly dependent"):
                _cfa_model._check_positive_definite(cov, items, "matrix", 301)


def test_too_little_data_or_too_few_items_raise():
    with pytest.raises(InsufficientDataError, match="more complete rows than items"):
        cfa(HS.head(9), HS_MODEL)
    with pytest.raises(InsufficientDataError, match="not identified"):
        cfa(HS, {"f": ["x1", "x2"]})
    with pytest.raises(InsufficientDataError, match="at least 2"):
        cfa(HS, {"f": ["x1", "x2", "x3"], "g": ["x4"]})
    with pytest.raises(InsufficientDataError, match="in group 'Grant-White'"):
        cfa(
            HS[HS["school"] == "Pasteur"]
            .iloc[:150]
            .pipe(lambda d: pd.concat([d, HS[HS["school"] == "Grant-White"].head(5)])),
            HS_MODEL,
            group="school",
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimator": "wls"}, "estimator"),
        ({"missing": "pairwise"}, "missing"),
        ({"invariance": "metric"}, "needs 'group'"),
        ({"group": "school", "invariance": "strict"}, "invariance"),
        ({"group": "school", "invariance": ("scalar", "metric")}, "less to more"),
        ({"group": "nope"}, "not in the data"),
        ({"std_lv": "yes"}, "std_lv"),
    ],
)
def test_bad_options_raise(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        cfa(HS, HS_MODEL, **kwargs)


@pytest.mark.parametrize(
    ("model", "match"),
    [
        ({}, "non-empty dict"),
        ({"f": "x1 + x2 + x3"}, "list of column names"),
        ({"f": ["x1", "x2", "zz"]}, "not found"),
        ({"f": ["x1", "x2", "x3"], "g": ["x3", "x4", "x5"]}, "simple structure"),
        ({"x1": ["x1", "x2", "x3"]}, "differ from item names"),
        ({"f": ["x1", "x2", "school"]}, "numeric"),
    ],
)
def test_bad_models_raise(model, match):
    with pytest.raises(InvalidParameterError, match=match):
        cfa(HS, model)
    with pytest.raises(InvalidParameterError, match="DataFrame"):
        cfa(HS.to_numpy(), HS_MODEL)


def test_rows_without_group_are_dropped_with_a_warning():
    data = HS.copy()
    data.loc[:4, "school"] = np.nan
    with pytest.warns(ColeadWarning, match="5 rows without a group"):
        got = cfa(data, HS_MODEL, group="school")
    assert got.n == 296 and got.n_input == 301


def test_one_factor_100k_rows_is_fast():
    rng = np.random.default_rng(1)
    f = rng.normal(size=100_000)
    load = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.7])
    x = f[:, None] * load + rng.normal(size=(100_000, 6)) * np.sqrt(1 - load**2)
    data = pd.DataFrame(np.clip(np.round(3.5 + 1.2 * x), 1, 6), columns=[f"i{j}" for j in range(6)])
    model = {"f": list(data.columns)}
    times = []
    for _ in range(3):
        start = time.perf_counter()
        got = cfa(data, model)
        times.append(time.perf_counter() - start)
    assert got.converged and min(times) < 0.1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert got.loadings["std_estimate"].between(0.4, 0.9).all()


def numeric_hessian(s, x, objective, h=1e-5):
    """Central differences of the analytic gradient (the derivative test of the kernels)."""

    def grad(z):
        sigma, mu = kernels.implied(s, z)
        _, g_sigma, g_mu = objective(sigma, mu)
        return kernels.chain(g_sigma, g_mu, *kernels.jacobian(s, z))

    cols = []
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    return np.array(cols).T, grad(x)


def numeric_gradient(s, x, objective, h=1e-6):
    out = np.empty(x.size)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        out[j] = (
            objective(*kernels.implied(s, x + e))[0] - objective(*kernels.implied(s, x - e))[0]
        ) / (2 * h)
    return out


@pytest.mark.parametrize("missing", ["listwise", "ml"])
def test_analytic_derivatives_match_finite_differences(missing):
    data = HS.copy()
    rng = np.random.default_rng(5)
    for item in ("x1", "x5", "x9"):
        data.loc[rng.random(len(data)) < 0.1, item] = np.nan
    labels = ("Pasteur", "Grant-White")
    groups = [
        data.loc[data["school"] == g, [i for f in HS_MODEL.values() for i in f]].to_numpy()
        for g in labels
    ]
    if missing == "listwise":
        groups = [g[~np.isnan(g).any(axis=1)] for g in groups]
    spec = _cfa_model.build_spec(
        HS_MODEL, n_groups=2, meanstructure=True, invariance="scalar", std_lv=False
    )
    s = spec.structure
    if missing == "ml":
        pat = _cfa_fiml.patterns(groups)
        objective = _cfa_fiml.objective(pat)
        mean, cov, _, _ = _cfa_fiml.saturated(pat)

        def exact(x):
            return _cfa_fiml.hessian(s, pat, x)
    else:
        mom = _cfa_model.complete_moments(groups, spec.items)
        mean, cov = mom.mean, mom.cov
        w = mom.n_obs / mom.n_obs.sum()
        objective = kernels.complete_objective(cov, mean, w, np.linalg.slogdet(cov)[1])

        def exact(x):
            return kernels.complete_hessian(s, x, cov, mean, w)

    # away from the optimum, where the second-order terms matter
    x = kernels.start_values(s, cov, mean, False) + rng.normal(scale=0.05, size=s.npar)
    numeric, grad = numeric_hessian(s, x, objective)
    assert_allclose(grad, numeric_gradient(s, x, objective), rtol=1e-6, atol=1e-7)
    assert_allclose(exact(x), numeric, rtol=1e-6, atol=1e-7)


def test_fiml_needs_variance_in_every_item():
    data = HS.assign(x2=np.where(HS.index < 100, 3.0, np.nan))
    with pytest.raises(InsufficientDataError, match=r"No variance.*x2"):
        cfa(data, HS_MODEL, missing="ml")

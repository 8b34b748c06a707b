"""Two-level CFA with missing answers (``cl.cfa(..., cluster=, missing="ml")``) against lavaan
0.6-14.

References: tests/reference/twolevel_fiml/twolevel_fiml.json, made by twolevel_fiml.R (R 4.2.2).
Each case's data are the committed CSV files as a user would pass them: rows without a school
and rows without any answer included (colead leaves both out and lists them). lavaan drops the
rows without any answer itself, but then its analytic gradient is wrong (lavaan issue #580),
so the reference runs (``default``, ``tight``) are fitted to the data without those rows; the
``as_given`` run only tells which rows lavaan drops. ``tight`` is lavaan run to convergence
(BFGS, reltol 1e-14); ``h1_tight`` and ``baseline_tight`` are lavaan's saturated (H1) and
baseline models run to convergence the same way.

Tolerances. Against ``tight``: estimates, standard errors, z and standardized solutions rtol
1e-4 (atol 1e-6 near 0), log-likelihoods rtol 1e-9. The saturated and baseline models: their
log-likelihoods rtol 1e-9 against the tightened runs. lavaan's own fit measures use an H1
that its optimiser leaves short of the maximum (nlminb, rel.tol 1e-7): computed from lavaan's
H1 and baseline log-likelihoods, colead's fit measures equal lavaan's to 1e-6 (RMSEA interval
1e-4); computed from colead's own (exact) H1, the chi-square differs from lavaan's by twice
lavaan's H1 shortfall, which is checked as such.
"""

from __future__ import annotations

import importlib
import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics.cfa import twolevel_fit as tfit
from colead.psychometrics.cfa import twolevel_stats as tstats
from colead.psychometrics.cfa.twolevel import TwoLevelCFAResult
from colead.simulation.twolevel import two_level_factor_data

from .conftest import REPO
from .test_twolevel_cfa import (
    FIT_NAMES,
    assert_parameters_at_the_optimum,
    assert_parameters_near_lavaans_default_run,
    join_parameters,
    parse_model,
)

REF = REPO / "tests" / "reference" / "twolevel_fiml"
R = json.loads((REF / "twolevel_fiml.json").read_text())
FRAMES = {
    "small": pd.read_csv(REF / "small_schools.csv"),
    "demo": pd.read_csv(REF / "demo_missing.csv"),
    "teachers": pd.read_csv(REPO / "tests" / "reference" / "multilevel_cfa" / "teachers.csv"),
}
CASES = sorted(R["cfa"])
ITEMS = [f"y{j}" for j in range(1, 7)]


def prepare(case: dict) -> pd.DataFrame:
    """The data the R ``prepare`` code starts from, with its reversals (rows without a
    cluster stay in: colead leaves them out itself)."""
    code = case["prepare"]
    source = re.match(r"x <- (\w+)", code).group(1)
    frame = FRAMES[source].copy()
    for item, total, same in re.findall(r"x\$(\w+) <- (\d+) - x\$(\w+)", code):
        assert item == same
        frame[item] = int(total) - frame[item]
    rest = re.sub(r"x\$(\w+) <- (\d+) - x\$(\w+)", "", code)
    assert rest.replace(";", "").strip() in (
        f"x <- {source}", f"x <- {source}[!is.na({source}$school_id), ]")  # fmt: skip
    return frame


_FITS: dict[str, TwoLevelCFAResult] = {}


def fitted(name: str) -> TwoLevelCFAResult:
    if name not in _FITS:
        case = R["cfa"][name]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ColeadWarning)
            res = cl.cfa(prepare(case), parse_model(case["model"]), cluster=case["cluster"],
                         missing="ml", std_lv=case["std_lv"])  # fmt: skip
        assert isinstance(res, TwoLevelCFAResult)
        _FITS[name] = res
    return _FITS[name]


def joined(name: str, run: str) -> pd.DataFrame:
    return join_parameters(fitted(name).parameters, R["cfa"][name][run])


@pytest.mark.parametrize("name", CASES)
def test_rows_and_clusters_as_lavaan(name):
    case = R["cfa"][name]
    res, run, given = fitted(name), case["default"], case["as_given"]
    data = prepare(case)
    assert res.n_input == len(data) and res.missing == "ml"
    assert res.n == run["n_used"] == given["n_used"]
    assert res.n_clusters == run["n_clusters"] and res.n_singletons == run["n_singletons"]
    assert (res.cluster_sizes[0], res.cluster_sizes[2]) == (
        run["cluster_size_min"], run["cluster_size_max"])  # fmt: skip
    dropped = res.dropped_rows
    assert res.n + len(dropped) == res.n_input
    assert (dropped["reason"] == "no cluster").sum() == res.n_no_cluster
    assert (dropped["reason"] == "no item answered").sum() == res.n_incomplete
    # the rows without any answer are those lavaan drops ("some cases are empty")
    empty = dropped.loc[dropped["reason"] == "no item answered", "row"]
    id_column = "row_id" if "row_id" in data else "respondent_id"
    assert sorted(data.loc[empty, id_column]) == sorted(np.atleast_1d(given["empty_ids"]))
    assert set(dropped.loc[dropped["reason"] == "no cluster", "row"]) == set(
        data.index[data[case["cluster"]].isna()])  # fmt: skip
    assert list(res.vcov.index) == run["coef_names"]


def test_lavaans_standard_errors_are_the_observed_information():
    for case in R["cfa"].values():
        options = case["default"]["options"]
        assert options["se"] == "standard"
        assert options["information"][0] == "observed"
        assert options["observed.information"][0] == "hessian"


@pytest.mark.parametrize("name", CASES)
def test_log_likelihood(name):
    res, case = fitted(name), R["cfa"][name]
    assert case["tight"]["converged"] and case["default"]["converged"]
    assert_allclose(res.fit.logl, case["tight"]["fit_measures"]["logl"], rtol=1e-9)
    assert_allclose(res.fit.logl, case["default"]["fit_measures"]["logl"], rtol=1e-7)


@pytest.mark.parametrize("name", CASES)
def test_saturated_and_baseline_models_at_their_optimum(name):
    res, case = fitted(name), R["cfa"][name]
    h1, base = case["h1_tight"], case["baseline_tight"]
    assert h1["converged"] and base["converged"]
    assert_allclose(res.fit.unrestricted_logl, h1["logl"], rtol=1e-9)
    baseline_logl = res.fit.unrestricted_logl - res.fit.baseline_chisq / 2
    assert_allclose(baseline_logl, base["logl"], rtol=1e-9)
    p = res.k
    sample = res.sample_covariance
    # flat directions of the likelihood make the matrices less precise than its value
    for level, key in (("within", "within_cov"), ("between", "between_cov")):
        assert_allclose(sample.loc[level].to_numpy(), np.reshape(h1[key], (p, p)),
                        rtol=1e-4, atol=1e-5)  # fmt: skip
    # lavaan's own H1 stops short of the maximum, never beyond it
    lavaan_h1 = case["default"]["fit_measures"]["unrestricted_logl"]
    assert lavaan_h1 <= res.fit.unrestricted_logl + 1e-6


@pytest.mark.parametrize("name", CASES)
def test_parameters_at_the_optimum(name):
    assert_parameters_at_the_optimum(joined(name, "tight"))


@pytest.mark.parametrize("name", CASES)
def test_parameters_near_lavaans_default_run(name):
    assert_parameters_near_lavaans_default_run(joined(name, "default"))


def _lavaan_h1_measures(res: TwoLevelCFAResult, run: dict) -> dict:
    """colead's fit measures, computed from lavaan's H1 and baseline log-likelihoods and
    lavaan's H1 matrices instead of colead's own."""
    fm = run["fit_measures"]
    p = res.k
    h1 = tstats.Saturated(np.reshape(run["h1_within_cov"], (p, p)),
                          np.reshape(run["h1_between_cov"], (p, p)), np.zeros(p), np.zeros(p),
                          fm["unrestricted_logl"], 0)  # fmt: skip
    return tfit.measures(
        logl=res.fit.logl, h1=h1,
        baseline_logl=fm["unrestricted_logl"] - fm["baseline_chisq"] / 2,
        npar=res.fit.npar, p=p, n=res.n, n_clusters=res.n_clusters,
        sigma=res._raw["sigma"],
    )  # fmt: skip


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("run", ["default", "tight"])
def test_fit_measures_from_lavaans_h1(name, run):
    res, ref = fitted(name), R["cfa"][name][run]
    ours = _lavaan_h1_measures(res, ref)
    for key, theirs in FIT_NAMES.items():
        expected = ref["fit_measures"][theirs]
        if expected is None:
            assert np.isnan(ours[key]), key
            continue
        rtol = 1e-4 if key.startswith("rmsea_ci") else 1e-6
        if key in ("chisq", "rmsea", "rmsea_ci_low", "rmsea_ci_high", "p_value"):
            # the model's own log-likelihood enters: lavaan's default stops short of it
            rtol = 1e-4 if run == "tight" else 1e-3
        if key.startswith("srmr"):
            rtol = 1e-4 if run == "tight" else 2e-3
        assert_allclose(ours[key], expected, rtol=rtol, atol=1e-6, err_msg=f"{name} {key}")


@pytest.mark.parametrize("name", CASES)
def test_chi_square_differs_by_lavaans_h1_shortfall(name):
    res, case = fitted(name), R["cfa"][name]
    fm = case["tight"]["fit_measures"]
    shortfall = res.fit.unrestricted_logl - fm["unrestricted_logl"]
    assert_allclose(res.fit.chisq, max(fm["chisq"] + 2 * shortfall, 0.0), rtol=1e-6, atol=1e-6)
    base_short = (fm["unrestricted_logl"] - fm["baseline_chisq"] / 2) - (
        res.fit.unrestricted_logl - res.fit.baseline_chisq / 2)  # fmt: skip
    assert_allclose(res.fit.baseline_chisq, fm["baseline_chisq"] + 2 * (shortfall + base_short),
                    rtol=1e-8)  # fmt: skip


# -- the same estimator without lavaan ---------------------------------------------------------
def _dense_minus_two_loglik(y, codes, w, b, mu):
    """-2 log L (no 2 pi term) from each cluster's full covariance matrix of its answers."""
    total = 0.0
    for j in np.unique(codes):
        rows = y[codes == j]
        at = [(i, a) for i in range(len(rows)) for a in range(y.shape[1])
              if not np.isnan(rows[i, a])]  # fmt: skip
        person = np.array([i for i, _ in at])
        item = np.array([a for _, a in at])
        cov = b[np.ix_(item, item)] + (person[:, None] == person[None, :]) * w[np.ix_(item, item)]
        resid = rows[person, item] - mu[item]
        total += np.linalg.slogdet(cov)[1] + resid @ np.linalg.solve(cov, resid)
    return total


def test_likelihood_and_gradient_are_the_dense_normal_ones():
    tmiss = importlib.import_module("colead.psychometrics.cfa.twolevel_missing")
    rng = np.random.default_rng(4)
    codes = np.repeat(np.arange(9), rng.integers(1, 6, size=9))
    y = rng.normal(size=(len(codes), 4)) + rng.normal(size=(9, 4))[codes]
    y[rng.random(y.shape) < 0.3] = np.nan
    keep = ~np.isnan(y).all(axis=1)
    y, codes = y[keep], np.unique(codes[keep], return_inverse=True)[1]
    st = tmiss.missing_clusters(y, codes)
    w = np.array([[1.0, 0.3, 0.2, 0.1], [0.3, 1.2, 0.4, 0.0], [0.2, 0.4, 0.9, 0.3],
                  [0.1, 0.0, 0.3, 1.1]])  # fmt: skip
    mu = np.array([0.1, -0.2, 0.0, 0.3])
    for b in (np.full((4, 4), 0.2) + np.diag([0.3, 0.1, 0.2, 0.4]),
              np.full((4, 4), 0.2) + np.diag([-0.15, 0.1, 0.2, 0.4])):  # fmt: skip
        ev = tmiss.evaluate(st, w, b, mu)
        assert_allclose(ev.value, _dense_minus_two_loglik(y, codes, w, b, mu), rtol=1e-12)
        h = 1e-6
        for name, grad in (("w", ev.g_within), ("b", ev.g_between)):
            for r, c in ((0, 0), (1, 2), (3, 3)):
                e = np.zeros((4, 4))
                e[r, c] = e[c, r] = h / 2 if r != c else h
                args = {"w": w, "b": b, "mu": mu}
                up = tmiss.evaluate(st, **{**args, name: args[name] + e}, gradient=False).value
                down = tmiss.evaluate(st, **{**args, name: args[name] - e}, gradient=False).value
                # d = tr(G dW): the symmetric step moves G[r, c] and G[c, r] by h / 2 each
                assert_allclose((up - down) / (2 * h), grad[r, c], rtol=1e-6, atol=1e-7)
        step = h * np.eye(4)[1]
        up = tmiss.evaluate(st, w, b, mu + step, gradient=False).value
        down = tmiss.evaluate(st, w, b, mu - step, gradient=False).value
        assert_allclose((up - down) / (2 * h), ev.g_mean[1], rtol=1e-6, atol=1e-7)
    assert tmiss.evaluate(st, w, -np.eye(4), mu).value == np.inf  # no cluster covariance


TRUE = dict(
    within_loadings=np.array([0.9, 0.8, 0.7, 0.85, 0.6]),
    between_loadings=np.array([0.5, 0.45, 0.4, 0.3, 0.35]),
    within_residual=np.array([0.6, 0.7, 0.8, 0.9, 0.75]),
    between_residual=np.array([0.05, 0.04, 0.06, 0.03, 0.05]),
    means=np.array([3.0, 3.5, 4.0, 2.5, 3.2]),
)
Y5 = [f"y{j}" for j in range(1, 6)]
# larger school-level unique variances: small samples stay away from Heywood cases
CLEAR = {**TRUE, "between_residual": np.array([0.12, 0.1, 0.15, 0.08, 0.1])}


def test_complete_data_give_the_listwise_estimates():
    data = two_level_factor_data(n_schools=150, respondents=(1, 20), seed=21, **TRUE)
    listwise = cl.cfa(data, {"f": Y5}, cluster="school_id")
    ml = cl.cfa(data, {"f": Y5}, cluster="school_id", missing="ml")
    assert ml.n == listwise.n == len(data) and ml.dropped_rows.empty
    assert_allclose(ml.parameters["estimate"], listwise.parameters["estimate"], rtol=1e-6,
                    atol=1e-8)  # fmt: skip
    assert_allclose(ml.parameters["se"], listwise.parameters["se"], rtol=1e-5, atol=1e-8)
    assert_allclose(ml.fit.logl, listwise.fit.logl, rtol=1e-11)
    # the saturated models differ only by where lavaan's EM (listwise) stops
    assert 0 <= ml.fit.unrestricted_logl - listwise.fit.unrestricted_logl < 1e-3


def test_recovers_known_parameters_with_a_fifth_of_answers_missing():
    data = two_level_factor_data(n_schools=300, respondents=(2, 30), missing=0.2, seed=22,
                                 **TRUE)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)
        res = cl.cfa(data, {"f": Y5}, cluster="school_id", missing="ml", std_lv=True)
        listwise = cl.cfa(data, {"f": Y5}, cluster="school_id", std_lv=True)
    assert res.n > 2 * listwise.n  # a third of the rows are complete
    par = res.parameters
    truth = {("within", "=~"): TRUE["within_loadings"], ("between", "=~"): TRUE["between_loadings"]}
    for (level, op), values in truth.items():
        rows = par[(par["level"] == level) & (par["op"] == op)]
        z = (rows["estimate"].to_numpy() - values) / rows["se"].to_numpy()
        assert np.all(np.abs(z) < 4), (level, z)
    z = (res.intercepts["estimate"].to_numpy() - TRUE["means"]) / res.intercepts["se"].to_numpy()
    assert np.all(np.abs(z) < 4)
    # FIML uses every answer: smaller standard errors than listwise deletion
    assert np.all(res.loadings["se"].to_numpy() < listwise.loadings["se"].to_numpy())


def test_order_of_rows_does_not_matter():
    data = two_level_factor_data(n_schools=60, respondents=(1, 15), missing=0.15, seed=23,
                                 **CLEAR)  # fmt: skip
    shuffled = data.sample(frac=1.0, random_state=1)
    a = cl.cfa(data, {"f": Y5}, cluster="school_id", missing="ml")
    b = cl.cfa(shuffled, {"f": Y5}, cluster="school_id", missing="ml")
    assert_allclose(b.parameters["estimate"], a.parameters["estimate"], rtol=1e-7, atol=1e-9)
    assert_allclose(b.fit.chisq, a.fit.chisq, rtol=1e-6, atol=1e-8)


# -- rows left out, errors ---------------------------------------------------------------------
def small() -> pd.DataFrame:
    return two_level_factor_data(n_schools=60, respondents=(1, 12), missing=0.1, seed=5, **CLEAR)


def test_rows_left_out_are_listed_with_their_reason():
    data = small()
    data.index = [f"r{i}" for i in range(len(data))]
    data.loc[["r3", "r8"], Y5] = np.nan
    data.loc[["r0", "r8"], "school_id"] = None
    with pytest.warns(ColeadWarning, match="1 rows without any answer"):
        res = cl.cfa(data, {"f": Y5}, cluster="school_id", missing="ml")
    assert res.dropped_rows.to_dict("list") == {
        "row": ["r0", "r3", "r8"],
        "reason": ["no cluster", "no item answered", "no cluster"],
    }
    assert (res.n_incomplete, res.n_no_cluster, res.n) == (1, 2, len(data) - 3)
    assert "full-information" in res.summary() and "1 without any answer" in res.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)  # listwise deletion leaves few rows
        listwise = cl.cfa(data, {"f": Y5}, cluster="school_id")
    reasons = listwise.dropped_rows["reason"].value_counts()
    assert reasons["no cluster"] == 2 and listwise.n + reasons.sum() == len(data)
    assert set(reasons.index) == {"no cluster", "an item unanswered (listwise deletion)"}


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: d.assign(y2=np.nan), "fewer than 2 different answers\\) in y2"),
        (lambda d: d.assign(y1=d["y1"].where(d["y2"].isna())), "never answered by the same "
                                                              "respondent.*y1 & y2"),
        (lambda d: d.assign(school_id="S1"), "at least 2 clusters"),
        (lambda d: d.assign(school_id=np.arange(len(d))), "more than one respondent"),
        (lambda d: d.assign(y3=d.groupby("school_id")["y3"].transform("mean")),
         "within-cluster variance.*y3"),
    ],
)  # fmt: skip
def test_patterns_lavaan_refuses_are_clear_errors(change, match):
    with pytest.raises(InsufficientDataError, match=match):
        cl.cfa(change(small()), {"f": Y5}, cluster="school_id", missing="ml")


def test_data_without_an_interior_maximum_do_not_converge():
    # 30 schools with tiny school-level unique variances: the likelihood rises towards a
    # between covariance matrix that is not positive definite, where some school's covariance
    # matrix becomes singular; lavaan 0.6-14 does not converge on these data either
    data = two_level_factor_data(n_schools=30, respondents=(1, 12), missing=0.1, seed=5, **TRUE)
    with pytest.raises(InsufficientDataError, match="did not converge"):
        cl.cfa(data, {"f": Y5}, cluster="school_id", missing="ml")


def test_unknown_missing_value_and_non_convergence(monkeypatch):
    with pytest.raises(InvalidParameterError, match="'listwise', 'ml'"):
        cl.cfa(small(), {"f": Y5}, cluster="school_id", missing="fiml")
    fiml = importlib.import_module("colead.psychometrics.cfa.twolevel_fiml")
    monkeypatch.setattr(fiml, "_MAX_ITER", 2)
    with pytest.raises(InsufficientDataError, match="did not converge in 2 iterations"):
        cl.cfa(small(), {"f": Y5}, cluster="school_id", missing="ml")

"""The ordinal API: input checks, result objects, and properties any correct implementation
has (invariance to the coding of the categories, sign flips under reversal)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl

BFI = pd.read_csv(__import__("pathlib").Path(__file__).parent / "reference/ordinal/bfi.csv")
AC = {"A": ["A1", "A2", "A3", "A4", "A5"], "C": ["C1", "C2", "C3", "C4", "C5"]}


@pytest.fixture(scope="module")
def small() -> pd.DataFrame:
    """600 respondents, 6 four-point items on one factor."""
    rng = np.random.default_rng(7)
    eta = rng.standard_normal((600, 1))
    ystar = 0.7 * eta + np.sqrt(1 - 0.49) * rng.standard_normal((600, 6))
    cuts = np.array([-0.9, 0.1, 1.0])
    x = 1.0 + (ystar[:, :, None] > cuts).sum(axis=2)
    return pd.DataFrame(x, columns=[f"q{j}" for j in range(1, 7)])


@pytest.fixture(scope="module")
def wlsmv() -> cl.CFAResult:
    return cl.cfa(BFI, AC, estimator="wlsmv")


# -- polychoric --------------------------------------------------------------------------------
def test_polychoric_does_not_depend_on_the_codes(small: pd.DataFrame) -> None:
    base = cl.polychoric(small)
    recoded = small.copy()
    recoded["q1"] = recoded["q1"].map({1: -5.0, 2: 0.0, 3: 0.5, 4: 100.0})
    again = cl.polychoric(recoded)
    assert_allclose(again.correlation, base.correlation, rtol=0, atol=1e-12)
    assert_allclose(again.thresholds["estimate"], base.thresholds["estimate"], atol=1e-12)
    assert again.categories["q1"] == (-5.0, 0.0, 0.5, 100.0)


def test_reversing_an_item_flips_its_correlations_and_thresholds(small: pd.DataFrame) -> None:
    base = cl.polychoric(small)
    flipped = small.assign(q2=5 - small["q2"])
    again = cl.polychoric(flipped)
    sign = np.where(np.array(base.items) == "q2", -1.0, 1.0)
    assert_allclose(again.correlation, base.correlation * np.outer(sign, sign), atol=1e-9)
    th = base.thresholds.set_index(["item", "threshold"])["estimate"]
    th2 = again.thresholds.set_index(["item", "threshold"])["estimate"]
    assert_allclose(th2.loc["q2"].to_numpy(), -th.loc["q2"].to_numpy()[::-1], atol=1e-12)


def test_polychoric_result(small: pd.DataFrame) -> None:
    r = cl.polychoric(small)
    m = r.correlation.to_numpy()
    assert_allclose(m, m.T) and assert_allclose(np.diag(m), 1.0)
    assert np.linalg.eigvalsh(m)[0] > 0
    assert (r.pairwise_n.to_numpy() == 600).all() and r.n == 600
    assert list(r.thresholds.columns) == ["item", "threshold", "estimate"]
    assert (r.thresholds.groupby("item")["estimate"].diff().dropna() > 0).all()
    assert "Polychoric correlations of 6 items, n = 600" in r.summary()
    assert "<table" in r._repr_html_() and str(r) == r.summary()


def test_polychoric_pairwise_uses_every_answer(small: pd.DataFrame) -> None:
    gaps = small.copy()
    gaps.iloc[:100, 0] = np.nan
    gaps.iloc[50:120, 1] = np.nan
    listwise = cl.polychoric(gaps)
    pairwise = cl.polychoric(gaps, missing="pairwise")
    assert listwise.n == 480 and pairwise.n == 600
    assert (
        pairwise.pairwise_n.loc["q1", "q2"] == 600 - 120
        and pairwise.pairwise_n.loc["q3", "q3"] == 600
    )
    # thresholds of an item with no missing answers use all 600 rows
    full = cl.polychoric(small).thresholds.query("item == 'q3'")["estimate"].to_numpy()
    got = pairwise.thresholds.query("item == 'q3'")["estimate"].to_numpy()
    assert_allclose(got, full, atol=1e-12)


def test_polychoric_input_errors(small: pd.DataFrame) -> None:
    with pytest.raises(cl.InvalidParameterError, match="DataFrame"):
        cl.polychoric(small.to_numpy())  # type: ignore[arg-type]
    with pytest.raises(cl.InvalidParameterError, match=r"not found.*nope"):
        cl.polychoric(small, items=["q1", "nope"])
    with pytest.raises(cl.InvalidParameterError, match=r"not numeric.*'txt'"):
        cl.polychoric(small.assign(txt="a"))
    with pytest.raises(cl.InsufficientDataError, match="at least 2 items"):
        cl.polychoric(small[["q1"]])
    with pytest.raises(cl.InsufficientDataError, match=r"q2 \(1 distinct answer\)"):
        cl.polychoric(small.assign(q2=3.0))
    with pytest.raises(cl.InvalidParameterError, match="missing"):
        cl.polychoric(small, missing="ml")  # type: ignore[arg-type]


def test_an_unused_category_is_merged_with_a_warning(small: pd.DataFrame) -> None:
    gap = small.assign(q1=small["q1"].replace({3: 4}))  # answers 1, 2, 4
    with pytest.warns(cl.ColeadWarning, match="nobody answered 3 on q1"):
        r = cl.polychoric(gap)
    assert r.categories["q1"] == (1.0, 2.0, 4.0)
    assert len(r.thresholds.query("item == 'q1'")) == 2


# -- ordinal CFA ---------------------------------------------------------------------------------
def test_cfa_ordinal_input_errors(small: pd.DataFrame) -> None:
    one = {"f": list(small.columns)}
    with pytest.raises(cl.InvalidParameterError, match="estimator"):
        cl.cfa(small, one, estimator="wls")  # type: ignore[arg-type]
    with pytest.raises(cl.InvalidParameterError, match="complete rows"):
        cl.cfa(small, one, estimator="wlsmv", missing="ml")
    with pytest.raises(cl.InvalidParameterError, match=r"not in 'ordered'.*q6"):
        cl.cfa(small, one, estimator="wlsmv", ordered=["q1", "q2", "q3", "q4", "q5"])
    with pytest.raises(cl.InvalidParameterError, match="not in the model"):
        cl.cfa(small, one, estimator="wlsmv", ordered=["q1", "zz"])
    with pytest.raises(cl.InvalidParameterError, match="needs an ordinal estimator"):
        cl.cfa(small, one, ordered=True)
    with pytest.raises(cl.InvalidParameterError, match="needs 'group'"):
        cl.cfa(small, one, estimator="wlsmv", invariance="thresholds")
    with pytest.raises(cl.InvalidParameterError, match="invariance"):
        cl.cfa(small.assign(g=[0, 1] * 300), one, invariance="thresholds", group="g")  # ML
    with pytest.raises(cl.InvalidParameterError, match="less to more constrained"):
        cl.cfa(
            small.assign(g=[0, 1] * 300),
            one,
            estimator="wlsmv",
            group="g",
            invariance=("metric", "thresholds"),
        )
    with pytest.raises(cl.InsufficientDataError, match="q3"):
        cl.cfa(small.assign(q3=2.0), one, estimator="wlsmv")
    with pytest.raises(cl.InsufficientDataError, match="not identified"):
        cl.cfa(small, {"f": ["q1", "q2"]}, estimator="wlsmv")
    assert cl.cfa(small, one, estimator="wlsmv", ordered=True).converged


def test_wlsmv_result_tables(wlsmv: cl.CFAResult) -> None:
    fit = wlsmv
    assert fit.estimator == "wlsmv" and fit.fit.estimator == "WLSMV"
    assert list(fit.thresholds.columns[:3]) == ["item", "threshold", "free"]
    assert len(fit.thresholds) == 10 * 5
    assert_allclose(np.diag(fit.implied_covariance), 1.0)  # correlations of the y*
    assert_allclose(np.diag(fit.sample_covariance), 1.0)
    resid = fit.residual_variances.set_index("item")
    std = fit.loadings.set_index("item")["std_estimate"]
    assert_allclose(resid["estimate"], 1 - std[resid.index] ** 2, rtol=1e-10)
    assert not resid["free"].any() and (resid["se"] == 0).all()
    assert "A1|t1" in fit.vcov.index and "A=~A2" in fit.vcov.index
    assert_allclose(fit.fit.chisq_scaled, fit.fit.chisq / fit.fit.scaling_factor + fit.fit.shift)
    series = fit.fit.to_series()
    assert {"cfi_robust", "rmsea_robust", "chisq_scaled", "srmr"} <= set(series.index)
    assert np.isnan(fit.fit.aic) and np.isnan(fit.fit.logl)
    text = fit.summary()
    for part in ("(WLSMV)", "Scaled and shifted chi-square", "Robust: CFI", "Thresholds:", "A1|t1"):
        assert part in text
    assert "WLSMV" in fit._repr_html_()
    assert fit.loading_matrix(standardized=True).shape == (10, 2)


def test_dwls_and_wlsmv_share_the_estimates(wlsmv: cl.CFAResult) -> None:
    dwls = cl.cfa(BFI, AC, estimator="dwls")
    assert_allclose(dwls.parameters["estimate"], wlsmv.parameters["estimate"], rtol=1e-9)
    assert_allclose(dwls.fit.chisq, wlsmv.fit.chisq, rtol=1e-10)
    assert not np.allclose(dwls.parameters["se"], wlsmv.parameters["se"])
    assert "(DWLS)" in dwls.summary() and "Scaled and shifted" not in dwls.summary()


def test_std_lv_turns_factors_like_lavaan(wlsmv: cl.CFAResult) -> None:
    std = cl.cfa(BFI, AC, estimator="wlsmv", std_lv=True)
    assert_allclose(std.fit.chisq, wlsmv.fit.chisq, rtol=1e-9)
    loads = std.loadings.set_index("item")
    assert loads.loc["A1", "estimate"] > 0 and loads.loc["C1", "estimate"] > 0
    assert_allclose(
        loads["std_estimate"], wlsmv.loadings.set_index("item")["std_estimate"], rtol=1e-6
    )


def test_invariance_result_reports_scaled_statistics() -> None:
    res = cl.cfa(
        BFI, AC, estimator="wlsmv", group="gender", invariance=("configural", "thresholds")
    )
    assert res.levels == ("configural", "thresholds")
    assert {"chisq_scaled", "cfi_scaled", "rmsea_scaled", "cfi_robust"} <= set(res.comparison)
    assert "chisq_scaled" in res.summary()
    assert res["thresholds"].invariance == "thresholds"
    thr = res["thresholds"].thresholds
    by_group = thr.pivot_table(index=["item", "threshold"], columns="group", values="estimate")
    assert_allclose(by_group[1], by_group[2], rtol=0, atol=0)  # equal by constraint
    assert np.isnan(res["thresholds"].fit.cfi_robust)  # as lavaan 0.6-14


# -- reliability ---------------------------------------------------------------------------------
def test_ordinal_alpha_and_omega_results(small: pd.DataFrame) -> None:
    a = cl.alpha(small, ordinal=True)
    assert a.ordinal and a.alpha == a.std_alpha and a.ci_method == "none"
    assert a.summary().startswith("Ordinal alpha")
    assert a.to_frame()["ci_method"].iloc[0] == "none"
    r = cl.polychoric(small).correlation.to_numpy()
    k = len(r)
    assert_allclose(a.alpha, k / (k - 1) * (1 - k / r.sum()), rtol=1e-12)
    o = cl.omega(small, ordinal=True)
    assert "categorical omega" in o.method and 0 < o.omega_total < 1
    with pytest.raises(cl.InvalidParameterError, match="one factor"):
        cl.omega(small, ordinal=True, nfactors=2)


def test_reliability_table_ordinal_columns() -> None:
    resp = cl.load_sample("district")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cl.ColeadWarning)
        table = cl.reliability(resp, ordinal=True)
        plain = cl.reliability(resp)
    assert list(table.columns[13:15]) == ["ordinal_alpha", "ordinal_omega"]
    assert list(plain.columns) == [c for c in table.columns if not c.startswith("ordinal")]
    scale = resp.instrument.scales["trust_principal"]
    items = cl.psychometrics.keyed_items(resp.data, resp.instrument, scale)
    row = table.set_index("scale").loc["trust_principal"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cl.ColeadWarning)
        assert_allclose(row["ordinal_alpha"], cl.alpha(items, ordinal=True).alpha)
        assert_allclose(row["ordinal_omega"], cl.omega(items, ordinal=True).omega_total)
    # answers treated as ordered categories give larger coefficients than Pearson-based ones
    assert (table["ordinal_alpha"] > table["std_alpha"]).all()


def test_pairs_never_answered_together_and_continuous_items() -> None:
    d = pd.DataFrame(
        {
            "a": [1, 2, 3, 1, 2, 3, np.nan, np.nan, np.nan, np.nan],
            "b": [np.nan] * 6 + [1, 2, 1, 2],
            "c": [1, 2, 2, 1, 3, 2, 1, 3, 3, 1],
        }
    )
    with pytest.warns(cl.ColeadWarning, match="no row answered both b and a"):
        r = cl.polychoric(d, missing="pairwise")
    assert np.isnan(r.correlation.loc["a", "b"]) and np.isfinite(r.correlation.loc["a", "c"])
    wide = pd.DataFrame({"x": np.arange(40.0), "y": np.arange(40.0) % 3})
    with pytest.raises(cl.InvalidParameterError, match=r"at most 30.*x \(40\)"):
        cl.polychoric(wide)

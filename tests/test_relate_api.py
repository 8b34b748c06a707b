"""The relate functions' contract: tables, result objects, privacy, errors, plots, and the
vectorised bootstrap against refitted models."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from matplotlib.axes import Axes
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import (
    ColeadWarning,
    InsufficientDataError,
    InvalidParameterError,
)
from colead.relate import _path_model as pm

from .conftest import REPO

SCALES = [
    "shared_leadership",
    "trust_principal",
    "collective_responsibility",
    "focused_instruction",
]
MODEL = {
    "collective_responsibility": ["shared_leadership", "trust_principal"],
    "focused_instruction": ["collective_responsibility", "shared_leadership"],
}


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def teachers() -> pd.DataFrame:
    return pd.read_csv(REPO / "tests" / "reference" / "relate" / "teachers.csv")


# -- correlate -------------------------------------------------------------------------------
def test_pairs_table_and_matrix_view(teachers):
    table = cl.correlate(teachers, columns=SCALES)
    assert list(table.columns) == [
        "x",
        "y",
        "level",
        "method",
        "n",
        "groups",
        "r",
        "ci_low",
        "ci_high",
        "ci_level",
        "p_value",
    ]
    assert len(table) == 6
    matrix = cl.correlation_matrix(table)
    assert list(matrix.index) == SCALES == list(matrix.columns)
    assert_allclose(np.diag(matrix), 1.0)
    assert_allclose(matrix.to_numpy(), matrix.to_numpy().T)
    direct = teachers[SCALES].corr()
    assert_allclose(matrix.to_numpy(), direct.to_numpy(), rtol=1e-12)
    assert cl.correlation_matrix(table, value="n").isna().to_numpy().diagonal().all()


def test_default_columns_are_the_numeric_non_identifiers(teachers):
    table = cl.correlate(teachers.drop(columns=["weight", "secondary", "years_experience"]))
    assert set(table["x"]) | set(table["y"]) == set(cl.load_instrument("colead-teacher").scales)


def test_several_levels_in_one_table_and_their_matrices(teachers):
    table = cl.correlate(teachers, columns=SCALES, level=["school", "within"])
    assert list(table["level"].unique()) == ["school", "within"]
    with pytest.raises(InvalidParameterError, match="several levels"):
        cl.correlation_matrix(table)
    school = cl.correlation_matrix(table, level="school")
    assert school.shape == (4, 4)
    with pytest.raises(InvalidParameterError, match="no pairs at level"):
        cl.correlation_matrix(table, level="individual")
    with pytest.raises(InvalidParameterError, match="no column"):
        cl.correlation_matrix(table, value="rho")


def test_school_level_never_sees_a_school_under_min_n(teachers):
    base = cl.correlate(teachers, columns=SCALES, level="school")
    tiny = pd.DataFrame({"school_id": ["TINY"] * 3, **{s: [1.0, 6.0, 1.0] for s in SCALES}})
    tiny["trust_principal"] = [6.0, 1.0, 6.0]
    with_tiny = pd.concat([teachers, tiny], ignore_index=True)
    again = cl.correlate(with_tiny, columns=SCALES, level="school")
    pd.testing.assert_frame_equal(again, base)
    allowed = cl.correlate(with_tiny, columns=SCALES, level="school", min_n=3)
    assert (
        allowed["n"] == cl.correlate(teachers, columns=SCALES, level="school", min_n=3)["n"] + 1
    ).all()
    with pytest.raises(InvalidParameterError, match="can identify a respondent"):
        cl.correlate(teachers, columns=SCALES, level="school", min_n=2)
    ok = cl.correlate(teachers, columns=SCALES, level="school", min_n=2, allow_small_groups=True)
    assert (ok["n"] >= base["n"]).all()


def test_within_level_ignores_school_differences(teachers):
    shifted = teachers.copy()
    offsets = {s: i * 3.0 for i, s in enumerate(sorted(teachers["school_id"].unique()))}
    for scale in SCALES:
        shifted[scale] = shifted[scale] + shifted["school_id"].map(offsets)
    a = cl.correlate(teachers, columns=SCALES, level="within")
    b = cl.correlate(shifted, columns=SCALES, level="within")
    assert_allclose(a["r"], b["r"], rtol=1e-9)
    assert (cl.correlate(shifted, columns=SCALES)["r"] > 0.9).all()  # total r is swamped


def test_disattenuation_is_the_classical_correction(teachers):
    rel = {
        "shared_leadership": 0.81,
        "trust_principal": 0.9,
        "collective_responsibility": 0.7,
        "focused_instruction": 0.64,
    }
    table = cl.correlate(teachers, columns=SCALES, disattenuate=rel)
    factor = np.sqrt(table["x"].map(rel) * table["y"].map(rel))
    assert_allclose(table["r_disattenuated"], table["r"] / factor)
    assert_allclose(table["ci_low_disattenuated"], table["ci_low"] / factor)
    partial = cl.correlate(teachers, columns=SCALES, disattenuate={"trust_principal": 0.9})
    assert partial["r_disattenuated"].isna().all()  # every pair needs both reliabilities
    sim = cl.simulate(n_schools=8, respondents=10, seed=2)
    from_table = cl.correlate(sim, disattenuate=cl.reliability(sim, omega_total=False))
    assert from_table["r_disattenuated"].notna().all()


def test_responses_are_scored_first():
    sim = cl.simulate(n_schools=6, respondents=8, seed=3)
    pd.testing.assert_frame_equal(cl.correlate(sim), cl.correlate(cl.score(sim)))


def test_perfect_and_constant_columns():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [2.0, 4, 6, 8, 10], "c": [1.0] * 5})
    table = cl.correlate(frame).set_index(["x", "y"])
    assert table.loc[("a", "b"), "r"] == pytest.approx(1.0)
    assert table.loc[("a", "b"), "p_value"] == 0.0
    assert np.isnan(table.loc[("a", "c"), "r"]) and np.isnan(table.loc[("a", "c"), "p_value"])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"level": "district"}, "'level' parameter of correlate"),
        ({"level": []}, "names no level"),
        ({"method": "kendall"}, "'method' parameter"),
        ({"adjust": "BH"}, "'adjust' parameter"),
        ({"ci": 1.5}, "'ci' parameter"),
        ({"weighted": "yes"}, "'weighted' parameter"),
        ({"weighted": True, "method": "spearman"}, "Pearson only"),
        ({"level": "school", "by": "district"}, "'by' parameter of correlate names"),
        ({"by": "district"}, "'by' parameter of correlate names"),
        ({"columns": ["shared_leadership", "school_id"]}, "must be numeric"),
        ({"columns": ["shared_leadership", "nope"]}, "no column 'nope'"),
        ({"columns": ["shared_leadership"]}, "at least two"),
        ({"disattenuate": {"shared_leadership": 1.2}}, r"in \(0, 1\]"),
        ({"disattenuate": pd.DataFrame({"scale": ["a"]})}, "'scale' and 'alpha'"),
        ({"disattenuate": [0.8]}, "mapping scale -> reliability"),
    ],
)
def test_correlate_errors(teachers, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        cl.correlate(teachers, **kwargs)


def test_correlate_needs_a_frame():
    with pytest.raises(InvalidParameterError, match="must be a DataFrame"):
        cl.correlate([[1, 2], [3, 4]])


# -- ModelResult and regress -----------------------------------------------------------------
def test_model_result_is_frozen_and_renders(teachers):
    fit = cl.regress(
        "focused_instruction ~ trust_principal + shared_leadership", teachers, cluster="school_id"
    )
    assert isinstance(fit, cl.ModelResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.kind = "other"  # type: ignore[misc]
    assert list(fit.coefficients.columns) == [
        "term",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "p_value",
        "std_estimate",
    ]
    assert fit.model.cov_type == "cluster"
    text = fit.summary()
    assert "Linear regression (OLS)" in text and "trust_principal" in text
    assert str(fit) == text
    html = fit._repr_html_()
    assert html.count("<table") == 2 and "shared_leadership" in html
    assert fit.fit["cov_type"].startswith("CR1")
    assert fit.fit["wald_df2"] == 44


def test_blocks_as_a_list_and_categorical_terms(teachers):
    fit = cl.regress(
        "focused_instruction ~ C(secondary) + years_experience + trust_principal",
        teachers,
        blocks=[["C(secondary)", "years_experience"], "trust_principal"],
    )
    assert list(fit.blocks["block"]) == ["block 1", "block 2"]
    assert list(fit.blocks["df1"]) == [2, 1]
    assert "wald_f" not in fit.blocks.columns
    assert_allclose(fit.blocks["r2_change"].sum(), fit.fit["r2"])
    assert "Hierarchical steps" in fit.summary()


@pytest.mark.parametrize(
    ("formula", "kwargs", "error", "match"),
    [
        ("focused_instruction", {}, InvalidParameterError, "must be a formula"),
        ("~ x", {}, InvalidParameterError, "needs an outcome"),
        ("focused_instruction ~ nope", {}, InvalidParameterError, "cannot use the formula"),
        (
            "focused_instruction ~ trust_principal",
            {"cluster": "district"},
            InvalidParameterError,
            "'cluster' parameter of regress names",
        ),
        (
            "focused_instruction ~ trust_principal",
            {"weights": "secondary"},
            InvalidParameterError,
            "positive numbers",
        ),
        (
            "focused_instruction ~ trust_principal",
            {"standardize": 1},
            InvalidParameterError,
            "'standardize' parameter",
        ),
        (
            "focused_instruction ~ trust_principal + shared_leadership",
            {"blocks": [["trust_principal"]]},
            InvalidParameterError,
            "in no block",
        ),
        (
            "focused_instruction ~ trust_principal",
            {"blocks": [["trust_principal"], ["shared_leadership"]]},
            InvalidParameterError,
            "not in the formula",
        ),
        (
            "focused_instruction ~ trust_principal",
            {"blocks": [["trust_principal"], ["trust_principal"]]},
            InvalidParameterError,
            "more than one block",
        ),
        (
            "focused_instruction ~ trust_principal",
            {"blocks": "trust_principal"},
            InvalidParameterError,
            "list of term lists",
        ),
        (
            "focused_instruction ~ trust_principal - 1",
            {"blocks": [["trust_principal"]]},
            InvalidParameterError,
            "need a model with an intercept",
        ),
    ],
)
def test_regress_errors(teachers, formula, kwargs, error, match):
    with pytest.raises(error, match=match):
        cl.regress(formula, teachers, **kwargs)


def test_regress_small_and_constant_data():
    frame = pd.DataFrame({"y": [1.0, 2.0], "x": [0.0, 1.0], "c": [1.0, 1.0]})
    with pytest.raises(InsufficientDataError, match="complete row"):
        cl.regress("y ~ x", frame)
    frame = pd.DataFrame({"y": np.arange(10.0), "x": np.r_[0, 1].repeat(5), "c": 1.0})
    with pytest.raises(InvalidParameterError, match="without variance"):
        cl.regress("y ~ x + c", frame, standardize=True)
    with pytest.raises(InvalidParameterError, match="must be a DataFrame"):
        cl.regress("y ~ x", frame.to_numpy())


def test_listwise_rows_include_cluster_and_weights(teachers):
    frame = teachers.copy()
    frame.loc[:9, "weight"] = np.nan
    fit = cl.regress("focused_instruction ~ trust_principal", frame, weights="weight")
    complete = frame[["focused_instruction", "trust_principal", "weight"]].dropna()
    assert fit.fit["n"] == len(complete)


# -- multilevel ------------------------------------------------------------------------------
def test_singular_fit_is_reported_as_a_warning():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"g": np.repeat(np.arange(20), 10), "x": rng.normal(size=200)})
    frame["y"] = 0.5 * frame["x"] + rng.normal(size=200)  # no group variance at all
    # lme4: boundary (singular) fit, intercept and slope correlated 1, variances 0.0249 and
    # 0.0035, REML log-likelihood -291.455
    with pytest.warns(ColeadWarning) as record:  # statsmodels' boundary note, then colead's
        fit = cl.multilevel("y ~ x", frame, group="g", random="x")
    messages = [str(w.message) for w in record]
    assert any("singular fit" in m for m in messages)
    assert any("boundary" in m for m in messages)
    assert fit.fit["singular"] and fit.fit["converged"]
    assert any("singular" in w for w in fit.warnings)
    assert_allclose(fit.variance_components["correlation"].iloc[2], 1.0, atol=1e-3)
    assert_allclose(float(fit.fit["reml_loglik"]), -291.455, atol=1e-3)


def test_multilevel_result_tables(teachers):
    fit = cl.multilevel("focused_instruction ~ trust_principal", teachers, group="school_id")
    assert fit.kind == "mixed"
    assert list(fit.variance_components["level"]) == ["group", "residual"]
    assert "Variance components" in fit.summary()
    assert 0 < fit.fit["icc_null"] < 1
    assert np.isnan(fit.coefficients["std_estimate"].iloc[0])
    assert isinstance(fit.plot(), Axes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"group": "district"}, "'group' parameter of multilevel names"),
        ({"group": "school_id", "random": ""}, "'random' parameter"),
        ({"group": "school_id", "random": "nope"}, "cannot use random"),
        ({"group": "school_id", "center": {"trust_principal": "school"}}, "'grand' or 'group'"),
        ({"group": "school_id", "center": ["trust_principal"]}, "must be a mapping"),
        ({"group": "school_id", "center": {"nope": "grand"}}, "no column 'nope'"),
    ],
)
def test_multilevel_errors(teachers, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        cl.multilevel("focused_instruction ~ trust_principal", teachers, **kwargs)


def test_multilevel_needs_two_groups(teachers):
    one = teachers[teachers["school_id"] == "S01"]
    with pytest.raises(InvalidParameterError, match="at least 2"):
        cl.multilevel("focused_instruction ~ trust_principal", one, group="school_id")


# -- path and mediate ------------------------------------------------------------------------
def test_model_text_and_mapping_agree(teachers):
    text = """
        # leadership feeds professional community
        collective_responsibility ~ shared_leadership + trust_principal
        focused_instruction ~ collective_responsibility + shared_leadership
    """
    a = cl.path(text, teachers, n_boot=50, seed=1)
    b = cl.path(MODEL, teachers, n_boot=50, seed=1)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    pd.testing.assert_frame_equal(a.effects, b.effects)
    assert a.formula == b.formula


def test_bootstrap_is_reproducible_and_optional(teachers):
    a = cl.path(MODEL, teachers, group="school_id", n_boot=100, seed=7)
    b = cl.path(MODEL, teachers, group="school_id", n_boot=100, seed=np.random.default_rng(7))
    pd.testing.assert_frame_equal(a.effects, b.effects)
    assert a.replicates.shape == (100, len(a.effects))
    none = cl.path(MODEL, teachers, n_boot=0)
    assert none.replicates is None
    assert none.effects["se"].isna().all() and none.effects["se_delta"].notna().all()


def test_bootstrap_replicates_equal_refitted_models(teachers):
    """The vectorised cluster bootstrap gives, replicate by replicate, what refitting OLS on
    the resampled schools gives."""
    spec = pm.parse_model(MODEL, "test")
    rows = teachers[[*spec.variables, "school_id"]].dropna().reset_index(drop=True)
    codes, uniques = pd.factorize(rows["school_id"])
    z = rows[list(spec.variables)].to_numpy()
    counts, sums, cross = pm.unit_moments(z - z.mean(axis=0), codes)
    weights = pm.replicate_counts(np.random.default_rng(3), len(counts), 4)
    cov, n = pm.covariances(weights, counts, sums, cross)
    beta, _, _ = pm.solve_paths(cov, spec)
    index = {v: i for i, v in enumerate(spec.variables)}
    # unit_moments orders clusters by code; replicate_counts draws in that order
    for r in range(4):
        parts = [rows[codes == g] for g in range(len(uniques)) for _ in range(int(weights[r, g]))]
        resampled = pd.concat(parts, ignore_index=True)
        assert n[r] == len(resampled)
        for y, xs in spec.equations.items():
            fitted = smf.ols(f"{y} ~ {' + '.join(xs)}", resampled).fit()
            assert_allclose(beta[r, index[y], [index[x] for x in xs]], fitted.params[1:], rtol=1e-9)


def test_replicate_counts_resample_units_with_replacement():
    counts = pm.replicate_counts(np.random.default_rng(0), 50, 2000)
    assert counts.shape == (2000, 50)
    assert (counts.sum(axis=1) == 50).all()
    assert_allclose(counts.mean(), 1.0)
    assert_allclose(counts.var(), 1 - 1 / 50, rtol=0.05)  # multinomial(50, 1/50)


def test_effects_of_a_chain_and_their_labels(teachers):
    fit = cl.path(MODEL, teachers, n_boot=20, seed=1)
    e = fit.effects.set_index(["outcome", "predictor", "effect"])
    fi, sl = "focused_instruction", "shared_leadership"
    a = fit.coefficients.set_index(["outcome", "term"])["estimate"]
    indirect = a[("collective_responsibility", sl)] * a[(fi, "collective_responsibility")]
    assert_allclose(e.loc[(fi, sl, "indirect"), "estimate"], indirect)
    assert_allclose(e.loc[(fi, sl, "total"), "estimate"], indirect + a[(fi, sl)])
    assert e.loc[(fi, sl, "indirect"), "path"] == (
        "shared_leadership -> collective_responsibility -> focused_instruction"
    )
    assert "total: shared_leadership -> focused_instruction" in fit.replicates.columns
    assert set(fit.effects["effect"]) == {"direct", "indirect", "total"}


def test_singular_replicates_are_dropped_with_a_warning():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "school_id": np.repeat(["A", "B", "C", "D"], 6),
            "x": rng.normal(size=24),
            "m": rng.normal(size=24),
            "y": rng.normal(size=24),
        }
    )
    with pytest.warns(ColeadWarning, match="bootstrap replicates"):
        fit = cl.path(
            {"m": ["x"], "y": ["m"]}, frame, level="school", group="school_id", n_boot=300, seed=0
        )
    assert 0 < fit.fit["replicates_dropped"] < 300
    assert fit.effects["ci_low"].notna().all()


@pytest.mark.parametrize(
    ("model", "kwargs", "error", "match"),
    [
        ({"a": ["b"], "b": ["a"]}, {}, InvalidParameterError, "not recursive"),
        (
            {"shared_leadership": ["shared_leadership"]},
            {},
            InvalidParameterError,
            "predicts itself",
        ),
        ({"shared_leadership": []}, {}, InvalidParameterError, "no valid predictors"),
        (
            {"focused_instruction": ["shared_leadership", "shared_leadership"]},
            {},
            InvalidParameterError,
            "twice",
        ),
        (
            "focused_instruction = shared_leadership",
            {},
            InvalidParameterError,
            "cannot read the model line",
        ),
        ("", {}, InvalidParameterError, "no equation"),
        (42, {}, InvalidParameterError, "'model' parameter of path"),
        ({"focused_instruction": ["nope"]}, {}, InvalidParameterError, "no column 'nope'"),
        (MODEL, {"level": "school"}, InvalidParameterError, "needs group="),
        (MODEL, {"level": "district"}, InvalidParameterError, "'level' parameter"),
        (MODEL, {"n_boot": -1}, InvalidParameterError, "'n_boot' parameter"),
        (MODEL, {"seed": "x"}, InvalidParameterError, "'seed' parameter"),
        (MODEL, {"group": "district"}, InvalidParameterError, "'group' parameter of path"),
    ],
)
def test_path_errors(teachers, model, kwargs, error, match):
    with pytest.raises(error, match=match):
        cl.path(model, teachers, **kwargs)


def test_path_needs_enough_rows(teachers):
    with pytest.raises(InsufficientDataError, match="too few"):
        cl.path(MODEL, teachers.head(3))
    frame = teachers.assign(copy=teachers["shared_leadership"] * 2)
    with pytest.raises(InsufficientDataError, match="linearly dependent"):
        cl.path({"focused_instruction": ["shared_leadership", "copy"]}, frame, n_boot=0)


def test_mediate_with_parallel_mediators(teachers):
    fit = cl.mediate(
        teachers,
        x="shared_leadership",
        m=["collective_responsibility", "shared_focus"],
        y="focused_instruction",
        group="school_id",
        n_boot=200,
        seed=2,
    )
    assert fit.kind == "mediation"
    e = fit.effects
    assert set(e["predictor"]) == {"shared_leadership"}
    on_y = e[e["outcome"] == "focused_instruction"]
    assert list(on_y["effect"]) == ["direct", "indirect", "specific", "specific", "total"]
    assert_allclose(
        on_y[on_y["effect"] == "specific"]["estimate"].sum(),
        on_y[on_y["effect"] == "indirect"]["estimate"].iloc[0],
    )
    assert fit.replicates.shape == (200, len(e))
    assert 0 < fit.fit["proportion_mediated"] < 1
    assert "Mediation model" in fit.summary()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": "shared_leadership", "m": [], "y": "focused_instruction"}, "column names"),
        (
            {"x": "shared_leadership", "m": "shared_leadership", "y": "focused_instruction"},
            "must all differ",
        ),
        ({"x": "shared_leadership", "m": "nope", "y": "focused_instruction"}, "no column"),
    ],
)
def test_mediate_errors(teachers, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        cl.mediate(teachers, **kwargs)


# -- plots -----------------------------------------------------------------------------------
def test_plot_relations_one_and_two_levels(teachers):
    one = cl.correlate(teachers, columns=SCALES)
    ax = cl.plots.plot_relations(one)
    assert isinstance(ax, Axes)
    assert len(ax.images) == 1 and len(ax.texts) == 12  # every off-diagonal cell
    two = cl.correlate(teachers, columns=SCALES, level=["school", "within"])
    ax = cl.plots.plot_relations(two, annotate=False, colorbar=False, title="two levels")
    assert len(ax.texts) == 0 and "school" in ax.get_xlabel()
    assert ax.get_title() == "two levels"
    three = cl.correlate(teachers, columns=SCALES, level=["individual", "school", "within"])
    with pytest.raises(InvalidParameterError, match="one or two levels"):
        cl.plots.plot_relations(three)
    with pytest.raises(InvalidParameterError, match="correlate"):
        cl.plots.plot_relations(one, value="rho")


def test_plot_coefficients_and_effects(teachers):
    fit = cl.regress("focused_instruction ~ trust_principal + shared_leadership", teachers)
    ax = fit.plot()
    assert isinstance(ax, Axes)
    assert len(ax.collections) == 2  # the interval lines and the points
    assert len(ax.collections[1].get_offsets()) == 2  # intercept left out
    ax = cl.plots.plot_coefficients(fit, standardized=True, intercept=True)
    assert len(ax.collections) == 1 and len(ax.collections[0].get_offsets()) == 3
    path = cl.path(MODEL, teachers, n_boot=50, seed=1)
    ax = path.plot()
    # on focused_instruction: shared_leadership direct, indirect, total; trust_principal
    # indirect, total; collective_responsibility direct, total
    assert len(ax.collections[-1].get_offsets()) == 7
    ax = path.plot(effects=False)
    assert len(ax.collections[-1].get_offsets()) == 4  # the four paths
    ax = cl.plots.plot_effects(path, outcome="collective_responsibility", standardized=True)
    assert len(ax.collections[-1].get_offsets()) == 4
    with pytest.raises(InvalidParameterError, match="no effects on"):
        cl.plots.plot_effects(path, outcome="nope")
    with pytest.raises(InvalidParameterError, match="path or mediation"):
        cl.plots.plot_effects(fit)

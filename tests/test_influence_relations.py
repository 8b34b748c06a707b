"""cl.influence_relations (Ni, Yan & Pounder 2018) against R, and recovery of known relations.

Reference values: tests/reference/influence/ (README.md there; made by influence.R with R 4.2.2,
survey 4.1-1, sandwich 3.0-2, lmtest 0.9-40). Each JSON record carries the exact R call. Every
zone's model is ``inf_principal_<zone> ~ the five other stakeholders + years_as_principal +
factor(school_level) + factor(locale) + enrolment + pct_frpl`` on 300 principals (220-ish
complete rows per zone), estimated with lm, lm + vcovCL, svyglm on two linearisation designs
and on BRR, BRR (mse), Fay, JK1 and JK2 replicate designs.

Tolerance: the issue's, ``rtol=1e-6`` for estimates, standardized estimates and interval
bounds and ``rtol=1e-4`` for standard errors and p-values (the achieved agreement is about
1e-12 throughout; see the README). Degrees of freedom and n must be equal.
"""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import colead as cl
from colead.decisions import _relations_kernels as kernels
from colead.decisions.relations import RELATION_COLUMNS
from colead.exceptions import (
    ColeadWarning,
    InsufficientDataError,
    InvalidParameterError,
)

from . import influence_truth as truth

REF = Path(__file__).resolve().parent / "reference" / "influence"
RTOL_ESTIMATE, RTOL_SE = 1e-6, 1e-4
CONTROLS = ["years_as_principal", "school_level", "locale", "enrolment", "pct_frpl"]
KINDS = ["ols", "cluster", "linearized", "linearized_cl", "brr", "brr_mse", "fay", "jk1", "jk2",
         "linearized_strata", "linearized_strata_cl"]
# kinds whose R values are in design.json (design.R): the cluster-robust test on G - 1 df and
# the stratified linearisation; their standardized estimates are those of the kind named
DESIGN_KINDS = {"cluster": ("cluster_g1", "cluster"),
                "linearized_strata": ("linearized_strata", "linearized"),
                "linearized_strata_cl": ("linearized_strata_cl", "linearized")}


@cache
def ref() -> dict:
    return json.loads((REF / "influence.json").read_text())


@cache
def design_ref() -> dict:
    return json.loads((REF / "design.json").read_text())


@cache
def principals() -> pd.DataFrame:
    """The reference data, with the strata design.R makes from the district (D01-D04 A,
    D05-D12 B, D13-D20 C, D21-D30 D, D31-D40 E)."""
    data = pd.read_csv(REF / "principals.csv")
    district = data["district_id"].str[1:].astype(int)
    data["stratum"] = pd.cut(district, [0, 4, 12, 20, 30, 40], labels=list("ABCDE")).astype(str)
    return data


@cache
def replicates(name: str) -> pd.DataFrame:
    return pd.read_csv(REF / f"replicates_{name}.csv")


def options(kind: str) -> dict:
    base = {"weights": "weight"}
    return {
        "ols": {},
        "cluster": {"cluster": "district_id"},
        "linearized": base,
        "linearized_cl": {**base, "cluster": "district_id"},
        "linearized_strata": {**base, "strata": "stratum"},
        "linearized_strata_cl": {**base, "cluster": "district_id", "strata": "stratum"},
        "brr": {**base, "replicate_weights": replicates("brr")},
        "brr_mse": {**base, "replicate_weights": replicates("brr"), "mse": True},
        "fay": {
            **base,
            "replicate_weights": replicates("fay"),
            "replicate_method": "Fay",
            "fay": 0.5,
        },
        "jk1": {
            **base,
            "replicate_weights": replicates("jk1").to_numpy(),
            "replicate_method": "JK1",
        },
        "jk2": {
            **base,
            "replicate_weights": list(replicates("jk2").columns),
            "replicate_method": "JK2",
        },
    }[kind]


def fit(kind: str, **extra) -> pd.DataFrame:
    data = principals()
    if kind == "jk2":  # replicate weights given as column names of the data
        data = pd.concat([data, replicates("jk2")], axis=1)
    return cl.influence_relations(
        data, "sass-principal-influence", controls=CONTROLS, **options(kind), **extra
    )


def r_rows(kind: str) -> pd.DataFrame:
    rows = []
    source, std_kind = DESIGN_KINDS.get(kind, (kind, kind))
    fits = design_ref()["fits"] if kind in DESIGN_KINDS else ref()["fits"]
    stds = {f["zone"]: f["std_estimate"] for f in ref()["fits"] if f["kind"] == std_kind}
    for record in (f for f in fits if f["kind"] == source):
        zone = record["zone"]
        std = {s["stakeholder"]: s["std_estimate"] for s in stds[zone]}
        for term in record["terms"]:
            if not term["term"].startswith("inf_"):
                continue
            stakeholder = term["term"][len("inf_") : -len(zone) - 1]
            rows.append(
                {
                    "zone": zone,
                    "stakeholder": stakeholder,
                    "n": record["n"],
                    "df": record["df"],
                    "std_estimate": std[stakeholder],
                    **{k: term[k] for k in ("estimate", "se", "p_value", "ci_low", "ci_high")},
                }
            )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("kind", KINDS)
def test_models_match_r(kind):
    ours = fit(kind)
    theirs = r_rows(kind)
    assert len(theirs) == 35 and len(ours) == 35
    merged = theirs.merge(
        ours.assign(zone=ours.zone.astype(str), stakeholder=ours.stakeholder.astype(str)),
        on=["zone", "stakeholder"],
        suffixes=("_r", ""),
    )
    assert len(merged) == 35
    assert (merged["n"] == merged["n_r"]).all()
    assert (merged["df"] == merged["df_r"]).all()
    for column in ("estimate", "std_estimate", "ci_low", "ci_high"):
        assert_allclose(
            merged[column], merged[f"{column}_r"], rtol=RTOL_ESTIMATE, err_msg=f"{kind} {column}"
        )
    for column in ("se", "p_value"):
        assert_allclose(
            merged[column], merged[f"{column}_r"], rtol=RTOL_SE, err_msg=f"{kind} {column}"
        )
    assert (merged["ci_level"] == 0.95).all()


@pytest.mark.parametrize("method", ["bonferroni", "holm", "hochberg", "BH", "BY"])
def test_adjusted_p_values_match_r_p_adjust(method):
    record = next(m for m in ref()["p_adjust"]["methods"] if m["method"] == method)
    p = np.array(ref()["p_adjust"]["p"])
    assert_allclose(kernels.p_adjust(p, method), record["adjusted"], rtol=1e-12)
    table = fit("brr", adjust=method)
    assert_allclose(table["p_value"], p, rtol=RTOL_SE)  # same order as R's family
    assert_allclose(table["p_adjusted"], record["adjusted"], rtol=RTOL_SE)


def test_p_adjust_leaves_nan_out_of_the_family():
    p = np.array([0.01, np.nan, 0.04, 0.03])
    assert_allclose(kernels.p_adjust(p, "bonferroni"), [0.03, np.nan, 0.12, 0.09])
    assert_allclose(kernels.p_adjust(p, "holm"), [0.03, np.nan, 0.06, 0.06])
    assert np.isnan(kernels.p_adjust(np.array([np.nan]), "BH")).all()


def test_labels_follow_sign_and_adjusted_p():
    table = fit("brr", adjust="holm", alpha=0.01)
    significant = table["p_adjusted"] < 0.01
    assert (table.loc[significant & (table.estimate > 0), "relation"] == "supportive").all()
    assert (table.loc[significant & (table.estimate < 0), "relation"] == "inhibiting").all()
    assert (table.loc[~significant, "relation"] == "none").all()
    assert (table["ci_level"] == 0.99).all()
    q = stats.t.ppf(0.995, table["df"])
    assert_allclose(table["ci_high"] - table["estimate"], q * table["se"], rtol=1e-12)
    assert list(table.columns) == list(RELATION_COLUMNS)
    assert (table["se_method"] == "replicate (BRR)").all()


def test_replicate_design_object_gives_the_same_answer():
    design = cl.replicate_design(principals()["weight"], replicates("fay"), method="Fay", fay=0.5)
    a = cl.influence_relations(
        principals(), "sass-principal-influence", controls=CONTROLS, replicate_weights=design
    )
    b = fit("fay")
    assert_allclose(a["se"], b["se"], rtol=1e-12)


def test_weighted_means_match_r_svymean():
    data = principals()
    designs = {
        "brr": cl.replicate_design(data["weight"], replicates("brr")),
        "brr_mse": cl.replicate_design(data["weight"], replicates("brr"), mse=True),
        "fay": cl.replicate_design(data["weight"], replicates("fay"), method="Fay", fay=0.5),
        "jk1": cl.replicate_design(data["weight"], replicates("jk1"), method="JK1", scale=39 / 40),
        "jk2": cl.replicate_design(data["weight"], replicates("jk2"), method="JK2"),
    }
    values = pd.DataFrame(
        {
            "~inf_principal_hiring": data["inf_principal_hiring"],
            "~I(inf_principal_hiring == 4)": (data["inf_principal_hiring"] == 4)
            .astype(float)
            .where(data["inf_principal_hiring"].notna()),
            "~inf_teachers_curriculum": data["inf_teachers_curriculum"],
        }
    )
    checked = 0
    for record in ref()["svymean"]:
        design = designs.get(record["design"])
        if design is None:
            continue
        table = design.mean(values[[record["expression"]]]).iloc[0]
        assert_allclose(table["mean"], record["mean"], rtol=1e-10)
        assert_allclose(table["se"], record["se"], rtol=1e-8)
        assert_allclose(
            [table["ci_low"], table["ci_high"]], [record["ci_low"], record["ci_high"]], rtol=1e-8
        )
        checked += 1
    assert checked == 15
    for record in ref()["degf"]:
        if record["design"] in designs:
            assert designs[record["design"]].degf == record["degf"]


# -- options and errors -----------------------------------------------------------------------
def test_outcome_stakeholders_and_zones_options():
    data, inst = principals(), "sass-principal-influence"
    table = cl.influence_relations(
        data, inst, outcome="teachers", stakeholders=["principal", "parents"], zones=["hiring"]
    )
    assert list(table["stakeholder"].astype(str)) == ["principal", "parents"]
    assert set(table["zone"].astype(str)) == {"hiring"}
    for bad in (
        {"outcome": "dean"},
        {"stakeholders": ["principal"]},
        {"stakeholders": ["teachers", "teachers"]},
        {"zones": ["lunch"]},
        {"controls": ["shoe_size"]},
        {"alpha": 1.5},
        {"adjust": "sidak"},
        {"weights": "nope"},
        {"weights": np.ones(3)},
        {"replicate_weights": replicates("brr")},
        {"weights": "weight", "replicate_weights": "brr1"},
        {"weights": "weight", "replicate_weights": replicates("brr"), "cluster": "district_id"},
        {"weights": -np.ones(len(data))},
        {"replicate_method": "bootstrap"},
        {"strata": "stratum"},  # strata without the design's weights
        {"weights": "weight", "replicate_weights": replicates("brr"), "strata": "stratum"},
        {"weights": "weight", "strata": "nope"},
        {"weights": "weight", "strata": data["stratum"].where(data.index > 0)},
    ):
        with pytest.raises(InvalidParameterError):
            cl.influence_relations(data, inst, **bad)


def test_a_stratum_of_one_psu_is_an_error_naming_it():
    data = principals().copy()
    data.loc[data["district_id"] == "D01", "stratum"] = "lonely"
    with pytest.raises(InvalidParameterError, match="single PSU in stratum lonely"):
        cl.influence_relations(data, "sass-principal-influence", weights="weight",
                               cluster="district_id", strata="stratum")


def test_cluster_ids_numbered_within_strata_are_nested():
    """PSUs numbered 1, 2, ... inside each stratum (as public-use files do) give the same
    design as unique ids: svydesign(nest = TRUE)."""
    data = principals().copy()
    data["psu_in_stratum"] = data.groupby("stratum")["district_id"].rank(method="dense")
    a = fit("linearized_strata_cl")
    b = cl.influence_relations(data, "sass-principal-influence", controls=CONTROLS,
                               weights="weight", cluster="psu_in_stratum", strata="stratum")
    assert data["psu_in_stratum"].nunique() < data["district_id"].nunique()
    pd.testing.assert_frame_equal(a, b)


def test_cluster_and_regress_use_the_same_df():
    """One df rule for CR1 errors: influence_relations(cluster=) and regress(cluster=) give
    the same t test (G - 1 df) for the same model."""
    data = principals()
    table = cl.influence_relations(data, "sass-principal-influence", zones=["hiring"],
                                   cluster="district_id")
    zone = data.dropna(subset=[c for c in data.columns if c.endswith("_hiring")
                               and c.startswith("inf_")])
    predictors = [f"inf_{s}_hiring" for s in
                  ("state_agency", "district_staff", "school_board", "teachers", "parents")]
    model = cl.regress(f"inf_principal_hiring ~ {' + '.join(predictors)}", zone,
                       cluster="district_id")
    coefs = model.coefficients.set_index("term").loc[predictors]
    assert model.fit["df_inference"] == zone["district_id"].nunique() - 1
    assert (table["df"] == zone["district_id"].nunique() - 1).all()
    np.testing.assert_allclose(table["se"], coefs["se"], rtol=1e-10)
    np.testing.assert_allclose(table["p_value"], coefs["p_value"], rtol=1e-10)


def test_text_controls_become_dummies_like_r_factor():
    data = principals().copy()
    data["level_text"] = data["school_level"].map({1: "elem", 2: "high", 3: "combined"})
    a = cl.influence_relations(
        data,
        "sass-principal-influence",
        controls=["years_as_principal", "level_text", "locale", "enrolment", "pct_frpl"],
    )
    b = fit("ols")
    assert_allclose(a["estimate"], b["estimate"], rtol=1e-10)


def test_small_zone_models_are_suppressed_and_collinear_ones_raise():
    data = principals().iloc[:40].copy()
    sizes = (
        cl.influence_relations(data, "sass-principal-influence")
        .groupby("zone", observed=True)["n"]
        .first()
    )
    cut = int(sizes.median()) + 1
    table = cl.influence_relations(data, "sass-principal-influence", min_n=cut)
    small = table["zone"].map(sizes).astype(float) < cut
    assert small.any() and (table["suppressed"] == small).all()
    assert table.loc[small, ["n", "estimate", "se", "p_value", "relation"]].isna().all().all()
    tiny = cl.influence_relations(data.iloc[:6], "sass-principal-influence", min_n=3)
    assert not tiny["suppressed"].any()  # 3 to 6 rows for 6 coefficients: not estimable
    assert tiny["estimate"].isna().all() and tiny["relation"].isna().all()
    assert (tiny["n"] >= 3).all()
    data["inf_parents_hiring"] = 2.0
    with pytest.raises(InsufficientDataError, match="hiring"):
        cl.influence_relations(data, "sass-principal-influence", min_n=3)


def test_a_constant_outcome_gives_missing_rows_and_a_warning():
    data = principals().copy()
    data["inf_principal_hiring"] = 4.0
    with pytest.warns(ColeadWarning, match="zone\\(s\\) hiring"):
        table = cl.influence_relations(data, "sass-principal-influence")
    hiring = table["zone"] == "hiring"
    assert hiring.any() and (table.loc[hiring, "n"] > 0).all()
    assert table.loc[hiring, ["estimate", "std_estimate", "se", "relation"]].isna().all().all()
    assert np.isfinite(table.loc[~hiring, ["estimate", "std_estimate", "se"]]).all().all()


def test_singular_replicates_are_dropped_with_a_warning():
    data = principals()
    reps = replicates("jk1").to_numpy().copy()
    reps[:, 0] = 0.0
    reps[:5, 0] = 1.0  # replicate 1 keeps five rows only: its fits are singular
    with pytest.warns(ColeadWarning, match="singular"):
        table = cl.influence_relations(
            data,
            "sass-principal-influence",
            weights="weight",
            replicate_weights=reps,
            replicate_method="JK1",
        )
    assert table["se"].notna().all()


# -- recovery of known relations ---------------------------------------------------------------
N_PRINCIPALS, N_SEEDS, ALPHA = 250, 60, 0.05


def expected_labels(sim, table: pd.DataFrame, weight: np.ndarray, df_variance: int) -> pd.DataFrame:
    """Truth, the population coefficient of the 1-4 codes and the probability that each
    label is recovered (tests/influence_truth.py derives them from the simulator's model)."""
    pop = sim.population
    rows = []
    for zone, part in pop.influence_relations.groupby("zone", sort=False):
        others = list(part["stakeholder"])
        mu_y = float(pop.influence_means.loc["principal", zone])
        mus = tuple(float(pop.influence_means.loc[s, zone]) for s in others)
        betas = tuple(float(b) for b in part["beta"])
        factors = truth.sandwich_factors(mu_y, mus, betas)
        cols = [f"inf_{s}_{zone}" for s in ["principal", *others]]
        complete = sim.data[cols].notna().all(axis=1).to_numpy()
        w = weight[complete]
        n = int(complete.sum())
        deff = n * (w**2).sum() / w.sum() ** 2
        for i, s in enumerate(others):
            b = truth.population_coefficient(mu_y, mus[i], betas[i])
            se = float(np.sqrt(deff * factors[i] / n))
            label = part["relation"].iloc[i]
            rows.append(
                {"zone": zone, "stakeholder": s, "truth": label, "coefficient": b, "se_true": se}
            )
    frame = pd.DataFrame(rows)
    merged = frame.merge(
        table.assign(zone=table.zone.astype(str), stakeholder=table.stakeholder.astype(str)),
        on=["zone", "stakeholder"],
    )
    merged["p_correct"] = truth.label_probability(
        merged["truth"].to_numpy(),
        merged["coefficient"].to_numpy(),
        merged["se_true"].to_numpy(),
        merged["df"].to_numpy(dtype=float),
        df_variance,
        ALPHA,
    )
    return merged


@pytest.fixture(scope="module")
def recovery() -> pd.DataFrame:
    parts = []
    for seed in range(N_SEEDS):
        sim = cl.simulate(
            "sass-principal-influence", n_schools=N_PRINCIPALS, respondents=1, seed=seed
        )
        reps = cl.simulate_replicate_weights(N_PRINCIPALS, seed=10_000 + seed)
        weight = reps["weight"].to_numpy()
        table = cl.influence_relations(
            sim, weights=weight, replicate_weights=reps.filter(like="repwt")
        )
        parts.append(expected_labels(sim, table, weight, df_variance=87).assign(seed=seed))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("kind", ["none", "related"])
def test_labels_agree_with_the_truth_at_the_derived_rate(recovery, kind):
    """Over 60 data sets of 250 principals with 88 BRR weights: of the 1,260 non-null cells
    (truth supportive or inhibiting) about 77 % should be recovered (the power, derived per
    cell: about 85 % for the state's inhibiting and 73 % for the supportive relations), of
    the 840 null cells 95 % (1 - alpha). The observed count must lie within 4 binomial
    standard deviations of the derived expectation (when written: 950 of 1,260 against
    972 +/- 14.5 expected, and 802 of 840 against 798 +/- 6.3). The derivation uses the
    asymptotic sampling variance; the replicate SEs run about 4 % above it at this n (see
    the next test), which is why slightly fewer relations are found than derived."""
    part = recovery[(recovery.truth == "none") == (kind == "none")]
    correct = (part["relation"] == part["truth"]).sum()
    expected = part["p_correct"].sum()
    sd = np.sqrt((part["p_correct"] * (1 - part["p_correct"])).sum())
    assert abs(correct - expected) < 4 * sd, (correct, expected, sd)
    if kind == "none":
        assert 0.94 < part["p_correct"].mean() < 0.96
    else:
        assert 0.6 < part["p_correct"].mean() < 0.9  # neither trivial nor hopeless
        wrong_sign = ((part["truth"] == "supportive") & (part["relation"] == "inhibiting")) | (
            (part["truth"] == "inhibiting") & (part["relation"] == "supportive")
        )
        assert not wrong_sign.any()


def test_estimates_centre_on_the_population_coefficients(recovery):
    """Mean estimate over the seeds minus the population coefficient of the 1-4 codes, in
    units of its standard error: within 4 for each of the 35 cells. The replicate standard
    errors average out at the derived sampling sd (within 15 %, the spread of 60 estimates)."""
    grouped = recovery.groupby(["zone", "stakeholder"])
    mean = grouped["estimate"].mean()
    target = grouped["coefficient"].first()
    se_of_mean = grouped["se_true"].mean() / np.sqrt(N_SEEDS)
    assert (np.abs(mean - target) / se_of_mean).max() < 4
    ratio = grouped["se"].apply(lambda s: np.sqrt((s**2).mean())) / grouped["se_true"].mean()
    assert 0.9 < ratio.mean() < 1.1
    assert ratio.between(0.85, 1.15).all()


def test_sass_sized_samples_recover_every_relation():
    """5,000 principals, as in SASS: power is essentially 1 for the true relations (derived),
    and the null cells are labelled none at the rate 1 - alpha."""
    sim = cl.simulate("sass-principal-influence", n_schools=5000, respondents=1, seed=77)
    reps = cl.simulate_replicate_weights(5000, seed=78)
    weight = reps["weight"].to_numpy()
    table = cl.influence_relations(
        sim, weights=weight, replicate_weights=reps.filter(like="repwt"), controls=CONTROLS
    )
    merged = expected_labels(sim, table, weight, df_variance=87)
    related = merged[merged.truth != "none"]
    assert related["p_correct"].min() > 0.999
    assert (related["relation"] == related["truth"]).all()
    nulls = merged[merged.truth == "none"]
    # 14 null cells at P(none) = 0.95: at most 4 false labels has probability > 0.999.
    assert (nulls["relation"] != "none").sum() <= 4


def test_no_warning_on_clean_data():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit("brr")

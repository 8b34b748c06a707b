"""Scale scores, alpha, item analysis and omega against R psych / semTools reference values.

References: tests/reference/psychometrics/ (psychometrics.R, run with R 4.2.2, psych 2.2.9,
lavaan 0.6-14, semTools 0.5-6). Each case stores the R call that produced it.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics.scoring import keyed_items

from .conftest import REPO

REF = REPO / "tests" / "reference" / "psychometrics"
R = json.loads((REF / "psychometrics.json").read_text())
TEACHERS = pd.read_csv(REF / "teachers.csv")
DATA = {
    name: pd.read_csv(REF / name) for name in ("teachers.csv", "teachers_complete.csv", "edge.csv")
}
TOL = 1e-10  # psych's arithmetic, redone: agreement to rounding


def _items(case: dict) -> pd.DataFrame:
    x = DATA[case["data_file"]][case["items"]].astype(float).copy()
    bounds = (1, 5) if case["data_file"] == "edge.csv" else (1, 6)
    for item in case["reversed_items"]:  # empty in the *_unreversed cases
        x[item] = bounds[0] + bounds[1] - x[item]
    return x


ALPHA_CASES = [c for c in R["alpha"] if not c.startswith("edge_complete_obs")]


@pytest.mark.parametrize("case", ALPHA_CASES)
def test_alpha_matches_psych(case):
    ref = R["alpha"][case]
    policy = "listwise" if "complete_obs" in case else "pairwise"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)  # the edge set's constant item
        got = cl.alpha(_items(ref), nan_policy=policy)
    assert got.k == ref["k_used"] and got.n == ref["n_rows"]
    pairs = [
        ("alpha", "raw_alpha"),
        ("std_alpha", "std_alpha"),
        ("g6", "g6_smc"),
        ("average_r", "average_r"),
        ("median_r", "median_r"),
        ("var_r", "var_r"),
        ("signal_noise", "signal_noise"),
        ("ase", "ase"),
        ("mean", "mean"),
        ("sd", "sd"),
    ]
    if case.startswith("edge"):
        # psych adds the first respondent's answer to the constant item into every total
        # score (README); colead leaves that item out, so the mean and sd differ by design.
        pairs = pairs[:-2]
    for ours, theirs in pairs:
        assert_allclose(getattr(got, ours), ref[theirs], rtol=TOL, atol=TOL, err_msg=ours)
    assert_allclose(
        [got.ci_low, got.ci_high], [ref["feldt"]["lower"], ref["feldt"]["upper"]], rtol=TOL
    )
    duhachek = (
        cl.alpha(_items(ref), nan_policy=policy, method="duhachek")
        if ref["k_used"] == ref["k_input"]
        else None
    )
    if duhachek is not None:
        # psych prints alpha +/- 1.96 ase; colead uses the exact normal quantile 1.95996...,
        # so the bounds may differ by (1.96 - 1.95996) * ase and no more.
        gap = (1.96 - 1.959963984540054) * ref["ase"]
        assert_allclose(
            [duhachek.ci_low, duhachek.ci_high],
            [ref["duhachek"]["lower"], ref["duhachek"]["upper"]],
            atol=gap * 1.001,
        )


@pytest.mark.parametrize("case", [c for c in ALPHA_CASES if "complete_data" not in c])
def test_item_analysis_matches_psych(case):
    ref = R["alpha"][case]
    policy = "listwise" if "complete_obs" in case else "pairwise"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)
        table = cl.item_analysis(_items(ref), nan_policy=policy).set_index("item")
    for item, stats in ref["item_stats"].items():
        if item not in table.index:  # psych keeps the constant item in item.stats
            continue
        for key in ("n", "raw_r", "std_r", "r_cor", "r_drop", "mean", "sd"):
            assert_allclose(
                table.loc[item, key], stats[key], rtol=TOL, atol=TOL, err_msg=f"{item} {key}"
            )
        dropped = ref["alpha_drop"][item]
        for ours, theirs in [
            ("alpha_if_dropped", "raw_alpha"),
            ("std_alpha_if_dropped", "std_alpha"),
            ("g6_if_dropped", "g6_smc"),
            ("average_r_if_dropped", "average_r"),
        ]:
            assert_allclose(
                table.loc[item, ours], dropped[theirs], rtol=TOL, atol=TOL, err_msg=f"{item} {ours}"
            )


def test_unreversed_item_is_flagged_with_a_warning():
    ref = R["alpha"]["collective_efficacy_unreversed_pairwise"]
    with pytest.warns(ColeadWarning, match="ce2, ce6"):
        table = cl.item_analysis(_items(ref))
    assert list(table.loc[table["flagged"], "item"]) == ["ce2", "ce6"]


def test_alpha_matches_pingouin():
    pg = pytest.importorskip("pingouin")  # a dependency, so never skipped in CI
    x = _items(R["alpha"]["trust_principal_pairwise"])
    ours = cl.alpha(x)
    for policy in ("pairwise", "listwise"):
        value, ci = pg.cronbach_alpha(data=x, nan_policy=policy)
        mine = cl.alpha(x, nan_policy=policy)
        assert_allclose(mine.alpha, value, rtol=1e-12)
        assert_allclose([mine.ci_low, mine.ci_high], ci, atol=5e-4)  # pingouin rounds to 3 dp
    assert ours.alpha == cl.alpha(x, nan_policy="pairwise").alpha


def test_alpha_invariants():
    x = _items(R["alpha"]["shared_leadership_pairwise"])
    base = cl.alpha(x)
    shuffled = cl.alpha(x[list(reversed(x.columns))].sample(frac=1, random_state=1))
    assert_allclose(shuffled.alpha, base.alpha, rtol=1e-12)
    assert_allclose(shuffled.std_alpha, base.std_alpha, rtol=1e-12)
    table = cl.item_analysis(x)
    for item in x.columns:
        assert_allclose(
            table.set_index("item").loc[item, "alpha_if_dropped"],
            cl.alpha(x.drop(columns=item)).alpha,
            rtol=1e-12,
        )


def test_bootstrap_is_seeded_and_covers_the_estimate():
    x = _items(R["alpha"]["trust_principal_pairwise"])
    a = cl.alpha(x, method="bootstrap", n_boot=400, seed=3)
    b = cl.alpha(x, method="bootstrap", n_boot=400, seed=3)
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.ci_low < a.alpha < a.ci_high
    # The bootstrap spread agrees with Duhachek's standard error within 20 %.
    assert np.std(a.bootstrap) == pytest.approx(a.ase, rel=0.2)


def test_alpha_rejects_bad_input():
    x = _items(R["alpha"]["trust_principal_pairwise"])
    with pytest.raises(InvalidParameterError, match="'nan_policy' parameter of alpha"):
        cl.alpha(x, nan_policy="omit")
    with pytest.raises(InvalidParameterError, match="'ci' parameter"):
        cl.alpha(x, ci=95)
    with pytest.raises(InsufficientDataError, match="at least 2 items"):
        cl.alpha(x[["tp1"]])
    with pytest.raises(InvalidParameterError, match="numeric"):
        cl.alpha(x.assign(tp1="a"))


def test_scores_match_psych_score_items():
    ref = R["score_items"]["teachers_impute_none"]
    inst = cl.load_instrument("colead-teacher")
    frame = TEACHERS.copy()
    scales = list(ref["alpha"])
    scores = cl.score(frame, inst, scales=scales, min_valid=1)
    first = pd.DataFrame(ref["scores_first_20"]).set_index("respondent_id")
    got = scores.set_index("respondent_id").loc[first.index, scales]
    assert_allclose(got.to_numpy(), first[scales].to_numpy(), rtol=1e-12)
    for scale in scales:
        assert_allclose(scores[scale].mean(), ref["score_means"][scale], rtol=1e-12)
        assert scores[scale].isna().sum() == ref["score_n_missing"][scale]


def test_score_min_valid_and_counts():
    inst = cl.load_instrument("colead-teacher")
    data = pd.DataFrame(
        {
            "respondent_id": ["a", "b", "c"],
            "sl1": [6, 6, np.nan],
            "sl2": [5, np.nan, np.nan],
            "sl3": [4, np.nan, 1],
            "sl4": [1, np.nan, np.nan],
            "sl5": [np.nan] * 3,
            "sl6": [np.nan] * 3,
        }
    )
    scores = cl.score(data, inst, scales=["shared_leadership"], counts=True)
    # sl4 is reverse-keyed on 1..6: 1 -> 6. Row a answered 4 of 6 (>= 3): mean of 6, 5, 4, 6.
    assert scores["shared_leadership"].tolist()[0] == pytest.approx(5.25)
    assert np.isnan(scores["shared_leadership"].tolist()[1])  # 1 of 6 answered
    assert scores["shared_leadership_n"].tolist() == [4, 1, 1]
    relaxed = cl.score(data, inst, scales=["shared_leadership"], min_valid=1)
    assert relaxed["shared_leadership"].tolist()[1:] == [6.0, 1.0]
    reversed_twice = keyed_items(
        keyed_items(data, inst, inst.scales["shared_leadership"]).assign(
            respondent_id=data["respondent_id"]
        ),
        inst,
        inst.scales["shared_leadership"],
    )
    assert_allclose(
        reversed_twice.to_numpy(),
        data[list(inst.scales["shared_leadership"].items)].to_numpy(dtype=float),
    )
    with pytest.raises(InvalidParameterError, match="not scales of"):
        cl.score(data, inst, scales=["trust"])
    with pytest.raises(cl.ResponseDataError, match="sl5"):
        cl.score(data.drop(columns="sl5"), inst, scales=["shared_leadership"])


def test_score_takes_responses():
    resp = cl.load_sample("district")
    scores = cl.score(resp)
    assert list(scores.columns[:2]) == ["respondent_id", "school_id"]
    assert list(scores.columns[2:]) == list(resp.instrument.scales)
    assert len(scores) == len(resp.data)


@pytest.mark.parametrize(
    "case", ["teachers_nfactors_2", "teachers_nfactors_3", "teachers_nfactors_3_unreversed"]
)
def test_omega_hierarchical_matches_psych(case):
    ref = R["omega"][case]
    x = TEACHERS[ref["items"]].astype(float).copy()
    if "unreversed" not in case:
        for item in ("sl4", "tp5", "sf5"):
            x[item] = 7 - x[item]
    got = cl.omega(x, nfactors=int(case.split("_")[2]))
    tol = 1e-5  # minres and oblimin converge to psych's optimum to about 4e-6
    assert_allclose(got.omega_hierarchical, ref["omega_h"], atol=tol)
    assert_allclose(got.omega_total, ref["omega_tot"], atol=tol)
    assert_allclose(got.omega_limit, ref["omega_lim"], atol=tol)
    assert_allclose(got.alpha, ref["alpha"], atol=1e-10)
    g = np.array([ref["g_loadings"][i] for i in ref["items"]])
    assert_allclose(
        got.loadings["g"].to_numpy(), np.abs(g) if "unreversed" in case else g, atol=tol
    )
    assert set(got.flipped) == set(ref["flipped_items"])
    groups = got.groups
    assert_allclose(groups.loc["g", "total"], ref["omega_group"]["g"]["total"], atol=tol)
    assert_allclose(groups.loc["g", "general"], ref["omega_group"]["g"]["general"], atol=tol)
    ours = sorted(groups.drop(index="g")["total"].round(4))
    theirs = sorted(round(v["total"], 4) for k, v in ref["omega_group"].items() if k != "g")
    assert_allclose(ours, theirs, atol=1e-4)


@pytest.mark.parametrize(
    "scale",
    [
        "shared_leadership",
        "instructional_leadership",
        "trust_principal",
        "reflective_dialogue",
        "shared_focus",
        "collective_efficacy",
    ],
)
def test_omega_total_matches_semtools(scale):
    ref = R["omega_sem"][f"{scale}_listwise"]
    keys = pd.read_csv(REF / "keys.csv")
    rows = keys[keys["scale"] == scale]
    x = TEACHERS[list(rows["item"])].astype(float).copy()
    for item in rows.loc[rows["key"] < 0, "item"]:
        x[item] = 7 - x[item]
    got = cl.omega(x)
    assert got.n == ref["n_used"] and got.omega_hierarchical is None
    assert_allclose(got.omega_total, ref["omega_total"], atol=1e-6)
    assert_allclose(got.alpha, ref["alpha_tau_eq"], atol=1e-10)
    assert_allclose(got.loadings["g"].to_numpy(), list(ref["loadings"].values()), atol=1e-5)


def test_reliability_table_for_an_instrument():
    inst = cl.load_instrument("colead-teacher")
    scales = ["shared_leadership", "trust_principal", "collective_efficacy"]
    table = cl.reliability(TEACHERS, inst, scales=scales).set_index("scale")
    for scale in scales:
        ref = R["alpha"][f"{scale}_pairwise"]
        assert_allclose(table.loc[scale, "alpha"], ref["raw_alpha"], rtol=1e-10)
        assert_allclose(
            [table.loc[scale, "ci_low"], table.loc[scale, "ci_high"]],
            [ref["feldt"]["lower"], ref["feldt"]["upper"]],
            rtol=1e-10,
        )
        assert_allclose(table.loc[scale, "average_r"], ref["average_r"], rtol=1e-10)
        assert_allclose(
            table.loc[scale, "omega_total"],
            R["omega_sem"][f"{scale}_listwise"]["omega_total"],
            atol=1e-6,
        )
        assert table.loc[scale, "k"] == inst.scales[scale].k
        assert table.loc[scale, "n_flagged"] == 0


def test_reliability_flags_a_key_the_data_contradict():
    inst = cl.load_instrument("colead-teacher")
    data = TEACHERS.copy()
    data["tp5"] = 7 - data["tp5"]  # as if the export had already reversed tp5
    with pytest.warns(ColeadWarning, match="tp5"):
        table = cl.reliability(data, inst, scales=["trust_principal"])
    assert table.loc[0, "n_flagged"] == 1 and table.loc[0, "flagged_items"] == "tp5"


# -- psych's bfi (psychTools 2.2.9): 2,800 respondents with missing answers ---------------------
BFI_REF = json.loads((REF / "bfi.json").read_text())
BFI = pd.read_csv(REF / "bfi.csv")
BFI_KEYS = {"agree": ["-A1", "A2", "A3", "A4", "A5"],
            "conscientious": ["C1", "C2", "C3", "-C4", "-C5"],
            "extraversion": ["-E1", "-E2", "E3", "E4", "E5"],
            "neuroticism": ["N1", "N2", "N3", "N4", "N5"],
            "openness": ["O1", "-O2", "O3", "O4", "-O5"]}


def bfi_instrument() -> cl.Instrument:
    labels = {i: f"point {i}" for i in range(1, 7)}
    items = [{"id": key.lstrip("-"), "text": key.lstrip("-"), "scale": scale,
              "reverse": key.startswith("-"), "response_scale": "six"}
             for scale, keys in BFI_KEYS.items() for key in keys]
    return cl.load_instrument({"name": "bfi", "title": "bfi", "version": "1",
                               "response_scales": {"six": {"labels": labels}},
                               "scales": {s: {"title": s} for s in BFI_KEYS}, "items": items})


@pytest.mark.parametrize("case", list(BFI_REF["alpha"]))
def test_bfi_alpha_and_items_match_psych(case):
    ref = BFI_REF["alpha"][case]
    inst = bfi_instrument()
    scale = case.removesuffix("_pairwise").removesuffix("_complete_obs")
    items = keyed_items(BFI, inst, inst.scales[scale])
    policy = "listwise" if "complete_obs" in case else "pairwise"
    got = cl.alpha(items, nan_policy=policy)
    for ours, theirs in [("alpha", "raw_alpha"), ("std_alpha", "std_alpha"), ("g6", "g6_smc"),
                         ("average_r", "average_r"), ("ase", "ase"), ("ci_low", "feldt_lower"),
                         ("ci_high", "feldt_upper")]:
        assert_allclose(getattr(got, ours), ref[theirs], rtol=TOL, err_msg=ours)
    table = cl.item_analysis(items, nan_policy=policy).set_index("item")
    assert_allclose(table["r_drop"], [ref["r_drop"][i] for i in table.index], rtol=TOL)
    assert_allclose(table["alpha_if_dropped"], [ref["alpha_if_dropped"][i] for i in table.index],
                    rtol=TOL)


def test_bfi_scores_and_omega_match_psych():
    ref = BFI_REF["score_items"]
    inst = bfi_instrument()
    scores = cl.score(BFI, inst, min_valid=1)
    for scale, value in ref["score_means"].items():
        assert_allclose(scores[scale].mean(), value, rtol=1e-12)
    first = pd.DataFrame(ref["scores_first_10"])
    assert_allclose(scores.loc[:9, list(first.columns)].to_numpy(), first.to_numpy(), rtol=1e-12)
    table = cl.reliability(BFI, inst, omega_total=False).set_index("scale")
    assert_allclose(table["alpha"], [ref["alpha"][s] for s in table.index], rtol=TOL)
    om = cl.omega(BFI, nfactors=3)  # raw items: omega reverses by the general factor's signs
    for ours, theirs in [("omega_hierarchical", "omega_h"), ("omega_total", "omega_tot"),
                         ("omega_limit", "omega_lim"), ("alpha", "alpha")]:
        assert_allclose(getattr(om, ours), BFI_REF["omega"][theirs], atol=1e-5, err_msg=ours)


def test_a_singular_correlation_matrix_gives_psych_values_whatever_the_rounding():
    # psych inverts R with Pinv (singular values below sqrt(eps) of the largest dropped). An
    # exactly dependent item leaves R's smallest singular value at about 1e-17, so inverting
    # it outright succeeds or fails by rounding, and gives smc 1 where psych gives 0.
    from colead.psychometrics._alpha_kernels import smc

    ref = json.loads((REF / "singular.json").read_text())
    hs = pd.read_csv(REF / "holzinger_swineford_1939.csv")
    data = pd.DataFrame(
        {"x1": hs["x1"], "x2": hs["x2"], "dep": 2 * hs["x1"] + hs["x2"], "x4": hs["x4"],
         "x5": hs["x5"]}
    )
    for seed in range(6):
        shuffled = data.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        assert_allclose(smc(shuffled.corr().to_numpy()), ref["smc"], atol=1e-9)
        fit = cl.alpha(shuffled)
        assert_allclose([fit.g6, fit.alpha], [ref["g6_smc"], ref["raw_alpha"]], rtol=1e-9)

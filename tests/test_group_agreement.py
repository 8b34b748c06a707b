"""ICC(1)/ICC(2), rwg, rwg(j), r*wg(j), awg and AD against R (multilevel 2.7, nlme, lme4).

Reference values: tests/reference/aggregation/ (README.md there; made by aggregation.R with
R 4.2.2, multilevel 2.7, nlme 3.1-162, lme4 1.1-31). Each JSON record carries the exact R call.

Tolerance: ``assert_allclose(rtol=1e-6, atol=1e-9)``. The atol only lets values that R gives
as exactly 0 (truncated rwg, REML on the boundary) match a floating-point zero; everything
else is held to a relative 1e-6. One looser comparison, explained where it is made:
``multilevel::mult.icc`` (nlme's ``optim`` fit stops up to 5e-4 short of the REML optimum).
"""

from __future__ import annotations

import dataclasses
import doctest
import importlib
import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import colead as cl
from colead.exceptions import InsufficientDataError, InvalidParameterError, ResponseDataError
from colead.schools import _anova
from colead.schools import _kernels as core

REF = Path(__file__).resolve().parent / "reference" / "aggregation"
RTOL, ATOL = 1e-6, 1e-9


@cache
def ref(name: str) -> dict:
    return json.loads((REF / name).read_text())


@cache
def data(file: str) -> pd.DataFrame:
    # Group ids stay text ("S01", "2"), as the JSON records name them.
    return pd.read_csv(REF / file, dtype={"school_id": str, "group": str})


def r_number(value) -> float:
    """A JSON number as R wrote it: null is NA, "NaN"/"Inf" are strings."""
    return float("nan") if value is None else float(value)


def check_groups(table: pd.DataFrame, column: str, record: dict, group: str) -> None:
    """Same groups, same n, same value (NaN where R has NA or NaN)."""
    ours = table.assign(key=table[group].astype(str)).set_index("key")
    expected = {g["group"]: g for g in record["groups"]}
    assert sorted(ours.index) == sorted(expected)
    keys = sorted(expected)
    assert ours.loc[keys, "n"].tolist() == [expected[k]["n"] for k in keys]
    assert_allclose(
        ours.loc[keys, column].to_numpy(),
        [r_number(expected[k]["value"]) for k in keys],
        rtol=RTOL,
        atol=ATOL,
    )


def record_id(record: dict) -> str:
    parts = [record["dataset"], record.get("variable") or record.get("item_set")]
    parts += [record[k] for k in ("kind", "null_distribution", "type") if k in record]
    return "-".join(str(p) for p in parts)


def agreement_records(section: str) -> list[dict]:
    return ref("agreement.json")[section]


def dataset_file(name: str) -> str:
    return ref("agreement.json")["datasets"][name]["file"]


def columns_of(record: dict) -> list[str]:
    return record["items"] if "items" in record else [record["variable"]]


# ---------------------------------------------------------------------------------------------
# ICC against R
# ---------------------------------------------------------------------------------------------


def icc_case(record: dict) -> tuple[pd.Series, pd.Series]:
    info = ref("icc.json")["datasets"][record["dataset"]]
    frame = data(info["file"])
    return frame[record["variable"]], frame[info["group"]]


@pytest.mark.parametrize("record", ref("icc.json")["anova"], ids=record_id)
def test_icc_anova_matches_multilevel_icc1_icc2_and_aov(record):
    # R: ICC1(aov(v ~ as.factor(g))), ICC2(...), summary(aov(...)) -- record["call_aov"]
    result = cl.icc(*icc_case(record))
    assert (result.n, result.n_groups) == (record["n"], record["n_groups"])
    assert (result.df1, result.df2) == (record["df_between"], record["df_within"])
    got = [result.icc1, result.icc2, result.f, result.p_value, result.msb, result.msw]
    want = [record[k] for k in ("icc1", "icc2", "f", "p_value", "ms_between", "ms_within")]
    assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    assert_allclose(result.mean_group_size, record["mean_group_size"], rtol=RTOL)
    # ANOVA variance components are consistent with ICC(1)
    assert_allclose(result.tau00 / (result.tau00 + result.sigma2), result.icc1, rtol=1e-12)


@pytest.mark.parametrize(
    "exact, lme4, nlme",
    list(zip(*(ref("icc.json")[k] for k in ("reml_exact", "lme4", "mult_icc_nlme")), strict=True)),
    ids=[record_id(r) for r in ref("icc.json")["reml_exact"]],
)
def test_icc_mixed_matches_exact_reml_lme4_and_mult_icc(exact, lme4, nlme):
    assert exact["variable"] == lme4["variable"] == nlme["variable"]
    result = cl.icc(*icc_case(exact), method="mixed")
    # The REML optimum solved exactly in R (uniroot on the score) and lme4's fit: 1e-6.
    assert_allclose(
        [result.icc1, result.tau00, result.sigma2],
        [exact["icc1"], exact["tau00"], exact["sigma2"]],
        rtol=RTOL,
        atol=ATOL,
    )
    assert_allclose(result.icc1, lme4["icc1"], rtol=RTOL, atol=ATOL)  # lme4 within 1.6e-8
    # mult.icc's k counts rows with a missing value; with nlme's own ICC(1) our ICC(2)
    # formula reproduces mult.icc's ICC(2) to 1e-6 ...
    assert_allclose(result.mean_group_size, nlme["mean_group_size_used"], rtol=1e-12)
    k, nlme_icc1 = result.mean_group_size, nlme["icc1"]
    assert_allclose(k * nlme_icc1 / (1 + (k - 1) * nlme_icc1), nlme["icc2"], rtol=RTOL)
    # ... but mult.icc's ICC(1) itself is nlme's optim fit, which stops short of the optimum
    # by up to 5.1e-4 on these data (README "Precision of the mixed-model ICC"): 1e-3 here,
    # and 5e-3 for ICC(2), which magnifies an ICC(1) error by k / (1 + (k - 1) ICC1)^2 (3.5
    # for c4).
    assert_allclose(result.icc1, nlme["icc1"], atol=1e-3)
    assert_allclose(result.icc2, nlme["icc2"], atol=5e-3)


@pytest.mark.parametrize("record", ref("icc.json")["mult_icc_nlme"], ids=record_id)
def test_reml_loglik_is_nlmes_and_colead_reaches_the_maximum(record):
    # nlme's logLik(REML = TRUE) at its own estimate, recomputed from group sums: the
    # likelihood colead maximises is nlme's, and colead's optimum is at least as high.
    values, groups = icc_case(record)
    inp = core.read(values, groups, "test")
    w = _anova.one_way(inp.x[:, 0], inp.codes, len(inp.labels))
    at_nlme = _anova.reml_loglik(record["tau00_full_precision"] / record["sigma2"], w)
    assert_allclose(at_nlme, record["reml_loglik"], rtol=1e-9)
    lam = _anova.reml_fit(w)[0]
    assert _anova.reml_loglik(lam, w) >= at_nlme - 1e-9


@pytest.mark.parametrize("record", ref("icc.json")["anova"], ids=record_id)
def test_icc_with_the_n0_of_unbalanced_anova(record):
    """group_size="n0": k = (N - sum n_j^2 / N) / (G - 1), against the same formula worked
    in R from aov's table (icc.json: n0_group_size, icc1_with_n0; not a multilevel value) and
    against a hand computation from the group sizes here."""
    values, groups = icc_case(record)
    result = cl.icc(values, groups, group_size="n0")
    mean = cl.icc(values, groups)
    assert result.group_size == "n0" and mean.group_size == "mean"
    assert_allclose(result.mean_group_size, record["n0_group_size"], rtol=1e-12)
    assert_allclose(result.icc1, record["icc1_with_n0"], rtol=1e-10, atol=1e-12)
    sizes = groups[values.notna()].value_counts().to_numpy(dtype=float)
    n, g = sizes.sum(), len(sizes)
    n0 = (n - (sizes**2).sum() / n) / (g - 1)
    assert_allclose(result.mean_group_size, n0, rtol=1e-12)
    msb, msw = mean.msb, mean.msw
    assert_allclose(result.icc1, (msb - msw) / (msb + (n0 - 1) * msw), rtol=1e-12)
    assert_allclose(result.tau00, (msb - msw) / n0, rtol=1e-12)
    # only k changes: the F test, MSB, MSW and ICC(2) are the same
    assert (result.f, result.msb, result.msw, result.icc2) == (mean.f, mean.msb, mean.msw,
                                                              mean.icc2)
    assert result.mean_group_size <= mean.mean_group_size + 1e-12


def test_icc_n0_is_n_over_g_for_balanced_groups_and_recovers_tau00_unbalanced():
    rng = np.random.default_rng(8)
    groups = np.repeat(np.arange(30), 12)
    y = rng.normal(size=30)[groups] + rng.normal(size=len(groups))
    a, b = cl.icc(y, groups), cl.icc(y, groups, group_size="n0")
    assert_allclose([a.icc1, a.mean_group_size], [b.icc1, b.mean_group_size], rtol=1e-12)
    # very unequal schools: the n0 estimator of tau00 is unbiased, N/G's is not
    sizes = np.tile([2] * 9 + [100], 3)
    groups = np.repeat(np.arange(len(sizes)), sizes)
    tau_n0, tau_mean = [], []
    for _ in range(400):
        y = rng.normal(scale=np.sqrt(0.25), size=len(sizes))[groups] + rng.normal(
            size=len(groups))
        tau_n0.append(cl.icc(y, groups, group_size="n0").tau00)
        tau_mean.append(cl.icc(y, groups).tau00)
    se = np.std(tau_n0) / np.sqrt(len(tau_n0))
    assert abs(np.mean(tau_n0) - 0.25) < 4 * se
    # N/G = 11.8 > n0 = 9.27: E tau00 = 0.25 * 9.27 / 11.8 = 0.196, biased down
    assert np.mean(tau_mean) < 0.25 - 4 * se


def test_icc_group_size_options():
    frame = data("icc_edge.csv")
    with pytest.raises(cl.InvalidParameterError, match="group_size"):
        cl.icc(frame["value_strong"], frame["group"], method="mixed", group_size="n0")
    with pytest.raises(cl.InvalidParameterError, match="group_size"):
        cl.icc(frame["value_strong"], frame["group"], group_size="harmonic")
    table = cl.icc_table(frame[["value_null", "value_strong"]], frame["group"], group_size="n0")
    one = cl.icc(frame["value_strong"], frame["group"], group_size="n0")
    assert_allclose(table.loc[1, "icc1"], one.icc1, rtol=1e-12)
    assert "n0 =" in one.summary()


def test_icc_negative_anova_and_boundary_reml():
    # icc_edge value_null: groups differ less than chance
    frame = data("icc_edge.csv")
    anova = cl.icc(frame["value_null"], frame["group"])
    mixed = cl.icc(frame["value_null"], frame["group"], method="mixed")
    assert anova.icc1 < 0 and anova.icc2 < -20
    assert mixed.icc1 == 0 and mixed.tau00 == 0 and mixed.icc2 == 0


def test_icc_table_is_icc_per_column_with_its_own_missing_values():
    frame = data("scale_scores_colead_teacher.csv").drop(columns="respondent_id")
    for method in ("anova", "mixed"):
        table = cl.icc_table(frame, "school_id", method=method)
        assert list(table.columns) == [f.name for f in dataclasses.fields(cl.ICCResult)]
        assert table["variable"].tolist() == [c for c in frame.columns if c != "school_id"]
        one = cl.icc(frame["trust_principal"], frame["school_id"], method=method)
        pd.testing.assert_frame_equal(
            table.query("variable == 'trust_principal'").reset_index(drop=True), one.to_frame()
        )


# ---------------------------------------------------------------------------------------------
# Agreement against R
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("record", agreement_records("rwg"), ids=record_id)
def test_rwg_matches_multilevel(record):
    # R: record["call"], e.g. rwg(teacher$sl1, teacher$school_id, ranvar = (6^2 - 1) / 12)
    frame = data(dataset_file(record["dataset"]))
    x, g = frame[record["variable"]], frame["school_id"]
    named = cl.rwg(x, g, scale_points=record["points"], null=record["null_distribution"], min_n=1)
    check_groups(named, "rwg", record, "school_id")
    by_variance = cl.rwg(x, g, null=record["ranvar"], min_n=1)
    pd.testing.assert_frame_equal(named, by_variance, rtol=1e-12)


@pytest.mark.parametrize(
    "section, func, column, missing",
    [
        ("rwg_j", cl.rwg_j, "rwg_j", "listwise"),
        ("rwg_j_lindell", cl.rwg_j_lindell, "rwg_j_star", "listwise"),
        ("rwg_j_itemwise_by_hand", cl.rwg_j, "rwg_j", "itemwise"),
        ("rwg_j_lindell_itemwise_by_hand", cl.rwg_j_lindell, "rwg_j_star", "itemwise"),
    ],
)
def test_rwg_j_and_lindell_match_multilevel_and_the_itemwise_rule(section, func, column, missing):
    # R: rwg.j(teacher[, items$<set>], teacher$school_id, ranvar = ...) and rwg.j.lindell;
    # the item-wise records are the rule computed by hand in R (no multilevel 2.8 here).
    for record in agreement_records(section):
        frame = data(dataset_file(record["dataset"]))
        table = func(
            frame[record["items"]],
            frame["school_id"],
            scale_points=record["points"],
            null=record["null_distribution"],
            missing=missing, min_n=1,
        )
        check_groups(table, column, record, "school_id")


@pytest.mark.parametrize("record", agreement_records("awg"), ids=record_id)
def test_awg_matches_multilevel(record):
    # R: awg(x, teacher$school_id, range = c(L, H)) -- record["call"]
    frame = data(dataset_file(record["dataset"]))
    low, high = record["range"]
    table = cl.awg(frame[columns_of(record)], frame["school_id"], low=low, high=high, min_n=1)
    check_groups(table, "awg", record, "school_id")


@pytest.mark.parametrize("record", agreement_records("ad"), ids=record_id)
def test_ad_matches_multilevel(record):
    # R: ad.m(x, teacher$school_id, type = "mean" | "median") -- record["call"]
    frame = data(dataset_file(record["dataset"]))
    table = cl.ad(frame[columns_of(record)], frame["school_id"], type=record["type"], min_n=1)
    check_groups(table, "ad", record, "school_id")


def test_null_table_is_the_reference_table():
    nulls = ref("agreement.json")["null_distributions"]["table"]
    for row in nulls:
        points = row["points"]
        for name in core.NULL_NAMES:
            key = "uniform_formula" if name == "uniform" else name
            assert_allclose(core.null_variance(name, points), row[key], rtol=1e-12)
    assert core.null_variance("uniform", 4) == 1.25 and core.null_variance("uniform", 5) == 2


# ---------------------------------------------------------------------------------------------
# multilevel's own data sets and the published numbers (peers.md section 4)
# ---------------------------------------------------------------------------------------------


def _oracle_values() -> dict[str, float]:
    bh, lq, bhr = data("bh1996.csv"), data("lq2002.csv"), data("bhr2000.csv")
    lead = [f"LEAD{i:02d}" for i in range(1, 12)]
    items = list(bhr.columns[1:12])
    out: dict[str, float] = {}
    for v in ("HRS", "LEAD", "COHES", "WBEING"):
        a, m = cl.icc(bh[v], bh["GRP"]), cl.icc(bh[v], bh["GRP"], method="mixed")
        out |= {f"bh1996_icc1_{v}": a.icc1, f"bh1996_icc2_{v}": a.icc2}
        out |= {f"bh1996_mult_icc_icc1_{v}": m.icc1, f"bh1996_mult_icc_icc2_{v}": m.icc2}
    hrs = cl.icc(bh["HRS"], bh["GRP"])
    out |= {"bh1996_msb_HRS": hrs.msb, "bh1996_msw_HRS": hrs.msw}
    out |= {"bh1996_n": hrs.n, "bh1996_groups": hrs.n_groups}
    r = cl.rwg(lq["LEAD"], lq["COMPID"], null=2, min_n=1).set_index("COMPID")["rwg"]  # ranvar = 2
    out |= {f"lq2002_rwg_LEAD_row{i - 1}_group{i}": r[i] for i in range(2, 7)}
    out |= {f"lq2002_rwg_LEAD_{s}": getattr(r, s)() for s in ("mean", "median", "min", "max")}
    rj = cl.rwg_j(lq[lead], lq["COMPID"], scale_points=5, min_n=1).set_index("COMPID")["rwg_j"]
    out |= {"lq2002_rwg_j_group2": rj[2]}
    out |= {f"lq2002_rwg_j_{s}": getattr(rj, s)() for s in ("mean", "median", "min", "max")}
    star = cl.rwg_j_lindell(lq[lead], lq["COMPID"], scale_points=5, min_n=1)["rwg_j_star"]
    out |= {"lq2002_rwg_j_lindell_group2": star[0], "lq2002_rwg_j_lindell_mean": star.mean()}
    awg_all = cl.awg(lq[lead], lq["COMPID"], low=1, high=5, min_n=1)["awg"]
    out["lq2002_awg_LEAD01_11_mean"] = awg_all.mean()
    a05 = cl.awg(lq["LEAD05"], lq["COMPID"], low=1, high=5, min_n=1)["awg"]
    out |= {"lq2002_awg_LEAD05_mean": a05.mean(), "lq2002_awg_LEAD05_min": a05.min()}
    adm = cl.ad(bhr[items], bhr["GRP"], min_n=1)["ad"]
    out |= {"bhr2000_ad_m_items_mean": adm.mean(), "bhr2000_ad_m_items_median": adm.median()}
    median = cl.ad(bhr[items], bhr["GRP"], type="median", min_n=1)["ad"]
    out["bhr2000_ad_m_items_type_median_mean"] = median.mean()
    out["bhr2000_ad_m_HRS_mean"] = cl.ad(bhr["HRS"], bhr["GRP"], min_n=1)["ad"].mean()
    return out


def test_published_multilevel_oracles():
    # peers.md section 4 (bh1996 ICC1 .1331 ...), recomputed in R to 15 digits.
    oracles = {o["id"]: o for o in ref("multilevel_oracles.json")["oracles"]}
    ours = _oracle_values()
    # all but the n0 variant of ICC1 and waba (not colead's) and the sizes of lq2002/bhr2000
    assert len(ours) == 43 and len(oracles) == 54
    for key, value in ours.items():
        oracle = oracles[key]
        # mult.icc on bh1996 is within 7e-8 of the REML optimum (mult_icc_precision): 1e-6
        assert_allclose(value, oracle["r_value"], rtol=RTOL, err_msg=key)
        printed = oracle["peers_md_value"]
        decimals = len(printed.split(".")[1]) if "." in printed else 0
        assert abs(value - float(printed)) <= 0.5 * 10.0**-decimals + 1e-12, key


@pytest.mark.parametrize("record", ref("multilevel_oracles.json")["per_group"], ids=str)
def test_per_group_values_on_multilevel_data(record):
    call = record["call"]
    lq, bhr = data("lq2002.csv"), data("bhr2000.csv")
    lead = [f"LEAD{i:02d}" for i in range(1, 12)]
    items = list(bhr.columns[1:12])
    if call.startswith("rwg(lq2002$LEAD"):
        table, column = cl.rwg(lq["LEAD"], lq["COMPID"], null=2, min_n=1), "rwg"
    elif call.startswith("rwg.j("):
        table, column = cl.rwg_j(lq[lead], lq["COMPID"], null=2, min_n=1), "rwg_j"
    elif call.startswith("rwg.j.lindell("):
        table, column = cl.rwg_j_lindell(lq[lead], lq["COMPID"], null=2, min_n=1), "rwg_j_star"
    elif call.startswith("awg("):
        table, column = cl.awg(lq[lead], lq["COMPID"], low=1, high=5, min_n=1), "awg"
    elif "HRS" in call:
        table, column = cl.ad(bhr["HRS"], bhr["GRP"], min_n=1), "ad"
    else:
        kind = "median" if "median" in call else "mean"
        table, column = cl.ad(bhr[items], bhr["GRP"], type=kind, min_n=1), "ad"
    check_groups(table, column, record, table.columns[0])


# ---------------------------------------------------------------------------------------------
# multilevel's rules on the hand-made schools (README table), and empty groups
# ---------------------------------------------------------------------------------------------

SL = ["sl1", "sl2", "sl3", "sl4", "sl5", "sl6"]


def by_group(table: pd.DataFrame) -> pd.DataFrame:
    return table.set_index(table.columns[0])


def test_hand_made_schools_follow_multilevel_rules():
    t = data("colead_teacher.csv")
    g = t["school_id"]
    r = by_group(cl.rwg(t["sl1"], g, scale_points=6, min_n=1))["rwg"]
    assert np.isnan(r["X01_single"]) and r["X02_identical"] == 1 and r["X03_polarized"] == 0
    star = by_group(cl.rwg_j_lindell(t[SL], g, scale_points=6, min_n=1))["rwg_j_star"]
    assert_allclose(star["X03_polarized"], 1 - 7.5 / (35 / 12), rtol=1e-12)
    a = by_group(cl.awg(t[SL], g, low=1, high=6, min_n=1))["awg"]
    assert np.isnan(a["X04_pair_same"]) and a["X05_all_max"] == 1 and a["X03_polarized"] == -1
    d = by_group(cl.ad(t[SL], g, min_n=1))
    assert d.loc["X02_identical", "ad"] == 0 and d.loc["X03_polarized", "ad"] == 2.5
    listwise = by_group(cl.rwg_j(t[SL], g, scale_points=6, min_n=1))
    itemwise = by_group(cl.rwg_j(t[SL], g, scale_points=6, missing="itemwise", min_n=1))
    assert listwise.loc["X06_item_gaps", "n"] == 1
    assert np.isnan(listwise.loc["X06_item_gaps", "rwg_j"])
    assert itemwise.loc["X06_item_gaps", "n"] == 3
    assert "X08_item_all_missing" not in listwise.index


def test_categorical_groups_keep_empty_levels_like_r_factors():
    # R: rwg(teacher$sl6, teacher_factor, ...) keeps X08 with gsize 0 and NA
    t = data("colead_teacher.csv")
    factor = t["school_id"].astype("category")
    table = by_group(cl.rwg(t["sl6"], factor, scale_points=6, min_n=1))
    assert table.loc["X08_item_all_missing", "n"] == 0
    assert np.isnan(table.loc["X08_item_all_missing", "rwg"])
    assert (
        "X08_item_all_missing"
        not in by_group(cl.rwg(t["sl6"], t["school_id"], scale_points=6, min_n=1)).index
    )
    assert np.isnan(by_group(cl.ad(t["sl6"], factor, min_n=1)).loc["X08_item_all_missing", "ad"])
    # ICC: an empty group vanishes whatever the group type, as in aov
    assert cl.icc(t["sl6"], factor).n_groups == cl.icc(t["sl6"], t["school_id"]).n_groups == 48


def test_group_column_name_and_group_forms():
    t = data("colead_teacher.csv")
    assert cl.rwg(t["sl1"], t["school_id"], scale_points=6, min_n=1).columns[0] == "school_id"
    plain = cl.rwg(t["sl1"].to_numpy(), t["school_id"].to_list(), scale_points=6, min_n=1)
    assert list(plain.columns) == ["group", "n", "rwg", "suppressed"]
    named = cl.rwg_j(t[[*SL, "school_id"]], "school_id", scale_points=6, min_n=1)
    pd.testing.assert_frame_equal(named, cl.rwg_j(t[SL], t["school_id"], scale_points=6, min_n=1))
    missing_group = t["school_id"].where(t.index % 10 != 0)  # rows without a group are dropped
    fewer = cl.ad(t[SL], missing_group, min_n=1)["n"].sum()
    assert fewer < cl.ad(t[SL], t["school_id"], min_n=1)["n"].sum()


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@st.composite
def grouped_items(draw, points: int = 5):
    n_groups = draw(st.integers(2, 6))
    sizes = draw(st.lists(st.integers(2, 8), min_size=n_groups, max_size=n_groups))
    n_items = draw(st.integers(1, 4))
    groups = np.repeat([f"g{i}" for i in range(n_groups)], sizes)
    cells = st.integers(1, points)
    x = np.array(
        draw(st.lists(st.lists(cells, min_size=n_items, max_size=n_items), min_size=len(groups),
                      max_size=len(groups))),
        dtype=float,
    )  # fmt: skip
    constant = draw(cells)
    x[groups == "g0"] = constant  # g0 answers identically
    seed = draw(st.integers(0, 2**32 - 1))
    return pd.DataFrame(x, columns=[f"i{j}" for j in range(n_items)]), pd.Series(groups), seed


def all_indices(items: pd.DataFrame, groups: pd.Series) -> dict[str, pd.DataFrame]:
    return {
        "rwg": cl.rwg(items.iloc[:, 0], groups, scale_points=5, min_n=1),
        "rwg_j": cl.rwg_j(items, groups, scale_points=5, min_n=1),
        "rwg_j_star": cl.rwg_j_lindell(items, groups, scale_points=5, null="slight_skew", min_n=1),
        "awg": cl.awg(items, groups, low=1, high=5, min_n=1),
        "ad": cl.ad(items, groups, min_n=1),
        "ad_median": cl.ad(items, groups, type="median", min_n=1),
    }


@settings(max_examples=60, deadline=None)
@given(grouped_items())
def test_identical_answers_give_full_agreement(case):
    items, groups, _ = case
    out = {k: by_group(v).loc["g0"] for k, v in all_indices(items, groups).items()}
    assert out["rwg"]["rwg"] == 1 and out["rwg_j"]["rwg_j"] == 1
    assert out["rwg_j_star"]["rwg_j_star"] == 1
    assert out["ad"]["ad"] == 0 and out["ad_median"]["ad"] == 0
    assert out["awg"]["awg"] == 1 or np.isnan(out["awg"]["awg"])  # NaN: mean not admissible
    for name, table in all_indices(items, groups).items():
        column = table.columns[2]
        values = table[column].dropna()
        if name in ("rwg", "rwg_j"):
            assert values.between(0, 1).all()
        if name.startswith("ad"):
            assert (values >= 0).all()


@settings(max_examples=60, deadline=None)
@given(grouped_items())
def test_row_order_and_group_labels_do_not_matter(case):
    items, groups, seed = case
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(items))
    shuffled_items = items.iloc[order].reset_index(drop=True)
    labels = sorted(groups.unique())
    renamed = dict(zip(labels, [f"school {x}" for x in rng.permutation(len(labels))], strict=True))
    shuffled_groups = groups.iloc[order].map(renamed).reset_index(drop=True)
    before = all_indices(items, groups)
    after = all_indices(shuffled_items, shuffled_groups)
    for key, table in before.items():
        moved = by_group(after[key]).loc[[renamed[g] for g in table.iloc[:, 0]]]
        assert moved["n"].tolist() == table["n"].tolist()
        column = table.columns[2]
        assert_allclose(moved[column], table[column], rtol=1e-12, atol=1e-12)
    y = items.sum(axis=1) + rng.normal(size=len(items))
    for method in ("anova", "mixed"):
        a = cl.icc(y, groups, method=method)
        b = cl.icc(y.iloc[order].reset_index(drop=True), shuffled_groups, method=method)
        assert_allclose(dataclasses.astuple(a)[2:-1], dataclasses.astuple(b)[2:-1], rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(grouped_items())
def test_itemwise_equals_listwise_on_complete_data(case):
    items, groups, _ = case
    for func in (cl.rwg_j, cl.rwg_j_lindell):
        pd.testing.assert_frame_equal(
            func(items, groups, scale_points=5, min_n=1), func(items, groups, scale_points=5,
                                                     missing="itemwise", min_n=1)
        )  # fmt: skip
    pd.testing.assert_frame_equal(cl.ad(items, groups, min_n=1),
                                  cl.ad(items, groups, missing="itemwise", min_n=1))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 2.0))
@example(123, 0.0)  # groups of 7, 7 and 1: the REML likelihood falls from 0, then rises
def test_anova_icc_matches_a_plain_groupby_and_reml_is_the_maximum(seed, spread):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 12, size=rng.integers(3, 15))
    groups = np.repeat(np.arange(len(sizes)), sizes)
    y = spread * rng.normal(size=len(sizes))[groups] + rng.normal(size=len(groups))
    y[rng.random(len(y)) < 0.1] = np.nan
    frame = pd.DataFrame({"y": y, "g": groups}).dropna()
    if frame["g"].nunique() < 2 or len(frame) <= frame["g"].nunique():
        return
    grouped = frame.groupby("g")["y"]
    n, big_g = len(frame), frame["g"].nunique()
    msb = (grouped.size() * (grouped.mean() - frame["y"].mean()) ** 2).sum() / (big_g - 1)
    msw = ((frame["y"] - grouped.transform("mean")) ** 2).sum() / (n - big_g)
    k = n / big_g
    result = cl.icc(y, groups)
    assert_allclose(result.icc1, (msb - msw) / (msb + (k - 1) * msw), rtol=1e-9)
    mixed = cl.icc(y, groups, method="mixed")
    assert 0 <= mixed.icc1 <= 1
    inp = core.read(y, groups, "test")
    w = _anova.one_way(inp.x[:, 0], inp.codes, len(inp.labels))
    lam = mixed.tau00 / mixed.sigma2
    best = _anova.reml_loglik(lam, w)
    for other in (0.0, lam * 0.99, lam * 1.01 + 1e-6, lam + 0.5, 10.0):
        assert best >= _anova.reml_loglik(other, w) - 1e-9


# ---------------------------------------------------------------------------------------------
# Errors, result object, docs
# ---------------------------------------------------------------------------------------------

G = pd.Series(["a", "a", "b", "b"])
X = pd.Series([1.0, 2.0, 3.0, 5.0], name="x")


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: cl.icc(X, G, method="reml"), InvalidParameterError, "'method' parameter of icc"),
        (lambda: cl.rwg(X, G), InvalidParameterError, "needs 'scale_points'"),
        (lambda: cl.rwg(X, G, scale_points=5, null="skewed"), InvalidParameterError, "'null'"),
        (lambda: cl.rwg(X, G, null=0.0), InvalidParameterError, r"number in \(0, inf\)"),
        (lambda: cl.rwg(X, G, scale_points=1), InvalidParameterError, "at least 2"),
        (
            lambda: cl.rwg(X, G, scale_points=4, null="slight_skew", min_n=1),
            InvalidParameterError,
            "5 to 11 scale points",
        ),
        (lambda: cl.rwg(X, G, scale_points=4), ResponseDataError, "span more than the 4"),
        (lambda: cl.rwg_j(X, G, scale_points=5, missing="pairwise"), InvalidParameterError,
         "'missing'"),
        (lambda: cl.ad(X, G, type="mode"), InvalidParameterError, "'type' parameter of ad"),
        (lambda: cl.awg(X, G, low=5, high=1), InvalidParameterError, "'high' parameter of awg"),
        (lambda: cl.awg(X, G, low=1, high=4), ResponseDataError, r"outside \[1, 4\]"),
        (lambda: cl.ad(X, G[:3]), InvalidParameterError, "one entry per row of 'values' \\(4\\)"),
        (lambda: cl.ad(X, "school_id"), InvalidParameterError, "names a column"),
        (lambda: cl.ad(pd.DataFrame({"x": ["a", "b", "c", "d"]}), G), ResponseDataError,
         "column 'x': not numeric"),
        (lambda: cl.ad(X.replace(5.0, np.inf), G), ResponseDataError, "1 infinite values"),
        (lambda: cl.rwg(pd.DataFrame({"p": X, "q": X}), G, null=2.0), InvalidParameterError,
         "Use rwg_j"),
        (lambda: cl.icc(pd.DataFrame({"p": X, "q": X}), G), InvalidParameterError,
         "Use icc_table"),
        (lambda: cl.icc(X, ["a"] * 4), InsufficientDataError, "at least 2 groups"),
        (lambda: cl.icc(X, ["a", "b", "c", "d"]), InsufficientDataError, "at least 2 values"),
        (lambda: cl.icc(np.ones((2, 2, 1)), G[:2]), InvalidParameterError, "1- or 2-dim"),
    ],
)  # fmt: skip
def test_errors_name_the_parameter_and_the_problem(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_icc_result_is_a_frozen_record_with_summary_and_html():
    t = data("scale_scores_colead_teacher.csv")
    result = cl.icc(t["shared_leadership"], t["school_id"], method="mixed")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.icc1 = 0.5  # type: ignore[misc]
    text = result.summary()
    assert str(result) == text and "ICC of shared_leadership" in text and "mult.icc" in text
    assert f"ICC(1) = {result.icc1:.4f}" in text
    assert result._repr_html_().startswith("<div><strong>ICC of shared_leadership")
    frame = result.to_frame()
    assert frame.shape == (1, 16) and frame.loc[0, "icc1"] == result.icc1


def test_degenerate_inputs_give_values_without_warnings():
    # filterwarnings = error: no numpy warning may escape for zero variances or empty groups
    x = pd.DataFrame({"v": [4.0, 4.0, 4.0, 1.0, 5.0, np.nan]})  # one column = one variable
    g = ["a", "a", "a", "b", "b", "c"]
    assert by_group(cl.rwg(x, g, scale_points=5, min_n=1)).loc["a", "rwg"] == 1
    # b: M = 3, s^2 = 8, the largest variance possible for k = 2 on 1-5: awg = -1
    assert by_group(cl.awg(x, g, low=1, high=5, min_n=1)).loc["b", "awg"] == -1
    assert "c" not in by_group(cl.awg(x, g, low=1, high=5, min_n=1)).index
    # no variation within groups: ICC(1) = 1 (ANOVA: MSW = 0; REML: sigma2 = 0)
    result = cl.icc([1.0, 1.0, 2.0, 2.0], ["a", "a", "b", "b"], method="mixed")
    assert (result.icc1, result.sigma2, result.tau00) == (1, 0, 0.5)
    assert cl.icc([1.0, 1.0, 2.0, 2.0], ["a", "a", "b", "b"]).icc1 == 1


def test_docstring_examples_run():
    tried = 0
    for name in ("colead.schools.rwg", "colead.schools.icc"):
        module = importlib.import_module(name)  # the module, not the function of that name
        failures, count = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0
        tried += count
    assert tried >= 8

"""Group tables and the agreement table: arithmetic, flags, and suppression under min_n."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

import colead as cl
from colead.exceptions import InvalidParameterError
from colead.privacy import suppress
from colead.schools.aggregate import AGGREGATE_COLUMNS

STATISTICS = [
    "n",
    "response_rate",
    "mean",
    "sd",
    "ci_low",
    "ci_high",
    "rwg_j",
    "mean_reliability",
    "low_agreement",
    "unreliable",
]


@pytest.fixture(scope="module")
def district():
    return cl.simulate(n_schools=15, respondents=(2, 20), missing=0.05, seed=31)


def test_group_means_are_the_plain_arithmetic(district):
    table = cl.aggregate(district, min_n=3)
    scores = cl.score(district)
    shown = table[~table["suppressed"]]
    for row in shown.sample(20, random_state=1).itertuples():
        x = scores.loc[scores["school_id"] == row.school_id, row.scale].dropna()
        assert row.n == len(x)
        assert_allclose(row.mean, x.mean(), rtol=1e-12)
        assert_allclose(row.sd, x.std(ddof=1), rtol=1e-12)
        half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
        assert_allclose([row.ci_low, row.ci_high], [x.mean() - half, x.mean() + half], rtol=1e-12)


def test_rwg_and_reliability_flags(district):
    table = cl.aggregate(district, min_n=3)
    shown = table[~table["suppressed"]]
    scale = district.instrument.scales["trust_principal"]
    rwg = cl.rwg_j(district.data[list(scale.items)], district.data["school_id"], scale_points=6,
                   min_n=1)
    part = shown[shown["scale"] == "trust_principal"].set_index("school_id")
    reference = rwg.set_index("school_id").loc[part.index]
    assert_allclose(part["rwg_n"], reference["n"])  # listwise: the complete rows
    assert (part["rwg_n"] < 3).any()  # a shown school whose rwg(j) rests on too few rows
    assert_allclose(part["rwg_j"], reference["rwg_j"].where(reference["n"] >= 3))
    rated = part["rwg_j"].notna()
    assert (part.loc[rated, "low_agreement"] == (part.loc[rated, "rwg_j"] < 0.70)).all()
    # ICC(1) over the shown schools only: a hidden school must not move it
    scores = cl.score(district)
    visible = scores[scores["school_id"].isin(part.index)]
    icc1 = cl.icc(visible["trust_principal"], visible["school_id"]).icc1
    expected = part["n"] * icc1 / (1 + (part["n"] - 1) * icc1)
    assert_allclose(part["mean_reliability"], expected, rtol=1e-12)
    assert (part["unreliable"] == (part["mean_reliability"] < 0.70)).all()


def test_no_group_under_min_n_has_any_statistic(district):
    for min_n in (3, 5, 10):
        table = cl.aggregate(district, min_n=min_n)
        scores = cl.score(district)
        counts = scores.melt(id_vars=["respondent_id", "school_id"], var_name="scale").dropna()
        n = counts.groupby(["school_id", "scale"]).size()
        cells = table.set_index(["school_id", "scale"]).index
        small = n.reindex(cells).fillna(0).to_numpy() < min_n
        assert (table.loc[small, "suppressed"]).all()
        assert table.loc[table["suppressed"], STATISTICS].isna().all().all()
        assert not table.loc[~table["suppressed"], "mean"].isna().any()


def test_response_rate_from_a_roster(district):
    sizes = district.data.groupby("school_id").size()
    roster = pd.DataFrame({"school_id": sizes.index, "size": sizes.to_numpy() * 2})
    table = cl.aggregate(district, roster=roster, min_n=3)
    shown = table[~table["suppressed"]].set_index(["school_id", "scale"])
    expected = shown["n"] / (2 * sizes.reindex(shown.index.get_level_values(0)).to_numpy())
    assert_allclose(shown["response_rate"], expected)
    as_mapping = cl.aggregate(
        district, roster=dict(zip(roster.school_id, roster["size"], strict=True)), min_n=3
    )
    pd.testing.assert_series_equal(as_mapping["response_rate"], table["response_rate"])


def test_complementary_suppression_in_a_breakdown():
    rng = np.random.default_rng(3)
    rows = []
    for school, roles in {
        "A": {"teacher": 12, "leader": 2, "aide": 6},
        "B": {"teacher": 9, "leader": 5},
        "C": {"teacher": 8, "leader": 7},
    }.items():
        for role, n in roles.items():
            rows += [{"school_id": school, "role": role, "trust": v} for v in rng.normal(4, 1, n)]
    scores = pd.DataFrame(rows)
    table = cl.aggregate(scores, by=["school_id", "role"], min_n=5).set_index(["school_id", "role"])
    # A: the leaders (2) are hidden, and the smallest other cell (aides, 6) with them, so that
    # neither can be recovered from the school's total.
    assert table.loc[("A", "leader"), "suppressed"] and table.loc[("A", "aide"), "suppressed"]
    assert not table.loc[("A", "teacher"), "suppressed"]
    assert not table.loc[("B", "leader"), "suppressed"]  # 5 is enough
    assert not table.loc[["C"], "suppressed"].any()
    assert table.loc[table["suppressed"], "mean"].isna().all()


def test_min_n_below_three_needs_explicit_consent(district):
    with pytest.raises(InvalidParameterError, match="allow_small_groups=True"):
        cl.aggregate(district, min_n=2)
    table = cl.aggregate(district, min_n=2, allow_small_groups=True)
    scores = cl.score(district).drop(columns="respondent_id")
    n = scores.groupby("school_id").count().stack()
    assert (n == 2).any()  # the seed has (school, scale) cells of two scores
    assert (~table["suppressed"] & (table["n"] == 2)).sum() == (n == 2).sum()
    assert (table["suppressed"] == (table["n"].isna())).all()
    with pytest.raises(InvalidParameterError, match="'by' parameter of aggregate"):
        cl.aggregate(district, by="district")


def test_agreement_table_leaves_small_groups_out(district):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        table = cl.agreement(district, by="school_id", min_n=5).set_index("scale")
    scores = cl.score(district)
    groups = cl.aggregate(district, min_n=5)
    mine = groups[groups["scale"] == "shared_leadership"]
    visible = set(mine.loc[~mine["suppressed"], "school_id"])
    assert len(visible) < 15  # the seed has small schools, hidden with their complements
    shown = scores[scores["school_id"].isin(visible)]
    fit = cl.icc(shown["shared_leadership"], shown["school_id"])
    assert_allclose(table.loc["shared_leadership", ["icc1", "icc2"]], [fit.icc1, fit.icc2])
    scale = district.instrument.scales["shared_leadership"]
    rwg = cl.rwg_j(district.data[list(scale.items)], district.data["school_id"], scale_points=6,
                   min_n=5)
    big = rwg[rwg["school_id"].isin(visible)]["rwg_j"].dropna()
    assert_allclose(table.loc["shared_leadership", "rwg_j_mean"], big.mean())
    assert_allclose(table.loc["shared_leadership", "share_rwg_j_70"], (big >= 0.7).mean())
    assert table.loc["shared_leadership", "n_suppressed"] == 15 - len(visible)
    assert table.loc["shared_leadership", "n_groups"] == 15


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["x", "y", "z"]), st.floats(1, 6)),
        min_size=1,
        max_size=60,
    ),
    st.integers(3, 8),
)
def test_suppression_never_leaks(rows, min_n):
    scores = pd.DataFrame(rows, columns=["school_id", "role", "trust"])
    for by in ("school_id", ["school_id", "role"]):
        table = cl.aggregate(scores, by=by, min_n=min_n)
        n = scores.groupby(by).size()
        hidden = table.set_index(by if isinstance(by, list) else [by])["suppressed"]
        assert hidden[n[n < min_n].index].all() if (n < min_n).any() else True
        assert table.loc[table["suppressed"], ["n", "mean", "sd"]].isna().all().all()
        if isinstance(by, list):
            # Within a school, a hidden cell never stands alone among published ones.
            per_school = table.groupby("school_id")["suppressed"].agg(["sum", "size"])
            assert not ((per_school["sum"] == 1) & (per_school["size"] > 1)).any()


def test_suppress_keeps_identifying_columns():
    table = pd.DataFrame(
        {"school_id": ["A", "B"], "n": [3, 9], "mean": [1.0, 2.0], "flag": [True, False]}
    )
    out = suppress(table, min_n=5, cell=["school_id"])
    assert out["school_id"].tolist() == ["A", "B"] and out["suppressed"].tolist() == [True, False]
    assert out["n"].isna().tolist() == [True, False] and out["flag"].isna().tolist() == [
        True,
        False,
    ]


def test_distribution_of_a_single_choice_item():
    principals = cl.simulate("sass-principal-influence", n_schools=60, respondents=1, seed=9)
    table = cl.distribution(principals, "school_level", by=None)
    labels = principals.instrument.response_scale_of("school_level").label_map
    assert list(table["label"]) == [labels[v] for v in sorted(labels)]
    counts = principals.data["school_level"].value_counts()
    assert table.set_index("value")["count"].to_dict() == {
        v: float(counts.get(v, 0)) for v in sorted(labels)}
    assert table["share"].sum() == pytest.approx(1.0)
    by_school = cl.distribution(principals, "school_level", by="school_id")
    assert by_school["suppressed"].all()  # one principal per school: never shown
    assert by_school[["count", "share", "n"]].isna().all().all()
    with pytest.raises(InvalidParameterError, match="single-choice item"):
        cl.distribution(principals, "enrolment")


def test_roster_sizes_that_cannot_be_right_are_errors(district):
    sizes = district.data.groupby("school_id").size()
    roster = pd.DataFrame({"school_id": sizes.index, "size": list(sizes.to_numpy() * 2)},
                          dtype=object)
    roster.loc[0, "size"] = 0  # would be a division by zero: "inf%"
    roster.loc[1, "size"] = sizes.iloc[1] - 1  # fewer invited than answered: over 100%
    roster.loc[2, "size"] = "many"
    roster = pd.concat([roster, roster.iloc[[3]]], ignore_index=True)  # a school twice
    with pytest.raises(cl.ResponseDataError) as info:
        cl.aggregate(district, roster=roster, min_n=3)
    lines = info.value.problem_lines()
    assert len(lines) == 4
    assert "row 2, column 'size', value 0" in lines[0] and "positive number" in lines[0]
    assert f"has {sizes.iloc[1]} respondents but a roster size of {sizes.iloc[1] - 1}" in lines[1]
    assert "value 'many'" in lines[2]
    assert "appears more than once" in lines[3]
    with pytest.raises(cl.ResponseDataError, match="positive number"):
        cl.aggregate(district, roster={sizes.index[0]: -3}, min_n=3)
    # a group without a size simply has no response rate
    partial = cl.aggregate(district, roster={sizes.index[0]: 100}, min_n=3)
    rates = partial.loc[~partial["suppressed"]].groupby("school_id")["response_rate"].first()
    assert rates.notna().sum() <= 1 and (rates.dropna() <= 1).all()


def test_a_by_column_blank_in_every_row_is_a_clear_error(district):
    blank = cl.Responses(data=district.data.assign(school_id=None), log=district.log,
                         platform=district.platform, instrument=district.instrument)
    for call in (lambda: cl.aggregate(blank), lambda: cl.agreement(blank)):
        with pytest.raises(cl.InsufficientDataError, match="'school_id', which is blank in every"):
            call()


def test_agreement_of_a_single_school_has_no_icc_but_its_rwg(district):
    largest = district.data["school_id"].value_counts().index[0]
    one = district.data[district.data["school_id"] == largest]
    log = cl.ImportLog(source="test", rows_read=len(one), rows_kept=len(one))
    single = cl.Responses(data=one, log=log, platform="csv", instrument=district.instrument)
    table = cl.agreement(single, min_n=3)
    assert table[["icc1", "icc2"]].isna().all().all()
    assert (table["n_groups"] == 1).all() and table["rwg_j_mean"].notna().any()


def test_an_instrument_without_scales_gives_empty_tables():
    """sass-principal-influence has an influence grid and no scale: the school table and the
    agreement table are empty (with their columns), not a KeyError from deep inside pandas."""
    principals = cl.load_sample("district-principals")
    assert principals.instrument.scale_list == ()
    table = cl.aggregate(principals)
    assert table.empty and list(table.columns) == ["school_id", *AGGREGATE_COLUMNS]
    agreement = cl.agreement(principals)
    assert agreement.empty and "icc1" in agreement.columns

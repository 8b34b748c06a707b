"""cl.influence: the long table, matrices (equal to plain pandas group statistics), suppression,
indices (against their definitions computed directly), and perception gaps."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.decisions.gaps import GAP_COLUMNS
from colead.decisions.result import INDEX_COLUMNS
from colead.exceptions import InvalidParameterError, ResponseDataError


@pytest.fixture(scope="module")
def teachers():
    return cl.simulate("colead-teacher", n_schools=8, respondents=(2, 14), missing=0.08, seed=7)


@pytest.fixture(scope="module")
def principals():
    return cl.simulate("sass-principal-influence", n_schools=60, respondents=1, seed=8)


@pytest.fixture(scope="module")
def result(teachers):
    return cl.influence(teachers)


def plain_long(responses) -> pd.DataFrame:
    """The grid's answers in long form, written with pandas only."""
    grid = responses.instrument.influence
    cells = grid.cell_table()
    frame = responses.data.melt(
        id_vars=["respondent_id", "school_id"],
        value_vars=list(cells["item_id"]),
        var_name="item_id",
        value_name="value",
    ).dropna(subset=["value"])
    return frame.merge(cells, on="item_id")


# -- the long table ----------------------------------------------------------------------------
def test_long_table_holds_every_answer_and_no_missing_one(teachers, result):
    expected = plain_long(teachers)
    assert len(result.long) == len(expected)
    assert list(result.long.columns) == [
        "respondent_id",
        "school_id",
        "stakeholder",
        "zone",
        "value",
    ]
    mine = result.long.assign(
        stakeholder=result.long.stakeholder.astype(str), zone=result.long.zone.astype(str)
    )
    keys = ["respondent_id", "stakeholder", "zone"]
    merged = mine.merge(expected, on=keys, suffixes=("", "_plain"))
    assert len(merged) == len(expected)
    assert (merged["value"] == merged["value_plain"]).all()
    assert list(result.long.stakeholder.cat.categories) == list(result.stakeholders)


def test_missing_codes_are_missing_never_no_influence():
    inst = cl.load_instrument("colead-teacher")
    frame = cl.simulate(inst, n_schools=2, respondents=6, seed=1, missing=0).data.copy()
    item = "inf_teachers_hiring"
    frame.loc[:3, item] = np.nan  # "Not applicable" / "Don't know" after import
    res = cl.influence(frame, inst)
    n = res.matrix(stat="n", min_n=3).loc["teachers", "hiring"]
    assert n == len(frame) - 4
    mean = res.matrix(min_n=3).loc["teachers", "hiring"]
    assert_allclose(mean, frame[item].iloc[4:].mean())


def test_numeric_missing_codes_of_the_scale_are_dropped(write_yaml):
    path = write_yaml(
        """
name: grid-codes
title: t
version: "1"
response_scales:
  inf4:
    type: ordinal
    min: 1
    max: 4
    labels: {1: "No", 2: "Minor", 3: "Moderate", 4: "Major"}
    missing: ["Not applicable", -99, 9]
influence:
  response_scale: inf4
  stakeholders: [principal, teachers]
  zones: [hiring, budget]
  generate: {id: "inf_{stakeholder}_{zone}", text: "{stakeholder}: {zone}"}
items: []
"""
    )
    frame = pd.DataFrame(
        {
            "respondent_id": [f"R{i}" for i in range(6)],
            "school_id": ["A"] * 6,
            "inf_principal_hiring": [4, 4, -99, 9, 3, 4],
            "inf_principal_budget": [1, 2, 3, 4, 1, 2],
            "inf_teachers_hiring": [1, 1, 2, 2, 3, 3],
            "inf_teachers_budget": [2, 2, 2, 2, 2, np.nan],
        }
    )
    res = cl.influence(frame, path)
    table = res.matrix(long=True, min_n=3)
    row = table[(table.stakeholder == "principal") & (table.zone == "hiring")].iloc[0]
    assert row["n"] == 4 and row["mean"] == pytest.approx(15 / 4)
    assert row["pct_major"] == pytest.approx(75.0)


def test_values_off_the_scale_are_listed_problems(teachers):
    frame = teachers.data.copy()
    frame.loc[0, "inf_principal_hiring"] = 7
    frame.loc[2, "inf_teachers_budget"] = 0.5
    with pytest.raises(ResponseDataError) as info:
        cl.influence(frame, teachers.instrument)
    problems = info.value.problems
    assert set(problems["column"]) == {"inf_principal_hiring", "inf_teachers_budget"}
    assert sorted(problems["row"]) == [2, 4]  # spreadsheet rows: header is row 1


def test_instrument_without_grid_and_data_without_items_raise(teachers):
    with pytest.raises(InvalidParameterError, match="influence grid"):
        cl.influence(cl.simulate("omnibus-t-scale", n_schools=2, respondents=3, seed=1))
    with pytest.raises(ResponseDataError, match="none of the"):
        cl.influence(teachers.data[["respondent_id", "school_id", "sl1"]], teachers.instrument)
    with pytest.raises(InvalidParameterError):
        cl.influence(teachers.data)  # a DataFrame needs its instrument


# -- matrices ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "stat,func", [("mean", "mean"), ("median", "median"), ("sd", "std"), ("n", "count")]
)
def test_matrix_equals_plain_pandas_group_statistics(teachers, result, stat, func):
    plain = plain_long(teachers)
    expected = plain.groupby(["stakeholder", "zone"])["value"].agg(func).unstack("zone")
    counts = plain.groupby(["stakeholder", "zone"])["value"].count().unstack("zone")
    expected = expected.where(counts >= 5)
    got = result.matrix(stat=stat)
    assert list(got.index) == list(result.stakeholders)
    assert list(got.columns) == list(result.zones)
    assert_allclose(
        got.to_numpy(dtype=float),
        expected.loc[list(got.index), list(got.columns)].to_numpy(dtype=float),
        rtol=1e-12,
    )


def test_pct_major_is_the_share_at_the_top_point(teachers, result):
    plain = plain_long(teachers)
    expected = (
        plain.assign(top=plain.value == 5)
        .groupby(["stakeholder", "zone"])["top"]
        .mean()
        .unstack("zone")
        * 100
    )
    got = result.matrix(stat="pct_major")
    assert_allclose(got.to_numpy(), expected.loc[got.index, got.columns].to_numpy(), rtol=1e-12)


def test_matrix_by_school_equals_pandas_and_is_suppressed_under_min_n(teachers, result):
    plain = plain_long(teachers)
    grouped = plain.groupby(["school_id", "stakeholder", "zone"])["value"]
    means, counts = grouped.mean(), grouped.count()
    for min_n in (3, 5):
        got = result.matrix(by="school_id", min_n=min_n)
        stacked = got.stack(future_stack=True)
        for key, value in stacked.items():
            n = counts.get(key, 0)
            if n < min_n:
                assert np.isnan(value), key
            elif not np.isnan(value):  # else hidden as the complement of a smaller school
                assert value == pytest.approx(means[key], rel=1e-12)
        long = result.matrix(by="school_id", min_n=min_n, long=True)
        hidden = long[long.suppressed]
        assert hidden[["n", "mean", "sd", "median", "pct_major"]].isna().all().all()
        assert (long.loc[~long.suppressed, "n"] >= min_n).all()
        # the overall cell minus the shown schools' cells rests on 0 or >= min_n answers
        true_n = counts.reindex(pd.MultiIndex.from_frame(
            long[["school_id", "stakeholder", "zone"]].astype(str))).fillna(0).to_numpy()
        held = pd.Series(np.where(long.suppressed, true_n, 0)).groupby(
            [long["stakeholder"].astype(str), long["zone"].astype(str)]).sum()
        assert ((held == 0) | (held >= min_n)).all()


def test_overall_matrix_is_suppressed_too_and_min_n_is_checked(teachers):
    small = cl.influence(teachers.data.iloc[:3], teachers.instrument)
    assert small.matrix(min_n=5).isna().all().all()
    with pytest.raises(InvalidParameterError, match="min_n"):
        small.matrix(min_n=2)
    assert not small.matrix(min_n=2, allow_small_groups=True).isna().all().all()


def test_breakdown_gets_complementary_suppression(teachers):
    frame = teachers.data.copy()
    frame["role"] = np.where(np.arange(len(frame)) % 4 == 0, "lead", "classroom")
    res = cl.influence(frame, teachers.instrument)
    long = res.matrix(by=["school_id", "role"], min_n=3, long=True)
    schools = res.matrix(by="school_id", min_n=3, long=True)
    keys = ["school_id", "stakeholder", "zone"]
    # every shown school cell minus its shown role cells rests on 0 or >= 3 answers
    true_n = res.matrix(by=["school_id", "role"], stat="n", min_n=1,
                        allow_small_groups=True, long=True).set_index([*keys, "role"])["n"]
    held = pd.Series(np.where(long.suppressed, true_n.loc[
        pd.MultiIndex.from_frame(long[[*keys, "role"]])].to_numpy(), 0)).groupby(
        [long[k].astype(str) for k in keys]).sum()
    shown_schools = schools.loc[~schools.suppressed, keys].astype(str)
    held = held.reindex(pd.MultiIndex.from_frame(shown_schools))
    assert ((held == 0) | (held >= 3)).all()
    # a hidden school hides every role cell in it
    hidden_schools = schools.loc[schools.suppressed, keys].astype(str)
    inner = long.assign(**{k: long[k].astype(str) for k in keys}).merge(hidden_schools)
    assert inner["suppressed"].all()


def test_by_must_name_a_column(result):
    with pytest.raises(InvalidParameterError, match="district"):
        result.matrix(by="district")
    with pytest.raises(InvalidParameterError, match="stat"):
        result.matrix(stat="max")  # type: ignore[arg-type]


# -- indices ----------------------------------------------------------------------------------
def direct_indices(v: np.ndarray, floor: float, breadth_at: float) -> dict[str, float]:
    """The indices of one respondent's ratings of one zone, from their definitions."""
    rated = v[~np.isnan(v)]
    a = rated - floor
    k = len(rated)
    out = {
        "n_rated": k,
        "total_mean": rated.mean() if k else np.nan,
        "total_sum": rated.sum() if k == len(v) else np.nan,
        "sd": rated.std(ddof=1) if k >= 2 else np.nan,
        "breadth": float((rated >= breadth_at).sum()) if k else np.nan,
    }
    out["cv"] = out["sd"] / a.mean() if k and a.mean() > 0 else np.nan
    gini = (
        np.abs(a[:, None] - a[None, :]).sum() / (2 * k**2 * a.mean())
        if k and a.mean() > 0
        else np.nan
    )
    out["gini"] = gini
    return out


def test_respondent_indices_match_their_definitions(teachers, result):
    table = result.indices()
    assert len(table) == len(teachers.data) * len(result.zones)
    assert list(table.columns[:3]) == ["respondent_id", "school_id", "zone"]
    assert list(table.columns[3 : 3 + len(INDEX_COLUMNS)]) == list(INDEX_COLUMNS)
    s_ids, z_ids = result.stakeholders, result.zones
    rng = np.random.default_rng(3)
    for r in rng.choice(len(teachers.data), size=25, replace=False):
        for j, z in enumerate(z_ids):
            v = np.array([teachers.data.iloc[r][f"inf_{s}_{z}"] for s in s_ids], dtype=float)
            row = table.iloc[r * len(z_ids) + j]
            assert row.respondent_id == teachers.data.respondent_id.iloc[r]
            assert row.zone == z
            expected = direct_indices(v, 1.0, 3.0)
            for name, value in expected.items():
                assert_allclose(row[name], value, rtol=1e-12, err_msg=name)
            assert_allclose(row["principal"], v[s_ids.index("principal")])
            assert_allclose(
                row["teacher_principal_gap"],
                v[s_ids.index("teachers")] - v[s_ids.index("principal")],
            )
            a = v - 1
            shares = a / np.nansum(a) if np.nansum(a) > 0 else np.full(len(a), np.nan)
            for s, share in zip(s_ids, shares, strict=True):
                assert_allclose(row[f"share_{s}"], share, rtol=1e-12)


def test_gini_and_shares_on_known_profiles():
    from colead.decisions._kernels import indices

    v = np.array(
        [[[4.0], [1.0], [1.0], [1.0]], [[2.0], [2.0], [2.0], [2.0]], [[1.0], [1.0], [1.0], [1.0]]]
    )  # one holds all; equal; nobody has any
    out = indices(
        v, floor=1.0, breadth_at=3.0, asked=np.ones((4, 1), bool), principal=0, teachers=1
    )
    assert_allclose(out["gini"][:, 0], [3 / 4, 0.0, np.nan])
    assert_allclose(out["share_0"][:, 0], [1.0, 0.25, np.nan])
    assert_allclose(out["breadth"][:, 0], [1, 0, 0])
    assert_allclose(out["teacher_principal_gap"][:, 0], [-3, 0, 0])
    assert_allclose(out["total_sum"][:, 0], [7, 8, 4])


def test_shares_sum_to_one(result):
    table = result.indices()
    shares = table[[f"share_{s}" for s in result.stakeholders]]
    complete = shares.notna().sum(axis=1) == table["n_rated"]
    sums = shares[complete & (table["gini"].notna())].sum(axis=1)
    assert_allclose(sums, 1.0, rtol=1e-12)


def test_group_indices_are_those_of_the_group_mean_matrix(teachers, result):
    min_n = 3
    table = result.indices(by="school_id", min_n=min_n)
    matrix = result.matrix(by="school_id", min_n=min_n)
    plain = plain_long(teachers)
    answered = plain.groupby(["school_id", "zone"])["respondent_id"].nunique()
    shown = table[~table.suppressed]
    assert len(shown) > 0
    for row in shown.itertuples():
        v = matrix.loc[row.school_id][row.zone].reindex(list(result.stakeholders)).to_numpy()
        expected = direct_indices(v, 1.0, 3.0)
        for name in ("n_rated", "total_mean", "total_sum", "sd", "cv", "gini", "breadth"):
            assert_allclose(getattr(row, name), expected[name], rtol=1e-12, err_msg=name)
        assert row.n == answered[(row.school_id, row.zone)]
    hidden = table[table.suppressed]
    assert hidden[list(INDEX_COLUMNS)].isna().all().all()
    assert (
        answered.reindex(
            pd.MultiIndex.from_frame(hidden[["school_id", "zone"]].astype(str))
        ).fillna(0)
        < min_n
    ).all()


def test_indices_without_principal_or_teachers_in_the_grid():
    sim = cl.simulate("sass-teacher-influence", n_schools=2, respondents=6, seed=2)
    table = cl.influence(sim).indices()
    assert table["principal"].isna().all() and table["teacher_principal_gap"].isna().all()
    assert table["total_mean"].notna().any()
    with pytest.raises(InvalidParameterError, match="head"):
        cl.influence(sim).indices(principal="head")


def test_breadth_point_follows_the_scale_labels(principals):
    res = cl.influence(principals)
    table = res.indices()
    values = res.values
    assert_allclose(
        table["breadth"].to_numpy().reshape(len(values), -1),
        np.where(np.isnan(values).all(axis=1), np.nan, (np.nan_to_num(values) >= 3).sum(axis=1)),
    )
    custom = res.indices(breadth_at=4)
    assert (custom["breadth"] <= table["breadth"]).all()


def test_summary_and_html(result):
    text = result.summary()
    assert "stakeholders x" in text and "Mean influence" in text
    html = result._repr_html_()
    assert html.startswith("<div>") and "<table" in html
    assert "InfluenceResult(" in repr(result)


# -- perception gaps --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def paired():
    p = cl.simulate("sass-principal-influence", n_schools=6, respondents=1, seed=11)
    schools = p.population.schools.drop(columns="n_respondents")
    t = cl.simulate("colead-teacher", schools=schools, respondents=(3, 12), seed=12)
    return p, t


def test_gaps_match_direct_computation(paired):
    p, t = paired
    table = cl.perception_gaps(p, t, min_n=3)
    assert list(table.columns) == ["school_id", *GAP_COLUMNS]
    mapping = {
        "district_staff": "district",
        "principal": "principal",
        "teachers": "teachers",
        "parents": "parents",
    }
    assert set(table["stakeholder"].astype(str)) == set(mapping)
    assert table["rescaled"].all()  # 1-4 against 1-5: both put on 0-1
    shown = table[~table.suppressed]
    for row in shown.sample(25, random_state=1).itertuples():
        s, z = str(row.stakeholder), str(row.zone)
        pv = p.data.loc[p.data.school_id == row.school_id, f"inf_{s}_{z}"].dropna()
        tv = t.data.loc[t.data.school_id == row.school_id, f"inf_{mapping[s]}_{z}"].dropna()
        pv, tv = (pv - 1) / 3, (tv - 1) / 4
        assert row.n == len(tv) and row.n_principals == len(pv)
        assert_allclose(row.gap, pv.mean() - tv.mean(), rtol=1e-12)
        assert_allclose(row.se, tv.std(ddof=1) / np.sqrt(len(tv)), rtol=1e-12)
        half = row.ci_high - row.gap
        assert half == pytest.approx(
            __import__("scipy").stats.t.ppf(0.975, len(tv) - 1) * row.se, rel=1e-10
        )
    hidden = table[table.suppressed]
    assert hidden[["principal_value", "teacher_mean", "gap", "n"]].isna().all().all()


def test_gaps_on_the_same_scale_are_raw_and_mappings_are_checked(paired):
    p, _ = paired
    schools = p.population.schools.drop(columns="n_respondents")
    t = cl.simulate("sass-teacher-influence", schools=schools, respondents=(4, 9), seed=3)
    table = cl.perception_gaps(p, t, min_n=3)
    assert not table["rescaled"].any()
    assert set(table["stakeholder"].astype(str)) == {"teachers"}
    row = table[~table.suppressed].iloc[0]
    pv = p.data.loc[p.data.school_id == row.school_id, f"inf_teachers_{row.zone}"].mean()
    tv = t.data.loc[t.data.school_id == row.school_id, f"inf_teachers_{row.zone}"].mean()
    assert_allclose(row.gap, pv - tv, rtol=1e-12)
    with pytest.raises(InvalidParameterError, match="ids the grids do not have"):
        cl.perception_gaps(p, t, stakeholders={"principal": "head_teacher"})
    with pytest.raises(InvalidParameterError, match="ids the grids do not have"):
        cl.perception_gaps(p, t, zones={"budget": "money"})
    custom = cl.perception_gaps(p, t, zones={"hiring": "hiring"}, min_n=3)
    assert set(custom["zone"].astype(str)) == {"hiring"}


def test_gaps_need_shared_stakeholders_and_a_school_column(paired):
    p, t = paired
    frame = t.data.drop(columns="school_id").assign(school_id=None)
    with pytest.raises(InvalidParameterError, match="school column"):
        cl.perception_gaps(p, t, by="district")
    res = cl.influence(frame.assign(school_id="X"), t.instrument)
    assert cl.perception_gaps(p, res, min_n=3).empty


def test_group_indices_of_a_breakdown_get_complementary_suppression(teachers):
    frame = teachers.data.copy()
    frame["role"] = np.where(np.arange(len(frame)) % 3 == 0, "lead", "classroom")
    table = cl.influence(frame, teachers.instrument).indices(by=["school_id", "role"], min_n=3)
    assert list(table.columns[:4]) == ["school_id", "role", "zone", "n"]
    assert table.loc[table.suppressed, list(INDEX_COLUMNS)].isna().all().all()
    assert (table.loc[~table.suppressed, "n"] >= 3).all()
    # a group's indices use only the cells the matrix shows for the same breakdown: a group
    # whose every cell of a zone is hidden (as a complement) has no index in that zone
    cells = cl.influence(frame, teachers.instrument).matrix(by=["school_id", "role"], min_n=3,
                                                           long=True)
    none_shown = cells.groupby(["school_id", "role", "zone"], observed=True)["suppressed"].all()
    rows = table.set_index(["school_id", "role", "zone"])
    empty = none_shown[none_shown].index.intersection(rows.index)
    assert len(empty) and rows.loc[empty, "total_mean"].isna().all()


def test_docstring_examples_run():
    import doctest

    from colead.decisions import grid, result

    tried = 0
    for module in (grid, result):
        failures, count = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert failures == 0
        tried += count
    assert tried > 0

"""``cl.plan`` and ``colead plan``: respondents per school for a reliable school mean.

The numbers are closed forms (Spearman-Brown, the design effect), checked against a by-hand
computation and, on the same data, against ``multilevel::ICC1`` / ``ICC2`` (multilevel 2.7,
tests/reference/multilevel_cfa/multilevel_cfa.json, ``planner``) at 1e-10.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose

import colead as cl
from colead.cli import main
from colead.exceptions import InvalidParameterError
from colead.schools.plan import icc2_of, respondents_needed

from .conftest import REPO

REF = REPO / "tests" / "reference" / "multilevel_cfa"
R = json.loads((REF / "multilevel_cfa.json").read_text())["planner"]


def test_by_hand():
    table = cl.plan(0.15, group_size=[10, 14])
    # ICC(2) = m ICC1 / (1 + (m - 1) ICC1): 10 * .15 / (1 + 9 * .15) = 1.5 / 2.35
    assert_allclose(table["icc2"], [1.5 / 2.35, 2.1 / 2.95], rtol=1e-10)
    assert_allclose(table["design_effect"], [2.35, 2.95], rtol=1e-10)
    assert_allclose(table["effective_n"], [10 / 2.35, 14 / 2.95], rtol=1e-10)
    # m >= .7 * .85 / (.15 * .3) = 13.22: 14 respondents
    assert list(table["n_needed"]) == [14.0, 14.0]
    assert list(table["scale"]) == ["scale", "scale"]
    assert table["n"].isna().all() and table["effective_n_total"].isna().all()


def test_default_group_sizes_and_several_scales():
    table = cl.plan({"trust": 0.2, "focus": 0.05}, target=0.8)
    assert list(table["group_size"]) == [5, 10, 15, 20, 30] * 2
    assert list(table.drop_duplicates("scale")["n_needed"]) == [16.0, 76.0]
    # .8 * .8 / (.2 * .2) = 16 exactly: the bound itself is enough
    assert icc2_of(0.2, 16) >= 0.8 > icc2_of(0.2, 15)


@given(
    icc1=st.floats(0.001, 0.999),
    target=st.floats(0.01, 0.99),
)
def test_n_needed_is_the_smallest_sufficient_number(icc1, target):
    m = respondents_needed(icc1, target)
    assert icc2_of(icc1, m) >= target
    assert m == 1 or icc2_of(icc1, m - 1) < target


def test_no_between_variance_means_never():
    table = cl.plan(-0.02, group_size=10)
    assert math.isnan(table["n_needed"].iloc[0])
    assert table["icc2"].iloc[0] < 0


def scores() -> pd.DataFrame:
    x = pd.read_csv(REF / "teachers.csv")
    x["tp5"] = 7 - x["tp5"]
    x["sl4"] = 7 - x["sl4"]
    out = pd.DataFrame({"school_id": x["school_id"]})
    for scale, items in (
        ("trust_principal", [f"tp{i}" for i in range(1, 7)]),
        ("shared_leadership", [f"sl{i}" for i in range(1, 7)]),
        ("reflective_dialogue", [f"rd{i}" for i in range(1, 6)]),
    ):
        out[scale] = x[items].mean(axis=1)  # R's rowMeans(na.rm = TRUE)
    return out


def test_equals_multilevel_icc2_on_the_same_data():
    assert "rowMeans(x[paste0('tp', 1:6)], na.rm = TRUE)" in R["prepare"]
    table = cl.plan(data=scores()).set_index("scale")
    for scale, ref in R["scales"].items():
        row = table.loc[scale]
        assert_allclose(row["icc1"], ref["icc1"], rtol=1e-10)
        assert_allclose(row["icc2"], ref["icc2"], rtol=1e-10)
        assert_allclose(row["group_size"], ref["mean_group_size"], rtol=1e-12)
        assert (row["n"], row["n_groups"]) == (ref["n"], ref["n_groups"])
        assert_allclose(row["effective_n_total"], ref["n"] / row["design_effect"], rtol=1e-12)
        assert row["n_needed"] == respondents_needed(ref["icc1"], 0.7)


def test_from_responses_scores_every_scale():
    resp = cl.simulate(n_schools=30, respondents=(10, 20), icc=0.2, seed=4)
    table = cl.plan(data=resp, group_size=12)
    assert list(table["scale"]) == list(resp.instrument.scales)
    one = cl.icc(cl.score(resp)["trust_principal"], resp.data["school_id"])
    row = table.set_index("scale").loc["trust_principal"]
    assert_allclose(row["icc1"], one.icc1, rtol=1e-12)
    assert row["group_size"] == 12


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((), {}, "either"),
        ((0.1,), {"data": pd.DataFrame({"school_id": [1]})}, "not both"),
        ((0.1,), {"target": 1.0}, "target"),
        ((1.5,), {}, "icc1"),
        ((0.1,), {"group_size": 0}, "group_size"),
        ((), {"data": pd.DataFrame({"s": [1.0]})}, "school column"),
    ],
)
def test_bad_input(args, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        cl.plan(*args, **kwargs)


def test_cli_with_an_icc(capsys):
    assert main(["plan", "--icc", "0.15", "--group-size", "10"]) == 0
    out = capsys.readouterr().out
    assert "0.638" in out and "14 respondents per school" in out


def test_cli_with_an_export(tmp_path, capsys):
    path = tmp_path / "last_year.csv"
    resp = cl.simulate(n_schools=20, respondents=(10, 20), icc=0.2, seed=6)
    cl.write_export(resp, path)
    assert main(["plan", str(path), "-i", "colead-teacher"]) == 0
    out = capsys.readouterr().out
    for scale in resp.instrument.scales:
        assert scale in out
    assert main(["plan"]) == 2
    assert "--icc" in capsys.readouterr().err
    assert main(["plan", "--icc", "2"]) == 2
    assert "icc1" in capsys.readouterr().err


def test_scales_that_cannot_be_estimated_are_named():
    data = scores().assign(empty=np.nan)
    with pytest.warns(cl.ColeadWarning, match="empty"):
        table = cl.plan(data=data)
    assert "empty" not in set(table["scale"])

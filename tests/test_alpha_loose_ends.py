"""alpha and reliability after the audit against R (issue 23): intervals on the complete rows
(``ci_n="complete"``) against psych::alpha.ci, the items reliability() actually used, and the
documented difference from psych's total score when an item has no variance.

References: tests/reference/psychometrics/ci_n.json (ci_n.R) and psychometrics.json.
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

from .conftest import REPO

REF = REPO / "tests" / "reference" / "psychometrics"
CASES = json.loads((REF / "ci_n.json").read_text())["cases"]
R = json.loads((REF / "psychometrics.json").read_text())
TEACHERS = pd.read_csv(REF / "teachers.csv")
KEYS = pd.read_csv(REF / "keys.csv")


def _keyed(items: list[str]) -> pd.DataFrame:
    x = TEACHERS[items].astype(float).copy()
    for row in KEYS[KEYS["item"].isin(items) & (KEYS["key"] < 0)].itertuples():
        x[row.item] = row.min + row.max - x[row.item]
    return x


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['scale']}-{c['use']}")
def test_ci_n_against_psych_alpha_ci(case):
    policy = "pairwise" if case["use"] == "pairwise" else "listwise"
    x = _keyed(case["items"])
    default = cl.alpha(x, nan_policy=policy)
    assert default.ci_n == "all" and default.n == case["n_rows"]
    assert_allclose(default.alpha, case["raw_alpha"], rtol=1e-10)
    assert_allclose([default.ci_low, default.ci_high],
                    [case["feldt_psych"]["lower"], case["feldt_psych"]["upper"]], rtol=1e-10)
    assert_allclose([default.ci_low, default.ci_high],
                    [case["feldt_all"]["lower"], case["feldt_all"]["upper"]], rtol=1e-10)
    complete = cl.alpha(x, nan_policy=policy, ci_n="complete")
    assert complete.ci_n == "complete" and complete.n_complete == case["n_complete"]
    assert complete.alpha == default.alpha and complete.n == default.n
    assert_allclose([complete.ci_low, complete.ci_high],
                    [case["feldt_complete"]["lower"], case["feldt_complete"]["upper"]],
                    rtol=1e-10)
    assert complete.ci_high - complete.ci_low > default.ci_high - default.ci_low
    assert_allclose(default.ase, case["ase_psych"], rtol=1e-10)
    assert_allclose(complete.ase, case["ase_complete_by_hand"], rtol=1e-10)
    duhachek = cl.alpha(x, nan_policy=policy, method="duhachek", ci_n="complete")
    z = 1.959963984540054
    assert_allclose([duhachek.ci_low, duhachek.ci_high],
                    [complete.alpha - z * complete.ase, complete.alpha + z * complete.ase],
                    rtol=1e-12)
    assert complete.to_frame().loc[0, "ci_n"] == "complete"


def test_ci_n_complete_width_follows_the_complete_rows():
    """The audit's case: 302 complete of 566 rows gives an interval about sqrt(566/302)
    times as wide (27 % narrower the psych way)."""
    rng = np.random.default_rng(3)
    factor = rng.normal(size=(566, 1))
    x = pd.DataFrame(factor + rng.normal(size=(566, 5)), columns=list("abcde"))
    holes = np.zeros((566, 5), dtype=bool)
    holes[302:, :] = rng.random((264, 5)) < 0.5
    holes[302:, 0] |= ~holes[302:].any(axis=1)  # every one of the last 264 rows incomplete
    x = x.mask(holes)
    a, b = cl.alpha(x), cl.alpha(x, ci_n="complete")
    assert b.n_complete == 302 and a.n == 566
    ratio = (a.ci_high - a.ci_low) / (b.ci_high - b.ci_low)
    assert ratio == pytest.approx(np.sqrt(302 / 566), rel=0.02)


def test_ci_n_bad_values():
    x = _keyed(["tp1", "tp2", "tp3"])
    with pytest.raises(InvalidParameterError, match="ci_n"):
        cl.alpha(x, ci_n="pairwise")
    sparse = pd.DataFrame({"a": [1, np.nan, 3, 4], "b": [np.nan, 2, 3, 1], "c": [2, 2, np.nan, 5]})
    with pytest.raises(InsufficientDataError, match="complete rows"):
        cl.alpha(sparse, ci_n="complete")


def test_reliability_reports_the_items_it_used_and_passes_the_warning_on():
    inst = cl.load_instrument("colead-teacher")
    data = TEACHERS.copy()
    data["tp2"] = 3.0  # everybody gives tp2 the same answer
    message = r"trust_principal: items without variance left out: tp2"
    with pytest.warns(ColeadWarning, match=message):
        table = cl.reliability(data, inst, scales=["trust_principal", "shared_leadership"],
                               omega_total=False)
    table = table.set_index("scale")
    assert table.loc["trust_principal", "k"] == inst.scales["trust_principal"].k - 1 == 5
    assert table.loc["trust_principal", "dropped_items"] == "tp2"
    assert table.loc["shared_leadership", "k"] == 6
    assert table.loc["shared_leadership", "dropped_items"] == ""
    scale = inst.scales["trust_principal"]
    used = [i for i in scale.items if i != "tp2"]
    direct = cl.alpha(cl.psychometrics.keyed_items(data, inst, scale)[used])
    assert_allclose(table.loc["trust_principal", "alpha"], direct.alpha, rtol=1e-12)
    # ci_n passes through
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ColeadWarning)
        wide = cl.reliability(data, inst, scales=["trust_principal"], omega_total=False,
                              ci_n="complete")
    complete = cl.alpha(cl.psychometrics.keyed_items(data, inst, scale)[used], ci_n="complete")
    assert_allclose(wide.loc[0, ["ci_low", "ci_high"]].astype(float),
                    [complete.ci_low, complete.ci_high], rtol=1e-12)


def test_total_score_with_a_constant_item_differs_from_psych_as_documented():
    """psych drops a constant item from alpha but adds the first respondent's answer to it
    into every total: its mean is (k * mean of the other items + that answer) / (k + 1). colead
    leaves the item out of the total too."""
    case = R["alpha"]["edge_pairwise"]
    edge = pd.read_csv(REF / "edge.csv")[case["items"]].astype(float)
    edge["e4"] = 6 - edge["e4"]
    with pytest.warns(ColeadWarning, match="const"):
        got = cl.alpha(edge)
    rest = edge.drop(columns="const")
    ours = rest.mean(axis=1)
    assert_allclose(got.mean, ours.mean(), rtol=1e-12)
    k = got.k
    psych_total = (k * ours + edge["const"].iloc[0]) / (k + 1)
    assert_allclose(psych_total.mean(), case["mean"], rtol=1e-10)
    assert_allclose(psych_total.std(), case["sd"], rtol=1e-10)
    assert abs(got.mean - case["mean"]) > 1e-3  # the documented difference is real


def test_scores_keep_a_constant_item_unlike_score_items(tmp_path):
    """psych::scoreItems deletes an item without variance before scoring; colead's score keeps
    it (documented): without the item the scores are scoreItems' exactly."""
    ref = R["score_items"]["edge_impute_none"]
    assert any("const had no variance" in w for w in ref["warnings"])
    data = pd.read_csv(REF / "edge.csv")
    spec = {
        "name": "edge", "title": "edge", "version": "1",
        "response_scales": {"five": {"min": 1, "max": 5,
                                     "labels": {i: f"p{i}" for i in range(1, 6)}}},
        "scales": {"edge": {"title": "edge", "items": ["e1", "e2", "e3", "e4", "const",
                                                          "sparse"]}},
        "items": [{"id": i, "text": i, "scale": "edge", "response_scale": "five",
                   **({"reverse": True} if i == "e4" else {})}
                  for i in ["e1", "e2", "e3", "e4", "const", "sparse"]],
    }
    import yaml

    path = tmp_path / "edge.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    inst = cl.load_instrument(path)
    got = cl.score(data, inst, min_valid=1)["edge"]
    theirs = pd.Series(ref["scores_first_20"]["edge"], dtype=float)
    keyed = cl.psychometrics.keyed_items(data, inst, inst.scales["edge"])
    assert_allclose(keyed.mean(axis=1), got, rtol=1e-12)  # the constant item counted
    assert_allclose(keyed.drop(columns="const").mean(axis=1), theirs, rtol=1e-12)
    assert not np.allclose(got.iloc[:13], theirs.iloc[:13])

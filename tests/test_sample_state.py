"""The state-principals sample: 600 simulated principals in the SASS design, whose supportive
and inhibiting relations (recorded in its population file) Ni, Yan & Pounder's models recover,
as the README's example runs them."""

from __future__ import annotations

import ast
import importlib.util
import json
import re

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.datasets import sample_path

from .conftest import REPO


@pytest.fixture(scope="module")
def principals():
    return cl.load_sample("state-principals")


@pytest.fixture(scope="module")
def weights():
    return cl.datasets.sample_weights("state-principals")


@pytest.fixture(scope="module")
def truth():
    population = json.loads(sample_path("state_principals_population.json").read_text())
    return pd.DataFrame(population["influence_relations"])


def _make_sample():
    spec = importlib.util.spec_from_file_location("make_sample", REPO / "data" / "make_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sample_loads_as_600_principals_of_600_schools(principals):
    assert principals.instrument.name == "sass-principal-influence"
    assert len(principals.data) == 600 and principals.data["school_id"].is_unique
    assert principals.log.rows_kept == 600 and principals.log.unmapped_columns == ()
    assert "state-principals" in cl.list_samples()["name"].tolist()


def test_weights_are_a_brr_design_in_the_samples_order(principals, weights):
    assert weights["respondent_id"].tolist() == principals.data["respondent_id"].tolist()
    reps = weights.filter(like="repwt").to_numpy()
    w = weights["weight"].to_numpy()
    assert reps.shape == (600, 88) and (w > 0).all()
    # 87 variance strata of two half-samples; each replicate keeps one half of each stratum
    # at twice the weight and drops the other (balanced repeated replication)
    assert weights["stratum"].nunique() == 87 and set(weights["psu"]) == {1, 2}
    factors = reps / w[:, None]
    assert set(np.round(factors, 12).ravel()) == {0.0, 2.0}
    for _, group in weights.groupby("stratum"):
        kept = group.filter(like="repwt").to_numpy() > 0
        halves = group["psu"].to_numpy()
        for r in range(88):
            assert (kept[:, r] == (halves == 1)).all() or (kept[:, r] == (halves == 2)).all()
    design = cl.replicate_design(w, reps, method="BRR")
    assert design.degf == 87 and design.scale == pytest.approx(1 / 88)
    # the replicate standard error of a mean is close to the simple random sampling one
    item = principals.data["inf_principal_budget"]
    se = design.mean(item)["se"].iloc[0]
    srs = item.std() / np.sqrt(item.notna().sum())
    assert 0.7 < se / srs < 1.6


def test_unknown_sample_weights_are_a_clear_error():
    with pytest.raises(cl.ColeadError, match="samples with weights: state-principals"):
        cl.datasets.sample_weights("district")


def test_population_file_records_the_relations_the_sample_was_drawn_with(truth):
    made = _make_sample()
    assert len(truth) == 35  # 7 zones x 5 stakeholders besides the principal
    for row in truth.itertuples():
        beta = made.STATE_RELATIONS.get(row.stakeholder, {}).get(row.zone, 0.0)
        assert row.beta == beta
        assert row.relation == ("supportive" if beta > 0 else "inhibiting" if beta < 0
                                else "none")
    counts = truth["relation"].value_counts()
    assert counts["supportive"] == 11 and counts["inhibiting"] == 7 and counts["none"] == 17
    # relations that differ by zone: teachers not supportive on evaluation and hiring
    teachers = truth[truth.stakeholder == "teachers"].set_index("zone")["relation"]
    assert teachers["hiring"] == "none" and teachers["curriculum"] == "supportive"


def _readme_example() -> list[str]:
    """The README's Ni lines: from loading state-principals to the replicate-weight model."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Using colead\n\n```python\n(.*?)```", readme, re.S)
    assert block is not None
    lines = block.group(1).splitlines()
    start = next(i for i, line in enumerate(lines) if 'load_sample("state-principals")' in line)
    end = next(i for i, line in enumerate(lines) if "replicate_weights=design" in line)
    return lines[start : end + 1]


def test_the_readme_example_fits_and_recovers_every_relation(truth):
    snippet = "\n".join(_readme_example())
    assert "cl.influence_relations(principals)" in snippet
    namespace: dict = {"cl": cl}
    results = []
    for node in ast.parse(snippet).body:
        code = ast.unparse(node)
        if isinstance(node, ast.Expr):
            results.append(eval(code, namespace))
        else:
            exec(code, namespace)
    assert len(results) == 2  # classical, then replicate-weight standard errors
    assert [r["se_method"].iloc[0] for r in results] == ["ols", "replicate (BRR)"]
    related = truth["relation"] != "none"
    for table in results:
        assert table["estimate"].notna().all() and not table["suppressed"].any()
        assert (table["n"] > 500).all()
        got = truth.merge(table.astype({"zone": str, "stakeholder": str}),
                          on=["zone", "stakeholder"], suffixes=("_true", ""))
        assert len(got) == 35
        # every true relation found, with its sign
        assert (got.loc[related, "relation"] == got.loc[related, "relation_true"]).all()
        # cells without a relation: 'none' but for chance (alpha 0.05 on 17 cells)
        assert (got.loc[~related, "relation"] != "none").sum() <= 2
        # standardized estimates on the side of the truth, attenuated by 4-point answers
        signs = np.sign(got.loc[related, "std_estimate"]) == np.sign(got.loc[related, "beta"])
        assert signs.all()

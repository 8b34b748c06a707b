"""colead.decisions.weights: replicate designs with R's constants, svrVar, and SASS-like
replicate weights.

The R comparisons (svymean, degf, svyglm) are in test_influence_relations.py; here the
formulas, the construction of replicate weights and the argument checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.decisions import _replicate_kernels as kernels
from colead.decisions.weights import replicate_variance
from colead.exceptions import InvalidParameterError


@pytest.mark.parametrize("order", [2, 4, 8, 12, 20, 24, 28, 44, 48, 60, 68, 76, 80, 84, 88])
def test_hadamard_matrices_are_orthogonal_with_a_first_column_of_ones(order):
    h = kernels.hadamard(order)
    assert_allclose(h @ h.T, order * np.eye(order))
    assert (h[:, 0] == 1).all()
    assert set(np.unique(h)) <= {-1.0, 1.0}


def test_hadamard_orders_not_built_here_are_refused():
    for order in (6, 52, 100):
        with pytest.raises(InvalidParameterError, match="Hadamard"):
            kernels.hadamard(order)


@pytest.mark.parametrize("method", ["BRR", "Fay", "JK1", "JK2"])
def test_simulated_replicate_weights_have_their_method_structure(method):
    n, r = 400, 88 if method in ("BRR", "Fay") else 40
    table = cl.simulate_replicate_weights(n, n_replicates=r, method=method, fay=0.3, seed=5)
    assert list(table.columns[:3]) == ["stratum", "psu", "weight"]
    reps = table.filter(like="repwt").to_numpy()
    w = table["weight"].to_numpy()
    factors = reps / w[:, None]
    if method in ("BRR", "Fay"):
        low = 0.0 if method == "BRR" else 0.3
        assert set(np.round(np.unique(factors), 12)) == {low, 2 - low}
        # balance: every unit is in the kept half of exactly half the replicates, so the mean
        # replicate weight is the final weight
        assert_allclose(reps.mean(axis=1), w, rtol=1e-12)
        assert table["stratum"].nunique() == r - 1
        # the two half-samples of a stratum are always treated oppositely
        for _, part in table.groupby("stratum"):
            f = factors[part.index]
            first = f[part["psu"].to_numpy() == 1]
            second = f[part["psu"].to_numpy() == 2]
            assert_allclose(first, np.broadcast_to(first[0], first.shape), rtol=1e-12)
            assert_allclose(second, np.broadcast_to(second[0], second.shape), rtol=1e-12)
            assert_allclose(first[0] + second[0], 2.0)
    elif method == "JK1":
        assert ((factors == 0).sum(axis=1) == 1).all()  # each unit dropped once
        assert_allclose(factors[factors > 0], r / (r - 1))
    else:
        assert ((factors != 1).sum(axis=1) == 1).all()  # each unit moves in one replicate
        assert set(np.unique(factors)) == {0.0, 1.0, 2.0}
    design = cl.replicate_design(w, reps, method=method, fay=0.3)
    assert design.degf == r - 1


def test_weights_are_lognormal_with_the_asked_mean_and_cv():
    w = cl.simulate_replicate_weights(20_000, mean_weight=12, weight_cv=0.5, seed=1)["weight"]
    assert w.mean() == pytest.approx(12, rel=0.02)
    assert w.std() / w.mean() == pytest.approx(0.5, rel=0.05)
    flat = cl.simulate_replicate_weights(200, weight_cv=0, seed=1)["weight"]
    assert (flat == 12).all()
    same = cl.simulate_replicate_weights(200, seed=3)
    assert same.equals(cl.simulate_replicate_weights(200, seed=3))


@pytest.mark.parametrize(
    "method,scale", [("BRR", 1 / 8), ("Fay", 1 / (8 * 0.25)), ("JK1", 7 / 8), ("JK2", 1.0)]
)
def test_scales_are_those_of_svrepdesign(method, scale):
    rng = np.random.default_rng(1)
    w = rng.uniform(1, 3, size=30)
    reps = w[:, None] * rng.uniform(0, 2, size=(30, 8))
    design = cl.replicate_design(w, reps, method=method, fay=0.5)
    assert design.scale == pytest.approx(scale)
    assert_allclose(design.rscales, 1.0)
    theta = rng.normal(size=(8, 3))
    dev = theta - theta.mean(axis=0)
    assert_allclose(design.variance(theta), scale * dev.T @ dev, rtol=1e-12)
    assert_allclose(design.variance(theta[:, 0]), scale * (dev[:, 0] ** 2).sum(), rtol=1e-12)


def test_mse_centres_at_the_full_estimate_and_rscales_weight_replicates():
    rng = np.random.default_rng(2)
    theta = rng.normal(size=(6, 2))
    full = np.array([0.1, -0.2])
    v = replicate_variance(theta, full, scale=0.5, rscales=np.arange(1, 7), mse=True)
    dev = (theta - full) * np.sqrt(np.arange(1, 7))[:, None]
    assert_allclose(v, 0.5 * dev.T @ dev)
    # rscales 0 leave a replicate out of the centre (R: colMeans(thetas[rscales > 0, ]))
    rs = np.array([0, 1, 1, 1, 1, 1.0])
    v0 = replicate_variance(theta, scale=1.0, rscales=rs)
    centre = theta[1:].mean(axis=0)
    assert_allclose(
        v0, ((theta - centre) * np.sqrt(rs)[:, None]).T @ ((theta - centre) * np.sqrt(rs)[:, None])
    )
    with pytest.raises(InvalidParameterError):
        replicate_variance(theta, scale=1.0, mse=True)
    with pytest.raises(InvalidParameterError):
        replicate_variance(np.array([[np.nan, 1.0]]), scale=1.0)


def test_replicate_factors_are_multiplied_when_not_combined():
    rng = np.random.default_rng(3)
    w = rng.uniform(1, 3, size=20)
    factors = rng.choice([0.0, 2.0], size=(20, 8))
    a = cl.replicate_design(w, factors, combined_weights=False)
    b = cl.replicate_design(w, factors * w[:, None])
    assert_allclose(a.replicate_weights, b.replicate_weights)


def test_replicate_design_rejects_bad_input():
    w = np.ones(10)
    reps = np.ones((10, 4))
    bad_calls = [
        {"weights": -w, "replicate_weights": reps},
        {"weights": w, "replicate_weights": np.ones((9, 4))},
        {"weights": w, "replicate_weights": np.ones((10, 1))},
        {"weights": w, "replicate_weights": -reps},
        {"weights": w, "replicate_weights": np.where(reps, np.nan, 0)},
        {"weights": w, "replicate_weights": reps, "method": "bootstrap"},
        {"weights": w, "replicate_weights": reps, "method": "BRR", "scale": 2.0},
        {"weights": w, "replicate_weights": reps, "method": "JK2", "rscales": [1, 1, 1, 1]},
        {"weights": w, "replicate_weights": reps, "method": "Fay", "fay": 1.0},
        {"weights": w, "replicate_weights": reps, "rscales": [1, 1]},
        {"weights": ["a"] * 10, "replicate_weights": reps},
    ]
    for kwargs in bad_calls:
        with pytest.raises(InvalidParameterError):
            cl.replicate_design(**kwargs)
    for kwargs in (
        {"n": 10},
        {"n": 500, "n_replicates": 1},
        {"n": 500, "method": "X"},
        {"n": 500, "weight_cv": -1},
    ):
        with pytest.raises(InvalidParameterError):
            cl.simulate_replicate_weights(**kwargs)


def test_jk1_scale_can_be_given_and_design_displays():
    w = np.ones(12)
    reps = np.where(np.eye(12, 6, dtype=bool), 0.0, 1.2)
    design = cl.replicate_design(w, reps, method="JK1", scale=0.5)
    assert design.scale == 0.5
    assert "JK1" in design.summary() and "design df" in design.summary()
    assert design._repr_html_().startswith("<div>")
    assert "ReplicateDesign(" in repr(design)


def test_weighted_mean_by_hand():
    rng = np.random.default_rng(4)
    table = cl.simulate_replicate_weights(300, seed=4)
    design = cl.replicate_design(table["weight"], table.filter(like="repwt"))
    x = pd.Series(rng.normal(size=300), name="x")
    x[::7] = np.nan
    out = design.mean(x).iloc[0]
    ok = x.notna().to_numpy()
    w = table["weight"].to_numpy()[ok]
    reps = table.filter(like="repwt").to_numpy()[ok]
    full = (w * x[ok]).sum() / w.sum()
    thetas = (reps * x[ok].to_numpy()[:, None]).sum(axis=0) / reps.sum(axis=0)
    assert out["n"] == ok.sum()
    assert_allclose(out["mean"], full, rtol=1e-12)
    assert_allclose(out["se"], np.sqrt(((thetas - thetas.mean()) ** 2).sum() / 88), rtol=1e-10)
    with pytest.raises(InvalidParameterError):
        design.mean(x.iloc[:10])

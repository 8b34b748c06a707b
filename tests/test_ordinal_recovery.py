"""Ordinal methods recover the graded-response model ``cl.simulate`` draws from (n = 20,000).

``simulate`` answers item j of construct c by cutting ``y* = sign_j lambda_j eta_c +
sqrt(1 - lambda_j^2) e`` at ``Population.items.thresholds``, with eta standard normal and
constructs correlated as ``Population.correlation``. So the raw answers have polychoric
correlations ``sign_i lambda_i sign_j lambda_j R_cc'``, thresholds equal to the cut points, and
a WLSMV fit with standardized factors has loadings ``sign_j lambda_j``. With ``icc = 0``
respondents are independent and the model's standard errors are honest: every estimate must lie
within 4.5 standard errors of its true value (73 parameters: a false alarm has probability
about 5e-4 per run).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.psychometrics.ordinal_reliability import omega_categorical

SCALES = ("shared_leadership", "trust_principal")


@pytest.fixture(scope="module")
def drawn() -> cl.SimulatedResponses:
    return cl.simulate(
        "colead-teacher", n_schools=400, respondents=50, icc=0.0, missing=0.0, seed=20250118
    )


def truth(drawn: cl.SimulatedResponses) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    pop = drawn.population
    items = pop.items[pop.items["construct"].isin(SCALES)].set_index("item_id")
    signed = items["loading"] * items["sign"]
    corr = pop.correlation.loc[items["construct"], items["construct"]].to_numpy()
    r = np.outer(signed, signed) * corr
    np.fill_diagonal(r, 1.0)
    return items, pd.DataFrame(r, index=items.index, columns=items.index), list(items.index)


def test_polychoric_recovers_the_latent_correlations(drawn: cl.SimulatedResponses) -> None:
    items, r_true, names = truth(drawn)
    got = cl.polychoric(drawn.data[names])
    assert got.n == 20_000
    # the standard error of a polychoric correlation here is below .007
    assert_allclose(got.correlation, r_true, rtol=0, atol=0.03)
    cuts = np.concatenate([items.loc[n, "thresholds"] for n in names])
    assert_allclose(got.thresholds["estimate"], cuts, rtol=0, atol=0.06)


def test_wlsmv_recovers_loadings_thresholds_and_correlation(drawn: cl.SimulatedResponses) -> None:
    items, _, names = truth(drawn)
    model = {s: [n for n in names if items.loc[n, "construct"] == s] for s in SCALES}
    fit = cl.cfa(drawn.data, model, estimator="wlsmv", std_lv=True)
    par = fit.parameters[fit.parameters["free"]]
    want = []
    for r in par.itertuples():
        if r.op == "=~":
            want.append(items.loc[r.rhs, "loading"] * items.loc[r.rhs, "sign"])
        elif r.op == "|":
            want.append(items.loc[r.lhs, "thresholds"][int(r.rhs[1:]) - 1])
        else:
            want.append(drawn.population.correlation.loc[r.lhs, r.rhs])
    z = (par["estimate"].to_numpy() - np.array(want)) / par["se"].to_numpy()
    assert len(z) == 12 + 12 * 5 + 1
    assert np.max(np.abs(z)) < 4.5, par.assign(truth=want, z=z).sort_values("z").iloc[[0, -1]]
    # the model is the true one: the scaled test should not reject it
    assert fit.fit.p_value_scaled > 1e-3
    assert fit.fit.cfi_robust > 0.99 and fit.fit.rmsea_robust < 0.02


def test_ordinal_reliability_recovers_the_population_values(drawn: cl.SimulatedResponses) -> None:
    items, _, _ = truth(drawn)
    inst = drawn.instrument
    for scale_id in SCALES:
        scale = inst.scales[scale_id]
        keyed = cl.psychometrics.keyed_items(drawn.data, inst, scale)
        own = items[items["construct"] == scale_id]
        # keyed answers: reversed items load positively and their thresholds turn around
        lam = own["loading"].to_numpy()
        taus = [
            -np.asarray(t)[::-1] if s < 0 else np.asarray(t)
            for t, s in zip(own["thresholds"], own["sign"], strict=True)
        ]
        r = np.outer(lam, lam)
        np.fill_diagonal(r, 1.0)
        k = len(lam)
        alpha_true = k / (k - 1) * (1 - k / r.sum())
        omega_true = omega_categorical(np.outer(lam, lam), r, taus, np.ones(k))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.ColeadWarning)
            a = cl.alpha(keyed[list(own.index)], ordinal=True)
            o = cl.omega(keyed[list(own.index)], ordinal=True)
        assert abs(a.alpha - alpha_true) < 0.01, scale_id
        assert abs(o.omega_total - omega_true) < 0.01, scale_id
        # categorical omega of coarse answers is below the reliability of the latent responses
        assert omega_true < lam.sum() ** 2 / r.sum()


def test_invariance_holds_between_random_halves_and_fails_when_a_threshold_moves(
    drawn: cl.SimulatedResponses,
) -> None:
    items, _, names = truth(drawn)
    model = {s: [n for n in names if items.loc[n, "construct"] == s] for s in SCALES}
    data = drawn.data[names].assign(half=np.arange(20_000) % 2)
    levels = ("configural", "thresholds", "metric", "scalar")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cl.ColeadWarning)
        same = cl.cfa(data, model, estimator="wlsmv", group="half", invariance=levels)
        assert same.failed is None and same.supported == "scalar"
        # In the second half, move two thirds of sl2's answers at 2 up one category: its
        # second threshold drops by about .4 there (answers at 1 are too rare, about 3%, since
        # simulated answers cluster as in real surveys).
        moved = data.copy()
        rng = np.random.default_rng(1)
        lowest = (moved["half"] == 1) & (moved["sl2"] == 2) & (rng.random(20_000) < 2 / 3)
        moved.loc[lowest, "sl2"] = 3
        shifted = cl.cfa(moved, model, estimator="wlsmv", group="half", invariance=levels)
    assert shifted.failed == "thresholds"
    assert shifted.comparison.loc["thresholds", "p_value_diff"] < 1e-3

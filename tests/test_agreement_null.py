"""rwg_null and rgr_agree against R multilevel 2.7 (rwg.sim, rwg.j.sim, rgr.agree):
tests/reference/agreement_null/agreement_null.json, made by agreement_null.R there.

Simulated distributions are compared within Monte Carlo error (seeds are numpy's, not R's):
the cumulative distribution point by point and the critical values, and for small groups
against the exact distribution enumerated here. rgr.agree's test on fixed data is compared
exactly: the mean real-group variance, the number of random groups, and the z value and
quantiles computed from R's own random-group variances.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InsufficientDataError, InvalidParameterError
from colead.schools import _null_kernels as kernels

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "agreement_null" / "agreement_null.json").read_text())
SIMS = {s["id"]: s for s in R["rwg_sim"]}
RGR = {s["id"]: s for s in R["rgr_agree"]}
ITEMCORS = np.array([[1, .5, .4, .3], [.5, 1, .45, .35], [.4, .45, 1, .5], [.3, .35, .5, 1]])
N_OURS = 40_000
Z = 4.5  # Monte Carlo tolerance in standard errors


def _ours(sim: dict) -> cl.RwgNull:
    corr = ITEMCORS if sim["id"].endswith("_cor") else None
    return cl.rwg_null(sim["gsize"], sim["nresp"], items=sim["nitems"], item_correlations=corr,
                       n_draws=N_OURS, seed=7)


def _r_draws(sim: dict) -> np.ndarray:
    # R's table() splits values equal but for the last bits: merge them
    return np.repeat(np.round(sim["values"], 10), sim["counts"])


def _cdf(draws: np.ndarray, at: np.ndarray) -> np.ndarray:
    return np.searchsorted(np.sort(draws), at + 1e-9, side="right") / len(draws)


@pytest.mark.parametrize("sim_id", list(SIMS))
def test_rwg_null_distribution_equals_multilevel_within_monte_carlo_error(sim_id):
    sim = SIMS[sim_id]
    ours, theirs = _ours(sim), _r_draws(sim)
    assert len(theirs) == 10_000 and ours.n_draws == N_OURS
    at = np.unique(theirs)
    f_r, f_py = _cdf(theirs, at), _cdf(ours.draws, at)
    p = (f_r * len(theirs) + f_py * N_OURS) / (len(theirs) + N_OURS)
    se = np.sqrt(p * (1 - p) * (1 / len(theirs) + 1 / N_OURS))
    assert np.all(np.abs(f_py - f_r) <= Z * se + 1e-12), np.max(np.abs(f_py - f_r) / (se + 1e-12))
    sd = np.sqrt((np.var(theirs) + np.var(ours.draws)) / 2 * (1 / len(theirs) + 1 / N_OURS))
    assert abs(ours.draws.mean() - sim["mean"]) <= Z * sd


@pytest.mark.parametrize("sim_id", list(SIMS))
def test_critical_values_equal_multilevel_within_monte_carlo_error(sim_id):
    """Ours at level q lies between R's at q -/+ its Monte Carlo error (a discrete
    distribution: the value itself may step)."""
    sim = SIMS[sim_id]
    ours, theirs = _ours(sim), _r_draws(sim)
    levels = np.array(sim["levels"])
    got = ours.critical(levels)["value"].to_numpy()
    # R's own values, recomputed by the kernel from R's draws: the same rule
    mine_of_r = kernels.critical_values(theirs, levels)
    want = np.array([np.nan if v is None else v for v in sim["quantile"]], dtype=float)
    np.testing.assert_allclose(mine_of_r, want, atol=1e-9)
    np.testing.assert_allclose(ours.critical_95, ours.critical(0.95)["value"][0])
    np.testing.assert_allclose(kernels.critical_values(theirs, np.array([0.95])), sim["rwg_95"],
                               atol=1e-9)
    delta = Z * np.sqrt(levels * (1 - levels) * (1 / len(theirs) + 1 / N_OURS))
    low = kernels.critical_values(theirs, np.maximum(levels - delta, 1e-9))
    high = kernels.critical_values(theirs, np.minimum(levels + delta, 1 - 1e-9))
    for g, lo, hi, w in zip(got, low, high, want, strict=True):
        if np.isnan(w):  # no critical value in R: none in ours, or the top value
            assert np.isnan(g) or g == pytest.approx(theirs.max())
        else:
            assert lo - 1e-9 <= g <= (theirs.max() if np.isnan(hi) else hi) + 1e-9


def _exact(group_size: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """The exact null distribution of rwg: every one of points**group_size answer sets."""
    x = np.array(list(itertools.product(range(1, points + 1), repeat=group_size)), dtype=float)
    ranvar = (points**2 - 1) / 12
    rwg = 1 - np.minimum(x.var(axis=1, ddof=1), ranvar) / ranvar
    values, counts = np.unique(np.round(rwg, 10), return_counts=True)
    return values, counts / counts.sum()


@pytest.mark.parametrize("sim_id", ["rwg_g3_a5", "rwg_g4_a7"])
def test_small_groups_against_the_exact_distribution(sim_id):
    sim = SIMS[sim_id]
    values, probs = _exact(sim["gsize"], sim["nresp"])
    exact_cdf = np.cumsum(probs)
    for draws in (_ours(sim).draws, _r_draws(sim)):
        f = _cdf(draws, values)
        se = np.sqrt(exact_cdf * (1 - exact_cdf) / len(draws))
        assert np.all(np.abs(f - exact_cdf) <= Z * se + 1e-12)
        assert set(np.round(np.unique(draws), 10)) <= set(values)
    # the critical value of the exact distribution: P(rwg >= v) <= .05 first
    below = np.concatenate([[0], exact_cdf[:-1]])
    exact_95 = values[np.argmax(below >= 0.95)]
    assert _ours(sim).critical_95 == pytest.approx(exact_95)


def test_p_values_are_monte_carlo_tail_shares():
    null = cl.rwg_null(10, 5, n_draws=20_000, seed=3)
    p = null.p_value([null.critical_95, 0.0, 1.0, np.nan])
    assert p[0] <= 0.05 and p[1] == 1.0 and p[2] == (null.draws >= 1).mean()
    assert np.isnan(p[3])
    below = null.draws[null.draws < null.critical_95].max()
    assert null.p_value(below) > 0.05
    assert "critical value" in null.summary() and "<div>" in null._repr_html_()


def test_rwg_null_bad_arguments():
    with pytest.raises(InvalidParameterError, match="item_correlations"):
        cl.rwg_null(5, 5, item_correlations=[[1, 2], [2, 1]])
    with pytest.raises(InvalidParameterError, match="group_size"):
        cl.rwg_null(1, 5)
    with pytest.raises(InvalidParameterError, match="levels"):
        cl.rwg_null(5, 5, n_draws=10).critical(1.5)


# -- rgr.agree ------------------------------------------------------------------------------
BH = pd.read_csv(REF / "aggregation" / "bh1996.csv")
AGREE7 = pd.read_csv(REF / "aggregation" / "scale_scores_agree7.csv")


def _data(run_id: str) -> tuple[pd.Series, pd.Series]:
    if run_id.startswith("bh1996"):
        column = "HRS" if "hrs" in run_id else "LEAD"
        return BH[column], BH["GRP"]
    return AGREE7["climate7"], AGREE7["school_id"]


@pytest.mark.parametrize("run_id", ["bh1996_hrs_1000", "bh1996_lead_1000",
                                    "agree7_climate7_1000"])
def test_rgr_agree_equals_multilevel_on_fixed_data(run_id):
    run = RGR[run_id]
    values, groups = _data(run_id)
    got = cl.rgr_agree(values, groups, n_random_groups=1000, seed=1)
    assert got.n_random_groups == run["n_random_groups"]
    np.testing.assert_allclose(got.real_mean, run["real_mean"], rtol=1e-12)
    # the test statistic from R's own random groups
    theirs = np.array(run["random_variances"])
    real = values.groupby(groups).var()
    if run_id.startswith("agree7"):  # the groups of 5 or more scores, as the R call
        real = values.dropna().groupby(groups[values.notna()]).agg(["var", "size"])
        real = real.loc[real["size"] >= 5, "var"]
        assert got.n_groups == R["meta"]["agree7_5_groups"] == len(real)
        assert got.n == R["meta"]["agree7_5_rows"] and got.n_groups_left_out > 0
    test = kernels.rgr_test(real.to_numpy(), theirs)
    np.testing.assert_allclose(test["z"], run["z"], rtol=1e-12)
    np.testing.assert_allclose(test["random_mean"], run["random_mean"], rtol=1e-12)
    np.testing.assert_allclose(test["random_sd"], run["random_sd"], rtol=1e-12)
    lower = np.quantile(theirs, run["lower_levels"])
    np.testing.assert_allclose(lower, run["lower"], rtol=1e-12)
    np.testing.assert_allclose(np.quantile(theirs, run["upper_levels"]), run["upper"],
                               rtol=1e-12)
    # our own draws: the same law (mean within Monte Carlo error of the pooled variance,
    # for which a variance drawn without replacement is unbiased)
    big = cl.rgr_agree(values, groups, n_random_groups=100_000, seed=2)
    se = big.random_sd / np.sqrt(big.n_random_groups)
    assert abs(big.random_mean - run["pooled_variance"]) <= Z * se
    assert abs(big.random_mean - run["random_mean"]) <= Z * run["random_sd"] / np.sqrt(
        run["n_random_groups"])


def test_rgr_agree_spread_equals_multilevel_within_monte_carlo_error():
    """The SD and quantiles of the random-group variances, against R's 10,000 groups."""
    run = RGR["bh1996_hrs_10000"]
    ref = RGR["bh1996_hrs_1000"]  # its variances estimate the kurtosis of the law
    theirs = np.array(ref["random_variances"])
    got = cl.rgr_agree(BH["HRS"], BH["GRP"], n_random_groups=200_000, seed=5)
    m4 = np.mean((theirs - theirs.mean()) ** 4) / theirs.var() ** 2
    se_sd = run["random_sd"] * np.sqrt((m4 - 1) / (4 * run["n_random_groups"]))
    assert abs(got.random_sd - run["random_sd"]) <= Z * se_sd
    ours = got.quantiles(run["lower_levels"] + run["upper_levels"])
    assert list(ours["level"]) == run["lower_levels"] + run["upper_levels"]
    r_values = np.array(run["lower"] + run["upper"])
    density_se = np.abs(np.quantile(got.random_variances, np.clip(
        ours["level"] + 0.004, 0, 1)) - np.quantile(got.random_variances, np.clip(
            ours["level"] - 0.004, 0, 1))) / 0.008 * np.sqrt(
        ours["level"] * (1 - ours["level"]) / run["n_random_groups"])
    assert np.all(np.abs(ours["value"] - r_values) <= Z * density_se)


def test_rgr_agree_real_groups_agree_more_in_simulated_schools():
    """Schools with a large ICC: real groups vary less than random ones (z well below 0);
    with no school effect z is near 0."""
    strong = cl.simulate("colead-teacher", n_schools=30, respondents=(10, 15), icc=0.4, seed=1)
    scores = cl.score(strong)
    got = cl.rgr_agree(scores["shared_leadership"], strong.data["school_id"], seed=1)
    assert got.z < -5 and got.p_value < 1e-6 and got.real_mean < got.random_mean
    rng = np.random.default_rng(0)
    noise = pd.Series(rng.normal(size=600))
    flat = cl.rgr_agree(noise, np.repeat(np.arange(40), 15), n_random_groups=4000, seed=2)
    assert abs(flat.z) < 4


def test_rgr_agree_leaves_small_groups_out_entirely():
    """Privacy: nothing rgr_agree returns depends on the answers of a group under min_n."""
    values = AGREE7["climate7"].copy()
    groups = AGREE7["school_id"]
    sizes = values.notna().groupby(groups).sum()
    small = sizes[(sizes > 0) & (sizes < 5)].index
    assert len(small) > 0
    first = cl.rgr_agree(values, groups, seed=11)
    changed = values.where(~groups.isin(small), values * 0 + 7.0)
    second = cl.rgr_agree(changed, groups, seed=11)
    assert first.to_frame().equals(second.to_frame())
    np.testing.assert_array_equal(first.random_variances, second.random_variances)
    assert first.n_groups_left_out == len(small)
    # R keeps every group of 2 or more: min_n=2 gives its real-group mean
    everyone = cl.rgr_agree(values, groups, min_n=2, allow_small_groups=True, seed=1)
    per_group = values.dropna().groupby(groups[values.notna()]).agg(["var", "size"])
    np.testing.assert_allclose(everyone.real_mean,
                               per_group.loc[per_group["size"] >= 2, "var"].mean(), rtol=1e-12)


def test_rgr_agree_bad_input():
    with pytest.raises(InsufficientDataError, match="at least 2 groups"):
        cl.rgr_agree([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], ["a"] * 6)
    with pytest.raises(InvalidParameterError, match="min_n"):
        cl.rgr_agree([1.0, 2.0], ["a", "b"], min_n=2)
    result = cl.rgr_agree(BH["HRS"], BH["GRP"], seed=1)
    assert "z =" in result.summary() and "<li>" in result._repr_html_()

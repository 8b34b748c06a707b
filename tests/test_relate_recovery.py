"""Parameter recovery on simulated two-level data with known truth, over several seeds.

``colead.simulate`` draws latent scores ``sqrt(icc) B_school + sqrt(1 - icc) W`` with B and W
from the same standardized path model (``population.paths``), so the truth is known at every
level: correlations equal ``population.correlation`` for respondents, school means and
within-school deviations alike; each outcome's regression on its parents has the path
coefficients at both levels, a random-intercept variance ``icc (1 - R2)`` and a residual
variance ``(1 - icc)(1 - R2)``. The estimators are checked on the latent scores, where these
are exactly the estimands (scale scores carry measurement error, which attenuates every
relation; one test checks the disattenuation that corrects it).

Tolerances are four standard errors: the interval a function reports, or a stated
large-sample approximation where the function reports none. With the seeds fixed the tests
are deterministic; the margins are wide enough that other seeds pass too.
"""

from __future__ import annotations

import itertools
import os

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.relate import _path_model as pm

#: Seeds of the districts; RELATE_SEEDS="21,22,23" runs others (the margins hold for them too).
SEEDS = [int(s) for s in os.environ.get("RELATE_SEEDS", "11,12,13,14,15").split(",")]
ICC = 0.2
SCHOOLS, TEACHERS = 60, 20
SCALES = [
    "shared_leadership",
    "trust_principal",
    "collective_responsibility",
    "shared_focus",
    "focused_instruction",
]
FI_PARENTS = ["reflective_dialogue", "deprivatized_practice", "shared_focus", "collective_efficacy"]


def _latent(seed: int, schools: int = SCHOOLS, teachers: int = TEACHERS, icc: float = ICC):
    sim = cl.simulate("colead-teacher", n_schools=schools, respondents=teachers, icc=icc, seed=seed)
    latent = sim.population.latent.reset_index(drop=True)
    latent.insert(0, "school_id", sim.data["school_id"].to_numpy())
    return sim, latent


@pytest.fixture(scope="module")
def districts():
    return {seed: _latent(seed) for seed in SEEDS}


def _paths(sim) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for row in sim.population.paths.itertuples():
        out.setdefault(row.outcome, {})[row.predictor] = row.beta
    return out


def _r2(sim, outcome: str) -> float:
    beta = _paths(sim)[outcome]
    names = list(beta)
    r = sim.population.correlation.loc[names, names].to_numpy()
    b = np.array([beta[n] for n in names])
    return float(b @ r @ b)


# -- correlations ----------------------------------------------------------------------------
def test_correlations_recover_the_latent_correlation_at_every_level(districts):
    coverage = []
    for sim, latent in districts.values():
        truth = sim.population.correlation
        table = cl.correlate(latent, columns=SCALES, level=["individual", "school", "within"])
        rho = np.array([truth.loc[x, y] for x, y in zip(table["x"], table["y"], strict=True)])
        df = np.where(table["level"] == "within", table["n"] - table["groups"] - 1, table["n"] - 2)
        z = (np.arctanh(table["r"]) - np.arctanh(rho)) * np.sqrt(df - 1)
        # respondents in schools are not independent: for two variables with the same ICC and
        # the same correlation at both levels, the variance of r grows by about
        # 1 + (m - 1) icc^2 (m teachers per school)
        deff = np.where(table["level"] == "individual", 1 + (TEACHERS - 1) * ICC**2, 1.0)
        assert (np.abs(z) / np.sqrt(deff) < 4).all(), table.assign(z=z)
        nested = table["level"] != "individual"
        coverage += list(((table["ci_low"] <= rho) & (rho <= table["ci_high"]))[nested])
    assert np.mean(coverage) >= 0.85  # nominal 0.95 over 100 intervals


def test_disattenuation_moves_scale_correlations_towards_the_truth(districts):
    for sim, _ in districts.values():
        scores = cl.score(sim)
        table = cl.correlate(scores, disattenuate=cl.reliability(sim, omega_total=False))
        truth = sim.population.correlation
        rho = np.array([truth.loc[x, y] for x, y in zip(table["x"], table["y"], strict=True)])
        raw = np.abs(table["r"] - rho).mean()
        corrected = np.abs(table["r_disattenuated"] - rho).mean()
        assert corrected < raw
        # r = rho * sqrt(rel_x rel_y) on average (attenuation), not r = rho
        assert table["r"].mean() < rho.mean()


# -- regression with clustered errors --------------------------------------------------------
def test_regression_recovers_the_paths_into_focused_instruction(districts):
    for sim, latent in districts.values():
        beta = _paths(sim)["focused_instruction"]
        fit = cl.regress(
            "focused_instruction ~ " + " + ".join(FI_PARENTS), latent, cluster="school_id"
        )
        coef = fit.coefficients.set_index("term").loc[FI_PARENTS]
        truth = np.array([beta[p] for p in FI_PARENTS])
        assert (np.abs(coef["estimate"] - truth) < 4 * coef["se"]).all()
        # R squared of the latent equation: beta' R beta (sampling sd about 0.03 here)
        assert abs(fit.fit["r2"] - _r2(sim, "focused_instruction")) < 0.12


def test_cluster_robust_intervals_cover_and_classical_ones_do_not():
    """80 small districts with strong clustering (ICC .4, 30 schools of 15): the CR1 interval
    of a slope keeps its level, the classical one, which treats teachers as independent,
    falls far short (here about 0.9+ against 0.6)."""
    robust, classical = [], []
    for seed in range(1000, 1080):
        sim, latent = _latent(seed, schools=30, teachers=15, icc=0.4)
        rho = sim.population.correlation.loc["focused_instruction", "shared_focus"]
        for store, cluster in ((robust, "school_id"), (classical, None)):
            row = cl.regress(
                "focused_instruction ~ shared_focus", latent, cluster=cluster
            ).coefficients.iloc[1]
            store.append(row["ci_low"] <= rho <= row["ci_high"])
    assert np.mean(robust) >= 0.85
    assert np.mean(classical) <= 0.8
    assert np.mean(robust) - np.mean(classical) >= 0.15


# -- multilevel ------------------------------------------------------------------------------
def test_multilevel_recovers_fixed_effects_and_variance_components(districts):
    n = SCHOOLS * TEACHERS
    for sim, latent in districts.values():
        beta = _paths(sim)["focused_instruction"]
        r2 = _r2(sim, "focused_instruction")
        fit = cl.multilevel(
            "focused_instruction ~ " + " + ".join(FI_PARENTS), latent, group="school_id"
        )
        coef = fit.coefficients.set_index("term").loc[FI_PARENTS]
        truth = np.array([beta[p] for p in FI_PARENTS])
        assert (np.abs(coef["estimate"] - truth) < 4 * coef["se"]).all()
        tau, sigma2 = ICC * (1 - r2), (1 - ICC) * (1 - r2)
        # large-sample standard errors for a balanced design: var(sigma2) = 2 sigma2^2 /
        # (N - G); var(tau) = 2 (tau + sigma2 / m)^2 / G
        se_sigma2 = sigma2 * np.sqrt(2 / (n - SCHOOLS))
        se_tau = (tau + sigma2 / TEACHERS) * np.sqrt(2 / SCHOOLS)
        assert abs(fit.fit["sigma2"] - sigma2) < 4 * se_sigma2
        assert abs(fit.fit["tau00"] - tau) < 4 * se_tau
        # the null model's ICC (Fisher's large-sample standard error of the ICC)
        se_icc = np.sqrt(
            2
            * (1 - ICC) ** 2
            * (1 + (TEACHERS - 1) * ICC) ** 2
            / (TEACHERS * (TEACHERS - 1) * (SCHOOLS - 1))
        )
        assert abs(fit.fit["icc_null"] - ICC) < 4 * se_icc
        # the predictors explain R2 of the variance at each level
        assert abs(fit.fit["r2_within"] - r2) < 4 * np.sqrt(2) * se_sigma2 / (1 - ICC)


def test_group_mean_centring_separates_equal_within_and_between_slopes(districts):
    """Latent R holds at both levels, so the within-school slope and the slope on the school
    mean both equal the correlation (unit variances), and the contextual effect is 0."""
    for sim, latent in districts.values():
        rho = sim.population.correlation.loc["focused_instruction", "shared_focus"]
        fit = cl.multilevel(
            "focused_instruction ~ shared_focus + shared_focus_group_mean",
            latent,
            group="school_id",
            center={"shared_focus": "group"},
        )
        coef = fit.coefficients.set_index("term")
        for term in ("shared_focus", "shared_focus_group_mean"):
            assert abs(coef.loc[term, "estimate"] - rho) < 4 * coef.loc[term, "se"]
        centred = latent.groupby("school_id")["shared_focus"].transform("mean")
        assert (
            abs(
                fit.model.model.data.frame["shared_focus"].groupby(latent["school_id"]).mean()
            ).max()
            < 1e-12
        )
        assert np.allclose(fit.model.model.data.frame["shared_focus_group_mean"], centred)


def _slope_data(seed: int, groups: int = 80, size: int = 25) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tau = np.array([[0.4, 0.3 * np.sqrt(0.036)], [0.3 * np.sqrt(0.036), 0.09]])
    g = np.repeat(np.arange(groups), size)
    u = rng.multivariate_normal([0, 0], tau, size=groups)
    x = rng.normal(size=len(g))
    y = 2 + 0.5 * x + u[g, 0] + u[g, 1] * x + rng.normal(size=len(g))
    return pd.DataFrame({"group": g, "x": x, "y": y})


@pytest.mark.parametrize("seed", SEEDS)
def test_random_slope_model_recovers_its_parameters(seed):
    groups, size = 80, 25
    fit = cl.multilevel("y ~ x", _slope_data(seed, groups, size), group="group", random="x")
    coef = fit.coefficients.set_index("term")
    assert abs(coef.loc["Intercept", "estimate"] - 2) < 4 * coef.loc["Intercept", "se"]
    assert abs(coef.loc["x", "estimate"] - 0.5) < 4 * coef.loc["x", "se"]
    vc = fit.variance_components
    tau00 = vc[(vc["term"] == "Intercept") & vc["term2"].isna()]["estimate"].iloc[0]
    tau11 = vc[(vc["term"] == "x") & vc["term2"].isna()]["estimate"].iloc[0]
    # large-sample approximations (balanced groups, var(x) = 1): the variance of a group's
    # estimated intercept (slope) is tau + sigma2 / m; its variance over G groups, 2 (.)^2 / G
    assert abs(tau00 - 0.4) < 4 * (0.4 + 1 / size) * np.sqrt(2 / groups)
    assert abs(tau11 - 0.09) < 4 * (0.09 + 1 / size) * np.sqrt(2 / groups)
    assert abs(fit.fit["sigma2"] - 1) < 4 * np.sqrt(2 / (groups * (size - 2)))


# -- path models and the cluster bootstrap ---------------------------------------------------
def _truth_effects(sim, spec_effects: pd.DataFrame) -> np.ndarray:
    paths = _paths(sim)
    names = list(sim.population.correlation.index)
    index = {v: i for i, v in enumerate(names)}
    b = np.zeros((len(names), len(names)))
    for y, xs in paths.items():
        for x, value in xs.items():
            b[index[y], index[x]] = value
    total = np.linalg.inv(np.eye(len(names)) - b) - np.eye(len(names))
    out = []
    for row in spec_effects.itertuples():
        y, x = index[row.outcome], index[row.predictor]
        if row.effect == "direct":
            out.append(b[y, x])
        elif row.effect == "total":
            out.append(total[y, x])
        elif row.path:
            route = row.path.split(" -> ")
            out.append(np.prod([b[index[t], index[f]] for f, t in itertools.pairwise(route)]))
        else:
            out.append(total[y, x] - b[y, x])
    return np.array(out)


def test_path_model_recovers_paths_and_effects_with_the_cluster_bootstrap(districts):
    covered = []
    for seed, (sim, latent) in districts.items():
        model = {y: list(xs) for y, xs in _paths(sim).items()}
        fit = cl.path(model, latent, group="school_id", n_boot=500, seed=seed)
        coef = fit.coefficients
        truth = np.array(
            [_paths(sim)[y][x] for y, x in zip(coef["outcome"], coef["term"], strict=True)]
        )
        assert (np.abs(coef["estimate"] - truth) < 4 * coef["se"]).all()
        effects = fit.effects
        truth = _truth_effects(sim, effects)
        # A product of paths has a skewed sampling distribution whose standard error, taken at
        # the estimate, shrinks with it; the tolerance also uses the delta-method standard
        # error at the true paths (from the coefficients' standard errors).
        spec = pm.parse_model(model, "test")
        true_beta = np.zeros((len(spec.variables), len(spec.variables)))
        index = {v: i for i, v in enumerate(spec.variables)}
        for y, xs in _paths(sim).items():
            for x, value in xs.items():
                true_beta[index[y], index[x]] = value
        grad = pm.effect_gradients(pm.list_effects(spec), spec, true_beta)
        se_at_truth = np.sqrt(grad**2 @ coef["se"].to_numpy() ** 2)
        tolerance = 4 * np.maximum(effects["se"], se_at_truth)
        assert (np.abs(effects["estimate"] - truth) < tolerance).all()
        # the bootstrap and the delta method (CR1) estimate the same standard error
        ratio = effects["se"] / effects["se_delta"]
        assert ratio.between(0.7, 1.4).all(), ratio.describe()
        covered += list((effects["ci_low"] <= truth) & (truth <= effects["ci_high"]))
        # the model is correct, so its chi-square is that of df degrees of freedom, scaled by
        # about the design effect 1 + (m - 1) icc^2 since teachers are clustered: below its
        # mean plus 4 standard deviations
        df, deff = fit.fit["df"], 1 + (TEACHERS - 1) * ICC**2
        assert fit.fit["chisq"] < deff * (df + 4 * np.sqrt(2 * df))
    assert np.mean(covered) >= 0.85


def test_school_level_path_model_recovers_the_same_paths():
    """School means follow the same standardized paths (B and the school mean of W both do)."""
    for seed in SEEDS[:3]:
        sim, latent = _latent(seed + 100, schools=150, teachers=10)
        model = {
            "collective_responsibility": [
                "shared_leadership",
                "trust_colleagues",
                "trust_principal",
            ],
            "collective_efficacy": ["collective_responsibility", "trust_colleagues"],
        }
        fit = cl.path(model, latent, level="school", group="school_id", n_boot=300, seed=seed)
        coef = fit.coefficients
        truth = np.array(
            [_paths(sim)[y][x] for y, x in zip(coef["outcome"], coef["term"], strict=True)]
        )
        assert fit.fit["n"] == 150
        assert (np.abs(coef["estimate"] - truth) < 4 * coef["se"]).all()


def test_cluster_bootstrap_sees_the_clustering_that_a_row_bootstrap_misses():
    _, latent = _latent(5, schools=40, teachers=25, icc=0.4)
    model = {
        "collective_responsibility": ["shared_leadership", "trust_colleagues"],
        "focused_instruction": ["collective_responsibility", "shared_leadership"],
    }
    clustered = cl.path(model, latent, group="school_id", n_boot=1000, seed=1).effects
    rows = cl.path(model, latent, n_boot=1000, seed=1).effects
    # design effect of about 1 + (m - 1) icc^2 = 4.8 on variances: twice the standard error
    assert (clustered["se"] > 1.5 * rows["se"]).all()
    assert (clustered["se"] / clustered["se_delta"]).between(0.8, 1.25).all()
    assert (rows["se"] / rows["se_delta"]).between(0.8, 1.25).all()

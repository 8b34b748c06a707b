"""Synthetic schools: reproducible, and the population values come back out.

Tolerances are four standard errors of the estimate at the simulated size, from the usual
large-sample formulas (stated at each test), so a correct generator fails about once in
15,000 runs; the seeds are fixed, so the tests are deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InvalidParameterError
from colead.simulation.defaults import TEACHER_EXOGENOUS
from colead.simulation.population import implied_correlation


def anova_icc1(values: np.ndarray, groups: np.ndarray) -> float:
    """ICC(1) from a one-way ANOVA with k = N / G (as multilevel::ICC1), written out here so
    that the test does not lean on colead's own estimator."""
    frame = pd.DataFrame({"v": values, "g": groups}).dropna()
    grouped = frame.groupby("g")["v"]
    n, means = grouped.size(), grouped.mean()
    big_n, g = len(frame), len(n)
    msb = (n * (means - frame["v"].mean()) ** 2).sum() / (g - 1)
    msw = ((frame["v"] - grouped.transform("mean")) ** 2).sum() / (big_n - g)
    k = big_n / g
    return float((msb - msw) / (msb + (k - 1) * msw))


def icc_se(rho: float, k: float, g: int) -> float:
    """Large-sample SE of ICC(1) for g groups of k (Donner 1986)."""
    return float(np.sqrt(2 * (1 - rho) ** 2 * (1 + (k - 1) * rho) ** 2 / (k * (k - 1) * (g - 1))))


@pytest.fixture(scope="module")
def big():
    # 1,000 schools x 20 teachers: ICC SE about 0.0075, correlation SE under 0.01.
    return cl.simulate("colead-teacher", n_schools=1000, respondents=20, missing=0.0, seed=11)


def test_same_seed_same_data_and_other_seed_other_data():
    a = cl.simulate(n_schools=5, seed=3)
    b = cl.simulate(n_schools=5, seed=3)
    c = cl.simulate(n_schools=5, seed=4)
    pd.testing.assert_frame_equal(a.data, b.data)
    pd.testing.assert_frame_equal(a.population.latent, b.population.latent)
    assert not a.data.equals(c.data)


def test_shape_ids_and_values_lie_on_the_scales():
    resp = cl.simulate(n_schools=6, respondents=(8, 35), seed=1)
    data, inst = resp.data, resp.instrument
    sizes = data.groupby("school_id").size()
    assert len(sizes) == 6 and sizes.between(8, 35).all()
    assert list(data.columns) == ["respondent_id", "school_id", *inst.item_ids]
    assert data["respondent_id"].is_unique
    assert (resp.population.schools.set_index("school_id")["n_respondents"] == sizes).all()
    for item_id in inst.item_ids:
        rs = inst.response_scale_of(item_id)
        observed = data[item_id].dropna()
        if rs.labels:
            assert set(observed) <= set(rs.values), item_id
        else:
            assert observed.between(rs.min, rs.max).all(), item_id
    assert resp.log.rows_read == resp.log.rows_kept == len(data)
    assert isinstance(resp, cl.Responses)


def test_latent_icc_is_recovered(big):
    pop, groups = big.population, big.data["school_id"].to_numpy()
    for construct, rho in pop.icc.items():
        estimate = anova_icc1(pop.latent[construct].to_numpy(), groups)
        assert abs(estimate - rho) < 4 * icc_se(rho, 20, 1000), (construct, estimate)


def test_chosen_icc_per_construct_is_recovered():
    icc = {"shared_leadership": 0.30, "focused_instruction": 0.05}
    resp = cl.simulate(n_schools=1000, respondents=20, icc=icc, seed=12)
    groups = resp.data["school_id"].to_numpy()
    for construct, rho in icc.items():
        estimate = anova_icc1(resp.population.latent[construct].to_numpy(), groups)
        assert abs(estimate - rho) < 4 * icc_se(rho, 20, 1000), (construct, estimate)
    assert resp.population.icc["trust_principal"] == 0.15


def test_latent_correlations_are_recovered(big):
    pop = big.population
    target = pop.correlation
    observed = pop.latent.corr()
    n = len(pop.latent)
    # SE of r is (1 - r^2) / sqrt(n), inflated by the design effect 1 + (k - 1) icc^2 of
    # clustered pairs (k = 20, icc = 0.15).
    se = (1 - target**2) * np.sqrt((1 + 19 * 0.15**2) / n)
    off = ~np.eye(len(target), dtype=bool)
    assert (np.abs(observed - target).to_numpy()[off] < 4 * se.to_numpy()[off] + 1e-12).all()


def test_default_paths_imply_the_recorded_correlation(big):
    pop = big.population
    paths = {
        y: dict(zip(g.predictor, g.beta, strict=True)) for y, g in pop.paths.groupby("outcome")
    }
    implied = implied_correlation(paths, exogenous=TEACHER_EXOGENOUS)
    pd.testing.assert_frame_equal(
        implied.loc[pop.correlation.index, pop.correlation.columns],
        pop.correlation,
        check_exact=False,
        atol=1e-12,
    )
    # By hand: shared leadership -> reflective dialogue = 0.30 + 0.25 * r(SL, TC) 0.35
    # + 0.15 * r(SL, IL) 0.60.
    assert pop.correlation.loc["shared_leadership", "reflective_dialogue"] == pytest.approx(0.4775)


def test_implied_correlation_of_a_chain():
    # x -> m -> y with betas 0.5 and 0.4: r(x, y) = 0.2; r(m, y) = 0.4.
    r = implied_correlation({"m": {"x": 0.5}, "y": {"m": 0.4}})
    assert r.loc["x", "y"] == pytest.approx(0.2) and r.loc["m", "y"] == pytest.approx(0.4)
    with pytest.raises(InvalidParameterError, match="not recursive"):
        implied_correlation({"a": {"b": 0.2}, "b": {"a": 0.2}})


def test_observed_scores_carry_the_latent_structure(big):
    """Scale means of the graded answers: their ICC is the latent ICC diluted by item noise,
    and their correlations corrected by alpha come back to the latent correlations."""
    inst, pop = big.instrument, big.population
    groups = big.data["school_id"].to_numpy()
    loadings = pop.items.set_index("item_id")["loading"]
    scores, alphas = {}, {}
    for scale in inst.scales.values():
        x = big.data[list(scale.items)].copy()
        for item_id in scale.items:
            if inst.item(item_id).reverse:
                x[item_id] = scale.min + scale.max - x[item_id]
        scores[scale.id] = x.mean(axis=1)
        cov = x.cov().to_numpy()
        alphas[scale.id] = scale.k / (scale.k - 1) * (1 - np.trace(cov) / cov.sum())
        # ICC of a mean of continuous indicators: icc * lbar^2 / (lbar^2 + sum(1 - l^2) / k^2).
        lam = loadings[list(scale.items)].to_numpy()
        expected = (
            pop.icc[scale.id]
            * lam.mean() ** 2
            / (lam.mean() ** 2 + (1 - lam**2).sum() / scale.k**2)
        )
        estimate = anova_icc1(scores[scale.id].to_numpy(), groups)
        # 4 SE of sampling plus 0.02 for cutting y* into 5-6 categories (measured at 0.015).
        assert abs(estimate - expected) < 4 * icc_se(expected, 20, 1000) + 0.02, scale.id
    corr = pd.DataFrame(scores).corr()
    a = pd.Series(alphas)[corr.index].to_numpy()
    corrected = corr / np.sqrt(np.outer(a, a))
    gap = (corrected - pop.correlation.loc[corr.index, corr.columns]).to_numpy()
    off = ~np.eye(len(corr), dtype=bool)
    # 4 SE of r (0.035) plus 0.03 because alpha of graded items is not their reliability
    # for the latent variable (measured bias under 0.03).
    assert np.abs(gap[off]).max() < 0.065


def test_missing_share_is_recovered():
    resp = cl.simulate(n_schools=100, respondents=20, missing=0.1, seed=2)
    items = resp.items.to_numpy()
    share = np.isnan(items).mean()
    se = np.sqrt(0.1 * 0.9 / items.size)
    assert abs(share - 0.1) < 4 * se


def test_influence_relations_are_recovered_by_zone():
    """Ni et al. style: regress the principal's influence on the others', zone by zone; the
    signs of the population betas come back (cutting into 4 points only shrinks them)."""
    resp = cl.simulate(
        "sass-principal-influence", n_schools=6000, respondents=1, missing=0.0, seed=8
    )
    grid, relations = resp.instrument.influence, resp.population.influence_relations
    assert resp.population.influence_outcome == "principal"
    assert set(relations["relation"]) == {"supportive", "inhibiting", "none"}
    others = [s for s in grid.stakeholder_ids if s != "principal"]
    for zone in grid.zone_ids:
        y = resp.data[grid.item("principal", zone)].to_numpy()
        x = resp.data[[grid.item(s, zone) for s in others]].to_numpy()
        x = (x - x.mean(0)) / x.std(0)
        design = np.column_stack([np.ones(len(y)), x])
        coef, *_ = np.linalg.lstsq(design, y, rcond=None)
        resid = y - design @ coef
        cov = resid @ resid / (len(y) - design.shape[1]) * np.linalg.inv(design.T @ design)
        t = coef[1:] / np.sqrt(np.diag(cov)[1:])
        truth = relations[relations["zone"] == zone].set_index("stakeholder").loc[others]
        for stakeholder, t_value, relation in zip(others, t, truth["relation"], strict=True):
            if relation == "supportive":
                assert t_value > 4, (zone, stakeholder, t_value)
            elif relation == "inhibiting":
                assert t_value < -4, (zone, stakeholder, t_value)
            else:
                assert abs(t_value) < 4, (zone, stakeholder, t_value)


def test_caller_sets_influence_relations():
    resp = cl.simulate(
        "sass-principal-influence",
        n_schools=20,
        respondents=1,
        seed=1,
        influence_relations={"parents": {"budget": -0.4}, "teachers": 0.2},
    )
    rel = resp.population.influence_relations.set_index(["zone", "stakeholder"])
    assert rel.loc[("budget", "parents"), "relation"] == "inhibiting"
    assert rel.loc[("hiring", "parents"), "relation"] == "none"
    assert rel.loc[("hiring", "teachers"), "beta"] == 0.2
    assert rel.loc[("hiring", "state_agency"), "beta"] == 0.0


def test_school_attributes_are_shared_by_principals_of_the_same_schools():
    teachers = cl.simulate(n_schools=8, seed=5)
    schools = teachers.population.schools
    principals = cl.simulate(
        "sass-principal-influence", schools=schools.assign(n_respondents=1), missing=0.0, seed=6
    )
    assert list(principals.data["school_id"]) == list(schools["school_id"])
    np.testing.assert_array_equal(principals.data["school_level"], schools["school_level"])
    np.testing.assert_array_equal(principals.data["enrolment"], schools["enrolment"])


def test_a_correlation_matrix_can_be_given_and_is_recovered():
    inst = cl.load_instrument("omnibus-t-scale")
    names = list(inst.scales)
    matrix = pd.DataFrame(
        [[1, 0.6, 0.2], [0.6, 1, -0.3], [0.2, -0.3, 1]], index=names, columns=names, dtype=float
    )
    resp = cl.simulate(inst, n_schools=500, respondents=20, icc=0.1, correlation=matrix, seed=4)
    observed = resp.population.latent.corr()
    se = (1 - matrix**2) * np.sqrt((1 + 19 * 0.01) / 10000)
    assert (np.abs(observed - matrix) <= 4 * se + 1e-12).all().all()
    assert len(resp.population.paths) == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            {"icc": 1.5},
            "'icc\\[shared_leadership\\]' parameter of simulate must be a number in \\[0, 1\\)",
        ),
        ({"respondents": (9, 3)}, "low <= high"),
        ({"n_schools": 0}, "'n_schools' parameter of simulate must be an integer of at least 1"),
        ({"missing": -0.1}, "'missing' parameter"),
        ({"loadings": 1.0}, "'loadings' parameter"),
        ({"icc": {"trust": 0.2}}, "not constructs of the instrument"),
        ({"paths": {"focused_instruction": {"shared_leadership": 1.2}}}, "explain 1.44"),
        ({"paths": {"a_thing": {"shared_leadership": 0.2}}}, "not constructs"),
        ({"influence_relations": {"nobody": 0.2}}, "not one of the other stakeholders"),
        ({"influence_relations": {"teachers": 0.8, "district": 0.7}}, "sum to less than 1"),
        ({"correlation": 2.0}, "'correlation' parameter"),
    ],
)
def test_bad_parameters_raise_clear_errors(kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        cl.simulate(**{"n_schools": 2, "seed": 1, **kwargs})


def test_another_wave_keeps_the_district_and_moves_the_schools_by_the_change():
    first = cl.simulate(n_schools=5, respondents=(10, 20), seed=5)
    second = cl.simulate(wave_of=first, change={"S02": {"trust_principal": 0.8}}, seed=6)
    pop1, pop2 = first.population, second.population
    assert pop2.items.equals(pop1.items) and pop2.icc == pop1.icc
    assert list(pop2.schools["school_id"]) == list(pop1.schools["school_id"])
    moved = pop2.school_effects - pop1.school_effects
    assert moved.loc["S02", "trust_principal"] == pytest.approx(0.8)
    assert (moved.drop(index="S02").abs().to_numpy() < 1e-15).all()
    assert pop2.change.loc["S02", "trust_principal"] == 0.8 and pop1.change is None
    with pytest.raises(cl.InvalidParameterError, match="wave_of"):
        cl.simulate(change=0.3)
    with pytest.raises(cl.InvalidParameterError, match="S99"):
        cl.simulate(wave_of=first, change={"S99": 0.1})
    with pytest.raises(cl.InvalidParameterError, match="same instrument"):
        cl.simulate("sass-teacher-influence", wave_of=first)

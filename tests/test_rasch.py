"""cl.rasch against eRm (tests/reference/rasch), parameter recovery, and bad input."""

from __future__ import annotations

import importlib
import json
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import optimize

import colead as cl
from colead.psychometrics import _rasch_cml as cml
from colead.psychometrics import _rasch_persons as persons_k
from tests.conftest import REPO
from tests.rasch_sim import draw, rsm_thresholds

REF = REPO / "tests" / "reference" / "rasch"
FITS = {
    "rsm_sim_rsm": ("rsm_sim.csv", "rsm", False),
    "rsm_sim_pcm": ("rsm_sim.csv", "pcm", False),
    "shared_leadership_rsm": ("shared_leadership.csv", "rsm", False),
    "shared_leadership_pcm": ("shared_leadership.csv", "pcm", False),
    "pcm_sim_complete_pcm": ("pcm_sim.csv", "pcm", True),
    "pcm_sim_pcm": ("pcm_sim.csv", "pcm", False),
}


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REF / "rasch.json").read_text())["fits"]


def fitted(key: str) -> cl.RaschResult:
    name, model, complete = FITS[key]
    data = pd.read_csv(REF / name)
    if complete:
        data = data.dropna()
    return cl.rasch(data, model=model)


def arr(values: list) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("key", list(FITS))
def test_item_parameters_equal_erm(key: str, reference: dict) -> None:
    ref, res = reference[key], fitted(key)
    assert res.converged
    assert res.npar == ref["npar"]
    assert list(res.eta["parameter"]) == ref["eta_names"]
    assert_allclose(res.loglik, ref["loglik"], atol=1e-6)
    assert_allclose(res.eta["estimate"], ref["eta"], atol=1e-4)
    assert_allclose(res.beta["estimate"], ref["beta"], atol=1e-4)
    assert_allclose(res.thresholds["estimate"], ref["threshold"], atol=1e-4)
    assert_allclose(res.items["location"], ref["location"], atol=1e-4)
    assert_allclose(res.eta["se"], ref["se_eta"], rtol=1e-3)
    assert_allclose(res.beta["se"], ref["se_beta"], rtol=1e-3)
    assert_allclose(res.thresholds["se"], ref["se_threshold"], rtol=1e-3)
    assert_allclose(res.items["se"], ref["se_location"], rtol=1e-3)
    if res.model == "rsm":
        assert_allclose(res.steps["estimate"], ref["step"], atol=1e-4)
        assert_allclose(res.steps["se"], ref["se_step"], rtol=1e-3)
        assert_allclose(res.steps["estimate"].sum(), 0, atol=1e-10)
    else:
        assert res.steps is None


@pytest.mark.parametrize("key", list(FITS))
def test_persons_and_fit_equal_erm(key: str, reference: dict) -> None:
    ref, res = reference[key], fitted(key)
    people, want = res.persons, ref["persons"]
    assert_allclose(people["raw_score"], want["raw_score"])
    # eRm interpolates extreme scores; colead flags them and gives them only a WLE
    assert list(people["extreme"]) == want["interpolated"]
    assert people.loc[people["extreme"], "mle"].isna().all()
    assert_allclose(people["mle"], arr(want["mle"]), atol=1e-4)
    assert_allclose(people["mle_se"], arr(want["mle_se"]), rtol=1e-3)
    # WLE: hand-written R solution of Warm's equation from eRm's parameters (every person)
    assert_allclose(people["estimate"], want["wle"], atol=1e-3)
    assert_allclose(people["se"], want["wle_se"], rtol=1e-3)
    fit = ref["itemfit"]
    assert_allclose(res.items["outfit"], fit["outfit_msq"], atol=1e-3)
    assert_allclose(res.items["infit"], fit["infit_msq"], atol=1e-3)
    assert_allclose(res.items["outfit_z"], fit["outfit_z"], atol=1e-3)
    assert_allclose(res.items["infit_z"], fit["infit_z"], atol=1e-3)
    assert_allclose(res.person_reliability, ref["seprel"]["sep_rel"], atol=1e-3)


def test_erm_is_wrong_for_unequal_categories_with_missing_answers(reference: dict) -> None:
    # the reference for pcm_sim came from psychotools because eRm 1.0-2's likelihood is wrong
    ref = reference["pcm_sim_pcm"]
    assert ref["erm_loglik_wrong"] < ref["loglik"] - 50
    assert_allclose(fitted("pcm_sim_pcm").loglik, ref["loglik"], atol=1e-6)


def test_wle_maximises_the_penalised_likelihood() -> None:
    # Warm's WLE maximises log L(theta) + log I(theta) / 2; checked by a scalar optimiser
    res = fitted("pcm_sim_pcm")
    data = pd.read_csv(REF / "pcm_sim.csv")
    table = cml.beta_table(res.beta["estimate"].to_numpy(), np.array([1, 2, 2, 3, 3, 4, 4, 5]))
    for row in [0, 5, 17, 123, 399]:
        mask = data.iloc[row].notna().to_numpy()[None, :]
        r = float(np.nansum(data.iloc[row]))

        def penalised(t: float, mask: np.ndarray = mask, r: float = r) -> float:
            z = np.arange(table.shape[1]) * t + table
            top = z.max(axis=1)
            lognorm = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
            info = persons_k.moments(np.array([t]), table, mask).var.sum()
            return -(r * t - lognorm[mask[0]].sum() + 0.5 * np.log(info))

        best = optimize.minimize_scalar(penalised, bounds=(-15, 15), method="bounded",
                                        options={"xatol": 1e-10})
        assert_allclose(res.persons["estimate"].iloc[row], best.x, atol=1e-6)


def test_cml_gradient_and_hessian_match_finite_differences() -> None:
    rng = np.random.default_rng(7)
    thr = np.array([[0.2, np.nan, np.nan], [-0.5, 0.6, np.nan], [-1.0, 0.0, 1.1],
                    [-0.3, 0.4, np.nan]])
    x = draw(thr, rng.normal(size=300), rng, missing=0.2)
    res = cl.rasch(pd.DataFrame(x), model="pcm")
    steps = np.array([1, 2, 3, 2])
    answered = ~np.isnan(x)
    raw = np.nansum(x, axis=1)
    module = importlib.import_module("colead.psychometrics.rasch")  # the module, not cl.rasch
    from colead.psychometrics._rasch_input import patterns

    masks, pattern = patterns(answered)
    informative = (answered.sum(1) >= 2) & (raw > 0) & (raw < answered @ steps)
    data = module._sufficient(x, raw, pattern, masks, informative, steps)
    beta = res.beta["estimate"].to_numpy() + rng.normal(scale=0.1, size=8)
    _, grad, hess = cml.cml_parts(beta, data, hessian=True)
    eps = 1e-5
    num_grad = np.array([(cml.cml_parts(beta + eps * e, data, hessian=False)[0]
                          - cml.cml_parts(beta - eps * e, data, hessian=False)[0]) / (2 * eps)
                         for e in np.eye(8)])
    num_hess = np.array([(cml.cml_parts(beta + eps * e, data, hessian=False)[1]
                          - cml.cml_parts(beta - eps * e, data, hessian=False)[1]) / (2 * eps)
                         for e in np.eye(8)])
    assert_allclose(grad, num_grad, atol=1e-5)
    assert_allclose(hess, num_hess, atol=1e-5)
    # concave, flat only along beta_ih + h * c (a shift of theta, fixed by the design matrix)
    values, vectors = np.linalg.eigh(hess)
    assert np.all(values[:-1] < -1) and abs(values[-1]) < 1e-8
    shift = np.concatenate([np.arange(1, m + 1) for m in steps])
    assert_allclose(abs(vectors[:, -1] @ shift / np.linalg.norm(shift)), 1, atol=1e-8)


def test_rating_scale_parameters_are_recovered() -> None:
    rng = np.random.default_rng(20260521)
    delta = np.array([-1.4, -0.9, -0.5, -0.2, 0.0, 0.3, 0.6, 0.8, 1.1, 1.5])
    tau = np.array([-1.6, -0.5, 0.4, 1.7])
    theta = rng.normal(0.2, 1.2, size=8000)
    x = draw(rsm_thresholds(delta, tau), theta, rng, missing=0.05)
    res = cl.rasch(pd.DataFrame(x, columns=[f"i{j}" for j in range(10)]))
    loc = res.items["location"].to_numpy()
    shift = loc.mean() - delta.mean()  # the origin is eRm's normalisation, not the generator's
    z_items = (loc - shift - delta) / res.items["se"].to_numpy()
    z_steps = (res.steps["estimate"].to_numpy() - tau) / res.steps["se"].to_numpy()
    assert np.max(np.abs(z_items)) < 4 and np.max(np.abs(z_steps)) < 4
    people = res.persons
    inner = ~people["extreme"].to_numpy()
    err = people["estimate"].to_numpy()[inner] - shift - theta[inner]
    assert abs(err.mean()) < 0.05
    # the standard errors describe the estimation error (within 10 %)
    assert_allclose(np.sqrt(np.mean(err**2)), np.sqrt(np.mean(people["se"][inner] ** 2)),
                    rtol=0.1)
    # items drawn from the model fit: mean squares near 1 - 1/k (person parameters estimated
    # from the same k answers; with the true theta they average 1); an item answered at
    # random does not fit
    assert res.items[["infit", "outfit"]].stack().between(0.8, 1.05).all()
    noisy = pd.DataFrame(x, columns=[f"i{j}" for j in range(10)])
    noisy["random"] = rng.integers(0, 5, size=len(noisy))
    with_noise = cl.rasch(noisy).items.set_index("item")
    assert with_noise.loc["random", "infit"] > 1.3 and with_noise.loc["random", "outfit"] > 1.3
    assert with_noise.loc["random", "infit_z"] > 10 > with_noise.loc["i0":"i9", "infit_z"].max()


def test_partial_credit_thresholds_are_recovered() -> None:
    rng = np.random.default_rng(11)
    thr = np.array([[0.5, np.nan, np.nan], [-1.0, 0.7, np.nan], [-1.2, -0.1, 1.3],
                    [-0.6, 0.2, np.nan], [0.0, np.nan, np.nan], [-1.5, 0.3, 1.0]])
    x = draw(thr, rng.normal(0, 1, size=6000), rng, missing=0.1)
    res = cl.rasch(pd.DataFrame(x), model="pcm")
    est = res.thresholds["estimate"].to_numpy()
    truth = thr[~np.isnan(thr)]
    shift = np.mean(est - truth)
    assert np.max(np.abs((est - shift - truth) / res.thresholds["se"].to_numpy())) < 4


def test_persons_keep_the_index_and_rows_without_answers() -> None:
    data = pd.read_csv(REF / "rsm_sim.csv")
    data.index = [f"p{i}" for i in range(len(data))]
    data.iloc[3] = np.nan
    data.iloc[4, 1:] = np.nan  # one answer: no information for the items, but a measure
    res = cl.rasch(data)
    assert list(res.persons.index) == list(data.index)
    assert res.persons.loc["p3"].drop(["k", "extreme"]).isna().all()
    assert res.persons.loc["p3", "k"] == 0
    assert np.isfinite(res.persons.loc["p4", "estimate"])
    # neither person changes the item parameters
    full = cl.rasch(pd.read_csv(REF / "rsm_sim.csv").drop(index=[3, 4]))
    assert_allclose(res.eta["estimate"], full.eta["estimate"], atol=1e-8)



def test_calibrate_estimates_items_on_some_rows_and_measures_everyone() -> None:
    data = pd.read_csv(REF / "rsm_sim.csv")
    used = np.arange(len(data)) < 350
    res = cl.rasch(data, calibrate=used)
    part = cl.rasch(data[used])
    # the item side is the fit on those rows alone
    assert_allclose(res.eta["estimate"], part.eta["estimate"], atol=1e-10)
    assert_allclose(res.items[["infit", "outfit"]], part.items[["infit", "outfit"]], atol=1e-10)
    assert res.person_reliability == pytest.approx(part.person_reliability, abs=1e-12)
    assert res.n == part.n
    assert_allclose(res.persons["estimate"][used], part.persons["estimate"], atol=1e-9)
    # the other rows are measured on those items: a person's WLE depends only on their own
    # answers and the item parameters, so it equals the WLE of the same answers in the part
    rest = res.persons[~used]
    assert rest["estimate"].notna().sum() == data[~used].notna().any(axis=1).sum()
    pattern = data.iloc[:350].fillna(-1).apply(tuple, axis=1)
    twins = data.iloc[350:].fillna(-1).apply(tuple, axis=1)
    by_pattern = dict(zip(pattern, part.persons["estimate"], strict=True))
    matched = [(res.persons["estimate"].iloc[350 + i], by_pattern[t])
               for i, t in enumerate(twins) if t in by_pattern]
    assert matched
    assert_allclose(*zip(*matched, strict=True), atol=1e-9)
    with pytest.raises(cl.InvalidParameterError, match="calibrate"):
        cl.rasch(data, calibrate=[1, 0])

def test_wle_is_finite_and_ordered_for_extreme_scores() -> None:
    res = fitted("rsm_sim_rsm")
    people = res.persons[res.persons["k"] == 10].sort_values("raw_score")
    assert people["estimate"].notna().all()
    assert people["extreme"].iloc[0] and people["extreme"].iloc[-1]
    assert np.all(np.diff(people.groupby("raw_score")["estimate"].first()) > 0)


def test_same_result_with_answers_from_one_and_scale_min() -> None:
    data = pd.read_csv(REF / "shared_leadership.csv")
    a = cl.rasch(data)
    b = cl.rasch(data + 1, scale_min=1)
    assert_allclose(a.items["location"], b.items["location"])
    assert_allclose(a.persons["estimate"], b.persons["estimate"])
    assert list(b.items["min"]) == [1.0] * 6 and list(b.items["max"]) == [6.0] * 6


def test_sample_scale_and_summary() -> None:
    resp = cl.load_sample("district")
    scale = resp.instrument.scales["shared_leadership"]
    items = cl.psychometrics.keyed_items(resp.data, resp.instrument, scale)
    res = cl.rasch(items)
    assert res.k == 6 and 0.5 < res.person_reliability < 1
    text = res.summary()
    assert "rating-scale" in text and "sl1" in text
    assert "<table" in res._repr_html_()


def test_bad_input_is_named() -> None:
    good = pd.read_csv(REF / "rsm_sim.csv")
    with pytest.raises(cl.InvalidParameterError, match="model"):
        cl.rasch(good, model="grm")
    with pytest.raises(cl.InvalidParameterError, match="DataFrame"):
        cl.rasch(good.to_numpy())
    bad = good.astype(float)
    bad.iloc[2, 1] = 1.5
    bad.iloc[7, 3] = -1
    bad.iloc[8, 0] = np.inf
    with pytest.raises(cl.ResponseDataError) as err:
        cl.rasch(bad, scale_min=0)
    problems = err.value.problems
    assert list(problems["row"]) == [4, 9, 10]
    assert list(problems["column"]) == ["I2", "I4", "I1"]
    assert [r.split(" ")[0] for r in problems["reason"]] == ["not", "below", "not"]
    text = good.astype(object)
    text.iloc[0, 0] = "agree"
    with pytest.raises(cl.ResponseDataError, match="I1"):
        cl.rasch(text)
    gap = good.replace(2, 3)
    with pytest.raises(cl.InsufficientDataError, match="category 2"):
        cl.rasch(gap)
    pcm_gap = good.copy()
    pcm_gap["I1"] = pcm_gap["I1"].replace(1, 2)
    with pytest.raises(cl.InsufficientDataError, match="I1 = 1"):
        cl.rasch(pcm_gap, model="pcm")
    with pytest.raises(cl.InsufficientDataError, match="2 items"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cl.rasch(good[["I1"]].assign(I2=0))


def test_items_without_information_are_left_out_with_a_warning() -> None:
    data = pd.read_csv(REF / "rsm_sim.csv").assign(top=3.0, empty=np.nan)
    with pytest.warns(cl.ColeadWarning, match="top, empty"):
        res = cl.rasch(data)
    assert res.dropped_items == ("top", "empty")
    assert_allclose(res.loglik, fitted("rsm_sim_rsm").loglik, atol=1e-8)


def test_answers_without_a_maximum_are_an_error_not_numbers() -> None:
    # item a is never answered lower than item b: the CML estimates run off to infinity
    guttman = pd.DataFrame({"a": [1, 1, 2, 2, 1, 0, 2], "b": [0, 0, 1, 1, 0, 0, 0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and no numpy RuntimeWarning on the way
        with pytest.raises(cl.InsufficientDataError, match="did not converge"):
            cl.rasch(guttman)


def test_dichotomous_items_give_the_rasch_model() -> None:
    # with two categories both models are the dichotomous Rasch model: same likelihood
    x = pd.read_csv(REF / "rsm_sim.csv").ge(2).astype(float).where(
        pd.read_csv(REF / "rsm_sim.csv").notna())
    rsm, pcm = cl.rasch(x), cl.rasch(x, model="pcm")
    assert rsm.npar == pcm.npar == 9
    assert_allclose(rsm.loglik, pcm.loglik, atol=1e-8)
    assert_allclose(rsm.items["location"], pcm.items["location"], atol=1e-6)

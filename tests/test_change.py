"""cl.change and cl.trend: against R (t.test, survey, Partiallyoverlapping), by hand against
scipy, and by the coverage of their intervals on waves simulated with known change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import colead as cl

from .conftest import REPO

REF = REPO / "tests" / "reference" / "change"
COLUMNS = ["change", "se", "df", "p_value", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def reference():
    waves = pd.read_csv(REF / "waves.csv")
    waves["key"] = waves["key"].astype(object).where(waves["key"].notna(), None)
    roster = pd.read_csv(REF / "roster.csv")
    found = pd.read_csv(REF / "change_reference.csv").rename(columns={"estimate": "change"})
    current = waves[waves["wave"] == "current"].drop(columns="wave")
    previous = waves[waves["wave"] == "previous"].drop(columns="wave")
    return current, previous, roster, found


def _rows(table, found, method):
    expected = found[found["method"] == method].set_index("school_id")
    got = table.set_index("school_id").loc[expected.index]
    return got, expected


def test_welch_equals_r_t_test(reference):
    current, previous, _, found = reference
    table = cl.change(current.drop(columns="key"), previous.drop(columns="key"))
    got, expected = _rows(table, found, "welch")
    assert_allclose(got[COLUMNS].to_numpy(float), expected[COLUMNS].to_numpy(float), rtol=1e-10)


@pytest.mark.parametrize("form", ["mapping", "frame"])
def test_finite_population_correction_equals_r_survey(reference, form):
    current, previous, roster, found = reference
    if form == "mapping":
        given = {w: part.drop(columns="wave") for w, part in roster.groupby("wave")}
    else:
        given = roster
    table = cl.change(current.drop(columns="key"), previous.drop(columns="key"), roster=given)
    got, expected = _rows(table, found, "fpc")
    assert_allclose(got[COLUMNS].to_numpy(float), expected[COLUMNS].to_numpy(float), rtol=1e-10)


def test_partially_overlapping_samples_equal_r_partover_test(reference):
    current, previous, _, found = reference
    table = cl.change(current, previous, paired_by="key")
    got, expected = _rows(table, found, "partover")
    assert_allclose(got[COLUMNS].to_numpy(float), expected[COLUMNS].to_numpy(float), rtol=1e-10)
    assert (got["n_paired"] == [6, 15, 5]).all()
    # everyone answered twice: the paired t-test, with and without the fpc
    got, expected = _rows(table, found, "paired")
    assert_allclose(got[COLUMNS].to_numpy(float), expected[COLUMNS].to_numpy(float), rtol=1e-10)
    roster = pd.read_csv(REF / "roster.csv")
    table = cl.change(current, previous, paired_by="key", roster=roster)
    got, expected = _rows(table, found, "paired_fpc")
    assert_allclose(got[COLUMNS].to_numpy(float), expected[COLUMNS].to_numpy(float), rtol=1e-10)


def test_fewer_pairs_than_min_n_are_treated_as_independent(reference):
    current, previous, _, _ = reference
    paired = cl.change(current, previous, paired_by="key", min_n=6).set_index("school_id")
    alone = cl.change(current.drop(columns="key"), previous.drop(columns="key"),
                      min_n=6).set_index("school_id")
    # S3 has 5 pairs (and 7 and 8 respondents): with min_n=6 its pairs are not used
    assert paired.loc["S3", "n_paired"] == 5
    assert_allclose(paired.loc["S3", COLUMNS].to_numpy(float),
                    alone.loc["S3", COLUMNS].to_numpy(float), rtol=1e-12)
    assert paired.loc["S2", "se"] < alone.loc["S2", "se"]


def test_se_df_p_mdc_and_effect_size_by_hand_against_scipy():
    rng = np.random.default_rng(7)
    rows = []
    for wave, shift in (("previous", 0.0), ("current", 0.35)):
        for school, n in (("A", 14), ("B", 9), ("C", 30)):
            values = np.clip(rng.normal(3.5 + shift, 0.9 + 0.1 * len(school), n), 1, 6)
            rows.append(pd.DataFrame({"wave": wave, "school_id": school, "trust": values,
                                      "voice": rng.normal(4, 1, n)}))
    data = pd.concat(rows, ignore_index=True)
    cur = data[data["wave"] == "current"].drop(columns="wave")
    prev = data[data["wave"] == "previous"].drop(columns="wave")
    sizes = {"A": 20, "B": 12, "C": 41}
    table = cl.change(cur, prev, roster={"current": sizes, "previous": sizes}, ci_level=0.9)
    for row in table.itertuples():
        x = cur.loc[cur["school_id"] == row.school_id, row.scale].to_numpy()
        y = prev.loc[prev["school_id"] == row.school_id, row.scale].to_numpy()
        n1, n2, size = len(x), len(y), sizes[row.school_id]
        v1 = x.var(ddof=1) / n1 * (1 - n1 / size)
        v2 = y.var(ddof=1) / n2 * (1 - n2 / size)
        se = np.sqrt(v1 + v2)
        df = (v1 + v2) ** 2 / (v1**2 / (n1 - 1) + v2**2 / (n2 - 1))
        diff = x.mean() - y.mean()
        pooled = np.sqrt(((n1 - 1) * x.var(ddof=1) + (n2 - 1) * y.var(ddof=1)) / (n1 + n2 - 2))
        half = stats.t.ppf(0.95, df) * se
        assert_allclose([row.change, row.se, row.df, row.p_value, row.ci_low, row.ci_high,
                         row.mdc, row.effect_size],
                        [diff, se, df, 2 * stats.t.sf(abs(diff / se), df), diff - half,
                         diff + half, 1.6448536269514722 * se, diff / pooled], rtol=1e-10)
    # without a roster: scipy's Welch test itself
    plain = cl.change(cur, prev)
    for row in plain.itertuples():
        x = cur.loc[cur["school_id"] == row.school_id, row.scale]
        y = prev.loc[prev["school_id"] == row.school_id, row.scale]
        test = stats.ttest_ind(x, y, equal_var=False)
        assert_allclose([row.change / row.se, row.p_value], [test.statistic, test.pvalue],
                        rtol=1e-10)
        assert_allclose(row.mdc, stats.norm.ppf(0.975) * row.se, rtol=1e-14)
    assert (plain["ci_level"] == 0.95).all()


def test_a_census_has_no_sampling_error():
    prev = pd.DataFrame({"school_id": "A", "s": [3.0, 4.0, 5.0, 4.0, 2.0]})
    cur = pd.DataFrame({"school_id": "A", "s": [4.0, 4.0, 5.0, 4.0, 3.0]})
    row = cl.change(cur, prev, roster={"current": {"A": 5}, "previous": {"A": 5}}).iloc[0]
    assert row.se == 0 and row.ci_low == row.ci_high == row.change == pytest.approx(0.4)
    assert row.p_value == 0 and np.isnan(row.df)


# -- known truth from simulate ------------------------------------------------------------------
ONE_SCALE = """
name: one-scale
title: One scale
version: "1"
response_scales:
  agree6: {labels: {1: a, 2: b, 3: c, 4: d, 5: e, 6: f}}
scales:
  climate: {title: Climate}
items:
  - {id: c1, text: one, scale: climate, response_scale: agree6}
  - {id: c2, text: two, scale: climate, response_scale: agree6}
  - {id: c3, text: three, scale: climate, response_scale: agree6, reverse: true}
  - {id: c4, text: four, scale: climate, response_scale: agree6}
"""


def expected_score(population, effects: np.ndarray) -> np.ndarray:
    """E[scale score | school effect] under the graded model: y* ~ N(sign l b, 1 - l^2 icc)."""
    icc = population.icc["climate"]
    total = np.zeros_like(effects)
    for item in population.items.itertuples():
        cuts = np.asarray(item.thresholds)
        sd = np.sqrt(1 - item.loading**2 * icc)
        above = stats.norm.sf((cuts[None, :] - item.sign * item.loading * effects[:, None]) / sd)
        value = 1 + above.sum(axis=1)  # values 1..6: 1 + number of cuts passed
        total += 7 - value if item.sign < 0 else value
    return total / len(population.items)


def _draws(scores: pd.DataFrame, rng: np.random.Generator, reps: int, size) -> pd.DataFrame:
    """``reps`` samples of every school without replacement (``size(school, n)`` people),
    each sample a group of its own: ``rep-school``."""
    parts = []
    for school, rows in scores.groupby("school_id"):
        values = rows["climate"].to_numpy()
        for rep in range(reps):
            take = rng.choice(len(values), size(school, len(values)), replace=False)
            parts.append(pd.DataFrame({"school_id": f"{rep}-{school}", "climate": values[take]}))
    return pd.concat(parts, ignore_index=True)


def test_intervals_cover_the_true_change_without_fpc(write_yaml):
    inst = cl.load_instrument(write_yaml(ONE_SCALE))
    base = cl.simulate(inst, n_schools=10, respondents=(8, 20), icc=0.2, missing=0, seed=1)
    shift = dict(zip(base.population.schools["school_id"],
                     [0.6, -0.6, 0.3, 0, 0, 0, 0, 0, -0.3, 0], strict=True))
    effects = base.population.school_effects["climate"]
    moved = effects + pd.Series(shift)
    truth = pd.Series(expected_score(base.population, moved.to_numpy())
                      - expected_score(base.population, effects.to_numpy()), index=effects.index)
    # each wave: 20,000 teachers per school, of whom 8-20 answer, 1,000 times over
    pools = [cl.score(cl.simulate(inst, wave_of=base, change=c, respondents=20000, missing=0,
                                  seed=s)) for c, s in ((None, 2), (shift, 3))]
    rng = np.random.default_rng(4)
    samples = [_draws(pool, rng, 1000, lambda school, n: int(rng.integers(8, 21)))
               for pool in pools]
    table = cl.change(samples[1], samples[0])
    true = truth.reindex(table["school_id"].str.split("-").str[1]).to_numpy()
    covered = (table["ci_low"] <= true) & (true <= table["ci_high"])
    assert len(table) == 10_000 and not table["suppressed"].any()
    assert 0.93 <= covered.mean() <= 0.97, covered.mean()
    moved_ones = table["school_id"].str.endswith(("S01", "S02"))
    detected = table["change"].abs() > table["mdc"]
    assert detected[moved_ones].mean() > 3 * detected[~moved_ones].mean()


def test_intervals_cover_the_true_change_with_fpc(write_yaml):
    inst = cl.load_instrument(write_yaml(ONE_SCALE))
    rng = np.random.default_rng(3)
    tables = {True: [], False: []}
    for draw in range(20):  # new staff every 50 replications
        staff = cl.simulate(inst, n_schools=10, respondents=(20, 40), icc=0.2, missing=0,
                            seed=100 + draw)
        later = cl.simulate(inst, wave_of=staff, change={"S01": 0.5, "S02": -0.5},
                            schools=staff.population.schools, missing=0, seed=200 + draw)
        everyone = [cl.score(w) for w in (staff, later)]
        sizes = staff.population.schools.set_index("school_id")["n_respondents"]
        truth = (everyone[1].groupby("school_id")["climate"].mean()
                 - everyone[0].groupby("school_id")["climate"].mean())
        samples = [_draws(w, rng, 50, lambda school, n: round(0.7 * n)) for w in everyone]
        groups = samples[1]["school_id"].unique()
        of = pd.Series(groups).str.split("-").str[1].to_numpy()
        roster = pd.DataFrame({"school_id": groups, "size": sizes.reindex(of).to_numpy()})
        for with_fpc in (True, False):
            table = cl.change(samples[1], samples[0],
                              roster={"previous": roster, "current": roster} if with_fpc
                              else None)
            table["true"] = truth.reindex(table["school_id"].str.split("-").str[1]).to_numpy()
            tables[with_fpc].append(table)
    for with_fpc, parts in tables.items():
        table = pd.concat(parts)
        covered = ((table["ci_low"] <= table["true"]) & (table["true"] <= table["ci_high"]))
        assert len(table) == 10_000
        if with_fpc:
            assert 0.93 <= covered.mean() <= 0.97, covered.mean()
        else:  # without the correction the intervals are far too wide
            assert covered.mean() > 0.98, covered.mean()


def test_simulated_school_change_is_recovered():
    base = cl.simulate(n_schools=4, respondents=2000, seed=11)
    later = cl.simulate(wave_of=base, change={"S01": 0.5, "S02": -0.5}, respondents=2000,
                        seed=12)
    assert later.population.items.equals(base.population.items)
    assert_allclose(later.population.school_effects.loc["S03"],
                    base.population.school_effects.loc["S03"], rtol=1e-15)
    assert later.population.change.loc["S01"].eq(0.5).all()
    table = cl.change(later, base)
    by_school = table.groupby("school_id")["effect_size"].mean()
    assert by_school["S01"] > 0.3 and by_school["S02"] < -0.3
    assert by_school[["S03", "S04"]].abs().max() < 0.1


def test_trend_of_two_waves_is_the_change_and_recovers_a_slope():
    base = cl.simulate(n_schools=5, seed=21)
    waves = {"2022": base}
    for year, step in ((2023, 1), (2024, 2), (2025, 3)):
        waves[str(year)] = cl.simulate(wave_of=base, change={"S01": 0.25 * step},
                                       respondents=800, seed=21 + step)
    two = cl.trend({"a": waves["2022"], "b": waves["2023"]})
    change = cl.change(waves["2023"], waves["2022"])
    first = two.drop_duplicates(["school_id", "scale"]).reset_index(drop=True)
    for a, b in (("trend", "change"), ("trend_se", "se"), ("trend_df", "df"),
                 ("trend_p_value", "p_value"), ("trend_ci_low", "ci_low")):
        assert_allclose(first[a].to_numpy(float), change[b].to_numpy(float), rtol=1e-12)
    later = {k: v for k, v in waves.items() if k != "2022"}
    table = cl.trend(later, times=[2023, 2024, 2025])
    slopes = table.drop_duplicates(["school_id", "scale"]).groupby("school_id")["trend"].mean()
    assert slopes["S01"] > 0.15 and slopes.drop("S01").abs().max() < 0.1
    assert list(table["wave"].unique()) == ["2023", "2024", "2025"]
    by_hand = table[(table["school_id"] == "S02") & (table["scale"] == "trust_principal")]
    slope = np.polyfit(by_hand["time"], by_hand["mean"], 1)[0]
    assert_allclose(by_hand["trend"].iloc[0], slope, rtol=1e-10)
    se = np.sqrt(np.sum(((by_hand["time"] - 2024) / 2) ** 2 * by_hand["sd"] ** 2 / by_hand["n"]))
    assert_allclose(by_hand["trend_se"].iloc[0], se, rtol=1e-10)


def test_whole_district_change_with_by_none():
    a, b = cl.simulate(n_schools=4, seed=1), None
    b = cl.simulate(wave_of=a, change=0.4, seed=2)
    table = cl.change(b, a, by=None)
    assert "school_id" not in table.columns and len(table) == len(a.instrument.scales)
    scores = [cl.score(w) for w in (a, b)]
    assert_allclose(table["mean_current"], scores[1][table["scale"]].mean().to_numpy())
    assert (table["change"] > 0).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"roster": {"A": 5}}, "names waves"),
    ({"roster": pd.DataFrame({"school_id": ["A"], "size": [9]})}, "'wave' column"),
    ({"by": "district"}, "'by' parameter of change names 'district'"),
    ({"paired_by": "email"}, "'paired_by' parameter"),
    ({"ci_level": 1.5}, "ci_level"),
    ({"min_n": 2}, "min_n"),
    ({"scales": ["nope"]}, "names \\['nope'\\]"),
])
def test_bad_options_raise_clear_errors(kwargs, message):
    frame = pd.DataFrame({"school_id": ["A"] * 6, "s": np.arange(6.0)})
    with pytest.raises(cl.ColeadError, match=message):
        cl.change(frame, frame, **kwargs)


def test_repeated_keys_in_a_wave_are_listed():
    frame = pd.DataFrame({"school_id": ["A"] * 6, "key": ["k1", "k2", "k1", "k3", "k4", "k5"],
                          "s": np.arange(6.0)})
    with pytest.raises(cl.ResponseDataError) as info:
        cl.change(frame, frame, paired_by="key")
    assert "row 2" in str(info.value) and "row 4" in str(info.value)


def test_numeric_school_ids_are_groups_not_scales():
    frame = pd.DataFrame({"school_id": [1.0] * 6 + [2.0] * 6, "s": np.arange(12.0)})
    table = cl.change(frame, frame.assign(s=frame["s"] + 1))
    assert list(table["scale"]) == ["s", "s"] and list(table["school_id"]) == [1.0, 2.0]
    assert (table["change"] == -1).all()

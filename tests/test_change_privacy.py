"""Attacks on cl.change and cl.trend: no statistic of fewer than min_n people can be recovered
from a change table, alone or with the district totals and each wave's own school table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import colead as cl

MIN_N = 5


def wave(sizes: dict[object, int], seed: int, scales=("trust", "voice")) -> pd.DataFrame:
    """Scores of a wave: ``sizes`` school -> respondents (None: no school)."""
    rng = np.random.default_rng(seed)
    parts = [pd.DataFrame({"school_id": [school] * n,
                           **{s: rng.integers(1, 7, n).astype(float) for s in scales}})
             for school, n in sizes.items()]
    return pd.concat(parts, ignore_index=True)


def remainder(data: pd.DataFrame, shown: set, scale: str) -> tuple[int, float]:
    """People of a wave (with a score) outside the shown schools, and their mean: what the
    district total minus the shown schools' n x mean gives away."""
    scored = data[data[scale].notna()]
    rest = scored[~scored["school_id"].isin(shown)]
    total_sum = scored[scale].sum()
    shown_sum = sum(scored.loc[scored["school_id"] == s, scale].sum() for s in shown)
    n = len(scored) - sum((scored["school_id"] == s).sum() for s in shown)
    assert n == len(rest)
    return n, (total_sum - shown_sum) / n if n else np.nan


def shown_schools(table: pd.DataFrame, scale: str) -> set:
    rows = table[(table["scale"] == scale) & ~table["suppressed"].astype(bool)]
    return set(rows["school_id"])


def test_a_school_under_min_n_in_either_wave_shows_no_change():
    previous = wave({"A": 20, "B": 12, "C": 10, "D": 9}, 1)
    current = wave({"A": 18, "B": 4, "C": 11, "D": 9}, 2)
    table = cl.change(current, previous).set_index(["school_id", "scale"])
    for scale in ("trust", "voice"):
        row = table.loc[("B", scale)]
        assert row["suppressed"]
        numbers = row.drop(["suppressed", "comparable", "reason"])
        assert numbers.isna().all()  # not even last year's mean or this year's n
    assert not table.loc[("A", "trust"), "suppressed"]


def test_subtracting_shown_schools_from_a_wave_total_never_isolates_a_small_group():
    # D: 8 teachers last year, 3 now. Hiding D alone would leave its 3 current teachers as
    # the current district total minus the shown schools: C is hidden too.
    previous = wave({"A": 20, "B": 12, "C": 6, "D": 8}, 3)
    current = wave({"A": 20, "B": 12, "C": 6, "D": 3}, 4)
    table = cl.change(current, previous)
    assert shown_schools(table, "trust") == {"A", "B"}
    for data in (previous, current):
        for scale in ("trust", "voice"):
            n, _ = remainder(data, shown_schools(table, scale), scale)
            assert n == 0 or n >= MIN_N


def test_respondents_without_a_school_are_part_of_every_wave_total():
    previous = wave({"A": 20, "B": 12, "C": 7, None: 2}, 5)
    current = wave({"A": 20, "B": 12, "C": 7, None: 2}, 6)
    table = cl.change(current, previous)
    shown = shown_schools(table, "trust")
    assert "C" not in shown  # else the total minus A, B, C gives the 2 without a school
    for data in (previous, current):
        n, _ = remainder(data, shown, "trust")
        assert n >= MIN_N


def test_the_change_table_cannot_be_played_against_each_wave_own_table():
    # Last year's report hid X (3) and, to protect it, C (6); this year's hides X (2) and B
    # (8). A change table that showed B or C would let its means, with the other year's
    # report, isolate X's 2 or 3 teachers.
    previous = wave({"A": 20, "B": 8, "C": 6, "X": 3}, 7)
    current = wave({"A": 20, "B": 8, "C": 9, "X": 2}, 8)
    table = cl.change(current, previous)
    own = {name: cl.aggregate(data, min_n=MIN_N) for name, data in
           (("previous", previous), ("current", current))}
    for scale in ("trust", "voice"):
        in_change = shown_schools(table, scale)
        for name, data in (("previous", previous), ("current", current)):
            in_own = shown_schools(own[name], scale)
            assert in_change <= in_own
            n, _ = remainder(data, in_change | in_own, scale)
            assert n == 0 or n >= MIN_N, (name, scale, n)
    assert shown_schools(table, "trust") == {"A"}


def test_a_small_district_shows_no_change_at_all():
    previous = wave({"A": 2, "B": 2}, 9)
    current = wave({"A": 3, "B": 3}, 10)
    table = cl.change(current, previous)
    assert table["suppressed"].all()
    district = cl.change(current, previous, by=None)
    assert district["suppressed"].all() and district["change"].isna().all()


@pytest.mark.parametrize("seed", range(12))
def test_random_districts_resist_subtraction_in_every_wave(seed):
    rng = np.random.default_rng(seed)
    schools = [f"S{i}" for i in range(rng.integers(2, 9))] + [None]
    waves = []
    for w in range(3):
        sizes = {s: int(rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12, 20])) for s in schools}
        data = wave({s: n for s, n in sizes.items() if n}, 100 * seed + w)
        data.loc[rng.random(len(data)) < 0.1, "voice"] = np.nan
        waves.append(data)
    table = cl.change(waves[1], waves[0])
    series = cl.trend({"a": waves[0], "b": waves[1], "c": waves[2]})
    for scale in ("trust", "voice"):
        for name, shown_in, datas in (("change", shown_schools(table, scale), waves[:2]),
                                      ("trend", shown_schools(series, scale), waves)):
            for data in datas:
                own = shown_schools(cl.aggregate(data, min_n=MIN_N), scale)
                assert shown_in <= own, name
                if data[scale].notna().sum() < MIN_N:
                    continue  # a district total of fewer than min_n is never shown
                for published in (shown_in, shown_in | own):
                    n, _ = remainder(data, published, scale)
                    assert n == 0 or n >= MIN_N, (name, scale, n)
        shown = table[(table["scale"] == scale) & ~table["suppressed"]]
        assert (shown[["n_previous", "n_current"]] >= MIN_N).all().all()


def test_pairs_of_fewer_than_min_n_leave_no_trace_in_the_standard_error():
    rng = np.random.default_rng(12)
    prev = pd.DataFrame({"school_id": "A", "key": [f"k{i}" for i in range(12)],
                         "s": rng.normal(3, 1, 12)})
    cur = pd.DataFrame({"school_id": "A", "key": [f"k{i}" for i in range(8, 20)],
                        "s": rng.normal(3, 1, 12)})
    paired = cl.change(cur, prev, paired_by="key")  # 4 pairs: fewer than min_n
    alone = cl.change(cur.drop(columns="key"), prev.drop(columns="key"))
    assert paired["n_paired"].iloc[0] == 4
    assert paired["se"].iloc[0] == alone["se"].iloc[0]

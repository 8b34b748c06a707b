"""Time school-level agreement: 100,000 teachers in 4,000 schools, 20 scales of 6 items.

    python benchmarks/agreement.py [--teachers N] [--schools G] [--scales S] [--runs R] [--quick]

For every scale, ``colead.icc`` (one-way ANOVA) of the scale score and ``colead.rwg_j`` of its
items are timed together (minimum of R runs of all scales, alternating with the baseline's,
one BLAS thread), beside a plain pandas groupby doing
the same arithmetic: group sizes, means and variances of the items after listwise deletion,
and the ANOVA sums of squares of the score. Both are timed with the school ids as text, as
they come from a file (each call then hashes 100,000 ids, as each pandas groupby does), and
colead once more with the ids as a pandas Categorical (hashed once, as ``aggregate`` can).
``colead.aggregate`` is timed too. The REML ICC (``method="mixed"``) is
reported on its own. Target: icc + rwg_j + aggregate under 1 s in total at full size.
The data are drawn once with a fixed seed (numpy only): unbalanced schools, a school effect,
answers on 1-6 and 5 % missing answers.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from _suite import blas_threads, district_arguments, interleaved, min_seconds

import colead as cl

TARGET_S = 1.0
ITEMS = 6


def make_data(teachers: int, schools: int, scales: int, seed: int = 20261127) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    school = np.sort(rng.integers(0, schools, size=teachers))
    frame = {"school_id": pd.Series([f"S{s:05d}" for s in school])}
    for j in range(scales):
        effect = rng.normal(0, 0.4, size=schools)[school]
        latent = effect + rng.normal(0, 1, size=teachers)
        for i in range(ITEMS):
            x = np.clip(np.rint(3.5 + latent + rng.normal(0, 0.8, size=teachers)), 1, 6)
            x[rng.random(teachers) < 0.05] = np.nan
            frame[f"s{j}_{i}"] = x
    return pd.DataFrame(frame)


def scale_items(scales: int) -> dict[str, list[str]]:
    return {f"s{j}": [f"s{j}_{i}" for i in range(ITEMS)] for j in range(scales)}


def colead_run(
    data: pd.DataFrame, scores: pd.DataFrame, sets: dict[str, list[str]], groups: pd.Series
) -> None:
    for name, items in sets.items():
        cl.icc(scores[name], groups)
        cl.rwg_j(data[items], groups, scale_points=6)


def pandas_run(data: pd.DataFrame, scores: pd.DataFrame, sets: dict[str, list[str]]) -> None:
    """The same arithmetic with plain pandas groupby (no checks, no result tables)."""
    for name, items in sets.items():
        score = scores[name]
        frame = pd.DataFrame({"y": score, "g": data["school_id"]}).dropna()
        grouped = frame.groupby("g")["y"]
        size, mean = grouped.size(), grouped.mean()
        _ss_between = (size * (mean - frame["y"].mean()) ** 2).sum()
        _ss_within = ((frame["y"] - grouped.transform("mean")) ** 2).sum()
        complete = data[[*items, "school_id"]].dropna()
        by_school = complete.groupby("school_id")[items]
        _n, _means, _variances = by_school.size(), by_school.mean(), by_school.var()


def mixed_run(data: pd.DataFrame, scores: pd.DataFrame, sets: dict[str, list[str]]) -> None:
    for name in sets:
        cl.icc(scores[name], data["school_id"], method="mixed")


def main() -> int:
    args = district_arguments(__doc__)
    data = make_data(args.teachers, args.schools, args.scales)
    sets = scale_items(args.scales)
    # Scale scores (mean of the answered items) are input here, not part of the timing.
    scores = pd.DataFrame({name: data[items].mean(axis=1) for name, items in sets.items()})

    text_ids, category_ids = data["school_id"], data["school_id"].astype("category")
    with blas_threads(1):
        ours, theirs = interleaved(lambda: colead_run(data, scores, sets, text_ids),
                                   lambda: pandas_run(data, scores, sets), args.runs)
        timings = {
            "colead icc + rwg_j": min(ours),
            "  school ids categorical": min_seconds(
                lambda: colead_run(data, scores, sets, category_ids), args.runs
            ),
            "pandas groupby baseline": min(theirs),
            "colead icc (mixed, REML)": min_seconds(
                lambda: mixed_run(data, scores, sets), args.runs
            ),
        }
        frame = pd.concat([data[["school_id"]], scores], axis=1)
        timings["colead aggregate"] = min_seconds(
            lambda: cl.aggregate(frame, by="school_id"), args.runs
        )
    total = timings["colead icc + rwg_j"] + timings["colead aggregate"]

    print(
        f"{len(data):,} teachers in {data['school_id'].nunique():,} schools, {args.scales} "
        f"scales of {ITEMS} items; minimum of {args.runs} runs (all scales per run)"
    )
    for name, seconds in timings.items():
        print(f"  {name:<26} {seconds:7.3f} s")
    ratio = timings["colead icc + rwg_j"] / timings["pandas groupby baseline"]
    print(f"  ratio colead / pandas       {ratio:6.2f}")
    print(f"  total icc + rwg_j + aggregate {total:.3f} s (target < {TARGET_S:g} s at full size)")
    return 0 if args.quick or total < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time the change between two survey waves: 100,000 teachers a wave in 4,000 schools, 20 scales.

    python benchmarks/change.py [--teachers N] [--schools G] [--scales S] [--runs R] [--quick]

``colead.change`` on two tables of scale scores (each wave drawn once with a fixed seed, numpy
only: unbalanced schools, a school effect, a school change in the second wave, 3 % missing
scores), with and without a roster (finite population correction) and with 30 % of the
teachers paired by a key, beside a plain pandas groupby doing the core arithmetic (group
sizes, means and variances of both waves and the Welch standard error, no suppression).
Target: under 1 s at full size.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from _suite import district_arguments, median_seconds

import colead as cl

TARGET_S = 1.0


def make_wave(teachers: int, schools: int, scales: int, shift: float, seed: int,
              paired: float = 0.3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    school = np.sort(rng.integers(0, schools, size=teachers))
    frame: dict[str, object] = {"school_id": pd.Series([f"S{s:05d}" for s in school])}
    keys = np.where(rng.random(teachers) < paired, np.arange(teachers).astype(str), None)
    frame["key"] = keys
    base = np.random.default_rng(99)
    for j in range(scales):
        effect = base.normal(0, 0.4, size=schools) + shift * rng.normal(0, 0.2, size=schools)
        x = np.clip(3.5 + effect[school] + rng.normal(0, 0.9, size=teachers), 1, 6)
        x[rng.random(teachers) < 0.03] = np.nan
        frame[f"s{j}"] = x
    return pd.DataFrame(frame)


def roster(wave: pd.DataFrame) -> pd.DataFrame:
    sizes = wave.groupby("school_id").size()
    return pd.DataFrame({"school_id": sizes.index, "size": sizes.to_numpy() + 5})


def pandas_run(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Group n, mean, var of each wave, aligned, and the Welch se: the arithmetic alone."""
    parts = []
    for wave in (current, previous):
        grouped = wave.drop(columns="key").groupby("school_id")
        parts.append(pd.concat({"n": grouped.count().stack(), "mean": grouped.mean().stack(),
                                "var": grouped.var().stack()}, axis=1))
    both = parts[0].add_suffix("_c").join(parts[1].add_suffix("_p"), how="outer")
    both["change"] = both["mean_c"] - both["mean_p"]
    both["se"] = np.sqrt(both["var_c"] / both["n_c"] + both["var_p"] / both["n_p"])
    return both


def main() -> int:
    args = district_arguments(__doc__)
    previous = make_wave(args.teachers, args.schools, args.scales, 0.0, 1)
    current = make_wave(args.teachers, args.schools, args.scales, 1.0, 2)
    rosters = {"previous": roster(previous), "current": roster(current)}
    plain = [w.drop(columns="key") for w in (current, previous)]
    timings = {
        "colead change": median_seconds(lambda: cl.change(*plain), args.runs),
        "  with roster (fpc)": median_seconds(
            lambda: cl.change(*plain, roster=rosters), args.runs),
        "  paired by key (30 %)": median_seconds(
            lambda: cl.change(current, previous, paired_by="key"), args.runs),
        "pandas groupby baseline": median_seconds(
            lambda: pandas_run(current, previous), args.runs),
    }
    print(f"{args.teachers:,} teachers x 2 waves in {args.schools:,} schools, {args.scales} "
          f"scales; median of {args.runs} runs")
    for name, seconds in timings.items():
        print(f"  {name:<26} {seconds:7.3f} s")
    ratio = timings["colead change"] / timings["pandas groupby baseline"]
    print(f"  ratio colead / pandas      {ratio:6.2f}")
    slowest = max(v for k, v in timings.items() if not k.startswith("pandas"))
    print(f"  slowest colead run {slowest:.3f} s (target < {TARGET_S:g} s at full size)")
    return 0 if args.quick or slowest < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

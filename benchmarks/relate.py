"""Time the relate functions; the target is a path model with 1,000 cluster-bootstrap
replicates on 5,000 teachers in 200 schools in under 10 s.

    python benchmarks/relate.py [--schools G] [--teachers M] [--boot B] [--runs R] [--quick]

The district is simulated once (``colead.simulate``, fixed seed, 25 teachers per school) and
scored; the path model is colead-teacher's default model (leadership and trust feeding the
elements of professional community, which feed focused instruction: 6 equations, 18 paths,
64 effects). Each workload is timed R times in this process and the median (and minimum)
reported; a first call, which imports statsmodels and patsy, is excluded. For comparison the
script also times the naive bootstrap it replaces, refitting the six statsmodels regressions
on every replicate, for a few replicates, and extrapolates to B. ``--quick`` (CI) uses 100
schools and 3 runs.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from _suite import median_and_min

import colead as cl

TARGET_S = 10.0


def district(schools: int, teachers: int) -> pd.DataFrame:
    sim = cl.simulate("colead-teacher", n_schools=schools, respondents=teachers, seed=20261128)
    return cl.score(sim)


def default_model() -> dict[str, list[str]]:
    sim = cl.simulate("colead-teacher", n_schools=2, respondents=2, seed=1)
    model: dict[str, list[str]] = {}
    for row in sim.population.paths.itertuples():
        model.setdefault(row.outcome, []).append(row.predictor)
    return model


def naive_bootstrap(scores: pd.DataFrame, model: dict[str, list[str]], reps: int) -> None:
    """What the vectorised bootstrap replaces: resample schools, refit every equation."""
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(1)
    by_school = [frame for _, frame in scores.groupby("school_id")]
    for _ in range(reps):
        drawn = rng.integers(0, len(by_school), size=len(by_school))
        sample = pd.concat([by_school[i] for i in drawn], ignore_index=True)
        for y, xs in model.items():
            smf.ols(f"{y} ~ {' + '.join(xs)}", sample).fit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=200)
    parser.add_argument("--teachers", type=int, default=25)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="100 schools, 3 runs (for CI)")
    args = parser.parse_args()
    schools, runs = (100, 3) if args.quick else (args.schools, args.runs)
    scores = district(schools, args.teachers)
    model = default_model()
    n = len(scores)
    formula = "focused_instruction ~ " + " + ".join(model["focused_instruction"])
    workloads: dict[str, tuple[Callable[[], object], float | None]] = {
        f"path, {args.boot} cluster replicates": (
            lambda: cl.path(model, scores, group="school_id", n_boot=args.boot, seed=1),
            TARGET_S,
        ),
        f"path, {args.boot} row replicates": (
            lambda: cl.path(model, scores, n_boot=args.boot, seed=1),
            None,
        ),
        "path, school level (suppressed means)": (
            lambda: cl.path(
                model, scores, level="school", group="school_id", n_boot=args.boot, seed=1
            ),
            None,
        ),
        "mediate, 2 mediators, cluster bootstrap": (
            lambda: cl.mediate(
                scores,
                x="shared_leadership",
                m=["collective_responsibility", "shared_focus"],
                y="focused_instruction",
                group="school_id",
                n_boot=args.boot,
                seed=1,
            ),
            None,
        ),
        "correlate, 10 scales, 3 levels": (
            lambda: cl.correlate(scores, level=["individual", "school", "within"]),
            None,
        ),
        "regress, CR1, 4 hierarchical blocks": (
            lambda: cl.regress(
                formula,
                scores,
                cluster="school_id",
                blocks=[[x] for x in model["focused_instruction"]],
            ),
            None,
        ),
        "multilevel, random intercept": (
            lambda: cl.multilevel(formula, scores, group="school_id"),
            None,
        ),
    }
    print(f"{n:,} teachers in {schools} schools; {runs} runs each")
    print(f"{'workload':<44} {'median (s)':>10} {'min (s)':>9}  target")
    slow = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (func, target) in workloads.items():
            median, best = median_and_min(func, runs)
            print(f"{name:<44} {median:>10.4f} {best:>9.4f}  {f'< {target:g}' if target else ''}")
            if target and median >= target:
                slow.append(name)
        reps = 5
        start = time.perf_counter()
        naive_bootstrap(scores, model, reps)
        per = (time.perf_counter() - start) / reps
        print(
            f"{'naive refitting bootstrap (extrapolated)':<44} {per * args.boot:>10.4f}"
            f" {'':>9}  ({per:.4f} s per replicate)"
        )
    if slow:
        print(f"over target: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())

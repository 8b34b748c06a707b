"""Time ``cl.cfa``: a one-factor model on 6 items x 100,000 rows (target: well under 0.1 s,
since omega fits one per scale, 20 scales within a 2 s budget) and the Holzinger-Swineford
three-factor model (301 rows), plus its three-level invariance sequence by school.

    python benchmarks/cfa.py [--rows N] [--runs R] [--quick]

The one-factor data are simulated once (fixed seed) on a 1..6 answer scale. Each workload is
timed R times in this process and the median (and minimum) reported; the first call, which
imports scipy's submodules, is excluded.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _suite import median_and_min

import colead as cl

TARGET_S = 0.1
HS = Path(__file__).resolve().parent.parent / "tests/reference/psychometrics"
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}


def one_factor_data(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(20240604)
    load = np.array([0.8, 0.7, 0.6, 0.75, 0.65, 0.7])
    f = rng.normal(size=rows)
    x = f[:, None] * load + rng.normal(size=(rows, 6)) * np.sqrt(1 - load**2)
    # 1% of answers missing, so that listwise deletion is exercised
    x[rng.random(x.shape) < 0.01] = np.nan
    return pd.DataFrame(np.clip(np.round(3.5 + 1.2 * x), 1, 6), columns=[f"i{j}" for j in range(6)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--quick", action="store_true", help="5 runs (for CI)")
    args = parser.parse_args()
    runs = 5 if args.quick else args.runs
    data = one_factor_data(args.rows)
    one = {"f": list(data.columns)}
    hs = pd.read_csv(HS / "holzinger_swineford_1939.csv")
    workloads: dict[str, tuple[Callable[[], object], float | None]] = {
        f"one factor, 6 items, {args.rows:,} rows": (lambda: cl.cfa(data, one), TARGET_S),
        "one factor, FIML (ML with missing)": (lambda: cl.cfa(data, one, missing="ml"), None),
        "Holzinger-Swineford, 3 factors": (lambda: cl.cfa(hs, HS_MODEL), None),
        "HS invariance by school (3 levels)": (
            lambda: cl.cfa(
                hs, HS_MODEL, group="school", invariance=("configural", "metric", "scalar")
            ),
            None,
        ),
    }
    print(f"{'workload':<40} {'median (s)':>10} {'min (s)':>9}  target   ({runs} runs each)")
    slow = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, (func, target) in workloads.items():
            median, best = median_and_min(func, runs)
            mark = f"< {target}" if target else ""
            print(f"{name:<40} {median:>10.4f} {best:>9.4f}  {mark}")
            if target and median >= target:
                slow.append(name)
    if slow:
        print(f"over target: {', '.join(slow)}")
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())

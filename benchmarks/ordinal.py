"""Time the ordinal methods: WLSMV on 30 five-point items, 6 factors, 100,000 respondents
(target: under 10 s), its polychoric correlations, and ordinal invariance across two groups,
each beside lavaan 0.6 on the same data when ``Rscript`` with lavaan is installed.

    python benchmarks/ordinal.py [--rows N] [--runs R] [--quick] [--no-r]

The data are simulated once (fixed seed) from a normal-ogive graded model: six correlated
factors (r = .3), five items each with loadings .5 to .8 and skewed thresholds, 1% of answers
missing (listwise deletion). ``--quick`` (CI) uses 5,000 rows and one run. colead's time is the
median of the runs after one untimed call; lavaan's is one ``system.time`` per workload.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _suite import median_and_min

import colead as cl

TARGET_S = 10.0
FACTORS = 6
PER_FACTOR = 5
MODEL = {
    f"F{f + 1}": [f"i{f * PER_FACTOR + j + 1}" for j in range(PER_FACTOR)] for f in range(FACTORS)
}
R_MODEL = "\n".join(f"{f} =~ {' + '.join(items)}" for f, items in MODEL.items())


def make_data(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(20250118)
    k = FACTORS * PER_FACTOR
    corr = np.full((FACTORS, FACTORS), 0.3) + 0.7 * np.eye(FACTORS)
    eta = rng.standard_normal((rows, FACTORS)) @ np.linalg.cholesky(corr).T
    load = rng.uniform(0.5, 0.8, size=k)
    ystar = eta[:, np.arange(k) // PER_FACTOR] * load + rng.standard_normal((rows, k)) * np.sqrt(
        1 - load**2
    )
    cuts = np.array([-1.6, -0.7, 0.1, 0.9]) + rng.uniform(-0.4, 0.4, size=(k, 1))
    answers = 1.0 + (ystar[:, :, None] > cuts[None, :, :]).sum(axis=2)
    answers[rng.random(answers.shape) < 0.01] = np.nan
    frame = pd.DataFrame(answers, columns=[i for items in MODEL.values() for i in items])
    frame.insert(0, "group", np.where(rng.random(rows) < 0.5, "a", "b"))
    return frame


def lavaan_seconds(path: Path, call: str) -> float:
    code = (
        f"suppressPackageStartupMessages(library(lavaan)); d <- read.csv('{path}'); "
        f"model <- '{R_MODEL}'; items <- names(d)[-1]; "
        f"t <- system.time(suppressWarnings({call}))[['elapsed']]; cat('\\nSECONDS', t, '\\n')"
    )
    try:
        done = subprocess.run(
            ["Rscript", "-e", code], capture_output=True, text=True, timeout=3600, check=True
        )
    except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
        return float("nan")
    found = re.findall(r"SECONDS ([0-9.]+)", done.stdout)
    return float(found[-1]) if found else float("nan")


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(["Rscript", "-e", "library(lavaan)"], capture_output=True, timeout=60)
    return check.returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="5,000 rows, 1 run (for CI)")
    parser.add_argument("--no-r", action="store_true", help="skip lavaan")
    args = parser.parse_args()
    rows, runs = (5_000, 1) if args.quick else (args.rows, args.runs)
    data = make_data(rows)
    items = data.columns[1:]
    two = {"F1": MODEL["F1"], "F2": MODEL["F2"]}
    levels = ("configural", "thresholds", "metric", "scalar")
    workloads: dict[str, tuple[Callable[[], object], float | None, str]] = {
        f"WLSMV, 30 items, 6 factors, {rows:,} rows": (
            lambda: cl.cfa(data, MODEL, estimator="wlsmv"),
            TARGET_S,
            "cfa(model, d, ordered = items, estimator = 'WLSMV')",
        ),
        f"polychoric, 30 items, {rows:,} rows": (
            lambda: cl.polychoric(data[items]),
            None,
            "lavCor(d[, items], ordered = items)",
        ),
        "invariance, 10 items, 2 groups, 4 levels": (
            lambda: cl.cfa(data, two, estimator="wlsmv", group="group", invariance=levels),
            None,
            "for (eq in list(NULL, 'thresholds', c('thresholds','loadings'), "
            "c('thresholds','loadings','intercepts'))) cfa(as.character(semTools::measEq.syntax("
            "'F1 =~ i1 + i2 + i3 + i4 + i5\nF2 =~ i6 + i7 + i8 + i9 + i10', data = d, "
            "ordered = items[1:10], ID.fac = 'std.lv', ID.cat = 'Wu.Estabrook.2016', "
            "group = 'group', group.equal = if (is.null(eq)) 'configural' else eq)), d, "
            "ordered = items[1:10], group = 'group', estimator = 'WLSMV')",
        ),
    }
    use_r = not args.no_r and r_available()
    print(f"{'workload':<44} {'colead (s)':>10} {'min (s)':>8} {'lavaan (s)':>11}  target")
    slow = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ordinal.csv"
        data.to_csv(path, index=False, na_rep="NA")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", cl.ColeadWarning)
            for name, (func, target, r_call) in workloads.items():
                median, best = median_and_min(func, runs)
                other = lavaan_seconds(path, r_call) if use_r else float("nan")
                mark = f"< {target:g}" if target else ""
                print(f"{name:<44} {median:>10.3f} {best:>8.3f} {other:>11.3f}  {mark}")
                if target and median >= target:
                    slow.append(name)
    if not use_r:
        print("lavaan: " + ("skipped (--no-r)" if args.no_r else "Rscript with lavaan not found"))
    if slow:
        print(f"over target: {', '.join(slow)}")
    return 1 if slow and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())

"""Time ``cl.rasch``: the rating-scale model on 100,000 persons x 10 items with 5 categories
(target: under 5 s), beside R's eRm on the same data when Rscript with eRm is installed.

    python benchmarks/rasch.py [--quick] [--persons N] [--runs R] [--no-r]

The data are drawn once from a rating-scale model (fixed seed; 3% of answers missing at
random, so the elementary symmetric functions are computed for ~170 patterns of skipped
items; a second workload has no missing answers). colead's time covers everything
``cl.rasch`` returns: CML item parameters and standard errors, WLE and MLE person measures,
item infit/outfit and person reliability. eRm's is timed for the same: ``RSM`` (CML) plus
``person.parameter``, ``itemfit`` and ``SepRel``, run once (it is slow), and ``RSM`` alone.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _suite import median_and_min

import colead as cl

TARGET_S = 5.0
R_TIMEOUT_S = 1800
LOCATIONS = np.linspace(-1.5, 1.5, 10)
STEPS = np.array([-1.5, -0.5, 0.4, 1.6])

R_CODE = """
suppressPackageStartupMessages(library(eRm))
X <- as.matrix(read.csv(path))
t_cml <- system.time(fit <- RSM(X))[["elapsed"]]
t_rest <- system.time({pp <- person.parameter(fit); f <- itemfit(pp); s <- SepRel(pp)})
cat("\\nCML", t_cml, "\\nALL", t_cml + t_rest[["elapsed"]],
    "\\nLOGLIK", sprintf("%.8f", fit$loglik), "\\n")
"""


def draw(persons: int, missing: float, seed: int) -> pd.DataFrame:
    """Answers 0..4 from a rating-scale model (thresholds = location + step)."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0.0, 1.3, persons)
    thr = LOCATIONS[:, None] + STEPS[None, :]
    cum = np.concatenate([np.zeros((10, 1)), np.cumsum(thr, axis=1)], axis=1)
    logits = np.arange(5)[None, None, :] * theta[:, None, None] - cum[None, :, :]
    p = np.exp(logits - logits.max(axis=2, keepdims=True))
    p /= p.sum(axis=2, keepdims=True)
    x = (rng.random((persons, 10, 1)) > np.cumsum(p, axis=2)).sum(axis=2).astype(float)
    x = np.minimum(x, 4)
    x[rng.random(x.shape) < missing] = np.nan
    return pd.DataFrame(x, columns=[f"i{j + 1}" for j in range(10)])


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    done = subprocess.run(["Rscript", "-e", "library(eRm)"], capture_output=True, timeout=60)
    return done.returncode == 0


def r_seconds(data: pd.DataFrame) -> tuple[float, float, float]:
    """eRm's seconds for RSM alone and RSM + person parameters + fit, and its loglik."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rsm.csv"
        data.to_csv(path, index=False, na_rep="NA")
        try:
            done = subprocess.run(["Rscript", "-e", f"path <- '{path}'; {R_CODE}"],
                                  capture_output=True, text=True, timeout=R_TIMEOUT_S,
                                  check=True)
        except (subprocess.TimeoutExpired, subprocess.CalledProcessError):
            return math.inf, math.inf, math.nan

    def number(tag: str) -> float:
        found = re.findall(rf"{tag} (-?[0-9.e+-]+)", done.stdout)
        return float(found[-1]) if found else math.nan

    return number("CML"), number("ALL"), number("LOGLIK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 persons, 3 runs (for CI)")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip eRm")
    args = parser.parse_args()
    persons = 2_000 if args.quick else args.persons
    runs = 3 if args.quick else args.runs
    with_missing = draw(persons, 0.03, 20260521)
    complete = draw(persons, 0.0, 20260522)
    print(f"{'workload':<46} {'median (s)':>10} {'min (s)':>8}  ({runs} runs each)")
    slow = []
    results = {}
    for name, data in [(f"cl.rasch RSM, {persons:,} x 10, 3% missing", with_missing),
                       (f"cl.rasch RSM, {persons:,} x 10, complete", complete)]:
        median, best = median_and_min(lambda data=data: cl.rasch(data), runs)
        results[name] = median
        print(f"{name:<46} {median:>10.3f} {best:>8.3f}  target < {TARGET_S:g} s")
        if median >= TARGET_S:
            slow.append(name)
    if args.no_r:
        print("eRm: skipped (--no-r)")
    elif not r_available():
        print("eRm: not available (Rscript with eRm not found)")
    else:
        cml_s, all_s, loglik = r_seconds(with_missing)
        ours = cl.rasch(with_missing)
        colead_s = results[f"cl.rasch RSM, {persons:,} x 10, 3% missing"]
        print(f"{'eRm RSM (CML only), same data, 1 run':<46} {cml_s:>10.3f}")
        print(f"{'eRm RSM + person.parameter + itemfit + SepRel':<46} {all_s:>10.3f}  "
              f"ratio colead / eRm {colead_s / all_s:.3f}")
        print(f"conditional log-likelihood: colead {ours.loglik:.6f}, eRm {loglik:.6f}")
    if slow:
        print(f"over target: {', '.join(slow)}")
    return 1 if slow and not args.quick else 0


if __name__ == "__main__":
    sys.exit(main())

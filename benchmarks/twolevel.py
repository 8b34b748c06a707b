"""Time the two-level CFA (``cl.cfa(..., cluster=)``): one factor, 6 items, 100,000 teachers in
4,000 schools (target: under 5 s), beside lavaan's ``cfa(model, data, cluster = )`` on the same
CSV when Rscript with lavaan is found; then the same with missing answers by full-information
ML (``missing="ml"``, lavaan ``missing = "ml"``; target: under 10 s).

    python benchmarks/twolevel.py [--quick] [--runs R] [--no-r] [--no-fiml]

The data come from ``colead.simulation.twolevel`` (fixed seed): schools of 5 to 45 teachers,
5% of answers missing (listwise deletion leaves about 77,000 complete rows; FIML uses all
99,341, no row is without an answer). ``--quick`` uses 5,000 teachers in 200 schools. colead's
time is the median of R runs after one untimed call (FIML: of 3 runs); lavaan's is the elapsed
time of one fit (``system.time``), read from Rscript's output.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from _suite import Row, median_and_min

import colead as cl
from colead.simulation.twolevel import two_level_factor_data

TARGET_S = 5.0
TARGET_FIML_S = 10.0
ITEMS = [f"y{j}" for j in range(1, 7)]
R_CODE = """
suppressPackageStartupMessages(library(lavaan))
x <- read.csv(path)
model <- 'level: 1
  f =~ y1 + y2 + y3 + y4 + y5 + y6
level: 2
  f =~ y1 + y2 + y3 + y4 + y5 + y6'
t <- system.time(fit <- cfa(model, data = x, cluster = "school_id"MISSING))[["elapsed"]]
cat("\\nSECONDS", t, "\\nCHISQ", sprintf("%.6f", fitMeasures(fit, "chisq")),
    "\\nLOGL", sprintf("%.6f", fitMeasures(fit, "logl")), "\\n")
"""


def make_data(schools: int) -> pd.DataFrame:
    """About 25 teachers per school, one factor at each level."""
    return two_level_factor_data(
        n_schools=schools,
        respondents=(5, 45),
        within_loadings=np.array([1.0, 0.9, 0.8, 0.7, 0.85, 0.6]),
        between_loadings=np.array([0.5, 0.45, 0.4, 0.3, 0.35, 0.25]),
        within_residual=np.array([0.6, 0.7, 0.8, 0.9, 0.75, 1.0]),
        between_residual=np.array([0.05, 0.04, 0.06, 0.03, 0.05, 0.04]),
        means=np.array([3.0, 3.5, 4.0, 2.5, 3.2, 3.8]),
        missing=0.05,
        seed=20261207,
    )


def lavaan_seconds(
    path: Path, timeout: float, missing: str = "listwise"
) -> tuple[float, float, float]:
    """lavaan's elapsed seconds, chi-square and log-likelihood on ``path``; NaN without R,
    inf on timeout."""
    nan = float("nan")
    if shutil.which("Rscript") is None:
        return nan, nan, nan
    extra = ', missing = "ml"' if missing == "ml" else ""
    code = f"path <- '{path}'\n" + R_CODE.replace("MISSING", extra)
    try:
        done = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True,
                              timeout=timeout, check=True)  # fmt: skip
    except subprocess.TimeoutExpired:
        return float("inf"), nan, nan
    except subprocess.CalledProcessError:
        return nan, nan, nan
    found = [re.findall(rf"{key} ([-0-9.]+)", done.stdout) for key in ("SECONDS", "CHISQ", "LOGL")]
    seconds, chisq, logl = (float(v[-1]) if v else nan for v in found)
    return seconds, chisq, logl


def rows(
    *, quick: bool, runs: int, use_r: bool, folder: Path, fiml: bool = True
) -> list[Row]:
    """The benchmark as rows of the performance suite (``benchmarks/run.py``)."""
    schools = 200 if quick else 4_000
    data = make_data(schools)
    model = {"f": ITEMS}
    path = folder / "twolevel.csv"
    if use_r:
        data.to_csv(path, index=False, na_rep="NA")
    out = []
    for missing in ("listwise", "ml") if fiml else ("listwise",):
        n_runs = runs if missing == "listwise" else min(runs, 3)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fit = cl.cfa(data, model, cluster="school_id", missing=missing)
            median, _ = median_and_min(
                lambda m=missing: cl.cfa(data, model, cluster="school_id", missing=m), n_runs
            )
        how = "" if missing == "listwise" else ", FIML"
        label = f"two-level CFA{how}, 6 items, {len(data):,} teachers in {schools:,} schools"
        lavaan = float("nan")
        if use_r:
            lavaan, chisq, logl = lavaan_seconds(path, timeout=3600, missing=missing)
            # lavaan's FIML H1 stops short of the maximum (nlminb, rel.tol 1e-7 on -logl / N),
            # which lowers its chi-square by twice the shortfall
            tol = 1e-4 * max(1.0, chisq) if missing == "listwise" else 1e-6 * abs(logl)
            if chisq == chisq and abs(chisq - fit.fit.chisq) > tol:
                print(f"warning: chi-square differs from lavaan's: {fit.fit.chisq} vs {chisq}")
            if logl == logl and abs(logl - fit.fit.logl) > 1e-6 * abs(logl):
                print(f"warning: log-likelihood differs from lavaan's: {fit.fit.logl} vs {logl}")
        target = TARGET_S if missing == "listwise" else TARGET_FIML_S
        r_label = f"R lavaan::cfa(cluster ={', missing = ml' if how else ''})" if use_r else ""
        out.append(Row(label, median, r_label, lavaan, f"< {target:g} s" if not quick else ""))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5,000 teachers, 3 runs (for CI)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip lavaan")
    parser.add_argument("--no-fiml", action="store_true", help="listwise deletion only")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    with tempfile.TemporaryDirectory() as tmp:
        found = rows(quick=args.quick, runs=runs, use_r=not args.no_r, folder=Path(tmp),
                     fiml=not args.no_fiml)  # fmt: skip
    status = 0
    for row, target in zip(found, (TARGET_S, TARGET_FIML_S), strict=False):
        other = "" if row.other != row.other else f"; lavaan {row.other:.2f} s"
        ratio = "" if row.ratio != row.ratio else f" ({1 / row.ratio:.0f}x colead's time)"
        print(f"{row.workload}: colead {row.colead:.3f} s (median){other}{ratio}")
        if not args.quick and row.colead >= target:
            print(f"over target ({target:g} s)")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

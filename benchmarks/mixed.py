"""Time ``colead.multilevel`` beside lme4's ``lmer`` on the same data: a random-intercept model
with its null model, and a random-slope model with its null model, at 100,000 teachers in
4,000 schools (targets: within 1.5x and 3x lme4's time).

    python benchmarks/mixed.py [--quick] [--runs R] [--threads T] [--no-r]

The teachers come from ``colead.simulate`` (colead-teacher, 25 per school, fixed seed), scored.
colead fits the model and its null model in one call; R fits both with ``lmer`` (REML), timed
inside R with ``system.time`` after one untimed fit (R's start, loading lme4 and reading the
CSV are not timed). Runs alternate between colead and a fresh Rscript; the minimum of R runs
is reported. Both sides run with the same number of BLAS threads. The log-likelihoods are
compared, so that the rows show the same fit, not only the same time.
"""

from __future__ import annotations

import argparse
import math
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pandas as pd
from _suite import Row, blas_threads, compared, in_fresh_process, print_rows, thread_environment

import colead as cl

R_TIMEOUT_S = 600
FORMULA = ("focused_instruction ~ reflective_dialogue + deprivatized_practice + shared_focus"
           " + collective_efficacy")  # fmt: skip
SLOPE = "shared_focus"
R_CODE = """
suppressPackageStartupMessages(library(lme4))
d <- read.csv(path)
f <- {formula}
f0 <- focused_instruction ~ 1 + (1 | school_id)
fit <- function() list(lmer(f, data = d), lmer(f0, data = d))
cold <- system.time(m <- fit())[["elapsed"]]
warm <- system.time(m <- fit())[["elapsed"]]
ll <- sprintf("%.10f", as.numeric(logLik(m[[1]])))
cat("\\nCOLD", cold, "\\nSECONDS", warm, "\\nLOGLIK", ll, "\\n")
"""


def district(schools: int) -> pd.DataFrame:
    sim = cl.simulate("colead-teacher", n_schools=schools, respondents=25, seed=20261128)
    return cl.score(sim)


def r_lmer(path: Path, formula: str, threads: int) -> tuple[float, float, float]:
    """lme4's warm and cold seconds (timed inside R) and the model's REML log-likelihood;
    (inf, inf, nan) on timeout, NaNs without R."""
    if shutil.which("Rscript") is None:
        return math.nan, math.nan, math.nan
    code = f"path <- '{path}'\n" + R_CODE.format(formula=formula)
    try:
        done = subprocess.run(
            ["Rscript", "-e", code], capture_output=True, text=True, timeout=R_TIMEOUT_S,
            check=True, env=thread_environment(threads),
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return math.inf, math.inf, math.nan
    except subprocess.CalledProcessError:
        return math.nan, math.nan, math.nan

    def value(name: str) -> float:
        found = re.findall(rf"{name} (-?[0-9.]+)", done.stdout)
        return float(found[-1]) if found else math.nan

    return value("SECONDS"), value("COLD"), value("LOGLIK")


def rows(*, quick: bool, runs: int, use_r: bool, threads: int, folder: Path) -> list[Row]:
    schools = 200 if quick else 4_000
    scores = district(schools)
    path = folder / "mixed.csv"
    scores.to_csv(path, index=False)
    out = []
    cases = [
        ("random intercept + null model", {}, "(1 | school_id)", "1.5x lme4"),
        (f"random slope ({SLOPE}) + null model", {"random": SLOPE},
         f"(1 + {SLOPE} | school_id)", "3x lme4"),
    ]  # fmt: skip
    for label, options, random_part, target in cases:
        def ours(options: dict[str, str] = options) -> cl.ModelResult:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", cl.ColeadWarning)  # a singular slope fit
                return cl.multilevel(FORMULA, scores, group="school_id", **options)

        r_formula = f"{FORMULA} + {random_part}"
        r_cold: list[float] = []
        r_loglik: list[float] = []

        def theirs(r_formula: str = r_formula, r_cold: list[float] = r_cold,
                   r_loglik: list[float] = r_loglik) -> float:  # fmt: skip
            warm, cold, loglik = r_lmer(path, r_formula, threads)
            r_cold.append(cold)
            r_loglik.append(loglik)
            return warm

        name = f"multilevel, {label}, {len(scores):,} teachers in {schools:,} schools"
        if use_r:
            row = compared(name, ours, "R lme4::lmer (REML), same data", theirs, runs,
                           target=f"within {target}")  # fmt: skip
            row.limit = R_TIMEOUT_S
            mine = float(ours().fit["reml_loglik"])
            gap = abs(mine - r_loglik[-1]) / abs(r_loglik[-1])
            row.note = (f"lme4 cold {min(r_cold):.2f} s; REML logLik: colead {mine:.4f}, lme4 "
                        f"{r_loglik[-1]:.4f} (rel. diff {gap:.1e})")  # fmt: skip
        else:
            from _suite import alone

            row = alone(name, ours, runs, target=f"within {target}")
        row.cold = in_fresh_process(
            f"cl.multilevel({FORMULA!r}, inputs, group='school_id', **{options!r})",
            scores, setup="import warnings; warnings.simplefilter('ignore'); import colead as cl",
            threads=threads,
        ).cold  # fmt: skip
        out.append(row)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 schools, 3 runs (for CI)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-r", action="store_true", help="skip lme4")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    with blas_threads(args.threads) as described, tempfile.TemporaryDirectory() as tmp:
        found = rows(quick=args.quick, runs=runs, use_r=not args.no_r, threads=args.threads,
                     folder=Path(tmp))  # fmt: skip
    print(f"BLAS: {described}; minimum of {runs} interleaved runs")
    print_rows(found, markdown=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

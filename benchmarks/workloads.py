"""Workloads of the performance suite that need R or the influence and path models."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

R_TIMEOUT_S = 900

# R code for each comparison: reads the CSV at `path` (not timed), prints the elapsed seconds
# (after an untimed call where the comparison is quick: the least of 3 timed calls).
R_CODE = {
    "alpha": (
        "x <- read.csv(path); suppressWarnings(psych::alpha(x)); "
        "t <- replicate(3, system.time(suppressWarnings(psych::alpha(x)))[['elapsed']]); "
        "cat('\\nSECONDS', min(t), '\\n')"
    ),
    # aov builds a dense model matrix with one column per school: one run only.
    "agreement": (
        "d <- read.csv(path); items <- d[, grep('^s0_', names(d))]; "
        "t1 <- system.time(multilevel::ICC1(aov(score ~ as.factor(school_id), data = d)))"
        "[['elapsed']]; "
        "t2 <- system.time(multilevel::rwg.j(items, d$school_id, ranvar = 35/12))[['elapsed']]; "
        "cat('\\nSECONDS', t1 + t2, '\\n')"
    ),
}


def r_available() -> bool:
    """Rscript with psych, multilevel and lme4."""
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(["Rscript", "-e", "library(psych); library(multilevel); library(lme4)"],
                           capture_output=True, timeout=60)
    return check.returncode == 0


def r_seconds(name: str, path: Path, threads: int = 1) -> float:
    """Elapsed seconds R reports for the comparison ``name`` on the file ``path`` (inf when it
    times out, NaN when R fails), with ``threads`` BLAS threads."""
    from _suite import thread_environment

    code = f"path <- '{path}'; " + R_CODE[name]
    try:
        done = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True,
                              timeout=R_TIMEOUT_S, check=True,
                              env=thread_environment(threads))  # fmt: skip
    except subprocess.TimeoutExpired:
        return math.inf
    except subprocess.CalledProcessError:
        return math.nan
    found = re.findall(r"SECONDS ([0-9.]+)", done.stdout)
    return float(found[-1]) if found else math.nan


def influence_rows(principals: int, runs: int = 5) -> list[Any]:
    """The seven Ni-style zone models with 88 BRR replicate weights, beside refitting every
    replicate in a Python loop (interleaved)."""
    import influence as influence_bench
    from _suite import compared

    import colead as cl

    sim = cl.simulate("sass-principal-influence", n_schools=principals, respondents=1,
                      seed=20260601)
    table = cl.simulate_replicate_weights(principals, n_replicates=88, seed=20260602)
    weight = table["weight"].to_numpy()
    reps = table.filter(like="repwt").to_numpy()
    design = cl.replicate_design(weight, reps)
    return [compared(f"influence relations, {principals:,} principals, 88 replicates",
                     lambda: cl.influence_relations(sim, controls=influence_bench.CONTROLS,
                                                    replicate_weights=design),
                     "Python loop of 7 x 89 lstsq fits",
                     lambda: influence_bench.loop_baseline(sim.data, weight, reps), runs,
                     target="< 2 s")]  # fmt: skip


def path_rows(*, quick: bool) -> list[Any]:
    """A path model with 1,000 cluster-bootstrap replicates, beside the naive bootstrap that
    refits every equation on every replicate (timed on 5 replicates, extrapolated)."""
    import time

    import relate as relate_bench
    from _suite import Row, min_seconds

    import colead as cl

    schools, boot = (100, 200) if quick else (200, 1000)
    scores = relate_bench.district(schools, 25)
    model = relate_bench.default_model()
    seconds = min_seconds(
        lambda: cl.path(model, scores, group="school_id", n_boot=boot, seed=1))
    reps = 5
    start = time.perf_counter()
    relate_bench.naive_bootstrap(scores, model, reps)
    naive = (time.perf_counter() - start) / reps * boot
    return [Row(f"path model, {len(scores):,} teachers, {boot:,} cluster replicates", seconds,
                f"statsmodels refits x {boot:,} (5 timed, extrapolated)", naive, "< 10 s")]

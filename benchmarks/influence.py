"""Time the Ni-style decision-influence models: 5,000 principals, 6 stakeholders x 7 zones,
88 BRR replicate weights.

    python benchmarks/influence.py [--principals N] [--replicates R] [--runs K] [--quick]

``colead.influence_relations`` fits all seven zone models (the principal's influence on the
five other stakeholders' plus five controls, eleven coefficients) with replicate-weight
standard errors: per zone, the full-sample fit and the 88 replicate fits come from one matrix
product and one batched solve. Timed beside a baseline that refits each replicate in a Python
loop (``numpy.linalg.lstsq`` on sqrt(w)-scaled rows, 7 x 89 fits), and beside the descriptive
side (``colead.influence`` with its mean matrix and the per-respondent indices). The minimum of
K runs is reported (the models interleaved with the loop), with one BLAS thread. Target: all
seven zone models with replicate errors under 2 s at full size. The data come from
``colead.simulate`` and ``colead.simulate_replicate_weights`` with fixed seeds (not timed).
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd
from _suite import blas_threads, interleaved, min_seconds

import colead as cl

TARGET_S = 2.0
CONTROLS = ["years_as_principal", "school_level", "locale", "enrolment", "pct_frpl"]


def loop_baseline(data: pd.DataFrame, weight: np.ndarray, reps: np.ndarray) -> None:
    """The same point estimates by refitting every replicate in a Python loop."""
    grid = cl.load_instrument("sass-principal-influence").influence
    others = [s for s in grid.stakeholder_ids if s != "principal"]
    controls = pd.get_dummies(
        data[CONTROLS].astype({"school_level": "category", "locale": "category"}),
        drop_first=True,
        dtype=float,
    )
    for zone in grid.zone_ids:
        cols = [f"inf_{s}_{zone}" for s in others]
        frame = pd.concat([data[[f"inf_principal_{zone}", *cols]], controls], axis=1)
        ok = frame.notna().all(axis=1).to_numpy()
        y = frame.iloc[:, 0].to_numpy()[ok]
        x = np.column_stack([np.ones(ok.sum()), frame.iloc[:, 1:].to_numpy()[ok]])
        betas = []
        for w in np.column_stack([weight, reps])[ok].T:
            root = np.sqrt(w)
            betas.append(np.linalg.lstsq(x * root[:, None], y * root, rcond=None)[0])
        thetas = np.array(betas[1:])
        _ = (thetas - thetas.mean(axis=0)).T @ (thetas - thetas.mean(axis=0)) / len(thetas)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--principals", type=int, default=5_000)
    parser.add_argument("--replicates", type=int, default=88)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="1,000 principals, 2 runs (for CI)")
    args = parser.parse_args()
    if args.quick:
        args.principals, args.runs = 1_000, 2
    sim = cl.simulate(
        "sass-principal-influence", n_schools=args.principals, respondents=1, seed=20260601
    )
    table = cl.simulate_replicate_weights(
        args.principals, n_replicates=args.replicates, seed=20260602
    )
    weight = table["weight"].to_numpy()
    reps = table.filter(like="repwt").to_numpy()
    design = cl.replicate_design(weight, reps)

    def models() -> None:
        cl.influence_relations(sim, controls=CONTROLS, replicate_weights=design)

    def descriptive() -> None:
        res = cl.influence(sim)
        res.matrix()
        res.indices()

    with blas_threads(1):
        ours, loop = interleaved(models, lambda: loop_baseline(sim.data, weight, reps),
                                 args.runs)  # fmt: skip
        timings = {
            "colead influence_relations (7 zones)": min(ours),
            "loop baseline (7 x 89 lstsq fits)": min(loop),
            "colead influence + matrix + indices": min_seconds(descriptive, args.runs),
            "replicate_design (design df)": min_seconds(
                lambda: cl.replicate_design(weight, reps), args.runs
            ),
        }
    print(
        f"{args.principals:,} principals, 6 stakeholders x 7 zones, {args.replicates} BRR "
        f"replicate weights, {len(CONTROLS)} controls; minimum of {args.runs} runs"
    )
    for name, seconds in timings.items():
        print(f"  {name:<40} {seconds:7.3f} s")
    main_time = timings["colead influence_relations (7 zones)"]
    ratio = timings["loop baseline (7 x 89 lstsq fits)"] / main_time
    print(f"  speed-up over the loop                    {ratio:6.1f} x")
    print(
        f"  seven zone models with replicate errors {main_time:.3f} s "
        f"(target < {TARGET_S:g} s at full size)"
    )
    return 0 if args.quick or main_time < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

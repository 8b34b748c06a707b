"""Time scale scores and reliability on large data, and alpha beside pingouin's.

    python benchmarks/psychometrics.py [--quick]

Workloads (fixed seed, 3% of answers missing):
- ``score`` plus ``reliability`` (alpha with Feldt interval, item analysis and one-factor
  omega per scale): 100,000 respondents x 120 items in 20 scales (target: under 2 s);
- ``alpha`` on a 100,000 x 20 block with missing answers, beside ``pingouin.cronbach_alpha``
  on the same data (target: no slower than pingouin).
Each is the minimum of 5 runs (alpha interleaved with pingouin's), with one BLAS thread.
"""

from __future__ import annotations

import argparse
import sys
import warnings

import pingouin
from _suite import blas_threads, interleaved, min_seconds

import colead as cl

TARGET_S = 2.0


def instrument(n_scales: int, k: int) -> cl.Instrument:
    labels = {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Slightly disagree",
        4: "Slightly agree",
        5: "Agree",
        6: "Strongly agree",
    }
    return cl.load_instrument(
        {
            "name": "bench",
            "title": "Benchmark",
            "version": "1",
            "response_scales": {"agree6": {"labels": labels}},
            "scales": {f"s{j}": {"title": f"Scale {j}"} for j in range(n_scales)},
            "items": [
                {
                    "id": f"s{j}_{i}",
                    "text": f"Item {i} of scale {j}",
                    "scale": f"s{j}",
                    "reverse": i == k,
                    "response_scale": "agree6",
                }
                for j in range(n_scales)
                for i in range(1, k + 1)
            ],
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 respondents (for CI)")
    args = parser.parse_args()
    n = 2_000 if args.quick else 100_000
    inst = instrument(20, 6)
    resp = cl.simulate(inst, n_schools=n // 25, respondents=25, missing=0.03, seed=20261127)

    def score_and_reliability() -> None:
        cl.score(resp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cl.reliability(resp)

    block_inst = instrument(1, 20)
    block = cl.simulate(
        block_inst, n_schools=n // 25, respondents=25, missing=0.03, seed=20261128
    ).data[list(block_inst.item_ids)]
    with blas_threads(1):
        both = min_seconds(score_and_reliability, 5)
        mine, peer = interleaved(lambda: cl.alpha(block),
                                 lambda: pingouin.cronbach_alpha(data=block), 5)  # fmt: skip
    ours, theirs = min(mine), min(peer)
    print(f"{n:,} respondents; minimum of 5 runs, one BLAS thread")
    print(
        f"  score + reliability, 120 items / 20 scales   {both:6.2f} s   (target < {TARGET_S:g} s)"
    )
    print(
        f"  alpha, {n:,} x 20: colead {ours:6.3f} s, pingouin {theirs:6.3f} s, "
        f"ratio {ours / theirs:.2f}"
    )
    return 0 if args.quick or (both < TARGET_S and ours <= theirs) else 1


if __name__ == "__main__":
    sys.exit(main())

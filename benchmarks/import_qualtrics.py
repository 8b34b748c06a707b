"""Time reading a Qualtrics export: 100,000 responses x 150 columns (target: under 5 s).

    python benchmarks/import_qualtrics.py [--rows N] [--runs R] [--quick]

The export is written once (fixed seed) in the current Qualtrics layout: 17 metadata columns,
132 answer columns (22 six-item agreement scales) and ``school_id``. ``read_responses`` is
timed over R runs alternating with a bare ``pandas.read_csv`` of the same file (the cost of
parsing alone); the minimum of each is reported, with one BLAS thread.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd
from _suite import blas_threads, interleaved

import colead as cl

TARGET_S = 5.0


def instrument(n_scales: int = 22, k: int = 6) -> cl.Instrument:
    labels = {
        1: "Strongly disagree",
        2: "Disagree",
        3: "Slightly disagree",
        4: "Slightly agree",
        5: "Agree",
        6: "Strongly agree",
    }
    scales = {f"s{j}": {"title": f"Scale {j}"} for j in range(n_scales)}
    items = [
        {
            "id": f"s{j}_{i}",
            "text": f"Statement {i} of scale {j}",
            "scale": f"s{j}",
            "reverse": i == k,
            "response_scale": "agree6",
        }
        for j in range(n_scales)
        for i in range(1, k + 1)
    ]
    return cl.load_instrument(
        {
            "name": "bench",
            "title": "Benchmark",
            "version": "1",
            "response_scales": {"agree6": {"labels": labels, "missing": ["Not applicable", -99]}},
            "scales": scales,
            "items": items,
        }
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="2,000 rows, 2 runs (for CI)")
    args = parser.parse_args()
    rows, runs = (2_000, 2) if args.quick else (args.rows, args.runs)
    inst = instrument()
    schools = max(1, rows // 25)
    resp = cl.simulate(inst, n_schools=schools, respondents=rows // schools, seed=20261127)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "qualtrics.csv"
        cl.write_export(resp, path, platform="qualtrics")
        n_columns = len(pd.read_csv(path, nrows=0).columns)
        with blas_threads(1):
            ours, theirs = interleaved(lambda: cl.read_responses(path, inst),
                                       lambda: pd.read_csv(path, header=None, dtype=object),
                                       runs)  # fmt: skip
        read, parse = min(ours), min(theirs)
        size = path.stat().st_size / 1e6
    print(
        f"Qualtrics export: {len(resp.data):,} rows x {n_columns} columns, {size:.1f} MB; "
        f"minimum of {runs} interleaved runs"
    )
    print(f"  colead.read_responses   {read:7.2f} s   (target < {TARGET_S:g} s at 100,000 rows)")
    print(f"  pandas.read_csv (parse) {parse:7.2f} s   ratio {read / parse:.1f}")
    return 0 if args.quick or read < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

"""Time the HTML report: 100 schools and 3,000 teachers (target: under 30 s).

    python benchmarks/report.py [--quick]

The district is simulated once with a fixed seed (colead-teacher, 10-50 teachers per school);
``colead.report`` is timed over 3 runs and the median printed with the file's size.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import colead as cl

TARGET_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 schools, 1 run (for CI)")
    args = parser.parse_args()
    schools, runs = (10, 1) if args.quick else (100, 3)
    resp = cl.simulate("colead-teacher", n_schools=schools, respondents=(10, 50), seed=20261127)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.html"
        for _ in range(runs):
            start = time.perf_counter()
            cl.report(resp, path=path, progress=False)
            times.append(time.perf_counter() - start)
        size = path.stat().st_size / 1e6
    seconds = statistics.median(times)
    print(f"report: {schools} schools, {len(resp.data):,} teachers; median of {runs} runs "
          f"{seconds:.1f} s (target < {TARGET_S:g} s at 100 schools), {size:.1f} MB")
    return 0 if args.quick or seconds < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

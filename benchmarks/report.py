"""Time the HTML report.

    python benchmarks/report.py [--quick] [--scaling] [--state]

Default: 100 schools and about 3,000 teachers (target: under 30 s), median of 3 runs, with
the district report's size (target: under 3 MB at 100 schools).
``--scaling``: 200, 800 and 3,200 schools in one run, each with one report per school
(``per_school=``), median of 3 runs each; the report must grow linearly:
time(3,200) / time(800) <= 4.5 and time(800) / time(200) <= 4.5. ``--state``: 4,000 schools
and 100,000 teachers with one report per school (target: under 60 s; the district report
under 10 MB). ``--quick`` (CI) uses
small sizes and one run, and checks nothing.

Districts are simulated once per size with fixed seeds (colead-teacher); the simulation is
not timed.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import colead as cl

TARGET_S = 30.0
TARGET_MB = 3.0
STATE_TARGET_S = 60.0
STATE_TARGET_MB = 10.0
GROWTH = 4.5
SCALING = (200, 800, 3_200)
QUICK_SCALING = (20, 80, 320)


@dataclass(frozen=True)
class Timing:
    schools: int
    teachers: int
    seconds: float
    district_mb: float
    school_files_mb: float


def time_report(schools: int, *, respondents: tuple[int, int] = (15, 35), runs: int = 1,
                per_school: bool = True, seed: int = 20261127) -> Timing:
    """The median time of ``runs`` reports of a simulated district (with one report per
    school when ``per_school``), and the sizes written."""
    resp = cl.simulate("colead-teacher", n_schools=schools, respondents=respondents, seed=seed)
    times = []
    with tempfile.TemporaryDirectory() as folder:
        path, own = Path(folder) / "report.html", Path(folder) / "schools"
        for _ in range(runs):
            shutil.rmtree(own, ignore_errors=True)  # each run writes new files, as a first run
            start = time.perf_counter()
            cl.report(resp, path=path, per_school=own if per_school else None, progress=False)
            times.append(time.perf_counter() - start)
        files = sum(p.stat().st_size for p in own.glob("*.html")) if per_school else 0
        size = path.stat().st_size
    return Timing(schools, len(resp.data), statistics.median(times), size / 1e6, files / 1e6)


def scaling(sizes: tuple[int, ...] = SCALING, runs: int = 3) -> list[Timing]:
    """The report at each size in one run, the median of ``runs`` reports per size (warmed up
    first, so that no size pays the imports; on a shared machine one report's time swings)."""
    time_report(10)
    return [time_report(n, runs=runs) for n in sizes]


def growth(timings: list[Timing]) -> list[float]:
    """time(next size) / time(size), for each step of ``timings``."""
    return [b.seconds / a.seconds for a, b in itertools.pairwise(timings)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, 1 run (for CI)")
    parser.add_argument("--scaling", action="store_true",
                        help="200, 800 and 3,200 schools: linear growth")
    parser.add_argument("--state", action="store_true",
                        help="4,000 schools and 100,000 teachers")
    args = parser.parse_args()
    ok = True
    if args.scaling:
        timings = scaling(QUICK_SCALING if args.quick else SCALING)
        for t in timings:
            print(f"report + per-school files: {t.schools:,} schools, {t.teachers:,} teachers "
                  f"{t.seconds:.1f} s (district {t.district_mb:.2f} MB, school files "
                  f"{t.school_files_mb:.0f} MB)")
        steps = growth(timings)
        print("growth per 4x schools: " + ", ".join(f"{g:.2f}" for g in steps)
              + f" (target <= {GROWTH:g})")
        ok = all(g <= GROWTH for g in steps)
    elif args.state:
        schools = 400 if args.quick else 4_000
        time_report(10)
        t = time_report(schools)
        print(f"report + per-school files: {t.schools:,} schools, {t.teachers:,} teachers "
              f"{t.seconds:.1f} s (target < {STATE_TARGET_S:g} s), district report "
              f"{t.district_mb:.2f} MB (target < {STATE_TARGET_MB:g} MB), school files "
              f"{t.school_files_mb:.0f} MB")
        ok = t.seconds < STATE_TARGET_S and t.district_mb < STATE_TARGET_MB
    else:
        schools, runs = (10, 1) if args.quick else (100, 3)
        t = time_report(schools, respondents=(10, 50), runs=runs, per_school=False)
        print(f"report: {schools} schools, {t.teachers:,} teachers; median of {runs} runs "
              f"{t.seconds:.1f} s (target < {TARGET_S:g} s at 100 schools), "
              f"{t.district_mb:.2f} MB (target < {TARGET_MB:g} MB)")
        ok = t.seconds < TARGET_S and t.district_mb < TARGET_MB
    return 0 if args.quick or ok else 1


if __name__ == "__main__":
    sys.exit(main())

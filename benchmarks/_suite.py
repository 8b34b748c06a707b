"""Shared pieces of the performance suite: fair timing, the table row and its printing.

Fair timing on a shared machine:

- colead and its comparison run alternately (colead, comparison, colead, ...), so that a load
  that comes and goes weighs on both alike; the minimum over runs (the least disturbed run)
  is reported, the median beside it;
- BLAS threads are stated and limited (threadpoolctl; one thread by default): matrix-product
  kernels otherwise swing by 10x or more on a loaded machine;
- "warm" is a call after an untimed first one; "cold" is the first call in a fresh process,
  lazy imports included (its inputs are loaded before the clock starts);
- a comparison that times out is shown as "> limit", never as a number, and no ratio is made
  from it.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@dataclass
class Row:
    workload: str
    colead: float  # warm seconds: minimum over runs
    comparison: str = ""
    other: float = float("nan")  # seconds; inf when it timed out
    target: str = ""
    cold: float = float("nan")  # first call in a fresh process
    limit: float = float("nan")  # the comparison's timeout
    note: str = ""  # memory, agreement of results, ...
    runs: int = 0
    medians: tuple[float, float] = field(default=(float("nan"), float("nan")))

    @property
    def ratio(self) -> float:
        if self.other != self.other or math.isinf(self.other) or not self.other:
            return float("nan")
        return self.colead / self.other

    def other_text(self) -> str:
        if math.isinf(self.other):
            return f"> {self.limit:g}" if self.limit == self.limit else "> limit"
        return _cell(self.other)

    def ratio_text(self) -> str:
        if math.isinf(self.other) and self.limit == self.limit:
            return f"< {self.colead / self.limit:.2g}"
        return _cell(self.ratio, ratio=True)


def _cell(x: float, *, ratio: bool = False) -> str:
    if x != x:
        return ""
    if ratio:
        return f"{x:.3g}"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


# -- threads ---------------------------------------------------------------------------------
@contextlib.contextmanager
def blas_threads(threads: int) -> Iterator[str]:
    """Limit BLAS (and OpenMP) threads for the block; yields a description for the table."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=threads):
        pools = threadpool_info()
        described = ", ".join(
            sorted({f"{p['internal_api']} {p['num_threads']} thread(s)" for p in pools})
        )
        yield described or "no BLAS library found"


def thread_environment(threads: int) -> dict[str, str]:
    """Environment variables that fix the threads of a child process (Python or R)."""
    value = str(threads)
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")  # fmt: skip
    return {**os.environ, **dict.fromkeys(names, value)}


# -- timing ----------------------------------------------------------------------------------
def run_times(func: Callable[[], object], runs: int, warm: bool = True) -> list[float]:
    """Seconds of each of ``runs`` calls; with ``warm``, one untimed call first (first-use
    imports and caches are not what is measured)."""
    if warm:
        func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return times


def median_seconds(func: Callable[[], object], runs: int = 5, warm: bool = True) -> float:
    return statistics.median(run_times(func, runs, warm))


def median_and_min(func: Callable[[], object], runs: int) -> tuple[float, float]:
    times = run_times(func, runs)
    return statistics.median(times), min(times)


def min_seconds(func: Callable[[], object], runs: int = 5, warm: bool = True) -> float:
    return min(run_times(func, runs, warm))


def interleaved(
    ours: Callable[[], object],
    theirs: Callable[[], object],
    runs: int,
    *,
    warm: bool = True,
) -> tuple[list[float], list[float]]:
    """Seconds of ``runs`` calls of each, alternating. ``theirs`` may return its own seconds
    as a float (an R process timing itself inside R, inf on a timeout); anything else it
    returns is ignored and the call is timed here."""
    if warm:
        ours()
        theirs()
    a: list[float] = []
    b: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        ours()
        a.append(time.perf_counter() - start)
        start = time.perf_counter()
        reported = theirs()
        b.append(reported if isinstance(reported, float) else time.perf_counter() - start)
    return a, b


def compared(
    workload: str,
    ours: Callable[[], object],
    comparison: str,
    theirs: Callable[[], object],
    runs: int,
    **fields: Any,
) -> Row:
    """A row from interleaved runs: minima, with the medians kept."""
    a, b = interleaved(ours, theirs, runs)
    return Row(workload, min(a), comparison, min(b), runs=runs,
               medians=(statistics.median(a), statistics.median(b)), **fields)  # fmt: skip


def alone(workload: str, ours: Callable[[], object], runs: int, **fields: Any) -> Row:
    times = run_times(ours, runs)
    return Row(workload, min(times), runs=runs,
               medians=(statistics.median(times), float("nan")), **fields)  # fmt: skip


# -- fresh processes: cold calls and peak memory ----------------------------------------------
_CHILD = """
import pickle, resource, sys, time
sys.path.insert(0, {here!r})
with open({inputs!r}, "rb") as handle:
    inputs = pickle.load(handle)
{setup}
times = []
for _ in range({repeat}):
    start = time.perf_counter()
{call}
    times.append(time.perf_counter() - start)
try:  # the high-water mark of this program (ru_maxrss would count the parent's, on Linux)
    with open("/proc/self/status") as status:
        peak = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM")) / 1e6
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
print("RESULT", " ".join(map(str, times)), peak)
"""


@dataclass
class Fresh:
    """A call in a new interpreter: the first call (cold: lazy imports included), the best of
    the calls after it (warm; NaN with one call) and the process's peak memory in GB."""

    cold: float
    warm: float
    peak: float


def in_fresh_process(
    call: str,
    inputs: Any = None,
    *,
    setup: str = "",
    repeat: int = 1,
    threads: int = 1,
    timeout: float = 3600,
) -> Fresh:
    """Time ``call`` (Python source; ``inputs`` is the unpickled object) ``repeat`` times in a
    new interpreter and read its peak resident memory (inputs included; /proc's VmHWM, since
    Linux keeps ru_maxrss across exec, so a child would report its parent's peak). ``setup`` runs
    before the clock starts. A timeout gives inf."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inputs.pickle"
        with path.open("wb") as handle:
            pickle.dump(inputs, handle, protocol=pickle.HIGHEST_PROTOCOL)
        body = textwrap.indent(textwrap.dedent(call).strip("\n"), "    ")
        code = _CHILD.format(here=str(HERE), inputs=str(path), setup=textwrap.dedent(setup),
                             call=body, repeat=repeat)  # fmt: skip
        try:
            done = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout,
                env=thread_environment(threads), check=True,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return Fresh(math.inf, math.inf, math.nan)
        except subprocess.CalledProcessError as exc:
            raise RuntimeError(f"benchmark child failed:\n{exc.stderr[-3000:]}") from None
    line = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    values = [float(v) for v in line.split()[1:]]
    times, peak = values[:-1], values[-1]
    return Fresh(times[0], min(times[1:]) if len(times) > 1 else math.nan, peak)


# -- printing --------------------------------------------------------------------------------
def print_rows(rows: list[Row], *, markdown: bool) -> None:
    if markdown:
        print("| workload | colead warm (s) | colead cold (s) | comparison | comparison (s) | "
              "ratio | target | note |")
        print("|---|---:|---:|---|---:|---:|---|---|")
        for r in rows:
            print(f"| {r.workload} | {_cell(r.colead)} | {_cell(r.cold)} | {r.comparison} | "
                  f"{r.other_text()} | {r.ratio_text()} | {r.target} | {r.note} |")
        return
    width = max(len(r.workload) for r in rows)
    cwidth = max([len(r.comparison) for r in rows] + [10])
    print(f"{'workload':<{width}}  {'warm s':>8} {'cold s':>8}  {'comparison':<{cwidth}} "
          f"{'s':>8} {'ratio':>7}  target / note")
    for r in rows:
        tail = "; ".join(t for t in (r.target, r.note) if t)
        print(f"{r.workload:<{width}}  {_cell(r.colead):>8} {_cell(r.cold):>8}  "
              f"{r.comparison:<{cwidth}} {r.other_text():>8} {r.ratio_text():>7}  {tail}")


def district_arguments(doc: str) -> argparse.Namespace:
    """The command line of a district-sized workload: teachers, schools, scales and runs, with
    ``--quick`` (5,000 teachers in 200 schools, 4 scales, 2 runs) for CI."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=100_000)
    parser.add_argument("--schools", type=int, default=4_000)
    parser.add_argument("--scales", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="5,000 teachers, 2 runs (for CI)")
    args = parser.parse_args()
    if args.quick:
        args.teachers, args.schools, args.scales, args.runs = 5_000, 200, 4, 2
    return args

"""Shared pieces of the performance suite: a table row and the median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    workload: str
    colead: float
    comparison: str = ""
    other: float = float("nan")
    target: str = ""

    @property
    def ratio(self) -> float:
        return self.colead / self.other if self.other == self.other and self.other else float("nan")


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

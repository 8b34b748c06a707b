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


def median_seconds(func: Callable[[], object], runs: int = 5, warm: bool = True) -> float:
    if warm:
        func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)

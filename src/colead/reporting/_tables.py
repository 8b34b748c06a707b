"""What the benchmarks and the shares read of the report's prepared tables: a Protocol, so
that they need not import :mod:`colead.reporting.prepare`, which calls them."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from colead.instrument import Instrument
from colead.io.responses import Responses


class Tables(Protocol):
    """The parts of :class:`colead.reporting.prepare.Prepared` computed before the benchmarks
    and the shares."""

    responses: Responses
    inst: Instrument
    by: str
    min_n: int
    grouped: bool
    titles: dict[str, str]
    groups: list[Any]
    scores: pd.DataFrame
    arrays: dict[str, np.ndarray]

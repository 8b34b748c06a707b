"""Checks of function arguments, with one message style for the whole package.

Messages read: "The 'icc' parameter of simulate must be a number in [0, 1); got 1.5."
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

from colead.exceptions import InvalidParameterError


def _fail(name: str, func: str, expected: str, value: Any) -> InvalidParameterError:
    return InvalidParameterError(
        f"The {name!r} parameter of {func} must be {expected}; got {value!r}."
    )


def check_option(value: Any, name: str, func: str, options: Iterable[str]) -> str:
    """``value`` must be one of ``options``."""
    options = tuple(options)
    if not isinstance(value, str) or value not in options:
        raise _fail(name, func, "one of " + ", ".join(repr(o) for o in options), value)
    return value


def check_number(
    value: Any,
    name: str,
    func: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` must be a real number within the given bounds."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        left = "(" if low_open or low is None else "["
        right = ")" if high_open or high is None else "]"
        interval = f"{left}{lo}, {hi}{right}"
        raise _fail(name, func, f"a number in {interval}", value)
    return float(value)


def check_int(value: Any, name: str, func: str, *, low: int | None = None) -> int:
    """``value`` must be an integer of at least ``low``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or (low is not None and value < low)
    ):
        raise _fail(
            name, func, "an integer" + (f" of at least {low}" if low is not None else ""), value
        )
    return int(value)

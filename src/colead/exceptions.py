"""Errors and warnings raised by colead.

Every error a user can cause is a :class:`ColeadError`. Errors about data collect every problem
before they are raised, so that one run shows everything to fix. ``problem_lines()`` gives one
line per problem; the command line prints exactly those lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ColeadError",
    "ColeadWarning",
    "InstrumentError",
    "InstrumentProblem",
    "InsufficientDataError",
    "InvalidParameterError",
    "ResponseDataError",
]

#: How many problems an error message lists before it says "and N more".
_MAX_LISTED = 50


class ColeadWarning(UserWarning):
    """A result is usable but deserves attention (a likely unreversed item, a small group)."""


class ColeadError(Exception):
    """Base class of every error caused by colead's input."""

    def problem_lines(self) -> list[str]:
        """One line per problem, for the command line."""
        return [str(self)]


class InstrumentProblem(NamedTuple):
    """One problem found in an instrument file."""

    file: str
    where: str
    field: str
    reason: str

    def __str__(self) -> str:
        place = ", ".join(
            part for part in (self.where, self.field and f"field {self.field!r}") if part
        )
        return f"{self.file}: {place}: {self.reason}" if place else f"{self.file}: {self.reason}"


class InstrumentError(ColeadError, ValueError):
    """An instrument file is missing, unreadable or inconsistent.

    ``problems`` lists every problem found, each with the file, where in it (such as
    ``item 'tp2'``), the field and the reason.
    """

    def __init__(self, problems: Iterable[InstrumentProblem]) -> None:
        self.problems: tuple[InstrumentProblem, ...] = tuple(problems)
        super().__init__(
            _listing(
                f"{_plural(len(self.problems), 'problem')} in the instrument",
                [str(p) for p in self.problems],
            )
        )

    def problem_lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class ResponseDataError(ColeadError, ValueError):
    """Response data contain values colead cannot use.

    ``problems`` is a DataFrame with one row per offending cell or row and the columns
    ``row``, ``column``, ``value`` and ``reason``. ``row`` is the row number a spreadsheet
    shows for the cell (header rows included); it is missing for a problem that concerns a
    whole column or the file.
    """

    def __init__(
        self, problems: Sequence[dict[str, Any]], *, context: str = "the response data"
    ) -> None:
        self._records = [
            {
                "row": p.get("row"),
                "column": p.get("column"),
                "value": p.get("value"),
                "reason": p["reason"],
            }
            for p in problems
        ]
        self.context = context
        super().__init__(
            _listing(f"{_plural(len(self._records), 'problem')} in {context}", self.problem_lines())
        )

    @property
    def problems(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self._records, columns=["row", "column", "value", "reason"])

    def problem_lines(self) -> list[str]:
        return [_problem_line(r) for r in self._records]


class InvalidParameterError(ColeadError, ValueError, TypeError):
    """A function was called with an option it does not accept.

    Subclasses both ValueError and TypeError, as scikit-learn's does, so that existing
    ``except`` clauses keep working.
    """


class InsufficientDataError(ColeadError, ValueError):
    """Too few respondents or answers to compute a statistic (or to show it, under ``min_n``)."""


def _problem_line(record: dict[str, Any]) -> str:
    parts = []
    if record["row"] is not None:
        parts.append(f"row {record['row']}")
    if record["column"] is not None:
        parts.append(f"column {record['column']!r}")
    if record["value"] is not None:
        parts.append(f"value {record['value']!r}")
    where = ", ".join(parts)
    return f"{where}: {record['reason']}" if where else str(record["reason"])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _listing(head: str, lines: list[str]) -> str:
    shown = lines[:_MAX_LISTED]
    more = len(lines) - len(shown)
    tail = [f"... and {more} more"] if more > 0 else []
    return "\n".join([f"{head}:", *(f"  {line}" for line in shown), *tail])

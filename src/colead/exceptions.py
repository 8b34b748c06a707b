"""Errors and warnings raised by colead.

Every error a user can cause is a :class:`ColeadError`. Errors about data collect every problem
before they are raised, so that one run shows everything to fix. ``problem_lines()`` gives one
line per problem; ``shown_lines()`` gives what the command line prints: the first 20 problems,
one line each, then one line counting the rest by kind ("1,414 more: unknown label in 49
columns"). The message of the exception lists the same.
"""

from __future__ import annotations

import re
from collections import Counter
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

#: How many problems an error message lists before it counts the rest by kind.
MAX_LISTED = 20


class ColeadWarning(UserWarning):
    """A result is usable but deserves attention (a likely unreversed item, a small group)."""


class ColeadError(Exception):
    """Base class of every error caused by colead's input."""

    def problem_lines(self) -> list[str]:
        """One line per problem, every problem."""
        return [str(self)]

    def shown_lines(self, limit: int = MAX_LISTED) -> list[str]:
        """What the command line prints: one line per problem up to ``limit``, then one line
        counting the rest by kind."""
        return self.problem_lines()


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
        head = f"{_plural(len(self.problems), 'problem')} in the instrument:"
        super().__init__("\n".join([head, *(f"  {line}" for line in self.shown_lines())]))

    def problem_lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def shown_lines(self, limit: int = MAX_LISTED) -> list[str]:
        rest = [(p.reason, None) for p in self.problems[limit:]]
        return _shown(self.problem_lines()[:limit], rest)


class ResponseDataError(ColeadError, ValueError):
    """Response data contain values colead cannot use.

    ``problems`` is a DataFrame with one row per offending cell or row and the columns
    ``row``, ``column``, ``value`` and ``reason``. ``row`` is the row number a spreadsheet
    shows for the cell (header rows included); it is missing for a problem that concerns a
    whole column or the file. A problem may also give a ``kind``, the short name under which
    the message counts the problems it does not list (by default the reason without its
    details).
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
        self._kinds = [p.get("kind") for p in problems]
        self.context = context
        head = f"{_plural(len(self._records), 'problem')} in {context}:"
        super().__init__("\n".join([head, *(f"  {line}" for line in self.shown_lines())]))

    @property
    def problems(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self._records, columns=["row", "column", "value", "reason"])

    def problem_lines(self) -> list[str]:
        return [_problem_line(r) for r in self._records]

    def shown_lines(self, limit: int = MAX_LISTED) -> list[str]:
        rest = [
            (kind or str(r["reason"]), r["column"])
            for r, kind in zip(self._records[limit:], self._kinds[limit:], strict=True)
        ]
        return _shown([_problem_line(r) for r in self._records[:limit]], rest)

    @property
    def names_a_file(self) -> bool:
        """True when ``context`` is a file name (not a description such as "the data"), so
        that a line without it would not say which file it is about."""
        return not self.context.startswith("the ")


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


def _shown(lines: list[str], rest: list[tuple[str, Any]]) -> list[str]:
    """``lines``, then one line counting ``rest`` ((reason or kind, column) pairs) by kind."""
    if not rest:
        return lines
    kinds: Counter[str] = Counter()
    columns: dict[str, set[Any]] = {}
    for reason, column in rest:
        kind = _kind(reason)
        kinds[kind] += 1
        if column is not None:
            columns.setdefault(kind, set()).add(column)

    def where(kind: str) -> str:
        n = len(columns.get(kind, ()))
        return f" in {_plural(n, 'column')}" if n else ""

    head = f"{len(rest):,} more"
    if len(kinds) == 1:
        kind = next(iter(kinds))
        return [*lines, f"{head}: {kind}{where(kind)}"]
    top = kinds.most_common(_MAX_KINDS)
    parts = [f"{kind} ({count:,}{',' if where(kind) else ''}{where(kind)})" for kind, count in top]
    others = len(kinds) - len(top)
    if others:
        parts.append(f"{others} other kinds ({sum(kinds.values()) - sum(c for _, c in top):,})")
    return [*lines, f"{head}: " + "; ".join(parts)]


#: Kinds of problem named in the line counting the problems not listed.
_MAX_KINDS = 5
_PARENTHESES = re.compile(r"\s*\([^()]*\)")
_TRAILING_QUOTE = re.compile(r"\s*'[^']*'$")


def _kind(reason: str) -> str:
    """The kind of a problem, from its reason: without parenthesised details, without what
    comes before a colon (which item) or after a semicolon (the advice), and without a
    quoted name at the end ("of response scale 'agree6'")."""
    text = _PARENTHESES.sub("", reason)
    text = text.split(": ", 1)[-1].split("; ", 1)[0]
    return _TRAILING_QUOTE.sub("", text).strip() or reason

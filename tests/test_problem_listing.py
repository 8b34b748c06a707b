"""Errors with many problems list 20 and count the rest by kind; texts are cut at a word."""

from __future__ import annotations

import pytest

from colead._text import shorten
from colead.exceptions import InstrumentError, InstrumentProblem, ResponseDataError


def test_the_issue_example_20_lines_and_a_count_by_kind():
    columns = [f"q{j}" for j in range(49)]
    problems = [{"row": r, "column": c, "value": "x", "reason": "unknown label"}
                for r in range(2, 32) for c in columns][:1434]
    error = ResponseDataError(problems, context="export.csv")
    lines = str(error).splitlines()
    assert lines[0] == "1434 problems in export.csv:" and len(lines) == 22
    assert lines[-1] == "  1,414 more: unknown label in 49 columns"
    assert error.shown_lines()[:20] == error.problem_lines()[:20]
    assert len(error.problem_lines()) == 1434 and len(error.problems) == 1434


def test_kinds_drop_details_and_keep_the_reason():
    problems = [
        {"row": 2, "column": "a", "value": "x", "reason": "not a label or value of response "
         "scale 'agree6' (1 Disagree, 2 Agree)"},
        *({"row": 3, "column": c, "value": "x", "reason": "not a label or value of response "
           "scale 'freq6' (1 Never, 2 Daily)"} for c in "abc"),
        {"value": "sl1", "reason": "item 'sl1' (The principal): no column matches this item; "
         "map it"},
        {"value": "sl2", "reason": "item 'sl2' (Teachers): no column matches this item; map it"},
        {"row": 9, "reason": "listed twice (first on row 2)", "kind": "a repeated id"},
    ]
    error = ResponseDataError(problems)
    assert error.shown_lines(limit=1)[-1] == (
        "6 more: not a label or value of response scale (3, in 3 columns); no column matches "
        "this item (2); a repeated id (1)")


def test_instrument_errors_are_listed_the_same_way():
    problems = [InstrumentProblem("i.yaml", f"item 'x{k}'", "text", "is missing")
                for k in range(30)]
    error = InstrumentError(problems)
    assert len(error.shown_lines()) == 21 and error.shown_lines()[-1] == "10 more: is missing"
    assert len(str(error).splitlines()) == 22 and len(error.problem_lines()) == 30


def test_a_few_problems_are_all_listed():
    error = ResponseDataError([{"reason": f"problem {k}"} for k in range(20)])
    assert error.shown_lines() == error.problem_lines()


@pytest.mark.parametrize(
    "text, width, expected",
    [
        ("The principal involves teachers in making important decisions about the school.", 60,
         "The principal involves teachers in making important\u2026"),
        ("short  text", 60, "short text"),
        ("one two three", 9, "one two\u2026"),
        ("one two, three", 10, "one two\u2026"),
        ("supercalifragilistic", 8, "superca\u2026"),
        ("line\nbreaks\tand  spaces", 60, "line breaks and spaces"),
    ],
)
def test_shorten_cuts_at_a_word(text, width, expected):
    assert shorten(text, width) == expected
    assert len(shorten(text, width)) <= width

"""read_roster: group sizes for response rates, every problem in one error."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.datasets import sample_path
from colead.exceptions import ResponseDataError
from colead.io import read_roster


def test_reads_ids_as_text_sizes_as_whole_numbers():
    roster = read_roster(b"school_id,size,name\n101, 12 ,North\n102,9.0,South\n")
    assert roster.columns.tolist() == ["school_id", "size", "name"]
    assert roster["school_id"].tolist() == ["101", "102"]
    assert roster["size"].tolist() == [12, 9] and roster["size"].dtype == np.int64
    assert roster["name"].tolist() == ["North", "South"]


def test_numeric_school_ids_match_the_responses():
    # pandas reads 1, 2, 3 as integers, which match no school "1" of the responses: no rate.
    resp = cl.simulate(n_schools=3, respondents=6, seed=1)
    ids = {s: str(i) for i, s in enumerate(sorted(resp.data["school_id"].unique()), start=1)}
    resp = resp.__class__(data=resp.data.assign(school_id=resp.data["school_id"].map(ids)),
                          log=resp.log, platform=resp.platform, instrument=resp.instrument)
    text = "school_id,size\n1,10\n2,12\n3,8\n"
    assert pd.read_csv(io.StringIO(text))["school_id"].dtype.kind == "i"
    table = cl.aggregate(resp, by="school_id", roster=read_roster(text.encode()))
    rates = table.groupby("school_id", observed=True)["response_rate"].first()
    np.testing.assert_allclose(rates.loc[["1", "2", "3"]], [6 / 10, 6 / 12, 6 / 8])


def test_the_sample_roster_and_other_layouts(tmp_path):
    sample = read_roster(sample_path("schools.csv"))  # sizes in n_teachers
    assert sample["size"].gt(0).all() and sample["school_id"].is_unique
    semicolons = read_roster("\ufeffSchool_ID;N_Teachers\nS01;7\n".encode())
    assert semicolons.columns.tolist() == ["school_id", "size"]  # named as asked
    assert semicolons["size"].tolist() == [7]
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["district", "n_invited"])
    book.active.append(["D1", 40])
    book.save(tmp_path / "roster.xlsx")
    assert read_roster(tmp_path / "roster.xlsx", by="district").to_dict("list") == {
        "district": ["D1"], "size": [40]}


def test_every_problem_is_listed_once():
    text = ("school_id,size\nS01,12\nS01,12\n,5\nS04,\nS05,x\nS06,2.5\nS07,-3\nS08,0\n"
            "S09,nan\nS10,inf\n")
    with pytest.raises(ResponseDataError) as info:
        read_roster(text.encode())
    table = info.value.problems
    assert table["row"].tolist() == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert table["reason"].tolist() == [
        "listed twice (first on row 2)", "no group id", "no size", "not a number",
        "not a whole number", "a group size must be at least 1",
        "a group size must be at least 1", "not a whole number", "not a whole number"]


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "the roster is empty"),
        ("\n\n", "the roster is empty"),
        ("school_id,size\n", "a header row but no groups"),
        ('school_id,size\nS01,4\n"S02,5\n', "a quote opened in this row is never closed"),
        ('school_id,size\nS01,4\n"S02"x,5\n', "cannot be parsed"),
        ("id,size\nS01,4\n", "no column for the group ids; its columns: 'id', 'size'"),
        ("school_id,teachers\nS01,4\n", "no size column (size, n_teachers or n_invited)"),
    ],
)
def test_a_roster_that_cannot_be_used(text, reason):
    with pytest.raises(ResponseDataError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        read_roster(text.encode())


def test_the_row_of_an_unclosed_quote():
    with pytest.raises(ResponseDataError) as info:
        read_roster(b'school_id,size\nS01,4\n"S02,5\nS03,6\n')
    assert info.value.problems["row"].tolist() == [3]


def test_a_binary_header_is_shown_short():
    with pytest.raises(ResponseDataError) as info:
        read_roster(bytes(range(1, 256)) * 4)
    message = info.value.problem_lines()[0]
    assert len(message) < 400 and "\x01" not in message

"""Personal data in cells: messages quote little and mask e-mail addresses and phone numbers,
respondent ids that identify a person are replaced, and CSV neutralisation round-trips."""

from __future__ import annotations

import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import colead as cl
from colead.exceptions import ResponseDataError
from colead.io._table import read_table
from colead.privacy import csv_safe, looks_personal, quote_cell, uncsv_safe, write_csv

from .io_writers import mini

DIGIT_RUN = re.compile(r"\d[\d\s().\-/]*\d")


def _generic(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode()


# -- quoting cells in messages -----------------------------------------------------------------
@pytest.mark.parametrize(
    "text, quoted",
    [
        (
            "call me on +1 555 0100, Jane Doe, 10 Main St",
            "call me on [phone], Jane Doe, 10 Main St",
        ),
        ("write to jane.doe@school.org please", "write to [email] please"),
        ("jane.doe＠school.org", "[email]"),
        ("john.roe%40school.org", "[email]"),
        ("(555) 010-0100 after 6", "[phone] after 6"),
        ("Strongly agree", "Strongly agree"),
        ("7", "7"),
        ("2026-03-02 10:07:19", "2026-03-02 10:07:19"),
        ("on 2024-01-15 555 010 0100", "on 2024-01-15 [phone]"),
        ("x" * 100, "x" * 37 + "..."),
    ],
)
def test_quote_cell_masks_and_cuts(text, quoted):
    assert quote_cell(text) == quoted


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="abc ,;.-()", max_size=12),
            st.from_regex(r"[a-z.]{1,8}@[a-z]{1,8}\.org", fullmatch=True),
            st.from_regex(r"\+?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}", fullmatch=True),
        ),
        max_size=8,
    )
)
def test_no_quoted_cell_holds_an_address_or_a_phone_number(parts):
    quoted = quote_cell("".join(parts))
    assert len(quoted) <= 40
    assert "@" not in quoted
    assert all(sum(c.isdigit() for c in run) < 7 for run in DIGIT_RUN.findall(quoted))


def test_answers_in_errors_are_quoted_short_and_masked():
    inst = mini()
    note = "call me on +1 555 0100, Jane Doe, 10 Main St"
    rows = [["respondent_id", "school_id", *inst.item_ids]]
    rows += [[f"r{i}", "S1", *(["3"] * len(inst.item_ids))] for i in range(3)]
    rows[2][2] = note
    rows[3][2] = "mail jane.doe@school.org about the survey questions please"
    with pytest.raises(ResponseDataError) as info:
        cl.read_responses(_generic(rows), inst)
    values = info.value.problems["value"].tolist()
    assert values == [
        "call me on [phone], Jane Doe, 10 Main St",
        "mail [email] about the survey questio...",
    ]
    text = "\n".join(info.value.problem_lines()) + str(info.value)
    assert "555" not in text and "@" not in text and "school.org" not in text


def test_checkbox_answers_in_errors_are_masked_too():
    inst = cl.load_instrument(
        {
            "name": "tools",
            "title": "t",
            "version": "1",
            "response_scales": {
                "tools": {"type": "multiple", "labels": {1: "Planning", 2: "Coaching"}}
            },
            "items": [{"id": "help", "text": "What helps?", "response_scale": "tools"}],
        }
    )
    data = _generic([["respondent_id", "school_id", "help"], ["r1", "S1", "Planning"],
                     ["r2", "S1", "ring +44 20 7946 0958"]])
    with pytest.raises(ResponseDataError) as info:
        cl.read_responses(data, inst)
    text = str(info.value)
    assert "7946" not in text and "[phone]" in text


# -- respondent ids ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, personal",
    [
        ("jane.doe@school.org", True),
        ("jane.doe＠school.org", True),  # full-width commercial at
        ("john.roe%40school.org", True),
        ("+1 555 0100", True),
        ("555-0100", True),
        ("R_1abcDEF", False),
        ("114023283041", False),  # SurveyMonkey's respondent ids are 11-digit numbers
        ("17", False),
        ("T-North-3", False),
    ],
)
def test_looks_personal(text, personal):
    assert looks_personal(text) is personal


def test_personal_respondent_ids_are_replaced_and_logged(tmp_path):
    inst = mini()
    ids = ["jane.doe＠school.org", "john.roe%40school.org", "+1 555 0100", "R_7", "114023283041"]
    rows = [["respondent_id", "school_id", *inst.item_ids]]
    rows += [[rid, "S1", *(["3"] * len(inst.item_ids))] for rid in ids]
    resp = cl.read_responses(_generic(rows), inst)
    assert resp.data["respondent_id"].tolist() == ["row2", "row3", "row4", "R_7", "114023283041"]
    assert (
        "3 respondent id(s) looked like an e-mail address or a phone number and were replaced "
        "by the row number (row<N>)"
    ) in resp.log.warnings
    out = tmp_path / "scores.csv"
    write_csv(cl.score(resp), out)
    text = out.read_text(encoding="utf-8")
    assert "school.org" not in text and "555" not in text and "row2" in text


# -- CSV neutralisation round trip ---------------------------------------------------------------
@pytest.mark.parametrize(
    "text, written",
    [
        ("-North", "'-North"),  # Excel reads it as a formula: =-North, #NAME?
        ("+South", "'+South"),
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("- Never", "'- Never"),
        ("\t=1+1", "'\t=1+1"),
        ("-99", "-99"),  # plain numbers are values
        ("+3.5", "+3.5"),
        ("1e-3", "1e-3"),
        ("North-East", "North-East"),
        ("'tis", "'tis"),
        ("'-x", "''-x"),  # a text that starts like colead's own prefix gets one more
        ("", ""),
    ],
)
def test_csv_safe_prefixes_only_what_a_spreadsheet_would_run(text, written):
    assert csv_safe(text) == written
    assert uncsv_safe(written) == text


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="'=+-@ \t0123456789.eNorth", max_size=10))
def test_csv_neutralisation_round_trips(text):
    assert uncsv_safe(csv_safe(text)) == text


def test_frames_written_by_colead_read_back_unchanged(tmp_path):
    frame = pd.DataFrame(
        {"school_id": ["-North", "+South", "'tis", "-99", "=1+1"], "mean": [1.5, 2.0, 3, 4, 5]}
    )
    path = tmp_path / "scores.csv"
    write_csv(frame, path)
    assert "'-North" in path.read_text(encoding="utf-8")
    table = read_table(path)
    assert table.frame[0].tolist() == ["school_id", *frame["school_id"]]


def _dash_instrument() -> cl.Instrument:
    return cl.load_instrument(
        {
            "name": "dash",
            "title": "Dash",
            "version": "1",
            "response_scales": {
                "freq": {"labels": {1: "-- Never", 2: "- Sometimes", 3: "+ Often", 4: "@ Always"}}
            },
            "scales": {"s": {"title": "- Grid title"}},
            "items": [
                {"id": f"i{k}", "text": text, "scale": "s", "response_scale": "freq"}
                for k, text in enumerate(["-first row", "+second", "=third"])
            ],
        }
    )


@pytest.mark.parametrize("platform", ["csv", "qualtrics", "google_forms"])
def test_exports_written_by_colead_read_back_with_their_dashes(platform):
    inst = _dash_instrument()
    resp = cl.simulate(inst, n_schools=2, respondents=6, seed=1)
    names = dict(zip(sorted(resp.data["school_id"].unique()), ["-North", "+South"], strict=True))
    resp.data["school_id"] = resp.data["school_id"].map(names)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform=platform)
    written = buffer.getvalue()
    assert "'-North" in written and "'+South" in written
    if platform == "google_forms":  # grid title, and answers, starting with - + @
        assert "'- Grid title [-first row]" in written and "'-- Never" in written
    back = cl.read_responses(
        written.encode(), inst, school="School" if platform == "google_forms" else "school_id"
    )
    assert back.data["school_id"].tolist() == resp.data["school_id"].tolist()
    items = list(inst.item_ids)
    assert np.array_equal(
        back.data[items].to_numpy(float), resp.data[items].to_numpy(float), equal_nan=True
    )

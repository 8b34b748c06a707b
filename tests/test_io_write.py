"""Platform layouts written by write_export read back to the same values."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InvalidParameterError
from colead.io._common import format_number
from colead.privacy import csv_safe


@pytest.fixture(scope="module")
def resp():
    return cl.simulate(n_schools=3, respondents=(3, 5), missing=0.1, seed=21)


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _write(resp, **kwargs) -> str:
    buffer = io.StringIO()
    cl.write_export(resp, buffer, **kwargs)
    return buffer.getvalue()


def test_csv_round_trip(resp, tmp_path):
    path = tmp_path / "x.csv"
    cl.write_export(resp, path)
    back = pd.read_csv(path, dtype={"respondent_id": str, "school_id": str})
    pd.testing.assert_frame_equal(back[resp.item_ids], resp.data[resp.item_ids], check_dtype=False)
    assert list(back["respondent_id"]) == list(resp.data["respondent_id"])


@pytest.mark.parametrize("values", ["numeric", "labels"])
def test_qualtrics_three_header_rows(resp, values):
    rows = _rows(_write(resp, platform="qualtrics", values=values, column_names="platform"))
    tags, texts, ids, data = rows[0], rows[1], rows[2], rows[3:]
    assert tags[:3] == ["StartDate", "EndDate", "Status"] and tags[-1] == "school_id"
    assert len(data) == len(resp.data) and all(len(r) == len(tags) for r in rows)
    imports = [json.loads(cell) for cell in ids]
    assert imports[0] == {"ImportId": "startDate", "timeZone": "America/Chicago"}
    assert {"ImportId": "_recordId"} in imports
    # a matrix row: "Scale title - item text", its tag Q<n>_<row>
    col = texts.index("Shared leadership - " + resp.instrument.item("sl2").text)
    assert tags[col].startswith("Q") and tags[col].endswith("_2")
    inst = resp.instrument
    rs = inst.response_scale_of("sl2")
    want = resp.data["sl2"].tolist()
    got = [r[col] for r in data]
    if values == "numeric":
        assert [float(g) if g else np.nan for g in got] == pytest.approx(want, nan_ok=True)
        assert {r[2] for r in data} == {"0"}
    else:
        decode = {label: value for value, label in rs.labels}
        assert [decode[g] if g else np.nan for g in got] == pytest.approx(want, nan_ok=True)
        assert {r[2] for r in data} == {"IP Address"}
    assert [r[-1] for r in data] == list(resp.data["school_id"])
    assert all(r[8].startswith("R_") and len(r[8]) == 17 for r in data)


def test_qualtrics_item_id_tags(resp):
    rows = _rows(_write(resp, platform="qualtrics"))
    assert rows[0][17:-1] == list(resp.item_ids)


def test_google_forms_grid_headers_and_labels(resp):
    rows = _rows(_write(resp, platform="google_forms"))
    header, data = rows[0], rows[1:]
    assert header[:2] == ["Timestamp", "School"]
    inst = resp.instrument
    grid = inst.influence
    head = f"{grid.stakeholder_labels['teachers']} [{grid.zone_labels['hiring']}]"
    col = header.index(head)
    item_id = grid.item("teachers", "hiring")
    decode = {label: value for value, label in inst.response_scale_of(item_id).labels}
    got = [decode[r[col]] if r[col] else np.nan for r in data]
    assert got == pytest.approx(resp.data[item_id].tolist(), nan_ok=True)
    numeric_col = header.index(inst.item("years_experience").text)
    got = [float(r[numeric_col]) if r[numeric_col] else np.nan for r in data]
    assert got == pytest.approx(resp.data["years_experience"].tolist(), nan_ok=True)
    assert all(r[0].count("/") == 2 for r in data)


def test_bad_platform_is_refused(resp):
    with pytest.raises(InvalidParameterError, match="'platform' parameter of write_export"):
        cl.write_export(resp, io.StringIO(), platform="spss")


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+2", "'=1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("+x", "'+x"),
        ("-99", "-99"),
        ("-1.5", "-1.5"),
        ("Agree", "Agree"),
        ("", ""),
    ],
)
def test_csv_cells_that_could_run_as_formulas_are_neutralised(text, safe):
    assert csv_safe(text) == safe


def test_format_number():
    assert [format_number(x) for x in (4.0, 2.5, np.nan, -99.0)] == ["4", "2.5", "", "-99"]

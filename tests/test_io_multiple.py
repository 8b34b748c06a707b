"""Multiple-choice (checkbox) items: one 0/1 column per option, from every way platforms
write them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import colead as cl
from colead.exceptions import InstrumentError, ResponseDataError

OPTIONS = {1: "Time to meet", 2: "Competing priorities", 3: "Data management (GitHub, R)",
           4: "No support from leaders"}
SPEC = {
    "name": "mc", "title": "Checkboxes", "version": "1",
    "response_scales": {
        "agree4": {"labels": {1: "No", 2: "Some", 3: "Much", 4: "All"}},
        "barriers": {"type": "multiple", "labels": OPTIONS, "missing": ["Prefer not to answer"]},
    },
    "scales": {"s": {"title": "S"}},
    "items": [{"id": f"a{i}", "text": f"Statement {i}", "scale": "s", "response_scale": "agree4"}
              for i in (1, 2, 3)]
    + [{"id": "bar", "text": "What gets in the way of working together?",
        "response_scale": "barriers"}],
}
QUESTION = "What gets in the way of working together?"
COLUMNS = ["bar__1", "bar__2", "bar__3", "bar__4"]


@pytest.fixture(scope="module")
def inst():
    return cl.load_instrument(SPEC)


def _read(text: str, inst, **kwargs) -> pd.DataFrame:
    return cl.read_responses(text.encode(), inst, **kwargs).data


def test_data_columns_and_rules(inst):
    assert inst.data_columns("bar") == tuple(COLUMNS)
    assert inst.column_ids[-4:] == tuple(COLUMNS)
    item = {"id": "b", "text": "t", "response_scale": "barriers", "reverse": True}
    bad = {**SPEC, "items": [item], "scales": {}}
    with pytest.raises(InstrumentError, match="reverse-keyed item needs a response scale"):
        cl.load_instrument(bad)
    bounds = {**SPEC, "response_scales": {**SPEC["response_scales"],
              "barriers": {"type": "multiple", "labels": OPTIONS, "min": 1}}}
    with pytest.raises(InstrumentError, match="multiple scale has no order"):
        cl.load_instrument(bounds)


@pytest.mark.parametrize("separator", [", ", ";", ","])
def test_joined_answers_split_on_known_options_longest_first(inst, separator):
    answers = [f"Time to meet{separator}Data management (GitHub, R)",
               f"Data management (GitHub, R){separator}No support from leaders{separator}",
               "", "Prefer not to answer", "competing   PRIORITIES"]
    frame = pd.DataFrame({"school_id": "S1", "a1": 1, "a2": 2, "a3": 3, QUESTION: answers})
    data = _read(frame.to_csv(index=False), inst)
    assert_array_equal(data[COLUMNS].to_numpy(), [[1, 0, 1, 0], [0, 0, 1, 1], [np.nan] * 4,
                                                   [np.nan] * 4, [0, 1, 0, 0]])


def test_joined_codes_as_qualtrics_numeric_exports_write_them(inst):
    frame = pd.DataFrame({"school_id": "S1", "a1": 1, "a2": 2, "a3": 3, "bar": ["1,3", "4", ""]})
    data = _read(frame.to_csv(index=False), inst)
    assert_array_equal(data[COLUMNS].to_numpy(), [[1, 0, 1, 0], [0, 0, 0, 1], [np.nan] * 4])


def test_every_unknown_option_is_reported(inst):
    frame = pd.DataFrame({"school_id": "S1", "a1": 1, "a2": 2, "a3": 3,
                          QUESTION: ["Time to meet, Lunch", "Coffee", "No support from leaders"]})
    with pytest.raises(ResponseDataError) as info:
        _read(frame.to_csv(index=False), inst)
    problems = info.value.problems
    assert problems["row"].tolist() == [2, 3]
    assert problems["value"].tolist() == ["Time to meet, Lunch", "Coffee"]
    assert problems["reason"].str.contains("is not an option").all()


def test_redcap_checkbox_columns(inst):
    text = ("record_id,a1,a2,a3,bar___1,bar___2,bar___3,bar___4,school_id,form_complete\n"
            "1,1,2,3,1,0,1,0,S1,2\n"
            "2,2,2,2,0,0,0,0,S1,2\n"
            "3,4,4,4,,,,,S1,2\n")
    data = _read(text, inst)
    assert_array_equal(data[COLUMNS].to_numpy(), [[1, 0, 1, 0], [0, 0, 0, 0], [np.nan] * 4])


def test_surveymonkey_option_columns(inst):
    header = ["Respondent ID", "Collector ID", "school_id", "Statement 1", "Statement 2",
              "Statement 3", QUESTION, "", "", ""]
    sub = ["", "", "Response", "Response", "Response", "Response", *OPTIONS.values()]
    rows = [["11", "9", "S1", "No", "Some", "Much", "Time to meet", "", "", ""],
            ["12", "9", "S1", "No", "No", "No", "", "", "", ""],
            ["13", "9", "S1", "All", "All", "All", "", "", "Data management (GitHub, R)",
             "No support from leaders"]]
    buffer = io.StringIO()
    pd.DataFrame([header, sub, *rows]).to_csv(buffer, index=False, header=False)
    resp = cl.read_responses(buffer.getvalue().encode(), inst)
    assert resp.platform == "surveymonkey"
    assert_array_equal(resp.data[COLUMNS].to_numpy(), [[1, 0, 0, 0], [np.nan] * 4, [0, 0, 1, 1]])


def test_qualtrics_split_option_columns(inst):
    resp = cl.simulate(inst, n_schools=1, respondents=2, seed=1, missing=0.0)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform="qualtrics", column_names="platform")
    frame = pd.read_csv(io.StringIO(buffer.getvalue()), header=None, dtype=str,
                        keep_default_na=False)
    joined = frame.columns[frame.iloc[1] == QUESTION][0]
    split = [[f"Q9_{c}", f"{QUESTION} - {label}", f'{{"ImportId":"QID9_{c}"}}']
             + ["1" if str(c) in cell.split(",") else "" for cell in frame.iloc[3:, joined]]
             for c, label in OPTIONS.items()]
    frame = frame.drop(columns=joined)
    for column in split:
        frame[len(frame.columns) + 100 + len(column)] = column
    written = frame.to_csv(index=False, header=False)
    data = cl.read_responses(written.encode(), inst).data
    expected = resp.data[COLUMNS].to_numpy().copy()
    expected[(expected == 0).all(axis=1)] = np.nan  # nothing ticked reads as not answered
    assert_array_equal(data[COLUMNS].to_numpy(), expected)


@pytest.mark.parametrize("platform", ["csv", "qualtrics", "google_forms"])
def test_round_trip_through_writers(inst, platform):
    resp = cl.simulate(inst, n_schools=4, respondents=6, seed=3, missing=0.1)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform=platform)
    back = cl.read_responses(buffer.getvalue().encode(), inst,
                             school="School" if platform == "google_forms" else "school_id")
    expected = resp.data[COLUMNS].to_numpy().copy()
    if platform != "csv":  # one joined cell cannot tell "none ticked" from "skipped"
        expected[(expected == 0).all(axis=1)] = np.nan
    assert_array_equal(back.data[COLUMNS].to_numpy(), expected)


def test_simulated_options_are_ticked_about_a_third_of_the_time(inst):
    resp = cl.simulate(inst, n_schools=100, respondents=20, seed=4, missing=0.0)
    share = resp.data[COLUMNS].to_numpy().mean(axis=0)
    se = np.sqrt(0.35 * 0.65 / 2000)
    assert np.all(np.abs(share - 0.35) < 4 * se)

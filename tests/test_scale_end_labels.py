"""A 1-7 scale labelled at 1 and 7 only (issue 23): it has seven points. Every whole number
between the declared bounds is a valid answer on import, a point for rwg's null, reversed by
the bounds, and offered (as a number) by every fielded survey and the codebook."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InstrumentError, ResponseDataError

from .test_fielding import _structure
from .test_fielding_round_trip import _expected, limesurvey_export

ENDS = """
name: ends_only
title: "Labelled at the ends"
version: "1.0"
response_scales:
  agree7:
    min: 1
    max: 7
    labels: {1: "Strongly disagree", 7: "Strongly agree"}
    missing: [{value: 9, label: "Don't know"}]
  odd:
    labels: {1: "Low", 3: "Middle", 5: "High"}
scales:
  trust:
    title: "Trust"
    items: [t1, t2, t3]
items:
  - {id: t1, text: "First", scale: trust, response_scale: agree7}
  - {id: t2, text: "Second", scale: trust, reverse: true, response_scale: agree7}
  - {id: t3, text: "Third", scale: trust, response_scale: agree7}
  - {id: o1, text: "Gapped", response_scale: odd}
"""


@pytest.fixture(scope="module")
def ends(tmp_path_factory) -> cl.Instrument:
    path = tmp_path_factory.mktemp("ends") / "ends.yaml"
    path.write_text(ENDS, encoding="utf-8")
    return cl.load_instrument(path)


def test_points_are_every_whole_number_between_declared_bounds(ends):
    rs = ends.response_scales["agree7"]
    assert rs.values == (1, 2, 3, 4, 5, 6, 7) and rs.n_points == 7
    assert rs.label_map[1] == "Strongly disagree" and rs.label_map[4] == "4"
    assert ends.items.set_index("item_id").loc["t1", "n_points"] == 7
    # without declared bounds the labels are the points
    odd = ends.response_scales["odd"]
    assert odd.values == (1, 3, 5) and odd.n_points == 3


def test_an_ordinal_scale_of_absurdly_many_points_is_refused(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_text(ENDS.replace("max: 7", "max: 100000"), encoding="utf-8")
    with pytest.raises(InstrumentError, match="more than 1000 points"):
        cl.load_instrument(path)


def _table(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["school_id", "t1", "t2", "t3", "o1"], *rows])
    return buffer.getvalue().encode()


def test_unlabelled_points_are_valid_answers(ends):
    rows = [["a", v, 8 - v, "Strongly agree" if v == 7 else v, 1] for v in range(1, 8)]
    resp = cl.read_responses(_table(rows), ends)
    assert resp.log.dropped.empty
    np.testing.assert_array_equal(resp.data["t1"], np.arange(1, 8))
    np.testing.assert_array_equal(resp.data["t3"], np.arange(1, 8))
    # reverse keying by the declared bounds: t2 = 8 - t1 reversed is t1 again
    scores = cl.score(resp)
    np.testing.assert_allclose(scores["trust"], np.arange(1, 8))


def test_values_off_the_scale_are_still_problems(ends):
    rows = [["a", 8, 1, 1, 2], ["a", 2.5, 1, 1, 1]]
    with pytest.raises(ResponseDataError) as info:
        cl.read_responses(_table(rows), ends)
    text = str(info.value)
    assert "8 is not a value" in text and "2.5 is not a value" in text
    assert "1 Strongly disagree, 2-6, 7 Strongly agree" in text
    # the gapped scale without bounds: 2 is not one of its points
    assert "2 is not a value of response scale 'odd' (1 Low, 3 Middle, 5 High)" in text


def test_agreement_uses_seven_points(ends):
    resp = cl.simulate(ends, n_schools=6, respondents=(10, 14), missing=0.0, seed=4)
    assert set(np.unique(resp.data[["t1", "t2", "t3"]])) - set(range(1, 8)) == set()
    assert len(set(np.unique(resp.data[["t1", "t2", "t3"]]))) > 2  # unlabelled points drawn
    table = cl.agreement(resp, min_n=5)
    items = resp.data[["t1", "t2", "t3"]].copy()
    items["t2"] = 8 - items["t2"]
    direct = cl.rwg_j(items, resp.data["school_id"], scale_points=7)
    np.testing.assert_allclose(table.loc[0, "rwg_j_mean"], direct["rwg_j"].mean(), rtol=1e-12)


@pytest.mark.parametrize("platform", ["qualtrics numeric", "qualtrics labels", "limesurvey"])
def test_round_trip_through_the_fielded_surveys(ends, platform, tmp_path):
    resp = cl.simulate(ends, n_schools=3, respondents=(6, 9), missing=0.1, seed=11)
    export = tmp_path / "export.csv"
    if platform == "limesurvey":
        structure = cl.field(ends, to="limesurvey", path=tmp_path / "survey.txt")
        export.write_bytes(limesurvey_export(resp, structure))
    else:
        cl.write_export(resp, export, platform="qualtrics", values=platform.split()[1],
                        column_names="item_id")
    back = cl.read_responses(export, ends)
    assert back.log.dropped.empty
    expected = _expected(resp)
    got = back.data[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)


def test_fielded_surveys_offer_every_point_as_a_number(ends, tmp_path):
    qsf = json.loads(cl.field(ends, to="qualtrics", path=tmp_path / "s.qsf").read_text("utf-8"))
    matrix = next(e["Payload"] for e in qsf["SurveyElements"]
                  if e["Element"] == "SQ" and e["Payload"].get("QuestionType") == "Matrix")
    shown = [matrix["Answers"][str(a)]["Display"] for a in matrix["AnswerOrder"]]
    assert shown == ["Strongly disagree", "2", "3", "4", "5", "6", "Strongly agree",
                     "Don't know"]
    rows = _structure(cl.field(ends, to="limesurvey", path=tmp_path / "s.txt"))
    answers = [r["name"] for r in rows if r["class"] == "A"]
    assert answers[:8] == ["1", "2", "3", "4", "5", "6", "7", "9"]
    html = cl.field(ends, to="html", path=tmp_path / "q.html").read_text("utf-8")
    assert html.count('value="4"') == 3 and "= 4<" not in html
    assert '<th scope="col">4</th>' in html
    book = pd.read_csv(cl.field(ends, to="codebook", path=tmp_path / "c.csv"), dtype=str)
    assert book.set_index("item_id").loc["t1", "values"] == (
        "1 = Strongly disagree | 2 | 3 | 4 | 5 | 6 | 7 = Strongly agree")
    md = (tmp_path / "c.md").read_text("utf-8")
    assert "| 4 |  |" in md and "| 7 | Strongly agree |" in md

"""Round trip: responses exported as the platform lays out the survey colead fielded (its
export tags, its question codes) read back exactly, with no mapping; the missing answers the
survey offers ("Don't know": its code in a numeric export, its label in choice text) read back
as missing, and score as a blank would."""

from __future__ import annotations

import csv
import dataclasses
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.io.limesurvey import item_codes

from .test_fielding import INSTRUMENTS, _export_tags, _qsf, _structure


@pytest.fixture(scope="module")
def mini() -> cl.Instrument:
    from .test_fielding import SPEC

    return cl.load_instrument(SPEC)


def limesurvey_export(resp: cl.Responses, structure: Path) -> bytes:
    """A LimeSurvey response export (CSV, code headings, answer codes, as its CsvWriter writes
    it) of ``resp`` for the survey in ``structure``: the headings are the codes found there."""
    rows = _structure(structure)
    base = next(r["text"] for r in rows if r["class"] == "S" and r["name"] == "language")
    item_of = {code: item for item, code in item_codes(resp.instrument.item_ids).items()}
    columns: list[tuple[str, str | None, str | None]] = []  # heading, item column, option
    parent = kind = ""
    for r in rows:
        if r["language"] != base:
            continue
        if r["class"] == "Q":
            parent, kind = r["name"], r["type/scale"]
            if kind in ("L", "N"):
                columns.append((parent, item_of[parent], None))
            elif kind == "S":
                columns.append((parent, "school_id", None))
        elif r["class"] == "SQ":
            heading = f"{parent}[{r['name']}]"
            columns.append(
                (heading, f"{item_of[parent]}__{r['name']}", "Y")
                if kind == "M"
                else (heading, item_of[r["name"]], None)
            )
    meta = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
    out = [meta + [c[0] for c in columns]]
    for i, record in enumerate(resp.data.to_dict("records")):
        row = [
            str(i + 1),
            "2026-03-02 08:10:00",
            "6",
            base,
            str(4000 + i),
            "2026-03-02 08:00:00",
            "2026-03-02 08:10:00",
        ]
        for _, column, option in columns:
            value = record[column]
            if option is not None:  # a ticked option is "Y", an unticked one blank
                row.append("Y" if value == 1 else "")
            elif isinstance(value, str):
                row.append(value)
            else:
                row.append("" if value != value else f"{value:g}")
        out.append(row)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(out)
    return ("\ufeff" + buffer.getvalue() + "\r\n").encode("utf-8")


def answered_missing(resp: cl.Responses, share: float = 0.5, seed: int = 0) -> cl.Responses:
    """``resp`` with about ``share`` of the unanswered cells, of items whose scale offers
    missing answers, holding one of their codes: what a respondent marking "Don't know"
    leaves in a numeric export."""
    rng = np.random.default_rng(seed)
    data = resp.data.copy()
    for item in resp.item_ids:
        codes = [c for c, _ in resp.instrument.response_scale_of(item).missing_options]
        if codes:
            column = data[item].to_numpy(dtype=float, copy=True)
            chosen = np.isnan(column) & (rng.random(len(column)) < share)
            column[chosen] = rng.choice(codes, size=int(chosen.sum()))
            data[item] = column
    return dataclasses.replace(resp, data=data)


def _offers_missing_answers(inst: cl.Instrument) -> bool:
    return any(rs.missing_options for rs in inst.response_scale_list)


def _expected(resp: cl.Responses) -> pd.DataFrame:
    """The data an export gives back: a checkbox question with nothing ticked reads as not
    answered (blank cells cannot tell it from a skipped question)."""
    inst = resp.instrument
    data = resp.data[list(inst.column_ids)].copy()
    for item in inst.item_ids:
        columns = list(inst.data_columns(item))
        if inst.response_scale_of(item).type == "multiple":
            data.loc[(data[columns] == 0).all(axis=1), columns] = np.nan
    return data.reset_index(drop=True)


@pytest.mark.parametrize("platform", ["qualtrics numeric", "qualtrics labels", "limesurvey"])
@pytest.mark.parametrize("name", [*INSTRUMENTS, "mini"])
def test_round_trip_is_exact_with_no_mapping(name, platform, tmp_path, mini):
    inst = mini if name == "mini" else cl.load_instrument(name)
    resp = cl.simulate(inst, n_schools=3, respondents=(5, 8), missing=0.1, seed=7)
    export = tmp_path / "export.csv"
    if platform == "limesurvey":  # answer codes: a missing answer's code
        structure = cl.field(inst, to="limesurvey", path=tmp_path / "survey.txt")
        export.write_bytes(limesurvey_export(answered_missing(resp), structure))
    else:  # recode values or choice text: a missing answer's code or label
        qsf = _qsf(inst, tmp_path)
        values = platform.split()[1]
        cl.write_export(
            resp,
            export,
            platform="qualtrics",
            values=values,
            column_names="item_id",
            missing_options=0.5,
        )
        header = next(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))
        # metadata, the items, school_id: the export tags are those of the survey file
        assert sorted(header[17:-1]) == sorted(_export_tags(qsf)) == sorted(inst.item_ids)
    back = cl.read_responses(export, inst)
    assert back.platform == platform.split()[0]
    assert back.log.unmapped_columns == () and back.log.items_not_found == ()
    assert back.log.rows_kept == len(resp.data) and back.log.dropped.empty
    # the missing answers were in the export, and were read as missing
    read_as = "missing_label" if platform == "qualtrics labels" else "missing_code"
    assert (back.log.recoded.get(read_as, 0) > 0) == _offers_missing_answers(inst)
    expected = _expected(resp)
    got = back.data[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    assert list(back.data["school_id"]) == list(resp.data["school_id"])


def test_round_trip_of_choice_text_in_another_language(mini, tmp_path):
    """A survey fielded in Spanish, exported as choice text, reads with the instrument."""
    es = mini.translated("es")
    resp = cl.simulate(es, n_schools=2, respondents=6, missing=0.2, seed=3)
    export = tmp_path / "export.csv"
    cl.write_export(
        resp,
        export,
        platform="qualtrics",
        values="labels",
        column_names="item_id",
        missing_options=0.6,
    )
    text = export.read_text(encoding="utf-8")
    assert "Algo de acuerdo" in text and "No sé" in text and "Can't judge" not in text
    back = cl.read_responses(export, mini)
    assert back.log.recoded["missing_label"] == text.count("No sé")
    assert back.log.unmapped_columns == () and back.log.dropped.empty
    expected = _expected(resp)
    pd.testing.assert_frame_equal(
        back.data[list(expected.columns)].reset_index(drop=True),
        expected,
        check_exact=True,
        check_dtype=False,
    )


def test_an_english_choice_text_export_of_missing_answers(mini, tmp_path):
    """The label of a missing answer option in the instrument's own language, one that no
    default rule reads as missing, and a numeric export of its code."""
    resp = cl.simulate(mini, n_schools=2, respondents=8, missing=0.3, seed=5)
    for values, written in (("labels", "Can't judge"), ("numeric", ",8,")):
        export = tmp_path / f"{values}.csv"
        cl.write_export(resp, export, platform="qualtrics", values=values, missing_options=1.0)
        text = export.read_text(encoding="utf-8")
        assert written in text
        back = cl.read_responses(export, mini)
        pd.testing.assert_frame_equal(
            back.data[list(mini.column_ids)].reset_index(drop=True),
            _expected(resp),
            check_exact=True,
            check_dtype=False,
        )


@pytest.mark.parametrize("platform", ["csv", "google_forms"])
def test_other_writers_write_missing_answers(platform):
    inst = cl.load_instrument("sass-teacher-influence")
    resp = cl.simulate(inst, n_schools=2, respondents=10, missing=0.3, seed=9)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform=platform, missing_options=1.0)
    text = buffer.getvalue()
    assert ("Not applicable" in text) == (platform == "google_forms")
    school = "School" if platform == "google_forms" else "school_id"
    back = cl.read_responses(text.encode(), inst, school=school)
    offered = [i for i in inst.item_ids if inst.response_scale_of(i).missing_options]
    written = int(resp.data[offered].isna().to_numpy().sum())  # every blank of those items
    assert (
        back.log.recoded.get("missing_code", 0) + back.log.recoded.get("missing_label", 0)
        == written
        > 0
    )
    np.testing.assert_array_equal(back.items.to_numpy(), resp.items.to_numpy())


def test_write_export_checks_the_share_of_missing_answers():
    resp = cl.simulate("sass-teacher-influence", n_schools=1, respondents=5, seed=1)
    with pytest.raises(cl.ColeadError, match="'missing_options' parameter of write_export"):
        cl.write_export(resp, io.StringIO(), missing_options=1.5)
    plain, none = io.StringIO(), io.StringIO()
    cl.write_export(resp, plain)
    cl.write_export(resp, none, missing_options=0.0)
    assert plain.getvalue() == none.getvalue()


# -- scoring ----------------------------------------------------------------------------------
def _table(rows: list[dict[str, object]], inst: cl.Instrument) -> bytes:
    """A plain export: one row per respondent, the given answers, every other item blank."""
    lines = [",".join(["respondent_id", "school_id", *inst.item_ids])]
    for i, answers in enumerate(rows):
        cells = [str(answers.get(item, "")) for item in inst.item_ids]
        lines.append(",".join([f"R{i + 1}", "S01", *cells]))
    return ("\n".join(lines) + "\n").encode()


def test_a_missing_answer_scores_as_a_blank():
    """A respondent who marked "Not applicable" (code 9, or its label) gets the score of one
    who left the item blank, ``min_valid`` included: 4 of 7 answered is a score, 3 is not."""
    inst = cl.load_instrument("sass-teacher-influence")
    items = inst.scales["school_influence"].items
    assert len(items) == 7 and inst.scales["school_influence"].min_answered == 4
    na = "Not applicable"
    answered = [
        dict(zip(items, row, strict=True))
        for row in (
            [4, 3, 2, 4, 9, 9, 9],
            [1, 2, 9, 9, 9, 9, 4],
            [2, 2, 3, 3, 3, 4, na],
            [1, na, na, na, na, 3, 3],
        )
    ]
    blank = [{k: "" if v in (9, na) else v for k, v in row.items()} for row in answered]
    coded = cl.read_responses(_table(answered, inst), inst)
    left = cl.read_responses(_table(blank, inst), inst)
    assert coded.log.recoded["missing_code"] == 7 and coded.log.recoded["missing_label"] == 5
    with_codes, without = cl.score(coded, counts=True), cl.score(left, counts=True)
    pd.testing.assert_frame_equal(with_codes, without)
    assert with_codes["school_influence_n"].tolist() == [4, 3, 6, 3]
    scores = with_codes["school_influence"].tolist()
    assert scores[0] == 3.25 and scores[2] == pytest.approx(17 / 6)
    assert np.isnan(scores[1]) and np.isnan(scores[3])

"""Every export layout and quirk, written from known values, reads back exactly (issue 3).

The writers are in tests/io_writers.py: each returns the file's bytes and, for every row of the
known responses, the respondent id and the drop reason reading it back must give.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import numpy as np
import pytest
import yaml
from numpy.testing import assert_array_equal

import colead as cl
from colead.exceptions import ResponseDataError
from tests import io_writers as w

ALL = sorted(w.LAYOUTS)


# Row kinds each platform can express (see io_writers); eight rows each.
DROPS = {
    "qualtrics": ["", "preview", "", "duplicate", "incomplete", "empty", "test", "spam"],
    "surveymonkey": ["", "", "duplicate", "empty", "", "", "", ""],
    "google_forms": ["", "empty", "", "", "", "", "", ""],
    "microsoft_forms": ["", "", "duplicate", "empty", "", "", "", ""],
    "limesurvey": ["", "incomplete", "", "duplicate", "empty", "", "incomplete", ""],
    "redcap": ["", "incomplete", "", "duplicate", "unverified", "empty", "not_completed", ""],
    "generic": ["", "", "duplicate", "empty", "", "", "", ""],
}


@pytest.fixture(scope="module")
def resp():
    return w.known()


def write(layout: str, resp, **kwargs) -> w.Written:
    return w.LAYOUTS[layout](resp, **kwargs)


def read(written: w.Written, resp, **kwargs) -> cl.Responses:
    kwargs.setdefault("school", written.school)
    return cl.read_responses(written.content, resp.instrument, **kwargs)


def assert_read_back(got, resp, written, *, keep_incomplete=False, blanks=()):
    """Values, ids, schools and the log of ``got`` are what ``written`` holds."""
    want, ids = w.expected_items(resp, written, keep_incomplete=keep_incomplete, blanks=blanks)
    assert_array_equal(got.data[resp.item_ids].to_numpy(float), want.to_numpy(float))
    assert list(got.data["respondent_id"]) == ids
    log = got.log
    assert log.rows_read == log.rows_kept + len(log.dropped) == len(resp.data)
    reasons = ["" if keep_incomplete and r == "incomplete" else r for r in written.reasons]
    expected_drops = [(written.row_number(i), r) for i, r in enumerate(reasons) if r]
    assert list(zip(log.dropped["row"], log.dropped["reason"], strict=True)) == expected_drops
    kept = [r == "" for r in reasons]
    schools = resp.data["school_id"][kept].tolist()
    assert got.data["school_id"].tolist() == schools
    assert got.platform == written.platform


# -- every layout ----------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ALL)
def test_layout_detected_and_read_back_exactly(layout, resp):
    written = write(layout, resp)
    assert cl.read_export(written.content).platform == written.platform
    assert_read_back(read(written, resp), resp, written)


@pytest.mark.parametrize("layout", ALL)
def test_layout_selected_by_name(layout, resp):
    written = write(layout, resp)
    got = read(written, resp, platform=written.platform)
    assert_read_back(got, resp, written)


@pytest.mark.parametrize("layout", ALL)
def test_bundled_instrument_with_grid_reads_back(layout):
    """colead-teacher: 108 items, matrices and a 7 x 7 influence grid, on every layout."""
    resp = w.known("colead-teacher", n=6, missing=0.1)
    written = write(layout, resp)
    assert_read_back(read(written, resp), resp, written)


def _drops(layout: str) -> list[str]:
    """The row kinds of ``layout``'s platform (layout names start like platform names)."""
    return next(rows for p, rows in DROPS.items() if layout.startswith(p.split("_")[0]))


# Insights rows are also tested with item-id tags in
# test_qualtrics_status_finished_progress_and_channel.
@pytest.mark.parametrize("keep_incomplete", [False, True])
@pytest.mark.parametrize("layout", [n for n in ALL if n != "qualtrics_insights"])
def test_rows_dropped_with_their_reason(layout, keep_incomplete, resp):
    written = write(layout, resp, status=_drops(layout))
    got = read(written, resp, keep_incomplete=keep_incomplete)
    assert_read_back(got, resp, written, keep_incomplete=keep_incomplete)


@pytest.mark.parametrize("layout", ALL)
def test_personal_columns_removed_and_listed(layout, resp):
    written = write(layout, resp, status=_drops(layout))
    got = read(written, resp, items=["years"])  # reads every layout, the Insights one too
    assert set(got.log.pii_removed) == set(written.personal)
    assert got.log.pii_kept == ()
    text = got.data.astype(str)
    assert not text.apply(lambda col: col.str.contains("@")).any().any()
    assert set(got.data.columns) == {"respondent_id", "school_id", "years"}


@pytest.mark.parametrize("layout", ALL)
def test_personal_columns_kept_on_request(layout, resp):
    written = write(layout, resp, status=_drops(layout))
    got = read(written, resp, items=["years"], keep_pii=True)
    assert got.log.pii_removed == ()
    assert set(got.log.pii_kept) == set(written.personal)
    assert set(got.log.pii_kept) <= set(got.data.columns)
    assert got.log.rows_read == got.log.rows_kept + len(got.log.dropped)


@pytest.mark.parametrize("layout", ALL)
def test_missing_school_column_is_a_clear_error(layout, resp):
    written = write(layout, resp)
    with pytest.raises(ResponseDataError, match="campus") as info:
        read(written, resp, school="campus", items=["years"])
    assert "campus" in info.value.problems["column"].tolist()


@pytest.mark.parametrize("layout", ALL)
def test_blank_schools_are_nan_and_counted(layout, resp):
    schools = w.with_schools(resp, {"S02": ""})
    written = write(layout, schools)
    got = read(written, schools, items=["years"])
    n_blank = int((resp.data["school_id"] == "S02").sum())
    assert got.log.no_school == n_blank == got.data["school_id"].isna().sum()
    assert got.data["school_id"].dropna().tolist() == ["S01"] * (len(resp.data) - n_blank)


def test_reading_without_schools(resp):
    got = read(w.generic(resp), resp, school=None)
    assert got.data["school_id"].isna().all() and got.log.no_school == 0
    assert "school_id" in got.log.unmapped_columns


# -- Qualtrics -------------------------------------------------------------------------------
QUALTRICS_ROWS = [
    "", "preview", "test", "spam", "preview_spam", "imported", "offline", "offline_preview",
    "unfinished", "partial", "incomplete", "test_channel", "preview_channel", "", "duplicate",
    "empty",
]  # fmt: skip


@pytest.mark.parametrize("keep_incomplete", [False, True])
@pytest.mark.parametrize("values", ["numeric", "labels"])
@pytest.mark.parametrize("layout", ["data table", "legacy", "insights"])
def test_qualtrics_status_finished_progress_and_channel(layout, values, keep_incomplete):
    rows = QUALTRICS_ROWS
    if layout != "data table":  # no Progress or DistributionChannel columns
        rows = [r if r not in ("partial", "test_channel", "preview_channel") else "" for r in rows]
    resp = w.known(n=16)
    written = w.qualtrics(resp, layout=layout, values=values, status=rows)
    got = read(written, resp, keep_incomplete=keep_incomplete)
    assert_read_back(got, resp, written, keep_incomplete=keep_incomplete)
    assert any("Imported" in note for note in got.log.warnings)


def test_qualtrics_seen_but_unanswered_and_negative_recodes_are_missing(resp):
    cells = {(0, "t1"): "-99", (1, "t2"): "-1", (2, "v1"): "-2", (3, "years"): "-3"}
    for values in ("numeric", "labels"):
        written = w.qualtrics(resp, values=values, cells=cells)
        assert_read_back(read(written, resp), resp, written, blanks=list(cells))
    # Elsewhere a negative number is not a missing code unless the scale says so.
    with pytest.raises(ResponseDataError) as info:
        read(w.generic(resp, cells=cells), resp)
    assert info.value.problems[["row", "column", "value"]].values.tolist() == [
        [3, "t2", "-1"], [4, "v1", "-2"], [5, "years", "-3"]
    ]  # fmt: skip


def test_qualtrics_matrix_suffixes_are_recodes_not_positions(resp):
    written = w.qualtrics(resp, names="platform")
    export = cl.read_export(written.content)
    tags = [c.name for c in export.columns_of("answer")]
    assert tags[:3] == ["Q1_130", "Q1_50", "Q1_7"]
    assert_read_back(read(written, resp), resp, written)


@pytest.mark.parametrize("layout", ["data table", "legacy"])
def test_qualtrics_html_and_multiline_texts(layout, resp):
    written = w.qualtrics(resp, layout=layout, names="platform", html=True)
    assert b"\n</p>" in written.content
    assert_read_back(read(written, resp), resp, written)


def test_qualtrics_legacy_truncated_texts(resp):
    written = w.qualtrics(resp, layout="legacy", names="platform", truncate=True)
    assert b"How many years...," in written.content and b"Trust in colle...-" in written.content
    assert_read_back(read(written, resp), resp, written)


def test_qualtrics_legacy_bom_trailing_comma_and_duplicate_names(resp):
    written = w.qualtrics(resp, layout="legacy", names="platform", duplicate_names=True)
    assert written.content.startswith(b"\xef\xbb\xbfV1,V2,V3")
    assert written.content.split(b"\r\n")[0].endswith(b",")
    export = cl.read_export(written.content)
    assert export.layout == "legacy" and export.columns[0].name == "ResponseID"
    assert [c.name for c in export.columns_of("answer")].count("Q1") == 3
    assert_read_back(read(written, resp), resp, written)


def test_qualtrics_with_only_its_first_header_row(resp):
    written = w.qualtrics(resp)
    rows = list(csv.reader(io.StringIO(written.content.decode())))
    content = w.csv_bytes([rows[0], *rows[3:]])
    got = cl.read_responses(content, resp.instrument)
    assert got.log.rows_read == len(resp.data)
    assert list(got.data["respondent_id"]) == list(written.ids)


def test_qualtrics_legacy_statement_with_a_hyphen():
    inst = dict(w.MINI, items=[dict(i) for i in w.MINI["items"]])
    inst["items"][1]["text"] = "Colleagues keep their word, even off-duty."
    resp = w.known(inst)
    written = w.qualtrics(resp, layout="legacy", names="platform")
    assert_read_back(read(written, resp), resp, written)


def test_qualtrics_insights_maps_question_statement_texts(resp):
    written = w.qualtrics(resp, layout="insights", names="platform")
    assert_read_back(read(written, resp), resp, written)


def test_qualtrics_insights_pseudo_json_import_ids(resp):
    written = w.qualtrics(resp, layout="insights", names="platform")
    export = cl.read_export(written.content)
    assert export.layout == "insights"
    ids = {c.name: c.import_id for c in export.columns}
    assert ids["Q1_50"] == "QID1-50" and ids["RecipientEmail"] == "panel-RecipientEmail"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_qualtrics_utf16_tsv(encoding, resp):
    named = w.with_schools(resp, {"S01": "École Sainte-Thérèse", "S02": "Zürich Süd"})
    written = w.qualtrics(named, encoding=encoding, bom=True, delimiter="\t", values="labels")
    export = cl.read_export(written.content)
    assert export.layout == "data table"
    assert_read_back(read(written, named), named, written)


# -- SurveyMonkey, Google Forms, Microsoft Forms --------------------------------------------
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("version", [2017, 2022])
def test_surveymonkey_header_rows_nul_nbsp_and_padding(version, newline, resp):
    written = w.surveymonkey(
        resp, version=version, nul=True, nbsp=True, padding=True, newline=newline
    )
    assert b"\x00" in written.content and "\u00a0".encode() in written.content
    export = cl.read_export(written.content)
    assert export.platform == "surveymonkey" and export.n_rows == len(resp.data)
    assert [c.kind for c in export.columns[:4]] == ["meta"] * 4
    assert_read_back(read(written, resp), resp, written)


def test_school_from_a_custom_data_column_is_not_reported_removed(resp):
    rows = list(csv.reader(io.StringIO(w.surveymonkey(resp).content.decode())))
    custom, school = rows[0].index("Custom Data 1"), rows[0].index("School")
    for row in rows[2:]:
        row[custom] = row[school]
    got = cl.read_responses(w.csv_bytes(rows), resp.instrument, school="Custom Data 1")
    assert got.data["school_id"].tolist() == resp.data["school_id"].tolist()
    assert "Custom Data 1" not in got.log.pii_removed


@pytest.mark.parametrize("download, separator", [("forms", ";"), ("sheets", ", ")])
def test_google_forms_downloads(download, separator, resp):
    written = w.google_forms(resp, download=download)
    export = cl.read_export(written.content)
    assert export.multi_separator == separator
    assert export.layout == ("forms csv download" if download == "forms" else "sheets download")
    got = read(written, resp)
    assert got.log.unmapped_columns == ("Which subjects do you teach?",)
    assert_read_back(got, resp, written)


@pytest.mark.parametrize("hidden_sheets", [True, False])
@pytest.mark.parametrize("numbers_as_text", [True, False])
@pytest.mark.parametrize("dates", ["serial", "datetime"])
def test_microsoft_forms_workbook(dates, numbers_as_text, hidden_sheets, resp):
    written = w.microsoft_forms(
        resp, dates=dates, numbers_as_text=numbers_as_text, hidden_sheets=hidden_sheets,
        last_modified=not hidden_sheets,
    )  # fmt: skip
    export = cl.read_export(written.content)
    assert export.platform == "microsoft_forms"
    assert "Decoy" not in [c.name for c in export.columns]
    assert [c.kind for c in export.columns[:3]] == ["meta"] * 3
    assert_read_back(read(written, resp), resp, written)


# -- LimeSurvey and REDCap ------------------------------------------------------------------
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("delimiter", [";", ","])
@pytest.mark.parametrize(
    "headings, codes, values",
    [
        ("code", "item_id", "labels"),
        ("code", "item_id", "numeric"),
        ("full", "", "labels"),
        ("abbreviated", "item_id", "labels"),
    ],
)
def test_limesurvey_headings_separators_and_bom(headings, codes, values, delimiter, bom, resp):
    written = w.limesurvey(
        resp, headings=headings, codes=codes, values=values, delimiter=delimiter, bom=bom,
        status=DROPS["limesurvey"],
    )  # fmt: skip
    assert written.content.startswith(b"\xef\xbb\xbf" if bom else b'"')
    assert cl.read_export(written.content).platform == "limesurvey"
    got = read(written, resp)
    assert_read_back(got, resp, written)
    assert got.log.unmapped_columns == ()  # metadata, even cut to "Date last actio..", is meta


def test_limesurvey_abbreviated_headings_with_subquestion_codes(resp):
    """``Trust in collea.. [SQ001]`` names no item: matrix rows need a mapping; a single
    question cut short (``How many years ..``) matches its item by its beginning."""
    written = w.limesurvey(resp, headings="abbreviated", codes="platform")
    mapping = {}
    for scale in resp.instrument.scales.values():
        for k, item in enumerate(scale.items, start=1):
            mapping[f"{scale.title[:15]}.. [SQ{k:03d}]"] = item
    got = read(written, resp, mapping=mapping)
    assert got.log.unmapped_columns == ()
    assert_read_back(got, resp, written)


MAPPING = {
    "G01Q01[SQ001]": "t1", "G01Q01[SQ002]": "t2", "G01Q01[SQ003]": "t3",
    "G01Q02[SQ001]": "v1", "G01Q02[SQ002]": "v2", "G01Q03": "years",
}  # fmt: skip


@pytest.mark.parametrize("form", ["dict", "yaml", "yaml-flat", "csv"])
def test_platform_codes_mapped_by_a_mapping(form, resp, tmp_path):
    written = w.limesurvey(resp, headings="code", codes="platform")
    with pytest.raises(ResponseDataError, match="no column matched any item"):
        read(written, resp)
    if form == "dict":
        mapping = MAPPING
    elif form.startswith("yaml"):
        mapping = tmp_path / "map.yaml"
        mapping.write_text(yaml.safe_dump(MAPPING if form == "yaml-flat" else {"columns": MAPPING}))
    else:
        mapping = tmp_path / "map.csv"
        mapping.write_text("column,item_id\n" + "".join(f"{k},{v}\n" for k, v in MAPPING.items()))
    got = read(written, resp, mapping=mapping)
    assert_read_back(got, resp, written)
    assert got.log.unmapped_columns == ()


@pytest.mark.parametrize("event", ["baseline_arm_1", None])
@pytest.mark.parametrize("labels", [False, True])
def test_redcap_raw_and_label_exports(labels, event, resp):
    written = w.redcap(resp, labels=labels, event=event, status=DROPS["redcap"])
    export = cl.read_export(written.content)
    assert export.platform == "redcap"
    got = read(written, resp)
    assert got.log.unmapped_columns == ("subjects___1", "subjects___2", "subjects___3")
    assert_read_back(got, resp, written)


def test_redcap_label_headers_selected_by_name(resp):
    written = w.redcap(resp, labels=True, label_headers=True, status=DROPS["redcap"])
    assert_read_back(read(written, resp, platform="redcap"), resp, written)


def test_redcap_label_headers_detected(resp):
    written = w.redcap(resp, labels=True, label_headers=True)
    assert cl.read_export(written.content).platform == "redcap"


# -- generic tables and encodings ------------------------------------------------------------
@pytest.mark.parametrize(
    "fmt, encoding, bom",
    [
        ("csv", "utf-8", False), ("csv", "utf-8", True), ("tsv", "utf-16-le", True),
        ("tsv", "utf-16-be", True), ("csv", "cp1252", False), ("tsv", "cp1252", False),
        ("xlsx", "", False),
    ],
)  # fmt: skip
@pytest.mark.parametrize("headers, values", [("item_id", "numeric"), ("text", "labels")])
def test_generic_tables_and_encodings(fmt, encoding, bom, headers, values, resp):
    named = w.with_schools(resp, {"S01": "École Sainte-Thérèse", "S02": "Zürich Süd"})
    written = w.generic(named, fmt=fmt, encoding=encoding or "utf-8", bom=bom, headers=headers,
                        values=values)  # fmt: skip
    got = read(written, named)
    assert_read_back(got, named, written)
    if encoding == "cp1252":
        assert any("Windows-1252" in note for note in got.log.warnings)


def test_tsv_whose_headers_hold_more_commas_than_tabs():
    # found: the delimiter was the most frequent one in the first line, here the comma
    inst = dict(w.MINI, items=[dict(i) for i in w.MINI["items"]])
    for item in inst["items"]:
        item["text"] = "In your view, as a teacher, " + item["text"]
    resp = w.known(inst)
    written = w.generic(resp, fmt="tsv", headers="text", values="labels")
    header = written.content.split(b"\r\n")[0]
    assert header.count(b",") > header.count(b"\t")
    assert_read_back(read(written, resp), resp, written)


def test_the_log_as_text_and_html(resp):
    written = w.qualtrics(resp, status=DROPS["qualtrics"])
    log = read(written, resp).log
    text = log.summary()
    assert f"rows read: {len(resp.data)}, kept: {log.rows_kept}" in text
    for reason, n in Counter(r for r in written.reasons if r).items():
        assert f"dropped as {reason}: {n}" in text
    assert "personal columns removed: IPAddress" in text
    assert "<li>" in log._repr_html_() and "dropped as preview" in log._repr_html_()


def test_a_dataframe_is_read_as_a_generic_table(resp):
    got = cl.read_responses(resp.data, resp.instrument)
    assert got.platform == "generic"
    assert_array_equal(got.items.to_numpy(float), resp.items.to_numpy(float))
    assert list(got.data["respondent_id"]) == list(resp.data["respondent_id"])


def test_respondent_id_is_never_an_email(resp):
    emails = w.with_schools(resp, {})
    emails.data["respondent_id"] = [f"t{i}@school.example" for i in range(len(resp.data))]
    got = read(w.generic(emails), emails)
    assert list(got.data["respondent_id"]) == [f"row{i + 2}" for i in range(len(resp.data))]


def test_empty_and_trailing_columns(resp):
    rows = list(csv.reader(io.StringIO(w.generic(resp).content.decode())))
    width = len(rows[0])
    # a column with data but no header, then two empty columns (a trailing comma or two)
    content = w.csv_bytes([[*r, "x" if k else "", "", ""] for k, r in enumerate(rows)])
    assert len(cl.read_export(content).columns) == width + 1
    got = cl.read_responses(content, resp.instrument)
    assert got.log.unmapped_columns == (f"#{width + 1}",)
    assert_array_equal(got.items.to_numpy(float), resp.items.to_numpy(float))


# -- mapping ---------------------------------------------------------------------------------
def _with_copy_of(written: w.Written, header: str) -> tuple[bytes, int]:
    rows = list(csv.reader(io.StringIO(written.content.decode())))
    k = rows[0].index(header)
    return w.csv_bytes([[*r, r[k]] for r in rows]), len(rows[0]) + 1


def test_two_columns_for_a_required_item_is_an_error_naming_both(resp):
    header = "Trust in colleagues [Teachers in this school trust each other.]"
    content, copy = _with_copy_of(w.google_forms(resp), header)
    with pytest.raises(ResponseDataError, match="several columns") as info:
        cl.read_responses(content, resp.instrument, school="School")
    (reason,) = info.value.problems["reason"]
    assert f"#{copy} " in reason and "#4 " in reason
    got = cl.read_responses(content, resp.instrument, school="School", mapping={"#4": "t1"})
    assert f"#{copy} {header}" in got.log.unmapped_columns


def test_ambiguous_columns_are_listed_in_the_log(resp):
    content, _ = _with_copy_of(w.google_forms(resp), resp.instrument.item("years").text)
    got = cl.read_responses(content, resp.instrument, school="School")
    assert re.search(r"ambiguous|several columns", got.log.summary(), re.IGNORECASE)


def test_required_item_without_a_column_is_an_error_naming_it(resp):
    content = w.generic(resp).content.replace(b",t2,", b",tx,")
    with pytest.raises(ResponseDataError) as info:
        cl.read_responses(content, resp.instrument)
    assert info.value.problems["value"].tolist() == ["t2"]
    got = cl.read_responses(content, resp.instrument, items=["t1", "t3", "v1", "v2"])
    assert got.log.unmapped_columns == ("tx", "years")


def test_optional_item_without_a_column_is_logged(resp):
    content = w.generic(resp).content.replace(b",years\r\n", b",experience\r\n")
    got = cl.read_responses(content, resp.instrument)
    assert got.log.items_not_found == ("years",)
    assert got.log.unmapped_columns == ("experience",)


def test_a_mapping_naming_unknown_items_and_columns_lists_each(resp):
    mapping = {"t1": "nope", "no such column": "t2", "t3": "t3"}
    with pytest.raises(ResponseDataError) as info:
        cl.read_responses(w.generic(resp).content, resp.instrument, mapping=mapping)
    assert info.value.problems["column"].tolist() == ["t1", "no such column"]


# -- recoding --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, value",
    [
        ("4 = Strongly agree", 4), ("2 - Disagree", 2), ("Strongly agree (4)", 4),
        ("  strongly   AGREE ", 4), ("STRONGLY DISAGREE", 1), ("3", 3), ("3.0", 3),
        ("Strongly\u00a0agree", 4), ("Not applicable", np.nan), ("Don't know", np.nan),
        ("Don\u2019t know", np.nan), ("Prefer not to answer", np.nan), ("-99", np.nan),
        ("N/A", np.nan),
    ],
)  # fmt: skip
@pytest.mark.parametrize("layout", ["generic_csv", "google_forms_csv", "surveymonkey_2022"])
def test_label_forms_recoded(layout, text, value, resp):
    written = write(layout, resp, cells={(0, "t1"): text, (5, "t3"): text})
    want = resp.items.copy()
    want.loc[0, "t1"] = want.loc[5, "t3"] = value
    assert_array_equal(read(written, resp).items.to_numpy(float), want.to_numpy(float))


BAD = {
    (0, "t1"): "Totally",
    (2, "t3"): "7",
    (2, "v2"): "Often-ish",
    (5, "years"): "51",
    (6, "t1"): "3 = Disagree",
    (7, "t2"): "0",
}


def _column_label(layout: str, resp, item_id: str) -> str:
    inst = resp.instrument
    item = inst.item(item_id)
    title = inst.scales[item.scale].title if item.scale else ""
    if layout.startswith("surveymonkey"):
        return f"{title} - {item.text}" if title else item.text
    if layout.startswith("google"):
        return f"{title} [{item.text}]" if title else item.text
    return item_id


@pytest.mark.parametrize(
    "layout", ["generic_csv", "qualtrics_labels", "surveymonkey_2022", "google_sheets"]
)
def test_every_offending_cell_is_listed(layout, resp):
    written = write(layout, resp, cells=BAD)
    with pytest.raises(ResponseDataError) as info:
        read(written, resp)
    problems = info.value.problems
    want = sorted(
        (written.row_number(i), _column_label(layout, resp, item), text)
        for (i, item), text in BAD.items()
    )
    assert sorted(map(tuple, problems[["row", "column", "value"]].values.tolist())) == want
    assert problems["reason"].str.len().gt(0).all()

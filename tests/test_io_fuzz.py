"""Property tests: whatever bytes arrive, the import reads them or raises a ColeadError.

Random byte strings, truncated files and random edits (bytes, cells, rows, columns, XLSX
cells) of valid exports of every layout must either read, with every row accounted for and
every value on its item's scale, or raise :class:`colead.ColeadError`; never another
exception. Inputs found to break that are kept below as explicit regression tests.
"""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal

import colead as cl
from colead.io import PLATFORM_NAMES
from tests import io_writers as w

RESP = w.known(n=4, missing=0.25)
INST = RESP.instrument
EXPORTS = {name: write(RESP) for name, write in w.LAYOUTS.items()}
TEXT_LAYOUTS = sorted(n for n, e in EXPORTS.items() if not e.content.startswith(b"PK"))


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


# Read options; without "school", the column the writer put the school in.
OPTIONS = st.sampled_from(
    [{}, {"school": None}, {"school": None, "keep_incomplete": True, "keep_pii": True}]
)
# Cells that mean something to some reader: layout markers, codes, numbers, labels.
TOKENS = [
    "", " ", "V1", "V2", "V3", "{'ImportId': 'QID1-1'}", '{"ImportId":"QID1"}', "-99", "-1",
    "nan", "inf", "1e400", "9" * 40, "3.", "+4", "٣", "½", "4 = Agree", "(3)", "Agree (9)",
    "Strongly agree (4", "=1+2", "Response", "Open-Ended Response", "Timestamp", "submitdate",
    "record_id", "x_complete", "redcap_event_name", "[not completed]", "Status", "Finished",
    "Progress", "ResponseId", "ResponseID", "ResponseSet", "0", "1", "2", "8", "True", "False",
    "Survey Preview", "abc___1", "id", "Start time", "Completion time", "Respondent ID",
    "Collector ID", "Variable / Field Name", "school_id", "t1", "t1 [x]", "years", "a\nb",
    'say "hi"', "\x00", "x@y.org", "1,5", "1,000", "Ａｇｒｅｅ", "İ", "ß", "Not applicable",
    "Agree", "strongly DISAGREE", "Sometimes", "Often", "3", "12", "S01",
]  # fmt: skip


def _scale_values(item_id: str) -> tuple[float, float, set[float]]:
    rs = INST.response_scale_of(item_id)
    return rs.min, rs.max, {float(v) for v, _ in rs.labels}


def check(source, written: w.Written | None = None, **options) -> cl.Responses | None:
    """Read ``source``; a ColeadError is fine, anything else fails. What is read must hold
    together: the log adds up and every item value is on its scale."""
    try:
        export = cl.read_export(source)
    except cl.ColeadError:
        export = None
    else:
        n = export.n_rows
        assert len(export.row_numbers) == len(export.exclude) == len(export.response_ids) == n
        assert export.platform in PLATFORM_NAMES
    if written is not None:
        options.setdefault("school", written.school)
    try:
        got = cl.read_responses(source, INST, **options)
    except cl.ColeadError:
        return None
    assert export is not None, "read_responses read what read_export refused"
    log = got.log
    assert log.rows_read == export.n_rows == log.rows_kept + len(log.dropped)
    assert set(log.dropped["reason"]) <= {"preview", "test", "spam", "incomplete", "duplicate",
                                          "empty"}  # fmt: skip
    for item_id in got.item_ids:
        values = got.data[item_id].to_numpy(float)
        low, high, labels = _scale_values(item_id)
        present = values[~np.isnan(values)]
        assert ((present >= low) & (present <= high)).all()
        assert not labels or set(present) <= labels
    assert not got.data["respondent_id"].astype(str).str.contains("@").any()
    return got


def _encode_like(text: str, layout: str) -> bytes:
    if layout == "qualtrics_tsv_utf16":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode("utf-8")


def _decode(layout: str) -> tuple[str, str]:
    """The text of a layout's export and its delimiter."""
    content = EXPORTS[layout].content
    text = (
        content[2:].decode("utf-16-le")
        if content[:2] == b"\xff\xfe"
        else content.decode("utf-8-sig")
    )
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count)
    return text, delimiter


# -- bytes -----------------------------------------------------------------------------------
@fuzz(1500)
@given(data=st.binary(max_size=400), options=OPTIONS)
def test_random_bytes(data, options):
    check(data, **options)


@fuzz(800)
@given(
    data=st.text(alphabet=st.sampled_from(list(',;\t"\'\r\n {}[]()=-_@#V1234abcé\x00\u00a0')),
                 max_size=300),
    bom=st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]),
    options=OPTIONS,
)  # fmt: skip
def test_random_delimited_text(data, bom, options):
    encoding = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}.get(bom, "utf-8")
    check(bom + data.encode(encoding, errors="replace"), **options)


@fuzz(800)
@given(layout=st.sampled_from(sorted(EXPORTS)), cut=st.floats(0, 1), options=OPTIONS)
def test_truncated_files(layout, cut, options):
    content = EXPORTS[layout].content
    check(content[: int(len(content) * cut)], EXPORTS[layout], **options)


@fuzz(1200)
@given(
    layout=st.sampled_from(sorted(EXPORTS)),
    edits=st.lists(
        st.tuples(st.sampled_from(["delete", "insert", "replace"]), st.floats(0, 1),
                  st.binary(min_size=1, max_size=6)),
        min_size=1, max_size=6,
    ),
    options=OPTIONS,
)  # fmt: skip
def test_random_byte_edits(layout, edits, options):
    data = bytearray(EXPORTS[layout].content)
    for op, where, payload in edits:
        at = int(where * len(data))
        if op == "delete":
            del data[at : at + len(payload)]
        elif op == "insert":
            data[at:at] = payload
        else:
            data[at : at + len(payload)] = payload
    check(bytes(data), EXPORTS[layout], **options)


# -- cells, rows and columns -----------------------------------------------------------------
CELL = st.one_of(st.sampled_from(TOKENS), st.text(max_size=12))
EDIT = st.tuples(
    st.sampled_from(["cell", "delete row", "copy row", "delete column", "add cell", "short row"]),
    st.floats(0, 1), st.floats(0, 1), CELL,
)  # fmt: skip


@fuzz(1200)
@given(
    layout=st.sampled_from(TEXT_LAYOUTS),
    edits=st.lists(EDIT, min_size=1, max_size=6),
    options=OPTIONS,
)
def test_random_cell_edits(layout, edits, options):
    text, delimiter = _decode(layout)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for op, r, c, value in edits:
        if not rows:
            break
        row = rows[int(r * (len(rows) - 1))]
        col = int(c * max(len(row) - 1, 0))
        if op == "cell" and row:
            row[col] = value
        elif op == "delete row":
            rows.remove(row)
        elif op == "copy row":
            rows.insert(int(c * len(rows)), list(row))
        elif op == "delete column":
            for other in rows:
                del other[col : col + 1]
        elif op == "add cell":
            row.insert(col, value)
        else:
            del row[col:]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    check(_encode_like(out.getvalue(), layout), EXPORTS[layout], **options)


@fuzz(400)
@given(layout=st.sampled_from(TEXT_LAYOUTS),
       keep=st.floats(0, 1))  # fmt: skip
def test_files_cut_at_a_row_read_the_rows_left(layout, keep):
    """A file cut after a whole data row reads exactly the rows before the cut."""
    written = EXPORTS[layout]
    text, _ = _decode(layout)
    lines = text.splitlines(keepends=True)
    n_keep = int(keep * len(RESP.data))
    cut = "".join(lines[: written.header_rows + n_keep])
    got = check(_encode_like(cut, layout), written)
    if n_keep == 0:
        assert got is None  # header rows only: a ColeadError, not an empty result
        return
    assert got is not None
    want = RESP.data[RESP.item_ids].iloc[:n_keep].to_numpy(float)
    assert_array_equal(got.items.to_numpy(float), want)
    assert list(got.data["respondent_id"]) == list(written.ids[:n_keep])


# -- workbooks and data frames ---------------------------------------------------------------
XLSX_VALUE = st.one_of(
    st.sampled_from(TOKENS),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=pd.Timestamp("1901-01-01").to_pydatetime(),
                 max_value=pd.Timestamp("2100-01-01").to_pydatetime()),
    st.none(),
)  # fmt: skip


@fuzz(150)
@given(
    layout=st.sampled_from(["microsoft_forms", "generic_xlsx"]),
    edits=st.lists(st.tuples(st.integers(1, 6), st.integers(1, 14), XLSX_VALUE), max_size=8),
    options=OPTIONS,
)
def test_random_workbook_cells(layout, edits, options):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(EXPORTS[layout].content))
    sheet = book["Form1"] if "Form1" in book.sheetnames else book.active
    for row, col, value in edits:
        if isinstance(value, str):
            value = "".join(ch for ch in value if ch.isprintable() or ch == "\n")
        sheet.cell(row=row, column=col, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    check(buffer.getvalue(), EXPORTS[layout], **options)


@fuzz(400)
@given(
    columns=st.lists(
        st.one_of(st.sampled_from(["t1", "years", "school_id", "respondent_id", "", "t1"]),
                  st.text(max_size=6), st.integers()),
        min_size=1, max_size=6,
    ),
    cells=st.lists(st.lists(st.one_of(CELL, st.floats(), st.integers(), st.none()),
                            min_size=6, max_size=6), max_size=5),
    options=OPTIONS,
)  # fmt: skip
def test_random_data_frames(columns, cells, options):
    frame = pd.DataFrame([row[: len(columns)] for row in cells], columns=columns, dtype=object)
    check(frame, items=["t1", "years"], **options)


# -- regressions found by the properties above -----------------------------------------------
def test_a_source_of_the_wrong_type_is_a_colead_error():
    # found: read_export(5) raised AttributeError ('int' object has no attribute 'read')
    for source in (5, None, 2.5, ["a,b"]):
        with pytest.raises(cl.ColeadError, match="'source' parameter"):
            cl.read_export(source)


def test_bytearray_and_memoryview_are_bytes():
    content = EXPORTS["generic_csv"].content
    for source in (bytearray(content), memoryview(content)):
        assert check(source) is not None


@pytest.mark.parametrize("frame", [pd.DataFrame(), pd.DataFrame(index=[0, 1])])
def test_a_data_frame_without_columns(frame):
    with pytest.raises(cl.ColeadError, match="empty"):
        cl.read_export(frame)


def test_a_bom_alone_is_an_empty_file():
    for data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff\x00\r\x00\n"):
        with pytest.raises(cl.ColeadError, match="empty"):
            cl.read_export(data)


def test_a_broken_utf16_file_says_so():
    with pytest.raises(cl.ColeadError, match="byte-order mark"):
        cl.read_export(b"\xff\xfea")


def test_every_layout_of_the_corpus_reads():
    """Sanity check of the corpus the properties edit: every layout reads as written."""
    for name, written in EXPORTS.items():
        got = check(written.content, written, items=["years"])
        assert got is not None, name
        assert all(math.isfinite(x) for x in got.data["years"].dropna())


def test_a_date_cell_out_of_range_is_read_without_a_warning():
    """Found by test_random_workbook_cells: openpyxl warns on reading a date-formatted cell
    whose serial number (here -693594) is outside the calendar."""
    import openpyxl

    from colead.io._xlsx import read_xlsx

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["respondent_id", "school_id", "t1"])
    sheet.append(["r1", "s1", 3])
    sheet["C2"].number_format = "yyyy-mm-dd"
    sheet["C2"].value = -693594
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_xlsx(buffer.getvalue(), "dates.xlsx")  # the suite turns warnings into errors
    assert table.frame.shape == (2, 3)
    assert table.frame.iloc[0].tolist() == ["respondent_id", "school_id", "t1"]

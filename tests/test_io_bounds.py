"""Bounded input: wide files cost time in proportion to their columns, workbooks that unpack
to gigabytes or declare billions of cells are refused in seconds, formula cells are logged."""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import time
import tracemalloc
import zipfile

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import ResponseDataError
from colead.io import _xlsx, read_export
from colead.io._table import read_table
from colead.io.mapping import draft_mapping, map_columns

TEACHER = cl.load_instrument("colead-teacher")
LIMIT_BYTES = 500_000_000
LIMIT_SECONDS = 10.0


# -- wide files ------------------------------------------------------------------------------
def _wide_export(extra: int) -> bytes:
    resp = cl.simulate(TEACHER, n_schools=2, respondents=10, seed=3)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform="csv")
    base = pd.read_csv(io.StringIO(buffer.getvalue()), dtype=str, keep_default_na=False)
    names = [f"extra_{i}" if i % 2 else "Other" for i in range(extra)]  # half share a header
    filler = pd.DataFrame(np.full((len(base), extra), "x"), columns=range(extra))
    body = pd.concat([base, filler], axis=1).to_csv(header=False, index=False)
    return (",".join([*base.columns, *names]) + "\n" + body).encode()


def _calls(data: bytes) -> int:
    """Python function calls (generator steps included) of reading ``data`` and drafting its
    mapping: a count of operations that does not depend on the machine's speed or load."""
    profile = cProfile.Profile()
    profile.enable()
    resp = cl.read_responses(data, TEACHER)
    export = read_export(data)
    draft_mapping(export, TEACHER, map_columns(export, TEACHER, list(TEACHER.item_ids)))
    profile.disable()
    assert len(resp.log.unmapped_columns) >= 1000
    return int(pstats.Stats(profile).total_calls)  # type: ignore[attr-defined]


def test_reading_is_linear_in_the_number_of_columns():
    # Counting equal headers once per column made this quadratic: 3.1x the calls for twice
    # the columns at this size (3.5x at 4,000), and 40 s at 16,000 extra columns.
    # benchmarks/wide_columns.py times 8,000 against 16,000.
    small, large = _calls(_wide_export(1000)), _calls(_wide_export(2000))
    assert large / small < 2.3, (small, large)


def test_duplicate_headers_are_named_by_position():
    data = _wide_export(4)
    resp = cl.read_responses(data, TEACHER)
    unmapped = resp.log.unmapped_columns
    assert "extra_1" in unmapped and "extra_3" in unmapped
    assert sum(u.endswith(" Other") and u.startswith("#") for u in unmapped) == 2


# -- workbooks -------------------------------------------------------------------------------
def _workbook(cells: dict[str, object]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite_sheet(data: bytes, rewrite) -> bytes:
    """The workbook with its first sheet's XML passed through ``rewrite`` (bytes -> bytes, or
    a writer of chunks when it takes two arguments)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as part:
                    rewrite(body, part)
            else:
                target.writestr(info, body)
    return out.getvalue()


def _refused_quickly(data: bytes, match: str) -> None:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ResponseDataError, match=match) as info:
            read_table(data)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert seconds < LIMIT_SECONDS and peak < LIMIT_BYTES, (seconds, peak)
    assert "colead reads workbooks of at most 200 MB unpacked" in str(info.value)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    # 210 MB of sheet XML in a 0.6 MB file (the reported bomb: 1.3 MB, 278 s, 8.9 GB).
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * (1 << 15)

    def inflate(body: bytes, part) -> None:
        part.write(body.split(b"<sheetData")[0] + b"<sheetData>")
        for _ in range(_xlsx.MAX_UNCOMPRESSED // len(row) + 3):
            part.write(row)
        part.write(b"</sheetData></worksheet>")

    bomb = _rewrite_sheet(_workbook({"A1": "id"}), inflate)
    assert len(bomb) < 2_000_000
    _refused_quickly(bomb, r"unpacks to 2\d\d MB")


def test_a_sheet_declaring_billions_of_cells_is_refused():
    bomb = _workbook({"A1": "respondent_id", "XFD1048576": "x"})  # 5 kB, A1:XFD1048576
    assert len(bomb) < 10_000
    _refused_quickly(bomb, "declares 1,048,576 rows x 16,384 columns")


def test_a_sheet_hiding_its_size_is_refused_while_it_is_read():
    # No <dimension>: each row reaches column XFD, which only reading the rows reveals.
    cells = {f"XFD{r}": "x" for r in range(1, 1000)}
    bomb = _rewrite_sheet(
        _workbook(cells), lambda body, part: part.write(re.sub(rb"<dimension[^>]*/>", b"", body))
    )
    assert b"dimension" not in zipfile.ZipFile(io.BytesIO(bomb)).read("xl/worksheets/sheet1.xml")
    _refused_quickly(bomb, "holds more than 610 rows x 16,384 columns")


def test_an_ordinary_workbook_is_read_in_full():
    table = read_table(_workbook({"A1": "id", "B1": "q1", "A2": "r1", "B2": 4, "A3": "r2"}))
    assert table.frame.values.tolist() == [["id", "q1"], ["r1", "4"], ["r2", ""]]
    assert table.notes == ()


def test_formula_cells_without_a_saved_result_are_named_in_the_log():
    resp = cl.simulate(TEACHER, n_schools=2, respondents=3, seed=1)
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform="csv")
    rows = [line.split(",") for line in buffer.getvalue().splitlines()]
    item = rows[0].index("sl1")
    cells: dict[str, object] = {}
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row, start=1):
            cells[f"{_letter(c)}{r}"] = float(text) if r > 1 and c > 2 and text else text
    cells[f"{_letter(item + 1)}2"] = "=1+3"  # openpyxl writes the formula, no cached result
    cells[f"{_letter(item + 1)}4"] = "=B2*2"
    got = cl.read_responses(_workbook(cells), TEACHER)
    note = next(w for w in got.log.warnings if "formula" in w)
    where = f"{_letter(item + 1)}2, {_letter(item + 1)}4"
    assert f"2 formula cell(s) hold no saved result and were read as blank ({where})" in note
    assert "save it again" in note
    assert got.data["sl1"].isna().tolist() == [True, False, True, False, False, False]


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)

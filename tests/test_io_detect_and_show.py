"""What read_export shows at a prompt, and Google Forms recognised wherever its Timestamp
column stands."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from numpy.testing import assert_array_equal

import colead as cl
from colead.datasets import sample_path
from tests import io_writers as w

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-exports" / "google_forms"


@pytest.fixture(scope="module")
def resp():
    return cl.simulate("colead-teacher", n_schools=4, respondents=(5, 8), seed=16, missing=0.05)


def _moved(content: bytes, column: str, to: int) -> bytes:
    """The same CSV with ``column`` moved to position ``to`` (-1: last)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    at = rows[0].index(column)
    for row in rows:
        cell = row.pop(at)
        row.insert(len(row) if to == -1 else to, cell)
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode()


# -- the Export at a prompt ------------------------------------------------------------------
@pytest.mark.parametrize("file", ["teachers_qualtrics.csv", "principals_google_forms.csv"])
def test_an_export_shows_a_short_summary(file):
    export = cl.read_export(sample_path(file))
    text, html = repr(export), export._repr_html_()
    # the dataclass repr printed every column and cell: 34,000 characters for this Qualtrics file
    assert len(text) < 600 and len(html) < 1200
    assert text.startswith(f"<Export {file}: {export.platform} ({export.layout})")
    assert f"{export.n_rows} data rows" in text and f"{export.n_rows} data rows" in html
    more = len(export.columns) - 8
    assert f"({more} more)" in text and f"and {more} more columns" in html
    first = export.columns[0]
    assert f"{first.name} ({first.kind})" in text and f"<td>{first.name}</td>" in html
    assert str(export) == text


def test_the_html_view_escapes_headers():
    export = cl.read_export(b"respondent_id,<b>Q1</b>\nr1,3\n")
    assert "&lt;b&gt;Q1&lt;/b&gt;" in export._repr_html_()
    assert "<b>Q1" not in export._repr_html_()


# -- Google Forms wherever its Timestamp stands ----------------------------------------------
@pytest.mark.parametrize("download", ["forms", "sheets"])
@pytest.mark.parametrize("to", [1, 2, -1])
def test_google_forms_with_the_timestamp_moved(resp, download, to):
    written = w.google_forms(resp, download=download, email=False, checkboxes=False)
    content = _moved(written.content, "Timestamp", to)
    assert not content.startswith(b"Timestamp")
    export = cl.read_export(content)
    assert export.platform == "google_forms"
    assert export.layout == ("forms csv download" if download == "forms" else "sheets download")
    assert [c.kind for c in export.columns if c.name == "Timestamp"] == ["meta"]
    got = cl.read_responses(content, resp.instrument, school="School")
    original = cl.read_responses(written.content, resp.instrument, school="School")
    assert got.log.unmapped_columns == ()
    assert_array_equal(got.items.to_numpy(), original.items.to_numpy())
    assert got.data["school_id"].tolist() == original.data["school_id"].tolist()


def test_the_sample_google_forms_export_with_its_school_first():
    content = _moved(sample_path("principals_google_forms.csv").read_bytes(), "School", 0)
    assert content.startswith(b"School,Timestamp")
    got = cl.read_responses(content, "sass-principal-influence", school="School")
    assert got.log.rows_kept == 12 and got.log.unmapped_columns == ()



def test_a_forms_school_question_is_the_school_when_the_default_is_absent():
    """A form asks "School": read as the school under the default school="school_id", with
    a note; never when the caller named another column, or when two columns could be it."""
    content = sample_path("principals_google_forms.csv").read_bytes()
    named = cl.read_responses(content, "sass-principal-influence", school="School")
    got = cl.read_responses(content, "sass-principal-influence")
    assert got.data["school_id"].tolist() == named.data["school_id"].tolist()
    assert got.data["school_id"].notna().all()
    assert "the school is read from column 'School' (no column 'school_id')" in got.log.warnings
    assert not any("read from column" in n for n in named.log.warnings)
    with pytest.raises(cl.ResponseDataError, match="no column 'campus' holds the school"):
        cl.read_responses(content, "sass-principal-influence", school="campus")
    table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    table.insert(2, "School code", "X1")
    with pytest.raises(cl.ResponseDataError, match="no column 'school_id' holds the school"):
        cl.read_responses(table.to_csv(index=False).encode(), "sass-principal-influence")

@pytest.mark.parametrize(
    "table",
    [
        # a plain table with its own respondent ids and a timestamp column stays a plain table
        "respondent_id,timestamp,tp1\nr1,10/1/2024 22:17:11,3\nr2,10/1/2024 22:19:02,4\n",
        # a column called Timestamp that holds no timestamps
        "school_id,Timestamp,tp1\nS1,early,3\nS2,late,4\n",
        # ISO 8601 with a T is not how Google writes its timestamps
        "school_id,Timestamp,tp1\nS1,2024-10-01T22:17:11,3\nS2,2024-10-01T22:19:02,4\n",
    ],
)
def test_a_timestamp_column_alone_does_not_make_a_form(table):
    assert cl.read_export(table.encode()).platform == "generic"


@pytest.mark.parametrize("stamp", ["12/20/2017 10:14", "1.10.2024 22:17:11",
                                   "2024-10-01 22:17:11", "10/1/2024 10:17:11 PM"])
def test_sheets_locales_and_excel_resaves_are_google_stamps(stamp):
    table = f"School,Timestamp,tp1\nS1,{stamp},3\nS2,{stamp},4\n"
    assert cl.read_export(table.encode()).platform == "google_forms"


def test_a_spanish_form_and_its_marca_temporal():
    table = "Escuela,Marca temporal,tp1\nS1,1/10/2024 22:17:11,3\nS2,1/10/2024 22:19:02,4\n"
    export = cl.read_export(table.encode())
    assert export.platform == "google_forms"
    assert [c.kind for c in export.columns] == ["answer", "meta", "answer"]


@pytest.mark.skipif(not REAL.is_dir(), reason=f"the public sample exports are not here ({REAL})")
@pytest.mark.parametrize("name", ["nus_isb_google_forms_grid_duplicates.csv",
                                  "ccrcn_2017_google_forms_excel_resaved.csv"])
def test_real_google_forms_exports_with_the_timestamp_last(name):
    content = (REAL / name).read_bytes()
    moved = _moved(content, "Timestamp", -1)
    before, after = cl.read_export(content), cl.read_export(moved)
    assert after.platform == "google_forms" and after.layout == before.layout
    assert after.n_rows == before.n_rows
    assert sorted(c.name for c in after.columns) == sorted(c.name for c in before.columns)
    kinds = {c.name: c.kind for c in before.columns}
    assert {c.name: c.kind for c in after.columns} == kinds

"""Public sample exports of other projects (../shared/real-exports, see its SOURCES.md).

Each file is read by ``read_export`` with its platform detected and every row accounted for:
as many data rows as the file holds (counted here with the csv module or openpyxl), the rows
the platform marks as previews, tests, spam or incomplete counted as the reference says, the
personal columns of exports.md 3.15 marked personal. Data dictionaries are rejected with a
ColeadError that says why. The files are not copied into this repository.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest

import colead as cl

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-exports"
pytestmark = pytest.mark.skipif(
    not REAL.is_dir(),
    reason=f"the public sample exports are not here ({REAL}): they live in ../shared next to "
    "the repository and are not part of it",
)

FILES = sorted(p for p in REAL.glob("*/*") if p.suffix in (".csv", ".xlsx"))
DICTIONARIES = [p for p in FILES if "dictionary" in p.name.casefold()]
EXPORTS = [p for p in FILES if p not in DICTIONARIES]
# Personal columns by platform (exports.md 3.15).
PERSONAL = {
    "qualtrics": {"IPAddress", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude", "Name",
                  "EmailAddress", "ExternalDataReference"},
    "surveymonkey": {"IP Address", "Email Address", "First Name", "Last Name"},
    "google_forms": {"Email Address"},
    "microsoft_forms": {"Email", "Name"},
    "limesurvey": {"token", "ipaddr", "refurl"},
    "redcap": {"redcap_survey_identifier", "first_name", "last_name", "email", "address",
               "telephone", "dob"},
}  # fmt: skip
# Qualtrics Status codes that are not respondents (exports.md 1.1 and 3.7).
STATUS = {"1": "preview", "17": "preview", "2": "test", "8": "spam", "9": "spam"}


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def records(path: Path) -> list[list[str]]:
    """The file's rows, as the csv module or openpyxl (first visible sheet) reads them."""
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = next(ws for ws in book.worksheets if ws.sheet_state == "visible")
        rows = [
            ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
    else:
        text = path.read_bytes().decode("utf-8-sig")
        first = text.split("\n", 1)[0]
        rows = list(
            csv.reader(io.StringIO(text, newline=""), delimiter=max(",;\t", key=first.count))
        )
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    return rows


def header_rows(platform: str, rows: list[list[str]]) -> int:
    """Header rows of each layout (exports.md 1.1-1.6)."""
    if platform == "qualtrics":
        return 2 if rows[0][:3] == ["V1", "V2", "V3"] else 3
    return 2 if platform == "surveymonkey" else 1


def expected_exclusions(platform: str, rows: list[list[str]]) -> Counter:
    """What the platform says about each data row, read straight off the file."""
    top = header_rows(platform, rows)
    names = rows[1] if platform == "qualtrics" and top == 2 else rows[0]
    data = [dict(zip(names, r, strict=False)) for r in rows[top:]]
    reasons: list[str] = []
    for row in data:
        if platform == "qualtrics":
            reason = STATUS.get(row.get("Status", "").strip(), "")
            if not reason and row.get("Finished", "").strip() in ("0", "FALSE", "False"):
                reason = "incomplete"
            if not reason and row.get("Progress", "100").strip() not in ("", "100"):
                reason = "incomplete"
        elif platform == "limesurvey":
            submitted = row.get("submitdate", row.get("Date submitted", "x"))
            reason = "" if submitted.strip() else "incomplete"
        else:
            reason = ""
        reasons.append(reason)
    return Counter(r for r in reasons if r)


def redcap_incomplete(rows: list[list[str]], answer_names: set[str]) -> int:
    """Rows where a form holding answers is not Complete (2) or its survey timestamp says
    [not completed]; a form's fields come before its ``<form>_complete`` (exports.md 1.6)."""
    header = rows[0]
    complete_at = [k for k, h in enumerate(header) if h.endswith("_complete")]
    answers = [k for k, h in enumerate(header) if h in answer_names]
    governing = {next((c for c in complete_at if c > k), None) for k in answers} - {None}
    count = 0
    for row in rows[1:]:
        for c in governing:
            form = header[c].removesuffix("_complete")
            stamp = header.index(f"{form}_timestamp") if f"{form}_timestamp" in header else None
            if row[c].strip() in ("0", "1") or (
                stamp is not None and row[stamp] == "[not completed]"
            ):
                count += 1
                break
    return count


@pytest.mark.parametrize("path", EXPORTS, ids=_id)
def test_platform_detected_and_rows_accounted_for(path):
    platform = path.parent.name
    export = cl.read_export(path)
    assert export.platform == platform
    rows = records(path)
    assert export.n_rows == len(rows) - header_rows(platform, rows)
    assert len(export.exclude) == len(export.response_ids) == len(export.cells) == export.n_rows
    marked = Counter(export.exclude[export.exclude != ""])
    assert marked == expected_exclusions(platform, rows)
    assert export.row_numbers[0] == header_rows(platform, rows) + 1


@pytest.mark.parametrize("path", EXPORTS, ids=_id)
def test_named_platform_reads_the_same(path):
    auto = cl.read_export(path)
    named = cl.read_export(path, platform=path.parent.name)
    assert (named.layout, named.n_rows) == (auto.layout, auto.n_rows)
    assert named.exclude.tolist() == auto.exclude.tolist()


@pytest.mark.parametrize("path", EXPORTS, ids=_id)
def test_personal_columns_are_marked(path):
    export = cl.read_export(path)
    listed = PERSONAL[export.platform]
    found = [c for c in export.columns if c.name in listed]
    assert all(c.kind == "personal" for c in found), [c.name for c in found if c.kind != "personal"]


@pytest.mark.parametrize("path", EXPORTS, ids=_id)
def test_response_ids_are_the_platforms(path):
    export = cl.read_export(path)
    rows = records(path)
    top = header_rows(export.platform, rows)
    names = rows[1] if top == 2 and export.platform == "qualtrics" else rows[0]
    column = {"qualtrics": ("ResponseId", "ResponseID"), "limesurvey": ("id", "Response ID")}
    for name in column.get(export.platform, ()):
        if name in names:
            at = names.index(name)
            assert export.response_ids.tolist() == [r[at] for r in rows[top:]]
    if export.platform == "redcap":
        assert [i.split("|")[0] for i in export.response_ids] == [r[0] for r in rows[1:]]
        assert export.response_ids.is_unique  # record, event and repeat instance together
    if export.platform in ("google_forms", "surveymonkey"):
        assert (export.response_ids == "").all()  # no id column in these files


@pytest.mark.parametrize("path", [p for p in EXPORTS if p.parent.name == "redcap"], ids=_id)
def test_redcap_completeness_judged_by_the_forms_answered(path):
    export = cl.read_export(path)
    answers = export.columns_of("answer")
    reasons = export.exclusions([c.position for c in answers])
    want = redcap_incomplete(records(path), {c.name for c in answers})
    assert (reasons == "incomplete").sum() == want


def test_microsoft_forms_reads_the_visible_form1_sheet():
    (path,) = [p for p in EXPORTS if p.parent.name == "microsoft_forms"]
    export = cl.read_export(path)
    assert any("'Form1'" in note for note in export.notes)
    assert [c.name for c in export.columns[:3]] == ["ID", "Start time", "Completion time"]


@pytest.mark.parametrize("path", DICTIONARIES, ids=_id)
def test_data_dictionaries_are_rejected_saying_why(path):
    with pytest.raises(cl.ResponseDataError, match="data dictionary") as info:
        cl.read_export(path)
    assert path.name in str(info.value)
    with pytest.raises(cl.ResponseDataError, match="data dictionary"):
        cl.read_responses(path, "colead-teacher")


def test_every_file_is_covered():
    assert len(DICTIONARIES) == 2
    assert {p.parent.name for p in EXPORTS} == set(PERSONAL)

"""The app's HTTP API (POST /api/validate, /api/report, /api/scores): answers equal to the
library's, every error a 400 with problems, and the security headers on every response."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.app.guard import PAGE_POLICY, REPORT_POLICY

from .app_support import (
    PERSONAL_CELLS,
    post,
    qualtrics_export,
    reworded_position,
    running,
    simulated,
)

TEACHER = {"instrument": "colead-teacher"}


@pytest.fixture(scope="module")
def responses() -> cl.Responses:
    return simulated(seed=3, n_schools=5, respondents=(3, 14))


@pytest.fixture(scope="module")
def export(responses) -> bytes:
    return qualtrics_export(responses)


@pytest.fixture(scope="module")
def fixed(export) -> dict[str, str]:
    """The mapping that repairs the reworded column."""
    return {"mapping": json.dumps({f"#{reworded_position(export) + 1}": "sl2"})}


@pytest.fixture(scope="module")
def client():
    with running() as c:
        yield c


def assert_secured(response, policy: str = PAGE_POLICY) -> None:
    h = response.headers
    assert h["content-security-policy"] == policy
    assert h["x-content-type-options"] == "nosniff"
    assert h["cache-control"] == "no-store"
    assert h["referrer-policy"] == "same-origin"
    assert "traceback" not in response.text.lower()


def assert_error(response, status: int, *needles: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert_secured(response)
    body = response.json()
    assert set(body) == {"error", "problems"} and body["problems"]
    for problem in body["problems"]:
        assert set(problem) == {"row", "column", "value", "reason"}
    text = json.dumps(body)
    for needle in needles:
        assert needle in text, text
    assert "colead-app-" not in text  # the private folder is never named
    return body


# -- validate --------------------------------------------------------------------------------
def test_validate_lists_the_unmatched_column_and_the_item_without_one(client, export):
    r = post(client, "/api/validate", files={"file": ("teachers.csv", export)}, data=TEACHER)
    assert r.status_code == 200
    assert_secured(r)
    log = r.json()
    assert log["ok"] is False and log["platform"] == "qualtrics"
    assert log["rows_read"] == export.decode().count("\n") - 3
    assert log["unmatched_columns"] == [f"Q{_question_of(export)}"]
    (problem,) = log["problems"]
    assert problem["value"] == "sl2" and "no column matches this item" in problem["reason"]
    assert "mapping=" not in problem["reason"]  # the app's words, not Python's


def _question_of(export: bytes) -> str:
    header = export.decode().splitlines()[0].split(",")
    return header[reworded_position(export)][1:]


def test_validate_with_the_mapping_gives_the_library_import_log(client, export, fixed, tmp_path):
    r = post(client, "/api/validate", files={"file": ("teachers.csv", export)},
             data={**TEACHER, **fixed})
    log = r.json()
    assert r.status_code == 200 and log["ok"] is True and log["problems"] == []
    path = tmp_path / "teachers.csv"
    path.write_bytes(export)
    expected = cl.read_responses(path, "colead-teacher", mapping=json.loads(fixed["mapping"]))
    assert log["rows_kept"] == expected.log.rows_kept == len(expected.data)
    assert log["rows_read"] == expected.log.rows_read
    assert log["dropped"] == [{"row": int(a), "reason": b} for a, b in
                              zip(expected.log.dropped["row"], expected.log.dropped["reason"],
                                  strict=True)]
    assert log["unmatched_columns"] == list(expected.log.unmapped_columns)
    assert log["personal_columns_removed"] == list(expected.log.pii_removed)
    assert "RecipientEmail" in log["personal_columns_removed"]
    for cell in PERSONAL_CELLS:
        assert cell not in r.text


def test_validate_accounts_for_dropped_rows(client, responses, fixed):
    rows = list(csv.reader(io.StringIO(qualtrics_export(responses).decode())))
    rows[5][rows[0].index("Status")] = "Survey Preview"  # row 6 of the spreadsheet
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    r = post(client, "/api/validate", files={"file": ("t.csv", out.getvalue().encode())},
             data={**TEACHER, **fixed})
    log = r.json()
    assert log["dropped"] == [{"row": 6, "reason": "preview"}]
    assert log["rows_kept"] == len(responses.data) - 1 == log["rows_read"] - 1


def test_validate_reads_a_mapping_file_and_its_school_column(client, export, fixed):
    text = f"columns:\n  '{next(iter(json.loads(fixed['mapping'])))}': sl2\nschool: school_id\n"
    r = post(client, "/api/validate", data=TEACHER,
             files={"file": ("t.csv", export), "mapping": ("m.yaml", text.encode())})
    assert r.json()["ok"] is True
    wrong = "columns:\n  Q99: sl2\n"
    r = post(client, "/api/validate", data=TEACHER,
             files={"file": ("t.csv", export), "mapping": ("m.yaml", wrong.encode())})
    assert_error(r, 400, "Q99", "the mapping names a column the file does not have")


def test_validate_errors_are_400_with_problems(client, export, write_yaml):
    files = {"file": ("t.csv", export)}
    assert_error(post(client, "/api/validate", data=TEACHER), 400, "choose your survey export")
    assert_error(post(client, "/api/validate", files=files), 400, "choose an instrument")
    assert_error(post(client, "/api/validate", files=files, data={"instrument": "nope"}), 400,
                 "'nope' is not a bundled instrument")
    # a name is never read as a path of this computer
    path = write_yaml("name: x\n")
    assert_error(post(client, "/api/validate", files=files, data={"instrument": str(path)}),
                 400, "is not a bundled instrument")
    assert_error(post(client, "/api/validate", files={"file": ("e.csv", b"")}, data=TEACHER),
                 400, "e.csv", "the file is empty")
    assert_error(post(client, "/api/validate", files=files,
                      data={**TEACHER, "platform": "myspace"}), 400, "'myspace' is not one of")
    assert_error(post(client, "/api/validate", data={**TEACHER, "mapping": "a: [b"},
                      files=files), 400, "mapping")
    r = client.post("/api/validate", content=b"file=x", headers={
        "origin": "http://127.0.0.1:8765", "content-type": "text/plain"})
    assert_error(r, 400, "multipart/form-data")
    r = client.post("/api/validate", content=b"--xyz\r\nbroken", headers={
        "origin": "http://127.0.0.1:8765", "content-type": "multipart/form-data; boundary=xyz"})
    assert r.status_code == 400 and r.json()["problems"]


def test_an_instrument_file_is_checked_as_instruments_check_checks_it(client, export, tmp_path,
                                                                      capsys):
    bad = tmp_path / "mine.yaml"
    bad.write_text("name: mine\nversion: '1'\ntitle: Mine\nresponse_scales: {}\nitems:\n"
                   "  - {id: a1, text: Hello, response_scale: nope}\n", encoding="utf-8")
    from colead.cli import main

    assert main(["instruments", "--check", str(bad)]) == 2
    expected = [line.removeprefix("colead: error: ").replace(str(tmp_path) + "/", "")
                for line in capsys.readouterr().err.splitlines()]
    r = post(client, "/api/validate", data={"instrument": "colead-teacher"},
             files={"file": ("t.csv", export), "instrument_file": ("mine.yaml", bad.read_bytes())})
    body = assert_error(r, 400)
    assert [p["reason"] for p in body["problems"]] == expected and expected


# -- report and scores -----------------------------------------------------------------------
def test_report_is_the_library_report(client, export, fixed, tmp_path):
    r = post(client, "/api/report", files={"file": ("t.csv", export)},
             data={**TEACHER, **fixed, "min_n": "6", "title": "Our <b>school</b>"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert_secured(r, REPORT_POLICY)
    path = tmp_path / "t.csv"
    path.write_bytes(export)
    responses = cl.read_responses(path, "colead-teacher", mapping=json.loads(fixed["mapping"]))
    expected = cl.report(responses, path=tmp_path / "r.html", min_n=6, title="Our <b>school</b>",
                         progress=False).read_text(encoding="utf-8")
    day = re.compile(r"\d{4}-\d{2}-\d{2}")
    assert day.sub("", r.text) == day.sub("", expected)
    assert "Our &lt;b&gt;school&lt;/b&gt;" in r.text
    for cell in PERSONAL_CELLS:
        assert cell not in r.text


def test_report_errors(client, export, fixed):
    files = {"file": ("t.csv", export)}
    assert_error(post(client, "/api/report", files=files, data=TEACHER), 400,
                 "no column matches this item")
    assert_error(post(client, "/api/report", files=files, data={**TEACHER, **fixed,
                                                                 "min_n": "2"}),
                 400, "The smallest group (min_n) is 2", "Use 3 or more")
    assert_error(post(client, "/api/report", files=files, data={**TEACHER, **fixed,
                                                                 "min_n": "five"}),
                 400, "must be a whole number")
    assert_error(post(client, "/api/report", data={**TEACHER, **fixed, "min_n": "5"},
                      files={**files, "roster": ("r.csv", b"school_id,size\nS01,-4\n")}),
                 400, "r.csv")


def test_report_with_rasch_scores_and_a_norms_file_is_the_library_report(client, export, fixed,
                                                                        tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(export)
    responses = cl.read_responses(path, "colead-teacher", mapping=json.loads(fixed["mapping"]))
    norms = cl.make_norms(cl.score(responses), source="Last spring", year=2024,
                          by="school_id", min_n=3)
    norms_file = norms.write(tmp_path / "norms.yaml")
    day = re.compile(r"\d{4}-\d{2}-\d{2}")
    for data, files, options in (
        ({"scores": "rasch"}, {}, {"scores": "rasch"}),
        ({}, {"norms": ("norms.yaml", norms_file.read_bytes())}, {"norms": norms_file}),
    ):
        r = post(client, "/api/report", files={"file": ("t.csv", export), **files},
                 data={**TEACHER, **fixed, "min_n": "5", **data})
        assert r.status_code == 200, r.text
        expected = cl.report(responses, path=tmp_path / "r.html", progress=False,
                             **options).read_text(encoding="utf-8")
        assert day.sub("", r.text) == day.sub("", expected)
        assert ("Rasch score (1-99)" if "scores" in options else "Score (1-99)") in r.text
    files = {"file": ("t.csv", export)}
    assert_error(post(client, "/api/report", files=files,
                      data={**TEACHER, **fixed, "scores": "irt"}), 400, "mean or rasch")
    assert_error(post(client, "/api/report", data={**TEACHER, **fixed},
                      files={**files, "norms": ("n.txt", b"measure,mean\n")}),
                 400, "a norms file ends in .yaml, .yml or .csv")


def test_scores_per_respondent_and_per_school(client, export, fixed, responses, tmp_path):
    files = {"file": ("t.csv", export)}
    r = post(client, "/api/scores", files=files, data={**TEACHER, **fixed})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert_secured(r)
    got = pd.read_csv(io.StringIO(r.text))
    path = tmp_path / "t.csv"
    path.write_bytes(export)
    read = cl.read_responses(path, "colead-teacher", mapping=json.loads(fixed["mapping"]))
    expected = cl.score(read).reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    scales = [c for c in expected.columns if c not in ("respondent_id", "school_id")]
    np.testing.assert_allclose(got[scales].to_numpy(float), expected[scales].to_numpy(float),
                               rtol=1e-12)
    # the simulated scores themselves: the app read back what was simulated
    # (Qualtrics gives its own response ids; the rows keep their order)
    truth = cl.score(responses)[scales].to_numpy(float)
    np.testing.assert_allclose(got[scales].to_numpy(float), truth, rtol=1e-12)

    r = post(client, "/api/scores", files=files, data={**TEACHER, **fixed,
                                                       "by": "school_id", "min_n": "8"})
    table = pd.read_csv(io.StringIO(r.text))
    sizes = read.data.groupby("school_id").size()
    assert (sizes < 8).any() and (sizes >= 8).any()
    small = table["school_id"].map(sizes) < 8
    # nothing about a school under min_n: its rows are suppressed and carry no mean or sd
    assert table.loc[small, "suppressed"].all()
    assert table.loc[small, ["mean", "sd"]].isna().all().all()
    assert table.loc[~table["suppressed"], "mean"].notna().all()
    cl.privacy.write_csv(cl.aggregate(read, by="school_id", min_n=8), tmp_path / "s.csv")
    assert r.text == (tmp_path / "s.csv").read_text(encoding="utf-8")
    assert_error(post(client, "/api/scores", files=files,
                      data={**TEACHER, **fixed, "by": "district"}), 400, "by must be school_id")


def test_scores_csv_is_neutralised_for_spreadsheets(client, responses, tmp_path):
    data = responses.data.copy()
    data["school_id"] = np.where(data["school_id"] == data["school_id"].iloc[0], "=HYPERLINK(1)",
                                 data["school_id"])
    path = tmp_path / "plain.csv"
    pd.DataFrame(data).to_csv(path, index=False)
    r = post(client, "/api/scores", files={"file": ("plain.csv", path.read_bytes())},
             data=TEACHER)
    assert r.status_code == 200
    assert "'=HYPERLINK(1)" in r.text and "\n=HYPERLINK" not in r.text


def test_instruments_lists_the_bundled_ones(client):
    r = client.get("/api/instruments")
    assert_secured(r)
    assert {i["name"] for i in r.json()} == set(cl.list_instruments()["name"])


def test_an_xlsx_export_reads_as_its_csv(client, export, fixed):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO(export.decode())):
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    answers = [post(client, "/api/validate", files={"file": (name, content)},
                    data={**TEACHER, **fixed}).json()
               for name, content in (("t.xlsx", data.getvalue()), ("t.csv", export))]
    assert answers[0]["ok"] and answers[0]["source"] == "t.xlsx"
    for key in ("platform", "rows_read", "rows_kept", "dropped", "unmatched_columns"):
        assert answers[0][key] == answers[1][key], key
    # a damaged workbook is a clear 400, as the library reads it
    broken = data.getvalue()[:2000]
    assert_error(post(client, "/api/validate", files={"file": ("b.xlsx", broken)},
                      data=TEACHER), 400, "b.xlsx")


def test_a_personal_column_is_never_read_so_never_quoted(client, export):
    files = {"file": ("t.csv", export)}
    mapping = {"mapping": json.dumps({"RecipientEmail": "sl1", "RecipientFirstName": "sl3"})}
    for url in ("/api/validate", "/api/report", "/api/scores"):
        r = post(client, url, files=files, data={**TEACHER, **mapping, "min_n": "5"})
        problems = r.json()["problems"]
        assert {p["column"] for p in problems if "personal column" in p["reason"]} == {
            "RecipientEmail", "RecipientFirstName"}, url
        for cell in PERSONAL_CELLS:
            assert cell not in r.text, (url, cell)
    r = post(client, "/api/validate", files=files, data={**TEACHER, "school": "RecipientEmail"})
    (problem,) = [p for p in r.json()["problems"] if p["column"] == "RecipientEmail"]
    assert "is a personal column, not the school" in problem["reason"]


def test_a_school_column_of_email_addresses_is_refused(client, responses):
    frame = responses.data.copy()
    frame["contact"] = [f"t{i}@school.example" for i in range(len(frame))]
    data = frame.drop(columns="school_id").to_csv(index=False).encode()
    r = post(client, "/api/validate", files={"file": ("t.csv", data)},
             data={**TEACHER, "school": "contact"})
    log = r.json()
    assert log["ok"] is False and "t0@school.example" not in r.text
    assert "holds e-mail addresses or phone numbers, not schools" in log["problems"][0]["reason"]

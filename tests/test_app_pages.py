"""The app's pages through Starlette's TestClient: start, read, match the columns (colead's
guesses recover reworded statements), make the report, download it; every error shown in
the page; no personal cell ever shown."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

import colead as cl
from colead.app import work
from colead.app.guard import REPORT_POLICY

from .app_support import (
    PERSONAL_CELLS,
    REWORDED,
    post,
    qualtrics_export,
    reworded_position,
    running,
    simulated,
)

TEACHER = {"instrument": "colead-teacher"}


class Controls(HTMLParser):
    """Form controls, labels and headings of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.headings: list[int] = []
        self.selected: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("input", "select", "textarea") and a.get("type") != "hidden":
            self.controls.append(a)
        if tag == "select":
            self._select = a.get("name")
        if tag == "option" and "selected" in a and self._select:
            self.selected[self._select] = a.get("value") or ""
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def parsed(html: str) -> Controls:
    p = Controls()
    p.feed(html)
    return p


def assert_accessible(html: str) -> None:
    p = parsed(html)
    for control in p.controls:
        assert control.get("id") in p.labelled, control
    assert p.headings[0] == 1 and p.headings.count(1) == 1
    for before, after in zip(p.headings, p.headings[1:], strict=False):
        assert after <= before + 1, p.headings


def assert_no_personal_cell(html: str) -> None:
    for cell in PERSONAL_CELLS:
        assert cell not in html


@pytest.fixture
def client():
    with running() as c:
        yield c


def start(client, export: bytes, **data) -> str:
    r = post(client, "/start", files={"file": ("teachers.csv", export)},
             data={**TEACHER, **data}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"]


def reword(export: bytes, statements: dict[str, str]) -> bytes:
    rows = list(csv.reader(io.StringIO(export.decode())))
    for old, new in statements.items():
        (i,) = [i for i, t in enumerate(rows[1]) if t.endswith(old)]
        rows[1][i] = rows[1][i].replace(old, new)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_palette_reads_at_wcag_aa():
    from importlib import resources

    css = (resources.files("colead.app") / "static" / "app.css").read_text(encoding="utf-8")
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", css))
    pairs = [("text", "page"), ("text", "panel"), ("muted", "page"), ("muted", "panel"),
             ("accent", "page"), ("accent", "panel"), ("accent-text", "accent"),
             ("accent-text", "muted"), ("error", "error-bg"), ("guess", "guess-bg")]
    ratios = {pair: contrast(colours[pair[0]], colours[pair[1]]) for pair in pairs}
    assert min(ratios.values()) >= 4.5, ratios
    # the check itself: black on white is 21, the WCAG example #777 on white fails
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_the_start_page_offers_every_bundled_instrument(client):
    html = client.get("/").text
    assert_accessible(html)
    for name in cl.list_instruments()["name"]:
        assert f'<option value="{name}"' in html
    assert 'name="file"' in html and "data-drop" in html
    assert "http://" not in html and "https://" not in html  # nothing from elsewhere


def test_read_match_report_and_download(client, tmp_path):
    export = qualtrics_export()
    where = start(client, export)
    html = client.get(where).text
    assert_accessible(html)
    assert_no_personal_cell(html)
    assert "Qualtrics" in html and "Rows read</dt><dd>48</dd>" in html
    assert "Problems to fix before the report" in html and "item &#39;sl2&#39;" in html
    position = reworded_position(export)
    p = parsed(html)
    # colead's guess for the reworded column is the right item, and says it is a guess
    assert p.selected[f"map-{position}"] == "sl2" and "colead's guess" in html
    assert REWORDED in html
    assert "RecipientEmail" not in p.selected.values()
    assert re.search(r'<button type="submit" disabled>Make the report', html)

    r = post(client, f"{where}/mapping", data={"school": "school_id", f"map-{position}": "sl2"},
             follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{where}#columns"
    html = client.get(where).text
    assert "Problems to fix" not in html and "Respondents kept</dt><dd>48 in 4 schools" in html
    assert "Every answer column matched an item" not in html  # the mapped column stays listed
    assert parsed(html).selected[f"map-{position}"] == "sl2"

    r = post(client, f"{where}/report", data={"min_n": "5", "title": "Spring survey"},
             follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{where}#results"
    html = client.get(where).text
    assert_accessible(html)
    assert '<iframe class="report" title="The report"' in html and " sandbox>" in html
    report = client.get(f"{where}/report.html")
    assert report.headers["content-security-policy"] == REPORT_POLICY
    assert "content-disposition" not in report.headers  # shown inline
    assert "Spring survey" in report.text
    assert_no_personal_cell(report.text)
    download = client.get(f"{where}/report.html?download=1")
    assert download.headers["content-disposition"] == 'attachment; filename="colead-report.html"'
    assert download.content == report.content
    scores = pd.read_csv(io.StringIO(client.get(f"{where}/scores.csv").text))
    assert len(scores) == 48 and "shared_leadership" in scores
    schools = client.get(f"{where}/schools.csv")
    assert schools.headers["content-disposition"] == 'attachment; filename="colead-schools.csv"'
    assert set(pd.read_csv(io.StringIO(schools.text))["school_id"]) == {"S01", "S02", "S03", "S04"}


def test_htmx_gets_the_page_to_take_its_part_from(client):
    export = qualtrics_export()
    where = start(client, export)
    position = reworded_position(export)
    r = post(client, f"{where}/mapping", data={"school": "school_id", f"map-{position}": "sl2"},
             headers={"hx-request": "true"})
    assert r.status_code == 200 and 'id="workspace"' in r.text
    r = post(client, f"{where}/report", data={"min_n": "5"}, headers={"hx-request": "true"})
    assert r.status_code == 200 and 'id="results"' in r.text and "<iframe" in r.text


def test_guesses_recover_reworded_statements(tmp_path):
    # the way a survey team edits statements when it copies a survey: small rewordings
    reworded = {
        "sl2": "Teachers have a genuine say in how the school improves.",
        "il4": "School leaders help me find the materials and the time I need to improve.",
        "tp1": "I can count on the principal to do what he or she says.",
        "tc6": "Teachers at this school care about one another as people.",
        "rd3": "How often do you discuss planning or changing the curriculum with colleagues?",
    }
    inst = cl.load_instrument("colead-teacher")
    path = tmp_path / "t.csv"
    path.write_bytes(reword(qualtrics_export(reword=False),
                            {inst.item(i).text: new for i, new in reworded.items()}))
    found = work.inspect_export(path, inst)
    guessed = {c.text.split(" - ")[-1]: c.item for c in found.form if c.suggested}
    assert guessed == {new: item for item, new in reworded.items()}
    assert {i for i, _ in found.items} == set(reworded)


def test_mapping_form_errors_leave_the_mapping_as_it_was(client):
    export = qualtrics_export()
    where = start(client, export)
    position = reworded_position(export)
    cases = [
        ({"school": "school_id", f"map-{position}": "nosuch"}, "is not an item that needs"),
        ({"school": "school_id", f"map-{position}": "sl2", "map-0": "sl2"},
         "is not a column of the mapping form"),
        ({"school": "RecipientEmail"}, "is not a column of the export"),
    ]
    for data, message in cases:
        r = post(client, f"{where}/mapping", data=data)
        assert r.status_code == 400 and "The mapping was not saved" in r.text
        assert message.replace("'", "&#39;") in r.text, message
    assert "Problems to fix before the report" in client.get(where).text


def test_one_item_for_two_columns_is_refused(client):
    inst = cl.load_instrument("colead-teacher")
    export = reword(qualtrics_export(reword=False), {
        inst.item("sl2").text: "Teachers have a genuine say in how the school improves.",
        inst.item("tp6").text: "The principal treats us as professionals."})
    where = start(client, export)
    columns = [int(p) for p in re.findall(r'name="map-(\d+)"', client.get(where).text)]
    assert len(columns) == 2
    r = post(client, f"{where}/mapping",
             data={"school": "school_id", **{f"map-{p}": "sl2" for p in columns}})
    assert r.status_code == 400
    assert "value &#39;sl2&#39;: the mapping gives this item two columns" in r.text


def test_export_text_is_escaped_in_the_page(client):
    responses = simulated(seed=6)
    frame = responses.data.copy()
    frame["<script>alert(1)</script>"] = "x"
    frame["sl1"] = frame["sl1"].astype(object)
    frame.loc[0, "sl1"] = "<img src=x onerror=alert(2)>"
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    r = post(client, "/start", data=TEACHER, follow_redirects=False,
             files={"file": ("<i>bold<i>.csv", buffer.getvalue().encode())})
    html = client.get(r.headers["location"]).text
    assert "<script>alert" not in html and "<img src=x" not in html and "<i>bold" not in html
    assert "school_id (no such column in the file)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the unmatched column, escaped
    assert "&lt;img src=x onerror=alert(2)&gt;" in html  # the problem quotes the cell, escaped
    assert "_i_bold_i_.csv" in html  # the file name made safe


def test_a_school_column_is_chosen_in_the_form(client):
    responses = simulated(seed=5)
    frame = responses.data.rename(columns={"school_id": "Campus"})
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    where = start(client, buffer.getvalue().encode())
    html = client.get(where).text
    assert "no column &#39;school_id&#39; holds the school" in html
    assert '<option value="Campus">Campus</option>' in html
    assert 'selected>school_id (no such column in the file)</option>' in html
    post(client, f"{where}/mapping", data={"school": "Campus"})
    html = client.get(where).text
    assert "Problems to fix" not in html and "in 4 schools" in html
    saved = client.get(f"{where}/mapping.yaml").text
    assert "school: Campus" in saved
    # the saved mapping brings the school column back next year
    r = post(client, "/start", data=TEACHER, follow_redirects=False, files={
        "file": ("t.csv", buffer.getvalue().encode()), "mapping": ("m.yaml", saved.encode())})
    assert "Problems to fix" not in client.get(r.headers["location"]).text


def test_the_saved_mapping_reads_next_years_export_without_questions(client):
    export = qualtrics_export()
    where = start(client, export)
    position = reworded_position(export)
    post(client, f"{where}/mapping", data={"school": "school_id", f"map-{position}": "sl2"})
    r = client.get(f"{where}/mapping.yaml")
    assert r.headers["content-disposition"] == 'attachment; filename="colead-mapping.yaml"'
    saved = r.text
    assert "sl2" in saved and "colead-app-" not in saved
    next_year = qualtrics_export(simulated(seed=9))
    r = post(client, "/start", data=TEACHER, follow_redirects=False, files={
        "file": ("next.csv", next_year), "mapping": ("colead-mapping.yaml", saved.encode())})
    html = client.get(r.headers["location"]).text
    assert "Problems to fix" not in html and "Respondents kept" in html


def test_start_errors_are_shown_on_the_start_page(client, tmp_path, capsys):
    r = post(client, "/start", data=TEACHER)
    assert r.status_code == 400 and "choose your survey export" in r.text
    assert_accessible(r.text)
    r = post(client, "/start", data=TEACHER, files={"file": ("empty.csv", b"")})
    assert r.status_code == 400 and "empty.csv: the file is empty" in r.text
    bad = tmp_path / "mine.yaml"
    bad.write_text("name: mine\nitems: []\n", encoding="utf-8")
    from colead.cli import main

    assert main(["instruments", "--check", str(bad)]) == 2
    lines = [line.removeprefix("colead: error: ").replace(str(tmp_path) + "/", "")
             for line in capsys.readouterr().err.splitlines()]
    r = post(client, "/start", data=TEACHER, files={
        "file": ("t.csv", qualtrics_export()), "instrument_file": ("mine.yaml", bad.read_bytes())})
    assert r.status_code == 400 and lines
    for line in lines:
        assert line.replace("'", "&#39;") in r.text, line
    assert "colead-app-" not in r.text


def test_report_errors_are_shown_beside_the_report_form(client):
    export = qualtrics_export()
    where = start(client, export)
    r = post(client, f"{where}/report", data={"min_n": "5"})
    assert r.status_code == 400 and "fix the problems listed" in r.text
    post(client, f"{where}/mapping",
         data={"school": "school_id", f"map-{reworded_position(export)}": "sl2"})
    r = post(client, f"{where}/report", data={"min_n": "2"})
    assert r.status_code == 400 and "The report was not made" in r.text
    assert "The smallest group (min_n) is 2" in r.text
    r = post(client, f"{where}/report", data={"min_n": "5"},
             files={"roster": ("roster.csv", b"school_id,size\nS01,x\n")})
    assert r.status_code == 400 and "roster.csv" in r.text
    assert client.get(f"{where}/report.html").status_code == 404


def test_a_roster_gives_response_rates(client):
    export = qualtrics_export()
    where = start(client, export)
    post(client, f"{where}/mapping",
         data={"school": "school_id", f"map-{reworded_position(export)}": "sl2"})
    roster = b"school_id,size,name\nS01,24,North\nS02,24,South\nS03,12,East\nS04,30,West\n"
    r = post(client, f"{where}/report", data={"min_n": "5"},
             files={"roster": ("roster.csv", roster)})
    assert r.status_code == 200 or r.status_code == 303
    table = pd.read_csv(io.StringIO(client.get(f"{where}/schools.csv").text))
    rates = table.drop_duplicates("school_id").set_index("school_id")["response_rate"]
    assert rates.to_dict() == pytest.approx({"S01": 0.5, "S02": 0.5, "S03": 1.0, "S04": 0.4})
    assert "North" in client.get(f"{where}/report.html").text


def test_the_previous_wave_goes_to_the_report(client):
    export = qualtrics_export()
    where = start(client, export)
    assert 'name="previous"' in client.get(where).text
    position = reworded_position(export)
    post(client, f"{where}/mapping", data={"school": "school_id", f"map-{position}": "sl2"})
    last = qualtrics_export(simulated(seed=11))
    r = post(client, f"{where}/report", data={"min_n": "5"},
             files={"previous": ("last.csv", last)}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with_previous = client.get(f"{where}/report.html").text
    post(client, f"{where}/report", data={"min_n": "5"})
    without = client.get(f"{where}/report.html").text
    assert "Since the last survey" in with_previous and "Since the last survey" not in without


def test_rasch_scores_and_norms_go_to_the_report(client):
    export = qualtrics_export()
    where = start(client, export)
    page = client.get(where).text
    assert 'name="scores"' in page and 'name="norms"' in page
    post(client, f"{where}/mapping",
         data={"school": "school_id", f"map-{reworded_position(export)}": "sl2"})
    r = post(client, f"{where}/report", data={"min_n": "5", "scores": "rasch"},
             follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "Rasch score (1-99)" in client.get(f"{where}/report.html").text
    assert 'value="rasch" selected' in client.get(where).text  # the choice is kept
    norms = (b"title: Last spring\nsource: district\nyear: 2024\nnorms:\n"
             b"  - {measure: shared_leadership, mean: 4.0, sd: 0.4}\n")
    post(client, f"{where}/report", data={"min_n": "5", "scores": "mean"},
         files={"norms": ("norms.yaml", norms)})
    report = client.get(f"{where}/report.html").text
    assert "Score (1-99)" in report and "Scores are benchmarked against Last spring" in report


def test_a_workspace_that_is_gone_says_start_again(client):
    r = client.get("/w/nothing")
    assert r.status_code == 404 and "Start again" in r.text and 'href="/"' in r.text

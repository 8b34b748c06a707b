"""One report per school (``--per-school``): self-contained, naming no other school, and as
private as the district report; the district report stays small at any number of schools.

The attacks read the files back as a district's principals could, alone and pooled.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.cli import main
from colead.io.responses import ImportLog, Responses

from .test_privacy_attacks import MIN_N, Tables, district, published_means, subtract


def _tables(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def _visible(html: str) -> str:
    html = re.sub(r"<(script|style)>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("per_school")
    out, own = folder / "report.html", folder / "schools"
    assert main(["report", "--sample", "-o", str(out), "--per-school", str(own)]) == 0
    return out, own


def test_one_file_per_school_naming_no_other_school(sample_files):
    out, own = sample_files
    roster = pd.read_csv(cl.datasets.sample_path("schools.csv"))
    files = sorted(own.glob("*.html"))
    assert [f.name for f in files] == [f"school-{s}.html" for s in sorted(roster["school_id"])]
    for row in roster.itertuples():
        html = (own / f"school-{row.school_id}.html").read_text(encoding="utf-8")
        text = _visible(html)
        assert row.name in text and "District results" in text
        others = roster[roster["school_id"] != row.school_id]
        for other in others.itertuples():
            assert other.name not in text and other.school_id not in html
        # self-contained: no link, image or script fetched from anywhere
        assert not re.search(r"<(link|img|iframe|script)\b", html)
        assert not re.search(r'(src|href)="(?!#)', html)
    # the district report links to each file, relative to itself, and holds no school section
    district_html = out.read_text(encoding="utf-8")
    for school_id in roster["school_id"]:
        assert f'href="schools/school-{school_id}.html"' in district_html
    assert 'class="school"' not in district_html


def test_each_file_alone_and_all_pooled_pin_down_nobody(tmp_path):
    responses = district({"A": 8, "B": 7, "C": 6, "D": 3}, no_school=2, low=("D",))
    titles = {sc.id: sc.title for sc in responses.instrument.scale_list}
    cl.report(responses, path=tmp_path / "report.html", per_school=tmp_path / "own",
              min_n=MIN_N, progress=False)
    pooled: dict = {}
    district_rows = None
    for name in "ABCD":
        html = (tmp_path / "own" / f"school-{name}.html").read_text(encoding="utf-8")
        rows, schools = published_means(_tables(html), titles)
        assert set(schools) <= {f"school-{name}"}  # a file shows its own school only
        district_rows = district_rows or rows
        assert rows == district_rows  # the same district figures in every file
        pooled.update(schools)
    scores = cl.score(responses)
    assert "school-D" not in pooled  # 3 teachers: nothing shown
    assert "school-C" not in pooled  # held back: A + B shown, the remainder must hold >= 5
    for scale, (recovered, rest_n) in subtract(district_rows, pooled).items():
        assert rest_n >= MIN_N, (scale, rest_n)
        hidden = scores[~scores["school_id"].isin(["A", "B"])][scale].dropna()
        assert recovered == pytest.approx(hidden.mean(), abs=0.05)  # everyone hidden, >= 5
    small = _visible((tmp_path / "own" / "school-D.html").read_text(encoding="utf-8"))
    section = small[small.index("Fewer than 5 respondents"):small.index("Who took part")]
    assert not re.search(r"\d", section.replace("Fewer than 5", ""))


def test_school_ids_never_leave_the_folder_or_clash(tmp_path):
    sample = cl.load_sample("district")
    data = sample.data.copy()
    ids = {"S01": "../../escape", "S02": "a/b\\c", "S03": "Cedar", "S04": "cedar",
           "S05": "<script>alert(1)</script>", "S06": "école"}
    data["school_id"] = data["school_id"].replace(ids)
    log = ImportLog(source="test", rows_read=len(data), rows_kept=len(data))
    responses = Responses(data=data, log=log, platform="csv", instrument=sample.instrument)
    own = tmp_path / "deep" / "own"
    (tmp_path / "deep").mkdir()
    cl.report(responses, path=tmp_path / "report.html", per_school=own, progress=False)
    written = sorted(p.name for p in own.iterdir())
    assert len(written) == 12 and len({n.casefold() for n in written}) == 12
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "report.html"]
    assert all(re.fullmatch(r"school-[A-Za-z0-9_-]+\.html", n) for n in written)
    html = "".join(p.read_text(encoding="utf-8") for p in own.iterdir())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cli_refuses_to_replace_school_reports_without_force(sample_files, tmp_path, capsys):
    _, own = sample_files
    out = tmp_path / "again.html"
    assert main(["report", "--sample", "-o", str(out), "--per-school", str(own)]) == 2
    assert "already holds school reports" in capsys.readouterr().err
    assert main(["report", "--sample", "-o", str(out), "--per-school", str(own), "--force"]) == 0
    assert main(["report", "--sample", "-o", str(tmp_path / "x.html"), "--per-school",
                 str(tmp_path / "missing" / "own")]) == 2
    assert main(["report", "--sample", "-o", str(tmp_path / "y.html"), "--min-n", "5",
                 "--item-min-n", "4"]) == 2
    assert "--item-min-n 4 is below --min-n 5" in capsys.readouterr().err


def test_item_min_n_from_the_command_line(tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", "--sample", "-o", str(out), "--item-min-n", "40"]) == 0
    html = out.read_text(encoding="utf-8")
    assert 'class="chart likert"' not in html  # no sample school has 40 answers to an item
    assert html.count("at least 40 answers in the school") == 12 * 10


def test_the_district_report_of_100_schools_is_small(tmp_path):
    teachers = cl.simulate("colead-teacher", n_schools=100, respondents=(10, 50), seed=20261127)
    inline = cl.report(teachers, path=tmp_path / "inline.html", school_sections=True,
                       progress=False)
    summary = cl.report(teachers, path=tmp_path / "summary.html", progress=False)
    linked = cl.report(teachers, path=tmp_path / "linked.html", per_school=tmp_path / "own",
                       progress=False)
    assert summary.stat().st_size < 1_000_000 and linked.stat().st_size < 1_000_000
    # every school's full section in one file (asked for): about 60 KB a school
    assert inline.stat().st_size < 100 * 70_000
    html = linked.read_text(encoding="utf-8")
    assert html.count("<style>") == 1 and "data:image" not in html
    assert html.count('href="own/school-') == 100 + sum(  # the table + the stand-outs
        len(re.findall(r'href="own/school-', row)) for row in
        re.findall(r'<table class="standout">.*?</table>', html, flags=re.S))
    assert len(list((tmp_path / "own").glob("*.html"))) == 100
    assert np.isfinite(summary.stat().st_size)

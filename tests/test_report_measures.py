"""The report's measurement options: ordinal reliability (issue 18), how many respondents a
school needs (issue 19), Rasch scores and benchmarks against norms (issue 21); each read
back from the page and compared with the library function that computes it."""

from __future__ import annotations

import re
import warnings
from html import unescape

import pandas as pd
import pytest

import colead as cl
from colead.cli import main

from .test_privacy_attacks import Tables


def _tables(html: str) -> list[dict]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def _table(html: str, caption: str) -> dict:
    found = [t for t in _tables(html) if t["caption"].startswith(caption)]
    assert len(found) == 1, [t["caption"] for t in _tables(html)]
    return found[0]


def _text(html: str) -> str:
    html = re.sub(r"<(script|style)>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture(scope="module")
def sample() -> cl.Responses:
    return cl.load_sample("district")


# -- issue 18: ordinal alpha and omega ---------------------------------------------------------
def test_ordinal_reliability_in_the_table_with_its_explanation_and_sources(sample, tmp_path):
    html = cl.report(sample, path=tmp_path / "r.html", ordinal=True,
                     progress=False).read_text()
    table = _table(html, "Internal consistency")
    header = table["rows"][0]
    assert header[6:8] == ["Ordinal alpha", "Ordinal omega"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cl.ColeadWarning)
        expected = cl.reliability(sample, ordinal=True).set_index("title")
    for row in table["rows"][1:]:
        ref = expected.loc[row[0]]
        assert row[6] == f"{ref['ordinal_alpha']:.2f}" and row[7] == f"{ref['ordinal_omega']:.2f}"
        assert row[3] == f"{ref['alpha']:.2f}"
    text = _text(html)
    assert "Ordinal alpha and omega: the same two measures computed from the polychoric" in text
    methods = text[text.index("Methods Scale scores"):]
    assert "Zumbo, B. D., Gadermann, A. M., & Zeisser, C. (2007)" in methods
    assert "Green, S. B., & Yang, Y. (2009)" in methods
    plain = cl.report(sample, path=tmp_path / "plain.html", progress=False).read_text()
    assert "Ordinal alpha" not in plain and "Zumbo" not in plain


def test_colead_report_ordinal(tmp_path):
    out = tmp_path / "r.html"
    assert main(["report", "--sample", "-o", str(out), "--ordinal", "--previous", "none"]) == 0
    assert _table(out.read_text(), "Internal consistency")["rows"][0][6] == "Ordinal alpha"


# -- issue 19: how many respondents a school needs ---------------------------------------------
def test_a_school_too_small_for_a_reliable_mean_is_told_so_with_plans_numbers(sample, tmp_path):
    roster = pd.read_csv(cl.datasets.sample_path("schools.csv")).astype({"school_id": str})
    html = cl.report(sample, path=tmp_path / "r.html", roster=roster,
                     progress=False).read_text()
    table = cl.aggregate(sample, roster=roster)
    icc1 = cl.agreement(sample).set_index("scale")["icc1"]
    titles = {sc.title: sc.id for sc in sample.instrument.scale_list}
    staff = dict(zip(roster["school_id"], roster["n_teachers"], strict=True))
    found = 0
    for school in table["school_id"].unique():
        mine = table[(table["school_id"] == school) & ~table["suppressed"]]
        shaky = mine[mine["mean_reliability"].round(2) < 0.70]
        section = html.split(f'id="school-{school}"')[1].split('<section id="school-')[0]
        assert ("Are these averages reliable yet?" in section) == (len(shaky) > 0), school
        if not len(shaky):
            continue
        found += 1
        rows = _table(section, f"{roster.set_index('school_id').loc[school, 'name']}: scales "
                               "whose average")["rows"][1:]
        assert [titles[r[0]] for r in rows] == list(shaky["scale"])
        for r in rows:
            scale, n = titles[r[0]], int(r[1])
            planned = cl.plan(float(icc1[scale]), group_size=n).iloc[0]
            assert r[2] == f"{planned['icc2']:.2f}"  # the reliability of the mean now
            assert r[3] == str(int(planned["n_needed"])) and r[4] == str(
                max(int(planned["n_needed"]) - n, 0))
            words = _text(section)
            assert f"{int(mine['n'].max())} teachers answered. That is not yet enough" in words
            if planned["n_needed"] > staff[school]:
                assert f"more teachers than the school's {staff[school]}" in words
            else:
                assert f"with {staff[school]} teachers at the school, about" in words
    assert found >= 6  # the sample's schools are small: most have a shaky scale

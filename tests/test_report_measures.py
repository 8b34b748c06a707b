"""The report's measurement options: ordinal reliability (issue 18), how many respondents a
school needs (issue 19), Rasch scores and benchmarks against norms (issue 21); each read
back from the page and compared with the library function that computes it."""

from __future__ import annotations

import re
import warnings
from html import unescape

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

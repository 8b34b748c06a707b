"""The report on paper and on a phone, checked in headless Chromium (Debian's package) driven
by Playwright: printed to PDF on A4 and Letter, and laid out 390 px wide.

On paper: each school starts a page, no element is wider than the page box, nothing prints
a scrollbar, no heading is left alone at the foot of a page. On a phone: chart labels are at
least 11 px, captions stay in view, the page itself never scrolls sideways (wide grids
scroll inside their own box).
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import colead as cl

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed here; .ci/run installs it (apt-get "
    "install chromium) so that CI runs these tests")

#: Printable width in CSS px (96 per inch) inside the report's 12 mm side margins.
PAGE_WIDTH = {"A4": (210 - 24) / 25.4 * 96, "Letter": (8.5 * 25.4 - 24) / 25.4 * 96}
PHONE = 390

WIDER_THAN = """(width) => {
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 1 || r.left < -1)) {
      out.push(el.tagName + "." + el.className + " " + Math.round(r.left) + "-"
               + Math.round(r.right));
    }
  }
  return out;
}"""
SCROLLERS = """() => Array.from(document.body.querySelectorAll("*")).filter(el => {
  const s = getComputedStyle(el);
  return ["auto", "scroll"].includes(s.overflowX) || ["auto", "scroll"].includes(s.overflowY);
}).map(el => el.tagName + "." + el.className)"""
SMALL_LABELS = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter(el => el.getClientRects().length && parseFloat(getComputedStyle(el).fontSize) < 11)
  .map(el => el.className + ": " + getComputedStyle(el).fontSize)"""
CLIPPED_CAPTIONS = """() => {
  const out = [];
  for (const el of document.querySelectorAll("caption, figcaption")) {
    if (!el.getClientRects().length) continue;
    const r = el.getBoundingClientRect();
    let box = el.closest(".scroll");
    const limit = box ? box.getBoundingClientRect() : {left: 0, right: window.innerWidth};
    if (r.left < limit.left - 1 || r.right > limit.right + 1) out.push(el.textContent.slice(0, 60));
  }
  return out;
}"""
HEADINGS = """() => Array.from(document.querySelectorAll("main h2, main h3, main h4, main h5"))
  .filter(el => el.getClientRects().length).map(el => el.innerText.trim())"""


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("print")
    teachers = cl.load_sample("district")
    roster = pd.read_csv(cl.datasets.sample_path("schools.csv"))
    district = cl.report(teachers, path=folder / "report.html", roster=roster, progress=False)
    cl.report(teachers, path=folder / "summary.html", roster=roster, per_school=folder / "own",
              progress=False)
    # Rasch scores with bands: wider tables (a score per scale beside every mean)
    cl.report(teachers, path=folder / "rasch.html", roster=roster, scores="rasch",
              per_school=folder / "rasch", progress=False)
    return {"district": district, "school": folder / "own" / "school-S03.html",
            "summary": folder / "summary.html", "rasch-summary": folder / "rasch.html",
            "rasch-school": folder / "rasch" / "school-S03.html"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def _pages(pdf: bytes) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_the_district_report_prints_each_school_on_its_own_pages(reports, browser, paper):
    page = browser.new_page()
    page.goto(reports["district"].as_uri())
    pdf = page.pdf(format=paper, print_background=True, prefer_css_page_size=False)
    pages = _pages(pdf)
    names = pd.read_csv(cl.datasets.sample_path("schools.csv"))["name"]
    # every school's section begins at the top of a page (its heading is the first line)
    starts = [p.strip().splitlines()[0].strip() for p in pages if p.strip()]
    assert all(name in starts for name in names), starts[:20]
    # the front matter and district tables, then each school on a few pages
    assert 12 + 3 <= len(pages) <= 12 * 11 + 10, len(pages)
    _no_heading_at_the_foot(page, pages)
    page.close()


@pytest.mark.parametrize("which", ["district", "school", "summary", "rasch-summary",
                                   "rasch-school"])
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_nothing_is_wider_than_the_page_and_no_scrollbar_prints(reports, browser, which, paper):
    page = browser.new_page(viewport={"width": int(PAGE_WIDTH[paper]), "height": 1000})
    page.emulate_media(media="print")
    page.goto(reports[which].as_uri())
    assert page.evaluate(WIDER_THAN, PAGE_WIDTH[paper]) == []
    assert page.evaluate(SCROLLERS) == []
    page.close()


def test_the_school_report_prints_on_a_few_pages(reports, browser):
    page = browser.new_page()
    page.goto(reports["school"].as_uri())
    for paper in ("A4", "Letter"):
        pages = _pages(page.pdf(format=paper, print_background=True))
        assert 4 <= len(pages) <= 20, (paper, len(pages))
        _no_heading_at_the_foot(page, pages)
    page.close()


def _no_heading_at_the_foot(page, pages: list[str]) -> None:
    headings = {re.sub(r"\s+", " ", h) for h in page.evaluate(HEADINGS)}
    for number, text in enumerate(pages[:-1], start=1):
        lines = [re.sub(r"\s+", " ", line).strip() for line in text.splitlines() if line.strip()]
        assert lines and lines[-1] not in headings, (number, lines[-3:])


@pytest.mark.parametrize("which", ["district", "school", "summary", "rasch-summary",
                                   "rasch-school"])
def test_on_a_phone(reports, browser, which):
    page = browser.new_page(viewport={"width": PHONE, "height": 844})
    page.goto(reports[which].as_uri())
    # the page never scrolls sideways: wide grids scroll inside their own box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('.scroll'))
        .filter(el => el.scrollWidth > el.clientWidth + 1).length""")
    assert wide >= 1
    labels = (".plabel, .llabel, .blabel, .hlabel, .axis, .pval, .bval, .hwords, ul.legend li, "
              "figcaption, caption, .legend-note, dl.explain")
    assert page.evaluate(SMALL_LABELS, labels) == []
    assert page.evaluate(CLIPPED_CAPTIONS) == []
    page.close()

"""The printable questionnaire: self-contained, escaped, accessible, one section per printed
page, and right in a browser."""

from __future__ import annotations

import html
import itertools
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import colead as cl
from colead.fielding._layout import pages

from .conftest import REPO
from .test_fielding import SPEC

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTRUMENTS = list(cl.list_instruments()["name"])


class Form(HTMLParser):
    """Collects headings, fieldsets, legends, inputs, labels and table cells of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.fieldsets = self.legends = 0
        self.inputs: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.th: list[dict[str, str | None]] = []
        self.tables = 0
        self.rows_without_header = 0
        self.external: list[str] = []
        self._label_depth = 0
        self._row: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        self.fieldsets += tag == "fieldset"
        self.legends += tag == "legend"
        self.tables += tag == "table"
        if tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(a["for"] or "")
        if tag == "input":
            self.inputs.append({**a, "in_label": "yes" if self._label_depth else ""})
        if tag == "th":
            self.th.append(a)
        if tag == "tr":
            self._row = []
        if tag in ("th", "td") and self._row is not None:
            self._row.append(tag)
        for key in ("src", "href"):
            if (a.get(key) or "").startswith(("http:", "https:", "//")):
                self.external.append(a[key] or "")
        if tag in ("script", "link", "iframe", "img"):
            self.external.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1
        if tag == "tr" and self._row is not None:
            self.rows_without_header += "th" not in self._row
            self._row = None


def _render(inst: cl.Instrument | str, tmp_path: Path, **kwargs) -> tuple[Path, str]:
    path = cl.field(inst, to="html", path=tmp_path / "questionnaire.html", **kwargs)
    return path, path.read_text(encoding="utf-8")


def _printed_questions(inst: cl.Instrument) -> int:
    """Questions as printed: the influence grid is one table."""
    questions = [q for page in pages(inst) for q in page.questions]
    grid_pages = {page.id for page in pages(inst) if page.has_grid}
    return len([q for q in questions if q.kind != "grid"]) + len(grid_pages)


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_accessible_structure(name, tmp_path):
    inst = cl.load_instrument(name)
    _, text = _render(name, tmp_path)
    form = Form()
    form.feed(text)
    assert form.headings[0] == 1 and form.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(form.headings))
    assert form.headings.count(2) == len(pages(inst)) + 1  # a cover, then one per section
    assert form.fieldsets == form.legends == _printed_questions(inst)
    # every input labelled: inside its label, or named by a label's for=
    assert all(i["in_label"] or i.get("id") in form.label_for for i in form.inputs)
    assert form.inputs and all(th.get("scope") in ("col", "row") for th in form.th)
    assert form.tables > 0 and form.rows_without_header == 0
    names = {i["name"] for i in form.inputs}
    assert names == set(inst.item_ids)  # every item can be answered, by its id
    assert f'lang="{inst.language}"' in text


def test_self_contained_and_confidential(tmp_path):
    _, text = _render("colead-teacher", tmp_path)
    form = Form()
    form.feed(text)
    assert form.external == [] and "<style>" in text
    assert "groups of at least 5 respondents" in text
    _, ten = _render("colead-teacher", tmp_path, min_n=10)
    assert "groups of at least 10 respondents" in ten
    assert "@media print" in text and "break-before: page" in text


def test_text_is_escaped_and_translated(tmp_path):
    inst = cl.load_instrument(SPEC)
    _, text = _render(inst, tmp_path)
    assert "The principal keeps &lt;promises&gt; &amp; more." in text
    assert "<promises>" not in text
    _, es = _render(inst, tmp_path, language="es")
    assert 'lang="es"' in es and "Puedo contar con la dirección." in es
    assert "Contratar docentes" in es and "Algo de acuerdo" in es and "Disagree" not in es


def test_the_influence_grid_is_one_table_with_its_scale(tmp_path):
    inst = cl.load_instrument("colead-teacher")
    _, text = _render(inst, tmp_path)
    grid = inst.influence
    table = re.search(r'<table class="grid-table">.*?</table>', text, flags=re.S)
    assert table is not None
    cols = re.findall(r'<th scope="col" id="[^"]+">([^<]*)</th>', table.group(0))
    rows = re.findall(r'<th scope="row" id="[^"]+">([^<]*)</th>', table.group(0))
    assert cols == [html.escape(label) for _, label in grid.stakeholders]
    assert rows == [html.escape(label) for _, label in grid.zones]
    # a box per cell, taking the scale's values and the codes of its missing answers
    boxes = re.findall(
        r'<input type="text" class="code" name="([^"]+)" pattern="([^"]+)"', table.group(0)
    )
    assert [name for name, _ in boxes] == [
        grid.item(s, z) for z, _ in grid.zones for s, _ in grid.stakeholders
    ]
    assert {pattern for _, pattern in boxes} == {"1|2|3|4|5|8|9"}
    key = text[text.index('class="scale-key"') : text.index('class="grid-table"')]
    for value, label in inst.response_scales[grid.response_scale].labels:
        assert f'<span class="value">{value:g}</span> = {html.escape(label)}' in key
    apart = key[key.index('<ul class="missing-key">') :]
    assert '<span class="value">8</span> = Don&#39;t know' in apart
    assert '<span class="value">9</span> = Not applicable' in apart
    assert "or 8 for &#34;Don&#39;t know&#34; or 9 for &#34;Not applicable&#34;" in key


def test_missing_answers_follow_the_scale_set_apart(tmp_path):
    """A matrix offers its scale's missing answers as further columns, each with its header
    and a labelled radio button per row, after a double rule; a grid's key lists them apart.
    Without missing answer options the questionnaire is as before."""
    inst = cl.load_instrument(SPEC)
    _, text = _render(inst, tmp_path)
    matrix = re.search(r'<table class="matrix-table">.*?</table>', text, flags=re.S).group(0)
    headers = re.findall(r'<th scope="col"( class="[^"]+")?>([^<]*)<span class="value">', matrix)
    labels = ("Disagree", "Slightly disagree", "Slightly agree", "Agree")
    assert headers == [("", label) for label in labels] + [
        (' class="missing-option first"', "Can&#39;t judge")
    ]
    offered = re.findall(
        r'<td class="missing-option first"><label class="box"><input type="radio" '
        r'name="([^"]+)" value="8" aria-describedby="row-\1"><span class="visually-hidden">'
        r"Can&#39;t judge</span></label></td>",
        matrix,
    )
    assert offered == ["tp1", "tp_2"]
    assert "Some questions offer &#34;Can&#39;t judge&#34; after their scale" in text
    assert 'pattern="1|2|3|4|8"' in text  # the grid's boxes
    form = Form()
    form.feed(text)
    assert all(i["in_label"] or i.get("id") in form.label_for for i in form.inputs)
    plain = {
        **SPEC,
        "response_scales": {
            **SPEC["response_scales"],
            "agree4": {**SPEC["response_scales"]["agree4"], "missing": ["Not applicable"]},
        },
    }
    _, before = _render(cl.load_instrument(plain), tmp_path)
    assert 'class="missing-option' not in before and 'class="missing-key"' not in before
    assert "leave it blank" in before and 'type="number" name="inf_principal_hiring"' in before


# -- in a browser -----------------------------------------------------------------------------
_CHECK = """<script>
const inputs = [...document.querySelectorAll('input')];
const result = {
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),
  inputs: inputs.length,
  unlabelled: inputs.filter(i => !i.labels.length || !i.labels[0].textContent.trim())
                    .map(i => i.name),
  fieldsets: document.querySelectorAll('fieldset').length,
  legends: document.querySelectorAll('fieldset > legend').length,
  tables: document.querySelectorAll('table').length,
  tablesWithHeaders: [...document.querySelectorAll('table')].filter(t =>
      t.querySelector('thead th[scope=col]') && t.querySelector('tbody th[scope=row]')).length,
  rowsWithoutHeader: [...document.querySelectorAll('tbody tr')].filter(r =>
      !r.querySelector('th[scope=row]')).length,
  sections: document.querySelectorAll('section.page').length,
};
const out = document.createElement('pre');
out.id = 'a11y';
out.textContent = JSON.stringify(result);
document.body.appendChild(out);
</script>"""


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CHROMIUM or "chromium", *BROWSER_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed here; .ci/run installs "
    "it (apt-get install chromium) so that CI runs this test",
)
def test_questionnaire_in_a_browser(tmp_path):
    """The browser's own view: headings in order, every input with a label (the DOM's
    ``input.labels``), table headers, and one printed page per section."""
    inst = cl.load_instrument("colead-teacher")
    path, text = _render(inst, tmp_path)
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path / "chromium-profile"  # its own: another Chromium may hold a shared one
    probe = tmp_path / "probe.html"
    probe.write_text(text.replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    dom = _chromium(["--dump-dom", probe.as_uri()], profile).stdout
    found = re.search(r'<pre id="a11y">(.*?)</pre>', dom, flags=re.S)
    assert found is not None, "the check did not run"
    result = json.loads(html.unescape(found.group(1)))
    headings = result["headings"]
    assert headings[0] == 1 and all(b - a <= 1 for a, b in itertools.pairwise(headings))
    assert result["inputs"] > len(inst.item_ids) and result["unlabelled"] == []
    assert result["fieldsets"] == result["legends"] == _printed_questions(inst)
    assert result["tables"] == result["tablesWithHeaders"] > 0
    assert result["rowsWithoutHeader"] == 0
    assert result["sections"] == len(pages(inst)) + 1
    pdf = ARTIFACTS / "questionnaire.pdf"
    _chromium(["--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri()], profile)
    printed_pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))
    assert printed_pages >= result["sections"]  # each section starts a page
    shot = ARTIFACTS / "questionnaire.png"
    _chromium(["--window-size=1000,1800", f"--screenshot={shot}", path.as_uri()], profile)
    assert shot.stat().st_size > 10_000

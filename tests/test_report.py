"""The HTML report: self-contained, private, escaped, accessible, and right in a browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.io.responses import ImportLog, Responses

from .conftest import REPO

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class Outline(HTMLParser):
    """Collects headings, images, figures and tables of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.images: list[dict[str, str | None]] = []
        self.figures: list[dict[str, str | None]] = []
        self.tables = 0
        self.captions = 0
        self.header_cells = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "img":
            self.images.append(a)
        if tag == "figure":
            self.figures.append(a)
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.header_cells += tag == "th"
        for key in ("src", "href"):
            value = a.get(key) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag in ("link", "iframe", "img") or (tag == "script" and "src" in a):
            self.external.append(tag)


@pytest.fixture(scope="module")
def small_school_district() -> Responses:
    """The sample district plus a school of 3 teachers whose name is a script."""
    sample = cl.load_sample("district")
    small = sample.data[sample.data["school_id"] == "S01"].head(3).copy()
    small["school_id"] = "<script>alert(1)</script>"
    small["respondent_id"] = ["X1", "X2", "X3"]
    data = pd.concat([sample.data, small], ignore_index=True)
    log = ImportLog(source="test", rows_read=len(data), rows_kept=len(data))
    return Responses(data=data, log=log, platform="csv", instrument=sample.instrument)


@pytest.fixture(scope="module")
def page(small_school_district, tmp_path_factory) -> tuple[Path, str]:
    path = tmp_path_factory.mktemp("report") / "report.html"
    roster = pd.read_csv(cl.datasets.sample_path("schools.csv"))
    cl.report(small_school_district, path=path, roster=roster, min_n=5, progress=False)
    return path, path.read_text(encoding="utf-8")


def test_one_self_contained_file(page):
    _, html = page
    outline = Outline()
    outline.feed(html)
    assert outline.external == []
    # the one script sorts the table of schools; it asks nothing of the network
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 1
    assert not re.search(r"fetch|XMLHttpRequest|import|src=|location|WebSocket", scripts[0])
    assert "@media print" in html and 'name="viewport"' in html


def test_small_school_shows_no_statistic_and_its_name_is_escaped(page, small_school_district):
    _, html = page
    assert "<script>alert(1)</script>" not in html
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert escaped in html
    start = html.rindex("<section", 0, html.index('id="school--script-alert-1---script-"'))
    section = html[start:html.index("</section>", start)]
    assert "Fewer than 5 respondents" in section
    visible = re.sub(r"<[^>]+>", " ", section).replace(escaped, "")
    assert not re.search(r"\d", visible.replace("Fewer than 5 respondents", ""))


def test_no_respondent_level_content(page, small_school_district):
    _, html = page
    ids = small_school_district.data["respondent_id"]
    assert not any(re.search(rf"\b{re.escape(i)}\b", html) for i in ids)


def test_every_number_of_a_school_rests_on_min_n(page, small_school_district):
    """School tables list n per scale; none is below 5."""
    _, html = page
    for section in re.findall(r'<section id="school-[^"]*".*?</section>', html, flags=re.S):
        for n in re.findall(r"<tr><th scope=\"row\">[^<]*</th><td>(\d+)</td>", section):
            assert int(n) >= 5


def test_accessible_structure(page):
    _, html = page
    outline = Outline()
    outline.feed(html)
    assert outline.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False))
    assert all(img.get("alt") for img in outline.images)
    assert all(f.get("aria-label") or f.get("role") is None for f in outline.figures)
    assert outline.tables == outline.captions and outline.header_cells > outline.tables
    assert 'lang="en"' in html


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("text, background", [("#1a1a1a", "#ffffff"), ("#4d4d4d", "#ffffff"),
                                              ("#5a5a5a", "#eeeeee"), ("#0b5394", "#ffffff"),
                                              ("#1a1a1a", "#f3f5f8")])
def test_text_colours_have_enough_contrast(text, background):
    css = (REPO / "src" / "colead" / "reporting" / "templates" / "report.css").read_text()
    assert text in css and background in css
    light, dark = sorted([_luminance(text), _luminance(background)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5  # WCAG 2 AA for body text


def test_report_rejects_bad_arguments(small_school_district, tmp_path):
    with pytest.raises(cl.InvalidParameterError, match="allow_small_groups"):
        cl.report(small_school_district, path=tmp_path / "x.html", min_n=2)
    with pytest.raises(cl.InvalidParameterError, match="'by' parameter of report"):
        cl.report(small_school_district, path=tmp_path / "x.html", by="district")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed here; .ci/run installs "
                    "it (apt-get install chromium) so that CI runs this test")
def test_report_in_a_browser(page, tmp_path):
    path, _ = page
    ARTIFACTS.mkdir(exist_ok=True)
    profile = tmp_path / "chromium-profile"  # a fresh profile: no lock shared with other runs
    dom = subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}", "--dump-dom",
                          path.as_uri()], capture_output=True, text=True, timeout=120, check=True)
    rendered = dom.stdout
    for section in ("overview", "district", "schools", "methods"):
        assert f'id="{section}"' in rendered
    # every shown school, every scale: a chart, or a note saying why it is absent (an item
    # under item_min_n answers, or a scale held back to protect the 3-teacher school)
    charts, absent = rendered.count('class="chart likert"'), rendered.count(": Not shown: ")
    assert charts + absent == 12 * 10 and charts >= 100
    assert rendered.count('class="chart profile"') == 12
    assert 'class="chart bands"' in rendered and 'class="chart hist"' in rendered
    shot = ARTIFACTS / "report.png"
    subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}",
                    "--window-size=1100,1800", f"--screenshot={shot}", path.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000
    phone = ARTIFACTS / "report-phone.png"
    subprocess.run([CHROMIUM, *BROWSER_FLAGS, f"--user-data-dir={profile}",
                    "--window-size=390,1600", f"--screenshot={phone}", path.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert phone.stat().st_size > 10_000
    assert np.isfinite(shot.stat().st_size)


def test_guide_influence_and_rules_in_the_report(page):
    _, html = page
    assert "For the team's conversation" in html
    assert html.count('class="heatmap"') == 1 + 12  # the district and every shown school
    assert "How the conversation guide chooses" in html
    methods = html[html.index('id="methods"'):]
    rules = cl.guide.describe(instruments=[cl.load_instrument("colead-teacher")])
    teacher = rules[rules["instrument"] == "colead-teacher"]
    # rules on the change since the previous survey only when the report has one
    on_change = teacher["condition"].str.contains("since the previous survey")
    assert on_change.any()
    for condition in teacher.loc[on_change, "condition"]:
        assert condition not in methods
    teacher = teacher[~on_change]
    # only the rules of the instruments used, each condition in words (titles, not ids)
    assert methods.count("<tr><th scope=\"row\">a ") == len(teacher)
    for condition in teacher["condition"]:
        assert condition.replace('"', "&#34;") in methods
    for rule in rules["rule"]:
        assert rule not in methods
    assert "colead-collaboration" not in methods and "shared_leadership" not in methods


def test_report_with_a_second_survey_shows_the_stage_distribution(tmp_path):
    teachers = cl.load_sample("district")
    schools = pd.read_csv(cl.datasets.sample_path("schools.csv")).rename(
        columns={"n_teacher_respondents": "n_respondents"})
    collab = cl.simulate("colead-collaboration", schools=schools, seed=4)
    path = cl.report(teachers, path=tmp_path / "r.html", surveys=[collab], progress=False)
    html = path.read_text(encoding="utf-8")
    question = collab.instrument.item("cop_stage").text
    schools = html[html.index('id="school-sections"'):html.index('id="methods"')]
    assert schools.count(f">{question}</h") == 12
    assert "Maturing" in html


def test_relations_table_shows_teachers_below_and_school_means_above(tmp_path):
    from colead.reporting import sections

    teachers = cl.load_sample("district")
    scores = cl.score(teachers)
    titles = {sc.id: sc.title for sc in teachers.instrument.scale_list}
    table = sections._relations(scores, titles, by="school_id", min_n=5)
    pairs = cl.correlate(scores, by="school_id", level=["individual", "school"],
                         columns=list(titles))
    teacher_r = cl.correlation_matrix(pairs, level="individual")
    school_r = cl.correlation_matrix(pairs, level="school")
    ids = list(titles)
    a, b = ids.index("shared_leadership"), ids.index("trust_principal")
    assert table["rows"][b][1 + a] == f"{teacher_r.loc['trust_principal', 'shared_leadership']:.2f}"
    assert table["rows"][a][1 + b] == f"{school_r.loc['shared_leadership', 'trust_principal']:.2f}"
    assert table["rows"][a][1 + a] == ""
    assert table["schools"] == 12
    # with min_n above every school's size no school mean is shown above the diagonal
    hidden = sections._relations(scores, titles, by="school_id", min_n=100)
    assert hidden["rows"][a][1 + b] == "\u2013" and hidden["schools"] == 0


ONE_SCALE = """\
name: one_scale
title: "One scale"
version: "1.0"
source: "test"
licence: "test"
response_scales:
  agree6:
    min: 1
    max: 6
    labels: {1: "Strongly disagree", 2: "Disagree", 3: "Slightly disagree",
             4: "Slightly agree", 5: "Agree", 6: "Strongly agree"}
scales:
  trust_principal:
    title: "Trust in the principal"
    items: [tp1, tp2, tp3]
items:
  - {id: tp1, text: "One", scale: trust_principal, response_scale: agree6}
  - {id: tp2, text: "Two", scale: trust_principal, response_scale: agree6}
  - {id: tp3, text: "Three", scale: trust_principal, response_scale: agree6}
"""


def _responses(data: pd.DataFrame, instrument) -> Responses:
    log = ImportLog(source="test", rows_read=len(data), rows_kept=len(data))
    return Responses(data=data.reset_index(drop=True), log=log, platform="csv",
                     instrument=instrument)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_awkward_exports_give_a_report_that_says_what_is_absent(tmp_path):
    sample = cl.load_sample("district")
    inst = sample.instrument
    (tmp_path / "one.yaml").write_text(ONE_SCALE, encoding="utf-8")
    nobody = sample.data.copy()
    nobody[list(inst.scales["trust_principal"].items)] = np.nan
    cases = {
        "single": (_responses(sample.data[sample.data["school_id"] == "S01"], inst),
                   "need at least two schools whose results are shown; this report has 1"),
        "one_scale": (_responses(sample.data[["respondent_id", "school_id", "tp1", "tp2", "tp3"]],
                                 cl.load_instrument(tmp_path / "one.yaml")),
                      "The instrument has one scale, so there are no correlations"),
        "nobody": (_responses(nobody, inst), "Trust in the principal fewer than 5 respondents"),
        "blank": (_responses(sample.data.assign(school_id=None), inst),
                  "the column school_id is blank in every row, so there are district results"),
    }
    for name, (responses, expected) in cases.items():
        path = cl.report(responses, path=tmp_path / f"{name}.html", progress=False)
        text = _text(path.read_text(encoding="utf-8"))
        assert expected in text, name
        assert "nan" not in text.split() and "inf%" not in text, name


def test_a_roster_that_cannot_be_right_stops_the_report(small_school_district, tmp_path):
    roster = pd.read_csv(cl.datasets.sample_path("schools.csv"))
    roster.loc[0, "n_teachers"] = 0
    roster.loc[1, "n_teachers"] = 2
    with pytest.raises(cl.ResponseDataError) as info:
        cl.report(small_school_district, path=tmp_path / "r.html", roster=roster,
                  progress=False)
    assert len(info.value.problem_lines()) == 2
    assert not (tmp_path / "r.html").exists()


# -- the words a principal reads ------------------------------------------------------------
@pytest.mark.parametrize("rwg, words", [
    (0.0, "lack of agreement"), (0.30, "lack of agreement"), (0.31, "weak agreement"),
    (0.50, "weak agreement"), (0.51, "moderate agreement"), (0.70, "moderate agreement"),
    (0.704, "moderate agreement"), (0.706, "strong agreement"), (0.71, "strong agreement"),
    (0.90, "strong agreement"),
    (0.91, "very strong agreement"), (1.0, "very strong agreement"), (np.nan, "")])
def test_agreement_bands_are_lebreton_and_senters(rwg, words):
    from colead.reporting.words import agreement_band

    assert agreement_band(rwg) == words


def test_flags_tell_schools_apart_on_the_sample(page):
    """A flag that fires for every school says nothing: on the sample, teachers' agreement
    is realistic (median rwg(j) .70-.85 on every scale) and each flag fires for some
    schools and not for others."""
    teachers = cl.load_sample("district")
    medians = cl.agreement(teachers)["rwg_j_median"]
    assert medians.between(0.70, 0.85).all(), medians
    _, html = page
    sections = re.findall(r'<section id="school-S\d\d" class="school".*?</section>', html,
                          flags=re.S)
    assert len(sections) == 12
    for flag in ("Teachers agree strongly with one another on every scale",
                 "Teachers agree only moderately", "is not yet a stable estimate",
                 "Above the district", "Below the district"):
        fired = sum(flag in s for s in sections)
        assert 0 < fired < 12, (flag, fired)
    assert sum("views diverge" in s for s in sections) < 6  # weak agreement is the exception


def test_reverse_keyed_answers_are_coloured_by_how_favourable_they_are():
    from colead.reporting.charts import likert_items, likert_rows

    labels = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]
    items = likert_items(["Trusts teachers", "Is not straight with teachers"], [False, True],
                         labels)
    everyone_disagrees = np.array([[1.0, 0, 0, 0], [1.0, 0, 0, 0]])
    bars = str(likert_rows(everyone_disagrees, items)["bars"]).splitlines()
    # the plain item: all answers unfavourable, left of the middle, in the first colour
    assert '<i style="width:0.0%"></i><i class="c0" style="width:50.0%">' in bars[0]
    # the reverse-keyed item: disagreeing is favourable, right of the middle, last colour
    assert '<i style="width:50.0%"></i><i class="c5" style="width:50.0%">' in bars[1]
    assert 'class="rev"' in bars[1] and 'class="rev"' not in bars[0]
    table = str(likert_rows(everyone_disagrees, items)["table"])
    assert table.count("<td>100%</td><td>0%</td><td>0%</td><td>0%</td>") == 2  # own order


def test_contents_link_to_every_part_and_the_page_explains_itself(page):
    _, html = page
    nav = html[html.index('<nav aria-label="Contents"'):html.index("</nav>")]
    targets = re.findall(r'href="#([^"]+)"', nav)
    assert len(targets) >= 8
    for target in targets:
        assert f'id="{target}"' in html
    assert "How to read this report" in html
    for word in ("ICC(1):", "ICC(2):", "rwg(j):", "AD:", "Alpha:", "Omega:", "Gini:",
                 "Breadth:", "95% interval:"):
        assert f"<dt>{word}</dt>" in html, word


def test_a_matplotlib_figure_embeds_as_text_keeping_svg():
    import base64

    from colead.plots.scales import plot_agreement
    from colead.reporting.figures import render

    table = cl.aggregate(cl.load_sample("district"))
    figure = render(lambda ax: plot_agreement(table, group="school_id", ax=ax), size=(6, 3),
                    alt="Agreement per scale", caption="Agreement")
    assert figure.uri.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(figure.uri.split(",", 1)[1]).decode("utf-8")
    assert "<text" in svg and ">shared leadership<" in svg  # labels stay text, not paths
    assert len(svg) < 200_000


def test_how_to_read_names_who_answered_and_skips_what_the_instrument_lacks(tmp_path):
    """A principals' survey without scales: its reader meets principals, not teachers, and
    no explanation of scale means, agreement or reverse-keyed questions."""
    import re

    def how_to_read(responses, name):
        html = cl.report(responses, path=tmp_path / name, progress=False).read_text("utf-8")
        section = re.search(r'<section id="how-to-read".*?</section>', html, re.S).group(0)
        return " ".join(re.sub(r"<[^>]+>", " ", section).split())

    principals = how_to_read(cl.load_sample("district-principals"), "p.html")
    assert "Principals answered the SASS principal decision influence" in principals
    for absent in ("Teachers", "teachers", "rwg(j)", "95% interval", "reverse-keyed"):
        assert absent not in principals, absent
    teachers = how_to_read(cl.load_sample("district"), "t.html")
    assert "Teachers answered" in teachers
    for present in ("rwg(j)", "95% interval", "reverse-keyed", "shared leadership"):
        assert present in teachers, present

"""The report's measurement options: ordinal reliability (issue 18), how many respondents a
school needs (issue 19), Rasch scores and benchmarks against norms (issue 21); each read
back from the page and compared with the library function that computes it."""

from __future__ import annotations

import re
import warnings
from html import unescape

import numpy as np
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


# -- issue 21: Rasch scores, benchmarks against norms, the nation --------------------------------
CUTS = (20, 40, 60, 80)
BAND_WORDS = ("very weak", "weak", "neutral", "strong", "very strong")


def _measures(resp: cl.Responses) -> tuple[pd.DataFrame, dict]:
    """Each scale's Rasch measures (cl.rasch, rating-scale model) of the respondents with a
    scale score, named <scale>_rasch, beside school_id; and the fits."""
    data, inst = resp.data, resp.instrument
    scores = cl.score(resp)
    out, fits = pd.DataFrame({"school_id": data["school_id"]}), {}
    for sc in inst.scale_list:
        fit = cl.rasch(cl.psychometrics.keyed_items(data, inst, sc), scale_min=sc.min)
        fits[sc.id] = fit
        out[f"{sc.id}_rasch"] = fit.persons["estimate"].where(scores[sc.id].notna())
    return out, fits


def _printed(value: float) -> tuple[str, str]:
    """A benchmarked score as the report prints it, and its band read at that number."""
    shown = round(float(np.clip(value, 1, 99)))
    return str(shown), BAND_WORDS[int(np.searchsorted(CUTS, shown, side="right"))]


def _section(html: str, school: str) -> str:
    return html.split(f'id="school-{school}"')[1].split('<section id="school-')[0]


@pytest.fixture(scope="module")
def rasch_page(sample, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("rasch") / "r.html"
    return cl.report(sample, path=path, scores="rasch", progress=False).read_text()


def test_rasch_scores_beside_the_means_against_the_districts_own_schools(sample, rasch_page):
    """Every school's Rasch score (the mean of its teachers' Rasch measures) on the 1-99 scale
    of the district's own schools: 50 + 20 (m - mean) / sd of the school means, with its band,
    in each school's table and in the table of every school, the means still there."""
    measures, _ = _measures(sample)
    titles = {sc.title: sc.id for sc in sample.instrument.scale_list}
    means = measures.groupby("school_id").mean()
    z = (means - means.mean()) / means.std(ddof=1)  # all 12 sample schools are shown
    expected = 50 + 20 * z
    aggregate = cl.aggregate(sample).set_index(["school_id", "scale"])
    checked = 0
    for school in means.index:
        rows = _table(_section(rasch_page, school), f"{school}: scale means")["rows"]
        assert rows[0][2:6] == ["Mean", "95% interval", "Rasch score (1-99)", "Band"]
        for row in rows[1:]:
            scale = titles[row[0]]
            assert row[2] == f"{aggregate.loc[(school, scale), 'mean']:.2f}"
            assert (row[4], row[5]) == _printed(expected.loc[school, f"{scale}_rasch"])
            checked += 1
    assert checked == 12 * len(titles)
    glance = _table(rasch_page, "Schools and their scale means")
    header = glance["rows"][0]
    first = header.index("Shared leadership: Rasch score")
    for row in glance["rows"][1:]:
        score, word = _printed(expected.loc[row[0], "shared_leadership_rasch"])
        assert row[first] == f"{score} {word}"
        assert row[header.index("Shared leadership")] == \
            f"{aggregate.loc[(row[0], 'shared_leadership'), 'mean']:.2f}"
    # the district: its mean measure (all teachers) against the same reference
    district = _table(rasch_page, "District mean and standard deviation")["rows"]
    assert district[0][4:] == ["Rasch score (1-99)", "Band"]
    for row in district[1:]:
        m = f"{titles[row[0]]}_rasch"
        value = 50 + 20 * (measures[m].mean() - means[m].mean()) / means[m].std(ddof=1)
        assert (row[4], row[5]) == _printed(value)
    text = _text(rasch_page)
    assert "benchmarked against this district's own schools in this survey" in text
    assert "not with schools elsewhere" in text


def test_bands_are_words_with_the_palettes_colours(rasch_page):
    """A band is always written out (readable without colour) and its swatch is the
    palette's colour of that band (the diverging colours of colead._style), lowest first."""
    from colead._style import DIVERGING

    found = re.findall(r'<span class="bench"><span class="swatch b(\d)" aria-hidden="true">'
                       r'</span>([a-z ]+)</span>', rasch_page)
    assert len({w for _, w in found}) >= 4
    for index, word in found:
        assert BAND_WORDS[int(index)] == word
    # the table of every school marks the band by a coloured edge of the cell, and words
    glance = re.findall(r'<td class="k(\d)">(\d+) ([a-z ]+)</td>', rasch_page)
    assert len(glance) == 12 * 10
    for index, score, word in glance:
        assert BAND_WORDS[int(index)] == word == _printed(float(score))[1]
    css = rasch_page[rasch_page.index("<style>"):rasch_page.index("</style>")]
    for i, colour in enumerate(DIVERGING[:3] + DIVERGING[4:]):
        assert f".b{i} {{ background: {colour}; }}" in css
        assert f"td.k{i} {{ border-left-color: {colour}; }}" in css


def test_methods_explain_rasch_scores_and_bands_with_their_sources(rasch_page, sample, tmp_path):
    methods = _text(rasch_page)
    methods = methods[methods.index("Methods Scale scores"):]
    assert "Andrich's (1978) rating-scale model" in methods
    assert "20 points are one standard deviation of the reference" in methods
    assert "cut at -1.5, -0.5, 0.5 and 1.5 standard deviations" in methods
    assert "The reference is this district's own schools in this survey" in methods
    assert "Bryk, A. S., Sebring, P. B., Allensworth, E., Luppescu, S., & Easton, J. Q. " \
           "(2010)" in methods
    plain = cl.report(sample, path=tmp_path / "plain.html", progress=False).read_text()
    assert "Rasch" not in plain and "Bryk, A. S., Sebring" not in plain
    assert "(1-99)" not in plain


def test_person_reliability_and_items_outside_the_usual_fit(sample, rasch_page):
    _, fits = _measures(sample)
    titles = {sc.title: sc.id for sc in sample.instrument.scale_list}
    table = _table(rasch_page, "Internal consistency")
    column = table["rows"][0].index("Person reliability (Rasch)")
    for row in table["rows"][1:]:
        assert row[column] == f"{fits[titles[row[0]]].person_reliability:.2f}"
    misfit = _table(rasch_page, "Items with infit or outfit mean squares outside 0.7-1.3")
    shown = [(titles[r[0]], r[1], r[2], r[3], r[4]) for r in misfit["rows"][1:]]
    expected = []
    for scale, fit in fits.items():
        for item, infit, outfit in fit.items[["item", "infit", "outfit"]].itertuples(
                index=False):
            values = np.round([infit, outfit], 2)
            if ((values < 0.7) | (values > 1.3)).any():
                words = ("less predictable" if values.max() > 1.3 else "more predictable")
                expected.append((scale, sample.instrument.item(item).text, f"{infit:.2f}",
                                 f"{outfit:.2f}", words))
    assert expected and [s[:4] for s in shown] == [e[:4] for e in expected]
    assert all(e[4] in s[4] for s, e in zip(shown, expected, strict=True))
    assert "Infit and outfit: how closely an item's answers follow the pattern" in _text(
        rasch_page)


def test_norms_file_benchmarks_the_means_and_names_its_source(sample, tmp_path):
    """--norms without Rasch scores: the school means against the norms' mean and sd of
    <scale> (cl.benchmark of the aggregate table); a scale the norms lack is said so."""
    previous = cl.load_sample("district-previous")
    norms = cl.make_norms(previous, source="Our district, spring survey", year=2024,
                          by="school_id", url="https://example.org/norms")
    kept = norms.table[norms.table["measure"] != "trust_colleagues"].reset_index(drop=True)
    path = cl.Norms(kept, title="District spring survey").write(tmp_path / "norms.yaml")
    html = cl.report(sample, path=tmp_path / "r.html", norms=path,
                     progress=False).read_text()
    expected = cl.benchmark(cl.aggregate(sample), path).set_index(["school_id", "measure"])
    titles = {sc.title: sc.id for sc in sample.instrument.scale_list}
    for school in ("S01", "S07"):
        rows = _table(_section(html, school), f"{school}: scale means")["rows"]
        assert rows[0][4:6] == ["Score (1-99)", "Band"]
        for row in rows[1:]:
            if titles[row[0]] == "trust_colleagues":
                assert row[4:6] == ["\u2013", "no norms for this scale"]
                continue
            assert (row[4], row[5]) == _printed(expected.loc[(school, titles[row[0]]),
                                                             "benchmark"])
    text = _text(html)
    assert "No benchmarked score for Trust in colleagues (no norms for this scale)." in text
    assert "Scores are benchmarked against District spring survey (Our district, spring " \
           "survey, 2024)" in text
    methods = text[text.index("Methods Scale scores"):]
    assert "The reference is District spring survey: Our district, spring survey, 2024 " \
           "(school_id), https://example.org/norms" in methods
    assert "Rasch" not in text


def test_rasch_scores_against_last_years_rasch_norms(sample, tmp_path):
    """Norms of Rasch measures (<scale>_rasch) made from last year's survey: this year's
    school means of the measures against last year's mean and sd of school means."""
    last, _ = _measures(cl.load_sample("district-previous"))
    norms = cl.make_norms(last, source="Last year's survey", year=2024, by="school_id")
    path = norms.write(tmp_path / "rasch-2024.csv")
    html = cl.report(sample, path=tmp_path / "r.html", scores="rasch", norms=path,
                     progress=False).read_text()
    now, _ = _measures(sample)
    means = now.groupby("school_id").mean()
    ref = norms.table.set_index("measure")
    rows = _table(_section(html, "S03"), "S03: scale means")["rows"]
    titles = {sc.title: sc.id for sc in sample.instrument.scale_list}
    for row in rows[1:]:
        m = f"{titles[row[0]]}_rasch"
        value = 50 + 20 * (means.loc["S03", m] - ref.loc[m, "mean"]) / ref.loc[m, "sd"]
        assert (row[4], row[5]) == _printed(value)
    # a CSV file has no title: it is named by its file
    assert "benchmarked against rasch-2024 (Last year's survey, 2024)" in _text(html)


def test_norms_matching_nothing_are_a_clear_error(sample, tmp_path):
    unrelated = pd.DataFrame({"measure": ["reading"], "mean": [200.0], "sd": [20.0],
                              "year": ["2024"], "source": ["state test"]})
    with pytest.raises(cl.InvalidParameterError) as info:
        cl.report(sample, path=tmp_path / "r.html", norms=unrelated, progress=False)
    message = str(info.value)
    assert "hold nothing this report can use" in message and "the norms hold reading" in message
    for sc in sample.instrument.scale_list:
        assert sc.id in message
    assert not (tmp_path / "r.html").exists()
    means = cl.make_norms(cl.score(sample), source="district", year=2024, by="school_id")
    with pytest.raises(cl.InvalidParameterError, match=(
            r"shared_leadership_rasch, .*They hold means of the scales: leave out "
            r"scores='rasch'")):
        cl.report(sample, path=tmp_path / "r.html", norms=means, scores="rasch",
                  progress=False)
    with pytest.raises(cl.InvalidParameterError, match="'scores' parameter of report"):
        cl.report(sample, path=tmp_path / "r.html", scores="irt", progress=False)
    principals = cl.load_sample("district-principals")
    with pytest.raises(cl.InvalidParameterError, match="has no scales to measure"):
        cl.report(principals, path=tmp_path / "r.html", scores="rasch", progress=False)
    with pytest.raises(cl.InvalidParameterError, match="No bundled norms named 'nation'"):
        cl.report(sample, path=tmp_path / "r.html", norms="nation", progress=False)
    # the national principals' percents describe sass-principal-influence's items; the
    # teachers' survey has items of the same ids (teachers rating the principal's influence)
    assert "inf_principal_hiring" in sample.data
    with pytest.raises(cl.InvalidParameterError,
                       match="describe the items of 'sass-principal-influence', not of this"):
        cl.report(sample, path=tmp_path / "r.html", norms="nces-principal-influence",
                  progress=False)
    assert not (tmp_path / "r.html").exists()


def _first_school_header(html: str) -> list[str]:
    """The header of the first school's table of scale means (the CLI's sample report names
    the schools from the sample's roster)."""
    found = [t for t in _tables(html) if ": scale means with 95% intervals" in t["caption"]]
    return found[0]["rows"][0]


def test_colead_report_scores_rasch_and_norms(sample, tmp_path, capsys):
    out = tmp_path / "r.html"
    assert main(["report", "--sample", "-o", str(out), "--scores", "rasch",
                 "--previous", "none"]) == 0
    assert _first_school_header(out.read_text())[4] == "Rasch score (1-99)"
    norms = cl.make_norms(cl.score(sample), source="district", year=2024, by="school_id")
    path = norms.write(tmp_path / "norms.yaml")
    out2 = tmp_path / "r2.html"
    assert main(["report", "--sample", "-o", str(out2), "--norms", str(path),
                 "--previous", "none"]) == 0
    assert _first_school_header(out2.read_text())[4] == "Score (1-99)"
    capsys.readouterr()
    assert main(["report", "--sample", "-o", str(tmp_path / "r3.html"), "--norms", str(path),
                 "--scores", "rasch", "--previous", "none"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("colead: error: --norms gives norms")
    assert "leave out --scores rasch" in err[0]
    missing = tmp_path / "nowhere.yaml"
    assert main(["report", "--sample", "-o", str(tmp_path / "r4.html"), "--norms",
                 str(missing)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"colead: error: norms file {missing}: no such file")
    # the norms file is an input: never the output
    assert main(["report", "--sample", "-o", str(path), "--norms", str(path)]) == 2
    assert "never overwrites an input" in capsys.readouterr().err


def test_per_school_pages_show_the_rasch_scores(sample, tmp_path):
    folder = tmp_path / "schools"
    cl.report(sample, path=tmp_path / "r.html", per_school=folder, scores="rasch",
              progress=False)
    page = (folder / "school-S02.html").read_text()
    rows = _table(page, "S02: scale means")["rows"]
    assert rows[0][4:6] == ["Rasch score (1-99)", "Band"]
    assert all(r[4].isdigit() and r[5] in BAND_WORDS for r in rows[1:])


def test_sass_principals_beside_the_nation(tmp_path):
    """The sass-principal-influence report compares the district's share of principals
    reporting major influence with the bundled NCES tables, year by year, with links."""
    principals = cl.load_sample("state-principals")
    html = cl.report(principals, path=tmp_path / "r.html", progress=False).read_text()
    table = _table(html, "Your principals and the nation: share answering \u201cMajor "
                         "influence\u201d")
    assert table["rows"][0] == ["Decision", "This district", "n", "U.S. 2015-16",
                                "U.S. 2011-12", "U.S. 2007-08", "Difference from 2015-16"]
    grid = principals.instrument.influence
    zone_of = {label: zone for zone, label in grid.zone_labels.items()}
    nces = cl.load_norms("nces-principal-influence").table.set_index(["measure", "year"])
    pct_major = cl.influence(principals).matrix(stat="pct_major").loc["principal"]
    assert len(table["rows"]) == 8
    for row in table["rows"][1:]:
        zone = zone_of[row[0]]
        answers = principals.data[f"inf_principal_{zone}"].dropna()
        share = 100 * (answers >= 4).mean()
        assert row[1:3] == [f"{share:.0f}%", str(len(answers))]
        assert row[1] == f"{pct_major[zone]:.0f}%"  # as cl.influence counts "major"
        for column, year in ((3, "2015-16"), (4, "2011-12"), (5, "2007-08")):
            key = (f"inf_principal_{zone}", year)
            assert row[column] == (f"{nces.loc[key, 'percent']:.0f}%" if key in nces.index
                                   else "\u2013")
        assert row[6] == f"{share - nces.loc[(f'inf_principal_{zone}', '2015-16'), 'percent']:+.0f}"
    assert ('<a href="https://nces.ed.gov/surveys/ntps/tables/Table_7_042717.asp">2015-16</a>'
            in html)
    methods = _text(html)[_text(html).index("Methods"):]
    assert "the weighted national estimates NCES publishes" in methods
    # the same with the norms named, and nothing of it in a teacher report
    named = cl.report(principals, path=tmp_path / "n.html", norms="nces-principal-influence",
                      progress=False).read_text()
    assert _table(named, "Your principals and the nation")["rows"] == table["rows"]
    teachers = cl.report(cl.load_sample("district"), path=tmp_path / "t.html",
                         progress=False).read_text()
    assert "and the nation" not in teachers


def test_text_from_a_norms_file_is_escaped_and_only_web_addresses_are_links(sample, tmp_path):
    rows = pd.DataFrame([
        {"measure": "shared_leadership", "mean": 4.0, "sd": 0.5, "year": "2024<b>bold</b>",
         "source": "<script>alert('source')</script>", "url": "javascript:alert(1)"},
        {"measure": "sl1", "percent": 50.0, "at_least": 5, "year": "2024",
         "label": "<img src=x onerror=alert(2)>", "source": "<i>state</i>",
         "url": "JavaScript:alert(3)"},
    ])
    norms = cl.Norms(cl.load_norms(rows).table, title="<script>alert('title')</script>")
    path = norms.write(tmp_path / "norms.yaml")
    html = cl.report(sample, path=tmp_path / "r.html", norms=path, progress=False).read_text()
    for raw in ("<script>alert(", "<img src=x", "<b>bold", "<i>state", 'href="javascript:',
                'href="JavaScript:'):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    text = _text(html)
    assert "javascript:alert(1)" in text and "JavaScript:alert(3)" in text  # shown as text
    assert "Your teachers and <script>alert('title')</script>" in text

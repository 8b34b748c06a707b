"""Survey waves in the report, the guide and the command line: "Since the last survey", the
change rules, ``colead change`` and ``colead report --previous``; attacked on the HTML."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import colead as cl
from colead.cli import main
from colead.datasets import sample_path


@pytest.fixture(scope="module")
def waves():
    first = cl.simulate(n_schools=6, respondents=(15, 25), seed=41)
    sizes = first.population.schools.assign(n_respondents=[25, 25, 20, 20, 3, 12])
    second = cl.simulate(wave_of=first, change={"S01": 1.2, "S02": -1.2}, schools=sizes,
                         seed=42)
    return first, second


def test_report_shows_since_the_last_survey_and_nothing_of_a_small_school(waves, tmp_path):
    first, second = waves
    path = cl.report(second, path=tmp_path / "r.html", previous=first)
    html = path.read_text()
    # the district and S01-S04 (the heading's level follows the page: h3 in the district,
    # h5 in a school's section of the district report, h3 in a school's own file)
    assert len(re.findall(r'<h\d id="since-', html)) == 1 + 4
    assert 'id="since-district"' in html and 'id="since-S05"' not in html
    table = cl.change(second, first)
    # S05 has 3 teachers now; S06, the smallest other school now, is held back with it (the
    # district total minus the shown schools would be S05's 3): neither shows anything
    assert set(table.loc[table["suppressed"], "school_id"]) == {"S05", "S06"}
    assert 'id="since-S06"' not in html
    for row in table[table["school_id"].isin(["S05", "S06"])].itertuples():
        assert pd.isna(row.mean_previous) and pd.isna(row.change)
    fragments = re.findall(r'<section class="since" id="since-([^"]+)"', html)
    assert fragments == ["district", "S01", "S02", "S03", "S04"]
    # each school fragment shows exactly its own row of the change table
    s03 = html.split('id="since-S03"')[1].split("</section>")[0]
    row = table[(table["school_id"] == "S03") & (table["scale"] == "trust_principal")].iloc[0]
    assert f"<td>{row.mean_previous:.2f}</td><td>{row.mean_current:.2f}</td>" in s03
    # the conversation guide read the same change: S01 rose, S02 fell
    s01 = html.split('id="school-S01"')[1].split('id="school-S02"')[0]
    s02 = html.split('id="school-S02"')[1].split('id="school-S03"')[0]
    assert "since the last survey, by more than" in s01 and " rose from " in s01
    assert " fell from " in s02 and " rose from " not in s02
    # Methods says how the change was computed and lists the change rules in words
    methods = html[html.index('id="methods"'):]
    assert "minimum detectable change (MDC) is 1.96 standard errors" in methods
    assert ("the change of the school mean of any scale since the previous survey: a rise "
            "larger than its minimum detectable change") in methods


def test_the_guide_names_a_rise_and_a_fall_beyond_the_mdc(waves):
    first, second = waves
    guide = cl.conversation_guide(second, previous=first)
    rose = guide[guide["rule"] == "scale_rose"]
    fell = guide[guide["rule"] == "scale_fell"]
    assert "S01" in set(rose["school_id"]) and "S02" in set(fell["school_id"])
    assert not guide["school_id"].isin(["S05", "S06"]).any() or not guide.loc[
        guide["school_id"].isin(["S05", "S06"]), "rule"].isin(["scale_rose", "scale_fell"]).any()
    text = fell.loc[fell["school_id"] == "S02", "text"].iloc[0]
    assert re.search(r"fell from \d\.\d to \d\.\d since the last survey", text)
    # without the previous wave no change rule fires
    alone = cl.conversation_guide(second)
    assert not alone["rule"].isin(["scale_rose", "scale_fell"]).any()


def test_change_rules_are_checked(tmp_path):
    bad = {"format_version": 1, "rules": [
        {"id": "x", "kind": "question", "instrument": "colead-teacher",
         "when": {"change": "any", "below_district": 1}, "text": "t", "source": "s"},
        {"id": "y", "kind": "question", "instrument": "colead-teacher",
         "when": {"scale": "any", "fell_beyond_mdc": 1}, "text": "t", "source": "s"},
        {"id": "z", "kind": "question", "instrument": "colead-teacher",
         "when": {"change": "nope", "rose_beyond_mdc": 1}, "text": "{mdc}", "source": "s"}]}
    with pytest.raises(cl.InstrumentError) as info:
        cl.guide.load_rules(bad)
    text = str(info.value)
    assert "compares with the MDC" in text and "change tests only" in text
    assert "no scale 'nope'" in text


def test_colead_change_writes_the_table(tmp_path, capsys):
    out = tmp_path / "change.csv"
    code = main(["change", str(sample_path("teachers.csv")),
                 str(sample_path("teachers_previous.csv")), "-i", "colead-teacher",
                 "-o", str(out), "--roster", str(sample_path("schools.csv"))])
    assert code == 0
    table = pd.read_csv(out)
    assert len(table) == 120 and table["comparable"].all()
    assert "wrote 12 schools x 10 scales" in capsys.readouterr().out
    direct = cl.change(cl.load_sample("district"), cl.load_sample("district-previous"),
                       roster={"current": pd.read_csv(sample_path("schools.csv"))
                               .astype({"school_id": str})})
    pd.testing.assert_series_equal(table["se"], direct["se"], check_names=False, rtol=1e-9)
    # the previous export also as colead report takes it, --previous FILE; once only
    flag = tmp_path / "flag.csv"
    assert main(["change", str(sample_path("teachers.csv")), "--previous",
                 str(sample_path("teachers_previous.csv")), "-i", "colead-teacher",
                 "-o", str(flag), "--roster", str(sample_path("schools.csv"))]) == 0
    assert flag.read_bytes() == out.read_bytes()
    capsys.readouterr()
    for twice_or_never in ([str(sample_path("teachers_previous.csv"))] * 2, []):
        args = ["change", str(sample_path("teachers.csv")), "-i", "colead-teacher", "-o",
                str(tmp_path / "no.csv")]
        if twice_or_never:
            args[2:2] = [twice_or_never[0], "--previous", twice_or_never[1]]
        assert main(args) == 2
        assert "give the previous survey's export once" in capsys.readouterr().err
    assert not (tmp_path / "no.csv").exists()


def test_colead_change_pairs_on_a_salted_email(tmp_path, capsys):
    emails = [f"teacher{i}@school.org" for i in range(40)]
    files = []
    for seed in (1, 2):
        wave = cl.simulate(n_schools=2, respondents=20, seed=seed)
        frame = wave.data.copy()
        frame.insert(1, "Email", emails)
        files.append(tmp_path / f"w{seed}.csv")
        frame.to_csv(files[-1], index=False)
    salt = tmp_path / "salt.txt"
    salt.write_text("0123456789abcdef0123\n")
    out = tmp_path / "paired.csv"
    assert main(["change", str(files[1]), str(files[0]), "-i", "colead-teacher", "-o", str(out),
                 "--pair-on", "Email", "--salt-file", str(salt)]) == 0
    text = out.read_text()
    assert "@" not in text and "respondent_key" not in text
    assert (pd.read_csv(out)["n_paired"] == 20).all()
    capsys.readouterr()
    assert main(["change", str(files[1]), str(files[0]), "-i", "colead-teacher", "-o",
                 str(tmp_path / "x.csv"), "--pair-on", "Email"]) == 2
    assert "--pair-on needs --salt-file" in capsys.readouterr().err
    assert main(["change", str(files[1]), str(files[0]), "-i", "colead-teacher", "-o",
                 str(tmp_path / "y.csv"), "--pair-on", "Staff", "--salt-file", str(salt)]) == 2
    assert "no personal column 'Staff'" in capsys.readouterr().err


def test_colead_report_sample_has_the_section_unless_told(tmp_path):
    with_it, without = tmp_path / "a.html", tmp_path / "b.html"
    assert main(["report", "--sample", "-o", str(with_it)]) == 0
    assert main(["report", "--sample", "-o", str(without), "--previous", "none"]) == 0
    assert "Since the last survey" in with_it.read_text()
    assert "Since the last survey" not in without.read_text()
    other = tmp_path / "c.html"
    assert main(["report", str(sample_path("teachers.csv")), "-o", str(other), "--previous",
                 str(sample_path("teachers_previous.csv"))]) == 0
    assert len(re.findall(r'<h\d id="since-', other.read_text())) == 13


def _since_tables(html: str) -> dict[str, dict[str, tuple]]:
    """Every "Since the last survey" table of a page: section id -> scale title ->
    (n before, n now, mean before, mean now), for the rows that show numbers."""
    from .test_privacy_attacks import Tables

    parser = Tables()
    parser.feed(html)
    out: dict[str, dict[str, tuple]] = {}
    for table in parser.tables:
        if "scale means in the two surveys" not in table["caption"]:
            continue
        mine = out.setdefault(table["section"], {})
        for row in table["rows"][1:]:
            if len(row) == 8 and re.fullmatch(r"\d+ / \d+", row[1]):
                before, now = (int(x) for x in row[1].split(" / "))
                mine[row[0]] = (before, now, float(row[2]), float(row[3]))
    return out


def test_each_school_file_shows_its_own_change_and_all_files_pooled_pin_down_nobody(tmp_path):
    from .test_privacy_attacks import MIN_N, district

    # D had 3 teachers last year and 9 now: its results of this year are shown, but no change;
    # C is held back in both waves with it (last year's total minus A and B would otherwise
    # leave D's 3 and the 1 teacher without a school)
    previous = district({"A": 9, "B": 8, "C": 7, "D": 3}, no_school=1, low=("D",), seed=5)
    current = district({"A": 8, "B": 7, "C": 6, "D": 9}, seed=6)
    cl.report(current, path=tmp_path / "report.html", per_school=tmp_path / "own",
              previous=previous, min_n=MIN_N, progress=False)
    pooled: dict[str, dict[str, tuple]] = {}
    districts = []
    for name in "ABCD":
        found = _since_tables((tmp_path / "own" / f"school-{name}.html").read_text())
        districts.append(found.pop("since-district"))
        assert set(found) <= {f"since-{name}"}  # a file shows its own school's change only
        pooled.update(found)
    assert all(d == districts[0] for d in districts)  # the same district change everywhere
    table = cl.change(current, previous, min_n=MIN_N)
    hidden = set(table.loc[table["suppressed"], "school_id"])
    assert hidden == {"C", "D"} and set(pooled) == {"since-A", "since-B"}
    # each wave's district figure minus the schools shown leaves nobody or at least MIN_N
    for title, (n_before, n_now, *_) in districts[0].items():
        for wave, total in ((0, n_before), (1, n_now)):
            rest = total - sum(rows[title][wave] for rows in pooled.values() if title in rows)
            assert rest == 0 or rest >= MIN_N, (title, wave, rest)
    # the district report, with its inline school sections, shows the same and no more
    inline = _since_tables(cl.report(current, path=tmp_path / "inline.html",
                                     previous=previous, min_n=MIN_N,
                                     progress=False).read_text())
    assert inline.pop("since-district") == districts[0] and inline == pooled
    for name in "CD":  # shown this year, so the file says why there is no change
        text = (tmp_path / "own" / f"school-{name}.html").read_text()
        assert "Since the last survey: no change is shown" in text
        assert f'id="since-{name}"' not in text

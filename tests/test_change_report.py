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
    assert html.count("<h4 id=\"since-") == 1 + 4  # the district and S01-S04
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
    assert other.read_text().count("<h4 id=\"since-") == 13

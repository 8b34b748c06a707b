"""The command line: one line per problem and exit 2 on bad input; results otherwise."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.cli import main


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"colead {cl.__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "instruments" in out and "simulate" in out and "report" in out
    assert main([]) == 0


def test_python_dash_m():
    done = subprocess.run(
        [sys.executable, "-m", "colead", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == f"colead {cl.__version__}"


def test_instruments_table(capsys):
    assert main(["instruments"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["name", "version", "respondent"]
    assert sorted(line.split()[0] for line in lines[1:]) == sorted(cl.list_instruments()["name"])


def test_instruments_check(capsys, write_yaml):
    good = cl.load_instrument("omnibus-t-scale").path
    bad = write_yaml(
        "name: x\ntitle: t\nversion: '1'\nresponse_scales: {}\nitems: []\ncolour: red\n"
    )
    assert main(["instruments", "--check", good, str(bad)]) == 2
    captured = capsys.readouterr()
    assert "ok (omnibus-t-scale" in captured.out
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2 and all(e.startswith("colead: error: ") for e in errors)
    assert any("'colour'" in e for e in errors)


def test_simulate_writes_each_layout(tmp_path, capsys):
    for platform in ("csv", "qualtrics", "google_forms"):
        out = tmp_path / f"{platform}.csv"
        assert (
            main(
                [
                    "simulate",
                    "--schools",
                    "3",
                    "--respondents",
                    "4",
                    "--seed",
                    "1",
                    "--format",
                    platform,
                    "-o",
                    str(out),
                ]
            )
            == 0
        )
        assert "wrote 12 respondents in 3 schools" in capsys.readouterr().out
    frame = pd.read_csv(tmp_path / "csv.csv")
    assert len(frame) == 12 and frame["school_id"].nunique() == 3


@pytest.mark.parametrize(
    "argv, message",
    [
        (["simulate", "--respondents", "a-b", "-o", "x.csv"], "--respondents must be a number"),
        (["simulate", "-i", "nope", "-o", "x.csv"], "no bundled instrument of that name"),
        (["simulate", "--icc", "2", "-o", "x.csv"], "--icc must be a number in [0, 1)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_unwritable_output_is_a_clean_error(tmp_path, capsys):
    assert main(["simulate", "--schools", "1", "-o", str(tmp_path / "no" / "x.csv")]) == 2
    assert f"the folder {tmp_path / 'no'} does not exist" in capsys.readouterr().err


def test_report_on_the_sample(capsys, tmp_path):
    out = tmp_path / "report.html"
    assert main(["report", "--sample", "-o", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "<h2 id=\"schools-h\">Schools</h2>" in html and "Alder Elementary School" in html
    assert main(["report", "-o", str(tmp_path / "other.html")]) == 2
    assert "give an export FILE, or --sample" in capsys.readouterr().err


@pytest.fixture
def qualtrics_export(tmp_path):
    resp = cl.simulate(n_schools=3, respondents=4, seed=2)
    path = tmp_path / "export.csv"
    cl.write_export(resp, path, platform="qualtrics", values="labels", column_names="platform")
    return resp, path


def test_validate_prints_the_log_and_drafts_a_mapping(qualtrics_export, tmp_path, capsys):
    resp, path = qualtrics_export
    draft = tmp_path / "map.yaml"
    assert main(["validate", str(path), "-i", "colead-teacher", "--write-mapping", str(draft)]) == 0
    out = capsys.readouterr().out
    assert "rows read: 12, kept: 12, dropped: 0" in out
    assert "personal columns removed: IPAddress" in out
    assert (
        f"{len(resp.instrument.item_ids)} of {len(resp.instrument.item_ids)} items matched" in out
    )
    # The draft is a usable mapping: reading with it gives the same data.
    again = cl.read_responses(path, "colead-teacher", mapping=draft)
    pd.testing.assert_frame_equal(again.data, cl.read_responses(path, "colead-teacher").data)


def test_validate_lists_every_problem_and_exits_2(qualtrics_export, capsys):
    _, path = qualtrics_export
    text = path.read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in text]
    col = rows[0].index("Q3_2")
    for r in (3, 5):  # two data rows get an answer that is no label of agree6
        rows[r][col] = "Agree strongly"
    path.write_text("\n".join(",".join(r) for r in rows), encoding="utf-8")
    assert main(["validate", str(path), "-i", "colead-teacher"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert err[0].startswith(
        "colead: error: export.csv: row 4, column 'Q3_2', value 'Agree strongly'"
    )
    assert err[1].startswith("colead: error: export.csv: row 6, column 'Q3_2'")


def test_score_writes_scores_safely(tmp_path, capsys):
    resp = cl.simulate(n_schools=2, respondents=3, seed=4)
    data = resp.data.copy()
    data.loc[0, "school_id"] = "=HYPERLINK(1)"
    frame_path = tmp_path / "in.csv"
    data.to_csv(frame_path, index=False)
    out = tmp_path / "scores.csv"
    assert main(["score", str(frame_path), "-i", "colead-teacher", "-o", str(out)]) == 0
    written = pd.read_csv(out)
    assert written.loc[0, "school_id"] == "'=HYPERLINK(1)"
    assert list(written.columns) == ["respondent_id", "school_id", *resp.instrument.scales]
    expected = cl.score(resp)
    np.testing.assert_allclose(written["trust_principal"], expected["trust_principal"])


def test_score_by_school_suppresses_small_schools(tmp_path, capsys):
    resp = cl.simulate(n_schools=3, respondents=(3, 9), seed=5, missing=0.0)
    sizes = resp.data.groupby("school_id").size()
    path = tmp_path / "in.csv"
    cl.write_export(resp, path)
    out = tmp_path / "schools.csv"
    assert (
        main(
            [
                "score",
                str(path),
                "-i",
                "colead-teacher",
                "-o",
                str(out),
                "--by",
                "school_id",
                "--min-n",
                "5",
            ]
        )
        == 0
    )
    table = pd.read_csv(out)
    small = set(sizes[sizes < 5].index)
    assert 0 < len(small) < len(sizes)  # the seed gives both kinds of school
    # the next-smallest school is hidden too when the small ones hold fewer than 5 together
    others = sizes.drop(index=list(small))
    held = {others.idxmin()} if sizes[list(small)].sum() < 5 else set()
    assert held  # the seed gives a school held back to protect a smaller one
    under = len(small)
    small |= held
    hidden = table[table["school_id"].isin(small)]
    assert hidden["suppressed"].all() and hidden[["n", "mean", "sd"]].isna().all().all()
    shown = table[~table["school_id"].isin(small)]
    assert not shown["suppressed"].any() and shown["mean"].notna().all()
    # the message counts the schools under 5 apart from those held back to protect them
    message = capsys.readouterr().out
    assert f"; {under} group under 5 respondents suppressed; {len(held)} more with results " \
        "hidden" in message



def test_report_takes_a_second_survey_and_a_district_rules_file(tmp_path, capsys):
    from colead.guide.rules import default_rules_path

    teachers = cl.simulate(n_schools=6, respondents=8, seed=5)
    collab = cl.simulate("colead-collaboration", n_schools=6, respondents=8, seed=6)
    cl.write_export(teachers, tmp_path / "teachers.csv", platform="qualtrics")
    cl.write_export(collab, tmp_path / "collab.csv", platform="qualtrics")
    rules = tmp_path / "rules.yaml"
    bundled = default_rules_path().read_text(encoding="utf-8")
    before, after = bundled.split("id: low_teacher_influence")
    rules.write_text(before + "id: our_district_rule"
                     + after.replace("    source: \"", "    source: \"Our district, after ", 1),
                     encoding="utf-8")
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "teachers.csv"), "-o", str(out), "--rules", str(rules),
                 "--survey", str(tmp_path / "collab.csv"), "colead-collaboration"]) == 0
    html = out.read_text(encoding="utf-8")
    schools = html[html.index('id="school-sections"'):html.index('id="methods"')]
    assert schools.count(f'>{collab.instrument.item("cop_stage").text}</h') == 6
    assert "Our district, after " in html[html.index('id="methods"'):]
    broken = tmp_path / "broken.yaml"
    broken.write_text("format_version: 1\nrules: []\n", encoding="utf-8")
    assert main(["report", str(tmp_path / "teachers.csv"), "-o", str(tmp_path / "other.html"),
                 "--rules", str(broken)]) == 2
    assert "must be a non-empty list of rules" in capsys.readouterr().err

"""What the command line writes into files: counts as integers, figures at full precision or
rounded with --digits, and the conversation guide's rules exported for editing."""

from __future__ import annotations

import csv
import re

import numpy as np
import pandas as pd
import pytest
import yaml
from numpy.testing import assert_allclose

import colead as cl
from colead.cli import build_parser, main
from colead.cli.tables import for_file
from colead.datasets import sample_path
from colead.guide.rules import default_rules_path, load_rules

TEACHERS = str(sample_path("teachers.csv"))
COUNTS = ("n", "rwg_n")


def _cells(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def _decimals(cell: str) -> int:
    return len(cell.split(".")[1]) if "." in cell else 0


@pytest.fixture(scope="module")
def schools():
    # min_n 20 hides half the schools, so the count columns hold missing values
    return cl.aggregate(cl.load_sample("district"), by="school_id", min_n=20)


def test_school_table_writes_counts_as_integers_at_full_precision(tmp_path, schools, capsys):
    out = tmp_path / "schools.csv"
    argv = ["score", TEACHERS, "-i", "colead-teacher", "-o", str(out), "--by", "school_id",
            "--min-n", "20"]
    assert main(argv) == 0
    header, rows = _cells(out)
    assert schools["suppressed"].any() and schools["n"].isna().any()
    for name in COUNTS:
        cells = [row[header.index(name)] for row in rows]
        assert all(re.fullmatch(r"\d+", c) for c in cells if c), (name, cells[:3])
        assert "" in cells  # suppressed rows stay empty, never 0
    back = pd.read_csv(out)
    for name in COUNTS:
        assert back[name].dtype == "float64" or back[name].dtype.kind == "i"
        assert_allclose(back[name].to_numpy(float), schools[name].to_numpy(float))
    # full precision: every figure reads back exactly
    for name in ("mean", "sd", "ci_low", "rwg_j", "mean_reliability"):
        np.testing.assert_array_equal(back[name].to_numpy(float), schools[name].to_numpy(float))
    assert max(_decimals(row[header.index("mean")]) for row in rows) > 10


@pytest.mark.parametrize("digits", [0, 2, 3])
def test_digits_rounds_every_figure(tmp_path, schools, digits, capsys):
    out = tmp_path / "schools.csv"
    argv = ["score", TEACHERS, "-i", "colead-teacher", "-o", str(out), "--by", "school_id",
            "--min-n", "20", "--digits", str(digits)]
    assert main(argv) == 0
    header, rows = _cells(out)
    figures = [c for c in header if c not in ("school_id", "scale", "low_agreement",
                                              "unreliable", "suppressed", *COUNTS)]
    cells = [row[header.index(c)] for row in rows for c in figures]
    assert max(_decimals(c) for c in cells if c) <= max(digits, 1)  # pandas writes 4.0
    assert not any(c.startswith("-0") and float(c) == 0 for c in cells if c)
    back = pd.read_csv(out)
    for name in figures:
        assert_allclose(back[name].to_numpy(float), schools[name].to_numpy(float),
                        atol=0.5 * 10.0**-digits + 1e-12, equal_nan=True)
    assert all(re.fullmatch(r"\d+", row[header.index("n")]) for row in rows
               if row[header.index("n")])


def test_digits_rounds_respondent_scores(tmp_path, capsys):
    out = tmp_path / "scores.csv"
    assert main(["score", TEACHERS, "-i", "colead-teacher", "-o", str(out), "--digits", "2"]) == 0
    header, rows = _cells(out)
    scales = header[2:]
    assert max(_decimals(row[header.index(s)]) for row in rows for s in scales) == 2
    expected = cl.score(cl.load_sample("district"))
    assert_allclose(pd.read_csv(out)[scales].to_numpy(float), expected[scales].to_numpy(float),
                    atol=0.005 + 1e-12, equal_nan=True)


def test_digits_must_be_a_whole_number(capsys):
    assert main(["score", TEACHERS, "-i", "colead-teacher", "-o", "x.csv", "--digits", "-1"]) == 2
    assert "--digits: must be a whole number of at least 0" in capsys.readouterr().err


def test_for_file_changes_counts_and_rounds_only_figures():
    frame = pd.DataFrame({"n": [12.0, np.nan], "k": [3.0, 4.0], "n_items": [2.0, 2.0],
                          "rwg_n": [1.5, 2.0], "mean": [-0.0001, 2.34567], "nice": [1.25, 2.0],
                          "name": ["a", "b"]})
    out = for_file(frame, 2)
    assert out["n"].dtype == "Int64" and out["n"].isna().tolist() == [False, True]
    assert out["k"].dtype == "Int64" and out["n_items"].dtype == "Int64"
    assert out["rwg_n"].tolist() == [1.5, 2.0]  # not whole: a count column left as it is
    assert out["mean"].tolist() == [0.0, 2.35] and str(out["mean"].iloc[0]) == "0.0"
    assert out["name"].tolist() == ["a", "b"]
    assert for_file(frame)["mean"].tolist() == [-0.0001, 2.34567]  # no digits: full precision
    assert frame["n"].dtype == "float64"  # the input is not changed


# -- the conversation guide's rules ---------------------------------------------------------
def _help(command: str) -> str:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices[command].format_help()  # type: ignore[union-attr]


def test_no_help_names_a_file_of_the_source_tree():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, command in sub.choices.items():  # type: ignore[union-attr]
        assert "src/" not in command.format_help(), name


def test_rules_help_names_the_command_that_exports_them(tmp_path, capsys):
    help_text = " ".join(_help("report").split())
    assert "'colead guide --export-rules rules.yaml'" in help_text
    out = tmp_path / "rules.yaml"
    assert main(["guide", "--export-rules", str(out)]) == 0
    assert out.read_bytes() == default_rules_path().read_bytes()
    n = len(load_rules(out).rules)
    assert n == len(load_rules(default_rules_path()).rules) > 0
    said = capsys.readouterr().out
    assert f"wrote colead's {n} conversation-guide rules to {out}" in said
    assert f"--rules {out}" in said


def test_exported_rules_are_never_written_over_a_file(tmp_path, capsys):
    out = tmp_path / "rules.yaml"
    out.write_text("mine\n")
    assert main(["guide", "--export-rules", str(out)]) == 2
    assert "already exists; pass --force" in capsys.readouterr().err
    assert out.read_text() == "mine\n"
    assert main(["guide", "--export-rules", str(out), "--force"]) == 0
    assert out.read_bytes() == default_rules_path().read_bytes()
    assert main(["guide", "--export-rules", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_edited_rules_drive_the_report(tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    assert main(["guide", "--export-rules", str(rules)]) == 0
    spec = yaml.safe_load(rules.read_text(encoding="utf-8"))
    for rule in spec["rules"]:  # a district rewords every rule
        text = rule["text"]
        rule["text"] = ({k: f"EDITED {v}" for k, v in text.items()} if isinstance(text, dict)
                        else f"EDITED {text}")
    rules.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8", newline="")
    out = tmp_path / "report.html"
    assert main(["report", "--sample", "-o", str(out), "--rules", str(rules)]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("EDITED ") >= 12  # the guide of every school, in the new words

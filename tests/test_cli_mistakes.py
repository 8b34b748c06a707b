"""A careless user's mistakes at the command line: each is exit 2 and one line per problem on
stderr, never a traceback, and the input files are byte-identical afterwards."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import colead as cl
from colead.cli import main


@pytest.fixture(scope="module")
def responses():
    return cl.simulate(n_schools=3, respondents=6, seed=3)


@pytest.fixture
def export(responses, tmp_path) -> Path:
    path = tmp_path / "export.csv"
    cl.write_export(responses, path)
    return path


def run(capsys, argv, *inputs: Path) -> tuple[int, list[str]]:
    """Run ``colead ARGV``; check that no traceback was printed and that every input file is
    unchanged; return the exit code and the lines on stderr."""
    before = {path: path.read_bytes() for path in inputs}
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for path, content in before.items():
        assert path.read_bytes() == content, f"{path} was changed"
    return code, err.strip().splitlines()


def one_error(capsys, argv, *inputs: Path) -> str:
    code, lines = run(capsys, argv, *inputs)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("colead: error: ")
    return lines[0]


# -- the ten tracebacks of the issue --------------------------------------------------------
ROSTERS = {
    "unclosed quote": ('school_id,size\n"S01,10\nS02,12\n', "a quote opened in this row is never"),
    "non-numeric size": ("school_id,size\nS01,ten\nS02,12\n", "value 'ten': not a number"),
    "duplicated school": ("school_id,size\nS01,10\nS01,12\n", "listed twice (first on row 2)"),
    "empty file": ("", "the roster is empty"),
    "no size column": ("school_id,name\nS01,Alder\n", "the roster has no size column"),
    "size of 0": ("school_id,size\nS01,0\n", "a group size must be at least 1"),
    "header only": ("school_id,size\n", "a header row but no groups"),
}


@pytest.mark.parametrize("name", ROSTERS)
def test_a_broken_roster_is_one_line(name, export, tmp_path, capsys):
    text, reason = ROSTERS[name]
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    out = tmp_path / "report.html"
    line = one_error(capsys, ["report", export, "--roster", roster, "-o", out], export, roster)
    assert line.startswith("colead: error: roster.csv: ") and reason in line
    assert not out.exists()


def test_every_roster_problem_in_one_run(export, tmp_path, capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text("school_id,size\nS01,ten\nS01,12\n,4\nS03,2.5\n", encoding="utf-8")
    code, lines = run(capsys, ["report", export, "--roster", roster, "-o", tmp_path / "r.html"],
                      export, roster)
    assert code == 2 and len(lines) == 4
    assert [re.search(r"row (\d)", line)[1] for line in lines] == ["2", "3", "4", "5"]


@pytest.mark.parametrize("option", ["--rules", "--mapping"])
@pytest.mark.parametrize("suffix", [".yaml", ".csv"])
def test_a_file_that_is_not_utf8_is_one_line(option, suffix, export, tmp_path, capsys):
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes("columns:\n  Qualität: sl1\n".encode("utf-16"))
    if option == "--rules":
        argv = ["report", export, "--rules", bad, "-o", tmp_path / "r.html"]
    else:
        argv = ["score", export, "-i", "colead-teacher", "--mapping", bad, "-o",
                tmp_path / "s.csv"]
    line = one_error(capsys, argv, export, bad)
    assert f"bad{suffix}" in line and "is not UTF-8 text (byte 0xff at position 0)" in line


def test_score_by_school_without_schools(export, tmp_path, capsys):
    line = one_error(capsys, ["score", export, "-i", "colead-teacher", "--school", "none",
                              "--by", "school_id", "-o", tmp_path / "s.csv"], export)
    assert "--school none" in line and "school=None" not in line
    assert not (tmp_path / "s.csv").exists()


@pytest.fixture
def no_schools(responses, tmp_path) -> Path:
    path = tmp_path / "blank.csv"
    data = responses.data.assign(school_id=float("nan"))
    cl.write_export(dataclasses.replace(responses, data=data), path)
    return path


@pytest.mark.parametrize("command", ["score", "report"])
def test_a_school_column_blank_in_every_row(command, no_schools, tmp_path, capsys):
    if command == "score":
        argv = ["score", no_schools, "-i", "colead-teacher", "--by", "school_id", "-o",
                tmp_path / "s.csv"]
    else:
        argv = ["report", no_schools, "-o", tmp_path / "r.html"]
    line = one_error(capsys, argv, no_schools)
    assert "blank.csv: the school column 'school_id' is blank in every row" in line


def test_a_second_survey_without_schools(export, tmp_path, capsys):
    collab = cl.simulate("colead-collaboration", n_schools=3, respondents=6, seed=4)
    blank = tmp_path / "collab.csv"
    cl.write_export(dataclasses.replace(collab, data=collab.data.assign(school_id=float("nan"))),
                    blank)
    line = one_error(capsys, ["report", export, "--survey", blank, "colead-collaboration",
                              "-o", tmp_path / "r.html"], export, blank)
    assert f"{blank}: the school column 'school_id' is blank in every row" in line
    assert not (tmp_path / "r.html").exists()


def test_a_negative_seed(tmp_path, capsys):
    line = one_error(capsys, ["simulate", "--seed", "-1", "-o", tmp_path / "x.csv"])
    assert "argument --seed: must be a whole number of at least 0; got '-1'" in line
    assert not (tmp_path / "x.csv").exists()


# -- more mistakes, as a careless user makes them -------------------------------------------
def _write_bad_files(tmp: Path) -> None:
    (tmp / "binary.csv").write_bytes(bytes(range(256)) * 8)
    (tmp / "empty.csv").write_bytes(b"")
    (tmp / "map.yaml").write_text("columns: [unclosed\n", encoding="utf-8")


def _mistakes(export: Path, tmp: Path) -> dict[str, tuple[list, str]]:
    """Name -> (argv, what the line says); the files are made by _write_bad_files."""
    binary, empty, broken_yaml = tmp / "binary.csv", tmp / "empty.csv", tmp / "map.yaml"
    out = tmp / "out.csv"
    score = ["score", export, "-i", "colead-teacher", "-o", out]
    return {
        "missing export": (["score", tmp / "nope.csv", "-i", "colead-teacher", "-o", out],
                           "No such file or directory"),
        "folder as export": (["score", tmp, "-i", "colead-teacher", "-o", out],
                             "Is a directory"),
        "empty export": (["score", empty, "-i", "colead-teacher", "-o", out],
                         "the file is empty"),
        "binary rules": (["report", export, "--rules", binary, "-o", tmp / "r.html"],
                         "is not UTF-8 text"),
        "folder as rules": (["report", export, "--rules", tmp, "-o", tmp / "r.html"],
                            "cannot be read: Is a directory"),
        "folder as roster": (["report", export, "--roster", tmp, "-o", tmp / "r.html"],
                             "Is a directory"),
        "folder as mapping": ([*score, "--mapping", tmp], "cannot read the mapping file"),
        "invalid YAML mapping": ([*score, "--mapping", broken_yaml],
                                 "the mapping file is not valid YAML at line 2"),
        "unknown instrument": (["score", export, "-i", "nope", "-o", out],
                               "no bundled instrument"),
        "min-n below the floor": ([*score, "--by", "school_id", "--min-n", "1"],
                                  "argument --min-n: must be a whole number of at least 3"),
        "min-n not a number": ([*score, "--min-n", "five"], "must be a whole number"),
        "no such --by": ([*score, "--by", "district"], "--by district: the responses have no"),
        "unknown platform": (["report", export, "--platform", "surveygizmo", "-o", out],
                             "argument --platform: invalid choice"),
        "zero schools": (["simulate", "--schools", "0", "-o", out], "at least 1"),
        "icc out of range": (["simulate", "--icc", "nan", "-o", out], "--icc must be a number"),
        "neither file nor sample": (["report", "-o", tmp / "r.html"], "give an export FILE"),
        "file and sample": (["report", export, "--sample", "-o", tmp / "r.html"], "not both"),
        "output in a missing folder": (["score", export, "-i", "colead-teacher", "-o",
                                        tmp / "no" / "x.csv"], "does not exist"),
        "folder as output": (["score", export, "-i", "colead-teacher", "-o", tmp],
                             "is a folder"),
        "unknown language": (["field", "colead-teacher", "--to", "html", "-o",
                              tmp / "q.html", "--language", "xx"], "--language must be one of"),
    }


MISTAKES = list(_mistakes(Path("e.csv"), Path("t")))


@pytest.mark.parametrize("name", MISTAKES)
def test_a_careless_mistake_is_one_line(name, export, tmp_path, capsys):
    _write_bad_files(tmp_path)
    argv, expected = _mistakes(export, tmp_path)[name]
    line = one_error(capsys, argv, export)
    assert expected in line


# -- messages in the words of the command line ----------------------------------------------
PYTHON_WORDS = re.compile(r"parameter of|=None|=True|min_n|allow_small_groups|mapping=|school=|"
                          r"items=|n_schools")


@pytest.mark.parametrize("name", MISTAKES)
def test_messages_name_flags_not_parameters(name, export, tmp_path, capsys):
    _write_bad_files(tmp_path)
    argv, _ = _mistakes(export, tmp_path)[name]
    _, lines = run(capsys, argv)
    assert not [line for line in lines if PYTHON_WORDS.search(line)]


def test_library_messages_are_reworded():
    from colead.cli import cli_wording

    assert cli_wording("The 'min_n' parameter of report is 2: groups that small can identify "
                       "a respondent. Use min_n >= 3, or pass allow_small_groups=True.",
                       "report") == ("--min-n is 2: groups that small can identify a "
                                     "respondent. Use --min-n 3 or more.")
    assert cli_wording("The 'n_schools' parameter of simulate must be an integer of at least "
                       "1; got 0.", "simulate").startswith("--schools must be")
    assert cli_wording("The 'icc[tp]' parameter of simulate must be", "simulate") == (
        "--icc must be")
    hint = "no column 'x' holds the school; pass school=None to read without schools"
    assert cli_wording(hint, "score").endswith("pass --school none to read without schools")
    assert cli_wording(hint, "report") == "no column 'x' holds the school"
    assert cli_wording("no column matches this item; map it with mapping=, or read a subset "
                       "with items=", "validate") == (
        "no column matches this item; map it with --mapping FILE")


def test_a_missing_item_names_it_with_its_text_cut_at_a_word(responses, tmp_path, capsys):
    path = tmp_path / "export.csv"
    cl.write_export(responses, path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("sl1")
    path.write_text("\n".join(",".join(c for j, c in enumerate(line.split(",")) if j != drop)
                              for line in lines) + "\n", encoding="utf-8")
    line = one_error(capsys, ["validate", path, "-i", "colead-teacher"], path)
    assert "item 'sl1' (The principal involves teachers in making important\u2026)" in line
    assert "--mapping FILE" in line and "items=" not in line


# -- many problems: the first 20 and a count by kind ----------------------------------------
def test_a_file_with_many_problems_prints_20_and_a_count(responses, tmp_path, capsys):
    path = tmp_path / "labels.csv"
    cl.write_export(responses, path)
    rows = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    items = [j for j, name in enumerate(rows[0]) if name.startswith(("sl", "il", "tp"))]
    for row in rows[1:]:
        for j in items:
            row[j] = "Sort of"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    code, lines = run(capsys, ["validate", path, "-i", "colead-teacher"], path)
    total = len(items) * (len(rows) - 1)
    assert code == 2 and len(lines) == 21
    assert all(line.startswith("colead: error: labels.csv: row ") for line in lines[:20])
    assert lines[20] == (f"colead: error: labels.csv: {total - 20:,} more: not a label or value "
                         f"of response scale in {len(items)} columns")


# -- outputs: never an input, never over a file without --force, never half-written ----------
def _alias(kind: str, export: Path, tmp_path: Path, monkeypatch) -> Path:
    if kind == "same path":
        return export
    if kind == "relative path":
        (tmp_path / "sub").mkdir()
        monkeypatch.chdir(tmp_path / "sub")
        return Path("..") / "sub" / ".." / export.name
    link = tmp_path / "link.csv"
    if kind == "symbolic link":
        link.symlink_to(export)
    else:
        link.hardlink_to(export)
    return link


@pytest.mark.parametrize("kind", ["same path", "relative path", "symbolic link", "hard link"])
@pytest.mark.parametrize("command", ["score", "report", "write-mapping"])
def test_an_output_that_is_the_input_is_refused(kind, command, export, tmp_path, monkeypatch,
                                                capsys):
    target = _alias(kind, export, tmp_path, monkeypatch)
    argv = {
        "score": ["score", export, "-i", "colead-teacher", "-o", target],
        "report": ["report", export, "-o", target],
        "write-mapping": ["validate", export, "-i", "colead-teacher", "--write-mapping", target],
    }[command]
    line = one_error(capsys, [*argv, "--force"], export)
    assert "is the input file" in line and "never overwrites an input" in line


def test_other_inputs_are_protected_too(export, tmp_path, capsys):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {}\n", encoding="utf-8")
    instrument = tmp_path / "inst.yaml"
    instrument.write_bytes(Path(cl.load_instrument("omnibus-t-scale").path).read_bytes())
    roster = tmp_path / "roster.csv"
    roster.write_text("school_id,size\nS01,9\n", encoding="utf-8")
    inputs = (export, mapping, instrument, roster)
    for argv in (
        ["validate", export, "-i", "colead-teacher", "--mapping", mapping,
         "--write-mapping", mapping],
        ["report", export, "--roster", roster, "-o", roster],
        ["simulate", "-i", instrument, "-o", instrument],
        ["field", instrument, "--to", "html", "-o", instrument],
        # a codebook's .md goes beside its .csv: inst.md would put the .csv... elsewhere, but
        # -o inst.yaml is no codebook path at all
        ["field", instrument, "--to", "codebook", "-o", instrument],
    ):
        line = one_error(capsys, [*argv, "--force"], *inputs)
        assert "is the input file" in line or "a codebook is written to" in line


def test_a_codebook_beside_its_instrument_is_refused(tmp_path, capsys):
    instrument = tmp_path / "inst.md"  # an instrument file named like a codebook
    instrument.write_bytes(Path(cl.load_instrument("omnibus-t-scale").path).read_bytes())
    line = one_error(capsys, ["field", instrument, "--to", "codebook", "-o",
                              tmp_path / "inst.csv", "--force"], instrument)
    assert f"--output {tmp_path / 'inst.md'} is the input file" in line
    assert not (tmp_path / "inst.csv").exists()


def test_an_existing_output_needs_force(export, tmp_path, capsys):
    out = tmp_path / "scores.csv"
    out.write_text("keep me\n", encoding="utf-8")
    argv = ["score", export, "-i", "colead-teacher", "-o", out]
    line = one_error(capsys, argv, export, out)
    assert line == f"colead: error: --output {out} already exists; pass --force to replace it"
    assert main([*map(str, argv), "--force"]) == 0
    assert out.read_text(encoding="utf-8").startswith("respondent_id,school_id,")


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--schools", "1", "-o", "{out}"],
        ["field", "colead-teacher", "--to", "qualtrics", "-o", "{out}"],
        ["validate", "{export}", "-i", "colead-teacher", "--write-mapping", "{out}"],
    ],
)
def test_every_writing_command_has_force(argv, export, tmp_path, capsys):
    out = tmp_path / "out.file"
    out.write_text("keep me\n", encoding="utf-8")
    argv = [a.format(out=out, export=export) for a in argv]
    line = one_error(capsys, argv, out, export)
    assert "already exists; pass --force" in line
    assert main([*argv, "--force"]) == 0
    assert out.read_text(encoding="utf-8") != "keep me\n"


def test_a_failed_run_leaves_the_old_output_and_no_temporary_file(export, tmp_path, capsys,
                                                                   monkeypatch):
    import pandas as pd

    out = tmp_path / "scores.csv"
    out.write_text("the old scores\n", encoding="utf-8")

    def full_disk(self, path, **kwargs):
        Path(path).write_text("respondent_id,sch", encoding="utf-8")  # half-written
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(pd.DataFrame, "to_csv", full_disk)
    code, lines = run(capsys, ["score", export, "-i", "colead-teacher", "-o", out, "--force"],
                      export)
    assert code == 2 and len(lines) == 1 and "No space left on device" in lines[0]
    assert out.read_text(encoding="utf-8") == "the old scores\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv", "scores.csv"]


def test_codebook_paths(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    line = one_error(capsys, ["field", "colead-teacher", "--to", "codebook", "-o", "x.txt"])
    assert "a codebook is written to a .csv or .md file" in line
    assert not Path("x.txt").exists()
    assert main(["field", "colead-teacher", "--to", "codebook", "-o", "books"]) == 0
    assert sorted(p.name for p in Path("books").iterdir()) == [
        "colead-teacher-codebook.csv", "colead-teacher-codebook.md"]
    Path("kept.d").mkdir()
    assert main(["field", "colead-teacher", "--to", "codebook", "-o", "kept.d"]) == 0
    assert len(list(Path("kept.d").iterdir())) == 2
    line = one_error(capsys, ["field", "colead-teacher", "--to", "codebook", "-o", "kept.d"])
    assert "kept.d/colead-teacher-codebook.csv already exists" in line


# -- a bug is not the user's mistake --------------------------------------------------------
def test_an_unexpected_error_is_one_line_and_exit_1(export, tmp_path, capsys, monkeypatch):
    import colead.psychometrics.scoring

    def broken(*args, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(colead.psychometrics.scoring, "score", broken)
    argv = ["score", export, "-i", "colead-teacher", "-o", tmp_path / "s.csv"]
    code, lines = run(capsys, argv, export)
    assert code == 1 and len(lines) == 1
    assert lines[0].startswith("colead: internal error: RuntimeError: boom (a bug in colead")
    monkeypatch.setenv("COLEAD_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main([str(a) for a in argv])


# -- end to end, in a process of its own ----------------------------------------------------
def test_end_to_end_in_a_subprocess(export, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text('school_id,size\n"S01,10\n', encoding="utf-8")
    original = export.read_bytes()
    for argv in (
        ["report", export, "--roster", roster, "-o", tmp_path / "r.html"],
        ["score", export, "-i", "colead-teacher", "-o", export, "--force"],
    ):
        done = subprocess.run([sys.executable, "-m", "colead", *map(str, argv)],
                              capture_output=True, text=True, check=False)
        assert done.returncode == 2 and done.stdout == ""
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    assert export.read_bytes() == original and not (tmp_path / "r.html").exists()


def test_a_warning_is_one_line_in_the_words_of_the_cli(export, tmp_path, capsys, monkeypatch):
    import importlib

    from colead.exceptions import ColeadWarning

    module = importlib.import_module("colead.schools.aggregate")  # the module, not the function
    aggregate = module.aggregate

    def warns(*args, **kwargs):
        warnings.warn("The 'min_n' parameter of aggregate\nis small", ColeadWarning, stacklevel=2)
        return aggregate(*args, **kwargs)

    monkeypatch.setattr(module, "aggregate", warns)
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as for a user; the test suite makes them errors
        code, lines = run(capsys, ["score", export, "-i", "colead-teacher", "--by",
                                   "school_id", "-o", tmp_path / "s.csv"], export)
    assert code == 0
    assert [line for line in lines if "warning" in line] == [
        "colead: warning: --min-n is small"]


def test_an_interrupted_run_leaves_no_file(export, tmp_path, capsys, monkeypatch):
    import pandas as pd

    out = tmp_path / "scores.csv"

    def interrupted(self, path, **kwargs):
        Path(path).write_text("respondent_id,sch", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    code, lines = run(capsys, ["score", export, "-i", "colead-teacher", "-o", out], export)
    assert code == 130 and lines == ["colead: interrupted"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.csv"]


def test_report_by_another_column_with_its_roster(responses, tmp_path, capsys):
    # --by names the export's school column; the roster's group column is named the same.
    path = tmp_path / "export.csv"
    cl.write_export(responses, path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("respondent_id,school_id,", "respondent_id,district,", 1),
                    encoding="utf-8")
    schools = sorted(responses.data["school_id"].unique())
    roster = tmp_path / "roster.csv"
    roster.write_text("district,size,name\n" + "".join(
        f"{s},{10 + k},Name{k}\n" for k, s in enumerate(schools)), encoding="utf-8")
    out = tmp_path / "r.html"
    code, _ = run(capsys, ["report", path, "--by", "district", "--roster", roster, "-o", out],
                  path, roster)
    html = out.read_text(encoding="utf-8")
    assert code == 0 and all(f"Name{k}" in html for k in range(len(schools)))
    rates = sorted(6 / (10 + k) for k in range(len(schools)))  # 6 respondents each
    shown = re.search(r"Median response rate of the schools shown</th><td>(\d+)%", html)
    assert shown and int(shown[1]) == round(100 * rates[1])


def test_a_mapping_file_that_expands_hugely_is_refused_quickly(export, tmp_path, capsys):
    import time

    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(levels) + "\n", encoding="utf-8")  # 10^9 values once expanded
    start = time.perf_counter()
    code, lines = run(capsys, ["validate", export, "-i", "colead-teacher", "--mapping", bomb],
                      export)
    assert code == 2 and len(lines) == 1 and "expands" in lines[0], lines
    assert time.perf_counter() - start < 10


def test_output_piped_into_a_reader_that_stops_early_is_no_error():
    """colead plan ... | head -1: the reader closes the pipe; colead stops quietly."""
    reader = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.readline()"],
                              stdin=subprocess.PIPE)
    # plenty of lines, so that colead is still writing when the reader has gone
    code = ("import sys; from colead.cli import main; "
            "sys.exit(max(main(['plan', '--icc', '0.15', '--group-size', *map(str, "
            "range(2, 3000))]), 0))")
    writer = subprocess.run([sys.executable, "-c", code], stdout=reader.stdin,
                            stderr=subprocess.PIPE, text=True, timeout=120)
    reader.stdin.close()
    reader.wait(timeout=30)
    assert writer.stderr == "", writer.stderr
    assert writer.returncode == 0

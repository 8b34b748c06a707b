"""The library's writers: whole or not at all, never over an input."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest

import colead as cl
from colead._files import check_output, replacing, same_file
from colead.exceptions import InvalidParameterError
from colead.privacy import write_csv


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_replacing_writes_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    with pytest.raises(RuntimeError), replacing(target) as temp:
        temp.write_text("half", encoding="utf-8")
        raise RuntimeError("failed half-way")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]
    with replacing(target) as temp:
        assert temp.parent == tmp_path and temp != target
        temp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's permissions
    fresh = tmp_path / "fresh.txt"
    with replacing(fresh) as temp:
        temp.write_text("x", encoding="utf-8")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_umask()


def test_replacing_through_a_symbolic_link_keeps_the_link(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    with replacing(link) as temp:
        temp.write_text("new", encoding="utf-8")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_same_file(tmp_path, monkeypatch):
    a = tmp_path / "a.csv"
    a.write_text("x", encoding="utf-8")
    (tmp_path / "hard.csv").hardlink_to(a)
    (tmp_path / "soft.csv").symlink_to(a)
    monkeypatch.chdir(tmp_path)
    assert same_file("a.csv", a) and same_file("hard.csv", a) and same_file("soft.csv", a)
    assert same_file("./sub/../a.csv", a)
    assert not same_file("b.csv", a)


def test_check_output(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match="names the input file"):
        check_output(tmp_path / "." / "a.csv", inputs=[a, pd.DataFrame(), None])
    with pytest.raises(InvalidParameterError, match="names the folder"):
        check_output(tmp_path)
    with pytest.raises(InvalidParameterError, match="which does not exist"):
        check_output(tmp_path / "no" / "a.csv")
    with pytest.raises(InvalidParameterError, match="already exists"):
        check_output(a, overwrite=False)
    assert check_output(a) == a


def test_write_csv_is_atomic(tmp_path, monkeypatch):
    out = tmp_path / "t.csv"
    out.write_text("old\n", encoding="utf-8")

    def fail(self, path, **kwargs):
        Path(path).write_text("a,", encoding="utf-8")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError):
        write_csv(pd.DataFrame({"a": [1]}), out)
    assert out.read_text(encoding="utf-8") == "old\n" and len(list(tmp_path.iterdir())) == 1
    monkeypatch.undo()
    write_csv(pd.DataFrame({"a": ["=1+1"]}), out)
    assert out.read_text(encoding="utf-8") == "a\n'=1+1\n"


def test_write_export_is_atomic_and_refuses_a_folder(tmp_path, monkeypatch):
    resp = cl.simulate(n_schools=2, respondents=3, seed=1)
    out = tmp_path / "export.csv"
    out.write_text("old\n", encoding="utf-8")
    write_text = Path.write_text

    def full_disk(self, text, *args, **kwargs):
        write_text(self, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError):
        cl.write_export(resp, out)
    monkeypatch.undo()
    assert out.read_text(encoding="utf-8") == "old\n" and len(list(tmp_path.iterdir())) == 1
    monkeypatch.undo()
    with pytest.raises(InvalidParameterError, match="'path' parameter of write_export"):
        cl.write_export(resp, tmp_path)
    cl.write_export(resp, out)
    assert len(cl.read_responses(out, "colead-teacher").data) == 6


def test_field_never_writes_over_its_instrument(tmp_path):
    instrument = tmp_path / "inst.yaml"
    original = Path(cl.load_instrument("omnibus-t-scale").path).read_bytes()
    instrument.write_bytes(original)
    for to in ("html", "qualtrics", "limesurvey"):
        with pytest.raises(InvalidParameterError, match="names the input file"):
            cl.field(instrument, to=to, path=tmp_path / "." / "inst.yaml")
    (tmp_path / "inst.md").write_bytes(original)
    with pytest.raises(InvalidParameterError, match="names the input file"):
        cl.field(tmp_path / "inst.md", to="codebook", path=tmp_path / "inst.csv")
    assert instrument.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inst.md", "inst.yaml"]


def test_field_codebook_path_rule(tmp_path):
    with pytest.raises(InvalidParameterError, match=r"a \.csv or \.md file"):
        cl.field("omnibus-t-scale", to="codebook", path=tmp_path / "x.txt")
    assert not (tmp_path / "x.txt").exists()
    made = cl.field("omnibus-t-scale", to="codebook", path=tmp_path / "books")
    assert made == tmp_path / "books" / "omnibus-t-scale-codebook.csv"
    assert made.with_suffix(".md").exists()
    (tmp_path / "old.d").mkdir()
    made = cl.field("omnibus-t-scale", to="codebook", path=tmp_path / "old.d")
    assert made.parent == tmp_path / "old.d"
    assert cl.field("omnibus-t-scale", to="codebook", path=tmp_path / "c.md") == (
        tmp_path / "c.csv")


def test_report_never_writes_over_its_rules_or_instrument(tmp_path):
    from colead.guide.rules import default_rules_path

    rules = tmp_path / "rules.yaml"
    rules.write_bytes(default_rules_path().read_bytes())
    before = rules.read_bytes()
    resp = cl.simulate(n_schools=2, respondents=5, seed=2)
    with pytest.raises(InvalidParameterError, match="'path' parameter of report names the input"):
        cl.report(resp, path=rules, rules=rules)
    assert rules.read_bytes() == before

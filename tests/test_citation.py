"""How to cite colead: CITATION.cff is valid Citation File Format for this version, and the
README says how to cite it; the README's Windows commands are its Quick start commands."""

from __future__ import annotations

import re
import tomllib

import yaml

import colead as cl

from .conftest import REPO


def test_citation_file_is_cff_for_this_version():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    # the keys CFF 1.2.0 requires, and what a reference manager needs
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors", "type", "version", "license"} <= set(cff)
    assert cff["type"] == "software" and cff["title"].startswith("colead")
    assert all("name" in a or "family-names" in a for a in cff["authors"])
    assert cff["version"] == cl.__version__
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert cff["license"] == pyproject["project"]["license"]
    assert cff["authors"][0]["name"] == pyproject["project"]["authors"][0]["name"]


def test_readme_says_how_to_cite_with_the_same_title_and_version():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    text = " ".join(section.replace(">", " ").split())
    assert "CITATION.cff" in text
    assert f"*{cff['title']}* (Version {cl.__version__})" in text


def test_windows_quick_start_is_the_quick_start_in_cmd_form():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    posix = re.findall(r"```bash\n(.*?)\n```", quick, re.S)
    windows = re.findall(r"```bat\n(.*?)\n```", quick, re.S)
    assert len(posix) == 2 and len(windows) == 2
    for unix, win in zip(posix, windows, strict=True):
        expected = unix.replace("python3 -m venv", "py -m venv")
        expected = expected.replace(".venv/bin/", ".venv\\Scripts\\")
        assert win == expected
        assert "/" not in win.replace('".[test]"', "")

"""The bundled sample district: it loads, and it is exactly what data/make_sample.py makes."""

from __future__ import annotations

import json
import runpy
import sys

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.datasets import sample_path

from .conftest import REPO


def test_district_loads_with_its_schools_and_principals():
    teachers = cl.load_sample("district")
    principals = cl.load_sample("district-principals")
    sizes = teachers.data.groupby("school_id").size()
    assert teachers.n_schools == 12 and sizes.between(8, 35).all()
    assert teachers.instrument.name == "colead-teacher"
    assert list(teachers.item_ids) == list(teachers.instrument.item_ids)
    assert principals.instrument.name == "sass-principal-influence"
    assert sorted(principals.data["school_id"]) == sorted(sizes.index)
    assert principals.data["school_id"].is_unique
    roster = pd.read_csv(sample_path("schools.csv"))
    assert (roster.set_index("school_id")["n_teacher_respondents"] == sizes).all()
    assert (roster["n_teachers"] >= roster["n_teacher_respondents"]).all()
    assert teachers.data[teachers.item_ids].dtypes.eq(float).all()


def test_unknown_sample_names_the_known_ones():
    with pytest.raises(cl.ColeadError, match="district, district-principals"):
        cl.load_sample("city")


def test_top_level_data_sample_holds_the_packaged_files():
    top = {p.name: p.read_bytes() for p in (REPO / "data" / "sample").iterdir()}
    packaged = {p.name: p.read_bytes() for p in sample_path().iterdir()}
    assert top == packaged


def test_committed_sample_is_the_script_output(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "argv", ["make_sample.py", str(tmp_path)])
    runpy.run_path(str(REPO / "data" / "make_sample.py"), run_name="__main__")
    made_with = json.loads(sample_path("population.json").read_text())["made_with"]["numpy"]
    differing = [
        p.name
        for p in sorted(tmp_path.iterdir())
        if p.read_bytes() != sample_path(p.name).read_bytes()
        and not p.name.endswith("population.json")
    ]
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in sample_path().iterdir()}
    if differing and made_with.split(".")[:2] != np.__version__.split(".")[:2]:
        pytest.skip(
            f"sample made with numpy {made_with}, running {np.__version__}: numpy does not "
            f"promise the same random streams across versions ({differing} differ)"
        )
    assert differing == []

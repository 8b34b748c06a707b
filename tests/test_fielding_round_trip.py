"""Round trip: responses exported as the platform lays out the survey colead fielded (its
export tags, its question codes) read back exactly, with no mapping."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.io.limesurvey import item_codes

from .test_fielding import INSTRUMENTS, _export_tags, _qsf, _structure


@pytest.fixture(scope="module")
def mini() -> cl.Instrument:
    from .test_fielding import SPEC

    return cl.load_instrument(SPEC)


def limesurvey_export(resp: cl.Responses, structure: Path) -> bytes:
    """A LimeSurvey response export (CSV, code headings, answer codes, as its CsvWriter writes
    it) of ``resp`` for the survey in ``structure``: the headings are the codes found there."""
    rows = _structure(structure)
    base = next(r["text"] for r in rows if r["class"] == "S" and r["name"] == "language")
    item_of = {code: item for item, code in item_codes(resp.instrument.item_ids).items()}
    columns: list[tuple[str, str | None, str | None]] = []  # heading, item column, option
    parent = kind = ""
    for r in rows:
        if r["language"] != base:
            continue
        if r["class"] == "Q":
            parent, kind = r["name"], r["type/scale"]
            if kind in ("L", "N"):
                columns.append((parent, item_of[parent], None))
            elif kind == "S":
                columns.append((parent, "school_id", None))
        elif r["class"] == "SQ":
            heading = f"{parent}[{r['name']}]"
            columns.append(
                (heading, f"{item_of[parent]}__{r['name']}", "Y")
                if kind == "M"
                else (heading, item_of[r["name"]], None)
            )
    meta = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate", "datestamp"]
    out = [meta + [c[0] for c in columns]]
    for i, record in enumerate(resp.data.to_dict("records")):
        row = [
            str(i + 1),
            "2026-03-02 08:10:00",
            "6",
            base,
            str(4000 + i),
            "2026-03-02 08:00:00",
            "2026-03-02 08:10:00",
        ]
        for _, column, option in columns:
            value = record[column]
            if option is not None:  # a ticked option is "Y", an unticked one blank
                row.append("Y" if value == 1 else "")
            elif isinstance(value, str):
                row.append(value)
            else:
                row.append("" if value != value else f"{value:g}")
        out.append(row)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(out)
    return ("\ufeff" + buffer.getvalue() + "\r\n").encode("utf-8")


def _expected(resp: cl.Responses) -> pd.DataFrame:
    """The data an export gives back: a checkbox question with nothing ticked reads as not
    answered (blank cells cannot tell it from a skipped question)."""
    inst = resp.instrument
    data = resp.data[list(inst.column_ids)].copy()
    for item in inst.item_ids:
        columns = list(inst.data_columns(item))
        if inst.response_scale_of(item).type == "multiple":
            data.loc[(data[columns] == 0).all(axis=1), columns] = np.nan
    return data.reset_index(drop=True)


@pytest.mark.parametrize("platform", ["qualtrics numeric", "qualtrics labels", "limesurvey"])
@pytest.mark.parametrize("name", [*INSTRUMENTS, "mini"])
def test_round_trip_is_exact_with_no_mapping(name, platform, tmp_path, mini):
    inst = mini if name == "mini" else cl.load_instrument(name)
    resp = cl.simulate(inst, n_schools=3, respondents=(5, 8), missing=0.05, seed=7)
    export = tmp_path / "export.csv"
    if platform == "limesurvey":
        structure = cl.field(inst, to="limesurvey", path=tmp_path / "survey.txt")
        export.write_bytes(limesurvey_export(resp, structure))
    else:
        qsf = _qsf(inst, tmp_path)
        values = platform.split()[1]
        cl.write_export(resp, export, platform="qualtrics", values=values, column_names="item_id")
        header = next(csv.reader(io.StringIO(export.read_text(encoding="utf-8"))))
        # metadata, the items, school_id: the export tags are those of the survey file
        assert sorted(header[17:-1]) == sorted(_export_tags(qsf)) == sorted(inst.item_ids)
    back = cl.read_responses(export, inst)
    assert back.platform == platform.split()[0]
    assert back.log.unmapped_columns == () and back.log.items_not_found == ()
    assert back.log.rows_kept == len(resp.data) and back.log.dropped.empty
    expected = _expected(resp)
    got = back.data[list(expected.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_exact=True, check_dtype=False)
    assert list(back.data["school_id"]) == list(resp.data["school_id"])


def test_round_trip_of_choice_text_in_another_language(mini, tmp_path):
    """A survey fielded in Spanish, exported as choice text, reads with the instrument."""
    es = mini.translated("es")
    resp = cl.simulate(es, n_schools=2, respondents=6, missing=0.05, seed=3)
    export = tmp_path / "export.csv"
    cl.write_export(resp, export, platform="qualtrics", values="labels", column_names="item_id")
    assert "Algo de acuerdo" in export.read_text(encoding="utf-8")
    back = cl.read_responses(export, mini)
    expected = _expected(resp)
    pd.testing.assert_frame_equal(
        back.data[list(expected.columns)].reset_index(drop=True),
        expected,
        check_exact=True,
        check_dtype=False,
    )

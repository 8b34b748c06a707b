"""read_responses(chunksize=) and aggregate_chunks: a file read in blocks gives what the whole
file gives (the rows, every log entry, the aggregate table at 1e-10), whatever the block size.

aggregate_chunks is tested equal to aggregate, whose suppression the privacy tests attack; an
equal table hides exactly the same cells.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import colead as cl
from colead.exceptions import InsufficientDataError, InvalidParameterError, ResponseDataError

SIZES = [5, 64, 100_000]


@pytest.fixture(scope="module")
def teachers() -> cl.Responses:
    return cl.simulate("colead-teacher", n_schools=12, respondents=(1, 30), missing=0.08,
                       seed=17)  # fmt: skip


def _first_rows(resp: cl.Responses, n: int) -> str:
    """The generic CSV export of the first ``n`` respondents (its header and n lines)."""
    return "".join(_lines(_export(resp, "csv"))[: n + 1])


def _export(resp: cl.Responses, platform: str = "qualtrics") -> str:
    buffer = io.StringIO()
    cl.write_export(resp, buffer, platform=platform)
    return buffer.getvalue()


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    # a chunk that keeps no row has id columns of dtype object, not str: compare the values
    ids = [c for c in ("respondent_id", "school_id", "reason") if c in frame.columns]
    return frame.astype(dict.fromkeys(ids, object))


def _same(whole: cl.Responses, parts: list[cl.Responses]) -> None:
    data = pd.concat([p.data for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(_texts(data), _texts(whole.data))
    dropped = pd.concat([p.log.dropped for p in parts], ignore_index=True)
    pd.testing.assert_frame_equal(_texts(dropped), _texts(whole.log.dropped))
    assert sum(p.log.rows_read for p in parts) == whole.log.rows_read
    recoded: dict[str, int] = {}
    for p in parts:
        for kind, n in p.log.recoded.items():
            recoded[kind] = recoded.get(kind, 0) + n
    assert recoded == whole.log.recoded
    for p in parts:
        assert p.log.rows_read == p.log.rows_kept + len(p.log.dropped)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("platform", ["qualtrics", "csv", "google_forms"])
def test_chunks_hold_the_rows_and_log_of_the_whole_file(teachers, platform, size):
    data = _export(teachers, platform).encode("utf-8")
    school = "School" if platform == "google_forms" else "school_id"
    whole = cl.read_responses(data, "colead-teacher", school=school)
    parts = list(cl.read_responses(data, "colead-teacher", chunksize=size, school=school))
    _same(whole, parts)
    if size < whole.log.rows_read:
        assert len(parts) > 1


@pytest.mark.parametrize("size", [1, 6, 40])
def test_duplicates_blank_lines_and_nul_characters_across_chunks(teachers, size):
    lines = _lines(_first_rows(teachers, 60))
    header, body = lines[0], lines[1:]
    # a respondent repeated 30 rows later, blank lines inside and at the end, a NUL
    text = "".join([header, *body[:10], "\n", *body[10:40], body[3], *body[40:], "\n", "\n"])
    text = text.replace(body[20], body[20].replace(",", ",\x00", 1))
    data = text.encode("utf-8")
    whole = cl.read_responses(data, "colead-teacher")
    parts = list(cl.read_responses(data, "colead-teacher", chunksize=size))
    _same(whole, parts)
    reasons = whole.log.dropped["reason"].tolist()
    assert "duplicate" in reasons and "empty" in reasons
    assert any("NUL" in w for p in parts for w in p.log.warnings)


def test_windows_1252_and_utf16_files_read_in_chunks(teachers):
    text = _first_rows(teachers, 40)
    for encoded in (text.encode("cp1252"), text.encode("utf-16")):
        whole = cl.read_responses(encoded, "colead-teacher")
        _same(whole, list(cl.read_responses(encoded, "colead-teacher", chunksize=9)))


def test_a_bad_answer_is_reported_with_the_files_row_number(teachers):
    lines = _lines(_first_rows(teachers, 30))
    cells = lines[25].rstrip("\n").split(",")
    cells[-1] = "seven"
    lines[25] = ",".join(cells) + "\n"
    data = "".join(lines).encode("utf-8")
    with pytest.raises(ResponseDataError) as whole:
        cl.read_responses(data, "colead-teacher")
    chunks = cl.read_responses(data, "colead-teacher", chunksize=4)
    with pytest.raises(ResponseDataError) as chunked:
        list(chunks)
    pd.testing.assert_frame_equal(whole.value.problems, chunked.value.problems)
    assert whole.value.problems["row"].tolist() == [26]


def test_chunksize_must_be_a_positive_whole_number(teachers):
    data = _export(teachers, "csv").encode("utf-8")
    for bad in (0, -3, 2.5, True, "100"):
        with pytest.raises(InvalidParameterError, match="'chunksize' parameter"):
            cl.read_responses(data, "colead-teacher", chunksize=bad)  # type: ignore[call-overload]


def test_a_dataframe_is_one_chunk(teachers):
    frame = pd.read_csv(io.StringIO(_export(teachers, "csv")), dtype=str, keep_default_na=False)
    parts = list(cl.read_responses(frame, "colead-teacher", chunksize=10))
    assert len(parts) == 1
    pd.testing.assert_frame_equal(parts[0].data, cl.read_responses(frame, "colead-teacher").data)


def test_the_header_is_read_at_the_call(tmp_path):
    with pytest.raises(ResponseDataError, match="cannot read"):
        cl.read_responses(tmp_path / "none.csv", "colead-teacher", chunksize=10)
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ResponseDataError, match="empty"):
        cl.read_responses(empty, "colead-teacher", chunksize=10)


# -- aggregate_chunks --------------------------------------------------------------------------
def _with_gaps(resp: cl.Responses) -> bytes:
    """Some respondents without a school; the export as bytes."""
    data = resp.data.copy()
    data.loc[data.index % 11 == 3, "school_id"] = np.nan
    gaps = cl.Responses(data=data, log=resp.log, platform=resp.platform,
                        instrument=resp.instrument)  # fmt: skip
    return _export(gaps, "qualtrics").encode("utf-8")


@pytest.mark.parametrize("size", [13, 250, 100_000])
@pytest.mark.parametrize(
    "options",
    [{}, {"missing": "itemwise"}, {"min_n": 3, "ci": 0.9}, {"scales": ["trust_principal"]}],
)
def test_aggregate_chunks_equals_aggregate(teachers, size, options):
    data = _with_gaps(teachers)
    whole = cl.aggregate(cl.read_responses(data, "colead-teacher"), **options)
    chunked = cl.aggregate_chunks(cl.read_responses(data, "colead-teacher", chunksize=size),
                                  **options)  # fmt: skip
    pd.testing.assert_frame_equal(chunked, whole, check_exact=False, rtol=1e-10, atol=1e-12)
    assert whole["suppressed"].any() and whole["rwg_j"].notna().any()


def test_aggregate_chunks_with_a_roster_and_score_tables(teachers):
    data = _with_gaps(teachers)
    whole = cl.read_responses(data, "colead-teacher")
    roster = {s: 40 for s in whole.data["school_id"].dropna().unique()}
    chunks = list(cl.read_responses(data, "colead-teacher", chunksize=97))
    pd.testing.assert_frame_equal(
        cl.aggregate_chunks(chunks, roster=roster),
        cl.aggregate(whole, roster=roster),
        check_exact=False,
        rtol=1e-10,
    )
    scores = [cl.score(c).assign(role=np.arange(len(c.data)) % 3) for c in chunks]
    together = pd.concat(scores, ignore_index=True)
    for by in ("school_id", ["role", "school_id"]):
        pd.testing.assert_frame_equal(
            cl.aggregate_chunks(scores, by=by, min_n=3),
            cl.aggregate(together, by=by, min_n=3),
            check_exact=False,
            rtol=1e-10,
        )
    with pytest.raises(ResponseDataError, match="roster size"):
        cl.aggregate_chunks(chunks, roster={s: 1 for s in roster})


def test_aggregate_chunks_errors(teachers):
    with pytest.raises(InvalidParameterError, match="no chunk"):
        cl.aggregate_chunks([])
    scores = cl.score(teachers)
    with pytest.raises(InvalidParameterError, match="mix Responses and DataFrames"):
        cl.aggregate_chunks([teachers, scores])
    with pytest.raises(InvalidParameterError, match="names \\['district'\\]"):
        cl.aggregate_chunks([scores], by="district")
    with pytest.raises(InvalidParameterError, match="must be Responses or DataFrames"):
        cl.aggregate_chunks([scores.to_numpy()])  # type: ignore[list-item]
    blank = scores.assign(school_id=np.nan)
    with pytest.raises(InsufficientDataError, match="blank in every one of"):
        cl.aggregate_chunks([blank, blank])

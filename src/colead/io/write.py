"""Write responses in the layout of a survey platform's export."""

from __future__ import annotations

import dataclasses
import os
from typing import IO, Literal

import numpy as np

from colead._validation import check_number, check_option
from colead.io.responses import Responses

__all__ = ["PLATFORMS", "write_export"]

#: Layouts ``write_export`` can produce.
PLATFORMS = ("csv", "qualtrics", "google_forms")


def write_export(
    responses: Responses,
    path: str | os.PathLike[str] | IO[str],
    *,
    platform: Literal["csv", "qualtrics", "google_forms"] = "csv",
    values: Literal["numeric", "labels"] = "numeric",
    column_names: Literal["item_id", "platform"] = "item_id",
    missing_options: float = 0.0,
) -> None:
    """Write responses as a platform would export them.

    Parameters
    ----------
    responses : Responses
        What to write (typically from :func:`colead.simulate`).
    path : path or text file
        Where to write. A file is written whole or not at all (a temporary file beside it,
        renamed when complete).
    platform : {"csv", "qualtrics", "google_forms"}, default "csv"
        ``csv``: one header row of ``respondent_id, school_id`` and item ids. ``qualtrics``:
        the current three-header-row Data Table export (metadata columns, question text row,
        ImportId JSON row; school in embedded data ``school_id``). ``google_forms``: the Sheets
        download (``Timestamp`` first, question titles as headers, ``Title [Row]`` grid
        columns, answers as choice text; school in a ``School`` question).
    values : {"numeric", "labels"}, default "numeric"
        Qualtrics only: numeric recode values or choice text. Google Forms always writes
        choice text; ``csv`` always numbers.
    column_names : {"item_id", "platform"}, default "item_id"
        Qualtrics only: export tags equal to the item ids (a survey built from the instrument)
        or the platform's own ``Q7_3`` names.
    missing_options : float, default 0
        Share of the unanswered cells, among the items whose response scale offers missing
        answers (``missing: [{value: 8, label: "Don't know"}]``), written as one of those
        answers, as from a respondent who marked "Don't know": the code where the export holds
        numbers, the label (in the instrument's language) where it holds choice text. The
        cells and answers are drawn by a fixed pseudo-random generator, so the same call
        writes the same file. :func:`colead.read_responses` reads them back as missing.

    Notes
    -----
    Unanswered items are written empty (unless ``missing_options`` writes a missing answer).
    Personal metadata columns (IP address, location) hold documentation-range addresses and
    made-up coordinates, never real data.
    """
    check_option(platform, "platform", "write_export", PLATFORMS)
    check_option(values, "values", "write_export", ("numeric", "labels"))
    check_option(column_names, "column_names", "write_export", ("item_id", "platform"))
    check_number(missing_options, "missing_options", "write_export", low=0, high=1)
    if isinstance(path, str | os.PathLike):
        from colead._files import check_output

        check_output(path, name="path", func="write_export")
    if missing_options > 0:
        responses = _with_missing_answers(responses, missing_options)
    if platform == "csv":
        from colead.io.generic import write_csv

        write_csv(responses, path)
    elif platform == "qualtrics":
        from colead.io.qualtrics import write_qualtrics

        write_qualtrics(responses, path, values=values, column_names=column_names)
    else:
        from colead.io.google_forms import write_google_forms

        write_google_forms(responses, path)


def _with_missing_answers(responses: Responses, share: float) -> Responses:
    """``responses`` with about ``share`` of the unanswered cells of items that offer missing
    answers holding the code of one of them (each equally likely); for writing only."""
    rng = np.random.default_rng(0)
    inst = responses.instrument
    data = responses.data.copy()
    for item_id in responses.item_ids:
        codes = np.array([c for c, _ in inst.response_scale_of(item_id).missing_options], float)
        if not len(codes):
            continue
        column = data[item_id].to_numpy(dtype=float, copy=True)
        chosen = np.isnan(column) & (rng.random(len(column)) < share)
        column[chosen] = codes[rng.integers(len(codes), size=int(chosen.sum()))]
        data[item_id] = column
    return dataclasses.replace(responses, data=data)

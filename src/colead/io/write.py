"""Write responses in the layout of a survey platform's export."""

from __future__ import annotations

import os
from typing import IO, Literal

from colead._validation import check_option
from colead.responses import Responses

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
) -> None:
    """Write responses as a platform would export them.

    Parameters
    ----------
    responses : Responses
        What to write (typically from :func:`colead.simulate`).
    path : path or text file
        Where to write.
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

    Notes
    -----
    Unanswered items are written empty. Personal metadata columns (IP address, location)
    hold documentation-range addresses and made-up coordinates, never real data.
    """
    check_option(platform, "platform", "write_export", PLATFORMS)
    check_option(values, "values", "write_export", ("numeric", "labels"))
    check_option(column_names, "column_names", "write_export", ("item_id", "platform"))
    if platform == "csv":
        from colead.io.generic import write_csv

        write_csv(responses, path)
    elif platform == "qualtrics":
        from colead.io.qualtrics import write_qualtrics

        write_qualtrics(responses, path, values=values, column_names=column_names)
    else:
        from colead.io.google_forms import write_google_forms

        write_google_forms(responses, path)

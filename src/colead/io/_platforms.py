"""Which platform wrote a table, the reader for each platform, and :func:`read_export`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import IO, Any

import pandas as pd

from colead._validation import check_option
from colead.exceptions import ResponseDataError
from colead.io._raw import RawTable
from colead.io._table import read_table, without_csv_prefix
from colead.io.export import PLATFORM_NAMES, Export
from colead.io.generic import read_generic
from colead.io.google_forms import read_google_forms, timestamp_position
from colead.io.limesurvey import read_limesurvey
from colead.io.microsoft_forms import read_microsoft_forms
from colead.io.qualtrics import IMPORT_ID, read_qualtrics
from colead.io.redcap import read_redcap
from colead.io.surveymonkey import read_surveymonkey
from colead.privacy import normalise_header

READERS: dict[str, Callable[[RawTable], Export]] = {
    "qualtrics": read_qualtrics,
    "redcap": read_redcap,
    "limesurvey": read_limesurvey,
    "microsoft_forms": read_microsoft_forms,
    "surveymonkey": read_surveymonkey,
    "google_forms": read_google_forms,
    "generic": read_generic,
}

# First header of a REDCap label export ("Record ID"), which also has "Complete?" columns.
_REDCAP_LABEL_IDS = {"recordid", "participantid", "studyid", "subjectid"}
_QUALTRICS_META = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "finished",
    "recordeddate",
    "responseid",
}


def detect(table: RawTable) -> str:
    """The platform whose layout the header rows show (``generic`` when none does)."""
    first, second, third = table.row(0), table.row(1), table.row(2)
    keys = {normalise_header(c) for c in first}
    if (
        first[:3] == ["V1", "V2", "V3"]
        or any(IMPORT_ID.match(c) for c in third)
        or {"responseid", "responseset"} <= keys
        or _QUALTRICS_META <= keys
    ):
        return "qualtrics"
    if (
        normalise_header(first[0]) == "variablefieldname"
        or any(c.startswith("redcap_") for c in first)
        or (first[0].endswith("_id") and any(c.endswith("_complete") for c in first))
        or (normalise_header(first[0]) in _REDCAP_LABEL_IDS and "complete" in keys)
    ):
        return "redcap"
    if {"submitdate", "lastpage", "startlanguage"} <= keys or {
        "datesubmitted",
        "lastpage",
        "startlanguage",
    } <= keys:
        return "limesurvey"
    if {"id", "starttime", "completiontime"} <= keys:
        return "microsoft_forms"
    plain = {normalise_header(c) for c in second}
    if {"respondentid", "collectorid"} <= keys or plain & {"response", "openendedresponse"}:
        return "surveymonkey"
    if timestamp_position(table) is not None:
        return "google_forms"
    return "generic"


def read_export(
    source: str | os.PathLike[str] | IO[Any] | bytes | pd.DataFrame, *, platform: str = "auto"
) -> Export:
    """Read a survey-platform export as its platform lays it out.

    Parameters
    ----------
    source : path, file object, bytes or DataFrame
        A CSV, TSV or XLSX export. A DataFrame is read as a generic table (its column names
        are the header).
    platform : str, default "auto"
        ``auto`` detects the platform from the header rows; or one of
        ``qualtrics, surveymonkey, google_forms, microsoft_forms, limesurvey, redcap, generic``.

    Returns
    -------
    Export

    Raises
    ------
    ResponseDataError
        When the file cannot be read as a table, or is not laid out as ``platform`` says.
    """
    check_option(platform, "platform", "read_export", ("auto", *PLATFORM_NAMES))
    if isinstance(source, pd.DataFrame):
        body_rows = source.astype(object).where(source.notna(), "").astype(str).to_numpy()
        table = RawTable.from_rows(
            [[str(c) for c in source.columns], *body_rows.tolist()], source="DataFrame"
        )
        table = RawTable(frame=without_csv_prefix(table.frame), source=table.source)
    else:
        table = read_table(source)
    if table.frame.shape[0] == 0 or table.frame.shape[1] == 0:
        raise ResponseDataError([{"reason": "the file is empty"}], context=table.source)
    name = detect(table) if platform == "auto" else platform
    return READERS[name](table)

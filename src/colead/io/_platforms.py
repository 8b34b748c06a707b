"""Which platform wrote a table, and the reader for each platform."""

from __future__ import annotations

from collections.abc import Callable

from colead.io._table import RawTable
from colead.io.export import Export
from colead.io.generic import read_generic
from colead.io.google_forms import read_google_forms
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
    if normalise_header(first[0]) == "timestamp":
        return "google_forms"
    return "generic"

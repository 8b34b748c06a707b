"""Writers of survey-platform exports for the import tests.

Each writer turns a :class:`colead.Responses` (known values) into the bytes of one platform's
export, with switches for the quirks of ../shared/reference/exports.md. It returns a
:class:`Written`: the bytes, and for every row of ``resp.data`` the respondent id and the drop
reason that reading the file back should give (``""`` for a row that is kept).

Row kinds (``status=``, one per row of ``resp.data``):

- ``""``: a normal, finished response;
- ``"incomplete"``: the platform marks it unfinished (Qualtrics Finished 0 and Progress < 100,
  LimeSurvey empty ``submitdate``, REDCap ``_complete`` 0 and ``[not completed]``);
- ``"empty"``: every item cell left blank;
- ``"duplicate"``: the response id of the row before it (a repeat submission; only where
  the platform has response ids);
- REDCap only: ``unverified`` (``_complete`` 1), ``not_completed`` (``_complete`` 2 but the
  survey timestamp ``[not completed]``);
- Qualtrics only: ``preview``, ``test``, ``spam``, ``preview_spam``, ``imported``, ``offline``,
  ``offline_preview`` (Status codes), ``unfinished`` (Finished 0 only), ``partial`` (Progress
  < 100 only), ``test_channel`` / ``preview_channel`` (DistributionChannel only).

``cells={(row, item_id): text}`` writes a raw answer text in place of the known value.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

import colead as cl
from colead.io.responses import Responses

START = datetime(2024, 9, 2, 8, 0, 0)

# A small instrument: two matrix scales, one optional numeric item. t2's text has a hyphen.
MINI = {
    "format_version": 1,
    "name": "mini",
    "title": "Mini instrument for import tests",
    "version": "1",
    "respondent": "teacher",
    "language": "en",
    "response_scales": {
        "agree4": {
            "type": "ordinal",
            "min": 1,
            "max": 4,
            "labels": {1: "Strongly disagree", 2: "Disagree", 3: "Agree", 4: "Strongly agree"},
            "missing": ["Not applicable", -99],
        },
        "freq3": {
            "type": "ordinal",
            "min": 1,
            "max": 3,
            "labels": {1: "Never", 2: "Sometimes", 3: "Often"},
        },
        "count": {"type": "numeric", "min": 0, "max": 50, "missing": [-99]},
    },
    "scales": {
        "trust": {"title": "Trust in colleagues", "items": ["t1", "t2", "t3"]},
        "voice": {"title": "Teacher voice", "items": ["v1", "v2"]},
    },
    "items": [
        {"id": "t1", "scale": "trust", "response_scale": "agree4",
         "text": "Teachers in this school trust each other."},
        {"id": "t2", "scale": "trust", "response_scale": "agree4",
         "text": "Colleagues keep their word."},
        {"id": "t3", "scale": "trust", "response_scale": "agree4", "reverse": True,
         "text": "It is hard to talk openly with colleagues."},
        {"id": "v1", "scale": "voice", "response_scale": "freq3",
         "text": "How often are you asked for your view on school plans?"},
        {"id": "v2", "scale": "voice", "response_scale": "freq3",
         "text": "How often do teachers' suggestions change school decisions?"},
        {"id": "years", "response_scale": "count", "required": False,
         "text": "How many years have you taught at this school?"},
    ],
}  # fmt: skip


def mini() -> cl.Instrument:
    return cl.load_instrument(MINI)


def known(
    instrument: str | cl.Instrument | None = None,
    *,
    n: int = 8,
    seed: int = 3,
    missing: float = 0.15,
) -> Responses:
    """Simulated responses with known values: two schools of ``n // 2`` respondents."""
    inst = mini() if instrument is None else cl.load_instrument(instrument)
    return cl.simulate(inst, n_schools=2, respondents=max(n // 2, 1), missing=missing, seed=seed)


@dataclass(frozen=True)
class Written:
    content: bytes
    platform: str
    header_rows: int
    ids: tuple[str, ...]
    reasons: tuple[str, ...]
    personal: tuple[str, ...] = ()
    school: str = "school_id"

    def row_number(self, i: int) -> int:
        """The row number a spreadsheet shows for row ``i`` of ``resp.data``."""
        return self.header_rows + 1 + i


def with_schools(resp: Responses, names: Mapping[str, str]) -> Responses:
    """The same responses with their school ids renamed (``nan`` for a school not in
    ``names`` when ``names`` maps it to ``""``)."""
    data = resp.data.copy()
    data["school_id"] = data["school_id"].map(lambda s: names.get(s, s) or np.nan)
    return Responses(data=data, log=resp.log, platform=resp.platform, instrument=resp.instrument)


def expected_items(
    resp: Responses,
    written: Written,
    *,
    keep_incomplete: bool = False,
    blanks: Sequence[tuple[int, str]] = (),
) -> tuple[pd.DataFrame, list[str]]:
    """The item values and respondent ids ``read_responses`` should return; ``blanks`` are
    (row, item) cells written as a missing code or label (NaN)."""
    data = resp.data.copy()
    for i, item in blanks:
        data.loc[i, item] = np.nan
    reasons = np.array(written.reasons, dtype=object)
    if keep_incomplete:
        reasons = np.where(reasons == "incomplete", "", reasons)
    keep = reasons == ""
    return data.loc[keep, resp.item_ids].reset_index(drop=True), [
        rid for rid, k in zip(written.ids, keep, strict=True) if k
    ]


# -- helpers ---------------------------------------------------------------------------------
def answer(resp: Responses, item_id: str, x: float, values: str = "labels") -> str:
    """A known value as the platform writes it: the label, or the number."""
    if x != x:
        return ""
    labels = resp.instrument.response_scale_of(item_id).label_map
    if values == "labels" and labels:
        return labels[x]
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _cells(resp: Responses, status: Sequence[str], cells: Mapping, values: str) -> list[list[str]]:
    out = []
    for i in range(len(resp.data)):
        if status[i] == "empty":
            out.append([""] * len(resp.item_ids))
            continue
        row = []
        for item in resp.item_ids:
            text = cells.get((i, item))
            row.append(answer(resp, item, resp.data.at[i, item], values) if text is None else text)
        out.append(row)
    return out


def _status(status: Sequence[str] | None, n: int, allowed: Mapping[str, str]) -> list[str]:
    status = list(status or [""] * n)
    unknown = set(status) - set(allowed)
    if len(status) != n or unknown:
        raise ValueError(f"status must give one of {sorted(allowed)} per row; got {status}")
    return status


def _ids(base: Sequence[str], status: Sequence[str]) -> list[str]:
    ids = list(base)
    for i, s in enumerate(status):
        if s == "duplicate":
            ids[i] = ids[i - 1]
    return ids


_COMMON_REASONS = {"": "", "incomplete": "incomplete", "empty": "empty", "duplicate": "duplicate"}
_NO_FLAG = {"": "", "empty": "empty", "duplicate": "duplicate"}  # no completion flag
_NO_ID = {"": "", "empty": "empty"}  # neither a completion flag nor a response id
REDCAP_REASONS = {**_COMMON_REASONS, "unverified": "incomplete", "not_completed": "incomplete"}


def _reasons(status: Sequence[str], table: Mapping[str, str] = _COMMON_REASONS) -> tuple[str, ...]:
    return tuple(table[s] for s in status)


def _schools(resp: Responses) -> list[str]:
    return ["" if s != s else str(s) for s in resp.data["school_id"]]


def csv_bytes(
    rows: Sequence[Sequence[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
    quote_all: bool = False,
    trailing_blank_line: bool = False,
) -> bytes:
    buffer = io.StringIO()
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=quoting).writerows(rows)
    text = buffer.getvalue() + (newline if trailing_blank_line else "")
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": b"\xef\xbb\xbf", "utf-16-le": b"\xff\xfe",
                "utf-16-be": b"\xfe\xff"}[encoding] + data  # fmt: skip
    return data


def xlsx_bytes(rows: Sequence[Sequence[str]], title: str = "Sheet") -> bytes:
    """Rows of text as a one-sheet workbook: numbers as numbers, empty cells empty."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append([_xlsx_value(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _questions(resp: Responses):
    """(question text, [(item_id, row text)]) per question, as colead lays out a survey."""
    from colead.io._layout import questions

    return [(q.text, list(q.rows), q.is_matrix) for q in questions(resp.instrument, resp.item_ids)]


# -- Qualtrics -------------------------------------------------------------------------------
QUALTRICS_STATUS = {
    "": ("0", "IP Address"), "incomplete": ("0", "IP Address"), "empty": ("0", "IP Address"),
    "duplicate": ("0", "IP Address"), "unfinished": ("0", "IP Address"),
    "partial": ("0", "IP Address"), "test_channel": ("0", "IP Address"),
    "preview_channel": ("0", "IP Address"), "preview": ("1", "Survey Preview"),
    "test": ("2", "Survey Test"), "imported": ("4", "Imported"), "spam": ("8", "Spam"),
    "preview_spam": ("9", "Preview Spam"), "offline": ("16", "Offline"),
    "offline_preview": ("17", "Offline Preview"),
}  # fmt: skip
QUALTRICS_REASONS = {
    **_COMMON_REASONS, "unfinished": "incomplete", "partial": "incomplete",
    "test_channel": "test", "preview_channel": "preview", "preview": "preview", "test": "test",
    "imported": "", "spam": "spam", "preview_spam": "spam", "offline": "",
    "offline_preview": "preview",
}  # fmt: skip
_CHANNEL = {"test_channel": "test", "preview_channel": "preview"}
RECODE_TAGS = (130, 50, 7, 113, 155, 139, 12, 4, 99, 61)
_DT_META = ("StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
            "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
            "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
            "DistributionChannel", "UserLanguage")  # fmt: skip
_DT_TEXT = ("Start Date", "End Date", "Response Type", "IP Address", "Progress",
            "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
            "Recipient Last Name", "Recipient First Name", "Recipient Email",
            "External Data Reference", "Location Latitude", "Location Longitude",
            "Distribution Channel", "User Language")  # fmt: skip
_DT_IMPORT = ("startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished",
              "recordedDate", "_recordId", "recipientLastName", "recipientFirstName",
              "recipientEmail", "externalDataReference", "locationLatitude",
              "locationLongitude", "distributionChannel", "userLanguage")  # fmt: skip
_LEGACY_META = ("ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress",
                "IPAddress", "Status", "StartDate", "EndDate", "Finished")  # fmt: skip
_INSIGHTS_META = ("ResponseID", "ResponseSet", "IPAddress", "StartDate", "EndDate",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalDataReference", "Finished", "Status")  # fmt: skip
_INSIGHTS_IMPORT = ("responseId", "responseSetId", "ipAddress", "startDate", "endDate",
                    "panel-RecipientLastName", "panel-RecipientFirstName",
                    "panel-RecipientEmail", "panel-ExternalDataReference", "finished",
                    "status")  # fmt: skip


def qualtrics(
    resp: Responses,
    *,
    layout: str = "data table",
    values: str = "numeric",
    names: str = "item_id",
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
    encoding: str = "utf-8",
    bom: bool = False,
    delimiter: str = ",",
    truncate: bool = False,
    duplicate_names: bool = False,
    html: bool = False,
    school: str = "school_id",
) -> Written:
    """A Qualtrics export: ``layout`` "data table" (3 header rows, JSON ImportIds), "legacy"
    (V1-V10, BOM, trailing comma, ``Question-Statement``) or "insights" (pseudo-JSON row 3).

    ``values`` "numeric" or "labels" (choice text, text Status and True/False Finished);
    ``names`` "item_id" (export tags are item ids) or "platform" (``Q3_130``: matrix suffixes
    are recode values, not positions); ``truncate`` cuts question texts with ``...`` and
    ``duplicate_names`` gives every row of a matrix the question's tag (legacy files);
    ``html`` wraps question texts in HTML with a line break (a quoted multi-line header)."""
    n = len(resp.data)
    # Legacy and Insights files have neither Progress nor DistributionChannel.
    allowed = (
        QUALTRICS_REASONS
        if layout == "data table"
        else {k: v for k, v in QUALTRICS_REASONS.items() if k not in ("partial", *_CHANNEL)}
    )
    status = _status(status, n, allowed)
    text_mode = values == "labels"
    legacy = layout != "data table"
    sep = "-" if legacy else " - "
    tags, texts, imports = [], [], []
    for number, (title, rows, matrix) in enumerate(_questions(resp), start=1):
        for position, (item_id, row_text) in enumerate(rows):
            suffix = f"_{RECODE_TAGS[position % len(RECODE_TAGS)]}" if matrix else ""
            if names == "item_id":
                tags.append(item_id)
            else:
                tags.append(f"Q{number}" if duplicate_names else f"Q{number}{suffix}")
            question = title[:14] + "..." if truncate and len(title) > 14 else title
            question = f"<p><strong>{question}</strong>\n</p>" if html else question
            texts.append(f"{question}{sep}{row_text}" if matrix else question)
            hyphen = suffix.replace("_", "-") if layout == "insights" else suffix
            imports.append(f"QID{number}{hyphen}")
    body = _cells(resp, status, cells or {}, values)
    ids = _ids([f"R_{rid}" for rid in resp.data["respondent_id"]], status)
    schools = _schools(resp)
    rows: list[list[str]] = []
    for i in range(n):
        code, label = QUALTRICS_STATUS[status[i]]
        start = START + timedelta(minutes=13 * i)
        end = start + timedelta(seconds=300 + 7 * i)
        finished = status[i] not in ("incomplete", "unfinished")
        progress = "100" if status[i] not in ("incomplete", "partial") else "57"
        fin = ("True" if finished else "False") if text_mode else ("1" if finished else "0")
        email = f"teacher{i}@school.example"
        channel = _CHANNEL.get(status[i], "anonymous")
        stamp = "%Y-%m-%d %H:%M:%S"
        meta = {
            "StartDate": start.strftime(stamp), "EndDate": end.strftime(stamp),
            "Status": label if text_mode else code, "IPAddress": f"192.0.2.{i + 1}",
            "Progress": progress, "Duration (in seconds)": str(300 + 7 * i), "Finished": fin,
            "RecordedDate": end.strftime(stamp), "ResponseId": ids[i], "ResponseID": ids[i],
            "RecipientLastName": f"Last{i}", "RecipientFirstName": f"First{i}",
            "RecipientEmail": email, "EmailAddress": email, "ExternalReference": f"EXT{i}",
            "ExternalDataReference": f"EXT{i}", "LocationLatitude": "41.8",
            "LocationLongitude": "-87.6", "DistributionChannel": channel, "UserLanguage": "EN",
            "ResponseSet": "Default Response Set", "Name": f"Last{i}, First{i}",
        }  # fmt: skip
        meta_names = {"data table": _DT_META, "legacy": _LEGACY_META}.get(layout, _INSIGHTS_META)
        tail = ["41.8", "-87.6", "-1"] if legacy else []
        rows.append([meta[m] for m in meta_names] + body[i] + [schools[i], *tail])
    if layout == "data table":
        head1 = [*_DT_META, *tags, school]
        head2 = [*_DT_TEXT, *texts, school]
        head3 = [
            f'{{"ImportId":"{iid}","timeZone":"America/Chicago"}}'
            if iid in ("startDate", "endDate", "recordedDate")
            else f'{{"ImportId":"{iid}"}}'
            for iid in (*_DT_IMPORT, *imports, school)
        ]
        header = [head1, head2, head3]
        personal = (*_DT_META[9:15], "IPAddress")
    elif layout == "legacy":
        loc = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
        head1 = [f"V{k}" for k in range(1, 11)] + [*tags, school, *loc, ""]
        head2 = [*_LEGACY_META, *texts, school, *loc, ""]
        header = [head1, head2]
        rows = [[*r, ""] for r in rows]  # the trailing comma
        bom = True if encoding == "utf-8" else bom
        personal = (*_LEGACY_META[2:6], *loc)
    else:
        loc = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
        head1 = [*_INSIGHTS_META, *tags, school, *loc]
        head2 = [*_INSIGHTS_META, *texts, school, *loc]
        head3 = [
            f"{{'ImportId': '{iid}'}}"
            for iid in (*_INSIGHTS_IMPORT, *imports, school, *(f"Location-{x}" for x in loc))
        ]
        header = [head1, head2, head3]
        personal = ("IPAddress", *_INSIGHTS_META[5:9], *loc)
    content = csv_bytes([*header, *rows], delimiter=delimiter, encoding=encoding, bom=bom)
    return Written(content, "qualtrics", len(header), tuple(ids),
                   _reasons(status, QUALTRICS_REASONS), personal, school)  # fmt: skip


# -- SurveyMonkey ----------------------------------------------------------------------------
SM_META = {
    2022: ("Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
           "Email Address", "First Name", "Last Name", "Custom Data 1"),
    2017: ("RespondentID", "CollectorID", "StartDate", "EndDate", "IP Address",
           "Email Address", "First Name", "LastName", "Custom Data"),
}  # fmt: skip


def surveymonkey(
    resp: Responses,
    *,
    version: int = 2022,
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
    nul: bool = False,
    nbsp: bool = False,
    padding: bool = False,
    newline: str = "\r\n",
    school_question: str = "School",
    fmt: str = "csv",
) -> Written:
    """A SurveyMonkey "All responses data" CSV (``fmt="xlsx"``: workbook): two header rows,
    question text over the first
    column of a matrix only; row 2 ``Response`` / ``Open-Ended Response`` or the statement.
    ``nul`` writes NUL characters in row 2 under the metadata (2017), ``nbsp`` no-break spaces
    in labels and statements, ``padding`` pads statements with spaces and ``<br>``."""
    n = len(resp.data)
    status = _status(status, n, _NO_FLAG)
    meta = SM_META[version]
    row1, row2 = list(meta), [("\x00" if nul else "") for _ in meta]
    row1 += [school_question]
    row2 += ["Open-Ended Response"]
    for title, rows, matrix in _questions(resp):
        for k, (item_id, row_text) in enumerate(rows):
            row1.append(title if k == 0 else "")
            if matrix:
                shown = f"  {row_text}<br>  " if padding else row_text
                row2.append(shown.replace(" ", "\u00a0", 1) if nbsp else shown)
            else:
                labels = resp.instrument.response_scale_of(item_id).labels
                row2.append("Response" if labels else "Open-Ended Response")
    body = _cells(resp, status, cells or {}, "labels")
    if nbsp:
        body = [[c.replace(" ", "\u00a0") for c in r] for r in body]
    ids = _ids([str(11400000000 + 17 * i) for i in range(n)], status)
    schools = _schools(resp)
    out = [row1, row2]
    for i in range(n):
        start = START + timedelta(minutes=11 * i)
        stamp = start.strftime("%m/%d/%Y %H:%M:%S")
        metadata = [ids[i], "405000000", stamp, stamp, f"198.51.100.{i + 1}",
                    f"t{i}@school.example", f"First{i}", f"Last{i}", f"custom{i}"]  # fmt: skip
        out.append([*metadata, schools[i], *body[i]])
    content = xlsx_bytes(out) if fmt == "xlsx" else csv_bytes(out, newline=newline)
    return Written(content, "surveymonkey", 2, tuple(ids), _reasons(status), meta[4:],
                   school_question)  # fmt: skip


# -- Google Forms ----------------------------------------------------------------------------
SUBJECTS = ("Mathematics", "Science", "Art, music and drama", "English")


def google_forms(
    resp: Responses,
    *,
    download: str = "forms",
    email: bool = True,
    checkboxes: bool = True,
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
    school_question: str = "School",
) -> Written:
    """Google Forms responses: ``download`` "forms" (Forms' CSV download: timestamps like
    ``2022/06/22 11:07:29 AM AST``, checkboxes joined by ``;``) or "sheets" (the linked Sheet:
    ``9/2/2024 8:00:00``, checkboxes joined by ``, ``). Grid rows are ``Title [Row]``."""
    n = len(resp.data)
    status = _status(status, n, _NO_ID)
    header = ["Timestamp"] + (["Email Address"] if email else []) + [school_question]
    for title, rows, matrix in _questions(resp):
        header += [f"{title} [{row}]" if matrix else title for _, row in rows]
    if checkboxes:
        header.append("Which subjects do you teach?")
    body = _cells(resp, status, cells or {}, "labels")
    joiner = ";" if download == "forms" else ", "
    schools = _schools(resp)
    out = [header]
    for i in range(n):
        when = START + timedelta(minutes=9 * i, seconds=7 * i)
        if download == "forms":
            stamp = when.strftime("%Y/%m/%d %I:%M:%S %p") + " AST"
        else:
            stamp = f"{when.month}/{when.day}/{when.year} {when.hour}:{when:%M:%S}"
        row = [stamp] + ([f"t{i}@school.example"] if email else []) + [schools[i], *body[i]]
        if checkboxes:
            row.append(joiner.join(SUBJECTS[: 1 + i % len(SUBJECTS)]))
        out.append(row)
    ids = _ids([f"row{i + 2}" for i in range(n)], status)
    personal = ("Email Address",) if email else ()
    return Written(csv_bytes(out), "google_forms", 1, tuple(ids), _reasons(status), personal,
                   school_question)  # fmt: skip


# -- Microsoft Forms -------------------------------------------------------------------------
def microsoft_forms(
    resp: Responses,
    *,
    dates: str = "serial",
    numbers_as_text: bool = True,
    hidden_sheets: bool = True,
    last_modified: bool = True,
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
    school_question: str = "School",
) -> Written:
    """A Microsoft Forms XLSX: sheet ``Form1`` (after a hidden and a very hidden sheet when
    ``hidden_sheets``), ``ID, Start time, Completion time, Email, Name``; dates as Excel
    serial numbers or datetimes; numbers as text or as numbers; Likert rows as columns."""
    import openpyxl

    n = len(resp.data)
    status = _status(status, n, _NO_FLAG)
    book = openpyxl.Workbook()
    book.remove(book.active)
    if hidden_sheets:
        decoy = book.create_sheet("setUp")
        decoy.append(["ID", "Start time", "Completion time", "Decoy"])
        decoy.append([999, 1.0, 2.0, "not a response"])
        decoy.sheet_state = "hidden"
        ghost = book.create_sheet("{C0A8F3E2-5B1D-4E7A-9F00}")
        ghost.append(["nothing to see"])
        ghost.sheet_state = "veryHidden"
    sheet = book.create_sheet("Form1")
    header = ["ID", "Start time", "Completion time", "Email", "Name"]
    header += ["Last modified time"] if last_modified else []
    header += [school_question]
    for _, rows, _ in _questions(resp):
        header += [resp.instrument.item(item).text for item, _ in rows]
    sheet.append(header)
    body = _cells(resp, status, cells or {}, "labels")
    schools = _schools(resp)
    ids = _ids([str(i + 1) for i in range(n)], status)
    for i in range(n):
        start = START + timedelta(minutes=21 * i)
        end = start + timedelta(minutes=4, seconds=i)
        if dates == "serial":
            epoch = datetime(1899, 12, 30)
            start_v, end_v = ((t - epoch) / timedelta(days=1) for t in (start, end))
        else:
            start_v, end_v = start, end
        answers = []
        for text in body[i]:
            number = text.lstrip("-").isdigit()
            answers.append(int(text) if number and not numbers_as_text else text or None)
        row = [int(ids[i]), start_v, end_v, "anonymous" if i % 2 else f"t{i}@school.example",
               f"Teacher {i}"]  # fmt: skip
        row += [end_v] if last_modified else []
        row += [schools[i] or None, *answers]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return Written(buffer.getvalue(), "microsoft_forms", 1, tuple(ids), _reasons(status),
                   ("Email", "Name"), school_question)  # fmt: skip


# -- LimeSurvey ------------------------------------------------------------------------------
LS_META_CODE = ("id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
                "datestamp")  # fmt: skip
LS_META_FULL = ("Response ID", "Date submitted", "Last page", "Start language", "Seed",
                "Date started", "Date last action")  # fmt: skip


def limesurvey(
    resp: Responses,
    *,
    headings: str = "code",
    codes: str = "platform",
    values: str = "labels",
    delimiter: str = ";",
    bom: bool = True,
    token: bool = True,
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
) -> Written:
    """A LimeSurvey responses CSV as its CsvWriter writes it (BOM, every field quoted, CRLF,
    final blank line). ``headings`` "code" (``G01Q01[SQ001]`` with ``codes`` "platform", or
    ``trust[t1]`` / ``years`` with ``codes`` "item_id"), "full" (``Question [Subquestion]``)
    or "abbreviated" (the first 15 characters of the text and ``.. [SQ001]``, as LimeSurvey's
    Writer::getAbbreviatedHeading); ``values`` "labels" (long answers) or "numeric" (codes)."""
    n = len(resp.data)
    status = _status(status, n, _COMMON_REASONS)
    if headings == "code":
        header = list(LS_META_CODE) + (["token", "ipaddr", "refurl"] if token else [])
        header.append("school_id")
    else:
        header = list(LS_META_FULL) + (["Token", "IP address", "Referrer URL"] if token else [])
        header.append("School")
        if headings == "abbreviated":
            header = [f"{h[:15]}.. " for h in header]
    for number, (title, rows, matrix) in enumerate(_questions(resp), start=1):
        qcode = f"G01Q{number:02d}"
        for k, (item_id, row_text) in enumerate(rows, start=1):
            code = item_id if codes == "item_id" else f"SQ{k:03d}"
            if headings == "full":
                header.append(f"{title} [{row_text}]" if matrix else title)
            elif headings == "abbreviated":
                header.append(f"{title[:15]}.. " + (f"[{code}]" if matrix else ""))
            elif codes == "item_id":
                scale = resp.instrument.item(item_id).scale
                header.append(f"{scale}[{item_id}]" if matrix else item_id)
            else:
                header.append(f"{qcode}[SQ{k:03d}]" if matrix else qcode)
    body = _cells(resp, status, cells or {}, values)
    ids = _ids([str(i + 1) for i in range(n)], status)
    schools = _schools(resp)
    out = [header]
    for i in range(n):
        start = START + timedelta(minutes=5 * i)
        stamp = start.strftime("%Y-%m-%d %H:%M:%S")
        submitted = "" if status[i] == "incomplete" else stamp
        meta = [ids[i], submitted, "3" if submitted else "1", "en", str(1000 + i), stamp, stamp]
        meta += [f"tok{i:04d}", f"203.0.113.{i + 1}", "https://school.example/"] if token else []
        out.append([*meta, schools[i], *body[i]])
    content = csv_bytes(out, delimiter=delimiter, bom=bom, quote_all=True,
                        trailing_blank_line=True)  # fmt: skip
    personal = tuple(header[7:10]) if token else ()
    return Written(content, "limesurvey", 1, tuple(ids), _reasons(status), personal,
                   header[len(header) - len(resp.item_ids) - 1])  # fmt: skip


# -- REDCap ----------------------------------------------------------------------------------
def redcap(
    resp: Responses,
    *,
    form: str = "teacher_survey",
    labels: bool = False,
    label_headers: bool = False,
    event: str | None = "baseline_arm_1",
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
) -> Written:
    """A REDCap records export: ``record_id``, ``redcap_event_name``,
    ``redcap_survey_identifier``, ``<form>_timestamp`` (``[not completed]`` when unfinished),
    the fields, a checkbox ``subjects___1..3``, ``school_id``, ``<form>_complete`` (0/1/2).
    ``labels`` writes choice labels, Checked/Unchecked and Incomplete/Complete;
    ``label_headers`` writes field labels as headers (``Record ID``, ``Complete?``)."""
    n = len(resp.data)
    status = _status(status, n, REDCAP_REASONS)
    inst = resp.instrument
    items = list(resp.item_ids)
    if label_headers:
        header = ["Record ID"] + (["Event Name"] if event else []) + ["Survey Identifier",
                  "Survey Timestamp"]  # fmt: skip
        header += [inst.item(i).text for i in items]
        header += [f"Subjects taught (choice={s})" for s in SUBJECTS[:3]]
        header += ["School", "Complete?"]
    else:
        header = ["record_id"] + (["redcap_event_name"] if event else [])
        header += ["redcap_survey_identifier", f"{form}_timestamp", *items]
        header += [f"subjects___{k}" for k in (1, 2, 3)]
        header += ["school_id", f"{form}_complete"]
    body = _cells(resp, status, cells or {}, "labels" if labels else "numeric")
    ids = _ids([str(i + 1) for i in range(n)], status)
    schools = _schools(resp)
    out = [header]
    for i in range(n):
        stamp = (START + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S")
        if status[i] in ("incomplete", "not_completed"):
            stamp = "[not completed]"
        checks = [(k + i) % 2 for k in range(3)]
        if labels:
            checks_t = ["Checked" if c else "Unchecked" for c in checks]
            complete = {"incomplete": "Incomplete", "unverified": "Unverified"}.get(
                status[i], "Complete"
            )
            event_t = ["Baseline (Arm 1: Arm 1)"] if event else []
        else:
            checks_t = [str(c) for c in checks]
            complete = {"incomplete": "0", "unverified": "1"}.get(status[i], "2")
            event_t = [event] if event else []
        out.append([ids[i], *event_t, f"t{i}@school.example", stamp,
                    *body[i], *checks_t, schools[i], complete])  # fmt: skip
    # REDCap's key is the record and the event: the id read back joins them.
    event_shown = "Baseline (Arm 1: Arm 1)" if labels else event
    shown = [f"{rid}|{event_shown}" if event else rid for rid in ids]
    personal = ("Survey Identifier",) if label_headers else ("redcap_survey_identifier",)
    return Written(csv_bytes(out, newline="\n"), "redcap", 1, tuple(shown),
                   _reasons(status, REDCAP_REASONS), personal,
                   "School" if label_headers else "school_id")  # fmt: skip


# -- generic ---------------------------------------------------------------------------------
def generic(
    resp: Responses,
    *,
    fmt: str = "csv",
    headers: str = "item_id",
    values: str = "numeric",
    encoding: str = "utf-8",
    bom: bool = False,
    status: Sequence[str] | None = None,
    cells: Mapping[tuple[int, str], str] | None = None,
    id_column: str = "respondent_id",
    school_column: str = "school_id",
) -> Written:
    """One header row: ``respondent_id, school_id`` and one column per item (its id, or its
    text with ``headers="text"``). ``fmt`` "csv", "tsv" or "xlsx"."""
    n = len(resp.data)
    status = _status(status, n, _NO_FLAG)
    inst = resp.instrument
    names = [i if headers == "item_id" else inst.item(i).text for i in resp.item_ids]
    header = [id_column, school_column, *names]
    body = _cells(resp, status, cells or {}, values)
    ids = _ids(list(resp.data["respondent_id"].astype(str)), status)
    rows = [[ids[i], s, *body[i]] for i, s in enumerate(_schools(resp))]
    if fmt == "xlsx":
        content = xlsx_bytes([header, *rows], title="responses")
    else:
        delimiter = "\t" if fmt == "tsv" else ","
        content = csv_bytes([header, *rows], delimiter=delimiter, encoding=encoding, bom=bom)
    return Written(content, "generic", 1, tuple(ids), _reasons(status), (), school_column)


def _xlsx_value(text: str) -> object:
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and not math.isinf(number) else number


#: Every writer with its default switches, by a short name (for parametrized tests).
LAYOUTS = {
    "qualtrics": lambda r, **k: qualtrics(r, **k),
    "qualtrics_labels": lambda r, **k: qualtrics(r, values="labels", **k),
    "qualtrics_legacy": lambda r, **k: qualtrics(r, layout="legacy", names="platform", **k),
    "qualtrics_insights": lambda r, **k: qualtrics(r, layout="insights", names="platform", **k),
    "qualtrics_tsv_utf16": lambda r, **k: qualtrics(
        r, encoding="utf-16-le", bom=True, delimiter="\t", **k
    ),
    "surveymonkey_2022": lambda r, **k: surveymonkey(r, **k),
    "surveymonkey_2017": lambda r, **k: surveymonkey(r, version=2017, nul=True, nbsp=True, **k),
    "surveymonkey_xlsx": lambda r, **k: surveymonkey(r, fmt="xlsx", **k),
    "google_forms_csv": lambda r, **k: google_forms(r, **k),
    "google_sheets": lambda r, **k: google_forms(r, download="sheets", **k),
    "microsoft_forms": lambda r, **k: microsoft_forms(r, **k),
    "limesurvey_code": lambda r, **k: limesurvey(r, codes="item_id", **k),
    "limesurvey_full": lambda r, **k: limesurvey(r, headings="full", delimiter=",", **k),
    "redcap_raw": lambda r, **k: redcap(r, **k),
    "redcap_labels": lambda r, **k: redcap(r, labels=True, **k),
    "generic_csv": lambda r, **k: generic(r, **k),
    "generic_tsv": lambda r, **k: generic(r, fmt="tsv", **k),
    "generic_xlsx": lambda r, **k: generic(r, fmt="xlsx", **k),
}

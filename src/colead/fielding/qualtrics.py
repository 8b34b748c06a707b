"""A Qualtrics survey file (``.qsf``) for an instrument.

A QSF is JSON with two members: ``SurveyEntry`` (the survey's id, name, language, status and
dates) and ``SurveyElements``, a list of elements ``{SurveyID, Element, PrimaryAttribute,
SecondaryAttribute, TertiaryAttribute, Payload}``. The structure written here is the one of
surveys exported from Qualtrics and published in public repositories, read as the format
description (no QSF is imported into Qualtrics by the tests):

- ctesta01's "Quickstart guide to understanding the Qualtrics Survey File" (the QSF anatomy:
  SurveyEntry, SurveyElements, question payloads) and the QSF files of ctesta01/QualtricsTools
  (``Single_Answer_Matrix_Questions.qsf``: ``Matrix``/``Likert``/``SingleAnswer`` with
  ``Answers``, ``RecodeValues`` and ``ChoiceDataExportTags``; ``Questions_with_Text_Entry_
  Components.qsf``: ``MC`` ``SAVR``/``MAVR``), tufts-oir/QualtricsTools
  ``Long_Exhaustive_Sample_Survey2.qsf`` with its Data Table export (a matrix's columns are its
  ``ChoiceDataExportTags``; a text entry's column is its ``DataExportTag``, ImportId
  ``QIDn_TEXT``), and fflewddur/sp ``libsp/data_test.go`` (``EmbeddedData`` in the flow with
  ``Type`` ``Recipient``, i.e. set from the survey link; ``Standard`` blocks; ``DB``/``TB``
  descriptive text; ``TE``/``SL`` text entry);
- blog.askesis.pl, "How to generate qualtrics questions" (2019): the ``QC`` element's
  ``SecondaryAttribute`` is the number of questions and must match them.

Written elements: ``BL`` (one ``Default`` block for the first section, a ``Standard`` block
for each other one, the empty ``Trash`` block; a block is a page), ``FL`` (the flow: embedded
data ``school_id`` set from the link, then the blocks in order), ``SO`` (survey options),
``SCO``, ``PROJ``, ``STAT``, ``QC``, ``RS`` and one ``SQ`` per question:

- a matrix (``Matrix``, ``Likert``, ``SingleAnswer``) per scale and per stakeholder of the
  influence grid: ``Choices`` are the rows, ``ChoiceDataExportTags`` their item ids,
  ``Answers`` the scale points and ``RecodeValues`` the instrument's values;
- one answer from a list (``MC``, ``SAVR``, ``TX``) or every option that applies (``MC``,
  ``MAVR``, ``TX``): ``DataExportTag`` is the item id, ``RecodeValues`` the values;
- the missing answers a response scale offers (``missing: [{value: 8, label: "Don't
  know"}]``) follow the scale points as further ``Answers`` of a matrix or ``Choices`` of a
  list, with their codes as ``RecodeValues``, as the matrix and list questions of
  ctesta01/QualtricsTools ``No_Basis_for_Evaluation.qsf`` carry "No opinion" and "Never tried
  it" (recoded -1, -2). So a numeric export holds the code and a choice-text export the
  label, and :func:`colead.read_responses` reads both as missing. No marker sets these
  columns apart in the file (none appears in the reference files); a column separator can be
  added in the survey editor;
- a number (``TE``, ``SL``): ``DataExportTag`` is the item id; the range is in the text;
- descriptive text (``DB``, ``TB``) opening each block: its title and instructions (the
  first one also the confidentiality statement), the stem before the influence grid.

Not used: Qualtrics' translations (one language per file; write one file per language),
content validation of numbers (the range is stated in the question text and checked on
import), forced responses, display, skip and branch logic, randomisation, scoring, quotas,
themes and branding (the account's defaults apply), ``VariableNaming``, and the plain
missing labels and codes of the instrument (``"Not applicable"``, ``-99``: with no code to
export they are rules for reading exports, not answers). Response anonymisation
(``AnonymizeResponse``) is switched on, so Qualtrics records no IP address or location.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any

from colead.fielding._layout import (
    Page,
    Question,
    how_to,
    mentions_all_that_apply,
    number_hint,
    pages,
    texts,
    unique,
)
from colead.instrument import Instrument
from colead.io._common import stable_token

__all__ = ["qsf", "write_qsf"]

_TAG = re.compile(r"<[^>]+>")
_VALIDATION = {"Settings": {"ForceResponse": "OFF", "ForceResponseType": "ON", "Type": "None"}}


def write_qsf(instrument: Instrument, path: Path, *, min_n: int) -> Path:
    """Write the QSF of ``instrument`` (already in the wanted language) to ``path``."""
    path.write_text(
        json.dumps(qsf(instrument, min_n=min_n), ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return path


def qsf(instrument: Instrument, *, min_n: int = 5) -> dict[str, Any]:
    """The QSF of an instrument as a JSON-ready dict."""
    inst = instrument
    sid = "SV_" + stable_token(f"{inst.name}:{inst.version}:{inst.language}")
    layout = pages(inst)
    taken = {i.casefold() for i in inst.item_ids} | {"school_id"}
    questions: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    qid_of = {q.number: f"QID{q.number}" for page in layout for q in page.questions}
    next_qid = len(qid_of)
    for k, page in enumerate(layout):
        next_qid += 1
        intro_id = f"QID{next_qid}"
        elements = [
            _descriptive(
                intro_id,
                unique(f"intro_{page.id}", taken),
                _intro(inst, page, first=k == 0, min_n=min_n),
            )
        ]
        for q in page.questions:
            elements.append(_question(q, qid_of[q.number], taken, inst.language))
        questions += elements
        block = {
            "Type": "Default" if k == 0 else "Standard",
            "Description": _h(page.title),
            "ID": "BL_" + stable_token(f"{sid}:{page.id}"),
            "BlockElements": [
                {"Type": "Question", "QuestionID": e["QuestionID"]} for e in elements
            ],
        }
        if k:
            block["SubType"] = ""
        blocks.append(block)
    blocks.append(
        {
            "Type": "Trash",
            "Description": "Trash / Unused Questions",
            "ID": "BL_" + stable_token(f"{sid}:trash"),
            "BlockElements": [],
        }
    )
    now = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
    response_set = "RS_" + stable_token(f"{sid}:responses")
    entry = {
        "SurveyID": sid,
        "SurveyName": _h(inst.title),
        "SurveyDescription": None,
        "SurveyOwnerID": None,
        "SurveyBrandID": None,
        "DivisionID": None,
        "SurveyLanguage": inst.language.upper(),
        "SurveyActiveResponseSet": response_set,
        "SurveyStatus": "Inactive",
        "SurveyStartDate": "0000-00-00 00:00:00",
        "SurveyExpirationDate": "0000-00-00 00:00:00",
        "SurveyCreationDate": now,
        "CreatorID": None,
        "LastModified": now,
        "LastAccessed": "0000-00-00 00:00:00",
        "LastActivated": "0000-00-00 00:00:00",
        "Deleted": None,
    }
    elements = [
        _element(sid, "BL", "Survey Blocks", blocks),
        _element(sid, "FL", "Survey Flow", _flow(blocks[:-1])),
        _element(sid, "SO", "Survey Options", _options(inst)),
        _element(
            sid,
            "SCO",
            "Scoring",
            {
                "ScoringCategories": [],
                "ScoringCategoryGroups": [],
                "ScoringSummaryCategory": None,
                "ScoringSummaryAfterQuestions": 0,
                "ScoringSummaryAfterSurvey": 0,
                "DefaultScoringCategory": None,
                "AutoScoringCategory": None,
            },
        ),
        _element(
            sid,
            "PROJ",
            "CORE",
            {"ProjectCategory": "CORE", "SchemaVersion": "1.1.0"},
            tertiary="1.1.0",
        ),
        _element(
            sid, "STAT", "Survey Statistics", {"MobileCompatible": True, "ID": "Survey Statistics"}
        ),
        _element(sid, "QC", "Survey Question Count", None, secondary=str(len(questions))),
        _element(sid, "RS", response_set, None, secondary="Default Response Set"),
    ]
    elements += [
        _element(sid, "SQ", q["QuestionID"], q, secondary=q["QuestionDescription"])
        for q in sorted(questions, key=lambda q: int(q["QuestionID"][3:]))
    ]
    return {"SurveyEntry": entry, "SurveyElements": elements}


def _element(
    sid: str,
    kind: str,
    primary: str,
    payload: Any,
    *,
    secondary: str | None = None,
    tertiary: str | None = None,
) -> dict[str, Any]:
    return {
        "SurveyID": sid,
        "Element": kind,
        "PrimaryAttribute": primary,
        "SecondaryAttribute": secondary,
        "TertiaryAttribute": tertiary,
        "Payload": payload,
    }


def _flow(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    school = {
        "Description": "school_id",
        "Type": "Recipient",
        "Field": "school_id",
        "VariableType": "String",
        "DataVisibility": [],
        "AnalyzeText": False,
    }
    flow: list[dict[str, Any]] = [
        {"Type": "EmbeddedData", "FlowID": "FL_2", "EmbeddedData": [school]}
    ]
    for k, block in enumerate(blocks):
        flow.append(
            {
                "Type": "Block" if block["Type"] == "Default" else "Standard",
                "ID": block["ID"],
                "FlowID": f"FL_{k + 3}",
            }
        )
    return {
        "Type": "Root",
        "FlowID": "FL_1",
        "Flow": flow,
        "Properties": {"Count": len(flow) + 1, "RemovedFieldsets": []},
    }


def _options(inst: Instrument) -> dict[str, Any]:
    return {
        "BackButton": "true",
        "SaveAndContinue": "true",
        "SurveyProtection": "PublicSurvey",
        "BallotBoxStuffingPrevention": "false",
        "NoIndex": "Yes",
        "SecureResponseFiles": "true",
        "SurveyExpiration": "None",
        "SurveyTermination": "DefaultMessage",
        "Header": "",
        "Footer": "",
        "ProgressBarDisplay": "None",
        "PartialData": "+1 week",
        "ValidationMessage": "",
        "PreviousButton": " ← ",
        "NextButton": " → ",
        "NewScoring": 1,
        "SurveyTitle": _h(inst.title),
        "SurveyName": _h(inst.title),
        "ProtectSelectionIds": True,
        "AnonymizeResponse": "Yes",
        "CollectGeoLocation": "false",
    }


def _intro(inst: Instrument, page: Page, *, first: bool, min_n: int) -> str:
    parts = []
    if first:
        parts += [
            f"<h1>{_h(inst.title)}</h1>",
            f"<p>{_h(how_to(inst))}</p>",
            f"<p><strong>{_h(texts(inst.language)['confidential_heading'])}</strong> "
            f"{_h(texts(inst.language)['confidential'].format(min_n=min_n))}</p>",
        ]
    parts.append(f"<h2>{_h(page.title)}</h2>")
    if page.instructions:
        parts.append(f"<p>{_h(page.instructions)}</p>")
    if page.has_grid and inst.influence is not None and inst.influence.stem:
        parts.append(f"<p><strong>{_h(inst.influence.stem)}</strong></p>")
    return "".join(parts)


def _descriptive(qid: str, tag: str, text: str) -> dict[str, Any]:
    return {
        "QuestionText": text,
        "DefaultChoices": False,
        "DataExportTag": tag,
        "QuestionType": "DB",
        "Selector": "TB",
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "QuestionDescription": _description(text),
        "ChoiceOrder": [],
        "Validation": {"Settings": {"Type": "None"}},
        "GradingData": [],
        "Language": [],
        "NextChoiceId": 1,
        "NextAnswerId": 1,
        "QuestionID": qid,
    }


def _question(q: Question, qid: str, taken: set[str], language: str = "en") -> dict[str, Any]:
    text = _h(q.text)
    common = {
        "QuestionText": text,
        "DefaultChoices": False,
        "QuestionDescription": _description(text),
        "Validation": _VALIDATION,
        "GradingData": [],
        "Language": [],
        "QuestionID": qid,
    }
    options = q.all_options  # the scale points, then the missing answers offered
    ids = [str(k) for k in range(1, len(options) + 1)]
    if q.kind in ("matrix", "grid"):
        rows = [str(k) for k in range(1, len(q.rows) + 1)]
        return {
            **common,
            "DataExportTag": unique(("grid_" if q.kind == "grid" else "") + q.key, taken),
            "QuestionType": "Matrix",
            "Selector": "Likert",
            "SubSelector": "SingleAnswer",
            "Configuration": {
                "QuestionDescriptionOption": "UseText",
                "TextPosition": "inline",
                "ChoiceColumnWidth": 25,
                "RepeatHeaders": "none",
                "WhiteSpace": "OFF",
                "MobileFirst": True,
            },
            "Choices": {r: {"Display": _h(t)} for r, (_, t) in zip(rows, q.rows, strict=True)},
            "ChoiceOrder": rows,
            "Answers": {
                a: {"Display": _h(label)} for a, (_, label) in zip(ids, options, strict=True)
            },
            "AnswerOrder": [int(a) for a in ids],
            "RecodeValues": {a: code for a, (code, _) in zip(ids, options, strict=True)},
            "ChoiceDataExportTags": {r: item for r, (item, _) in zip(rows, q.rows, strict=True)},
            "NextChoiceId": len(rows) + 1,
            "NextAnswerId": len(ids) + 1,
        }
    item = q.item_ids[0]
    if q.kind == "numeric":
        return {
            **common,
            "QuestionText": f"{text}<br><em>{_h(number_hint(q.scale, language))}</em>",
            "DataExportTag": item,
            "QuestionType": "TE",
            "Selector": "SL",
            "Configuration": {"QuestionDescriptionOption": "UseText", "AllowFreeResponse": "false"},
            "NextChoiceId": 1,
            "NextAnswerId": 1,
            "SearchSource": {"AllowFreeResponse": "false"},
        }
    if q.kind == "multiple" and not mentions_all_that_apply(q.text):
        common["QuestionText"] = f"{text}<br><em>{_h(texts(language)['all_that_apply'])}</em>"
    return {
        **common,
        "DataExportTag": item,
        "QuestionType": "MC",
        "Selector": "MAVR" if q.kind == "multiple" else "SAVR",
        "SubSelector": "TX",
        "Configuration": {"QuestionDescriptionOption": "UseText"},
        "Choices": {a: {"Display": _h(label)} for a, (_, label) in zip(ids, options, strict=True)},
        "ChoiceOrder": ids,
        "RecodeValues": {a: code for a, (code, _) in zip(ids, options, strict=True)},
        "NextChoiceId": len(ids) + 1,
        "NextAnswerId": 1,
    }


def _h(text: str) -> str:
    """Text for a field Qualtrics shows as HTML."""
    return html.escape(text, quote=False)


def _description(text: str) -> str:
    """The text Qualtrics keeps beside a question (first 100 characters) from its HTML
    ``text``: tags dropped, cut on the plain text, escaped again (the editor shows it as
    HTML)."""
    plain = " ".join(html.unescape(_TAG.sub(" ", text)).split())
    return _h(plain if len(plain) <= 100 else plain[:97] + "...")

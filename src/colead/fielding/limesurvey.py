"""LimeSurvey's tab-separated survey structure (``.txt``) for an instrument.

The format is LimeSurvey's "Tab Separated Value survey structure" (LimeSurvey manual, page of
that name, and LimeSurvey's ``TSVImportSurvey`` in ``application/helpers/admin/
import_helper.php``), checked against the structure files LimeSurvey exported for limonaid's
tests (gitlab-r-packages-mirror/limonaid ``inst/extdata/*.txt``). One UTF-8 file with a BOM;
the first row names the columns, and each further row has a ``class``:

- ``S``: a survey setting (``name`` the setting, ``text`` its value);
- ``SL``: a setting in one language (``surveyls_title``, ``surveyls_welcometext``, ...);
- ``G``: a question group (``name`` its title, ``text`` its description);
- ``Q``: a question (``type/scale`` its type, ``name`` its code, ``text``, ``help``,
  ``mandatory``; question attributes in further columns such as ``hidden``);
- ``SQ``: a sub-question of the question before it (``name`` its code, ``type/scale`` 0);
- ``A``: an answer option of the question before it (``name`` its code, ``text`` its label).

Rows belong to the group or question above them; the whole set of groups, questions,
sub-questions and answers is repeated, in the same order, for each further language. The
``id`` column numbers groups and questions (sub-questions share the questions' numbering) and
repeats the question's number on its answers, as LimeSurvey's own exports do.

Types used: ``F`` (array) for a scale's items and for each stakeholder of the influence grid,
``L`` (list, radio) for one answer from a list, ``N`` (numerical input, with its range) for a
number, ``M`` (multiple choice) for every option that applies, and a hidden short text ``S``
question ``schoolid`` for the school, filled from the survey link (``&schoolid=S01``).

Codes: LimeSurvey codes hold letters and digits only, a question code at most 20 characters
(``questions.title`` is ``string(20)``) and an answer code at most 5 (``answers.code`` is
``varchar(5)``). An item's code is its id without underscores, shortened part by part when it
would be longer (:func:`colead.io.limesurvey.item_codes`; the importer knows the same codes,
so ``inf_teachers_hiring`` in column ``infteachershiring`` or ``...[infteachershiring]`` is
found with no mapping). Answer codes, and the sub-question codes of a multiple-choice item,
are the instrument's values; a value that is not a whole number from 0 to 99999 cannot be one,
and is reported as an :class:`colead.InstrumentError`.

Missing answers: the missing answer options of a response scale (``missing: [{value: 8,
label: "Don't know"}]``) follow the scale points as further answers (``A`` rows) of its arrays
and lists, their codes as answer codes (so they too must be whole numbers from 0 to 99999).
An export then holds the code (answer codes) or the label (full answers), both read as
missing. Plain missing labels and codes are not offered (there is no code to export). The
survey setting ``shownoanswer`` adds LimeSurvey's own "No answer" to questions that are not
mandatory; it exports as a blank.
"""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

from colead.exceptions import InstrumentError, InstrumentProblem
from colead.fielding._layout import (
    Page,
    Question,
    how_to,
    in_language,
    mentions_all_that_apply,
    number_hint,
    pages,
    texts,
)
from colead.instrument import Instrument
from colead.io.limesurvey import CODE_LENGTH, META, item_codes

__all__ = ["COLUMNS", "structure_rows", "write_structure"]

#: The columns written (LimeSurvey reads any others as question attributes).
COLUMNS = (
    "id",
    "related_id",
    "class",
    "type/scale",
    "name",
    "relevance",
    "text",
    "help",
    "language",
    "validation",
    "mandatory",
    "other",
    "default",
    "same_default",
    "hidden",
    "min_num_value_n",
    "max_num_value_n",
)
SCHOOL_CODE = "schoolid"
_RESERVED = {*META, "token", "ipaddr", "refurl", SCHOOL_CODE}
_NOT_CODE = re.compile(r"[^A-Za-z0-9]+")
_TYPES = {"matrix": "F", "grid": "F", "single": "L", "numeric": "N", "multiple": "M"}


def write_structure(
    instrument: Instrument, path: Path, *, language: str | None, min_n: int
) -> Path:
    """Write the survey structure of ``instrument`` to ``path``, ``language`` (default: the
    instrument's own) as the base language and every other language it gives after it."""
    rows = structure_rows(instrument, language=language, min_n=min_n)
    buffer = io.StringIO()
    csv.writer(buffer, delimiter="\t", lineterminator="\n").writerows(rows)
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    return path


def structure_rows(
    instrument: Instrument, *, language: str | None = None, min_n: int = 5
) -> list[list[str]]:
    """The rows of the structure file, header first."""
    base = in_language(instrument, language, "field")
    languages = [base.language] + [lang for lang in instrument.languages if lang != base.language]
    layout = pages(base)
    codes = _codes(instrument, layout)
    rows = [list(COLUMNS)]
    rows += _settings(languages)
    versions = {lang: in_language(instrument, lang, "field") for lang in languages}
    for lang in languages:
        rows += _language_settings(versions[lang], min_n)
    for lang in languages:
        rows += _groups(pages(versions[lang]), codes, lang)
    return rows


def _row(**cells: str) -> list[str]:
    return [_clean(cells.get(column.replace("/", "_"), "")) for column in COLUMNS]


def _settings(languages: list[str]) -> list[list[str]]:
    settings = {
        "language": languages[0],
        "additional_languages": " ".join(languages[1:]),
        "format": "G",
        "anonymized": "Y",
        "datestamp": "Y",
        "ipaddr": "N",
        "refurl": "N",
        "savetimings": "N",
        "allowprev": "Y",
        "showwelcome": "Y",
        "showprogress": "Y",
        "questionindex": "0",
        "shownoanswer": "Y",
    }
    return [_row(**{"class": "S"}, name=name, text=value) for name, value in settings.items()]


def _language_settings(inst: Instrument, min_n: int) -> list[list[str]]:
    words = texts(inst.language)
    welcome = (
        f"<p>{_h(how_to(inst))}</p><p><strong>{_h(words['confidential_heading'])}"
        f"</strong> {_h(words['confidential'].format(min_n=min_n))}</p>"
    )
    values = {
        "surveyls_language": inst.language,
        "surveyls_title": _h(inst.title),
        "surveyls_description": "",
        "surveyls_welcometext": welcome,
        "surveyls_endtext": f"<p>{_h(words['thanks'])}</p>",
    }
    return [
        _row(**{"class": "SL"}, name=name, text=value, language=inst.language)
        for name, value in values.items()
    ]


def _codes(inst: Instrument, layout: list[Page]) -> dict[str, str]:
    """Question code of every question of the layout (by its key) and of every item; checks
    that the codes are distinct and that every answer and option value can be a code."""
    items = item_codes(inst.item_ids)
    where = inst.path or inst.name
    problems: list[InstrumentProblem] = []
    seen: dict[str, str] = {}
    for item_id, code in items.items():
        other = seen.setdefault(code.casefold(), item_id)
        if other != item_id:
            problems.append(
                InstrumentProblem(
                    where,
                    f"item {item_id!r}",
                    "id",
                    f"gives the LimeSurvey code {code!r}, as item {other!r} does; rename one",
                )
            )
        if code.casefold() in _RESERVED:
            problems.append(
                InstrumentProblem(
                    where,
                    f"item {item_id!r}",
                    "id",
                    f"gives the LimeSurvey code {code!r}, a column name of LimeSurvey's own; "
                    "rename the item",
                )
            )
    taken = set(seen) | _RESERVED
    codes = dict(items)
    for page in layout:
        for q in page.questions:
            if q.kind in ("matrix", "grid"):
                name = ("inf" if q.kind == "grid" else "") + _NOT_CODE.sub("", q.key)
                codes[f"{q.kind}:{q.key}"] = _unique_code(name, taken)
            for value, _ in q.options:
                if not (value.isdigit() and len(value) <= 5):
                    problems.append(
                        InstrumentProblem(
                            where,
                            f"response scale {q.scale.id!r}",
                            "labels",
                            f"value {value} cannot be a LimeSurvey answer code (at most five "
                            "digits); use whole numbers from 0 to 99999 to field it on LimeSurvey",
                        )
                    )
            for code, label in q.missing_options:
                if not (code.isdigit() and len(code) <= 5):
                    problems.append(
                        InstrumentProblem(
                            where,
                            f"response scale {q.scale.id!r}",
                            "missing",
                            f"code {code} of {label!r} cannot be a LimeSurvey answer code (at "
                            "most five digits); use a whole number from 0 to 99999 to field it "
                            "on LimeSurvey",
                        )
                    )
    if problems:
        raise InstrumentError(list(dict.fromkeys(problems)))
    return codes


def _groups(layout: list[Page], codes: dict[str, str], lang: str) -> list[list[str]]:
    rows: list[list[str]] = []
    number = 0  # question and sub-question ids, the same in every language
    for g, page in enumerate(layout, start=1):
        rows.append(
            _row(
                id=str(g),
                **{"class": "G"},
                name=_h(page.title),
                relevance="1",
                text=_h(page.instructions),
                language=lang,
            )
        )
        if g == 1:
            number += 1
            rows.append(
                _row(
                    id=str(number),
                    **{"class": "Q"},
                    type_scale="S",
                    name=SCHOOL_CODE,
                    relevance="1",
                    text=_h(texts(lang)["school"]),
                    language=lang,
                    mandatory="N",
                    other="N",
                    same_default="0",
                    hidden="1",
                )
            )
        for q in page.questions:
            number += 1
            qid = str(number)
            rows.append(_question_row(q, qid, codes, lang))
            if q.kind in ("matrix", "grid"):
                for item, text in q.rows:
                    number += 1
                    rows.append(
                        _row(
                            id=str(number),
                            **{"class": "SQ"},
                            type_scale="0",
                            name=codes[item],
                            text=_h(text),
                            language=lang,
                        )
                    )
            elif q.kind == "multiple":
                for value, label in q.options:
                    number += 1
                    rows.append(
                        _row(
                            id=str(number),
                            **{"class": "SQ"},
                            type_scale="0",
                            name=value,
                            text=_h(label),
                            language=lang,
                        )
                    )
            if q.kind in ("matrix", "grid", "single"):
                rows += [
                    _row(
                        id=qid,
                        **{"class": "A"},
                        type_scale="0",
                        name=value,
                        text=_h(label),
                        language=lang,
                    )
                    for value, label in q.all_options  # the scale, then missing answers
                ]
    return rows


def _unique_code(name: str, taken: set[str]) -> str:
    """``name`` cut to 20 characters, or with a number in place of its end if taken."""
    code, k = name[:CODE_LENGTH], 1
    while code.casefold() in taken:
        k += 1
        code = name[: CODE_LENGTH - len(str(k))] + str(k)
    taken.add(code.casefold())
    return code


def _question_row(q: Question, qid: str, codes: dict[str, str], lang: str) -> list[str]:
    matrix = q.kind in ("matrix", "grid")
    code = codes[f"{q.kind}:{q.key}"] if matrix else codes[q.item_ids[0]]
    text = _h(q.text)
    help_text = ""
    extra: dict[str, str] = {}
    if q.kind == "numeric":
        help_text = _h(number_hint(q.scale, lang))
        if q.scale.min is not None:
            extra["min_num_value_n"] = f"{q.scale.min:g}"
        if q.scale.max is not None:
            extra["max_num_value_n"] = f"{q.scale.max:g}"
    elif q.kind == "multiple" and not mentions_all_that_apply(q.text):
        help_text = _h(texts(lang)["all_that_apply"])
    return _row(
        id=qid,
        **{"class": "Q"},
        type_scale=_TYPES[q.kind],
        name=code,
        relevance="1",
        text=text,
        help=help_text,
        language=lang,
        mandatory="N",
        other="N",
        same_default="0",
        **extra,
    )


def _h(text: str) -> str:
    """Text for a field LimeSurvey shows as HTML."""
    return html.escape(text, quote=False)


def _clean(text: str) -> str:
    """One line: LimeSurvey reads a row per line."""
    return " ".join(text.replace("\t", " ").splitlines()) if text else ""

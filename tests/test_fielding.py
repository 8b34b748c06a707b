"""Fielding an instrument: platform files whose exports come back with no mapping, and a
codebook.

The questionnaire (HTML) is tested in test_fielding_questionnaire.py, the round trip of
platform exports in test_fielding_round_trip.py.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

import colead as cl
from colead.cli import main
from colead.exceptions import InstrumentError, InvalidParameterError
from colead.fielding import TARGETS
from colead.fielding.codebook import COLUMNS as CODEBOOK_COLUMNS
from colead.io.limesurvey import item_codes

from .conftest import REPO

REFERENCE = REPO / "tests" / "reference" / "fielding"
INSTRUMENTS = list(cl.list_instruments()["name"])
SUFFIX = {"html": ".html", "qualtrics": ".qsf", "limesurvey": ".txt", "codebook": ".csv"}

# A small instrument in English and Spanish, with every kind of question.
SPEC = {
    "name": "mini-es",
    "title": {"en": "Working here", "es": "Trabajar aquí"},
    "version": "1",
    "language": "en",
    "response_scales": {
        "agree4": {
            "labels": {
                1: {"en": "Disagree", "es": "En desacuerdo"},
                2: {"en": "Slightly disagree", "es": "Algo en desacuerdo"},
                3: {"en": "Slightly agree", "es": "Algo de acuerdo"},
                4: {"en": "Agree", "es": "De acuerdo"},
            },
            # a missing answer offered after the scale, with a label no default rule knows
            "missing": [
                "Not applicable",
                "No aplica",
                {"value": 8, "label": {"en": "Can't judge", "es": "No sé"}},
            ],
        },
        "level": {
            "type": "categorical",
            "labels": {
                1: {"en": "Primary", "es": "Primaria"},
                2: {"en": "Secondary", "es": "Secundaria"},
            },
        },
        "years": {"type": "numeric", "min": 0, "max": 50},
        "tools": {
            "type": "multiple",
            "labels": {
                1: {"en": "Planning time, shared", "es": "Tiempo de planificación"},
                2: {"en": "Coaching", "es": "Acompañamiento"},
                3: {"en": "None of these", "es": "Ninguno"},
            },
        },
    },
    "sections": {
        "trust": {
            "title": {"en": "Trust", "es": "Confianza"},
            "instructions": {"en": "Say how far you agree.", "es": "Indique su grado de acuerdo."},
        },
        "you": {"title": {"en": "About you", "es": "Sobre usted"}},
    },
    "scales": {
        "tp": {"title": {"en": "Trust in the principal", "es": "Confianza en la dirección"}}
    },
    "items": [
        {
            "id": "tp1",
            "text": {"en": "I can count on the principal.", "es": "Puedo contar con la dirección."},
            "scale": "tp",
            "response_scale": "agree4",
            "section": "trust",
        },
        {
            "id": "tp_2",
            "text": {
                "en": "The principal keeps <promises> & more.",
                "es": "La dirección cumple lo que promete.",
            },
            "scale": "tp",
            "reverse": True,
            "response_scale": "agree4",
            "section": "trust",
        },
        {
            "id": "school_level",
            "text": {"en": "Where do you teach?", "es": "¿Dónde enseña?"},
            "response_scale": "level",
            "section": "you",
        },
        {
            "id": "years_teaching",
            "text": {"en": "Years teaching", "es": "Años de docencia"},
            "response_scale": "years",
            "section": "you",
            "required": False,
        },
        {
            "id": "support_tools",
            "text": {"en": "What helps you?", "es": "¿Qué le ayuda?"},
            "response_scale": "tools",
            "section": "you",
        },
    ],
    "influence": {
        "stem": {"en": "How much influence do they have?", "es": "¿Cuánta influencia tienen?"},
        "stakeholders": {
            "principal": {"en": "The principal", "es": "La dirección"},
            "assistant_principals": {"en": "Assistant principals", "es": "Subdirección"},
        },
        "zones": {
            "hiring": {"en": "Hiring teachers", "es": "Contratar docentes"},
            "professional_development": {"en": "Professional development", "es": "Formación"},
        },
        "response_scale": "agree4",
        "generate": {
            "id": "inf_{stakeholder}_{zone}",
            "section": "trust",
            "text": {
                "en": "{stakeholder_label}: {zone_label}",
                "es": "{stakeholder_label}. {zone_label}",
            },
        },
    },
}


@pytest.fixture(scope="module")
def mini() -> cl.Instrument:
    return cl.load_instrument(SPEC)


# -- every bundled instrument, every target ---------------------------------------------------
@pytest.mark.parametrize("to", TARGETS)
@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_bundled_instrument_renders_to_every_target(name, to, tmp_path):
    path = cl.field(name, to=to, path=tmp_path / f"{name}{SUFFIX[to]}")
    assert path == tmp_path / f"{name}{SUFFIX[to]}" and path.stat().st_size > 1000
    if to == "codebook":
        assert path.with_suffix(".md").stat().st_size > 1000


# -- Qualtrics --------------------------------------------------------------------------------
def _qsf(inst: cl.Instrument | str, tmp_path: Path, **kwargs) -> dict:
    path = cl.field(inst, to="qualtrics", path=tmp_path / "survey.qsf", **kwargs)
    return json.loads(path.read_text(encoding="utf-8"))


def _questions(qsf: dict) -> list[dict]:
    return [e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "SQ"]


def _export_tags(qsf: dict) -> list[str]:
    """The columns an export of the survey has: a matrix's choice tags, else the tag."""
    tags = []
    for q in _questions(qsf):
        if q["QuestionType"] == "Matrix":
            tags += [q["ChoiceDataExportTags"][c] for c in q["ChoiceOrder"]]
        elif q["QuestionType"] != "DB":
            tags.append(q["DataExportTag"])
    return tags


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_qsf_is_json_with_every_item_once(name, tmp_path):
    qsf = _qsf(name, tmp_path)
    inst = cl.load_instrument(name)
    assert Counter(_export_tags(qsf)) == Counter(inst.item_ids)
    all_tags = [q["DataExportTag"] for q in _questions(qsf)]
    assert len({t.casefold() for t in all_tags}) == len(all_tags)  # Qualtrics needs them unique
    questions = {q["QuestionID"]: q for q in _questions(qsf)}
    elements = {e["Element"]: e for e in qsf["SurveyElements"]}
    assert elements["QC"]["SecondaryAttribute"] == str(len(questions))
    blocks = elements["BL"]["Payload"]
    in_blocks = [b["QuestionID"] for block in blocks for b in block["BlockElements"]]
    assert sorted(in_blocks) == sorted(questions)
    flow = elements["FL"]["Payload"]["Flow"]
    assert flow[0]["EmbeddedData"][0]["Field"] == "school_id"
    assert [f["ID"] for f in flow[1:]] == [b["ID"] for b in blocks if b["Type"] != "Trash"]
    assert len(flow[1:]) == len(inst.sections) or not inst.sections
    for q in questions.values():  # recodes: the instrument's values, then missing answers
        if "RecodeValues" in q:
            items = (
                list(q["ChoiceDataExportTags"].values())
                if q["QuestionType"] == "Matrix"
                else [q["DataExportTag"]]
            )
            rs = inst.response_scale_of(items[0])
            values = [f"{v:g}" for v in rs.values]
            if rs.type != "multiple":
                values += [f"{code:g}" for code, _ in rs.missing_options]
            order = q["AnswerOrder"] if q["QuestionType"] == "Matrix" else q["ChoiceOrder"]
            assert [q["RecodeValues"][str(a)] for a in order] == values


def _shape(value: object) -> object:
    """The keys of a JSON value, recursively (lists by their first element)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def test_qsf_has_the_structure_of_the_hand_written_reference(tmp_path):
    """tests/reference/fielding/minimal.qsf was written by hand from the public format
    description (see colead.fielding.qualtrics); the writer's output has its structure."""
    ref = json.loads((REFERENCE / "minimal.qsf").read_text(encoding="utf-8"))
    out = _qsf(cl.load_instrument(SPEC), tmp_path)
    assert set(out) == set(ref) and set(out["SurveyEntry"]) == set(ref["SurveyEntry"])
    ref_elements = {e["Element"]: e for e in ref["SurveyElements"] if e["Element"] != "SQ"}
    out_elements = {e["Element"]: e for e in out["SurveyElements"] if e["Element"] != "SQ"}
    assert set(out_elements) == set(ref_elements)
    for kind, element in ref_elements.items():
        assert set(out_elements[kind]) == set(element)
        if kind in ("FL", "SO", "SCO", "PROJ", "STAT"):
            assert _shape(out_elements[kind]["Payload"]) == _shape(element["Payload"]), kind
    ref_blocks = {b["Type"]: set(b) for b in ref_elements["BL"]["Payload"]}
    assert {b["Type"]: set(b) for b in out_elements["BL"]["Payload"]} == ref_blocks
    ref_questions = {(q["QuestionType"], q["Selector"]): q for q in _questions(ref)}
    seen = set()
    for q in _questions(out):
        kind = (q["QuestionType"], q["Selector"])
        assert set(q) == set(ref_questions[kind]), kind
        for key in ("Configuration", "Validation"):
            assert _shape(q[key]) == _shape(ref_questions[kind][key])
        seen.add(kind)
    assert seen == set(ref_questions)


def test_qsf_texts_are_escaped_and_translated(mini, tmp_path):
    qsf = _qsf(mini, tmp_path)
    text = json.dumps(qsf, ensure_ascii=False)
    assert "&lt;promises&gt; &amp; more" in text and "<promises>" not in text
    es = _qsf(mini, tmp_path, language="es")
    assert es["SurveyEntry"]["SurveyLanguage"] == "ES"
    es_text = json.dumps(es, ensure_ascii=False)
    assert "La dirección cumple lo que promete." in es_text and "keeps" not in es_text
    assert _export_tags(es) == _export_tags(qsf)  # the same ids in every language


# -- LimeSurvey -------------------------------------------------------------------------------
def _structure(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter="\t"))
    header = rows[0]
    assert all(len(r) == len(header) for r in rows)
    return [dict(zip(header, r, strict=True)) for r in rows[1:]]


@pytest.mark.parametrize("name", [*INSTRUMENTS, "mini"])
def test_limesurvey_has_one_row_per_question_and_answer(name, tmp_path, mini):
    inst = mini if name == "mini" else cl.load_instrument(name)
    rows = _structure(cl.field(inst, to="limesurvey", path=tmp_path / "s.txt"))
    from colead.fielding._layout import pages

    questions = [q for page in pages(inst) for q in page.questions]
    languages = [r["text"] for r in rows if r["class"] == "S" and r["name"] == "language"]
    assert languages == [inst.language]
    for lang in inst.languages:
        mine = [r for r in rows if r["language"] == lang and r["class"] in "G Q SQ A".split()]
        q_rows = [r for r in mine if r["class"] == "Q"]
        assert q_rows[0]["name"] == "schoolid" and q_rows[0]["hidden"] == "1"
        assert len(q_rows) == len(questions) + 1
        assert len([r for r in mine if r["class"] == "G"]) == len(pages(inst))
        subs = sum(
            len(q.rows)
            if q.kind in ("matrix", "grid")
            else len(q.options)
            if q.kind == "multiple"
            else 0
            for q in questions
        )
        assert len([r for r in mine if r["class"] == "SQ"]) == subs
        answers = sum(
            len(q.options) + len(q.scale.missing_options)
            for q in questions
            if q.kind in ("matrix", "grid", "single")
        )
        assert len([r for r in mine if r["class"] == "A"]) == answers
        for r in mine:
            if r["class"] in ("Q", "SQ"):
                assert r["name"].isalnum() and len(r["name"]) <= 20
            if r["class"] == "A":
                assert r["name"].isdigit() and len(r["name"]) <= 5
    codes = set(item_codes(inst.item_ids).values())
    named = {r["name"] for r in rows if r["class"] in ("Q", "SQ")}
    assert codes <= named  # every item's code is a question or sub-question code
    q_codes = [r["name"] for r in rows if r["class"] == "Q" and r["language"] == inst.language]
    assert len(set(map(str.casefold, q_codes))) == len(q_codes)


def test_limesurvey_follows_the_hand_written_reference(mini, tmp_path):
    """tests/reference/fielding/minimal_limesurvey.txt was written by hand from LimeSurvey's
    manual and the structure files LimeSurvey exported for limonaid's tests: the same
    columns, and per class of row the same columns filled."""
    ref = _structure(REFERENCE / "minimal_limesurvey.txt")
    out = _structure(cl.field(mini, to="limesurvey", path=tmp_path / "s.txt"))
    assert list(out[0]) == list(ref[0])

    def filled(rows: list[dict[str, str]]) -> dict[tuple[str, str], set[str]]:
        pattern: dict[tuple[str, str], set[str]] = {}
        for r in rows:
            kind = (r["class"], r["type/scale"] if r["class"] == "Q" else "")
            pattern.setdefault(kind, set()).update(k for k, v in r.items() if v)
        return pattern

    ref_filled, out_filled = filled(ref), filled(out)
    for kind, columns in ref_filled.items():
        assert out_filled[kind] >= columns - {"help"}, kind
    assert {r["name"] for r in out if r["class"] == "S"} >= {
        r["name"] for r in ref if r["class"] == "S"
    }


def test_limesurvey_languages_repeat_the_same_rows(mini, tmp_path):
    rows = _structure(cl.field(mini, to="limesurvey", path=tmp_path / "s.txt", language="es"))
    settings = {r["name"]: r["text"] for r in rows if r["class"] == "S"}
    assert settings["language"] == "es" and settings["additional_languages"] == "en"
    body = {
        lang: [
            (r["class"], r["name"], r["id"])
            for r in rows
            if r["language"] == lang and r["class"] in ("G", "Q", "SQ", "A") and r["class"] != "G"
        ]
        for lang in ("es", "en")
    }
    assert body["es"] == body["en"]
    texts = {
        r["language"]: r["text"] for r in rows if r["name"] == item_codes(mini.item_ids)["tp1"]
    }
    assert texts == {"es": "Puedo contar con la dirección.", "en": "I can count on the principal."}


def test_limesurvey_codes_have_letters_and_digits_only():
    ids = [
        "tp1",
        "tp_2",
        "inf_assistant_principals_standards",
        "inf_assistant_principals_standing",
        "inf_principal_standards",
    ]
    codes = item_codes(ids)
    assert codes["tp_2"] == "tp2"
    assert codes["inf_principal_standards"] == "infprincipastandard"
    assert all(c.isalnum() and len(c) <= 20 for c in codes.values())
    assert len({c.casefold() for c in codes.values()}) == len(ids)
    # the two shortenings would meet ("infassisprincstand"): both take a hash instead
    assert codes["inf_assistant_principals_standards"].startswith("infassistantpri")
    assert item_codes(ids) == codes


def test_values_limesurvey_cannot_hold_are_reported(tmp_path):
    spec = {
        **SPEC,
        "response_scales": {
            **SPEC["response_scales"],
            "level": {"type": "categorical", "labels": {-1: "Neither", 2.5: "Both"}},
        },
    }
    inst = cl.load_instrument(spec)
    with pytest.raises(InstrumentError, match="value -1 cannot be a LimeSurvey answer code"):
        cl.field(inst, to="limesurvey", path=tmp_path / "s.txt")
    # other targets field it; the codebook leaves the LimeSurvey column empty
    cl.field(inst, to="qualtrics", path=tmp_path / "s.qsf")
    table = pd.read_csv(cl.field(inst, to="codebook", path=tmp_path / "c.csv"), dtype=str)
    assert table["limesurvey"].isna().all()
    clash = {**SPEC, "items": [*SPEC["items"], {**SPEC["items"][0], "id": "tp_1"}]}
    with pytest.raises(InstrumentError, match="as item 'tp1' does"):
        cl.field(cl.load_instrument(clash), to="limesurvey", path=tmp_path / "s.txt")


def test_limesurvey_needs_missing_answer_codes_it_can_hold(tmp_path):
    spec = {
        **SPEC,
        "response_scales": {
            **SPEC["response_scales"],
            "agree4": {
                **SPEC["response_scales"]["agree4"],
                "missing": [{"value": -1, "label": "Can't judge"}],
            },
        },
    }
    inst = cl.load_instrument(spec)
    with pytest.raises(InstrumentError, match='code -1 of "Can\'t judge" cannot be a LimeSurvey'):
        cl.field(inst, to="limesurvey", path=tmp_path / "s.txt")
    matrix = next(q for q in _questions(_qsf(inst, tmp_path)) if q["QuestionType"] == "Matrix")
    assert matrix["RecodeValues"] == {"1": "1", "2": "2", "3": "3", "4": "4", "5": "-1"}


# -- missing answers offered after the scale --------------------------------------------------
def _offered(name: str, tmp_path: Path) -> tuple[cl.Instrument, list, dict[str, str]]:
    """The instrument, its questions that offer missing answers, and every target's text."""
    from colead.fielding._layout import pages

    inst = cl.load_instrument(name)
    asking = [q for page in pages(inst) for q in page.questions if q.missing_options]
    texts = {
        to: cl.field(inst, to=to, path=tmp_path / f"{name}{SUFFIX[to]}").read_text("utf-8-sig")
        for to in TARGETS
    }
    return inst, asking, texts


@pytest.mark.parametrize("name", INSTRUMENTS)
def test_every_bundled_instrument_offers_its_missing_answers_on_every_target(name, tmp_path):
    import html

    from markupsafe import escape

    from colead.fielding._layout import pages

    inst, asking, texts = _offered(name, tmp_path)
    coded = {rs.id: rs.missing_options for rs in inst.response_scale_list if rs.missing_options}
    assert {q.scale.id for q in asking} == set(coded)  # every scale's options are offered
    # Qualtrics: further answers after the scale points, recoded to the codes
    qsf = json.loads(texts["qualtrics"])
    for payload in _questions(qsf):
        if "RecodeValues" not in payload or payload["Selector"] == "MAVR":
            continue
        matrix = payload["QuestionType"] == "Matrix"
        first = payload["ChoiceDataExportTags"]["1"] if matrix else payload["DataExportTag"]
        rs = inst.response_scale_of(first)
        order = payload["AnswerOrder"] if matrix else payload["ChoiceOrder"]
        shown = payload["Answers"] if matrix else payload["Choices"]
        recodes = [payload["RecodeValues"][str(a)] for a in order]
        displays = [shown[str(a)]["Display"] for a in order]
        assert recodes == [f"{v:g}" for v in rs.values] + [f"{c}" for c, _ in rs.missing_options]
        assert displays[len(rs.values) :] == [
            html.escape(label, quote=False) for _, label in rs.missing_options
        ]
    # LimeSurvey: further A rows, their codes the codes
    rows = list(csv.DictReader(io.StringIO(texts["limesurvey"]), delimiter="\t"))
    answers: dict[str, list[tuple[str, str]]] = {}
    for r in rows:
        if r["class"] == "A" and r["language"] == inst.language:
            answers.setdefault(r["id"], []).append((r["name"], r["text"]))
    q_rows = [r for r in rows if r["class"] == "Q" and r["language"] == inst.language][1:]
    questions = [q for page in pages(inst) for q in page.questions]
    for q, q_row in zip(questions, q_rows, strict=True):
        if q.kind in ("matrix", "grid", "single"):
            expected = list(q.options) + list(q.missing_options)
            assert answers[q_row["id"]] == [(c, html.escape(t, quote=False)) for c, t in expected]
    # the questionnaire: the grid's key lists them apart, its boxes take their codes
    page = texts["html"]
    for q in asking:
        assert q.kind == "grid"  # the bundled ones are all on influence grids
        key = page[page.index('<ul class="missing-key">') :]
        key = key[: key.index("</ul>")]
        for code, label in q.missing_options:
            assert f'<span class="value">{code}</span> = {escape(label)}</li>' in key
        codes = "|".join(code for code, _ in q.all_options)
        assert page.count(f'pattern="{codes}"') == len(inst.influence.cells)
    assert ('class="missing-key"' in page) == bool(asking)
    # the codebook: which are offered, with their codes
    table = pd.read_csv(io.StringIO(texts["codebook"]), dtype=str, keep_default_na=False)
    for item, offered in zip(table["item_id"], table["missing_options"], strict=True):
        options = inst.response_scale_of(item).missing_options
        assert offered == " | ".join(f"{c} = {label}" for c, label in options)
    markdown = (tmp_path / f"{name}.md").read_text(encoding="utf-8")
    assert ("Offered after the scale points" in markdown) == bool(asking)


def test_missing_answers_of_a_translated_survey(mini, tmp_path):
    rows = _structure(cl.field(mini, to="limesurvey", path=tmp_path / "s.txt"))
    offered = {r["language"]: r["text"] for r in rows if r["class"] == "A" and r["name"] == "8"}
    assert offered == {"en": "Can't judge", "es": "No sé"}
    es = json.dumps(_qsf(mini, tmp_path, language="es"), ensure_ascii=False)
    assert '"Display": "No sé"' in es and "Can't judge" not in es


# -- codebook ---------------------------------------------------------------------------------
def test_codebook_lists_every_item_with_its_platform_columns(mini, tmp_path):
    path = cl.field(mini, to="codebook", path=tmp_path / "book.md")
    assert path == tmp_path / "book.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(table.columns) == CODEBOOK_COLUMNS and list(table["item_id"]) == list(mini.item_ids)
    row = table.set_index("item_id")
    assert row.at["tp_2", "reverse"] == "True" and row.at["tp_2", "limesurvey"] == "tp[tp2]"
    assert row.at["tp1", "values"].startswith("1 = Disagree | 2 = Slightly disagree")
    assert row.at["tp1", "missing"] == "Not applicable | No aplica | 8 = Can't judge"
    assert row.at["tp1", "missing_options"] == "8 = Can't judge"
    assert row.at["school_level", "missing_options"] == ""
    assert row.at["support_tools", "data_columns"] == (
        "support_tools__1 | support_tools__2 | support_tools__3"
    )
    assert row.at["support_tools", "limesurvey"].split(" | ")[0] == "supporttools[1]"
    assert row.at["inf_principal_hiring", "stakeholder"] == "The principal"
    markdown = path.with_suffix(".md").read_text(encoding="utf-8")
    assert markdown.startswith("# Codebook: Working here")
    assert all(f"| {i} |" in markdown for i in mini.item_ids)
    assert "&lt;promises&gt;" in markdown
    folder = cl.field(mini, to="codebook", path=tmp_path / "books", language="es")
    assert folder == tmp_path / "books" / "mini-es-codebook.csv"
    spanish = pd.read_csv(folder, dtype=str, keep_default_na=False)
    assert spanish.loc[0, "text"] == "Puedo contar con la dirección."


# -- arguments and the command line -----------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"to": "pdf"}, "'to' parameter of field"),
        ({"to": "html", "language": "fr"}, "instrument's languages \\(en, es\\); got 'fr'"),
        ({"to": "html", "min_n": 2}, "allow_small_groups"),
    ],
)
def test_bad_arguments(mini, tmp_path, kwargs, message):
    with pytest.raises(InvalidParameterError, match=message):
        cl.field(mini, path=tmp_path / "x", **kwargs)


def test_command_line(tmp_path, capsys):
    out = tmp_path / "survey.txt"
    assert main(["field", "sass-teacher-influence", "--to", "limesurvey", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out and out.exists()
    assert main(["field", "colead-teacher", "--to", "codebook", "-o", str(tmp_path)]) == 0
    assert ".md" in capsys.readouterr().out
    assert (
        main(
            [
                "field",
                "colead-teacher",
                "--to",
                "html",
                "-o",
                str(tmp_path / "q.html"),
                "--language",
                "fr",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--language must be one of" in err and len(err.strip().splitlines()) == 1


# -- every text the platforms show as HTML is escaped ----------------------------------------
HOSTILE = '<img src=x onerror="alert(1)"> & co'


def _hostile_instrument() -> cl.Instrument:
    import copy

    spec = copy.deepcopy(SPEC)
    spec["title"] = {"en": f"Survey {HOSTILE}", "es": f"Encuesta {HOSTILE}"}
    spec["sections"]["trust"]["title"] = {"en": f"Trust {HOSTILE}", "es": f"Confianza {HOSTILE}"}
    spec["sections"]["you"]["title"] = {"en": f"You {HOSTILE}", "es": f"Usted {HOSTILE}"}
    spec["sections"]["trust"]["instructions"] = {"en": f"Say {HOSTILE}", "es": f"Diga {HOSTILE}"}
    spec["scales"]["tp"]["title"] = {"en": f"Trust scale {HOSTILE}", "es": f"Escala {HOSTILE}"}
    spec["items"][0]["text"] = {"en": f"Count on {HOSTILE}", "es": f"Contar {HOSTILE}"}
    spec["items"][2]["text"] = {"en": f"Where {HOSTILE}", "es": f"Dónde {HOSTILE}"}
    return cl.load_instrument(spec)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_qsf_escapes_the_title_block_names_and_question_descriptions(tmp_path):
    qsf = _qsf(_hostile_instrument(), tmp_path)
    texts = _strings(qsf)
    assert not [t for t in texts if "<img" in t]
    escaped = "&lt;img src=x onerror=\"alert(1)\"&gt; &amp; co"
    entry, options = qsf["SurveyEntry"], next(
        e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "SO"
    )
    assert entry["SurveyName"] == options["SurveyTitle"] == f"Survey {escaped}"
    blocks = next(e["Payload"] for e in qsf["SurveyElements"] if e["Element"] == "BL")
    assert {b["Description"] for b in blocks if b["Type"] != "Trash"} >= {f"Trust {escaped}"}
    described = [q["QuestionDescription"] for q in _questions(qsf)]
    assert f"Trust scale {escaped}" in described and f"Where {escaped}" in described


def test_limesurvey_escapes_the_title_and_group_names(tmp_path):
    rows = _structure(cl.field(_hostile_instrument(), to="limesurvey", path=tmp_path / "s.txt"))
    assert not [r for r in rows if "<img" in r["text"] or "<img" in r["name"]]
    escaped = "&lt;img src=x onerror=\"alert(1)\"&gt; &amp; co"
    titles = {r["language"]: r["text"] for r in rows if r["name"] == "surveyls_title"}
    assert titles == {"en": f"Survey {escaped}", "es": f"Encuesta {escaped}"}
    groups = {(r["language"], r["name"]) for r in rows if r["class"] == "G"}
    assert ("en", f"Trust {escaped}") in groups and ("es", f"Confianza {escaped}") in groups

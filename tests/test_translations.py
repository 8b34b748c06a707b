"""Instruments in several languages: texts, labels and grids translate; imports read any of
them."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pytest

import colead as cl
from colead.exceptions import InstrumentError

SPEC = {
    "name": "trust-es", "title": {"en": "Trust", "es": "Confianza"}, "version": "1",
    "language": "en",
    "response_scales": {
        "agree4": {"labels": {1: {"en": "Disagree", "es": "En desacuerdo"},
                              2: {"en": "Slightly disagree", "es": "Algo en desacuerdo"},
                              3: {"en": "Slightly agree", "es": "Algo de acuerdo"},
                              4: {"en": "Agree", "es": "De acuerdo"}},
                   "missing": ["Not applicable", "No aplica"]},
    },
    "sections": {"trust": {"title": {"en": "Trust", "es": "Confianza"},
                           "instructions": {"en": "Say how far you agree.",
                                            "es": "Indique su grado de acuerdo."}}},
    "scales": {"tp": {"title": {"en": "Trust in the principal",
                                "es": "Confianza en la dirección"}}},
    "items": [
        {"id": "tp1", "text": {"en": "I can count on the principal.",
                               "es": "Puedo contar con la dirección."},
         "scale": "tp", "response_scale": "agree4", "section": "trust"},
        {"id": "tp2", "text": {"en": "The principal keeps promises.",
                               "es": "La dirección cumple lo que promete."},
         "scale": "tp", "response_scale": "agree4", "section": "trust"},
        {"id": "tp3", "text": {"en": "The principal is not always straight with us.",
                               "es": "La dirección no siempre es sincera con nosotros."},
         "scale": "tp", "reverse": True, "response_scale": "agree4", "section": "trust"},
    ],
    "influence": {
        "stakeholders": {"principal": {"en": "The principal", "es": "La dirección"},
                         "teachers": {"en": "Teachers", "es": "El profesorado"}},
        "zones": {"hiring": {"en": "Hiring teachers", "es": "Contratar docentes"},
                  "budget": {"en": "The budget", "es": "El presupuesto"}},
        "response_scale": "agree4",
        "generate": {"id": "inf_{stakeholder}_{zone}",
                     "text": {"en": "{stakeholder_label}: {zone_label}",
                              "es": "{stakeholder_label}. {zone_label}"}},
    },
}


@pytest.fixture(scope="module")
def inst():
    return cl.load_instrument(SPEC)


def test_languages_and_translated_copy(inst):
    assert inst.languages == ("en", "es")
    es = inst.translated("es")
    assert es.title == "Confianza" and es.language == "es"
    assert es.item("tp2").text == "La dirección cumple lo que promete."
    assert es.response_scales["agree4"].label_map[4] == "De acuerdo"
    assert es.scales["tp"].title == "Confianza en la dirección"
    assert es.sections["trust"]["instructions"] == "Indique su grado de acuerdo."
    assert es.item("inf_teachers_budget").text == "El profesorado. El presupuesto"
    assert es.influence.zone_labels["hiring"] == "Contratar docentes"
    assert es.item_ids == inst.item_ids and es.keys().equals(inst.keys())
    back = es.translated("en")
    assert back.item("tp1").text == inst.item("tp1").text
    assert back.response_scales == inst.response_scales
    with pytest.raises(KeyError, match="has no texts in 'fr'"):
        inst.translated("fr")


def test_every_translation_needs_the_instruments_own_language():
    bad = {**SPEC, "items": [{**SPEC["items"][0], "text": {"es": "Solo en español"}}]}
    with pytest.raises(InstrumentError, match="has no text in the instrument's language 'en'"):
        cl.load_instrument(bad)
    odd = {**SPEC, "title": {"en": "Trust", "Spanish": "Confianza"}}
    with pytest.raises(InstrumentError, match="'Spanish' is not a language code"):
        cl.load_instrument(odd)


@pytest.mark.parametrize("platform", ["google_forms", "qualtrics"])
def test_an_export_in_another_language_reads_without_a_mapping(inst, platform):
    resp = cl.simulate(inst, n_schools=3, respondents=6, seed=2, missing=0.1)
    spanish = dataclasses.replace(resp, instrument=inst.translated("es"))
    buffer = io.StringIO()
    kwargs = {"values": "labels", "column_names": "platform"} if platform == "qualtrics" else {}
    cl.write_export(spanish, buffer, platform=platform, **kwargs)
    text = buffer.getvalue()
    assert "De acuerdo" in text and "Puedo contar con la dirección." in text
    back = cl.read_responses(text.encode(), inst,
                             school="School" if platform == "google_forms" else "school_id")
    assert back.log.unmapped_columns == ()
    np.testing.assert_array_equal(back.items.to_numpy(), resp.items.to_numpy())


def test_a_spanish_survey_has_colead_own_texts_in_spanish_too(tmp_path):
    """Cover, confidentiality statement, answering hints and thanks follow the language
    (fielding/_layout.py's TEXTS), in the questionnaire, the .qsf and the LimeSurvey file."""
    import json
    import re

    from colead.fielding._layout import TEXTS

    english = [TEXTS["en"][key].split("{")[0].strip() for key in
               ("about", "confidential_heading", "thanks", "all_that_apply", "statement")]
    html = cl.field("colead-teacher", to="html", path=tmp_path / "q.html", language="es")
    body = re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8").split("<body", 1)[1])
    qsf = cl.field("colead-teacher", to="qualtrics", path=tmp_path / "s.qsf", language="es")
    qsf_text = json.dumps(json.loads(qsf.read_text(encoding="utf-8")), ensure_ascii=False)
    lime = cl.field("colead-teacher", to="limesurvey", path=tmp_path / "s.txt", language="es")
    lime_es = "\n".join(line for line in lime.read_text(encoding="utf-8").splitlines()
                        if "\tes\t" in line)
    for text in (body, qsf_text, lime_es):
        assert "Sus respuestas son confidenciales." in text
        assert not [phrase for phrase in english if phrase and phrase in text]
    assert "Un número del 0 al 50" in body and "Acerca de esta encuesta" in body
    assert set(TEXTS["es"]) == set(TEXTS["en"])

"""The Spanish versions of colead-teacher and colead-collaboration: every text translated,
marked as not yet validated with respondents, and Spanish exports read back with no mapping."""

from __future__ import annotations

import dataclasses
import io
import re

import numpy as np
import pytest

import colead as cl
from colead.instrument import bundled_instrument_paths

from .conftest import REPO

SPANISH = ["colead-teacher", "colead-collaboration"]
# Words that mark English left in a Spanish text (none of them is Spanish).
ENGLISH = re.compile(r"\b(the|and|teachers?|school|students?|how|often|with|your|you)\b", re.I)


def _keys(inst: cl.Instrument) -> list[str]:
    """Every text of the instrument that a translation must give."""
    keys = ["title"] + [f"item:{i.id}" for i in inst.item_list]
    keys += [f"scale:{s.id}" for s in inst.scale_list]
    for sid in inst.sections:
        keys += [f"section:{sid}:title", f"section:{sid}:instructions"]
    for rs in inst.response_scale_list:
        keys += [f"label:{rs.id}:{v:g}" for v, _ in rs.labels]
        keys += [f"missing:{rs.id}:{v:g}" for v, _ in rs.missing_options]
    if inst.influence is not None:
        keys += ["stem"] + [f"stakeholder:{s}" for s, _ in inst.influence.stakeholders]
        keys += [f"zone:{z}" for z, _ in inst.influence.zones]
    return keys


@pytest.fixture(scope="module", params=SPANISH)
def inst(request):
    return cl.load_instrument(request.param)


def test_only_the_two_instruments_are_in_spanish():
    languages = {name: cl.load_instrument(name).languages for name in bundled_instrument_paths()}
    assert {name for name, langs in languages.items() if "es" in langs} == set(SPANISH)
    assert all(langs == ("en", "es") for name, langs in languages.items() if name in SPANISH)


def test_every_text_is_given_in_spanish(inst):
    spanish = {key: text for lang, key, text in inst.translation_list if lang == "es"}
    keys = _keys(inst)
    assert [k for k in keys if k not in spanish] == []
    for key in keys:
        assert spanish[key].strip() and spanish[key] != inst.text_of(key), key
        assert not ENGLISH.search(spanish[key]), (key, spanish[key])


def test_spanish_texts_are_distinct_and_punctuated(inst):
    es = inst.translated("es")
    texts = [i.text for i in es.item_list]
    assert len(set(texts)) == len(texts)  # columns can be matched by their text
    for item in es.item_list:
        english = inst.item(item.id).text
        # a question in English is a question in Spanish, with both marks
        assert english.endswith("?") == item.text.endswith("?"), item.id
        assert item.text.startswith("¿") == item.text.endswith("?") or "¿" in item.text, item.id
        assert item.text.count("¿") == item.text.count("?"), item.id
    for rs in es.response_scale_list:
        labels = [label for _, label in rs.labels]
        assert len(set(labels)) == len(labels), rs.id


def test_spanish_missing_answers_read_as_missing(inst):
    for rs in inst.response_scale_list:
        # plain labels (answer options translate with the scale's other labels, below)
        options = {label for _, label in rs.missing_options}
        texts = {m for m in rs.missing if isinstance(m, str)} - options
        if "Not applicable" in texts:
            assert "No aplica" in texts, rs.id
        if "Don't know" in texts:
            assert "No sé" in texts, rs.id
    es = inst.translated("es")
    for rs in es.response_scale_list:
        for code, label in rs.missing_options:
            assert label in ("No sé", "No aplica"), (rs.id, code, label)


def test_marked_as_a_translation_not_yet_validated(inst):
    text = bundled_instrument_paths()[inst.name].read_text(encoding="utf-8")
    assert "NOT YET BEEN VALIDATED WITH RESPONDENTS" in text
    assert "not yet validated with respondents" in " ".join(inst.source.split())
    readme = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    assert f"`{inst.name}`" in readme
    assert "Spanish" in readme and "not yet been validated with respondents" in readme


def test_english_is_the_instruments_own_language(inst):
    assert inst.language == "en" and inst.languages == ("en", "es")
    back = inst.translated("es").translated("en")
    assert [i.text for i in back.item_list] == [i.text for i in inst.item_list]
    assert back.response_scales == inst.response_scales
    assert dataclasses.replace(back, translation_list=()) == dataclasses.replace(
        inst, translation_list=()
    )


@pytest.mark.parametrize("platform", ["google_forms", "qualtrics"])
def test_a_spanish_export_reads_back_without_a_mapping(inst, platform):
    resp = cl.simulate(inst, n_schools=3, respondents=8, seed=16, missing=0.1)
    spanish = dataclasses.replace(resp, instrument=inst.translated("es"))
    buffer = io.StringIO()
    kwargs = {"values": "labels", "column_names": "platform"} if platform == "qualtrics" else {}
    cl.write_export(spanish, buffer, platform=platform, **kwargs)
    text = buffer.getvalue()
    assert "De acuerdo" in text and "esta escuela" in text
    assert "Strongly agree" not in text
    back = cl.read_responses(text.encode(), inst,
                             school="School" if platform == "google_forms" else "school_id")
    assert back.log.unmapped_columns == ()
    np.testing.assert_array_equal(back.items.to_numpy(), resp.items.to_numpy())


def test_the_spanish_questionnaire_shows_the_spanish_texts(inst, tmp_path):
    path = cl.field(inst, to="html", path=tmp_path / "cuestionario.html", language="es")
    html = path.read_text(encoding="utf-8")
    es = inst.translated("es")
    assert '<html lang="es">' in html
    assert es.title in html
    for item in es.item_list:
        if inst.influence is None or item.id not in inst.influence.item_ids:
            assert item.text.replace("'", "&#39;") in html, item.id

"""An instrument's texts in another of its languages (:meth:`Instrument.translated`).

The parser files every text given in a language other than the instrument's own under a key:
``title``, ``item:<id>``, ``label:<scale>:<value>``, ``missing:<scale>:<code>`` (the label of a
missing answer option), ``scale:<id>``, ``section:<id>:title``, ``section:<id>:instructions``,
``stem``, ``stakeholder:<id>`` and ``zone:<id>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from colead.instrument.model import Instrument, ResponseScale

__all__ = ["text_of", "translated"]


def translated(inst: Instrument, language: str) -> Instrument:
    """``inst`` with its texts in ``language`` (where the file gives them; otherwise in its
    own language); ids, values and structure unchanged. KeyError for a language it lacks."""
    if language not in inst.languages:
        raise KeyError(
            f"instrument {inst.name!r} has no texts in {language!r}; it has "
            f"{', '.join(inst.languages)}"
        )
    if language == inst.language:
        return inst
    table = {(lang, key): text for lang, key, text in inst.translation_list}

    def tr(key: str, text: str) -> str:
        return str(table.get((language, key), text))

    grid = inst.influence
    if grid is not None:
        grid = replace(
            grid,
            stem=tr("stem", grid.stem),
            stakeholders=tuple((s, tr(f"stakeholder:{s}", t)) for s, t in grid.stakeholders),
            zones=tuple((z, tr(f"zone:{z}", t)) for z, t in grid.zones),
        )
    return replace(
        inst,
        title=tr("title", inst.title),
        language=language,
        response_scale_list=tuple(_scale(rs, tr) for rs in inst.response_scale_list),
        item_list=tuple(replace(i, text=tr(f"item:{i.id}", i.text)) for i in inst.item_list),
        scale_list=tuple(
            replace(sc, title=tr(f"scale:{sc.id}", sc.title)) for sc in inst.scale_list
        ),
        section_list=tuple(
            (sid, tr(f"section:{sid}:title", t), tr(f"section:{sid}:instructions", ins))
            for sid, t, ins in inst.section_list
        ),
        influence=grid,
        # the texts it now shows in `language` are kept under the original language
        translation_list=tuple(
            (
                inst.language if lang == language else lang,
                key,
                text_of(inst, key) if lang == language else text,
            )
            for lang, key, text in inst.translation_list
        ),
    )


def _scale(rs: ResponseScale, tr: Callable[[str, str], str]) -> ResponseScale:
    """A response scale with its labels and missing answer options translated by ``tr``."""
    labels = tuple((v, tr(f"label:{rs.id}:{v:g}", label)) for v, label in rs.labels)
    options = tuple(
        (code, tr(f"missing:{rs.id}:{code:g}", label)) for code, label in rs.missing_options
    )
    renamed = {old: new for (_, old), (_, new) in zip(rs.missing_options, options, strict=True)}
    missing = tuple(renamed.get(m, m) if isinstance(m, str) else m for m in rs.missing)
    return replace(rs, labels=labels, missing=missing, missing_options=options)


def text_of(inst: Instrument, key: str) -> str:
    """The text of ``key`` in the instrument's own language."""
    kind, _, rest = key.partition(":")
    if kind == "item":
        return inst.item(rest).text
    if kind == "scale":
        return inst.scales[rest].title
    if kind in ("label", "missing"):
        rs_id, _, value = rest.rpartition(":")
        rs = inst.response_scales[rs_id]
        texts: tuple[tuple[float, str], ...] = rs.labels if kind == "label" else rs.missing_options
        return next(label for v, label in texts if f"{v:g}" == value)
    if kind == "section":
        sid, _, part = rest.partition(":")
        section = inst.sections[sid]
        return section["title" if part == "title" else "instructions"]
    if kind in ("stakeholder", "zone") and inst.influence is not None:
        pairs = inst.influence.stakeholders if kind == "stakeholder" else inst.influence.zones
        return dict(pairs)[rest]
    if kind == "stem" and inst.influence is not None:
        return inst.influence.stem
    return inst.title

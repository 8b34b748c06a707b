"""The :class:`Instrument`: a survey definition made of the parts in :mod:`.parts`, with its
lookups, psych-style keys, languages and views.

It is immutable, so it can be shared between analyses and cached. Build one with
:func:`colead.load_instrument`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from colead.instrument.parts import (
    OPTION_SEPARATOR,
    InfluenceGrid,
    Item,
    Number,
    ResponseScale,
    Scale,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OPTION_SEPARATOR", "InfluenceGrid", "Instrument", "Item", "Number", "ResponseScale",
           "Scale"]


@dataclass(frozen=True)
class Instrument:
    """A survey definition. Build one with :func:`load_instrument`.

    ``items`` is a DataFrame of the items; ``scales`` maps scale ids to :class:`Scale`;
    ``keys()`` is the psych-style scoring key; ``influence`` is the grid or None.
    """

    name: str
    title: str
    version: str
    response_scale_list: tuple[ResponseScale, ...] = field(repr=False)
    item_list: tuple[Item, ...] = field(repr=False)
    scale_list: tuple[Scale, ...] = field(repr=False, default=())
    influence: InfluenceGrid | None = field(repr=False, default=None)
    section_list: tuple[tuple[str, str, str], ...] = field(repr=False, default=())
    source: str = field(repr=False, default="")
    licence: str = field(repr=False, default="")
    citations: tuple[str, ...] = field(repr=False, default=())
    description: str = field(repr=False, default="")
    respondent: str = field(repr=False, default="")
    language: str = field(repr=False, default="en")
    translation_list: tuple[tuple[str, str, str], ...] = field(repr=False, default=())
    path: str | None = field(repr=False, default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_item_index", {item.id: item for item in self.item_list})
        object.__setattr__(self, "_rs_index", {rs.id: rs for rs in self.response_scale_list})
        object.__setattr__(self, "_scale_index", {sc.id: sc for sc in self.scale_list})

    # -- lookups -------------------------------------------------------------------------
    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in the order of the file (the column names of response data)."""
        return tuple(item.id for item in self.item_list)

    def item(self, item_id: str) -> Item:
        """The item with this id."""
        try:
            return self._item_index[item_id]  # type: ignore[attr-defined, no-any-return]
        except KeyError:
            raise KeyError(f"instrument {self.name!r} has no item {item_id!r}") from None

    def response_scale_of(self, item_id: str) -> ResponseScale:
        """The response scale of one item."""
        return self._rs_index[self.item(item_id).response_scale]  # type: ignore[attr-defined, no-any-return]

    def data_columns(self, item_id: str) -> tuple[str, ...]:
        """The data columns of one item: its id, or for a multiple-choice item one 0/1
        column per option, ``<item>__<code>``."""
        rs = self.response_scale_of(item_id)
        if rs.type != "multiple":
            return (item_id,)
        return tuple(f"{item_id}{OPTION_SEPARATOR}{v:g}" for v in rs.values)

    @property
    def column_ids(self) -> tuple[str, ...]:
        """Every data column of the instrument, in item order."""
        return tuple(c for item_id in self.item_ids for c in self.data_columns(item_id))

    @property
    def response_scales(self) -> dict[str, ResponseScale]:
        """Response-scale id -> :class:`ResponseScale`."""
        return dict(self._rs_index)  # type: ignore[attr-defined]

    @property
    def scales(self) -> dict[str, Scale]:
        """Scale id -> :class:`Scale`, in the order of the file."""
        return dict(self._scale_index)  # type: ignore[attr-defined]

    @property
    def sections(self) -> dict[str, dict[str, str]]:
        """Section id -> {"title", "instructions"}."""
        return {
            sid: {"title": title, "instructions": text} for sid, title, text in self.section_list
        }

    @property
    def items(self) -> pd.DataFrame:
        """One row per item: item_id, text, scale, reverse, response_scale, section, min, max,
        n_points, type. ``scale`` is the item's own scale, else the first scale listing it."""
        import pandas as pd

        # An item without a scale of its own shows the first scale that lists it.
        listed = {}
        for sc in reversed(self.scale_list):
            listed.update(dict.fromkeys(sc.items, sc.id))
        rows = []
        for item in self.item_list:
            rs = self._rs_index[item.response_scale]  # type: ignore[attr-defined]
            rows.append(
                {
                    "item_id": item.id,
                    "text": item.text,
                    "scale": item.scale or listed.get(item.id),
                    "reverse": item.reverse,
                    "response_scale": item.response_scale,
                    "section": item.section,
                    "min": rs.min,
                    "max": rs.max,
                    "n_points": rs.n_points,
                    "type": rs.type,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "item_id",
                "text",
                "scale",
                "reverse",
                "response_scale",
                "section",
                "min",
                "max",
                "n_points",
                "type",
            ],
        )

    def keys(self) -> pd.DataFrame:
        """Scoring keys as in R psych (``make.keys``): items x scales of -1, 0 and 1.

        Rows are the items that belong to at least one scale, in the order of the file;
        -1 marks a reverse-keyed item.
        """
        import numpy as np
        import pandas as pd

        scored = [i for i in self.item_ids if any(i in sc.items for sc in self.scale_list)]
        keys = pd.DataFrame(
            np.zeros((len(scored), len(self.scale_list)), dtype=np.int64),
            index=pd.Index(scored, name="item_id"),
            columns=pd.Index([sc.id for sc in self.scale_list], name="scale"),
        )
        for sc in self.scale_list:
            for item_id in sc.items:
                keys.loc[item_id, sc.id] = -1 if self.item(item_id).reverse else 1
        return keys

    # -- languages -----------------------------------------------------------------------
    @property
    def languages(self) -> tuple[str, ...]:
        """The instrument's own language first, then the others its texts are given in."""
        others = sorted({lang for lang, _, _ in self.translation_list} - {self.language})
        return (self.language, *others)

    def variants(self, key: str) -> list[str]:
        """The texts of ``key`` (``item:<id>``, ``label:<scale>:<value>``,
        ``missing:<scale>:<code>``, ``scale:<id>``, ``stakeholder:<id>``, ``zone:<id>``, ...)
        in the other languages."""
        return [text for lang, k, text in self.translation_list if k == key]

    def translated(self, language: str) -> Instrument:
        """The same instrument with its texts in ``language`` (where the file gives them;
        otherwise in its own language). Ids, values and structure do not change. KeyError for
        a language it lacks.

        The parser files every text given in a language other than the instrument's own under
        a key: ``title``, ``item:<id>``, ``label:<scale>:<value>``, ``missing:<scale>:<code>``
        (the label of a missing answer option), ``scale:<id>``, ``section:<id>:title``,
        ``section:<id>:instructions``, ``stem``, ``stakeholder:<id>`` and ``zone:<id>``.
        """
        return _translated(self, language)

    def text_of(self, key: str) -> str:
        """The text of ``key`` (as in :meth:`variants`) in the instrument's own language."""
        return _text_of(self, key)

    # -- display -------------------------------------------------------------------------
    def summary(self) -> str:
        """A short text description of the instrument."""
        lines = [
            f"{self.title} ({self.name} {self.version})",
            f"{len(self.item_list)} items, {len(self.scale_list)} scales",
        ]
        for sc in self.scale_list:
            n_rev = sum(self.item(i).reverse for i in sc.items)
            lines.append(
                f"  {sc.id}: {sc.title} ({sc.k} items, {n_rev} reversed, "
                f"{_fmt(sc.min)}-{_fmt(sc.max)})"
            )
        if self.influence is not None:
            grid = self.influence
            lines.append(
                f"influence grid: {len(grid.stakeholders)} stakeholders x "
                f"{len(grid.zones)} zones, {len(grid.cells)} items on "
                f"{grid.response_scale!r}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(sc.id)}</td><td>{escape(sc.title)}</td><td>{sc.k}</td>"
            f"<td>{sum(self.item(i).reverse for i in sc.items)}</td></tr>"
            for sc in self.scale_list
        )
        grid = ""
        if self.influence is not None:
            g = self.influence
            grid = (
                f"<p>Influence grid: {len(g.stakeholders)} stakeholders &times; "
                f"{len(g.zones)} zones.</p>"
            )
        return (
            f"<div><strong>{escape(self.title)}</strong> ({escape(self.name)} "
            f"{escape(self.version)}): {len(self.item_list)} items"
            f"<table><caption>Scales</caption><thead><tr><th>scale</th><th>title</th>"
            f"<th>items</th><th>reversed</th></tr></thead><tbody>{rows}</tbody></table>"
            f"{grid}</div>"
        )


def _fmt(x: Number | None) -> str:
    return "?" if x is None else f"{x:g}"


def _translated(inst: Instrument, language: str) -> Instrument:
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
        response_scale_list=tuple(rs.with_texts(tr) for rs in inst.response_scale_list),
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
                _text_of(inst, key) if lang == language else text,
            )
            for lang, key, text in inst.translation_list
        ),
    )


def _text_of(inst: Instrument, key: str) -> str:
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

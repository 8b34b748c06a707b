"""The objects an instrument is made of: response scales, items, scales, the influence grid.

They are immutable, so an :class:`Instrument` can be shared between analyses and cached.
Build them with :func:`colead.load_instrument`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from colead.exceptions import InstrumentError, InstrumentProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OPTION_SEPARATOR", "InfluenceGrid", "Instrument", "Item", "Number", "ResponseScale",
           "Scale"]

Number = int | float
ScaleType = Literal["ordinal", "categorical", "numeric", "multiple"]

#: Separator between a multiple-choice item's id and an option code in data column names.
OPTION_SEPARATOR = "__"


@dataclass(frozen=True)
class ResponseScale:
    """The answers an item allows.

    ``labels`` pairs each value with its label, in increasing order of value. ``min`` and
    ``max`` are the declared bounds (reverse keying uses them); ``missing`` holds every label
    and code that means "no answer on this scale". ``missing_options`` pairs the code and
    label of each missing answer the file declares as ``{value: 8, label: "Don't know"}``:
    fielded surveys offer these as answers, set apart after the scale points (their codes
    and labels are also in ``missing``).
    """

    id: str
    type: ScaleType
    labels: tuple[tuple[Number, str], ...] = ()
    min: Number | None = None
    max: Number | None = None
    missing: tuple[str | Number, ...] = ()
    missing_options: tuple[tuple[int, str], ...] = ()

    @property
    def values(self) -> tuple[Number, ...]:
        """The labelled values, lowest first."""
        return tuple(value for value, _ in self.labels)

    @property
    def label_map(self) -> dict[Number, str]:
        """Value -> label."""
        return dict(self.labels)

    @property
    def missing_codes(self) -> tuple[Number, ...]:
        """The codes read as missing in a numeric export (those of ``missing_options`` too)."""
        return tuple(m for m in self.missing if not isinstance(m, str))

    @property
    def missing_labels(self) -> tuple[str, ...]:
        """The labels read as missing in a choice-text export (in this language)."""
        return tuple(m for m in self.missing if isinstance(m, str))

    def describe_missing(self) -> tuple[str, ...]:
        """Each missing entry as people read it: ``8 = Don't know`` for an answer option,
        else the label or the code, in the order of the file."""
        option_of: dict[Number, str] = dict(self.missing_options)
        labels = set(option_of.values())
        out = []
        for m in self.missing:
            if isinstance(m, str):
                if m not in labels:
                    out.append(m)
            elif m in option_of:
                out.append(f"{m:g} = {option_of[m]}")
            else:
                out.append(f"{m:g}")
        return tuple(out)

    @property
    def has_bounds(self) -> bool:
        """True when both bounds are declared, so items on this scale can be reversed."""
        return (self.type in ("ordinal", "numeric") and self.min is not None
                and self.max is not None)

    @property
    def n_points(self) -> int:
        """The number of labelled points (0 for a numeric scale)."""
        return len(self.labels)

    def reverse(self, x: Any) -> Any:
        """Reverse-key ``x`` (a number, array or Series) as ``min + max - x``."""
        if not self.has_bounds:
            raise InstrumentError(
                [
                    InstrumentProblem(
                        "",
                        f"response scale {self.id!r}",
                        "",
                        "has no declared bounds to reverse by",
                    )
                ]
            )
        return self.min + self.max - x  # type: ignore[operator]


@dataclass(frozen=True)
class Item:
    """One question. ``scale`` is the scale that owns it (None for context questions);
    ``required`` says whether an import must find a column for it."""

    id: str
    text: str
    response_scale: str
    scale: str | None = None
    reverse: bool = False
    section: str | None = None
    required: bool = True


@dataclass(frozen=True)
class Scale:
    """A set of items scored together.

    ``min_valid`` is a fraction of the items (a float in (0, 1]) or a count (an int >= 1)
    that must be answered for a respondent to get a score. ``min`` and ``max`` are the bounds
    shared by its items.
    """

    id: str
    title: str
    items: tuple[str, ...]
    min: Number
    max: Number
    construct: str = ""
    description: str = ""
    min_valid: Number = 0.5
    citations: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """The number of items."""
        return len(self.items)

    @property
    def min_answered(self) -> int:
        """How many answered items a respondent needs for a score."""
        if isinstance(self.min_valid, float):
            return max(1, math.ceil(self.min_valid * self.k - 1e-9))
        return min(int(self.min_valid), self.k)


@dataclass(frozen=True)
class InfluenceGrid:
    """A stakeholder x decision-zone grid: which item asks about each cell."""

    stakeholders: tuple[tuple[str, str], ...]
    zones: tuple[tuple[str, str], ...]
    cells: tuple[tuple[str, str, str], ...]
    response_scale: str
    stem: str = ""

    @property
    def stakeholder_ids(self) -> tuple[str, ...]:
        return tuple(sid for sid, _ in self.stakeholders)

    @property
    def zone_ids(self) -> tuple[str, ...]:
        return tuple(zid for zid, _ in self.zones)

    @property
    def stakeholder_labels(self) -> dict[str, str]:
        return dict(self.stakeholders)

    @property
    def zone_labels(self) -> dict[str, str]:
        return dict(self.zones)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item for _, _, item in self.cells)

    def item(self, stakeholder: str, zone: str) -> str | None:
        """The item id of one cell, or None when the grid does not ask about it."""
        for s, z, item in self.cells:
            if s == stakeholder and z == zone:
                return item
        return None

    def cell_table(self) -> pd.DataFrame:
        """One row per asked cell: stakeholder, zone, item_id."""
        import pandas as pd

        return pd.DataFrame(list(self.cells), columns=["stakeholder", "zone", "item_id"])

    def matrix(self) -> pd.DataFrame:
        """Stakeholders x zones of item ids (None where a cell is not asked)."""
        import pandas as pd

        table = pd.DataFrame(
            None,
            index=pd.Index(self.stakeholder_ids, name="stakeholder"),
            columns=pd.Index(self.zone_ids, name="zone"),
            dtype=object,
        )
        for s, z, item in self.cells:
            table.loc[s, z] = item
        return table


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
        otherwise in its own language). Ids, values and structure do not change."""
        from colead.instrument.languages import translated

        return translated(self, language)

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

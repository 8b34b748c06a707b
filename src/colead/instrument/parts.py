"""The parts an instrument is made of: response scales, items, scales and the influence grid.

They are immutable, so an :class:`~colead.instrument.Instrument` can be shared between
analyses and cached. Build them with :func:`colead.load_instrument`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from colead.exceptions import InstrumentError, InstrumentProblem

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["OPTION_SEPARATOR", "InfluenceGrid", "Item", "Number", "ResponseScale", "Scale"]

Number = int | float
ScaleType = Literal["ordinal", "categorical", "numeric", "multiple"]

#: Separator between a multiple-choice item's id and an option code in data column names.
OPTION_SEPARATOR = "__"


@dataclass(frozen=True)
class ResponseScale:
    """The answers an item allows.

    ``labels`` pairs each labelled value with its label, in increasing order of value.
    ``min`` and ``max`` are the bounds (reverse keying uses them); ``bounds_declared`` says
    the file gave both, so an ordinal scale's answers are every whole number from ``min`` to
    ``max``, labelled or not (a 1-7 scale labelled at 1 and 7 only has seven points; see
    :attr:`values`). ``missing`` holds every label
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
    bounds_declared: bool = False

    @property
    def values(self) -> tuple[Number, ...]:
        """Every answer the scale allows (its points), lowest first.

        The labelled values; for an ordinal scale whose file declares ``min`` and ``max``
        (whole numbers, and whole-number labels), every whole number from ``min`` to ``max``,
        so ``max - min + 1`` points whether or not each is labelled.
        """
        labelled = tuple(value for value, _ in self.labels)
        lo, hi = self.min, self.max
        if (self.type == "ordinal" and self.bounds_declared and lo is not None
                and hi is not None and all(_whole(v) for v in (lo, hi, *labelled))):
            return tuple(range(int(lo), int(hi) + 1))
        return labelled

    @property
    def points(self) -> tuple[tuple[Number, str], ...]:
        """Every point with the text people see: its label, or the number itself for an
        unlabelled point (``2`` on a 1-7 scale labelled at its ends)."""
        named = dict(self.labels)
        return tuple((v, named.get(v, f"{v:g}")) for v in self.values)

    @property
    def label_map(self) -> dict[Number, str]:
        """Value -> the text shown for it: its label, or the number for an unlabelled point."""
        return dict(self.points)

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
        """The number of points, labelled or not (0 for a numeric scale)."""
        return len(self.values)

    def with_texts(self, tr: Callable[[str, str], str]) -> ResponseScale:
        """The same scale with its labels and missing answer options translated by ``tr``
        (key, text in the instrument's own language) -> text."""
        labels = tuple((v, tr(f"label:{self.id}:{v:g}", label)) for v, label in self.labels)
        options = tuple(
            (code, tr(f"missing:{self.id}:{code:g}", label))
            for code, label in self.missing_options
        )
        renamed = {old: new for (_, old), (_, new) in zip(self.missing_options, options,
                                                         strict=True)}
        missing = tuple(renamed.get(m, m) if isinstance(m, str) else m for m in self.missing)
        return replace(self, labels=labels, missing=missing, missing_options=options)

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
    ``required`` says whether an import must find a column for it; ``equivalent_to`` names
    items of earlier versions of the instrument that it may be compared with across survey
    waves although its id or wording differs."""

    id: str
    text: str
    response_scale: str
    scale: str | None = None
    reverse: bool = False
    section: str | None = None
    required: bool = True
    equivalent_to: tuple[str, ...] = ()


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


def _whole(x: Number) -> bool:
    return float(x).is_integer()

"""How an instrument's items become questions on a survey platform.

Items of one scale form one matrix question (rows are the item texts); each stakeholder of an
influence grid forms one matrix question (rows are the zones); every other item is a question
of its own. Writers of platform exports (and, later, of platform survey files) share this.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from colead.instrument import Instrument


@dataclass(frozen=True)
class Question:
    """One platform question: its text and its rows as ``(item_id, row_text)``.

    A single question has one row whose text is empty.
    """

    text: str
    rows: tuple[tuple[str, str], ...]

    @property
    def is_matrix(self) -> bool:
        return len(self.rows) > 1 or bool(self.rows and self.rows[0][1])


def questions(instrument: Instrument, item_ids: Sequence[str] | None = None) -> list[Question]:
    """The questions asking ``item_ids`` (all items by default), in the instrument's order."""
    wanted = set(instrument.item_ids if item_ids is None else item_ids)
    grid = instrument.influence
    cell_of = {item: (s, z) for s, z, item in grid.cells} if grid else {}
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    titles: dict[tuple[str, str], str] = {}
    for item in instrument.item_list:
        if item.id not in wanted:
            continue
        if item.id in cell_of and grid is not None:
            s, z = cell_of[item.id]
            key = ("grid", s)
            titles[key] = grid.stakeholder_labels[s]
            groups.setdefault(key, []).append((item.id, grid.zone_labels[z]))
        elif item.scale is not None:
            key = ("scale", item.scale)
            titles[key] = instrument.scales[item.scale].title
            groups.setdefault(key, []).append((item.id, item.text))
        else:
            key = ("item", item.id)
            titles[key] = item.text
            groups.setdefault(key, []).append((item.id, ""))
    return [Question(titles[key], tuple(rows)) for key, rows in groups.items()]

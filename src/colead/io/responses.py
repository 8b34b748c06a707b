"""Response data as colead holds it after import: clean item columns and a log of the import.

``Responses.data`` has one row per respondent: ``respondent_id``, ``school_id`` and one float
column per item (NaN where there is no answer). ``Responses.log`` accounts for every input row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from colead.instrument import Instrument

__all__ = ["ImportLog", "Responses"]

ID_COLUMNS = ("respondent_id", "school_id")
#: A pseudonymous respondent key (:func:`colead.pseudonymise`), the same person in every wave.
KEY_COLUMN = "respondent_key"
DROPPED_COLUMNS = ["row", "respondent_id", "reason"]


def _empty_dropped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "row": pd.Series(dtype="int64"),
            "respondent_id": pd.Series(dtype="object"),
            "reason": pd.Series(dtype="object"),
        }
    )


@dataclass(frozen=True)
class ImportLog:
    """What happened to every row and column of an import.

    Invariant: ``rows_read == rows_kept + len(dropped)``.

    Attributes
    ----------
    source : str
        Where the data came from (a file name, ``"DataFrame"``, ``"simulate"``).
    rows_read, rows_kept : int
        Data rows in the input, and rows in ``Responses.data``.
    dropped : DataFrame
        One row per dropped input row: ``row`` (the row number a spreadsheet shows, header
        rows included), ``respondent_id``, ``reason`` (preview, test, spam, incomplete,
        duplicate, empty).
    recoded : dict
        Number of cells recoded, by kind (for example ``label``, ``missing_code``).
    unmapped_columns : tuple of str
        Input columns that matched no item and were left out.
    items_not_found : tuple of str
        Optional items of the instrument that no column held.
    pii_removed : tuple of str
        Personal columns removed at import.
    pii_kept : tuple of str
        Personal columns kept in ``data`` because the import was asked to keep them.
    no_school : int
        Kept respondents without a school.
    warnings : tuple of str
        Anything else the user should know.
    """

    source: str
    rows_read: int
    rows_kept: int
    dropped: pd.DataFrame = field(default_factory=_empty_dropped)
    recoded: Mapping[str, int] = field(default_factory=dict)
    unmapped_columns: tuple[str, ...] = ()
    items_not_found: tuple[str, ...] = ()
    pii_removed: tuple[str, ...] = ()
    pii_kept: tuple[str, ...] = ()
    no_school: int = 0
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if list(self.dropped.columns) != DROPPED_COLUMNS:
            raise ValueError(f"dropped must have the columns {DROPPED_COLUMNS}")
        if self.rows_read != self.rows_kept + len(self.dropped):
            raise ValueError(
                f"import log does not add up: {self.rows_read} rows read, "
                f"{self.rows_kept} kept, {len(self.dropped)} dropped"
            )

    @property
    def dropped_by_reason(self) -> dict[str, int]:
        """Reason -> number of rows dropped for it."""
        return {str(k): int(v) for k, v in self.dropped["reason"].value_counts(sort=False).items()}

    def summary(self) -> str:
        """The log as text, a line per fact."""
        lines = [
            f"source: {self.source}",
            f"rows read: {self.rows_read}, kept: {self.rows_kept}, dropped: {len(self.dropped)}",
        ]
        lines += [f"  dropped as {reason}: {n}" for reason, n in self.dropped_by_reason.items()]
        if self.no_school:
            lines.append(f"respondents without a school: {self.no_school}")
        if self.recoded:
            lines.append("recoded cells: " + ", ".join(f"{k} {v}" for k, v in self.recoded.items()))
        if self.pii_removed:
            lines.append("personal columns removed: " + ", ".join(self.pii_removed))
        if self.pii_kept:
            lines.append("personal columns KEPT (keep_pii): " + ", ".join(self.pii_kept))
        if self.unmapped_columns:
            lines.append("columns not matched to an item: " + ", ".join(self.unmapped_columns))
        if self.items_not_found:
            lines.append("optional items not in the file: " + ", ".join(self.items_not_found))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(line)}</li>" for line in self.summary().splitlines())
        return f"<div><strong>Import log</strong><ul>{items}</ul></div>"


@dataclass(frozen=True)
class Responses:
    """Imported (or simulated) responses to one instrument.

    Attributes
    ----------
    data : DataFrame
        One row per respondent: ``respondent_id``, ``school_id``, then one float column per
        item of ``instrument`` that the source held.
    log : ImportLog
        How every input row was accounted for.
    platform : str
        The layout the data came from (``qualtrics``, ``google_forms``, ``simulate``, ...).
    instrument : Instrument
        The instrument the columns belong to.

    Notes
    -----
    Responses are read-only: colead keeps what it derives from them (the scale scores of
    :func:`colead.score`, the influence grid of :func:`colead.influence`, the per-school
    agreement statistics behind :func:`colead.aggregate`), computed once however many analyses
    ask. To change the data, make new Responses (``dataclasses.replace(resp, data=new_frame,
    log=...)``) rather than editing ``resp.data`` in place.
    """

    data: pd.DataFrame
    log: ImportLog
    platform: str
    instrument: Instrument
    #: Tables derived from ``data`` (filled by the analyses, never part of equality).
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        missing = [c for c in ID_COLUMNS if c not in self.data.columns]
        if missing:
            raise ValueError(f"response data lack the columns {missing}")
        known = (set(self.instrument.column_ids) | set(ID_COLUMNS) | set(self.log.pii_kept)
                 | {KEY_COLUMN})
        unknown = [c for c in self.data.columns if c not in known]
        if unknown:
            raise ValueError(
                f"response data have columns that are not items of "
                f"{self.instrument.name!r}: {unknown}"
            )
        if len(self.data) != self.log.rows_kept:
            raise ValueError(
                f"the log says {self.log.rows_kept} rows were kept but the data "
                f"hold {len(self.data)}"
            )

    def _cached(self, key: Any, compute: Callable[[], Any]) -> Any:
        """What ``compute()`` returns, computed once per key for these responses (analyses
        keep what they derive from the data here; see the class notes)."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @property
    def item_ids(self) -> list[str]:
        """The items present, in the instrument's order."""
        present = set(self.data.columns)
        return [i for i in self.instrument.item_ids
                if present.issuperset(self.instrument.data_columns(i))]

    @property
    def items(self) -> pd.DataFrame:
        """The item columns only (a multiple-choice item has one 0/1 column per option)."""
        return self.data[[c for i in self.item_ids for c in self.instrument.data_columns(i)]]

    @property
    def n_schools(self) -> int:
        return int(self.data["school_id"].nunique())

    def summary(self) -> str:
        """Respondents, schools and the import log, as text."""
        sizes = self.data.groupby("school_id", dropna=True).size()
        size_text = f", {sizes.min()}-{sizes.max()} per school" if len(sizes) else ""
        answered = float(np.mean(self.items.notna().to_numpy())) if self.item_ids else float("nan")
        return "\n".join(
            [
                f"{len(self.data)} respondents in {self.n_schools} schools{size_text} "
                f"({self.instrument.name}, from {self.platform})",
                f"{len(self.item_ids)} of {len(self.instrument.item_ids)} items present; "
                f"{answered:.1%} of item cells answered",
                self.log.summary(),
            ]
        )

    def __repr__(self) -> str:
        return (
            f"Responses({len(self.data)} respondents, {self.n_schools} schools, "
            f"instrument={self.instrument.name!r}, platform={self.platform!r})"
        )

    def _repr_html_(self) -> str:
        lines = "".join(f"<li>{escape(line)}</li>" for line in self.summary().splitlines())
        return f"<div><strong>Responses</strong><ul>{lines}</ul></div>"

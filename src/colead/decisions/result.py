"""What :func:`colead.influence` returns: the answers to the influence grid as a long table,
with matrices of means, medians and the NCES share of "major influence" (overall or per
group, suppressed under ``min_n``) and indices of collective leadership per respondent or per
group.

"Not applicable", "don't know" and numeric missing codes are missing answers, never "no
influence"; they never enter a count, mean or share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from html import escape
from typing import TYPE_CHECKING, Literal, TypeVar

import numpy as np
import pandas as pd

from colead._validation import check_number, check_option
from colead.decisions import _kernels as kernels
from colead.decisions import _tables as tables
from colead.exceptions import InvalidParameterError
from colead.instrument import InfluenceGrid, Instrument, ResponseScale
from colead.io.responses import ID_COLUMNS
from colead.privacy import check_min_n, protect, suppress

if TYPE_CHECKING:
    pass

__all__ = ["INDEX_COLUMNS", "MATRIX_STATS", "InfluenceResult"]

_T = TypeVar("_T")

MatrixStat = Literal["mean", "median", "pct_major", "sd", "n"]
#: The statistics ``InfluenceResult.matrix`` can put in its cells.
MATRIX_STATS: tuple[str, ...] = ("mean", "median", "pct_major", "sd", "n")
#: The index columns of ``InfluenceResult.indices``, before the per-stakeholder shares.
INDEX_COLUMNS: tuple[str, ...] = (
    "n_rated",
    "principal",
    "total_sum",
    "total_mean",
    "teacher_principal_gap",
    "sd",
    "cv",
    "gini",
    "breadth",
)


@dataclass(frozen=True, repr=False, eq=False)
class InfluenceResult:
    """Answers to an influence grid, ready for matrices and indices.

    Build one with :func:`influence`.

    Attributes
    ----------
    codes : ndarray, shape (respondents, stakeholders, zones), small integers
        Each answer as the index of its point among the scale's points (ascending), -1 where
        missing or not asked: 49 MB for a million respondents and a 7 x 7 grid.
    respondents : DataFrame
        One row per respondent: ``respondent_id``, ``school_id`` and any other column of the
        data that is not an item (for grouping with ``by``).
    asked : ndarray, shape (stakeholders, zones)
        Which cells the grid asks (and the data hold).
    instrument : Instrument
    scale : ResponseScale
        The grid's response scale; its top point is "major influence".
    long : DataFrame
        One row per answered cell: ``respondent_id, school_id, stakeholder, zone, value``.
        ``stakeholder`` and ``zone`` are ordered categoricals in the grid's order. Missing
        answers ("not applicable", "don't know", codes) are not rows. Made on first use
        (matrices and indices do not need it).
    values : ndarray, shape (respondents, stakeholders, zones)
        The answers as floats, NaN where missing or not asked. Made on first use.
    """

    codes: np.ndarray = field(repr=False)
    respondents: pd.DataFrame = field(repr=False)
    asked: np.ndarray = field(repr=False)
    instrument: Instrument = field(repr=False)
    scale: ResponseScale = field(repr=False)

    @property
    def points(self) -> np.ndarray:
        """The scale's points, ascending (what ``codes`` index)."""
        return np.unique(np.array(self.scale.values, dtype=float))

    @cached_property
    def values(self) -> np.ndarray:
        return kernels.values_of(self.codes, self.points)

    @cached_property
    def long(self) -> pd.DataFrame:
        rows, s_idx, z_idx = np.nonzero(self.codes >= 0)
        ids = self.respondents
        return pd.DataFrame(
            {
                "respondent_id": ids["respondent_id"].to_numpy()[rows],
                "school_id": ids["school_id"].to_numpy()[rows],
                "stakeholder": pd.Categorical.from_codes(
                    s_idx, categories=pd.Index(list(self.stakeholders)), ordered=True
                ),
                "zone": pd.Categorical.from_codes(
                    z_idx, categories=pd.Index(list(self.zones)), ordered=True
                ),
                "value": self.points[self.codes[rows, s_idx, z_idx]],
            }
        )

    @property
    def grid(self) -> InfluenceGrid:
        return self.instrument.influence  # type: ignore[return-value]  # checked at build

    @property
    def stakeholders(self) -> tuple[str, ...]:
        return self.grid.stakeholder_ids

    @property
    def zones(self) -> tuple[str, ...]:
        return self.grid.zone_ids

    # -- matrices ----------------------------------------------------------------------------
    def matrix(
        self,
        by: str | Sequence[str] | None = None,
        stat: MatrixStat = "mean",
        *,
        min_n: int = 5,
        long: bool = False,
        allow_small_groups: bool = False,
    ) -> pd.DataFrame:
        """Stakeholders x zones of one statistic, overall or per group.

        Parameters
        ----------
        by : str or list of str, optional
            Group column(s) of :attr:`respondents` (``"school_id"``). With several, the table
            is a breakdown: its totals are the whole grid, each school, and so on.
        stat : {'mean', 'median', 'pct_major', 'sd', 'n'}, default 'mean'
            ``pct_major`` is the percentage (0-100) of answers at the scale's top point
            ("major influence"), as NCES reports it; ``n`` the number of answers.
        min_n : int, default 5
            Cells resting on fewer answers are blanked (NaN), overall as well as per group;
            so is the next-smallest group's cell wherever the overall cell minus the shown
            groups' cells (respondents without a group included) would rest on fewer than
            ``min_n`` answers (:func:`colead.privacy.protect`).
        long : bool, default False
            Return the tidy table instead: the ``by`` columns, ``stakeholder, zone, n, mean,
            sd, median, pct_major, suppressed``, one row per group and asked cell.
        allow_small_groups : bool, default False
            Allow ``min_n`` below 3.

        Returns
        -------
        DataFrame
            Index ``stakeholder`` (or the ``by`` columns and ``stakeholder``), columns the
            zones, in the grid's order; NaN where a cell is not asked or is suppressed.

        Notes
        -----
        The cells are plain group statistics of the answered values (tested equal to pandas
        ``groupby`` means, medians, standard deviations and counts). Means of 1-4 codes
        follow Ni, Yan & Pounder (2018); ``pct_major`` follows the NCES tables.
        """
        f = "InfluenceResult.matrix"
        check_option(stat, "stat", f, MATRIX_STATS)
        min_n = check_min_n(min_n, f, allow_small_groups=allow_small_groups)
        keys = self._keys(by, f)
        table = self._suppressed_cells(keys, min_n)
        if long:
            return table
        wide = table.pivot_table(
            index=[*keys, "stakeholder"],
            columns="zone",
            values=stat,
            observed=False,
            dropna=False,
            aggfunc="first",
        )
        wide = wide.reindex(
            columns=pd.CategoricalIndex(
                self.zones, categories=self.zones, ordered=True, name="zone"
            )
        )
        wide.columns = pd.Index(list(self.zones), name="zone")
        if not keys:
            wide = wide.reindex(pd.Index(list(self.stakeholders), name="stakeholder"))
        return wide

    def _keys(self, by: str | Sequence[str] | None, func: str) -> list[str]:
        keys = [] if by is None else [by] if isinstance(by, str) else list(by)
        missing = [k for k in keys if k not in self.respondents.columns]
        if missing:
            raise InvalidParameterError(
                f"The 'by' parameter of {func} names {missing}, which the data do not have "
                f"(columns: {', '.join(map(str, self.respondents.columns))})."
            )
        return keys

    def _suppressed_cells(self, keys: list[str], min_n: int) -> pd.DataFrame:
        """The cell table through :func:`colead.privacy.suppress`: each cell of the grid is
        a total over the groups, and answers without a group count in it."""
        return suppress(self._cell_table(keys), min_n=min_n, by=keys,
                        within=["stakeholder", "zone"], counts=self._cell_counts(keys))

    def _cached(self, key: tuple[object, ...], make: Callable[[], _T]) -> _T:
        """Group tables shared by matrix, indices and suppression (kept per ``by``)."""
        cache = self.__dict__.setdefault("_tables", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]  # type: ignore[no-any-return]

    def _histogram(self, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
        """Group codes, the groups (sorted) and their (G, S, Z, P) histograms."""

        def make() -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
            codes, groups = tables.group_codes(self.respondents, keys)
            hist = kernels.histogram(self.codes, codes, len(groups), len(self.points))
            return codes, groups, hist

        return self._cached(("histogram", *keys), make)

    def _cell_counts(self, keys: list[str]) -> pd.DataFrame:
        """Answers per cell and group, groups with a missing key included (one bincount per
        cell over the groups' codes)."""
        return self._cached(("counts", *keys), lambda: self._count_cells(keys)).copy()

    def _count_cells(self, keys: list[str]) -> pd.DataFrame:
        return tables.count_cells(self.codes, self.respondents, keys, self.stakeholders,
                                  self.zones)  # fmt: skip

    def _cell_table(self, keys: list[str]) -> pd.DataFrame:
        """n, mean, sd, median and pct_major of every asked cell, overall or per group with
        an answer (groups sorted), from per-group histograms of the codes."""
        if keys:
            _, groups, hist = self._histogram(keys)
        else:
            groups = None
            hist = kernels.histogram(self.codes, np.zeros(len(self.codes), dtype=np.int64), 1,
                                     len(self.points))  # fmt: skip
        top = float(self.scale.max)  # type: ignore[arg-type]  # grid scales are ordinal
        return tables.cell_table(hist, groups, self.asked, self.points, top,
                                 self.stakeholders, self.zones)  # fmt: skip

    @property
    def _rows(self) -> np.ndarray:
        """The respondent (row of ``codes``) of each row of ``long``."""
        return np.nonzero(self.codes >= 0)[0]

    # -- indices -----------------------------------------------------------------------------
    def indices(
        self,
        by: str | Sequence[str] | None = None,
        *,
        min_n: int = 5,
        breadth_at: float | None = None,
        principal: str | None = "principal",
        teachers: str | None = "teachers",
        allow_small_groups: bool = False,
    ) -> pd.DataFrame:
        """Collective-leadership indices per respondent (``by=None``) or per group, and zone.

        Parameters
        ----------
        by : str or list of str, optional
            Group column(s). A group's indices are those of its mean matrix with only the
            cells that :meth:`matrix` shows for ``by`` (its suppression, complementary cells
            included), and groups with fewer than ``min_n`` respondents answering in a zone
            are suppressed.
        min_n : int, default 5
        breadth_at : float, optional
            The lowest rating counting as "at least moderate" influence (default: the point
            labelled moderate, else the upper half of the scale: 3 on 1-4 and 1-5 scales).
        principal, teachers : str or None
            The grid's stakeholder ids of the principal and of teachers (for ``principal`` and
            ``teacher_principal_gap``); columns are NaN when the grid lacks them.
        allow_small_groups : bool, default False

        Returns
        -------
        DataFrame
            ``respondent_id, school_id`` (or the ``by`` columns and ``n``, respondents with an
            answer in the zone), ``zone``, then ``n_rated, principal, total_sum, total_mean,
            teacher_principal_gap, sd, cv, gini, breadth``, one ``share_<stakeholder>`` per
            stakeholder, and (per group) ``suppressed``.

        Notes
        -----
        From the literature: ``principal`` (the principal's influence, as in the NCES tables
        and Ni, Yan & Pounder 2018), ``total_sum`` and ``total_mean`` (total or collective
        leadership, Leithwood & Mascall 2008, after Tannenbaum's total amount of control),
        ``teacher_principal_gap`` (teachers' minus the principal's influence, relative
        influence as in Lee, Park & Lee 2023), and ``sd`` and ``cv`` (dispersion, as in shared
        leadership research). colead's additions: ``share_<s>`` (a stakeholder's part of the
        influence above "none"), ``gini`` (Gini coefficient of influence above "none"; no
        school study using it was found), ``breadth`` (how many stakeholders hold at least
        moderate influence) and ``n_rated``.

        Definitions, with a = rating - lowest point (0 = no influence) over the stakeholders
        rated in the zone: ``total_sum`` is the sum of ratings when every stakeholder of the
        zone is rated (else NaN); ``total_mean`` their mean; ``sd`` their sample standard
        deviation (n - 1; at least two ratings); ``cv`` = sd / mean(a); ``gini`` = sum_ij
        |a_i - a_j| / (2 k^2 mean(a)), 0 when influence is equal and (k - 1)/k when one
        stakeholder holds it all; ``share_s`` = a_s / sum(a). Tested against direct
        computations from their definitions.
        """
        f = "InfluenceResult.indices"
        min_n = check_min_n(min_n, f, allow_small_groups=allow_small_groups)
        keys = self._keys(by, f)
        point = (
            kernels.default_breadth_point(self.scale)
            if breadth_at is None
            else check_number(breadth_at, "breadth_at", f)
        )
        p_index = self._stakeholder_index(principal, "principal", f)
        t_index = self._stakeholder_index(teachers, "teachers", f)
        floor = float(self.scale.min)  # type: ignore[arg-type]
        def index_of(values: np.ndarray) -> dict[str, np.ndarray]:
            return kernels.indices(values, floor=floor, breadth_at=point, asked=self.asked,
                                   principal=p_index, teachers=t_index)  # fmt: skip

        if not keys:
            ids = self.respondents[list(ID_COLUMNS)]
            n_rows = None
            # a block of respondents at a time: the Gini term compares every pair of
            # stakeholders, (rows, S, S, Z) floats
            step = kernels.INDEX_BLOCK_ROWS
            blocks = [
                index_of(kernels.values_of(self.codes[a : a + step], self.points))
                for a in range(0, max(len(self.codes), 1), step)
            ]
            out = {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}
        else:
            codes, groups, hist = self._histogram(keys)
            count = hist.sum(axis=-1).astype(float)
            total = (hist * self.points).sum(axis=-1)
            zone_answered = np.asarray((self.codes >= 0).any(axis=1))  # (m, Z)
            in_group = codes >= 0
            n_rows = np.stack(
                [np.bincount(codes[in_group & zone_answered[:, j]], minlength=len(groups))
                 for j in range(len(self.zones))],
                axis=1,
            )  # fmt: skip
            shown = self._shown_cells(keys, groups, min_n)
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(shown, total / count, np.nan)
            ids = groups
            out = index_of(values)
        m, z = len(ids), len(self.zones)
        table = ids.loc[ids.index.repeat(z)].reset_index(drop=True)
        table["zone"] = pd.Categorical(np.tile(self.zones, m), categories=self.zones, ordered=True)
        if n_rows is not None:
            table["n"] = n_rows.reshape(-1).astype(int)
        for name in INDEX_COLUMNS:
            table[name] = out[name].reshape(-1)
        for i, s in enumerate(self.stakeholders):
            table[f"share_{s}"] = out[f"share_{i}"].reshape(-1)
        if n_rows is None:
            return table
        # The cells were protected above; a group too small in a zone is hidden outright.
        return suppress(table, min_n=min_n, within=[*keys, "zone"])

    def _shown_cells(self, keys: list[str], groups: pd.DataFrame, min_n: int) -> np.ndarray:
        """(groups, stakeholders, zones): which group cells :meth:`matrix` shows."""
        found = protect(self._cell_counts(keys), keys, min_n=min_n,
                        within=["stakeholder", "zone"])
        found = found[~found["hidden"].to_numpy(dtype=bool)]
        shown = np.zeros((len(groups), len(self.stakeholders), len(self.zones)), dtype=bool)
        at = pd.MultiIndex.from_frame(groups).get_indexer(pd.MultiIndex.from_frame(found[keys]))
        s = found["stakeholder"].cat.codes.to_numpy()
        z = found["zone"].cat.codes.to_numpy()
        ok = at >= 0
        shown[at[ok], s[ok], z[ok]] = True
        return shown & self.asked[None, :, :]

    def _stakeholder_index(self, sid: str | None, default: str, func: str) -> int | None:
        if sid is None:
            return None
        if sid in self.stakeholders:
            return self.stakeholders.index(sid)
        if sid == default:
            return None
        raise InvalidParameterError(
            f"The {default!r} parameter of {func} names {sid!r}, which is not a stakeholder "
            f"of the grid ({', '.join(self.stakeholders)})."
        )

    # -- display -----------------------------------------------------------------------------
    def summary(self, *, min_n: int = 5) -> str:
        """Respondents, grid, answered cells and the mean matrix (suppressed under min_n),
        rounded for reading."""
        n = len(self.respondents)
        answered = int((self.codes >= 0).sum()) / max(1, n * int(self.asked.sum()))
        matrix = self.matrix(min_n=min_n).round(2)
        lines = [
            f"Decision influence ({self.instrument.name}): {n} respondents in "
            f"{self.respondents['school_id'].nunique()} schools",
            f"{len(self.stakeholders)} stakeholders x {len(self.zones)} zones, "
            f"{int(self.asked.sum())} cells asked on {self.scale.id!r} "
            f"({self.scale.min:g}-{self.scale.max:g}); {answered:.1%} answered",
            "Mean influence (stakeholders x zones):",
            matrix.to_string(na_rep="-"),
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"InfluenceResult({len(self.respondents)} respondents, "
            f"{len(self.stakeholders)} stakeholders x {len(self.zones)} zones, "
            f"instrument={self.instrument.name!r})"
        )

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head, grid_line, *_ = self.summary().splitlines()
        table = self.matrix().round(2).to_html(na_rep="&ndash;", escape=True)
        return (
            f"<div><strong>{escape(head)}</strong><p>{escape(grid_line)}</p>"
            f"<p>Mean influence (suppressed under 5 answers):</p>{table}</div>"
        )

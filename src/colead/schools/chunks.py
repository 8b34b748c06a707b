"""``aggregate_chunks``: :func:`colead.aggregate` over data that arrive in chunks.

Everything :func:`colead.aggregate` reports is a function of per-group sufficient statistics
that add up across chunks (docs/scale.md): the number of scores, their mean and centred sum
of squares per group and scale (merged as Chan, Golub & LeVeque 1979 do), the same per group of
the first key (for ICC(1)), the rows per group (for response rates) and, for rwg(j), per group
and item the rows kept, answers, mean and centred sum of squares. Memory holds one chunk and
these statistics: a few numbers per school, scale and item, whatever the number of rows.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from colead._validation import check_number, check_option
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.io.responses import ID_COLUMNS, Responses
from colead.privacy import check_min_n
from colead.psychometrics.scoring import _scales, score
from colead.schools import _kernels as core
from colead.schools._group_moments import finish, first_key_moments, score_moments
from colead.schools._roster import roster_sizes

if TYPE_CHECKING:
    from colead.instrument import Instrument

__all__ = ["aggregate_chunks"]

_F = "aggregate_chunks"


def aggregate_chunks(
    chunks: Iterable[Responses | pd.DataFrame],
    by: str | list[str] = "school_id",
    *,
    min_n: int = 5,
    roster: pd.DataFrame | Mapping[str, int] | None = None,
    ci: float = 0.95,
    scales: Iterable[str] | None = None,
    missing: Literal["listwise", "itemwise"] = "listwise",
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """:func:`colead.aggregate` of data read in chunks, in memory that does not grow with the
    number of rows.

    Parameters
    ----------
    chunks : iterable of Responses or DataFrame
        ``read_responses(path, instrument, chunksize=...)``, or any iterable of Responses of
        one instrument, or of score tables as :func:`colead.score` returns them (then rwg(j)
        stays missing, as in :func:`colead.aggregate`). A group may span chunks.
    by, min_n, roster, ci, scales, missing, allow_small_groups
        As in :func:`colead.aggregate`.

    Returns
    -------
    DataFrame
        The table :func:`colead.aggregate` returns for all the chunks' rows together, with
        the same suppression.

    Raises
    ------
    InvalidParameterError
        For a bad option, no chunk, chunks of different instruments or kinds, or a ``by``
        column the data lack.
    InsufficientDataError
        When the ``by`` column is blank in every row.

    Notes
    -----
    Equal to :func:`colead.aggregate` on the concatenated rows to rounding (the chunked
    statistics are merged with Chan et al.'s update of means and centred sums of squares;
    tested at 1e-10 relative). Memory: the per-group statistics take about
    ``groups x (3 scales + 4 items + 1) x 8`` bytes (4,000 schools, 10 scales of 6 items:
    under 10 MB), plus one chunk. docs/scale.md says how the other statistics decompose.

    Examples
    --------
    >>> chunks = cl.read_responses("export.csv", "colead-teacher", chunksize=100_000)
    >>> table = cl.aggregate_chunks(chunks, by="school_id")             # doctest: +SKIP
    """
    min_n = check_min_n(min_n, _F, allow_small_groups=allow_small_groups)
    check_number(ci, "ci", _F, low=0, high=1, low_open=True, high_open=True)
    check_option(missing, "missing", _F, ("listwise", "itemwise"))
    keys = [by] if isinstance(by, str) else list(by)
    state = _State(keys, scales, missing)
    for chunk in chunks:
        state.add(chunk)
    if state.moments is None or state.first is None or state.scale_ids is None:
        raise InvalidParameterError(f"{_F} got no chunk to aggregate.")
    moments = state.final(state.moments)
    keys_frame = moments.index.to_frame(index=False)
    blank = [k for k in keys if keys_frame[k].isna().all()]
    if blank:
        raise InsufficientDataError(
            f"{_F} groups by {', '.join(map(repr, blank))}, which is blank in every one of "
            f"the {int(moments[('rows', '')].sum())} rows: there is no group to report on."
        )
    known = moments.index.to_frame(index=False).notna().all(axis=1).to_numpy()
    respondents = pd.Series(
        moments[("rows", "")].to_numpy()[known],
        index=moments.index[known],
    )
    sizes = roster_sizes(roster, keys, None, _F, respondents=respondents)
    per_scale = state.agreement() if len(keys) == 1 else {}
    return finish(moments, state.final(state.first), per_scale, keys, state.scale_ids, sizes,
                  min_n, ci)  # fmt: skip


class _State:
    """The statistics added up so far."""

    def __init__(self, keys: list[str], scales: Iterable[str] | None, missing: str) -> None:
        self.keys = keys
        self.scales = None if scales is None else ([scales] if isinstance(scales, str)
                                                   else list(scales))  # fmt: skip
        self.missing = missing
        self.kind: type | None = None
        self.instrument: Instrument | None = None
        self.scale_ids: list[str] | None = None
        self.moments: pd.DataFrame | None = None  # n, mean, m2 per group of the keys
        self.first: pd.DataFrame | None = None  # the same per group of the first key
        self.items: dict[str, _ItemMoments] = {}

    def add(self, chunk: Responses | pd.DataFrame) -> None:
        kind = Responses if isinstance(chunk, Responses) else pd.DataFrame
        if not isinstance(chunk, Responses | pd.DataFrame):
            raise InvalidParameterError(
                f"The chunks of {_F} must be Responses or DataFrames of scores; got "
                f"{type(chunk).__name__}."
            )
        if self.kind is not None and kind is not self.kind:
            raise InvalidParameterError(f"The chunks of {_F} mix Responses and DataFrames.")
        self.kind = kind
        scores = self._scores(chunk)
        missing_keys = [k for k in self.keys if k not in scores.columns]
        if missing_keys:
            raise InvalidParameterError(
                f"The 'by' parameter of {_F} names {missing_keys}, which the data do not have."
            )
        if self.scale_ids is None:
            self.scale_ids = [
                c for c in scores.columns
                if c not in self.keys and c not in ID_COLUMNS and scores[c].dtype.kind in "biuf"
            ]  # fmt: skip
        chunk_moments = _m2(score_moments(scores, self.keys, self.scale_ids))
        chunk_first = _m2(first_key_moments(scores, self.keys[0], self.scale_ids))
        self.moments = _merge(self.moments, chunk_moments)
        self.first = _merge(self.first, chunk_first)
        if isinstance(chunk, Responses) and len(self.keys) == 1:
            self._add_items(chunk)

    def _scores(self, chunk: Responses | pd.DataFrame) -> pd.DataFrame:
        if isinstance(chunk, Responses):
            if self.instrument is None:
                self.instrument = chunk.instrument
            elif chunk.instrument.name != self.instrument.name:
                raise InvalidParameterError(
                    f"The chunks of {_F} come from different instruments "
                    f"({self.instrument.name!r}, {chunk.instrument.name!r})."
                )
            scores = score(chunk, scales=self.scales)
            extra = [k for k in self.keys if k not in scores.columns and k in chunk.data]
            return scores.join(chunk.data[extra]) if extra else scores
        if self.scales is None:
            return chunk
        return chunk[[c for c in chunk.columns
                      if c in self.keys or c in ID_COLUMNS or c in self.scales]]  # fmt: skip

    def _add_items(self, chunk: Responses) -> None:
        inst = chunk.instrument
        groups = chunk.data[self.keys[0]].astype("category")
        for scale in _scales(inst, self.scales, _F):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ColeadWarning)
                inp, m = core.read_moments(chunk.data[list(scale.items)], groups, _F,
                                           self.missing)  # fmt: skip
            points = inst.response_scale_of(scale.items[0]).n_points
            new = _ItemMoments(pd.Index(inp.labels), m.rows, m.count, m.mean, m.ssd, points,
                               inp.group_name)  # fmt: skip
            old = self.items.get(scale.id)
            self.items[scale.id] = new if old is None else old.merge(new)

    def agreement(self) -> dict[str, pd.DataFrame]:
        """Per scale the per-group rwg(j) and rwg_n, as ``scale_agreement`` gives them."""
        return {scale: moments.table() for scale, moments in self.items.items()}

    @staticmethod
    def final(m: pd.DataFrame) -> pd.DataFrame:
        """Moments with ``var`` again (from the centred sums of squares)."""
        n, m2 = m["n"], m["m2"]
        with np.errstate(invalid="ignore", divide="ignore"):
            var = (m2 / (n - 1)).where(n >= 2)
        parts = {"n": n, "mean": m["mean"].where(n > 0), "var": var}
        out = pd.concat(parts, axis=1)
        if ("rows", "") in m.columns:
            out[("rows", "")] = m[("rows", "")]
        return out


def _m2(moments: pd.DataFrame) -> pd.DataFrame:
    """n, mean, m2 (the centred sum of squares) from n, mean, var."""
    n = moments["n"]
    m2 = (moments["var"] * (n - 1)).where(n >= 2, 0.0)
    parts = {"n": n, "mean": moments["mean"].where(n > 0, 0.0), "m2": m2}
    out = pd.concat(parts, axis=1)
    if ("rows", "") in moments.columns:
        out[("rows", "")] = moments[("rows", "")]
    return out


def _merge(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Moments of two sets of rows together, group by group (groups in order of first
    appearance, as one groupby over all the rows would have them)."""
    if old is None:
        return new
    index = old.index.append(new.index[~new.index.isin(old.index)])
    a, b = old.reindex(index), new.reindex(index)
    na = a["n"].fillna(0).to_numpy(dtype=float)
    nb = b["n"].fillna(0).to_numpy(dtype=float)
    ma, mb = a["mean"].fillna(0).to_numpy(), b["mean"].fillna(0).to_numpy()
    qa, qb = a["m2"].fillna(0).to_numpy(), b["m2"].fillna(0).to_numpy()
    n, mean, m2 = _chan(na, ma, qa, nb, mb, qb)
    columns = old["n"].columns
    parts = {
        "n": pd.DataFrame(n.astype(np.int64), index=index, columns=columns),
        "mean": pd.DataFrame(mean, index=index, columns=columns),
        "m2": pd.DataFrame(m2, index=index, columns=columns),
    }
    out = pd.concat(parts, axis=1)
    if ("rows", "") in old.columns:
        rows = a[("rows", "")].fillna(0).to_numpy() + b[("rows", "")].fillna(0).to_numpy()
        out[("rows", "")] = rows.astype(np.int64)
    return out


def _chan(
    na: np.ndarray, ma: np.ndarray, qa: np.ndarray, nb: np.ndarray, mb: np.ndarray, qb: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, mean and centred sum of squares of two parts together (Chan et al. 1979)."""
    n = na + nb
    with np.errstate(invalid="ignore", divide="ignore"):
        delta = mb - ma
        mean = np.where(n > 0, ma + delta * np.where(n > 0, nb / n, 0.0), 0.0)
        m2 = qa + qb + np.where(n > 0, delta * delta * na * nb / n, 0.0)
    return n, mean, m2


class _ItemMoments:
    """Per group and item: rows kept, answers, mean and centred sum of squares."""

    def __init__(self, labels: pd.Index, rows: np.ndarray, count: np.ndarray, mean: np.ndarray,
                 ssd: np.ndarray, points: int, name: str) -> None:  # fmt: skip
        self.labels, self.rows, self.count = labels, rows, count
        self.mean, self.ssd, self.points, self.name = np.nan_to_num(mean), ssd, points, name

    def merge(self, other: _ItemMoments) -> _ItemMoments:
        labels = self.labels.union(other.labels, sort=False)
        a, b = self._on(labels), other._on(labels)
        n, mean, ssd = _chan(a[1], a[2], a[3], b[1], b[2], b[3])
        return _ItemMoments(labels, a[0] + b[0], n, mean, ssd, self.points, self.name)

    def _on(self, labels: pd.Index) -> tuple[np.ndarray, ...]:
        at = self.labels.get_indexer(labels)
        ok = at >= 0

        def spread(values: np.ndarray) -> np.ndarray:
            out = np.zeros((len(labels), *values.shape[1:]))
            out[ok] = values[at[ok]]
            return out

        return spread(self.rows), spread(self.count), spread(self.mean), spread(self.ssd)

    def table(self) -> pd.DataFrame:
        """``group, rwg_n, rwg_j, ad`` as ``scale_agreement`` gives them (ad not kept)."""
        order = np.argsort(self.labels.to_numpy(dtype=object), kind="stable")
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(self.count > 0, self.mean, np.nan)
        moments = core.ItemMoments(
            rows=self.rows[order], count=self.count[order], mean=mean[order],
            ssd=self.ssd[order], x=np.empty((0, self.count.shape[1])),
            codes=np.empty(0, dtype=np.intp),
        )  # fmt: skip
        ranvar = core.resolve_null("uniform", self.points, _F)
        with np.errstate(invalid="ignore"):
            rwg = core.rwg_j_values(moments, ranvar, lindell=False)
        used = moments.rows > 0
        return pd.DataFrame(
            {
                self.name: self.labels[order][used],
                "rwg_n": moments.count.min(axis=1)[used],
                "rwg_j": rwg[used],
                "ad": np.full(int(used.sum()), np.nan),
            }
        )

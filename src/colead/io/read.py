"""``read_responses``: a platform export -> clean item data, every row accounted for."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from typing import IO, Any, TypeAlias, overload

import pandas as pd

from colead._validation import check_option
from colead.exceptions import InvalidParameterError, ResponseDataError
from colead.instrument import Instrument, load_instrument
from colead.io._decode import ReadOptions, responses_from_export
from colead.io._platforms import read_export
from colead.io.export import PLATFORM_NAMES
from colead.io.mapping import read_mapping
from colead.io.responses import Responses

__all__ = ["read_responses"]

Source: TypeAlias = str | os.PathLike[str] | IO[Any] | bytes | pd.DataFrame


@overload
def read_responses(
    source: Source,
    instrument: str | os.PathLike[str] | Instrument,
    *,
    platform: str = ...,
    mapping: str | os.PathLike[str] | Mapping[str, str] | None = ...,
    school: str | None = ...,
    keep_incomplete: bool = ...,
    keep_pii: bool = ...,
    items: Iterable[str] | None = ...,
    chunksize: None = ...,
) -> Responses: ...


@overload
def read_responses(
    source: Source,
    instrument: str | os.PathLike[str] | Instrument,
    *,
    platform: str = ...,
    mapping: str | os.PathLike[str] | Mapping[str, str] | None = ...,
    school: str | None = ...,
    keep_incomplete: bool = ...,
    keep_pii: bool = ...,
    items: Iterable[str] | None = ...,
    chunksize: int,
) -> Iterator[Responses]: ...


def read_responses(
    source: Source,
    instrument: str | os.PathLike[str] | Instrument,
    *,
    platform: str = "auto",
    mapping: str | os.PathLike[str] | Mapping[str, str] | None = None,
    school: str | None = "school_id",
    keep_incomplete: bool = False,
    keep_pii: bool = False,
    items: Iterable[str] | None = None,
    chunksize: int | None = None,
) -> Responses | Iterator[Responses]:
    """Read a survey-platform export and map it onto an instrument.

    Parameters
    ----------
    source : path, file object, bytes or DataFrame
        A CSV, TSV or XLSX export of Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms,
        LimeSurvey or REDCap, or a generic table with one header row.
    instrument : str, path or Instrument
        A bundled instrument name, an instrument file, or an Instrument.
    platform : str, default "auto"
        The layout, detected from the header rows unless named (see :func:`read_export`).
    mapping : dict or path, optional
        Column -> item id, for columns colead cannot match itself: a dict, a YAML file or a
        CSV file with columns ``column, item_id``. A column is named by its header, its
        question text, or ``#N`` for the N-th column. ``colead validate --write-mapping``
        drafts one.
    school : str or None, default "school_id"
        The column that holds each respondent's school (embedded data, a hidden field or a
        question), by header or question text. None reads no school.
    keep_incomplete : bool, default False
        Keep responses the platform marks unfinished (they are dropped and listed otherwise).
    keep_pii : bool, default False
        Keep personal columns (names, emails, IP addresses, ...) in ``data``; by default they
        are removed and listed in the log.
    items : iterable of str, optional
        Read only these items (item or scale ids); by default every item of the instrument.
    chunksize : int, optional
        Read a CSV or TSV file a block of ``chunksize`` rows at a time and return an iterator
        of Responses, one per block (the first block's header rows count among its rows), in
        memory that does not grow with the file: pass them to :func:`colead.aggregate_chunks`
        (docs/scale.md). Every chunk is read as the whole file would be: row numbers in
        messages and logs are the file's, a respondent id kept by an earlier chunk is a
        duplicate (8 bytes are kept per id for this), and a bad answer raises when its chunk
        is read. An XLSX workbook or a DataFrame is read whole, then split.

    Returns
    -------
    Responses, or an iterator of Responses with ``chunksize``
        ``data`` with ``respondent_id`` (the platform's response id, or ``row<N>`` where the
        platform has none), ``school_id`` and one float column per item found; ``log``
        accounting for every row: ``rows_read == rows_kept + len(dropped)``.

    Raises
    ------
    ResponseDataError
        Listing every problem: each answer that is not a value or label of its item's response
        scale (row, column, value), each required item no column matched, a missing school
        column, an unreadable file.

    Notes
    -----
    A CSV file is parsed from its bytes by pandas' C parser, a block of rows at a time, each
    column kept as small integer codes into its distinct answers until the kept rows' item
    values are written once: a 1,000,000 x 150 Qualtrics export peaks at about 2 GB (pandas'
    own ``read_csv`` of the same file as text: 2.7 GB) in 1.4 to 1.8 times pandas' time.
    """
    inst = load_instrument(instrument)
    check_option(platform, "platform", "read_responses", ("auto", *PLATFORM_NAMES))
    options = ReadOptions(
        platform=platform,
        user_map=read_mapping(mapping) if mapping is not None else None,
        school=school,
        keep_incomplete=keep_incomplete,
        keep_pii=keep_pii,
        wanted=_wanted_items(inst, items),
    )
    if chunksize is not None:
        if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
            raise InvalidParameterError(
                "The 'chunksize' parameter of read_responses must be a whole number of rows "
                f"of at least 1; got {chunksize!r}."
            )
        from colead.io._stream import read_chunks

        return read_chunks(source, inst, options, chunksize)
    return responses_from_export(read_export(source, platform=platform), inst, options)


def _wanted_items(inst: Instrument, items: Iterable[str] | None) -> list[str]:
    if items is None:
        return list(inst.item_ids)
    requested = [items] if isinstance(items, str) else list(items)
    wanted: list[str] = []
    unknown = []
    for name in requested:
        if name in inst.scales:
            wanted += inst.scales[name].items
        elif name in inst.item_ids:
            wanted.append(name)
        else:
            unknown.append(name)
    if unknown:
        raise ResponseDataError(
            [
                {"value": u, "reason": f"is neither an item nor a scale of {inst.name!r}"}
                for u in unknown
            ],
            context="items",
        )
    chosen = set(wanted)
    return [i for i in inst.item_ids if i in chosen]

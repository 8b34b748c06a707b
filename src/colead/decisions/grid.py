"""Decision influence: who has how much say over which school decisions.

:func:`influence` reads the stakeholder x decision-zone grid of an instrument out of response
data into an :class:`InfluenceResult`: the answers as a long table, matrices of means, medians
and the NCES share answering "major influence" (overall or per school, suppressed under
``min_n``), and indices of collective leadership per respondent or per school.
:func:`perception_gaps` sets a principal's ratings beside the teachers' of the same school.
The Ni, Yan & Pounder (2018) models are :func:`colead.influence_relations`.

"Not applicable", "don't know" and numeric missing codes are missing answers, never "no
influence"; they never enter a count, mean or share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from colead.decisions import _kernels as kernels
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument
from colead.io.responses import ID_COLUMNS, Responses
from colead.psychometrics.scoring import _frame_and_instrument

if TYPE_CHECKING:
    import os
from colead.decisions.result import INDEX_COLUMNS, MATRIX_STATS, InfluenceResult

__all__ = ["INDEX_COLUMNS", "MATRIX_STATS", "InfluenceResult", "influence"]


def influence(
    data: Responses | pd.DataFrame,
    instrument: str | os.PathLike[str] | Instrument | None = None,
) -> InfluenceResult:
    """Read the decision-influence grid of an instrument out of response data.

    Parameters
    ----------
    data : Responses or DataFrame
        One row per respondent with ``respondent_id``, ``school_id`` and the grid's item
        columns (as :func:`colead.read_responses` gives them). A DataFrame may hold other
        columns (role, district) to group by.
    instrument : str, path or Instrument, optional
        Needed for a DataFrame; taken from Responses otherwise. It must have an influence
        grid.

    Returns
    -------
    InfluenceResult

    Raises
    ------
    InvalidParameterError
        When the instrument has no grid or the data lack the id columns.
    ResponseDataError
        Listing every value that is not a point of the grid's scale (numeric missing codes
        of the scale, such as -99, are missing answers, not problems).

    Notes
    -----
    Missing answers ("not applicable", "don't know", missing codes) are never counted as "no
    influence": they are simply not in the long table, so no count, mean or share sees them
    (NCES drops "not applicable" the same way). Cells whose item column the data lack count
    as not asked.

    Examples
    --------
    >>> import colead as cl
    >>> principals = cl.simulate("sass-principal-influence", n_schools=40, respondents=1,
    ...                          seed=1)
    >>> res = cl.influence(principals)
    >>> res.matrix().shape
    (6, 7)
    """
    f = "influence"
    frame, inst = _frame_and_instrument(data, instrument, f)
    if isinstance(data, Responses) and inst is data.instrument:  # read once per Responses
        result: InfluenceResult = data._cached("influence", lambda: _read_grid(frame, inst, f))
        return result
    return _read_grid(frame, inst, f)


def _read_grid(frame: pd.DataFrame, inst: Instrument, f: str) -> InfluenceResult:
    missing = [c for c in ID_COLUMNS if c not in frame.columns]
    if missing:
        raise InvalidParameterError(f"The data passed to {f} lack the columns {missing}.")
    gd = kernels.grid_data(frame, inst, f)
    ids = frame[list(ID_COLUMNS)].reset_index(drop=True)
    items = set(inst.item_ids) | {c for i in inst.item_ids for c in _columns_of(inst, i)}
    extra = [c for c in frame.columns if c not in items and c not in ID_COLUMNS]
    respondents = pd.concat([ids, frame[extra].reset_index(drop=True)], axis=1)
    return InfluenceResult(
        codes=gd.codes,
        respondents=respondents,
        asked=gd.asked,
        instrument=inst,
        scale=gd.scale,
    )


def _columns_of(inst: Instrument, item_id: str) -> tuple[str, ...]:
    columns = getattr(inst, "data_columns", None)
    return tuple(columns(item_id)) if columns is not None else (item_id,)

"""Perception gaps: a principal's rating of a stakeholder's influence beside the teachers' mean
rating of the same stakeholder, school by school and zone by zone.

Principal and teacher instruments name their stakeholders differently (the SASS principal grid
has ``district_staff``, the colead teacher grid ``district``), so the two grids are matched
by a mapping; the default pairs identical ids and a few known aliases.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from colead._validation import check_number
from colead.decisions.grid import InfluenceResult, influence
from colead.exceptions import InvalidParameterError
from colead.privacy import blank, check_min_n

if TYPE_CHECKING:
    import os

    from colead.instrument import Instrument
    from colead.io.responses import Responses

__all__ = ["GAP_COLUMNS", "STAKEHOLDER_ALIASES", "perception_gaps"]

_F = "perception_gaps"
#: Principal-grid id -> teacher-grid id pairs tried when the ids differ (either direction).
STAKEHOLDER_ALIASES: tuple[tuple[str, str], ...] = (
    ("district_staff", "district"),
    ("state_agency", "state"),
    ("assistant_principal", "assistant_principals"),
    ("teacher", "teachers"),
    ("parent", "parents"),
    ("student", "students"),
    ("school_board", "board"),
)
#: The columns of the table :func:`perception_gaps` returns (after the group column).
GAP_COLUMNS: tuple[str, ...] = (
    "stakeholder",
    "teacher_stakeholder",
    "zone",
    "n_principals",
    "principal_value",
    "n",
    "teacher_mean",
    "teacher_sd",
    "gap",
    "se",
    "ci_low",
    "ci_high",
    "ci_level",
    "rescaled",
    "suppressed",
)


def perception_gaps(
    principals: Responses | pd.DataFrame | InfluenceResult,
    teachers: Responses | pd.DataFrame | InfluenceResult,
    *,
    principal_instrument: str | os.PathLike[str] | Instrument | None = None,
    teacher_instrument: str | os.PathLike[str] | Instrument | None = None,
    stakeholders: Mapping[str, str] | None = None,
    zones: Mapping[str, str] | None = None,
    by: str = "school_id",
    min_n: int = 5,
    ci: float = 0.95,
    rescale: bool | None = None,
    allow_small_groups: bool = False,
) -> pd.DataFrame:
    """Principal's rating minus the teachers' mean rating of the same stakeholder and zone.

    Parameters
    ----------
    principals, teachers : Responses, DataFrame or InfluenceResult
        Principal answers (for example ``sass-principal-influence``) and teacher answers
        (``colead-teacher`` or ``sass-teacher-influence``) from the same schools.
    principal_instrument, teacher_instrument : str, path or Instrument, optional
        Needed for DataFrames.
    stakeholders : mapping, optional
        Principal-grid stakeholder id -> teacher-grid id. Default: every id the two grids
        share (``principal``, ``teachers``, ``parents``, ...) plus the aliases of
        :data:`STAKEHOLDER_ALIASES` (``district_staff`` ~ ``district``, ...).
    zones : mapping, optional
        Principal-grid zone id -> teacher-grid zone id. Default: the zones both grids share.
    by : str, default "school_id"
        The school column, in both data sets.
    min_n : int, default 5
        Rows resting on fewer teacher answers are suppressed (every statistic blanked,
        the principal's rating included).
    ci : float, default 0.95
        Level of the t interval of the gap (the teachers' mean is the uncertain part).
    rescale : bool, optional
        Put both ratings on 0-1 (``(x - min) / (max - min)`` of each grid's scale). By
        default only when the two scales have different bounds (1-4 against 1-5).
    allow_small_groups : bool, default False

    Returns
    -------
    DataFrame
        One row per school in both data sets, mapped zone and mapped stakeholder that the
        principal rated and at least one teacher rated: ``<by>, stakeholder`` (principal
        grid id), ``teacher_stakeholder, zone, n_principals, principal_value`` (the mean when
        a school has several principal answers), ``n`` (teacher answers), ``teacher_mean,
        teacher_sd, gap`` (principal minus teachers), ``se`` (teacher_sd / sqrt(n)),
        ``ci_low, ci_high, ci_level, rescaled, suppressed``.

    Notes
    -----
    The perception gap (principal report minus teacher report of the same influence) follows
    Brezicha et al. (2020) on TALIS; the per-school, per-zone table with n, suppression and a
    t interval is colead's. A principal's rating is one person's answer: publish the table
    only where that is acceptable. Tested against direct pandas computations.
    """
    min_n = check_min_n(min_n, _F, allow_small_groups=allow_small_groups)
    check_number(ci, "ci", _F, low=0, high=1, low_open=True, high_open=True)
    p_res = _as_result(principals, principal_instrument)
    t_res = _as_result(teachers, teacher_instrument)
    s_map = _mapping(
        stakeholders,
        p_res.stakeholders,
        t_res.stakeholders,
        "stakeholders",
        aliases=STAKEHOLDER_ALIASES,
    )
    z_map = _mapping(zones, p_res.zones, t_res.zones, "zones", aliases=())
    for res, who in ((p_res, "principal"), (t_res, "teacher")):
        if by not in res.respondents.columns:
            raise InvalidParameterError(
                f"The {who} data passed to {_F} lack the school column {by!r}."
            )
    scales = [(float(r.scale.min), float(r.scale.max)) for r in (p_res, t_res)]  # type: ignore[arg-type]
    if rescale is None:
        rescale = scales[0] != scales[1]
    p_long = _long(p_res, by, s_map, z_map, scales[0] if rescale else None, principal=True)
    t_long = _long(t_res, by, s_map, z_map, scales[1] if rescale else None, principal=False)
    keys = [by, "stakeholder", "zone"]
    p_stats = p_long.groupby(keys, observed=True)["value"].agg(["count", "mean"])
    p_stats.columns = ["n_principals", "principal_value"]
    t_stats = t_long.groupby(keys, observed=True)["value"].agg(["count", "mean", "std"])
    t_stats.columns = ["n", "teacher_mean", "teacher_sd"]
    table = p_stats.join(t_stats, how="inner").reset_index()
    table["teacher_stakeholder"] = table["stakeholder"].astype(str).map(s_map)
    table["gap"] = table["principal_value"] - table["teacher_mean"]
    table["se"] = table["teacher_sd"] / np.sqrt(table["n"])
    dof = table["n"].to_numpy(dtype=float) - 1
    t_crit = stats.t.ppf(1 - (1 - ci) / 2, np.where(dof >= 1, dof, 1.0))
    half = np.where(dof >= 1, t_crit, np.nan) * table["se"].to_numpy()
    table["ci_low"] = table["gap"] - half
    table["ci_high"] = table["gap"] + half
    table["ci_level"] = ci
    table["rescaled"] = rescale
    table = table[[by, *GAP_COLUMNS[:-1]]]
    # The teachers' mean is a cell of the teacher grid by school: hide it wherever that
    # grid's suppression does (complementary cells included), so the two never disagree.
    cells = t_res.matrix(by=by, min_n=min_n, long=True, allow_small_groups=True)
    off = cells[cells["suppressed"].to_numpy(dtype=bool)]
    hidden_cells = set(zip(off[by], off["stakeholder"].astype(str), off["zone"].astype(str),
                           strict=True))
    teacher_cell = zip(table[by], table["teacher_stakeholder"],
                       table["zone"].astype(str).map(z_map), strict=True)
    hidden = np.array([cell in hidden_cells for cell in teacher_cell], dtype=bool)
    hidden |= table["n"].to_numpy() < min_n
    return blank(table, hidden, [by, "stakeholder", "teacher_stakeholder", "zone"])


def _as_result(
    data: Responses | pd.DataFrame | InfluenceResult,
    instrument: str | os.PathLike[str] | Instrument | None,
) -> InfluenceResult:
    if isinstance(data, InfluenceResult):
        return data
    return influence(data, instrument)


def _mapping(
    given: Mapping[str, str] | None,
    p_ids: tuple[str, ...],
    t_ids: tuple[str, ...],
    name: str,
    *,
    aliases: tuple[tuple[str, str], ...],
) -> dict[str, str]:
    if given is None:
        out = {s: s for s in p_ids if s in t_ids}
        for a, b in aliases:
            for p_id, t_id in ((a, b), (b, a)):
                if p_id in p_ids and t_id in t_ids and p_id not in out:
                    out[p_id] = t_id
    else:
        if not isinstance(given, Mapping):
            raise InvalidParameterError(
                f"The {name!r} parameter of {_F} must be a mapping of principal-grid ids to "
                f"teacher-grid ids; got {type(given).__name__}."
            )
        bad = [k for k in given if k not in p_ids] + [v for v in given.values() if v not in t_ids]
        if bad:
            raise InvalidParameterError(
                f"The {name!r} mapping of {_F} names ids the grids do not have: {bad} "
                f"(principal grid: {', '.join(p_ids)}; teacher grid: {', '.join(t_ids)})."
            )
        out = dict(given)
    if not out:
        raise InvalidParameterError(
            f"The principal and teacher grids share no {name} ({', '.join(p_ids)} against "
            f"{', '.join(t_ids)}); pass the {name!r} mapping."
        )
    return {k: out[k] for k in p_ids if k in out}


def _long(
    res: InfluenceResult,
    by: str,
    s_map: dict[str, str],
    z_map: dict[str, str],
    bounds: tuple[float, float] | None,
    *,
    principal: bool,
) -> pd.DataFrame:
    """The answers of the mapped cells, labelled with principal-grid ids."""
    long = res.long
    group = res.respondents[by].to_numpy()[res._rows]
    s = long["stakeholder"].astype(str)
    z = long["zone"].astype(str)
    if principal:
        selected = s.isin(list(s_map)) & z.isin(list(z_map))
        s_id, z_id = s, z
    else:
        s_back = {v: k for k, v in s_map.items()}
        z_back = {v: k for k, v in z_map.items()}
        selected = s.isin(list(s_back)) & z.isin(list(z_back))
        s_id, z_id = s.map(s_back), z.map(z_back)
    keep = selected.to_numpy()
    value = long["value"].to_numpy(dtype=float)[keep]
    if bounds is not None:
        value = (value - bounds[0]) / (bounds[1] - bounds[0])
    return pd.DataFrame(
        {
            by: group[keep],
            "stakeholder": pd.Categorical(s_id[keep], categories=list(s_map), ordered=True),
            "zone": pd.Categorical(z_id[keep], categories=list(z_map), ordered=True),
            "value": value,
        }
    )

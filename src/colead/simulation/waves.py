"""Another survey wave of a simulated district: the same schools, constructs and items, with
each school's latent means moved by a known change (``simulate(wave_of=..., change=...)``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import InvalidParameterError

_F = "simulate"


@dataclass(frozen=True)
class Carried:
    """What a new wave takes from the previous one."""

    schools: pd.DataFrame
    icc: dict[str, float]
    correlation: np.ndarray
    paths: pd.DataFrame
    items: pd.DataFrame
    effects: np.ndarray
    change: pd.DataFrame


def carry_over(wave_of: Any, change: Any, constructs: list[str],
               schools: pd.DataFrame | None) -> Carried:
    """The previous wave's district with ``change`` added to its school effects.

    ``change`` (latent standard deviations, the scale of every construct's total variance):
    one number for every school and construct, a mapping school -> number or school ->
    {construct: number}, or a frame of schools (index ``school_id``) x constructs; unlisted
    schools and constructs do not change.
    """
    population = getattr(wave_of, "population", wave_of)
    if population is None or not hasattr(population, "school_effects"):
        raise InvalidParameterError(
            "The 'wave_of' parameter of simulate must be simulated responses (or their "
            f"Population); got {type(wave_of).__name__}.")
    previous = population.school_effects
    if list(previous.columns) != constructs:
        raise InvalidParameterError(
            f"The 'wave_of' wave has the constructs {list(previous.columns)}; this "
            f"instrument has {constructs}: a new wave needs the same instrument.")
    table = (population.schools.drop(columns="n_respondents") if schools is None
             else schools.reset_index(drop=True))
    ids = table["school_id"].astype(object)
    unknown = [s for s in ids if s not in previous.index]
    if unknown:
        raise InvalidParameterError(f"The 'schools' of simulate name {unknown}, which the "
                                    "'wave_of' wave does not have.")
    shift = _change_table(change, list(previous.index), constructs)
    effects = previous.add(shift).reindex(ids).to_numpy(dtype=float)
    return Carried(schools=table, icc=dict(population.icc),
                   correlation=population.correlation.loc[constructs, constructs].to_numpy(),
                   paths=population.paths, items=population.items, effects=effects,
                   change=shift.reindex(ids))


def _change_table(change: Any, schools: list[Any], constructs: list[str]) -> pd.DataFrame:
    table = pd.DataFrame(0.0, index=pd.Index(schools, name="school_id"), columns=constructs)
    if change is None:
        return table
    if isinstance(change, pd.DataFrame):
        given = change
    elif isinstance(change, Mapping):
        given = pd.DataFrame({s: (dict(v) if isinstance(v, Mapping) else dict.fromkeys(
            constructs, v)) for s, v in change.items()}).T
    else:
        value = check_number(change, "change", _F)
        return table + value
    unknown = [s for s in given.index if s not in table.index]
    bad = [c for c in given.columns if c not in constructs]
    if unknown or bad:
        raise InvalidParameterError(
            f"The 'change' of simulate names {'schools ' + str(unknown) if unknown else ''}"
            f"{' and ' if unknown and bad else ''}"
            f"{'constructs ' + str(bad) if bad else ''}, which the district does not have.")
    values = given.apply(pd.to_numeric, errors="coerce").astype(float)
    if not np.isfinite(values.fillna(0).to_numpy()).all():
        raise InvalidParameterError("The 'change' of simulate must hold numbers.")
    table.loc[values.index, values.columns] = values.fillna(0.0).to_numpy()
    return table

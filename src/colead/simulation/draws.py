"""The draws behind :func:`colead.simulate`: schools, scored items, influence grids, context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

from colead._validation import check_number
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument, ResponseScale
from colead.simulation import defaults, kernels

_F = "simulate"


# -- schools ---------------------------------------------------------------------------------
_LEVELS = {1: "Elementary School", 2: "High School", 3: "Academy"}


def school_table(
    rng: np.random.Generator, given: pd.DataFrame | None, params: dict[str, Any]
) -> pd.DataFrame:
    if given is not None:
        if "school_id" not in given.columns or given["school_id"].duplicated().any():
            raise InvalidParameterError(
                "The 'schools' table of simulate needs a unique school_id column."
            )
        table = given.reset_index(drop=True).copy()
    else:
        g = params["n_schools"]
        width = max(2, len(str(g)))
        level = rng.choice([1, 2, 3], size=g, p=[0.6, 0.3, 0.1])
        names = [_school_name(i, int(lv)) for i, lv in enumerate(level)]
        table = pd.DataFrame(
            {
                "school_id": [f"S{i + 1:0{width}d}" for i in range(g)],
                "name": names,
                "school_level": level,
                "locale": rng.choice([1, 2, 3, 4], size=g, p=[0.3, 0.35, 0.15, 0.2]),
                "enrolment": np.round(
                    np.exp(rng.normal(6.2, 0.5, size=g)) * np.where(level == 2, 1.8, 1)
                ).astype(int),
                "pct_frpl": np.round(100 * rng.beta(2, 2.5, size=g), 1),
            }
        )
    if "n_respondents" not in table.columns:
        r = params["respondents"]
        table["n_respondents"] = (
            rng.integers(r[0], r[1] + 1, size=len(table)) if isinstance(r, tuple) else r
        )
    return table


def _school_name(index: int, level: int) -> str:
    """Tree names in turn ("Alder Elementary School"), numbered once they run out."""
    base = defaults.SCHOOL_NAMES
    number = "" if index < len(base) else f" {index // len(base) + 1}"
    return f"{base[index % len(base)]}{number} {_LEVELS[level]}"


# -- items -----------------------------------------------------------------------------------
def scored_items(
    rng: np.random.Generator,
    inst: Instrument,
    constructs: list[str],
    latent: np.ndarray,
    loadings: tuple[float, float],
    columns: dict[str, np.ndarray],
    given: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Answers to the items of every construct; item parameters drawn, or ``given`` (another
    wave's ``Population.items``) so that two waves measure alike."""
    rows = []
    known = None if given is None else given.set_index("item_id")
    for c_index, construct in enumerate(constructs):
        own = [
            inst.item(i) for i in inst.scales[construct].items if inst.item(i).scale == construct
        ]
        by_scale: dict[str, list[Any]] = {}
        for item in own:
            by_scale.setdefault(item.response_scale, []).append(item)
        for rs_id, items in by_scale.items():
            rs = inst.response_scales[rs_id]
            k = len(items)
            lam = rng.uniform(loadings[0], loadings[1], size=k)
            sign = np.where([it.reverse for it in items], -1.0, 1.0)
            location = sign * defaults.CONSTRUCT_LOCATION + rng.normal(0, 0.25, size=k)
            if known is not None:
                ids = [it.id for it in items]
                lam = known.loc[ids, "loading"].to_numpy(dtype=float)
                location = known.loc[ids, "location"].to_numpy(dtype=float)
            eta = latent[:, c_index]
            if rs.type == "numeric":
                low, high = cast(float, rs.min), cast(float, rs.max)  # scales need bounds
                block = kernels.continuous_responses(rng, eta, lam, sign, location, low, high)
                cuts = np.empty((k, 0))
            else:
                cuts = defaults.ANSWER_SPREAD * (kernels.base_thresholds(rs.n_points)[None, :]
                                                 - location[:, None])
                block = kernels.graded_responses(rng, eta, lam, sign, cuts, np.array(rs.values))
            for j, item in enumerate(items):
                columns[item.id] = block[:, j]
                rows.append(
                    {
                        "item_id": item.id,
                        "construct": construct,
                        "loading": lam[j],
                        "sign": int(sign[j]),
                        "location": location[j],
                        "thresholds": tuple(cuts[j]),
                    }
                )
    return pd.DataFrame(
        rows, columns=["item_id", "construct", "loading", "sign", "location", "thresholds"]
    )


def influence(
    rng: np.random.Generator,
    inst: Instrument,
    school_index: np.ndarray,
    n_schools: int,
    params: dict[str, Any],
    columns: dict[str, np.ndarray],
) -> tuple[pd.DataFrame | None, pd.DataFrame | None, str | None]:
    grid = inst.influence
    if grid is None:
        return None, None, None
    s_ids, z_ids = list(grid.stakeholder_ids), list(grid.zone_ids)
    means = np.array(
        [
            [
                defaults.keyword_value(s, defaults.STAKEHOLDER_MEANS)
                + (defaults.TEACHER_ZONE_SHIFT.get(z, 0.0) if "teacher" in s else 0.0)
                for z in z_ids
            ]
            for s in s_ids
        ]
    )
    outcome = next((s for s in s_ids if s == defaults.RELATION_OUTCOME), None)
    betas = _relation_betas(params["influence_relations"], s_ids, z_ids, outcome)
    latent = kernels.influence_latent(
        rng,
        school_index,
        n_schools,
        means,
        params["influence_icc"],
        betas,
        s_ids.index(outcome) if outcome else None,
    )
    values = np.array(inst.response_scales[grid.response_scale].values)
    for s, z, item_id in grid.cells:
        columns[item_id] = kernels.discretize(latent[:, s_ids.index(s), z_ids.index(z)], values)
    relations = None
    if outcome is not None:
        rows = [
            (z, s, betas[i, j])
            for j, z in enumerate(z_ids)
            for i, s in enumerate(s_ids)
            if s != outcome
        ]
        relations = pd.DataFrame(rows, columns=["zone", "stakeholder", "beta"])
        relations["relation"] = np.select(
            [relations["beta"] > 0, relations["beta"] < 0], ["supportive", "inhibiting"], "none"
        )
    means_frame = pd.DataFrame(
        means, index=pd.Index(s_ids, name="stakeholder"), columns=pd.Index(z_ids, name="zone")
    )
    return means_frame, relations, outcome


def _relation_betas(
    given: Mapping[str, Any] | None, s_ids: list[str], z_ids: list[str], outcome: str | None
) -> np.ndarray:
    betas = np.zeros((len(s_ids), len(z_ids)))
    if outcome is None:
        if given:
            raise InvalidParameterError(
                "The 'influence_relations' of simulate need a grid with "
                f"a {defaults.RELATION_OUTCOME!r} stakeholder."
            )
        return betas
    if given is None:
        for i, s in enumerate(s_ids):
            if s != outcome:
                betas[i, :] = defaults.keyword_value(s, defaults.RELATION_BETAS)
    else:
        for s, spec in given.items():
            if s not in s_ids or s == outcome:
                raise InvalidParameterError(
                    f"The 'influence_relations' of simulate name {s!r}, "
                    f"which is not one of the other stakeholders {s_ids}."
                )
            per_zone = spec if isinstance(spec, Mapping) else dict.fromkeys(z_ids, spec)
            for z, b in per_zone.items():
                if z not in z_ids:
                    raise InvalidParameterError(
                        f"The 'influence_relations' of simulate name zone {z!r}; zones are {z_ids}."
                    )
                betas[s_ids.index(s), z_ids.index(z)] = check_number(
                    b, "influence_relations", _F, low=-1, high=1, low_open=True, high_open=True
                )
    explained = (betas**2).sum(axis=0)
    if (explained >= 1).any():
        raise InvalidParameterError(
            "The 'influence_relations' of simulate explain all the "
            "variance of the principal's influence in some zone; the "
            "squared betas of a zone must sum to less than 1."
        )
    return betas


def context_items(
    rng: np.random.Generator,
    inst: Instrument,
    school_index: np.ndarray,
    school_table: pd.DataFrame,
    columns: dict[str, np.ndarray],
) -> None:
    n = len(school_index)
    for item in inst.item_list:
        if item.id in columns:
            continue
        rs = inst.response_scales[item.response_scale]
        if item.id in defaults.SCHOOL_ATTRIBUTES and item.id in school_table.columns:
            value = school_table[item.id].to_numpy(dtype=float)[school_index]
            if rs.type != "numeric" and not np.isin(value, rs.values).all():
                value = rng.choice(np.array(rs.values, dtype=float), size=n)
            columns[item.id] = _clip(value, rs)
        elif rs.type == "numeric":
            columns[item.id] = _clip(_numeric_context(rng, item.id, n), rs)
        elif rs.type == "multiple":  # each option ticked independently, about one in three
            for name in inst.data_columns(item.id):
                columns[name] = (rng.random(n) < 0.35).astype(float)
        else:
            columns[item.id] = rng.choice(np.array(rs.values, dtype=float), size=n)


def _numeric_context(rng: np.random.Generator, item_id: str, n: int) -> np.ndarray:
    if "year" in item_id:
        return np.floor(rng.gamma(2.0, 5.0, size=n))
    if "pct" in item_id or "percent" in item_id:
        return np.round(100 * rng.beta(2, 2.5, size=n), 1)
    return np.round(rng.lognormal(3, 1, size=n))


def _clip(value: np.ndarray, rs: ResponseScale) -> np.ndarray:
    low = -np.inf if rs.min is None else rs.min
    high = np.inf if rs.max is None else rs.max
    return np.clip(value.astype(float), low, high)

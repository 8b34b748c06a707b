"""Synthetic schools with known population values.

:func:`simulate` draws teachers (or principals) nested in schools and answers to any
instrument: latent constructs with school random effects (so ICC(1) is known) and a chosen
correlation structure, item answers from a graded response model on each scale's points,
missing answers, context items, and decision-influence grids whose relations between
stakeholders are known. The result is ordinary :class:`~colead.responses.Responses` that also
carries the :class:`Population` it was drawn from, so every estimate can be checked against
the value that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from colead import _simulation_defaults as defaults
from colead import _simulation_kernels as kernels
from colead._validation import check_int, check_number
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument, ResponseScale, load_instrument
from colead.responses import ImportLog, Responses

__all__ = ["Population", "SimulatedResponses", "implied_correlation", "simulate"]

_F = "simulate"


@dataclass(frozen=True)
class Population:
    """The population values a simulation was drawn with, and its drawn school effects.

    Attributes
    ----------
    parameters : dict
        The arguments of the call (seed included), so that it can be repeated.
    icc : dict
        Construct -> intraclass correlation of its latent score.
    correlation : DataFrame
        Latent correlation between constructs; it holds both within and between schools.
    paths : DataFrame
        ``outcome, predictor, beta``: the standardized path model behind ``correlation``
        (empty when a correlation matrix was given directly).
    items : DataFrame
        Per scored item: ``item_id, construct, loading, sign, location`` and ``thresholds``
        (the cut points of the graded model on the latent scale).
    schools : DataFrame
        Per school: ``school_id, name, n_respondents`` and the context attributes
        ``school_level, locale, enrolment, pct_frpl`` (codes as in the SASS instruments).
    school_effects : DataFrame
        Schools x constructs: the between-school part of each latent score.
    latent : DataFrame
        Respondents x constructs: the latent scores (indexed by respondent_id).
    influence_means : DataFrame or None
        Stakeholders x zones: mean latent influence (normal scale, 0 = middle of the scale).
    influence_relations : DataFrame or None
        ``zone, stakeholder, beta, relation``: the standardized effect of each stakeholder's
        influence on the outcome stakeholder's (``supportive`` > 0, ``inhibiting`` < 0,
        ``none``).
    influence_outcome : str or None
        The stakeholder whose influence the relations explain (the principal).
    influence_icc : float
        Share of the variance of perceived influence between schools.
    """

    parameters: dict[str, Any]
    icc: dict[str, float]
    correlation: pd.DataFrame
    paths: pd.DataFrame
    items: pd.DataFrame
    schools: pd.DataFrame
    school_effects: pd.DataFrame
    latent: pd.DataFrame
    influence_means: pd.DataFrame | None
    influence_relations: pd.DataFrame | None
    influence_outcome: str | None
    influence_icc: float

    def summary(self) -> str:
        p = self.parameters
        lines = [
            f"{len(self.schools)} schools, {int(self.schools['n_respondents'].sum())} "
            f"respondents, seed {p['seed']}",
            "ICC(1) of latent constructs: " + ", ".join(f"{k} {v:g}" for k, v in self.icc.items()),
            f"missing answers: {p['missing']:g} of item cells (completely at random)",
        ]
        if len(self.paths):
            lines.append(
                "paths: "
                + "; ".join(
                    f"{r.predictor} -> {r.outcome} {r.beta:g}" for r in self.paths.itertuples()
                )
            )
        if self.influence_relations is not None:
            rel = self.influence_relations.groupby("stakeholder", sort=False)["relation"].first()
            lines.append(
                f"influence relations to {self.influence_outcome}: "
                + ", ".join(f"{s} {r}" for s, r in rel.items())
            )
        return "\n".join(lines)


@dataclass(frozen=True, repr=False)
class SimulatedResponses(Responses):
    """:class:`~colead.responses.Responses` that also carry their :class:`Population`."""

    population: Population | None = None


def implied_correlation(
    paths: Mapping[str, Mapping[str, float]],
    exogenous: Mapping[tuple[str, str], float] | float = 0.0,
    variables: list[str] | None = None,
) -> pd.DataFrame:
    """The correlation matrix implied by a recursive model of standardized paths.

    Parameters
    ----------
    paths : mapping
        ``{outcome: {predictor: beta}}``.
    exogenous : float or mapping, default 0
        Correlation between the variables that are no outcome: one value for every pair, or
        ``{(a, b): r}`` (unlisted pairs 0).
    variables : list of str, optional
        Order of the result; by default the exogenous variables, then the outcomes.
    """
    if variables is None:
        named = list(dict.fromkeys([x for p in paths.values() for x in p] + list(paths)))
        variables = [v for v in named if v not in paths] + [v for v in named if v in paths]
    matrix = kernels.implied_correlation(variables, paths, exogenous)
    return pd.DataFrame(matrix, index=variables, columns=variables)


def simulate(
    instrument: str | Instrument = "colead-teacher",
    *,
    n_schools: int = 12,
    respondents: int | tuple[int, int] = (8, 35),
    icc: float | Mapping[str, float] = 0.15,
    correlation: float | pd.DataFrame | None = None,
    paths: Mapping[str, Mapping[str, float]] | None = None,
    loadings: float | tuple[float, float] = (0.6, 0.85),
    missing: float = 0.02,
    influence_relations: Mapping[str, float | Mapping[str, float]] | None = None,
    influence_icc: float = defaults.INFLUENCE_ICC,
    schools: pd.DataFrame | None = None,
    seed: int | None = None,
) -> SimulatedResponses:
    """Draw synthetic schools and their respondents' answers to an instrument.

    Parameters
    ----------
    instrument : str or Instrument, default "colead-teacher"
        The instrument answered; every scale with items of its own becomes a latent construct.
    n_schools : int, default 12
    respondents : int or (int, int), default (8, 35)
        Respondents per school: a fixed number or an inclusive range drawn uniformly.
    icc : float or mapping, default 0.15
        Intraclass correlation of each latent construct (one value, or per scale id).
    correlation : float, DataFrame or None
        Latent correlation between constructs, the same within and between schools. A float
        is the correlation of every pair (with ``paths``: of every pair of exogenous
        constructs); a DataFrame is the whole matrix. None uses the instrument's default model
        (for colead-teacher, leadership and trust feeding professional community, which feeds
        focused instruction), else 0.3 for every pair.
    paths : mapping, optional
        ``{outcome: {predictor: beta}}``, a recursive model of standardized paths among
        scale ids; the correlation it implies is recorded in the population.
    loadings : float or (float, float), default (0.6, 0.85)
        Standardized loadings of items on their construct: one value or a uniform range.
    missing : float, default 0.02
        Share of item cells left unanswered, completely at random.
    influence_relations : mapping, optional
        Standardized effect of each stakeholder's influence on the principal's, zone by zone:
        ``{stakeholder: beta}`` or ``{stakeholder: {zone: beta}}``. Unlisted stakeholders have
        no relation. By default teachers and the district are supportive (0.30, 0.25) and the
        state inhibiting (-0.30), after Ni, Yan & Pounder (2018).
    influence_icc : float, default 0.2
        Share of the variance of perceived influence that lies between schools.
    schools : DataFrame, optional
        Schools to reuse (``school_id`` and the attribute columns of ``Population.schools``),
        for instance to give the principals of simulated teachers the same schools. Its
        ``n_respondents`` column, when present, sets the respondents per school.
    seed : int, optional
        Seed of the random generator; the same seed gives the same data.

    Returns
    -------
    SimulatedResponses
        ``data`` as from an import, ``population`` with every value used.

    Notes
    -----
    Latent scores are ``sqrt(icc) * B_school + sqrt(1 - icc) * W`` with B and W drawn from
    N(0, R), so each construct has unit variance, ICC(1) equal to ``icc`` and correlation
    matrix R at both levels. Item answers follow a normal-ogive graded response model:
    ``y* = +/- loading * eta + sqrt(1 - loading^2) e`` cut at thresholds that would give equal
    category shares, shifted per item (reverse-keyed items load negatively and lean the
    other way). Influence answers are a school's true influence plus each respondent's view,
    with the principal's influence built from the others' by ``influence_relations``.
    """
    inst = load_instrument(instrument)
    rng = np.random.default_rng(seed)
    params = _check_parameters(locals())
    school_table = _school_table(rng, schools, params)
    sizes = school_table["n_respondents"].to_numpy()
    school_index = np.repeat(np.arange(len(school_table)), sizes)
    n = len(school_index)

    constructs = [
        sc.id for sc in inst.scale_list if any(inst.item(i).scale == sc.id for i in sc.items)
    ]
    icc_of = _per_construct(params["icc"], constructs, "icc")
    corr, path_table = _latent_correlation(inst, constructs, params["correlation"], params["paths"])
    latent, effects = kernels.two_level_latent(
        rng, school_index, len(school_table), corr, np.array([icc_of[c] for c in constructs])
    )
    columns: dict[str, np.ndarray] = {}
    item_table = _scored_items(rng, inst, constructs, latent, params["loadings"], columns)
    influence = _influence(rng, inst, school_index, len(school_table), params, columns)
    _context_items(rng, inst, school_index, school_table, columns)

    prefix = {"teacher": "T", "principal": "P"}.get(inst.respondent, "R")
    ids = [f"{prefix}{i + 1:0{max(4, len(str(n)))}d}" for i in range(n)]
    data = pd.DataFrame(
        {"respondent_id": ids, "school_id": school_table["school_id"].to_numpy()[school_index]}
    )
    values = (
        np.column_stack([columns[i] for i in inst.item_ids]) if inst.item_ids else np.empty((n, 0))
    )
    if params["missing"] > 0:
        values[rng.random(values.shape) < params["missing"]] = np.nan
    data = pd.concat([data, pd.DataFrame(values, columns=list(inst.item_ids))], axis=1)

    population = Population(
        parameters=dict(params),
        icc=icc_of,
        correlation=pd.DataFrame(corr, index=constructs, columns=constructs),
        paths=path_table,
        items=item_table,
        schools=school_table,
        school_effects=pd.DataFrame(
            effects, index=pd.Index(school_table["school_id"], name="school_id"), columns=constructs
        ),
        latent=pd.DataFrame(latent, index=pd.Index(ids, name="respondent_id"), columns=constructs),
        influence_means=influence[0],
        influence_relations=influence[1],
        influence_outcome=influence[2],
        influence_icc=params["influence_icc"],
    )
    log = ImportLog(source="simulate", rows_read=n, rows_kept=n)
    return SimulatedResponses(
        data=data, log=log, platform="simulate", instrument=inst, population=population
    )


# -- parameters ------------------------------------------------------------------------------
def _check_parameters(args: dict[str, Any]) -> dict[str, Any]:
    params = {
        k: args[k]
        for k in (
            "n_schools",
            "respondents",
            "icc",
            "correlation",
            "paths",
            "loadings",
            "missing",
            "influence_relations",
            "influence_icc",
            "seed",
        )
    }
    if args["schools"] is None:
        check_int(params["n_schools"], "n_schools", _F, low=1)
    r = params["respondents"]
    if isinstance(r, tuple | list):
        if len(r) != 2:
            raise InvalidParameterError(
                "The 'respondents' parameter of simulate must be an "
                f"integer or a (low, high) pair; got {r!r}."
            )
        lo, hi = (check_int(v, "respondents", _F, low=1) for v in r)
        if lo > hi:
            raise InvalidParameterError(
                f"The 'respondents' range of simulate must have low <= high; got {r!r}."
            )
        params["respondents"] = (lo, hi)
    else:
        params["respondents"] = check_int(r, "respondents", _F, low=1)
    ld = params["loadings"]
    bounds = ld if isinstance(ld, tuple | list) else (ld, ld)
    if len(bounds) != 2:
        raise InvalidParameterError(
            f"The 'loadings' parameter of simulate must be a number or a pair; got {ld!r}."
        )
    params["loadings"] = tuple(
        check_number(v, "loadings", _F, low=0, high=1, low_open=True, high_open=True)
        for v in bounds
    )
    check_number(params["missing"], "missing", _F, low=0, high=1, high_open=True)
    check_number(params["influence_icc"], "influence_icc", _F, low=0, high=1, high_open=True)
    if params["seed"] is not None:
        check_int(params["seed"], "seed", _F, low=0)
    if params["paths"] is not None and isinstance(params["correlation"], pd.DataFrame):
        raise InvalidParameterError(
            "Give simulate either paths (with a float correlation for the "
            "exogenous constructs) or a correlation matrix, not both."
        )
    return params


def _per_construct(
    value: float | Mapping[str, float], constructs: list[str], name: str
) -> dict[str, float]:
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(constructs))
        if unknown:
            raise InvalidParameterError(
                f"The {name!r} parameter of simulate names {unknown}, which "
                f"are not constructs of the instrument ({constructs})."
            )
        out = {c: value.get(c, 0.15) for c in constructs}
    else:
        out = dict.fromkeys(constructs, value)
    for c, v in out.items():
        check_number(v, f"{name}[{c}]", _F, low=0, high=1, high_open=True)
    return {c: float(v) for c, v in out.items()}


def _latent_correlation(
    inst: Instrument,
    constructs: list[str],
    correlation: Any,
    paths: Mapping[str, Mapping[str, float]] | None,
) -> tuple[np.ndarray, pd.DataFrame]:
    exogenous: Any = defaults.DEFAULT_CORRELATION if correlation is None else correlation
    if (
        paths is None
        and correlation is None
        and set(defaults.TEACHER_PATHS) | {x for p in defaults.TEACHER_PATHS.values() for x in p}
        <= set(constructs)
    ):
        paths, exogenous = defaults.TEACHER_PATHS, defaults.TEACHER_EXOGENOUS
    if isinstance(correlation, pd.DataFrame):
        if sorted(correlation.index) != sorted(constructs) or sorted(correlation.columns) != sorted(
            constructs
        ):
            raise InvalidParameterError(
                "The 'correlation' matrix of simulate must have the "
                f"constructs {constructs} as its index and columns."
            )
        matrix = correlation.loc[constructs, constructs].to_numpy(dtype=float)
        kernels.check_correlation_matrix(matrix)
        return matrix, _path_frame({})
    if not isinstance(exogenous, Mapping):
        check_number(exogenous, "correlation", _F, low=-1, high=1, low_open=True, high_open=True)
    paths = paths or {}
    named = {x for p in paths.values() for x in p} | set(paths)
    unknown = sorted(named - set(constructs))
    if unknown:
        raise InvalidParameterError(
            f"The 'paths' of simulate name {unknown}, which are not "
            f"constructs of the instrument ({constructs})."
        )
    return kernels.implied_correlation(constructs, paths, exogenous), _path_frame(paths)


def _path_frame(paths: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    rows = [(y, x, float(b)) for y, p in paths.items() for x, b in p.items()]
    return pd.DataFrame(rows, columns=["outcome", "predictor", "beta"])


# -- schools ---------------------------------------------------------------------------------
_LEVELS = {1: "Elementary School", 2: "High School", 3: "Academy"}


def _school_table(
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
def _scored_items(
    rng: np.random.Generator,
    inst: Instrument,
    constructs: list[str],
    latent: np.ndarray,
    loadings: tuple[float, float],
    columns: dict[str, np.ndarray],
) -> pd.DataFrame:
    rows = []
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
            eta = latent[:, c_index]
            if rs.type == "numeric":
                low, high = cast(float, rs.min), cast(float, rs.max)  # scales need bounds
                block = kernels.continuous_responses(rng, eta, lam, sign, location, low, high)
                cuts = np.empty((k, 0))
            else:
                cuts = kernels.base_thresholds(rs.n_points)[None, :] - location[:, None]
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


def _influence(
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


def _context_items(
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

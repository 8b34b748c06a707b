"""Synthetic schools with known population values.

:func:`simulate` draws teachers (or principals) nested in schools and answers to any
instrument: latent constructs with school random effects (so ICC(1) is known) and a chosen
correlation structure, item answers from a graded response model on each scale's points,
missing answers, context items, and decision-influence grids whose relations between
stakeholders are known. The result is ordinary :class:`~colead.io.responses.Responses` that also
carries the :class:`Population` it was drawn from, so every estimate can be checked against
the value that produced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from colead._validation import check_int, check_number
from colead.exceptions import InvalidParameterError
from colead.instrument import Instrument, load_instrument
from colead.io.responses import ImportLog, Responses
from colead.simulation import defaults, draws, kernels, waves

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
    change : DataFrame or None
        Schools x constructs: the latent change added to the school effects of the wave this
        one was drawn from (``simulate(wave_of=...)``), None for a first wave.
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
    change: pd.DataFrame | None = None

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
    """:class:`~colead.io.responses.Responses` that also carry their :class:`Population`."""

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
    wave_of: SimulatedResponses | Population | None = None,
    change: float | Mapping[Any, Any] | pd.DataFrame | None = None,
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
    wave_of : SimulatedResponses or Population, optional
        Draw another survey wave of that district: the same schools (with new respondents,
        ``respondents`` per school unless ``schools`` says), the same ICCs, correlations and
        item parameters, and its school effects plus ``change``; ``icc``, ``correlation``,
        ``paths`` and ``loadings`` are then taken from it. Influence grids are drawn afresh.
    change : float, mapping or DataFrame, optional
        With ``wave_of``, each school's change of the latent constructs, in standard
        deviations of the construct (its total variance is 1): one number for all, a mapping
        school -> number (every construct) or school -> {construct: number}, or a frame of
        schools x constructs; unlisted ones stay. Recorded in ``population.change``.

    Returns
    -------
    SimulatedResponses
        ``data`` as from an import, ``population`` with every value used.

    Notes
    -----
    Latent scores are ``sqrt(icc) * B_school + sqrt(1 - icc) * W`` with B and W drawn from
    N(0, R), so each construct has unit variance, ICC(1) equal to ``icc`` and correlation
    matrix R at both levels. Item answers follow a normal-ogive graded response model:
    ``y* = +/- loading * eta + sqrt(1 - loading^2) e`` cut at thresholds
    ``defaults.ANSWER_SPREAD`` times the cut points that would give equal category shares,
    shifted per item (reverse-keyed items load negatively and lean the other way), so that
    answers within a school agree as much as in published surveys (median rwg(j) about .8).
    Influence answers are a school's true influence plus each respondent's view, with the
    principal's influence built from the others' by ``influence_relations``.
    """
    inst = load_instrument(instrument)
    params = _check_parameters(locals())
    rng = np.random.default_rng(seed)
    constructs = [
        sc.id for sc in inst.scale_list if any(inst.item(i).scale == sc.id for i in sc.items)
    ]
    carried = None
    if wave_of is not None:
        carried = waves.carry_over(wave_of, change, constructs, schools)
        schools = carried.schools
    elif change is not None:
        raise InvalidParameterError("The 'change' parameter of simulate needs 'wave_of': the "
                                    "wave the change starts from.")
    school_table = draws.school_table(rng, schools, params)
    sizes = school_table["n_respondents"].to_numpy()
    school_index = np.repeat(np.arange(len(school_table)), sizes)
    n = len(school_index)

    if carried is None:
        icc_of = _per_construct(params["icc"], constructs, "icc")
        corr, path_table = _latent_correlation(inst, constructs, params["correlation"],
                                               params["paths"])
    else:
        icc_of, corr, path_table = carried.icc, carried.correlation, carried.paths
    latent, effects = kernels.two_level_latent(
        rng, school_index, len(school_table), corr, np.array([icc_of[c] for c in constructs]),
        between=None if carried is None else carried.effects,
    )
    columns: dict[str, np.ndarray] = {}
    item_table = draws.scored_items(rng, inst, constructs, latent, params["loadings"], columns,
                                    given=None if carried is None else carried.items)
    influence = draws.influence(rng, inst, school_index, len(school_table), params, columns)
    draws.context_items(rng, inst, school_index, school_table, columns)

    prefix = {"teacher": "T", "principal": "P"}.get(inst.respondent, "R")
    ids = [f"{prefix}{i + 1:0{max(4, len(str(n)))}d}" for i in range(n)]
    data = pd.DataFrame(
        {"respondent_id": ids, "school_id": school_table["school_id"].to_numpy()[school_index]}
    )
    names = list(inst.column_ids)
    values = np.column_stack([columns[c] for c in names]) if names else np.empty((n, 0))
    if params["missing"] > 0:
        values[rng.random(values.shape) < params["missing"]] = np.nan
        for item_id in inst.item_ids:  # a checkbox question is skipped as a whole
            block = np.array([names.index(c) for c in inst.data_columns(item_id)])
            if len(block) > 1:
                skipped = np.isnan(values[:, block]).any(axis=1)
                values[np.ix_(skipped, block)] = np.nan
    data = pd.concat([data, pd.DataFrame(values, columns=names)], axis=1)

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
        change=None if carried is None else carried.change.set_axis(
            pd.Index(school_table["school_id"], name="school_id")),
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

"""Numpy kernels behind :func:`colead.simulate`: latent model algebra and response generation.

Everything here works on arrays; the public function validates, names and records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.special import ndtr, ndtri

from colead.exceptions import InvalidParameterError


def implied_correlation(
    variables: Sequence[str],
    paths: Mapping[str, Mapping[str, float]],
    exogenous: Mapping[tuple[str, str], float] | float,
) -> np.ndarray:
    """Correlation matrix implied by a recursive path model of standardized variables.

    Exogenous variables (those that are no path's outcome) correlate as ``exogenous`` says (a
    common value, or pairs); each outcome is ``sum(beta * predictor) + residual`` with the
    residual independent of everything before it and variance ``1 - explained``.
    """
    index = {v: i for i, v in enumerate(variables)}
    outcomes = [v for v in variables if v in paths]
    exo = [v for v in variables if v not in paths]
    sigma = np.eye(len(variables))
    for a in exo:
        for b in exo:
            if a < b:
                r = (
                    exogenous
                    if isinstance(exogenous, float | int)
                    else exogenous.get((a, b), exogenous.get((b, a), 0.0))
                )
                sigma[index[a], index[b]] = sigma[index[b], index[a]] = r
    if (
        exo
        and np.linalg.eigvalsh(sigma[np.ix_([index[v] for v in exo], [index[v] for v in exo])])[0]
        <= 0
    ):
        raise InvalidParameterError(
            "The correlations among the exogenous constructs do not form "
            "a valid (positive definite) correlation matrix."
        )
    placed = list(exo)
    pending = list(outcomes)
    while pending:
        ready = [y for y in pending if all(x in placed for x in paths[y])]
        if not ready:
            raise InvalidParameterError(
                f"The paths are not recursive: {pending} depend on each other in a cycle."
            )
        for y in ready:
            xs = [index[x] for x in paths[y]]
            beta = np.array([paths[y][x] for x in paths[y]], dtype=float)
            cov = beta @ sigma[xs, :]
            explained = float(beta @ sigma[np.ix_(xs, xs)] @ beta)
            if explained >= 1:
                raise InvalidParameterError(
                    f"The paths into {y!r} explain {explained:.2f} of its variance; standardized "
                    "paths must explain less than 1."
                )
            done = [index[v] for v in placed]
            sigma[index[y], done] = cov[done]
            sigma[done, index[y]] = cov[done]
            placed.append(y)
            pending.remove(y)
    return sigma


def check_correlation_matrix(matrix: np.ndarray) -> None:
    """A correlation matrix must be symmetric, have a unit diagonal and be positive definite."""
    if (
        matrix.ndim != 2
        or matrix.shape[0] != matrix.shape[1]
        or not np.allclose(matrix, matrix.T)
        or not np.allclose(np.diag(matrix), 1)
        or np.linalg.eigvalsh(matrix)[0] <= 0
    ):
        raise InvalidParameterError(
            "The 'correlation' parameter of simulate must be a symmetric, "
            "positive definite matrix with ones on the diagonal."
        )


def two_level_latent(
    rng: np.random.Generator,
    school_index: np.ndarray,
    n_schools: int,
    correlation: np.ndarray,
    icc: np.ndarray,
    between: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Latent scores ``sqrt(icc) * B[school] + sqrt(1 - icc) * W`` with B, W ~ N(0, R).

    Returns the respondents' latent scores (n x c) and the school effects
    ``sqrt(icc) * B`` (schools x c). Each construct has variance 1 and intraclass
    correlation ``icc``. Given school effects (``between``, another wave's) are used as
    they are.
    """
    chol = np.linalg.cholesky(correlation)
    if between is None:
        between = rng.standard_normal((n_schools, len(icc))) @ chol.T * np.sqrt(icc)
    within = rng.standard_normal((len(school_index), len(icc))) @ chol.T * np.sqrt(1 - icc)
    return between[school_index] + within, between


def base_thresholds(n_points: int) -> np.ndarray:
    """Cut points that split a standard normal into ``n_points`` equally likely categories."""
    return ndtri(np.arange(1, n_points) / n_points)


def graded_responses(
    rng: np.random.Generator,
    eta: np.ndarray,
    loadings: np.ndarray,
    signs: np.ndarray,
    thresholds: np.ndarray,
    values: np.ndarray,
) -> np.ndarray:
    """Ordinal answers from a normal-ogive graded response model.

    ``y* = sign * loading * eta + sqrt(1 - loading^2) * e``; the answer is the scale value of
    the category ``y*`` falls into. ``eta`` is (n,), ``loadings``/``signs`` (k,),
    ``thresholds`` (k, points - 1) increasing, ``values`` (points,). Returns (n, k) floats.
    """
    noise = rng.standard_normal((len(eta), len(loadings)))
    ystar = eta[:, None] * (signs * loadings) + noise * np.sqrt(1 - loadings**2)
    category = (ystar[:, :, None] > thresholds[None, :, :]).sum(axis=2)
    return values[category].astype(float)


def continuous_responses(
    rng: np.random.Generator,
    eta: np.ndarray,
    loadings: np.ndarray,
    signs: np.ndarray,
    locations: np.ndarray,
    low: float,
    high: float,
) -> np.ndarray:
    """Answers on a bounded numeric scale: the normal probability of ``y* + location`` mapped
    onto [low, high]."""
    noise = rng.standard_normal((len(eta), len(loadings)))
    ystar = eta[:, None] * (signs * loadings) + noise * np.sqrt(1 - loadings**2)
    return low + (high - low) * ndtr(ystar + locations)


def influence_latent(
    rng: np.random.Generator,
    school_index: np.ndarray,
    n_schools: int,
    means: np.ndarray,
    icc: float,
    betas: np.ndarray,
    outcome: int | None,
) -> np.ndarray:
    """Perceived influence of each stakeholder over each zone (n x stakeholders x zones).

    Each respondent sees a school's true influence plus their own view:
    ``dev = sqrt(icc) * U[school] + sqrt(1 - icc) * E`` (unit variance). The outcome
    stakeholder's deviation is ``sum_s beta[s, z] * dev[s, z] + sqrt(1 - sum beta^2) * own``,
    so ``beta`` is the standardized regression of its influence on the others' in each zone.
    """
    n_s, n_z = means.shape
    school = rng.standard_normal((n_schools, n_s, n_z)) * np.sqrt(icc)
    dev = school[school_index] + rng.standard_normal((len(school_index), n_s, n_z)) * np.sqrt(
        1 - icc
    )
    if outcome is not None:
        others = np.einsum("nsz,sz->nz", dev, betas)
        residual = np.sqrt(1 - (betas**2).sum(axis=0))
        dev[:, outcome, :] = others + residual * dev[:, outcome, :]
    return means[None, :, :] + dev


def discretize(latent: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Map standard-normal-scale latent values onto ``values`` with equal-probability cuts."""
    return values[np.searchsorted(base_thresholds(len(values)), latent)].astype(float)

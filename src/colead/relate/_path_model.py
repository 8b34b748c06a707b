"""Numpy kernels of observed-variable path models (:func:`colead.path`, :func:`colead.mediate`).

A recursive path model with observed exogenous variables is a system of regressions: maximum
likelihood (lavaan with ``fixed.x = TRUE``) gives each equation's OLS coefficients, except that
final outcomes whose disturbances covary form a SUR block (:mod:`colead.relate._path_sur`), so
everything follows from the covariance matrix of the model's variables. The cluster bootstrap
therefore never refits a model: it draws schools, adds up their precomputed sums and
cross-products with the drawn counts (one matrix product for all replicates) and solves every
equation of every replicate in one batched ``solve``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from colead.exceptions import InvalidParameterError

_LINE = re.compile(r"^\s*([^~+]+?)\s*~\s*(.+?)\s*$")
#: A replicate whose predictors' covariance matrix is worse conditioned than this (a resample
#: of too few distinct schools) is left out rather than solved into noise.
MAX_CONDITION = 1e12


@dataclass(frozen=True)
class PathSpec:
    """A recursive model: variables ordered exogenous first, then outcomes in causal order."""

    variables: tuple[str, ...]
    equations: dict[str, tuple[str, ...]]
    exogenous: tuple[str, ...]
    endogenous: tuple[str, ...]
    correlated: tuple[str, ...] = ()  # final outcomes whose disturbances covary

    @property
    def edges(self) -> list[tuple[str, str]]:
        """(outcome, predictor) of every path, in equation order."""
        return [(y, x) for y in self.endogenous for x in self.equations[y]]

    def text(self) -> str:
        return "\n".join(f"{y} ~ {' + '.join(self.equations[y])}" for y in self.endogenous)


def parse_model(
    model: str | Mapping[str, str | Sequence[str]], func: str, correlate_outcomes: bool = False
) -> PathSpec:
    """``{"y": ["a", "b"]}`` or lines ``"y ~ a + b"`` -> a checked, ordered :class:`PathSpec`.

    With ``correlate_outcomes`` the disturbances of the final outcomes (outcomes no equation
    uses as a predictor) covary, when there are at least two."""
    equations: dict[str, list[str]] = {}
    if isinstance(model, str):
        for raw in re.split(r"[\n;]", model):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            match = _LINE.match(line)
            if match is None or "~" in match.group(2):
                raise InvalidParameterError(
                    f"{func}: cannot read the model line {line!r}; write 'outcome ~ a + b'."
                )
            terms = [t.strip() for t in match.group(2).split("+")]
            equations.setdefault(match.group(1).strip(), []).extend(terms)
    elif isinstance(model, Mapping):
        for y, xs in model.items():
            equations.setdefault(str(y), []).extend([xs] if isinstance(xs, str) else list(xs))
    else:
        raise InvalidParameterError(
            f"The 'model' parameter of {func} must be a mapping outcome -> predictors or "
            f"lines 'outcome ~ a + b'; got {type(model).__name__}."
        )
    problems = []
    for y, xs in equations.items():
        if not xs or any(not isinstance(x, str) or not x for x in xs):
            problems.append(f"{y!r} has no valid predictors")
        if y in xs:
            problems.append(f"{y!r} predicts itself")
        if len(set(xs)) < len(xs):
            problems.append(f"{y!r} lists a predictor twice")
    if not equations:
        problems.append("no equation")
    if problems:
        raise InvalidParameterError(f"{func}: the model is not usable: {'; '.join(problems)}.")
    named = list(dict.fromkeys([*[x for xs in equations.values() for x in xs], *equations]))
    exogenous = [v for v in named if v not in equations]
    placed, pending, order = set(exogenous), list(equations), []
    while pending:
        ready = [y for y in pending if all(x in placed for x in equations[y])]
        if not ready:
            raise InvalidParameterError(
                f"{func}: the model is not recursive: {pending} depend on each other in a cycle."
            )
        for y in ready:
            order.append(y)
            placed.add(y)
            pending.remove(y)
    predictors = {x for xs in equations.values() for x in xs}
    final = [y for y in order if y not in predictors]
    return PathSpec(
        variables=tuple(exogenous + order),
        equations={y: tuple(equations[y]) for y in order},
        exogenous=tuple(exogenous),
        endogenous=tuple(order),
        correlated=tuple(final) if correlate_outcomes and len(final) > 1 else (),
    )


# -- moments ---------------------------------------------------------------------------------
def unit_moments(
    z: np.ndarray, codes: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per resampling unit (cluster, or row when ``codes`` is None): count, sums, cross-products.

    ``z`` should be centred (by the full-sample means) to keep the moments accurate.
    """
    n, p = z.shape
    outer = (z[:, :, None] * z[:, None, :]).reshape(n, p * p)
    if codes is None:
        return np.ones(n), z, outer
    order = np.argsort(codes, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(codes[order]) != 0])
    counts = np.diff(np.r_[starts, n]).astype(float)
    return (
        counts,
        np.add.reduceat(z[order], starts, axis=0),
        np.add.reduceat(outer[order], starts, axis=0),
    )


def replicate_counts(rng: np.random.Generator, units: int, n_boot: int) -> np.ndarray:
    """How often each unit is drawn in each of ``n_boot`` resamples of ``units`` units."""
    draws = rng.integers(0, units, size=(n_boot, units))
    offsets = draws + (np.arange(n_boot) * units)[:, None]
    return (
        np.bincount(offsets.ravel(), minlength=n_boot * units).reshape(n_boot, units).astype(float)
    )


def covariances(
    weights: np.ndarray, counts: np.ndarray, sums: np.ndarray, cross: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """ML covariance matrices (divisor n) and sizes of the samples made of the units weighted
    by ``weights`` (replicates x units)."""
    p = sums.shape[1]
    n = weights @ counts
    mean = (weights @ sums) / n[:, None]
    second = (weights @ cross).reshape(-1, p, p) / n[:, None, None]
    return second - mean[:, :, None] * mean[:, None, :], n


# -- estimation ------------------------------------------------------------------------------
def solve_paths(cov: np.ndarray, spec: PathSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coefficients, residual variances and implied covariances of every replicate.

    Returns ``beta`` (R x p x p, ``beta[:, y, x]`` the path x -> y), ``psi`` (R x p, ML
    residual variances of the outcomes, 0 for exogenous variables) and ``sigma`` (R x p x p,
    the model-implied covariance matrix). Replicates whose normal equations are singular get
    NaN throughout (as are replicates whose normal equations are too ill-conditioned).
    """
    index = {v: i for i, v in enumerate(spec.variables)}
    reps, p = cov.shape[0], cov.shape[1]
    beta = np.zeros((reps, p, p))
    psi = np.zeros((reps, p))
    bad = np.zeros(reps, dtype=bool)
    for y in spec.endogenous:
        j, xs = index[y], [index[x] for x in spec.equations[y]]
        a = cov[:, xs][:, :, xs]
        rhs = cov[:, xs, j]
        eig = np.linalg.eigvalsh(a)  # ascending; a is a covariance matrix
        bad |= ~(eig[:, 0] > eig[:, -1] / MAX_CONDITION)
        try:
            b = np.linalg.solve(a, rhs[:, :, None])[:, :, 0]
        except np.linalg.LinAlgError:
            b, singular = _solve_each(a, rhs)
            bad |= singular
        beta[:, j, xs] = b
        psi[:, j] = cov[:, j, j] - np.einsum("ri,ri->r", rhs, b)
    exo = np.array([index[x] for x in spec.exogenous], dtype=np.intp)
    big_psi = np.zeros((reps, p, p))
    big_psi[np.ix_(np.arange(reps), exo, exo)] = cov[np.ix_(np.arange(reps), exo, exo)]
    endo = [index[y] for y in spec.endogenous]
    big_psi[:, endo, endo] = psi[:, endo]
    if spec.correlated:  # the final outcomes' SUR block replaces their OLS fits
        from colead.relate._path_sur import sur_solve

        ys = [index[y] for y in spec.correlated]
        ps = [[index[x] for x in spec.equations[y]] for y in spec.correlated]
        start = [beta[:, row, cols] for row, cols in zip(ys, ps, strict=True)]
        coefs, block, failed = sur_solve(cov, ys, ps, start)
        for row, cols, c in zip(ys, ps, coefs, strict=True):
            beta[:, row, cols] = c
        finals = np.asarray(ys, dtype=np.intp)
        big_psi[np.ix_(np.arange(reps), finals, finals)] = block
        psi[:, ys] = np.diagonal(block, axis1=1, axis2=2)
        bad |= failed
    inverse = np.linalg.inv(np.eye(p) - beta)
    sigma = inverse @ big_psi @ np.swapaxes(inverse, 1, 2)
    if bad.any():
        beta[bad], psi[bad], sigma[bad] = np.nan, np.nan, np.nan
    return beta, psi, sigma


def _solve_each(a: np.ndarray, rhs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    out = np.full(rhs.shape, np.nan)
    singular = np.zeros(len(a), dtype=bool)
    for r in range(len(a)):
        try:
            out[r] = np.linalg.solve(a[r], rhs[r])
        except np.linalg.LinAlgError:
            singular[r] = True
    return out, singular


def total_effects(beta: np.ndarray) -> np.ndarray:
    """(I - B)^-1 - I: the total effect of x on y in ``[:, y, x]``."""
    p = beta.shape[-1]
    return np.linalg.inv(np.eye(p) - np.nan_to_num(beta)) - np.eye(p)


# -- effects ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Effect:
    """One effect of ``predictor`` on ``outcome``: kind direct / indirect / specific / total."""

    outcome: str
    predictor: str
    effect: str
    path: tuple[str, ...]


def list_effects(spec: PathSpec) -> list[Effect]:
    """Every effect of an upstream variable on each outcome, ordered by outcome."""
    parents = spec.equations
    out = []
    for y in spec.endogenous:
        routes: dict[str, list[tuple[str, ...]]] = {}
        stack: list[tuple[str, ...]] = [(y,)]
        while stack:  # every route into y, walking back along the paths
            tail = stack.pop()
            for x in parents.get(tail[0], ()):
                route = (x, *tail)
                routes.setdefault(x, []).append(route)
                stack.append(route)
        for x in (v for v in spec.variables if v in routes):
            found = sorted(routes[x], key=lambda r: (len(r), r))
            indirect = [r for r in found if len(r) > 2]
            if len(found[0]) == 2:
                out.append(Effect(y, x, "direct", (x, y)))
            if len(indirect) == 1:
                out.append(Effect(y, x, "indirect", indirect[0]))
            elif indirect:
                out.append(Effect(y, x, "indirect", ()))
                out += [Effect(y, x, "specific", r) for r in indirect]
            out.append(Effect(y, x, "total", ()))
    return out


def effect_values(
    effects: Sequence[Effect], spec: PathSpec, beta: np.ndarray, total: np.ndarray
) -> np.ndarray:
    """Values of every effect in every replicate (replicates x effects)."""
    index = {v: i for i, v in enumerate(spec.variables)}
    out = np.empty((beta.shape[0], len(effects)))
    for k, e in enumerate(effects):
        y, x = index[e.outcome], index[e.predictor]
        if e.effect == "direct":
            out[:, k] = beta[:, y, x]
        elif e.effect == "total":
            out[:, k] = total[:, y, x]
        elif e.effect == "indirect" and len(e.path) == 0:
            out[:, k] = total[:, y, x] - beta[:, y, x]
        else:
            value = np.ones(beta.shape[0])
            for a, b in zip(e.path[:-1], e.path[1:], strict=True):
                value = value * beta[:, index[b], index[a]]
            out[:, k] = value
    return out


def effect_gradients(effects: Sequence[Effect], spec: PathSpec, beta: np.ndarray) -> np.ndarray:
    """d effect / d path coefficient (effects x edges) at one solution ``beta`` (p x p)."""
    index = {v: i for i, v in enumerate(spec.variables)}
    edges = spec.edges
    p = beta.shape[0]
    inverse = np.linalg.inv(np.eye(p) - beta)
    grad = np.zeros((len(effects), len(edges)))
    for k, e in enumerate(effects):
        y, x = index[e.outcome], index[e.predictor]
        for m, (to, frm) in enumerate(edges):
            a, b = index[to], index[frm]
            d_total = inverse[y, a] * inverse[b, x]
            if e.effect == "total":
                grad[k, m] = d_total
            elif e.effect == "direct":
                grad[k, m] = float((a, b) == (y, x))
            elif e.effect == "indirect" and len(e.path) == 0:
                grad[k, m] = d_total - float((a, b) == (y, x))
            else:
                pairs = list(zip(e.path[:-1], e.path[1:], strict=True))
                if (frm, to) in pairs:
                    others = [beta[index[t], index[f]] for f, t in pairs if (f, t) != (frm, to)]
                    grad[k, m] = float(np.prod(others))
    return grad


def standardizer(effects: Sequence[Effect], spec: PathSpec, sigma: np.ndarray) -> np.ndarray:
    """sd(predictor) / sd(outcome) from implied variances (lavaan's std.all), per replicate."""
    index = {v: i for i, v in enumerate(spec.variables)}
    var = np.diagonal(sigma, axis1=-2, axis2=-1)
    xs = [index[e.predictor] for e in effects]
    ys = [index[e.outcome] for e in effects]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(var[..., xs] / var[..., ys])


# -- fit of the whole model (normal-theory ML, lavaan's fitMeasures) -------------------------
def fit_measures(cov: np.ndarray, sigma: np.ndarray, spec: PathSpec, n: int) -> dict[str, Any]:
    """chisq, df, p_value, cfi, rmsea, srmr of the ML fit (``cov`` with divisor n)."""
    from scipy import stats

    p = len(spec.variables)
    index = {v: i for i, v in enumerate(spec.variables)}
    exo = [index[x] for x in spec.exogenous]
    endo = [index[y] for y in spec.endogenous]
    k_exo = len(exo) * (len(exo) + 1) // 2
    moments = p * (p + 1) // 2
    m = len(spec.correlated)
    df = moments - (len(spec.edges) + len(endo) + m * (m - 1) // 2 + k_exo)
    baseline = np.zeros_like(cov)
    baseline[np.ix_(exo, exo)] = cov[np.ix_(exo, exo)]
    baseline[endo, endo] = cov[endo, endo]
    df_base = moments - (len(endo) + k_exo)

    def discrepancy(model: np.ndarray) -> float:
        _, logdet_model = np.linalg.slogdet(model)
        _, logdet_sample = np.linalg.slogdet(cov)
        return float(logdet_model - logdet_sample + np.trace(np.linalg.solve(model, cov)) - p)

    chisq = max(n * discrepancy(sigma), 0.0)
    chisq_base = n * discrepancy(baseline)
    excess = max(chisq - df, 0.0)
    denominator = max(chisq_base - df_base, excess)
    sd = np.sqrt(np.diag(cov))
    residual = (cov - sigma) / np.outer(sd, sd)
    lower = np.tril_indices(p)
    return {
        "chisq": chisq,
        "df": df,
        "p_value": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "cfi": 1.0 - excess / denominator if denominator > 0 else 1.0,
        "rmsea": float(np.sqrt(excess / (df * n))) if df > 0 else 0.0,  # lavaan: 0 at df 0
        "srmr": float(np.sqrt(np.mean(residual[lower] ** 2))),
        "baseline_chisq": chisq_base,
        "baseline_df": df_base,
    }

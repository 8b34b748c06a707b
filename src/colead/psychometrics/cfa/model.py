"""Model specification and fitting engine behind :func:`colead.psychometrics.cfa.fit.cfa`.

``build_spec`` turns a simple-structure model into lavaan's parameter table (same rows, same
order, same free and fixed parameters as ``lavaan::cfa`` with its defaults) and the index arrays
of the kernels. ``fit`` estimates it from per-group data arrays and returns plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from colead.exceptions import InsufficientDataError
from colead.psychometrics.cfa import fiml, indices, kernels

LEVELS = ("configural", "metric", "scalar")
_Z975 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Spec:
    """A CFA model: lavaan's parameter table as parallel arrays, and the kernel structure."""

    factors: tuple[str, ...]
    items: tuple[str, ...]
    n_groups: int
    meanstructure: bool
    invariance: str
    std_lv: bool
    group: np.ndarray  # per row: group number
    lhs: tuple[str, ...]
    op: tuple[str, ...]
    rhs: tuple[str, ...]
    kind: tuple[str, ...]  # lam, theta, psi, nu, alpha
    row: np.ndarray  # position in the kind's matrix
    col: np.ndarray
    free: np.ndarray  # free-parameter number, -1 where fixed
    value: np.ndarray  # fixed value (ignored where free)
    structure: kernels.Structure

    @property
    def npar(self) -> int:
        return self.structure.npar

    def free_labels(self) -> list[str]:
        """lavaan-style name of each free parameter (``visual=~x2``, ``.g2`` in later groups)."""
        labels = [""] * self.npar
        for r in range(len(self.free)):
            k = int(self.free[r])
            if k >= 0 and not labels[k]:
                suffix = f".g{self.group[r] + 1}" if self.group[r] > 0 else ""
                labels[k] = f"{self.lhs[r]}{self.op[r]}{self.rhs[r]}{suffix}"
        return labels


def build_spec(
    model: dict[str, list[str]],
    *,
    n_groups: int,
    meanstructure: bool,
    invariance: str,
    std_lv: bool,
) -> Spec:
    """lavaan's parameter table for ``cfa(model, group.equal = ...)`` with default settings."""
    factors = tuple(model)
    items = tuple(i for f in factors for i in model[f])
    p, m = len(items), len(factors)
    pos = {item: j for j, item in enumerate(items)}
    equal_loadings = invariance in ("metric", "scalar")
    equal_intercepts = invariance == "scalar"
    rows: list[tuple[int, str, str, str, str, int, int, int, float]] = []
    shared: dict[tuple[str, int, int], int] = {}
    counter = [0]

    def add(
        g: int,
        lhs: str,
        op: str,
        rhs: str,
        kind: str,
        a: int,
        b: int,
        is_free: bool,
        value: float,
        equal: bool,
    ) -> None:
        k = -1
        if is_free:
            key = (kind, a, b)
            if equal and g > 0 and key in shared:
                k = shared[key]
            else:
                k = counter[0]
                counter[0] += 1
                if g == 0:
                    shared[key] = k
        rows.append((g, lhs, op, rhs, kind, a, b, k, value))

    for g in range(n_groups):
        for f, factor in enumerate(factors):
            for n, item in enumerate(model[factor]):
                marker = n == 0 and not std_lv
                add(
                    g,
                    factor,
                    "=~",
                    item,
                    "lam",
                    pos[item],
                    f,
                    not marker,
                    1.0 if marker else 0.0,
                    equal_loadings,
                )
        for item in items:
            add(g, item, "~~", item, "theta", pos[item], pos[item], True, 0.0, False)
        for f, factor in enumerate(factors):
            free_var = not std_lv or (g > 0 and equal_loadings)
            add(g, factor, "~~", factor, "psi", f, f, free_var, 1.0, False)
        for f in range(m):
            for h in range(f + 1, m):
                add(g, factors[f], "~~", factors[h], "psi", f, h, True, 0.0, False)
        if meanstructure:
            for item in items:
                add(g, item, "~1", "", "nu", pos[item], 0, True, 0.0, equal_intercepts)
            for f, factor in enumerate(factors):
                add(g, factor, "~1", "", "alpha", f, 0, g > 0 and equal_intercepts, 0.0, False)

    cols = list(zip(*rows, strict=True))
    group, kind = np.array(cols[0]), cols[4]
    row, col = np.array(cols[5]), np.array(cols[6])
    free, value = np.array(cols[7]), np.array(cols[8], dtype=float)
    shapes = {"lam": (p, m), "psi": (m, m), "theta": (p,), "nu": (p,), "alpha": (m,)}
    idx = {k: -np.ones((n_groups, *shape), dtype=int) for k, shape in shapes.items()}
    val = {k: np.zeros((n_groups, *shape)) for k, shape in shapes.items()}
    for r in range(len(rows)):
        name, g = kind[r], group[r]
        at: tuple[int, ...] = (g, row[r], col[r]) if name in ("lam", "psi") else (g, row[r])
        idx[name][at], val[name][at] = free[r], value[r]
        if name == "psi":
            idx[name][g, col[r], row[r]], val[name][g, col[r], row[r]] = free[r], value[r]
    structure = kernels.Structure(
        *(a[k] for k in ("lam", "psi", "theta", "nu", "alpha") for a in (idx, val)),
        meanstructure=meanstructure,
    )
    return Spec(
        factors,
        items,
        n_groups,
        meanstructure,
        invariance,
        std_lv,
        group,
        cols[1],
        cols[2],
        cols[3],
        kind,
        row,
        col,
        free,
        value,
        structure,
    )


@dataclass(frozen=True)
class Moments:
    """Per-group sample moments (divisor n) that the fit and its fit measures use."""

    cov: np.ndarray
    mean: np.ndarray
    n_obs: np.ndarray


def complete_moments(groups: list[np.ndarray], items: tuple[str, ...]) -> Moments:
    """Means and covariances (divisor n) of complete rows; raises if one is not positive
    definite."""
    covs, means = [], []
    for x in groups:
        mean = x.mean(axis=0)
        centred = x - mean
        cov = centred.T @ centred / len(x)
        _check_positive_definite(cov, items, "sample covariance matrix", len(x))
        covs.append(cov)
        means.append(mean)
    return Moments(np.array(covs), np.array(means), np.array([len(x) for x in groups], dtype=float))


def _check_positive_definite(
    cov: np.ndarray, items: tuple[str, ...], what: str, n_rows: float
) -> None:
    """Raise unless ``cov`` is positive definite with room to spare for rounding.

    Forming a covariance from ``n_rows`` rows rounds each entry by up to about
    ``n_rows * eps`` of the largest, so an exactly singular matrix (a column that is a
    combination of others) comes out with a smallest eigenvalue anywhere within that band of
    zero, positive or negative depending on the BLAS and the row order. Eigenvalues up to
    ``max(n_rows, p) * eps`` times the largest count as zero, the tolerance numpy's
    ``matrix_rank`` uses; a Cholesky factorisation alone would accept such a matrix by luck.
    """
    vals, vecs = np.linalg.eigh(cov)
    tol = vals[-1] * max(float(n_rows), len(items)) * np.finfo(float).eps
    if vals[0] > tol:
        return
    diag = np.diag(cov)
    flat = [items[j] for j in np.flatnonzero(diag <= 1e-12 * max(float(np.max(diag)), 1.0))]
    if flat:
        raise InsufficientDataError(
            f"The {what} is not positive definite: no variance in {', '.join(flat)}."
        )
    weights = np.abs(vecs[:, 0])
    involved = [items[j] for j in np.flatnonzero(weights > 0.1)]  # in the model's order
    raise InsufficientDataError(
        f"The {what} is not positive definite (smallest eigenvalue {vals[0]:.3g}, largest "
        f"{vals[-1]:.3g}): the items {', '.join(involved)} are linearly dependent (one is a "
        "combination of the others, or there are too few complete rows)."
    )


def fit(
    spec: Spec, groups: list[np.ndarray], missing: str, labels: tuple[Any, ...] | None = None
) -> dict[str, Any]:
    """Estimate ``spec`` from the per-group data; every number of the result, unrounded.

    ``warnings`` in the result lists problems the caller should report (non-convergence, a
    singular information matrix, Heywood cases).
    """
    s = spec.structure
    p, n_groups = len(spec.items), spec.n_groups
    problems: list[str] = []
    if missing == "ml":
        pat = fiml.patterns(groups)
        h1_mean, h1_cov, em_ok, ridge = fiml.saturated(pat)
        if not em_ok:
            problems.append("the EM estimates of the saturated model did not converge")
        for g in range(n_groups):
            # judged without EM's ridge, which makes any covariance positive definite
            _check_positive_definite(
                h1_cov[g] - ridge[g] * np.eye(p), spec.items, "EM covariance matrix",
                pat.n_obs[g]
            )
        moments = Moments(h1_cov, h1_mean, pat.n_obs)
        objective = fiml.objective(pat)
        hessian = None  # quasi-Newton: the exact FIML Hessian costs more than the steps it saves
    else:
        moments = complete_moments(groups, spec.items)
        logdet = np.linalg.slogdet(moments.cov)[1]
        w = moments.n_obs / moments.n_obs.sum()
        objective = kernels.complete_objective(moments.cov, moments.mean, w, logdet)

        def hessian(x: np.ndarray) -> np.ndarray:
            return kernels.complete_hessian(s, x, moments.cov, moments.mean, w)

    n_obs = moments.n_obs
    n_total = int(n_obs.sum())
    weights = n_obs / n_total
    x0 = kernels.start_values(s, moments.cov, moments.mean, spec.std_lv)
    x, f_min, iterations, converged = kernels.minimize(s, x0, objective, weights, hessian=hessian)
    sigma, mu = kernels.implied(s, x)
    if missing == "ml":
        hess = fiml.hessian(s, pat, x)
        logl = fiml.log_likelihood(pat, sigma, mu)
        logl_h1 = fiml.log_likelihood(pat, h1_cov, h1_mean)
        logl_base = fiml.independence_log_likelihood(groups)
        chisq = 2.0 * (logl_h1 - logl)
        baseline_chisq = 2.0 * (logl_h1 - logl_base)
    else:
        d_sigma, d_mu = kernels.jacobian(s, x)
        hess = kernels.expected_hessian(sigma, d_sigma, d_mu, weights)
        logl = indices.log_likelihood(f_min, n_obs, p, logdet)
        logl_h1 = indices.log_likelihood(0.0, n_obs, p, logdet)
        chisq = n_total * f_min
        log_diag = np.log(np.diagonal(moments.cov, axis1=1, axis2=2)).sum(axis=1)
        baseline_chisq = float(n_obs @ (log_diag - logdet))
    vcov = kernels.covariance_of_estimates(hess, n_total) if converged else None
    df = n_groups * (p * (p + 1) // 2 + (p if spec.meanstructure else 0)) - s.npar
    measures = indices.fit_indices(
        chisq=chisq,
        df=df,
        baseline_chisq=baseline_chisq,
        baseline_df=n_groups * p * (p - 1) // 2,
        logl=logl,
        unrestricted_logl=logl_h1,
        npar=s.npar,
        n_total=n_total,
        n_groups=n_groups,
        srmr_value=indices.srmr(
            moments.cov, moments.mean if spec.meanstructure else None, sigma, mu, n_obs
        ),
    )
    if not converged:
        problems.append(
            f"the optimiser did not converge in {iterations} iterations; the "
            "estimates, standard errors and fit measures are not trustworthy"
        )
    elif vcov is None:
        problems.append(
            "standard errors could not be computed: the information matrix is "
            "singular, which suggests that the model is not identified"
        )
    problems += _heywood(spec, x, labels)
    return {
        "x": x,
        "vcov": vcov,
        "sigma": sigma,
        "mu": mu,
        "moments": moments,
        "fit": measures,
        "converged": converged,
        "iterations": iterations,
        "warnings": tuple(problems),
    }


def _heywood(spec: Spec, x: np.ndarray, labels: tuple[Any, ...] | None) -> list[str]:
    _, psi, theta, _, _ = kernels.unpack(spec.structure, x)
    out = []
    for g in range(spec.n_groups):
        where = f" in group {labels[g]!r}" if labels is not None else ""
        negative = [spec.items[j] for j in np.flatnonzero(theta[g] < 0)]
        if negative:
            out.append(f"negative residual variance (Heywood case){where}: {', '.join(negative)}")
        if np.linalg.eigvalsh(psi[g])[0] <= 0:
            out.append(
                f"the factor covariance matrix{where} is not positive definite "
                "(a factor variance <= 0 or a correlation beyond +-1)"
            )
    return out


def parameter_columns(spec: Spec, res: dict[str, Any]) -> dict[str, np.ndarray]:
    """Estimate, se, z, p_value, 95% interval and the std.lv / std.all solutions per row."""
    s, x = spec.structure, res["x"]
    free = spec.free
    est = np.where(free >= 0, np.append(x, 0.0)[free], spec.value)
    se = np.zeros(len(free))
    if res["vcov"] is not None:
        sd = np.sqrt(np.clip(np.diag(res["vcov"]), 0.0, None))
        se = np.where(free >= 0, np.append(sd, 0.0)[free], 0.0)
    else:
        se = np.where(free >= 0, np.nan, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(free >= 0, est / se, np.nan)
        p_value = np.where(free >= 0, 2.0 * stats.norm.sf(np.abs(z)), np.nan)
        _, psi, _, _, _ = kernels.unpack(s, x)
        sd_lv = np.sqrt(np.diagonal(psi, axis1=1, axis2=2))
        sd_ov = np.sqrt(np.diagonal(res["sigma"], axis1=1, axis2=2))
        g, r, c = spec.group, spec.row, spec.col
        kind = np.array(spec.kind)
        std_lv = est.copy()
        std_all = est.copy()
        lam = kind == "lam"
        std_lv[lam] = est[lam] * sd_lv[g[lam], c[lam]]
        std_all[lam] = std_lv[lam] / sd_ov[g[lam], r[lam]]
        th = kind == "theta"
        std_all[th] = est[th] / sd_ov[g[th], r[th]] ** 2
        ps = kind == "psi"
        std_lv[ps] = est[ps] / (sd_lv[g[ps], r[ps]] * sd_lv[g[ps], c[ps]])
        std_all[ps] = std_lv[ps]
        nu = kind == "nu"
        std_all[nu] = est[nu] / sd_ov[g[nu], r[nu]]
        al = kind == "alpha"
        std_lv[al] = est[al] / sd_lv[g[al], r[al]]
        std_all[al] = std_lv[al]
    return {
        "estimate": est,
        "se": se,
        "z": z,
        "p_value": p_value,
        "ci_low": est - _Z975 * se,
        "ci_high": est + _Z975 * se,
        "std_lv": std_lv,
        "std_estimate": std_all,
    }

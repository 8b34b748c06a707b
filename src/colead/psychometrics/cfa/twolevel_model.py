"""Two-level CFA by maximum likelihood: lavaan's parameter table and the fitting engine.

The two levels are handled as two "groups" of the single-level kernels (``_cfa_kernels``):
level 0 holds Sigma_W = Lambda_W Psi_W Lambda_W' + Theta_W with intercepts fixed at 0, level 1
holds Sigma_B and the item means nu_B (latent means fixed at 0), as lavaan's ``level: 1`` and
``level: 2`` blocks. Factors are padded to the larger of the two levels' counts with fixed
zero loadings, so one ``Structure`` serves both. The likelihood is assembled from the
sufficient statistics of :mod:`._twolevel_stats` (one unit per cluster size and one within
unit), which gives the exact gradient and Hessian through the single-level chain rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from colead.psychometrics.cfa import kernels
from colead.psychometrics.cfa import twolevel_stats as tstats
from colead.psychometrics.cfa.model import Spec

LEVEL_NAMES = ("within", "between")


def build_spec(
    within: dict[str, list[str]],
    between: dict[str, list[str]],
    items: tuple[str, ...],
    *,
    std_lv: bool,
) -> Spec:
    """lavaan's parameter table of ``cfa(model, cluster = )`` with ``level: 1`` = ``within``
    and ``level: 2`` = ``between`` (rows, order, free and fixed parameters as lavaan 0.6)."""
    p = len(items)
    m = max(len(within), len(between), 1)
    pos = {item: j for j, item in enumerate(items)}
    rows: list[tuple[int, str, str, str, str, int, int, int, float]] = []
    count = 0

    def add(
        g: int, lhs: str, op: str, rhs: str, kind: str, a: int, b: int, free: bool, value: float
    ) -> None:
        nonlocal count
        k = -1
        if free:
            k, count = count, count + 1
        rows.append((g, lhs, op, rhs, kind, a, b, k, value))

    for g, model in enumerate((within, between)):
        factors = list(model)
        for f, factor in enumerate(factors):
            for n, item in enumerate(model[factor]):
                marker = n == 0 and not std_lv
                add(g, factor, "=~", item, "lam", pos[item], f, not marker, 1.0 if marker else 0.0)
        for item in items:
            add(g, item, "~~", item, "theta", pos[item], pos[item], True, 0.0)
        for f, factor in enumerate(factors):
            add(g, factor, "~~", factor, "psi", f, f, not std_lv, 1.0)
        for f in range(len(factors)):
            for h in range(f + 1, len(factors)):
                add(g, factors[f], "~~", factors[h], "psi", f, h, True, 0.0)
        for item in items:
            add(g, item, "~1", "", "nu", pos[item], 0, g == 1, 0.0)
        for f, factor in enumerate(factors):
            add(g, factor, "~1", "", "alpha", f, 0, False, 0.0)

    cols = list(zip(*rows, strict=True))
    group, kind = np.array(cols[0]), cols[4]
    row, col = np.array(cols[5]), np.array(cols[6])
    free, value = np.array(cols[7]), np.array(cols[8], dtype=float)
    shapes = {"lam": (p, m), "psi": (m, m), "theta": (p,), "nu": (p,), "alpha": (m,)}
    idx = {k: -np.ones((2, *shape), dtype=int) for k, shape in shapes.items()}
    val = {k: np.zeros((2, *shape)) for k, shape in shapes.items()}
    val["psi"][:, np.arange(m), np.arange(m)] = 1.0  # padding factors: variance 1, no loadings
    for r in range(len(rows)):
        name, g = kind[r], group[r]
        at: tuple[int, ...] = (g, row[r], col[r]) if name in ("lam", "psi") else (g, row[r])
        idx[name][at], val[name][at] = free[r], value[r]
        if name == "psi":
            idx[name][g, col[r], row[r]], val[name][g, col[r], row[r]] = free[r], value[r]
    structure = kernels.Structure(
        *(a[k] for k in ("lam", "psi", "theta", "nu", "alpha") for a in (idx, val)),
        meanstructure=True,
    )
    names = tuple(dict.fromkeys([*within, *between]))
    return Spec(
        names,
        items,
        2,
        True,
        "configural",
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


def free_labels(spec: Spec) -> list[str]:
    """lavaan's names of the free parameters (``f=~y2``, ``f=~y2.l2`` at level 2)."""
    labels = [""] * spec.npar
    for r in range(len(spec.free)):
        k = int(spec.free[r])
        if k >= 0:
            suffix = ".l2" if spec.group[r] == 1 else ""
            labels[k] = f"{spec.lhs[r]}{spec.op[r]}{spec.rhs[r]}{suffix}"
    return labels


# -- likelihood ------------------------------------------------------------------------------
def _means(value: np.ndarray | None) -> np.ndarray:
    """The two-level structure always has a mean structure; this narrows the kernels' type."""
    if value is None:
        raise TypeError("a two-level model needs its mean structure")
    return value


class Units:
    """The units of the complete-data two-level likelihood: the within unit (implied W, weight
    (N - J) / N) and one unit per cluster size s (implied W + sB, weight n_s / N, and for the
    derivatives with respect to the mean, mean sqrt(s) mu)."""

    def __init__(self, sizes: np.ndarray, size_count: np.ndarray, n: int, n_clusters: int):
        self.sizes = np.asarray(sizes, dtype=float)
        self.weights = np.concatenate([[(n - n_clusters) / n], np.asarray(size_count) / n])

    @classmethod
    def of_clusters(cls, cluster_size: np.ndarray) -> Units:
        sizes, count = np.unique(cluster_size, return_counts=True)
        return cls(sizes, count, int(cluster_size.sum()), len(cluster_size))

    def _unit_sigma(self, sigma: np.ndarray) -> np.ndarray:
        return np.concatenate([sigma[:1], sigma[0][None] + self.sizes[:, None, None] * sigma[1]])

    def _unit_jacobian(self, s: kernels.Structure, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        d_sigma, d_mu = kernels.jacobian(s, x)
        d_mu = _means(d_mu)
        unit_ds = np.concatenate(
            [d_sigma[:1], d_sigma[0][None] + self.sizes[:, None, None, None] * d_sigma[1][None]]
        )
        root = np.sqrt(self.sizes)[:, None, None]
        unit_dm = np.concatenate([np.zeros_like(d_mu[:1]), root * d_mu[1][None]])
        return unit_ds, unit_dm

    def expected_hessian(self, s: kernels.Structure, x: np.ndarray) -> np.ndarray:
        sigma, _ = kernels.implied(s, x)
        unit_ds, unit_dm = self._unit_jacobian(s, x)
        return kernels.expected_hessian(self._unit_sigma(sigma), unit_ds, unit_dm, self.weights)


class Likelihood(Units):
    """F = -2 log L / N - p log(2 pi) of the two-level model, with its derivatives.

    Written as a sum over :class:`Units`, with moments S_PW for the within unit and
    s (C_s + d d') for the unit of cluster size s.
    """

    def __init__(self, st: tstats.ClusterStats) -> None:
        super().__init__(st.sizes, st.size_count, st.n, st.n_clusters)
        self.st = st

    def _unit_moment(self, mu_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        moment, _ = tstats.units(self.st, mu_b)
        d = np.sqrt(self.sizes)[:, None] * (self.st.class_mean - mu_b)
        return np.concatenate([self.st.within_cov[None], moment]), d

    def objective(
        self, sigma: np.ndarray, mu: np.ndarray | None
    ) -> tuple[float, np.ndarray, np.ndarray | None]:
        """F and its gradients with respect to (Sigma_W, Sigma_B) and (mu_W, mu_B)."""
        mu = _means(mu)
        total = self._unit_sigma(sigma)
        try:
            chol = np.linalg.cholesky(total)
        except np.linalg.LinAlgError:
            return np.inf, sigma, mu
        logdet = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)
        inv = np.linalg.inv(total)
        moment, d = self._unit_moment(mu[1])
        w = self.weights
        value = float(w @ (logdet + np.einsum("uij,uji->u", inv, moment)))
        g_unit = w[:, None, None] * (inv - inv @ moment @ inv)
        g_sigma = np.stack([g_unit.sum(axis=0), np.einsum("u,uij->ij", self.sizes, g_unit[1:])])
        g_mean = -2.0 * np.einsum("u,uij,uj->i", w[1:] * np.sqrt(self.sizes), inv[1:], d)
        return value, g_sigma, np.stack([np.zeros_like(g_mean), g_mean])

    def hessian(self, s: kernels.Structure, x: np.ndarray) -> np.ndarray:
        """Exact second derivatives of F; the expected ones where those are not positive
        definite (far from the optimum), so that every Newton step goes downhill."""
        h = self.exact_hessian(s, x)
        try:
            np.linalg.cholesky(h)
        except np.linalg.LinAlgError:
            return self.expected_hessian(s, x)
        return h

    def exact_hessian(self, s: kernels.Structure, x: np.ndarray) -> np.ndarray:
        """Exact second derivatives of F (half of lavaan's observed information per case)."""
        sigma, mu = kernels.implied(s, x)
        mu = _means(mu)
        total = self._unit_sigma(sigma)
        inv = np.linalg.inv(total)
        moment, d = self._unit_moment(mu[1])
        d = np.concatenate([np.zeros_like(d[:1]), d])
        unit_ds, unit_dm = self._unit_jacobian(s, x)
        h = kernels.hessian_units(unit_ds, unit_dm, inv, moment, d, self.weights)
        _, g_sigma, g_mu = self.objective(sigma, mu)
        return kernels.hessian_second_order(s, x, h, g_sigma, g_mu)


def minimize(spec: Spec, lik: Likelihood, x0: np.ndarray) -> tuple[np.ndarray, float, int, bool]:
    """Newton's method on F from ``x0``: ``(x, F, iterations, converged)``."""
    s = spec.structure
    # lik.hessian is always positive definite, so the kernel's own fallback (an expected
    # Hessian for groups, with these weights) is never needed
    return kernels.minimize(s, x0, lik.objective, np.ones(2), hessian=lambda x: lik.hessian(s, x))


def start_values(
    spec: Spec, within: np.ndarray, between: np.ndarray, mean: np.ndarray
) -> np.ndarray:
    """Starting values from the saturated model's matrices: per level and factor, one-step
    principal-axis loadings with residual variances at half the item variances; factor
    covariances 0; item means at the saturated means."""
    s = spec.structure
    p, m = s.p, s.m
    lam = np.zeros((2, p, m))
    psi = np.tile(np.eye(m), (2, 1, 1))
    theta = np.zeros((2, p))
    for g, cov in enumerate((within, between)):
        diag = np.clip(np.diag(cov), 1e-3 * max(float(np.max(np.diag(cov))), 1e-8), None)
        theta[g] = 0.5 * diag
        for f in range(m):
            items = np.flatnonzero((s.lam_idx[g, :, f] >= 0) | (s.lam_val[g, :, f] != 0))
            if not items.size:
                continue
            sub = cov[np.ix_(items, items)] - np.diag(theta[g, items])
            vals, vecs = np.linalg.eigh(sub)
            load = np.sqrt(max(vals[-1], 1e-4 * float(diag[items].mean()))) * vecs[:, -1]
            if load.sum() < 0:
                load = -load
            marker = np.flatnonzero((s.lam_idx[g, items, f] < 0) & (s.lam_val[g, items, f] != 0))
            if marker.size:
                j = int(marker[0])
                ref = load[j] if abs(load[j]) > 1e-3 * np.abs(load).max() else np.abs(load).max()
                psi[g, f, f] = ref**2
                lam[g, items, f] = load / ref
            else:
                lam[g, items, f] = load
    nu = np.stack([np.zeros(p), mean])
    x = np.zeros(s.npar)
    for idx, v in ((s.lam_idx, lam), (s.psi_idx, psi), (s.theta_idx, theta), (s.nu_idx, nu)):
        free = idx >= 0
        x[idx[free]] = v[free]
    return x


def fit(
    spec: Spec, st: tstats.ClusterStats, h1: tstats.Saturated, *, se: bool = True
) -> dict[str, Any]:
    """Estimate ``spec``; every number of the result, unrounded."""
    lik = Likelihood(st)
    x0 = start_values(spec, h1.within, h1.between, h1.mean_within + h1.mean_between)
    x, _, iterations, converged = minimize(spec, lik, x0)
    sigma, mu = kernels.implied(spec.structure, x)
    mu = _means(mu)
    # standard errors from the observed information, as lavaan's default for two levels
    hess = lik.exact_hessian(spec.structure, x) if converged and se else None
    vcov = kernels.covariance_of_estimates(hess, st.n) if hess is not None else None
    logl = tstats.loglik(st, sigma[0], sigma[1], mu[1])
    return {
        "x": x,
        "vcov": vcov,
        "sigma": sigma,
        "mu": mu,
        "logl": logl,
        "converged": converged,
        "iterations": iterations,
    }


def baseline_logl(st: tstats.ClusterStats, h1: tstats.Saturated, items: tuple[str, ...]) -> float:
    """Log-likelihood of lavaan's two-level baseline model: every item uncorrelated with the
    others at both levels (free within and between variances and free means)."""
    spec = build_spec({}, {}, items, std_lv=False)
    res = fit(spec, st, h1, se=False)
    return float(res["logl"]) if res["converged"] else np.nan

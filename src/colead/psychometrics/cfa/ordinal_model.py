"""The ordinal CFA model in lavaan's delta parameterization: parameter table and moments.

Per group, the latent responses are ``y* = nu + Lambda eta + e`` with ``eta ~ N(alpha, Psi)``,
scaled by ``Delta = diag(delta)`` so that their variances are 1. The moments fitted are the
thresholds and polychoric correlations (lavaan's ``WLS.obs``, thresholds first):

    threshold_k = delta_i (tau_k - nu_i - (Lambda alpha)_i)       (k a threshold of item i)
    correlation_ij = delta_i delta_j (Lambda Psi Lambda')_ij       (i > j, vech order)

Residual variances are not parameters: theta_i = 1 / delta_i^2 - (Lambda Psi Lambda')_ii.
Free parameters are numbered; equality constraints across groups share a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from colead.psychometrics._polychoric import pair_index

KINDS = ("lam", "tau", "psi", "delta", "nu", "alpha")


@dataclass(frozen=True)
class Identification:
    """Which parameters are free or shared across groups (lavaan defaults or Wu & Estabrook)."""

    std_lv: bool
    equal_thresholds: bool = False
    equal_loadings: bool = False
    equal_intercepts: bool = False
    wu_estabrook: bool = False


@dataclass(frozen=True)
class OrdinalSpec:
    """Parameter table (lavaan's rows and order) and the index arrays of the kernels."""

    factors: tuple[str, ...]
    items: tuple[str, ...]
    n_groups: int
    nth: np.ndarray  # thresholds per item
    th_item: np.ndarray  # item of each threshold
    invariance: str
    std_lv: bool
    group: np.ndarray
    lhs: tuple[str, ...]
    op: tuple[str, ...]
    rhs: tuple[str, ...]
    kind: tuple[str, ...]
    row: np.ndarray
    col: np.ndarray
    free: np.ndarray
    value: np.ndarray
    idx: dict[str, np.ndarray]
    val: dict[str, np.ndarray]
    npar: int

    @property
    def n_moments(self) -> int:
        p = len(self.items)
        return int(self.nth.sum()) + p * (p - 1) // 2

    def free_labels(self) -> list[str]:
        labels = [""] * self.npar
        for r in range(len(self.free)):
            k = int(self.free[r])
            if k >= 0 and not labels[k]:
                suffix = f".g{self.group[r] + 1}" if self.group[r] > 0 else ""
                labels[k] = f"{self.lhs[r]}{self.op[r]}{self.rhs[r]}{suffix}"
        return labels


def build_spec(
    model: dict[str, list[str]],
    nth: np.ndarray,
    *,
    n_groups: int,
    ident: Identification,
    invariance: str,
) -> OrdinalSpec:
    factors = tuple(model)
    items = tuple(i for f in factors for i in model[f])
    p, m = len(items), len(factors)
    pos = {item: j for j, item in enumerate(items)}
    th_item = np.repeat(np.arange(p), nth)
    th_first = np.concatenate([[0], np.cumsum(nth)[:-1]]).astype(int)
    rows: list[tuple[int, str, str, str, str, int, int, int, float]] = []
    shared: dict[tuple[str, int, int], int] = {}
    counter = [0]

    def add(
        where: tuple[int, str, str, str, str, int, int],
        free: bool,
        value: float,
        equal: bool = False,
    ) -> None:
        g, kind, a, b = where[0], where[4], where[5], where[6]
        k = -1
        if free:
            key = (kind, a, b)
            if equal and g > 0 and key in shared:
                k = shared[key]
            else:
                k = counter[0]
                counter[0] += 1
                if g == 0:
                    shared[key] = k
        rows.append((*where, k, value))

    we = ident.wu_estabrook
    for g in range(n_groups):
        for f, factor in enumerate(factors):
            for n, item in enumerate(model[factor]):
                marker = n == 0 and not ident.std_lv
                where = (g, factor, "=~", item, "lam", pos[item], f)
                add(where, not marker, float(marker), ident.equal_loadings)
        for item in items:
            j = pos[item]
            for t in range(int(nth[j])):
                where = (g, item, "|", f"t{t + 1}", "tau", int(th_first[j]) + t, j)
                add(where, True, 0.0, ident.equal_thresholds)
        for item in items:
            add((g, item, "~~", item, "theta", pos[item], pos[item]), False, np.nan)
        for f, factor in enumerate(factors):
            free_var = not ident.std_lv or (g > 0 and ident.equal_loadings)
            add((g, factor, "~~", factor, "psi", f, f), free_var, 1.0)
        for f in range(m):
            for h in range(f + 1, m):
                add((g, factors[f], "~~", factors[h], "psi", f, h), True, 0.0)
        for item in items:
            j = pos[item]
            is_free = g > 0 and we and _delta_free(int(nth[j]), ident)
            add((g, item, "~*~", item, "delta", j, j), is_free, 1.0)
        for item in items:
            is_free = g > 0 and we and ident.equal_thresholds and not ident.equal_intercepts
            add((g, item, "~1", "", "nu", pos[item], 0), is_free, 0.0)
        for f, factor in enumerate(factors):
            is_free = g > 0 and we and ident.equal_intercepts
            add((g, factor, "~1", "", "alpha", f, 0), is_free, 0.0)

    cols = list(zip(*rows, strict=True))
    group, kind = np.array(cols[0]), cols[4]
    row, col = np.array(cols[5]), np.array(cols[6])
    free, value = np.array(cols[7]), np.array(cols[8], dtype=float)
    nt = int(nth.sum())
    shapes = {"lam": (p, m), "psi": (m, m), "tau": (nt,), "nu": (p,), "alpha": (m,), "delta": (p,)}
    idx = {k: -np.ones((n_groups, *s), dtype=int) for k, s in shapes.items()}
    val = {k: np.zeros((n_groups, *s)) for k, s in shapes.items()}
    for r in range(len(rows)):
        name, g = kind[r], group[r]
        if name == "theta":
            continue
        at: tuple[int, ...] = (g, row[r], col[r]) if name in ("lam", "psi") else (g, row[r])
        idx[name][at], val[name][at] = free[r], value[r]
        if name == "psi":
            idx[name][g, col[r], row[r]], val[name][g, col[r], row[r]] = free[r], value[r]
    return OrdinalSpec(
        factors,
        items,
        n_groups,
        np.asarray(nth),
        th_item,
        invariance,
        ident.std_lv,
        group,
        cols[1],
        cols[2],
        cols[3],
        kind,
        row,
        col,
        free,
        value,
        idx,
        val,
        counter[0],
    )


def _delta_free(n_thresholds: int, ident: Identification) -> bool:
    """Wu & Estabrook (2016) as semTools' measEq.syntax: a scale factor is free in later groups
    once two thresholds, or one threshold and the intercept, are equal across groups."""
    if not ident.equal_thresholds:
        return False
    return n_thresholds >= 2 or ident.equal_intercepts


def unpack(spec: OrdinalSpec, x: np.ndarray) -> dict[str, np.ndarray]:
    ext = np.append(x, 0.0)
    return {k: np.where(spec.idx[k] >= 0, ext[spec.idx[k]], spec.val[k]) for k in KINDS}


def implied(
    spec: OrdinalSpec, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Moments (G, thresholds + pairs), Lambda Psi Lambda' (G, p, p) and the matrices."""
    mats = unpack(spec, x)
    lam, psi, delta = mats["lam"], mats["psi"], mats["delta"]
    omega = lam @ psi @ lam.transpose(0, 2, 1)
    rows, cols = pair_index(len(spec.items))
    cor = delta[:, rows] * delta[:, cols] * omega[:, rows, cols]
    ti = spec.th_item
    mean = mats["nu"] + np.einsum("gpm,gm->gp", lam, mats["alpha"])
    th = delta[:, ti] * (mats["tau"] - mean[:, ti])
    return np.concatenate([th, cor], axis=1), omega, mats


def jacobian(spec: OrdinalSpec, x: np.ndarray) -> np.ndarray:
    """d moments / d x (G, moments, q)."""
    _, omega, mats = implied(spec, x)
    lam, psi, delta = mats["lam"], mats["psi"], mats["delta"]
    n_groups, p, _ = lam.shape
    ti = spec.th_item
    nt = len(ti)
    rows, cols = pair_index(p)
    n_pairs = len(rows)
    jac = np.zeros((n_groups, nt + n_pairs, spec.npar))
    dd = delta[:, rows] * delta[:, cols]  # (G, P)
    lp = lam @ psi  # (G, p, m)
    mean = mats["nu"] + np.einsum("gpm,gm->gp", lam, mats["alpha"])
    # loadings
    g, i, f = np.nonzero(spec.idx["lam"] >= 0)
    k = spec.idx["lam"][g, i, f]
    if len(k):
        hit_r = rows[None, :] == i[:, None]  # (E, P): the pair's row item is i
        hit_c = cols[None, :] == i[:, None]
        val = hit_r * lp[g[:, None], cols[None, :], f[:, None]]
        val = val + hit_c * lp[g[:, None], rows[None, :], f[:, None]]
        np.add.at(jac, (g[:, None], nt + np.arange(n_pairs)[None, :], k[:, None]), val * dd[g])
        on = ti[None, :] == i[:, None]  # (E, nt)
        th_val = -1.0 * on * (delta[g, i] * mats["alpha"][g, f])[:, None]
        np.add.at(jac, (g[:, None], np.arange(nt)[None, :], k[:, None]), th_val)
    # factor (co)variances
    g, f, h = np.nonzero((spec.idx["psi"] >= 0) & np.triu(np.ones(psi.shape[1:], bool)))
    k = spec.idx["psi"][g, f, h]
    if len(k):
        a = lam[g[:, None], rows[None, :], f[:, None]] * lam[g[:, None], cols[None, :], h[:, None]]
        b = lam[g[:, None], rows[None, :], h[:, None]] * lam[g[:, None], cols[None, :], f[:, None]]
        val = np.where((f == h)[:, None], a, a + b) * dd[g]
        np.add.at(jac, (g[:, None], nt + np.arange(n_pairs)[None, :], k[:, None]), val)
    # thresholds
    g, t = np.nonzero(spec.idx["tau"] >= 0)
    np.add.at(jac, (g, t, spec.idx["tau"][g, t]), delta[g, ti[t]])
    # intercepts
    g, i = np.nonzero(spec.idx["nu"] >= 0)
    k = spec.idx["nu"][g, i]
    if len(k):
        on = ti[None, :] == i[:, None]
        val = -1.0 * on * delta[g, i][:, None]
        np.add.at(jac, (g[:, None], np.arange(nt)[None, :], k[:, None]), val)
    # latent means
    g, f = np.nonzero(spec.idx["alpha"] >= 0)
    k = spec.idx["alpha"][g, f]
    if len(k):
        val = -delta[g[:, None], ti[None, :]] * lam[g[:, None], ti[None, :], f[:, None]]
        np.add.at(jac, (g[:, None], np.arange(nt)[None, :], k[:, None]), val)
    # scale factors
    g, i = np.nonzero(spec.idx["delta"] >= 0)
    k = spec.idx["delta"][g, i]
    if len(k):
        hit_r = rows[None, :] == i[:, None]
        hit_c = cols[None, :] == i[:, None]
        val = hit_r * delta[g[:, None], cols[None, :]] + hit_c * delta[g[:, None], rows[None, :]]
        val = val * omega[g[:, None], rows[None, :], cols[None, :]]
        np.add.at(jac, (g[:, None], nt + np.arange(n_pairs)[None, :], k[:, None]), val)
        on = ti[None, :] == i[:, None]
        th_val = on * (
            mats["tau"][g[:, None], np.arange(nt)[None, :]] - mean[g[:, None], ti[None, :]]
        )
        np.add.at(jac, (g[:, None], np.arange(nt)[None, :], k[:, None]), th_val)
    return jac

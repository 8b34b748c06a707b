"""Linear mixed models from group sufficient statistics (the kernel of :func:`colead.multilevel`).

lme4's formulation (Bates, Maechler, Bolker & Walker 2015, section 3): the random effects of
group g are ``b_g = Lambda u_g`` with ``u_g ~ N(0, sigma2 I)``, and the (RE)ML criterion is
profiled over the fixed effects and sigma2, leaving a function of the relative covariance
factor ``Lambda`` (lower triangular, parameters ``theta``) alone. With
``M_g = I + Lambda' Z_g'Z_g Lambda`` (q x q) the Woodbury identity gives

    [X y]' V^-1 [X y] sigma2 = [X y]'[X y] - sum_g B_g' M_g^-1 B_g,   B_g = Lambda' Z_g'[X y]
    log |V / sigma2| = sum_g log |M_g|,

so one evaluation needs only the per-group cross-products ``Z_g'Z_g`` and ``Z_g'[X y]``
(one pass over the rows, by ``bincount``), batched q x q algebra over the groups and one
(p + 1) x (p + 1) matrix: no n x n matrix and no loop over groups. These are the quantities
of lme4's penalised least squares (``L_theta``, ``R_X``, the penalised residual sum of squares
``r2``); the criteria below are its equations (34) and (41).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

#: lme4's isSingular tolerance on the diagonal of the relative covariance factor.
SINGULAR_TOL = 1e-4
_LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class Stats:
    """What the criterion needs from the rows: sizes, the global and per-group cross-products.

    ``X`` and ``y`` are centred on their means when the design has an intercept (column
    ``intercept``), which changes neither the criterion (a shift of the fixed effects with
    determinant 1) nor anything reported after :func:`estimates` undoes it; it only keeps the
    subtraction in the Woodbury identity away from cancellation.
    """

    n: int
    p: int
    q: int
    groups: int
    aa: np.ndarray  # (p + 1, p + 1): [X y]'[X y]
    zz: np.ndarray  # (q, q, G): Z_g'Z_g, groups last (contiguous vector operations)
    za: np.ndarray  # (q, p + 1, G): Z_g'[X y]
    x_shift: np.ndarray  # (p,) column means taken off X (0 for the intercept)
    y_shift: float
    intercept: int | None

    @property
    def n_theta(self) -> int:
        return self.q * (self.q + 1) // 2


def group_stats(
    y: np.ndarray, x: np.ndarray, z: np.ndarray, codes: np.ndarray, groups: int
) -> Stats:
    """Sufficient statistics of the rows (``codes`` 0..groups-1, every row complete)."""
    n, p = x.shape
    q = z.shape[1]
    constant = np.flatnonzero(np.all(x == 1.0, axis=0))
    intercept = int(constant[0]) if constant.size else None
    x_shift = np.zeros(p)
    y_shift = 0.0
    if intercept is not None:
        x_shift = x.mean(axis=0)
        x_shift[intercept] = 0.0
        y_shift = float(y.mean())
    a = np.empty((n, p + 1))
    a[:, :p] = x - x_shift
    a[:, p] = y - y_shift
    aa = a.T @ a
    zz = np.empty((q, q, groups))
    za = np.empty((q, p + 1, groups))
    for i in range(q):
        for j in range(i, q):
            zz[i, j] = zz[j, i] = np.bincount(codes, z[:, i] * z[:, j], groups)
        for j in range(p + 1):
            za[i, j] = np.bincount(codes, z[:, i] * a[:, j], groups)
    return Stats(n, p, q, groups, aa, zz, za, x_shift, y_shift, intercept)


def lower(theta: np.ndarray, q: int) -> np.ndarray:
    """Lambda from theta: the lower triangle filled column by column (lme4's order)."""
    lam = np.zeros((q, q))
    lam[_positions(q)] = theta
    return lam


@dataclass(frozen=True)
class _Parts:
    lam: np.ndarray
    minv: np.ndarray  # (q, q, G): M_g^-1
    c: np.ndarray  # (q, p + 1, G): M_g^-1 Lambda' Z_g'[X y]
    logdet_m: float
    xvx: np.ndarray
    xvy: np.ndarray
    beta: np.ndarray
    r2: float


def _blocks(s: Stats, lam: np.ndarray) -> tuple[np.ndarray, float]:
    """M_g^-1 and sum_g log |M_g|, with M_g = I + Lambda' Z_g'Z_g Lambda."""
    q = s.q
    if q == 1:
        m = 1.0 + lam[0, 0] ** 2 * s.zz[0, 0]
        return (1.0 / m).reshape(1, 1, -1), float(np.log(m).sum())
    m = np.einsum("ia,ibg->abg", lam, np.einsum("ijg,jb->ibg", s.zz, lam))
    m[range(q), range(q)] += 1.0
    if q == 2:  # closed form
        det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
        minv = np.empty_like(m)
        minv[0, 0], minv[1, 1] = m[1, 1] / det, m[0, 0] / det
        minv[0, 1] = minv[1, 0] = -m[0, 1] / det
        return minv, float(np.log(det).sum())
    stacked = np.moveaxis(m, 2, 0)
    chol = np.linalg.cholesky(stacked)
    logdet = float(2 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum())
    return np.ascontiguousarray(np.moveaxis(np.linalg.inv(stacked), 0, 2)), logdet


def _parts(s: Stats, theta: np.ndarray) -> _Parts:
    p = s.p
    lam = lower(theta, s.q)
    minv, logdet = _blocks(s, lam)
    if s.q == 1:
        b = lam[0, 0] * s.za
        c = b * minv[0, 0]
        big = s.aa - b[0] @ c[0].T
    else:
        b = np.einsum("ia,ikg->akg", lam, s.za)  # Lambda' Z'[X y]
        c = np.einsum("abg,bkg->akg", minv, b)
        big = s.aa - np.einsum("akg,alg->kl", b, c)
    xvx, xvy, yvy = big[:p, :p], big[:p, p], float(big[p, p])
    beta = np.linalg.solve(xvx, xvy)
    return _Parts(lam, minv, c, logdet, xvx, xvy, beta, yvy - float(xvy @ beta))


def _value(s: Stats, parts: _Parts, reml: bool) -> float:
    if not parts.r2 > 0:
        return np.inf
    if reml:
        df = s.n - s.p
        logdet_x = float(np.linalg.slogdet(parts.xvx)[1])
        return parts.logdet_m + logdet_x + df * (1 + _LOG_2PI + np.log(parts.r2 / df))
    return parts.logdet_m + s.n * (1 + _LOG_2PI + np.log(parts.r2 / s.n))


def _gradient(s: Stats, parts: _Parts, reml: bool) -> np.ndarray:
    """d criterion / d theta.

    With W = (I + Z Lambda Lambda' Z')^-1 and D_k = dLambda/dtheta_k Lambda' + its transpose,
    d log|V| = tr(D_k Z'WZ), dS = -P' D_k P (P_g = Z_g'W_g [X y]), so each term is
    tr(D_k G) = 2 (G Lambda)_(ij) for symmetric G, summed over the groups:
    G = Z'WZ - df / r2 r r' (r_g = Z_g'W_g (y - X beta)) - [REML] P_x (X'WX)^-1 P_x'.
    """
    lam, p = parts.lam, s.p
    zzl = np.einsum("ijg,jb->ibg", s.zz, lam)
    big_p = s.za - np.einsum("ijg,jkg->ikg", zzl, parts.c)  # (q, p + 1, G)
    total = s.zz.sum(axis=2) - np.einsum(
        "ikg,jkg->ij", np.einsum("ijg,jkg->ikg", zzl, parts.minv), zzl
    )
    r = np.einsum("ikg,k->ig", big_p, np.r_[-parts.beta, 1.0])  # (q, G)
    total -= ((s.n - s.p if reml else s.n) / parts.r2) * (r @ r.T)
    if reml:
        px = big_p[:, :p]
        q_x = np.einsum("ikg,kl->ilg", px, np.linalg.inv(parts.xvx))
        total -= np.einsum("ikg,jkg->ij", q_x, px)
    rows, cols = _positions(s.q)
    return 2 * (total @ lam)[rows, cols]


def _positions(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of each theta in Lambda (column-major lower triangle, as lme4)."""
    rows, cols = np.tril_indices(q)
    order = np.lexsort((rows, cols))
    return rows[order], cols[order]


def criterion(s: Stats, theta: np.ndarray, reml: bool) -> float:
    """lme4's ``REMLcrit`` (reml) or ``deviance`` (ML) at theta: -2 log-likelihood, profiled."""
    return _value(s, _parts(s, np.atleast_1d(np.asarray(theta, dtype=float))), reml)


def criterion_and_gradient(s: Stats, theta: np.ndarray, reml: bool) -> tuple[float, np.ndarray]:
    parts = _parts(s, np.atleast_1d(np.asarray(theta, dtype=float)))
    value = _value(s, parts, reml)
    if not np.isfinite(value):
        return value, np.zeros(s.n_theta)
    return value, _gradient(s, parts, reml)


@dataclass(frozen=True)
class Fit:
    """The optimum: theta and what follows from it, in the original (uncentred) coordinates."""

    reml: bool
    theta: np.ndarray
    criterion: float  # -2 (RE)ML log-likelihood
    beta: np.ndarray
    vcov: np.ndarray
    psi: np.ndarray  # random-effect covariance
    sigma2: float
    converged: bool
    singular: bool
    evaluations: int

    @property
    def loglik(self) -> float:
        return -0.5 * self.criterion


def fit(s: Stats, *, reml: bool) -> Fit:
    """Minimise the profiled criterion over theta (diagonal of Lambda >= 0)."""
    with np.errstate(all="ignore"):  # a degenerate model (no residual variance) gives inf
        if s.q == 1:
            theta, converged, count = _fit_one(s, reml)
        else:
            theta, converged, count = _fit_many(s, reml)
    return estimates(s, theta, reml=reml, converged=converged, evaluations=count)


def estimates(
    s: Stats, theta: np.ndarray, *, reml: bool, converged: bool = True, evaluations: int = 0
) -> Fit:
    """Fixed effects, their covariance (as lme4's ``vcov``), Psi and sigma2 at theta."""
    parts = _parts(s, theta)
    sigma2 = parts.r2 / (s.n - s.p if reml else s.n)
    vcov_c = sigma2 * np.linalg.inv(parts.xvx)
    beta = parts.beta.copy()
    shift = np.eye(s.p)  # beta = T beta_centred
    if s.intercept is not None:
        shift[s.intercept] -= s.x_shift
        beta = shift @ beta
        beta[s.intercept] += s.y_shift
    lam = lower(theta, s.q)
    diag = np.diagonal(lam)
    return Fit(
        reml=reml,
        theta=np.asarray(theta, dtype=float),
        criterion=criterion(s, theta, reml),
        beta=beta,
        vcov=shift @ vcov_c @ shift.T,
        psi=sigma2 * lam @ lam.T,
        sigma2=sigma2,
        converged=converged,
        singular=bool((diag < SINGULAR_TOL).any()),
        evaluations=evaluations,
    )


def _moment_start(s: Stats) -> float:
    """sqrt(tau / sigma2) from the one-way ANOVA of y on the groups (a starting bracket)."""
    sizes, sums = s.zz[0, 0], s.za[0, s.p]
    present = sizes > 0
    sizes, sums = sizes[present], sums[present]
    groups = len(sizes)
    total = float(s.aa[s.p, s.p])
    between = float((sums * sums / sizes).sum()) - sums.sum() ** 2 / s.n
    within = (total - float((sums * sums / sizes).sum())) / max(s.n - groups, 1)
    n0 = (s.n - float((sizes * sizes).sum()) / s.n) / max(groups - 1, 1)
    tau = (between / max(groups - 1, 1) - within) / n0
    return float(np.sqrt(max(tau, 0.0) / within)) if within > 0 else 1.0


def _fit_one(s: Stats, reml: bool) -> tuple[np.ndarray, bool, int]:
    """Random intercept: a bounded Brent search over theta >= 0, then the root of the exact
    derivative beside it (function values alone cannot place an optimum better than about
    the square root of their rounding error), then the boundary theta = 0 itself."""
    count = 0

    def f(t: float) -> float:
        nonlocal count
        count += 1
        return criterion(s, np.array([t]), reml)

    def slope(t: float) -> float:
        nonlocal count
        count += 1
        return float(criterion_and_gradient(s, np.array([t]), reml)[1][0])

    high = 10.0 * max(_moment_start(s), 1.0)
    for _ in range(6):  # widen the interval while the minimum sits at its upper end
        found = optimize.minimize_scalar(
            f, bounds=(0.0, high), method="bounded", options={"xatol": 1e-10, "maxiter": 500}
        )
        if found.x < 0.99 * high:
            break
        high *= 100.0
    theta, converged = float(found.x), bool(found.success)
    low, up, width = theta, theta, 1e-6 * max(theta, 1e-3)
    for _ in range(40):  # a bracket of the derivative's sign change around Brent's point
        low, up = max(low - width, 0.0), up + width
        if slope(low) < 0 < slope(up):
            theta = optimize.brentq(slope, low, up, xtol=1e-15, rtol=8.9e-16)
            break
        if low == 0.0 and slope(0.0) >= 0:
            break
        width *= 4
    if f(0.0) <= f(theta):
        theta = 0.0
    return np.array([theta]), converged, count


def _fit_many(s: Stats, reml: bool) -> tuple[np.ndarray, bool, int]:
    """Correlated random effects: L-BFGS-B with the exact gradient from lme4's start
    (Lambda = I), diagonal >= 0, then Newton steps on the free parameters (the Hessian by
    differences of the exact gradient) to place the optimum to near machine precision."""
    rows, cols = _positions(s.q)
    on_diagonal = rows == cols
    bounds = [(0.0, None) if d else (None, None) for d in on_diagonal]
    count = 0

    def fg(theta: np.ndarray) -> tuple[float, np.ndarray]:
        nonlocal count
        count += 1
        return criterion_and_gradient(s, theta, reml)

    def search(start: np.ndarray) -> optimize.OptimizeResult:
        return optimize.minimize(
            fg,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"ftol": 1e-15, "gtol": 1e-9, "maxiter": 5000},
        )

    found = search(on_diagonal.astype(float))
    if (found.x[on_diagonal] < SINGULAR_TOL).any():
        # A boundary point can trap L-BFGS-B (its projected steps land on a diagonal of 0
        # where the gradient then points outwards); a fit is only called singular when
        # other starts (Lambda = I / 2, and the point found with its zeros lifted) agree.
        lifted = np.where(on_diagonal & (found.x < 0.1), 0.5, found.x)
        for start in (0.5 * on_diagonal, lifted):
            again = search(np.asarray(start, dtype=float))
            if again.fun < found.fun:
                found = again
    theta = np.asarray(found.x, dtype=float)
    value, grad = fg(theta)
    for _ in range(8):
        held = on_diagonal & (theta <= 0.0) & (grad > 0)  # on the boundary, pushed outwards
        free = np.flatnonzero(~held)
        if free.size == 0 or np.max(np.abs(grad[free])) < 1e-10 * max(1.0, abs(value)):
            break
        hess = _hessian(fg, theta, free)
        try:
            step = np.linalg.solve(hess, grad[free])
        except np.linalg.LinAlgError:
            break
        trial = theta.copy()
        trial[free] -= step
        trial = np.where(on_diagonal, np.maximum(trial, 0.0), trial)
        trial_value, trial_grad = fg(trial)
        if not trial_value <= value:
            break
        theta, value, grad = trial, trial_value, trial_grad
    held = on_diagonal & (theta <= 0.0) & (grad > 0)
    projected = np.max(np.abs(grad[~held]), initial=0.0)
    converged = bool(found.success) or projected < 1e-4 * max(1.0, abs(value)) ** 0.5
    return theta, converged, count


def _hessian(fg: object, theta: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Central differences of the exact gradient over the free parameters, symmetrised."""
    size = free.size
    hess = np.empty((size, size))
    for a, k in enumerate(free):
        h = 1e-5 * max(1.0, abs(theta[k]))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        hess[:, a] = (fg(up)[1][free] - fg(down)[1][free]) / (2 * h)  # type: ignore[operator]
    return (hess + hess.T) / 2

"""Numpy kernels behind :mod:`colead.decisions.weights`: design degrees of freedom, Hadamard
matrices and the construction of SASS-like replicate weights."""

from __future__ import annotations

import numpy as np

from colead.exceptions import InvalidParameterError

#: R's ``degf`` calls ``qr(weights, tol = 1e-5)``.
_QR_TOL = 1e-5


def design_df(analysis_weights: np.ndarray) -> int:
    """``qr(repweights, tol = 1e-5)$rank - 1``: R's degrees of freedom of a replicate design.

    R's LINPACK QR (dqrdc2) moves a column aside when the part of it not explained by the
    columns kept before it has a norm below ``tol`` times its own; the rank counts the
    others. The same residual norms come from Gaussian elimination on the R x R
    cross-product matrix, column by column, eliminating only the columns kept (the squared
    residual norm of column j is the diagonal of the Schur complement).
    """
    a = np.asarray(analysis_weights, dtype=float)
    gram = a.T @ a
    original = np.diag(gram).copy()
    work = gram.copy()
    kept = 0
    for j in range(work.shape[0]):
        pivot = work[j, j]
        if original[j] <= 0 or pivot < (_QR_TOL**2) * original[j]:
            continue  # moved aside, as dqrdc2 does
        kept += 1
        column = work[j + 1 :, j] / pivot
        work[j + 1 :, j + 1 :] -= np.outer(column, work[j, j + 1 :])
    return kept - 1


# -- Hadamard matrices -------------------------------------------------------------------------
def _is_prime(q: int) -> bool:
    if q < 2:
        return False
    return all(q % d for d in range(2, int(q**0.5) + 1))


def _jacobsthal(q: int) -> np.ndarray:
    """Q[i, j] = Legendre symbol of (j - i) modulo the prime q."""
    squares = np.zeros(q, dtype=int)
    squares[(np.arange(1, q) ** 2) % q] = 1
    chi = np.where(squares == 1, 1, -1)
    chi[0] = 0
    diff = (np.arange(q)[None, :] - np.arange(q)[:, None]) % q
    return chi[diff]


def _paley1(q: int) -> np.ndarray:
    """Order q + 1 for a prime q = 3 (mod 4)."""
    s = np.zeros((q + 1, q + 1), dtype=int)
    s[0, 1:] = 1
    s[1:, 0] = -1
    s[1:, 1:] = _jacobsthal(q)
    return s + np.eye(q + 1, dtype=int)


def _paley2(q: int) -> np.ndarray:
    """Order 2 (q + 1) for a prime q = 1 (mod 4)."""
    c = np.zeros((q + 1, q + 1), dtype=int)
    c[0, 1:] = 1
    c[1:, 0] = 1
    c[1:, 1:] = _jacobsthal(q)
    return np.kron(c, np.array([[1, -1], [-1, -1]])) + np.kron(
        np.eye(q + 1, dtype=int), np.array([[1, 1], [1, -1]])
    )


def _core(m: int) -> np.ndarray | None:
    if m == 1:
        return np.ones((1, 1), dtype=int)
    if m == 2:
        return np.array([[1, 1], [1, -1]])
    if _is_prime(m - 1) and (m - 1) % 4 == 3:
        return _paley1(m - 1)
    if m % 2 == 0 and _is_prime(m // 2 - 1) and (m // 2 - 1) % 4 == 1:
        return _paley2(m // 2 - 1)
    return None


def hadamard(order: int) -> np.ndarray:
    """A Hadamard matrix of the given order with a first column of ones.

    Built as Sylvester doublings of a Paley matrix (orders 2^k, 2^k (q + 1) for a prime
    q = 3 mod 4, 2^(k+1) (q + 1) for a prime q = 1 mod 4); 88 = 2 x 44 with 44 = 43 + 1.
    """
    m, k = order, 0
    while True:
        core = _core(m)
        if core is not None:
            break
        if m % 2:
            raise InvalidParameterError(
                f"No Hadamard matrix of order {order} can be built here; balanced repeated "
                "replication needs an order such as 4, 8, 12, ..., 88 (2^k times q + 1 for a "
                "prime q)."
            )
        m, k = m // 2, k + 1
    h = core
    for _ in range(k):
        h = np.block([[h, h], [h, -h]])
    h = h * h[:, :1]  # rows signed so that the first column is all ones
    return h.astype(float)


# -- replicate construction ----------------------------------------------------------------------
def lognormal_weights(rng: np.random.Generator, n: int, mean: float, cv: float) -> np.ndarray:
    if cv == 0:
        return np.full(n, float(mean))
    sigma2 = np.log1p(cv**2)
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size=n)


def assign_strata(
    rng: np.random.Generator, n: int, n_strata: int, per_unit: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random strata of (nearly) equal size; within each, units alternate between PSUs."""
    order = rng.permutation(n)
    stratum = np.empty(n, dtype=int)
    stratum[order] = np.arange(n) % n_strata
    psu = np.empty(n, dtype=int)
    psu[order] = (np.arange(n) // n_strata) % per_unit
    return stratum, psu


def half_sample_factors(
    hadamard_matrix: np.ndarray, stratum: np.ndarray, psu: np.ndarray, low: float
) -> np.ndarray:
    """BRR (low = 0) or Fay (low = rho) factors: n x R."""
    signs = hadamard_matrix[:, stratum + 1].T  # n x R
    kept = (signs > 0) == (psu == 0)[:, None]
    return np.where(kept, 2.0 - low, low)


def jackknife1_factors(group: np.ndarray, n_replicates: int) -> np.ndarray:
    dropped = group[:, None] == np.arange(n_replicates)[None, :]
    return np.where(dropped, 0.0, n_replicates / (n_replicates - 1))


def jackknife2_factors(stratum: np.ndarray, psu: np.ndarray, n_replicates: int) -> np.ndarray:
    in_stratum = stratum[:, None] == np.arange(n_replicates)[None, :]
    return np.where(in_stratum, np.where(psu == 0, 0.0, 2.0)[:, None], 1.0)

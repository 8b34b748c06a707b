"""What the Ni-style models should find in data from ``colead.simulate``, derived from the
simulation's own model (not from colead's estimator), for the recovery tests.

The simulator (``_simulation_kernels.influence_latent`` and ``discretize``) draws, for one
respondent per school, independent standard-normal deviations ``D_s`` for every stakeholder
and zone, sets the principal's to ``D_p = sum_s beta_s D_s + sqrt(1 - sum beta^2) E`` and
answers ``1 + #{cuts c_j < mu + D}`` with the cuts that split a standard normal into equal
parts. So in a zone:

* the predictors are independent of each other (and of the school controls), hence the
  population least-squares coefficient of stakeholder s is ``cov(Y, X_s) / var(X_s)``;
* ``corr(D_p, D_s) = beta_s``, so ``cov(Y, X_s) = sum_jk [P(D_p > c_k - mu_p, D_s > c_j - mu_s)
  - P(.) P(.)]``, bivariate normal probabilities;
* a stakeholder with beta = 0 is independent of the principal: its coefficient is exactly 0.

The sampling variance of a weighted estimate (weights independent of the data) is
``deff * E[x~^2 e^2] / (n var(X_s)^2)`` with Kish's ``deff = n sum w^2 / (sum w)^2``; the
fourth moment is a plain Monte Carlo integral over the same latent model (500,000 draws,
numpy only), accurate to about 0.5 %. The replicate t statistic is then noncentral t with
the design's df, which gives the probability that each label is recovered.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import stats
from scipy.special import ndtri

CUTS = ndtri(np.array([0.25, 0.5, 0.75]))  # 4 equally likely points
N_MONTE_CARLO = 500_000


def _upper(mu: float) -> np.ndarray:
    """P(mu + D > c_j) for every cut."""
    return stats.norm.sf(CUTS - mu)


def _joint_upper(mu_y: float, mu_x: float, rho: float) -> np.ndarray:
    """P(mu_y + D_y > c_k, mu_x + D_x > c_j) for every pair of cuts (k, j)."""
    if rho == 0:
        return np.outer(_upper(mu_y), _upper(mu_x))
    cov = np.array([[1.0, rho], [rho, 1.0]])
    mvn = stats.multivariate_normal(mean=[0.0, 0.0], cov=cov)
    return np.array([[mvn.cdf([mu_y - ck, mu_x - cj]) for cj in CUTS] for ck in CUTS])


def variance_of_codes(mu: float) -> float:
    p = _upper(mu)
    joint = _upper(mu)[np.maximum.outer(np.arange(3), np.arange(3))]
    return float((joint - np.outer(p, p)).sum())


@cache
def population_coefficient(mu_y: float, mu_x: float, beta: float) -> float:
    """The least-squares coefficient of X_s in the population (exact)."""
    cov = (_joint_upper(mu_y, mu_x, beta) - np.outer(_upper(mu_y), _upper(mu_x))).sum()
    return float(cov / variance_of_codes(mu_x))


@cache
def _draws(k: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12345)
    return rng.standard_normal((N_MONTE_CARLO, k)), rng.standard_normal(N_MONTE_CARLO)


@cache
def sandwich_factors(mu_y: float, mus: tuple[float, ...], betas: tuple[float, ...]) -> np.ndarray:
    """E[x~_s^2 e^2] / var(X_s)^2 for each predictor (Monte Carlo over the latent model)."""
    d, own = _draws(len(mus))
    b = np.array(betas)
    dp = d @ b + np.sqrt(1 - (b**2).sum()) * own
    x = 1.0 + np.searchsorted(CUTS, d + np.array(mus))  # number of cuts below: the code
    y = 1.0 + np.searchsorted(CUTS, dp + mu_y)
    coef = np.array([population_coefficient(mu_y, m, bb) for m, bb in zip(mus, betas, strict=True)])
    xc = x - np.array([1 + _upper(m).sum() for m in mus])
    e = y - (1 + _upper(mu_y).sum()) - xc @ coef
    var = np.array([variance_of_codes(m) for m in mus])
    return ((xc**2) * (e**2)[:, None]).mean(axis=0) / var**2


def label_probability(
    truth: np.ndarray,
    coefficient: np.ndarray,
    se: np.ndarray,
    df_test: np.ndarray,
    df_variance: float,
    alpha: float,
) -> np.ndarray:
    """P(the estimated label equals ``truth``) when the estimate is normal around
    ``coefficient`` with sd ``se`` and the variance estimate has ``df_variance`` df
    (arrays, one entry per cell)."""
    crit = stats.t.ppf(1 - alpha / 2, df_test)
    delta = np.where(truth == "none", 0.0, coefficient / se)
    none = stats.t.cdf(crit, df_variance) - stats.t.cdf(-crit, df_variance)
    supportive = stats.nct.sf(crit, df_variance, delta)
    inhibiting = stats.nct.cdf(-crit, df_variance, delta)
    return np.select([truth == "none", truth == "supportive"], [none, supportive], inhibiting)

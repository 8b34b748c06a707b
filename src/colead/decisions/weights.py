"""Survey weights and replicate-weight variance, as R's ``survey`` package defines them.

National surveys such as SASS and NTPS ship a final weight and a set of replicate weights
(SASS: 88 balanced-repeated-replication weights). An estimate is computed once with the final
weight and once with each replicate weight; the spread of the replicate estimates gives its
variance. :func:`replicate_design` holds the weights with the constants R's
``survey::svrepdesign`` uses for each method (``scale`` and ``rscales``), and
:meth:`ReplicateDesign.variance` is ``survey:::svrVar``. :func:`simulate_replicate_weights`
makes SASS-like weights for synthetic data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from colead._text import summary_html
from colead._validation import check_int, check_number, check_option
from colead.decisions import _replicate_kernels as kernels
from colead.exceptions import InvalidParameterError

__all__ = [
    "REPLICATE_METHODS",
    "ReplicateDesign",
    "replicate_design",
    "replicate_variance",
    "simulate_replicate_weights",
]

ReplicateMethod = Literal["BRR", "Fay", "JK1", "JK2"]
#: The replicate methods colead supports, spelled as ``svrepdesign(type = )``.
REPLICATE_METHODS: tuple[str, ...] = ("BRR", "Fay", "JK1", "JK2")
_F = "replicate_design"


@dataclass(frozen=True, repr=False, eq=False)
class ReplicateDesign:
    """Full-sample weights and replicate weights with the constants of their variance formula.

    Build one with :func:`replicate_design`.

    Attributes
    ----------
    weights : ndarray, shape (n,)
        The full-sample (final) weights.
    replicate_weights : ndarray, shape (n, R)
        The replicate weights as analysed: full replicate weights (``combined.weights = TRUE``
        in R), that is already multiplied by the full-sample weight.
    method : {'BRR', 'Fay', 'JK1', 'JK2'}
    scale : float
        The overall multiplier of the variance (R's ``scale``).
    rscales : ndarray, shape (R,)
        The per-replicate multipliers (R's ``rscales``).
    fay : float or None
        Fay's rho (``Fay`` only).
    mse : bool
        Centre the replicate estimates at the full-sample estimate (True) or at their mean
        (False, R's default).
    degf : int
        Design degrees of freedom: the rank of the replicate-weight matrix minus one, as R's
        ``degf`` computes it for the whole design.
    """

    weights: np.ndarray = field(repr=False)
    replicate_weights: np.ndarray = field(repr=False)
    method: str
    scale: float
    rscales: np.ndarray = field(repr=False)
    fay: float | None
    mse: bool
    degf: int

    @property
    def n(self) -> int:
        """Number of rows (respondents)."""
        return int(self.weights.shape[0])

    @property
    def n_replicates(self) -> int:
        return int(self.replicate_weights.shape[1])

    def variance(self, replicates: np.ndarray, full: np.ndarray | None = None) -> np.ndarray:
        """The replicate variance of estimates (``survey:::svrVar``).

        Parameters
        ----------
        replicates : ndarray, shape (R,) or (R, k)
            The estimate(s) from each replicate weight.
        full : ndarray, shape (k,), optional
            The full-sample estimate(s); needed when ``mse`` is True.

        Returns
        -------
        ndarray
            A variance (for a 1-D input) or a k x k covariance matrix.
        """
        return replicate_variance(
            replicates, full, scale=self.scale, rscales=self.rscales, mse=self.mse
        )

    def mean(
        self, values: pd.DataFrame | pd.Series | np.ndarray, *, ci: float = 0.95
    ) -> pd.DataFrame:
        """Weighted means with replicate standard errors (``svymean(~x, design, na.rm=TRUE)``).

        Each column uses its own answered rows. The interval is the normal one R's
        ``confint`` gives for ``svymean``.

        Returns
        -------
        DataFrame
            One row per column: ``variable, n, mean, se, ci_low, ci_high, ci_level``.
        """
        check_number(ci, "ci", "ReplicateDesign.mean", low=0, high=1, low_open=True, high_open=True)
        frame = values.to_frame() if isinstance(values, pd.Series) else pd.DataFrame(values)
        x = frame.to_numpy(dtype=float)
        if x.shape[0] != self.n:
            raise InvalidParameterError(
                f"ReplicateDesign.mean got {x.shape[0]} rows for a design of {self.n}."
            )
        answered = ~np.isnan(x)
        x0 = np.where(answered, x, 0.0)
        all_w = np.column_stack([self.weights, self.replicate_weights])  # n x (R + 1)
        totals = x0.T @ all_w  # k x (R + 1)
        sizes = answered.T.astype(float) @ all_w
        with np.errstate(invalid="ignore", divide="ignore"):
            means = totals / sizes
        replicate = means[:, 1:]  # k x R, every column's replicate means at once (svrVar)
        centre = (
            means[:, :1] if self.mse else replicate[:, self.rscales > 0].mean(axis=1, keepdims=True)
        )
        se = np.sqrt(((replicate - centre) ** 2 * self.rscales).sum(axis=1) * self.scale)
        z = stats.norm.ppf(1 - (1 - ci) / 2)
        return pd.DataFrame(
            {
                "variable": [str(c) for c in frame.columns],
                "n": answered.sum(axis=0),
                "mean": means[:, 0],
                "se": se,
                "ci_low": means[:, 0] - z * se,
                "ci_high": means[:, 0] + z * se,
                "ci_level": ci,
            }
        )

    def summary(self) -> str:
        """The design as text."""
        extra = f", rho {self.fay:g}" if self.fay is not None else ""
        return "\n".join(
            [
                f"Replicate design: {self.method}{extra}, {self.n_replicates} replicates, "
                f"{self.n} rows",
                f"  scale {self.scale:.6g}, rscales "
                + (
                    f"{self.rscales[0]:g} (all)"
                    if np.all(self.rscales == self.rscales[0])
                    else "per replicate"
                ),
                f"  centred at the {'full-sample estimate' if self.mse else 'replicate mean'}; "
                f"design df {self.degf}",
                f"  sum of weights {self.weights.sum():.6g}",
            ]
        )

    def __repr__(self) -> str:
        return (
            f"ReplicateDesign(method={self.method!r}, n={self.n}, "
            f"n_replicates={self.n_replicates}, scale={self.scale:.6g}, degf={self.degf})"
        )

    def _repr_html_(self) -> str:
        return summary_html(self.summary())


def replicate_design(
    weights: Any,
    replicate_weights: Any,
    *,
    method: ReplicateMethod = "BRR",
    fay: float = 0.5,
    scale: float | None = None,
    rscales: Any = None,
    mse: bool = False,
    combined_weights: bool = True,
) -> ReplicateDesign:
    """Hold full-sample and replicate weights with the constants of their variance formula.

    Parameters
    ----------
    weights : array-like, shape (n,)
        Full-sample (final) weights, positive and finite.
    replicate_weights : array-like or DataFrame, shape (n, R)
        Replicate weights, finite and not negative.
    method : {'BRR', 'Fay', 'JK1', 'JK2'}, default 'BRR'
        How the replicates were made (R's ``type``).
    fay : float, default 0.5
        Fay's rho, in (0, 1); used by ``Fay`` only.
    scale : float, optional
        Only for ``JK1``: the variance multiplier, by default ``(R - 1) / R`` (what R assumes
        when it is not given). BRR, Fay and JK2 fix their own, as R does.
    rscales : array-like, shape (R,), optional
        Per-replicate multipliers (default 1 each); not for JK2, whose are fixed at 1.
    mse : bool, default False
        Centre at the full-sample estimate instead of the replicate mean (R's ``mse``).
    combined_weights : bool, default True
        True when the replicate weights already include the full-sample weight (as SASS's
        do); False when they are replicate factors to multiply by it.

    Returns
    -------
    ReplicateDesign

    Raises
    ------
    InvalidParameterError
        For a bad option, shape or weight.

    Notes
    -----
    The constants are those of ``survey::svrepdesign`` (survey 4.1-1): BRR ``scale = 1/R``;
    Fay ``scale = 1 / (R (1 - rho)^2)``; JK1 ``scale = (R - 1)/R`` unless given; JK2
    ``scale = 1``; ``rscales = 1`` throughout. The variance of replicate estimates
    ``theta_r`` around ``theta_bar`` (their mean, or the full estimate with ``mse``) is
    ``scale * sum_r rscales_r (theta_r - theta_bar)(theta_r - theta_bar)'``. Validated
    against ``svymean`` and ``svyglm`` on ``svrepdesign`` objects to 1e-10
    (tests/reference/influence/).
    """
    kind = check_option(method, "method", _F, REPLICATE_METHODS)
    w = _weight_vector(weights, "weights")
    reps = _replicate_matrix(replicate_weights, len(w))
    r = reps.shape[1]
    if not isinstance(mse, bool) or not isinstance(combined_weights, bool):
        raise InvalidParameterError(
            f"The 'mse' and 'combined_weights' parameters of {_F} must be True or False."
        )
    rho = None
    if method == "Fay":
        rho = check_number(fay, "fay", _F, low=0, high=1, low_open=True, high_open=True)
    if scale is not None and method != "JK1":
        raise InvalidParameterError(
            f"The 'scale' parameter of {_F} applies to JK1 only; {method} fixes its own "
            "(R's svrepdesign ignores a given one)."
        )
    if rscales is not None and method == "JK2":
        raise InvalidParameterError(
            f"The 'rscales' parameter of {_F} does not apply to JK2, whose rscales are 1."
        )
    if method == "BRR":
        scale_value = 1.0 / r
    elif method == "Fay":
        scale_value = 1.0 / (r * (1.0 - rho) ** 2)  # type: ignore[operator]
    elif method == "JK1":
        scale_value = (
            (r - 1) / r if scale is None else check_number(scale, "scale", _F, low=0, low_open=True)
        )
    else:
        scale_value = 1.0
    if rscales is None:
        rs = np.ones(r)
    else:
        rs = np.asarray(rscales, dtype=float).reshape(-1)
        if rs.size == 1:
            rs = np.full(r, rs[0])
        if rs.size != r or not np.all(np.isfinite(rs)) or np.any(rs < 0):
            raise InvalidParameterError(
                f"The 'rscales' parameter of {_F} must hold {r} finite values >= 0."
            )
    analysis = reps if combined_weights else reps * w[:, None]
    return ReplicateDesign(
        weights=w,
        replicate_weights=analysis,
        method=kind,
        scale=float(scale_value),
        rscales=rs,
        fay=rho,
        mse=mse,
        degf=kernels.design_df(analysis),
    )


def replicate_variance(
    replicates: Any,
    full: Any = None,
    *,
    scale: float,
    rscales: Any = 1.0,
    mse: bool = False,
) -> np.ndarray:
    """``survey:::svrVar``: the variance of estimates from their replicate values.

    Parameters
    ----------
    replicates : array-like, shape (R,) or (R, k)
    full : array-like, shape (k,), optional
        The full-sample estimates; required with ``mse=True``.
    scale : float
    rscales : float or array-like, shape (R,)
    mse : bool, default False

    Returns
    -------
    ndarray
        A 0-d variance for 1-D input, else the k x k covariance matrix.

    Notes
    -----
    R drops replicates whose estimate is NA (with a warning); here a replicate with a NaN
    estimate is an error, because colead's callers never produce one silently.
    """
    theta = np.asarray(replicates, dtype=float)
    vector = theta.ndim == 1
    theta2 = theta[:, None] if vector else theta
    if theta2.ndim != 2 or not np.all(np.isfinite(theta2)):
        raise InvalidParameterError(
            "replicate_variance needs finite replicate estimates, one row per replicate."
        )
    rs = np.broadcast_to(np.asarray(rscales, dtype=float), (theta2.shape[0],))
    if mse:
        if full is None:
            raise InvalidParameterError("replicate_variance with mse=True needs 'full'.")
        centre = np.asarray(full, dtype=float).reshape(-1)
    else:
        centre = theta2[rs > 0].mean(axis=0)
    dev = (theta2 - centre) * np.sqrt(rs)[:, None]
    v = dev.T @ dev * scale
    return np.asarray(v[0, 0]) if vector else v


def simulate_replicate_weights(
    n: int,
    *,
    n_replicates: int = 88,
    method: ReplicateMethod = "BRR",
    fay: float = 0.5,
    mean_weight: float = 12.0,
    weight_cv: float = 0.5,
    seed: int | None = None,
) -> pd.DataFrame:
    """SASS-like final and replicate weights for ``n`` synthetic respondents.

    The final weights are lognormal with the given mean and coefficient of variation,
    independent of everything else (so weighted and unweighted estimates target the same
    value). Respondents are put at random into variance strata and half-samples (PSUs), and
    the replicate weights are built from them:

    - ``BRR`` and ``Fay``: ``n_replicates - 1`` strata of two half-samples; replicate r keeps
      half-sample 1 or 2 of stratum h as row r, column h + 1 of a Hadamard matrix of order
      ``n_replicates`` says (a multiple of 4), with factors 2 and 0 (BRR) or ``2 - rho`` and
      ``rho`` (Fay), as SASS's balanced half-sample replicates are made.
    - ``JK1``: ``n_replicates`` random groups; replicate r drops group r and multiplies the
      others by ``R / (R - 1)`` (delete-a-group jackknife).
    - ``JK2``: ``n_replicates`` strata of two PSUs; replicate r drops PSU 1 of stratum r and
      doubles PSU 2 (paired jackknife).

    Parameters
    ----------
    n : int
        Number of respondents (at least 2 per stratum or group).
    n_replicates : int, default 88
    method : {'BRR', 'Fay', 'JK1', 'JK2'}, default 'BRR'
    fay : float, default 0.5
        Fay's rho for ``Fay``.
    mean_weight : float, default 12.0
        Mean final weight (SASS public-school principals: about 90,000 / 7,500).
    weight_cv : float, default 0.5
        Coefficient of variation of the final weights (0 for equal weights).
    seed : int, optional

    Returns
    -------
    DataFrame
        One row per respondent: ``stratum, psu, weight, repwt1 ... repwtR`` (full replicate
        weights, ready for ``replicate_design(weight, reps, method=...)``; analyse them with
        the default ``combined_weights=True``).
    """
    f = "simulate_replicate_weights"
    check_option(method, "method", f, REPLICATE_METHODS)
    r = check_int(n_replicates, "n_replicates", f, low=2)
    rho = check_number(fay, "fay", f, low=0, high=1, low_open=True, high_open=True)
    check_number(mean_weight, "mean_weight", f, low=0, low_open=True)
    check_number(weight_cv, "weight_cv", f, low=0)
    n_strata = {"BRR": r - 1, "Fay": r - 1, "JK1": r, "JK2": r}[method]
    per_unit = 1 if method == "JK1" else 2
    check_int(n, "n", f, low=per_unit * n_strata)
    if seed is not None:
        check_int(seed, "seed", f, low=0)
    rng = np.random.default_rng(seed)
    weight = kernels.lognormal_weights(rng, n, mean_weight, weight_cv)
    stratum, psu = kernels.assign_strata(rng, n, n_strata, per_unit)
    if method in ("BRR", "Fay"):
        hadamard = kernels.hadamard(r)
        low = 0.0 if method == "BRR" else rho
        factors = kernels.half_sample_factors(hadamard, stratum, psu, low)
    elif method == "JK1":
        factors = kernels.jackknife1_factors(stratum, r)
    else:
        factors = kernels.jackknife2_factors(stratum, psu, r)
    table = pd.DataFrame({"stratum": stratum + 1, "psu": psu + 1, "weight": weight})
    reps = pd.DataFrame(factors * weight[:, None], columns=[f"repwt{i + 1}" for i in range(r)])
    return pd.concat([table, reps], axis=1)


# -- input checks ------------------------------------------------------------------------------
def _weight_vector(weights: Any, name: str) -> np.ndarray:
    w = np.asarray(weights, dtype=float).reshape(-1) if _is_numeric(weights) else None
    if w is None or w.size == 0 or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise InvalidParameterError(
            f"The {name!r} parameter of {_F} must be finite positive numbers, one per row."
        )
    return w


def _replicate_matrix(replicate_weights: Any, n: int) -> np.ndarray:
    reps = np.asarray(replicate_weights, dtype=float) if _is_numeric(replicate_weights) else None
    if reps is None or reps.ndim != 2 or reps.shape[0] != n or reps.shape[1] < 2:
        raise InvalidParameterError(
            f"The 'replicate_weights' parameter of {_F} must be a matrix with one row per "
            f"row of the weights ({n}) and at least 2 columns."
        )
    if not np.all(np.isfinite(reps)) or np.any(reps < 0):
        raise InvalidParameterError(
            f"The 'replicate_weights' of {_F} must be finite and not negative "
            "(R's svrepdesign allows no missing replicate weight)."
        )
    return reps


def _is_numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True

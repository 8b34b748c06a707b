"""``ModelResult.model`` of :func:`colead.multilevel`: colead's fit, ready to be refitted by ML
from its sufficient statistics, with statsmodels' ``MixedLMResults`` built on demand."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from colead.relate import _lmm


class MixedModel:
    """A fitted multilevel model (what ``ModelResult.model`` holds for ``colead.multilevel``).

    The estimates come from colead's own (RE)ML fit. Attributes of statsmodels'
    ``MixedLMResults`` (``fe_params``, ``cov_re``, ``bse_fe``, ``summary()``, ...) are
    forwarded to a statsmodels result evaluated at colead's estimates, built on first use:
    statsmodels then computes its Hessian in a loop over the groups, which at thousands of
    schools takes longer than colead's fit. ``model`` is the statsmodels ``MixedLM`` (its
    ``data.frame`` holds the rows used, centred as asked).
    """

    def __init__(
        self,
        *,
        formula: str,
        rows: pd.DataFrame,
        group: str,
        re_formula: str | None,
        stats: _lmm.Stats,
        fitted: _lmm.Fit,
        response: np.ndarray,
    ) -> None:
        self.formula = formula
        self.rows = rows
        self.group = group
        self.re_formula = re_formula
        self.stats = stats
        self.fitted = fitted
        self.response = response
        self._fits = {fitted.reml: fitted}
        self._statsmodels: dict[str, Any] = {}

    # -- colead's fit ------------------------------------------------------------------------
    @property
    def reml(self) -> bool:
        return self.fitted.reml

    @property
    def n_parameters(self) -> int:
        """lme4's count: fixed effects, random (co)variances and the residual variance."""
        return self.stats.p + self.stats.n_theta + 1

    def refit(self, *, reml: bool) -> _lmm.Fit:
        """The same model by REML or ML (as lme4's ``refitML``), from the stored statistics."""
        if reml not in self._fits:
            self._fits[reml] = _lmm.fit(self.stats, reml=reml)
        return self._fits[reml]

    # -- statsmodels, on demand --------------------------------------------------------------
    @property
    def model(self) -> Any:
        """statsmodels' ``MixedLM`` on the rows used (not fitted)."""
        if "model" not in self._statsmodels:
            import statsmodels.formula.api as smf

            self._statsmodels["model"] = smf.mixedlm(
                self.formula, self.rows, groups=self.rows[self.group], re_formula=self.re_formula
            )
        return self._statsmodels["model"]

    def statsmodels(self) -> Any:
        """statsmodels' ``MixedLMResults`` at colead's estimates (no optimisation)."""
        if "results" not in self._statsmodels:
            self._statsmodels["results"] = _results(self.model, self.fitted)
        return self._statsmodels["results"]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # never for private names (copy, pickle)
            raise AttributeError(name)
        return getattr(self.statsmodels(), name)

    def __repr__(self) -> str:
        method = "REML" if self.reml else "ML"
        return f"<colead MixedModel {self.formula!r}, {method}, {self.stats.n} rows>"


def _results(model: Any, fitted: _lmm.Fit) -> Any:
    """What statsmodels' ``MixedLM.fit`` assembles after its optimiser, at colead's optimum."""
    import warnings

    from statsmodels.regression.mixed_linear_model import (
        MixedLMParams,
        MixedLMResults,
        MixedLMResultsWrapper,
    )

    model.reml = fitted.reml
    model.cov_pen = model.fe_pen = model._freepat = None
    model._cov_sing = 0
    unscaled = fitted.psi / fitted.sigma2
    params = MixedLMParams.from_components(fe_params=fitted.beta, cov_re=unscaled)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        hess, _ = model.hessian(params)
        try:
            pcov = np.linalg.inv(-hess)
        except np.linalg.LinAlgError:
            pcov = np.full_like(hess, np.nan)
    results = MixedLMResults(model, params.get_packed(use_sqrt=False, has_fe=True),
                             pcov / fitted.sigma2)  # fmt: skip
    results.params_object = params
    results.fe_params = fitted.beta
    results.cov_re = fitted.psi
    results.vcomp = np.array([])
    results.scale = fitted.sigma2
    results.cov_re_unscaled = unscaled
    results.method = "REML" if fitted.reml else "ML"
    results.converged = fitted.converged
    results.hist = None
    results.reml = fitted.reml
    results.cov_pen = None
    results.k_fe, results.k_re = model.k_fe, model.k_re
    results.k_re2, results.k_vc = model.k_re2, model.k_vc
    results.use_sqrt = model.use_sqrt
    results.freepat = None
    return MixedLMResultsWrapper(results)

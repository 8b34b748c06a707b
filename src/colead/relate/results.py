"""``ModelResult``: what :func:`colead.regress`, :func:`colead.multilevel`, :func:`colead.path`
and :func:`colead.mediate` return.

One frozen dataclass for every model: the fitted model stays reachable as ``.model``,
the estimates are tidy DataFrames, and ``summary()``, ``_repr_html_`` and ``plot()`` only
arrange them. Nothing here computes a statistic or rounds a stored number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from colead._style import OKABE_ITO, get_axes
from colead.exceptions import InvalidParameterError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["COEFFICIENT_COLUMNS", "ModelResult", "plot_coefficients", "plot_effects"]

#: Columns of ``ModelResult.coefficients`` (path models add ``outcome`` in front).
COEFFICIENT_COLUMNS = ["term", "estimate", "se", "ci_low", "ci_high", "p_value", "std_estimate"]

_TITLES = {
    "ols": "Linear regression (OLS)",
    "wls": "Linear regression (WLS)",
    "mixed": "Multilevel model (REML)",
    "path": "Path model (observed variables)",
    "mediation": "Mediation model (observed variables)",
}


@dataclass(frozen=True)
class ModelResult:
    """A fitted model relating scales, with tidy tables of its estimates.

    Attributes
    ----------
    kind : {"ols", "wls", "mixed", "path", "mediation"}
        Which estimator produced it.
    formula : str
        The model as fitted: a patsy formula, or the path model's equations one per line.
    model : object
        The statsmodels result of a regression (``RegressionResults``); for multilevel models
        colead's ``MixedModel``, which forwards statsmodels' ``MixedLMResults`` attributes
        (built on first use); for path and mediation models a dict outcome -> the OLS result
        of that equation.
    coefficients : DataFrame
        One row per coefficient: ``term, estimate, se, ci_low, ci_high, p_value,
        std_estimate`` (path and mediation models: ``outcome`` first). ``std_estimate`` is the
        coefficient in standard-deviation units of predictor and outcome (NaN for intercepts).
    fit : Series
        Fit and design: always ``n`` and ``groups`` (NaN when there are none); by kind
        ``r2, adj_r2, aic, bic, loglik, ...`` (see the function that made the result).
    blocks : DataFrame or None
        Hierarchical regression (``regress(blocks=...)``): one row per step with R squared,
        its change and the F test of the change.
    variance_components : DataFrame or None
        Multilevel models: the random-effect (co)variances and the residual variance. Path
        models: each outcome's residual variance and R squared.
    effects : DataFrame or None
        Path and mediation models: direct, indirect (total and by path) and total effects with
        bootstrap intervals.
    steps : tuple of ModelResult
        Hierarchical regression: the model of every step, the last being the full model.
    replicates : DataFrame or None
        Path and mediation models: the bootstrap replicates of every effect (one row per
        replicate, one column per row of ``effects``).
    warnings : tuple of str
        Problems met while fitting (convergence, boundary estimates, dropped replicates).
    """

    kind: str
    formula: str
    model: Any = field(repr=False)
    coefficients: pd.DataFrame = field(repr=False)
    fit: pd.Series = field(repr=False)
    blocks: pd.DataFrame | None = field(default=None, repr=False)
    variance_components: pd.DataFrame | None = field(default=None, repr=False)
    effects: pd.DataFrame | None = field(default=None, repr=False)
    steps: tuple[ModelResult, ...] = field(default=(), repr=False)
    replicates: pd.DataFrame | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    # -- text -------------------------------------------------------------------------------
    def summary(self) -> str:
        """The model as text: design, fit, coefficients and the kind's own tables."""
        lines = [self._title(), *_indent(self.formula), ""]
        lines += _fit_lines(self.fit)
        for title, table in self._tables():
            lines += ["", f"{title}:", _text_table(table)]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = f"{self._title()}: {self.formula}"
        fit = self.fit[[not _missing(v) for v in self.fit]]
        parts = [f"<div><p><strong>{escape(head)}</strong></p>"]
        parts.append(_html(fit.to_frame("value"), "Fit"))
        parts += [_html(table, title) for title, table in self._tables()]
        parts += [f"<p>warning: {escape(w)}</p>" for w in self.warnings]
        return "".join(parts) + "</div>"

    def _title(self) -> str:
        title = _TITLES.get(self.kind, self.kind)
        if self.kind == "mixed" and self.fit.get("method") == "ML":
            title = title.replace("(REML)", "(ML)")
        return title

    def _tables(self) -> list[tuple[str, pd.DataFrame]]:
        tables = [("Coefficients", self.coefficients)]
        if self.blocks is not None:
            tables.append(("Hierarchical steps", self.blocks))
        if self.variance_components is not None:
            title = "Variance components" if self.kind == "mixed" else "Residual variances"
            tables.append((title, self.variance_components))
        if self.effects is not None:
            tables.append(("Effects (bootstrap intervals)", self.effects))
        return tables

    # -- plot -------------------------------------------------------------------------------
    def plot(
        self,
        ax: Axes | None = None,
        *,
        standardized: bool = False,
        effects: bool | None = None,
        **options: Any,
    ) -> Axes:
        """Coefficients (or, for path and mediation models, effects) with their intervals.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Drawn on a new figure when None.
        standardized : bool, default False
            Plot ``std_estimate`` (no interval) instead of the estimates with intervals.
        effects : bool, optional
            Plot the ``effects`` table; default True when the result has one.
        **options
            Passed on to :func:`colead.plots.plot_effects` (``outcome``, ``title``) or
            :func:`colead.plots.plot_coefficients` (``intercept``, ``title``).

        Returns
        -------
        matplotlib Axes
        """
        if effects is None:
            effects = self.effects is not None
        if effects:
            return plot_effects(self, ax=ax, standardized=standardized, **options)
        return plot_coefficients(self, ax=ax, standardized=standardized, **options)


# -- layout helpers (no computation) ---------------------------------------------------------
def _indent(text: str) -> list[str]:
    return [f"  {line}" for line in text.splitlines()]


def _fmt(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "NA"
        return f"{value:.4g}"
    return str(value)


def _missing(value: Any) -> bool:
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _fit_lines(fit: pd.Series) -> list[str]:
    items = [f"{k} {_fmt(v)}" for k, v in fit.items() if not _missing(v)]
    lines, line = [], "Fit:"
    for item in items:
        if len(line) + len(item) > 96:
            lines.append(line)
            line = "    "
        line += f" {item};" if line.strip() else item + ";"
    lines.append(line.rstrip(";"))
    return lines


def _p(value: float) -> str:
    if not np.isfinite(value):
        return "NA"
    return "<.001" if value < 0.001 else f"{value:.3f}"


def _text_table(table: pd.DataFrame) -> str:
    shown = table.copy()
    for column in shown.columns:
        if column.startswith("p_value") or column == "p_adjusted":
            shown[column] = shown[column].map(_p)
    return shown.to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep="")


def _html(frame: pd.DataFrame, caption: str) -> str:
    body = frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="", border=0)
    return f"<p><strong>{escape(caption)}</strong></p>{body}"


# -- drawing (ModelResult.plot; colead.plots offers the same functions) ---------------------
def _label(text: Any) -> str:
    return str(text).replace("_", " ")


_EFFECT_COLOURS = {
    "direct": OKABE_ITO[4],
    "indirect": OKABE_ITO[5],
    "specific": OKABE_ITO[0],
    "total": "#000000",
}


def _forest(
    ax: Axes,
    labels: list[str],
    estimate: np.ndarray,
    low: np.ndarray | None,
    high: np.ndarray | None,
    colours: list[str],
) -> None:
    y = np.arange(len(labels))[::-1]
    if low is not None and high is not None:
        ok = np.isfinite(low) & np.isfinite(high)
        ax.hlines(y[ok], low[ok], high[ok], colors=np.array(colours)[ok], linewidth=1.5)
    ax.scatter(estimate, y, c=colours, zorder=3, s=24)
    ax.axvline(0, color="#7f7f7f", linewidth=0.8, linestyle="--")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.7, len(labels) - 0.3)


def plot_coefficients(
    result: ModelResult,
    *,
    ax: Axes | None = None,
    standardized: bool = False,
    intercept: bool = False,
    title: str | None = None,
) -> Axes:
    """Coefficients of a model with their intervals (a forest plot).

    Parameters
    ----------
    result : ModelResult
    ax : Axes, optional
    standardized : bool, default False
        Draw ``std_estimate`` (points only, since the interval is of the raw estimate).
    intercept : bool, default False
        Include the intercept.
    title : str, optional

    Returns
    -------
    Axes
        One point per coefficient, and one interval line per coefficient unless standardized.
    """
    table = result.coefficients
    if not intercept:
        table = table[table["term"] != "Intercept"]
    if table.empty:
        raise InvalidParameterError("plot_coefficients: the model has no coefficient to draw.")
    if "outcome" in table.columns:
        labels = [
            f"{_label(o)} <- {_label(t)}"
            for o, t in zip(table["outcome"], table["term"], strict=True)
        ]
    else:
        labels = [_label(t) for t in table["term"]]
    ax = get_axes(ax, figsize=(6.4, 1.0 + 0.35 * len(labels)))
    column = "std_estimate" if standardized else "estimate"
    _forest(
        ax,
        labels,
        table[column].to_numpy(dtype=float),
        None if standardized else table["ci_low"].to_numpy(dtype=float),
        None if standardized else table["ci_high"].to_numpy(dtype=float),
        [OKABE_ITO[4]] * len(labels),
    )
    ax.set_xlabel("standardized estimate" if standardized else "estimate (interval)")
    if title:
        ax.set_title(title)
    return ax


def plot_effects(
    result: ModelResult,
    *,
    ax: Axes | None = None,
    standardized: bool = False,
    outcome: str | None = None,
    title: str | None = None,
) -> Axes:
    """Direct, indirect and total effects of a path or mediation model with their bootstrap
    intervals, coloured by kind of effect.

    Parameters
    ----------
    result : ModelResult
        From :func:`colead.path` or :func:`colead.mediate`.
    ax : Axes, optional
    standardized : bool, default False
        Draw ``std_estimate`` (points only).
    outcome : str, optional
        Only the effects on this outcome (default: on the last outcome of the model).
    title : str, optional

    Returns
    -------
    Axes
        One point per effect and one interval line per effect with a bootstrap interval.
    """
    if result.effects is None:
        raise InvalidParameterError("plot_effects needs a path or mediation result.")
    table = result.effects
    chosen = table["outcome"].iloc[-1] if outcome is None else outcome
    table = table[table["outcome"] == chosen]
    if table.empty:
        raise InvalidParameterError(
            f"plot_effects: no effects on {chosen!r}; outcomes: "
            f"{list(dict.fromkeys(result.effects['outcome']))}."
        )
    labels = [
        f"{e}: {_label(p)}" if not route else f"{e}: {_label(route)}"
        for e, p, route in zip(table["effect"], table["predictor"], table["path"], strict=True)
    ]
    colours = [_EFFECT_COLOURS.get(e, "#7f7f7f") for e in table["effect"]]
    ax = get_axes(ax, figsize=(7.0, 1.0 + 0.35 * len(labels)))
    column = "std_estimate" if standardized else "estimate"
    _forest(
        ax,
        labels,
        table[column].to_numpy(dtype=float),
        None if standardized else table["ci_low"].to_numpy(dtype=float),
        None if standardized else table["ci_high"].to_numpy(dtype=float),
        colours,
    )
    ax.set_xlabel(f"effect on {_label(chosen)}" + (" (standardized)" if standardized else ""))
    if title:
        ax.set_title(title)
    return ax

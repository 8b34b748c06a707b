"""Polychoric correlations of ordinal items, as ``lavaan::lavCor(x, ordered = names(x))``."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Literal

import numpy as np
import pandas as pd

from colead._validation import check_option
from colead.exceptions import ColeadWarning, InsufficientDataError, InvalidParameterError
from colead.psychometrics import _polychoric as kernels

__all__ = ["PolychoricResult", "polychoric"]


@dataclass(frozen=True)
class PolychoricResult:
    """Polychoric correlations and the thresholds they were estimated with.

    Attributes
    ----------
    correlation : DataFrame
        Items x items polychoric correlation matrix (unit diagonal).
    thresholds : DataFrame
        Long table: ``item``, ``threshold`` (1 .. categories - 1) and ``estimate`` (the point
        on the latent normal scale between category ``threshold`` and the next).
    n : int
        Rows used: complete rows (listwise) or rows with at least one answer (pairwise).
    pairwise_n : DataFrame
        Items x items: rows answering both items (the item's own count on the diagonal).
    categories : dict
        Item -> its categories (the distinct answers observed, in order).
    items : tuple of str
    missing : str
    warnings : tuple of str
        Problems found (merged categories, correlations near 1, non-convergence).
    """

    correlation: pd.DataFrame
    thresholds: pd.DataFrame = field(repr=False)
    n: int
    pairwise_n: pd.DataFrame = field(repr=False)
    categories: dict[str, tuple[float, ...]] = field(repr=False)
    items: tuple[str, ...]
    missing: str
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        k = len(self.items)
        low = np.tril_indices(k, -1)
        r = self.correlation.to_numpy()[low]
        head = (
            f"Polychoric correlations of {k} items, n = {self.n} ({self.missing}); "
            f"correlations {r.min():.3f} to {r.max():.3f}, mean {r.mean():.3f}"
            if r.size
            else f"Polychoric correlations of {k} item(s), n = {self.n}"
        )
        body = self.correlation.to_string(float_format=lambda v: f"{v:.3f}")
        return "\n".join([head, body, *[f"warning: {w}" for w in self.warnings]])

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = escape(self.summary().split("\n")[0])
        table = self.correlation.to_html(float_format=lambda v: f"{v:.3f}", border=0)
        warn = "".join(f"<p>warning: {escape(w)}</p>" for w in self.warnings)
        return f"<div><p><strong>{head}</strong></p>{table}{warn}</div>"


def polychoric(
    data: pd.DataFrame,
    *,
    items: Sequence[Hashable] | None = None,
    missing: Literal["listwise", "pairwise"] = "listwise",
) -> PolychoricResult:
    """Polychoric correlations by lavaan's two-step maximum likelihood.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; numeric answers (any ordered codes: each item's categories are
        the distinct values it takes), NaN where unanswered.
    items : sequence of column names, optional
        Default: every column.
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (lavaan's default) uses the rows that answered every item. ``"pairwise"``
        estimates each item's thresholds from all its answers and each correlation from the rows
        that answered both items (lavaan ``missing = "pairwise"``).

    Returns
    -------
    PolychoricResult

    Raises
    ------
    InvalidParameterError
        Unknown or non-numeric columns, bad options, an item with more than 30 distinct
        values (not ordered categories).
    InsufficientDataError
        Fewer than 2 items, or an item with fewer than 2 different answers.

    Warns
    -----
    ColeadWarning
        Integer answers with a gap (such as 1, 2, 4: category 3 never chosen, so 2 and 4 become
        adjacent categories, as in lavaan), a correlation beyond +-.99, non-convergence, a
        pair of items never answered together (pairwise; its correlation is NaN).

    Notes
    -----
    Step 1 puts each item's thresholds at the normal quantiles of its cumulative proportions;
    step 2 maximises each pair's bivariate-normal likelihood over the correlation alone, given
    those thresholds (Olsson 1979; lavaan's ``lav_bvord_cor_twostep_fit``, with its handling of
    near-empty cells and 2 x 2 tables). Validated against ``lavaan::lavCor`` (lavaan 0.6-14) on
    psych's bfi items and simulated 4-point items (tests/reference/ordinal): correlations and
    thresholds agree to 1e-6 (the difference is lavaan's optimiser stopping short).

    Examples
    --------
    >>> r = cl.polychoric(items)                                     # doctest: +SKIP
    >>> r.correlation.round(2)                                       # doctest: +SKIP
    """
    func = "polychoric"
    check_option(missing, "missing", func, ("listwise", "pairwise"))
    if not isinstance(data, pd.DataFrame):
        raise InvalidParameterError(
            f"The 'data' parameter of {func} must be a DataFrame; got {type(data).__name__}."
        )
    names = list(data.columns) if items is None else list(items)
    absent = [i for i in names if i not in data.columns]
    if absent:
        raise InvalidParameterError(f"Items not found in the data: {absent}.")
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"Items named more than once: {names}.")
    x = numeric_matrix(data, names, func)
    if len(names) < 2:
        raise InsufficientDataError(f"{func} needs at least 2 items; got {len(names)}.")
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if missing == "listwise" else answered.any(axis=1)
    x = x[keep]
    codes, levels = kernels.codes_and_levels(x)
    labels = [str(n) for n in names]
    check_categories(levels, labels, func)
    notes = gap_notes(levels, labels)
    stats = kernels.GroupStats(codes, np.array([len(v) for v in levels]))
    notes += correlation_notes(stats, labels)
    for note in notes:
        warnings.warn(f"{func}: {note}.", ColeadWarning, stacklevel=2)
    rows = [
        (label, t + 1, float(v))
        for label, tau in zip(labels, stats.taus, strict=True)
        for t, v in enumerate(tau)
    ]
    both = (codes >= 0).astype(float)
    return PolychoricResult(
        correlation=pd.DataFrame(stats.cor, index=labels, columns=labels),
        thresholds=pd.DataFrame(rows, columns=["item", "threshold", "estimate"]),
        n=len(x),
        pairwise_n=pd.DataFrame((both.T @ both).astype(int), index=labels, columns=labels),
        categories={lab: tuple(v.tolist()) for lab, v in zip(labels, levels, strict=True)},
        items=tuple(labels),
        missing=missing,
        warnings=tuple(notes),
    )


def numeric_matrix(data: pd.DataFrame, names: list[Hashable], func: str) -> np.ndarray:
    """The item columns as floats (NaN for missing), refusing non-numeric or infinite values."""
    bad = [
        n
        for n in names
        if not pd.api.types.is_numeric_dtype(data[n]) or pd.api.types.is_bool_dtype(data[n])
    ]
    if bad:
        raise InvalidParameterError(f"{func} needs numeric item columns; not numeric: {bad}.")
    x = data[names].to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        inf = [names[j] for j in np.flatnonzero(np.isinf(x).any(axis=0))]
        raise InvalidParameterError(f"Infinite values in the items {inf}.")
    return x


MAX_CATEGORIES = 30


def check_categories(levels: list[np.ndarray], labels: list[str], func: str) -> None:
    """An item needs at least two different answers to have a threshold, and ordered categories
    are few (more than MAX_CATEGORIES distinct values is a continuous variable)."""
    flat = [
        f"{lab} ({len(v)} distinct answer{'s' if len(v) != 1 else ''})"
        for lab, v in zip(labels, levels, strict=True)
        if len(v) < 2
    ]
    if flat:
        raise InsufficientDataError(
            f"{func}: an ordinal item needs at least 2 different answers; {', '.join(flat)}."
        )
    many = [
        f"{lab} ({len(v)})"
        for lab, v in zip(labels, levels, strict=True)
        if len(v) > MAX_CATEGORIES
    ]
    if many:
        raise InvalidParameterError(
            f"{func} treats items as ordered categories (at most {MAX_CATEGORIES}); these have "
            f"more distinct values: {', '.join(many)}. Use Pearson correlations or ML for "
            "continuous variables."
        )


def gap_notes(levels: list[np.ndarray], labels: list[str]) -> list[str]:
    """Integer answers that skip a value: the skipped category is merged away, as in lavaan."""
    notes = []
    for lab, v in zip(labels, levels, strict=True):
        if len(v) > 1 and np.all(v == np.round(v)):
            missing = sorted(set(range(int(v[0]), int(v[-1]) + 1)) - set(v.astype(int).tolist()))
            if missing:
                notes.append(
                    f"nobody answered {', '.join(map(str, missing))} on {lab}; its neighbouring "
                    "categories are treated as adjacent (as lavaan does)"
                )
    return notes


def correlation_notes(stats: kernels.GroupStats, labels: list[str], where: str = "") -> list[str]:
    notes = [
        f"no row answered both {labels[stats.rows[k]]} and {labels[stats.cols[k]]}{where}: "
        "their correlation is NaN"
        for k in np.flatnonzero(np.isnan(stats.rho))
    ]
    for k in np.flatnonzero(~stats.converged):
        notes.append(
            f"the correlation of {labels[stats.rows[k]]} and {labels[stats.cols[k]]}{where} did "
            "not converge"
        )
    for k in np.flatnonzero(np.abs(np.nan_to_num(stats.rho)) > 0.99):
        notes.append(
            f"the correlation of {labels[stats.rows[k]]} and {labels[stats.cols[k]]}{where} is "
            f"(nearly) 1 ({stats.rho[k]:.4f})"
        )
    return notes

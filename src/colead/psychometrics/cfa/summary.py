"""Text and HTML layout of CFA results (lavaan's ``summary`` arrangement); no computation."""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np
import pandas as pd

_HEAD = f"{'':<30}{'estimate':>10}{'se':>9}{'z':>9}{'p_value':>9}{'std':>9}"


def _num(value: float, width: int = 9, digits: int = 3) -> str:
    if value is None or not np.isfinite(value):
        return " " * width
    return f"{value:>{width}.{digits}f}"


def _p(value: float) -> str:
    if value is None or not np.isfinite(value):
        return " " * 9
    return f"{'<.001':>9}" if value < 0.001 else f"{value:>9.3f}"


def fit_lines(fit: Any) -> list[str]:
    """Fit measures in a few lines."""
    p = (
        "NA"
        if not np.isfinite(fit.p_value)
        else ("< .001" if fit.p_value < 0.001 else f"= {fit.p_value:.3f}")
    )
    close = "" if not np.isfinite(fit.rmsea_p_value) else f", p(close) {fit.rmsea_p_value:.3f}"
    return [
        f"Model chi-square {fit.chisq:.3f} on {fit.df} df, p {p}  "
        f"(baseline {fit.baseline_chisq:.3f} on {fit.baseline_df} df)",
        f"CFI {fit.cfi:.3f}  TLI {fit.tli:.3f}  RMSEA {fit.rmsea:.3f} "
        f"[{fit.rmsea_ci_low:.3f}, {fit.rmsea_ci_high:.3f}]{close}  SRMR {fit.srmr:.3f}",
        f"log-likelihood {fit.logl:.3f} (unrestricted {fit.unrestricted_logl:.3f}), "
        f"AIC {fit.aic:.3f}, BIC {fit.bic:.3f}, adjusted BIC {fit.bic2:.3f}; "
        f"{fit.npar} free parameters, n = {fit.n}",
    ]


def _row(label: str, r: Any) -> str:
    free = bool(r.free)
    return (
        f"    {label:<26}{_num(r.estimate, 10)}"
        + (_num(r.se) + _num(r.z, 9, 3) + _p(r.p_value) if free else " " * 27)
        + _num(r.std_estimate)
    )


def parameter_lines(par: pd.DataFrame) -> list[str]:
    """The parameter table in lavaan's blocks: loadings, covariances, intercepts, variances."""
    lines = ["Parameter estimates (std: completely standardized, lavaan std.all)"]
    groups = par["group"].unique().tolist() if "group" in par.columns else [None]
    for label in groups:
        sub = par if label is None else par[par["group"] == label]
        if label is not None:
            lines += ["", f"Group {label}:"]
        lines.append(_HEAD)
        variances = sub[(sub["op"] == "~~") & (sub["lhs"] == sub["rhs"])]
        covariances = sub[(sub["op"] == "~~") & (sub["lhs"] != sub["rhs"])]
        for title, op, block in (
            ("Loadings", "=~", sub[sub["op"] == "=~"]),
            ("Covariances", "~~", covariances),
        ):
            if block.empty:
                continue
            lines.append(f"{title}:")
            for lhs in block["lhs"].unique():
                lines.append(f"  {lhs} {op}")
                lines += [_row(str(r.rhs), r) for r in block[block["lhs"] == lhs].itertuples()]
        extra = (("Thresholds", sub[sub["op"] == "|"]), ("Scales y*", sub[sub["op"] == "~*~"]))
        for title, block in extra:
            if not block.empty:
                lines.append(f"{title}:")
                lines += [
                    _row(f"{r.lhs}|{r.rhs}" if r.op == "|" else str(r.lhs), r)
                    for r in block.itertuples()
                ]
        for title, block in (("Intercepts", sub[sub["op"] == "~1"]), ("Variances", variances)):
            if block.empty:
                continue
            lines.append(f"{title}:")
            lines += [_row(str(r.lhs), r) for r in block.itertuples()]
    return lines


def html_table(frame: pd.DataFrame, caption: str) -> str:
    """A DataFrame as an HTML table with a caption; numbers with 4 significant digits."""
    body = frame.to_html(float_format=lambda v: f"{v:.4g}", na_rep="", border=0)
    return f"<div><p><strong>{escape(caption)}</strong></p>{body}</div>"

"""The report's "Since the last survey" section: the change of every scale since the previous
wave, for the district and for each school, as a table with intervals and a dot-and-arrow
chart (previous mean -> current mean, with the interval of the change around the arrow's head).

Everything shown comes from :func:`colead.change`, so it has passed through
:func:`colead.privacy.protect_waves`: a school under ``min_n`` in either wave, or held back to
protect a smaller group in either wave, shows no number. One self-contained function,
:func:`since_last_survey`, renders the fragments with their own template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from colead.instrument import Instrument
from colead.io.responses import Responses
from colead.schools.change import change

__all__ = ["SinceLastSurvey", "since_last_survey"]


@dataclass(frozen=True)
class SinceLastSurvey:
    """Rendered HTML fragments (safe markup): the district's and each shown group's."""

    district: Any
    schools: dict[Any, Any] = field(default_factory=dict)
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)


def since_last_survey(current: Responses, previous: Responses, inst: Instrument, *,
                      by: str = "school_id", min_n: int = 5,
                      names: dict[Any, str] | None = None,
                      title: str = "previous survey") -> SinceLastSurvey:
    """The section for the district and every group, from two waves of responses.

    Parameters
    ----------
    current, previous : Responses
        The two waves (each with its own instrument: scales whose items changed are listed
        as not comparable, with the reason).
    inst : Instrument
        The current instrument (scale titles and bounds).
    names : mapping, optional
        Group id -> display name.
    title : str
        How the text names the previous wave.
    """
    from markupsafe import Markup

    grouped = bool(current.data[by].notna().any()) and bool(previous.data[by].notna().any())
    district = change(current, previous, by=None, min_n=min_n)
    table = (change(current, previous, by=by, min_n=min_n) if grouped
             else pd.DataFrame(columns=[by, *district.columns]))
    template = _environment().get_template("since.html.j2")
    bounds = {s: (float(sc.min), float(sc.max)) for s, sc in inst.scales.items()}
    titles = {s: sc.title for s, sc in inst.scales.items()}

    def render(rows: pd.DataFrame, name: str, anchor: str, first: bool) -> Any:
        return Markup(template.render(
            name=name, anchor=anchor, first=first, min_n=min_n, title=title,
            rows=_rows(rows, titles, bounds), suppressed=bool(rows["suppressed"].all()),
            notes=_notes(rows, titles)))

    out = SinceLastSurvey(district=render(district, "The district", "since-district", True),
                          table=table)
    for group, rows in table.groupby(by, sort=False):
        if not rows["suppressed"].all():
            label = str((names or {}).get(group, group))
            out.schools[group] = render(rows, label, f"since-{_anchor(group)}", False)
    return out


def _rows(table: pd.DataFrame, titles: dict[str, str],
          bounds: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    rows = []
    for r in table.itertuples(index=False):
        row: dict[str, Any] = {"scale": titles.get(r.scale, r.scale), "comparable":
                               bool(r.comparable), "reason": r.reason,
                               "suppressed": bool(r.suppressed)}
        if not row["suppressed"] and np.isfinite(r.mean_current) and np.isfinite(
                r.mean_previous):
            low, high = bounds.get(r.scale, (1.0, 6.0))

            def at(value: float, low: float = low, high: float = high) -> str:
                return f"{100 * (min(max(value, low), high) - low) / (high - low):.2f}"

            row.update(previous=f"{r.mean_previous:.2f}", current=f"{r.mean_current:.2f}",
                       n=f"{int(r.n_previous)} / {int(r.n_current)}",
                       x_previous=at(r.mean_previous), x_current=at(r.mean_current))
            if row["comparable"] and np.isfinite(r.change):
                row.update(change=_signed(r.change),
                           ci=f"{_signed(r.ci_low)} to {_signed(r.ci_high)}",
                           mdc=f"{r.mdc:.2f}", verdict=_verdict(r),
                           x_low=at(r.mean_previous + r.ci_low),
                           x_high=at(r.mean_previous + r.ci_high),
                           direction="up" if r.change > 0 else "down")
        rows.append(row)
    return rows


def _signed(value: float) -> str:
    return f"{round(value, 2) + 0.0:+.2f}"  # never "-0.00"


def _verdict(r: Any) -> str:
    if r.change > r.mdc:
        return "rose"
    if r.change < -r.mdc:
        return "fell"
    return "within noise"


def _notes(table: pd.DataFrame, titles: dict[str, str]) -> list[str]:
    shown = table[~table["suppressed"] & table["comparable"] & table["change"].notna()]
    notes = []
    for verb, rows in (("rose", shown[shown["change"] > shown["mdc"]]),
                       ("fell", shown[shown["change"] < -shown["mdc"]])):
        if len(rows):
            scales = ", ".join(titles.get(s, s) for s in rows["scale"])
            notes.append(f"Beyond what chance in who answered would explain, {verb}: {scales}.")
    return notes


def _anchor(group: Any) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9_-]", "-", str(group))


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("colead.reporting", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)

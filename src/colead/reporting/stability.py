"""Is a school's result reliable yet? Where a school has fewer respondents than its scales
need for a reliable mean, its section says so in plain words, with :func:`colead.plan`'s
numbers: the reliability of its mean now (ICC(2) for its number of respondents), the
respondents each scale needs for .70, how many more that is, and, with a roster, the response
rate it would take.

The numbers come from tables already published in the report (the school's n and the
reliability of its means, the district's ICC(1) of each scale), so nothing here describes
anyone the report does not already show.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from colead.reporting.format import fmt
from colead.reporting.words import STABLE, listing

__all__ = ["needed", "stability"]


def needed(agreement: pd.DataFrame | None, target: float = STABLE) -> dict[str, float]:
    """Per scale, the respondents a school needs for a reliable mean (ICC(2) >= ``target``):
    :func:`colead.plan` on the district's ICC(1) of each scale (NaN where ICC(1) <= 0: no
    number makes the mean reliable; scales without an ICC(1) are left out)."""
    from colead.schools.plan import plan

    if agreement is None or not len(agreement):
        return {}
    icc1 = {str(s): float(v) for s, v in zip(agreement["scale"], agreement["icc1"], strict=True)
            if pd.notna(v) and -1 < float(v) < 1}
    if not icc1:
        return {}
    table = plan(icc1, target=target, group_size=1)
    return dict(zip(table["scale"], table["n_needed"].astype(float), strict=True))


def stability(row: dict[str, np.ndarray], titles: list[str], needs: list[float], *,
              respondents: int, name: str, noun: str,
              staff: float | None) -> dict[str, Any] | None:
    """What a school's section says when some of its shown means are not yet reliable (None
    when every shown mean is, or none is shown). ``row`` holds the school's arrays of the
    prepared table (``n``, ``mean_reliability``, ``suppressed``), ``needs`` the respondents
    each scale needs, ``respondents`` how many answered, ``noun`` what they are
    (``teachers``), ``staff`` the school's size from the roster."""
    shown = ~row["suppressed"].astype(bool)
    with np.errstate(invalid="ignore"):
        # words follow the figures as printed (two decimals): .699 shows as .70, stable
        shaky = shown & (np.round(row["mean_reliability"], 2) < STABLE)
    if not shaky.any():
        return None
    rows, reachable, beyond = [], [], []
    size = staff if staff is not None and np.isfinite(staff) and staff > 0 else None
    for j in np.flatnonzero(shaky):
        n, need = int(row["n"][j]), needs[j]
        known = need is not None and np.isfinite(need)
        rows.append({"scale": titles[j], "n": str(n),
                     "reliability": fmt(row["mean_reliability"][j]),
                     "needed": str(int(need)) if known else "no number is enough",
                     "more": str(max(int(need) - n, 0)) if known else "\u2013"})
        if known and (size is None or need <= size):
            reachable.append((titles[j], int(need), max(int(need) - n, 0)))
        elif known:
            beyond.append(titles[j])
    few = [titles[j] for j in np.flatnonzero(shaky)]
    text = [
        f"{respondents} {noun} answered. That is not yet enough for a reliable average on "
        f"{len(few)} of the {int(shown.sum())} scales shown ({listing(few)}): had a different "
        f"group of {name}'s {noun} answered, these averages could have come out noticeably "
        "higher or lower. Read them as a first indication to discuss, not as a firm result, "
        "and compare them with the district with care.",
    ]
    if reachable:
        more = [m for _, _, m in reachable]
        span = f"{min(more)}" if min(more) == max(more) else f"{min(more)} to {max(more)}"
        which = ("" if len(reachable) == len(few) else
                 f" {listing([t for t, _, _ in reachable])}")
        said = (f"About {span} more {noun} answering would make"
                f"{which or (' it' if len(few) == 1 else ' these averages')} reliable (a "
                "reliability of .70; see the table)")
        if size is not None:
            rate = math.ceil(100 * max(need for _, need, _ in reachable) / size)
            said += f": with {int(size)} {noun} at the school, about {rate}% of them answering"
        text.append(said + ".")
    if beyond:
        one = len(beyond) == 1
        text.append(f"{listing(beyond)} need{'s' if one else ''} more {noun} than the school's "
                    f"{int(size or 0)}: even if everyone answers, read {'it' if one else 'them'} "
                    "together with the other scales, or over two surveys.")
    if len(reachable) + len(beyond) < len(few):
        text.append("On a scale marked \u201cno number is enough\u201d, schools do not "
                    "differ in the district, so no school's average on it can be told apart "
                    "from another's.")
    return {"text": text, "rows": rows}

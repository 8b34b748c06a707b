"""Plots: each ``plot_*`` function takes ``ax=None``, draws on it (or on a new figure) and
returns the Axes. A colour-blind-safe palette throughout; suppressed values are drawn as
suppressed, never as numbers.

matplotlib is imported only when a plot is drawn, so ``import colead`` stays fast.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> submodule that defines it (a model result draws itself, in its own room)
_PLOTS: dict[str, str] = {
    "likert_shares": "scales",
    "plot_agreement": "scales",
    "plot_coefficients": "colead.relate.results",
    "plot_effects": "colead.relate.results",
    "plot_influence_heatmap": "influence",
    "plot_influence_profile": "influence",
    "plot_influence_relations": "influence",
    "plot_likert": "scales",
    "plot_relations": "relations",
    "plot_scale_profile": "scales",
}

__all__ = sorted(_PLOTS)


def __getattr__(name: str) -> Any:
    module = _PLOTS.get(name)
    if module is None:
        raise AttributeError(f"module 'colead.plots' has no attribute {name!r}")
    path = module if "." in module else f"colead.plots.{module}"
    value = getattr(importlib.import_module(path), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PLOTS))

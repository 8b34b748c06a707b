"""Relating the scales: correlations at two levels, regressions with clustered errors,
multilevel models and path models, each returning tidy tables or a :class:`ModelResult`.

Public names: correlate, correlation_matrix, regress, multilevel, compare, path, mediate,
ModelResult.
"""

from colead.relate.compare import compare
from colead.relate.correlate import correlate, correlation_matrix
from colead.relate.multilevel import multilevel
from colead.relate.path import mediate, path
from colead.relate.regress import regress
from colead.relate.results import ModelResult

__all__ = [
    "ModelResult",
    "compare",
    "correlate",
    "correlation_matrix",
    "mediate",
    "multilevel",
    "path",
    "regress",
]

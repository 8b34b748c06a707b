"""Confirmatory factor analysis, with the numbers lavaan reports.

``fit`` holds the public :func:`cfa` and its results; ``model`` builds and fits the model,
``kernels`` the numpy kernels (implied moments, derivatives, fit indices), ``fiml`` full
information ML with missing answers, ``inputs`` the checks of what the user passed and
``summary`` the text and HTML views.

Public names: cfa, CFAResult, FitMeasures, InvarianceResult.
"""

from colead.psychometrics.cfa.fit import CFAResult, FitMeasures, InvarianceResult, cfa

__all__ = ["CFAResult", "FitMeasures", "InvarianceResult", "cfa"]

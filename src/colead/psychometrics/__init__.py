"""Psychometrics: scale scores and how well the items measure them.

Scores (psych-style keys, reversal from declared bounds), Cronbach's alpha and item
statistics, omega, the per-scale reliability table, and confirmatory factor analysis.

Public names: score, keyed_items, alpha, AlphaResult, item_analysis, omega, OmegaResult,
reliability, cfa, CFAResult, FitMeasures, InvarianceResult.
"""

from colead.psychometrics.alpha import AlphaResult, alpha, item_analysis
from colead.psychometrics.cfa import CFAResult, FitMeasures, InvarianceResult, cfa
from colead.psychometrics.omega import OmegaResult, omega
from colead.psychometrics.reliability import reliability
from colead.psychometrics.scoring import keyed_items, score

__all__ = [
    "AlphaResult",
    "CFAResult",
    "FitMeasures",
    "InvarianceResult",
    "OmegaResult",
    "alpha",
    "cfa",
    "item_analysis",
    "keyed_items",
    "omega",
    "reliability",
    "score",
]

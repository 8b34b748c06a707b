"""Psychometrics: scale scores and how well the items measure them.

Scores (psych-style keys, reversal from declared bounds), Cronbach's alpha and item
statistics, omega, the per-scale reliability table, confirmatory factor analysis (ML, FIML),
ordinal measurement equal to lavaan (polychoric correlations, ordinal alpha, categorical omega,
CFA by WLSMV), two-level CFA with omega within and between schools, and Rasch measures
(rating-scale and partial-credit models by conditional ML, equal to eRm).

Public names: score, keyed_items, alpha, AlphaResult, item_analysis, omega, OmegaResult,
reliability, cfa, CFAResult, FitMeasures, InvarianceResult, polychoric, PolychoricResult,
TwoLevelCFAResult, TwoLevelFitMeasures, TwoLevelOmegaResult, rasch, RaschResult,
invariance_across_waves, WaveInvariance.
"""

from colead.psychometrics.alpha import AlphaResult, alpha, item_analysis
from colead.psychometrics.cfa import CFAResult, FitMeasures, InvarianceResult, cfa
from colead.psychometrics.cfa.twolevel import TwoLevelCFAResult, TwoLevelFitMeasures
from colead.psychometrics.omega import OmegaResult, omega
from colead.psychometrics.omega_twolevel import TwoLevelOmegaResult
from colead.psychometrics.polychoric import PolychoricResult, polychoric
from colead.psychometrics.rasch import RaschResult, rasch
from colead.psychometrics.reliability import reliability
from colead.psychometrics.scoring import keyed_items, score
from colead.psychometrics.waves import WaveInvariance, invariance_across_waves

__all__ = [
    "AlphaResult",
    "CFAResult",
    "FitMeasures",
    "InvarianceResult",
    "OmegaResult",
    "PolychoricResult",
    "RaschResult",
    "TwoLevelCFAResult",
    "TwoLevelFitMeasures",
    "TwoLevelOmegaResult",
    "WaveInvariance",
    "alpha",
    "cfa",
    "invariance_across_waves",
    "item_analysis",
    "keyed_items",
    "omega",
    "polychoric",
    "rasch",
    "reliability",
    "score",
]

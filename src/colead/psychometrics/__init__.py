"""Psychometrics: measurement models of the scales (two-level CFA and within/between omega so far;
scoring, alpha, omega and single-level CFA move here with the regrouping of issue 15)."""

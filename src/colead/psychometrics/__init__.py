"""Psychometrics: ordinal measurement (polychoric correlations, ordinal alpha, categorical omega
and CFA by robust diagonally weighted least squares), equal to lavaan, semTools and psych."""

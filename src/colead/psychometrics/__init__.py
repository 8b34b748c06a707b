"""Psychometrics: measurement models for scales (the Rasch rating-scale and partial-credit
models) and benchmarking of scores against norms."""

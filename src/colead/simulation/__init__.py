"""Synthetic schools with known population values, for examples, tests and the sample data.

:func:`simulate` draws schools with random effects, latent constructs with a chosen
correlation structure, graded item answers and influence grids with known relations, and
records every value it used in :class:`Population`.

Public names: simulate, Population, SimulatedResponses, implied_correlation.
"""

from colead.simulation.population import (
    Population,
    SimulatedResponses,
    implied_correlation,
    simulate,
)

__all__ = ["Population", "SimulatedResponses", "implied_correlation", "simulate"]

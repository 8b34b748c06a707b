"""Decision influence: who has how much say over which school decisions.

The stakeholders x decision-zones grid and its collective-leadership indices
(:func:`influence`), Ni, Yan & Pounder's (2018) supportive and inhibiting relations with
replicate-weight standard errors (:func:`influence_relations`), and principal-teacher
perception gaps.

Public names: influence, InfluenceResult, influence_relations, perception_gaps,
replicate_design, ReplicateDesign, replicate_variance, simulate_replicate_weights.
"""

from colead.decisions.gaps import perception_gaps
from colead.decisions.grid import InfluenceResult, influence
from colead.decisions.relations import influence_relations
from colead.decisions.weights import (
    ReplicateDesign,
    replicate_design,
    replicate_variance,
    simulate_replicate_weights,
)

__all__ = [
    "InfluenceResult",
    "ReplicateDesign",
    "influence",
    "influence_relations",
    "perception_gaps",
    "replicate_design",
    "replicate_variance",
    "simulate_replicate_weights",
]

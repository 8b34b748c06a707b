"""From teachers to schools: intraclass correlations, within-group agreement and group tables.

ICC(1)/ICC(2), the rwg family, awg and AD (as R's multilevel), group means suppressed under
``min_n`` (:func:`aggregate`), the per-scale agreement table, answer distributions, and the
planner of how many respondents a school needs (:func:`plan`).

Public names: icc, ICCResult, icc_table, rwg, rwg_j, rwg_j_lindell, awg, ad, aggregate,
agreement, distribution, plan.
"""

from colead.schools.aggregate import aggregate, agreement, distribution
from colead.schools.plan import plan
from colead.schools.rwg import ICCResult, ad, awg, icc, icc_table, rwg, rwg_j, rwg_j_lindell

__all__ = [
    "ICCResult",
    "ad",
    "aggregate",
    "agreement",
    "awg",
    "distribution",
    "icc",
    "icc_table",
    "plan",
    "rwg",
    "rwg_j",
    "rwg_j_lindell",
]

"""From teachers to schools: intraclass correlations, within-group agreement and group tables.

ICC(1)/ICC(2), the rwg family, awg and AD (as R's multilevel), group means suppressed under
``min_n`` (:func:`aggregate`), the per-scale agreement table, answer distributions, and the
planner of how many respondents a school needs (:func:`plan`), and scores benchmarked against
norms on a 1-99 scale with bands (:func:`benchmark`).

Public names: icc, ICCResult, icc_table, rwg, rwg_j, rwg_j_lindell, awg, ad, aggregate,
aggregate_chunks, agreement, distribution, plan, benchmark, make_norms, Norms, load_norms,
list_norms.
"""

from colead.schools.aggregate import aggregate, agreement, distribution
from colead.schools.chunks import aggregate_chunks
from colead.schools.icc import ICCResult, icc, icc_table
from colead.schools.norms import Norms, benchmark, list_norms, load_norms, make_norms
from colead.schools.plan import plan
from colead.schools.rwg import ad, awg, rwg, rwg_j, rwg_j_lindell

__all__ = [
    "ICCResult",
    "Norms",
    "ad",
    "aggregate",
    "aggregate_chunks",
    "agreement",
    "awg",
    "benchmark",
    "distribution",
    "icc",
    "icc_table",
    "list_norms",
    "load_norms",
    "make_norms",
    "plan",
    "rwg",
    "rwg_j",
    "rwg_j_lindell",
]

"""From teachers to schools: intraclass correlations, within-group agreement and group tables.

ICC(1)/ICC(2), the rwg family, awg and AD (as R's multilevel), group means suppressed under
``min_n`` (:func:`aggregate`), the per-scale agreement table, answer distributions, and the
planner of how many respondents a school needs (:func:`plan`), scores benchmarked against
norms on a 1-99 scale with bands (:func:`benchmark`), and survey waves: the change since the
last survey (:func:`change`) and the trend over several (:func:`trend`).

Is agreement larger than chance: the null distribution of rwg(j) (:func:`rwg_null`) and random
group resampling (:func:`rgr_agree`).

Public names: icc, ICCResult, icc_table, rwg, rwg_j, rwg_j_lindell, rwg_null, RwgNull,
rgr_agree, RgrAgreeResult, awg, ad, aggregate, aggregate_chunks,
agreement, distribution, plan, benchmark, make_norms, Norms, load_norms, list_norms, change,
trend.
"""

from colead.schools.aggregate import aggregate, agreement, distribution
from colead.schools.change import change
from colead.schools.chunks import aggregate_chunks
from colead.schools.icc import ICCResult, icc, icc_table
from colead.schools.norms import Norms, benchmark, list_norms, load_norms, make_norms
from colead.schools.null import RgrAgreeResult, RwgNull, rgr_agree, rwg_null
from colead.schools.plan import plan
from colead.schools.rwg import ad, awg, rwg, rwg_j, rwg_j_lindell
from colead.schools.trend import trend

__all__ = [
    "ICCResult",
    "Norms",
    "RgrAgreeResult",
    "RwgNull",
    "ad",
    "aggregate",
    "aggregate_chunks",
    "agreement",
    "awg",
    "benchmark",
    "change",
    "distribution",
    "icc",
    "icc_table",
    "list_norms",
    "load_norms",
    "make_norms",
    "plan",
    "rgr_agree",
    "rwg",
    "rwg_j",
    "rwg_j_lindell",
    "rwg_null",
    "trend",
]

"""colead: measure collective leadership in schools.

Instruments (survey definitions), survey-platform imports, scale scores, reliability,
teacher-to-school aggregation, decision-influence analytics and models relating the scales.

The public names below are imported on first use, so that ``import colead`` and the command
line start quickly without loading pandas or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "ColeadError": "colead.exceptions",
    "ColeadWarning": "colead.exceptions",
    "InstrumentError": "colead.exceptions",
    "InsufficientDataError": "colead.exceptions",
    "InvalidParameterError": "colead.exceptions",
    "ResponseDataError": "colead.exceptions",
    "Instrument": "colead.instrument",
    "InfluenceGrid": "colead.instrument",
    "Item": "colead.instrument",
    "ResponseScale": "colead.instrument",
    "Scale": "colead.instrument",
    "list_instruments": "colead.instrument",
    "load_instrument": "colead.instrument",
    "ImportLog": "colead.responses",
    "Responses": "colead.responses",
    "Population": "colead.simulation",
    "SimulatedResponses": "colead.simulation",
    "simulate": "colead.simulation",
    "write_export": "colead.io",
    "read_export": "colead.io",
    "read_responses": "colead.io",
    "Export": "colead.io",
    "load_sample": "colead.datasets",
    "score": "colead.scoring",
    "AlphaResult": "colead.consistency",
    "alpha": "colead.consistency",
    "item_analysis": "colead.consistency",
    "OmegaResult": "colead.omega_reliability",
    "omega": "colead.omega_reliability",
    "reliability": "colead.reliability_table",
    "aggregate": "colead.aggregation",
    "report": "colead.reporting",
    "field": "colead.fielding",
    "agreement": "colead.aggregation",
    "distribution": "colead.aggregation",
    "conversation_guide": "colead.guide",
    "list_samples": "colead.datasets",
    "ICCResult": "colead.group_agreement",
    "icc": "colead.group_agreement",
    "icc_table": "colead.group_agreement",
    "rwg": "colead.group_agreement",
    "rwg_j": "colead.group_agreement",
    "rwg_j_lindell": "colead.group_agreement",
    "awg": "colead.group_agreement",
    "ad": "colead.group_agreement",
    "cfa": "colead.factor",
    "CFAResult": "colead.factor",
    "FitMeasures": "colead.factor",
    "InvarianceResult": "colead.factor",
    "ModelResult": "colead.model_result",
    "correlate": "colead.relate",
    "correlation_matrix": "colead.relate",
    "mediate": "colead.relate",
    "multilevel": "colead.relate",
    "path": "colead.relate",
    "regress": "colead.relate",
    "InfluenceResult": "colead.decision_influence",
    "influence": "colead.decision_influence",
    "influence_relations": "colead.influence_relations_model",
    "perception_gaps": "colead.influence_gaps",
    "ReplicateDesign": "colead.weights",
    "replicate_design": "colead.weights",
    "simulate_replicate_weights": "colead.weights",
    "RaschResult": "colead.psychometrics.rasch",
    "rasch": "colead.psychometrics.rasch",
    "Norms": "colead.psychometrics.benchmark",
    "benchmark": "colead.psychometrics.benchmark",
    "list_norms": "colead.psychometrics.benchmark",
    "load_norms": "colead.psychometrics.benchmark",
    "make_norms": "colead.psychometrics.benchmark",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from colead.aggregation import aggregate, agreement, distribution
    from colead.consistency import AlphaResult, alpha, item_analysis
    from colead.datasets import list_samples, load_sample
    from colead.decision_influence import InfluenceResult, influence
    from colead.exceptions import (
        ColeadError,
        ColeadWarning,
        InstrumentError,
        InsufficientDataError,
        InvalidParameterError,
        ResponseDataError,
    )
    from colead.factor import CFAResult, FitMeasures, InvarianceResult, cfa
    from colead.fielding import field
    from colead.group_agreement import (
        ICCResult,
        ad,
        awg,
        icc,
        icc_table,
        rwg,
        rwg_j,
        rwg_j_lindell,
    )
    from colead.guide import conversation_guide
    from colead.influence_gaps import perception_gaps
    from colead.influence_relations_model import influence_relations
    from colead.instrument import (
        InfluenceGrid,
        Instrument,
        Item,
        ResponseScale,
        Scale,
        list_instruments,
        load_instrument,
    )
    from colead.io import Export, read_export, read_responses, write_export
    from colead.model_result import ModelResult
    from colead.omega_reliability import OmegaResult, omega
    from colead.psychometrics.benchmark import (
        Norms,
        benchmark,
        list_norms,
        load_norms,
        make_norms,
    )
    from colead.psychometrics.rasch import RaschResult, rasch
    from colead.relate import (
        correlate,
        correlation_matrix,
        mediate,
        multilevel,
        path,
        regress,
    )
    from colead.reliability_table import reliability
    from colead.reporting import report
    from colead.responses import ImportLog, Responses
    from colead.scoring import score
    from colead.simulation import Population, SimulatedResponses, simulate
    from colead.weights import ReplicateDesign, replicate_design, simulate_replicate_weights


# Subpackages reachable as attributes (``cl.plots.plot_likert``), imported on first use.
_SUBMODULES = ("io", "plots", "privacy", "scoring", "datasets", "guide")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"colead.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'colead' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS) | set(_SUBMODULES))

"""colead: measure collective leadership in schools.

Instruments (survey definitions), survey-platform imports, scale scores, reliability,
teacher-to-school aggregation, decision-influence analytics and models relating the scales.

The public names below are imported on first use, so that ``import colead`` and the command
line start quickly without loading pandas or matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from colead._version import __version__

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
    "ImportLog": "colead.io",
    "Responses": "colead.io",
    "Population": "colead.simulation.population",
    "SimulatedResponses": "colead.simulation.population",
    "simulate": "colead.simulation.population",
    "write_export": "colead.io",
    "read_export": "colead.io",
    "read_responses": "colead.io",
    "Export": "colead.io",
    "load_sample": "colead.datasets",
    "score": "colead.psychometrics",
    "AlphaResult": "colead.psychometrics",
    "alpha": "colead.psychometrics",
    "item_analysis": "colead.psychometrics",
    "OmegaResult": "colead.psychometrics",
    "omega": "colead.psychometrics",
    "reliability": "colead.psychometrics",
    "aggregate": "colead.schools",
    "aggregate_chunks": "colead.schools",
    "report": "colead.reporting",
    "field": "colead.fielding",
    "agreement": "colead.schools",
    "distribution": "colead.schools",
    "conversation_guide": "colead.guide",
    "list_samples": "colead.datasets",
    "ICCResult": "colead.schools",
    "icc": "colead.schools",
    "icc_table": "colead.schools",
    "rwg": "colead.schools",
    "rwg_j": "colead.schools",
    "rwg_j_lindell": "colead.schools",
    "rwg_null": "colead.schools",
    "RwgNull": "colead.schools",
    "rgr_agree": "colead.schools",
    "RgrAgreeResult": "colead.schools",
    "awg": "colead.schools",
    "ad": "colead.schools",
    "cfa": "colead.psychometrics",
    "CFAResult": "colead.psychometrics",
    "FitMeasures": "colead.psychometrics",
    "InvarianceResult": "colead.psychometrics",
    "PolychoricResult": "colead.psychometrics",
    "polychoric": "colead.psychometrics",
    "TwoLevelCFAResult": "colead.psychometrics",
    "TwoLevelFitMeasures": "colead.psychometrics",
    "TwoLevelOmegaResult": "colead.psychometrics",
    "plan": "colead.schools",
    "ModelResult": "colead.relate",
    "compare": "colead.relate",
    "correlate": "colead.relate",
    "correlation_matrix": "colead.relate",
    "mediate": "colead.relate",
    "multilevel": "colead.relate",
    "path": "colead.relate",
    "regress": "colead.relate",
    "InfluenceResult": "colead.decisions",
    "influence": "colead.decisions",
    "influence_relations": "colead.decisions",
    "perception_gaps": "colead.decisions",
    "ReplicateDesign": "colead.decisions",
    "replicate_design": "colead.decisions",
    "simulate_replicate_weights": "colead.decisions",
    "RaschResult": "colead.psychometrics",
    "rasch": "colead.psychometrics",
    "Norms": "colead.schools",
    "benchmark": "colead.schools",
    "list_norms": "colead.schools",
    "load_norms": "colead.schools",
    "make_norms": "colead.schools",
    "change": "colead.schools",
    "trend": "colead.schools",
    "pseudonymise": "colead.io",
    "invariance_across_waves": "colead.psychometrics",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from colead.datasets import list_samples, load_sample
    from colead.decisions import (
        InfluenceResult,
        ReplicateDesign,
        influence,
        influence_relations,
        perception_gaps,
        replicate_design,
        simulate_replicate_weights,
    )
    from colead.exceptions import (
        ColeadError,
        ColeadWarning,
        InstrumentError,
        InsufficientDataError,
        InvalidParameterError,
        ResponseDataError,
    )
    from colead.fielding import field
    from colead.guide import conversation_guide
    from colead.instrument import (
        InfluenceGrid,
        Instrument,
        Item,
        ResponseScale,
        Scale,
        list_instruments,
        load_instrument,
    )
    from colead.io import (
        Export,
        ImportLog,
        Responses,
        pseudonymise,
        read_export,
        read_responses,
        write_export,
    )
    from colead.psychometrics import (
        AlphaResult,
        CFAResult,
        FitMeasures,
        InvarianceResult,
        OmegaResult,
        PolychoricResult,
        RaschResult,
        TwoLevelCFAResult,
        TwoLevelFitMeasures,
        TwoLevelOmegaResult,
        alpha,
        cfa,
        invariance_across_waves,
        item_analysis,
        omega,
        polychoric,
        rasch,
        reliability,
        score,
    )
    from colead.relate import (
        ModelResult,
        compare,
        correlate,
        correlation_matrix,
        mediate,
        multilevel,
        path,
        regress,
    )
    from colead.reporting import report
    from colead.schools import (
        ICCResult,
        Norms,
        RgrAgreeResult,
        RwgNull,
        ad,
        aggregate,
        aggregate_chunks,
        agreement,
        awg,
        benchmark,
        change,
        distribution,
        icc,
        icc_table,
        list_norms,
        load_norms,
        make_norms,
        plan,
        rgr_agree,
        rwg,
        rwg_j,
        rwg_j_lindell,
        rwg_null,
        trend,
    )
    from colead.simulation import Population, SimulatedResponses, simulate


# Subpackages reachable as attributes (``cl.plots.plot_likert``), imported on first use.
_SUBMODULES = (
    "datasets",
    "decisions",
    "fielding",
    "guide",
    "instrument",
    "io",
    "plots",
    "privacy",
    "psychometrics",
    "relate",
    "reporting",
    "schools",
    "simulation",
)


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

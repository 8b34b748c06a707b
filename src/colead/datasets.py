"""Bundled sample data made by ``data/make_sample.py``.

``district``: twelve schools with 8-35 teachers each answered colead-teacher, and
``district-principals``: their principals answered sass-principal-influence (the values they
were drawn with are in ``population.json``). ``state-principals``: 600 principals of a state
answered sass-principal-influence in the design of the Schools and Staffing Survey, with final
and 88 balanced-repeated-replication weights (:func:`sample_weights`) and supportive and
inhibiting relations to the principal's influence that differ by zone
(``state_principals_population.json``). The data are synthetic (drawn by
:func:`colead.simulate` with fixed seeds).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from colead.exceptions import ColeadError
from colead.io import read_responses
from colead.io.responses import Responses

__all__ = ["list_samples", "load_sample", "sample_path", "sample_weights"]

# sample name -> (file, instrument, description)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "district": (
        "teachers.csv",
        "colead-teacher",
        "teachers of a synthetic district of 12 schools (colead-teacher)",
    ),
    "district-principals": (
        "principals.csv",
        "sass-principal-influence",
        "the principals of the same 12 schools (sass-principal-influence)",
    ),
    "state-principals": (
        "state_principals.csv",
        "sass-principal-influence",
        "600 principals of a state in the SASS design, with final and 88 BRR replicate "
        "weights (sample_weights) and known supportive and inhibiting relations "
        "(sass-principal-influence)",
    ),
    "district-previous": (
        "teachers_previous.csv",
        "colead-teacher",
        "the same district's teachers a year earlier, with a known change of some schools",
    ),
}
# sample name -> (weights file, its population file)
WEIGHTS: dict[str, tuple[str, str]] = {
    "state-principals": ("state_principals_weights.csv", "state_principals_population.json"),
}


def sample_path(filename: str = "") -> Path:
    """The folder of the bundled sample files, or one file in it."""
    folder = Path(str(resources.files("colead") / "data" / "sample"))
    return folder / filename if filename else folder


def list_samples() -> pd.DataFrame:
    """The bundled samples: name, instrument, file, description."""
    return pd.DataFrame(
        [
            {"name": name, "instrument": inst, "file": file, "description": text}
            for name, (file, inst, text) in SAMPLES.items()
        ]
    )


def load_sample(name: str = "district") -> Responses:
    """Load a bundled sample as :class:`~colead.io.responses.Responses`.

    Parameters
    ----------
    name : {"district", "district-principals", "district-previous", "state-principals"}
        Default "district".
        See :func:`list_samples`.

    Examples
    --------
    >>> import colead as cl
    >>> resp = cl.load_sample("district")
    >>> resp.n_schools
    12
    """
    if name not in SAMPLES:
        raise ColeadError(f"no sample named {name!r}; samples: {', '.join(SAMPLES)}")
    file, instrument, _ = SAMPLES[name]
    return read_responses(sample_path(file), instrument, platform="generic")


def sample_weights(name: str = "state-principals") -> pd.DataFrame:
    """The survey weights of a bundled sample, in the order of :func:`load_sample`'s rows.

    Parameters
    ----------
    name : {"state-principals"}, default "state-principals"
        A sample drawn in a survey design.

    Returns
    -------
    DataFrame
        One row per respondent: ``respondent_id``, the variance ``stratum`` and ``psu``
        (half-sample), the final ``weight`` and the replicate weights ``repwt1 ... repwt88``
        (full replicate weights, as SASS ships them). Hold them with
        ``cl.replicate_design(w["weight"], w.filter(like="repwt"), method="BRR")``.

    Examples
    --------
    >>> import colead as cl
    >>> w = cl.datasets.sample_weights("state-principals")
    >>> w.shape
    (600, 92)
    """
    if name not in WEIGHTS:
        raise ColeadError(
            f"the sample {name!r} has no survey weights; samples with weights: "
            f"{', '.join(WEIGHTS)}"
        )
    return pd.read_csv(sample_path(WEIGHTS[name][0]), dtype={"respondent_id": str})

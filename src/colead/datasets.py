"""Bundled sample data: a small synthetic district made by ``data/make_sample.py``.

Twelve schools with 8-35 teachers each answered colead-teacher, and their principals answered
sass-principal-influence. The data are synthetic (drawn by :func:`colead.simulate` with a fixed
seed) and the values they were drawn with are in ``population.json`` beside them.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from colead.exceptions import ColeadError
from colead.io import read_responses
from colead.io.responses import Responses

__all__ = ["list_samples", "load_sample", "sample_path"]

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
    "district-previous": (
        "teachers_previous.csv",
        "colead-teacher",
        "the same district's teachers a year earlier, with a known change of some schools",
    ),
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
    name : {"district", "district-principals", "district-previous"}, default "district"
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

"""Write the input data sets for the R two-level CFA reference values (issue 19).

Run from the repository root:

    /work/venv/bin/python tests/reference/multilevel_cfa/make_data.py
    Rscript tests/reference/multilevel_cfa/multilevel_cfa.R

Writes, next to this file:

* ``teachers.csv``      simulated colead-teacher answers (``colead.simulate``), three scales,
                        48 schools of 2-30 teachers, 7% of item cells missing, raw answers
                        (reverse-keyed items NOT reversed)
* ``factor_model.csv``  continuous answers from a two-level factor model with known
                        parameters (``colead.simulation.twolevel``), 60 schools of 1-40, 6%
                        missing
* ``demo_twolevel.csv`` lavaan's ``Demo.twolevel`` (y1..y6 and cluster), exported by Rscript

The committed CSV files are the reference inputs; if the simulator changes, re-running this
script changes them and the R script must be re-run.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

import colead as cl
from colead.simulation.twolevel import two_level_factor_data

HERE = Path(__file__).resolve().parent
SCALES = ["trust_principal", "shared_leadership", "reflective_dialogue"]

# The population of factor_model.csv (also in the README).
FACTOR_MODEL = dict(
    n_schools=60,
    respondents=(1, 40),
    within_loadings=np.array([1.0, 0.9, 0.8, 0.7, 0.85, 0.6]),
    between_loadings=np.array([0.5, 0.45, 0.4, 0.3, 0.35, 0.25]),
    within_residual=np.array([0.6, 0.7, 0.8, 0.9, 0.75, 1.0]),
    between_residual=np.array([0.05, 0.04, 0.06, 0.03, 0.05, 0.04]),
    means=np.array([3.0, 3.5, 4.0, 2.5, 3.2, 3.8]),
    missing=0.06,
    seed=20240619,
)


def teachers() -> None:
    resp = cl.simulate(
        "colead-teacher",
        n_schools=48,
        respondents=(2, 30),
        icc=0.2,
        missing=0.07,
        seed=20240619,
    )
    items = [i for s in SCALES for i in resp.instrument.scales[s].items]
    resp.data[["respondent_id", "school_id", *items]].to_csv(
        HERE / "teachers.csv", index=False, float_format="%.0f"
    )


def factor_model() -> None:
    two_level_factor_data(**FACTOR_MODEL).to_csv(
        HERE / "factor_model.csv", index=False, float_format="%.10g"
    )


def demo() -> None:
    code = (
        'd <- lavaan::Demo.twolevel; write.csv(d[c(paste0("y", 1:6), "cluster")], '
        f'"{HERE / "demo_twolevel.csv"}", row.names = FALSE)'
    )
    subprocess.run(["Rscript", "-e", code], check=True)


if __name__ == "__main__":
    teachers()
    factor_model()
    demo()

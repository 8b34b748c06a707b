"""Write the input data sets for the R reference values of the two-level CFA with missing
answers (``cl.cfa(..., cluster=, missing="ml")``, issue 19).

Run from the repository root:

    /work/venv/bin/python tests/reference/twolevel_fiml/make_data.py
    Rscript tests/reference/twolevel_fiml/twolevel_fiml.R

Writes, next to this file:

* ``small_schools.csv``  a two-level factor model with known parameters (two correlated
                         factors within schools, one between them;
                         ``colead.simulation.twolevel``): 90 schools of 1-14 teachers, 15% of
                         answers missing completely at random, a short form (y5, y6 not asked)
                         for about 15% of teachers, 3 rows without any answer, 2 rows without a
                         school
* ``demo_missing.csv``   lavaan's ``Demo.twolevel`` (from ../multilevel_cfa/demo_twolevel.csv)
                         with clusters thinned to 1-20 rows, 12% of answers missing completely
                         at random and 2 rows without any answer

Both files carry a ``row_id`` column (1, 2, ...) so that R and Python name the same rows.
Deterministic: re-running reproduces the files byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from colead.simulation.twolevel import two_level_factor_data

HERE = Path(__file__).resolve().parent
ITEMS = [f"y{j}" for j in range(1, 7)]

# Two correlated factors within schools (y1-y3, y4-y6), one between them.
SMALL_SCHOOLS = dict(
    n_schools=90,
    respondents=(1, 14),
    within_loadings=np.array(
        [[0.8, 0.0], [1.0, 0.0], [0.7, 0.0], [0.0, 0.9], [0.0, 0.6], [0.0, 0.75]]
    ),
    between_loadings=np.array([0.4, 0.5, 0.3, 0.45, 0.2, 0.35]),
    within_residual=np.array([0.7, 0.5, 0.9, 0.6, 1.1, 0.8]),
    between_residual=np.array([0.12, 0.09, 0.15, 0.1, 0.08, 0.13]),
    means=np.array([3.2, 2.8, 3.9, 3.5, 2.4, 4.1]),
    within_factor_cov=np.array([[1.0, 0.5], [0.5, 1.0]]),
    missing=0.15,
    seed=20250311,
)


def small_schools() -> pd.DataFrame:
    data = two_level_factor_data(**SMALL_SCHOOLS)
    rng = np.random.default_rng(7)
    short = rng.random(len(data)) < 0.15  # the short form does not ask y5 and y6
    data.loc[short, ["y5", "y6"]] = np.nan
    data.loc[[4, 200, len(data) - 1], ITEMS] = np.nan  # no answer at all
    data.loc[[17, 300], "school_id"] = None  # one row with answers, one without
    data.loc[300, ITEMS] = np.nan
    data.insert(0, "row_id", np.arange(1, len(data) + 1))
    return data


def demo_missing() -> pd.DataFrame:
    demo = pd.read_csv(HERE.parent / "multilevel_cfa" / "demo_twolevel.csv")
    rng = np.random.default_rng(11)
    keep = np.zeros(len(demo), dtype=bool)
    for rows in demo.groupby("cluster").indices.values():
        keep[rng.choice(rows, size=rng.integers(1, len(rows) + 1), replace=False)] = True
    data = demo[keep].reset_index(drop=True)
    values = data[ITEMS].to_numpy()
    values[rng.random(values.shape) < 0.12] = np.nan
    data[ITEMS] = values
    data.loc[[10, 250], ITEMS] = np.nan
    data.insert(0, "row_id", np.arange(1, len(data) + 1))
    return data


if __name__ == "__main__":
    small_schools().to_csv(
        HERE / "small_schools.csv", index=False, float_format="%.10g", na_rep="NA"
    )
    demo_missing().to_csv(
        HERE / "demo_missing.csv", index=False, float_format="%.15g", na_rep="NA"
    )

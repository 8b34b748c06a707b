"""Make the data behind the R references for colead's relate functions (tests/reference/relate).

    /work/venv/bin/python tests/reference/relate/make_data.py
    Rscript tests/reference/relate/relate.R

Writes ``teachers.csv`` next to this file: the ten colead-teacher scale scores of 1,000-odd
simulated teachers in 45 schools (2-40 teachers, so that some schools fall under min_n = 5),
with ``years_experience``, a school-level dummy ``secondary`` (high school or academy) and a
survey weight ``weight`` (uniform 0.5-2). 3 % of item answers are missing, and 2 % of the
scale scores are then blanked at random, so that pairwise and listwise rules differ.
Numbers are written with 17 significant digits (exact round trip).

Also ``slopes.csv``: 60 groups of 8-30 rows from a random-slope model drawn with numpy alone,
``y = 2 + 0.5 x + 0.3 z + u0 + u1 x + e`` with ``x`` varying within and between groups (group
mean sd 0.5, within sd 1), ``z`` a group-level covariate, var(u0) = 0.4, var(u1) = 0.09,
corr(u0, u1) = 0.3 and var(e) = 1: the random-slope reference (the simulated teachers have no
random slopes).

Only numpy, pandas and colead are used; the same seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import colead as cl

HERE = Path(__file__).resolve().parent
SEED = 20260714


def main() -> None:
    sim = cl.simulate(
        "colead-teacher",
        n_schools=45,
        respondents=(2, 40),
        icc=0.2,
        loadings=(0.7, 0.9),
        missing=0.03,
        seed=SEED,
    )
    scores = cl.score(sim)
    schools = sim.population.schools.set_index("school_id")
    rng = np.random.default_rng(SEED + 1)
    data = scores.assign(
        years_experience=sim.data["years_experience"].to_numpy(),
        secondary=(scores["school_id"].map(schools["school_level"]) > 1).astype(int),
        weight=rng.uniform(0.5, 2.0, size=len(scores)),
    )
    scales = list(sim.instrument.scales)
    block = data[scales].to_numpy()
    block[rng.random(block.shape) < 0.02] = np.nan
    data[scales] = block
    first = ["respondent_id", "school_id", "years_experience", "secondary", "weight"]
    data = data[first + [c for c in data.columns if c not in first]]
    data.to_csv(HERE / "teachers.csv", index=False, float_format="%.17g", lineterminator="\n")

    write_slopes(np.random.default_rng(SEED + 2))


def write_slopes(rng: np.random.Generator) -> None:
    groups = 60
    sizes = rng.integers(8, 31, size=groups)
    g = np.repeat(np.arange(groups), sizes)
    tau = np.array([[0.4, 0.3 * np.sqrt(0.4 * 0.09)], [0.3 * np.sqrt(0.4 * 0.09), 0.09]])
    u = rng.multivariate_normal([0.0, 0.0], tau, size=groups)
    z = rng.normal(size=groups)
    x = rng.normal(0, 0.5, size=groups)[g] + rng.normal(size=len(g))
    y = 2 + 0.5 * x + 0.3 * z[g] + u[g, 0] + u[g, 1] * x + rng.normal(size=len(g))
    frame = pd.DataFrame({"group": [f"G{j + 1:02d}" for j in g], "x": x, "z": z[g], "y": y})
    frame.to_csv(HERE / "slopes.csv", index=False, float_format="%.17g", lineterminator="\n")


if __name__ == "__main__":
    main()

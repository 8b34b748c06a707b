"""Make the synthetic principals behind the R references for decision influence.

    /work/venv/bin/python tests/reference/influence/make_data.py
    Rscript tests/reference/influence/influence.R

Writes, next to this file:

* ``principals.csv``: ``colead.simulate("sass-principal-influence", n_schools=300,
  respondents=1, missing=0.03, seed=SEED)`` (42 influence items on 1-4, 5 context items),
  plus ``district_id`` (40 districts drawn at random, the clusters of the cluster-robust and
  linearised fits) and ``weight`` (the final weight shared by every replicate set below).
* ``replicates_brr.csv``, ``replicates_fay.csv`` (88 replicates, rho 0.5),
  ``replicates_jk1.csv``, ``replicates_jk2.csv`` (40 replicates): full replicate weights,
  one column per replicate, rows in the order of ``principals.csv``, made by
  ``colead.decisions.weights.simulate_replicate_weights`` with the same seed (so the same final
  weights) and the given method.

Numbers are written with 10 significant digits; R and the tests read the same files, so the
rounding is part of the data. Only numpy, pandas and colead are used; the same seed gives the
same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import colead as cl
from colead.decisions.weights import simulate_replicate_weights

HERE = Path(__file__).resolve().parent
SEED = 20260601
N = 300
REPLICATES = {"brr": ("BRR", 88), "fay": ("Fay", 88), "jk1": ("JK1", 40), "jk2": ("JK2", 40)}


def main() -> None:
    sim = cl.simulate(
        "sass-principal-influence", n_schools=N, respondents=1, missing=0.03, seed=SEED
    )
    data = sim.data.copy()
    rng = np.random.default_rng(SEED + 1)
    data.insert(2, "district_id", [f"D{d:02d}" for d in rng.integers(1, 41, size=N)])
    weight = None
    for name, (method, r) in REPLICATES.items():
        table = simulate_replicate_weights(N, n_replicates=r, method=method, fay=0.5, seed=SEED + 2)
        if weight is None:
            weight = table["weight"].to_numpy()
        if not np.array_equal(weight, table["weight"].to_numpy()):
            raise RuntimeError("the replicate sets must share the final weight")
        reps = table.filter(like="repwt")
        reps.columns = [f"{name}{i + 1}" for i in range(r)]
        reps.to_csv(
            HERE / f"replicates_{name}.csv", index=False, float_format="%.10g", lineterminator="\n"
        )
    data.insert(3, "weight", weight)
    data.to_csv(HERE / "principals.csv", index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    main()

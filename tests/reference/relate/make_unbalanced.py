"""Make ``unbalanced.csv``, the data behind the ML, likelihood-ratio and unbalanced random-slope
references (``mixed_ml.R``).

    /work/venv/bin/python tests/reference/relate/make_unbalanced.py
    Rscript tests/reference/relate/mixed_ml.R

120 groups of very unequal size (1 to 80 rows: a geometric draw, so a few large schools and
many small ones, singletons included) from a correlated random-slope model drawn with numpy
alone: ``y = 1 + 0.4 x + 0.3 w + u0 + u1 x + e`` where ``x`` varies within and between groups
(group mean sd 0.7, within sd 1), ``w`` is a group-level covariate, ``v`` a row-level
covariate with no effect, var(u0) = 0.5, var(u1) = 0.1, corr(u0, u1) = -0.4 and var(e) = 1.
3 % of ``x`` and ``v`` are missing, so that models are fitted to complete rows. Numbers are
written with 17 significant digits (exact round trip); the same seed gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20261208


def main() -> None:
    rng = np.random.default_rng(SEED)
    groups = 120
    sizes = np.minimum(rng.geometric(1 / 18, size=groups), 80)
    g = np.repeat(np.arange(groups), sizes)
    tau = np.array([[0.5, -0.4 * np.sqrt(0.05)], [-0.4 * np.sqrt(0.05), 0.1]])
    u = rng.multivariate_normal([0.0, 0.0], tau, size=groups)
    w = rng.normal(size=groups)
    x = rng.normal(scale=0.7, size=groups)[g] + rng.normal(size=len(g))
    v = rng.normal(size=len(g))
    y = 1 + 0.4 * x + 0.3 * w[g] + u[g, 0] + u[g, 1] * x + rng.normal(size=len(g))
    data = pd.DataFrame({"group": [f"G{i:03d}" for i in g], "x": x, "w": w[g], "v": v, "y": y})
    for column in ("x", "v"):
        data.loc[rng.random(len(data)) < 0.03, column] = np.nan
    data.to_csv(HERE / "unbalanced.csv", index=False, float_format="%.17g", lineterminator="\n",
                na_rep="NA")  # fmt: skip


if __name__ == "__main__":
    main()

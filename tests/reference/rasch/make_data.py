"""Write the input data sets for the Rasch reference values (eRm).

Run from the repository root:

    /work/venv-i21-rasch/bin/python tests/reference/rasch/make_data.py
    Rscript tests/reference/rasch/rasch.R

Writes, next to this file (answers coded from 0; NA missing):

* ``rsm_sim.csv``     500 persons x 10 items on 0..3 drawn from a rating-scale model, ~4% of
                      answers missing at random, 6 persons with extreme scores added by hand
* ``shared_leadership.csv``  the colead sample's shared-leadership items (``load_sample
                      ("district")``, colead-teacher sl1..sl6, reverse-keyed items turned
                      around), answers 1..6 stored as 0..5
* ``pcm_sim.csv``     400 persons x 8 items with 2 to 6 categories drawn from a partial-credit
                      model, ~3% missing

The committed CSV files are the reference inputs; the simulation parameters are in
``truth.json`` (used by nothing but a reader).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import colead as cl
from colead.psychometrics.scoring import keyed_items

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from rasch_sim import draw, rsm_thresholds  # noqa: E402

RSM_LOCATIONS = [-1.2, 0.9, -0.5, 0.2, 1.4, -0.9, 0.6, -0.1, 0.35, -0.75]
RSM_TAUS = [-1.1, 0.15, 0.95]
PCM_THRESHOLDS = [
    [0.3],
    [-1.0, 0.8],
    [-0.4, 0.2],
    [-1.5, 0.0, 1.2],
    [-0.6, -0.2, 1.8],
    [-1.8, -0.7, 0.4, 1.5],
    [-1.2, 0.1, 0.3, 2.0],
    [-2.0, -1.0, -0.2, 0.7, 1.6],
]


def check(x: np.ndarray, name: str) -> None:
    answered = (~np.isnan(x)).sum(axis=1)
    if (answered < 2).any():
        raise SystemExit(f"{name}: a person with fewer than 2 answers (eRm refuses them)")
    for j in range(x.shape[1]):
        col = x[:, j]
        top = np.nanmax(col)
        used = set(np.unique(col[~np.isnan(col)]).astype(int))
        if used != set(range(int(top) + 1)):
            raise SystemExit(f"{name}: item {j + 1} does not use every category: {sorted(used)}")


def write(x: np.ndarray, columns: list[str], name: str) -> None:
    check(x, name)
    frame = pd.DataFrame(x, columns=columns).astype("Int64")
    frame.to_csv(HERE / name, index=False, na_rep="NA")


def main() -> None:
    rng = np.random.default_rng(20260521)
    thr = rsm_thresholds(np.array(RSM_LOCATIONS), np.array(RSM_TAUS))
    x = draw(thr, rng.normal(0.3, 1.3, size=494), rng, missing=0.04)
    extreme = np.array(
        [[3] * 10, [3] * 10, [3] * 9 + [np.nan], [0] * 10, [0] * 10, [np.nan] + [0] * 9], float
    )
    x = np.vstack([x, extreme])
    write(x, [f"I{j + 1}" for j in range(10)], "rsm_sim.csv")

    resp = cl.load_sample("district")
    scale = resp.instrument.scales["shared_leadership"]
    sl = keyed_items(resp.data, resp.instrument, scale)
    write(sl.to_numpy(float) - scale.min, list(sl.columns), "shared_leadership.csv")

    steps = max(len(t) for t in PCM_THRESHOLDS)
    pcm = np.array([t + [np.nan] * (steps - len(t)) for t in PCM_THRESHOLDS])
    x = draw(pcm, rng.normal(0.0, 1.2, size=400), rng, missing=0.03)
    write(x, [f"P{j + 1}" for j in range(len(pcm))], "pcm_sim.csv")

    truth = {
        "rsm_sim": {"locations": RSM_LOCATIONS, "taus": RSM_TAUS, "theta": "N(0.3, 1.3^2)"},
        "pcm_sim": {"thresholds": PCM_THRESHOLDS, "theta": "N(0, 1.2^2)"},
        "seed": 20260521,
    }
    (HERE / "truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    main()

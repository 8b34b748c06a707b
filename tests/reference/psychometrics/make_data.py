"""Write the input data sets for the R psychometrics reference values.

Run from the repository root:

    /work/venv/bin/python tests/reference/psychometrics/make_data.py
    Rscript tests/reference/psychometrics/psychometrics.R

Writes, next to this file:

* ``teachers.csv``          simulated colead-teacher answers, six scales, ~5% missing, raw
                            (reverse-keyed items NOT reversed)
* ``teachers_complete.csv`` the same respondents and answers before missingness was applied
* ``keys.csv``              item, scale, key (+1 / -1) and the declared bounds of each scale
* ``edge.csv``, ``edge_keys.csv``  a hand-made 14 x 6 data set with edge cases (see EDGE)
* ``holzinger_swineford_1939.csv``  lavaan's HolzingerSwineford1939, exported by Rscript

The committed CSV files are the reference inputs. ``colead.simulate`` may change over time;
if it does, re-running this script changes the data and ``psychometrics.R`` must be re-run too.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd

import colead as cl

HERE = Path(__file__).resolve().parent

SEED = 20240604
N_SCHOOLS = 30
RESPONDENTS = (8, 35)
MISSING = 0.05
SCALES = [
    "shared_leadership",  # sl4 reversed
    "instructional_leadership",  # il5 reversed
    "trust_principal",  # tp5 reversed
    "reflective_dialogue",  # no reversed item
    "shared_focus",  # sf5 reversed
    "collective_efficacy",  # ce2, ce6 reversed
]
ID_COLUMNS = ["respondent_id", "school_id"]


def simulated() -> None:
    kwargs = dict(n_schools=N_SCHOOLS, respondents=RESPONDENTS, seed=SEED)
    with_missing = cl.simulate("colead-teacher", missing=MISSING, **kwargs)
    complete = cl.simulate("colead-teacher", missing=0.0, **kwargs)
    instrument = with_missing.instrument
    keys = instrument.keys()

    items: list[str] = []
    key_rows = []
    for scale_id in SCALES:
        scale = instrument.scales[scale_id]
        for item in scale.items:
            items.append(item)
            key_rows.append(
                {
                    "item": item,
                    "scale": scale_id,
                    "key": int(keys.loc[item, scale_id]),
                    "min": scale.min,
                    "max": scale.max,
                }
            )

    a = with_missing.data[ID_COLUMNS + items].copy()
    b = complete.data[ID_COLUMNS + items].copy()
    # Same seed, missing=0: identical respondents and answers, only without the holes.
    assert a[ID_COLUMNS].equals(b[ID_COLUMNS])
    observed = a[items].notna().to_numpy()
    assert np.array_equal(a[items].to_numpy()[observed], b[items].to_numpy()[observed])
    assert b[items].notna().all().all()
    for frame in (a, b):
        frame[items] = frame[items].astype("Int64")  # whole numbers 1..6, NA empty

    a.to_csv(HERE / "teachers.csv", index=False)
    b.to_csv(HERE / "teachers_complete.csv", index=False)
    pd.DataFrame(key_rows).to_csv(HERE / "keys.csv", index=False)
    share = a[items].isna().to_numpy().mean()
    print(f"teachers.csv: {a.shape[0]} rows, {len(items)} items, {share:.3%} missing")


# Hand-made edge cases on a 1..5 scale (values chosen so that the pairwise covariance matrix
# of the five usable items is positive definite and every corrected item-total r is positive):
#   e4      reverse-keyed item
#   const   zero variance (always 3 when answered; skipped by respondent 6)
#   sparse  answered by only 5 respondents (1, 3, 5, 8, 10)
#   rows 11-13 skip one or two of e1..e4; row 14 answered nothing at all
_ = None
EDGE = [
    # e1, e2, e3, e4, const, sparse
    [3, 4, 3, 3, 3, 3],
    [3, 3, 4, 3, 3, _],
    [4, 3, 4, 1, 3, 5],
    [4, 5, 5, 3, 3, _],
    [4, 5, 3, 2, 3, 4],
    [4, 4, 3, 2, _, _],
    [2, 1, 1, 4, 3, _],
    [4, 2, 3, 2, 3, 2],
    [5, 5, 4, 2, 3, _],
    [5, 4, 5, 1, 3, 5],
    [_, 3, 2, 4, 3, _],
    [3, _, 2, 1, 3, _],
    [3, 3, _, _, 3, _],
    [_, _, _, _, _, _],
]
EDGE_COLUMNS = ["e1", "e2", "e3", "e4", "const", "sparse"]
EDGE_KEYS = {"e1": 1, "e2": 1, "e3": 1, "e4": -1, "const": 1, "sparse": 1}


def edge() -> None:
    frame = pd.DataFrame(EDGE, columns=EDGE_COLUMNS, dtype="Int64")
    frame.insert(0, "respondent_id", [f"E{i:02d}" for i in range(1, len(frame) + 1)])
    frame.to_csv(HERE / "edge.csv", index=False)
    pd.DataFrame(
        [
            {"item": item, "scale": "edge", "key": key, "min": 1, "max": 5}
            for item, key in EDGE_KEYS.items()
        ]
    ).to_csv(HERE / "edge_keys.csv", index=False)
    print(f"edge.csv: {frame.shape[0]} rows")


def holzinger_swineford() -> None:
    out = (HERE / "holzinger_swineford_1939.csv").as_posix()
    code = f"d <- lavaan::HolzingerSwineford1939; write.csv(d, '{out}', row.names = FALSE, na = '')"
    subprocess.run(["Rscript", "-e", code], check=True)
    print("holzinger_swineford_1939.csv: exported from lavaan")


if __name__ == "__main__":
    simulated()
    edge()
    holzinger_swineford()

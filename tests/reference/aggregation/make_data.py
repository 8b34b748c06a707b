"""Make the colead datasets behind the R aggregation references (tests/reference/aggregation).

    /work/venv/bin/python tests/reference/aggregation/make_data.py
    Rscript tests/reference/aggregation/aggregation.R

Writes, next to this file:

* ``colead_teacher.csv``: colead.simulate("colead-teacher") for 40 schools with 3-30 teachers
  and 5 % of answers missing, then nine hand-made schools (ids ``X01_...`` to ``X09_...``)
  for the edge cases of the agreement indices: a school of one teacher, identical answers, a
  polarised school whose variance exceeds the uniform null, two teachers agreeing off the
  midpoint, everyone at the top of the scale, and holes in the answers that make listwise and
  item-wise missing-data rules disagree. The 57 scale items are on 6-point scales, the 14
  influence items (teachers' and principal's influence, stakeholder rows of the influence grid)
  on 5-point scales.
* ``agree7.csv``: a small 4-item instrument on a 7-point scale (one reversed item) simulated for
  25 schools of 2-15 teachers, plus an identical and a polarised school, for the 7-point null
  distributions of LeBreton & Senter (2008).
* ``icc_edge.csv``: six groups of 3-8 with a variable whose groups differ less than chance
  would have them (negative ANOVA ICC(1), random-intercept variance at the boundary) and one
  with strong group differences.
* ``item_sets.json``: every item set (scale) scored in the references: items, which are
  reversed, min, max, number of response points and how many answers a scale score needs.

Only numpy, pandas and colead are used; the same seeds give the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import colead as cl

HERE = Path(__file__).resolve().parent
SEED = 20260501
SEED_EDGE = SEED + 1
SEED_AGREE7 = SEED + 2

# Stakeholder rows of the colead-teacher influence grid used as 5-point item sets.
INFLUENCE_SETS = {"influence_teachers": "teachers", "influence_principal": "principal"}

AGREE7 = {
    "format_version": 1,
    "name": "agree7-reference",
    "title": "7-point test instrument for the aggregation references",
    "version": "1",
    "respondent": "teacher",
    "language": "en",
    "response_scales": {
        "agree7": {
            "type": "ordinal",
            "min": 1,
            "max": 7,
            "labels": {i: str(i) for i in range(1, 8)},
        }
    },
    "sections": {"climate": {"title": "Climate"}},
    "scales": {
        "climate7": {"title": "Climate (7-point test scale)", "items": ["c1", "c2", "c3", "c4"]}
    },
    "items": [
        {
            "id": f"c{i}",
            "scale": "climate7",
            "response_scale": "agree7",
            "section": "climate",
            "text": f"Test item {i}",
            **({"reverse": True} if i == 4 else {}),
        }
        for i in range(1, 5)
    ],
}


def item_sets_teacher(inst: cl.Instrument) -> dict[str, dict]:
    """Scales of colead-teacher plus the two 5-point influence rows."""
    sets: dict[str, dict] = {}
    for sid, scale in inst.scales.items():
        sets[sid] = {
            "kind": "instrument scale",
            "items": list(scale.items),
            "reverse": [inst.item(i).reverse for i in scale.items],
            "min": scale.min,
            "max": scale.max,
            "points": int(scale.max - scale.min + 1),
            "min_answered": scale.min_answered,
        }
    grid = inst.influence
    for set_id, stakeholder in INFLUENCE_SETS.items():
        items = [cell for s, _z, cell in grid.cells if s == stakeholder]
        rs = inst.response_scale_of(items[0])
        sets[set_id] = {
            "kind": f"influence-grid row '{stakeholder}' (not an instrument scale)",
            "items": items,
            "reverse": [False] * len(items),
            "min": rs.min,
            "max": rs.max,
            "points": int(rs.max - rs.min + 1),
            "min_answered": (len(items) + 1) // 2,
        }
    return sets


def edge_schools(sets: dict[str, dict], columns: list[str], start_id: int) -> pd.DataFrame:
    """Hand-made schools, each built for one rule of the agreement functions."""
    rng = np.random.default_rng(SEED_EDGE)
    bounds = {}
    for spec in sets.values():
        for item in spec["items"]:
            bounds[item] = (spec["min"], spec["max"])
    items = [c for c in columns if c in bounds]
    first = {spec["items"][0] for spec in sets.values()}
    second = {spec["items"][1] for spec in sets.values()}
    last = {spec["items"][-1] for spec in sets.values()}

    def random_row() -> dict[str, float]:
        return {i: float(rng.integers(bounds[i][0], bounds[i][1] + 1)) for i in items}

    def const_row(pick) -> dict[str, float]:
        return {i: float(pick(*bounds[i])) for i in items}

    schools: list[tuple[str, list[dict[str, float]]]] = []
    # One teacher: every index is missing (NA) for the school.
    schools.append(("X01_single", [random_row()]))
    # Five identical answers, none at the ends of the scale: rwg = rwg(j) = awg = 1, AD = 0.
    schools.append(("X02_identical", [const_row(lambda lo, hi: (lo + hi) // 2 + 1)] * 5))
    # Three at the bottom, three at the top: variance 7.5 (6-point) / 4.8 (5-point) is above the
    # uniform null, so rwg and rwg(j) are truncated to 0, r*wg(j) is negative and awg = -1.
    lows = const_row(lambda lo, hi: lo)
    highs = const_row(lambda lo, hi: hi)
    schools.append(("X03_polarized", [lows, highs, lows, highs, lows, highs]))
    # Two teachers giving the same answer below the midpoint: rwg = 1 but awg is NA (the mean
    # is outside awg's admissible range for k = 2, which is the midpoint alone).
    schools.append(("X04_pair_same", [const_row(lambda lo, hi: lo + 1)] * 2))
    # Everyone at the top of the scale: awg = 1 by its M == H rule.
    schools.append(("X05_all_max", [highs] * 4))
    # Three teachers, one missing each set's first item and one its second: listwise deletion
    # keeps one complete row (rwg(j) NA in multilevel 2.7), item-wise every item has 2 answers.
    rows = [random_row() for _ in range(3)]
    for i in first:
        rows[0][i] = np.nan
    for i in second:
        rows[1][i] = np.nan
    schools.append(("X06_item_gaps", rows))
    # Two teachers, one missing each set's first item: that item has one answer (rwg NA, n 1).
    rows = [random_row() for _ in range(2)]
    for i in first:
        rows[1][i] = np.nan
    schools.append(("X07_one_answer", rows))
    # Four teachers, nobody answers each set's last item: the school drops out of that item's
    # output, and out of rwg.j & co. for the set, since no row is complete.
    rows = [random_row() for _ in range(4)]
    for row in rows:
        for i in last:
            row[i] = np.nan
    schools.append(("X08_item_all_missing", rows))
    # Four teachers; one answers only the first item of each set, too few for a scale score.
    rows = [random_row() for _ in range(4)]
    for spec in sets.values():
        for i in spec["items"][1:]:
            rows[2][i] = np.nan
    schools.append(("X09_sparse_rows", rows))

    out = []
    rid = start_id
    for school, members in schools:
        for member in members:
            rid += 1
            out.append({"respondent_id": f"T{rid:04d}", "school_id": school, **member})
    return pd.DataFrame(out, columns=["respondent_id", "school_id", *items])


def make_teacher() -> dict[str, dict]:
    sim = cl.simulate(
        "colead-teacher",
        n_schools=40,
        respondents=(3, 30),
        icc={"trust_principal": 0.30, "shared_leadership": 0.25, "focused_instruction": 0.02},
        missing=0.05,
        seed=SEED,
    )
    inst = sim.instrument
    sets = item_sets_teacher(inst)
    items = [i for spec in sets.values() for i in spec["items"]]
    data = sim.data[["respondent_id", "school_id", *items]].copy()
    edge = edge_schools(sets, list(data.columns), start_id=len(data))
    data = pd.concat([data, edge], ignore_index=True)
    write_csv(data, "colead_teacher.csv")
    return sets


def make_agree7() -> dict[str, dict]:
    inst = cl.load_instrument(AGREE7)
    sim = cl.simulate(
        inst, n_schools=25, respondents=(2, 15), icc=0.2, missing=0.05, seed=SEED_AGREE7
    )
    data = sim.data[["respondent_id", "school_id", "c1", "c2", "c3", "c4"]].copy()
    n = len(data)
    extra = [("X01_identical", [5, 5, 5, 3])] * 4 + [
        ("X02_polarized", [1, 1, 1, 1]),
        ("X02_polarized", [7, 7, 7, 7]),
    ] * 3
    rows = [
        {
            "respondent_id": f"T{n + k + 1:04d}",
            "school_id": s,
            **dict(zip(["c1", "c2", "c3", "c4"], map(float, v), strict=True)),
        }
        for k, (s, v) in enumerate(extra)
    ]
    data = pd.concat([data, pd.DataFrame(rows)], ignore_index=True)
    write_csv(data, "agree7.csv")
    scale = inst.scales["climate7"]
    return {
        "climate7": {
            "kind": "instrument scale (test instrument defined in make_data.py)",
            "items": list(scale.items),
            "reverse": [inst.item(i).reverse for i in scale.items],
            "min": scale.min,
            "max": scale.max,
            "points": int(scale.max - scale.min + 1),
            "min_answered": scale.min_answered,
        }
    }


def make_icc_edge() -> None:
    pattern = [1, 6, 2, 5, 3, 4, 2, 5]
    rows = []
    for g, size in enumerate([3, 4, 5, 6, 7, 8], start=1):
        for j in range(size):
            rows.append(
                {
                    "group": f"G{g}",
                    "value_null": float(pattern[j]),
                    "value_strong": float(pattern[j] + 3 * g),
                }
            )
    write_csv(pd.DataFrame(rows), "icc_edge.csv")


def write_csv(frame: pd.DataFrame, name: str) -> None:
    frame.to_csv(HERE / name, index=False, na_rep="", float_format="%.15g", lineterminator="\n")


def main() -> None:
    sets = {"colead_teacher": make_teacher(), "agree7": make_agree7()}
    make_icc_edge()
    text = json.dumps(
        {
            "note": "Item sets scored by aggregation.R. Scale score = mean of the answered items "
            "after reversing (min + max - x) the reversed ones, missing when fewer than "
            "min_answered items are answered.",
            "datasets": sets,
        },
        indent=2,
    )
    (HERE / "item_sets.json").write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

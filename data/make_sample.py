"""Make the bundled sample district (src/colead/data/sample, also at data/sample).

    python data/make_sample.py [OUTPUT_FOLDER]

Twelve synthetic schools with 8-35 teachers each (colead-teacher) and their principals
(sass-principal-influence), drawn by colead.simulate with fixed seeds; the files are written in
several platform layouts with a codebook and the population values. The same district's
teachers a year earlier (teachers_previous.csv, ``previous_wave``) differ from this year's by a
known change of some schools (previous_wave.json). Running it again gives the
same bytes (tests/test_sample.py checks that the committed files are this script's output).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import colead as cl

SEED = 20260302
HERE = Path(__file__).resolve().parent
DEFAULT_OUTPUT = HERE.parent / "src" / "colead" / "data" / "sample"


def codebook(inst: cl.Instrument) -> pd.DataFrame:
    """One row per item: id, text, scale, reverse, response scale, values and labels, missing."""
    rows = []
    for item in inst.item_list:
        rs = inst.response_scales[item.response_scale]
        labels = "; ".join(f"{v:g} = {label}" for v, label in rs.labels)
        if rs.type == "numeric":
            labels = f"number from {rs.min:g} to {rs.max:g}"
        rows.append(
            {
                "instrument": inst.name,
                "item_id": item.id,
                "text": item.text,
                "scale": item.scale or "",
                "reverse": item.reverse,
                "response_scale": rs.id,
                "values": labels,
                "missing_codes": "; ".join(rs.describe_missing()),
            }
        )
    return pd.DataFrame(rows)


def main(output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    teachers = cl.simulate("colead-teacher", n_schools=12, respondents=(8, 35), seed=SEED)
    schools = teachers.population.schools
    principals = cl.simulate(
        "sass-principal-influence", schools=schools.assign(n_respondents=1), seed=SEED + 1
    )

    roster = schools.rename(columns={"n_respondents": "n_teacher_respondents"})
    invited_extra = np.random.default_rng(SEED + 2).integers(0, 7, size=len(roster))
    roster.insert(
        roster.columns.get_loc("n_teacher_respondents"),
        "n_teachers",
        roster["n_teacher_respondents"] + invited_extra,
    )
    roster.to_csv(output / "schools.csv", index=False, lineterminator="\n")

    cl.write_export(teachers, output / "teachers.csv", platform="csv")
    cl.write_export(principals, output / "principals.csv", platform="csv")
    cl.write_export(teachers, output / "teachers_qualtrics.csv", platform="qualtrics")
    cl.write_export(principals, output / "principals_google_forms.csv", platform="google_forms")
    pd.concat([codebook(teachers.instrument), codebook(principals.instrument)]).to_csv(
        output / "codebook.csv", index=False, lineterminator="\n"
    )

    pop_t, pop_p = teachers.population, principals.population
    truth = {
        "note": "Population values the sample was drawn with (colead.simulate).",
        "made_with": {"colead": cl.__version__, "numpy": np.__version__},
        "seed": {"teachers": SEED, "principals": SEED + 1},
        "teachers": {
            "icc": pop_t.icc,
            "latent_correlation": _rounded(pop_t.correlation),
            "paths": pop_t.paths.to_dict(orient="records"),
            "influence_relations_to_principal": _relations(pop_t.influence_relations),
        },
        "principals": {
            "influence_relations_to_principal": _relations(pop_p.influence_relations),
        },
    }
    (output / "population.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    previous_wave(output, teachers)


#: How this year's teachers differ from last year's, school by school (latent standard
#: deviations): two schools improved, two declined, the other eight stayed as they were.
CHANGE_SINCE_LAST_YEAR = {
    "S03": {"trust_principal": 0.8, "shared_leadership": 0.8, "instructional_leadership": 0.8},
    "S08": dict.fromkeys(["reflective_dialogue", "deprivatized_practice", "shared_focus",
                          "collective_responsibility"], 0.7),
    "S05": {"trust_principal": -0.8, "trust_colleagues": -0.8, "collective_efficacy": -0.8},
    "S11": dict.fromkeys(["shared_leadership", "reflective_dialogue", "focused_instruction"],
                         -0.7),
}


def previous_wave(output: Path, teachers: cl.SimulatedResponses) -> None:
    """The district's teachers a year earlier: ``teachers`` drawn again (same schools, items
    and school effects) with each school's change of this year taken off, new respondents."""
    back = {school: {c: -v for c, v in per.items()}
            for school, per in CHANGE_SINCE_LAST_YEAR.items()}
    previous = cl.simulate("colead-teacher", wave_of=teachers, change=back, respondents=(8, 35),
                           seed=SEED + 20)
    cl.write_export(previous, output / "teachers_previous.csv", platform="csv")
    truth = {
        "note": "The teachers of the same district a year before teachers.csv, drawn by "
                "colead.simulate(wave_of=teachers, change=...). 'change' is this year minus "
                "last year, per school and construct, in latent standard deviations; schools "
                "and constructs not listed did not change.",
        "made_with": {"colead": cl.__version__, "numpy": np.__version__},
        "seed": SEED + 20,
        "change": CHANGE_SINCE_LAST_YEAR,
    }
    (output / "previous_wave.json").write_text(json.dumps(truth, indent=2) + "\n",
                                               encoding="utf-8")


def _rounded(frame: pd.DataFrame) -> dict[str, dict[str, float]]:
    return {r: {c: round(float(v), 6) for c, v in row.items()} for r, row in frame.iterrows()}


def _relations(table: pd.DataFrame) -> dict[str, str]:
    first = table.groupby("stakeholder", sort=False).first()
    return {s: f"{row.relation} (beta {row.beta:g})" for s, row in first.iterrows()}


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)

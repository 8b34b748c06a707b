"""Make the bundled sample district (src/colead/data/sample, also at data/sample).

    python data/make_sample.py [OUTPUT_FOLDER]

Twelve synthetic schools with 8-35 teachers each (colead-teacher) and their principals
(sass-principal-influence), drawn by colead.simulate with fixed seeds; the files are written in
several platform layouts with a codebook and the population values. The same district's
teachers a year earlier (teachers_previous.csv, ``previous_wave``) differ from this year's by a
known change of some schools (previous_wave.json). Running it again gives the
same bytes (tests/test_sample.py checks that the committed files are this script's output).

The "state-principals" sample (make_state_principals) is separate: 600 simulated principals of
a state answering sass-principal-influence, with SASS-like final and 88 BRR replicate weights
and supportive and inhibiting relations that differ by decision zone, for Ni, Yan & Pounder's
(2018) models (state_principals*.csv, state_principals_population.json).
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
    make_state_principals(output)
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


# -- the state-principals sample -------------------------------------------------------------
STATE_SEED = 20180216
STATE_PRINCIPALS = 600
STATE_REPLICATES = 88
STATE_WEIGHT = {"mean_weight": 12.0, "weight_cv": 0.5}  # SASS: ~90,000 principals / 7,500
ZONES = ("standards", "curriculum", "pd_content", "evaluation", "hiring", "discipline", "budget")
#: Standardized effects of each stakeholder's influence on the principal's, zone by zone.
#: After Ni, Yan & Pounder (2018): teachers and the district supportive, the state inhibiting;
#: teachers' influence goes with the principal's on standards, curriculum, professional
#: development, discipline and budget but not on evaluating and hiring teachers (collective
#: leadership is rarer there); the district is tightly coupled with the principal except on
#: discipline, where Xia, Shen & Sun (2020) found the two decoupled. The local school board
#: and parents have no relation. Illustrative values, not estimates from SASS.
STATE_RELATIONS: dict[str, dict[str, float]] = {
    "teachers": {"standards": 0.35, "curriculum": 0.35, "pd_content": 0.30, "evaluation": 0.0,
                 "hiring": 0.0, "discipline": 0.30, "budget": 0.25},
    "district_staff": {"standards": 0.30, "curriculum": 0.30, "pd_content": 0.30,
                       "evaluation": 0.25, "hiring": 0.25, "discipline": 0.0, "budget": 0.25},
    "state_agency": dict.fromkeys(ZONES, -0.30),
}


def make_state_principals(output: Path) -> None:
    """600 principals of a state in the SASS design: answers, weights and the truth."""
    principals = cl.simulate(
        "sass-principal-influence",
        n_schools=STATE_PRINCIPALS,
        respondents=1,
        influence_relations=STATE_RELATIONS,
        seed=STATE_SEED,
    )
    cl.write_export(principals, output / "state_principals.csv", platform="csv")

    # Final weights and balanced-repeated-replication weights as SASS ships them: 87 variance
    # strata of two half-samples, 88 replicates (a weight to the cent, a replicate 0 or 2 x it).
    design = cl.simulate_replicate_weights(
        STATE_PRINCIPALS,
        n_replicates=STATE_REPLICATES,
        method="BRR",
        seed=STATE_SEED + 1,
        **STATE_WEIGHT,
    )
    weight = design["weight"].round(2)
    replicates = design.filter(like="repwt")
    factors = (replicates.to_numpy() / design["weight"].to_numpy()[:, None]).round()
    weights = pd.concat(
        [
            principals.data[["respondent_id"]],
            design[["stratum", "psu"]],
            weight,
            pd.DataFrame(factors * weight.to_numpy()[:, None], columns=replicates.columns).round(2),
        ],
        axis=1,
    )
    weights.to_csv(
        output / "state_principals_weights.csv", index=False, lineterminator="\n",
        float_format="%.10g",
    )

    relations = principals.population.influence_relations
    truth = {
        "note": "Population values the state-principals sample was drawn with (colead.simulate, "
        "colead.simulate_replicate_weights); relations are standardized effects on the "
        "principal's latent influence.",
        "made_with": {"colead": cl.__version__, "numpy": np.__version__},
        "seed": {"principals": STATE_SEED, "weights": STATE_SEED + 1},
        "n_principals": STATE_PRINCIPALS,
        "design": {
            "method": "BRR",
            "n_replicates": STATE_REPLICATES,
            "variance_strata": int(design["stratum"].nunique()),
            **STATE_WEIGHT,
            "replicate_design": "cl.replicate_design(w['weight'], w.filter(like='repwt'), "
            "method='BRR')",
        },
        "outcome": principals.population.influence_outcome,
        "influence_relations": [
            {"zone": row.zone, "stakeholder": row.stakeholder, "beta": float(row.beta),
             "relation": row.relation}
            for row in relations.itertuples()
        ],
    }
    (output / "state_principals_population.json").write_text(
        json.dumps(truth, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT)

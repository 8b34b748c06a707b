"""Write notebooks/ni2018_replication.ipynb with its outputs.

    python notebooks/make_ni2018_replication.py

The notebook is kept as this script so that its cells are reviewed as code; running the script
runs the notebook (in a temporary folder) and writes it with its outputs. The test suite checks
that the committed notebook is this script's, with the outputs of the current code
(tests/test_notebooks.py), and that it recovers the relations (tests/test_influence_notebook.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_tools

CELLS = [
    (
        "md",
        "# Collective leadership as Ni, Yan & Pounder (2018) measured it\n\n"
        "Ni, Yan & Pounder (2018) used the principal file of the 2007-08 Schools and "
        "Staffing Survey (SASS): principals rated how much influence each of six "
        "stakeholders has over seven school decisions. Zone by zone, they regressed the "
        "principal's own influence on the others'. A stakeholder whose influence goes with "
        "more influence for the principal is *supportive*; one whose influence goes with "
        "less is *inhibiting*.\n\n"
        "SASS microdata are restricted, so this notebook runs the full analysis on colead's "
        "bundled **`state-principals`** sample: 600 simulated principals of a state who "
        "answered the SASS principal grid (`sass-principal-influence`), with a final weight "
        "and 88 balanced-repeated-replication (BRR) weights in 87 variance strata, as SASS "
        "ships them. The relations they were drawn with are known (in the sample's "
        "population file) and are shown beside every estimate.",
    ),
    (
        "code",
        "%matplotlib inline\n"
        "import json\n\n"
        "import pandas as pd\n\n"
        "import colead as cl\n\n"
        'pd.set_option("display.precision", 3)\n'
        'principals = cl.load_sample("state-principals")\n'
        'weights = cl.datasets.sample_weights("state-principals")\n'
        'design = cl.replicate_design(weights["weight"], weights.filter(like="repwt"), '
        'method="BRR")\n'
        "print(principals.log.summary())\n"
        "design",
    ),
    (
        "md",
        "## The relations the sample was drawn with\n\n"
        "Each stakeholder's standardized effect on the principal's (latent) influence, by "
        "zone: positive is supportive, negative inhibiting, 0 no relation. Teachers' influence "
        "goes with the principal's except over evaluating and hiring teachers; the district's "
        "except over discipline; the state's influence is inhibiting everywhere.",
    ),
    (
        "code",
        'population_file = cl.datasets.sample_path("state_principals_population.json")\n'
        'population = json.loads(population_file.read_text(encoding="utf-8"))\n'
        'truth = pd.DataFrame(population["influence_relations"]).rename(\n'
        '    columns={"beta": "beta_true", "relation": "relation_true"})\n'
        "res = cl.influence(principals)\n"
        "zones, stakeholders = list(res.zones), list(res.stakeholders)\n"
        'others = [s for s in stakeholders if s != "principal"]\n'
        'betas = truth.pivot(index="stakeholder", columns="zone", values="beta_true")\n'
        "betas.reindex(index=others, columns=zones)",
    ),
    (
        "md",
        "## Who has how much influence\n\nMean influence (1 = no influence, 4 = major "
        'influence) of each stakeholder over each decision zone. "Not applicable" answers '
        'are missing, never "no influence".',
    ),
    ("code", "res.matrix().round(2)"),
    (
        "code",
        'ax = cl.plots.plot_influence_heatmap(res, title="Mean influence (principals\' view)")',
    ),
    (
        "md",
        "NCES reports the weighted percentage of principals answering *major influence*. "
        "Here with BRR standard errors, for the principal's own influence:",
    ),
    (
        "code",
        'items = principals.data[[f"inf_principal_{z}" for z in zones]]\n'
        "major = (items == 4).astype(float).where(items.notna())\n"
        "major.columns = zones\n"
        "pct = design.mean(major)\n"
        'pct[["mean", "se", "ci_low", "ci_high"]] *= 100\n'
        'pct.rename(columns={"variable": "zone", "mean": "pct_major"})'
        '.drop(columns="ci_level").round(1)',
    ),
    (
        "md",
        "## The per-zone models\n\nOne weighted regression per zone: the principal's "
        "influence on the five other stakeholders' influence, with the principal's years "
        "of experience and the school's level, locale, enrolment and share of students "
        "eligible for free or reduced-price lunch as controls. Standard errors from the 88 "
        "BRR replicate weights (as `survey::svyglm` on a `svrepdesign` computes them).",
    ),
    (
        "code",
        'controls = ["years_as_principal", "school_level", "locale", "enrolment", '
        '"pct_frpl"]\n'
        "relations = cl.influence_relations(principals, controls=controls, "
        "replicate_weights=design)\n"
        "relations.head(10)",
    ),
    (
        "md",
        "## Estimates beside the truth\n\nThe truth (`beta_true`) is each stakeholder's "
        "standardized effect on the principal's *latent* influence. The observed ratings "
        "are on a four-point scale, so the standardized estimates are somewhat attenuated, "
        "but their signs, and so the labels, should match.",
    ),
    (
        "code",
        'table = relations.astype({"zone": str, "stakeholder": str})\n'
        'side_by_side = truth.merge(table, on=["zone", "stakeholder"])[\n'
        '    ["zone", "stakeholder", "beta_true", "std_estimate", "estimate", "ci_low",\n'
        '     "ci_high", "p_value", "relation_true", "relation"]]\n'
        "side_by_side.round(3)",
    ),
    (
        "md",
        "## Supportive or inhibiting\n\nThe labels by zone (estimated, then the truth). "
        "With 600 principals every true relation should be found; a stakeholder with no "
        "relation is labelled *none* in about 95 % of cells (alpha = 0.05), so about one "
        "of the 17 cells without a relation is expected to be labelled by chance.",
    ),
    (
        "code",
        'estimated = side_by_side.pivot(index="stakeholder", columns="zone", '
        'values="relation")\n'
        'true = side_by_side.pivot(index="stakeholder", columns="zone", '
        'values="relation_true")\n'
        "labels = {\"estimated\": estimated, \"truth\": true}\n"
        "pd.concat({k: v.reindex(index=others, columns=zones) for k, v in labels.items()})",
    ),
    ("code", "ax = cl.plots.plot_influence_relations(relations)"),
    (
        "code",
        'agreement = (side_by_side["relation"] == side_by_side["relation_true"]).mean()\n'
        'related = side_by_side["relation_true"] != "none"\n'
        'found = (side_by_side.loc[related, "relation"] == '
        'side_by_side.loc[related, "relation_true"]).mean()\n'
        'chance = (side_by_side.loc[~related, "relation"] != "none").sum()\n'
        'print(f"labels agreeing with the truth: {agreement:.1%} of {len(side_by_side)}")\n'
        'print(f"true relations found: {found:.1%}")\n'
        'print(f"cells without a relation labelled by chance: {chance} of {(~related).sum()}")',
    ),
    (
        "md",
        "## Collective-leadership indices\n\nPer principal and zone: total influence "
        "(Leithwood & Mascall), its dispersion and breadth; here averaged by zone.",
    ),
    (
        "code",
        "indices = res.indices()\n"
        'by_zone = indices.groupby("zone", observed=True)\n'
        'by_zone[["principal", "total_mean", "sd", "gini", "breadth"]].mean().round(2)',
    ),
]


def build():
    return notebook_tools.build(CELLS)


if __name__ == "__main__":
    notebook_tools.make(CELLS, Path(__file__).with_name("ni2018_replication.ipynb"))

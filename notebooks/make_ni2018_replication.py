"""Write notebooks/ni2018_replication.ipynb (run: python notebooks/make_ni2018_replication.py).

The notebook is kept as this script so that its cells are reviewed as code; the test suite
executes the .ipynb (tests/test_influence_notebook.py, tests/test_notebooks.py) and checks
that it matches this script.
"""

from pathlib import Path

import nbformat

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
        "SASS microdata are restricted, so this notebook runs the full analysis on "
        "**simulated SASS-like principals** whose relations are known: 5,000 principals, "
        "final weights and 88 balanced-repeated-replication (BRR) weights, as in SASS. "
        "The simulated truth is shown beside every estimate.",
    ),
    (
        "code",
        "import pandas as pd\n\nimport colead as cl\n\n"
        'principals = cl.simulate("sass-principal-influence", n_schools=5000, '
        "respondents=1, seed=2018)\n"
        'weights = cl.simulate_replicate_weights(5000, n_replicates=88, method="BRR", '
        "seed=2018)\n"
        'design = cl.replicate_design(weights["weight"], weights.filter(like="repwt"), '
        'method="BRR")\n'
        "print(principals.population.summary())\ndesign",
    ),
    (
        "md",
        "## Who has how much influence\n\nMean influence (1 = no influence, 4 = major "
        'influence) of each stakeholder over each decision zone. "Not applicable" answers '
        'are missing, never "no influence".',
    ),
    ("code", "res = cl.influence(principals)\nres.matrix().round(2)"),
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
        "zones = list(res.zones)\n"
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
        "## Estimates beside the simulated truth\n\nThe simulation sets each stakeholder's "
        "standardized effect on the principal's *latent* influence (`beta_true`). The "
        "observed ratings are on a four-point scale, so the standardized estimates are "
        "somewhat attenuated, but their signs, and so the labels, should match.",
    ),
    (
        "code",
        "truth = principals.population.influence_relations.rename(\n"
        '    columns={"beta": "beta_true", "relation": "relation_true"})\n'
        "table = relations.assign(zone=relations.zone.astype(str), "
        "stakeholder=relations.stakeholder.astype(str))\n"
        'side_by_side = truth.merge(table, on=["zone", "stakeholder"])[\n'
        '    ["zone", "stakeholder", "beta_true", "std_estimate", "estimate", '
        '"ci_low", "ci_high", "p_value", "relation_true", "relation"]]\n'
        "side_by_side.round(3)",
    ),
    (
        "md",
        "## Supportive or inhibiting\n\nThe labels by zone (estimated, then the truth). "
        "With 5,000 principals every true relation is found; a stakeholder with no "
        "relation is labelled *none* in about 95 % of cells (alpha = 0.05).",
    ),
    (
        "code",
        'estimated = side_by_side.pivot(index="stakeholder", columns="zone", '
        'values="relation")[zones]\n'
        'true = side_by_side.pivot(index="stakeholder", columns="zone", '
        'values="relation_true")[zones]\n'
        'pd.concat({"estimated": estimated, "truth": true})',
    ),
    ("code", "ax = cl.plots.plot_influence_relations(relations)"),
    (
        "code",
        'agreement = (side_by_side["relation"] == side_by_side["relation_true"]).mean()\n'
        'related = side_by_side["relation_true"] != "none"\n'
        'found = (side_by_side.loc[related, "relation"] == '
        'side_by_side.loc[related, "relation_true"]).mean()\n'
        'print(f"labels agreeing with the truth: {agreement:.1%} of {len(side_by_side)}; '
        'true relations found: {found:.1%}")',
    ),
    (
        "md",
        "## Collective-leadership indices\n\nPer principal and zone: total influence "
        "(Leithwood & Mascall), its dispersion and breadth; here averaged by zone.",
    ),
    (
        "code",
        "indices = res.indices()\n"
        'indices.groupby("zone", observed=True)[["principal", "total_mean", "sd", '
        '"gini", "breadth"]].mean().round(2)',
    ),
]


def build() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [
        nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        for kind, text in CELLS
    ]
    return nb


def main() -> None:
    nbformat.write(build(), Path(__file__).with_name("ni2018_replication.ipynb"))


if __name__ == "__main__":
    main()

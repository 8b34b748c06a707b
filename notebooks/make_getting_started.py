"""Write notebooks/getting_started.ipynb (run: python notebooks/make_getting_started.py).

The notebook is kept as this script so that its cells are reviewed as code; the test suite
executes the .ipynb (tests/test_notebooks.py).
"""

from pathlib import Path

import nbformat

CELLS = [
    ("md", "# Getting started with colead\n\nA walk through the bundled sample district: twelve "
           "synthetic schools whose teachers answered the `colead-teacher` survey. Every number "
           "below can be reproduced from the sample, and the sample's own population values are "
           "in `data/sample/population.json`."),
    ("code", "import colead as cl\n\nteachers = cl.load_sample(\"district\")\nteachers"),
    ("md", "## What happened at import\n\nEvery row of the export is kept or listed with its "
           "reason; personal columns are removed. (The sample is clean; a real export usually "
           "has preview, test and unfinished rows.)"),
    ("code", "print(teachers.log.summary())"),
    ("md", "## The instrument"),
    ("code", "inst = teachers.instrument\nprint(inst.summary())\ninst.keys().head()"),
    ("md", "## Scale scores\n\nThe mean of the answered items after reverse keying by the "
           "declared bounds."),
    ("code", "scores = cl.score(teachers)\nscores.head()"),
    ("md", "## Reliability\n\nAlpha with its Feldt interval and omega total, as R's psych and "
           "semTools compute them."),
    ("code", "cl.reliability(teachers).round(3)"),
    ("md", "## From teachers to schools\n\nSchool means, agreement (rwg(j)) and the reliability of "
           "each school mean. Schools with fewer than `min_n` respondents are suppressed."),
    ("code", "schools = cl.aggregate(teachers, by=\"school_id\", min_n=5)\n"
             "schools[schools.scale == \"trust_principal\"].round(2)"),
    ("code", "cl.agreement(teachers).round(3)"),
    ("md", "## Plots"),
    ("code", "import matplotlib\nmatplotlib.use(\"Agg\")\n"
             "ax = cl.plots.plot_agreement(schools)\nax.figure.savefig(\"agreement.png\", "
             "dpi=80, bbox_inches=\"tight\")"),
    ("md", "## The report for a school team\n\nOne self-contained HTML file."),
    ("code", "import pandas as pd\n\nroster = pd.read_csv(cl.datasets.sample_path(\"schools.csv\"))\n"
             "path = cl.report(teachers, path=\"report.html\", roster=roster, progress=False)\n"
             "path.stat().st_size > 0"),
]


def main() -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(text) if kind == "md"
                else nbformat.v4.new_code_cell(text) for kind, text in CELLS]
    path = Path(__file__).with_name("getting_started.ipynb")
    nbformat.write(nb, path)


if __name__ == "__main__":
    main()

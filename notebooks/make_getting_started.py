"""Write notebooks/getting_started.ipynb with its outputs.

    python notebooks/make_getting_started.py

The notebook is kept as this script so that its cells are reviewed as code; running the script
runs the notebook (in a temporary folder) and writes it with its outputs. The test suite checks
that the committed notebook is this script's (tests/test_notebooks.py).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import notebook_tools

CELLS = [
    ("md", "# Getting started with colead\n\nA walk through the bundled sample district: twelve "
           "synthetic schools whose teachers answered the `colead-teacher` survey. Every number "
           "below can be reproduced from the sample, and the sample's own population values are "
           "in `data/sample/population.json`."),
    ("code", "%matplotlib inline\nimport pandas as pd\n\nimport colead as cl\n\n"
             "pd.set_option(\"display.precision\", 3)\n"
             "teachers = cl.load_sample(\"district\")\nteachers"),
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
    ("md", "## Plots\n\nEvery `plot_*` function draws on a matplotlib Axes (a new one by "
           "default) and returns it; `ax.figure.savefig(...)` saves the figure."),
    ("code", "ax = cl.plots.plot_agreement(schools)"),
    ("md", "## The report for a school team\n\nOne self-contained HTML file. Here it goes to a "
           "temporary folder, so that running this notebook leaves nothing behind; give your "
           "own path (`path=\"report.html\"`) and open the file in a browser."),
    ("code", "import tempfile\nfrom pathlib import Path\n\n"
             "roster = pd.read_csv(cl.datasets.sample_path(\"schools.csv\"))\n"
             "with tempfile.TemporaryDirectory() as folder:\n"
             "    path = cl.report(teachers, path=Path(folder) / \"report.html\", roster=roster,\n"
             "                     progress=False)\n"
             "    print(f\"wrote {path.name}\")"),
]


def build():
    return notebook_tools.build(CELLS)


if __name__ == "__main__":
    notebook_tools.make(CELLS, Path(__file__).with_name("getting_started.ipynb"))

"""notebooks/wahlstrom_louis_model.ipynb runs, is the one its script writes, and its estimates
on latent scores sit on the truth it prints beside them.

The checks run as one extra cell appended to the notebook, in its own kernel, on the
notebook's own variables; the committed notebook is not changed.
"""

from __future__ import annotations

import subprocess
import sys

import nbformat
from nbclient import NotebookClient

from .conftest import REPO

NOTEBOOK = REPO / "notebooks" / "wahlstrom_louis_model.ipynb"
SCRIPT = REPO / "notebooks" / "make_wahlstrom_louis_model.py"

CHECKS = """
import numpy as np

# 1. correlations: disattenuation moves scale-score correlations towards the truth
within = correlations[correlations["level"] == "within"]
assert (within["r_disattenuated"] - within["truth"]).abs().mean() < \\
    (within["r"] - within["truth"]).abs().mean()
assert pairs.loc[pairs["level"] == "school", "n"].max() < scores["school_id"].nunique()

# 2. clustered OLS on latent scores: every coefficient within 4 standard errors of the truth
assert ((ols["estimate_latent"] - ols["truth"]).abs() < 4 * ols["se_latent"]).all()
assert hierarchical.blocks["r2_change"].iloc[-1] > 0
assert hierarchical.fit["cov_type"].startswith("CR1")

# 3. multilevel: fixed effects within 4 standard errors; the ICC within 4 of its large-sample
# standard errors (80 schools, about 16 teachers each)
assert ((fixed["estimate"] - fixed["truth"]).abs() < 4 * fixed["se"]).all()
m = ml_latent.fit["mean_group_size"]
se_icc = np.sqrt(2 * (1 - icc) ** 2 * (1 + (m - 1) * icc) ** 2 / (m * (m - 1) * 79))
assert abs(ml_latent.fit["icc_null"] - icc) < 4 * se_icc

# 4. path model: paths and leadership effects within 4 standard errors of the truth
coef = path_latent.coefficients
assert ((coef["estimate"] - paths["truth"]).abs() < 4 * coef["se"]).all()
assert ((effects["estimate"] - effects["truth"]).abs() < 4 * effects["se"]).all()
assert path_latent.fit["resampled"] == "clusters" and path_latent.fit["n_boot"] == 1000
assert school_fit.fit["schools_excluded"] > 0
assert ((school["estimate"] - school["truth"]).abs() < 4 * school_fit.effects.loc[
    school.index, "se"]).all()
print("notebook checks passed")
"""


def test_notebook_is_what_its_script_writes(tmp_path):
    copy = tmp_path / "make.py"
    copy.write_text(SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run([sys.executable, str(copy)], check=True, cwd=tmp_path)
    written = nbformat.read(tmp_path / "wahlstrom_louis_model.ipynb", as_version=4)
    committed = nbformat.read(NOTEBOOK, as_version=4)
    assert [c.source for c in written.cells] == [c.source for c in committed.cells]


def test_notebook_runs_and_recovers_the_truth(tmp_path):
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(CHECKS))
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = notebook.cells[-1].get("outputs", [])
    assert any("notebook checks passed" in o.get("text", "") for o in outputs)
    errors = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]
    assert errors == []
    # the truth is printed beside the estimates in every part
    shown = [
        o["data"]["text/plain"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
        if "data" in o and "text/plain" in o["data"]
    ]
    assert sum("truth" in text for text in shown) >= 7

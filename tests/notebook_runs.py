"""The committed notebooks, each run once per test session (tests/test_notebooks.py and the
notebook-specific tests share the run).

A notebook runs in a fresh temporary folder, with any checks of its own appended as one last
cell (so they see the notebook's variables; the committed notebook is not changed), and the
run records whether the notebook wrote anything into that folder or into the repository.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType

import nbformat

from .conftest import REPO

FOLDER = REPO / "notebooks"
NOTEBOOKS = sorted(p.stem for p in FOLDER.glob("*.ipynb"))

# Checks appended to a notebook's run, on its own variables.
CHECKS = {
    "wahlstrom_louis_model": """
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
""",
}


@dataclass(frozen=True)
class Run:
    committed: nbformat.NotebookNode
    executed: nbformat.NotebookNode  # with the checks cell, when there is one, last
    left_in_folder: tuple[str, ...]  # files the run left in its working folder
    repository_changed: tuple[str, ...]  # files of the repository added, removed or changed


def tools() -> ModuleType:
    """notebooks/notebook_tools.py, which the make_*.py scripts use."""
    return script("notebook_tools")


def script(name: str) -> ModuleType:
    """A script of notebooks/ loaded as a module (notebook_tools importable beside it)."""
    if str(FOLDER) not in sys.path:
        sys.path.insert(0, str(FOLDER))
    spec = importlib.util.spec_from_file_location(name, FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _snapshot() -> dict[str, tuple[int, int]]:
    files = {}
    for root, dirs, names in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in (".git", "__pycache__", ".pytest_cache",
                                                 ".hypothesis", ".mypy_cache", ".ruff_cache")]
        for name in names:
            path = Path(root) / name
            stat = path.stat()
            files[str(path.relative_to(REPO))] = (stat.st_size, stat.st_mtime_ns)
    return files


@cache
def run(stem: str) -> Run:
    committed = nbformat.read(FOLDER / f"{stem}.ipynb", as_version=4)
    notebook = nbformat.read(FOLDER / f"{stem}.ipynb", as_version=4)
    if stem in CHECKS:
        notebook.cells.append(nbformat.v4.new_code_cell(CHECKS[stem]))
    before = _snapshot()
    with tempfile.TemporaryDirectory(prefix=f"colead-{stem}-") as folder:
        tools().execute(notebook, folder)
        left = tuple(sorted(os.listdir(folder)))
    after = _snapshot()
    changed = tuple(
        sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    )
    return Run(committed, notebook, left, changed)

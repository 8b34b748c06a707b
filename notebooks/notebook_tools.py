"""Build, run and write the notebooks (used by the make_*.py scripts beside it and by the tests).

Each notebook is kept as a make_*.py script, so that its cells are reviewed as code, and is
committed with the outputs of a run, so that it reads on a code-hosting site. A notebook runs
in a fresh temporary folder (whatever it writes there is deleted), records no timings, and
draws its plots inline. tests/test_notebooks.py runs every committed notebook again and
compares its text outputs, numbers as printed, with the committed ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT = 600
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def build(cells: Sequence[tuple[str, str]]) -> nbformat.NotebookNode:
    """A notebook of ``(kind, source)`` cells, ``kind`` "md" or "code", without outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.cells = [
        nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        for kind, text in cells
    ]
    return nb


def execute(nb: nbformat.NotebookNode, folder: str | Path | None = None) -> nbformat.NotebookNode:
    """Run ``nb`` in place, in ``folder`` (default: a temporary folder removed afterwards)."""
    if folder is None:
        with tempfile.TemporaryDirectory(prefix="colead-notebook-") as temp:
            return execute(nb, temp)
    NotebookClient(
        nb,
        timeout=TIMEOUT,
        kernel_name=KERNELSPEC["name"],
        record_timing=False,
        resources={"metadata": {"path": str(folder)}},
    ).execute()
    return nb


def text_outputs(nb: nbformat.NotebookNode) -> list[list[tuple[str, str]]]:
    """Per code cell, its outputs as text: (stream name or output type, text). Images and
    HTML are left out (their bytes differ between runs and machines); plain text is kept."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        shown = []
        for out in cell.get("outputs", []):
            kind = out.get("output_type")
            if kind == "stream":
                shown.append((out["name"], out["text"]))
            elif kind in ("execute_result", "display_data"):
                shown.append((kind, out.get("data", {}).get("text/plain", "")))
            elif kind == "error":
                shown.append(("error", f"{out.get('ename')}: {out.get('evalue')}"))
        cells.append(shown)
    return cells


def make(cells: Sequence[tuple[str, str]], path: Path) -> None:
    """Build the notebook, run it, and write it with its outputs to ``path``."""
    nb = execute(build(cells))
    errors = [o for row in text_outputs(nb) for o in row if o[0] in ("error", "stderr")]
    if errors:
        raise SystemExit(f"{path.name}: the notebook printed errors or warnings: {errors}")
    nbformat.write(nb, path)
    print(f"wrote {path}")

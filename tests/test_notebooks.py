"""Every notebook in notebooks/: made by its script, committed with the outputs the current
code gives (text outputs compared as printed; images may differ byte-wise), plots inline,
and nothing written into the repository or the folder it runs in."""

from __future__ import annotations

import re

import nbformat
import pytest

from .notebook_runs import FOLDER, NOTEBOOKS, run, script, tools


def test_the_notebooks_are_there():
    assert NOTEBOOKS == ["getting_started", "ni2018_replication", "wahlstrom_louis_model"]
    assert sorted(p.stem for p in FOLDER.glob("make_*.py")) == [f"make_{n}" for n in NOTEBOOKS]


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_notebook_is_what_its_script_writes(stem):
    built = script(f"make_{stem}").build()
    committed = nbformat.read(FOLDER / f"{stem}.ipynb", as_version=4)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in built.cells
    ]


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_committed_outputs_come_from_the_current_code(stem):
    result = run(stem)
    committed = tools().text_outputs(result.committed)
    fresh = tools().text_outputs(result.executed)[: len(committed)]
    assert [o for cell in fresh for o in cell if o[0] in ("error", "stderr")] == []
    # committed with outputs, so that it reads on a code-hosting site: every code cell shows
    # something
    assert all(committed), [i + 1 for i, cell in enumerate(committed) if not cell]
    for i, (old, new) in enumerate(zip(committed, fresh, strict=True)):
        assert old == new, (
            f"{stem}.ipynb, code cell {i + 1}: the committed output is not what the notebook "
            f"prints now; run python notebooks/make_{stem}.py"
        )


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_notebook_writes_nothing_where_it_runs_or_into_the_repository(stem):
    result = run(stem)
    assert result.left_in_folder == ()
    assert result.repository_changed == ()


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_plots_are_inline_and_committed(stem):
    nb = run(stem).committed
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "matplotlib.use(" not in sources and "savefig(" not in sources
    plotting = [c for c in nb.cells if c.cell_type == "code" and re.search(r"\bplot", c.source)]
    assert plotting
    for cell in plotting:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.source
    # no timings or machine paths in what is committed
    assert all("execution" not in c.metadata for c in nb.cells)
    text = "\n".join(t for cell in tools().text_outputs(nb) for _, t in cell)
    assert "/tmp/" not in text and "/work/" not in text and "0x7f" not in text

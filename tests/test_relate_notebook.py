"""notebooks/wahlstrom_louis_model.ipynb: its estimates on latent scores sit on the truth it
prints beside them. The checks (tests/notebook_runs.py) run as one extra cell appended to the
notebook, in its own kernel, on the notebook's own variables."""

from __future__ import annotations

from .notebook_runs import run


def test_notebook_recovers_the_truth():
    nb = run("wahlstrom_louis_model").executed
    outputs = nb.cells[-1].get("outputs", [])
    assert any("notebook checks passed" in o.get("text", "") for o in outputs), outputs
    errors = [o for cell in nb.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    # the truth is printed beside the estimates in every part
    shown = [o["data"]["text/plain"] for cell in nb.cells if cell.cell_type == "code"
             for o in cell.get("outputs", []) if "data" in o and "text/plain" in o["data"]]
    assert sum("truth" in text for text in shown) >= 7

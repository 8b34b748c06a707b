"""notebooks/ni2018_replication.ipynb: it runs Ni, Yan & Pounder's models on the bundled
state-principals sample, shows the truth beside the estimates and recovers every true
relation (its committed outputs and the current code's are compared in test_notebooks.py)."""

from __future__ import annotations

import re

from .notebook_runs import run


def _text(notebook):
    return "\n".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
    )


def test_notebook_uses_the_state_principals_sample_and_its_weights():
    nb = run("ni2018_replication").executed
    sources = "\n".join(c.source for c in nb.cells)
    assert 'cl.load_sample("state-principals")' in sources
    assert "replicate_weights=design" in sources
    text = _text(nb)
    assert "rows read: 600, kept: 600" in text
    assert "ReplicateDesign(method='BRR', n=600, n_replicates=88" in text
    assert text.count("replicate (BRR)") >= 1


def test_notebook_shows_truth_beside_estimates_and_recovers_the_relations():
    text = _text(run("ni2018_replication").executed)
    assert "beta_true" in text and "relation_true" in text and "std_estimate" in text
    found = re.search(r"true relations found: ([\d.]+)%", text)
    assert found is not None and float(found.group(1)) == 100.0
    agree = re.search(r"labels agreeing with the truth: ([\d.]+)% of 35", text)
    assert agree is not None and float(agree.group(1)) >= 90.0
    chance = re.search(r"labelled by chance: (\d+) of 17", text)
    assert chance is not None and int(chance.group(1)) <= 2

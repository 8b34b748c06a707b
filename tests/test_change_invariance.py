"""cl.invariance_across_waves: configural, metric and scalar invariance of a scale."""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose

import colead as cl
from colead.psychometrics import keyed_items


def test_invariance_across_waves_is_cfa_by_wave_on_the_keyed_items():
    first = cl.simulate(n_schools=30, seed=31)
    second = cl.simulate(wave_of=first, change=0.4, seed=32)
    result = cl.invariance_across_waves({"2025": first, "2026": second}, "trust_principal")
    inst = first.instrument
    scale = inst.scales["trust_principal"]
    data = pd.concat([keyed_items(w.data, inst, scale).assign(wave=label)
                      for label, w in (("2025", first), ("2026", second))], ignore_index=True)
    direct = cl.cfa(data, {"trust_principal": list(scale.items)}, group="wave",
                    invariance=("configural", "metric", "scalar"))
    assert_allclose(result.comparison["chisq"], direct.comparison["chisq"], rtol=1e-10)
    assert result.means_comparable == (direct.supported == "scalar" and direct.failed is None)
    assert "trust_principal" in result.summary() and result._repr_html_().startswith("<")


def test_a_scale_whose_items_changed_cannot_be_tested(write_yaml):
    first = cl.simulate(n_schools=3, seed=1)
    with pytest.raises(cl.InvalidParameterError, match="names 'nope'"):
        cl.invariance_across_waves({"a": first, "b": first}, "nope")
    with pytest.raises(cl.InvalidParameterError, match="mapping"):
        cl.invariance_across_waves({"a": first}, "trust_principal")

"""colead.plots: every plot returns its Axes, draws what it should and hides suppressed values."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes

import colead as cl
from colead._style import SUPPRESSED_MARK


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def district():
    return cl.load_sample("district")


def test_likert_bars_and_suppressed_rows(district):
    inst = district.instrument
    scale = inst.scales["trust_principal"]
    rs = inst.response_scale_of(scale.items[0])
    shares = cl.plots.likert_shares(district.data[list(scale.items)], rs.values)
    assert np.allclose(shares.sum(axis=1), 1)
    for item in scale.items:  # each share is pandas' normalised value count
        expected = (district.data[item].value_counts(normalize=True)
                    .reindex(list(rs.values), fill_value=0.0))
        np.testing.assert_allclose(shares.loc[item].to_numpy(), expected.to_numpy(), atol=1e-12)
    shares.iloc[2] = np.nan  # as a suppressed item would be
    ax = cl.plots.plot_likert(shares, rs.label_map)
    assert isinstance(ax, Axes)
    bars = [p for p in ax.patches]
    assert len(bars) == scale.k * rs.n_points + 1  # one grey bar for the suppressed item
    assert [t.get_text() for t in ax.texts] == [SUPPRESSED_MARK]
    assert len(ax.get_legend().get_texts()) == rs.n_points
    _fig, given = plt.subplots()
    assert cl.plots.plot_likert(shares, rs.label_map, ax=given) is given


def test_scale_profile_hides_suppressed_scales(district):
    table = cl.aggregate(district, min_n=5)
    school = table[table["school_id"] == "S02"].copy()
    school.loc[school["scale"] == "shared_focus", ["mean", "ci_low", "ci_high"]] = np.nan
    school.loc[school["scale"] == "shared_focus", "suppressed"] = True
    reference = table.groupby("scale", sort=False)["mean"].mean().reset_index()
    ax = cl.plots.plot_scale_profile(school, reference=reference, bounds=(1, 6))
    assert isinstance(ax, Axes)
    points = ax.lines[0].get_xydata()
    assert len(points) == len(school) - 1  # the suppressed scale has no point
    assert [t.get_text() for t in ax.texts] == [SUPPRESSED_MARK]
    assert ax.get_xlabel() and len(ax.get_yticklabels()) == len(school)


def test_agreement_plot_draws_one_dot_per_shown_group(district):
    table = cl.aggregate(district, min_n=5)
    table.loc[table["school_id"] == "S03", "suppressed"] = True
    ax = cl.plots.plot_agreement(table)
    assert isinstance(ax, Axes)
    dots = sum(len(c.get_offsets()) for c in ax.collections)
    assert dots == int((~table["suppressed"]).sum())
    assert ax.get_xlabel().startswith("rwg_j")


def test_plots_are_listed_and_lazy():
    assert {"plot_likert", "plot_scale_profile", "plot_agreement"} <= set(cl.plots.__all__)
    with pytest.raises(AttributeError):
        cl.plots.plot_nothing  # noqa: B018

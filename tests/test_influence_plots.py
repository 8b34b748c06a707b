"""Influence plots: each returns its Axes with the expected artists; suppressed cells show the
suppression mark, never a number."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.container import ErrorbarContainer

import colead as cl
from colead._style import SUPPRESSED_MARK
from colead.exceptions import InvalidParameterError


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def teachers():
    return cl.influence(cl.simulate("colead-teacher", n_schools=5, respondents=(3, 15), seed=21))


@pytest.fixture(scope="module")
def relations():
    sim = cl.simulate("sass-principal-influence", n_schools=400, respondents=1, seed=22)
    return cl.influence_relations(sim)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_heatmap_prints_every_cell_once(teachers):
    ax = cl.plots.plot_influence_heatmap(teachers)
    assert isinstance(ax, Axes)
    assert len(ax.images) == 1
    matrix = teachers.matrix()
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == matrix.size
    shown = [float(t) for t in texts if _is_number(t)]
    assert_values = np.sort(np.round(matrix.to_numpy().ravel(), 2))
    assert np.allclose(np.sort(shown), assert_values)
    assert len(ax.figure.axes) == 2  # the heatmap and its one colour bar


def test_heatmap_of_suppressed_cells_shows_no_numbers(teachers):
    matrix = teachers.matrix(by="school_id", min_n=5)
    school = matrix.index.get_level_values(0)[0]
    one = matrix.loc[school]
    ax = cl.plots.plot_influence_heatmap(one, colorbar=False)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == one.size
    hidden = int(one.isna().to_numpy().sum())
    assert texts.count(SUPPRESSED_MARK) == hidden
    assert sum(_is_number(t) for t in texts) == one.size - hidden
    small = cl.influence(cl.simulate("colead-teacher", n_schools=1, respondents=3, seed=2))
    ax = cl.plots.plot_influence_heatmap(small, stat="pct_major", colorbar=False)
    texts = [t.get_text() for t in ax.texts]
    assert texts and all(t == SUPPRESSED_MARK for t in texts)  # 3 teachers < min_n 5


def test_heatmap_stat_and_input_checks(teachers):
    ax = cl.plots.plot_influence_heatmap(teachers, stat="pct_major", colorbar=False)
    assert ax.images[0].get_clim() == (0.0, 100.0)
    with pytest.raises(InvalidParameterError):
        cl.plots.plot_influence_heatmap(teachers, stat="max")
    with pytest.raises(InvalidParameterError):
        cl.plots.plot_influence_heatmap([1, 2, 3])  # type: ignore[arg-type]


def test_profile_draws_school_and_district(teachers):
    _, ax = plt.subplots()
    out = cl.plots.plot_influence_profile(teachers, "S01", ax=ax)
    assert out is ax
    assert len(ax.lines) == 2  # school and district marker series
    assert len(ax.collections) == 1  # the segments between them
    school, district = ax.lines[1].get_xdata(), ax.lines[0].get_xdata()
    long = teachers.long
    mine = long[long.school_id == "S01"].groupby("stakeholder", observed=False)["value"].mean()
    assert np.allclose(school, mine.to_numpy())
    assert np.allclose(district, long.groupby("stakeholder", observed=False)["value"].mean())
    assert not [t for t in ax.texts if _is_number(t.get_text())]


def test_profile_of_a_small_school_is_suppressed(teachers):
    sizes = teachers.respondents.groupby("school_id").size()
    school = sizes.idxmin()
    ax = cl.plots.plot_influence_profile(
        teachers, school, min_n=int(sizes.min()) + 1, zone="hiring"
    )
    assert np.isnan(ax.lines[1].get_xdata()).all()
    assert [t.get_text() for t in ax.texts] == [SUPPRESSED_MARK] * len(teachers.stakeholders)
    with pytest.raises(InvalidParameterError):
        cl.plots.plot_influence_profile(teachers, "nowhere")
    with pytest.raises(InvalidParameterError):
        cl.plots.plot_influence_profile(teachers, "S01", zone="lunch")


def test_relations_plot_colours_by_relation(relations):
    ax = cl.plots.plot_influence_relations(relations)
    assert isinstance(ax, Axes)
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    combos = relations.groupby(["stakeholder", "relation"], observed=True).ngroups
    assert len(bars) == combos
    drawn = sum(len(c.lines[0].get_xdata()) for c in bars)
    assert drawn == len(relations)
    assert len(ax.get_xticks()) == relations["zone"].nunique()
    std = cl.plots.plot_influence_relations(relations, standardized=True)
    assert std.get_ylabel() == "standardized estimate"


def test_relations_plot_skips_suppressed_rows(relations):
    table = relations.copy()
    hide = table.zone == "hiring"
    for column in ("estimate", "std_estimate", "ci_low", "ci_high", "relation"):
        table.loc[hide, column] = np.nan if column != "relation" else None
    ax = cl.plots.plot_influence_relations(table)
    drawn = sum(len(c.lines[0].get_xdata()) for c in ax.containers)
    assert drawn == int((~hide).sum())
    with pytest.raises(InvalidParameterError):
        cl.plots.plot_influence_relations(table.drop(columns="relation"))

"""Figures readable without colour: every multi-series style differs by more than colour.

(The accessibility checks in a real browser are tests/browser/test_site.py for the website and
tests/browser/test_lab_stored.py for the lessons in JupyterLab.)
"""

from __future__ import annotations

from itertools import combinations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import plots


def _dash(style) -> str:
    """A line style as its resolved on-off sequence (named and tuple styles alike)."""
    return _pattern(plt.Line2D([], [], linestyle=style))


def _pattern(artist) -> str:
    return str(artist._unscaled_dash_pattern)  # get_linestyle() reports every tuple as "--"


@pytest.mark.parametrize("a, b", list(combinations(range(len(plots.SERIES_STYLES)), 2)))
def test_any_two_series_styles_differ_in_line_style_and_marker(a, b):
    first, second = plots.SERIES_STYLES[a], plots.SERIES_STYLES[b]
    assert _dash(first["linestyle"]) != _dash(second["linestyle"])
    assert first["marker"] != second["marker"]


def test_series_never_use_the_theory_style():
    theory = _dash(plots.THEORY_STYLE["linestyle"])
    assert all(_dash(s["linestyle"]) != theory for s in plots.SERIES_STYLES)


def test_plain_plot_calls_in_the_course_style_cycle_line_styles_too():
    with plots.course_style():
        fig, ax = plt.subplots()
        lines = [ax.plot([0, 1], [i, i])[0] for i in range(len(plots.SERIES_STYLES))]
    plt.close(fig)
    assert len({_pattern(line) for line in lines}) == len(lines)


def _series(ax):
    return [artist for artist in (*ax.lines, *ax.patches) if artist.get_gid() == "course-series"]


@pytest.mark.parametrize("draw", [
    lambda: [plots.collapse_curve(np.ones((5, 3)) * k, ax=ax, label=f"s{k}")
             for ax in [plots.new_figure()[1]] for k in (1, 2, 3)][-1],
    lambda: plots.snapshots({g: np.random.default_rng(g).normal(size=50) for g in (0, 1, 5)}),
    lambda: plots.rank_frequency({0: [5, 3, 2], 4: [6, 4, 0], 9: [9, 1, 0]}),
], ids=["collapse_curve", "snapshots", "rank_frequency"])
def test_each_multi_series_figure_tells_its_series_apart_without_colour(draw):
    fig = draw()
    series = _series(fig.axes[0])
    plt.close(fig)
    assert len(series) == 3
    for one, other in combinations(series, 2):
        assert _pattern(one) != _pattern(other), "two series differ only in colour"

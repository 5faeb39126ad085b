"""Tests for helpers.plots: the palette and style, and each standard figure's
artists, labels, edge cases and clean closing."""

from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from helpers import plots  # noqa: E402

OKABE_ITO_HEX = {"#000000", "#e69f00", "#56b4e9", "#009e73",
                 "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}


@pytest.fixture(autouse=True)
def _no_leaked_figures(monkeypatch):
    """Every test closes what it opens; no plotting function may call plt.show()."""
    def forbidden_show(*args, **kwargs):
        raise AssertionError("plotting functions must not call plt.show()")

    monkeypatch.setattr(plt, "show", forbidden_show)
    before = set(plt.get_fignums())
    figsize = plt.rcParams["figure.figsize"]
    yield
    leaked = set(plt.get_fignums()) - before
    plt.close("all")
    assert not leaked, f"figures left open: {leaked}"
    assert plt.rcParams["figure.figsize"] == figsize, "the course style leaked out"


def close(fig: Figure) -> None:
    number = fig.number
    plt.close(fig)
    assert number not in plt.get_fignums()


def curves(generations: int = 20, chains: int = 30, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = rng.chisquare(49, size=(generations, chains)) / 50
    return np.vstack([np.ones(chains), np.cumprod(steps, axis=0)])


def line_style(line) -> tuple:
    return to_hex(line.get_color()), str(line.get_linestyle()), line.get_marker()


# ---------------------------------------------------------------- style

def test_doctest_examples() -> None:
    with plt.rc_context():  # the apply_style() example must not leak into other tests
        result = doctest.testmod(plots, extraglobs={"np": np, "plt": plt})
    assert result.attempted > 10
    assert result.failed == 0


def test_palette_is_the_eight_okabe_ito_colours() -> None:
    assert len(plots.OKABE_ITO) == 8
    assert {c.lower() for c in plots.OKABE_ITO.values()} == OKABE_ITO_HEX


def test_series_differ_in_colour_line_style_and_marker() -> None:
    styles = plots.SERIES_STYLES
    for key in ("color", "linestyle", "marker"):
        values = [str(s[key]) for s in styles]
        assert len(set(values)) == len(values), key
    assert all(s["color"].lower() in OKABE_ITO_HEX for s in styles)
    # black and the dashed line are kept for theory, so theory never looks like data
    assert plots.THEORY_STYLE["color"] not in {s["color"] for s in styles}
    assert plots.THEORY_STYLE["linestyle"] not in {s["linestyle"] for s in styles}
    assert plots.series_style(len(styles)) == plots.series_style(0)


def test_course_style_is_scoped_and_apply_style_sets_it() -> None:
    default = plt.rcParams["figure.figsize"]
    with plots.course_style():
        assert list(plt.rcParams["figure.figsize"]) == [7.0, 4.0]
        assert plt.rcParams["figure.dpi"] == 100
        assert plt.rcParams["font.size"] >= 10
    assert plt.rcParams["figure.figsize"] == default
    with plt.rc_context():
        plots.apply_style()
        cycle = plt.rcParams["axes.prop_cycle"].by_key()
        assert [c.lower() for c in cycle["color"]] == [
            s["color"].lower() for s in plots.SERIES_STYLES]
        assert len(set(map(str, cycle["linestyle"]))) == len(cycle["linestyle"])
    assert plt.rcParams["figure.figsize"] == default


def test_new_figure_size_and_grid() -> None:
    fig, axes = plots.new_figure(2, 3)
    assert isinstance(fig, Figure) and axes.shape == (2, 3)
    assert tuple(fig.get_size_inches()) == (7.0, 4.0) and fig.dpi == 100
    close(fig)


# ---------------------------------------------------------------- collapse_curve

def test_collapse_curve_artists_and_labels() -> None:
    values = curves()
    theory = (49 / 50) ** np.arange(21)
    fig = plots.collapse_curve(values, spaghetti=3, theory=theory, ylabel="variance",
                               title="MLE", label="replace", logy=True)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.lines) == 1 + 3 + 1  # median, spaghetti, theory
    assert len(ax.collections) == 1  # the 10-90% band
    assert ax.get_xlabel() == "generation" and ax.get_ylabel() == "variance"
    assert ax.get_title() == "MLE"
    assert ax.get_yscale() == "log"
    median = ax.lines[0]
    np.testing.assert_allclose(median.get_ydata(), np.median(values, axis=1))
    theory_line = ax.lines[-1]
    assert to_hex(theory_line.get_color()) == "#000000"
    assert theory_line.get_linestyle() == "--"
    labels = ax.get_legend().get_texts()
    assert [t.get_text() for t in labels] == ["replace", "replace: 10–90% of chains (30)",
                                              "3 single chains", "theory"]
    close(fig)


def test_band_is_the_requested_percentiles_at_the_given_x() -> None:
    values = curves()
    fig = plots.collapse_curve(values, band=(25, 75), x=np.arange(0, 105, 5))
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_xdata(), np.arange(0, 105, 5))
    band = fig.axes[0].collections[0]
    top = band.get_paths()[0].vertices[:, 1]
    lo, hi = np.percentile(values, [25, 75], axis=1)
    assert np.isclose(top.max(), hi.max()) and np.isclose(top.min(), lo.min())
    close(fig)


def test_several_curves_on_one_axes_get_distinct_styles() -> None:
    fig = plots.collapse_curve(curves(seed=1), label="replace")
    ax = fig.axes[0]
    assert plots.collapse_curve(curves(seed=2), ax=ax, label="accumulate") is fig
    plots.collapse_curve(curves(seed=3), ax=ax, label="verified")
    medians = [ln for ln in ax.lines if ln.get_label() in {"replace", "accumulate", "verified"}]
    assert len(medians) == 3
    assert len({line_style(ln) for ln in medians}) == 3
    assert len({to_hex(ln.get_color()) for ln in medians}) == 3
    assert len({str(ln.get_linestyle()) for ln in medians}) == 3
    close(fig)


@pytest.mark.parametrize("values", [
    np.ones((1, 5)),  # generation 0 only
    np.ones((2, 5)),  # one generation
    np.linspace(1, 2, 11)[:, None],  # one chain
    np.linspace(1, 2, 11),  # one chain as a 1-D array
    np.ones((1, 1)),  # a single value
])
def test_collapse_curve_edge_cases(values) -> None:
    fig = plots.collapse_curve(values, spaghetti=1, theory=np.ones(np.shape(values)[0]))
    ax = fig.axes[0]
    chains = 1 if np.ndim(values) == 1 else np.shape(values)[1]
    assert len(ax.lines) == 3
    assert len(ax.collections) == (1 if chains > 1 else 0)  # no band for a single chain
    fig.canvas.draw()
    close(fig)


def test_collapse_curve_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="theory"):
        plots.collapse_curve(curves(), theory=np.ones(5))
    with pytest.raises(ValueError, match="values"):
        plots.collapse_curve(np.zeros((3, 2)), logy=True)
    with pytest.raises(ValueError, match="values"):
        plots.collapse_curve([[1.0, np.nan]])
    with pytest.raises(ValueError, match="spaghetti"):
        plots.collapse_curve(curves(chains=2), spaghetti=3)
    with pytest.raises(ValueError, match="band"):
        plots.collapse_curve(curves(), band=(90, 10))
    with pytest.raises(TypeError, match="ax"):
        plots.collapse_curve(curves(), ax="left")
    assert not plt.get_fignums()  # nothing is created before the input is checked


def test_plotting_prints_nothing(capsys) -> None:
    fig = plots.collapse_curve(curves())
    close(fig)
    assert capsys.readouterr() == ("", "")


# ---------------------------------------------------------------- snapshots

def test_snapshots_one_outline_per_generation_with_shared_bins() -> None:
    rng = np.random.default_rng(0)
    data = {20: 0.3 * rng.normal(size=300), 0: rng.normal(size=300), 5: rng.normal(size=300)}
    fig = plots.snapshots(data, bins=25, xlabel="x value", title="Gaussian")
    ax = fig.axes[0]
    assert len(ax.patches) == 3
    edges = [p.get_data().edges for p in ax.patches]
    assert all(len(e) == 26 and np.array_equal(e, edges[0]) for e in edges)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "generation 0", "generation 5", "generation 20"]
    assert len({str(p.get_linestyle()) for p in ax.patches}) == 3
    assert ax.get_xlabel() == "x value" and ax.get_ylabel() == "density"
    for patch in ax.patches:  # each outline is a density: area 1
        heights, e = patch.get_data().values, patch.get_data().edges
        assert np.sum(heights * np.diff(e)) == pytest.approx(1.0)
    close(fig)


def test_snapshots_edge_cases_and_bad_input() -> None:
    fig = plots.snapshots({0: np.full(10, 2.0)})  # one generation, all values equal
    assert len(fig.axes[0].patches) == 1
    close(fig)
    with pytest.raises(ValueError, match="samples_by_generation"):
        plots.snapshots({g: np.ones(3) for g in range(8)})
    with pytest.raises(TypeError, match="samples_by_generation"):
        plots.snapshots([np.ones(3)])
    with pytest.raises(ValueError, match=r"samples_by_generation\[1\]"):
        plots.snapshots({0: np.ones(3), 1: []})


# ---------------------------------------------------------------- rank_frequency

def test_rank_frequency_lines_support_and_log_axes() -> None:
    p = np.arange(1, 101) ** -1.5
    counts = {0: [50, 30, 15, 5, 0], 3: [70, 30, 0, 0, 0]}
    fig = plots.rank_frequency(counts, reference=p / p.sum())
    ax = fig.axes[0]
    assert len(ax.lines) == 3
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "generation 0 (support 4)", "generation 3 (support 2)", "true distribution"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.7, 0.3])
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [1, 2])
    assert ax.get_xlabel() and ax.get_ylabel()
    close(fig)


def test_rank_frequency_edge_cases_and_bad_input() -> None:
    fig = plots.rank_frequency({7: [0, 10, 0]})  # one generation, support 1
    assert len(fig.axes[0].lines) == 1
    fig.canvas.draw()
    close(fig)
    with pytest.raises(ValueError, match=r"counts_by_generation\[0\]"):
        plots.rank_frequency({0: [0, 0]})
    with pytest.raises(ValueError, match="reference"):
        plots.rank_frequency({0: [1, 2]}, reference=[-1, 2])


# ---------------------------------------------------------------- image_grid

def test_image_grid_flat_digits() -> None:
    images = np.arange(7 * 64, dtype=float).reshape(7, 64) % 17
    fig = plots.image_grid(images, nrows=2, titles=[f"#{i}" for i in range(7)],
                           row_labels=["real", "generation 10"], suptitle="digits")
    assert len(fig.axes) == 2 * 4
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 7
    assert all(ax.images[0].get_array().shape == (8, 8) for ax in shown)
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in shown)
    assert all(ax.images[0].get_cmap().name.startswith("gray") for ax in shown)
    assert [ax.get_title() for ax in shown] == [f"#{i}" for i in range(7)]
    assert fig.axes[0].get_ylabel() == "real" and fig.axes[4].get_ylabel() == "generation 10"
    assert not fig.axes[-1].axison  # the unused cell is blank
    assert fig.get_suptitle() == "digits"
    close(fig)


def test_image_grid_square_images_and_edge_cases() -> None:
    fig = plots.image_grid(np.zeros((3, 8, 8)))
    assert len(fig.axes) == 3 and sum(len(ax.images) for ax in fig.axes) == 3
    close(fig)
    fig = plots.image_grid(np.zeros((1, 64)))  # a single image
    assert len(fig.axes) == 1
    fig.canvas.draw()
    close(fig)


def test_image_grid_bad_input() -> None:
    with pytest.raises(ValueError, match="images"):
        plots.image_grid(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="nrows"):
        plots.image_grid(np.zeros((2, 64)), nrows=3)
    with pytest.raises(ValueError, match="titles"):
        plots.image_grid(np.zeros((2, 64)), titles=["one"])
    with pytest.raises(ValueError, match="vmax"):
        plots.image_grid(np.zeros((2, 64)), vmin=1.0, vmax=1.0)


def test_band_label_does_not_repeat_a_chain_count_the_label_already_gives() -> None:
    fig = plots.collapse_curve(np.ones((5, 4)) + np.arange(4), label="median of 4 chains")
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["median of 4 chains", "10–90% of chains"]
    close(fig)

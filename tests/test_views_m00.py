"""The explorer of notebook 00: its view over the slider range, and the widget around it."""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot
import pytest

from helpers import explorers
from helpers.explorers import explorer, render
from helpers.views import m00

matplotlib.use("Agg")


@pytest.mark.parametrize("n", [5, 20, 500])
@pytest.mark.parametrize("generations", [10, 1000])
def test_view_over_the_slider_range(n, generations):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png, text = render(m00.spread_view, {"n": n, "generations": generations})
        fig, summary = m00.spread_view(n=n, generations=generations)
    matplotlib.pyplot.close(fig)
    assert png.startswith(b"\x89PNG") and text == str(summary)
    assert (summary.n, summary.generations, summary.chains) == (n, generations, 200)
    assert 0 < summary.low <= summary.median <= summary.high
    assert text == (f"n = {n}, generation {generations}: median σ = {summary.median:.3g} "
                    f"(10–90% of 200 chains: {summary.low:.2g} to {summary.high:.2g}); "
                    "σ started at 1.")


def test_more_samples_per_generation_collapse_more_slowly():
    def median_sigma(n):
        fig, summary = m00.spread_view(n=n, generations=200)
        matplotlib.pyplot.close(fig)
        return summary.median

    assert median_sigma(20) < 1e-3 < 0.1 < median_sigma(500) < 1


def test_explorer_builds_with_its_controls_and_redraws_on_change():
    box = explorers.spread_explorer()
    assert "mc-explorer" in box._dom_classes
    sliders = [c for c in box.children if isinstance(c, widgets.IntSlider)]
    assert [s.description for s in sliders] == ["n per gen.", "generations"]
    output = box.children[-1]
    before = output.outputs
    sliders[0].value = 100
    assert output.outputs != before


def test_explorer_rejects_bad_arguments():
    with pytest.raises(TypeError, match="view must be callable"):
        explorer(42, n=widgets.IntSlider())
    with pytest.raises(ValueError, match="controls"):
        explorer(m00.spread_view)
    with pytest.raises(TypeError, match="control 'n'"):
        explorer(m00.spread_view, n=5)


def test_a_failing_view_shows_one_line_on_stderr_not_a_traceback():
    def broken(n):
        raise ValueError("boom")

    box = explorer(broken, n=widgets.IntSlider(value=1))
    outputs = box.children[-1].outputs
    assert len(outputs) == 1 and outputs[0]["name"] == "stderr"
    assert "could not be drawn (ValueError: boom)" in outputs[0]["text"]

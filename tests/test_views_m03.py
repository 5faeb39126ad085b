"""The explorer view of notebook 03 and the detection study behind it."""

from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import detection
from helpers.views import m03

GRID = [(series, generations, eval_size)
        for series in ("Gaussian · variance", "tokens · rare-type recall",
                       "digits · covariance trace")
        for generations in (1, 30)
        for eval_size in (m03.EVAL_SIZES[0], m03.EVAL_SIZES[-1])]


@pytest.mark.parametrize("series, generations, eval_size", GRID)
def test_view_over_the_slider_grid(series, generations, eval_size):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m03.detection_view(series, generations, eval_size)
    try:
        assert isinstance(fig, Figure) and isinstance(summary, str)
        name, measure = series.split(" · ")
        shown = min(generations, m03.pipeline(name).generations)
        assert summary.startswith(f"{series}, {eval_size} evaluation draws, {shown} generations")
        values = m03.trajectory(name, measure, eval_size)[:shown + 1]
        assert f"generation {shown} = {values[-1]:.4g}" in summary
        found = detection.first_detection(values, m03.null(name, measure, eval_size),
                                          alpha=m03.ALPHA,
                                          direction=m03.pipeline(name).measures[measure].direction)
        if found is None:
            assert f"no alarm within {shown} generations" in summary
        else:
            assert f"first alarm at generation {found}." in summary
    finally:
        plt.close(fig)


def test_defaults_are_the_explorer_start_values():
    fig, summary = m03.detection_view()
    plt.close(fig)
    widget = m03.detection_explorer()
    controls = {c.description: c.value for c in widget.children
                if getattr(c, "description", "") and hasattr(c, "value")}
    assert controls == {"measure": "Gaussian · variance", "generations": 20, "eval. size": 1000}
    assert summary.startswith("Gaussian · variance, 1000 evaluation draws, 20 generations")


def test_every_series_names_a_measure_of_its_pipeline():
    for series in m03.SERIES:
        name, measure = series.split(" · ")
        assert measure in m03.pipeline(name).measures


def test_larger_evaluation_samples_narrow_the_noise_band():
    widths = [np.ptp(m03.null("Gaussian", "variance", m)) for m in (100, 1000)]
    assert widths[1] < widths[0] / 2


def test_detection_generation_is_the_first_value_beyond_all_null_values():
    values = m03.trajectory("tokens", "types retained", 1000, 0, 10)
    noise = m03.null("tokens", "types retained", 1000)
    found = m03.detection_generation("tokens", "types retained", seed=0, generations=10)
    assert found is not None and values[found] < noise.min()
    assert np.all(values[1:found] >= noise.min())


def test_a_shorter_chain_is_the_start_of_the_longer_one():
    long = m03.trajectory("Gaussian", "variance", 1000, 3)
    short = m03.trajectory("Gaussian", "variance", 1000, 3, 10)
    assert np.array_equal(long[:11], short)


def test_bad_controls_are_rejected():
    with pytest.raises(ValueError, match="series"):
        m03.detection_view(series="Gaussian · nothing")
    with pytest.raises(ValueError, match="eval_size"):
        m03.detection_view(eval_size=300)
    with pytest.raises(ValueError, match="measure"):
        m03.detection_generation("digits", "entropy")


def test_summary_mentions_no_alarm_when_none_is_raised():
    fig, summary = m03.detection_view("tokens · entropy", 1, 1000)
    plt.close(fig)
    assert re.search(r"(no alarm within 1 generations|first alarm at generation 1)", summary)

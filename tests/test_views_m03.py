"""The explorer view of notebook 03 and the detection study behind it (helpers.monitoring)."""

from __future__ import annotations

import re
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import detection, explorers, monitoring
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
        assert isinstance(fig, Figure)
        text = str(summary)
        name, measure = series.split(" · ")
        shown = min(generations, monitoring.pipeline(name).generations)
        assert (summary.series, summary.eval_size, summary.generations) == (
            series, eval_size, shown)
        assert text.startswith(f"{series}, {eval_size} evaluation draws, {shown} generations")
        values = monitoring.trajectory(name, measure, eval_size)[:shown + 1]
        assert (summary.first, summary.last) == (values[0], values[-1])
        assert f"generation {shown} = {values[-1]:.4g}" in text
        noise = monitoring.null(name, measure, eval_size)
        assert (summary.band_low, summary.band_high) == (noise.min(), noise.max())
        found = detection.first_detection(
            values, noise, alpha=monitoring.ALPHA,
            direction=monitoring.pipeline(name).measures[measure].direction)
        assert summary.found == found
        if found is None:
            assert f"no alarm within {shown} generations" in text
        else:
            assert f"first alarm at generation {found}." in text
    finally:
        plt.close(fig)


def test_defaults_are_the_explorer_start_values():
    fig, summary = m03.detection_view()
    plt.close(fig)
    widget = explorers.detection_explorer()
    controls = {c.description: c.value for c in widget.children
                if getattr(c, "description", "") and hasattr(c, "value")}
    assert controls == {"measure": "Gaussian · variance", "generations": 20, "eval. size": 1000}
    assert str(summary).startswith("Gaussian · variance, 1000 evaluation draws, 20 generations")


def test_every_series_names_a_measure_of_its_pipeline():
    for series in m03.SERIES:
        name, measure = series.split(" · ")
        assert measure in monitoring.pipeline(name).measures


def test_larger_evaluation_samples_narrow_the_noise_band():
    widths = [np.ptp(monitoring.null("Gaussian", "variance", m)) for m in (100, 1000)]
    assert widths[1] < widths[0] / 2


def test_detection_generation_is_the_first_value_beyond_all_null_values():
    values = monitoring.trajectory("tokens", "types retained", 1000, 0, 10)
    noise = monitoring.null("tokens", "types retained", 1000)
    found = monitoring.detection_generation("tokens", "types retained", seed=0, generations=10)
    assert found is not None and values[found] < noise.min()
    assert np.all(values[1:found] >= noise.min())


def test_a_shorter_chain_is_the_start_of_the_longer_one():
    long = monitoring.trajectory("Gaussian", "variance", 1000, 3)
    short = monitoring.trajectory("Gaussian", "variance", 1000, 3, 10)
    assert np.array_equal(long[:11], short)


def test_bad_controls_are_rejected():
    with pytest.raises(ValueError, match="series"):
        m03.detection_view(series="Gaussian · nothing")
    with pytest.raises(ValueError, match="eval_size"):
        m03.detection_view(eval_size=300)
    with pytest.raises(ValueError, match="measure"):
        monitoring.detection_generation("digits", "entropy")


def test_summary_mentions_no_alarm_when_none_is_raised():
    fig, summary = m03.detection_view("tokens · entropy", 1, 1000)
    plt.close(fig)
    assert summary.found in (None, 1)
    assert re.search(r"(no alarm within 1 generations|first alarm at generation 1)", str(summary))


def test_an_in_place_edit_by_the_caller_cannot_corrupt_a_later_call():
    noise = monitoring.null("Gaussian", "variance", 100)
    kept = noise.copy()
    noise[:] = 0.0
    noise.sort()
    assert np.array_equal(monitoring.null("Gaussian", "variance", 100), kept)
    values = monitoring.trajectory("Gaussian", "variance", 100, 0, 5)
    kept_values = values.copy()
    values *= 2
    assert np.array_equal(monitoring.trajectory("Gaussian", "variance", 100, 0, 5), kept_values)
    fig, summary = m03.detection_view("Gaussian · variance", 5, 100)
    plt.close(fig)
    assert (summary.band_low, summary.band_high) == (kept.min(), kept.max())


def test_refitting_a_returned_model_leaves_the_cached_run_alone():
    model = monitoring.chain("Gaussian", 0, 2)[0]
    before = model.var_
    model.fit(np.full(10, 5.0) + np.arange(10))
    assert monitoring.chain("Gaussian", 0, 2)[0].var_ == before


def test_shared_pipeline_data_is_read_only():
    p = monitoring.pipeline("Gaussian")
    with pytest.raises(ValueError, match="read-only"):
        p.real[0] = 1.0
    with pytest.raises(TypeError):
        p.measures["new"] = p.measures["variance"]


@pytest.mark.parametrize(("call", "error", "name"), [
    (lambda: monitoring.chain(["x"]), ValueError, "name"),
    (lambda: monitoring.chain("Gaussian", seed=-1), ValueError, "seed"),
    (lambda: monitoring.chain("Gaussian", seed=0.5), TypeError, "seed"),
    (lambda: monitoring.chain("Gaussian", generations=31), ValueError, "generations"),
    (lambda: monitoring.null("Gaussian", ["variance"], 100), ValueError, "measure"),
    (lambda: monitoring.null("Gaussian", "variance", 10**12), ValueError, "eval_size"),
    (lambda: monitoring.trajectory({}, "variance", 100), ValueError, "name"),
    (lambda: monitoring.detection_table(runs={"Gaussian": 10**9}), ValueError, "runs"),
    (lambda: monitoring.detection_table(runs=[1]), TypeError, "runs"),
    (lambda: monitoring.detection_table(generations=None), TypeError, "generations"),
    (lambda: m03.detection_view(generations=None), TypeError, "generations"),
    (lambda: m03.detection_view(series=["x"]), ValueError, "series"),
])
def test_bad_arguments_name_themselves(call, error, name):
    with pytest.raises(error, match=name):
        call()

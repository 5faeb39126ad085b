"""The view and explorer of notebook 04, over the whole slider range including the extremes."""

from __future__ import annotations

import itertools
import warnings

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import diagrams, explorers, mitigations, theory
from helpers.explorers import render
from helpers.views import m04

matplotlib.use("Agg")

EXTREMES = list(itertools.product((0.0, 1.0), (0.0, 1.0), (0.0, 0.5), (1.0, 4.0), (10, 300)))


@pytest.mark.parametrize("control", mitigations.CONTROLS)
@pytest.mark.parametrize(("real_fraction", "tpr", "fpr", "k", "generations"),
                         EXTREMES[::8] + [(0.1, 0.9, 0.05, 2.0, 100)])
def test_view_over_the_control_ranges(control, real_fraction, tpr, fpr, k, generations):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m04.mitigation_view(control=control, real_fraction=real_fraction, tpr=tpr,
                                           fpr=fpr, k=k, generations=generations)
    assert isinstance(fig, Figure)
    plt.close(fig)
    assert summary.control == control and summary.generation == generations
    assert 0 <= summary.low_var <= summary.median_var <= summary.high_var
    text = str(summary)
    assert text.startswith(f"{control} (") and f"generation {generations}:" in text
    assert f"median σ² = {summary.median_var:.3f}" in text and "Cost:" in text


def test_every_slider_setting_of_the_explorer_draws():
    """Every control value the widget can send at its ends and default is accepted."""
    box = explorers.mitigation_explorer()
    sliders = [w for w in box.children if isinstance(w, (widgets.FloatSlider, widgets.IntSlider))]
    assert {s.description for s in sliders} >= {"detector TPR", "detector FPR", "generations"}
    for s in sliders:
        for value in (s.min, s.max):
            s.value = value  # the widget redraws; a failing view would print to stderr
    output = box.children[-1]
    assert not any(o.get("name") == "stderr" for o in output.outputs), output.outputs


def test_default_summary_matches_the_closed_form_and_the_reference():
    fig, summary = m04.mitigation_view()
    plt.close(fig)
    assert summary.expected_var == pytest.approx(theory.fresh_real_var(100, 100, 0.1))
    assert summary.replace_median_var < 0.4 < 0.8 < summary.median_var
    assert summary.cost.real_per_generation == 10


def test_the_trap_and_accumulate_have_their_theory_and_reservoir_has_none():
    def summary_of(control):
        fig, summary = m04.mitigation_view(control=control, generations=20)
        plt.close(fig)
        return summary

    trap = summary_of("typicality filter (the trap)")
    assert trap.expected_var == pytest.approx(theory.typicality_var(20, 100, 2.0))
    assert trap.median_var < 0.05
    assert summary_of("accumulate").expected_var == pytest.approx(
        theory.gaussian_accumulate_var(20, 100))
    assert summary_of("real-data reservoir").expected_var is None
    assert "theory" not in str(summary_of("provenance filter"))


def test_render_gives_a_png():
    png, text = render(m04.mitigation_view, {"control": "provenance filter", "generations": 10})
    assert png.startswith(b"\x89PNG") and "TPR 0.90, FPR 0.05" in text


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    (dict(control="dropout"), ValueError, "control"),
    (dict(real_fraction=1.5), ValueError, "real_fraction"),
    (dict(tpr=-0.1), ValueError, "tpr"),
    (dict(fpr="0.1"), TypeError, "fpr"),
    (dict(k=0.1), ValueError, "k"),
    (dict(generations=1), ValueError, "generations"),
    (dict(generations=10**6), ValueError, "generations"),
    (dict(n=5), ValueError, "n"),
])
def test_bad_controls_raise_naming_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        m04.mitigation_view(**kwargs)


def test_controls_diagram_names_every_control():
    fig = diagrams.controls_diagram()
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
    for word in ("reservoir", "fresh real data", "accumulation", "verification gate",
                 "provenance filter", "temperature", "typicality"):
        assert word in text


def test_costs():
    cost = mitigations.cost_of
    assert cost("accumulate", n=100, generations=100).relative_compute == pytest.approx(50.5)
    assert cost("real-data reservoir", n=100, generations=5).real_per_generation == 0
    prov = cost("provenance filter", n=100, generations=100)
    assert (prov.train_size, prov.draws_per_kept) == (53, 10.0)
    assert np.isinf(cost("provenance filter", n=100, generations=3, tpr=1.0).draws_per_kept)
    assert cost("typicality filter (the trap)", n=100, generations=3).draws_per_kept == \
        pytest.approx(1 / theory.truncation_acceptance(2.0))


@pytest.mark.parametrize(("verifier_size", "flip", "generations"),
                         [(2, 0.0, 5), (1000, 0.4, 40), (200, 0.1, 15)])
def test_verification_view_over_the_slider_ranges(verifier_size, flip, generations):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m04.verification_view(verifier_size=verifier_size, flip=flip,
                                             generations=generations)
    assert isinstance(fig, Figure)
    plt.close(fig)
    assert (summary.verifier_size, summary.generation) == (verifier_size, generations)
    assert 0 < summary.accepted <= 1 and 0 <= summary.verified_error <= 0.5
    text = str(summary)
    assert text.startswith(f"verifier trained on {verifier_size:,} real examples")
    assert f"mean test error {summary.verified_error:.3f} verified" in text


def test_a_good_verifier_beats_no_verification_in_the_view():
    fig, summary = m04.verification_view(verifier_size=1000, generations=15)
    plt.close(fig)
    assert summary.verified_error < summary.unverified_error - 0.1
    assert summary.verifier_error < 0.1


def test_every_slider_setting_of_the_verification_explorer_draws():
    box = explorers.verification_explorer()
    sliders = [w for w in box.children if isinstance(w, (widgets.FloatSlider, widgets.IntSlider))]
    assert len(sliders) == 3
    for s in sliders:
        for value in (s.min, s.max):
            s.value = value
    assert not any(o.get("name") == "stderr" for o in box.children[-1].outputs)


@pytest.mark.parametrize(("kwargs", "error", "name"), [
    (dict(verifier_size=0), ValueError, "verifier_size"),
    (dict(flip=1.5), ValueError, "flip"),
    (dict(generations=0), ValueError, "generations"),
    (dict(generations=2.5), TypeError, "generations"),
])
def test_bad_verification_controls_raise_naming_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        m04.verification_view(**kwargs)


def test_sliders_a_control_ignores_are_named_in_the_summary():
    _, before = m04.mitigation_view(control="fresh real data", tpr=0.9)
    _, after = m04.mitigation_view(control="fresh real data", tpr=0.95)
    assert "TPR 0.90" in str(before) and "TPR 0.95" in str(after)
    assert "Not used by this control" in str(after) and "real fraction" not in after.unused
    _, filtered = m04.mitigation_view(control="provenance filter")
    assert "TPR" not in filtered.unused and "real fraction" in filtered.unused

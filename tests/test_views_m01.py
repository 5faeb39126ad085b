"""Notebook 01's figures and explorer: the view over its whole control range, and the widget."""

from __future__ import annotations

import inspect
import warnings

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import diagrams, explorers, theory
from helpers.data import zipf_probs
from helpers.explorers import render
from helpers.views import m01

matplotlib.use("Agg")


@pytest.mark.parametrize("model", m01.MODELS)
@pytest.mark.parametrize("estimator", list(m01.ESTIMATORS))
@pytest.mark.parametrize("n", [10, 500])
@pytest.mark.parametrize("generations", [10, 1000])
def test_view_over_the_control_range(model, estimator, n, generations):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m01.collapse_view(n=n, generations=generations, estimator=estimator,
                                         model=model)
        assert isinstance(fig, Figure)
        png, again = render(m01.collapse_view, {"n": n, "generations": generations,
                                                "estimator": estimator, "model": model})
    plt.close(fig)
    text = str(summary)
    assert png.startswith(b"\x89PNG") and again == text
    assert (summary.n, summary.generations, summary.estimator) == (n, generations, estimator)
    if model == "Gaussian":
        ddof = m01.ESTIMATORS[estimator]
        assert summary.ddof == ddof
        assert text.startswith(f"Gaussian, n = {n}, {estimator} (ddof={ddof}), "
                               f"generation {generations}: median σ² = {summary.median:.3g}")
        expected = (1 - 1 / n) ** generations if ddof == 0 else 1.0
        assert summary.theory_mean == pytest.approx(expected, rel=1e-9)
        assert f"theory E[σ²] = {expected:.3g}," in text
    else:
        assert text.startswith(f"tokens, M = {n} per generation, generation {generations}: "
                               f"median support = {summary.median_support:.0f} of 1000")
        assert f"Estimator {estimator}" in text


def test_defaults_are_the_explorer_start_values():
    box = explorers.collapse_explorer()
    controls = {c.description: c.value for c in box.children
                if isinstance(c, widgets.ValueWidget) and not isinstance(c, widgets.HTML)}
    assert controls == {"n per gen.": 100, "generations": 200, "estimator": "MLE",
                        "model": "Gaussian"}
    defaults = {k: v.default for k, v in inspect.signature(m01.collapse_view).parameters.items()}
    assert defaults == {"n": 100, "generations": 200, "estimator": "MLE", "model": "Gaussian",
                        "seed": 0}
    fig, summary = m01.collapse_view()
    plt.close(fig)
    assert str(summary).startswith("Gaussian, n = 100, MLE (ddof=0), generation 200")


def test_gaussian_summary_follows_the_theory_and_the_estimator():
    def medians(estimator):
        fig, summary = m01.collapse_view(n=50, generations=100, estimator=estimator)
        plt.close(fig)
        return summary

    mle, unbiased = medians("MLE"), medians("unbiased")
    assert unbiased.theory_mean == 1.0
    assert mle.theory_mean == pytest.approx(0.98**100, rel=1e-12)
    # the median follows exp E[log σ²] (400 chains: within 25%), and MLE collapses faster
    for summary in (mle, unbiased):
        assert summary.median == pytest.approx(summary.theory_typical, rel=0.25)
    assert mle.median < unbiased.median
    assert mle.theory_typical == pytest.approx(
        np.exp(theory.gaussian_log_var(100, 50, 0)), rel=1e-12)


def test_token_summary_matches_the_exact_first_generation_loss():
    fig, summary = m01.collapse_view(n=300, generations=20, model="tokens")
    plt.close(fig)
    lost = theory.categories_lost(zipf_probs(1000, 1.5), 300)
    assert summary.theory_lost_first == pytest.approx(lost, rel=1e-9)
    assert f"lost in generation 1: theory {lost:.1f}" in str(summary)
    assert summary.median_support == pytest.approx(summary.theory_support, rel=0.3)


def test_token_curve_does_not_depend_on_the_estimator():
    a = m01.collapse_view(n=50, generations=30, model="tokens", estimator="MLE")
    b = m01.collapse_view(n=50, generations=30, model="tokens", estimator="unbiased")
    plt.close(a[0])
    plt.close(b[0])
    assert (a[1].median_support, a[1].theory_support) == (b[1].median_support,
                                                          b[1].theory_support)
    assert str(a[1]).split(". Estimator")[0] == str(b[1]).split(". Estimator")[0]


def test_view_rejects_bad_controls():
    for kwargs, name in (({"n": 1}, "n"), ({"generations": 0}, "generations"),
                         ({"estimator": "ddof=2"}, "estimator"), ({"model": "gmm"}, "model")):
        with pytest.raises(ValueError, match=name):
            m01.collapse_view(**kwargs)


def test_explorer_redraws_on_change():
    box = explorers.collapse_explorer()
    assert "mc-explorer" in box._dom_classes
    output = box.children[-1]
    before = output.outputs
    model = [c for c in box.children if getattr(c, "description", "") == "model"][0]
    model.value = "tokens"
    assert output.outputs != before
    plt.close("all")


def test_feedback_loop_diagram_draws_the_four_stages():
    fig = diagrams.feedback_loop_diagram()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    plt.close(fig)
    for part in ("real data", "fit a model", "sample n new points", "training data"):
        assert part in texts
    assert np.isclose(len(fig.axes), 1)

"""The figures and the explorer of notebook 02, over the slider ranges."""

from __future__ import annotations

import inspect
import warnings

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import chains, diagrams, explorers, monitoring
from helpers.explorers import render
from helpers.views import m02

matplotlib.use("Agg")


@pytest.mark.parametrize("policy", list(diagrams.POLICY_LABELS))
@pytest.mark.parametrize(("real_fraction", "generations", "n"),
                         [(0.0, 10, 10), (1.0, 200, 500), (0.1, 50, 100)])
def test_view_over_the_control_ranges(policy, real_fraction, generations, n):
    params = dict(policy=policy, real_fraction=real_fraction, generations=generations, n=n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig, summary = m02.policy_view(**params)
    assert isinstance(fig, Figure)
    plt.close(fig)
    text = str(summary)
    assert (summary.policy, summary.n, summary.generations) == (policy, n, generations)
    assert summary.low <= summary.median <= summary.high
    assert text.startswith(diagrams.POLICY_LABELS[policy])
    assert f"n = {n}, generation {generations}: median tail mass ratio = " \
           f"{summary.median:.3f}" in text
    if policy in ("reservoir", "fresh"):
        assert summary.real_fraction == real_fraction
        assert f"real fraction {real_fraction:.0%}" in text
    else:
        assert summary.real_fraction is None and "real fraction not used" in text


@pytest.mark.parametrize("metric", ["tail mass ratio", "variance"])
def test_render_gives_a_png_and_names_the_metric(metric):
    png, text = render(m02.policy_view, {"metric": metric, "generations": 20})
    assert png.startswith(b"\x89PNG")
    assert f"median {metric} = " in text


def test_summary_reflects_the_policy_and_the_real_fraction():
    def median(**params):
        fig, summary = m02.policy_view(generations=100, **params)
        plt.close(fig)
        assert summary.metric == "tail mass ratio"
        return summary.median

    replace, accumulate = median(policy="replace"), median(policy="accumulate")
    assert replace < 0.3 < 0.8 < accumulate < 1.2
    assert median(policy="reservoir", real_fraction=0.0) < 0.3
    assert median(policy="reservoir", real_fraction=0.05) < median(policy="reservoir",
                                                                   real_fraction=0.5)
    assert median(policy="fresh", real_fraction=1.0) > 0.85


def test_the_reference_lines_are_the_replace_and_accumulate_medians():
    fig, summary = m02.policy_view(policy="replace", generations=30, metric="variance")
    plt.close(fig)
    direct = chains.gaussian_policy(100, 30, 200, policy="replace", seed=0)
    assert summary.replace == pytest.approx(np.median(direct.var[-1]), rel=1e-12)
    assert summary.median == summary.replace


def test_composition_counts_match_the_loop_rules():
    assert diagrams.composition("replace", 1, 100)["original real data"] == 100
    acc = diagrams.composition("accumulate", 4, 100)
    assert acc == {"original real data": 100, "fresh real data": 0, "synthetic, newest": 100,
                   "synthetic, older": 200}
    sub = diagrams.composition("accumulate_subsample", 4, 100)
    assert sum(sub.values()) == pytest.approx(100) and sub["original real data"] == 25
    mix = diagrams.composition("reservoir", 3, 100, real_fraction=0.3)
    assert mix["original real data"] == 30 and mix["synthetic, newest"] == 70
    assert diagrams.composition("fresh", 3, 100, real_fraction=0.3)["fresh real data"] == 30
    with pytest.raises(ValueError, match="policy"):
        diagrams.composition("bogus", 2)


def test_policy_diagram_has_one_row_per_policy():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = diagrams.policy_diagram(generations=4, real_fraction=0.3)
    assert len(fig.axes) == len(diagrams.POLICY_LABELS)
    assert [ax.get_title(loc="left") for ax in fig.axes] == list(diagrams.POLICY_LABELS.values())
    plt.close(fig)


def test_explorer_builds_with_its_controls_and_redraws_on_change():
    box = explorers.policy_explorer()
    assert "mc-explorer" in box._dom_classes
    controls = [c for c in box.children
                if isinstance(c, widgets.ValueWidget) and not isinstance(c, widgets.HTML)]
    assert [c.description for c in controls] == [
        "policy", "real fraction (reservoir, fresh)", "generations", "n per generation", "metric"]
    defaults = {name: p.default for name, p in
                inspect.signature(m02.policy_view).parameters.items()}
    assert [c.value for c in controls] == [defaults[k] for k in
                                           ("policy", "real_fraction", "generations", "n",
                                            "metric")]
    output = box.children[-1]
    before = output.outputs
    controls[0].value = "accumulate"
    assert output.outputs != before
    plt.close("all")


def test_policy_metric_rejects_what_is_not_a_chain_result():
    with pytest.raises(TypeError, match="result must be the GaussianChains"):
        monitoring.policy_metric(None)
    with pytest.raises(ValueError, match="metric"):
        monitoring.policy_metric(chains.gaussian(10, 2, 2, seed=0), "entropy")


def test_the_reference_lines_follow_every_setting_they_depend_on():
    """The replace and accumulate references are kept for recent settings: a change of n,
    generations, chains, seed or metric recomputes them; the kept arrays cannot be edited."""
    def references(**params):
        fig, summary = m02.policy_view(**{"generations": 20, "chains_shown": 50, **params})
        plt.close(fig)
        return summary.replace, summary.accumulate

    def expected(n=100, generations=20, chains_shown=50, seed=0, metric="tail mass ratio"):
        return tuple(float(np.median(monitoring.policy_metric(chains.gaussian_policy(
            n, generations, chains_shown, policy=name, seed=seed), metric)[-1]))
            for name in ("replace", "accumulate"))

    base = references()
    assert base == expected()
    assert references(policy="fresh", real_fraction=0.5) == base  # the references stay
    for change in ({"n": 50}, {"generations": 30}, {"chains_shown": 60}, {"seed": 1},
                   {"metric": "variance"}):
        got = references(**change)
        assert got == expected(**change) and got != base, change
    kept = m02._references(100, 20, 50, 0, "tail mass ratio")
    with pytest.raises(ValueError, match="read-only"):
        kept[0][0] = 0.0

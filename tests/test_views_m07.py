"""The view of notebook 07 over its whole range, its explorer, and its update time budget."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import explorers  # noqa: E402
from helpers.lm import load_char_corpus, loop_runs  # noqa: E402
from helpers.views import m07  # noqa: E402


@pytest.fixture(scope="module")
def runs():
    return loop_runs(load_char_corpus(n_train=30, n_heldout=10), generations=3, seeds=(0, 1, 2),
                     steps=10)


@pytest.mark.parametrize("decoding", ["T = 1", "T = 0.7", "top-p 0.9"])
@pytest.mark.parametrize("policy", ["replace", "accumulate", "fresh 20%"])
@pytest.mark.parametrize("generation", [0, 2, None])
def test_view_reports_the_chosen_run(runs, decoding, policy, generation):
    fig, summary = m07.decoding_view(runs, decoding, policy, "distinct_4", generation)
    g = 3 if generation is None else generation
    ppl = runs.at("perplexity", decoding, policy)[:, g]
    tail = runs.at("distinct_4", decoding, policy)[:, g]
    assert summary.perplexity == pytest.approx((np.median(ppl), ppl.min(), ppl.max()))
    assert summary.chosen == pytest.approx((np.median(tail), tail.min(), tail.max()))
    assert summary.reference_perplexity == pytest.approx(
        np.median(runs.at("perplexity", "T = 1", policy)[:, g]))
    assert str(summary).startswith(f"{decoding}, {policy}, generation {g} (3 seeds")
    assert len(fig.axes) == 1
    plt.close(fig)


@pytest.mark.parametrize("measure", m07.MEASURES)
def test_every_tail_measure_draws(runs, measure):
    fig, summary = m07.decoding_view(runs, measure=measure)
    assert summary.measure == measure and m07._LABELS[measure] in str(summary)
    plt.close(fig)


@pytest.mark.parametrize("kwargs, error, name", [
    ({"decoding": "greedy"}, ValueError, "decoding"), ({"policy": "mix"}, ValueError, "policy"),
    ({"measure": "entropy"}, ValueError, "measure"), ({"generation": 4}, ValueError,
                                                         "generation"),
    ({"generation": -1}, ValueError, "generation"), ({"generation": 1.5}, TypeError,
                                                     "generation"),
])
def test_view_rejects_bad_controls_by_name(runs, kwargs, error, name):
    with pytest.raises(error, match=name):
        m07.decoding_view(runs, **kwargs)


def test_view_rejects_something_that_is_not_runs():
    with pytest.raises(TypeError, match="runs"):
        m07.decoding_view({"values": {}})


def test_explorer_moves_with_every_control(runs):
    box = explorers.decoding_explorer(runs)
    output = box.children[-1]
    first = output.outputs[-1]["text"]
    for control in box.children[1:-1]:
        options = getattr(control, "options", None)
        control.value = options[0] if options and control.value != options[0] else (
            options[1] if options else control.min)
        assert output.outputs[-1]["text"] != first, control.description
        first = output.outputs[-1]["text"]

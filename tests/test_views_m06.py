"""The view of notebook 06 over its whole range, and its explorer."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from helpers import demonstrator, explorers  # noqa: E402
from helpers.views import m06  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    return demonstrator.run(data="mixture", model="gaussian",
                            policies=("replace", "accumulate"), generations=6, seeds=3, jobs=1)


@pytest.mark.parametrize("measure", ["tail", "distance"])
@pytest.mark.parametrize("generation", [0, 3, 6, None])
def test_view_reports_every_policy_at_the_generation(demo, measure, generation):
    fig, summary = m06.demo_view(demo, measure, generation)
    g = 6 if generation is None else generation
    for name in ("replace", "accumulate"):
        values = demo.values[name][measure][:, g]
        assert summary.medians[name] == pytest.approx(np.median(values))
        assert summary.lows[name] <= summary.medians[name] <= summary.highs[name]
    assert summary.generation == g and str(summary).startswith(f"{measure} at generation {g}")
    assert len(fig.axes[0].get_lines()) >= 3  # two medians and the marker line
    plt.close(fig)


def test_generation_zero_is_the_same_for_every_policy(demo):
    _, summary = m06.demo_view(demo, "tail", 0)
    assert summary.medians["replace"] == summary.medians["accumulate"]


@pytest.mark.parametrize("kwargs, error, name", [
    ({"measure": "entropy"}, ValueError, "measure"), ({"generation": 7}, ValueError, "generation"),
    ({"generation": -1}, ValueError, "generation"), ({"generation": 2.5}, TypeError, "generation"),
])
def test_view_rejects_bad_controls_by_name(demo, kwargs, error, name):
    with pytest.raises(error, match=name):
        m06.demo_view(demo, **kwargs)


def test_view_rejects_something_that_is_not_a_run():
    with pytest.raises(TypeError, match="demo"):
        m06.demo_view({"values": {}})


def test_explorer_renders_and_redraws(demo):
    box = explorers.demo_explorer(demo)
    output = box.children[-1]
    first = output.outputs[-1]["text"]
    box.children[1].value = 0  # the generation slider
    assert output.outputs[-1]["text"] != first and "generation 0" in output.outputs[-1]["text"]

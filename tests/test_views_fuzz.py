"""Fuzz of every view: controls inside, just outside and far outside their slider ranges.

A valid setting (inside the slider range, or outside it within the view's limits) must give a
figure and a one-line summary; an invalid one (wrong type, beyond the limits) must raise
ValueError or TypeError naming the control, never anything else.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from helpers import diagrams, explorers, monitoring
from helpers.validate import MAX_INTEGER
from helpers.views import m00, m01, m02, m03

matplotlib.use("Agg")

FUZZ = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])

NOT_AN_INT = [None, "20", 2.5, 20.0, True, float("nan"), [20], object()]
NOT_A_NAME = [None, 3, "nope", ["MLE"], b"MLE", True, float("nan")]
NOT_A_FRACTION = [None, "0.1", float("nan"), float("inf"), -0.01, 1.01, True, [0.5]]

# For each view: control -> (valid values inside or outside the slider range, invalid values).
CONTROLS = {
    m00.spread_view: {
        "n": (st.integers(2, 5_000), [*NOT_AN_INT, 1, 0, -5, 10**6 + 1, 10**40]),
        "generations": (st.integers(1, 2_000), [*NOT_AN_INT, 0, m00.MAX_GENERATIONS + 1]),
        "chains_shown": (st.integers(1, 400), [*NOT_AN_INT, 0, m00.MAX_CHAINS + 1]),
        # a seed is any int the course's validators accept: 0 to MAX_INTEGER (2**53)
        "seed": (st.integers(0, MAX_INTEGER), [*NOT_AN_INT, -1, MAX_INTEGER + 1]),
    },
    m01.collapse_view: {
        "n": (st.integers(2, 700), [*NOT_AN_INT, 1, m01.MAX_N + 1, 10**40]),
        "generations": (st.integers(1, 1_200), [*NOT_AN_INT, 0, m01.MAX_GENERATIONS + 1]),
        "estimator": (st.sampled_from(list(m01.ESTIMATORS)), NOT_A_NAME),
        "model": (st.sampled_from(m01.MODELS), NOT_A_NAME),
    },
    m02.policy_view: {
        "policy": (st.sampled_from(list(diagrams.POLICY_LABELS)), NOT_A_NAME),
        "real_fraction": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "generations": (st.integers(2, 300), [*NOT_AN_INT, 1, m02.MAX_GENERATIONS + 1]),
        "n": (st.integers(10, 700), [*NOT_AN_INT, 9, m02.MAX_N + 1]),
        "metric": (st.sampled_from(monitoring.POLICY_METRICS), NOT_A_NAME),
    },
    m03.detection_view: {
        "series": (st.sampled_from(m03.SERIES), [*NOT_A_NAME, "Gaussian · entropy"]),
        "generations": (st.integers(1, 10**6), [*NOT_AN_INT, 0, 10**6 + 1]),
        "eval_size": (st.sampled_from(m03.EVAL_SIZES), [*NOT_AN_INT, 300, 0, 10**9]),
    },
}


def settings_of(view):
    """A full setting of ``view``'s controls, and the control made invalid (or None)."""
    controls = CONTROLS[view]

    @st.composite
    def setting(draw):
        values = {name: draw(valid) for name, (valid, _) in controls.items()}
        bad = draw(st.one_of(st.none(), st.sampled_from(list(controls))))  # valid half the time
        if bad is not None:
            values[bad] = draw(st.sampled_from(controls[bad][1]))
        return values, bad

    return setting()


def run_view(view, values, bad):
    try:
        fig, summary = view(**values)
    except (ValueError, TypeError) as error:
        assert bad is not None, f"{view.__name__}({values}) refused a valid setting: {error}"
        assert bad in str(error), f"the error does not name {bad!r}: {error}"
        return
    plt.close(fig)
    assert bad is None, f"{view.__name__} accepted {bad}={values[bad]!r}"
    assert isinstance(fig, Figure)
    text = str(summary)
    assert text and "\n" not in text
    numbers = [v for v in vars(summary).values() if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers), summary


@pytest.mark.parametrize("view", list(CONTROLS), ids=lambda v: v.__name__)
def test_a_view_draws_or_names_the_bad_control(view):
    @FUZZ
    @given(settings_of(view))
    def fuzz(case):
        run_view(view, *case)

    fuzz()


def test_every_view_is_fuzzed():
    found = {v.__name__ for v in (m00.spread_view, m01.collapse_view, m02.policy_view,
                                  m03.detection_view)}
    fuzzed = {v.__name__ for v in CONTROLS}
    assert fuzzed == found == {name for module in (m00, m01, m02, m03)
                               for name in module.__all__ if name.endswith("_view")}


# --- the slider helper: whatever it is given, a slider or a ValueError/TypeError naming why

ANYTHING = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20),
                     st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3),
                     st.lists(st.integers(), max_size=2))


@FUZZ
@given(ANYTHING, ANYTHING, ANYTHING, ANYTHING)
def test_slider_never_raises_a_traitlets_error(value, low, high, step):
    try:
        made = explorers.slider("x", value, low, high, step=step)
    except (ValueError, TypeError) as error:
        assert any(name in str(error) for name in ("value", "low", "high", "step"))
        return
    assert isinstance(made, (widgets.IntSlider, widgets.FloatSlider))
    assert (made.min, made.max, made.value, made.step) == (low, high, value, step)


@pytest.mark.parametrize(("args", "error", "name"), [
    ((None, 5, 500), TypeError, "value"),
    ((20, "5", 500), TypeError, "low"),
    ((20, 5, float("inf")), ValueError, "high"),
    ((20, 500, 5), ValueError, "low"),
    ((600, 5, 500), ValueError, "value"),
    ((20, 5, 500, 0), ValueError, "step"),
    ((20, 5, 500, 10**30), ValueError, "step"),
])
def test_slider_names_the_bad_argument(args, error, name):
    with pytest.raises(error, match=name):
        explorers.slider("n", *args)


def test_slider_kind_follows_its_numbers():
    assert isinstance(explorers.slider("n", 20, 5, 500, step=5), widgets.IntSlider)
    assert isinstance(explorers.slider("f", 0.1, 0.0, 1.0, step=0.05), widgets.FloatSlider)
    with pytest.raises(TypeError, match="description"):
        explorers.slider(None, 1, 0, 2)


# --- views are only views: what moved out lives in its home, not in the view module

@pytest.mark.parametrize(("module", "name", "home"), [
    (m00, "spread_explorer", explorers),
    (m01, "collapse_explorer", explorers),
    (m01, "feedback_loop_diagram", diagrams),
    (m02, "policy_explorer", explorers),
    (m02, "composition", diagrams),
    (m02, "policy_diagram", diagrams),
    (m02, "POLICY_LABELS", diagrams),
    (m02, "policy_metric", monitoring),
    (m03, "detection_explorer", explorers),
    (m03, "null", monitoring),
    (m03, "detection_table", monitoring),
    (m03, "RUNS", monitoring),
])
def test_moved_names_live_in_their_home_only(module, name, home):
    assert hasattr(home, name) and name not in module.__all__
    # A view module may import what it uses from the home; it defines none of it.
    assert getattr(module, name, None) in (None, getattr(home, name))

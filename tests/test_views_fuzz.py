"""Fuzz of every view: controls inside, just outside and far outside their slider ranges.

A valid setting (inside the slider range, or outside it within the view's limits) must give a
figure and a one-line summary; an invalid one (wrong type, beyond the limits) must raise
ValueError or TypeError naming the control, never anything else.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

import helpers.views
from helpers import demonstrator, diagrams, explorers, mitigations, monitoring
from helpers.validate import MAX_INTEGER
from helpers.views import m00, m01, m02, m03, m04, m05, m06, m07

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
        "seed": (st.integers(0, 2**53), [*NOT_AN_INT, -1, 2**53 + 1]),
    },
    m02.policy_view: {
        "policy": (st.sampled_from(list(diagrams.POLICY_LABELS)), NOT_A_NAME),
        "real_fraction": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "generations": (st.integers(2, 300), [*NOT_AN_INT, 1, m02.MAX_GENERATIONS + 1]),
        "n": (st.integers(10, 700), [*NOT_AN_INT, 9, m02.MAX_N + 1]),
        "metric": (st.sampled_from(monitoring.POLICY_METRICS), NOT_A_NAME),
        "chains_shown": (st.integers(1, 200), [*NOT_AN_INT, 0, m02.MAX_CHAINS + 1]),
        "seed": (st.integers(0, 2**53), [*NOT_AN_INT, -1, 2**53 + 1]),
    },
    m03.detection_view: {
        "series": (st.sampled_from(m03.SERIES), [*NOT_A_NAME, "Gaussian · entropy"]),
        "generations": (st.integers(1, 10**6), [*NOT_AN_INT, 0, 10**6 + 1]),
        "eval_size": (st.sampled_from(m03.EVAL_SIZES), [*NOT_AN_INT, 300, 0, 10**9]),
    },
    # valid ranges kept small where a setting costs work (the limits are tested outside them)
    m04.mitigation_view: {
        "control": (st.sampled_from(mitigations.CONTROLS), NOT_A_NAME),
        "real_fraction": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "tpr": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "fpr": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "k": (st.floats(0.5, 10.0), [*NOT_A_FRACTION[:5], 0.49, 10.01, 10**400]),
        "generations": (st.integers(2, 30), [*NOT_AN_INT, 1, 1001, 10**40]),
        "n": (st.integers(10, 200), [*NOT_AN_INT, 9, 10_001, 10**40]),
        "seed": (st.integers(0, 2**53), [*NOT_AN_INT, -1, 2**53 + 1]),
    },
    m04.verification_view: {
        "verifier_size": (st.integers(1, 300), [*NOT_AN_INT, 0, 100_001, 10**40]),
        "flip": (st.floats(0.0, 1.0), NOT_A_FRACTION),
        "generations": (st.integers(1, 8), [*NOT_AN_INT, 0, 201, 10**40]),
        "seed": (st.integers(0, 2**53), [*NOT_AN_INT, -1, 2**53 + 1]),
    },
    m05.governance_view: {
        name: (st.floats(0.0, 1.0), NOT_A_FRACTION)
        for name in ("ceiling", "tpr", "fpr", "reservoir", "min_real")
    } | {
        "rate": (st.floats(0.0, 100.0), [*NOT_A_FRACTION[:5], -0.01, 100.01, 10**400]),
        "value": (st.floats(0.0, 1e9), [*NOT_A_FRACTION[:5], -1.0, 1e9 + 1, 10**400]),
        "price": (st.floats(0.0, 1e9), [*NOT_A_FRACTION[:5], -1.0, 1e9 + 1, 10**400]),
    },
    m06.demo_view: {
        "measure": (st.sampled_from(["tail", "distance"]), NOT_A_NAME),
        "generation": (st.one_of(st.none(), st.integers(0, 2)), [
            "2", 2.5, 2.0, True, float("nan"), [2], object(), -1, 3, 10**40]),
    },
    m07.decoding_view: {
        "decoding": (st.sampled_from(["T = 1", "T = 0.7", "top-p 0.9"]),
                     [*NOT_A_NAME, "top-p 0.5"]),
        "policy": (st.sampled_from(["replace", "accumulate", "fresh 20%"]), NOT_A_NAME),
        "measure": (st.sampled_from(m07.MEASURES), NOT_A_NAME),
        "generation": (st.one_of(st.none(), st.integers(0, 2)), [
            "2", 2.5, 2.0, True, float("nan"), [2], object(), -1, 3, 10**40]),
    },
}

_DEMO = []
_RUNS = []


def _runs():
    """A small lesson-07 loop for its view (made once): 2 seeds, 2 generations, 5 Adam steps."""
    if not _RUNS:
        from helpers.lm import load_char_corpus, loop_runs
        _RUNS.append(loop_runs(load_char_corpus(n_train=20, n_heldout=5), generations=2,
                               seeds=(0, 1), steps=5, hidden=4))
    return _RUNS[0]


def _demo():
    """A small finished demonstrator run for the lesson-06 view (made once)."""
    if not _DEMO:
        _DEMO.append(demonstrator.run(data="mixture", model="gaussian", policies=("replace",),
                                      generations=2, seeds=2, jobs=1))
    return _DEMO[0]


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
    fixed = ({"demo": _demo()} if view is m06.demo_view
             else {"runs": _runs()} if view is m07.decoding_view else {})
    try:
        fig, summary = view(**fixed, **values)
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
    numbers += [v for d in vars(summary).values() if isinstance(d, dict)
                for v in d.values() if isinstance(v, float)]
    assert all(math.isfinite(v) for v in numbers), summary


@pytest.mark.parametrize("view", list(CONTROLS), ids=lambda v: v.__name__)
def test_a_view_draws_or_names_the_bad_control(view):
    @FUZZ
    @given(settings_of(view))
    def fuzz(case):
        run_view(view, *case)

    fuzz()


def test_every_view_is_fuzzed():
    """Every ``*_view`` of every module under helpers.views (found, not listed) is fuzzed, with
    every one of its controls."""
    modules = [importlib.import_module(m.name)
               for m in pkgutil.iter_modules(helpers.views.__path__, "helpers.views.")]
    found = {getattr(module, name) for module in modules for name in module.__all__
             if name.endswith("_view")}
    assert len(modules) >= 7 and len(found) >= 8
    assert set(CONTROLS) == found
    for view, controls in CONTROLS.items():
        params = set(inspect.signature(view).parameters) - {"demo", "runs"}
        assert set(controls) == params, view.__name__


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

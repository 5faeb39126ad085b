"""Interactive explorers: thin widget wrappers over pure view functions, and each lesson's.

An explorer pairs ipywidgets controls with a *view*: a pure function that
takes the control values as keyword arguments and returns
``(figure, summary)``, a matplotlib Figure and a summary whose ``str()`` is a
one-line numeric summary (the views of :mod:`helpers.views`). The view is
tested on its own; the widget only renders it. Every explorer:

* is an ``ipywidgets.VBox`` carrying the CSS class ``mc-explorer`` (the
  browser test looks for it), controls first, then an output area with the
  class ``mc-explorer-output``;
* renders the figure once as PNG (the same bytes the notebook shows) and
  prints the summary line under it;
* shows a one-line message on stderr instead of a traceback if the view
  fails (the browser test treats any stderr output as a failure).

Example (in a notebook cell)::

    def view(n):
        fig, ax = plt.subplots()
        ax.plot(range(n))
        return fig, f"n = {n}"

    explorer(view, n=slider("n", value=3, low=1, high=10))
"""

from __future__ import annotations

import base64
import functools
import inspect
import math
import numbers
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from helpers.rendering import figure_png
from helpers.views import m00, m01, m02, m03, m04

__all__ = ["render", "explorer", "slider", "View", "spread_explorer", "collapse_explorer",
           "policy_explorer", "detection_explorer", "mitigation_explorer",
           "verification_explorer", "governance_explorer", "demo_explorer",
           "decoding_explorer"]

#: A view: control values as keyword arguments -> (figure, summary); ``str(summary)`` is printed.
View = Callable[..., tuple[Figure, Any]]
SLIDER_LIMIT = 1e15  # larger bounds lose integer precision in the browser


def render(view: View, params: Mapping[str, Any]) -> tuple[bytes, str]:
    """Call ``view(**params)`` and return ``(png_bytes, summary)``.

    The figure is closed afterwards, so repeated updates do not pile up
    figures. This is exactly the work one explorer update does, so it is also
    what the benchmark times.
    """
    if not callable(view):
        raise TypeError(f"view must be a view function, got {type(view).__name__}")
    if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
        raise TypeError(f"params must map control names (str) to values, got "
                        f"{type(params).__name__}")
    try:
        inspect.signature(view).bind(**params)
    except TypeError as error:
        raise TypeError(f"params do not fit the view's controls: {error}") from None
    except ValueError:  # a callable without a signature (a builtin): let the call decide
        pass
    result = view(**params)
    if not isinstance(result, tuple) or len(result) != 2:
        raise TypeError(f"view must return (Figure, summary), got {type(result).__name__}")
    fig, summary = result
    if not isinstance(fig, Figure):
        raise TypeError(f"view must return (Figure, summary), got {type(fig).__name__} first")
    try:
        png = figure_png(fig)
    finally:
        plt.close(fig)
    return png, str(summary)


def slider(description: str, value: float, low: float, high: float, step: float = 1,
           **options: Any) -> widgets.IntSlider | widgets.FloatSlider:
    """A slider that redraws when the handle is released, not for every pixel it moves.

    Integer-valued unless the value, a bound or the step is a float; ``options``
    go to the widget (e.g. ``readout_format=".0%"``).

    >>> slider("n per gen.", 20, 5, 500, step=5).continuous_update
    False
    """
    if not isinstance(description, str):
        raise TypeError(f"description must be a str, got {type(description).__name__}")
    bounds = {"value": value, "low": low, "high": high, "step": step}
    for name, x in bounds.items():
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
        if not (isinstance(x, numbers.Integral) or math.isfinite(x)) or abs(x) > SLIDER_LIMIT:
            raise ValueError(f"{name} must be finite, at most {SLIDER_LIMIT:g} in size, got {x}")
    if not low < high:
        raise ValueError(f"low must be < high, got low={low}, high={high}")
    if not low <= value <= high:
        raise ValueError(f"value must be within [low, high] = [{low}, {high}], got {value}")
    if not 0 < step <= high - low:
        raise ValueError(f"step must be > 0 and <= high - low = {high - low}, got {step}")
    integral = all(isinstance(x, numbers.Integral) for x in bounds.values())
    kind = widgets.IntSlider if integral else widgets.FloatSlider
    return kind(value=value, min=low, max=high, step=step, description=description,
                continuous_update=False, **options)


def _png(png: bytes) -> dict[str, Any]:
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(png).decode("ascii"),
                     "text/plain": "<explorer figure>"}}


def _stream(name: str, text: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text + "\n"}


def explorer(view: View, *, title: str | None = None, **controls: widgets.ValueWidget
             ) -> widgets.VBox:
    """Build an explorer showing ``view(**values)`` and redrawing it on every change.

    ``controls`` maps each keyword argument of ``view`` to the widget that
    sets it: sliders (use :func:`slider`), dropdowns, toggle buttons.
    """
    if not callable(view):
        raise TypeError(f"view must be callable, got {type(view).__name__}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a string or None, got {type(title).__name__}")
    if not controls:
        raise ValueError("controls must name at least one widget, e.g. n=IntSlider(...)")
    for name, control in controls.items():
        if not isinstance(control, widgets.ValueWidget):
            raise TypeError(
                f"control {name!r} must be an ipywidgets value widget, "
                f"got {type(control).__name__}"
            )

    output = widgets.Output()
    output.add_class("mc-explorer-output")

    def update(_change: Any = None) -> None:
        params = {name: control.value for name, control in controls.items()}
        try:
            png, summary = render(view, params)
        except Exception as error:  # show the learner one line, not a traceback
            output.outputs = (_stream("stderr", "This setting could not be drawn "
                                                f"({type(error).__name__}: {error})."),)
            return
        output.outputs = (_png(png), _stream("stdout", summary))

    for control in controls.values():
        control.observe(update, names="value")
    update()

    children: list[widgets.Widget] = []
    if title:
        children.append(widgets.HTML(f"<b>{title}</b>"))
    children.extend(controls.values())
    children.append(output)
    box = widgets.VBox(children)
    box.add_class("mc-explorer")
    box.view, box.controls = view, dict(controls)  # for tests and the benchmark
    return box


# ------------------------------------------------------------------ the lessons' explorers

def spread_explorer() -> widgets.VBox:
    """Lesson 00: sliders for the sample size per generation and the number of generations."""
    return explorer(
        m00.spread_view,
        title="How fast does the spread collapse?",
        n=slider("n per gen.", 20, 5, 500, step=5),
        generations=slider("generations", 200, 10, 1000, step=10),
    )


def collapse_explorer() -> widgets.VBox:
    """Lesson 01: sliders for n and the generations; menus for the estimator and the model."""
    return explorer(
        m01.collapse_view,
        title="The collapse curve and its theory",
        n=slider("n per gen.", 100, 10, 500, step=10),
        generations=slider("generations", 200, 10, 1000, step=10),
        estimator=widgets.ToggleButtons(options=list(m01.ESTIMATORS), value="MLE",
                                        description="estimator"),
        model=widgets.ToggleButtons(options=list(m01.MODELS), value="Gaussian",
                                    description="model"),
    )


def policy_explorer() -> widgets.VBox:
    """Lesson 02: policy, real fraction, generations, n and metric of the policy view."""
    wide = {"style": {"description_width": "initial"}}
    return explorer(
        m02.policy_view,
        title="Which data policy keeps the Gaussian loop healthy?",
        policy=widgets.Dropdown(options=[(v, k) for k, v in m02.policy_labels().items()],
                                value="reservoir", description="policy"),
        real_fraction=slider("real fraction (reservoir, fresh)", 0.1, 0.0, 1.0, step=0.05,
                             readout_format=".0%", **wide),
        generations=slider("generations", 50, 10, 200, step=10, **wide),
        n=slider("n per generation", 100, 10, 500, step=10, **wide),
        metric=widgets.Dropdown(options=list(m02.POLICY_METRICS), value="tail mass ratio",
                                description="metric"),
    )


def detection_explorer() -> widgets.VBox:
    """Lesson 03: pick a pipeline and a measure; the generations shown; the evaluation size."""
    return explorer(
        m03.detection_view,
        title="Which measure notices first, and how does the evaluation sample size matter?",
        series=widgets.Dropdown(options=m03.SERIES, value="Gaussian · variance",
                                description="measure"),
        generations=slider("generations", 20, 1, 30),
        eval_size=widgets.SelectionSlider(options=m03.EVAL_SIZES, value=1000,
                                          description="eval. size", continuous_update=False),
    )


def mitigation_explorer() -> widgets.VBox:
    """Lesson 04: the control, its settings and the number of generations of the view."""
    wide = {"style": {"description_width": "initial"}}
    return explorer(
        m04.mitigation_view,
        title="Which control keeps the Gaussian loop healthy, and what does it cost?",
        control=widgets.Dropdown(options=list(m04.CONTROLS), value="fresh real data",
                                 description="control"),
        real_fraction=slider("real fraction (fresh, reservoir)", 0.1, 0.0, 1.0, step=0.01,
                             readout_format=".0%", **wide),
        tpr=slider("detector TPR", 0.9, 0.0, 1.0, step=0.05, **wide),
        fpr=slider("detector FPR", 0.05, 0.0, 0.5, step=0.01, **wide),
        k=slider("typicality cut-off k (σ)", 2.0, 1.0, 4.0, step=0.25, **wide),
        generations=slider("generations", 100, 10, 300, step=10, **wide),
    )


def verification_explorer() -> widgets.VBox:
    """Lesson 04: the verifier's training-set size, the generator's flip rate, generations."""
    wide = {"style": {"description_width": "initial"}}
    return explorer(
        m04.verification_view,
        title="How good must the verifier be?",
        verifier_size=slider("verifier: real examples", 200, 2, 1000, step=2, **wide),
        flip=slider("labels flipped by the generator", 0.1, 0.0, 0.4, step=0.02,
                    readout_format=".0%", **wide),
        generations=slider("generations", 15, 5, 40, step=1, **wide),
    )


def demo_explorer(demo: Any) -> widgets.VBox:
    """Lesson 06: read a finished demonstrator run measure by measure, generation by generation."""
    from helpers.demonstrator import _check_demo  # scikit-learn: imported when lesson 06 asks
    from helpers.views import m06

    demo = _check_demo(demo)
    last = demo.results["setting"]["generations"]
    names = [m.name for m in demo.measures]
    return explorer(functools.partial(m06.demo_view, demo),
                    measure=widgets.Dropdown(options=names, value=names[0],
                                             description="measure"),
                    generation=slider("generation", value=last, low=0, high=last))


def governance_explorer() -> widgets.VBox:
    """Lesson 05: growth assumptions, detector, reservoir, policy limit and cost model."""
    from helpers.views import m05  # the governance package: imported when lesson 05 asks

    wide = {"style": {"description_width": "initial"}}
    pct = dict(readout_format=".0%", **wide)
    return explorer(
        m05.governance_view,
        title="A drifting corpus under three training-set policies",
        ceiling=slider("synthetic share ceiling (assumed)", 0.9, 0.1, 1.0, step=0.05, **pct),
        rate=slider("growth per month (assumed)", 0.25, 0.05, 1.0, step=0.05, **wide),
        tpr=slider("detector TPR", 0.5, 0.0, 0.99, step=0.01, **pct),
        fpr=slider("detector FPR", 0.05, 0.0, 0.5, step=0.01, **pct),
        reservoir=slider("reservoir fraction", 0.2, 0.0, 1.0, step=0.05, **pct),
        min_real=slider("policy: min real share", 0.6, 0.0, 1.0, step=0.05, **pct),
        value=slider("value per release", 100.0, 0.0, 1000.0, step=10.0, **wide),
        price=slider("price of a full reservoir", 20.0, 0.0, 200.0, step=5.0, **wide),
    )


def decoding_explorer(runs: Any) -> widgets.VBox:
    """Lesson 07: a neural language model's loop by decoding, policy, measure and generation."""
    from helpers.lm import LoopRuns
    from helpers.views import m07  # imports the language model only when lesson 07 asks

    if not isinstance(runs, LoopRuns):
        raise TypeError(f"runs must be the result of helpers.lm.loop_runs, "
                        f"got {type(runs).__name__}")

    wide = {"style": {"description_width": "initial"}}
    return explorer(
        functools.partial(m07.decoding_view, runs),
        title="A character-level neural LM retrained on its own decoded text",
        decoding=widgets.ToggleButtons(options=list(runs.decodings), value=runs.decodings[-1],
                                       description="decoding", **wide),
        policy=widgets.ToggleButtons(options=list(runs.policies), value=runs.policies[0],
                                     description="policy", **wide),
        measure=widgets.Dropdown(options=list(m07.MEASURES), value="perplexity",
                                 description="measure", **wide),
        generation=slider("generation", runs.generations, 0, runs.generations, **wide),
    )

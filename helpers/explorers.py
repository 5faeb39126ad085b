"""Interactive explorers: thin widget wrappers over pure view functions.

An explorer pairs ipywidgets controls with a *view*: a pure function that
takes the control values as keyword arguments and returns
``(figure, summary)``, a matplotlib Figure and a one-line numeric summary.
The view is tested on its own; the widget only renders it. Every explorer:

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
import io
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["render", "explorer", "slider", "View"]

View = Callable[..., tuple[Figure, str]]


def render(view: View, params: Mapping[str, Any]) -> tuple[bytes, str]:
    """Call ``view(**params)`` and return ``(png_bytes, summary)``.

    The figure is closed afterwards, so repeated updates do not pile up
    figures. This is exactly the work one explorer update does, so it is also
    what the benchmark times.
    """
    fig, summary = view(**params)
    if not isinstance(fig, Figure):
        raise TypeError(f"view must return (Figure, str), got {type(fig).__name__} first")
    try:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        plt.close(fig)
    return buffer.getvalue(), str(summary)


def slider(description: str, value: float, low: float, high: float, step: float = 1,
           **options: Any) -> widgets.IntSlider | widgets.FloatSlider:
    """A slider that redraws when the handle is released, not for every pixel it moves.

    Integer-valued unless the value, a bound or the step is a float; ``options``
    go to the widget (e.g. ``readout_format=".0%"``).

    >>> slider("n per gen.", 20, 5, 500, step=5).continuous_update
    False
    """
    numbers = (value, low, high, step)
    kind = widgets.FloatSlider if any(isinstance(x, float) for x in numbers) else widgets.IntSlider
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
    return box

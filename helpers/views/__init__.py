"""The pure view functions behind each lesson's explorers, one module per lesson.

A view takes the control values as keyword arguments and returns
``(figure, summary)``: a matplotlib Figure and a small frozen summary object
whose attributes are the numbers shown and whose ``str()`` is the one-line
summary a notebook prints. :func:`helpers.explorers.explorer` turns a view
into a widget; the computations behind the views live in the engine modules
(:mod:`helpers.chains`, :mod:`helpers.monitoring`, :mod:`helpers.diagrams`, ...).
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from helpers import plots


def log_floor(values: Any) -> np.ndarray:
    """``values`` with zeros (underflow after thousands of generations) raised to the smallest
    positive float, so that a log-scale axis can draw them; summaries keep the true values.

    >>> float(log_floor([0.0, 2.0])[0]) > 0
    True
    """
    return np.maximum(np.asarray(values, dtype=float), np.finfo(float).tiny)


def fixed_axes(left: float, right: float, bottom: float, top: float,
               figsize: tuple[float, float] | None = None) -> Axes:
    """Course-style axes with fixed margins and a fixed title position, for explorer views.

    Neither a layout engine nor the automatic title placement runs at draw time: each
    would measure every tick label once more, a third of the time of an explorer update.

    >>> ax = fixed_axes(0.1, 0.98, 0.12, 0.92)
    >>> ax.figure.get_layout_engine() is None
    True
    >>> plt.close(ax.figure)
    """
    with plt.rc_context({"axes.titley": 1.0}):  # read when the axes are created
        fig, ax = plots.new_figure(layout="none", figsize=figsize)
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top)
    return ax

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
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from helpers import plots


def log_floor(values: Any) -> np.ndarray:
    """``values`` with zeros (underflow after thousands of generations) raised to the smallest
    positive float, so that a log-scale axis can draw them; summaries keep the true values.

    >>> float(log_floor([0.0, 2.0])[0]) > 0
    True
    """
    return np.maximum(np.asarray(values, dtype=float), np.finfo(float).tiny)


def fixed_figure(left: float, right: float, bottom: float, top: float,
                 figsize: tuple[float, float] | None = None, ncols: int = 1,
                 wspace: float = 0.2) -> tuple[Figure, list[Axes]]:
    """A course-style figure of ``ncols`` axes side by side with fixed margins and fixed
    title positions, for explorer views; returns ``(figure, axes)``.

    Neither a layout engine nor the automatic title placement runs at draw time: each
    would measure every tick label once more, a third of the time of an explorer update.

    >>> fig, axes = fixed_figure(0.1, 0.98, 0.12, 0.92, ncols=2)
    >>> fig.get_layout_engine() is None, len(axes)
    (True, 2)
    >>> plt.close(fig)
    """
    with plt.rc_context({"axes.titley": 1.0}):  # read when the axes are created
        fig, axes = plots.new_figure(1, ncols, layout="none", figsize=figsize, squeeze=False,
                                     gridspec_kw=dict(left=left, right=right, bottom=bottom,
                                                      top=top, wspace=wspace))
    axes = list(axes.ravel())
    for ax in axes:  # at most 7 ticks on a linear axis: each tick costs about 0.5 ms to make
        ax.xaxis.set_major_locator(VisibleTicks(nbins=6))
        ax.yaxis.set_major_locator(VisibleTicks(nbins=6))
    return fig, axes


class VisibleTicks(MaxNLocator):
    """``MaxNLocator`` returning only the ticks inside the axis' view limits.

    matplotlib makes a tick (two lines, a grid line, two labels) for every location a
    locator returns, then draws only those inside the limits; ``MaxNLocator`` returns one
    more on each side. Examples: ticks for the view 0 to 0.55 with 6 bins.

    >>> ax = fixed_axes(0.1, 0.9, 0.1, 0.9)
    >>> _ = ax.set_ylim(0, 0.55)
    >>> [round(float(v), 1) for v in ax.yaxis.get_major_locator()()]
    [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    >>> plt.close(ax.figure)
    """

    def __call__(self) -> Any:
        locations = super().__call__()
        low, high = sorted(self.axis.get_view_interval())
        slack = 1e-10 * (high - low)  # as matplotlib, keep a tick at a limit up to rounding
        return locations[(locations >= low - slack) & (locations <= high + slack)]


def fixed_axes(left: float, right: float, bottom: float, top: float,
               figsize: tuple[float, float] | None = None) -> Axes:
    """The single axes of :func:`fixed_figure`.

    >>> ax = fixed_axes(0.1, 0.98, 0.12, 0.92)
    >>> ax.figure.get_layout_engine() is None
    True
    >>> plt.close(ax.figure)
    """
    return fixed_figure(left, right, bottom, top, figsize)[1][0]

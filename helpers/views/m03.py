"""The view of notebook 03: when does a measure notice the collapse?

The pipelines, measures, null bands and runs behind it are in :mod:`helpers.monitoring`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from helpers import detection, monitoring, plots
from helpers.monitoring import ALPHA, N_NULL
from helpers.validate import integer, one_of
from helpers.views import fixed_axes

__all__ = ["EVAL_SIZES", "SERIES", "DetectionSummary", "detection_view"]

EVAL_SIZES = (100, 200, 500, 1000, 2000, 5000)


@dataclass(frozen=True)
class DetectionSummary:
    """The numbers of :func:`detection_view`."""

    series: str
    eval_size: int
    generations: int  # generations shown
    first: float  # the monitored value at generation 0
    last: float  # ... and at the last generation shown
    band_low: float  # the noise band of generation 0
    band_high: float
    found: int | None  # generation of the first alarm, or None

    def __str__(self) -> str:
        verdict = (f"first alarm at generation {self.found}" if self.found is not None
                   else f"no alarm within {self.generations} generations")
        return (f"{self.series}, {self.eval_size} evaluation draws, {self.generations} "
                f"generations: generation 0 = {self.first:.4g}, generation {self.generations} = "
                f"{self.last:.4g}; noise band {self.band_low:.4g} to {self.band_high:.4g}; "
                f"{verdict}.")


# The explorer offers the measures that stay fast at every evaluation sample size.
SERIES = (
    "Gaussian · variance", "Gaussian · W1 to reference", "Gaussian · W2² of Gaussian fits",
    "Gaussian · tail mass ratio (5%)", "Gaussian · tail mass ratio (1%)",
    "tokens · entropy", "tokens · KL(reference ‖ sample)", "tokens · rare-type recall",
    "tokens · types retained",
    "digits · covariance trace", "digits · Fréchet distance",
)


def detection_view(series: str = "Gaussian · variance", generations: int = 20,
                   eval_size: int = 1000) -> tuple[Figure, DetectionSummary]:
    """A measure's trajectory, its generation-0 noise band and its first detection.

    ``series`` is "pipeline · measure" (one of :data:`SERIES`); ``generations``
    the number of generations shown (the digits pipeline has 10); ``eval_size``
    the evaluation sample size (one of :data:`EVAL_SIZES`).

    >>> fig, summary = detection_view()
    >>> str(summary).startswith("Gaussian · variance, 1000 evaluation draws")
    True
    >>> summary.generations, summary.band_low <= summary.band_high
    (20, True)
    """
    series = one_of(series, "series", SERIES)
    eval_size = one_of(eval_size, "eval_size", EVAL_SIZES)
    generations = integer(generations, "generations", minimum=1, maximum=10**6)
    name, measure = series.split(" · ")
    spec = monitoring.measure_spec(name, measure)
    shown = min(generations, monitoring.pipeline(name).generations)
    values = monitoring.trajectory(name, measure, eval_size)[:shown + 1]
    noise = monitoring.null(name, measure, eval_size)
    edges = detection.band(noise, ALPHA, spec.direction)
    found = detection.first_detection(values, noise, alpha=ALPHA, direction=spec.direction)

    ax = fixed_axes(left=0.11, right=0.98, bottom=0.27, top=0.93, figsize=(7.0, 4.6))
    fig = ax.figure
    gens = np.arange(shown + 1)
    low, high = np.percentile(noise, [0, 100])
    ax.axhspan(low, high, color=plots.OKABE_ITO["sky_blue"], alpha=0.25,
               label=f"noise band of generation 0 ({N_NULL} eval. samples)")
    edge = edges.low if spec.direction == "lower" else edges.high
    ax.axhline(edge, **plots.THEORY_STYLE,
               label=f"alarm threshold ({ALPHA:.0%} false alarms per gen.)")
    ax.plot(gens, values, label="monitored value (one eval. sample per gen.)",
            **plots.series_style(0))
    if found is not None:
        ax.plot([found], [values[found]], linestyle="none", marker="*", markersize=16,
                color=plots.OKABE_ITO["vermillion"], label=f"first alarm: generation {found}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel(measure)
    ax.set_title(f"{name} pipeline: when does {measure} notice?")
    ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    return fig, DetectionSummary(series, eval_size, shown, float(values[0]), float(values[-1]),
                                 float(low), float(high), found)

"""The view of notebook 06: read a finished demonstrator run generation by generation."""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from helpers.demonstrator import Demo, _check_demo, _draw_measure, spread
from helpers.validate import integer, one_of
from helpers.views import fixed_axes

__all__ = ["GenerationSummary", "demo_view"]


@dataclass(frozen=True)
class GenerationSummary:
    """One measure of every policy at one generation: the median and spread over seeds (lowest and
    highest seed with fewer than ten seeds, else the 10th and 90th percentiles)."""

    measure: str
    generation: int
    medians: dict[str, float]
    lows: dict[str, float]
    highs: dict[str, float]

    def __str__(self) -> str:
        parts = [f"{name} {self.medians[name]:.3g} [{self.lows[name]:.3g}, {self.highs[name]:.3g}]"
                 for name in self.medians]
        return f"{self.measure} at generation {self.generation}: " + "; ".join(parts)


def demo_view(demo: Demo, measure: str = "tail", generation: int | None = None
              ) -> tuple[Figure, GenerationSummary]:
    """One measure of ``demo`` across generations, with a marker line at ``generation``.

    ``generation`` defaults to the last one. Returns the figure and the values
    of every policy at that generation.

    >>> from helpers import demonstrator
    >>> demo = demonstrator.run(data="mixture", model="gaussian", policies=("replace",),
    ...                         generations=3, seeds=2, jobs=1)
    >>> _, summary = demo_view(demo, "tail", 2)
    >>> str(summary).startswith("tail at generation 2: replace")
    True
    """
    demo = _check_demo(demo)
    measure = one_of(measure, "measure", tuple(m.name for m in demo.measures))
    last = demo.results["setting"]["generations"]
    generation = last if generation is None else integer(generation, "generation", minimum=0,
                                                         maximum=last)
    ax = fixed_axes(left=0.08, right=0.66, bottom=0.12, top=0.92, figsize=(9.0, 4.0))
    fig = ax.figure
    _draw_measure(ax, demo, measure)
    # Beside the axes, not on them: with every seed drawn the curves fill the whole panel.
    ax.get_legend().remove()
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False)
    ax.axvline(generation, color="0.3", linestyle=":", linewidth=1.2)
    at = {name: vals[measure][:, generation] for name, vals in demo.values.items()}
    spreads = {name: spread(v) for name, v in at.items()}
    summary = GenerationSummary(measure, generation,
                                {k: q["median"] for k, q in spreads.items()},
                                {k: q["low"] for k, q in spreads.items()},
                                {k: q["high"] for k, q in spreads.items()})
    return fig, summary

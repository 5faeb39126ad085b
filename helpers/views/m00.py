"""The view of notebook 00: how the sample size per generation sets the speed of collapse."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from helpers import chains, plots
from helpers.validate import integer
from helpers.views import fixed_axes, log_floor

__all__ = ["MAX_GENERATIONS", "MAX_CHAINS", "SpreadSummary", "spread_view"]

MAX_GENERATIONS = 5_000  # the slider stops at 1,000
MAX_CHAINS = 1_000


@dataclass(frozen=True)
class SpreadSummary:
    """The numbers of :func:`spread_view`: σ of the last generation across chains."""

    n: int
    generations: int
    chains: int
    median: float  # median fitted σ over chains
    low: float  # 10th percentile
    high: float  # 90th percentile

    def __str__(self) -> str:
        return (f"n = {self.n}, generation {self.generations}: median σ = {self.median:.3g} "
                f"(10–90% of {self.chains} chains: {self.low:.2g} to {self.high:.2g}); "
                "σ started at 1.")


def spread_view(n: int = 20, generations: int = 200, chains_shown: int = 200,
                seed: int = 0) -> tuple[Figure, SpreadSummary]:
    """Fitted σ across generations of the fit→sample loop (MLE, ``n`` samples each).

    Returns the figure (median, 10–90% band and a few single chains, log scale)
    and the summary of the last generation.

    >>> fig, summary = spread_view(n=20, generations=50)
    >>> str(summary).startswith("n = 20, generation 50: median σ")
    True
    """
    n = integer(n, "n", minimum=2, maximum=10**6)
    generations = integer(generations, "generations", minimum=1, maximum=MAX_GENERATIONS)
    chains_shown = integer(chains_shown, "chains_shown", minimum=1, maximum=MAX_CHAINS)
    seed = integer(seed, "seed", minimum=0)
    result = chains.gaussian(n, generations, chains_shown, ddof=0, seed=seed)
    fig = plots.collapse_curve(log_floor(result.std),
                               ax=fixed_axes(left=0.12, right=0.98, bottom=0.12, top=0.92),
                               label=f"n = {n}",
                               spaghetti=min(5, chains_shown), logy=True,
                               ylabel="fitted σ (log scale)")
    fig.axes[0].set_title("Fit → sample → refit: the spread of each chain")
    low, median, high = np.percentile(result.std[-1], [10, 50, 90])
    return fig, SpreadSummary(n, generations, chains_shown, float(median), float(low),
                              float(high))

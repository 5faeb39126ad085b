"""Explorer of notebook 00: how the sample size per generation sets the speed of collapse."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from helpers import chains, plots
from helpers.explorers import explorer, slider

__all__ = ["spread_view", "spread_explorer"]


def spread_view(n: int = 20, generations: int = 200, chains_shown: int = 200,
                seed: int = 0) -> tuple[Figure, str]:
    """Fitted σ across generations of the fit→sample loop (MLE, ``n`` samples each).

    Returns the figure (median, 10–90% band and a few single chains, log scale)
    and a one-line summary of the last generation.

    >>> fig, summary = spread_view(n=20, generations=50)
    >>> summary.startswith("n = 20, generation 50: median σ")
    True
    """
    result = chains.gaussian(n, generations, chains_shown, ddof=0, seed=seed)
    fig = plots.collapse_curve(result.std, label=f"n = {n}", spaghetti=5, logy=True,
                               ylabel="fitted σ (log scale)")
    fig.axes[0].set_title("Fit → sample → refit: the spread of each chain")
    low, median, high = np.percentile(result.std[-1], [10, 50, 90])
    summary = (f"n = {n}, generation {generations}: median σ = {median:.3g} "
               f"(10–90% of {chains_shown} chains: {low:.2g} to {high:.2g}); σ started at 1.")
    return fig, summary


def spread_explorer() -> widgets.VBox:
    """Sliders for the sample size per generation and the number of generations."""
    return explorer(
        spread_view,
        title="How fast does the spread collapse?",
        n=slider("n per gen.", 20, 5, 500, step=5),
        generations=slider("generations", 200, 10, 1000, step=10),
    )

"""Figures and the explorer of notebook 01 (the mechanism of model collapse).

* :func:`feedback_loop_diagram` draws the fit -> sample -> refit loop (no external image);
* :func:`collapse_view` is the pure view behind the explorer: the collapse curve of a
  single Gaussian or of a Zipf token distribution, with its theory overlay;
* :func:`collapse_explorer` wraps the view in sliders and menus.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import NullFormatter

from helpers import chains, plots, theory
from helpers.data import zipf_probs
from helpers.explorers import explorer, slider
from helpers.validate import integer, one_of

__all__ = ["ESTIMATORS", "MODELS", "feedback_loop_diagram", "collapse_view", "collapse_explorer"]

#: Estimator menu of the explorer -> ddof of the fitted variance.
ESTIMATORS = {"MLE": 0, "unbiased": 1}
MODELS = ("Gaussian", "tokens")
#: The token model of the explorer (REFERENCES.md section 1): Zipf exponent 1.5, K = 1000.
ZIPF_EXPONENT, VOCABULARY = 1.5, 1000
GAUSSIAN_CHAINS, TOKEN_CHAINS = 400, 10


def feedback_loop_diagram() -> Figure:
    """The recursive training loop as a diagram: real data -> fit -> sample -> fit again.

    >>> fig = feedback_loop_diagram()
    >>> len(fig.axes)
    1
    """
    fig, ax = plots.new_figure(figsize=(8.0, 3.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4.6)
    ax.set_axis_off()
    palette = plots.OKABE_ITO
    boxes = {
        "real": (1.1, 3.4, "real data\n(only at the start)", palette["bluish_green"]),
        "fit": (5.0, 3.4, "fit a model\n(mean, variance, …)", palette["sky_blue"]),
        "sample": (8.6, 1.9, "sample n new points\nfrom the fitted model", palette["orange"]),
        "train": (5.0, 0.5, "next generation's\ntraining data", palette["reddish_purple"]),
    }
    for x, y, text, colour in boxes.values():
        ax.add_patch(FancyBboxPatch((x - 1.05, y - 0.42), 2.1, 0.84,
                                    boxstyle="round,pad=0.08", facecolor=colour, alpha=0.35,
                                    edgecolor="black", linewidth=1.2))
        ax.text(x, y, text, ha="center", va="center", fontsize=10)

    def arrow(start: tuple[float, float], end: tuple[float, float], text: str,
              where: tuple[float, float], style: str = "-", rad: float = 0.0) -> None:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=16,
                                     linewidth=1.6, linestyle=style, color="black",
                                     connectionstyle=f"arc3,rad={rad}"))
        ax.text(*where, text, ha="center", va="center", fontsize=9, style="italic")

    arrow((2.25, 3.4), (3.85, 3.4), "generation 1", (3.05, 3.75), style="--")
    arrow((6.15, 3.4), (8.2, 2.4), "fitted model", (7.75, 3.25), rad=-0.15)
    arrow((8.2, 1.4), (6.15, 0.55), "synthetic\nsamples", (7.85, 0.6), rad=-0.15)
    arrow((3.85, 0.6), (4.3, 2.9), "refit: generation t + 1", (2.55, 1.75), rad=-0.5)
    ax.text(0.05, 0.55, "Where the loop happens:\n• models trained on synthetic data\n"
            "• a web increasingly written\n   by models, scraped again", ha="left",
            va="center", fontsize=9, color="0.25")
    ax.set_title("The recursive training loop: each model learns from the previous model's "
                 "output", fontsize=11)
    return fig


def _new_axes():
    """Course-style axes with fixed margins: no constrained layout, so redraws are faster."""
    fig, ax = plots.new_figure(layout="none")
    fig.subplots_adjust(left=0.12, right=0.98, bottom=0.12, top=0.92)
    return ax


def _gaussian_panel(n: int, generations: int, ddof: int, seed: int) -> tuple[Figure, str]:
    res = chains.gaussian(n, generations, GAUSSIAN_CHAINS, ddof=ddof, seed=seed)
    t = res.generations
    typical = np.exp(theory.gaussian_log_var(t, n, ddof))
    fig = plots.collapse_curve(res.var, ax=_new_axes(), label="median of simulated chains",
                               spaghetti=5, theory=typical,
                               theory_label="theory: exp E[log σ²] (typical)", logy=True,
                               ylabel="fitted variance σ² (log scale)")
    ax = fig.axes[0]
    expected = theory.gaussian_var(t, n, ddof)
    ax.plot(t, res.var.mean(axis=1), label="mean of simulated chains",
            markevery=max(1, generations // 8), **plots.series_style(1))
    ax.plot(t, expected, label="theory: E[σ²]", color="black", linestyle=":", linewidth=1.8)
    ax.legend(fontsize=8.5, loc="lower left")
    ax.yaxis.set_minor_formatter(NullFormatter())  # fewer labels: faster redraws
    name = [k for k, v in ESTIMATORS.items() if v == ddof][0]
    ax.set_title(f"Gaussian, n = {n} per generation, {name} variance (ddof={ddof})")
    last = res.var[-1]
    summary = (f"Gaussian, n = {n}, {name} (ddof={ddof}), generation {generations}: "
               f"median σ² = {np.median(last):.3g}, mean σ² = {last.mean():.3g} "
               f"({GAUSSIAN_CHAINS} chains); theory E[σ²] = {expected[-1]:.3g}, "
               f"exp E[log σ²] = {typical[-1]:.3g}; σ² started at 1.")
    return fig, summary


def _token_panel(n: int, generations: int, ddof: int, seed: int) -> tuple[Figure, str]:
    p = zipf_probs(VOCABULARY, ZIPF_EXPONENT)
    support = chains.categorical(p, n, generations, TOKEN_CHAINS, seed=seed).support
    expected = theory.expected_support(p, n, np.arange(generations + 1))
    fig = plots.collapse_curve(support, ax=_new_axes(), label="median of simulated chains",
                               spaghetti=5, theory=expected, theory_label="theory: E[support]",
                               logy=True, ylabel="categories still present (log scale)")
    ax = fig.axes[0]
    ax.set_title(f"Zipf tokens (exponent {ZIPF_EXPONENT}, K = {VOCABULARY}), "
                 f"M = {n} per generation")
    ax.legend(fontsize=8.5, loc="upper right")
    ax.yaxis.set_minor_formatter(NullFormatter())
    name = [k for k, v in ESTIMATORS.items() if v == ddof][0]
    summary = (f"tokens, M = {n} per generation, generation {generations}: "
               f"median support = {np.median(support[-1]):.0f} of {VOCABULARY} "
               f"({TOKEN_CHAINS} chains); theory E[support] = {expected[-1]:.1f}; "
               f"lost in generation 1: theory {VOCABULARY - expected[1]:.1f}. "
               f"Estimator {name}: token frequencies are both the MLE and unbiased, "
               "so the curve does not depend on it.")
    return fig, summary


def collapse_view(n: int = 100, generations: int = 200, estimator: str = "MLE",
                  model: str = "Gaussian", seed: int = 0) -> tuple[Figure, str]:
    """The collapse curve of one model with its theory overlay, and a one-line summary.

    ``model="Gaussian"``: fitted variance of 400 chains (median, 10-90% band, a few
    chains, mean) with E[σ²] and exp E[log σ²] from :mod:`helpers.theory`;
    ``estimator`` picks the variance's ddof (MLE 0, unbiased 1). ``model="tokens"``:
    support of a Zipf vocabulary (exponent 1.5, K = 1000) resampled from its own
    frequencies, ``n`` tokens per generation, 10 chains, with the exact E[support].

    >>> fig, summary = collapse_view(n=50, generations=20)
    >>> summary.startswith("Gaussian, n = 50, MLE (ddof=0), generation 20: median σ²")
    True
    """
    n = integer(n, "n", minimum=2)
    generations = integer(generations, "generations", minimum=1)
    ddof = ESTIMATORS[one_of(estimator, "estimator", tuple(ESTIMATORS))]
    model = one_of(model, "model", MODELS)
    seed = integer(seed, "seed", minimum=0)
    panel = _gaussian_panel if model == "Gaussian" else _token_panel
    return panel(n, generations, ddof, seed)


def collapse_explorer() -> widgets.VBox:
    """Sliders for n and the number of generations; menus for the estimator and the model."""
    return explorer(
        collapse_view,
        title="The collapse curve and its theory",
        n=slider("n per gen.", 100, 10, 500, step=10),
        generations=slider("generations", 200, 10, 1000, step=10),
        estimator=widgets.ToggleButtons(options=list(ESTIMATORS), value="MLE",
                                        description="estimator"),
        model=widgets.ToggleButtons(options=list(MODELS), value="Gaussian",
                                    description="model"),
    )

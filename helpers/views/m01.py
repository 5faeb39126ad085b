"""The view of notebook 01 (the mechanism of model collapse).

:func:`collapse_view` draws the collapse curve of a single Gaussian or of a Zipf
token distribution, with its theory overlay. (The feedback-loop diagram is
:func:`helpers.diagrams.feedback_loop_diagram`.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from helpers import chains, plots, theory
from helpers.data import zipf_probs
from helpers.validate import integer, one_of
from helpers.views import fixed_axes, log_floor

__all__ = ["ESTIMATORS", "MODELS", "MAX_N", "MAX_GENERATIONS", "GaussianCollapseSummary",
           "TokenCollapseSummary", "collapse_view"]

#: Estimator menu of the explorer -> ddof of the fitted variance.
ESTIMATORS = {"MLE": 0, "unbiased": 1}
MODELS = ("Gaussian", "tokens")
#: The token model of the explorer (REFERENCES.md section 1): Zipf exponent 1.5, K = 1000.
ZIPF_EXPONENT, VOCABULARY = 1.5, 1000
GAUSSIAN_CHAINS, TOKEN_CHAINS = 400, 10
MAX_GENERATIONS = 2_000  # the slider stops at 1,000; the token counts need G x 10 x K integers
MAX_N = 1_000  # the slider stops at 500; the exact token theory costs G x (n + 1)^2


@dataclass(frozen=True)
class GaussianCollapseSummary:
    """The numbers of the Gaussian panel: fitted σ² of the last generation and its theory."""

    n: int
    estimator: str
    ddof: int
    generations: int
    chains: int
    median: float  # median fitted σ² over chains
    mean: float  # mean fitted σ² over chains
    theory_mean: float  # E[σ²]
    theory_typical: float  # exp E[log σ²]

    def __str__(self) -> str:
        return (f"Gaussian, n = {self.n}, {self.estimator} (ddof={self.ddof}), generation "
                f"{self.generations}: median σ² = {self.median:.3g}, mean σ² = {self.mean:.3g} "
                f"({self.chains} chains); theory E[σ²] = {self.theory_mean:.3g}, "
                f"exp E[log σ²] = {self.theory_typical:.3g}; σ² started at 1.")


@dataclass(frozen=True)
class TokenCollapseSummary:
    """The numbers of the token panel: categories still present and their theory."""

    n: int
    estimator: str
    generations: int
    chains: int
    vocabulary: int
    median_support: float  # median over chains of the categories still present
    theory_support: float  # E[support] at the last generation
    theory_lost_first: float  # E[categories lost in generation 1]

    def __str__(self) -> str:
        return (f"tokens, M = {self.n} per generation, generation {self.generations}: "
                f"median support = {self.median_support:.0f} of {self.vocabulary} "
                f"({self.chains} chains); theory E[support] = {self.theory_support:.1f}; "
                f"lost in generation 1: theory {self.theory_lost_first:.1f}. "
                f"Estimator {self.estimator}: token frequencies are both the MLE and unbiased, "
                "so the curve does not depend on it.")


def _new_axes():
    return fixed_axes(left=0.12, right=0.98, bottom=0.12, top=0.92)


def _gaussian_panel(n: int, generations: int, ddof: int, seed: int
                    ) -> tuple[Figure, GaussianCollapseSummary]:
    res = chains.gaussian(n, generations, GAUSSIAN_CHAINS, ddof=ddof, seed=seed)
    t = res.generations
    typical = np.exp(theory.gaussian_log_var(t, n, ddof))
    fig = plots.collapse_curve(log_floor(res.var), ax=_new_axes(),
                               label="median of simulated chains", spaghetti=5,
                               theory=log_floor(typical),
                               theory_label="theory: exp E[log σ²] (typical)", logy=True,
                               ylabel="fitted variance σ² (log scale)")
    ax = fig.axes[0]
    expected = theory.gaussian_var(t, n, ddof)
    ax.plot(t, log_floor(res.var.mean(axis=1)), label="mean of simulated chains",
            markevery=max(1, generations // 8), **plots.series_style(1))
    ax.plot(t, log_floor(expected), label="theory: E[σ²]", color="black", linestyle=":",
            linewidth=1.8)
    ax.legend(fontsize=8.5, loc="lower left")
    ax.yaxis.set_minor_formatter(NullFormatter())  # fewer labels: faster redraws
    name = [k for k, v in ESTIMATORS.items() if v == ddof][0]
    ax.set_title(f"Gaussian, n = {n} per generation, {name} variance (ddof={ddof})")
    last = res.var[-1]
    return fig, GaussianCollapseSummary(n, name, ddof, generations, GAUSSIAN_CHAINS,
                                        float(np.median(last)), float(last.mean()),
                                        float(expected[-1]), float(typical[-1]))


def _token_panel(n: int, generations: int, ddof: int, seed: int
                 ) -> tuple[Figure, TokenCollapseSummary]:
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
    return fig, TokenCollapseSummary(n, name, generations, TOKEN_CHAINS, VOCABULARY,
                                     float(np.median(support[-1])), float(expected[-1]),
                                     float(VOCABULARY - expected[1]))


def collapse_view(n: int = 100, generations: int = 200, estimator: str = "MLE",
                  model: str = "Gaussian", seed: int = 0
                  ) -> tuple[Figure, GaussianCollapseSummary | TokenCollapseSummary]:
    """The collapse curve of one model with its theory overlay, and a one-line summary.

    ``model="Gaussian"``: fitted variance of 400 chains (median, 10-90% band, a few
    chains, mean) with E[σ²] and exp E[log σ²] from :mod:`helpers.theory`;
    ``estimator`` picks the variance's ddof (MLE 0, unbiased 1). ``model="tokens"``:
    support of a Zipf vocabulary (exponent 1.5, K = 1000) resampled from its own
    frequencies, ``n`` tokens per generation, 10 chains, with the exact E[support].

    >>> fig, summary = collapse_view(n=50, generations=20)
    >>> str(summary).startswith("Gaussian, n = 50, MLE (ddof=0), generation 20: median σ²")
    True
    >>> round(summary.theory_mean, 4)  # E[σ²] = (1 - 1/50)^20
    0.6676
    """
    n = integer(n, "n", minimum=2, maximum=MAX_N)
    generations = integer(generations, "generations", minimum=1, maximum=MAX_GENERATIONS)
    ddof = ESTIMATORS[one_of(estimator, "estimator", tuple(ESTIMATORS))]
    model = one_of(model, "model", MODELS)
    seed = integer(seed, "seed", minimum=0)
    panel = _gaussian_panel if model == "Gaussian" else _token_panel
    return panel(n, generations, ddof, seed)

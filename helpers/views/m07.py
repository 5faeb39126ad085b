"""The view of notebook 07: the loop of a small neural language model under a decoding and a policy.

The runs are computed once in the lesson (:func:`helpers.lm.loop_runs`); the view only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from helpers import plots
from helpers.lm import LoopRuns
from helpers.validate import integer, one_of
from helpers.views import fixed_axes

__all__ = ["DecodingSummary", "decoding_view"]

MEASURES = ("perplexity", "rare_char_recall", "distinct_4", "tail_mass", "rare_word_recall",
            "repetition")
_LABELS = {"perplexity": "held-out perplexity per character",
           "rare_char_recall": "rare-character recall", "rare_word_recall": "rare-word recall",
           "distinct_4": "distinct-4 (characters)", "repetition": "repetition (1 − types/tokens)",
           "tail_mass": "share of rare characters"}


@dataclass(frozen=True)
class DecodingSummary:
    """Median and min–max over seeds at one generation, for the chosen and the reference run."""

    decoding: str
    policy: str
    measure: str
    generation: int
    n_runs: int
    perplexity: tuple[float, float, float]  # median, min, max
    chosen: tuple[float, float, float]  # the chosen measure: median, min, max
    reference_perplexity: float  # median of T = 1 under the same policy

    def __str__(self) -> str:
        p, t = self.perplexity, self.chosen
        return (f"{self.decoding}, {self.policy}, generation {self.generation} "
                f"({self.n_runs} seeds, median [min, max]): perplexity {p[0]:.2f} "
                f"[{p[1]:.2f}, {p[2]:.2f}] (T = 1: {self.reference_perplexity:.2f}); "
                f"{_LABELS[self.measure]} {t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]")


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    return float(np.median(values)), float(values.min()), float(values.max())


def decoding_view(runs: LoopRuns, decoding: str = "top-p 0.9", policy: str = "replace",
                  measure: str = "rare_char_recall", generation: int | None = None
                  ) -> tuple[Figure, DecodingSummary]:
    """One measure across generations: held-out perplexity (log scale) or a tail measure.

    The chosen ``decoding`` and ``policy`` are drawn as the median over seeds with the
    min–max band, with the first decoding (T = 1) under the same policy as the reference; a
    dotted line marks ``generation`` (default the last). The summary gives the perplexity
    and the chosen measure at that generation.

    >>> from helpers.lm import load_char_corpus, loop_runs
    >>> runs = loop_runs(load_char_corpus(n_train=20, n_heldout=5), generations=1,
    ...                  seeds=(0, 1), steps=5)
    >>> str(decoding_view(runs, generation=1)[1]).startswith("top-p 0.9, replace, generation 1")
    True
    """
    if not isinstance(runs, LoopRuns):
        raise TypeError(f"runs must be the result of helpers.lm.loop_runs, "
                        f"got {type(runs).__name__}")
    decoding = one_of(decoding, "decoding", runs.decodings)
    policy = one_of(policy, "policy", runs.policies)
    measure = one_of(measure, "measure", MEASURES)
    last = runs.generations
    generation = last if generation is None else integer(generation, "generation", minimum=0,
                                                         maximum=last)
    reference = runs.decodings[0]
    ax = fixed_axes(0.1, 0.98, 0.13, 0.9, figsize=(8, 3.8))
    x = np.arange(last + 1)
    for k, label in enumerate(dict.fromkeys((reference, decoding))):
        values = runs.at(measure, label, policy)
        style = plots.series_style(k)
        ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=style["color"],
                        alpha=0.2, linewidth=0)
        ax.plot(x, np.median(values, axis=0), label=f"{label}, {policy}: median, min–max",
                **style)
    ax.axvline(generation, color="0.3", linestyle=":", linewidth=1.2)
    ax.set_xlabel("generation")
    ax.set_ylabel(_LABELS[measure])
    if measure == "perplexity":  # it rises by orders of magnitude under truncation
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())
    ax.legend(loc="upper left")
    ax.set_title("held-out real text" if measure == "perplexity" else "the generated corpus")
    fig = ax.figure
    summary = DecodingSummary(
        decoding, policy, measure, generation, len(runs.seeds),
        _spread(runs.at("perplexity", decoding, policy)[:, generation]),
        _spread(runs.at(measure, decoding, policy)[:, generation]),
        float(np.median(runs.at("perplexity", reference, policy)[:, generation])))
    return fig, summary

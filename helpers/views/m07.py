"""The view of notebook 07: the loop of a small neural language model under a decoding and a policy.

The runs are computed once in the lesson (:func:`helpers.lm.loop_runs`); the view only draws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from helpers import plots
from helpers.lm import LoopRuns
from helpers.validate import integer, one_of
from helpers.views import fixed_figure

__all__ = ["DecodingSummary", "decoding_view"]

TAIL_MEASURES = ("rare_char_recall", "distinct_4", "tail_mass", "rare_word_recall",
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
    tail: tuple[float, float, float]
    reference_perplexity: float  # median of T = 1 under the same policy

    def __str__(self) -> str:
        p, t = self.perplexity, self.tail
        return (f"{self.decoding}, {self.policy}, generation {self.generation} "
                f"({self.n_runs} seeds, median [min, max]): perplexity {p[0]:.2f} "
                f"[{p[1]:.2f}, {p[2]:.2f}] (T = 1: {self.reference_perplexity:.2f}); "
                f"{_LABELS[self.measure]} {t[0]:.3f} [{t[1]:.3f}, {t[2]:.3f}]")


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    return float(np.median(values)), float(values.min()), float(values.max())


def decoding_view(runs: LoopRuns, decoding: str = "top-p 0.9", policy: str = "replace",
                  measure: str = "rare_char_recall", generation: int | None = None
                  ) -> tuple[Figure, DecodingSummary]:
    """Perplexity (left, log scale) and one tail measure (right) across generations.

    The chosen ``decoding`` and ``policy`` are drawn as the median over seeds with the
    min–max band, with T = 1 under the same policy as the reference (grey); a dotted line
    marks ``generation`` (default the last).

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
    measure = one_of(measure, "measure", TAIL_MEASURES)
    last = runs.generations
    generation = last if generation is None else integer(generation, "generation", minimum=0,
                                                         maximum=last)
    reference = runs.decodings[0]
    fig, (left, right) = fixed_figure(0.08, 0.98, 0.13, 0.9, figsize=(10, 3.8), ncols=2,
                                      wspace=0.25)
    for ax, name in ((left, "perplexity"), (right, measure)):
        for label in dict.fromkeys((reference, decoding)):
            values = runs.at(name, label, policy)
            plots.collapse_curve(values.T, ax=ax, label=f"{label}, {policy}", band=(0, 100),
                                 ylabel=_LABELS[name], logy=name == "perplexity")
        ax.axvline(generation, color="0.3", linestyle=":", linewidth=1.2)
    left.set_title("the model, on held-out real text")
    right.set_title("its generated corpus")
    summary = DecodingSummary(
        decoding, policy, measure, generation, len(runs.seeds),
        _spread(runs.at("perplexity", decoding, policy)[:, generation]),
        _spread(runs.at(measure, decoding, policy)[:, generation]),
        float(np.median(runs.at("perplexity", reference, policy)[:, generation])))
    return fig, summary

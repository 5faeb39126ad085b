"""Checks for the exercises of notebook 00 (start here)."""

from __future__ import annotations

import numpy as np

from helpers.checks.core import Hint, as_array, call, exercise
from helpers.checks.shared import DATA, FROM_THE_TRUTH, RNG_NOT_USED, SEED, draw

__all__ = ["one_generation"]


@exercise("00.1", "one generation of the loop")
def one_generation(fn) -> str:
    """Check ``fn(data, rng)``: fit a Gaussian by MLE, return len(data) samples from the fit."""
    what = "one_generation(data, rng)"
    got = as_array(call(fn, DATA.copy(), np.random.default_rng(SEED)), what)
    if got.shape != DATA.shape:
        raise Hint(f"{what} should return as many samples as it was given "
                   f"({DATA.size}, a 1-D array), got shape {got.shape}.")
    mean, std = DATA.mean(), DATA.std()
    if np.allclose(got, draw(mean, std)):
        return "correct: you fitted N(mean, std²) with the MLE and sampled from the fit."
    mistakes = {
        "your standard deviation divides by n−1 (ddof=1); this exercise asks for the MLE, "
        "which divides by n: use np.std(data) or data.std().": draw(mean, DATA.std(ddof=1)),
        FROM_THE_TRUTH: draw(0.0, 1.0),
        "the second argument of rng.normal is the standard deviation, not the variance: "
        "pass data.std(), not data.var().": draw(mean, DATA.var()),
    }
    for hint, wrong in mistakes.items():
        if np.allclose(got, wrong):
            raise Hint(hint)
    again = as_array(call(fn, DATA.copy(), np.random.default_rng(SEED)), what)
    if not np.array_equal(got, again):
        raise Hint(RNG_NOT_USED)
    return _check_distribution(fn, what)


def _check_distribution(fn, what: str) -> str:
    """Accept a different but valid way of sampling: check the sample's moments."""
    data = np.random.default_rng(1).normal(5.0, 2.0, size=20_000)
    got = as_array(call(fn, data, np.random.default_rng(2)), what, shape=data.shape)
    mean_err = abs(got.mean() - data.mean()) / (data.std() / np.sqrt(data.size))
    std_ratio = got.std() / data.std()
    if mean_err > 4:
        raise Hint("the mean of your samples is far from the mean of `data`: sample from "
                   "N(data.mean(), data.std()²).")
    if abs(std_ratio - 1) > 0.05:
        raise Hint(f"your samples' spread is {std_ratio:.2f} times the spread of `data`; "
                   "it should match it: use data.std() as the scale.")
    return "correct: your samples follow the fitted Gaussian (drawn in a different order "\
           "from ours, which is fine)."

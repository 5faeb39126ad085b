"""Checks for the exercises of notebook 00 (start here)."""

from __future__ import annotations

import numpy as np

from helpers.checks.core import Hint, RecordingGenerator, as_array, call, exercise
from helpers.checks.shared import (
    DATA,
    FALLBACK_CALLS,
    FALLBACK_N,
    FROM_THE_TRUTH,
    SEED,
    diagnose_changed_draws,
    draw,
    normal_request,
    parametric_sample,
    require_rng_use,
    same_stream,
)

__all__ = ["one_generation"]


@exercise("00.1", "one generation of the loop",
          hints=("ddof-one", "sampled-from-truth", "variance-as-scale", "mean-off", "spread-off",
                 "wrong-count", "resampled-data", "no-sampling-error", "draws-changed"))
def one_generation(fn) -> str:
    """Check ``fn(data, rng)``: fit a Gaussian by MLE, return len(data) samples from the fit."""
    what = "one_generation(data, rng)"

    def run(rng: np.random.Generator) -> np.ndarray:
        return as_array(call(fn, DATA.copy(), rng), what)

    rng = RecordingGenerator(SEED)
    got = run(rng)
    if got.shape != DATA.shape:
        hint_id = "wrong-count" if got.ndim == 1 else "wrong-shape"
        raise Hint(f"{what} should return as many samples as it was given "
                   f"({DATA.size}, a 1-D array), got shape {got.shape}.", id=hint_id)
    require_rng_use(run, got, rng, what)
    mean, std = DATA.mean(), DATA.std()
    if np.allclose(got, draw(mean, std)):
        return "correct: you fitted N(mean, std²) with the MLE and sampled from the fit."
    for (hint_id, hint), scale in _SCALE_MISTAKES.items():
        if np.allclose(got, draw(mean, scale)):
            raise Hint(hint, id=hint_id)
    if np.allclose(got, draw(0.0, 1.0)):
        raise Hint(FROM_THE_TRUTH, id="sampled-from-truth")
    if same_stream(rng, lambda r: r.normal(mean, std, size=DATA.size)):
        return _from_the_right_stream(got, what)
    _requested_parameters(rng)
    return _check_distribution(fn, what)


# the scales of the plausible slips, with their hints
_SCALE_MISTAKES = {
    ("ddof-one", "your standard deviation divides by n−1 (ddof=1); this exercise asks for "
     "the MLE, which divides by n: use np.std(data) or data.std()."): DATA.std(ddof=1),
    ("variance-as-scale", "the second argument of rng.normal is the standard deviation, "
     "not the variance: pass data.std(), not data.var()."): DATA.var(),
}


def _from_the_right_stream(got: np.ndarray, what: str) -> str:
    """The answer drew exactly the task's numbers: a reordering is right, anything else is named."""
    mean, std = DATA.mean(), DATA.std()
    right = draw(mean, std)
    if np.allclose(np.sort(got), np.sort(right)):
        return ("correct: you fitted N(mean, std²) with the MLE and sampled from the fit "
                "(in another order, which is fine).")
    diagnose_changed_draws(got, right, mean, std, lambda factor, shift: {
        "spread-off": f"your samples' spread is {factor:.2f} times the fitted standard "
                      f"deviation np.std(data) = {std:.4g}: use it as the scale of rng.normal, "
                      "unchanged.",
        "mean-off": f"your samples are shifted by {shift:.3g} from the fitted mean "
                    f"np.mean(data) = {mean:.4g}: draw around it, unchanged.",
        "no-sampling-error": f"{what} rescales its draws to have exactly the fitted mean and "
                             "standard deviation. A sample of n points from the fit has "
                             "sampling error (its mean varies by about sd/√n from sample to "
                             "sample); return the draws of rng.normal as they are."})
    raise Hint(f"{what} drew exactly the random numbers the task asks for, "
               "rng.normal(np.mean(data), np.std(data), size=len(data)), but returned "
               "something else: return those draws as they are.", id="draws-changed")


def _requested_parameters(rng: RecordingGenerator) -> None:
    """One rng.normal call, whatever the order of the output: name a wrong mean or scale."""
    request = normal_request(rng)
    if request is None:
        return
    mean, std = DATA.mean(), DATA.std()
    loc, scale, _ = request
    if np.isclose(loc, 0.0) and np.isclose(scale, 1.0):
        raise Hint(FROM_THE_TRUTH, id="sampled-from-truth")
    for (hint_id, hint), wrong in _SCALE_MISTAKES.items():
        if np.isclose(scale, wrong) and not np.isclose(scale, std):
            raise Hint(hint, id=hint_id)
    if not np.isclose(loc, mean):
        raise Hint(f"you asked rng.normal for mean {loc:.4g}; the fitted mean of `data` is "
                   f"{mean:.4g} (np.mean(data)).", id="mean-off")
    if not np.isclose(scale, std):
        raise Hint(f"you asked rng.normal for standard deviation {scale:.4g}; the MLE fit "
                   f"of `data` has {std:.4g} (np.std(data)).", id="spread-off")


def _check_distribution(fn, what: str) -> str:
    """Accept another valid way of sampling: fresh draws, right sampling error, right law."""
    data = np.random.default_rng(1).normal(5.0, 2.0, size=FALLBACK_N)
    rng = np.random.default_rng(2)
    draws = np.array([as_array(call(fn, data.copy(), rng), what, shape=data.shape)
                      for _ in range(FALLBACK_CALLS)])
    parametric_sample(draws, data, data.mean(), data.std(), what)
    return "correct: your samples follow the fitted Gaussian (drawn in a different order "\
           "from ours, which is fine)."

"""Checks for the exercises of notebook 02 (replacement vs accumulation).

Generation 1 is the model fitted on the real data; generation t >= 2 is fitted on the
training set that the data policy builds (the convention of the lesson).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from helpers import chains, theory
from helpers.checks.core import (
    Hint,
    RecordingGenerator,
    as_array,
    as_float,
    call,
    close,
    diagnose,
    exercise,
)
from helpers.checks.shared import require_parametric_draws, require_rng_use, same_stream

__all__ = ["accumulate_loop", "linreg_errors", "simulated_error", "smallest_real_fraction",
           "training_cost"]


# ---------------------------------------------------------------- 02.1 accumulate loop

_REAL = np.array([0.9, -1.3, 0.2, 1.7, -0.4, 0.6, -2.1, 1.1, 0.0, -0.8, 0.5, 1.4])
_GENERATIONS = 6
_SEED = 11


def _gaussian_loop(real: np.ndarray, generations: int, rng: np.random.Generator, *,
                   keep_real: bool = True, keep_synthetic: bool = True, ddof: int = 0,
                   scale_is_var: bool = False, from_truth: bool = False,
                   refit: bool = True, late: bool = False, rescaled: bool = False
                   ) -> np.ndarray:
    """The reference loop and its likely variants (all draw from ``rng`` in the same order)."""
    pool = [np.asarray(real, dtype=float)]
    mean, var = float(np.mean(pool[0])), float(np.var(pool[0], ddof=ddof))
    variances, synthetic = [var], []
    for _ in range(2, generations + 1):
        scale = var if scale_is_var else math.sqrt(var)
        draw = (rng.normal(0.0, 1.0, size=len(real)) if from_truth
                else rng.normal(mean, scale, size=len(real)))
        if rescaled:  # the mistake: draws forced to exactly the fitted mean and sd
            draw = mean + scale * (draw - draw.mean()) / draw.std()
        synthetic = synthetic + [draw] if keep_synthetic else [draw]
        data = np.concatenate(pool + synthetic if keep_real else synthetic)
        fitted = float(np.mean(data)), float(np.var(data, ddof=ddof))
        previous = var
        if refit:
            mean, var = fitted
        variances.append(previous if late else fitted[1])
    return np.array(variances)


def _loop_with_seed(**variant) -> np.ndarray:
    return _gaussian_loop(_REAL, _GENERATIONS, np.random.default_rng(_SEED), **variant)


_ACCUMULATE_MISTAKES = {
    "replace-policy": (
        "you trained each generation on the newest synthetic draws only: that is the replace "
        "policy. Keep a list of everything so far (the real data and every synthetic set) and "
        "refit on all of it (np.concatenate).", dict(keep_real=False, keep_synthetic=False)),
    "newest-synthetic-only": (
        "you kept the real data but only the newest synthetic set. Accumulate keeps every "
        "synthetic set as well: the pool grows by len(real) points each generation.",
        dict(keep_synthetic=False)),
    "real-data-dropped": (
        "your pool leaves out the real data from generation 2 on. Accumulate keeps the real "
        "data in every training set, next to all the synthetic sets.", dict(keep_real=False)),
    "ddof-one": (
        "your variance divides by n−1 (ddof=1); this exercise fits by maximum likelihood, "
        "which divides by n: use np.var(data).", dict(ddof=1)),
    "variance-as-scale": (
        "the scale of rng.normal is the standard deviation: pass np.sqrt(var) (or the np.std "
        "of the pool), not the variance.", dict(scale_is_var=True)),
    "sampled-from-truth": (
        "you drew the synthetic data from the true N(0, 1). Each generation samples from the "
        "model fitted at the previous generation (its mean and standard deviation).",
        dict(from_truth=True)),
    "no-sampling-error": (
        "your loop rescales each synthetic set to exactly the fitted mean and standard "
        "deviation, so the variance cannot drift: a sample has sampling error, and that error "
        "is what the policy controls. Use the draws of rng.normal as they are.",
        dict(rescaled=True)),
    "no-refit": (
        "every generation samples from the fit to the real data: after refitting on the pool, "
        "the next generation must sample from that new fit (its mean and standard deviation).",
        dict(refit=False)),
}


@exercise("02.1", "the accumulate policy for the Gaussian loop",
          hints=("extra-generation", "pool-doubles", *_ACCUMULATE_MISTAKES,
                 "returned-std", "starts-one-late", "wrong-first-generation", "replace-in-law",
                 "off-theory", "recorded-late", "recorded-wrong-value", "resampled-data"))
def accumulate_loop(fn: Callable) -> str:
    """Check ``fn(real, generations, rng)`` -> fitted variances of generations 1..generations."""
    what = f"accumulate_loop(real, {_GENERATIONS}, rng)"

    def run(rng: np.random.Generator) -> np.ndarray:
        return as_array(call(fn, _REAL.copy(), _GENERATIONS, rng), what)

    rng = RecordingGenerator(_SEED)
    got = run(rng)
    _require_one_per_generation(got, what)
    require_rng_use(run, got, rng, what)
    _require_draw_sizes(rng, len(_REAL), what)
    if np.allclose(got, _loop_with_seed()):
        return ("correct: every generation refits on the real data plus all the synthetic "
                "data so far.")
    for hint_id, (hint, variant) in _ACCUMULATE_MISTAKES.items():
        if np.allclose(got, _loop_with_seed(**variant)):
            raise Hint(hint, id=hint_id)
    if np.allclose(got, np.sqrt(_loop_with_seed())):
        raise Hint("you returned standard deviations; return the fitted variances (np.var).",
                   id="returned-std")
    if np.allclose(got, _gaussian_loop(_REAL, _GENERATIONS + 1,
                                       np.random.default_rng(_SEED))[1:]):
        raise Hint("your first value should be the fit to the real data (generation 1); yours "
                   "starts one generation later, after the first synthetic draw.",
                   id="starts-one-late")
    if not np.isclose(got[0], np.var(_REAL)):
        raise Hint(f"generation 1 should be the MLE fit to the real data, variance "
                   f"{np.var(_REAL):.4f}; your first value is {got[0]:.4f}.",
                   id="wrong-first-generation")
    require_parametric_draws(rng, what)
    if same_stream(rng, lambda r: _gaussian_loop(_REAL, _GENERATIONS, r)):
        _recorded_wrong(got, what)
    return _check_accumulate_in_law(fn)


def _require_one_per_generation(got: np.ndarray, what: str) -> None:
    if got.shape == (_GENERATIONS + 1,):
        raise Hint(f"{what} returned {_GENERATIONS + 1} values; return one variance per "
                   f"generation 1..{_GENERATIONS} (generation 1 = the fit to the real data), "
                   "without the truth and without an extra generation.", id="extra-generation")
    if got.shape != (_GENERATIONS,):
        raise Hint(f"{what} should return a 1-D array of {_GENERATIONS} variances, one per "
                   f"generation, got shape {got.shape}.", id="wrong-shape")


def _recorded_wrong(got: np.ndarray, what: str) -> None:
    """The answer drew our random numbers but recorded something else: name what."""
    diagnose(got, _loop_with_seed(), {"recorded-late": (
        "your draws are ours, but each entry holds the variance of the model you sampled "
        "from, one generation late: record the variance right after refitting on the pool "
        "(entry t = the fit of generation t).", lambda: _loop_with_seed(late=True))},
        same=np.allclose)
    raise Hint(f"{what} draws exactly our random numbers (same calls, same parameters), so "
               "the difference is in what it records: entry t must be np.var of the pool "
               "that generation t is fitted on.", id="recorded-wrong-value")


def _require_draw_sizes(rng: RecordingGenerator, n: int, what: str) -> None:
    """Each generation draws len(real) new points: a pool that doubles is caught here."""
    counts = [draw.count for draw in rng.draws]
    if len(counts) >= 2 and counts[0] >= n and all(
            later >= 2 * earlier for earlier, later in zip(counts, counts[1:], strict=False)):
        raise Hint(f"{what} drew {', '.join(map(str, counts[:4]))}, … points in successive "
                   "generations: you drew as many points as the pool holds, so the pool "
                   f"doubles every generation (and soon fills the memory). Draw len(real) = {n} "
                   "new points per generation.", id="pool-doubles")


def _check_accumulate_in_law(fn: Callable) -> str:
    """Accept another valid sampling order: compare many runs with the closed forms."""
    n, generations, runs = 20, 10, 1500
    last = np.empty(runs)
    for i in range(runs):
        rng = np.random.default_rng(1000 + i)
        out = as_array(call(fn, rng.normal(size=n), generations, rng),
                       f"accumulate_loop(real, {generations}, rng)", shape=(generations,))
        last[i] = out[-1]
    se = last.std(ddof=1) / math.sqrt(runs)
    accumulate = theory.gaussian_accumulate_var(generations, n)
    if abs(last.mean() - accumulate) <= 4 * se:
        return ("correct: your loop keeps the variance as accumulate should (checked against "
                "the closed form over many runs; your random draws come in a different order "
                "from ours, which is fine).")
    replace = theory.gaussian_var(generations, n)
    if abs(last.mean() - replace) <= 4 * se:
        raise Hint("over many runs your variance falls like the replace policy's: refit on the "
                   "whole pool (real data plus all synthetic sets), not on the newest set.",
                   id="replace-in-law")
    raise Hint(f"over {runs} runs with n = {n}, your mean variance at generation {generations} "
               f"is {last.mean():.3f}; accumulate gives {accumulate:.3f} on average.",
               id="off-theory")


# ---------------------------------------------------------------- 02.2 closed forms

_LINREG_CASES = [(5, 10, 100, 1.0), (7, 4, 30, 2.5), (1, 3, 12, 0.5)]


def _linreg(k: int, d: int, T: int, s2: float, *, denom: int = 1, power: int = 2,
            shift: int = 0, bound_factor: bool = True, use_noise: bool = True
            ) -> np.ndarray:
    one_fit = (s2 if use_noise else 1.0) * d / (T - d - denom)
    terms = 1.0 / np.arange(1, k + shift + 1) ** power
    bound = math.pi**2 / 6 * (one_fit if bound_factor else 1.0)
    return np.array([(k + shift) * one_fit, one_fit * terms.sum(), bound])


@exercise("02.2", "replace and accumulate errors of linear regression",
          hints=("swapped-order", "denominator-t-minus-d", "harmonic-not-squares",
                 "iteration-off-by-one", "bound-without-e", "noise-var-missing"))
def linreg_errors(fn: Callable) -> str:
    """Check ``fn(k, d, T, noise_var)`` -> (replace error, accumulate error, bound)."""
    for k, d, T, s2 in _LINREG_CASES:
        what = f"linreg_errors({k}, {d}, {T}, {s2})"
        got = as_array(call(fn, k, d, T, s2), what)
        if got.shape != (3,):
            raise Hint(f"{what} should return three numbers (replace error, accumulate error, "
                       f"bound), got shape {got.shape}.", id="wrong-shape")
        expected = np.array([theory.linreg_error(k, d, T, s2, "replace"),
                             theory.linreg_error(k, d, T, s2, "accumulate"),
                             theory.linreg_accumulate_bound(d, T, s2)])
        if np.allclose(got, expected, rtol=1e-6):
            continue
        if np.allclose(got, expected[[1, 0, 2]], rtol=1e-6):
            raise Hint(f"{what}: you swapped the first two: return (replace error, accumulate "
                       "error, bound) in that order.", id="swapped-order")
        mistakes = {
            ("denominator-t-minus-d",
             "the one-generation error is noise_var·d/(T − d − 1): the mean of tr((XᵀX)⁻¹) for a "
            "Gaussian design has T − d − 1 in the denominator, not T − d."):
                _linreg(k, d, T, s2, denom=0),
            ("harmonic-not-squares",
             "the accumulate sum is over 1/i² (squares), not 1/i: each new label set enters the "
            "average with weight 1/i, and its variance with 1/i²."): _linreg(k, d, T, s2, power=1),
            ("iteration-off-by-one",
             "off by one: after iteration k there are k noise terms (i = 1..k); iteration 1 is "
            "the fit on the real labels."): _linreg(k, d, T, s2, shift=-1),
            ("bound-without-e",
             "the bound is (π²/6) times the one-generation error noise_var·d/(T − d − 1), not "
            "π²/6 on its own."): _linreg(k, d, T, s2, bound_factor=False),
            ("noise-var-missing",
             "the errors scale with the noise variance: multiply by noise_var."):
                _linreg(k, d, T, s2, use_noise=False),
        }
        names = ("replace error", "accumulate error", "bound")
        for (hint_id, hint), wrong in mistakes.items():
            matches = np.isclose(got, wrong, rtol=1e-6) & ~np.isclose(expected, wrong, rtol=1e-6)
            if matches.any():
                raise Hint(f"{what}: {hint}", id=hint_id)
        bad = [name for name, g, e in zip(names, got, expected, strict=True) if not close(g, e)]
        raise Hint(f"{what}: the {' and the '.join(bad)} should be "
                   + ", ".join(f"{e:.4f}" for e in expected) + " for (replace, accumulate, "
                   "bound); check the formulas of section 2.", id="wrong-value")
    return ("correct: replace grows like k·e, accumulate like e·Σ1/i², below (π²/6)·e, "
            "with e = noise_var·d/(T − d − 1).")


# ---------------------------------------------------------------- 02.3 simulation


def _simulated(k: int, policy: str, seed: int, *, row_shift: int = 0,
               median: bool = False, se_root: bool = True) -> np.ndarray:
    errors = chains.linear_regression(10, 100, 1.0, generations=k + 1, chains=300,
                                      policy=policy, seed=seed).error[k + row_shift]
    centre = np.median(errors) if median else errors.mean()
    sd = errors.std(ddof=1)
    return np.array([centre, sd / math.sqrt(errors.size) if se_root else sd / errors.size])


@exercise("02.3", "the linear-regression errors by simulation",
          hints=("row-off-by-one", "median-not-mean", "policy-ignored", "se-not-root",
                 "se-wrong"))
def simulated_error(fn: Callable) -> str:
    """Check ``fn(k, policy, seed)`` -> (mean error at iteration k over 300 chains, its SE)."""
    for k, policy, seed in [(5, "replace", 0), (3, "accumulate", 4)]:
        what = f"simulated_error({k}, {policy!r}, seed={seed})"
        got = as_array(call(fn, k, policy, seed), what)
        if got.shape != (2,):
            raise Hint(f"{what} should return two numbers (mean error, standard error), got "
                       f"shape {got.shape}.", id="wrong-shape")
        expected = _simulated(k, policy, seed)
        if np.isclose(got[0], expected[0], rtol=1e-9) and np.isclose(got[1], expected[1],
                                                                     rtol=0.01):
            continue
        other = "accumulate" if policy == "replace" else "replace"
        mistakes = {
            "row-off-by-one": (f"off by one: row k of the array is iteration k (row 0 is the "
                               f"truth, error 0); use .error[{k}], not .error[{k - 1}].",
                               _simulated(k, policy, seed, row_shift=-1)),
            "median-not-mean": ("the closed forms are expectations, so compare them with the "
                                "mean over chains, not the median (the errors have a skewed, "
                                "χ²-like distribution).", _simulated(k, policy, seed, median=True)),
            "policy-ignored": (f"you got the {other!r} result: pass the `policy` argument on "
                               "to chains.linear_regression(..., policy=policy).",
                               _simulated(k, other, seed)),
        }
        for hint_id, (hint, wrong) in mistakes.items():
            if np.isclose(got[0], wrong[0], rtol=1e-9):
                raise Hint(f"{what}: {hint}", id=hint_id)
        if np.isclose(got[0], expected[0], rtol=1e-9):
            wrong_se = _simulated(k, policy, seed, se_root=False)[1]
            if np.isclose(got[1], wrong_se, rtol=0.01):
                raise Hint(f"{what}: the standard error of a mean is the standard deviation "
                           "divided by the square root of the number of chains (√300).",
                           id="se-not-root")
            raise Hint(f"{what}: your mean is right; the standard error should be "
                       f"{expected[1]:.4f} (standard deviation over the 300 chains / √300).",
                       id="se-wrong")
        if np.array_equal(as_array(call(fn, k, policy, seed + 1), what), got):
            raise Hint(f"{what} gives the same result for another seed: pass the `seed` "
                       "argument on, chains.linear_regression(..., seed=seed).",
                       id="rng-fixed-seed")
        raise Hint(f"{what} should give a mean error of {expected[0]:.4f}: call "
                   f"chains.linear_regression(10, 100, 1.0, generations={k}, chains=300, "
                   f"policy={policy!r}, seed={seed}) and average row {k} of its .error over "
                   "the chains.", id="wrong-value")
    return "correct: the mean over 300 chains and its standard error."


# ---------------------------------------------------------------- 02.4 smallest fraction

def _curve(level: float, index: int | slice | None = None,
           value: float | None = None) -> np.ndarray:
    """A flat curve over generations 1..50, optionally different at ``index``."""
    curve = np.full(50, level)
    if index is not None:
        curve[index] = value
    return curve


# (curves, tolerance): together the cases separate the right answer from each likely mistake
_FRACTION_CASES = [
    # a dip on the way (last generation only?) and a larger passing fraction (largest?)
    ({0.0: _curve(0.5), 0.2: _curve(0.95, 10, 0.7), 0.4: _curve(0.96), 0.6: _curve(1.0)}, 0.1),
    # a long excursion that ends well (last only?) and a short dip (averaged over generations?)
    ({0.1: _curve(1.0, slice(0, 30), 0.8), 0.3: _curve(0.95, 5, 0.7), 0.5: _curve(1.0)}, 0.1),
    # tails too heavy at the end (one-sided?)
    ({0.0: _curve(0.3), 0.1: _curve(0.97, 49, 1.3), 0.2: _curve(0.98), 1.0: _curve(1.0)}, 0.2),
    # keys not in increasing order (dictionary order?)
    ({0.8: _curve(0.99), 0.2: _curve(0.6), 0.5: _curve(0.97)}, 0.05),
    # a curve exactly on the edge of the tolerance (strict inequality?)
    ({0.2: _curve(0.75), 0.6: _curve(1.0), 0.0: _curve(0.5)}, 0.25),
    # nothing passes
    ({0.0: _curve(0.2), 0.5: _curve(0.7)}, 0.1),
]


def _smallest(curves: dict, tolerance: float, *, last_only: bool = False,
              averaged: bool = False, one_sided: bool = False, strict: bool = False,
              in_order: bool = False, largest: bool = False, index: bool = False,
              percent: bool = False):
    keys = list(curves) if in_order else sorted(curves, reverse=largest)
    for position, f in enumerate(keys):
        c = np.asarray(curves[f])
        c = c[-1:] if last_only else np.atleast_1d(c.mean()) if averaged else c
        low = c > 1 - tolerance if strict else c >= 1 - tolerance
        high = c < 1 + tolerance if strict else c <= 1 + tolerance
        if np.all(low if one_sided else low & high):
            return position if index else 100 * f if percent else f
    return None


_FRACTION_MISTAKES = {
    "last-generation-only": ("you looked at the last generation only; the curve must stay "
                             "within the tolerance at every generation (a dip on the way "
                             "counts).", dict(last_only=True)),
    "averaged-over-generations": ("you averaged each curve over the generations; the curve "
                                  "must stay within the tolerance at *every* generation, so "
                                  "one generation outside is enough to fail.",
                                  dict(averaged=True)),
    "one-sided": ("within a tolerance means |ratio − 1| ≤ tolerance on both sides: tails "
                  "heavier than the truth count as a failure too.", dict(one_sided=True)),
    "strict-inequality": ("a value exactly at 1 − tolerance (or 1 + tolerance) is within the "
                          "tolerance: compare with <=, not <.", dict(strict=True)),
    "unsorted-keys": ("the dictionary is not sorted by fraction: go through sorted(curves) to "
                      "find the smallest fraction that passes.", dict(in_order=True)),
    "largest-fraction": ("the question asks for the smallest fraction that passes, not the "
                         "largest.", dict(largest=True)),
    "returned-index": ("you returned the position of the fraction; return the fraction itself "
                       "(the dictionary key).", dict(index=True)),
    "percentage": ("you returned a percentage; return the fraction as given in the dictionary "
                   "(between 0 and 1).", dict(percent=True)),
}


def _same(got: float | None, wanted: float | None) -> bool:
    return got is None if wanted is None else got is not None and close(got, wanted)


@exercise("02.4", "the smallest real fraction that keeps the tails",
          hints=("none-expected", "none-returned", *_FRACTION_MISTAKES))
def smallest_real_fraction(fn: Callable) -> str:
    """Check ``fn(curves, tolerance)`` -> smallest fraction within tolerance at every generation."""
    answers = []
    for curves, tolerance in _FRACTION_CASES:
        what = f"smallest_real_fraction(curves with fractions {list(curves)}, {tolerance})"
        got = call(fn, {f: c.copy() for f, c in curves.items()}, tolerance)
        answers.append(None if got is None else as_float(got, what))
    expected = [_smallest(curves, tol) for curves, tol in _FRACTION_CASES]
    if all(_same(g, e) for g, e in zip(answers, expected, strict=True)):
        return "correct: the smallest fraction whose curve stays within the tolerance throughout."
    # the mistake whose answers agree with the learner's in every case, else in the first wrong one
    wrong = [i for i, (g, e) in enumerate(zip(answers, expected, strict=True)) if not _same(g, e)]
    for scope in (range(len(answers)), wrong[:1]):
        for hint_id, (hint, variant) in _FRACTION_MISTAKES.items():
            if all(_same(answers[i], _smallest(*_FRACTION_CASES[i], **variant)) for i in scope):
                raise Hint(hint, id=hint_id)
    i = wrong[0]
    curves, tolerance = _FRACTION_CASES[i]
    what = f"smallest_real_fraction(curves with fractions {list(curves)}, {tolerance})"
    if expected[i] is None:
        raise Hint(f"{what}: no fraction keeps the measure within the tolerance here, so "
                   "the function should return None.", id="none-expected")
    if answers[i] is None:
        raise Hint(f"{what} returned None, but fraction {expected[i]} stays within "
                   f"{tolerance} of 1 at every generation.", id="none-returned")
    raise Hint(f"{what} should return {expected[i]}, got {answers[i]:g}.", id="wrong-value")


# ---------------------------------------------------------------- 02.5 cost


def _cost(policy: str, generations: int, n: int) -> tuple[int, int]:
    if policy == "accumulate":
        return generations * n, n * generations * (generations + 1) // 2
    return n, generations * n


@exercise("02.5", "what each policy costs",
          hints=("swapped-order", "last-off-by-one", "total-is-last", "total-off-by-one",
                 "total-is-n", "fixed-budget-grows"))
def training_cost(fn: Callable) -> str:
    """Check ``fn(policy, generations, n)`` -> (points at the last generation, total points)."""
    cases = [("accumulate", 50, 100), ("replace", 50, 100), ("accumulate_subsample", 20, 30),
             ("accumulate", 7, 10), ("reservoir", 12, 40), ("fresh", 3, 100)]
    for policy, G, n in cases:
        what = f"training_cost({policy!r}, {G}, {n})"
        got = as_array(call(fn, policy, G, n), what)
        if got.shape != (2,):
            raise Hint(f"{what} should return two numbers (points at generation {G}, points "
                       f"over generations 1..{G}), got shape {got.shape}.", id="wrong-shape")
        last, total = _cost(policy, G, n)
        if close(got[0], last) and close(got[1], total):
            continue
        if close(got[0], total) and close(got[1], last):
            raise Hint(f"{what}: you swapped the two numbers: first the points at generation "
                       f"{G}, then the total over generations 1..{G}.", id="swapped-order")
        if policy == "accumulate":
            _accumulate_cost_mistakes(got, G, n, what)
        elif close(got[0], last) and close(got[1], n):
            raise Hint(f"{what}: the total counts every fit, generations 1..{G}, each on "
                       f"{n} points.", id="total-is-n")
        elif close(got[0], G * n):
            raise Hint(f"{what}: only accumulate grows; {policy} trains on a fixed budget of "
                       f"n = {n} points at every generation.", id="fixed-budget-grows")
        raise Hint(f"{what} should be ({last}, {total}).", id="wrong-value")
    return ("correct: accumulate trains on G·n points at generation G and n·G(G+1)/2 over the "
            "run, about (G+1)/2 times the fixed-budget policies.")


def _accumulate_cost_mistakes(got: np.ndarray, G: int, n: int, what: str) -> None:
    """Name an off-by-one in the last count or the total, or a total that is the last count."""
    last = G * n
    if close(got[0], (G - 1) * n) or close(got[0], (G + 1) * n):
        raise Hint(f"{what}: at generation {G} the pool holds the real data and "
                   f"{G - 1} synthetic sets: {G}·n points (generation 1 = the real "
                   "data alone).", id="last-off-by-one")
    if close(got[1], last):
        raise Hint(f"{what}: the total counts every fit, generations 1..{G}: "
                   f"n + 2n + … + {G}n, not only the last one.", id="total-is-last")
    if close(got[1], n * G * (G - 1) / 2) or close(got[1], n * (G + 1) * (G + 2) / 2):
        raise Hint(f"{what}: off by one in the total; generation t trains on t·n points, "
                   f"for t = 1..{G}: n·G(G+1)/2.", id="total-off-by-one")

"""Checks for the exercises of notebook 01 (the mechanism).

Each check calls the learner's function on fixed, seeded inputs, compares with the
right answer and with the answers that the likely mistakes produce (wrong ddof, the
true instead of the fitted parameters, an off-by-one generation index, an ignored
seed, a wrong formula), and names the mistake it recognises. Where another valid
method exists (a different but correct way of drawing random numbers), the check
falls back to a statistical test instead of demanding our exact numbers.
"""

from __future__ import annotations

import numpy as np

from helpers import theory
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
from helpers.checks.shared import (
    DATA,
    FALLBACK_CALLS,
    FROM_THE_TRUTH,
    SEED,
    GeneratorsMade,
    diagnose_changed_draws,
    draw,
    normal_request,
    parametric_sample,
    require_parametric_draws,
    require_rng_use,
    same_stream,
    share_beyond,
)
from helpers.data import zipf_probs

__all__ = ["one_generation", "run_chain", "halving_generation", "tail_share", "expected_lost"]

# ---------------------------------------------------------------- 01.1 one generation

_DDOF_MISTAKES = {  # (scale used with ddof=0, with ddof=1) -> hint
    (1, 1): ("ddof-always-one", "with ddof=0 you get the ddof=1 samples: your standard deviation "
             "always divides by n−1; use np.std(data, ddof=ddof) (ddof=0 divides by n)."),
    (0, 0): ("ddof-ignored", "with ddof=1 you still get the ddof=0 (MLE) samples: pass the "
             "`ddof` argument on, e.g. np.std(data, ddof=ddof)."),
    (1, 0): ("ddof-swapped", "your estimators are swapped: ddof=0 is the MLE (divide by n), "
             "ddof=1 the unbiased estimator (divide by n−1)."),
}
_VARIANCE_AS_SCALE = ("the second argument of rng.normal is the standard deviation, not the "
                      "variance: take the square root, np.std(data, ddof=ddof).")


@exercise("01.1", "one generation with a chosen ddof",
          hints=("ddof-ignored", "ddof-always-one", "ddof-swapped", "sampled-from-truth",
                 "variance-as-scale", "mean-off", "spread-off", "wrong-count", "resampled-data",
                 "no-sampling-error", "draws-changed"))
def one_generation(fn) -> str:
    """Check ``fn(data, ddof, rng)``: fit N(mean, var with ``ddof``), return len(data) samples."""
    data, n, mean = DATA, DATA.size, DATA.mean()
    std = {d: data.std(ddof=d) for d in (0, 1)}
    got, requests, rngs = {}, {}, {}
    for ddof in (0, 1):
        got[ddof], rngs[ddof] = _one_generation_call(fn, ddof)
        requests[ddof] = normal_request(rngs[ddof])
    if all(np.allclose(got[d], draw(mean, std[d], n)) for d in (0, 1)):
        return ("correct: you fitted the mean and the variance with the requested ddof and "
                "sampled from the fitted Gaussian.")
    used = _ddof_used(got, requests)
    if (used.get(0), used.get(1)) in _DDOF_MISTAKES:
        hint_id, hint = _DDOF_MISTAKES[used[0], used[1]]
        raise Hint(hint, id=hint_id)
    for ddof in (0, 1):
        if same_stream(rngs[ddof], lambda r, d=ddof: r.normal(mean, std[d], size=n)):
            _right_stream_one_generation(got[ddof], ddof)
    if all(same_stream(rngs[d], lambda r, d=d: r.normal(mean, std[d], size=n)) for d in (0, 1)):
        return ("correct: you fitted the mean and the variance with the requested ddof and "
                "sampled from the fitted Gaussian (in another order, which is fine).")
    for ddof in (0, 1):
        _one_generation_request(got[ddof], requests[ddof], ddof)
    return _one_generation_distribution(fn)


def _ddof_used(got: dict[int, np.ndarray],
               requests: dict[int, tuple[float, float, int] | None]) -> dict[int, int]:
    """Which estimator each call used: from the samples, or from what rng.normal was asked."""
    n, mean = DATA.size, DATA.mean()
    used = {}
    for ddof in (0, 1):
        for d in (0, 1):
            std, request = DATA.std(ddof=d), requests[ddof]
            if np.allclose(np.sort(got[ddof]), np.sort(draw(mean, std, n))) or (
                    request is not None and np.isclose(request[1], std)):
                used[ddof] = d
    return used


def _one_generation_call(fn, ddof: int) -> tuple[np.ndarray, RecordingGenerator]:
    """The answer's samples for ``ddof`` (right shape, drawn from the rng it was given)."""
    data, n = DATA, DATA.size
    what = f"one_generation(data, ddof={ddof}, rng)"

    def run(rng: np.random.Generator) -> np.ndarray:
        return as_array(call(fn, data.copy(), ddof, rng), what)

    rng = RecordingGenerator(SEED)
    got = run(rng)
    if got.shape != data.shape:
        raise Hint(f"{what} should return as many samples as it was given ({n}, a 1-D "
                   f"array), got shape {got.shape}.",
                   id="wrong-count" if got.ndim == 1 else "wrong-shape")
    require_rng_use(run, got, rng, what)
    return got, rng


def _right_stream_one_generation(got: np.ndarray, ddof: int) -> None:
    """The answer drew exactly the task's numbers: a reordering is right, anything else named."""
    mean, n, std = DATA.mean(), DATA.size, DATA.std(ddof=ddof)
    right = draw(mean, std, n)
    if np.allclose(np.sort(got), np.sort(right)):
        return  # the right draws in another order
    diagnose_changed_draws(got, right, mean, std, lambda factor, shift: {
        "spread-off": f"with ddof={ddof} your samples' spread is {factor:.2f} times the "
                      f"fitted standard deviation np.std(data, ddof={ddof}): use it as the "
                      "scale, unchanged.",
        "mean-off": f"with ddof={ddof} your samples are shifted by {shift:.3g} from the "
                    "fitted mean: draw around np.mean(data), unchanged.",
        "no-sampling-error": "you rescale the draws to have exactly the fitted mean and "
                             "standard deviation; a sample of n points from the fit has "
                             "sampling error (its mean varies by about sd/√n): return the "
                             "draws of rng.normal as they are."})
    raise Hint(f"with ddof={ddof} you drew exactly the random numbers the task asks for, "
               f"rng.normal(mean, np.std(data, ddof={ddof}), size=len(data)), but "
               "returned something else: return those draws as they are.",
               id="draws-changed")


def _one_generation_request(got: np.ndarray, request: tuple[float, float, int] | None,
                            ddof: int) -> None:
    """Name the truth, the variance as scale, or a wrong mean or scale asked of rng.normal."""
    data, n, mean, std = DATA, DATA.size, DATA.mean(), DATA.std(ddof=ddof)
    loc, scale = (None, None) if request is None else request[:2]
    if np.allclose(got, draw(0.0, 1.0, n)) or (
            request is not None and np.isclose(loc, 0.0) and np.isclose(scale, 1.0)):
        raise Hint(FROM_THE_TRUTH, id="sampled-from-truth")
    if np.allclose(got, draw(mean, data.var(ddof=ddof), n)) or (
            request is not None and np.isclose(scale, data.var(ddof=ddof))):
        raise Hint(_VARIANCE_AS_SCALE, id="variance-as-scale")
    if request is None:
        return
    if not np.isclose(loc, mean):
        raise Hint(f"with ddof={ddof} you asked rng.normal for mean {loc:.4g}; the fitted "
                   f"mean of `data` is {mean:.4g} (np.mean(data)).", id="mean-off")
    if not np.isclose(scale, std):
        raise Hint(f"with ddof={ddof} you asked rng.normal for standard deviation "
                   f"{scale:.4g}; the fit has np.std(data, ddof={ddof}) = {std:.4g}.",
                   id="spread-off")


def _one_generation_distribution(fn) -> str:
    """Accept another valid way of sampling: check mean and variance over many calls."""
    data = np.arange(5.0)  # mean 2; variance 2 (ddof=0) or 2.5 (ddof=1)
    rng = np.random.default_rng(3)
    ratios = {}
    for ddof in (0, 1):
        what = f"one_generation(data, ddof={ddof}, rng)"
        draws = np.array([as_array(call(fn, data.copy(), ddof, rng), what, shape=(5,))
                          for _ in range(FALLBACK_CALLS)])
        parametric_sample(draws, data, 2.0, data.std(ddof=ddof), what, law=False)
        pooled = draws.ravel()
        if abs(pooled.mean() - 2.0) > 4 * np.sqrt(data.var(ddof=ddof) / pooled.size):
            raise Hint("the mean of your samples is far from the mean of `data`: draw from the "
                       "Gaussian with mean np.mean(data) and standard deviation "
                       "np.std(data, ddof=ddof).", id="mean-off")
        ratios[ddof] = np.mean((pooled - 2.0) ** 2) / data.var(ddof=ddof)
    near = {(a, b): abs(ratios[0] - data.var(ddof=a) / data.var(ddof=0)) <= 0.06
            and abs(ratios[1] - data.var(ddof=b) / data.var(ddof=1)) <= 0.06
            for a in (0, 1) for b in (0, 1)}
    if near[0, 1]:
        return ("correct: your samples follow the fitted Gaussian for both estimators (drawn "
                "differently from ours, which is fine).")
    for used, (hint_id, hint) in _DDOF_MISTAKES.items():
        if near[used]:
            raise Hint(hint, id=hint_id)
    ddof = 0 if abs(ratios[0] - 1) > 0.06 else 1
    raise Hint(f"with ddof={ddof} your samples' variance is {ratios[ddof]:.2f} times the "
               f"fitted variance np.var(data, ddof={ddof}); they should match.", id="spread-off")


# ---------------------------------------------------------------- 01.2 a chain


def _chain(n: int, generations: int, ddof: int, seed: int, *, refit: bool = True,
           scale_is_var: bool = False, extra: int = 0, stored_ddof: int | None = None,
           late: bool = False, rescaled: bool = False,
           rng: np.random.Generator | None = None) -> np.ndarray:
    """The specified chain (defaults) and its likely variants: variances of generations 0..G."""
    rng = np.random.default_rng(seed) if rng is None else rng
    mu, var, out = 0.0, 1.0, [1.0]
    for _ in range(generations + extra):
        data = rng.normal(mu, var if scale_is_var else np.sqrt(var), size=n)
        if rescaled:  # the mistake: draws forced to exactly the fitted mean and sd
            data = mu + np.sqrt(var) * (data - data.mean()) / data.std()
        if refit:
            previous = var
            mu, var = data.mean(), data.var(ddof=ddof)
            stored = data.var(ddof=stored_ddof) if stored_ddof is not None else var
            out.append(previous if late else stored)
        else:  # the mistake: always sampling from the true N(0, 1)
            out.append(data.var(ddof=ddof))
    return np.array(out)


def _same_chain_stream(made: RecordingGenerator | None, n: int, generations: int,
                       ddof: int) -> bool:
    return made is not None and made.seed == _CHAIN_ARGS[2] and same_stream(
        made, lambda r: _chain(n, generations, ddof, made.seed, rng=r))


_CHAIN_ARGS = (10, 30, 3)  # n, generations, seed
_CHAIN_MISTAKES = {
    "sampled-from-truth": ("your chain samples every generation from N(0, 1), the true "
                           "distribution, so nothing accumulates. Sample from the model fitted "
                           "in the previous generation: its mean and variance.",
                           dict(refit=False)),
    "variance-as-scale": ("the scale of rng.normal is the standard deviation: pass "
                          "np.sqrt(var), not the variance.", dict(scale_is_var=True)),
    "no-sampling-error": ("your chain rescales each generation's draws to exactly the fitted "
                          "mean and standard deviation, so nothing drifts: a sample has "
                          "sampling error, and that error is what accumulates. Use the draws "
                          "of rng.normal as they are.", dict(rescaled=True)),
}


@exercise("01.2", "a chain of the Gaussian loop",
          hints=("missing-generation-zero", "ddof-ignored", "ddof-always-one", "ddof-swapped",
                 "sampled-from-truth", "variance-as-scale", "returned-std",
                 "one-generation-too-many", "wrong-generation-zero", "generator-per-generation",
                 "legacy-global-seed", "nonpositive-variance", "off-theory", "stored-wrong-ddof",
                 "stored-one-late", "stored-wrong-value", "no-sampling-error", "resampled-data"))
def run_chain(fn) -> str:
    """Check ``fn(n, generations, ddof, seed)`` -> variances of generations 0..G."""
    n, generations, seed = _CHAIN_ARGS
    got, streams = {}, {}
    for ddof in (0, 1):
        got[ddof], streams[ddof] = _chain_call(fn, ddof)
    _require_seeded_chain(fn, got[0])
    right = {d: _chain(n, generations, d, seed) for d in (0, 1)}
    if all(np.allclose(got[d], right[d]) for d in (0, 1)):
        return ("correct: generation 0 is the truth and every later generation is fitted "
                "to samples of the one before.")
    used = tuple(next((d for d in (0, 1) if np.allclose(got[ddof], right[d])), None)
                 for ddof in (0, 1))
    if used in _DDOF_MISTAKES:
        hint_id, hint = _DDOF_MISTAKES[used]
        raise Hint(hint.replace("samples", "chain"), id=hint_id)
    for ddof in (0, 1):
        _chain_mistakes(got[ddof], right[ddof], ddof)
    for ddof in (0, 1):
        require_parametric_draws(streams[ddof], f"run_chain(n={n}, generations={generations}, "
                                 f"ddof={ddof}, seed={seed})")
    for ddof in (0, 1):  # our random numbers, another result: a specification error
        if _same_chain_stream(streams[ddof], n, generations, ddof) and not np.allclose(
                got[ddof], right[ddof]):
            _chain_stored_wrong(got[ddof], right[ddof], ddof)
    return _chain_statistics(fn)


def _chain_call(fn, ddof: int) -> tuple[np.ndarray, RecordingGenerator | None]:
    """The answer's chain for ``ddof`` (G + 1 values, one generator) and that generator."""
    n, generations, seed = _CHAIN_ARGS
    what = f"run_chain(n={n}, generations={generations}, ddof={ddof}, seed={seed})"
    with GeneratorsMade() as made:
        value = call(fn, n, generations, ddof, seed)
    arr = as_array(value, what, finite=False)  # a variance used as the scale overflows
    right = _chain(n, generations, ddof, seed)
    if arr.shape == (generations,):
        hint = ("(it matches generations 1..G: you left out generation 0, the truth)"
                if np.allclose(arr, right[1:]) else "")
        raise Hint(f"{what} returned {generations} values; it should return "
                   f"generations + 1 = {generations + 1}, with entry 0 = 1.0, the true "
                   f"variance {hint}".rstrip() + ".", id="missing-generation-zero")
    if arr.shape != right.shape:
        raise Hint(f"{what} should return a 1-D array of {generations + 1} variances "
                   f"(generations 0..{generations}), got shape {arr.shape}.",
                   id="wrong-shape")
    _require_one_generator(made, seed, what)
    return arr, made.generators[0] if len(made.generators) == 1 else None


def _require_seeded_chain(fn, first: np.ndarray) -> None:
    """The same seed gives the same chain, another seed another one."""
    n, generations, seed = _CHAIN_ARGS
    what = f"run_chain(n={n}, generations={generations}, ddof=0, seed={{}})"
    if not np.array_equal(as_array(call(fn, n, generations, 0, seed), what.format(seed),
                                   finite=False), first, equal_nan=True):
        raise Hint("two calls with the same seed gave different chains: create the generator "
                   "once from the seed, rng = np.random.default_rng(seed), and draw every "
                   "random number from it.", id="rng-not-used")
    if np.array_equal(as_array(call(fn, n, generations, 0, seed + 1), what.format(seed + 1),
                               finite=False), first, equal_nan=True):
        raise Hint("different seeds gave the same chain: build the generator from the `seed` "
                   "argument, np.random.default_rng(seed), not from a fixed number.",
                   id="rng-fixed-seed")


def _chain_mistakes(arr: np.ndarray, right: np.ndarray, ddof: int) -> None:
    """Name a known variant of the chain the answer reproduces, or a wrong entry 0."""
    n, generations, seed = _CHAIN_ARGS
    for hint_id, (hint, variant) in _CHAIN_MISTAKES.items():
        if np.allclose(arr, _chain(n, generations, ddof, seed, **variant), equal_nan=True):
            raise Hint(hint, id=hint_id)
    if not np.all(np.isfinite(arr)):
        raise Hint(f"run_chain(n={n}, generations={generations}, ddof={ddof}, seed={seed}) "
                   "returned NaN or infinite values.", id="not-finite")
    if np.allclose(arr, np.sqrt(right)):
        raise Hint("you returned standard deviations; return the fitted variances.",
                   id="returned-std")
    if np.allclose(arr, _chain(n, generations, ddof, seed, extra=1)[1:]):
        raise Hint("off by one generation: entry 0 must be the truth (1.0) and entry t "
                   "the variance fitted at generation t; you ran one generation too many "
                   "and left out generation 0.", id="one-generation-too-many")
    if not close(arr[0], 1.0):
        raise Hint(f"entry 0 is {arr[0]:.6g}; it must be the true variance 1.0 "
                   "(generation 0 is the true N(0, 1)).", id="wrong-generation-zero")


def _chain_stored_wrong(arr: np.ndarray, right: np.ndarray, ddof: int) -> None:
    """The answer drew our random numbers but stored something else: name what."""
    n, generations, seed = _CHAIN_ARGS
    diagnose(arr, right, {
        "stored-wrong-ddof": (f"with ddof={ddof} your chain refits with ddof={ddof} (your "
                              "draws are ours) but stores the variance with the other "
                              f"ddof: store the variance you refit, data.var(ddof={ddof}).",
                              lambda: _chain(n, generations, ddof, seed, stored_ddof=1 - ddof)),
        "stored-one-late": ("your draws are ours, but each entry holds the variance of the "
                            "generation before: store the variance right after fitting it "
                            "(entry t = the fit of generation t).",
                            lambda: _chain(n, generations, ddof, seed, late=True)),
    }, same=lambda a, b: np.allclose(a, b, equal_nan=True))
    raise Hint(f"with ddof={ddof} your chain draws exactly our random numbers (same calls, "
               "same parameters), so the difference is in what it stores: entry t must be "
               f"the variance fitted at generation t, data.var(ddof={ddof}).",
               id="stored-wrong-value")


def _require_one_generator(made: GeneratorsMade, seed: int, what: str) -> None:
    """The exercise asks for one generator made from ``seed``: say so when there were more."""
    if len(made.seeds) > 1:
        raise Hint(f"{what} created {len(made.seeds)} generators: create one, "
                   "rng = np.random.default_rng(seed), before the loop and draw every "
                   "generation from it (a new generator per generation, e.g. "
                   "default_rng(seed + t), is not the stream the exercise asks for).",
                   id="generator-per-generation")
    if not made.seeds and made.legacy:
        raise Hint(f"{what} seeds NumPy's legacy global generator (np.random.seed); create "
                   "one generator instead, rng = np.random.default_rng(seed), and draw from "
                   "it with rng.normal(...).", id="legacy-global-seed")


def _chain_statistics(fn) -> str:
    """Accept another valid way of drawing: compare E[log sigma_G^2] with the theory."""
    n, generations, n_seeds = 10, 20, 300
    z = {}
    for ddof in (0, 1):
        logs = []
        for seed in range(n_seeds):
            arr = as_array(call(fn, n, generations, ddof, seed),
                           f"run_chain({n}, {generations}, {ddof}, {seed})",
                           shape=(generations + 1,))
            if np.any(arr <= 0):
                raise Hint("a fitted variance came out zero or negative: check your formula.",
                           id="nonpositive-variance")
            logs.append(np.log(arr[-1]))
        logs = np.array(logs)
        se = logs.std(ddof=1) / np.sqrt(n_seeds)
        z[ddof] = {d: (logs.mean() - theory.gaussian_log_var(generations, n, d)) / se
                   for d in (0, 1)}
        z[ddof]["mean"] = logs.mean()
    if abs(z[0][0]) <= 4 and abs(z[1][1]) <= 4:
        return ("correct: your chains agree with the theory E[log σ²] for both estimators "
                "(drawn differently from ours, which is fine).")
    used = tuple(next((d for d in (0, 1) if abs(z[ddof][d]) <= 4), None) for ddof in (0, 1))
    if used in _DDOF_MISTAKES:
        hint_id, hint = _DDOF_MISTAKES[used]
        raise Hint(hint.replace("samples", "chain"), id=hint_id)
    ddof = 0 if abs(z[0][0]) > 4 else 1
    raise Hint(f"over {n_seeds} seeds (n={n}, ddof={ddof}) your mean log-variance at "
               f"generation {generations} is {z[ddof]['mean']:.2f}; the theory says "
               f"{theory.gaussian_log_var(generations, n, ddof):.2f}. Check that each "
               "generation refits on the samples of the previous one, with the requested "
               "ddof.", id="off-theory")


# ---------------------------------------------------------------- 01.3 halving generation


def _halving_inputs() -> tuple[np.ndarray, ...]:
    from helpers.chains import gaussian  # local import: chains is only needed here

    var = gaussian(40, 120, 301, ddof=0, seed=11).var
    exact = np.repeat([[2.0], [1.5], [1.0], [0.8]], 3, axis=1)  # median hits exactly half
    return var, 2.0 * var, exact


def _first_at_or_below_half(curve: np.ndarray) -> int:
    return int(np.argmax(curve <= 0.5 * curve[0]))


@exercise("01.3", "the generation at which the median variance halves",
          hints=("off-by-one", "strict-inequality", "mean-not-median", "fixed-threshold",
                 "returned-median", "wrong-axis"))
def halving_generation(fn) -> str:
    """Check ``fn(variances)`` -> first generation whose median is <= half of generation 0's."""
    for var in _halving_inputs():
        what = f"halving_generation(<array of shape {var.shape}>)"
        got = as_float(call(fn, var.copy()), what)
        median = np.median(var, axis=1)
        right = _first_at_or_below_half(median)
        if close(got, right):
            continue
        if close(got, int(np.argmax(median < 0.5 * median[0]))):
            raise Hint(f"{what} returned {got:g}: you compared with `<`; the exercise asks for "
                       "the first generation whose median is *at most* half (<=), and here "
                       f"generation {right} is exactly half.", id="strict-inequality")
        if close(got, right + 1) or close(got, right - 1):
            raise Hint(f"off by one: you returned {got:g}; row t of `variances` is generation "
                       "t (row 0 = generation 0), so return the row index itself.", id="off-by-one")
        if close(got, _first_at_or_below_half(var.mean(axis=1))):
            raise Hint("you used the mean over chains; the exercise asks for the median, the "
                       "typical chain (the mean is pulled up by a few chains).",
                       id="mean-not-median")
        if var[0, 0] != 1.0 and close(got, int(np.argmax(median <= 0.5))):
            raise Hint("you compared with the fixed number 0.5; compare with half of the "
                       "median at generation 0 (row 0), which is not always 1.",
                       id="fixed-threshold")
        if close(got, median[right]) or (0 < got < 1 and got != int(got)):
            raise Hint("return the generation (a row index, an integer), not the median "
                       "variance there.", id="returned-median")
        if close(got, _first_at_or_below_half(np.median(var, axis=0))):
            raise Hint("your median runs over the wrong axis: rows are generations and "
                       "columns are chains, so take np.median(variances, axis=1).", id="wrong-axis")
        raise Hint(f"{what} returned {got:g}. Take the median over chains of each row, then "
                   "return the first row index t with median[t] <= 0.5 * median[0].",
                   id="wrong-value")
    return ("correct: you found the first generation whose median variance is at most half "
            "of the starting value.")


# ---------------------------------------------------------------- 01.4 tail share


def _tail_inputs() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    real = np.random.default_rng(21).normal(3.0, 2.0, size=1000)
    narrow = np.random.default_rng(22).normal(3.1, 1.6, size=4000)
    return (narrow, real), (real.copy(), real)


_QUANTILE_METHODS = ("linear", "lower", "higher", "nearest", "midpoint", "hazen", "weibull",
                     "median_unbiased", "normal_unbiased", "inverted_cdf")


def _accepted_range(samples: np.ndarray, real: np.ndarray) -> tuple[float, float]:
    """Shares given by every quantile convention, with strict or non-strict comparisons."""
    shares = []
    for method in _QUANTILE_METHODS:
        lo, hi = np.quantile(real, [0.01, 0.99], method=method)
        shares += [share_beyond(samples, lo, hi),
                   float(np.mean((samples <= lo) | (samples >= hi)))]
    return min(shares), max(shares)


@exercise("01.4", "share of samples in the original tails",
          hints=("own-quantiles", "one-tail", "percentage", "count-not-share",
                 "standard-normal-quantiles", "swapped-arguments", "percentile-confusion",
                 "wrong-quantile-level"))
def tail_share(fn) -> str:
    """Check ``fn(samples, real)`` -> share of samples beyond the real 1%/99% quantiles."""
    for samples, real in _tail_inputs():
        what = "tail_share(samples, real)"
        got = as_float(call(fn, samples.copy(), real.copy()), what)
        lo, hi = np.quantile(real, [0.01, 0.99])
        right = share_beyond(samples, lo, hi)
        low, high = _accepted_range(samples, real)  # other quantile conventions are fine
        if low - 0.5 / samples.size <= got <= high + 0.5 / samples.size:
            continue
        own_lo, own_hi = np.quantile(samples, [0.01, 0.99])
        mistakes = {
            ("own-quantiles", "you took the quantiles of `samples` themselves, which always "
             "leaves about 2% beyond them. The thresholds must come from the original data "
             "`real`; the share is then measured on `samples`."):
                share_beyond(samples, own_lo, own_hi),
            ("one-tail", "you counted only one tail; count samples below the 1% quantile "
             "*and* above the 99% quantile."):
                [share_beyond(samples, lo, hi, s) for s in ("low", "high")],
            ("percentage", "you returned a percentage; return a share between 0 and 1."):
                100 * right,
            ("count-not-share", "you returned a count; divide by the number of samples to "
             "get a share."): right * samples.size,
            ("standard-normal-quantiles", "you used the standard normal's quantiles "
             "(±2.326); `real` is not N(0, 1): compute its own quantiles with "
             "np.quantile(real, [0.01, 0.99])."): share_beyond(samples, -2.3263, 2.3263),
            ("swapped-arguments",
             "you swapped the roles: the thresholds come from the quantiles of `real`, and "
             "the share is measured on `samples`."):
                share_beyond(real, *np.quantile(samples, [0.01, 0.99])),
            ("percentile-confusion",
             "np.percentile takes percentages (0–100): np.percentile(real, [0.01, 0.99]) is "
             "the 0.01% point. Use np.quantile(real, [0.01, 0.99]) or np.percentile(real, "
             "[1, 99])."): share_beyond(samples, *np.percentile(real, [0.01, 0.99])),
            ("wrong-quantile-level", "the 1% and 99% quantiles are np.quantile(real, "
             "[0.01, 0.99]); you used the 10% and 90% ones."):
                share_beyond(samples, *np.quantile(real, [0.1, 0.9])),
        }
        for (hint_id, hint), wrong in mistakes.items():
            if any(abs(got - w) <= 1e-9 + 0.5 / samples.size for w in np.atleast_1d(wrong)):
                raise Hint(hint, id=hint_id)
        raise Hint(f"{what} returned {got:.4g}; expected {right:.4g} here. Compute lo, hi = "
                   "np.quantile(real, [0.01, 0.99]) and the share of samples below lo or "
                   "above hi.", id="wrong-value")
    return ("correct: the tails are measured against the original data, so a narrowing "
            "model shows up as a falling share.")


# ---------------------------------------------------------------- 01.5 categories lost


def _lost_inputs() -> tuple[tuple[np.ndarray, int], ...]:
    return (zipf_probs(1000, 1.5), 1000), (np.array([0.7, 0.2, 0.1]), 5)


@exercise("01.5", "expected categories lost in one generation",
          hints=("per-category", "poisson-approximation", "kept-not-lost", "p-to-the-m",
                 "exponent-off-by-one", "times-not-power"))
def expected_lost(fn) -> str:
    """Check ``fn(p, m)`` -> sum_i (1 - p_i)^m."""
    for p, m in _lost_inputs():
        what = f"expected_lost(p, m={m})"
        value = call(fn, p.copy(), m)
        if isinstance(value, (list, tuple, np.ndarray)) and as_array(value, what).shape == p.shape:
            raise Hint(f"{what} returned one number per category, the probability that "
                       "each is lost; the expected number lost is their sum.", id="per-category")
        got = as_float(value, what)
        right = float(np.sum((1 - p) ** m))
        if close(got, right):
            continue
        mistakes = {
            ("poisson-approximation", "you used the Poisson approximation exp(−m p); it is "
             "close but not exact: a category gets none of m independent draws with "
             "probability (1 − p)^m."): np.sum(np.exp(-m * p)),
            ("kept-not-lost", "you computed the expected number of categories *kept*; the "
             "exercise asks for the number lost."): p.size - right,
            ("p-to-the-m", "p^m is the chance that *all* draws are that category; a category "
             "is lost when *no* draw is: (1 − p)^m."): np.sum(p**m),
            ("exponent-off-by-one", "off by one in the exponent: each of the m draws misses "
             "the category with probability 1 − p, so the exponent is m."):
                [np.sum((1 - p) ** (m - 1)), np.sum((1 - p) ** (m + 1))],
            ("times-not-power", "(1 − p)·m is not a probability; the m draws are "
             "independent, so their chances multiply: (1 − p)^m."): m * np.sum(1 - p),
        }
        for (hint_id, hint), wrong in mistakes.items():
            if any(close(got, w) for w in np.atleast_1d(wrong)):
                raise Hint(hint, id=hint_id)
        raise Hint(f"{what} returned {got:.4g}; expected {right:.4g}. A category with "
                   "probability p gets no sample among m draws with probability (1 − p)^m; "
                   "add these up over the categories.", id="wrong-value")
    return ("correct: Σ(1 − p_i)^m. For the Zipf vocabulary (exponent 1.5, K = 1000, "
            "m = 1000) that is 881.7 categories lost in one generation.")

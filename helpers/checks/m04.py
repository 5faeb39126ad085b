"""Checks for the exercises of notebook 04 (mitigations).

The truth is N(0, 1); a model is N(mu, sigma^2), fitted by maximum likelihood (ddof=0).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from helpers import theory
from helpers.checks.core import (
    Hint,
    RecordingGenerator,
    as_array,
    as_float,
    as_mask,
    call,
    close,
    diagnose,
    exercise,
)
from helpers.checks.shared import parametric_sample, require_rng_use

__all__ = ["training_set", "stationary_variance", "smallest_real_fraction",
           "provenance_filter", "verification_gate"]


# ---------------------------------------------------------------- 04.1 training set

_MU, _SIGMA = 40.0, 0.5  # the model: far from the truth, so every point shows where it came from
_NORMAL = ("normal", "standard_normal")
_RESERVOIR = np.round(np.linspace(-2.0, 2.0, 30) + 0.0137, 4)  # 30 distinct real points


def _split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(real part, synthetic part) of a training set, told apart by their values."""
    synthetic = np.abs(x - _MU) < 10 * _SIGMA
    return x[~synthetic], x[synthetic]


def _what(n: int, rho: float, reservoir: np.ndarray | None) -> str:
    return (f"training_set({_MU:g}, {_SIGMA:g}, {n}, {rho:g}, rng"
            + (", reservoir=...)" if reservoir is not None else ")"))


def _run(fn: Callable, n: int, rho: float, rng: np.random.Generator,
         reservoir: np.ndarray | None) -> np.ndarray:
    kwargs = {} if reservoir is None else {"reservoir": reservoir.copy()}
    return as_array(call(fn, _MU, _SIGMA, n, rho, rng, **kwargs), _what(n, rho, reservoir))


def _drawn(rng: RecordingGenerator, *methods: str) -> int:
    return sum(d.count for d in rng.draws if d.method in methods)


def _check_one_set(fn: Callable, n: int, rho: float, reservoir: np.ndarray | None) -> None:
    """Exact counts, the rng, the reservoir: everything that one call can show."""
    k = round(rho * n)
    rng = RecordingGenerator(3)
    got = _run(fn, n, rho, rng, reservoir)
    if got.shape != (n,):
        raise Hint(f"with n = {n} the training set should be a 1-D array of {n} points, got "
                   f"shape {got.shape}.", id="wrong-shape")
    real, synthetic = _split(got)
    _require_real_count(len(real), n, rho)
    require_rng_use(lambda r: _run(fn, n, rho, r, reservoir), got, rng,
                    _what(n, rho, reservoir))
    expected_normals = n - k if reservoir is not None else n
    if _drawn(rng, *_NORMAL) != expected_normals:
        raise Hint(f"your function drew {_drawn(rng, *_NORMAL)} normal numbers for a training set "
                   f"that needs {expected_normals} ({n - k} synthetic"
                   + (f" + {k} fresh real" if reservoir is None else "")
                   + "): draw exactly the points you use.", id="wrong-draw-size")
    if reservoir is not None:
        _require_random_subset(fn, n, rho, reservoir, real)


def _require_random_subset(fn: Callable, n: int, rho: float, reservoir: np.ndarray,
                           real: np.ndarray) -> None:
    """The real points are a random subset of the reservoir, without replacement."""
    if not np.all(np.isin(real, reservoir)):
        raise Hint("with a reservoir the real points must be taken from `reservoir` "
                   "(rng.choice(reservoir, size=k, replace=False)), not drawn anew.",
                   id="reservoir-not-used")
    if len(np.unique(real)) < len(real):
        raise Hint("some reservoir points appear twice: take a subset without replacement "
                   "(replace=False).", id="with-replacement")
    if all(np.array_equal(np.sort(_split(_run(fn, n, rho, RecordingGenerator(s),
                                              reservoir))[0]), np.sort(real))
           for s in (4, 5)):
        raise Hint("the same reservoir points come back for every seed: choose a uniformly "
                   "random subset with the rng, not the first k.", id="reservoir-not-random")


def _require_real_count(count: int, n: int, rho: float) -> None:
    """round(rho * n) real points: name the rounding convention or the part rho was put on."""
    k = round(rho * n)
    if count == n - k and k != n - k:
        raise Hint(f"your training set has {count} real points, but rho = {rho:g} of "
                   f"n = {n} asks for round(rho * n) = {k} real points and {n - k} synthetic "
                   "ones: you applied rho to the synthetic part.", id="rho-on-synthetic")
    conventions = {"int-not-round": (int(rho * n), "int(rho * n), which cuts the decimals off"),
                   "ceil-not-round": (math.ceil(rho * n), "math.ceil(rho * n), which rounds up")}
    for hint_id, (wrong, how) in conventions.items():
        if count == wrong != k:
            raise Hint(f"with n = {n} and rho = {rho:g} (rho·n = {rho * n:.4g}) your training set "
                       f"has {wrong} real points: you used {how}. The task fixes round(rho * n) "
                       f"= {k} real points.", id=hint_id)
    if count != k:
        raise Hint(f"with n = {n} and rho = {rho:g} the training set needs exactly "
                   f"round(rho * n) = {k} real points and {n - k} synthetic ones from "
                   f"N(mu, sigma²); yours has {count} points that are not from the model.",
                   id="wrong-real-count")


def _z(values: np.ndarray, mean: float, sd: float) -> float:
    """How many standard errors the sample mean and sd are from (mean, sd), the larger one."""
    m = len(values)
    z_mean = abs(values.mean() - mean) / (sd / math.sqrt(m))
    z_sd = abs(values.std() - sd) / (sd / math.sqrt(2 * m))
    return max(z_mean, z_sd)


@exercise("04.1", "a training set with a real fraction rho",
          hints=("rho-on-synthetic", "wrong-real-count", "int-not-round", "ceil-not-round",
                 "wrong-draw-size",
                 "reservoir-not-used", "with-replacement", "reservoir-not-random",
                 "scale-is-variance", "synthetic-wrong-law", "real-wrong-law",
                 "no-sampling-error"))
def training_set(fn: Callable) -> str:
    """Check ``fn(mu, sigma, n, rho, rng, reservoir=None)`` -> n points, round(rho n) real."""
    _check_one_set(fn, 40, 0.25, None)
    _check_one_set(fn, 40, 0.5, _RESERVOIR)
    _check_one_set(fn, 20, 0.0, None)
    # rho·n = 11.6 and 8.3: int, ceil and round give different counts (the task fixes round)
    _check_one_set(fn, 40, 0.29, _RESERVOIR)
    _check_one_set(fn, 40, 0.2075, None)
    big = _run(fn, 20_000, 0.5, np.random.default_rng(9), None)
    real, synthetic = _split(big)
    if _z(synthetic, _MU, _SIGMA) > 5:
        if _z(synthetic, _MU, _SIGMA**2) < 5:
            raise Hint("the scale of rng.normal is the standard deviation sigma, not the "
                       "variance sigma².", id="scale-is-variance")
        raise Hint(f"your synthetic points do not look like N(mu, sigma²) = N({_MU:g}, "
                   f"{_SIGMA:g}²): mean {synthetic.mean():.3f}, sd {synthetic.std():.3f}.",
                   id="synthetic-wrong-law")
    if _z(real, 0.0, 1.0) > 5:
        raise Hint(f"your fresh real points should come from the truth N(0, 1); over 10,000 of "
                   f"them the mean is {real.mean():.3f} and the sd {real.std():.3f}.",
                   id="real-wrong-law")
    _sampling_error(fn)
    return ("correct: round(rho·n) real points (fresh, or a random subset of the reservoir) and "
            "the rest drawn from the model, all from the rng you were given.")


def _sampling_error(fn: Callable) -> None:
    """Both parts are fresh samples: their mean and spread vary from call to call as they should."""
    rng = np.random.default_rng(10)
    parts = [_split(_run(fn, 20, 0.5, rng, None)) for _ in range(200)]
    for name, index, sd in (("fresh real", 0, 1.0), ("synthetic", 1, _SIGMA)):
        draws = np.array([part[index] for part in parts])
        parametric_sample(draws, _RESERVOIR, 0.0 if index == 0 else _MU, sd,
                          f"the {name} part of {_what(20, 0.5, None)}", law=False)


# ---------------------------------------------------------------- 04.2 stationary level

_LEVEL_CASES = [(100, 0.1), (20, 0.3), (500, 0.02)]


def _level_variants(n: int, rho: float) -> dict[str, float]:
    d = n * rho * (2 - rho)
    return {
        "swapped": theory.fresh_real_fixed_point(n, 1 - rho),
        "no-minus-rho": d / (d + 1 - rho),
        "mean-part": 1 - theory.fresh_real_fixed_point(n, rho),
        "no-real-data": ((n - 1) / n) ** 200,
        "sign-slip": [(d + rho) / (d + 1 - rho), (d - rho) / (d - 1 + rho),
                      (d - rho) / (d + 1 + rho), (d + rho) / (d + 1 + rho)],
    }


@exercise("04.2", "the stationary variance with a real fraction rho",
          hints=("rho-swapped", "missing-term", "mean-part", "no-real-data", "sign-slip",
                 "not-exact"))
def stationary_variance(fn: Callable) -> str:
    """Check ``fn(n, rho)`` -> a* = (n rho (2 - rho) - rho) / (n rho (2 - rho) + 1 - rho)."""
    hints = {
        "swapped": ("you used 1 − rho where the formula has rho: rho is the share of *real* "
                    "points.", "rho-swapped"),
        "no-minus-rho": ("close, but the numerator is n·rho·(2 − rho) − rho: the real part also "
                         "loses a little variance to the MLE fit.", "missing-term"),
        "mean-part": ("you returned 1 − a*, the stationary E[mu²]; the exercise asks for E[σ²] "
                      "= a*.", "mean-part"),
        "no-real-data": ("your value decays like ((n−1)/n)^t, the loop without real data; with "
                         "rho > 0 the variance settles at a*.", "no-real-data"),
        "sign-slip": ("a sign is off: a* = (n·rho·(2 − rho) − rho) / (n·rho·(2 − rho) + 1 − rho) "
                      "(minus rho above, plus 1 − rho below).", "sign-slip"),
    }
    for n, rho in _LEVEL_CASES:
        got = as_float(call(fn, n, rho), f"stationary_variance({n}, {rho:g})")
        expected = theory.fresh_real_fixed_point(n, rho)
        if close(got, expected, rel=1e-6):
            continue
        diagnose(got, expected, {hints[key][1]: (hints[key][0], wrong)
                                 for key, wrong in _level_variants(n, rho).items()},
                 same=lambda a, b: any(close(a, w, rel=1e-4) for w in np.atleast_1d(b)))
        if close(got, expected, rel=2e-2):
            raise Hint(f"stationary_variance({n}, {rho:g}) = {got:.6f} is near but not equal to "
                       "the fixed point: solve a = f(a) exactly instead of iterating a few "
                       "generations or rounding.", id="not-exact")
        raise Hint(f"stationary_variance({n}, {rho:g}) should be the fixed point a* of the "
                   f"recursion (about {expected:.2f}); you returned {got:.4f}.",
                   id="wrong-value")
    return ("correct: a* = (n·rho·(2 − rho) − rho) / (n·rho·(2 − rho) + 1 − rho), e.g. "
            f"{theory.fresh_real_fixed_point(100, 0.1):.4f} for n = 100, rho = 0.1.")


# ---------------------------------------------------------------- 04.3 smallest rho

_TARGET_CASES = [(100, 0.95), (50, 0.9), (1000, 0.99)]
RHO_TOLERANCE = 1e-4


def smallest_rho(n: int, target: float) -> float:
    """The smallest rho with a*(n, rho) >= target (the smaller root of a quadratic)."""
    u = 1.0 - target  # a* >= target  <=>  n u rho (2 - rho) - u rho - target >= 0
    a, b, c = -n * u, (2 * n - 1) * u, -target
    return float((-b + math.sqrt(b * b - 4 * a * c)) / (2 * a))


@exercise("04.3", "the smallest real fraction for a target variance",
          hints=("rho-swapped", "below-target", "too-coarse"))
def smallest_real_fraction(fn: Callable) -> str:
    """Check ``fn(n, target)`` -> the smallest rho with a*(n, rho) >= target, within 1e-4."""
    for n, target in _TARGET_CASES:
        got = as_float(call(fn, n, target), f"smallest_real_fraction({n}, {target:g})")
        expected = smallest_rho(n, target)
        if abs(got - expected) <= RHO_TOLERANCE:
            continue
        if abs(got - (1 - expected)) <= RHO_TOLERANCE:
            raise Hint("you returned 1 − rho, the synthetic share; the exercise asks for the real "
                       "share rho.", id="rho-swapped")
        if 0 <= got <= 1 and theory.fresh_real_fixed_point(n, got) < target:
            raise Hint(f"with rho = {got:.5f} and n = {n} the stationary variance is "
                       f"{theory.fresh_real_fixed_point(n, got):.5f}, below the target "
                       f"{target:g}: the answer must reach the target.", id="below-target")
        if abs(got - expected) <= 0.01:
            raise Hint(f"smallest_real_fraction({n}, {target:g}) = {got:.5f} reaches the target "
                       f"but is not the smallest such rho to within {RHO_TOLERANCE:g}: refine "
                       "your search (or solve the quadratic).", id="too-coarse")
        raise Hint(f"smallest_real_fraction({n}, {target:g}) should be about {expected:.3f} "
                   f"(the rho where a*(n, rho) = target); you returned {got:.5f}.",
                   id="wrong-value")
    return (f"correct: for n = 100, E[σ²] stays at 0.95 or above from rho = "
            f"{smallest_rho(100, 0.95):.4f} on.")


# ---------------------------------------------------------------- 04.4 provenance filter

_FILTER_CASES = [(0.5, 0.9, 0.05), (0.3, 0.8, 0.1), (0.7, 0.95, 0.02)]


def _filter_variants(s: float, tpr: float, fpr: float) -> dict[str, float]:
    return {
        "tpr-fpr-swapped": theory.filtered_share(s, fpr, tpr),
        "not-renormalised": s * (1 - tpr),
        "kept-the-flagged": s * tpr / (s * tpr + (1 - s) * fpr),
    }


@exercise("04.4", "what an imperfect detector leaves behind",
          hints=("tpr-fpr-swapped", "not-renormalised", "kept-the-flagged", "wrong-share",
                 "lost-not-scaled", "lost-is-kept", "lost-wrong-share"))
def provenance_filter(fn: Callable) -> str:
    """Check ``fn(share, tpr, fpr)`` -> (synthetic share after filtering, real share lost)."""
    share_hints = {
        "tpr-fpr-swapped": "you swapped TPR and FPR: the true-positive rate is the share of "
                           "*synthetic* items flagged, the false-positive rate the share of "
                           "*real* items flagged.",
        "not-renormalised": "s·(1 − TPR) is the synthetic share of the *original* corpus that "
                            "survives; divide by everything that survives, s(1 − TPR) + "
                            "(1 − s)(1 − FPR), to get the share of the filtered corpus.",
        "kept-the-flagged": "you computed the synthetic share among the *flagged* items; the "
                            "flagged items are dropped, the others are kept.",
    }
    for s, tpr, fpr in _FILTER_CASES:
        what = f"provenance_filter({s:g}, {tpr:g}, {fpr:g})"
        out = call(fn, s, tpr, fpr)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise Hint(f"{what} should return two numbers: (synthetic share after filtering, "
                       f"share of the corpus that was real and was dropped).", id="wrong-type")
        got_share = as_float(out[0], what + "[0]")
        got_lost = as_float(out[1], what + "[1]")
        expected = theory.filtered_share(s, tpr, fpr)
        if not close(got_share, expected, rel=1e-6):
            for key, wrong in _filter_variants(s, tpr, fpr).items():
                if close(got_share, wrong, rel=1e-6):
                    raise Hint(share_hints[key], id=key)
            raise Hint(f"{what}[0] should be about {expected:.3f} (s = {s:g} before "
                       f"filtering); you returned {got_share:.4f}.", id="wrong-share")
        lost = (1 - s) * fpr
        if close(got_lost, lost, rel=1e-6):
            continue
        if close(got_lost, fpr):
            raise Hint("FPR is the share of the *real items* that are dropped; the exercise asks "
                       "for the share of the whole corpus: multiply by the real share 1 − s.",
                       id="lost-not-scaled")
        if close(got_lost, (1 - s) * (1 - fpr)) or close(got_lost, 1 - fpr):
            raise Hint("you returned the real data that are *kept*; the exercise asks for the "
                       "real data the detector throws away (its false positives).",
                       id="lost-is-kept")
        if close(got_lost, s * fpr):
            raise Hint("the false positives are real items: multiply FPR by the real share "
                       "1 − s, not by the synthetic share s.", id="lost-wrong-share")
        raise Hint(f"{what}[1] should be about {lost:.3f}; you returned {got_lost:.4f}.",
                   id="wrong-value")
    return ("correct: with s = 0.5, TPR 0.9, FPR 0.05 the filtered corpus is "
            f"{theory.filtered_share(0.5, 0.9, 0.05):.1%} synthetic, and 2.5% of the corpus "
            "(real items) was thrown away.")


# ---------------------------------------------------------------- 04.5 verification gate

def _gate_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(41)
    X = rng.standard_normal((40, 5))
    verifier = np.array([1.0, -0.5, 0.25, 0.0, 0.8])
    y = np.where(rng.random(40) < 0.7, np.sign(X @ verifier), -np.sign(X @ verifier))
    is_real = np.zeros(40, dtype=bool)
    is_real[::4] = True
    return X, y, is_real, verifier


@exercise("04.5", "a verification gate",
          hints=("not-a-mask", "gates-real-data", "inverted", "drops-all-synthetic",
                 "drops-real"))
def verification_gate(fn: Callable) -> str:
    """Check ``fn(X, y, is_real, verifier)`` -> boolean mask of the examples to keep."""
    X, y, is_real, verifier = _gate_inputs()
    what = "gate(X, y, is_real, verifier)"
    mask = as_mask(call(fn, X.copy(), y.copy(), is_real.copy(), verifier.copy()), what, len(y))
    agrees = np.sign(X @ verifier) == y
    expected = is_real | agrees
    if np.array_equal(mask, expected):
        return ("correct: every real example is kept, and a synthetic one only when the "
                "verifier gives it the same label.")
    if np.array_equal(mask, agrees):
        raise Hint("your gate also drops real examples the verifier disagrees with. Real data "
                   "are never gated: the verifier is imperfect, and the real labels are the "
                   "truth.", id="gates-real-data")
    if np.array_equal(mask, is_real | ~agrees) or np.array_equal(mask, ~agrees):
        raise Hint("your gate keeps the synthetic examples the verifier *disagrees* with; keep "
                   "those whose label equals the verifier's prediction sign(X @ verifier).",
                   id="inverted")
    if np.array_equal(mask, is_real):
        raise Hint("your gate drops every synthetic example: keep those the verifier agrees "
                   "with.", id="drops-all-synthetic")
    if np.array_equal(mask, ~is_real & agrees):
        raise Hint("your gate drops the real examples; keep every real example and the "
                   "synthetic examples the verifier agrees with.", id="drops-real")
    raise Hint(f"{what} kept {int(mask.sum())} of {len(y)} examples; the gate should keep "
               f"{int(expected.sum())}: every real example, and every synthetic one whose "
               "label equals sign(X @ verifier).", id="wrong-value")

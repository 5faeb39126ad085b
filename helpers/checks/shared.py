"""Inputs, reference computations and hints shared by the checks of several lessons."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks.core import Hint, RecordingGenerator, diagnose
from helpers.validate import MAX_SCALE, MIN_SCALE, finite_array, integer, real, shown

__all__ = ["DATA", "SEED", "draw", "share_beyond", "require_rng_use", "normal_request",
           "GeneratorsMade", "parametric_sample", "require_parametric_draws", "same_stream",
           "FALLBACK_CALLS", "FALLBACK_N",
           "FROM_THE_TRUTH"]

# Fixed input and seed of the one-generation exercises (00.1, 01.1).
DATA = np.array([1.3, -0.4, 2.2, 0.7, -1.1, 0.9, 1.6, 0.2])
DATA.flags.writeable = False
SEED = 7

FROM_THE_TRUTH = ("you sampled from N(0, 1), the true distribution. The loop samples from the "
                  "model fitted to `data`: use its mean and standard deviation.")


def _real(value: object, name: str, low: float = -math.inf) -> float:
    """``value`` as a float in [low, inf) (``low`` may be -inf: a bound that cuts nothing)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number >= {low:g}, got {shown(value)}, "
                         "too large for a float") from None
    if not low <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= {low:g}, got {value!r}")
    return value


def draw(mean: float, scale: float, n: int = DATA.size, seed: int = SEED) -> np.ndarray:
    """The samples ``rng.normal(mean, scale, size=n)`` gives with ``rng = default_rng(seed)``.

    >>> draw(0.0, 1.0, n=2, seed=0).round(3)
    array([ 0.126, -0.132])
    """
    mean = real(mean, "mean", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    scale = real(scale, "scale", minimum=0.0, maximum=MAX_SCALE)
    n = integer(n, "n", minimum=0, maximum=10**7)
    seed = integer(seed, "seed", minimum=0, maximum=2**63)
    return np.random.default_rng(seed).normal(mean, scale, size=n)


def share_beyond(samples: np.ndarray, lo: float, hi: float, sides: str = "both") -> float:
    """Share of ``samples`` below ``lo`` and/or above ``hi`` (``sides``: both, low, high).

    >>> share_beyond(np.array([-2.0, 0.0, 0.5, 3.0]), -1.0, 1.0)
    0.5
    """
    kind = "samples must be a non-empty 1-D array of real numbers"
    try:
        arr = np.asarray(samples)
    except Exception as error:  # noqa: BLE001 (ragged, nested too deep, a failing __array__)
        raise TypeError(f"{kind}, got {type(samples).__name__} that cannot be read as an array "
                        f"({type(error).__name__})") from None
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{kind}, got dtype {arr.dtype} and shape {arr.shape}")
    lo, hi = _real(lo, "lo"), _real(hi, "hi")
    if not isinstance(sides, str) or sides not in ("both", "low", "high"):
        raise ValueError(f"sides must be 'both', 'low' or 'high', got {shown(sides)}")
    below, above = np.mean(arr < lo), np.mean(arr > hi)
    return float({"both": below + above, "low": below, "high": above}[sides])


def require_rng_use(run: Callable[[np.random.Generator], Any], first: Any,
                    recorded: RecordingGenerator, what: str) -> None:
    """Raise a Hint when an answer ignores the generator it is given or makes its own.

    ``run(rng)`` calls the learner's function with generator ``rng`` and returns
    its (plain) result; ``first`` is what it returned for ``recorded``.
    """
    if not callable(run):
        raise TypeError(f"run must be callable, run(rng) -> result; got {type(run).__name__}")
    if not isinstance(recorded, RecordingGenerator):
        raise TypeError(f"recorded must be a RecordingGenerator, got {type(recorded).__name__}")
    if not isinstance(what, str):
        raise TypeError(f"what must be a string describing the call, got {type(what).__name__}")
    other = run(RecordingGenerator(recorded.seed + 1))
    same_for_other = _equal(first, other)
    if not recorded.draws or same_for_other:
        if same_for_other:
            raise Hint(f"{what} gives the same result whatever generator it is given: it makes "
                       "its own (for example np.random.default_rng(0)) instead of drawing from "
                       "the `rng` argument. Delete that generator and draw from `rng`.",
                       id="rng-fixed-seed")
        if recorded.bit_generator.state != np.random.PCG64(recorded.seed).state:
            raise Hint(f"{what} drew through rng.bit_generator (a new Generator around it, "
                       "or the bit generator itself) instead of rng's own methods; draw with "
                       "rng.normal(...), rng.integers(...), rng.spawn(...), so the check can "
                       "see the draws.", id="rng-not-used")
        raise Hint(f"{what} never drew a number from the `rng` it was given (it used np.random "
                   "or a generator of its own), so the same seed cannot reproduce it. Draw "
                   "every random number from `rng`, e.g. rng.normal(...).", id="rng-not-used")
    again = run(RecordingGenerator(recorded.seed))
    if not _equal(first, again):
        raise Hint(f"two calls of {what} with generators of the same seed gave different "
                   "results: some of its random numbers come from np.random or another "
                   "generator. Draw every one from the `rng` argument.", id="rng-not-used")


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    except (TypeError, ValueError):
        return a == b


def normal_request(recorded: RecordingGenerator) -> tuple[float, float, int] | None:
    """``(loc, scale, count)`` when the only request made to ``recorded`` was one ``normal``.

    >>> rng = RecordingGenerator(0)
    >>> _ = rng.normal(2.0, size=3)
    >>> normal_request(rng)
    (2.0, 1.0, 3)
    """
    if not isinstance(recorded, RecordingGenerator):
        raise TypeError(f"recorded must be a RecordingGenerator, got {type(recorded).__name__}")
    if len(recorded.draws) != 1 or recorded.draws[0].method != "normal":
        return None
    request = recorded.draws[0]
    names = ("loc", "scale")
    given = dict(zip(names, request.args, strict=False)) | {
        k: v for k, v in request.kwargs.items() if k in names}
    loc, scale = given.get("loc", 0.0), given.get("scale", 1.0)
    if np.ndim(loc) or np.ndim(scale):
        return None
    return float(loc), float(scale), request.count


# ---------------------------------------------------------------- the concept behind a sample

#: Calls and points of the sampling fallback: enough that a spread 5 % off is ~10 standard errors.
FALLBACK_CALLS, FALLBACK_N = 2000, 10


def parametric_sample(draws: np.ndarray, data: np.ndarray, mean: float, sd: float,
                      what: str, *, law: bool = True) -> None:
    """Raise a Hint unless ``draws`` (one row per call) look like fresh draws from N(mean, sd²).

    Tests what a parametric sample is, not only its law: values new (not the data's own,
    as a bootstrap would give), sampling error of the right size from call to call (not
    rescaled to exactly the fitted mean and sd), then (``law``) the pooled mean and spread.

    >>> rng = np.random.default_rng(0)
    >>> parametric_sample(rng.normal(1.0, 2.0, (500, 10)), np.zeros(3), 1.0, 2.0, "f")
    """
    draws = finite_array(draws, "draws", ndim=2, min_len=50)
    if draws.shape[1] < 2:
        raise ValueError(f"draws must hold at least 2 points per call (one row per call), got "
                         f"shape {draws.shape}")
    data = finite_array(data, "data")
    mean = real(mean, "mean", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    sd = real(sd, "sd", minimum=MIN_SCALE, maximum=MAX_SCALE)
    if not isinstance(what, str):
        raise TypeError(f"what must be a string describing the call, got {type(what).__name__}")
    if not isinstance(law, (bool, np.bool_)):
        raise TypeError(f"law must be True or False, got {type(law).__name__}")
    calls, n = draws.shape
    if np.mean(np.isin(draws, data)) > 0.5:
        raise Hint(f"{what} returns values of `data` itself: that resamples the data (a "
                   "bootstrap, e.g. rng.choice(data)), it does not sample the fitted model. "
                   "Draw new values from the Gaussian with the fitted mean and standard "
                   "deviation, rng.normal(...).", id="resampled-data")
    # the size of the sampling error, measured against the draws' own spread (so a wrong
    # scale is left to the law test): i.i.d. draws give var(mean) = s²/n, var(s²) ≈ 2s⁴/(n−1)
    means, variances, s2 = draws.mean(axis=1), draws.var(axis=1, ddof=1), draws.var()
    if np.var(means) < 0.5 * s2 / n or np.var(variances) < 0.25 * 2 * s2**2 / (n - 1):
        raise Hint(f"from call to call, the mean and spread of what {what} returns hardly "
                   "vary: a sample of n points from the fit has sampling error (its mean "
                   "varies by about sd/√n). Rescaling draws to have exactly the fitted mean "
                   "and standard deviation removes it; return rng.normal(mean, sd, size=n) "
                   "as drawn.", id="no-sampling-error")
    if not law:
        return
    pooled = draws.ravel()
    if abs(pooled.mean() - mean) > 5 * sd / np.sqrt(pooled.size):
        raise Hint(f"the mean of your samples is {pooled.mean():.3f}, far from the fitted mean "
                   f"{mean:.3f}: draw from the Gaussian whose mean is the mean of `data`.",
                   id="mean-off")
    ratio = float(np.sqrt(np.mean((pooled - mean) ** 2)) / sd)
    if abs(ratio - 1) > 0.05:
        raise Hint(f"your samples' spread is {ratio:.3f} times the fitted standard deviation "
                   f"(over {calls} calls); it should be 1 within 0.05: use the fitted standard "
                   "deviation as the scale of rng.normal.", id="spread-off")


def diagnose_changed_draws(got: np.ndarray, right: np.ndarray, mean: float, sd: float,
                           hints: Callable[[float, float], dict[str, str]]) -> None:
    """Name how an answer changed the right draws of N(mean, sd²): scaled about the mean
    (``spread-off``), shifted (``mean-off``) or rescaled to the exact moments
    (``no-sampling-error``), in any order. ``hints(factor, shift)`` gives each id's message;
    returns None when none matches (the caller's general hint follows).
    """
    factor, shift = got.std() / right.std(), got.mean() - right.mean()
    outputs = {"spread-off": lambda: mean + factor * (right - mean),
               "mean-off": lambda: right + shift,
               "no-sampling-error": lambda: mean + sd * (right - right.mean()) / right.std()}
    diagnose(got, right, {hint_id: (message, outputs[hint_id])
                          for hint_id, message in hints(factor, shift).items()},
             same=lambda a, b: np.allclose(np.sort(a), np.sort(b)))


_RESAMPLING = ("choice", "integers", "permutation", "shuffle", "permuted")


def require_parametric_draws(recorded: RecordingGenerator | None, what: str) -> None:
    """Raise a Hint when an answer resampled values (choice, integers, …) from its generator.

    For loops that only sample fitted Gaussians and whose output shows no samples (a chain
    of variances): what was asked of the generator shows a bootstrap of the data.

    >>> rng = RecordingGenerator(0)
    >>> _ = rng.normal(size=2)
    >>> require_parametric_draws(rng, "f")
    """
    if recorded is None:
        return
    if not isinstance(recorded, RecordingGenerator):
        raise TypeError(f"recorded must be a RecordingGenerator, got {type(recorded).__name__}")
    # one integer (a seed for a child generator, say) is not a resample: two or more values are
    methods = {d.method.rsplit(".", 1)[-1] for d in recorded.draws if d.count >= 2}
    if methods & set(_RESAMPLING):
        raise Hint(f"{what} resamples existing values (rng.{sorted(methods & set(_RESAMPLING))[0]}"
                   "): that is a bootstrap of the data, not sampling the fitted model. Draw "
                   "every generation's new points with rng.normal(mean, sd, ...) from the fit.",
                   id="resampled-data")


def _normalised(draw: Any) -> tuple[str, int, tuple[float, ...] | None]:
    """A request as (kind, count, (loc, scale)): normal and standard_normal draw the same stream."""
    if draw.method == "standard_normal":
        return "normal", draw.count, None
    if draw.method != "normal":
        return draw.method, draw.count, None
    names = ("loc", "scale")
    given = dict(zip(names, draw.args, strict=False)) | {
        k: v for k, v in draw.kwargs.items() if k in names}
    try:
        return "normal", draw.count, (float(given.get("loc", 0.0)), float(given.get("scale", 1.0)))
    except (TypeError, ValueError):  # array parameters: compare counts only
        return "normal", draw.count, None


def same_stream(recorded: RecordingGenerator, reference: Callable[[np.random.Generator], Any]
                ) -> bool:
    """True when the answer asked ``recorded`` for exactly the reference's random numbers.

    ``reference(rng)`` does the specified computation with ``rng``. Same requests in the same
    order, sizes and (for normal draws) parameters: then any difference in the answer's
    output is a specification error to name, not a matter for a statistical test.

    >>> rng = RecordingGenerator(0)
    >>> _ = rng.normal(1.0, 2.0, size=3)
    >>> same_stream(rng, lambda r: r.normal(1.0, 2.0, 3))
    True
    """
    if not isinstance(recorded, RecordingGenerator):
        raise TypeError(f"recorded must be a RecordingGenerator, got {type(recorded).__name__}")
    if not callable(reference):
        raise TypeError(f"reference must be callable, got {type(reference).__name__}")
    mine = RecordingGenerator(recorded.seed)  # a caller checks the seed is the task's
    reference(mine)
    ours, theirs = [_normalised(d) for d in mine.draws], [_normalised(d) for d in recorded.draws]
    return len(ours) == len(theirs) and all(
        a[:2] == b[:2] and (a[2] is None or b[2] is None or np.allclose(a[2], b[2]))
        for a, b in zip(ours, theirs, strict=True))


class GeneratorsMade:
    """Record the generators an answer creates with ``np.random.default_rng`` (and legacy seeding).

    Inside ``with GeneratorsMade() as made:``, ``made.seeds`` lists the seed of every
    ``np.random.default_rng(seed)`` call and ``made.legacy`` counts ``np.random.seed``
    calls; a generator made from an integer seed is a :class:`RecordingGenerator`
    (``made.generators``), which draws the same numbers.

    >>> with GeneratorsMade() as made:
    ...     _ = np.random.default_rng(3)
    >>> made.seeds
    [3]
    """

    def __enter__(self) -> GeneratorsMade:
        self.seeds: list[Any] = []
        self.generators: list[RecordingGenerator] = []
        self.legacy = 0
        self._default_rng, self._seed = np.random.default_rng, np.random.seed

        def default_rng(seed: Any = None, *args: Any, **kwargs: Any) -> np.random.Generator:
            self.seeds.append(seed)
            if (not args and not kwargs and isinstance(seed, numbers.Integral)
                    and not isinstance(seed, bool) and seed >= 0):
                made = RecordingGenerator(int(seed))  # the same numbers, recorded
                self.generators.append(made)
                return made
            return self._default_rng(seed, *args, **kwargs)

        def seed(*args: Any, **kwargs: Any) -> None:
            self.legacy += 1
            self._seed(*args, **kwargs)

        np.random.default_rng, np.random.seed = default_rng, seed
        return self

    def __exit__(self, *exc: Any) -> None:
        np.random.default_rng, np.random.seed = self._default_rng, self._seed

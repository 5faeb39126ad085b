"""Inputs, reference computations and hints shared by the checks of several lessons."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers.checks.core import Hint, RecordingGenerator

__all__ = ["DATA", "SEED", "draw", "share_beyond", "require_rng_use", "normal_request",
           "GeneratorsMade",
           "FROM_THE_TRUTH"]

# Fixed input and seed of the one-generation exercises (00.1, 01.1).
DATA = np.array([1.3, -0.4, 2.2, 0.7, -1.1, 0.9, 1.6, 0.2])
DATA.flags.writeable = False
SEED = 7

FROM_THE_TRUTH = ("you sampled from N(0, 1), the true distribution. The loop samples from the "
                  "model fitted to `data`: use its mean and standard deviation.")


def _real(value: object, name: str, low: float = -math.inf) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not low <= value < math.inf:
        raise ValueError(f"{name} must be a finite number >= {low:g}, got {value!r}")
    return value


def draw(mean: float, scale: float, n: int = DATA.size, seed: int = SEED) -> np.ndarray:
    """The samples ``rng.normal(mean, scale, size=n)`` gives with ``rng = default_rng(seed)``.

    >>> draw(0.0, 1.0, n=2, seed=0).round(3)
    array([ 0.126, -0.132])
    """
    mean, scale = _real(mean, "mean"), _real(scale, "scale", 0.0)
    for name, value, top in (("n", n, 10**7), ("seed", seed, 2**63)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
        if not 0 <= value <= top:
            raise ValueError(f"{name} must be in [0, {top}], got {value}")
    return np.random.default_rng(int(seed)).normal(mean, scale, size=int(n))


def share_beyond(samples: np.ndarray, lo: float, hi: float, sides: str = "both") -> float:
    """Share of ``samples`` below ``lo`` and/or above ``hi`` (``sides``: both, low, high).

    >>> share_beyond(np.array([-2.0, 0.0, 0.5, 3.0]), -1.0, 1.0)
    0.5
    """
    arr = np.asarray(samples)
    if arr.dtype.kind not in "iuf" or arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"samples must be a non-empty 1-D array of real numbers, got "
                         f"dtype {arr.dtype} and shape {arr.shape}")
    lo, hi = _real(lo, "lo"), _real(hi, "hi")
    if sides not in ("both", "low", "high"):
        raise ValueError(f"sides must be 'both', 'low' or 'high', got {sides!r}")
    below, above = np.mean(arr < lo), np.mean(arr > hi)
    return float({"both": below + above, "low": below, "high": above}[sides])


def require_rng_use(run: Callable[[np.random.Generator], Any], first: Any,
                    first_rng: RecordingGenerator, what: str) -> None:
    """Raise a Hint when an answer ignores the generator it is given or makes its own.

    ``run(rng)`` calls the learner's function with generator ``rng`` and returns
    its (plain) result; ``first`` is what it returned for ``first_rng``.
    """
    other = run(RecordingGenerator(first_rng.seed + 1))
    same_for_other = _equal(first, other)
    if not first_rng.draws or same_for_other:
        if same_for_other:
            raise Hint(f"{what} gives the same result whatever generator it is given: it makes "
                       "its own (for example np.random.default_rng(0)) instead of drawing from "
                       "the `rng` argument. Delete that generator and draw from `rng`.",
                       id="rng-fixed-seed")
        raise Hint(f"{what} never drew a number from the `rng` it was given (it used np.random "
                   "or a generator of its own), so the same seed cannot reproduce it. Draw "
                   "every random number from `rng`, e.g. rng.normal(...).", id="rng-not-used")
    again = run(RecordingGenerator(first_rng.seed))
    if not _equal(first, again):
        raise Hint(f"two calls of {what} with generators of the same seed gave different "
                   "results: some of its random numbers come from np.random or another "
                   "generator. Draw every one from the `rng` argument.", id="rng-not-used")


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(np.array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float)))
    except (TypeError, ValueError):
        return a == b


def normal_request(rng: RecordingGenerator) -> tuple[float, float, int] | None:
    """``(loc, scale, count)`` when the only request made to ``rng`` was one ``rng.normal``.

    >>> rng = RecordingGenerator(0)
    >>> _ = rng.normal(2.0, size=3)
    >>> normal_request(rng)
    (2.0, 1.0, 3)
    """
    if len(rng.draws) != 1 or rng.draws[0].method != "normal":
        return None
    request = rng.draws[0]
    names = ("loc", "scale")
    given = dict(zip(names, request.args, strict=False)) | {
        k: v for k, v in request.kwargs.items() if k in names}
    loc, scale = given.get("loc", 0.0), given.get("scale", 1.0)
    if np.ndim(loc) or np.ndim(scale):
        return None
    return float(loc), float(scale), request.count


class GeneratorsMade:
    """Record the generators an answer creates with ``np.random.default_rng`` (and legacy seeding).

    Inside ``with GeneratorsMade() as made:``, ``made.seeds`` lists the seed of every
    ``np.random.default_rng(seed)`` call and ``made.legacy`` counts ``np.random.seed``
    calls; the generators themselves are unchanged.

    >>> with GeneratorsMade() as made:
    ...     _ = np.random.default_rng(3)
    >>> made.seeds
    [3]
    """

    def __enter__(self) -> GeneratorsMade:
        self.seeds: list[Any] = []
        self.legacy = 0
        self._default_rng, self._seed = np.random.default_rng, np.random.seed

        def default_rng(seed: Any = None, *args: Any, **kwargs: Any) -> np.random.Generator:
            self.seeds.append(seed)
            return self._default_rng(seed, *args, **kwargs)

        def seed(*args: Any, **kwargs: Any) -> None:
            self.legacy += 1
            self._seed(*args, **kwargs)

        np.random.default_rng, np.random.seed = default_rng, seed
        return self

    def __exit__(self, *exc: Any) -> None:
        np.random.default_rng, np.random.seed = self._default_rng, self._seed

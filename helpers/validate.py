"""Argument validation shared by the public helpers.

Every public function checks its arguments with these helpers, so a bad
argument always raises ``TypeError`` (wrong kind of value) or ``ValueError``
(right kind, wrong value) with a message that names the argument and says
what is accepted.

>>> positive_int(5, "n")
5
>>> positive_int(0, "n")
Traceback (most recent call last):
...
ValueError: n must be a positive integer (>= 1), got 0
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "MAX_GENERATIONS",
    "MAX_RUNS",
    "MAX_SCALE",
    "elements",
    "integer",
    "positive_int",
    "real",
    "fraction",
    "one_of",
    "finite_array",
    "probability_vector",
    "rng_from",
]

# Caps shared by every public function (CONTRIBUTING, "Conventions"):
MAX_ELEMENTS = 10**8  # numbers in one array (800 MB of float64): larger would not fit in memory
MAX_GENERATIONS = 100_000  # generations of a loop or chain: more would not finish in minutes
MAX_RUNS = 10_000  # seeds of one run_loop call, bootstrap resamples, ...
MAX_SCALE = 1e100  # locations and scales: keeps their squares (and sums of them) finite


def elements(count: float, name: str) -> int:
    """Refuse an array of ``count`` numbers that would not fit in memory (``MAX_ELEMENTS``).

    ``name`` is the caller's argument that sets the size.

    >>> elements(1000, "n")
    1000
    """
    if count > MAX_ELEMENTS:
        raise ValueError(f"{name} is too large: the arrays would hold {count:.3g} numbers, "
                         f"more than the {MAX_ELEMENTS:.0e} that fit in memory")
    return int(count)


def integer(value: Any, name: str, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
    """Return ``value`` as an ``int`` after checking its type and range.

    >>> integer(3, "k", minimum=0)
    3
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an ``int`` >= 1, else raise naming ``name``."""
    value = integer(value, name)
    if value < 1:
        raise ValueError(f"{name} must be a positive integer (>= 1), got {value}")
    return value


def real(value: Any, name: str, *, minimum: float | None = None,
         maximum: float | None = None, strict_min: bool = False) -> float:
    """Return ``value`` as a finite ``float`` within the given bounds.

    ``strict_min=True`` excludes the minimum itself (``value > minimum``).

    >>> real(0.5, "h", minimum=0, strict_min=True)
    0.5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        value = float(value)
    except (OverflowError, ValueError):  # a huge int or Fraction
        raise ValueError(f"{name} must be a finite number, got one too large for a float") \
            from None
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None:
        if strict_min and value <= minimum:
            raise ValueError(f"{name} must be > {minimum}, got {value}")
        if not strict_min and value < minimum:
            raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def fraction(value: Any, name: str) -> float:
    """Return ``value`` as a float in [0, 1], else raise naming ``name``."""
    return real(value, name, minimum=0.0, maximum=1.0)


def one_of(value: Any, name: str, options: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``options``, else raise naming ``name``.

    >>> one_of("replace", "policy", ("replace", "accumulate"))
    'replace'
    """
    options = tuple(options)
    if isinstance(value, bool) and not any(isinstance(o, bool) for o in options):
        raise ValueError(f"{name} must be one of {options!r}, got {value!r}")
    try:
        ok = value in options
    except (TypeError, ValueError):  # unhashable, incomparable or array-valued
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {options!r}, got {value!r}")
    return value


def finite_array(values: Any, name: str, *, ndim: int | tuple[int, ...] | None = None,
                 min_len: int = 1) -> np.ndarray:
    """Return ``values`` as a float array with only finite entries.

    ``ndim`` restricts the accepted dimensions; ``min_len`` is the minimum
    length of the first axis.

    >>> finite_array([1.0, 2.0], "x", ndim=1).shape
    (2,)
    """
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers, got {type(values).__name__}")
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be an array of numbers, got {type(values).__name__}"
        ) from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            dims = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be {dims}, got an array of shape {arr.shape}")
    if arr.ndim == 0 or arr.shape[0] < min_len:
        raise ValueError(
            f"{name} must contain at least {min_len} value(s), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def probability_vector(p: Any, name: str, *, atol: float = 1e-8) -> np.ndarray:
    """Return ``p`` as a 1-D float array of non-negative entries summing to 1.

    >>> probability_vector([0.25, 0.75], "p")
    array([0.25, 0.75])
    """
    arr = finite_array(p, name, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must not contain negative probabilities")
    total = float(arr.sum())
    if abs(total - 1.0) > atol:
        raise ValueError(f"{name} must sum to 1, got a sum of {total:.6g}")
    return arr


def rng_from(seed: Any, name: str = "seed") -> np.random.Generator:
    """Return a NumPy ``Generator`` from an integer seed or an existing generator.

    >>> bool(rng_from(0).integers(10) == rng_from(0).integers(10))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{name} must be a non-negative integer or a numpy.random.Generator, "
            f"got {type(seed).__name__}"
        )
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {seed}")
    return np.random.default_rng(int(seed))

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
import reprlib
from collections.abc import Callable, Iterable, Mapping
from itertools import islice
from typing import Any

import numpy as np

__all__ = [
    "MAX_ELEMENTS",
    "MAX_GENERATIONS",
    "MAX_RUNS",
    "MAX_SCALE",
    "MIN_SCALE",
    "MAX_INTEGER",
    "MAX_NESTING",
    "elements",
    "integer",
    "positive_int",
    "real",
    "fraction",
    "one_of",
    "data_points",
    "finite_array",
    "fractions",
    "function",
    "seed_list",
    "probability_vector",
    "rng_from",
    "bounded_array",
    "point_sample",
    "two_point_samples",
    "sample_1d",
    "nonnegative_1d",
    "counts_vector",
    "same_length",
    "log_base",
    "check_ddof",
    "shown",
]

# Caps shared by every public function (CONTRIBUTING, "Conventions"):
MAX_ELEMENTS = 10**8  # numbers in one array (800 MB of float64): larger would not fit in memory
MAX_GENERATIONS = 100_000  # generations of a loop or chain: more would not finish in minutes
MAX_RUNS = 10_000  # seeds of one run_loop call, bootstrap resamples, ...
MAX_SCALE = 1e100  # locations and scales: keeps their squares (and sums of them) finite
MIN_SCALE = 1e-100  # smallest bandwidth: its square is a normal (not subnormal) float
MAX_INTEGER = 2**53  # larger integers are not exact as floats (and overflow some formulas)
MAX_NESTING = 32  # lists, tuples and dicts inside one another: deeper is not a result or a file


def elements(count: float, name: str) -> int:
    """Refuse an array of ``count`` numbers that would not fit in memory (``MAX_ELEMENTS``).

    ``name`` is the caller's argument that sets the size.

    >>> elements(1000, "n")
    1000
    """
    if isinstance(count, bool) or not isinstance(count, numbers.Real):
        raise TypeError(f"{name} must set a number of elements, got {type(count).__name__}")
    if count != count or count < 0:  # NaN or negative
        raise ValueError(f"{name} must set a non-negative number of elements, got {count}")
    if count > MAX_ELEMENTS:
        size = _shown(count) if isinstance(count, numbers.Integral) else f"{count:.3g}"
        raise ValueError(f"{name} is too large: the arrays would hold {size} numbers, "
                         f"more than the {MAX_ELEMENTS:.0e} that fit in memory")
    return int(count)


def integer(value: Any, name: str, *, minimum: int | None = None,
            maximum: int | None = None, minimum_is: str = "") -> int:
    """Return ``value`` as an ``int`` after checking its type and range.

    ``maximum`` defaults to ``MAX_INTEGER`` (2**53), ``minimum`` to ``-MAX_INTEGER``.
    ``minimum_is``: how a minimum set by other arguments is written (``"d + 2"``), so
    the message names them too.

    >>> integer(3, "k", minimum=0)
    3
    >>> integer(10, "T", minimum=12, minimum_is="d + 2")
    Traceback (most recent call last):
    ...
    ValueError: T must be >= d + 2 = 12, got 10
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    value = int(value)
    minimum = -MAX_INTEGER if minimum is None else minimum
    maximum = MAX_INTEGER if maximum is None else maximum
    if value < minimum:
        lowest = f"{minimum_is} = {_shown(minimum)}" if minimum_is else _shown(minimum)
        raise ValueError(f"{name} must be >= {lowest}, got {_shown(value)}")
    if value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {_shown(value)}")
    return value


def _shown(value: int) -> str:
    """A huge int shortened for a message (str() of a 10**5000 is refused by Python)."""
    return str(value) if abs(value) < 10**30 else f"an integer of {int(value).bit_length()} bits"


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother = 3, 60, 60


def shown(value: Any) -> str:
    """A short repr of any value for an error message: deep nesting, huge numbers and
    objects whose ``__repr__`` fails are all shown safely.

    >>> shown([[[[[1]]]]])
    '[[[[...]]]]'
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return _shown(int(value))
    try:
        return _REPR.repr(value)
    except Exception:  # noqa: BLE001 -- a broken __repr__ must not hide the real error
        return f"a {type(value).__name__}"


def positive_int(value: Any, name: str, maximum: int = MAX_ELEMENTS) -> int:
    """Return ``value`` as an ``int`` in [1, maximum] (a size: at most ``MAX_ELEMENTS``)."""
    value = integer(value, name, maximum=maximum)
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
        raise ValueError(f"{name} must be one of {shown(options)}, got {value!r}")
    try:
        ok = bool(value in options)
    except Exception:  # noqa: BLE001 -- unhashable, incomparable, array-valued or broken
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {shown(options)}, got {shown(value)}")
    return value


def as_array(values: Any, name: str, kind: str = "an array of real numbers") -> np.ndarray:
    """(For the validators of our own modules: it converts, it does not check the values.)
    ``np.asarray(values)``, dtype kept, or a ``TypeError`` naming ``name`` and ``kind``:
    for text, ragged or too deeply nested sequences and objects whose conversion fails
    (a broken ``__array__``, ``__len__`` or ``__iter__``); ``ValueError`` if it cannot fit
    in memory.

    >>> as_array([[1, 2]], "X").shape
    (1, 2)
    """
    wrong = f"{name} must be {kind}, got {type(values).__name__}"
    if isinstance(values, (str, bytes)):
        raise TypeError(wrong)
    try:
        return np.asarray(values)
    except (TypeError, ValueError):  # ragged nested sequences
        raise TypeError(wrong) from None
    except RecursionError:
        raise TypeError(f"{wrong} nested too deeply") from None
    except MemoryError:
        raise ValueError(f"{name} is too large to fit in memory") from None
    except Exception as error:  # noqa: BLE001 -- an object whose conversion itself fails
        raise TypeError(f"{wrong} that cannot be read as an array "
                        f"({type(error).__name__}: {shown(str(error))})") from None


def _floats(raw: np.ndarray, name: str, wrong: str) -> np.ndarray:
    """A numeric (or object) array as floats, naming ``name`` when an element is no number."""
    if raw.dtype.kind not in "biuf" and raw.dtype != object:  # complex, str, bytes, ...
        raise TypeError(f"{wrong} of dtype {raw.dtype}")
    elements(raw.size, name)  # before any copy (a broadcast view costs nothing yet)
    if raw.dtype == object and any(v is None for v in raw.flat):  # NumPy reads None as NaN
        raise TypeError(f"{wrong} holding None")
    try:
        return raw.astype(float)
    except OverflowError:
        raise ValueError(f"{name} holds a number too large for a float") from None
    except (TypeError, ValueError, RecursionError):  # objects that are not numbers
        raise TypeError(f"{wrong} holding non-numbers") from None
    except Exception as error:  # noqa: BLE001 -- elements whose __float__ fails
        raise TypeError(f"{wrong} holding elements that cannot be read as numbers "
                        f"({type(error).__name__})") from None


def finite_array(values: Any, name: str, *, ndim: int | tuple[int, ...] | None = None,
                 min_len: int = 1) -> np.ndarray:
    """Return ``values`` as a float array with only finite entries.

    ``ndim`` restricts the accepted dimensions (0 in it accepts a single number);
    ``min_len`` is the minimum length of the first axis.

    >>> finite_array([1.0, 2.0], "x", ndim=1).shape
    (2,)
    >>> finite_array(0.5, "q", ndim=(0, 1)).shape
    ()
    """
    arr = _floats(as_array(values, name), name,
                  f"{name} must be an array of real numbers, got {type(values).__name__}")
    allowed = None if ndim is None else (ndim,) if isinstance(ndim, int) else tuple(ndim)
    if allowed is not None and arr.ndim not in allowed:
        dims = " or ".join("a single number" if d == 0 else f"{d}-D" for d in allowed)
        raise ValueError(f"{name} must be {dims}, got an array of shape {arr.shape}")
    if arr.ndim == 0 and allowed is None or arr.ndim and arr.shape[0] < min_len:
        raise ValueError(
            f"{name} must contain at least {min_len} value(s), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite numbers (no NaN or inf)")
    return arr


def fractions(values: Any, name: str) -> np.ndarray:
    """A number in [0, 1] or a 1-D array of them (levels, shares), as floats.

    >>> fractions([0.1, 0.9], "q").tolist()
    [0.1, 0.9]
    """
    arr = finite_array(values, name, ndim=(0, 1))
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must hold numbers in [0, 1], got {shown(values)}")
    return arr


def function(value: Any, name: str, form: str) -> Callable[..., Any]:
    """Return ``value`` if it can be called, else a ``TypeError`` naming ``name`` and the
    call ``form`` it must support.

    >>> function(len, "size", "size(x) -> int") is len
    True
    """
    if not callable(value):
        raise TypeError(f"{name} must be a callable {form}, got {type(value).__name__}")
    return value


def seed_list(values: Any, name: str = "seeds", maximum: int = MAX_RUNS) -> tuple[int, ...]:
    """``values`` (any iterable: a list, a ``range``) as a tuple of 1 to ``maximum``
    non-negative int seeds; an endless or failing iteration is refused by name.

    >>> seed_list(range(3))
    (0, 1, 2)
    """
    if isinstance(values, (numbers.Number, str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a sequence of integers such as range(10) or [0], "
                        f"got {type(values).__name__}")
    try:
        given = tuple(islice(iter(values), maximum + 1))
    except Exception as error:  # noqa: BLE001 -- a sequence whose iteration itself fails
        raise TypeError(f"{name} must be a sequence of integers that can be read "
                        f"({type(error).__name__})") from None
    if not 1 <= len(given) <= maximum:
        raise ValueError(f"{name} must hold 1 to {maximum} seeds, got "
                         f"{'more' if given else 'none'}")
    return tuple(integer(s, name, minimum=0) for s in given)


def data_rows(values: Any, name: str, *, min_len: int = 1,
              ndim: int | tuple[int, ...] = (1, 2)) -> np.ndarray:
    """``values`` as a float array of finite rows along the first axis (``ndim`` 1 or 2 by
    default); an integer NumPy array (tokens) is returned as it is.

    >>> data_rows(np.array([3, 1, 2]), "real").dtype.kind, data_rows([0.5, 1], "real").dtype.kind
    ('i', 'f')
    """
    checked = finite_array(values, name, min_len=min_len, ndim=ndim)
    if isinstance(values, np.ndarray) and values.dtype.kind in "iu":
        return values
    return checked


def data_points(values: Any, name: str, *, min_len: int = 1) -> np.ndarray:
    """``values`` as an array of data points along the first axis, dtype kept (token ids
    stay integers): real numbers (bool, int or finite float), at least one axis, at least
    ``min_len`` points and no empty axis, small enough for memory.

    >>> data_points([[1, 2], [3, 4]], "real").dtype.kind
    'i'
    """
    arr = as_array(values, name, "an array of data points (first axis)")
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if arr.ndim == 0 or arr.shape[0] < min_len or arr.size == 0:
        raise ValueError(f"{name} must hold at least {min_len} data point(s) along its first "
                         f"axis and no empty axis, got shape {arr.shape}")
    elements(arr.size, name)
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
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


# ---------------------------------------------------------------- samples, counts, ddof

def bounded_array(values: Any, name: str, **kwargs: Any) -> np.ndarray:
    """``finite_array`` that also rejects magnitudes whose squares would overflow."""
    arr = finite_array(values, name, **kwargs)
    if arr.size and np.abs(arr).max() > MAX_SCALE:
        raise ValueError(f"{name} has values beyond {MAX_SCALE:g} in size; rescale the data")
    return arr


def point_sample(values: Any, name: str, *, min_len: int = 1) -> np.ndarray:
    """Return a sample of points as a finite ``(n, d)`` float array."""
    arr = bounded_array(values, name, ndim=(1, 2), min_len=min_len)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature column, got shape {arr.shape}")
    return arr


def two_point_samples(x: Any, y: Any, names: tuple[str, str], *,
                 min_len: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Return two point samples with the same number of features."""
    a = point_sample(x, names[0], min_len=min_len)
    b = point_sample(y, names[1], min_len=min_len)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of features, "
            f"got {a.shape[1]} and {b.shape[1]}"
        )
    return a, b


def sample_1d(values: Any, name: str, *, min_len: int = 1) -> np.ndarray:
    """Return a finite 1-D float array (one scalar per sample)."""
    return bounded_array(values, name, ndim=1, min_len=min_len)


def nonnegative_1d(values: Any, name: str) -> np.ndarray:
    """Return non-negative counts (or probabilities) as a 1-D float array."""
    arr = bounded_array(values, name, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must not contain negative counts")
    return arr


def counts_vector(values: Any, name: str) -> np.ndarray:
    """Return non-negative counts (or probabilities) with a positive total."""
    arr = nonnegative_1d(values, name)
    if arr.sum() <= 0:
        raise ValueError(f"{name} must have a positive total (at least one non-zero count)")
    return arr


def same_length(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    """Refuse two validated arrays of different lengths, naming both arguments.

    >>> same_length(np.zeros(2), np.ones(2), ("x", "y"))
    """
    for array, name in ((a, names[0]), (b, names[1])):
        if not isinstance(array, np.ndarray) or array.ndim == 0:
            raise TypeError(f"{name} must be an array with at least one axis, "
                            f"got {type(array).__name__}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length (one entry per category), "
            f"got {a.shape[0]} and {b.shape[0]}"
        )


def log_base(base: Any) -> float | None:
    """Check an entropy base: ``None`` (natural log, nats) or a positive number != 1."""
    if base is None:
        return None
    value = real(base, "base", minimum=0.0, strict_min=True)
    if value == 1.0:
        raise ValueError("base must be a positive number other than 1 (or None for nats), got 1")
    return value


def check_ddof(ddof: Any, n: int, name: str) -> int:
    ddof = one_of(integer(ddof, "ddof"), "ddof", (0, 1))
    if n <= ddof:
        raise ValueError(f"{name} must contain more than ddof={ddof} sample(s), got {n}")
    return ddof


def check_nesting(value: Any, name: str, limit: int = MAX_NESTING) -> None:
    """Refuse ``value`` when its lists, tuples and dicts nest deeper than ``limit`` levels
    (walked without recursion, stopping at the first level past the limit), so code that
    walks it recursively can never hit ``RecursionError``.

    >>> check_nesting([[1]], "x", limit=1)
    Traceback (most recent call last):
    ...
    ValueError: x is nested deeper than 1 levels (lists, tuples and dicts)
    """
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, tuple, Mapping)):
            if level > limit:
                raise ValueError(f"{name} is nested deeper than {limit} levels (lists, tuples "
                                 "and dicts)")
            children = list(item.values()) if isinstance(item, Mapping) else item
            stack.extend((child, level + 1) for child in children)


def warn_deprecated(message: str) -> None:
    """Warn that an old name was used, attributed to the first caller outside ``helpers``
    (the code that wrote the old name), however deep inside the course's modules the name
    is resolved; our own modules never use old names (a test turns such warnings from
    ``helpers`` into errors)."""
    import sys
    import warnings

    level, frame = 2, sys._getframe(1)  # stacklevel 2: the caller of this function
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "helpers":
        frame, level = frame.f_back, level + 1
    warnings.warn(message, DeprecationWarning, stacklevel=level)

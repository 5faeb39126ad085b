"""The tails (1 = intact, 0 = gone).

:func:`tail_mass_ratio`, :func:`gaussian_tail_mass_ratio`, :func:`rare_category_recall`,
:func:`support_retained`, :func:`worst_class_accuracy`. Re-exported by :mod:`helpers.metrics`.

>>> support_retained([3, 0, 1], [2, 2, 2])
0.6666666666666666
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import scipy.linalg
import scipy.stats

from helpers.validate import (
    MAX_SCALE,
    bounded_array,
    counts_vector,
    nonnegative_1d,
    same_length,
    sample_1d,
)
from helpers.validate import real as real_number

__all__ = [
    "tail_mass_ratio",
    "gaussian_tail_mass_ratio",
    "rare_category_recall",
    "support_retained",
    "worst_class_accuracy",
]


def tail_mass_ratio(samples: Any, real: Any, q: float = 0.01) -> float:
    """How much of the real data's tail mass a sample keeps.

    The share of ``samples`` below the real q-quantile or above the real
    (1 - q)-quantile, divided by the same share for ``real`` itself (about
    2q). Direction: 1 = tails intact, 0 = tails gone, > 1 = heavier tails
    than the real data.

    samples: ``(m,)``; real: ``(n,)``, with some points beyond its own
    quantiles (n of at least a few times 1/q); q in (0, 0.5).

    >>> real = np.linspace(-3, 3, 1001)
    >>> tail_mass_ratio(np.zeros(50), real, q=0.05)
    0.0
    """
    s = sample_1d(samples, "samples")
    r = sample_1d(real, "real")
    q = real_number(q, "q", minimum=0.0, strict_min=True)
    if q >= 0.5:
        raise ValueError(f"q must be < 0.5, got {q}")
    lo, hi = np.quantile(r, [q, 1.0 - q])
    real_share = np.mean((r < lo) | (r > hi))
    if real_share == 0:
        raise ValueError(
            f"real has no points beyond its own {q:g}/{1 - q:g} quantiles; "
            "give more real data or a larger q"
        )
    return float(np.mean((s < lo) | (s > hi)) / real_share)


def gaussian_tail_mass_ratio(mean: Any, var: Any, q: float = 0.01, *, mu0: float = 0.0,
                             sigma0: float = 1.0) -> Any:
    """Exact tail mass ratio of fitted Gaussians N(mean, var) against the truth N(mu0, sigma0^2).

    The probability that N(mean, var) puts below the truth's q-quantile or above its
    (1 - q)-quantile, divided by 2q (the truth's own share): the population version of
    :func:`tail_mass_ratio`, with no sampling noise. Direction: 1 = tails intact,
    0 = tails gone, > 1 = heavier tails than the truth. ``var = 0`` is a point mass.

    mean, var: numbers or arrays of the same shape (e.g. ``(generations + 1, chains)``
    from :mod:`helpers.chains`), var >= 0. Returns a float for scalar input, else an
    array of that shape.

    >>> gaussian_tail_mass_ratio(0.0, 1.0)
    1.0
    >>> round(gaussian_tail_mass_ratio(0.0, 0.81), 3)  # sigma 0.9: half the tail mass is gone
    0.487
    """
    given = []
    for value, name in ((mean, "mean"), (var, "var")):
        if isinstance(value, (str, bytes)):
            raise TypeError(f"{name} must be a number or an array of numbers, got a string")
        try:
            given.append(np.asarray(value, dtype=float))
        except OverflowError:  # an int beyond a float's range
            raise ValueError(f"{name} must be finite, got a number too large for a float") \
                from None
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or an array of numbers") from None
    scalar = given[0].ndim == 0 and given[1].ndim == 0
    mu = bounded_array(np.atleast_1d(given[0]), "mean")
    v = bounded_array(np.atleast_1d(given[1]), "var")
    if mu.shape != v.shape:
        raise ValueError(f"mean and var must have the same shape, got {mu.shape} and {v.shape}")
    if np.any(v < 0):
        raise ValueError("var must be >= 0")
    q = real_number(q, "q", minimum=0.0, strict_min=True)
    if q >= 0.5:
        raise ValueError(f"q must be < 0.5, got {q}")
    mu0 = real_number(mu0, "mu0", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    sigma0 = real_number(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    z = scipy.stats.norm.ppf(1.0 - q)
    sd = np.sqrt(v)
    safe = np.where(sd > 0, sd, 1.0)
    lo = np.where(sd > 0, (mu0 - z * sigma0 - mu) / safe, np.where(mu < mu0 - z * sigma0,
                                                                      np.inf, -np.inf))
    hi = np.where(sd > 0, (mu - mu0 - z * sigma0) / safe, np.where(mu > mu0 + z * sigma0,
                                                                      np.inf, -np.inf))
    ratio = (scipy.stats.norm.cdf(lo) + scipy.stats.norm.cdf(hi)) / (2.0 * q)
    return float(ratio[0]) if scalar else ratio


def rare_category_recall(counts: Any, p_true: Any, rare: float | Any = None) -> float:
    """Share of the originally rare categories still present (count > 0).

    ``rare`` selects the rare categories: a probability threshold (categories
    with ``0 < p_true < rare``; default ``1 / K``, i.e. less likely than
    uniform), or a boolean mask of shape ``(K,)``. Direction: 1 = every rare
    category still present, 0 = all gone (rare categories go first).

    counts: ``(K,)`` non-negative counts (or probabilities) of the current
    generation; p_true: ``(K,)`` original probabilities (or counts).

    >>> rare_category_recall([50, 30, 1, 0], [0.5, 0.3, 0.1, 0.1], rare=0.2)
    0.5
    """
    c = nonnegative_1d(counts, "counts")
    p = counts_vector(p_true, "p_true")
    same_length(c, p, ("counts", "p_true"))
    p = p / p.sum()
    if rare is None or isinstance(rare, numbers.Real) and not isinstance(rare, bool):
        threshold = 1.0 / p.shape[0] if rare is None else real_number(rare, "rare", minimum=0.0)
        mask = (p > 0) & (p < threshold)
    else:
        mask = np.asarray(rare)
        if mask.dtype != bool or mask.shape != p.shape:
            raise TypeError(
                f"rare must be a probability threshold or a boolean mask of shape {p.shape}"
            )
        mask = mask & (p > 0)
    if not mask.any():
        raise ValueError("rare selects no category with p_true > 0; raise the threshold")
    return float(np.mean(c[mask] > 0))


def support_retained(counts: Any, original_counts: Any) -> float:
    """Share of the original support still present.

    (categories with ``counts > 0`` among those with ``original_counts > 0``)
    / (number with ``original_counts > 0``). Direction: 1 = full support, 0
    = none left; it can only fall under pure self-resampling.

    counts, original_counts: shape ``(K,)``, non-negative.

    >>> support_retained([4, 0, 2, 0], [3, 1, 1, 0])
    0.6666666666666666
    """
    c = nonnegative_1d(counts, "counts")
    original = counts_vector(original_counts, "original_counts")
    same_length(c, original, ("counts", "original_counts"))
    return float(np.mean(c[original > 0] > 0))


def _labels(values: Any, name: str) -> np.ndarray:
    """Return class labels as a non-empty 1-D array of integers or strings."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D array of class labels, got a string")
    try:
        arr = np.asarray(values)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 1-D array of class labels") from None
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array of labels, got shape {arr.shape}")
    if arr.dtype.kind in "iuU":
        return arr
    if arr.dtype.kind in "bf" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        return arr.astype(np.int64)
    raise TypeError(f"{name} must hold integer or string labels (whole numbers if float)")


def worst_class_accuracy(y_true: Any, y_pred: Any) -> float:
    """Lowest per-class accuracy: min over classes c of P(pred = c | true = c).

    Per-class accuracy (the per-class recall) is taken over the classes
    present in ``y_true``. Direction:
    1 = every class always right; it drops when a minority class is lost,
    even when overall accuracy barely moves.

    y_true, y_pred: shape ``(n,)``, integer or string labels.

    >>> worst_class_accuracy([0, 0, 1, 1], [0, 0, 1, 0])
    0.5
    """
    t = _labels(y_true, "y_true")
    p = _labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred must have the same length, got {t.size} and {p.size}")
    if (t.dtype.kind == "U") != (p.dtype.kind == "U"):
        raise TypeError("y_true and y_pred must both hold integer labels or both string labels")
    classes = np.unique(t, return_inverse=True)[1]
    per_class = np.bincount(classes, weights=t == p) / np.bincount(classes)
    return float(per_class.min())

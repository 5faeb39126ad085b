"""Diversity of one sample: higher = more diverse.

:func:`variance`, :func:`cov_trace`, :func:`entropy`, :func:`support_size`,
:func:`distinct_n`, :func:`vendi_score` (with :func:`median_bandwidth`). Re-exported by
:mod:`helpers.metrics`.

>>> variance([1.0, 2.0, 3.0, 4.0], ddof=0)
1.25
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.linalg
import scipy.stats
from numpy.lib.stride_tricks import sliding_window_view
from scipy.spatial.distance import pdist
from sklearn.metrics.pairwise import cosine_similarity, rbf_kernel

from helpers.validate import (
    MAX_SCALE,
    MIN_SCALE,
    bounded_array,
    check_ddof,
    counts_vector,
    log_base,
    nonnegative_1d,
    one_of,
    point_sample,
    positive_int,
    sample_1d,
)
from helpers.validate import real as real_number

__all__ = [
    "variance",
    "cov_trace",
    "entropy",
    "support_size",
    "distinct_n",
    "median_bandwidth",
    "vendi_score",
]


def variance(x: Any, ddof: int = 0) -> float:
    """Variance of a 1-D sample: mean squared deviation from the mean.

    Direction: higher = more spread (more diverse); 0 = all values equal.
    ``ddof=0`` (default) divides by n (the MLE, like ``np.var``); ``ddof=1``
    divides by n - 1 (unbiased).

    x: shape ``(n,)``, n > ddof.

    >>> variance([1.0, 2.0, 3.0, 4.0])
    1.25
    """
    arr = sample_1d(x, "x")
    return float(np.var(arr, ddof=check_ddof(ddof, arr.shape[0], "x")))


def cov_trace(X: Any, ddof: int = 0) -> float:
    """Total variance of a sample of points: the trace of its covariance matrix.

    Equals the sum of the per-feature variances. Direction: higher = more
    spread; 0 = all points identical.

    X: shape ``(n, d)`` (or ``(n,)`` for d = 1), n > ddof.

    >>> cov_trace([[0.0, 0.0], [2.0, 4.0]])
    5.0
    """
    arr = point_sample(X, "X")
    return float(np.var(arr, axis=0, ddof=check_ddof(ddof, arr.shape[0], "X")).sum())


def entropy(counts_or_probs: Any, base: float | None = None) -> float:
    """Shannon entropy ``-sum p_i log p_i`` of a categorical distribution.

    Counts are normalised to probabilities first (``scipy.stats.entropy``).
    ``base=None`` gives nats, ``base=2`` bits. Direction: higher = more
    diverse; 0 = one category only; the maximum is ``log K`` (uniform over K).

    counts_or_probs: shape ``(K,)``, non-negative, positive total.

    >>> round(entropy([5, 5, 5, 5], base=2), 6)
    2.0
    """
    counts = counts_vector(counts_or_probs, "counts_or_probs")
    return float(scipy.stats.entropy(counts, base=log_base(base)))


def support_size(counts: Any) -> int:
    """Number of categories with a non-zero count.

    Direction: higher = more diverse. Under pure self-resampling it can never
    grow: a category with no sample is gone for good.

    counts: shape ``(K,)``, non-negative.

    >>> support_size([3, 0, 1, 0])
    2
    """
    arr = nonnegative_1d(counts, "counts")
    return int(np.count_nonzero(arr))


def _sentence(sentence: Any, index: int) -> np.ndarray:
    """Return one token sequence as a 1-D array of integers or strings."""
    if isinstance(sentence, (str, bytes)):
        raise TypeError(
            f"tokens[{index}] is a string; tokens must hold token sequences "
            "(split each sentence into tokens first, e.g. text.split())"
        )
    try:
        arr = np.asarray(sentence)
    except (TypeError, ValueError):
        raise TypeError(f"tokens[{index}] must be a sequence of tokens") from None
    if arr.ndim != 1:
        raise ValueError(f"tokens[{index}] must be a 1-D sequence of tokens, got shape {arr.shape}")
    return arr


def _ngrams(tokens: Any, n: int) -> np.ndarray:
    """All n-grams of ``tokens`` as rows of an ``(total, n)`` array."""
    if isinstance(tokens, np.ndarray):
        if tokens.ndim != 2:
            raise ValueError(
                "tokens must be a 2-D array (sentences x positions) or a list of token "
                f"sequences, got an array of shape {tokens.shape}"
            )
        sentences = list(tokens)
    elif isinstance(tokens, (str, bytes)) or not isinstance(tokens, Sequence):
        raise TypeError(
            "tokens must be a 2-D array or a list of token sequences, "
            f"got {type(tokens).__name__}"
        )
    else:
        sentences = [_sentence(s, i) for i, s in enumerate(tokens)]
    if not sentences:
        raise ValueError("tokens must contain at least one sentence")
    kinds = {"i" if s.dtype.kind == "u" else s.dtype.kind for s in sentences if s.size}
    if not kinds <= {"i", "U", "S"}:
        raise TypeError("tokens must hold integers or strings (token ids or words)")
    if len(kinds) > 1:
        raise TypeError("tokens must hold one kind of token: all integers or all strings")
    windows = [sliding_window_view(s, n) for s in sentences if s.size >= n]
    if not windows:
        raise ValueError(f"n={n} is longer than every sentence in tokens, so there are no n-grams")
    return np.concatenate(windows)


def distinct_n(tokens: Any, n: int) -> float:
    """Share of distinct n-grams: (number of distinct n-grams) / (number of n-grams).

    n-grams are counted inside each sentence, never across a sentence
    boundary. Direction: higher = more diverse; 1 = no n-gram repeats.
    Length-biased (longer texts repeat more): compare at equal length.

    tokens: a 2-D array ``(sentences, length)`` of token ids, or a list of
    token sequences (ids or words) of any lengths. n: positive integer.

    >>> distinct_n([["the", "cat", "sat"], ["the", "cat", "ran"]], 2)
    0.75
    """
    n = positive_int(n, "n")
    grams = _ngrams(tokens, n)
    return float(np.unique(grams, axis=0).shape[0] / grams.shape[0])


def median_bandwidth(*samples: Any) -> float:
    """Median heuristic for an RBF bandwidth: the median non-zero pairwise distance.

    The samples (each ``(n_i, d)`` with the same d) are pooled, and the
    median is taken over the Euclidean distances between distinct pairs that
    are not zero (duplicates are ignored). If every point is identical, any
    bandwidth gives the same kernel and 1.0 is returned. O(n^2) memory: fine
    for a few thousand points.

    >>> median_bandwidth([[0.0], [1.0], [3.0]])
    2.0
    """
    if not samples:
        raise TypeError("samples must hold at least one sample array")
    arrays = [point_sample(s, f"samples[{i}]") for i, s in enumerate(samples)]
    if len({a.shape[1] for a in arrays}) > 1:
        raise ValueError("samples must all have the same number of features")
    dists = pdist(np.concatenate(arrays))
    dists = dists[dists > 0]
    return float(np.median(dists)) if dists.size else 1.0


def _gamma(bandwidth: float) -> float:
    """sklearn's ``gamma`` for k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2))."""
    return 1.0 / (2.0 * bandwidth**2)


def _vendi_kernel(X: Any, kernel: Any, bandwidth: Any) -> np.ndarray:
    """Similarity matrix of a sample for :func:`vendi_score`."""
    pts = point_sample(X, "X")
    if callable(kernel):
        try:
            return np.asarray(kernel(pts), dtype=float)
        except (TypeError, ValueError):
            raise TypeError("kernel(X) must return an (n, n) array of numbers") from None
    if not isinstance(kernel, str):
        raise TypeError(
            f"kernel must be 'rbf', 'cosine' or a callable, got {type(kernel).__name__}"
        )
    one_of(kernel, "kernel", ("rbf", "cosine"))
    if kernel == "cosine":
        if np.any(np.linalg.norm(pts, axis=1) == 0):
            raise ValueError("X must not contain all-zero rows with kernel='cosine'")
        return cosine_similarity(pts)
    if bandwidth is None:
        raise ValueError(
            "bandwidth is required with kernel='rbf': a bandwidth fitted to each sample would "
            "hide a shrinking spread; fix it once, e.g. bandwidth=median_bandwidth(real)"
        )
    h = real_number(bandwidth, "bandwidth", minimum=MIN_SCALE, maximum=MAX_SCALE)
    return rbf_kernel(pts, gamma=_gamma(h))


def vendi_score(X: Any = None, *, K: Any = None, kernel: str | Callable = "rbf",
                bandwidth: float | None = None) -> float:
    """Vendi score: the effective number of distinct items in a sample.

    ``exp(-sum_i lam_i log lam_i)`` over the eigenvalues ``lam_i`` of
    ``K / n``, where K is an ``(n, n)`` similarity matrix with ``k(x, x) = 1``
    (Friedman & Dieng 2022). Direction: higher = more diverse; between 1
    (all items identical) and n (all mutually dissimilar).

    Give either the points ``X`` ``(n, d)`` with a kernel, or ``K`` itself:

    * ``kernel="rbf"``: ``exp(-||x - y||^2 / (2 bandwidth^2))``; ``bandwidth``
      is required -- use the same one for every generation (e.g.
      ``median_bandwidth(real)``), otherwise the score cannot see shrinkage;
    * ``kernel="cosine"``: cosine similarity (rows must be non-zero);
    * a callable ``kernel(X) -> K``.

    >>> round(vendi_score(K=np.ones((10, 10))), 6)
    1.0
    >>> round(vendi_score(K=np.eye(10)), 6)
    10.0
    """
    if (X is None) == (K is None):
        raise TypeError("vendi_score needs exactly one of X (points) or K (similarity matrix)")
    name = "K" if K is not None else "kernel"
    mat = _vendi_kernel(X, kernel, bandwidth) if K is None else bounded_array(K, "K", ndim=2)
    n = mat.shape[0] if mat.ndim else 0
    if mat.ndim != 2 or mat.shape != (n, n) or not np.all(np.isfinite(mat)):
        raise ValueError(f"{name} must give a finite square (n, n) matrix, got shape {mat.shape}")
    if not np.allclose(mat, mat.T, atol=1e-8):
        raise ValueError(f"{name} must give a symmetric similarity matrix")
    if not np.allclose(np.diag(mat), 1.0, atol=1e-8):
        raise ValueError(f"{name} must give a similarity matrix with k(x, x) = 1 on the diagonal")
    eig = scipy.linalg.eigvalsh(mat / n)
    if eig.min() < -1e-8:
        raise ValueError(f"{name} must give a positive semi-definite similarity matrix")
    return float(np.exp(scipy.stats.entropy(np.clip(eig, 0.0, None))))

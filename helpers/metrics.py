"""Metrics for diversity, distance to the real data, and the tails.

Three families, each a plain function of NumPy arrays that returns a Python
``float`` (or a small named tuple of floats):

* **diversity** of one sample -- :func:`variance`, :func:`cov_trace`,
  :func:`entropy`, :func:`support_size`, :func:`distinct_n`,
  :func:`vendi_score` (higher = more diverse);
* **distance** between a sample and the real data -- :func:`wasserstein1`,
  :func:`frechet_distance`, :func:`gaussian_w2sq`, :func:`kl_categorical`,
  :func:`mmd2_rbf` (0 = identical), plus :func:`precision_recall` and
  :func:`density_coverage` (quality vs diversity, 1 = as good as real);
* **tails** -- :func:`tail_mass_ratio`, :func:`rare_category_recall`,
  :func:`support_retained`, :func:`worst_class_accuracy` (1 = intact).

Shapes: a *sample of points* is ``(n, d)``; a 1-D array ``(n,)`` is read as
``n`` points in one dimension. *Counts* are a 1-D array ``(K,)`` of
non-negative numbers indexed by category (probabilities work too).

Bad arguments raise ``ValueError`` / ``TypeError`` naming the argument; no
function returns NaN.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg
import scipy.stats
from numpy.lib.stride_tricks import sliding_window_view
from scipy.spatial.distance import cdist, pdist
from sklearn.metrics.pairwise import cosine_similarity, rbf_kernel
from sklearn.neighbors import NearestNeighbors

from helpers.validate import finite_array, integer, one_of, positive_int
from helpers.validate import real as real_number

__all__ = [
    "variance",
    "cov_trace",
    "entropy",
    "support_size",
    "distinct_n",
    "median_bandwidth",
    "vendi_score",
    "wasserstein1",
    "gaussian_w2sq",
    "frechet_distance",
    "kl_categorical",
    "mmd2_rbf",
    "PrecisionRecall",
    "precision_recall",
    "DensityCoverage",
    "density_coverage",
    "tail_mass_ratio",
    "gaussian_tail_mass_ratio",
    "rare_category_recall",
    "support_retained",
    "worst_class_accuracy",
]

# Rows of the distance matrix computed at once in the k-NN ball tests
# (2048 rows x 5000 centres of float64 = 80 MB).
_CHUNK = 2048
# Larger magnitudes overflow when squared (distances, variances): rejected.
_MAX_ABS = 1e100


# --------------------------------------------------------------------------
# input checks shared by the metrics
# --------------------------------------------------------------------------

def _array(values: Any, name: str, **kwargs: Any) -> np.ndarray:
    """``finite_array`` that also rejects magnitudes whose squares would overflow."""
    arr = finite_array(values, name, **kwargs)
    if arr.size and np.abs(arr).max() > _MAX_ABS:
        raise ValueError(f"{name} has values beyond {_MAX_ABS:g} in size; rescale the data")
    return arr


def _points(values: Any, name: str, *, min_len: int = 1) -> np.ndarray:
    """Return a sample of points as a finite ``(n, d)`` float array."""
    arr = _array(values, name, ndim=(1, 2), min_len=min_len)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape[1] == 0:
        raise ValueError(f"{name} must have at least one feature column, got shape {arr.shape}")
    return arr


def _two_samples(x: Any, y: Any, names: tuple[str, str], *,
                 min_len: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Return two point samples with the same number of features."""
    a = _points(x, names[0], min_len=min_len)
    b = _points(y, names[1], min_len=min_len)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of features, "
            f"got {a.shape[1]} and {b.shape[1]}"
        )
    return a, b


def _samples_1d(values: Any, name: str, *, min_len: int = 1) -> np.ndarray:
    """Return a finite 1-D float array (one scalar per sample)."""
    return _array(values, name, ndim=1, min_len=min_len)


def _nonnegative(values: Any, name: str) -> np.ndarray:
    """Return non-negative counts (or probabilities) as a 1-D float array."""
    arr = _array(values, name, ndim=1)
    if np.any(arr < 0):
        raise ValueError(f"{name} must not contain negative counts")
    return arr


def _counts(values: Any, name: str) -> np.ndarray:
    """Return non-negative counts (or probabilities) with a positive total."""
    arr = _nonnegative(values, name)
    if arr.sum() <= 0:
        raise ValueError(f"{name} must have a positive total (at least one non-zero count)")
    return arr


def _same_length(a: np.ndarray, b: np.ndarray, names: tuple[str, str]) -> None:
    if a.shape[0] != b.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length (one entry per category), "
            f"got {a.shape[0]} and {b.shape[0]}"
        )


def _log_base(base: Any) -> float | None:
    """Check an entropy base: ``None`` (natural log, nats) or a positive number != 1."""
    if base is None:
        return None
    value = real_number(base, "base", minimum=0.0, strict_min=True)
    if value == 1.0:
        raise ValueError("base must be a positive number other than 1 (or None for nats), got 1")
    return value


def _ddof(ddof: Any, n: int, name: str) -> int:
    ddof = one_of(integer(ddof, "ddof"), "ddof", (0, 1))
    if n <= ddof:
        raise ValueError(f"{name} must contain more than ddof={ddof} sample(s), got {n}")
    return ddof


# --------------------------------------------------------------------------
# diversity of one sample
# --------------------------------------------------------------------------

def variance(x: Any, ddof: int = 0) -> float:
    """Variance of a 1-D sample: mean squared deviation from the mean.

    Direction: higher = more spread (more diverse); 0 = all values equal.
    ``ddof=0`` (default) divides by n (the MLE, like ``np.var``); ``ddof=1``
    divides by n - 1 (unbiased).

    x: shape ``(n,)``, n > ddof.

    >>> variance([1.0, 2.0, 3.0, 4.0])
    1.25
    """
    arr = _samples_1d(x, "x")
    return float(np.var(arr, ddof=_ddof(ddof, arr.shape[0], "x")))


def cov_trace(X: Any, ddof: int = 0) -> float:
    """Total variance of a sample of points: the trace of its covariance matrix.

    Equals the sum of the per-feature variances. Direction: higher = more
    spread; 0 = all points identical.

    X: shape ``(n, d)`` (or ``(n,)`` for d = 1), n > ddof.

    >>> cov_trace([[0.0, 0.0], [2.0, 4.0]])
    5.0
    """
    arr = _points(X, "X")
    return float(np.var(arr, axis=0, ddof=_ddof(ddof, arr.shape[0], "X")).sum())


def entropy(counts_or_probs: Any, base: float | None = None) -> float:
    """Shannon entropy ``-sum p_i log p_i`` of a categorical distribution.

    Counts are normalised to probabilities first (``scipy.stats.entropy``).
    ``base=None`` gives nats, ``base=2`` bits. Direction: higher = more
    diverse; 0 = one category only; the maximum is ``log K`` (uniform over K).

    counts_or_probs: shape ``(K,)``, non-negative, positive total.

    >>> round(entropy([5, 5, 5, 5], base=2), 6)
    2.0
    """
    counts = _counts(counts_or_probs, "counts_or_probs")
    return float(scipy.stats.entropy(counts, base=_log_base(base)))


def support_size(counts: Any) -> int:
    """Number of categories with a non-zero count.

    Direction: higher = more diverse. Under pure self-resampling it can never
    grow: a category with no sample is gone for good.

    counts: shape ``(K,)``, non-negative.

    >>> support_size([3, 0, 1, 0])
    2
    """
    arr = _nonnegative(counts, "counts")
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
    arrays = [_points(s, f"samples[{i}]") for i, s in enumerate(samples)]
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
    pts = _points(X, "X")
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
    h = real_number(bandwidth, "bandwidth", minimum=0.0, strict_min=True)
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
    mat = _vendi_kernel(X, kernel, bandwidth) if K is None else _array(K, "K", ndim=2)
    n = mat.shape[0]
    if mat.shape != (n, n) or not np.all(np.isfinite(mat)):
        raise ValueError(f"{name} must give a finite square (n, n) matrix, got shape {mat.shape}")
    if not np.allclose(mat, mat.T, atol=1e-8):
        raise ValueError(f"{name} must give a symmetric similarity matrix")
    if not np.allclose(np.diag(mat), 1.0, atol=1e-8):
        raise ValueError(f"{name} must give a similarity matrix with k(x, x) = 1 on the diagonal")
    eig = scipy.linalg.eigvalsh(mat / n)
    if eig.min() < -1e-8:
        raise ValueError(f"{name} must give a positive semi-definite similarity matrix")
    return float(np.exp(scipy.stats.entropy(np.clip(eig, 0.0, None))))


# --------------------------------------------------------------------------
# distance between two distributions (0 = identical)
# --------------------------------------------------------------------------

def wasserstein1(x: Any, y: Any) -> float:
    """Wasserstein-1 (earth mover's) distance between two 1-D samples.

    The area between the two empirical CDFs (``scipy.stats.wasserstein_distance``);
    in the units of the data. Direction: 0 = identical distributions, higher
    = further apart.

    x, y: shapes ``(n,)`` and ``(m,)``.

    >>> wasserstein1([0.0, 1.0], [1.0, 2.0])
    1.0
    """
    return float(scipy.stats.wasserstein_distance(_samples_1d(x, "x"), _samples_1d(y, "y")))


def _mean(mu: Any, name: str) -> np.ndarray:
    return _array([mu] if isinstance(mu, numbers.Real) else mu, name, ndim=1)


def _covariance(cov: Any, name: str, d: int) -> np.ndarray:
    arr = _array([[cov]] if isinstance(cov, numbers.Real) else cov, name, ndim=2)
    if arr.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}) to match the mean, got {arr.shape}")
    if not np.allclose(arr, arr.T, atol=1e-10 * max(1.0, np.abs(arr).max())):
        raise ValueError(f"{name} must be symmetric")
    return (arr + arr.T) / 2


def _sqrt_psd(mat: np.ndarray, name: str) -> np.ndarray:
    """Symmetric square root of a positive semi-definite matrix (eigh-based)."""
    eig, vec = scipy.linalg.eigh(mat)
    if eig.min() < -1e-9 * max(1.0, np.abs(eig).max()):
        raise ValueError(f"{name} must be positive semi-definite")
    return (vec * np.sqrt(np.clip(eig, 0.0, None))) @ vec.T


def gaussian_w2sq(mu1: Any, cov1: Any, mu2: Any, cov2: Any) -> float:
    """Squared Wasserstein-2 distance between two Gaussians (the Frechet distance).

    ``||mu1 - mu2||^2 + Tr(C1 + C2 - 2 (C1 C2)^(1/2))``. Direction: 0 = same
    Gaussian; in squared data units. The trace of the matrix square root is
    computed as ``Tr((C1^(1/2) C2 C1^(1/2))^(1/2))`` with symmetric
    eigendecompositions, which equals ``scipy.linalg.sqrtm(C1 @ C2)``'s trace
    but stays real and stable for singular (collapsed) covariances.

    mu1, mu2: shape ``(d,)`` (or scalars for d = 1); cov1, cov2: shape
    ``(d, d)`` symmetric PSD (or scalar variances).

    >>> round(gaussian_w2sq(np.zeros(16), np.eye(16), np.full(16, 0.1), 0.25 * np.eye(16)), 6)
    4.16
    """
    m1 = _mean(mu1, "mu1")
    m2 = _mean(mu2, "mu2")
    if m1.shape != m2.shape:
        raise ValueError(f"mu1 and mu2 must have the same shape, got {m1.shape} and {m2.shape}")
    d = m1.shape[0]
    c1 = _covariance(cov1, "cov1", d)
    c2 = _covariance(cov2, "cov2", d)
    s1 = _sqrt_psd(c1, "cov1")
    _sqrt_psd(c2, "cov2")  # only checks that cov2 is PSD
    cross = np.sqrt(np.clip(scipy.linalg.eigvalsh(s1 @ c2 @ s1), 0.0, None)).sum()
    value = np.sum((m1 - m2) ** 2) + np.trace(c1) + np.trace(c2) - 2.0 * cross
    return float(max(value, 0.0))


def frechet_distance(X: Any, Y: Any, ddof: int = 1) -> float:
    """Frechet distance (FID's formula) between Gaussian fits of two samples.

    Fits mean and covariance to each sample (``ddof=1`` like ``np.cov`` and
    FID) and returns :func:`gaussian_w2sq` of the fits -- the *squared*
    W2 distance between the fitted Gaussians. Direction: 0 = same mean and
    covariance; it only sees the first two moments.

    X, Y: shapes ``(n, d)`` and ``(m, d)`` (or 1-D for d = 1), n, m > ddof.

    >>> frechet_distance([[0.0], [2.0]], [[1.0], [3.0]])
    1.0
    """
    a, b = _two_samples(X, Y, ("X", "Y"))
    _ddof(ddof, a.shape[0], "X")
    _ddof(ddof, b.shape[0], "Y")

    def fit(arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return arr.mean(axis=0), np.atleast_2d(np.cov(arr, rowvar=False, ddof=ddof))

    return gaussian_w2sq(*fit(a), *fit(b))


def kl_categorical(p_counts: Any, q_counts: Any, *, smoothing: float = 0.0,
                   base: float | None = None) -> float:
    """Kullback-Leibler divergence KL(p || q) = sum_i p_i log(p_i / q_i) between categoricals.

    ``p`` and ``q`` are estimated from counts over the same K categories with
    additive smoothing: ``smoothing`` is added to every count before
    normalising (0.5 is Jeffreys / Krichevsky-Trofimov, 1 is Laplace).
    Direction: 0 = identical, higher = further apart; not symmetric. Put the
    real data in ``p`` and the model in ``q`` to penalise lost categories.

    With ``smoothing=0`` the divergence is infinite when q has a zero count
    where p has mass; that raises ``ValueError`` (choose a smoothing)
    instead of returning ``inf``.

    p_counts, q_counts: shape ``(K,)``, non-negative; base: None = nats.

    >>> kl_categorical([5, 5], [5, 5])
    0.0
    >>> round(kl_categorical([1, 1], [1, 0], smoothing=1.0, base=2), 4)
    0.085
    """
    p = _counts(p_counts, "p_counts")
    q = _counts(q_counts, "q_counts")
    _same_length(p, q, ("p_counts", "q_counts"))
    alpha = real_number(smoothing, "smoothing", minimum=0.0)
    log_base = _log_base(base)
    if alpha == 0 and np.any((q == 0) & (p > 0)):
        raise ValueError(
            "KL(p || q) is infinite: q_counts has zero counts in categories where p_counts has "
            "mass; pass smoothing > 0 (e.g. smoothing=0.5) to estimate q with pseudo-counts"
        )
    return float(max(scipy.stats.entropy(p + alpha, q + alpha, base=log_base), 0.0))


def mmd2_rbf(X: Any, Y: Any, bandwidth: float | None = None) -> float:
    """Unbiased squared maximum mean discrepancy with an RBF (Gaussian) kernel.

    ``MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y)`` with
    ``k(x, y) = exp(-||x - y||^2 / (2 bandwidth^2))``, estimated by the
    U-statistic (the diagonal terms k(x_i, x_i) are left out). Direction: 0
    = identical distributions; the estimate is unbiased, so it scatters
    around 0 and can be slightly negative for equal distributions.

    ``bandwidth=None`` uses the median heuristic on the pooled sample
    (:func:`median_bandwidth`); pass a fixed bandwidth to compare values
    across generations on one scale.

    X, Y: shapes ``(m, d)`` and ``(n, d)`` (or 1-D), m, n >= 2.

    >>> round(mmd2_rbf([[0.0], [1.0]], [[10.0], [11.0]], bandwidth=1.0), 4)
    1.2131
    """
    a, b = _two_samples(X, Y, ("X", "Y"), min_len=2)
    if bandwidth is None:
        h = median_bandwidth(a, b)
    else:
        h = real_number(bandwidth, "bandwidth", minimum=0.0, strict_min=True)
    gamma = _gamma(h)
    m, n = a.shape[0], b.shape[0]
    kxx = rbf_kernel(a, gamma=gamma)
    kyy = rbf_kernel(b, gamma=gamma)
    kxy = rbf_kernel(a, b, gamma=gamma)
    within_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    within_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(within_x + within_y - 2.0 * kxy.mean())


# --------------------------------------------------------------------------
# k-NN manifolds: precision / recall, density / coverage
# --------------------------------------------------------------------------

class PrecisionRecall(NamedTuple):
    """Improved precision and recall, each in [0, 1]."""

    precision: float
    recall: float


class DensityCoverage(NamedTuple):
    """Density (>= 0, 1 for identical distributions) and coverage in [0, 1]."""

    density: float
    coverage: float


def _knn_radii(points: np.ndarray, k: int) -> np.ndarray:
    """Distance from each point to its k-th nearest neighbour among the others."""
    nn = NearestNeighbors(n_neighbors=k + 1).fit(points)
    return nn.kneighbors(points)[0][:, k]  # column 0 is the point itself


def _ball_hits(points: np.ndarray, centres: np.ndarray,
               radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ball membership, computed in chunks of rows.

    Returns, for each point, how many balls ``B(centre_i, radii_i)`` (closed)
    contain it, and for each centre whether its ball contains any point.
    """
    per_point = np.empty(points.shape[0], dtype=np.int64)
    per_centre = np.zeros(centres.shape[0], dtype=bool)
    for start in range(0, points.shape[0], _CHUNK):
        inside = cdist(points[start:start + _CHUNK], centres) <= radii
        per_point[start:start + _CHUNK] = inside.sum(axis=1)
        per_centre |= inside.any(axis=0)
    return per_point, per_centre


def _check_k(k: Any, sizes: dict[str, int]) -> int:
    k = positive_int(k, "k")
    for name, n in sizes.items():
        if k >= n:
            raise ValueError(
                f"k must be smaller than the number of points in {name} ({n}), got k={k}"
            )
    return k


def precision_recall(real: Any, fake: Any, k: int = 3) -> PrecisionRecall:
    """Improved precision and recall (Kynkaanniemi et al. 2019, arXiv:1904.06991).

    The *manifold* of a sample is the union of closed balls around its
    points, each with radius the distance to the point's k-th nearest
    neighbour within the same sample. ``precision`` = share of fake points
    inside the real manifold (quality: are the samples realistic?);
    ``recall`` = share of real points inside the fake manifold (diversity:
    is all of the real data covered?). Direction: 1 = as good as real data.
    A narrowed generator keeps precision near 1 while recall falls.

    real: ``(n, d)``, fake: ``(m, d)``, both with more than k points.

    >>> pts = np.arange(10.0)[:, None]
    >>> precision_recall(pts, pts, k=3)
    PrecisionRecall(precision=1.0, recall=1.0)
    """
    r, f = _two_samples(real, fake, ("real", "fake"))
    k = _check_k(k, {"real": r.shape[0], "fake": f.shape[0]})
    in_real = _ball_hits(f, r, _knn_radii(r, k))[0] > 0
    in_fake = _ball_hits(r, f, _knn_radii(f, k))[0] > 0
    return PrecisionRecall(float(in_real.mean()), float(in_fake.mean()))


def density_coverage(real: Any, fake: Any, k: int = 5) -> DensityCoverage:
    """Density and coverage (Naeem et al. 2020, arXiv:2002.09797).

    Balls ``B(x_i, r_i)`` around the N real points, r_i = distance to the
    k-th nearest real neighbour. ``density = (1 / (k M)) sum_j sum_i
    1[y_j in B(x_i, r_i)]`` over the M fake points y_j: how many real balls a
    fake point falls in, relative to real data (1 for identical
    distributions; > 1 when fakes crowd dense regions). ``coverage`` = share
    of real balls that contain at least one fake point (diversity; about
    ``1 - 2^-k`` = 0.969 for k = 5 and identical distributions with M = N).

    real: ``(N, d)`` with more than k points; fake: ``(M, d)``.

    >>> pts = np.arange(10.0)[:, None]
    >>> density_coverage(pts, pts, k=2).coverage
    1.0
    """
    r, f = _two_samples(real, fake, ("real", "fake"))
    k = _check_k(k, {"real": r.shape[0]})
    per_fake, covered = _ball_hits(f, r, _knn_radii(r, k))
    return DensityCoverage(float(per_fake.sum() / (k * f.shape[0])), float(covered.mean()))


# --------------------------------------------------------------------------
# tails (1 = intact, 0 = gone)
# --------------------------------------------------------------------------

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
    s = _samples_1d(samples, "samples")
    r = _samples_1d(real, "real")
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
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number or an array of numbers") from None
    scalar = given[0].ndim == 0 and given[1].ndim == 0
    mu = _array(np.atleast_1d(given[0]), "mean")
    v = _array(np.atleast_1d(given[1]), "var")
    if mu.shape != v.shape:
        raise ValueError(f"mean and var must have the same shape, got {mu.shape} and {v.shape}")
    if np.any(v < 0):
        raise ValueError("var must be >= 0")
    q = real_number(q, "q", minimum=0.0, strict_min=True)
    if q >= 0.5:
        raise ValueError(f"q must be < 0.5, got {q}")
    mu0 = real_number(mu0, "mu0", minimum=-_MAX_ABS, maximum=_MAX_ABS)
    sigma0 = real_number(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=_MAX_ABS)
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
    c = _nonnegative(counts, "counts")
    p = _counts(p_true, "p_true")
    _same_length(c, p, ("counts", "p_true"))
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
    c = _nonnegative(counts, "counts")
    original = _counts(original_counts, "original_counts")
    _same_length(c, original, ("counts", "original_counts"))
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

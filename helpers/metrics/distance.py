"""Distances between a sample and the real data (0 = identical), and k-NN quality/diversity.

:func:`wasserstein1`, :func:`gaussian_w2sq`, :func:`frechet_distance`,
:func:`kl_categorical`, :func:`mmd2_rbf`, :func:`precision_recall`, :func:`density_coverage`.
Re-exported by :mod:`helpers.metrics`.

>>> wasserstein1([0.0, 1.0], [1.0, 2.0])
1.0
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
import scipy.linalg
import scipy.stats
from scipy.spatial.distance import cdist
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.neighbors import NearestNeighbors

from helpers.metrics.diversity import _gamma, median_bandwidth
from helpers.validate import (
    MAX_SCALE,
    MIN_SCALE,
    bounded_array,
    check_ddof,
    counts_vector,
    log_base,
    positive_int,
    same_length,
    sample_1d,
    two_point_samples,
)
from helpers.validate import real as real_number

# Rows of the distance matrix computed at once in the k-NN ball tests
# (2048 rows x 5000 centres of float64 = 80 MB).
_CHUNK = 2048

__all__ = [
    "wasserstein1",
    "gaussian_w2sq",
    "frechet_distance",
    "kl_categorical",
    "mmd2_rbf",
    "PrecisionRecall",
    "DensityCoverage",
    "precision_recall",
    "density_coverage",
]


def wasserstein1(x: Any, y: Any) -> float:
    """Wasserstein-1 (earth mover's) distance between two 1-D samples.

    The area between the two empirical CDFs (``scipy.stats.wasserstein_distance``);
    in the units of the data. Direction: 0 = identical distributions, higher
    = further apart.

    x, y: shapes ``(n,)`` and ``(m,)``.

    >>> wasserstein1([0.0, 1.0], [1.0, 2.0])
    1.0
    """
    return float(scipy.stats.wasserstein_distance(sample_1d(x, "x"), sample_1d(y, "y")))


def _mean(mu: Any, name: str) -> np.ndarray:
    return bounded_array([mu] if isinstance(mu, numbers.Real) else mu, name, ndim=1)


def _covariance(cov: Any, name: str, d: int) -> np.ndarray:
    arr = bounded_array([[cov]] if isinstance(cov, numbers.Real) else cov, name, ndim=2)
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


def frechet_distance(X: Any, Y: Any, ddof: int = 0) -> float:
    """Frechet distance (FID's formula) between Gaussian fits of two samples.

    Fits mean and covariance to each sample (``ddof`` 0 or 1, default 0 as
    everywhere in the course; FID itself uses ``ddof=1``, like ``np.cov``) and
    returns :func:`gaussian_w2sq` of the fits -- the *squared*
    W2 distance between the fitted Gaussians. Direction: 0 = same mean and
    covariance; it only sees the first two moments.

    X, Y: shapes ``(n, d)`` and ``(m, d)`` (or 1-D for d = 1), n, m > ddof.

    >>> frechet_distance([[0.0], [2.0]], [[1.0], [3.0]], ddof=1)
    1.0
    """
    a, b = two_point_samples(X, Y, ("X", "Y"))
    check_ddof(ddof, a.shape[0], "X")
    check_ddof(ddof, b.shape[0], "Y")

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
    p = counts_vector(p_counts, "p_counts")
    q = counts_vector(q_counts, "q_counts")
    same_length(p, q, ("p_counts", "q_counts"))
    alpha = real_number(smoothing, "smoothing", minimum=0.0)
    log_b = log_base(base)
    if alpha == 0 and np.any((q == 0) & (p > 0)):
        raise ValueError(
            "KL(p || q) is infinite: q_counts has zero counts in categories where p_counts has "
            "mass; pass smoothing > 0 (e.g. smoothing=0.5) to estimate q with pseudo-counts"
        )
    return float(max(scipy.stats.entropy(p + alpha, q + alpha, base=log_b), 0.0))


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
    a, b = two_point_samples(X, Y, ("X", "Y"), min_len=2)
    if bandwidth is None:
        h = median_bandwidth(a, b)
    else:
        h = real_number(bandwidth, "bandwidth", minimum=MIN_SCALE, maximum=MAX_SCALE)
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
    r, f = two_point_samples(real, fake, ("real", "fake"))
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
    r, f = two_point_samples(real, fake, ("real", "fake"))
    k = _check_k(k, {"real": r.shape[0]})
    per_fake, covered = _ball_hits(f, r, _knn_radii(r, k))
    return DensityCoverage(float(per_fake.sum() / (k * f.shape[0])), float(covered.mean()))

"""Metrics for diversity, distance to the real data, and the tails.

Three families, one module each (:mod:`helpers.metrics.diversity`,
:mod:`helpers.metrics.distance`, :mod:`helpers.metrics.tails`), all re-exported here;
each is a plain function of NumPy arrays that returns a Python ``float`` (or a small
named tuple of floats):

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

from helpers.metrics.distance import (
    DensityCoverage,
    PrecisionRecall,
    density_coverage,
    frechet_distance,
    gaussian_w2sq,
    kl_categorical,
    mmd2_rbf,
    precision_recall,
    wasserstein1,
)
from helpers.metrics.diversity import (
    cov_trace,
    distinct_n,
    entropy,
    median_bandwidth,
    support_size,
    variance,
    vendi_score,
)
from helpers.metrics.tails import (
    gaussian_tail_mass_ratio,
    rare_category_recall,
    support_retained,
    tail_mass_ratio,
    worst_class_accuracy,
)

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

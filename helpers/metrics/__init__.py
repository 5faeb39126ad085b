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

from helpers.metrics import distance, diversity, tails
from helpers.metrics.distance import *  # noqa: F403 (each module's __all__)
from helpers.metrics.diversity import *  # noqa: F403
from helpers.metrics.tails import *  # noqa: F403

__all__ = [*diversity.__all__, *distance.__all__, *tails.__all__]

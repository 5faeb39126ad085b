"""Vectorised Gaussian chains for the filters of lesson 04: typicality filter, sampling
temperature and provenance filtering.

Conventions of :mod:`helpers.chains`: arrays have shape (generations + 1, chains), row 0 is
the truth N(0, 1) and row t the model fitted (MLE, ddof=0) at generation t.

* :func:`gaussian_filtered`: each generation draws from the previous model (generation 0
  is the truth itself), optionally scaled by a sampling ``temperature`` (standard deviation
  times lambda), keeps only draws within ``k`` standard deviations of the model's mean
  (the "typicality" filter), refills until ``n`` draws are kept and refits. Closed forms:
  :func:`helpers.theory.typicality_var` and :func:`helpers.theory.sampling_bias_trace`.
* :func:`provenance_chains`: each generation's corpus holds ``corpus`` items, a share
  ``share`` synthetic (from the previous model) and the rest fresh real data; a detector
  drops flagged items (TPR on synthetic, FPR on real items) and the model is refitted on
  what is left. The flags do not depend on the values, so what is kept is a fresh-real
  training set (:func:`helpers.chains.gaussian_policy`, policy ``"fresh"``) with the
  kept counts set to their expectations.

>>> res, drawn = gaussian_filtered(100, 20, 500, k=2.0, seed=0)
>>> res.var.shape, drawn.shape
((21, 500), (21, 500))
"""

from __future__ import annotations

import numpy as np

from helpers import policies, theory
from helpers.chains import GaussianChains, gaussian_policy
from helpers.validate import integer, positive_int, real, rng_from

__all__ = ["gaussian_filtered", "provenance_chains"]

_MAX_DRAWS = 50_000_000  # numbers drawn per generation, to stay within memory


def _first(ok: np.ndarray, n: int) -> np.ndarray:
    """Mask of the first ``n`` accepted entries of each row of ``ok``."""
    return ok & (np.cumsum(ok, axis=1) <= n)


def gaussian_filtered(n: int, generations: int, chains: int, *, k: float | None = None,
                      temperature: float = 1.0, seed: int | np.random.Generator = 0
                      ) -> tuple[GaussianChains, np.ndarray]:
    """Gaussian chains under a typicality filter and/or a sampling temperature (module doc).

    Returns the fitted models and ``drawn`` (generations + 1, chains): how many draws
    each generation needed to keep ``n`` (row 0 is 0). ``k=None``: no filter.

    >>> res, drawn = gaussian_filtered(50, 3, 10, temperature=0.8, seed=1)
    >>> int(drawn[1:].min())
    50
    """
    n = integer(n, "n", minimum=2)
    generations = positive_int(generations, "generations")
    chains = positive_int(chains, "chains")
    if k is not None:
        k = real(k, "k", minimum=0.5, maximum=1e6)
    temperature = real(temperature, "temperature", minimum=0.0, strict_min=True, maximum=1e6)
    rng = rng_from(seed)
    accept = 1.0 if k is None else theory.truncation_acceptance(k)
    draws = int(np.ceil(n / accept * 1.2)) + 20  # enough with overwhelming probability
    if draws * chains > _MAX_DRAWS:
        raise ValueError(f"n * chains must be <= {_MAX_DRAWS // 2:,} to fit in memory "
                         f"(with k = {k}), got {n * chains:,}")
    typical = None if k is None else policies.typicality_gate(0.0, 1.0, k)
    mean, var = np.zeros((generations + 1, chains)), np.ones((generations + 1, chains))
    drawn = np.zeros((generations + 1, chains), dtype=int)
    for t in range(1, generations + 1):
        z = rng.standard_normal((chains, draws))
        if k is None:
            keep = np.zeros(z.shape, dtype=bool)
            keep[:, :n] = True
        else:  # draws are standardised: the model's mean is 0 and its sd 1 in z
            keep = _first(typical(z), n)
            while keep.sum(axis=1).min() < n:  # practically never: draw a further batch
                z = np.concatenate([z, rng.standard_normal((chains, draws))], axis=1)
                keep = _first(typical(z), n)
        drawn[t] = np.argmax(np.cumsum(keep, axis=1) >= n, axis=1) + 1
        z = temperature * np.where(keep, z, 0.0)
        z_mean = z.sum(axis=1) / n
        z_var = (np.where(keep, z - z_mean[:, None], 0.0) ** 2).sum(axis=1) / n
        mean[t] = mean[t - 1] + np.sqrt(var[t - 1]) * z_mean
        var[t] = var[t - 1] * z_var
    return GaussianChains(mean=mean, var=var, mu0=0.0, sigma0=1.0), drawn


def provenance_chains(corpus: int, generations: int, chains: int, *, share: float,
                      tpr: float, fpr: float, seed: int | np.random.Generator = 0
                      ) -> GaussianChains:
    """Gaussian chains trained each generation on a detector-filtered corpus (module doc).

    Row 1 is fitted on ``corpus`` real items; from generation 2 on, the training set is
    what the detector keeps of a corpus with synthetic share ``share``.

    >>> res = provenance_chains(200, 10, 100, share=0.5, tpr=0.9, fpr=0.05)
    >>> res.var.shape
    (11, 100)
    """
    n_real, n_synthetic = policies.provenance_counts(corpus, share, tpr, fpr)
    size = n_real + n_synthetic
    if size < 2:
        raise ValueError(f"the detector keeps {size} item(s) of corpus = {corpus}; at least 2 "
                         "are needed to fit a Gaussian: raise corpus or lower tpr/fpr")
    return gaussian_policy(corpus, generations, chains, policy="fresh",
                                  real_fraction=n_real / size, train_size=size, seed=seed)

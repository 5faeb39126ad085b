"""Vectorised many-chain simulators for the collapse loops that have closed forms.

Each simulator runs thousands of independent chains at once (NumPy, no Python loop
over chains) and returns arrays whose first axis is the generation: row 0 is the
truth, row ``t`` the model fitted at generation ``t`` on data drawn from model
``t - 1``. Compare with :mod:`helpers.theory`.

Policies: ``"replace"`` trains each generation on its ``n`` (or ``m``) new samples
only; ``"accumulate"`` trains on the real sample of generation 1 plus every
synthetic sample so far.

>>> res = gaussian(n=100, generations=50, chains=1000, seed=0)
>>> res.var.shape
(51, 1000)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
from scipy import stats

from helpers.validate import (
    fraction,
    integer,
    one_of,
    positive_int,
    probability_vector,
    real,
    rng_from,
)

__all__ = [
    "POLICIES",
    "GaussianChains",
    "CategoricalChains",
    "gaussian",
    "categorical",
    "linear_regression",
]

POLICIES = ("replace", "accumulate")
_MAX_SCALE = 1e100  # keeps squares of locations and scales finite
Seed = int | np.random.Generator
# A batch of samples summarised by its sufficient statistics:
# (size, per-chain sample mean, per-chain sum of squared deviations).
Batch = tuple[int, np.ndarray, np.ndarray]


@dataclass(frozen=True, eq=False)
class GaussianChains:
    """Fitted 1-D Gaussians of many chains; arrays have shape (generations + 1, chains).

    ``mean[t, c]`` and ``var[t, c]`` are the mean and variance fitted at generation
    ``t`` of chain ``c``; row 0 holds the truth ``(mu0, sigma0**2)``.
    """

    mean: np.ndarray
    var: np.ndarray
    mu0: float
    sigma0: float

    @property
    def generations(self) -> np.ndarray:
        """Generation index 0, 1, ..., shape (generations + 1,)."""
        return np.arange(self.var.shape[0])

    @property
    def std(self) -> np.ndarray:
        """Fitted standard deviations, shape (generations + 1, chains)."""
        return np.sqrt(self.var)

    @property
    def w2sq(self) -> np.ndarray:
        """Squared Wasserstein-2 distance to the truth: (mu - mu0)^2 + (sigma - sigma0)^2."""
        return (self.mean - self.mu0) ** 2 + (self.std - self.sigma0) ** 2

    def quantiles(self, q: Any = (0.1, 0.5, 0.9), of: str = "var") -> np.ndarray:
        """Quantiles over chains of ``of`` ("mean", "var", "std" or "w2sq") per generation.

        Returns shape (len(q), generations + 1), or (generations + 1,) for a scalar ``q``:
        e.g. the median and the 10-90% band of a collapse curve.

        >>> gaussian(10, 5, 200).quantiles(0.5).shape
        (6,)
        """
        of = one_of(of, "of", ("mean", "var", "std", "w2sq"))
        q = np.asarray(q, dtype=float)
        if not np.all((q >= 0) & (q <= 1)):  # also rejects NaN
            raise ValueError("q must contain quantile levels in [0, 1]")
        return np.quantile(getattr(self, of), q, axis=1)


def _draw(rng: np.random.Generator, size: int, mu: Any, var: Any, chains: int) -> Batch:
    """Exact sufficient statistics of ``size`` draws from N(mu, var) in every chain.

    Sample mean ~ N(mu, var/size); sum of squared deviations ~ var * chi2(size - 1).
    """
    mean = mu + np.sqrt(np.divide(var, size)) * rng.standard_normal(chains)
    sum_sq = var * (2.0 * rng.standard_gamma((size - 1) / 2, size=chains))
    return size, mean, sum_sq


def _pool(a: Batch, b: Batch) -> Batch:
    """Statistics of the union of two batches (Chan et al.'s pairwise update)."""
    (n_a, mean_a, ss_a), (n_b, mean_b, ss_b) = a, b
    n = n_a + n_b
    delta = mean_b - mean_a
    return n, mean_a + delta * (n_b / n), ss_a + ss_b + delta**2 * (n_a * n_b / n)


def gaussian(n: int, generations: int, chains: int, *, ddof: int = 0,
             policy: str = "replace", real_fraction: float = 0.0, mu0: float = 0.0,
             sigma0: float = 1.0, seed: Seed = 0) -> GaussianChains:
    """Simulate ``chains`` independent Gaussian refit loops for ``generations`` generations.

    Each generation draws ``n`` new samples, of which ``round(real_fraction * n)``
    (Python's round, half to even) are fresh real data from N(mu0, sigma0^2) and the
    rest come from the previous model, then fits mean and variance (``ddof`` 0 = MLE,
    1 = unbiased) on the new samples (``policy="replace"``) or on all samples so far
    (``policy="accumulate"``; the pooled statistics are updated exactly). Samples are
    never materialised: the sufficient statistics are drawn from their exact sampling
    distributions, so the cost is O(generations x chains) whatever ``n``.

    Returns a :class:`GaussianChains` with ``mean`` and ``var`` of shape
    (generations + 1, chains).

    >>> res = gaussian(n=100, generations=50, chains=5000, seed=1)
    >>> round(float(np.log(res.var[50]).mean()), 1)  # theory: -1.0093
    -1.0
    """
    n = integer(n, "n", minimum=2)
    generations = positive_int(generations, "generations")
    chains = positive_int(chains, "chains")
    ddof = integer(ddof, "ddof", minimum=0, maximum=1)
    policy = one_of(policy, "policy", POLICIES)
    real_fraction = fraction(real_fraction, "real_fraction")
    mu0 = real(mu0, "mu0", minimum=-_MAX_SCALE, maximum=_MAX_SCALE)
    sigma0 = real(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=_MAX_SCALE)
    rng = rng_from(seed)

    n_real = int(round(real_fraction * n))
    mean = np.empty((generations + 1, chains))
    var = np.empty((generations + 1, chains))
    mean[0], var[0] = mu0, sigma0**2
    kept: Batch | None = None  # pooled statistics of all samples so far (accumulate)
    for t in range(1, generations + 1):
        sources = ((n - n_real, mean[t - 1], var[t - 1]), (n_real, mu0, sigma0**2))
        batch = reduce(_pool, [_draw(rng, size, mu, v, chains)
                               for size, mu, v in sources if size > 0])
        if policy == "accumulate":
            kept = batch if kept is None else _pool(kept, batch)
            batch = kept
        size, mean[t], sum_sq = batch
        var[t] = sum_sq / (size - ddof)
    return GaussianChains(mean=mean, var=var, mu0=mu0, sigma0=sigma0)


def _normalise(counts: np.ndarray) -> np.ndarray:
    return counts / counts.sum(axis=-1, keepdims=True)


@dataclass(frozen=True, eq=False)
class CategoricalChains:
    """Counts of many categorical refit chains, shape (generations + 1, chains, K).

    ``counts[0]`` is ``m * p`` (the truth as expected counts); ``counts[t]`` for t >= 1
    holds the multinomial counts of the ``m`` samples drawn from model ``t - 1``.
    """

    counts: np.ndarray
    policy: str

    @property
    def probs(self) -> np.ndarray:
        """Model probabilities, shape (generations + 1, chains, K); each row sums to 1.

        Row 0 is ``p``; row t is ``counts[t]`` normalised (replace) or the counts of
        generations 1..t pooled, then normalised (accumulate).
        """
        if self.policy == "replace":
            return _normalise(self.counts)
        pooled = np.concatenate([self.counts[:1], np.cumsum(self.counts[1:], axis=0)])
        return _normalise(pooled)

    @property
    def support(self) -> np.ndarray:
        """Number of categories with positive probability, shape (generations + 1, chains)."""
        return np.count_nonzero(self.probs > 0, axis=-1)


def categorical(p: Any, m: int, generations: int, chains: int, *,
                policy: str = "replace", seed: Seed = 0) -> CategoricalChains:
    """Simulate ``chains`` categorical models refitted on ``m`` samples of their own output.

    The model of generation t is the empirical distribution of its training counts, so a
    category that gets no sample is lost for good under replace (the support never
    grows). Under accumulate, generation 1's counts are the real sample and every later
    generation adds ``m`` synthetic samples to the pool.

    >>> res = categorical([0.5, 0.5], m=50, generations=1000, chains=100, seed=0)
    >>> res.counts.shape, bool((res.support[-1] == 1).all())
    ((1001, 100, 2), True)
    """
    p = probability_vector(p, "p")
    m = positive_int(m, "m")
    generations = positive_int(generations, "generations")
    chains = positive_int(chains, "chains")
    policy = one_of(policy, "policy", POLICIES)
    rng = rng_from(seed)

    p = p / p.sum()
    counts = np.empty((generations + 1, chains, p.size))
    counts[0] = m * p
    model = np.broadcast_to(p, (chains, p.size))
    pooled = np.zeros((chains, p.size))
    for t in range(1, generations + 1):
        counts[t] = rng.multinomial(m, model)
        pooled = counts[t] if policy == "replace" else pooled + counts[t]
        model = _normalise(pooled)
    return CategoricalChains(counts=counts, policy=policy)


def linear_regression(d: int, T: int, noise_var: float, generations: int, chains: int, *,
                      policy: str = "replace", seed: Seed = 0) -> np.ndarray:
    """Squared parameter error ``||w_k - w*||^2`` of iterated OLS, shape (generations + 1, chains).

    Each chain has a fixed design X (T x d, iid N(0, 1) entries). Iteration 1 fits OLS
    on real labels ``X w* + noise``; iteration k relabels X with the fit of iteration
    k - 1 plus fresh noise (variance ``noise_var``) and refits on the newest labels
    (replace) or on all label sets stacked (accumulate, = OLS on the averaged labels).
    Row 0 is 0 (the truth). Requires ``T > d + 1``.

    Exact shortcut: the error does not depend on ``w*``, and each OLS noise term
    ``(X'X)^-1 X' noise`` is N(0, noise_var (X'X)^-1) with the same ``X'X`` throughout
    a chain, so only ``(X'X)^-1`` is drawn, from its inverse-Wishart(T, I_d) law.

    >>> linear_regression(10, 100, 1.0, generations=20, chains=300).shape
    (21, 300)
    """
    d = positive_int(d, "d")
    T = integer(T, "T", minimum=d + 2)
    noise_var = real(noise_var, "noise_var", minimum=0.0, strict_min=True, maximum=_MAX_SCALE)
    generations = positive_int(generations, "generations")
    chains = positive_int(chains, "chains")
    policy = one_of(policy, "policy", POLICIES)
    rng = rng_from(seed)

    inv_gram = stats.invwishart(df=T, scale=np.eye(d)).rvs(size=chains, random_state=rng)
    noise_factor = np.sqrt(noise_var) * np.linalg.cholesky(np.reshape(inv_gram, (chains, d, d)))
    error = np.zeros((generations + 1, chains))
    offset = np.zeros((chains, d))  # w_k - w*
    label_sum = np.zeros((chains, d))  # accumulate: sum over i <= k of (w_{i-1} - w* + noise_i)
    for k in range(1, generations + 1):
        ols_noise = np.einsum("cij,cj->ci", noise_factor, rng.standard_normal((chains, d)))
        if policy == "replace":
            offset = offset + ols_noise
        else:
            label_sum += offset + ols_noise
            offset = label_sum / k
        error[k] = np.sum(offset**2, axis=1)
    return error

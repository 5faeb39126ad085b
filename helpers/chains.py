"""Vectorised many-chain simulators for the collapse loops that have closed forms.

Each simulator runs thousands of independent chains at once (NumPy, no Python loop
over chains) and returns arrays whose first axis is the generation: row 0 is the
truth, row ``t`` the model fitted at generation ``t`` on data drawn from model
``t - 1``. Compare with :mod:`helpers.theory`.

Policies: ``"replace"`` trains each generation on its ``n`` (or ``m``) new samples
only; ``"accumulate"`` trains on the real sample of generation 1 plus every
synthetic sample so far. :func:`gaussian_policy` runs all five data policies of
:mod:`helpers.loop` (``LOOP_POLICIES``) for the Gaussian.

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

from helpers.policies import POLICIES as POLICIES_ALL
from helpers.policies import POLICY_TABLE, Plan, make_plan, real_split, resolve, training_set
from helpers.validate import (
    MAX_GENERATIONS,
    MAX_SCALE,
    elements,
    fraction,
    fractions,
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
    "RegressionChains",
    "gaussian",
    "categorical",
    "linear_regression",
    "LOOP_POLICIES",
    "GaussianSource",
    "gaussian_policy",
    "SUBSAMPLING_MEMORIES",
]

POLICIES = ("replace", "accumulate")  # the two the closed-form simulators support
LOOP_POLICIES = POLICIES_ALL  # every policy of helpers.policies
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
        return np.quantile(getattr(self, of), fractions(q, "q"), axis=1)


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
    generations = positive_int(generations, "generations", MAX_GENERATIONS)
    chains = positive_int(chains, "chains")
    ddof = integer(ddof, "ddof", minimum=0, maximum=1)
    policy = one_of(policy, "policy", POLICIES)
    real_fraction = fraction(real_fraction, "real_fraction")
    mu0 = real(mu0, "mu0", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    sigma0 = real(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    elements((generations + 1) * chains, "chains")
    rng = rng_from(seed)

    n_real, n_synthetic = real_split(real_fraction, n)
    plan = Plan(policy, "fresh", POLICY_TABLE[policy].memory, n, n_real, n_synthetic)
    source = GaussianSource(chains, n, (mu0, sigma0**2), seed=rng, kept=None)
    mean = np.empty((generations + 1, chains))
    var = np.empty((generations + 1, chains))
    mean[0], var[0] = mu0, sigma0**2
    for t in range(1, generations + 1):
        source.model = (mean[t - 1], var[t - 1])
        size, mean[t], sum_sq = _as_batch(training_set(source, plan))
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
    generations = positive_int(generations, "generations", MAX_GENERATIONS)
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


@dataclass(frozen=True, eq=False)
class RegressionChains:
    """Squared parameter errors ``||w_k - w*||^2`` of many iterated-OLS chains.

    ``error`` has shape (generations + 1, chains); row 0 is 0 (the truth).
    """

    error: np.ndarray
    policy: str

    @property
    def generations(self) -> np.ndarray:
        """Iteration index 0, 1, ..., shape (generations + 1,)."""
        return np.arange(self.error.shape[0])


def linear_regression(d: int, T: int, noise_var: float, generations: int, chains: int, *,
                      policy: str = "replace", seed: Seed = 0) -> RegressionChains:
    """Squared parameter error ``||w_k - w*||^2`` of iterated OLS, as a :class:`RegressionChains`.

    Each chain has a fixed design X (T x d, iid N(0, 1) entries). Iteration 1 fits OLS
    on real labels ``X w* + noise``; iteration k relabels X with the fit of iteration
    k - 1 plus fresh noise (variance ``noise_var``) and refits on the newest labels
    (replace) or on all label sets stacked (accumulate, = OLS on the averaged labels).
    Row 0 is 0 (the truth). Requires ``T > d + 1``.

    Exact shortcut: the error does not depend on ``w*``, and each OLS noise term
    ``(X'X)^-1 X' noise`` is N(0, noise_var (X'X)^-1) with the same ``X'X`` throughout
    a chain, so only ``(X'X)^-1`` is drawn, from its inverse-Wishart(T, I_d) law.

    >>> linear_regression(10, 100, 1.0, generations=20, chains=300).error.shape
    (21, 300)
    """
    d = integer(d, "d", minimum=1, maximum=1000)
    T = integer(T, "T", minimum=d + 2, minimum_is="d + 2")
    noise_var = real(noise_var, "noise_var", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    generations = positive_int(generations, "generations", MAX_GENERATIONS)
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
    return RegressionChains(error=error, policy=policy)


# --- the five data policies of helpers.policies, for the 1-D Gaussian ----------------------

def _subset_indices(rng: np.random.Generator, chains: int, N: int, k: int) -> np.ndarray:
    """``(chains, k)`` indices: a uniformly random k-subset of ``range(N)`` in each row.

    Small pools: the k smallest of N uniform keys. Large pools (N > 4k): k draws with
    replacement, duplicates redrawn until none is left. Both are invariant under
    relabelling the pool, so every k-subset is equally likely.
    """
    if N <= 4 * k:
        return np.argpartition(rng.random((chains, N)), k - 1, axis=1)[:, :k]
    idx = rng.integers(N, size=(chains, k))
    rows = np.arange(chains)[:, None]
    while True:
        order = np.argsort(idx, axis=1)
        ordered = idx[rows, order]
        repeat = np.zeros(idx.shape, dtype=bool)
        repeat[:, 1:] = ordered[:, 1:] == ordered[:, :-1]
        if not repeat.any():
            return idx
        row, pos = np.nonzero(repeat)
        idx[row, order[row, pos]] = rng.integers(N, size=row.size)


def _batch_of(points: np.ndarray) -> Batch:
    """Sufficient statistics of materialised points, shape (chains, size)."""
    mean = points.mean(axis=1)
    return points.shape[1], mean, np.sum((points - mean[:, None]) ** 2, axis=1)


def _as_batch(data: Batch | np.ndarray) -> Batch:
    return _batch_of(data) if isinstance(data, np.ndarray) else data


class GaussianSource:
    """The policies' steps (:mod:`helpers.policies`) on many 1-D Gaussian chains at once.

    ``seed``: the chains' Generator (or an int). Data are either a :data:`Batch` of
    exact sufficient statistics (drawn without materialising points) or, where a
    policy subsamples them, points of shape ``(chains, size)``. ``model`` is the
    current model's ``(mean, var)``, one per chain; ``truth`` draws fresh real data;
    ``real_points`` / ``real_batch`` are the real sample; ``kept`` is everything kept
    so far (statistics), or, when ``points=True``, every draw is materialised and
    ``pool`` holds what is kept (points, with a preallocated ``capacity``).
    """

    def __init__(self, chains: int, n: int, truth: tuple[float, float], *, seed: Seed,
                 kept: Batch | None, real_points: np.ndarray | None = None,
                 points: bool = False, capacity: int = 0):
        self.rng, self.chains, self.n, self.truth = rng_from(seed), chains, n, truth
        self.model = truth
        self.kept, self.real_points, self.points = kept, real_points, points
        self.real_batch = kept
        self._rows = np.arange(chains)[:, None]
        if points:
            self.pool = np.empty((chains, capacity))
            self.pool[:, :n] = real_points
            self.filled = n

    def _normal(self, k: int, mean: Any, var: Any) -> Batch | np.ndarray:
        if self.points:
            noise = self.rng.standard_normal((self.chains, k))
            return np.asarray(mean)[..., None] + np.sqrt(var)[..., None] * noise
        return _draw(self.rng, k, mean, var, self.chains)

    def synthetic(self, k: int | None) -> Batch | np.ndarray | None:
        k = self.n if k is None else k
        return None if k == 0 else self._normal(k, *self.model)

    def real_sample(self, k: int) -> Batch | np.ndarray:
        if k == self.n:  # the whole sample: its statistics do not depend on the order
            return self.real_points if self.points else self.real_batch
        return self.real_points[self._rows, _subset_indices(self.rng, self.chains, self.n, k)]

    def fresh_real(self, k: int) -> Batch | np.ndarray:
        return self._normal(k, *self.truth)

    def union(self, *parts: Batch | np.ndarray | None) -> Batch | np.ndarray:
        present = [p for p in parts if p is not None]
        if self.points:
            return np.concatenate(present, axis=1)
        return reduce(_pool, [_as_batch(p) for p in present])

    def keep(self, part: Batch | np.ndarray) -> Batch | np.ndarray:
        if self.points:
            size = part.shape[1]
            self.pool[:, self.filled:self.filled + size] = part
            self.filled += size
            return self.pool[:, :self.filled]
        self.kept = part if self.kept is None else _pool(self.kept, part)
        return self.kept

    def subsample(self, data: np.ndarray, k: int) -> np.ndarray:
        return data[self._rows, _subset_indices(self.rng, self.chains, data.shape[1], k)]

    def size(self, data: Batch | np.ndarray) -> int:
        return data.shape[1] if isinstance(data, np.ndarray) else data[0]


#: Memories that subsample what is kept: their pool must be materialised as points.
SUBSAMPLING_MEMORIES = frozenset({"subsample"})


def gaussian_policy(n: int, generations: int, chains: int, *, policy: str = "replace",
                    real_fraction: float | None = None, train_size: int | None = None,
                    ddof: int = 0, mu0: float = 0.0, sigma0: float = 1.0,
                    seed: Seed = 0) -> GaussianChains:
    """The five data policies of :mod:`helpers.policies` for a 1-D Gaussian, vectorised.

    Row 0 is the truth N(mu0, sigma0^2); row 1 is fitted on each chain's real sample of
    ``n`` points; row ``t >= 2`` on the training set the policy builds from the real
    sample and ``n`` draws of model ``t - 1`` (``train_size - round(real_fraction *
    train_size)`` under ``"reservoir"`` and ``"fresh"``, whose real part is drawn from the
    truth); the loop's generation g is row g + 1 here.

    Batches of draws are represented by their exact sufficient statistics, as in
    :func:`gaussian`; only points a policy subsamples are materialised (the real sample
    under ``"reservoir"``, every draw under a memory that subsamples the pool, such as
    ``"accumulate_subsample"``, whose cost grows like ``chains * n * generations``). What
    is materialised follows from the policy's plan (its real part and memory), never
    from its name, so every entry of :data:`helpers.policies.POLICY_TABLE` runs here.

    >>> res = gaussian_policy(100, 50, 200, policy="reservoir", real_fraction=0.1, seed=0)
    >>> res.var.shape
    (51, 200)
    """
    n = integer(n, "n", minimum=2)
    generations = positive_int(generations, "generations", MAX_GENERATIONS)
    chains = positive_int(chains, "chains")
    policy = resolve(policy)
    ddof = integer(ddof, "ddof", minimum=0, maximum=1)
    mu0 = real(mu0, "mu0", minimum=-MAX_SCALE, maximum=MAX_SCALE)
    sigma0 = real(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    plan = make_plan(policy, n_real_data=n, real_fraction=real_fraction,
                     train_size=train_size, min_size=2)
    return _policy_chains(plan, n, generations, chains, ddof=ddof, truth=(mu0, sigma0),
                          seed=seed)


def _policy_chains(plan: Plan, n: int, generations: int, chains: int, *, ddof: int,
                   truth: tuple[float, float], seed: Seed) -> GaussianChains:
    """:func:`gaussian_policy` on already-checked arguments (callers inside helpers)."""
    mu0, sigma0 = truth
    elements((generations + 1) * chains, "chains")
    # What to materialise follows from the plan: a memory that subsamples the pool needs
    # its points; a real part that takes a strict subset of the real sample needs those.
    points = plan.memory in SUBSAMPLING_MEMORIES
    new_size = n if plan.n_synthetic is None else plan.n_synthetic + plan.n_real
    capacity = n + new_size * (generations - 1)
    elements(chains * (capacity if points else max(n, plan.size, new_size)), "chains")
    rng = rng_from(seed)

    truth = (mu0, sigma0**2)
    if points or (plan.real_part == "sample" and 0 < plan.n_real < n):
        real_points = mu0 + sigma0 * rng.standard_normal((chains, n))
        real_batch = _batch_of(real_points)
    else:
        real_points, real_batch = None, _draw(rng, n, *truth, chains)
    source = GaussianSource(chains, n, truth, seed=rng, kept=real_batch,
                            real_points=real_points, points=points, capacity=capacity)

    mean = np.empty((generations + 1, chains))
    var = np.empty((generations + 1, chains))
    mean[0], var[0] = truth
    batch = real_batch
    for t in range(1, generations + 1):
        if t >= 2:
            source.model = (mean[t - 1], var[t - 1])
            batch = _as_batch(training_set(source, plan))
        size_t, mean[t], sum_sq = batch
        var[t] = sum_sq / (size_t - ddof)
    return GaussianChains(mean=mean, var=var, mu0=mu0, sigma0=sigma0)

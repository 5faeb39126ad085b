"""Closed forms for the collapse experiments (REFERENCES.md, sections 1, 2, 4, 5 and 9).

Every function is vectorised over its generation index (``t`` or ``k``): pass an
integer for a ``float`` answer, or an array of integers for an array of the same
shape. Generation 0 is the true distribution; generation ``t`` is the model
fitted on ``n`` samples drawn from generation ``t - 1``, as in
:mod:`helpers.chains`.

>>> round(gaussian_var(50, n=100), 4)
0.605
>>> gaussian_log_var([0, 50], n=100, ddof=1).round(4)
array([ 0.    , -0.5068])
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from scipy import special, stats

from helpers.validate import (
    MAX_GENERATIONS,
    MAX_INTEGER,
    MAX_SCALE,
    as_array,
    finite_array,
    integer,
    one_of,
    probability_vector,
    real,
    warn_deprecated,
)

__all__ = [
    "unigram_truncation",
    "UnigramTruncation",
    "gaussian_var",
    "gaussian_log_var",
    "gaussian_mean_sq",
    "gaussian_w2sq_to_truth",
    "gaussian_accumulate_var",
    "categories_lost",
    "expected_support",
    "wright_fisher_fixation_time",
    "linreg_error",
    "linreg_accumulate_bound",
    "kde_var",
    "sampling_bias_trace",
    "fresh_real_var",
    "fresh_real_fixed_point",
    "fixed_reservoir_var",
    "filtered_share",
    "truncation_factor",
    "truncation_acceptance",
    "typicality_var",
]

ArrayLike = Any  # an int, or an array-like of ints
FloatOrArray = Any  # float for a scalar index, np.ndarray otherwise
_MAX_STATES = 5_000  # Markov chains over m + 1 count states: (m + 1)^2 matrices
_MAX_OPERATIONS = 10**11  # matrix-vector work of expected_support


def _index(values: ArrayLike, name: str, minimum: int = 0) -> np.ndarray:
    """Return a generation index (scalar or array of whole numbers >= minimum) as floats."""
    if isinstance(values, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be an integer or an array of integers, "
                        f"got {type(values).__name__}")
    arr = as_array(values, name, "an integer or an array of integers")
    if arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be an integer or an array of integers, "
                        f"got values of type {arr.dtype}")
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
        raise ValueError(f"{name} must contain whole numbers only")
    if np.any(arr < minimum):
        raise ValueError(f"{name} must be >= {minimum}, got a minimum of {arr.min():g}")
    return arr


def _out(values: np.ndarray) -> FloatOrArray:
    """Return a 0-d result as a Python float, anything else as an ndarray."""
    return float(values) if np.ndim(values) == 0 else values


def _gaussian_args(n: int, ddof: int, sigma0: float) -> tuple[int, int, float]:
    n = integer(n, "n", minimum=2)
    ddof = integer(ddof, "ddof", minimum=0, maximum=1)
    sigma0 = real(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    return n, ddof, sigma0


def _ratio_a(n: int, ddof: int) -> float:
    """E[sigma_t / sigma_{t-1}]: a(n) (ddof=0) or c(n) (ddof=1) of REFERENCES.md section 1."""
    log_gamma_ratio = special.gammaln(n / 2) - special.gammaln((n - 1) / 2)
    return float(np.sqrt(2.0 / (n - ddof)) * np.exp(log_gamma_ratio))


def gaussian_var(t: ArrayLike, n: int, ddof: int = 0, sigma0: float = 1.0) -> FloatOrArray:
    """E[sigma_t^2] for the replace loop of a 1-D Gaussian refitted on ``n`` samples.

    ddof=0 (MLE): ``sigma0^2 ((n-1)/n)^t``; ddof=1 (unbiased): ``sigma0^2`` (a martingale).

    >>> round(gaussian_var(50, n=100, ddof=0), 4)
    0.605
    """
    t = _index(t, "t")
    n, ddof, sigma0 = _gaussian_args(n, ddof, sigma0)
    return _out(sigma0**2 * ((n - 1) / (n - ddof)) ** t)


def gaussian_log_var(t: ArrayLike, n: int, ddof: int = 0, sigma0: float = 1.0) -> FloatOrArray:
    """E[log sigma_t^2]: ``log sigma0^2 + t [digamma((n-1)/2) + log(2/(n-ddof))]``.

    Negative drift for both estimators: every chain collapses almost surely.

    >>> round(gaussian_log_var(50, n=100, ddof=0), 4)
    -1.0093
    """
    t = _index(t, "t")
    n, ddof, sigma0 = _gaussian_args(n, ddof, sigma0)
    drift = special.digamma((n - 1) / 2) + np.log(2.0 / (n - ddof))
    return _out(2.0 * np.log(sigma0) + t * drift)


def gaussian_mean_sq(t: ArrayLike, n: int, ddof: int = 0, sigma0: float = 1.0) -> FloatOrArray:
    """E[(mu_t - mu0)^2]: ``sigma0^2 (1 - ((n-1)/n)^t)`` (ddof=0) or ``sigma0^2 t/n`` (ddof=1).

    >>> round(gaussian_mean_sq(50, n=100, ddof=1), 4)
    0.5
    """
    t = _index(t, "t")
    n, ddof, sigma0 = _gaussian_args(n, ddof, sigma0)
    if ddof == 1:
        return _out(sigma0**2 * t / n)
    return _out(sigma0**2 * -np.expm1(t * np.log1p(-1.0 / n)))


def gaussian_w2sq_to_truth(t: ArrayLike, n: int, ddof: int = 0,
                           sigma0: float = 1.0) -> FloatOrArray:
    """E[W2^2] between the generation-t fit and the truth (``GaussianChains.w2sq``).

    W2^2 = (mu-mu0)^2 + (sigma-sigma0)^2; for W2^2 between two given Gaussians see
    :func:`helpers.metrics.gaussian_w2sq`.

    ddof=0: ``sigma0^2 (2 - 2 a(n)^t)``, bounded by ``2 sigma0^2``;
    ddof=1: ``sigma0^2 (t/n + 2 - 2 c(n)^t)``, unbounded; with
    ``a(n) = sqrt(2/n) Gamma(n/2)/Gamma((n-1)/2)`` and ``c(n)`` the same with ``n-1``.

    >>> round(gaussian_w2sq_to_truth(50, n=100, ddof=0), 4)
    0.6289
    """
    t = _index(t, "t")
    n, ddof, sigma0 = _gaussian_args(n, ddof, sigma0)
    var_term = 1.0 + gaussian_var(t, n, ddof) - 2.0 * _ratio_a(n, ddof) ** t
    return _out(sigma0**2 * (gaussian_mean_sq(t, n, ddof) + var_term))


def gaussian_accumulate_var(t: ArrayLike, n: int, ddof: int = 0,
                            sigma0: float = 1.0) -> FloatOrArray:
    """E[sigma_t^2] when every generation keeps all past samples (policy "accumulate").

    Derived here (not in the papers): the pooled variance over the ``t n`` points kept
    at generation t satisfies ``E[sigma_t^2] = E[sigma_{t-1}^2] (1 - 1/(t (t n - ddof)))``
    with ``E[sigma_1^2] = sigma0^2 (n-1)/(n-ddof)``; the product is evaluated in closed
    form with Pochhammer symbols. For ddof=0 it is ``sigma0^2 prod_{j<=t} (1 - 1/(j^2 n))``,
    which tends to ``sin(pi x)/(pi x)`` with ``x = n^(-1/2)``, about ``1 - pi^2/(6n)``:
    no collapse.

    >>> round(gaussian_accumulate_var(50, n=100), 4)
    0.9838
    """
    t = _index(t, "t")
    n, ddof, sigma0 = _gaussian_args(n, ddof, sigma0)
    # 1 - 1/(j (j n - ddof)) = (j - r1)(j - r2) / (j (j - ddof/n)), r1, r2 the roots
    root = np.sqrt(ddof**2 + 4.0 * n)
    r1, r2, shift = (ddof + root) / (2 * n), (ddof - root) / (2 * n), ddof / n
    log_first = special.gammaln(2 - shift) - special.gammaln(2 - r1) - special.gammaln(2 - r2)
    prod_2_to_t = (np.exp(log_first) * special.poch(t + 1, -r1) * special.poch(t + 1, -r2)
                   / special.poch(t + 1, -shift))
    var = np.where(t == 0, 1.0, (n - 1) / (n - ddof) * prod_2_to_t)
    return _out(sigma0**2 * var)


def categories_lost(p: ArrayLike, m: ArrayLike) -> FloatOrArray:
    """Expected number of categories with no sample among ``m`` draws: ``sum_i (1-p_i)^m``.

    One generation of exact refitting loses exactly these categories, for good.

    >>> categories_lost([0.5, 0.5], 1)
    1.0
    """
    p = probability_vector(p, "p")
    m = _index(m, "m", minimum=1)
    return _out(np.sum((1.0 - p) ** m[..., None], axis=-1))


def expected_support(p: ArrayLike, m: int, t: ArrayLike) -> FloatOrArray:
    """Expected number of categories still present after ``t`` generations of resampling.

    The model starts at probabilities ``p`` (generation 0, support = number of
    ``p_i > 0``) and each generation is refitted on ``m`` samples of its own output.
    Exact, not an approximation: one category's count alone is a Wright-Fisher chain,
    ``X_i(t+1) | X_i(t) ~ Binomial(m, X_i(t)/m)`` with ``X_i(1) ~ Binomial(m, p_i)``, so
    ``E[support_t] = sum_i P(X_i(t) > 0)``, computed by iterating the (m+1) x (m+1)
    transition matrix: O(m^2 max(t)) work. ``t = 1`` gives ``K - categories_lost(p, m)``.

    >>> round(expected_support([0.5, 0.5], 50, 1), 6)
    2.0
    >>> round(expected_support([0.5, 0.5], 50, 2000), 6)  # by then one state has won
    1.0
    """
    p = probability_vector(p, "p")
    m = integer(m, "m", minimum=1, maximum=_MAX_STATES)
    t = _index(t, "t")
    if t.size and t.max() > MAX_GENERATIONS:
        raise ValueError(f"t must be <= {MAX_GENERATIONS} (the transition matrix is applied t "
                         f"times), got {t.max():g}")
    if t.size and (m + 1) ** 2 * t.max() > _MAX_OPERATIONS:
        raise ValueError(f"t * (m + 1)^2 must be <= {_MAX_OPERATIONS:.0e} to finish in "
                         f"seconds; lower t (max {t.max():g}) or m ({m})")
    counts = np.arange(m + 1)
    step = stats.binom.pmf(counts[None, :], m, counts[:, None] / m)  # step[a, b] = P(a -> b)
    first = stats.binom.pmf(counts[None, :], m, p[:, None]).sum(axis=0)  # sum_i P(X_i(1) = k)
    alive = (counts > 0).astype(float)  # P(present after 0 more steps | count k)
    curve = np.empty(int(t.max()) + 1 if t.size else 1)
    curve[0] = np.count_nonzero(p)
    for g in range(1, curve.size):
        curve[g] = first @ alive
        alive = step @ alive
    return _out(curve[t.astype(int)])


def wright_fisher_fixation_time(m: int, p: float = 0.5, *,
                                method: str = "diffusion") -> float:
    """Mean number of generations until a two-state model keeps only one state.

    The model starts at probabilities ``(p, 1-p)`` and is refitted each generation on
    ``m`` samples of its own output (Wright-Fisher drift). ``method="diffusion"``:
    ``-2 m [p ln p + (1-p) ln(1-p)]`` (``2 m ln 2`` at p = 0.5); ``method="exact"``:
    solves the absorbing Markov chain of the counts (an ``(m-1) x (m-1)`` linear system).

    >>> round(wright_fisher_fixation_time(50), 1)
    69.3
    """
    method = one_of(method, "method", ("diffusion", "exact"))
    # the exact method solves an (m-1) x (m-1) system: m <= 5,000 finishes in seconds
    m = integer(m, "m", minimum=2, maximum=_MAX_STATES if method == "exact" else None)
    p = real(p, "p", minimum=0.0, maximum=1.0)
    if p in (0.0, 1.0):
        return 0.0
    if method == "diffusion":
        return float(-2.0 * m * (p * np.log(p) + (1 - p) * np.log1p(-p)))
    inner = np.arange(1, m)  # transient counts 1..m-1
    step = stats.binom.pmf(inner[None, :], m, inner[:, None] / m)
    time_from = np.linalg.solve(np.eye(m - 1) - step, np.ones(m - 1))
    return float(1.0 + stats.binom.pmf(inner, m, p) @ time_from)


def _linreg_args(d: int, T: int, noise_var: float) -> tuple[int, int, float]:
    d = integer(d, "d", minimum=1)
    T = integer(T, "T", minimum=d + 2, minimum_is="d + 2")
    noise_var = real(noise_var, "noise_var", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    return d, T, noise_var


def linreg_error(k: ArrayLike, d: int, T: int, noise_var: float,
                 policy: str = "replace") -> FloatOrArray:
    """Expected squared parameter error ``E||w_k - w*||^2`` after ``k`` OLS refits.

    Fixed isotropic design X (T x d), noise variance ``noise_var`` (s2); each iteration
    relabels X with the previous fit plus fresh noise. With ``e = s2 d/(T-d-1)``:
    replace ``k e`` (grows without bound); accumulate ``e sum_{i<=k} 1/i^2`` (bounded).
    Requires ``T > d + 1``.

    >>> round(linreg_error(20, d=10, T=100, noise_var=1.0, policy="accumulate"), 4)
    0.1793
    """
    k = _index(k, "k")
    d, T, noise_var = _linreg_args(d, T, noise_var)
    policy = one_of(policy, "policy", ("replace", "accumulate"))
    one_fit = noise_var * d / (T - d - 1)
    if policy == "replace":
        return _out(one_fit * k)
    # sum_{i=1..k} 1/i^2 = pi^2/6 - trigamma(k+1); clip the rounding error at k = 0
    return _out(one_fit * np.maximum(np.pi**2 / 6 - special.polygamma(1, k + 1), 0.0))


def linreg_accumulate_bound(d: int, T: int, noise_var: float) -> float:
    """Limit of the accumulate error as k -> infinity: ``(pi^2/6) s2 d/(T-d-1)``.

    >>> round(linreg_accumulate_bound(10, 100, 1.0), 4)
    0.1848
    """
    d, T, noise_var = _linreg_args(d, T, noise_var)
    return float(np.pi**2 / 6 * noise_var * d / (T - d - 1))


def kde_var(t: ArrayLike, n: int, bandwidth: float, var0: float) -> FloatOrArray:
    """E[s_t^2] for the Gaussian-KDE replace loop: the variance *grows*.

    Convention (as in :mod:`helpers.chains`): generation 0 is the truth, variance
    ``var0``; generation 1 is ``n`` real points; generation ``t+1`` is ``n`` points
    sampled from the Gaussian KDE (bandwidth h) of generation ``t``. ``s_t^2`` is the
    ddof=0 variance of generation t's points, so ``E[s_1^2] = r var0`` and
    ``E[s_{t+1}^2] = r (s_t^2 + h^2)`` with ``r = (n-1)/n``; for t >= 1,
    ``E[s_t^2] = r^t var0 + (n-1) h^2 (1 - r^(t-1))``, fixed point ``(n-1) h^2``.

    >>> kde_var([1, 10, 50, 100], n=89, bandwidth=0.75, var0=1.0).round(3)
    array([ 0.989,  5.68 , 21.614, 33.65 ])
    """
    t = _index(t, "t")
    n = integer(n, "n", minimum=2)
    bandwidth = real(bandwidth, "bandwidth", minimum=0.0, maximum=MAX_SCALE)
    var0 = real(var0, "var0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    r = (n - 1) / n
    grown = r**t * var0 + (n - 1) * bandwidth**2 * (1.0 - r ** np.maximum(t - 1, 0))
    return _out(np.where(t == 0, var0, grown))


def sampling_bias_trace(t: ArrayLike, n: int, lam: float, trace1: float) -> FloatOrArray:
    """E[tr Sigma_t] when each generation samples from N(mu, lam^2 Sigma) and refits by MLE.

    ``trace1 (lam^2 (n-1)/n)^(t-1)`` for t >= 1, where ``trace1 = E[tr Sigma_1]``;
    ``lam < 1`` (truncation, low temperature) speeds up the collapse.

    >>> round(sampling_bias_trace(10, n=500, lam=0.8, trace1=1.905), 4)
    0.0337
    """
    t = _index(t, "t", minimum=1)
    n = integer(n, "n", minimum=2)
    lam = real(lam, "lam", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    trace1 = real(trace1, "trace1", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    return _out(trace1 * (lam**2 * (n - 1) / n) ** (t - 1))



# --- mitigations (lesson 04) -------------------------------------------------------------


def _fresh_real_args(n: int, rho: float) -> tuple[int, float, float, float]:
    """Validate (n, rho); return them, the slope d of a_{t+1} = c + d a_t and its fixed point."""
    n = integer(n, "n", minimum=2)
    rho = real(rho, "rho", minimum=0.0, maximum=1.0)
    shrink = (n - 1) / n
    d = (1.0 - rho) * (shrink - rho)
    return n, rho, d, _fixed_point(n, rho)


def _fixed_point(n: int, rho: Any) -> Any:
    """a*(n, rho), elementwise for an array of shares (see :func:`fresh_real_fixed_point`)."""
    return (n * rho * (2 - rho) - rho) / (n * rho * (2 - rho) + 1 - rho)


def fresh_real_var(t: ArrayLike, n: int, rho: float) -> FloatOrArray:
    """E[sigma_t^2] when every training set holds a share ``rho`` of *fresh* real data.

    Truth N(0, 1); generation t+1 is the MLE (ddof=0) fit of ``rho n`` fresh real points
    plus ``(1 - rho) n`` points sampled from generation t. With ``b_t = E[mu_t^2]``,
    ``a_{t+1} = ((n-1)/n)(rho + (1-rho) a_t) + rho (1-rho) b_t`` and ``a_t + b_t = 1`` for
    every t, so ``a_t = a* + (1 - a*) d^t`` with ``d = (1-rho)((n-1)/n - rho)`` and ``a*``
    the fixed point :func:`fresh_real_fixed_point`. ``rho = 0`` is the replace loop,
    ``((n-1)/n)^t``. A fixed reservoir of real points, subsampled each generation, ends a
    little lower (:func:`fixed_reservoir_var`).

    >>> round(fresh_real_var(200, n=100, rho=0.1), 4)
    0.9497
    """
    t = _index(t, "t")
    n, rho, d, fixed = _fresh_real_args(n, rho)
    return _out(fixed + (1.0 - fixed) * np.power(d, t))


def fresh_real_fixed_point(n: int, rho: ArrayLike) -> FloatOrArray:
    """Stationary E[sigma^2] with a share ``rho`` of fresh real data (truth N(0, 1), MLE).

    ``a* = (n rho (2-rho) - rho) / (n rho (2-rho) + 1 - rho)``; 0 when ``rho = 0``
    (the replace loop collapses), ``(n-1)/n`` when ``rho = 1`` (one fit on real data).
    A list, tuple or array of shares gives an array of fixed points.

    >>> round(fresh_real_fixed_point(100, 0.1), 4)
    0.9497
    >>> fresh_real_fixed_point(100, [0.0, 1.0]).tolist()
    [0.0, 0.99]
    """
    if isinstance(rho, np.ndarray) and rho.ndim == 0:
        rho = rho.item()
    if not isinstance(rho, (list, tuple, np.ndarray)):  # one share (real() names the rest)
        return float(_fresh_real_args(n, rho)[3])
    n = integer(n, "n", minimum=2)
    shares = finite_array(rho, "rho")
    if np.asarray(rho).dtype == bool:  # as for a single share
        raise TypeError("rho must hold real numbers, got booleans")
    if np.any((shares < 0) | (shares > 1)):
        raise ValueError("rho must hold shares in [0, 1]")
    return _fixed_point(n, shares)


def fixed_reservoir_var(t: ArrayLike, n: int, rho: float) -> FloatOrArray:
    """E[sigma_t^2] when every training set holds a share ``rho`` of a *fixed* real set.

    The loop's ``"reservoir"`` policy: a real set R of ``n`` points is drawn once
    from the truth N(0, 1); generation 1 is the MLE (ddof=0) fit of R, and generation
    t+1 >= 2 the fit of ``rho n`` points of R subsampled without replacement plus
    ``(1 - rho) n`` points sampled from generation t (the rows of
    :func:`helpers.chains.gaussian_policy`). Given R, with variance v and mean m, and
    ``beta_s = E[(mu - m)^2] / v`` after s mixed generations (``beta_0 = 0``),
    ``beta_{s+1} = rho(1-rho)/(n-1) + (1-rho)^2 beta_s + (1-rho)(1-beta_s)/n`` and
    ``E[sigma^2 | R] = v (1 - beta_s)``. Averaged over R (``E[v] = (n-1)/n``) this is
    ``((n-1)/n)(1 - beta_{t-1})``, which is returned (1 at t = 0, the truth). It is a
    little below :func:`fresh_real_var` (fresh real data), because the same real points
    come back. ``rho n`` must be a whole number (the count of real points).

    >>> round(fixed_reservoir_var(2000, n=100, rho=0.1), 4)
    0.9407
    >>> fixed_reservoir_var([0, 1, 2], n=100, rho=0.0).round(4)  # replace: ((n-1)/n)^t
    array([1.    , 0.99  , 0.9801])
    """
    t = _index(t, "t")
    n = integer(n, "n", minimum=2)
    rho = real(rho, "rho", minimum=0.0, maximum=1.0)
    if abs(rho * n - round(rho * n)) > 1e-9 * max(1.0, rho * n):
        raise ValueError(f"rho * n must be a whole number of real points, got rho = {rho:g} "
                         f"with n = {n} ({rho * n:g} points)")
    c = rho * (1.0 - rho) / (n - 1) + (1.0 - rho) / n
    d = (1.0 - rho) * (1.0 - rho - 1.0 / n)
    beta = c / (1.0 - d) * (1.0 - np.power(d, np.maximum(t - 1.0, 0.0)))
    return _out(np.where(t == 0, 1.0, (n - 1) / n * (1.0 - beta)))


def _deprecated(new: Callable, old: str) -> Callable:
    """``new`` under its old name ``old``, warning once per call site (one release)."""
    @functools.wraps(new)
    def alias(*args: Any, **kwargs: Any) -> Any:
        warn_deprecated(f"helpers.theory.{old} is deprecated: it is the fresh-real-data loop, "
                        f"not a reservoir; use helpers.theory.{new.__name__}")
        return new(*args, **kwargs)
    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{new.__name__}` (kept for one release)."
    return alias


reservoir_var = _deprecated(fresh_real_var, "reservoir_var")
reservoir_fixed_point = _deprecated(fresh_real_fixed_point, "reservoir_fixed_point")


def filtered_share(share: float, tpr: float, fpr: float) -> float:
    """Synthetic share of a corpus after dropping everything a detector flags.

    A share ``share`` (s) of the items is synthetic; the detector flags a synthetic item
    with probability ``tpr`` and a real one with probability ``fpr``. What is kept has
    synthetic share ``s (1-tpr) / (s (1-tpr) + (1-s)(1-fpr))``; a share ``1 - fpr`` of the
    real data survives. Raises ``ValueError`` when nothing at all is kept.

    >>> round(filtered_share(0.5, tpr=0.9, fpr=0.05), 4)
    0.0952
    """
    share = real(share, "share", minimum=0.0, maximum=1.0)
    tpr = real(tpr, "tpr", minimum=0.0, maximum=1.0)
    fpr = real(fpr, "fpr", minimum=0.0, maximum=1.0)
    synthetic_kept = share * (1.0 - tpr)
    kept = synthetic_kept + (1.0 - share) * (1.0 - fpr)
    if kept <= 0.0:
        raise ValueError(f"share, tpr and fpr leave nothing after filtering (share={share:g}, "
                         f"tpr={tpr:g}, fpr={fpr:g}); the kept share must be > 0")
    return float(synthetic_kept / kept)


def _cutoff(k: float) -> float:
    return real(k, "k", minimum=0.0, strict_min=True, maximum=MAX_SCALE)


def truncation_acceptance(k: float) -> float:
    """Share of a Gaussian's samples within ``k`` standard deviations of its mean: 2 Phi(k) - 1.

    >>> round(truncation_acceptance(2.0), 4)
    0.9545
    """
    k = _cutoff(k)
    return float(2.0 * special.ndtr(k) - 1.0)


def truncation_factor(k: float) -> float:
    """Variance of N(0, 1) truncated to [-k, k]: ``v(k) = 1 - 2 k phi(k) / (2 Phi(k) - 1)``.

    A filter that keeps only samples within k fitted standard deviations shrinks the
    variance of what it keeps by this factor.

    >>> round(truncation_factor(2.0), 4)
    0.7737
    """
    k = _cutoff(k)
    accepted = -special.erf(-k / np.sqrt(2.0))  # 2 Phi(k) - 1 without cancellation
    return float(1.0 - 2.0 * k * stats.norm.pdf(k) / accepted)


def typicality_var(t: ArrayLike, n: int, k: float, sigma0: float = 1.0) -> FloatOrArray:
    """E[sigma_t^2] when each generation keeps only samples within ``k`` fitted sigmas.

    The kept samples are refilled to ``n`` accepted points and refitted with the MLE:
    ``sigma0^2 ((n-1)/n v(k))^t`` with ``v`` :func:`truncation_factor`; faster than the
    unfiltered ``((n-1)/n)^t``.

    >>> round(typicality_var(20, n=100, k=2.0), 5)
    0.00484
    """
    t = _index(t, "t")
    n = integer(n, "n", minimum=2)
    sigma0 = real(sigma0, "sigma0", minimum=0.0, strict_min=True, maximum=MAX_SCALE)
    return _out(sigma0**2 * ((n - 1) / n * truncation_factor(k)) ** t)


# ---------------------------------------------------------------- decoding on a unigram model


class UnigramTruncation(NamedTuple):
    """One generation of decode-then-refit on a unigram model (:func:`unigram_truncation`)."""

    support: int  # categories the decoded distribution keeps (probability > 0)
    kept_mass: float  # their total probability under the model before decoding
    expected_distinct: float  # E[categories seen among the m samples] = the refitted support
    expected_lost_mass: float  # E[model mass of the categories the refit no longer has]
    expected_rare_recall: float  # E[share of the rare categories still present after the refit]
    rare_mass: float  # decoded (= expected refitted) mass of the rare categories


def unigram_truncation(p: ArrayLike, m: int, *, temperature: float = 1.0,
                       top_k: int | None = None, top_p: float | None = None,
                       rare: float | None = None) -> UnigramTruncation:
    """One generation of a unigram (categorical) model that is decoded, sampled and refitted.

    The model has probabilities ``p``; it generates ``m`` tokens with the decoding
    ``q = helpers.decoding.truncate(p, temperature, top_k, top_p)`` and the next model is
    their frequencies (maximum likelihood). Exactly: the next support is inside the
    decoded support ``{i: q_i > 0}`` (the nucleus: ``support`` categories holding
    ``kept_mass`` of ``p``); category ``i`` is seen with probability ``1 - (1 - q_i)^m``, so
    ``expected_distinct = sum_i (1 - (1 - q_i)^m)`` and the lost mass is
    ``sum_i p_i (1 - q_i)^m`` (every category outside the nucleus is lost with certainty).
    The refitted frequencies are unbiased for ``q``, so the expected mass of the rare
    categories (``0 < p_i < rare``, default ``1/K``, as in
    :func:`helpers.metrics.rare_category_recall`) is ``q`` summed over them, and their
    expected recall is the mean of ``1 - (1 - q_i)^m`` over them. Compare
    :func:`truncation_factor`: a Gaussian filtered at ``k`` sigmas keeps a shrunk variance;
    a nucleus keeps a shrunk vocabulary, and both are renormalised onto what is kept.

    >>> r = unigram_truncation([0.5, 0.3, 0.15, 0.05], 100, top_p=0.8)
    >>> r.support, round(r.kept_mass, 2), round(r.expected_lost_mass, 3)
    (2, 0.8, 0.2)
    """
    from helpers.decoding import truncate  # decoding imports validate only; no cycle

    p = probability_vector(p, "p")
    m = integer(m, "m", minimum=1, maximum=MAX_INTEGER)
    q = truncate(p, temperature=temperature, top_k=top_k, top_p=top_p)
    threshold = 1.0 / p.size if rare is None else real(rare, "rare", minimum=0.0,
                                                        strict_min=True, maximum=1.0)
    unseen = (1.0 - q) ** m
    rare_set = (p > 0) & (p < threshold)
    if not rare_set.any():
        raise ValueError(f"rare={threshold:g} selects no category with 0 < p_i < rare; "
                         "raise it")
    kept = q > 0
    return UnigramTruncation(
        support=int(kept.sum()),
        kept_mass=float(p[kept].sum()),
        expected_distinct=float(np.sum(1.0 - unseen)),
        expected_lost_mass=float(np.sum(p * unseen)),
        expected_rare_recall=float(np.mean(1.0 - unseen[rare_set])),
        rare_mass=float(q[rare_set].sum()),
    )

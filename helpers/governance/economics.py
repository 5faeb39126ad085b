"""A drifting corpus and collapse as asset depreciation (lesson 05's toy model).

Every number these functions return rests on stated assumptions:

* **Growth** (:func:`crawl_share`): the synthetic share of a monthly web crawl
  follows a logistic curve ``ceiling / (1 + exp(-rate * (month - midpoint)))``.
* **Detector**: flagged documents are dropped; the synthetic share left is
  :func:`helpers.theory.filtered_share` (lesson 04), and a share ``fpr`` of the
  real documents is lost with them.
* **Training sets** (:func:`training_share`): the data policies of
  :data:`helpers.policies.POLICY_TABLE`, read from their memory and real part:
  *replace* trains on the latest filtered crawl; *accumulate* on every filtered
  crawl so far (equal sizes; a subsample of it has the same share in expectation);
  a policy with a real part (the *reservoir*) takes a fraction ``reservoir`` of
  each training set from verified real data and the rest as its memory says.
* **Value** (:func:`value_retained`): a model retrained each release on a set
  whose real share is ``r`` settles at the variance
  :func:`helpers.theory.fresh_real_fixed_point` ``(n, r)`` of lesson 04's Gaussian
  loop; the asset's value is the share of the real 1% tails it still produces,
  and it loses ``value * (1 - retained)`` per release.
* **Costs** (:func:`total_cost`): a reservoir costs ``price * reservoir`` per release.

>>> round(float(crawl_share(12, ceiling=0.6, midpoint=12, rate=0.35)), 3)
0.3
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy import stats

from helpers import policies, theory
from helpers.validate import finite_array, fraction, integer, real

__all__ = ["POLICIES", "crawl_share", "training_share", "release_table", "value_retained",
           "degradation", "total_cost", "release_costs", "best_reservoir"]

#: The training-set policies lesson 05 compares (names of helpers.policies.POLICY_TABLE;
#: :func:`training_share` takes any policy of the table).
POLICIES = ("replace", "accumulate", "reservoir")
_REMEMBERS = frozenset({"accumulate", "subsample"})  # memories that keep every crawl
_GRID = np.linspace(0.0, 1.0, 1001)


def _numbers(values: Any, name: str, unit: bool = False) -> np.ndarray:
    """A finite float array of any shape (a scalar gives a 0-d array); ``unit``: in [0, 1]."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a number or an array of numbers, got str")
    try:
        shape = np.shape(values)
        values = np.atleast_1d(values)
    except Exception as error:  # an object whose __array__ or __len__ fails or lies
        raise TypeError(f"{name} must be a number or an array of numbers, got "
                        f"{type(values).__name__}") from error
    arr = finite_array(values, name).reshape(shape)
    if arr.size == 0:  # e.g. shape (3, 0): rows of nothing
        raise ValueError(f"{name} must hold at least one number, got shape {arr.shape}")
    if unit and np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must hold fractions in [0, 1]")
    return arr


def crawl_share(months: Any, *, ceiling: float = 0.9, midpoint: float = 18.0,
                rate: float = 0.25) -> np.ndarray:
    """Synthetic share of the crawl of each month under the logistic growth assumption.

    The defaults are assumptions, not measurements: the share approaches
    ``ceiling``, is half of it at month ``midpoint`` and grows at ``rate`` per month.

    >>> crawl_share([0, 18, 60]).round(3)
    array([0.01, 0.45, 0.9 ])
    """
    months = _numbers(months, "months")
    ceiling = fraction(ceiling, "ceiling")
    midpoint = real(midpoint, "midpoint", minimum=-1e6, maximum=1e6)
    rate = real(rate, "rate", minimum=0.0, maximum=100.0)
    with np.errstate(over="ignore"):  # exp overflows to inf far before the midpoint: share 0
        return ceiling / (1.0 + np.exp(-rate * (months - midpoint)))


def training_share(crawl: Any, policy: str, *, tpr: float = 0.0, fpr: float = 0.0,
                   reservoir: float = 0.0) -> np.ndarray:
    """Synthetic share of the training set of each release, from the crawls' shares.

    ``crawl[m]`` is the synthetic share of month ``m``'s crawl; a detector with
    ``tpr``/``fpr`` filters every crawl first. ``policy`` is any policy of
    :data:`helpers.policies.POLICY_TABLE`; ``reservoir`` (policies with a real part
    only) is the fraction of each training set taken from verified real data.

    >>> training_share([0.5, 0.5], "reservoir", reservoir=0.2).round(2)
    array([0.4, 0.4])
    """
    crawl = _numbers(crawl, "crawl", unit=True)
    if crawl.ndim != 1 or crawl.size == 0:
        raise ValueError(f"crawl must be a non-empty 1-D array of shares, got shape {crawl.shape}")
    spec = policies.spec_of(policy)
    tpr, fpr, reservoir = (fraction(tpr, "tpr"), fraction(fpr, "fpr"),
                           fraction(reservoir, "reservoir"))
    if spec.real_part is None and reservoir:
        raise ValueError(f"reservoir is used only by policies with a real part "
                         f"({', '.join(_with_real_part())}), got {reservoir} with "
                         f"policy={policy!r}")
    if tpr == 1.0 and fpr == 1.0:
        raise ValueError("tpr = fpr = 1 drops every document; lower one of them")
    if spec.memory in _REMEMBERS:
        kept_syn = crawl * (1 - tpr)                 # per crawled document
        kept_real = (1 - crawl) * (1 - fpr)
        crawled = np.cumsum(kept_syn) / np.cumsum(kept_syn + kept_real)
    else:
        crawled = np.array([theory.filtered_share(float(c), tpr, fpr) for c in crawl])
    return (1 - reservoir) * crawled


def _with_real_part() -> list[str]:
    return [name for name, spec in policies.POLICY_TABLE.items() if spec.real_part]


def release_table(months: int = 36, *, ceiling: float = 0.9, rate: float = 0.25,
                  tpr: float = 0.5, fpr: float = 0.05, reservoir: float = 0.2
                  ) -> dict[str, np.ndarray]:
    """Per release 1..months: the crawl's synthetic share and each policy's training share.

    Month 0 is the clean starting corpus; releases train from month 1 on.

    >>> table = release_table()
    >>> sorted(table), table["crawl"].shape
    (['accumulate', 'crawl', 'month', 'replace', 'reservoir'], (36,))
    """
    months = integer(months, "months", minimum=1, maximum=1200)
    month = np.arange(months + 1)
    crawl = crawl_share(month, ceiling=ceiling, rate=rate)
    table = {"month": month[1:], "crawl": crawl[1:]}
    for policy in POLICIES:
        extra = {"reservoir": reservoir} if policies.spec_of(policy).real_part else {}
        table[policy] = training_share(crawl, policy, tpr=tpr, fpr=fpr, **extra)[1:]
    return table


def value_retained(real_share: Any, n: int = 100, q: float = 0.01) -> np.ndarray:
    """Share of the asset's value kept when each training set has real share ``real_share``.

    The value is what the model still covers of the rare cases: the tail mass ratio
    (lesson 03) beyond the real ``q`` and ``1 - q`` quantiles of a centred Gaussian
    whose variance is lesson 04's fixed point a*(n, r), the *expected* variance,
    relative to a model trained on real data only (r = 1). A plug-in at the expected
    variance, not the expected tail mass ratio over chains (drifted means make that
    larger). No real data: complete collapse, 0.

    >>> value_retained([0.0, 0.1, 1.0]).round(4)
    array([0.    , 0.8771, 1.    ])
    """
    shares = _numbers(real_share, "real_share", unit=True)
    n = integer(n, "n", minimum=2, maximum=10**9)
    q = real(q, "q", minimum=0.0, strict_min=True, maximum=0.5)
    z = stats.norm.isf(q)
    healthy = theory.fresh_real_fixed_point(n, 1.0)     # all real: (n - 1)/n under the MLE
    ratio = (theory.fresh_real_fixed_point(n, shares.ravel()) / healthy).reshape(shares.shape)
    with np.errstate(divide="ignore"):
        return stats.norm.sf(z / np.sqrt(ratio)) / q


def degradation(real_share: Any, value: float, n: int = 100) -> np.ndarray:
    """Value lost per release at a training-set real share: ``value * (1 - retained)``.

    >>> round(float(degradation(1.0, value=100)), 6)
    0.0
    """
    value = real(value, "value", minimum=0.0, maximum=1e15)
    return value * (1 - value_retained(real_share, n))


def total_cost(reservoir: Any, *, crawl_synthetic: float, value: float, price: float,
               n: int = 100) -> np.ndarray:
    """Cost per release: degradation ``value * (1 - retained)`` plus ``price * reservoir``.

    The training set is a fraction ``reservoir`` of verified real data and the
    rest from a filtered crawl whose synthetic share is ``crawl_synthetic`` (arrays of
    either broadcast: one cost per release).

    >>> round(float(total_cost(0.0, crawl_synthetic=0.0, value=100, price=50)), 2)
    0.0
    """
    rho = _numbers(reservoir, "reservoir", unit=True)
    s = _numbers(crawl_synthetic, "crawl_synthetic", unit=True)
    try:
        np.broadcast_shapes(rho.shape, s.shape)
    except ValueError:
        raise ValueError(f"reservoir (shape {rho.shape}) and crawl_synthetic (shape "
                         f"{s.shape}) must broadcast together: one value per release") from None
    price = real(price, "price", minimum=0.0, maximum=1e15)
    return degradation(rho + (1 - rho) * (1 - s), value, n) + price * rho


def release_costs(table: dict[str, np.ndarray], *, reservoir: float, value: float,
                  price: float, n: int = 100) -> dict[str, float]:
    """Each policy's :func:`total_cost` summed over the releases of :func:`release_table`.

    A policy with a real part pays for its reservoir; the rest of its training set is
    the crawl its memory keeps, whose synthetic share is ``table[policy] / (1 - reservoir)``.

    >>> costs = release_costs(release_table(3), reservoir=0.2, value=100, price=20)
    >>> sorted(costs)
    ['accumulate', 'replace', 'reservoir']
    """
    reservoir = fraction(reservoir, "reservoir")
    if not isinstance(table, Mapping) or not all(p in table for p in POLICIES):
        raise TypeError(f"table must be the dict release_table returns (keys "
                        f"{', '.join(POLICIES)}), got {type(table).__name__}")
    table = {p: _numbers(table[p], f"table[{p!r}]", unit=True) for p in POLICIES}
    costs = {}
    for policy in POLICIES:
        rho = reservoir if policies.spec_of(policy).real_part else 0.0
        rest = table[policy] / (1 - rho) if rho < 1 else np.zeros_like(table[policy])
        costs[policy] = float(np.sum(total_cost(rho, crawl_synthetic=np.clip(rest, 0, 1),
                                                value=value, price=price, n=n)))
    return costs


def best_reservoir(*, crawl_synthetic: float, value: float, price: float,
                   n: int = 100) -> float:
    """The reservoir fraction (grid step 0.001) with the lowest :func:`total_cost`.

    Past it, one more point of reservoir costs more than the degradation it prevents:
    the break-even at the margin.

    >>> best_reservoir(crawl_synthetic=0.0, value=100, price=50)
    0.0
    """
    crawl_synthetic = fraction(crawl_synthetic, "crawl_synthetic")  # one share, not an array
    costs = total_cost(_GRID, crawl_synthetic=crawl_synthetic, value=value, price=price, n=n)
    return float(_GRID[int(np.argmin(costs))])

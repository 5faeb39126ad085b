"""Noticing collapse: noise bands, Monte Carlo p-values and the first generation beyond them.

A monitored measure (a variance, a distance to the real data, a tail share...)
is computed on an *evaluation sample* drawn from each generation's model. Even
if the model never changed, the value would wobble from one evaluation sample to
the next. The **null distribution** of the measure is that wobble: the values on
many evaluation samples from the reference model (generation 0). A generation
*departs* from generation 0 when its value is more extreme than sampling noise
explains:

* :func:`evaluate` -- every measure on one evaluation sample per generation;
* :func:`null_values` -- the null distribution of *evaluation* noise: fresh
  evaluation samples from the reference model (a parametric bootstrap; it
  answers "has the model changed at all?");
* :func:`retrain_values` -- the null distribution of a *healthy retrain*: the
  model refitted on a fresh real sample of the training size, then evaluated (it answers "is
  this worse than retraining on real data would be?");
  :func:`bootstrap_values` -- by resampling one sample with replacement (a
  nonparametric bootstrap; biased for measures that count distinct items,
  because a resample repeats points);
* :func:`mc_pvalue` -- the Monte Carlo p-value ``(1 + #null at least as
  extreme) / (B + 1)``: valid for any measure, ties included;
* :func:`band` -- the acceptance band: a value outside it has p-value <= alpha;
* :func:`first_detection` -- the first generation (>= 1) outside the band;
* :func:`familywise_rate`, :func:`per_test_alpha` -- false alarms over many
  generations (a healthy pipeline tested G times at level alpha alarms at least
  once with probability ``1 - (1 - alpha)**G``);
* :func:`share_sample_size` -- evaluation samples needed to estimate a share
  (e.g. a tail share) to a given relative precision;
* :func:`fitted_models` -- every generation's fitted model from
  :func:`helpers.loop.run_loop`, to draw evaluation samples of any size.

``direction`` says which side raises an alarm: ``"lower"`` (diversity, tails,
recall: collapse lowers them), ``"higher"`` (distances: collapse raises them) or
``"both"`` (alpha split equally between the two sides).

>>> null = np.arange(1.0, 200.0)           # 199 null values 1, 2, ..., 199
>>> mc_pvalue(0.5, null, "lower")          # below all of them: the smallest p-value
0.005
>>> first_detection([100.0, 50.0, 0.5, 0.2], null, alpha=0.005, direction="lower")
2
"""

from __future__ import annotations

import copy
import functools
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import scipy.stats

from helpers.loop import iterate_loop
from helpers.validate import (
    MAX_RUNS,
    bounded_array,
    data_rows,
    elements,
    finite_array,
    integer,
    one_of,
    positive_int,
    real,
    rng_from,
)

__all__ = [
    "DIRECTIONS",
    "Band",
    "evaluate",
    "null_values",
    "retrain_values",
    "bootstrap_values",
    "mc_pvalue",
    "band",
    "first_detection",
    "familywise_rate",
    "per_test_alpha",
    "share_sample_size",
    "fitted_models",
]

DIRECTIONS = ("lower", "higher", "both")


class Band(NamedTuple):
    """Acceptance band: values with ``low <= value <= high`` raise no alarm.

    An unused side is infinite (``low = -inf`` when only high values alarm).
    """

    low: float
    high: float


def _measure_value(value: Any, what: str) -> float:
    kind = f"{what} must be a single number, got {type(value).__name__}"
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(kind)
    if isinstance(value, numbers.Integral):  # a huge int is an infinite value, not an error
        try:
            return float(value)
        except OverflowError:
            return math.inf if value > 0 else -math.inf
    try:
        out = float(value)
    except Exception:  # noqa: BLE001 -- not a number, or one whose __float__ itself fails
        raise TypeError(kind) from None
    if math.isnan(out):
        raise ValueError(f"{what} returned NaN")
    return out


def _measures(measures: Any, label: str = "measures") -> dict[str, Callable[[Any], float]]:
    if not isinstance(measures, Mapping) or not measures:
        raise TypeError(f"{label} must be a non-empty dict {{name: measure(sample) -> float}}")
    for name, fn in measures.items():
        if not callable(fn):
            raise TypeError(f"{label}[{name!r}] must be callable, got {type(fn).__name__}")
    return dict(measures)


def _apply(measures: dict[str, Callable[[Any], float]], sample: Any,
           what: str = "sample") -> dict[str, float]:
    return {name: _measure_value(fn(sample), f"measures[{name!r}]({what})")
            for name, fn in measures.items()}


def evaluate(models: Sequence[Any], measures: Mapping[str, Callable[[Any], float]],
             eval_size: int, seed: Any = 0) -> dict[str, np.ndarray]:
    """Every measure on one evaluation sample from each model: the monitored trajectory.

    ``models``: the fitted models of generations 0..G (e.g. from
    :func:`fitted_models`); ``measures``: ``{name: measure(sample) -> float}``;
    each model draws ``eval_size`` points with one generator seeded by ``seed``.
    Returns ``{name: array (G + 1,)}``.

    >>> from helpers.models import Gaussian
    >>> chain = fitted_models(Gaussian(ddof=0), np.linspace(-1, 1, 20), generations=3)
    >>> evaluate(chain, {"variance": np.var}, eval_size=50)["variance"].shape
    (4,)
    """
    measures = _measures(measures)
    eval_size = positive_int(eval_size, "eval_size")
    if isinstance(models, (str, bytes)) or not isinstance(models, Sequence):
        raise TypeError(f"models must be a list of fitted models, got {type(models).__name__}")
    if len(models) == 0:
        raise ValueError("models must hold at least one fitted model")
    for model in models:
        if not callable(getattr(model, "sample", None)):
            raise TypeError(f"models must hold fitted models with a sample(n, rng) method, "
                            f"got {type(model).__name__}")
    rng = rng_from(seed)
    rows = [_apply(measures, model.sample(eval_size, rng)) for model in models]
    return {name: np.array([row[name] for row in rows]) for name in measures}


def null_values(model: Any, measures: Mapping[str, Callable[[Any], float]], eval_size: int,
                n_draws: int = 99, seed: Any = 0) -> dict[str, np.ndarray]:
    """The null distribution of every measure: its values on ``n_draws`` evaluation samples.

    The samples are fresh draws of ``eval_size`` points from the reference
    ``model`` (generation 0): a parametric bootstrap of the evaluation noise.
    Returns ``{name: array (n_draws,)}``; the same seed gives the same values.

    >>> from helpers.models import Gaussian
    >>> g0 = Gaussian(ddof=0).fit(np.random.default_rng(0).normal(size=500))
    >>> null = null_values(g0, {"variance": np.var}, eval_size=100, n_draws=50, seed=1)
    >>> null["variance"].shape, bool(0.7 < np.median(null["variance"]) < 1.3)
    ((50,), True)
    """
    measures = _measures(measures)
    eval_size = positive_int(eval_size, "eval_size")
    n_draws = positive_int(n_draws, "n_draws", MAX_RUNS)
    rng = rng_from(seed)
    if not callable(getattr(model, "sample", None)):
        raise TypeError(f"model must be a fitted model with a sample(n, rng) method, "
                        f"got {type(model).__name__}")
    rows = [_apply(measures, model.sample(eval_size, rng)) for _ in range(n_draws)]
    return {name: np.array([row[name] for row in rows]) for name in measures}


def _fresh_real(real: np.ndarray, rng: np.random.Generator, real_sampler: Any) -> np.ndarray:
    """``len(real)`` fresh real rows from ``real_sampler`` (see retrain_values)."""
    n = real.shape[0]
    try:
        fresh = np.asarray(real_sampler(n, rng))
    except (TypeError, ValueError) as error:  # rows of different lengths, objects...
        raise type(error)(f"real_sampler({n}, rng) must return an array of {n} rows: "
                          f"{error}") from None
    if fresh.shape != real.shape:
        raise ValueError(f"real_sampler({n}, rng) must return {n} rows shaped like real "
                         f"{real.shape}, got shape {fresh.shape}")
    return fresh


def _refit(model: Any, rows: np.ndarray, source: str, measures: Mapping[str, Callable],
           scores: Mapping[str, Callable], eval_size: int, rng: np.random.Generator
           ) -> dict[str, float]:
    """Every measure of ``model`` refitted on ``rows`` (one healthy retrain)."""
    try:
        fitted = copy.deepcopy(model).fit(rows)
    except (TypeError, ValueError) as error:  # data the model cannot take: name them
        raise type(error)(f"{source} cannot be fitted by model: {error}") from None
    return {**_apply(measures, fitted.sample(eval_size, rng)), **_apply(scores, fitted, "model")}


def retrain_values(model: Any, real: Any, measures: Mapping[str, Callable[[Any], float]],
                   eval_size: int | None = None, n_draws: int = 99, seed: Any = 0, *,
                   model_measures: Mapping[str, Callable[[Any], float]] | None = None,
                   real_sampler: Callable[[int, np.random.Generator], Any] | None = None
                   ) -> dict[str, np.ndarray]:
    """The healthy-retrain null: every measure after refitting ``model`` on fresh real data.

    A healthy retrain is what a healthy generation is: a copy of ``model``
    refitted on a *fresh real sample* of ``len(real)`` rows from the source of
    ``real`` (the real training data; no synthetic data). Each of the
    ``n_draws`` null values takes that sample, refits, draws ``eval_size``
    points (default ``len(real)``) and applies every measure.
    ``real_sampler(k, rng)``, when the data have a source of fresh real rows,
    returns ``k`` of them (e.g. new windows of the same text). Without one, the
    null is a **bias-corrected bootstrap** that costs two refits per draw: one
    on a resample (with replacement) of ``real``, medians ``m1``, and one on a
    resample of that resample, medians ``m2``. The values are the second
    refits', whose spread holds both a refit's noise and the luck of ``real``
    itself (which a single resample cannot see), shifted to centre on
    ``2 m1 - m2``. A resample keeps only about 63% of the distinct rows, which
    worsens a model that depends on distinct rows (a KDE's kernels, a mixture's
    components); a resample of the resample worsens it again, and the bootstrap
    estimate of that bias, ``m2 - m1``, is removed once from ``m1`` (Efron and
    Tibshirani 1993, ch. 10). The correction is approximate: for the share of
    distinct rows (1 for new continuous data) it moves the centre from 0.47 to
    0.80. The band therefore holds
    retraining noise and evaluation noise, the two things a healthy pipeline
    that retrains on real data shows every generation. ``model_measures``
    (optional, ``{name: measure(fitted model) -> float}``, e.g. a held-out
    perplexity) are applied to each refitted model. Returns
    ``{name: array (n_draws,)}`` for the names of both.

    >>> from helpers.models import Gaussian
    >>> x = np.random.default_rng(0).normal(size=200)
    >>> null = retrain_values(Gaussian(ddof=0), x, {"variance": np.var}, n_draws=50, seed=1)
    >>> v = null["variance"]
    >>> v.shape, bool(0.5 < v.min() < np.var(x) < v.max())
    ((50,), True)
    """
    measures = _measures(measures)
    scores = {} if model_measures is None else _measures(model_measures, "model_measures")
    if set(scores) & set(measures):
        raise ValueError(f"model_measures must not repeat a name of measures: "
                         f"{sorted(set(scores) & set(measures))}")
    if not callable(getattr(model, "fit", None)):
        raise TypeError(f"model must have a fit(X) method, got {type(model).__name__}")
    arr = data_rows(real, "real", min_len=2)
    n = arr.shape[0]
    eval_size = n if eval_size is None else positive_int(eval_size, "eval_size")
    n_draws = positive_int(n_draws, "n_draws", MAX_RUNS)
    elements(eval_size * max(1, arr[0].size), "eval_size")  # one draw of the model at a time
    if real_sampler is not None and not callable(real_sampler):
        raise TypeError(f"real_sampler must be a function real_sampler(k, rng) or None, got "
                        f"{type(real_sampler).__name__}")
    rng = rng_from(seed)
    refit = functools.partial(_refit, model, measures=measures, scores=scores,
                              eval_size=eval_size, rng=rng)
    rows, twice = [], []
    for _ in range(n_draws):
        if real_sampler is not None:
            rows.append(refit(_fresh_real(arr, rng, real_sampler), "real_sampler's rows"))
            continue
        once = arr[rng.integers(0, n, size=n)]
        rows.append(refit(once, "real"))
        twice.append(refit(once[rng.integers(0, n, size=n)], "real"))
    null = {name: np.array([row[name] for row in rows]) for name in {**measures, **scores}}
    if twice:  # the bias-corrected bootstrap: the second refits' spread, centred at 2 m1 - m2
        for name, once in null.items():
            second = np.array([row[name] for row in twice])
            null[name] = second + 2 * (np.median(once) - np.median(second))
    return null


def bootstrap_values(sample: Any, statistic: Callable[[np.ndarray], float],
                     n_boot: int = 199, seed: Any = 0) -> np.ndarray:
    """Nonparametric bootstrap: ``statistic`` of ``n_boot`` resamples of ``sample``.

    Each resample draws ``len(sample)`` rows of ``sample`` (first axis) with
    replacement. Good for smooth statistics (a variance, a share); biased low
    for statistics that count distinct items (support size, distinct-n,
    Vendi score), because a resample repeats about 37% of its rows. Returns
    shape ``(n_boot,)``.

    >>> x = np.random.default_rng(0).normal(size=200)
    >>> b = bootstrap_values(x, np.mean, n_boot=500, seed=0)
    >>> bool(abs(b.std() - x.std() / np.sqrt(200)) < 0.02)
    True
    """
    arr = data_rows(sample, "sample", min_len=2)
    if not callable(statistic):
        raise TypeError("statistic must be a callable statistic(resample) -> float")
    n_boot = positive_int(n_boot, "n_boot", MAX_RUNS)
    rng = rng_from(seed)
    n = arr.shape[0]
    return np.array([_measure_value(statistic(arr[rng.integers(0, n, size=n)]),
                                    "statistic(resample)") for _ in range(n_boot)])


def _null(null: Any) -> np.ndarray:
    return finite_array(null, "null", ndim=1, min_len=1)


def _direction(direction: Any) -> str:
    return one_of(direction, "direction", DIRECTIONS)


def _alpha(alpha: Any) -> float:
    return real(alpha, "alpha", minimum=0.0, strict_min=True, maximum=1.0)


def mc_pvalue(value: float, null: Any, direction: str = "lower") -> float:
    """Monte Carlo p-value of ``value`` against B null values.

    ``"lower"``: ``(1 + #{null <= value}) / (B + 1)``; ``"higher"``: the same
    with ``>=``; ``"both"``: twice the smaller one, at most 1. The smallest
    possible p-value is ``1 / (B + 1)`` (for ``"both"``, ``2 / (B + 1)``).

    >>> mc_pvalue(3.0, [1.0, 2.0, 4.0, 5.0], "higher")
    0.6
    """
    value = _measure_value(value, "value")
    arr = _null(null)
    direction = _direction(direction)
    b = arr.shape[0]
    lower = (1 + np.count_nonzero(arr <= value)) / (b + 1)
    higher = (1 + np.count_nonzero(arr >= value)) / (b + 1)
    if direction == "lower":
        return float(lower)
    if direction == "higher":
        return float(higher)
    return float(min(1.0, 2.0 * min(lower, higher)))


def band(null: Any, alpha: float = 0.01, direction: str = "lower") -> Band:
    """The acceptance band of level ``alpha``: outside it, ``mc_pvalue <= alpha``.

    With B sorted null values ``s_1 <= ... <= s_B`` and ``k = floor(alpha (B + 1)) - 1``
    (per side; alpha is halved for ``"both"``), the lower edge is ``s_(k+1)``
    and a value *strictly below* it alarms; the upper edge is ``s_(B-k)``.
    Raises ``ValueError`` if alpha is too small for B (no value could ever
    alarm): draw more null values.

    >>> band(np.arange(1.0, 200.0), alpha=0.01, direction="lower")
    Band(low=2.0, high=inf)
    """
    arr = np.sort(_null(null))
    alpha = _alpha(alpha)
    direction = _direction(direction)
    side = alpha / 2 if direction == "both" else alpha
    b = arr.shape[0]
    k = math.floor(side * (b + 1) + 1e-9) - 1
    if k < 0:
        need = 1 / side - 1 if side > 0 else math.inf  # alpha = 5e-324 halves to 0 (or 1/inf)
        advice = (f"use at least {math.ceil(need)} null values or a larger alpha" if need < 1e15
                  else "use a larger alpha (this one needs more than 10**15 null values)")
        raise ValueError(f"alpha={alpha:g} is too small for {b} null values (the smallest "
                         f"p-value is {1 / (b + 1):.3g}); {advice}")
    k = min(k, b - 1)
    low = float(arr[k]) if direction in ("lower", "both") else -math.inf
    high = float(arr[b - 1 - k]) if direction in ("higher", "both") else math.inf
    return Band(low, high)


def first_detection(values: Any, null: Any, *, alpha: float = 0.01, direction: str = "lower",
                    start: int = 1) -> int | None:
    """First generation ``g >= start`` whose value lies outside the band; ``None`` if none.

    ``values``: shape ``(G + 1,)``, the measure at generations 0..G (one
    evaluation sample each). Equivalent to the first ``g`` with
    ``mc_pvalue(values[g], null, direction) <= alpha``.

    >>> first_detection([5.0, 4.0, 9.0, 0.0], np.arange(1.0, 100.0), alpha=0.01,
    ...                 direction="lower")
    3
    """
    vals = finite_array(values, "values", ndim=1, min_len=1)
    start = integer(start, "start", minimum=0)
    edges = band(null, alpha, direction)
    outside = (vals < edges.low) | (vals > edges.high)
    hits = np.flatnonzero(outside[start:])
    return int(hits[0] + start) if hits.size else None


def familywise_rate(alpha: float, tests: int) -> float:
    """Chance of at least one false alarm in ``tests`` independent tests at level ``alpha``.

    ``1 - (1 - alpha) ** tests``, below the Bonferroni bound ``tests * alpha``.

    >>> round(familywise_rate(0.01, 20), 4)
    0.1821
    """
    alpha = _alpha(alpha)
    tests = positive_int(tests, "tests")
    return float(1.0 - (1.0 - alpha) ** tests)


def per_test_alpha(familywise: float, tests: int) -> float:
    """Per-test level giving a family-wise false-alarm rate ``familywise`` over ``tests`` tests.

    The Sidak level ``1 - (1 - familywise) ** (1 / tests)`` (slightly above
    the Bonferroni ``familywise / tests``); the inverse of :func:`familywise_rate`.

    >>> round(per_test_alpha(0.05, 20), 5)
    0.00256
    """
    familywise = real(familywise, "familywise", minimum=0.0, strict_min=True, maximum=1.0)
    tests = positive_int(tests, "tests")
    return float(1.0 - (1.0 - familywise) ** (1.0 / tests))


def share_sample_size(share: float, rel_error: float, confidence: float = 0.95) -> int:
    """Evaluation samples needed to estimate a share to a relative precision.

    A share p (e.g. the real tail share 2q) estimated from m samples has
    standard error ``sqrt(p (1 - p) / m)``. Its ``confidence`` interval is
    within ``+- rel_error * p`` when ``m >= z**2 (1 - p) / (p rel_error**2)``,
    z the two-sided normal quantile (1.96 for 95%). ``share`` and ``confidence``
    lie in (0, 1), ``rel_error`` in (0, 1] (at most +-100% of the share).

    >>> share_sample_size(0.02, 0.2)      # 1%/99% tails, +-20% at 95%
    4706
    """
    share = real(share, "share", minimum=0.0, strict_min=True, maximum=1.0)
    if share >= 1.0:
        raise ValueError("share must be < 1")
    rel_error = real(rel_error, "rel_error", minimum=0.0, strict_min=True, maximum=1.0)
    confidence = real(confidence, "confidence", minimum=0.0, strict_min=True, maximum=1.0)
    if confidence >= 1.0:
        raise ValueError("confidence must be < 1")
    z = scipy.stats.norm.ppf(0.5 + confidence / 2)
    denominator = share * rel_error**2
    size = float(z) ** 2 * (1.0 - share) / denominator if denominator > 0 else math.inf
    if not math.isfinite(size):  # e.g. share=5e-324: no finite number of samples
        raise ValueError(f"share={share:g} and rel_error={rel_error:g} need more samples than "
                         "a float can count; use a larger share or rel_error")
    return int(math.ceil(size - 1e-9))


def fitted_models(model: Any, real: Any, generations: int, seed: int | np.random.Generator = 0,
                  **loop_options: Any) -> list[Any]:
    """Every generation's fitted model (0..G) of one run of :func:`helpers.loop.iterate_loop`.

    ``loop_options`` are passed on (``policy``, ``n_samples``, ...). The models
    let a monitor draw evaluation samples of any size, independently of the
    training sample size. Returns a list of G + 1 fitted models.

    >>> from helpers.models import Gaussian
    >>> chain = fitted_models(Gaussian(ddof=0), np.linspace(-1, 1, 20), generations=3)
    >>> len(chain), chain[0].var_ == float(np.var(np.linspace(-1, 1, 20)))
    (4, True)
    """
    arr = data_rows(real, "real", min_len=2)
    bounded_array(arr, "real")  # magnitudes a fit can square without overflow
    return [g.model for g in iterate_loop(model, arr, generations=generations, seed=seed,
                                          **loop_options)]

"""The recursive training loop: fit, sample, build the next training set, repeat.

Works with any model that has ``fit(X) -> self`` and ``sample(n, rng) -> X``
(see :mod:`helpers.models`). Generation 0 is the model fitted on the real
data; generation ``g >= 1`` is fitted on a training set that the *data
policy* (:mod:`helpers.policies`: replace, accumulate, accumulate_subsample,
reservoir, fresh) builds from the samples of generation ``g - 1`` and real data.
:func:`iterate_loop` yields the generations one by one (fitted model, training
set, samples); :func:`run_loop` runs it for many seeds and records metrics.

**Verification gate.** ``gate(samples) -> mask`` (a boolean array, one entry
per sample) decides which synthetic samples may enter a training set;
rejected samples are dropped (real data are never gated). With
``refill=False`` the training set simply gets smaller; with ``refill=True``
the loop draws further batches of ``n_samples`` from the same model until it
has as many accepted samples as the policy needs (and raises
``RuntimeError`` if ``policies.MAX_REFILL_BATCHES`` batches are not enough).

**Metrics.** Two kinds, recorded for generations 0..G:

* ``metrics[name](samples, real) -> float``: ``samples`` are ``n_samples``
  draws of that generation's model (before the gate), ``real`` is the real
  data passed to the loop, so distance and diversity functions can be used
  directly, e.g. ``{"W1": scipy.stats.wasserstein_distance}``;
* ``model_metrics[name](model) -> float``: a property of the fitted model,
  e.g. ``{"variance": lambda m: m.var_}``.

A metric must return a real number; ``inf`` is allowed (e.g. a KL divergence
after support loss), NaN raises ``ValueError``.

>>> from helpers.models import Gaussian
>>> real = np.random.default_rng(0).normal(size=100)
>>> h = run_loop(Gaussian(ddof=0), real, generations=3, seeds=range(2),
...              model_metrics={"variance": lambda m: m.var_})
>>> h.metrics["variance"].shape
(2, 4)
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.policies import POLICIES, make_plan, resolve, training_set, verified
from helpers.validate import (
    MAX_GENERATIONS,
    MAX_RUNS,
    as_array,
    data_points,
    elements,
    function,
    integer,
    positive_int,
    rng_from,
    seed_list,
)

__all__ = ["POLICIES", "Generation", "History", "ArraySource", "iterate_loop", "run_loop"]


@dataclass(frozen=True)
class Generation:
    """One generation of :func:`iterate_loop`.

    ``t``: generation index (0 = fitted on the real data); ``model``: the fitted model
    (a fresh copy per generation); ``train``: the training set it was fitted on and
    ``is_real`` (bool, one per training point) which of those points are real;
    ``samples``: its ``n_samples`` draws (before the gate); ``accept_rate``: share of
    them the gate accepted (``None`` without a gate). Do not modify the arrays: the
    next training set is built from them.
    """

    t: int
    model: Any
    train: np.ndarray
    is_real: np.ndarray
    samples: np.ndarray
    accept_rate: float | None = None

    @property
    def real_count(self) -> int:
        """Number of real points in the training set."""
        return int(self.is_real.sum())


@dataclass(frozen=True)
class History:
    """Result of :func:`run_loop`; arrays are indexed ``[seed, generation]``.

    Attributes
    ----------
    policy, seeds, generations, n_samples
        The run's settings (``generations`` = G; indices run 0..G; ``seeds`` holds
        ``None`` for a run given a ``numpy.random.Generator``).
    metrics
        ``name -> array (n_seeds, G + 1)`` for every metric and model metric.
    train_size
        ``(n_seeds, G + 1)`` int: number of points each generation's model was fitted on.
    real_count
        ``(n_seeds, G + 1)`` int: how many of them were real (original or fresh).
    accept_rate
        ``(n_seeds, G + 1)``: share of each generation's ``n_samples`` draws the
        gate accepted; ``None`` without a gate.
    samples
        ``(n_seeds, G + 1, n_samples, ...)``: each generation's ``n_samples``
        draws (before the gate), if ``keep_samples=True``; else ``None``.
    """

    policy: str
    seeds: tuple[int | None, ...]
    generations: int
    n_samples: int
    metrics: dict[str, np.ndarray]
    train_size: np.ndarray
    real_count: np.ndarray
    accept_rate: np.ndarray | None = None
    samples: np.ndarray | None = None

    @property
    def real_share(self) -> np.ndarray:
        """``real_count / train_size``, shape ``(n_seeds, G + 1)``."""
        return self.real_count / self.train_size


# ---------------------------------------------------------------- argument checks


def _check_model(model: Any) -> None:
    if not (callable(getattr(model, "fit", None)) and callable(getattr(model, "sample", None))):
        raise TypeError(
            f"model must have fit(X) and sample(n, rng) methods, got {type(model).__name__}"
        )


def _check_seeds(seeds: Any) -> tuple[int | None, ...]:
    if isinstance(seeds, np.random.Generator):
        return (None,)
    return seed_list(seeds, "seeds", MAX_RUNS)


def _check_metrics(metrics: Any, name: str) -> dict[str, Callable]:
    if metrics is None:
        return {}
    if not isinstance(metrics, Mapping):
        raise TypeError(f"{name} must be a dict of name -> callable, got {type(metrics).__name__}")
    for key, fn in metrics.items():
        if not isinstance(key, str) or not callable(fn):
            raise TypeError(f"{name} must map metric names (str) to callables; "
                            f"entry {key!r} is not")
    return dict(metrics)


def _metric_value(value: Any, name: str, generation: int) -> float:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"metric {name!r} must return a real number, got "
                        f"{type(value).__name__} at generation {generation}")
    try:
        value = float(value)
    except OverflowError:
        value = math.inf if value > 0 else -math.inf
    if np.isnan(value):
        raise ValueError(f"metric {name!r} returned NaN at generation {generation}")
    return value


def _checked_draw(X: Any, n: int, shape: tuple[int, ...], name: str) -> np.ndarray:
    """``X`` as an array, checked to hold ``n`` points of the real data's shape."""
    X = as_array(X, name, "an array of points")
    if X.shape != (n, *shape):
        raise ValueError(f"{name} returned shape {X.shape}, expected {(n, *shape)}")
    return X


def _draw(model: Any, n: int, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return _checked_draw(model.sample(n, rng), n, shape, "model.sample(n, rng)")


# ---------------------------------------------------------------- data as arrays


class ArraySource:
    """The policies' steps (:mod:`helpers.policies`) on arrays of points.

    Data are pairs ``(X, is_real)``: the points (first axis) and a boolean per
    point that says whether it is real. ``offer(samples)`` sets this generation's
    synthetic points; everything kept starts as the real sample.

    >>> src = ArraySource(np.zeros(3), seed=0)
    >>> src.offer(np.ones(5))
    >>> X, is_real = src.union(src.synthetic(2), src.real_sample(1))
    >>> X.tolist(), is_real.tolist()
    ([1.0, 1.0, 0.0], [False, False, True])
    """

    def __init__(self, real: np.ndarray, *, seed: int | np.random.Generator,
                 real_sampler: Callable[[int, np.random.Generator], Any] | None = None):
        self.real, self.rng, self.real_sampler = real, rng_from(seed), real_sampler
        self._kept = [(real, np.ones(len(real), dtype=bool))]
        self._offered = real[:0]

    def offer(self, samples: np.ndarray) -> None:
        """Set this generation's synthetic points."""
        self._offered = samples

    def synthetic(self, k: int | None) -> tuple[np.ndarray, np.ndarray]:
        X = self._offered if k is None else self._offered[:k]
        return X, np.zeros(len(X), dtype=bool)

    def real_sample(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        return self.real[self.rng.choice(len(self.real), size=k, replace=False)], np.ones(k, bool)

    def fresh_real(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        X = _checked_draw(self.real_sampler(k, self.rng), k, self.real.shape[1:],
                          "real_sampler(k, rng)")
        return X, np.ones(k, dtype=bool)

    def union(self, *parts: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        return (np.concatenate([X for X, _ in parts]),
                np.concatenate([is_real for _, is_real in parts]))

    def keep(self, part: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        self._kept.append(part)
        return self.union(*self._kept)

    def subsample(self, data: tuple[np.ndarray, np.ndarray],
                  k: int) -> tuple[np.ndarray, np.ndarray]:
        keep = self.rng.choice(len(data[0]), size=k, replace=False)
        return data[0][keep], data[1][keep]

    def size(self, data: tuple[np.ndarray, np.ndarray]) -> int:
        return len(data[0])


# ---------------------------------------------------------------- the loop


def _settings(model: Any, real: Any, generations: int, policy: str, n_samples: int | None,
              train_size: int | None, real_fraction: float | None,
              real_sampler: Any, gate: Any, refill: Any) -> dict[str, Any]:
    """Check the loop's arguments; return them with the policy's :class:`Plan`."""
    _check_model(model)
    real = data_points(real, "real")
    generations = integer(generations, "generations", minimum=0, maximum=MAX_GENERATIONS)
    policy = resolve(policy)
    if gate is not None:
        function(gate, "gate", "gate(samples) -> mask")
    if not isinstance(refill, bool):
        raise TypeError(f"refill must be True or False, got {type(refill).__name__}")
    if refill and gate is None:
        raise ValueError("refill=True needs a gate")
    if real_sampler is not None:
        function(real_sampler, "real_sampler", "real_sampler(k, rng)")
    plan = make_plan(policy, n_real_data=len(real), real_fraction=real_fraction,
                     train_size=train_size, real_sampler=real_sampler)
    elements(plan.size * int(np.prod(real.shape[1:], dtype=float)), "train_size")
    default_n = max(len(real), plan.n_synthetic or 0)
    n_samples = default_n if n_samples is None else positive_int(n_samples, "n_samples")
    if plan.n_synthetic is not None and n_samples < plan.n_synthetic:
        raise ValueError(f"n_samples must be >= {plan.n_synthetic}, the synthetic part of the "
                         f"training set, got {n_samples}")
    elements(n_samples * int(np.prod(real.shape[1:], dtype=float)), "n_samples")
    return dict(model=model, real=real, generations=generations, plan=plan,
                n_samples=n_samples, real_sampler=real_sampler, gate=gate, refill=refill)


def iterate_loop(model: Any, real: Any, *, generations: int, policy: str = "replace",
                 seed: int | np.random.Generator = 0, n_samples: int | None = None,
                 train_size: int | None = None, real_fraction: float | None = None,
                 real_sampler: Callable[[int, np.random.Generator], Any] | None = None,
                 gate: Callable[[np.ndarray], Any] | None = None,
                 refill: bool = False) -> Iterator[Generation]:
    """Step through one run of the loop: yield a :class:`Generation` for t = 0..generations.

    The arguments are those of :func:`run_loop`, with one ``seed`` (an int or a
    ``numpy.random.Generator``) instead of ``seeds``. All arguments are checked
    before the first generation is fitted; a model whose ``fit`` refuses the real data
    raises there, naming ``real``. Stopping early draws nothing more.

    >>> from helpers.models import Gaussian
    >>> steps = iterate_loop(Gaussian(ddof=0), np.arange(10.0), generations=2, seed=0)
    >>> [(g.t, len(g.train)) for g in steps]
    [(0, 10), (1, 10), (2, 10)]
    """
    settings = _settings(model, real, generations, policy, n_samples, train_size,
                         real_fraction, real_sampler, gate, refill)
    rng = rng_from(seed)
    return _generations(rng, **settings)


def _fit(model: Any, train: np.ndarray) -> Any:
    return copy.deepcopy(model).fit(train)


def _fit_real(model: Any, real: np.ndarray) -> Any:
    """Generation 0: a model that refuses the real data names ``real`` (its own messages
    name its own argument, e.g. ``X``)."""
    try:
        return _fit(model, real)
    except (ValueError, TypeError) as error:
        kind = TypeError if isinstance(error, TypeError) else ValueError
        raise kind(f"real cannot be fitted by the model ({type(model).__name__}.fit: "
                   f"{error})") from error


def _generations(rng: np.random.Generator, *, model, real, generations, plan, n_samples,
                 real_sampler, gate, refill) -> Iterator[Generation]:
    shape = real.shape[1:]
    source = ArraySource(real, seed=rng, real_sampler=real_sampler)
    needed = n_samples if plan.n_synthetic is None else plan.n_synthetic
    train, is_real = real, np.ones(len(real), dtype=bool)
    for t in range(generations + 1):
        if len(train) == 0:
            raise RuntimeError(f"generation {t}: the training set is empty (the gate "
                               "rejected every synthetic sample); use refill=True or a real share")
        fitted = _fit(model, train) if t else _fit_real(model, real)
        samples = _draw(fitted, n_samples, rng, shape)
        accepted, share = samples, None
        if gate is not None:
            last = t == generations
            draw = None if (last or not refill) else (lambda m=fitted: _draw(m, n_samples, rng,
                                                                             shape))
            accepted, share = verified(samples, gate, draw=draw, needed=needed, generation=t)
        yield Generation(t=t, model=fitted, train=train, is_real=is_real, samples=samples,
                         accept_rate=share)
        if t == generations:
            return
        source.offer(accepted)
        train, is_real = training_set(source, plan)


def run_loop(
    model: Any,
    real: Any,
    *,
    generations: int,
    policy: str = "replace",
    seeds: Iterable[int] | np.random.Generator = (0,),
    n_samples: int | None = None,
    train_size: int | None = None,
    real_fraction: float | None = None,
    real_sampler: Callable[[int, np.random.Generator], Any] | None = None,
    gate: Callable[[np.ndarray], Any] | None = None,
    refill: bool = False,
    metrics: Mapping[str, Callable[[np.ndarray, np.ndarray], float]] | None = None,
    model_metrics: Mapping[str, Callable[[Any], float]] | None = None,
    keep_samples: bool = False,
) -> History:
    """Run ``generations`` rounds of recursive training for every seed; return a :class:`History`.

    Each run is :func:`iterate_loop` with one seed; this function records metrics.

    Parameters
    ----------
    model
        Unfitted template with ``fit(X) -> self`` and ``sample(n, rng)``; each
        generation fits a fresh deep copy, so ``model`` itself is not changed.
    real
        Real data, array with samples along the first axis, e.g. (n,), (n, d)
        or (n_sentences, length). Generation 0 is fitted on it.
    generations
        G in [0, MAX_GENERATIONS]; models 0..G are fitted.
    policy
        One of ``POLICIES`` (see :mod:`helpers.policies`).
    seeds
        Non-negative ints; seed ``s`` runs with ``numpy.random.default_rng(s)``,
        so the same seed gives the same history and seeds are independent. A
        ``numpy.random.Generator`` gives one run on that stream.
    n_samples
        Draws from each generation's model (metrics use them; they are the
        synthetic data offered to the next training set). Default ``len(real)``,
        or more if ``"reservoir"``/``"fresh"`` need more synthetic points.
    train_size
        Training-set size for ``"accumulate_subsample"``, ``"reservoir"``, ``"fresh"``
        (default ``len(real)``); not used by the other policies.
    real_fraction
        Share of real points in the training set, in [0, 1]; required by
        ``"reservoir"`` and ``"fresh"`` only.
    real_sampler
        ``real_sampler(k, rng) -> array`` of k new real points; ``"fresh"`` only.
    gate, refill
        Verification gate ``gate(samples) -> boolean mask`` and whether to
        replace rejected samples by further draws (module docstring).
    metrics, model_metrics
        ``name -> f(samples, real)`` and ``name -> f(model)`` (module docstring).
    keep_samples
        Store every generation's draws in ``History.samples``.

    >>> from helpers.models import Gaussian
    >>> h = run_loop(Gaussian(ddof=0), np.arange(10.0), generations=2, policy="accumulate")
    >>> h.train_size.tolist()
    [[10, 20, 30]]
    """
    settings = _settings(model, real, generations, policy, n_samples, train_size,
                         real_fraction, real_sampler, gate, refill)
    seed_list = _check_seeds(seeds)
    metrics = _check_metrics(metrics, "metrics")
    model_metrics = _check_metrics(model_metrics, "model_metrics")
    clash = set(metrics) & set(model_metrics)
    if clash:
        raise ValueError(f"metrics and model_metrics share the name(s) {sorted(clash)}")
    if not isinstance(keep_samples, bool):
        raise TypeError(f"keep_samples must be True or False, got {type(keep_samples).__name__}")
    real = settings["real"]
    if keep_samples:
        elements(len(seed_list) * (settings["generations"] + 1) * settings["n_samples"]
                 * int(np.prod(real.shape[1:], dtype=float)), "keep_samples")

    names = [*metrics, *model_metrics]
    runs = []
    for s in seed_list:
        rng = seeds if s is None else np.random.default_rng(s)
        run: dict[str, list] = {"train_size": [], "real_count": [], "accept_rate": [],
                                "samples": [], **{name: [] for name in names}}
        for g in _generations(rng, **settings):
            run["train_size"].append(len(g.train))
            run["real_count"].append(g.real_count)
            run["accept_rate"].append(g.accept_rate)
            for name, fn in metrics.items():
                run[name].append(_metric_value(fn(g.samples, real), name, g.t))
            for name, fn in model_metrics.items():
                run[name].append(_metric_value(fn(g.model), name, g.t))
            if keep_samples:
                run["samples"].append(g.samples)
        runs.append(run)
    return History(
        policy=settings["plan"].policy,
        seeds=seed_list,
        generations=settings["generations"],
        n_samples=settings["n_samples"],
        metrics={name: np.array([run[name] for run in runs]) for name in names},
        train_size=np.array([run["train_size"] for run in runs]),
        real_count=np.array([run["real_count"] for run in runs]),
        accept_rate=np.array([run["accept_rate"] for run in runs]) if gate else None,
        samples=np.array([run["samples"] for run in runs]) if keep_samples else None,
    )

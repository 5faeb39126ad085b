"""The recursive training loop: fit, sample, build the next training set, repeat.

Works with any model that has ``fit(X) -> self`` and ``sample(n, rng) -> X``
(see :mod:`helpers.models`). Generation 0 is the model fitted on the real
data; generation ``g >= 1`` is fitted on a training set that the *data
policy* builds from the samples of generation ``g - 1`` (and real data):

==========================  ====================================================
policy                      training set of generation g >= 1
==========================  ====================================================
``"replace"``               only the synthetic samples of generation g - 1
``"accumulate"``            the real data plus every synthetic set so far
``"accumulate_subsample"``  accumulate, then a uniform subsample (without
                            replacement) of ``train_size`` points (the whole
                            pool while it is smaller)
``"mix"``                   ``round(real_fraction * train_size)`` points drawn
                            uniformly (without replacement, redrawn every
                            generation) from the real data, the rest synthetic
``"fresh"``                 as ``"mix"``, but the real part is *new* real data,
                            ``real_sampler(k, rng)``, every generation
==========================  ====================================================

**Verification gate.** ``gate(samples) -> mask`` (a boolean array, one entry
per sample) decides which synthetic samples may enter a training set;
rejected samples are dropped (real data are never gated). With
``refill=False`` the training set simply gets smaller; with ``refill=True``
the loop draws further batches of ``n_samples`` from the same model until it
has as many accepted samples as the policy needs (and raises
``RuntimeError`` if 100 batches are not enough).

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
>>> h = run_loop(Gaussian(), real, generations=3, seeds=range(2),
...              model_metrics={"variance": lambda m: m.var_})
>>> h.metrics["variance"].shape
(2, 4)
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers.validate import fraction, integer, one_of, positive_int

__all__ = ["POLICIES", "History", "run_loop"]

POLICIES = ("replace", "accumulate", "accumulate_subsample", "mix", "fresh")
_MAX_REFILL_BATCHES = 100


@dataclass(frozen=True)
class History:
    """Result of :func:`run_loop`; arrays are indexed ``[seed, generation]``.

    Attributes
    ----------
    policy, seeds, generations, n_samples
        The run's settings (``generations`` = G; indices run 0..G).
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
    seeds: tuple[int, ...]
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


def _check_real(real: Any) -> np.ndarray:
    if isinstance(real, (str, bytes)):
        raise TypeError(f"real must be an array of data points, got {type(real).__name__}")
    arr = np.asarray(real)
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise TypeError(f"real must be a numeric array, got dtype {arr.dtype}")
    if arr.ndim == 0 or len(arr) == 0:
        raise ValueError(f"real must hold at least one data point (first axis), got shape "
                         f"{arr.shape}")
    return arr


def _check_seeds(seeds: Any) -> tuple[int, ...]:
    if isinstance(seeds, numbers.Number) or not isinstance(seeds, Iterable):
        raise TypeError(
            f"seeds must be a sequence of integers such as range(10) or [0], "
            f"got {type(seeds).__name__}"
        )
    checked = tuple(integer(s, "seeds", minimum=0) for s in seeds)
    if not checked:
        raise ValueError("seeds must contain at least one seed")
    return checked


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
    value = float(value)
    if np.isnan(value):
        raise ValueError(f"metric {name!r} returned NaN at generation {generation}")
    return value


def _gate_mask(gate: Callable, samples: np.ndarray) -> np.ndarray:
    mask = gate(samples)
    if not isinstance(mask, (np.ndarray, list, tuple)):
        raise TypeError(f"gate must return a boolean array (one entry per sample), got "
                        f"{type(mask).__name__}")
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise TypeError(f"gate must return a boolean array, got dtype {mask.dtype}")
    if mask.shape != (len(samples),):
        raise ValueError(f"gate must return a mask of shape ({len(samples)},) for "
                         f"{len(samples)} samples, got shape {mask.shape}")
    return mask


def _checked_draw(X: Any, n: int, shape: tuple[int, ...], name: str) -> np.ndarray:
    """``X`` as an array, checked to hold ``n`` points of the real data's shape."""
    X = np.asarray(X)
    if X.shape != (n, *shape):
        raise ValueError(f"{name} returned shape {X.shape}, expected {(n, *shape)}")
    return X


def _draw(model: Any, n: int, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return _checked_draw(model.sample(n, rng), n, shape, "model.sample(n, rng)")


def _subsample(X: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    return X[rng.choice(len(X), size=k, replace=False)]


# ---------------------------------------------------------------- the loop


def run_loop(
    model: Any,
    real: Any,
    *,
    generations: int,
    policy: str = "replace",
    seeds: Iterable[int] = (0,),
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

    Parameters
    ----------
    model
        Unfitted template with ``fit(X) -> self`` and ``sample(n, rng)``; each
        generation fits a fresh deep copy, so ``model`` itself is not changed.
    real
        Real data, array with samples along the first axis, e.g. (n,), (n, d)
        or (n_sentences, length). Generation 0 is fitted on it.
    generations
        G >= 0; models 0..G are fitted.
    policy
        One of ``POLICIES`` (see the module docstring).
    seeds
        Non-negative ints; seed ``s`` runs with ``numpy.random.default_rng(s)``,
        so the same seed gives the same history and seeds are independent.
    n_samples
        Draws from each generation's model (metrics use them; they are the
        synthetic data offered to the next training set). Default ``len(real)``,
        or more if ``"mix"``/``"fresh"`` need more synthetic points.
    train_size
        Training-set size for ``"accumulate_subsample"``, ``"mix"``, ``"fresh"``
        (default ``len(real)``); not used by the other policies.
    real_fraction
        Share of real points in the training set, in [0, 1]; required by
        ``"mix"`` and ``"fresh"`` only.
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
    >>> h = run_loop(Gaussian(), np.arange(10.0), generations=2, policy="accumulate")
    >>> h.train_size.tolist()
    [[10, 20, 30]]
    """
    _check_model(model)
    real = _check_real(real)
    generations = integer(generations, "generations", minimum=0)
    policy = one_of(policy, "policy", POLICIES)
    seeds = _check_seeds(seeds)
    metrics = _check_metrics(metrics, "metrics")
    model_metrics = _check_metrics(model_metrics, "model_metrics")
    clash = set(metrics) & set(model_metrics)
    if clash:
        raise ValueError(f"metrics and model_metrics share the name(s) {sorted(clash)}")
    if gate is not None and not callable(gate):
        raise TypeError(f"gate must be a callable gate(samples) -> mask, got {type(gate).__name__}")
    if not isinstance(refill, bool) or not isinstance(keep_samples, bool):
        raise TypeError("refill and keep_samples must be True or False")
    if refill and gate is None:
        raise ValueError("refill=True needs a gate")

    mixes = policy in ("mix", "fresh")
    uses_size = policy in ("accumulate_subsample", "mix", "fresh")
    for value, arg, allowed in ((real_fraction, "real_fraction", mixes),
                                (real_sampler, "real_sampler", policy == "fresh"),
                                (train_size, "train_size", uses_size)):
        if value is not None and not allowed:
            raise ValueError(f"{arg} is not used by policy={policy!r}; leave it as None")
    size = len(real) if train_size is None else positive_int(train_size, "train_size")
    n_real_part = n_synth_part = 0
    if mixes:
        if real_fraction is None:
            raise ValueError(f"policy={policy!r} needs real_fraction (a number in [0, 1])")
        n_real_part = round(fraction(real_fraction, "real_fraction") * size)
        n_synth_part = size - n_real_part
        if policy == "mix" and n_real_part > len(real):
            raise ValueError(
                f"real_fraction * train_size = {n_real_part} real points, but real holds "
                f"only {len(real)}; lower real_fraction or train_size"
            )
    if policy == "fresh" and not callable(real_sampler):
        raise TypeError("policy='fresh' needs real_sampler, a callable real_sampler(k, rng)")
    default_n = max(len(real), n_synth_part)
    n_samples = default_n if n_samples is None else positive_int(n_samples, "n_samples")
    if n_samples < n_synth_part:
        raise ValueError(f"n_samples must be >= {n_synth_part}, the synthetic part of the "
                         f"training set, got {n_samples}")

    settings = dict(model=model, real=real, generations=generations, policy=policy,
                    n_samples=n_samples, size=size, n_real_part=n_real_part,
                    n_synth_part=n_synth_part, real_sampler=real_sampler, gate=gate,
                    refill=refill, metrics=metrics, model_metrics=model_metrics,
                    keep_samples=keep_samples)
    runs = [_run_one(np.random.default_rng(seed), **settings) for seed in seeds]
    names = list(metrics) + list(model_metrics)
    return History(
        policy=policy,
        seeds=seeds,
        generations=generations,
        n_samples=n_samples,
        metrics={name: np.array([run["metrics"][name] for run in runs]) for name in names},
        train_size=np.array([run["train_size"] for run in runs]),
        real_count=np.array([run["real_count"] for run in runs]),
        accept_rate=np.array([run["accept_rate"] for run in runs]) if gate else None,
        samples=np.array([run["samples"] for run in runs]) if keep_samples else None,
    )


def _run_one(rng: np.random.Generator, *, model, real, generations, policy, n_samples, size,
             n_real_part, n_synth_part, real_sampler, gate, refill, metrics, model_metrics,
             keep_samples) -> dict[str, list]:
    """One independent run (one seed) of the loop; lists indexed by generation."""
    shape = real.shape[1:]
    needed = n_synth_part if policy in ("mix", "fresh") else n_samples
    record: dict[str, Any] = {"metrics": {name: [] for name in (*metrics, *model_metrics)},
                              "train_size": [], "real_count": [], "accept_rate": [],
                              "samples": []}
    train, is_real = real, np.ones(len(real), dtype=bool)
    pool, pool_is_real = [real], [is_real]  # everything kept, for the accumulate policies
    for g in range(generations + 1):
        if len(train) == 0:
            raise RuntimeError(f"generation {g}: the training set is empty (the gate "
                               "rejected every synthetic sample); use refill=True or a real share")
        fitted = copy.deepcopy(model).fit(train)
        record["train_size"].append(len(train))
        record["real_count"].append(int(is_real.sum()))
        samples = _draw(fitted, n_samples, rng, shape)
        for name, fn in metrics.items():
            record["metrics"][name].append(_metric_value(fn(samples, real), name, g))
        for name, fn in model_metrics.items():
            record["metrics"][name].append(_metric_value(fn(fitted), name, g))
        if keep_samples:
            record["samples"].append(samples)
        synthetic = samples
        if gate is not None:
            mask = _gate_mask(gate, samples)
            record["accept_rate"].append(float(mask.mean()))
            synthetic = samples[mask]
        if g == generations:
            break
        if refill:
            synthetic = _refill(fitted, synthetic, needed, n_samples, gate, rng, shape, g)

        if policy == "replace":
            train, is_real = synthetic, np.zeros(len(synthetic), dtype=bool)
        elif policy in ("accumulate", "accumulate_subsample"):
            pool.append(synthetic)
            pool_is_real.append(np.zeros(len(synthetic), dtype=bool))
            train, is_real = np.concatenate(pool), np.concatenate(pool_is_real)
            if policy == "accumulate_subsample" and len(train) > size:
                keep = rng.choice(len(train), size=size, replace=False)
                train, is_real = train[keep], is_real[keep]
        else:  # mix, fresh
            if policy == "mix":
                real_part = _subsample(real, n_real_part, rng)
            elif n_real_part:
                real_part = _checked_draw(real_sampler(n_real_part, rng), n_real_part, shape,
                                          "real_sampler(k, rng)")
            else:
                real_part = real[:0]
            synthetic = synthetic[:n_synth_part]
            train = np.concatenate([real_part, synthetic])
            is_real = np.r_[np.ones(len(real_part), bool), np.zeros(len(synthetic), bool)]
    return record


def _refill(fitted: Any, accepted: np.ndarray, needed: int, batch: int, gate: Callable,
            rng: np.random.Generator, shape: tuple[int, ...], generation: int) -> np.ndarray:
    """Draw batches from ``fitted`` until the gate has accepted ``needed`` samples."""
    parts, total = [accepted], len(accepted)
    for _ in range(_MAX_REFILL_BATCHES):
        if total >= needed:
            break
        more = _draw(fitted, batch, rng, shape)
        parts.append(more[_gate_mask(gate, more)])
        total += len(parts[-1])
    if total < needed:
        raise RuntimeError(
            f"generation {generation}: the gate accepted only {total} of "
            f"{batch * (_MAX_REFILL_BATCHES + 1)} draws, fewer than the {needed} needed; "
            "loosen the gate or use refill=False"
        )
    return np.concatenate(parts)[:needed]

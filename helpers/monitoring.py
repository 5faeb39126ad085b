"""Monitoring a collapsing loop: the three pipelines of lesson 03, their measures and alarms.

Each pipeline is a recursive training loop under the *replace* policy
(:func:`helpers.detection.fitted_models`), monitored by measures computed on
an *evaluation sample* drawn from every generation's model:

=========  ===========================================  ===================================
pipeline   real data and model                          measures (family, alarm side)
=========  ===========================================  ===================================
Gaussian   100 points of N(0, 1); MLE Gaussian          variance; W1 and W2^2 of Gaussian
           (ddof=0); reference: 5,000 held-out points   fits to the reference; tail mass
                                                        ratio beyond its 5% and 1% quantiles
tokens     10,000 Zipf(1.1) tokens over 1,000 types;    entropy; KL(reference || sample),
           frequency model (Categorical); reference:    smoothing 0.5; rare-type recall;
           50,000 held-out tokens                       share of reference types retained
digits     the 1,797 real digits; PCA(15) + 10-component covariance trace, Vendi score,
           GMM (DigitsGenerator); features: PCA(10) of  Frechet distance, MMD^2, precision
           the real digits                              and recall (k=5), worst-class
                                                        accuracy on 500 real digits of a
                                                        1-NN classifier trained on the
                                                        sample, labelled by
                                                        models.digits_classifier()
=========  ===========================================  ===================================

The null distribution of each measure comes from :data:`N_NULL` evaluation
samples of the generation-0 model; a generation is *detected* when its value
is beyond all of them on the alarm side (per-generation false-alarm rate
``ALPHA = 1 / (N_NULL + 1) = 1%``). Everything is seeded and cached, so the
lesson's table and its explorer (:mod:`helpers.views.m03`) share the computations;
what the public functions return is the caller's own copy, so editing it in place
cannot change a later result.

>>> found = detection_generation("Gaussian", "variance", generations=5)
>>> found is None or 1 <= found <= 5
True
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

from helpers import chains, data, detection, metrics
from helpers.environment import single_thread
from helpers.models import Categorical, DigitsGenerator, Gaussian, digits_classifier
from helpers.validate import integer, one_of, shown

__all__ = [
    "PIPELINES",
    "N_NULL",
    "ALPHA",
    "NULL_SEED",
    "EVAL_SEED",
    "RUNS",
    "MAX_EVAL_SIZE",
    "MAX_RUNS",
    "Measure",
    "Pipeline",
    "pipeline",
    "measure_spec",
    "chain",
    "null",
    "trajectory",
    "detection_generation",
    "detection_table",
    "POLICY_METRICS",
    "policy_metric",
]

PIPELINES = ("Gaussian", "tokens", "digits")
N_NULL = 99  # evaluation samples of generation 0 behind every null band
ALPHA = 1.0 / (N_NULL + 1)  # per-generation false-alarm rate: beyond all 99 null values
NULL_SEED = 12_345  # seeds the null band's evaluation samples
EVAL_SEED = 1_000  # + the run's seed: seeds the monitored evaluation samples
RUNS = {"Gaussian": 20, "tokens": 20, "digits": 3}  # runs behind the detection table
MAX_EVAL_SIZE = 10_000  # larger evaluation samples take minutes for the digits measures
MAX_RUNS = 1_000  # per pipeline in detection_table


@dataclass(frozen=True)
class Measure:
    """A monitored measure: ``fn(sample) -> float``, its family and its alarm side."""

    fn: Callable[[np.ndarray], float]
    family: str  # "diversity", "distance", "tail" or "quality"
    direction: str  # "lower" or "higher": the side on which collapse moves it


@dataclass(frozen=True)
class Pipeline:
    """A collapsing pipeline: model template, real training data, measures, default sizes.

    The pipelines are shared by every caller, so ``real`` is read-only and
    ``measures`` a read-only mapping.
    """

    name: str
    model: Any
    real: np.ndarray
    generations: int
    eval_size: int
    measures: Mapping[str, Measure]


def _frozen(name: str, model: Any, real: np.ndarray, generations: int, eval_size: int,
            measures: dict[str, Measure]) -> Pipeline:
    real = np.array(real)
    real.setflags(write=False)
    return Pipeline(name, model, real, generations, eval_size, MappingProxyType(measures))


def _gaussian() -> Pipeline:
    real = data.gaussian_sample(100, seed=14)
    reference = data.gaussian_sample(5000, seed=15)
    measures = {
        "variance": Measure(metrics.variance, "diversity", "lower"),
        "W1 to reference": Measure(lambda s: metrics.wasserstein1(s, reference),
                                   "distance", "higher"),
        "W2² of Gaussian fits": Measure(lambda s: metrics.frechet_distance(s, reference, ddof=1),
                                        "distance", "higher"),
        "tail mass ratio (5%)": Measure(lambda s: metrics.tail_mass_ratio(s, reference, 0.05),
                                        "tail", "lower"),
        "tail mass ratio (1%)": Measure(lambda s: metrics.tail_mass_ratio(s, reference, 0.01),
                                        "tail", "lower"),
    }
    return _frozen("Gaussian", Gaussian(ddof=0), real, 30, 1000, measures)


def _tokens() -> Pipeline:
    k = 1000
    real = data.zipf_tokens(10_000, k, exponent=1.1, seed=20)
    reference = np.bincount(data.zipf_tokens(50_000, k, exponent=1.1, seed=21), minlength=k)
    p_ref = reference / reference.sum()

    def counts(s: np.ndarray) -> np.ndarray:
        return np.bincount(s, minlength=k)

    measures = {
        "entropy": Measure(lambda s: metrics.entropy(counts(s)), "diversity", "lower"),
        "KL(reference ‖ sample)": Measure(
            lambda s: metrics.kl_categorical(reference, counts(s), smoothing=0.5),
            "distance", "higher"),
        "rare-type recall": Measure(
            lambda s: metrics.rare_category_recall(counts(s), p_ref), "tail", "lower"),
        "types retained": Measure(
            lambda s: metrics.support_retained(counts(s), reference), "tail", "lower"),
    }
    return _frozen("tokens", Categorical(k), real, 30, 1000, measures)


def _digits() -> Pipeline:
    images, labels = data.load_digits()
    pca = PCA(10, random_state=0).fit(images)
    features = pca.transform(images)
    bandwidth = metrics.median_bandwidth(features)
    rng = np.random.default_rng(30)
    reference = features[rng.choice(len(features), 200, replace=False)]
    test = rng.choice(len(images), 500, replace=False)
    labeller = digits_classifier()

    def worst_class(s: np.ndarray) -> float:
        downstream = KNeighborsClassifier(n_neighbors=1, algorithm="brute")
        downstream.fit(s, labeller.predict(s))
        return metrics.worst_class_accuracy(labels[test], downstream.predict(images[test]))

    measures = {
        "covariance trace": Measure(lambda s: metrics.cov_trace(pca.transform(s)),
                                    "diversity", "lower"),
        "Vendi score": Measure(
            lambda s: metrics.vendi_score(pca.transform(s), bandwidth=bandwidth),
            "diversity", "lower"),
        "recall": Measure(
            lambda s: metrics.precision_recall(reference, pca.transform(s), k=5).recall,
            "diversity", "lower"),
        "Fréchet distance": Measure(lambda s: metrics.frechet_distance(pca.transform(s),
                                                                       features, ddof=1),
                                    "distance", "higher"),
        "MMD²": Measure(lambda s: metrics.mmd2_rbf(pca.transform(s), reference,
                                                   bandwidth=bandwidth),
                        "distance", "higher"),
        "precision": Measure(
            lambda s: metrics.precision_recall(reference, pca.transform(s), k=5).precision,
            "quality", "lower"),
        "worst-class accuracy": Measure(worst_class, "tail", "lower"),
    }
    return _frozen("digits", DigitsGenerator(), images, 10, 200, measures)


_BUILDERS = {"Gaussian": _gaussian, "tokens": _tokens, "digits": _digits}


@lru_cache(maxsize=None)
def _pipeline(name: str) -> Pipeline:
    return _BUILDERS[name]()


def pipeline(name: str) -> Pipeline:
    """The pipeline called ``name`` (one of :data:`PIPELINES`), built once per session.

    >>> pipeline("Gaussian").generations
    30
    """
    return _pipeline(one_of(name, "name", PIPELINES))


def measure_spec(name: str, measure: str) -> Measure:
    """The :class:`Measure` called ``measure`` of pipeline ``name``.

    >>> measure_spec("tokens", "entropy").direction
    'lower'
    """
    p = pipeline(name)
    if not isinstance(measure, str) or measure not in p.measures:
        raise ValueError(f"measure must be one of {sorted(p.measures)} for the {name} "
                         f"pipeline, got {shown(measure)}")
    return p.measures[measure]


def _seed(seed: Any) -> int:
    return integer(seed, "seed", minimum=0)


def _generations(name: str, generations: Any) -> int:
    longest = pipeline(name).generations
    if generations is None:
        return longest
    return integer(generations, "generations", minimum=1, maximum=longest)


def _eval_size(eval_size: Any) -> int:
    return integer(eval_size, "eval_size", minimum=2, maximum=MAX_EVAL_SIZE)


@lru_cache(maxsize=None)
def _chain(name: str, seed: int, generations: int) -> tuple[Any, ...]:
    p = _pipeline(name)
    with single_thread():  # small matrices: threads cost more than they save
        return tuple(detection.fitted_models(p.model, p.real, generations, seed=seed))


def chain(name: str, seed: int = 0, generations: int | None = None) -> tuple[Any, ...]:
    """Fitted models of generations 0..G of one run (replace policy) of the pipeline.

    ``generations`` defaults to the pipeline's own G. A shorter run is the
    start of the longer one (same seed, same random stream). The models are
    copies: refitting one does not change the cached run.

    >>> len(chain("Gaussian", 0, 3))
    4
    """
    gens = _generations(name, generations)
    return copy.deepcopy(_chain(name, _seed(seed), gens))


@lru_cache(maxsize=None)
def _null(name: str, measure: str, eval_size: int) -> np.ndarray:
    fn = measure_spec(name, measure).fn
    with single_thread():
        values = detection.null_values(_chain(name, 0, 1)[0], {measure: fn}, eval_size,
                                       n_draws=N_NULL, seed=NULL_SEED)[measure]
    values.setflags(write=False)
    return values


def null(name: str, measure: str, eval_size: int) -> np.ndarray:
    """The measure on N_NULL evaluation samples of generation 0: a new array of shape (N_NULL,).

    >>> null("Gaussian", "variance", 100).shape
    (99,)
    """
    measure_spec(name, measure)
    return _null(name, measure, _eval_size(eval_size)).copy()


@lru_cache(maxsize=None)
def _trajectory(name: str, measure: str, eval_size: int, seed: int,
                generations: int) -> np.ndarray:
    fn = measure_spec(name, measure).fn
    with single_thread():
        values = detection.evaluate(_chain(name, seed, generations), {measure: fn}, eval_size,
                                    seed=EVAL_SEED + seed)[measure]
    values.setflags(write=False)
    return values


def trajectory(name: str, measure: str, eval_size: int, seed: int = 0,
               generations: int | None = None) -> np.ndarray:
    """The measure on one evaluation sample per generation of chain ``seed``: shape (G + 1,).

    Returns a new array each call.

    >>> trajectory("Gaussian", "variance", 100, generations=4).shape
    (5,)
    """
    measure_spec(name, measure)
    return _trajectory(name, measure, _eval_size(eval_size), _seed(seed),
                       _generations(name, generations)).copy()


def detection_generation(name: str, measure: str, eval_size: int | None = None, seed: int = 0,
                         generations: int | None = None) -> int | None:
    """First generation (1..G) at which the measure leaves its generation-0 band, or None.

    ``eval_size`` defaults to the pipeline's own evaluation sample size.
    """
    spec = measure_spec(name, measure)
    m = pipeline(name).eval_size if eval_size is None else _eval_size(eval_size)
    values = _trajectory(name, measure, m, _seed(seed), _generations(name, generations))
    return detection.first_detection(values, _null(name, measure, m), alpha=ALPHA,
                                     direction=spec.direction)


def _runs(runs: Any) -> dict[str, int]:
    if runs is None:
        return dict(RUNS)
    if not isinstance(runs, Mapping):
        raise TypeError(f"runs must be a dict mapping a pipeline to its number of runs or "
                        f"None, got {type(runs).__name__}")
    unknown = [k for k in runs if k not in PIPELINES]
    if unknown:
        raise ValueError(f"runs must map pipelines among {PIPELINES!r}, got {shown(unknown[0])}")
    return {name: integer(runs.get(name, RUNS[name]), f"runs[{name!r}]", minimum=1,
                          maximum=MAX_RUNS) for name in PIPELINES}


def detection_table(generations: int = 10, runs: Mapping[str, int] | None = None
                    ) -> list[tuple[str, str, str, list[int | None]]]:
    """Rows (pipeline, family, measure, first detection in each run) at the default sizes.

    ``runs`` maps a pipeline to its number of runs (default :data:`RUNS`);
    run ``s`` uses seed ``s``. ``generations`` is capped by each pipeline's own G.

    Not run as a doctest: it computes the null band of every measure of every pipeline.

    >>> detection_table(generations=2, runs={"digits": 1})[0][:3]  # doctest: +SKIP
    ('Gaussian', 'diversity', 'variance')
    """
    generations = integer(generations, "generations", minimum=1,
                          maximum=max(pipeline(p).generations for p in PIPELINES))
    runs = _runs(runs)
    rows = []
    for name in PIPELINES:
        shown = min(generations, pipeline(name).generations)
        for measure, spec in pipeline(name).measures.items():
            found = [detection_generation(name, measure, seed=s, generations=shown)
                     for s in range(runs[name])]
            rows.append((name, spec.family, measure, found))
    return rows


# ------------------------------------------------- lesson 02: the monitored policy metric

#: The metrics :func:`policy_metric` computes.
POLICY_METRICS = ("tail mass ratio", "variance")


def policy_metric(result: chains.GaussianChains, metric: str = "tail mass ratio") -> np.ndarray:
    """Lesson 02's metric for every generation and chain, shape (generations + 1, chains).

    ``"tail mass ratio"``: the share of the fitted Gaussian beyond the truth's 1% and 99%
    quantiles, divided by 0.02 (:func:`helpers.metrics.gaussian_tail_mass_ratio`);
    ``"variance"``: the fitted variance divided by the true one.

    >>> res = chains.gaussian(100, 3, 2, seed=0)
    >>> policy_metric(res, "variance").shape
    (4, 2)
    """
    if not isinstance(result, chains.GaussianChains):
        raise TypeError(f"result must be the GaussianChains returned by helpers.chains, "
                        f"got {type(result).__name__}")
    metric = one_of(metric, "metric", POLICY_METRICS)
    if metric == "variance":
        return result.var / result.sigma0**2
    return metrics.gaussian_tail_mass_ratio(result.mean, result.var, 0.01, mu0=result.mu0,
                                            sigma0=result.sigma0)

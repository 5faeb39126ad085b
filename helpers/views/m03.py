"""Lesson 03 (measurement): three collapsing pipelines, their monitors, and the detection explorer.

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
lesson's table and the explorer share the computations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

from helpers import data, detection, metrics, plots
from helpers.environment import single_thread
from helpers.explorers import explorer, slider
from helpers.models import Categorical, DigitsGenerator, Gaussian, digits_classifier
from helpers.validate import integer, one_of

__all__ = [
    "PIPELINES",
    "N_NULL",
    "ALPHA",
    "NULL_SEED",
    "EVAL_SEED",
    "RUNS",
    "EVAL_SIZES",
    "SERIES",
    "Measure",
    "Pipeline",
    "pipeline",
    "chain",
    "null",
    "trajectory",
    "detection_generation",
    "detection_table",
    "detection_view",
    "detection_explorer",
]

PIPELINES = ("Gaussian", "tokens", "digits")
N_NULL = 99  # evaluation samples of generation 0 behind every null band
ALPHA = 1.0 / (N_NULL + 1)  # per-generation false-alarm rate: beyond all 99 null values
EVAL_SIZES = (100, 200, 500, 1000, 2000, 5000)
NULL_SEED = 12_345  # seeds the null band's evaluation samples
EVAL_SEED = 1_000  # + the run's seed: seeds the monitored evaluation samples
RUNS = {"Gaussian": 20, "tokens": 20, "digits": 3}  # runs behind the detection table


@dataclass(frozen=True)
class Measure:
    """A monitored measure: ``fn(sample) -> float``, its family and its alarm side."""

    fn: Callable[[np.ndarray], float]
    family: str  # "diversity", "distance", "tail" or "quality"
    direction: str  # "lower" or "higher": the side on which collapse moves it


@dataclass(frozen=True)
class Pipeline:
    """A collapsing pipeline: model template, real training data, measures, default sizes."""

    name: str
    model: Any
    real: np.ndarray
    generations: int
    eval_size: int
    measures: dict[str, Measure]


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
    return Pipeline("Gaussian", Gaussian(ddof=0), real, 30, 1000, measures)


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
    return Pipeline("tokens", Categorical(k), real, 30, 1000, measures)


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
    return Pipeline("digits", DigitsGenerator(), images, 10, 200, measures)


_BUILDERS = {"Gaussian": _gaussian, "tokens": _tokens, "digits": _digits}


@lru_cache(maxsize=None)
def pipeline(name: str) -> Pipeline:
    """The pipeline called ``name`` (one of :data:`PIPELINES`), built once per session."""
    return _BUILDERS[one_of(name, "name", PIPELINES)]()


@lru_cache(maxsize=None)
def chain(name: str, seed: int = 0, generations: int | None = None) -> tuple[Any, ...]:
    """Fitted models of generations 0..G of one run (replace policy) of the pipeline.

    ``generations`` defaults to the pipeline's own G. A shorter run is the
    start of the longer one (same seed, same random stream).
    """
    p = pipeline(name)
    g = p.generations if generations is None else integer(generations, "generations",
                                                         minimum=1, maximum=p.generations)
    with single_thread():  # small matrices: threads cost more than they save
        return tuple(detection.fitted_models(p.model, p.real, g,
                                             seed=integer(seed, "seed", minimum=0)))


def _measure(name: str, measure: str) -> Measure:
    p = pipeline(name)
    if measure not in p.measures:
        raise ValueError(f"measure must be one of {sorted(p.measures)} for the {name} "
                         f"pipeline, got {measure!r}")
    return p.measures[measure]


@lru_cache(maxsize=None)
def null(name: str, measure: str, eval_size: int) -> np.ndarray:
    """The measure on N_NULL evaluation samples of generation 0: shape (N_NULL,)."""
    fn = _measure(name, measure).fn
    with single_thread():
        return detection.null_values(chain(name, 0, 1)[0], {measure: fn}, eval_size,
                                     n_draws=N_NULL, seed=NULL_SEED)[measure]


@lru_cache(maxsize=None)
def trajectory(name: str, measure: str, eval_size: int, seed: int = 0,
               generations: int | None = None) -> np.ndarray:
    """The measure on one evaluation sample per generation of chain ``seed``: shape (G + 1,)."""
    fn = _measure(name, measure).fn
    with single_thread():
        return detection.evaluate(chain(name, seed, generations), {measure: fn}, eval_size,
                                  seed=EVAL_SEED + seed)[measure]


def detection_generation(name: str, measure: str, eval_size: int | None = None, seed: int = 0,
                         generations: int | None = None) -> int | None:
    """First generation (1..G) at which the measure leaves its generation-0 band, or None."""
    m = pipeline(name).eval_size if eval_size is None else eval_size
    return detection.first_detection(trajectory(name, measure, m, seed, generations),
                                     null(name, measure, m), alpha=ALPHA,
                                     direction=_measure(name, measure).direction)


def detection_table(generations: int = 10, runs: dict[str, int] | None = None
                    ) -> list[tuple[str, str, str, list[int | None]]]:
    """Rows (pipeline, family, measure, first detection in each run) at the default sizes.

    ``runs`` maps a pipeline to its number of runs (default :data:`RUNS`);
    run ``s`` uses seed ``s``.
    """
    runs = RUNS if runs is None else runs
    rows = []
    for name in PIPELINES:
        for measure, spec in pipeline(name).measures.items():
            found = [detection_generation(name, measure, seed=s, generations=generations)
                     for s in range(runs[name])]
            rows.append((name, spec.family, measure, found))
    return rows


# ---------------------------------------------------------------- the explorer

# The explorer offers the measures that stay fast at every evaluation sample size.
SERIES = (
    "Gaussian · variance", "Gaussian · W1 to reference", "Gaussian · W2² of Gaussian fits",
    "Gaussian · tail mass ratio (5%)", "Gaussian · tail mass ratio (1%)",
    "tokens · entropy", "tokens · KL(reference ‖ sample)", "tokens · rare-type recall",
    "tokens · types retained",
    "digits · covariance trace", "digits · Fréchet distance",
)


def detection_view(series: str = "Gaussian · variance", generations: int = 20,
                   eval_size: int = 1000) -> tuple[Figure, str]:
    """A measure's trajectory, its generation-0 noise band and its first detection.

    ``series`` is "pipeline · measure" (one of :data:`SERIES`); ``generations``
    the number of generations shown (the digits pipeline has 10); ``eval_size``
    the evaluation sample size (one of :data:`EVAL_SIZES`).

    >>> fig, summary = detection_view()
    >>> summary.startswith("Gaussian · variance, 1000 evaluation draws")
    True
    """
    series = one_of(series, "series", SERIES)
    eval_size = one_of(eval_size, "eval_size", EVAL_SIZES)
    name, measure = series.split(" · ")
    spec = _measure(name, measure)
    shown = min(integer(generations, "generations", minimum=1), pipeline(name).generations)
    values = trajectory(name, measure, eval_size)[:shown + 1]
    noise = null(name, measure, eval_size)
    edges = detection.band(noise, ALPHA, spec.direction)
    found = detection.first_detection(values, noise, alpha=ALPHA, direction=spec.direction)

    # A fixed layout: constrained layout would double the drawing time of each update.
    fig, ax = plots.new_figure(layout="none", figsize=(7.0, 4.6))
    fig.subplots_adjust(left=0.11, right=0.98, bottom=0.27, top=0.93)
    gens = np.arange(shown + 1)
    low, high = np.percentile(noise, [0, 100])
    ax.axhspan(low, high, color=plots.OKABE_ITO["sky_blue"], alpha=0.25,
               label=f"noise band of generation 0 ({N_NULL} eval. samples)")
    edge = edges.low if spec.direction == "lower" else edges.high
    ax.axhline(edge, **plots.THEORY_STYLE,
               label=f"alarm threshold ({ALPHA:.0%} false alarms per gen.)")
    ax.plot(gens, values, label="monitored value (one eval. sample per gen.)",
            **plots.series_style(0))
    if found is not None:
        ax.plot([found], [values[found]], linestyle="none", marker="*", markersize=16,
                color=plots.OKABE_ITO["vermillion"], label=f"first alarm: generation {found}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("generation")
    ax.set_ylabel(measure)
    ax.set_title(f"{name} pipeline: when does {measure} notice?")
    ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2)
    verdict = (f"first alarm at generation {found}" if found is not None
               else f"no alarm within {shown} generations")
    summary = (f"{series}, {eval_size} evaluation draws, {shown} generations: "
               f"generation 0 = {values[0]:.4g}, generation {shown} = {values[-1]:.4g}; "
               f"noise band {low:.4g} to {high:.4g}; {verdict}.")
    return fig, summary


def detection_explorer() -> widgets.VBox:
    """Pick a pipeline and a measure; set the generations shown and the evaluation sample size."""
    return explorer(
        detection_view,
        title="Which measure notices first, and how does the evaluation sample size matter?",
        series=widgets.Dropdown(options=SERIES, value="Gaussian · variance",
                                description="measure"),
        generations=slider("generations", 20, 1, 30),
        eval_size=widgets.SelectionSlider(options=EVAL_SIZES, value=1000,
                                          description="eval. size", continuous_update=False),
    )

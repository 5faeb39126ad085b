"""The capstone demonstrator: from data and a model to a before/after chart and a report.

One pipeline, used by lesson 06 and by the command line::

    python -m helpers.demonstrator --data digits --model gmm \\
        --policies replace,accumulate,reservoir:0.1 --generations 20 --seeds 5 --out exports/demo

With ``--data chars --model char-mlp`` it runs lesson 07's character-level neural
language model (:class:`helpers.lm.CharMLP`) with a decoding (``--decoding
top_p=0.9``) and can use fresh real text (``--policies fresh:0.2``)::

    python -m helpers.demonstrator --data chars --decoding temperature=0.7 \\
        --policies replace,accumulate,fresh:0.2 --generations 5 --seeds 3 --out exports/t07

It splits the real data once into a training split (generation 0 is fitted on
it) and a held-out reference. For every policy and seed it runs the recursive
loop (:mod:`helpers.loop`) and records a **tail measure** and a **distance**
to the reference at every generation. The detection band is the measures'
spread over healthy retrains (:func:`helpers.detection.retrain_values`): refits
on a fresh real sample of the training split's size, drawn from the data's source
(:data:`FRESH_DATA`: new mixture points, new Zipf tokens, windows of the text
outside the reference) and, for data without one (the digits, a CSV file), a
bias-corrected bootstrap of the training split; for each chain it finds the
first generation beyond the band on the collapse side, and on the other side
(a tail that *inflates* is reported too), and reports the median first alarm
over the chains that raised one. It counts the real data and training
compute each policy used, draws the before/after chart and fills the report
template (:mod:`helpers.report`).

>>> demo = run(data="mixture", model="gaussian", policies=("replace", "accumulate"),
...            generations=3, seeds=2, jobs=1)
>>> sorted(demo.results["policies"]), demo.values["replace"]["tail"].shape
(['accumulate', 'replace'], (2, 4))
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.decomposition import PCA

from helpers import data as datasets
from helpers import detection, lm, metrics, models, plots, report
from helpers.arguments import whole
from helpers.loop import iterate_loop
from helpers.models import _tokens as _token_array
from helpers.policies import POLICY_TABLE, Choice, command_line_policies, parse_choice
from helpers.validate import (
    MAX_ELEMENTS,
    data_rows,
    elements,
    integer,
    one_of,
    point_sample,
    sample_1d,
    shown,
)
from helpers.validate import real as real_number

__all__ = ["DATA", "MODELS", "Measure", "Demo", "real_data", "split_real",
           "measures_for", "parse_policy", "run", "spread", "chart",
           "FRESH_DATA", "DECODING_NAMES",
           "report_markdown", "main"]

DATA = ("digits", "mixture", "zipf", "text", "csv", "chars")
MODELS = {
    "digits": ("gmm", "kde"),
    "mixture": ("gaussian", "gmm", "kde"),
    "csv": ("gaussian", "gmm", "kde"),
    "zipf": ("categorical",),
    "text": ("bigram",),
    "chars": ("char-mlp",),
}
DECODING_NAMES = ("temperature", "top_k", "top_p")  # the arguments of helpers.decoding
MAX_GENERATIONS = 200
MAX_SEEDS = 50
BAND = (0.1, 0.9)  # the spread shown over seeds, with at least MIN_SEEDS_FOR_PERCENTILES seeds
MIN_SEEDS_FOR_PERCENTILES = 10  # fewer seeds: show every seed and the minimum and maximum
ALPHA_SIDE = 0.01  # nominal false-alarm rate per generation and measure, on each side of the band
N_NULL = 99  # healthy retrains: the band is their minimum to maximum
NULL_PARTS = 3  # the retrains run as this many parallel tasks (seeds NULL_SEED, NULL_SEED + 1, ...)
NULL_SEED = 12345
REFERENCE_SHARE = 0.3  # the share of the real data held out as the reference
SPLIT_SEED = 0
TAIL_SHARE = 0.1  # the tail: the real data's outer 10% by (whitened) distance from the mean
N_FEATURES = 10  # principal components measured when the data have more columns
SMOOTHING = 0.5
TEMPLATE = Path(__file__).parent / "templates" / "capstone_report.md"


# ---------------------------------------------------------------- data, model, measures


@dataclass(frozen=True)
class Measure:
    """A measure of a generation's samples against the real data, with its direction."""

    name: str
    label: str
    fn: Callable[[np.ndarray], float]
    direction: str  # "lower": collapse makes it fall; "higher": collapse makes it rise
    on: str = "samples"  # "samples": fn(generated samples); "model": fn(fitted model)
    log_scale: bool = False  # drawn on a logarithmic axis (a perplexity that can explode)


def _mixture(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` points of the 2-D mixture: three Gaussian clusters of unequal weight."""
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 3.5]])
    labels = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    return centres[labels] + rng.normal(0.0, [1.0, 0.6], size=(n, 2))


def _zipf(n: int, rng: Any) -> np.ndarray:
    """``n`` tokens of the ``zipf`` data: 200 word types, exponent 1.1."""
    return datasets.zipf_tokens(n, 200, exponent=1.1, seed=rng)


def _text_windows() -> np.ndarray:
    """Every 8-word window of the bundled text (word ids, 400-word vocabulary)."""
    return datasets.load_text_corpus(length=8, vocab_size=400).windows


def real_data(data: str, csv_path: str | None = None) -> np.ndarray:
    """The real data of a demonstrator: see :data:`DATA` (``csv_path`` for ``data="csv"``).

    >>> real_data("mixture").shape
    (600, 2)
    """
    data = one_of(data, "data", DATA)
    if data == "digits":
        return datasets.load_digits()[0]
    if data == "mixture":
        return _mixture(600, np.random.default_rng(0))
    if data == "zipf":
        return _zipf(2000, 0)
    if data == "text":  # 1,500 windows drawn from the whole text, so fresh ones share their source
        windows = _text_windows()
        return windows[np.random.default_rng(0).choice(len(windows), 1500, replace=False)]
    if data == "chars":
        corpus = lm.load_char_corpus()
        return np.concatenate([corpus.train, corpus.heldout])
    try:
        return datasets.load_csv(csv_path)
    except (TypeError, ValueError) as error:  # say which argument: csv_path
        raise type(error)(f"csv_path: {error}") from None


def _train_reference(data: str, real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The training split and the held-out reference: lesson 07's fixed split for ``chars``
    (250 training and 100 held-out windows of 32 characters), else :func:`split_real`."""
    if data == "chars":
        corpus = lm.load_char_corpus()
        return corpus.train, corpus.heldout
    return split_real(real)


def _unheld_text(reference: np.ndarray) -> Any:
    """``real_sampler(k, rng)``: k 8-word windows of the whole text, none in ``reference``."""
    held = {row.tobytes() for row in reference}
    windows = _text_windows()
    return datasets.row_sampler(windows[[row.tobytes() not in held for row in windows]])


#: Data with a source of new real points, for the ``fresh`` policy and the band's healthy
#: retrains: data -> (reference -> ``real_sampler(k, rng)``). New draws of the mixture and of the
#: Zipf tokens; windows of the text outside the reference; lesson 07's 32-character windows.
_SOURCES = {
    "mixture": lambda reference: _mixture,
    "zipf": lambda reference: _zipf,
    "text": _unheld_text,
    "chars": lambda reference: lm._fresh_sampler(reference.shape[1]),
}
FRESH_DATA = tuple(_SOURCES)


def _fresh_sampler(data: str, reference: np.ndarray) -> Any:
    """``real_sampler(k, rng)`` of new real rows for data in :data:`FRESH_DATA`, else ``None``."""
    return _SOURCES[data](reference) if data in _SOURCES else None


def _model(data: str, name: str, real: np.ndarray, decoding: dict[str, Any]) -> Any:
    if data == "chars":
        return lm.CharMLP(**decoding)
    if data == "digits":
        return models.DigitsGenerator(density=name)
    if data == "zipf":
        return models.Categorical(int(real.max()) + 1)
    if data == "text":
        return models.BigramLM(int(real.max()) + 1)
    if name == "gaussian":
        return models.Gaussian(ddof=0)
    if name == "gmm":
        return models.GaussianMixtureModel(3)
    return models.KDE("scott")


def _char_measures(reference: np.ndarray, train: np.ndarray) -> tuple[Measure, Measure]:
    reference = _token_array(reference, len(lm.ALPHABET), ndim=2, name="real")
    train = _token_array(train, len(lm.ALPHABET), ndim=2, name="train")
    return (Measure("tail", "rare-character recall (characters under 1% still generated)",
                    lambda x: lm.text_measures(x, train).rare_char_recall, "lower"),
            Measure("distance", "held-out perplexity per character",
                    lambda fitted: fitted.perplexity(reference), "higher", on="model",
                    log_scale=True))


def _radius(points: np.ndarray, mean: np.ndarray, whiten: np.ndarray) -> np.ndarray:
    z = (points.reshape(len(points), -1) - mean) @ whiten
    return np.sqrt(np.sum(z * z, axis=1))


def _rows_needed(width: int) -> int:
    """Reference rows the measures need for ``width`` measured columns: a covariance that can
    be inverted and a PCA that fits."""
    return min(width, N_FEATURES) + 2


def _tokens(real: Any, vocabulary: Any) -> tuple[np.ndarray, int]:
    """``real`` as word ids (non-negative whole numbers) and the vocabulary size."""
    arr = data_rows(real, "real", min_len=2)
    if arr.dtype.kind == "f" and not np.array_equal(arr, np.round(arr)):
        raise TypeError("real must hold word ids (whole numbers) for token data")
    if arr.min() < 0:
        raise ValueError(f"real must hold word ids >= 0, got {shown(arr.min())}")
    largest = elements(float(arr.max()) + 1, "real")  # bincount makes an array this long
    k = largest if vocabulary is None else integer(vocabulary, "vocabulary", minimum=largest,
                                                   maximum=MAX_ELEMENTS)
    return arr.astype(np.int64).ravel(), k


def _points(real: Any) -> np.ndarray:
    """``real`` as finite ``(rows, columns)`` points with the rows the measures need."""
    flat = point_sample(real, "real", min_len=2)
    needed = _rows_needed(flat.shape[1])
    if len(flat) < needed:
        raise ValueError(f"real must have at least {needed} rows for {flat.shape[1]} "
                         f"column(s), got {len(flat)}")
    return flat


def measures_for(data: str, real: np.ndarray, *, vocabulary: int | None = None,
                 train: np.ndarray | None = None) -> tuple[Measure, Measure]:
    """A tail measure and a distance to ``real``, suited to the kind of data (see lesson 06).

    ``real`` is the reference the measures compare with (the held-out split in
    :func:`run`): word ids for ``zipf`` and ``text``, else points (rows) with at
    least ``min(columns, 10) + 2`` rows and no constant or collinear measured
    column. For tokens, ``vocabulary`` is the number of word ids the model can
    produce (default: the largest id in ``real`` plus one); other data take none.
    For ``chars`` (lesson 07) the tail is the rare-character recall of the generated
    windows against the real training windows ``train`` (default ``real``), as in
    lesson 07, and the distance is the fitted model's per-character perplexity on
    ``real`` (a measure of the model: ``on="model"``).

    >>> tail, distance = measures_for("mixture", real_data("mixture"))
    >>> tail.direction, distance.direction
    ('lower', 'higher')
    """
    data = one_of(data, "data", DATA)
    if data == "chars":
        return _char_measures(real, real if train is None else train)
    if data in ("zipf", "text"):
        tokens, k = _tokens(real, vocabulary)
        ref = np.bincount(tokens, minlength=k)
        rare = (ref > 0) & (ref <= np.quantile(ref[ref > 0], 0.5))

        def counts(x: np.ndarray) -> np.ndarray:
            return np.bincount(np.asarray(x).ravel(), minlength=k)

        return (Measure("tail", "rare-word recall (share of the rarer half of types kept)",
                        lambda x: metrics.rare_category_recall(counts(x), ref, rare=rare),
                        "lower"),
                Measure("distance", "KL(real ‖ generated), smoothing 0.5",
                        lambda x: metrics.kl_categorical(ref, counts(x), smoothing=SMOOTHING),
                        "higher"))
    if vocabulary is not None:
        raise ValueError(f"vocabulary is for token data (zipf, text) only; got "
                         f"vocabulary={shown(vocabulary)} with data={data!r}")
    flat = _points(real)
    # Many columns (the digits' 64 pixels): measure in the real data's first principal
    # components, as lesson 03 does, so pixels that are blank in every real image do not count.
    project = (PCA(N_FEATURES, random_state=0).fit(flat).transform if flat.shape[1] > N_FEATURES
               else (lambda x: x))
    feats = project(flat)
    try:  # a constant or collinear measured column: the whitening below would divide by 0
        datasets.real_data_columns(feats)
    except ValueError as error:
        within = (f" (of its first {N_FEATURES} principal components)"
                  if flat.shape[1] > N_FEATURES else "")
        raise ValueError(f"real{within}: {error}") from None
    mean = feats.mean(axis=0)
    values, vectors = np.linalg.eigh(np.atleast_2d(np.cov(feats, rowvar=False)))
    whiten = vectors / np.sqrt(values)
    cut = np.quantile(_radius(feats, mean, whiten), 1 - TAIL_SHARE)

    def tail(x: np.ndarray) -> float:
        z = project(x.reshape(len(x), -1))
        return float(np.mean(_radius(z, mean, whiten) > cut) / TAIL_SHARE)

    def distance(x: np.ndarray) -> float:
        return (metrics.wasserstein1(x.ravel(), flat.ravel()) if flat.shape[1] == 1
                else metrics.frechet_distance(project(x.reshape(len(x), -1)), feats))

    return (Measure("tail", "tail mass ratio (share beyond the real data's 90% radius)",
                    tail, "lower"),
            Measure("distance", "W1 to the real data" if flat.shape[1] == 1
                    else "Fréchet distance to the real data", distance, "higher"))


# ---------------------------------------------------------------- policies

#: Reads a command-line policy (``replace``, ``reservoir:0.1``, ...) into a
#: :class:`helpers.policies.Choice`; the names come from :data:`helpers.policies.POLICY_TABLE`.
parse_policy = parse_choice


# ---------------------------------------------------------------- the run


@dataclass(frozen=True)
class Demo:
    """A finished demonstrator run.

    ``values[policy][measure]`` is ``(seeds, G + 1)``; ``results`` holds every
    number the report shows (and ``results.json`` stores); ``measures`` the two
    :class:`Measure` objects; ``null[measure]`` the healthy-retrain null values.
    """

    values: dict[str, dict[str, np.ndarray]]
    results: dict[str, Any]
    measures: tuple[Measure, Measure]
    null: dict[str, np.ndarray]


def _one(spec: Choice, seed: int, model: Any, real: np.ndarray, generations: int,
         measures: tuple[Measure, Measure], real_sampler: Any = None
         ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """One chain: every generation's measures, training-set size and real count."""
    kwargs = {} if spec.real_fraction is None else {"real_fraction": spec.real_fraction}
    if "real_sampler" in POLICY_TABLE[spec.policy].needs:
        kwargs["real_sampler"] = real_sampler
    values: dict[str, list[float]] = {m.name: [] for m in measures}
    sizes, reals = [], []
    for gen in iterate_loop(model, real, generations=generations, policy=spec.policy,
                            seed=seed, **kwargs):
        for m in measures:
            values[m.name].append(m.fn(gen.model if m.on == "model" else gen.samples))
        sizes.append(len(gen.train))
        reals.append(gen.real_count)
    return ({name: np.array(v) for name, v in values.items()}, np.array(sizes),
            np.array(reals))


def split_real(real: np.ndarray, share: float = REFERENCE_SHARE, seed: int = SPLIT_SEED
               ) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the real rows and hold out ``round(share * len(real))`` of them as the reference.

    Returns ``(train, reference)``: generation 0 is fitted on ``train`` and every
    generation is measured against ``reference``, which no model ever sees.

    >>> train, reference = split_real(real_data("mixture"))
    >>> len(train), len(reference)
    (420, 180)
    """
    real = data_rows(real, "real", min_len=2)
    share = real_number(share, "share", minimum=0.0, strict_min=True, maximum=1.0)
    seed = integer(seed, "seed", minimum=0)
    k = round(share * len(real))
    if not 1 <= k < len(real):
        raise ValueError(f"share={share:g} of {len(real)} rows leaves an empty train or "
                         f"reference split; choose share in (0, 1) with more rows")
    order = np.random.default_rng(seed).permutation(len(real))
    return real[order[k:]], real[order[:k]]


def _decoding_text(decoding: dict[str, Any]) -> str:
    """A decoding as the command line writes it; ``{}`` (plain sampling) is ``temperature=1``.

    >>> _decoding_text({"top_p": 0.9}), _decoding_text({})
    ('top_p=0.9', 'temperature=1')
    """
    return ",".join(f"{k}={v:g}" for k, v in decoding.items()) or "temperature=1"


def _check_decoding(decoding: Any) -> dict[str, Any]:
    """``decoding`` as a dict of :func:`helpers.decoding.truncate` arguments, checked (by the
    language model that will use them, :class:`helpers.lm.CharMLP`).

    >>> _check_decoding({"temperature": 0.7})
    {'temperature': 0.7}
    """
    if not isinstance(decoding, Mapping):
        raise TypeError(f"decoding must be a dict such as {{'top_p': 0.9}}, got "
                        f"{type(decoding).__name__}")
    unknown = [k for k in decoding if k not in DECODING_NAMES]
    if unknown:
        raise ValueError(f"decoding: use {', '.join(DECODING_NAMES)}; got {shown(unknown)}")
    decoding = dict(decoding)
    lm.CharMLP(**decoding)  # checks each setting, naming it
    return decoding


def _run_decoding(data: str, decoding: Any, progress: Any) -> dict[str, Any]:
    """``run``'s decoding (``chars`` only), checked, and its ``progress`` callback checked."""
    if decoding is not None and data != "chars":
        raise ValueError("decoding is for a language model (data='chars') only")
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function progress(message) or None, got "
                        f"{type(progress).__name__}")
    return _check_decoding({} if decoding is None else decoding)


def _run_policies(policies: Any, data: str) -> list[Choice]:
    """``run``'s ``policies``, parsed (``fresh`` only where the data can supply fresh text)."""
    if (isinstance(policies, str) or not isinstance(policies, Sequence) or not policies
            or not all(isinstance(p, str) for p in policies)):
        raise TypeError("policies must be a non-empty list of policy names, e.g. "
                        "['replace', 'accumulate', 'reservoir:0.1']")
    try:
        specs = [parse_choice(p, real_sampler=data in FRESH_DATA) for p in policies]
    except ValueError as error:
        raise ValueError(f"policies: {error}") from None
    if len({s.name for s in specs}) != len(specs):
        raise ValueError(f"policies must not repeat a policy, got {list(policies)}")
    return specs


def _check_reference_rows(real: np.ndarray) -> None:
    """Refuse point data whose held-out reference is too small for the measures."""
    width = min(int(np.prod(real.shape[1:])), N_FEATURES)
    needed = _rows_needed(width)
    if round(REFERENCE_SHARE * len(real)) < needed:
        rows = int(np.ceil((needed - 0.5) / REFERENCE_SHARE))
        raise ValueError(f"data: {len(real)} rows leave a held-out reference of "
                         f"{round(REFERENCE_SHARE * len(real))}, fewer than the {needed} "
                         f"that {width} measured columns need; use at least {rows} rows")


def run(*, data: str = "digits", model: str = "gmm",
        policies: Sequence[str] = ("replace", "accumulate", "reservoir:0.1"), generations: int = 20,
        seeds: int = 5, csv_path: str | None = None, jobs: int = 2,
        progress: Callable[[str], None] | None = None,
        decoding: Mapping[str, Any] | None = None) -> Demo:
    """Run every policy for ``seeds`` seeds (0, 1, ...) and collect the report's numbers.

    The real data are split once (:func:`split_real`; ``chars``: lesson 07's fixed
    split): generation 0 is fitted on the training split, every measure is taken
    against the held-out reference, and the detection band is the healthy-retrain
    null of :func:`helpers.detection.retrain_values`: refits on fresh real samples of
    the training split's size (for ``chars`` new windows of the text, drawn by the
    same sampler as the ``fresh`` policy).
    ``decoding`` (``char-mlp`` only): :func:`helpers.decoding.truncate` arguments,
    e.g. ``{"top_p": 0.9}``. ``progress(message)`` is told the size of the run and
    then, after each finished chain or part of the null, a progress bar.
    """
    data = one_of(data, "data", DATA)
    model = one_of(model, "model", MODELS[data])
    if (csv_path is None) == (data == "csv"):
        raise ValueError("csv_path is needed with data='csv' and only then")
    decoding = _run_decoding(data, decoding, progress)
    specs = _run_policies(policies, data)
    generations = integer(generations, "generations", minimum=1, maximum=MAX_GENERATIONS)
    seeds = integer(seeds, "seeds", minimum=1, maximum=MAX_SEEDS)
    jobs = integer(jobs, "jobs", minimum=1, maximum=64)
    real = real_data(data, csv_path)
    if data in ("csv", "mixture", "digits"):
        _check_reference_rows(real)
    train, reference = _train_reference(data, real)
    template = _model(data, model, real, decoding)
    measures = measures_for(data, reference,
                            vocabulary=int(real.max()) + 1 if data in ("zipf", "text") else None,
                            train=train if data == "chars" else None)
    sampler = _fresh_sampler(data, reference)
    say = (lambda message: None) if progress is None else progress
    say(f"running {len(specs)} policies × {seeds} seeds × {generations} generations")
    tasks = [(spec, seed) for spec in specs for seed in range(seeds)]
    jobs_list = [delayed(_one)(spec, seed, template, train, generations, measures, sampler)
                 for spec, seed in tasks]
    on = {kind: {m.name: m.fn for m in measures if m.on == kind} for kind in ("samples", "model")}
    jobs_list += [delayed(detection.retrain_values)(template, train, on["samples"],
                                                    n_draws=N_NULL // NULL_PARTS, seed=part,
                                                    model_measures=on["model"] or None,
                                                    real_sampler=sampler)
                  for part in range(NULL_SEED, NULL_SEED + NULL_PARTS)]
    outputs = []
    for output in Parallel(n_jobs=jobs, return_as="generator")(jobs_list):
        outputs.append(output)
        say(_bar(len(outputs), len(jobs_list)))
    chains, parts = outputs[:len(tasks)], outputs[len(tasks):]
    null = {m.name: np.concatenate([part[m.name] for part in parts]) for m in measures}
    values: dict[str, dict[str, np.ndarray]] = {}
    sizes: dict[str, np.ndarray] = {}
    reals: dict[str, np.ndarray] = {}
    for (spec, _seed), (vals, size, real_count) in zip(tasks, chains, strict=True):
        for name, series in vals.items():
            values.setdefault(spec.name, {}).setdefault(name, []).append(series)
        sizes.setdefault(spec.name, []).append(size)
        reals.setdefault(spec.name, []).append(real_count)
    values = {p: {m: np.array(v) for m, v in d.items()} for p, d in values.items()}
    setting = {"data": data, "model": model, "n_real": len(real), "n_train": len(train),
               "n_reference": len(reference), "generations": generations}
    if data == "chars":
        setting["decoding"] = _decoding_text(decoding)
    results = _results(setting, specs, seeds, measures, values,
                       {p: np.array(s) for p, s in sizes.items()},
                       {p: np.array(r) for p, r in reals.items()}, null)
    say("done")
    return Demo(values, results, measures, null)


def _bar(done: int, total: int, width: int = 30) -> str:
    """A text progress bar: ``[#######...] 7/30 tasks``."""
    filled = width * done // total
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} tasks"


def spread(x: np.ndarray) -> dict[str, float]:
    """Median and spread of one value over seeds: minimum and maximum with fewer than
    :data:`MIN_SEEDS_FOR_PERCENTILES` seeds, else the 10th and 90th percentiles.

    >>> spread(np.array([3.0, 1.0, 2.0]))
    {'median': 2.0, 'low': 1.0, 'high': 3.0}
    """
    x = sample_1d(x, "x")  # finite and bounded: a quantile of +-1e308 overflows to NaN
    q = (0.0, 1.0) if len(x) < MIN_SEEDS_FOR_PERCENTILES else BAND
    low, median, high = np.quantile(x, [q[0], 0.5, q[1]])
    return {"median": float(median), "low": float(low), "high": float(high)}


def _first(rows: np.ndarray, null: np.ndarray, direction: str) -> list[int | None]:
    return [detection.first_detection(row, null, alpha=ALPHA_SIDE, direction=direction)
            for row in rows]


def _alarms(hits: list[int | None]) -> dict[str, Any]:
    found = sorted(h for h in hits if h is not None)
    return {"chains": len(found),
            "first_median": float(np.median(found)) if found else None,
            "first_min": found[0] if found else None,
            "first_max": found[-1] if found else None}


def _separation(firsts: dict[str, list[int | None]], ends: dict[str, np.ndarray], baseline: str,
                generations: int, direction: str) -> dict[str, Any]:
    """Per control: does detection tell it from the baseline?

    ``separated``: every baseline chain alarmed (collapse side) before any chain
    of the control did; ``from`` is the generation by which every baseline chain
    had alarmed, ``until`` the last generation at which no control chain had.
    ``ends_apart``: at the last generation every baseline chain lies further to
    the collapse side than every chain of the control (their ranges do not overlap).
    """
    late = generations + 1
    base = [late if h is None else h for h in firsts[baseline]]
    worse = (lambda a, b: a.max() < b.min()) if direction == "lower" else (
        lambda a, b: a.min() > b.max())
    out: dict[str, Any] = {}
    for name, hits in firsts.items():
        if name == baseline:
            continue
        other = [late if h is None else h for h in hits]
        separated = max(base) <= generations and max(base) < min(other)
        out[name] = {"separated": separated,
                     "from": max(base) if separated else None,
                     "until": min(other) - 1 if separated else None,
                     "baseline_chains": sum(h <= generations for h in base),
                     "baseline_last": max(base) if max(base) <= generations else None,
                     "control_first": min(other) if min(other) <= generations else None,
                     "ends_apart": bool(worse(ends[baseline], ends[name])),
                     "baseline_end": [float(ends[baseline].min()), float(ends[baseline].max())],
                     "control_end": [float(ends[name].min()), float(ends[name].max())]}
    return out


def _fixed_split(setting: dict[str, Any]) -> dict[str, Any]:
    """``chars`` use lesson 07's fixed split: no random split, its own reference share."""
    if setting["data"] != "chars":
        return {}
    return {"reference_share": setting["n_reference"] / setting["n_real"], "split_seed": None}


def _results(setting, specs, seeds, measures, values, sizes, reals, null) -> dict[str, Any]:
    base_compute = float(sizes[specs[0].name].sum(axis=1).mean())
    generations = setting["generations"]
    policies: dict[str, Any] = {}
    firsts: dict[str, dict[str, list[int | None]]] = {m.name: {} for m in measures}
    for spec in specs:
        entry: dict[str, Any] = {"policy": spec.policy, "real_fraction": spec.real_fraction}
        for m in measures:
            v = values[spec.name][m.name]
            other = "higher" if m.direction == "lower" else "lower"
            firsts[m.name][spec.name] = _first(v, null[m.name], m.direction)
            start, end = spread(v[:, 0]), spread(v[:, -1])
            entry[m.name] = {"start": start, "end": end,
                             "change": end["median"] - start["median"],
                             "collapse_side": _alarms(firsts[m.name][spec.name]),
                             "other_side": _alarms(_first(v, null[m.name], other))}
        compute = float(sizes[spec.name].sum(axis=1).mean())
        entry["train_size_end"] = int(np.median(sizes[spec.name][:, -1]))
        entry["real_points_in_training"] = int(np.median(reals[spec.name].sum(axis=1)))
        entry["compute_points"] = int(round(compute))
        entry["compute_ratio"] = compute / base_compute
        policies[spec.name] = entry
    edges = {m.name: detection.band(null[m.name], ALPHA_SIDE * 2, "both") for m in measures}
    return {
        "setting": {**setting, "start_generation": 0, "seeds": seeds, "first_seed": 0,
                    "last_seed": seeds - 1, "baseline": specs[0].name,
                    "reference_share": REFERENCE_SHARE, "split_seed": SPLIT_SEED,
                    **_fixed_split(setting)},
        "measures": {m.name: {"label": m.label, "direction": m.direction} for m in measures},
        "tail": {"share": TAIL_SHARE, "quantile": 1 - TAIL_SHARE, "features": N_FEATURES,
                 "smoothing": SMOOTHING},
        "spread": {"min_max": seeds < MIN_SEEDS_FOR_PERCENTILES,
                   "low": 0.0 if seeds < MIN_SEEDS_FOR_PERCENTILES else BAND[0],
                   "high": 1.0 if seeds < MIN_SEEDS_FOR_PERCENTILES else BAND[1]},
        "detection": {"null": "healthy retrain", "alpha_side": ALPHA_SIDE,
                      "fresh_real": setting["data"] in FRESH_DATA,
                      "alpha": 2 * ALPHA_SIDE, "n_null": N_NULL,
                      "familywise": detection.familywise_rate(ALPHA_SIDE, generations),
                      "band": {name: {"low": e.low, "high": e.high} for name, e in edges.items()},
                      # where generation 0 sits: the share of healthy retrains below its median
                      "start_rank": {m.name: float(np.mean(null[m.name] < np.median(
                          values[specs[0].name][m.name][:, 0]))) for m in measures},
                      "separation": {
                          m.name: _separation(firsts[m.name],
                                              {p: values[p][m.name][:, -1] for p in values},
                                              specs[0].name, generations, m.direction)
                          for m in measures}},
        "policies": policies,
    }


# ---------------------------------------------------------------- chart and report


def _check_demo(demo: Any) -> Demo:
    """``demo`` if it is a finished run (:class:`Demo`), else a ``TypeError`` naming it."""
    if not isinstance(demo, Demo):
        raise TypeError(f"demo must be the result of demonstrator.run (a Demo), got "
                        f"{type(demo).__name__}")
    return demo


def _draw_measure(ax: Any, demo: Demo, measure: str) -> None:
    """Draw one measure of a checked ``demo`` on ``ax``: the healthy-retrain band (grey) and,
    per policy, the median over seeds with every seed (fewer than 10 seeds) or the 10–90% band.
    Private: :func:`chart` and lesson 06's view check their arguments and call it."""
    m = next(m for m in demo.measures if m.name == measure)
    edges = demo.results["detection"]["band"][m.name]
    ax.axhspan(edges["low"], edges["high"], color="0.85", zorder=0,
               label="healthy-retrain band")
    for name, vals in demo.values.items():
        n = len(vals[m.name])
        if n < MIN_SEEDS_FOR_PERCENTILES:
            plots.collapse_curve(vals[m.name].T, ax=ax, label=f"{name}: median of {n} seeds",
                                 band=None, spaghetti=n, spaghetti_label=f"{name}: each seed",
                                 ylabel=m.name, logy=m.log_scale)
        else:
            plots.collapse_curve(vals[m.name].T, ax=ax, label=name, band=(10, 90), ylabel=m.name,
                                 logy=m.log_scale)
    ax.set_title(m.label, fontsize="medium")


def chart(demo: Demo) -> Any:
    """The before/after chart: each measure across generations, one legend below both panels.

    ``demo`` is the result of :func:`run`; returns a matplotlib figure.
    """
    setting = _check_demo(demo).results["setting"]
    fig, axes = plots.new_figure(1, 2, figsize=(10.0, 5.0))
    for ax, m in zip(axes, demo.measures, strict=True):
        _draw_measure(ax, demo, m.name)
        ax.get_legend().remove()
    handles, labels = axes[0].get_legend_handles_labels()
    # Below both panels, outside the axes, so it never covers a curve.
    fig.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)),
               frameon=False, fontsize="small")
    spread_text = ("every seed" if setting["seeds"] < MIN_SEEDS_FOR_PERCENTILES
                   else "10–90% band")
    decoding = f" ({setting['decoding']})" if "decoding" in setting else ""
    fig.suptitle(f"{setting['data']} data, {setting['model']} model{decoding}: median and "
                 f"{spread_text} "
                 f"over {setting['seeds']} seeds; grey: healthy-retrain band")
    return fig


def report_markdown(demo: Demo, texts: dict[str, str] | None = None) -> str:
    """The report's Markdown: the template filled from ``demo.results`` (``demo`` the result
    of :func:`run`) and the learner's ``texts`` (``{slot: text}``, see :mod:`helpers.report`)."""
    return report.render(TEMPLATE.read_text(encoding="utf-8"), _check_demo(demo).results, texts)


# ---------------------------------------------------------------- command line


def _show_progress(message: str) -> None:
    """Progress on stderr: the bar redrawn in place on a terminal, one line per step elsewhere."""
    step = re.fullmatch(r"\[[#.]*\] (\d+)/(\d+) tasks", message)
    redraw = step is not None and sys.stderr.isatty() and step[1] != step[2]
    print(f"[demonstrator] {message}", end="\r" if redraw else "\n", file=sys.stderr,
          flush=True)


def _summary(results: dict[str, Any]) -> str:
    """The run in a few lines: each policy's two measures at the start and the end (medians
    over seeds, lowest and highest seed or the 10–90% band in brackets), as ``main`` prints.
    """
    setting = results["setting"]
    decoding = f", decoding {setting['decoding']}" if "decoding" in setting else ""
    lines = [f"{setting['data']} data, {setting['model']} model{decoding}: generation 0 -> "
             f"{setting['generations']}, median [spread] over {setting['seeds']} seed(s)"]
    for name, p in results["policies"].items():
        cells = []
        for key, fmt in (("tail", ".3f"), ("distance", ".5g")):
            start, end = p[key]["start"], p[key]["end"]
            cells.append(f"{results['measures'][key]['label'].split(' (')[0]} "
                         f"{start['median']:{fmt}} -> {end['median']:{fmt}} "
                         f"[{end['low']:{fmt}}, {end['high']:{fmt}}]")
        lines.append(f"  {name}: " + "; ".join(cells))
    return "\n".join(lines)


class _OptionError(Exception):
    """A bad command-line option: one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line instead of usage + message
        raise _OptionError(message)


def _data(text: str) -> tuple[str, str | None]:
    data, colon, csv_path = text.partition(":")
    if data not in DATA or (data == "csv") != bool(colon and csv_path):
        raise argparse.ArgumentTypeError(f"use one of digits, mixture, zipf, text, chars, "
                                         f"csv:PATH; got {shown(text)}")
    if csv_path and not Path(csv_path).is_file():
        raise argparse.ArgumentTypeError(f"csv:PATH: no file at {shown(csv_path)}")
    return data, csv_path or None


def _policies(text: str) -> list[Choice]:
    names = [p for p in text.split(",") if p.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"name at least one policy; got {shown(text)}")
    try:  # fresh:RHO is read here and refused in _options unless the data offer fresh points
        choices = [parse_choice(p, real_sampler=True) for p in names]
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if len({c.name for c in choices}) != len(choices):
        raise argparse.ArgumentTypeError(f"a policy is named twice; got {shown(text)}")
    return choices


def _decoding(text: str) -> dict[str, Any]:
    """``temperature=0.7``, ``top_p=0.9``, ``top_k=5`` or several joined by commas."""
    decoding: dict[str, Any] = {}
    for part in text.split(","):
        name, equals, value = part.strip().partition("=")
        try:
            if name not in DECODING_NAMES or not equals or name in decoding:
                raise ValueError
            if not value.isascii() or (name == "top_k" and not value.strip().isdecimal()):
                raise ValueError(f"{name} must be a {'whole ' if name == 'top_k' else ''}"
                                 f"number in ASCII digits, got {shown(value)}")
            decoding[name] = int(value) if name == "top_k" else float(value)
            _check_decoding(decoding)
        except (TypeError, ValueError, OverflowError) as error:
            why = f" ({error})" if str(error) else ""
            raise argparse.ArgumentTypeError(
                f"use temperature=T (T in (0, 1000]), top_k=K (K in 1..{len(lm.ALPHABET)}), "
                f"top_p=P (P in (0, 1]) or several joined by commas{why}; "
                f"got {shown(text)}") from None
    return decoding


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m helpers.demonstrator",
        description="Run a recursive-training demonstrator and write its report "
                    "(report.md, figure.png, figure.svg, results.json).")
    parser.add_argument("--data", default=("digits", None), type=_data,
                        help="digits | mixture | zipf | text | chars | csv:PATH "
                             "(default: digits; chars: lesson 07's character windows)")
    parser.add_argument("--model", default=None,
                        choices=sorted({m for models in MODELS.values() for m in models}),
                        help="digits: gmm|kde; mixture, csv: gaussian|gmm|kde; zipf: "
                             "categorical; text: bigram; chars: char-mlp (lesson 07's neural "
                             "language model) (default: the first listed)")
    parser.add_argument("--decoding", default=None, type=_decoding,
                        help="chars only: temperature=T, top_k=K, top_p=P or several joined "
                             "by commas, e.g. temperature=0.7 (default: temperature=1, plain "
                             "sampling)")
    parser.add_argument("--policies", default=_policies("replace,accumulate,reservoir:0.1"),
                        type=_policies,
                        help=f"comma-separated: {', '.join(command_line_policies())} "
                             "(reservoir as reservoir:RHO, RHO the real fraction in [0, 1]; "
                             f"default: replace,accumulate,reservoir:0.1); with --data "
                             f"{', '.join(FRESH_DATA)} also fresh:RHO (a share RHO of new real "
                             "data every generation)")
    parser.add_argument("--generations", default=20, type=whole(1, MAX_GENERATIONS),
                        help=f"1 to {MAX_GENERATIONS} (default: 20)")
    parser.add_argument("--seeds", default=5, type=whole(1, MAX_SEEDS),
                        help=f"1 to {MAX_SEEDS} (default: 5)")
    parser.add_argument("--jobs", default=2, type=whole(1, 64),
                        help="parallel workers, 1 to 64 (default: 2)")
    parser.add_argument("--out", default=Path("exports/demonstrator"), type=Path,
                        help="report folder (default: exports/demonstrator)")
    parser.add_argument("--overwrite", action="store_true",
                        help="write into a folder that already holds other files")
    return parser


def _options(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> dict[str, Any]:
    """The checked options, the report folder included (before the run)."""
    args = parser.parse_args(argv)
    data, csv_path = args.data
    model = args.model or MODELS[data][0]
    if model not in MODELS[data]:
        home = ", ".join(d for d in DATA if model in MODELS[d])
        raise _OptionError(f"argument --model: with --data {data} use one of "
                           f"{', '.join(MODELS[data])}; got {model!r} (it runs on --data "
                           f"{home})")
    if args.decoding is not None and data != "chars":
        raise _OptionError(f"argument --decoding: only with --data chars (a language model); "
                           f"got --data {data}")
    fresh = [c.name for c in args.policies if "real_sampler" in POLICY_TABLE[c.policy].needs]
    if fresh and data not in FRESH_DATA:
        raise _OptionError(f"argument --policies: {fresh[0]} needs new real data every "
                           f"generation, which only --data {', '.join(FRESH_DATA)} provides")
    try:
        report.check_replaceable(args.out, args.overwrite)
    except (ValueError, FileExistsError) as error:
        raise _OptionError(f"argument --out: {error}") from None
    return dict(data=data, model=model, csv_path=csv_path, out=args.out,
                overwrite=args.overwrite, policies=[c.name for c in args.policies],
                generations=args.generations, seeds=args.seeds, jobs=args.jobs,
                decoding=args.decoding)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (0 done, 2 bad option).

    Every option, the report folder (``--out``) included, is checked before the run.
    """
    parser = _parser()
    try:
        options = _options(parser, argv)
    except _OptionError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    out, overwrite = options.pop("out"), options.pop("overwrite")
    try:
        demo = run(progress=_show_progress, **options)
    except ValueError as error:  # the learner's CSV file: say what is wrong with it
        print(f"{parser.prog}: error: --data: {error}", file=sys.stderr)
        return 2
    try:
        folder = report.write_report(out, markdown=report_markdown(demo),
                                     results=demo.results, figure=chart(demo),
                                     overwrite=overwrite)
    except (ValueError, FileExistsError) as error:  # the folder changed during the run
        print(f"{parser.prog}: error: --out: {error}", file=sys.stderr)
        return 2
    print(_summary(demo.results))
    print(f"report written to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

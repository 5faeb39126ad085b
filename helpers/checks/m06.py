"""Checks for the exercises of notebook 06 (capstone: build a collapse demonstrator)."""

from __future__ import annotations

import re

import numpy as np

from helpers import theory
from helpers.checks.core import (
    Hint,
    RecordingGenerator,
    as_array,
    call,
    diagnose,
    exercise,
)
from helpers.checks.shared import (
    FALLBACK_CALLS,
    FALLBACK_N,
    parametric_sample,
    require_parametric_draws,
    require_rng_use,
    same_stream,
)
from helpers.models import Gaussian, check_model
from helpers.report import mislabelled, numbers_in, unmeasured

__all__ = ["split_reference", "isotropic_gaussian", "replace_chain", "first_alarms",
           "vocabulary", "write_up", "overclaim", "VOCABULARY", "WRITE_UP_RESULTS"]


# ---------------------------------------------------------------- 06.1 a held-out reference


def _rows(n: int, d: int = 2) -> np.ndarray:
    return np.arange(n * d, dtype=float).reshape(n, d)


def _split(X: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(len(X))
    k = round(fraction * len(X))
    return X[order[k:]], X[order[:k]]


def _pair(value, what: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Hint(f"{what} should return two arrays, (train, reference), got "
                   f"{type(value).__name__}.", id="not-a-pair")
    parts = (as_array(value[0], f"the train part of {what}"),
             as_array(value[1], f"the reference part of {what}"))
    if any(part.ndim == 0 for part in parts):
        raise Hint(f"{what} should return two arrays of rows, (train, reference); one part is "
                   "a single number.", id="not-a-pair")
    return parts


def _as_rows(a: np.ndarray) -> set[tuple[float, ...]]:
    return {tuple(row) for row in np.atleast_2d(a.reshape(len(a), -1))}


@exercise("06.1", "hold out a reference sample",
          hints=("not-a-pair", "swapped", "not-shuffled", "rows-repeated", "wrong-count",
                 "int-not-round", "ceil-not-round"))
def split_reference(fn) -> str:
    """Check ``fn(X, fraction, rng) -> (train, reference)``."""
    X, fraction, seed = _rows(40), 0.29, 11
    what = "split_reference(X, 0.29, rng)"
    rng = RecordingGenerator(seed)
    train, ref = _pair(call(fn, X.copy(), fraction, rng), what)
    want_train, want_ref = _split(X, fraction, seed)
    if np.array_equal(train, want_train) and np.array_equal(ref, want_ref):
        _other_case(fn)
        return ("correct: a shuffled split, round(fraction × n) rows held out, none repeated "
                "or lost.")
    if np.array_equal(train, want_ref) and np.array_equal(ref, want_train):
        raise Hint(f"{what} returned (reference, train): return the training part first.",
                   id="swapped")
    if len(ref) + len(train) == len(X) and len(ref) == 11 and len(train) == 29:
        raise Hint(f"{what} holds out 11 rows: 0.29 × 40 = 11.6, which rounds to 12. Use "
                   "round(fraction * len(X)), not int(), which cuts the decimals off.",
                   id="int-not-round")
    if len(ref) == 28 and len(train) == 12:
        raise Hint(f"{what} put 1 − fraction of the rows into the reference: `fraction` is the "
                   "share held OUT as the reference.", id="swapped")
    if len(ref) != 12 or len(train) != 28:
        raise Hint(f"{what} returned {len(train)} training and {len(ref)} reference rows; with "
                   "40 rows and fraction 0.29 expect 28 and 12 (round(0.29 × 40) = 12).",
                   id="wrong-count")
    rows = _as_rows(np.concatenate([train.reshape(len(train), -1), ref.reshape(len(ref), -1)]))
    if len(rows) != len(X) or rows != _as_rows(X):
        raise Hint(f"{what} repeats some rows and loses others: draw the held-out rows without "
                   "replacement (shuffle the indices with rng.permutation).", id="rows-repeated")
    if np.array_equal(ref, X[:12]) or np.array_equal(ref, X[-12:]):
        raise Hint(f"{what} held out the first (or last) rows in file order: shuffle first "
                   "(rng.permutation(len(X))), or any order in the file biases the reference.",
                   id="not-shuffled")

    def run(r):
        got = _pair(call(fn, X.copy(), fraction, r), what)
        return np.concatenate([part.ravel() for part in got])

    require_rng_use(run, np.concatenate([train.ravel(), ref.ravel()]), rng, what)
    _other_case(fn)
    return ("correct: a shuffled split of the right sizes (drawn differently from ours, which "
            "is fine).")


def _other_case(fn) -> None:
    """A second input (3-D rows, another fraction) so a hard-coded answer cannot pass."""
    X = _rows(25, 3)  # 0.21 × 25 = 5.25: round gives 5, math.ceil 6
    train, ref = _pair(call(fn, X.copy(), 0.21, RecordingGenerator(3)),
                       "split_reference(X of shape (25, 3), 0.21, rng)")
    if len(ref) == 6 and len(train) == 19:
        raise Hint("with 25 rows and fraction 0.21 (5.25 rows) you held out 6: you rounded up "
                   "(math.ceil). The task fixes round(fraction * len(X)) = 5.",
                   id="ceil-not-round")
    if (len(ref) != 5 or len(train) != 20 or train.ndim != 2 or ref.ndim != 2
            or _as_rows(np.concatenate([train, ref])) != _as_rows(X)):
        raise Hint("with 25 rows of 3 columns and fraction 0.21, expect 20 training and 5 "
                   "reference rows (round(0.21 × 25) = 5), every row once.", id="wrong-count")


# ---------------------------------------------------------------- 06.2 a model of your own

_X2 = np.random.default_rng(21).normal([1.0, -2.0, 0.5], [1.0, 2.0, 0.5], size=(60, 3))


def _isotropic(X: np.ndarray) -> tuple[np.ndarray, float]:
    mean = X.mean(axis=0)
    return mean, float(np.mean((X - mean) ** 2))


@exercise("06.2", "a model of your own",
          hints=("protocol", "per-coordinate-variance", "ddof-one", "variance-as-scale",
                 "wrong-parameters", "scale-missing", "per-column-spread", "resampled-data",
                 "no-sampling-error", "mean-off", "spread-off"))
def isotropic_gaussian(cls) -> str:
    """Check the class ``cls``: ``fit(X)`` sets ``mean_`` and ``var_``; ``sample(n, rng)``."""
    what = "IsotropicGaussian().fit(X)"
    if not call(lambda: all(callable(getattr(cls, method, None)) for method in ("fit", "sample"))):
        report = call(lambda: str(check_model(cls(), _X2.copy(), n=40, seed=5)))
        raise Hint("the protocol check says: " + report.split(": ", 1)[1], id="protocol")

    def fit_params():
        model = cls()
        model.fit(_X2.copy())
        return [np.asarray(model.mean_, dtype=float), np.asarray(model.var_, dtype=float)]

    mean, var = call(fit_params)
    mean = as_array(mean, f"{what}.mean_", shape=(3,))
    var = as_array(var, f"{what}.var_")
    want_mean, want_var = _isotropic(_X2)
    report = call(lambda: str(check_model(cls(), _X2.copy(), n=40, seed=5)))
    if not report.startswith("✓"):
        raise Hint("the protocol check says: " + report.split(": ", 1)[1], id="protocol")
    if not np.allclose(mean, want_mean):
        raise Hint(f"{what}.mean_ should be the mean of each column, X.mean(axis=0).",
                   id="wrong-parameters")
    _require_shared_variance(var, want_var, what)

    def draws(seed):
        return call(lambda: cls().fit(_X2.copy()).sample(40, RecordingGenerator(seed)))

    got = as_array(draws(8), "IsotropicGaussian().fit(X).sample(40, rng)", shape=(40, 3))
    want = np.random.default_rng(8).normal(want_mean, np.sqrt(want_var), size=(40, 3))
    if np.allclose(got, want):
        return ("correct: fit returns the model with the MLE mean vector and one shared "
                "variance; sample draws (n, d) points from rng.")
    if np.allclose(got, np.random.default_rng(8).normal(want_mean, want_var, size=(40, 3))):
        raise Hint("sample passes the variance where rng.normal expects the standard "
                   "deviation: use np.sqrt(self.var_).", id="variance-as-scale")
    return _sampler_in_law(cls, want_mean, float(np.sqrt(want_var)))


def _require_shared_variance(var: np.ndarray, want_var: float, what: str) -> None:
    """``var_`` is one number, the MLE over every entry: name per-column and ddof slips."""
    if var.shape == (3,):
        raise Hint(f"{what}.var_ holds one variance per column: this model has ONE variance "
                   "shared by all coordinates, the mean of the squared deviations over every "
                   "entry.", id="per-coordinate-variance")
    if var.shape != ():
        raise Hint(f"{what}.var_ should be a single number, got shape {var.shape}.",
                   id="wrong-shape")
    value = float(var)
    per_column = _X2.var(axis=0)
    if np.isclose(value, per_column.mean() * 60 / 59):
        raise Hint(f"{what}.var_ divides by n − 1; this model uses the MLE, which divides by n.",
                   id="ddof-one")
    if not np.isclose(value, want_var):
        raise Hint(f"{what}.var_ = {value:.4g}; expected one variance shared by all "
                   f"coordinates, the mean of the squared deviations over every entry "
                   f"({want_var:.4g}).", id="wrong-parameters")


def _sampler_in_law(cls, mean: np.ndarray, sd: float) -> str:
    """Another valid sampler (any order, column by column, a transposed block): test per column."""
    what = "IsotropicGaussian().fit(X).sample(10, rng)"
    made = []
    call(lambda: made.append(cls().fit(_X2.copy())))  # fit returns the model (protocol passed)
    model = made[0]
    rng = np.random.default_rng(12)
    draws = np.array([as_array(call(model.sample, FALLBACK_N, rng), what,
                               shape=(FALLBACK_N, 3)) for _ in range(FALLBACK_CALLS // 5)])
    for j in range(3):  # what a sample is: fresh values with sampling error
        parametric_sample(draws[:, :, j], _X2[:, j], mean[j], sd, what, law=False)
    pooled = draws.reshape(-1, 3)
    ratios = pooled.std(axis=0) / sd
    columns = _X2.std(axis=0) / sd
    mistakes = {
        "scale-missing": ("sample draws with standard deviation 1: pass the scale, "
                          "rng.normal(self.mean_, np.sqrt(self.var_), size=(n, d)).", 1 / sd),
        "variance-as-scale": ("sample passes the variance where rng.normal expects the "
                              "standard deviation: use np.sqrt(self.var_).", sd),
        "per-column-spread": ("sample uses each column's own spread; this model has ONE "
                              "standard deviation for all coordinates, np.sqrt(self.var_).",
                              columns),
    }
    diagnose(ratios, np.ones(3), {k: (m, np.broadcast_to(v, 3)) for k, (m, v) in mistakes.items()},
             same=lambda a, b: bool(np.all(np.abs(np.asarray(a) - b) <= 0.05)))
    z = np.abs(pooled.mean(axis=0) - mean) / (sd / np.sqrt(len(pooled)))
    if np.any(z > 5):
        raise Hint(f"the column means of your samples are {np.round(pooled.mean(axis=0), 3)}; "
                   f"the fitted mean_ is {np.round(mean, 3)}: draw around self.mean_.",
                   id="mean-off")
    if np.any(np.abs(ratios - 1) > 0.05):
        raise Hint(f"per column, your samples' spread is {np.round(ratios, 3)} times the "
                   "fitted standard deviation np.sqrt(var_) (each should be 1 within 0.05).",
                   id="spread-off")
    return ("correct: your samples follow the fitted model in every column (drawn in a "
            "different order from ours, which is fine).")


# ---------------------------------------------------------------- 06.3 one chain, replacement

_REAL3 = np.random.default_rng(31).normal(size=20)
_G3 = 30


def _chain(seed: int, generations: int = _G3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    model, train, values = Gaussian(ddof=0), _REAL3, []
    for _ in range(generations + 1):
        samples = model.fit(train).sample(len(_REAL3), rng)
        values.append(np.var(samples))
        train = samples
    return np.array(values)


def _chain_variant(seed: int, *, accumulate: bool = False, from_real: bool = False,
                   on_train: bool = False, ddof: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    model, train, values = Gaussian(ddof=ddof), _REAL3, []
    for _ in range(_G3 + 1):
        samples = model.fit(_REAL3 if from_real else train).sample(len(_REAL3), rng)
        values.append(np.var(train if on_train else samples))
        train = np.concatenate([train, samples]) if accumulate else samples
    return np.array(values)


@exercise("06.3", "one chain of the loop under replacement",
          hints=("one-value-short", "fitted-on-real", "accumulated", "measured-training-set",
                 "sample-size", "own-model", "off-theory", "resampled-data"))
def replace_chain(fn) -> str:
    """Check ``fn(model, real, generations, measure, rng) -> array (generations + 1,)``."""
    what = f"replace_chain(Gaussian(ddof=0), real, {_G3}, np.var, rng)"
    rng = RecordingGenerator(4)

    def run(r):
        return call(fn, Gaussian(ddof=0), _REAL3.copy(), _G3, np.var, r)

    got = as_array(run(rng), what)
    if got.shape == (_G3,):
        raise Hint(f"{what} returned {_G3} values; there are {_G3 + 1}: generation 0 (fitted "
                   f"on the real data) and generations 1 to {_G3}.", id="one-value-short")
    if got.shape != (_G3 + 1,):
        raise Hint(f"{what} should return one value per generation, shape ({_G3 + 1},), got "
                   f"shape {got.shape}.", id="wrong-shape")
    counts = {d.count for d in rng.draws}
    if counts and counts != {len(_REAL3)}:
        raise Hint(f"{what} drew {sorted(counts)} points per generation; draw len(real) = "
                   f"{len(_REAL3)}, the size of the real sample, every generation.",
                   id="sample-size")
    if np.allclose(got, _chain(4)):
        return ("correct: each generation is fitted on the previous generation's samples "
                "only, and measured on its own samples.")
    mistakes = {
        "fitted-on-real": ("every generation is fitted on the real data, so nothing is "
                           "recursive: fit generation t on the samples of generation t − 1.",
                           _chain_variant(4, from_real=True)),
        "accumulated": ("your training set grows: that is accumulation. Under replacement each "
                        "generation trains on the previous generation's samples only.",
                        _chain_variant(4, accumulate=True)),
        "measured-training-set": ("you measured each generation's training set; measure the "
                                  "samples the fitted model draws (generation 0's value is "
                                  "then not the real data's).",
                                  _chain_variant(4, on_train=True)),
        "own-model": ("your chain fits a Gaussian with ddof=1, not the `model` it is given "
                      "(Gaussian(ddof=0) here): call model.fit(...) and model's sample, so the "
                      "loop works for any model.", _chain_variant(4, ddof=1)),
    }
    for hint_id, (text, wrong) in mistakes.items():
        if np.allclose(got, wrong):
            raise Hint(text, id=hint_id)
    require_rng_use(run, got, rng, what)
    require_parametric_draws(rng, what)
    if not same_stream(rng, lambda r: _chain_draws(r)):
        return _chain_in_law(fn)  # other random numbers (spawned generators, another order)
    raise Hint(f"{what} draws exactly our random numbers but does not give the values of the "
               f"loop fit → sample {len(_REAL3)} → measure the samples → use them as the next "
               "training set. Compare your loop with that order, one generation at a time.",
               id="wrong-value")


def _chain_draws(rng: np.random.Generator) -> None:
    """The reference chain's requests to ``rng`` (for same_stream)."""
    model, train = Gaussian(ddof=0), _REAL3
    for _ in range(_G3 + 1):
        train = model.fit(train).sample(len(_REAL3), rng)


def _chain_in_law(fn) -> str:
    """Another valid stream: E[log value at generation G] over many chains against the theory."""
    generations, chains = 10, 400
    logs = np.empty(chains)
    for i in range(chains):
        out = as_array(call(fn, Gaussian(ddof=0), _REAL3.copy(), generations, np.var,
                            np.random.default_rng(1000 + i)),
                       f"replace_chain(Gaussian(ddof=0), real, {generations}, np.var, rng)",
                       shape=(generations + 1,))
        if not out[-1] > 0:
            raise Hint("a measured variance came out zero or negative; the loop's variances "
                       "are positive.", id="wrong-value")
        logs[i] = np.log(out[-1])
    # values[G] is the variance of generation G's samples: G + 1 MLE refits after the real data
    want = float(np.log(np.var(_REAL3)) + theory.gaussian_log_var(generations + 1, len(_REAL3)))
    z = (logs.mean() - want) / (logs.std(ddof=1) / np.sqrt(chains))
    if abs(z) <= 4:
        return ("correct: your chains shrink as the replacement loop should (checked against "
                "the theory over many chains; your random numbers differ from ours, which is "
                "fine).")
    raise Hint(f"over {chains} chains of {generations} generations your mean log-variance at "
               f"the end is {logs.mean():.3f}; the replacement loop gives {want:.3f} on "
               "average. Fit each generation on the previous generation's samples only and "
               "measure the new samples.", id="off-theory")


# ---------------------------------------------------------------- 06.4 detection per chain

_VALUES4 = np.array([
    [1.00, 0.95, 0.90, 0.60, 0.40],   # leaves below at generation 3
    [1.00, 1.30, 0.97, 0.92, 0.88],   # above at generation 1
    [1.00, 0.92, 0.85, 0.80, 0.75],   # on the low edge at 2 (not outside), below at 3
    [0.70, 0.96, 0.93, 0.91, 0.90],   # generation 0 outside, never after
    [1.00, 1.20, 1.05, 0.70, 0.90],   # on the high edge at 1 (not outside), below at 3
])
_LOW4, _HIGH4 = 0.85, 1.2


def _alarms(values: np.ndarray, low: float, high: float, *, start: int = 1, shift: int = 0,
            below: bool = True, above: bool = True, low_edge: bool = False,
            high_edge: bool = False) -> list[int | None]:
    """The specified first alarms (defaults) and the likely variants."""
    out = []
    for chain in values:
        hits = [g + shift for g in range(start, len(chain))
                if (below and (chain[g] < low or (low_edge and chain[g] == low)))
                or (above and (chain[g] > high or (high_edge and chain[g] == high)))]
        out.append(hits[0] if hits else None)
    return out


def _generations(got, what: str) -> list[int | None]:
    """The learner's list as ints or None; floats, strings and bools are a hint, not coerced."""
    if not isinstance(got, (list, tuple)) or len(got) != len(_VALUES4):
        raise Hint(f"{what} should return a list with one entry per chain (row), here "
                   f"{len(_VALUES4)}, got {type(got).__name__}"
                   + (f" of length {len(got)}." if isinstance(got, (list, tuple)) else "."),
                   id="not-per-chain")
    for g in got:
        if g is not None and (isinstance(g, (bool, np.bool_))
                              or not isinstance(g, (int, np.integer))):
            raise Hint(f"{what} should hold generation numbers as ints (or None for no alarm); "
                       f"it holds {g!r} ({type(g).__name__}). Use int(g), or the index itself.",
                       id="wrong-type")
    return [None if g is None else int(g) for g in got]


@exercise("06.4", "the first alarm in each chain",
          hints=("counted-generation-zero", "off-by-one", "one-sided", "edge-counted",
                 "high-edge-counted", "not-per-chain"))
def first_alarms(fn) -> str:
    """Check ``fn(values, low, high) -> list`` of first generations >= 1 outside, or None."""
    what = f"first_alarms(values, {_LOW4}, {_HIGH4})"
    got = _generations(call(fn, _VALUES4.copy(), _LOW4, _HIGH4), what)
    want = _alarms(_VALUES4, _LOW4, _HIGH4)
    if got == want:
        return ("correct: per chain, the first generation after 0 strictly outside the band, "
                "or None.")

    def variant(**kwargs):
        return lambda: _alarms(_VALUES4, _LOW4, _HIGH4, **kwargs)

    diagnose(got, want, {
        "counted-generation-zero": (f"{what} returns 0 for a chain whose generation 0 is "
                                    "outside: generation 0 is the reference the band describes, "
                                    "so start looking at generation 1.", variant(start=0)),
        "off-by-one": (f"{what} is one generation early: values[g] belongs to generation g (if "
                       "you looped over values[1:], add 1).", variant(shift=-1)),
        "one-sided": (f"{what} only looks below the band: a value above `high` is an alarm too "
                      "(the second chain jumps to 1.30 at generation 1).", variant(above=False)),
        "edge-counted": (f"{what} counts a value equal to `low` as outside: the band includes "
                         "its edges, so only values < low or > high are alarms.",
                         variant(low_edge=True, high_edge=True)),
        "high-edge-counted": (f"{what} counts a value equal to `high` as outside: the task "
                              "fixes a band that includes its edges, so only values > high "
                              "(or < low) are alarms.", variant(high_edge=True)),
    }, same=lambda a, b: a == b)
    if got == _alarms(_VALUES4, _LOW4, _HIGH4, low_edge=True):
        raise Hint(f"{what} counts a value equal to `low` as outside: the band includes its "
                   "edges, so only values < low or > high are alarms.", id="edge-counted")
    raise Hint(f"{what} returned {got}; expected one entry per chain: the first generation "
               "g ≥ 1 with values[g] < low or values[g] > high, or None.", id="wrong-value")


# ---------------------------------------------------------------- 06.5 vocabulary

VOCABULARY = {
    "A": "Each generation is trained only on the samples of the generation before it.",
    "B": "Each generation is trained on the real data plus every earlier synthetic set.",
    "C": "The rare events and extreme values disappear before the bulk of the distribution "
         "changes.",
    "D": "The tails are lost while the mean and the typical samples still look right.",
    "E": "The spread of the whole distribution has shrunk and samples look alike.",
    "F": "A share of real data is kept in every generation's training set.",
    "G": "Synthetic samples enter training only if a check outside the loop accepts them.",
    "H": "How often a monitor raises an alarm when nothing has changed.",
}
ANSWERS = {"replacement": "A", "accumulation": "B", "tail-first": "C", "early collapse": "D",
           "late collapse": "E", "reservoir": "F", "verification": "G",
           "false-alarm rate": "H"}
_WHY = {
    "replacement": "replacement throws the previous training data away each generation.",
    "accumulation": "accumulation keeps everything, real data included, and adds to it.",
    "tail-first": "tail-first names WHICH part goes first: rare events and extremes.",
    "early collapse": "early collapse is the stage where only the tails are gone; the bulk "
                      "still looks fine, which is why it is easy to miss.",
    "late collapse": "late collapse is the visible stage: the whole distribution has narrowed.",
    "reservoir": "a reservoir keeps a share of real data in every training set.",
    "verification": "verification admits synthetic samples only if an external check "
                    "accepts them.",
    "false-alarm rate": "the false-alarm rate is about alarms when nothing changed.",
}


@exercise("06.5", "speak precisely", hints=tuple(f"confused-{k.replace(' ', '-')}"
                                                  for k in ANSWERS) + ("missing-terms",))
def vocabulary(fn) -> str:
    """Check ``fn() -> dict`` mapping each term to the letter of its definition."""
    got = call(fn)
    if not isinstance(got, dict):
        raise Hint(f"vocabulary() should return a dict {{term: letter}}, got "
                   f"{type(got).__name__}.", id="wrong-type")
    answers = {str(k).strip().lower(): str(v).strip().upper() for k, v in got.items()}
    missing = [term for term in ANSWERS if term not in answers]
    if missing:
        raise Hint(f"vocabulary() has no answer for {', '.join(missing)}: give a letter for "
                   "each of the eight terms.", id="missing-terms")
    wrong = [term for term in ANSWERS if answers[term] != ANSWERS[term]]
    if not wrong:
        return "correct: all eight terms matched to their definitions."
    term = wrong[0]
    more = f" ({len(wrong) - 1} more to revisit)" if len(wrong) > 1 else ""
    raise Hint(f"'{term}' is not {answers[term]}: {_WHY[term]}{more}",
               id=f"confused-{term.replace(' ', '-')}")


# ---------------------------------------------------------------- 06.6 the write-up

def _spread(median: float, low: float, high: float) -> dict[str, float]:
    return {"median": median, "low": low, "high": high}


def _alarm_counts(chains: int, first: tuple[int, int, float] | None) -> dict:
    low, high, median = first if first else (None, None, None)
    return {"chains": chains, "first_min": low, "first_max": high, "first_median": median}


def _measure(start, end, collapse, other=(0, None)):
    return {"start": start, "end": end, "change": end["median"] - start["median"],
            "collapse_side": _alarm_counts(*collapse), "other_side": _alarm_counts(*other)}


def _policy(kind, rho, tail, distance, train_end, real_points, compute, ratio):
    return {"policy": kind, "real_fraction": rho, "tail": tail, "distance": distance,
            "train_size_end": train_end, "real_points_in_training": real_points,
            "compute_points": compute, "compute_ratio": ratio}


_T0, _D0 = _spread(0.262, 0.199, 0.306), _spread(17.4, 16.8, 18.2)


def _apart(separated, first, until, chains, last, control_first, ends_apart, base_end,
           control_end) -> dict:
    return {"separated": separated, "from": first, "until": until, "baseline_chains": chains,
            "baseline_last": last, "control_first": control_first, "ends_apart": ends_apart,
            "baseline_end": list(base_end), "control_end": list(control_end)}

# A results dict shaped exactly like helpers.demonstrator's, with made-up numbers: the learner's
# write_up(results) must quote from whatever results it is given.
WRITE_UP_RESULTS = {
    "setting": {"data": "digits", "model": "gmm", "n_real": 1797, "n_train": 1258,
                "n_reference": 539, "generations": 10, "start_generation": 0, "seeds": 3,
                "first_seed": 0, "last_seed": 2, "baseline": "replace",
                "reference_share": 0.3, "split_seed": 0},
    "spread": {"min_max": True, "low": 0.0, "high": 1.0},
    "detection": {"null": "healthy retrain", "alpha_side": 0.01, "alpha": 0.02, "n_null": 99,
                  "familywise": 0.0956,
                  "band": {"tail": {"low": 0.135, "high": 0.469},
                           "distance": {"low": 16.3, "high": 31.0}},
                  "separation": {
                      "tail": {"accumulate": _apart(False, None, None, 3, 2, 1, True,
                                                    (0.006, 0.017), (0.055, 0.07)),
                               "reservoir:0.1": _apart(False, None, None, 3, 2, 1, False,
                                                       (0.006, 0.017), (0.011, 0.022))},
                      "distance": {"accumulate": _apart(True, 2, 3, 3, 2, None, True,
                                                        (80.2, 91.3), (28.7, 30.8)),
                                   "reservoir:0.1": _apart(False, None, None, 3, 2, 1, True,
                                                           (80.2, 91.3), (47.1, 53.2))}}},
    "policies": {
        "replace": _policy("replace", None,
                           _measure(_T0, _spread(0.011, 0.006, 0.017), (3, (1, 2, 2.0))),
                           _measure(_D0, _spread(84.8, 80.2, 91.3), (3, (1, 2, 1.0))),
                           1258, 1258, 13838, 1.0),
        "accumulate": _policy("accumulate", None,
                              _measure(_T0, _spread(0.061, 0.055, 0.07), (3, (2, 4, 3.0))),
                              _measure(_D0, _spread(29.4, 28.7, 30.8), (3, (4, 6, 5.0))),
                              13838, 13838, 83028, 6.0),
        "reservoir:0.1": _policy("reservoir", 0.1,
                                 _measure(_T0, _spread(0.017, 0.011, 0.022), (3, (1, 3, 1.0))),
                                 _measure(_D0, _spread(50.0, 47.1, 53.2), (3, (1, 2, 1.0))),
                                 1258, 2518, 13838, 1.0),
    },
}
SECTIONS = ("shows", "not_shows", "limits", "recommendation")
FORBIDDEN = (
    re.compile(r"synthetic data (always|inevitably|necessarily) (collapses|hurts|degrades|"
               r"causes collapse)", re.I),
    re.compile(r"(collapse|model collapse) is (inevitable|unavoidable)", re.I),
    re.compile(r"never (use|train on) synthetic data", re.I),
)
_CONTROL = (r"(accumulat\w*|verif\w*|(a |the )?(real[- ]data )?reservoirs?|mixing|a real "
            r"(share|fraction)|(fresh )?real data|(this|the|a|that) (control|policy))")
# (pattern, what is wrong). Rules (documented in the instructor notes of lesson 06):
# - a pessimistic or optimistic claim in a sentence that denies it ("does not show that collapse
#   is inevitable", "accumulation did not prevent it") is not a claim; the negation must come
#   before the claim in the same sentence;
# - "X prevents / stops / avoids collapse" passes only when the same sentence bounds it to the
#   run: it says "in this run" or "here" and quotes the run's number of generations and its
#   sample size or seeds from the results;
# - "synthetic data is safe", "proves", "cannot be avoided" never pass: no run of a few seeds
#   supports them, bounded or not.
_BOUND_IT = ("a control that 'prevents collapse' needs the measured conditions in the same "
             "sentence: 'in this run', the generations and the sample size or seeds")
OVERCLAIMS = (
    (FORBIDDEN[0], "one demonstrator shows one loop, not what synthetic data always does"),
    (FORBIDDEN[1], "whether collapse happens depends on the loop; say which loop you ran"),
    (FORBIDDEN[2], "the run shows a loop to avoid, not a ban on synthetic data"),
    (re.compile(r"\b(cannot|can ?not|can't|could not|couldn't) be (avoided|prevented|"
                r"stopped)|\bunavoidabl\w*|\binevitabl\w*", re.I),
     "whether collapse can be avoided depends on the loop; say which loop you ran"),
    (re.compile(r"\bsynthetic (data|samples?|images?|text) (is|are|was|were) (always |"
                r"perfectly |completely )?(safe|harmless|risk-free)\b", re.I),
     "a few chains of one small model cannot show that synthetic data is safe; say under which "
     "loop and real share the measures held, in the settings studied"),
    (re.compile(r"\b(prove[sdn]?|proving)\b", re.I),
     "a run with a few seeds shows or suggests; it does not prove"),
    (re.compile(_CONTROL + r"\b[^.;]*?\b(prevent|stop|avoid|eliminat|solv|rule[sd]? out)\w*"
                r"[^.;]*?\bcollapse", re.I), _BOUND_IT),
    (re.compile(r"\b(prevents|prevented|stops|stopped|eliminates|eliminated|solves|solved)\b"
                r"[^.;]*?\bcollapse", re.I), _BOUND_IT),
)
_NEGATION = re.compile(r"\b(not|no|never|nor|without|neither)\b|n't\b", re.I)
_BOUNDED = re.compile(r"\b(in this run|in these runs|here|in our run)\b", re.I)


def _sentence_at(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("; ", 0, start))
    right = min((i for i in (text.find(". ", end), text.find("; ", end)) if i >= 0),
                default=len(text) - 1)
    return text[left + 2 if left >= 0 else 0:right + 1].strip()


def _bounded(sentence: str, results: dict) -> bool:
    """Does ``sentence`` bound a claim to the run: 'in this run' and its generations plus its
    sample size or seeds, as numbers from ``results``?"""
    setting = results["setting"]
    written = set(numbers_in(sentence))
    sizes = {str(setting[k]) for k in ("n_real", "n_train", "seeds") if k in setting}
    return (bool(_BOUNDED.search(sentence)) and str(setting["generations"]) in written
            and bool(sizes & written))


def overclaim(text: str, results: dict = WRITE_UP_RESULTS) -> tuple[str, str] | None:
    """The first overclaiming sentence of ``text`` and what is wrong with it, or ``None``.

    >>> overclaim("Accumulation prevents collapse.")[0]
    'Accumulation prevents collapse.'
    >>> overclaim("It does not show that collapse is inevitable.") is None
    True
    >>> overclaim("In this run of 10 generations with 3 seeds, accumulation prevented the "
    ...           "collapse of the distance.") is None
    True
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    if not isinstance(results, dict):
        raise TypeError(f"results must be a dict of the run's results, got "
                        f"{type(results).__name__}")
    setting = results.get("setting")
    if not isinstance(setting, dict) or "generations" not in setting:
        raise ValueError("results must hold results['setting'], a dict with the run's "
                         "'generations' (and 'n_real', 'n_train' or 'seeds')")
    for pattern, why in OVERCLAIMS:
        for found in pattern.finditer(text):
            sentence = _sentence_at(text, found.start(), found.end())
            before = sentence[:max(0, sentence.find(found.group(0)))]
            if pattern is not FORBIDDEN[2] and _NEGATION.search(before):
                continue
            if why is _BOUND_IT and _bounded(sentence, results):
                continue
            return sentence, why
    return None


def _sentences(text: str) -> int:
    return len([s for s in re.split(r"[.!?](?:\s|$)", text.strip()) if len(s.split()) >= 3])


@exercise("06.6", "the write-up",
          hints=("missing-section", "too-short", "too-long", "overclaim", "number-not-measured",
                 "number-wrong-policy", "vague-policy-words"))
def write_up(fn) -> str:
    """Check ``fn(results) -> dict`` with the four learner sections of the report."""
    got = call(fn, WRITE_UP_RESULTS)
    if not isinstance(got, dict):
        raise Hint(f"write_up(results) should return a dict with the keys {', '.join(SECTIONS)},"
                   f" got {type(got).__name__}.", id="wrong-type")
    for key in SECTIONS:
        text = got.get(key)
        if not isinstance(text, str) or not text.strip():
            raise Hint(f"write_up(results) has no text for {key!r}: write it as a str.",
                       id="missing-section")
        if _sentences(text) < 2:
            raise Hint(f"the {key!r} section is under two sentences: say what and why.",
                       id="too-short")
        if len(text.split()) > 160:
            raise Hint(f"the {key!r} section has {len(text.split())} words; keep each under "
                       "160: a reader should take it in at a glance.", id="too-long")
        claim = overclaim(text)
        if claim:
            raise Hint(f"the {key!r} section says \"{claim[0]}\": {claim[1]}.", id="overclaim")
        strays = [t for t in unmeasured(text, WRITE_UP_RESULTS)
                  if not re.fullmatch(r"(19|20)\d\d", t)]  # years in citations are fine
        if strays:
            raise Hint(f"the {key!r} section quotes {strays[0]}, which is not in the results: "
                       "quote numbers from the results, rounded as shown.",
                       id="number-not-measured")
        wrong = mislabelled(text, WRITE_UP_RESULTS)
        if wrong:
            raise Hint(f"the {key!r} section says \"{wrong[0][1]}\", but {wrong[0][0]} is a "
                       "number of a policy that sentence does not name: put each number next to "
                       "the policy it was measured for.", id="number-wrong-policy")
    shows = got["shows"].lower()
    if not ("replace" in shows and "accumulat" in shows):
        raise Hint("the 'shows' section should name both loops it compares, replacement and "
                   "accumulation, rather than 'synthetic data' in general.",
                   id="vague-policy-words")
    return ("correct: four sections, each specific, quoting only measured numbers next to their "
            "policy, with no overclaim.")

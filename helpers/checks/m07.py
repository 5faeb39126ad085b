"""Checks for the exercises of notebook 07 (a small neural language model and decoding).

The reference for top-p is :func:`helpers.decoding.truncate`: the smallest set of most
probable tokens whose cumulative probability reaches p (the crossing token included),
sorted stably, renormalised.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from helpers import decoding
from helpers.checks.core import Hint, RecordingGenerator, as_array, as_float, call, close, exercise
from helpers.checks.shared import require_rng_use
from helpers.lm import ALPHABET, CharMLP, load_char_corpus

__all__ = ["nucleus", "top_p_sample", "perplexity", "one_generation"]


# ---------------------------------------------------------------- 07.1 the nucleus

# (probs, p): unsorted input; a sum that reaches p exactly (binary fractions); a tie
_NUCLEUS_CASES = [
    (np.array([0.1, 0.4, 0.2, 0.3]), 0.65),
    (np.array([0.25, 0.5, 0.125, 0.125]), 0.75),
    (np.array([0.05, 0.15, 0.3, 0.2, 0.3]), 0.5),
    (np.array([0.6, 0.25, 0.1, 0.05]), 0.99),
]


def _kept(ranked: np.ndarray, p: float, rule: str) -> np.ndarray:
    """Which of the ranked probabilities a (right or wrong) threshold rule keeps."""
    cum = np.cumsum(ranked)
    before = cum - ranked
    return {"right": before < p - decoding.TOLERANCE,
            "exclude-crossing": cum <= p + decoding.TOLERANCE,
            "one-more": before <= p + decoding.TOLERANCE}[rule]


def _nucleus_variant(probs: np.ndarray, p: float, *, rule: str = "right", sort: bool = True,
                     renormalise: bool = True) -> np.ndarray:
    order = np.argsort(-probs, kind="stable") if sort else np.arange(probs.size)
    keep = _kept(probs[order], p, rule)
    out = np.zeros_like(probs)
    out[order[keep]] = probs[order[keep]]
    return out / out.sum() if renormalise and out.sum() > 0 else out


_NUCLEUS_MISTAKES = (
    (dict(sort=False), "not-sorted",
     "your nucleus follows the tokens in index order: sort them by decreasing probability "
     "first (np.argsort(-probs, kind='stable')), then accumulate."),
    (dict(renormalise=False), "not-renormalised",
     "the kept probabilities must be divided by their sum, so that they sum to 1."),
    (dict(rule="exclude-crossing"), "crossing-token-excluded",
     "you stop before the token that crosses p: the nucleus is the smallest set whose "
     "cumulative probability *reaches* p, so the crossing token is in it."),
    (dict(rule="one-more"), "off-by-one-threshold",
     "you keep one token too many when the cumulative probability reaches p exactly: keep a "
     "token while the mass ranked above it is still below p (strictly)."),
)


@exercise("07.1", "the nucleus of a distribution",
          hints=("not-sorted", "not-renormalised", "crossing-token-excluded",
                 "off-by-one-threshold"))
def nucleus(fn: Callable) -> str:
    """Check ``fn(probs, p)`` -> the renormalised top-p distribution (same shape as probs)."""
    for probs, p in _NUCLEUS_CASES:
        what = f"nucleus({np.round(probs, 3).tolist()}, {p:g})"
        got = as_array(call(fn, probs.copy(), p), what, shape=probs.shape)
        expected = decoding.truncate(probs, top_p=p)
        if np.allclose(got, expected, atol=1e-9):
            continue
        for kwargs, hint_id, message in _NUCLEUS_MISTAKES:
            if np.allclose(got, _nucleus_variant(probs, p, **kwargs), atol=1e-9):
                raise Hint(f"{what}: {message}", id=hint_id)
        raise Hint(f"{what} returned {np.round(got, 4).tolist()}; expected "
                   f"{np.round(expected, 4).tolist()}.", id="wrong-value")
    return ("correct: most probable first, up to and including the token that reaches p, "
            "renormalised.")


# ---------------------------------------------------------------- 07.2 sampling from it

_SAMPLE_PROBS = np.array([0.02, 0.3, 0.08, 0.25, 0.05, 0.2, 0.1])
_SAMPLE_P = 0.8  # nucleus {1, 3, 5, 6}: 0.3 + 0.25 + 0.2 = 0.75 < 0.8, then 0.1 crosses
_SAMPLE_N = 4000


@exercise("07.2", "a top-p sampler", hints=("outside-nucleus", "wrong-frequencies"))
def top_p_sample(fn: Callable) -> str:
    """Check ``fn(probs, p, n, rng)`` -> n token ids drawn from the nucleus with ``rng``."""
    what = f"top_p_sample(probs, {_SAMPLE_P:g}, {_SAMPLE_N}, rng)"

    def run(rng: np.random.Generator) -> np.ndarray:
        return as_array(call(fn, _SAMPLE_PROBS.copy(), _SAMPLE_P, _SAMPLE_N, rng), what,
                        shape=(_SAMPLE_N,))

    recorded = RecordingGenerator(21)
    got = run(recorded)
    if np.any(got != np.round(got)) or got.min() < 0 or got.max() >= _SAMPLE_PROBS.size:
        raise Hint(f"{what} must return token ids, whole numbers in [0, "
                   f"{_SAMPLE_PROBS.size - 1}].", id="wrong-value")
    q = decoding.truncate(_SAMPLE_PROBS, top_p=_SAMPLE_P)
    outside = np.flatnonzero(q[got.astype(int)] == 0)
    if outside.size:
        raise Hint(f"{what} drew token {int(got[outside[0]])}, which is outside the nucleus "
                   f"{np.flatnonzero(q).tolist()}: draw from the truncated distribution "
                   "(your nucleus function), not from probs.", id="outside-nucleus")
    require_rng_use(run, got, recorded, what)
    freq = np.bincount(got.astype(int), minlength=q.size) / _SAMPLE_N
    se = np.sqrt(q * (1 - q) / _SAMPLE_N)
    if np.any(np.abs(freq - q) > 5 * se + 1e-12):
        raise Hint(f"the frequencies of your {_SAMPLE_N} draws, {np.round(freq, 3).tolist()}, "
                   f"are far from the nucleus distribution {np.round(q, 3).tolist()}: draw "
                   "each kept token with its renormalised probability "
                   "(rng.choice(len(q), size=n, p=q)).", id="wrong-frequencies")
    return "correct: every draw is in the nucleus, with the renormalised frequencies, from rng."


# ---------------------------------------------------------------- 07.3 perplexity


def _perplexity_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(70)
    probs = rng.dirichlet(np.full(len(ALPHABET), 0.5), size=(6, 10))
    windows = rng.integers(0, len(ALPHABET), size=(6, 10))
    return probs, windows


def _perplexity_variants(probs: np.ndarray, windows: np.ndarray) -> dict[str, float]:
    p = np.take_along_axis(probs, windows[..., None], axis=-1)[..., 0]
    nll = -np.log(p)
    return {"right": float(np.exp(nll.mean())),
            "no-exp": float(nll.mean()),
            "mean-of-perplexities": float(np.mean(np.exp(nll.mean(axis=1)))),
            "mixed-bases": float(np.exp(-np.log2(p).mean())),
            "inverse-mean-probability": float(1.0 / p.mean()),
            "most-probable-token": float(np.exp(-np.log(probs.max(axis=-1)).mean()))}


_PERPLEXITY_HINTS = {
    "no-exp": "you returned the mean negative log-likelihood (the cross-entropy); perplexity "
              "is its exponential, exp(mean(-log p)).",
    "mean-of-perplexities": "you averaged one perplexity per window; average -log p over every "
                            "character first, then take exp once.",
    "mixed-bases": "you mixed bases: -log2 p with exp. Use the natural log with exp (or log2 "
                   "with 2**).",
    "inverse-mean-probability": "1 / mean(p) is not perplexity: average the log-probabilities "
                                "(a geometric mean), exp(-mean(log p)).",
    "most-probable-token": "you scored the most probable character at each position; score the "
                           "character that actually comes next: probs[i, j, windows[i, j]].",
}


@exercise("07.3", "perplexity on held-out text", hints=tuple(_PERPLEXITY_HINTS))
def perplexity(fn: Callable) -> str:
    """Check ``fn(probs, windows)`` -> exp(mean -log probs[i, j, windows[i, j]])."""
    probs, windows = _perplexity_inputs()
    got = as_float(call(fn, probs.copy(), windows.copy()), "perplexity(probs, windows)")
    variants = _perplexity_variants(probs, windows)
    if close(got, variants["right"]):
        return ("correct: the exponential of the mean negative log-probability of the actual "
                "next characters.")
    for hint_id, message in _PERPLEXITY_HINTS.items():
        if close(got, variants[hint_id]):
            raise Hint(message, id=hint_id)
    raise Hint(f"perplexity(probs, windows) returned {got:.4g}; expected "
               f"{variants['right']:.4g}.", id="wrong-value")


# ---------------------------------------------------------------- 07.4 one generation


def _generation_inputs() -> tuple[CharMLP, np.ndarray]:
    return CharMLP(steps=15, top_p=0.8), load_char_corpus(n_train=24, n_heldout=1).train


@exercise("07.4", "one generation of the loop with a decoding",
          hints=("returned-training-set", "decoding-dropped", "wrong-size"))
def one_generation(fn: Callable) -> str:
    """Check ``fn(model, train, rng)`` -> a copy of model fitted on train, len(train) samples."""
    model, train = _generation_inputs()
    what = "one_generation(model, train, rng)"

    def run(rng: np.random.Generator) -> np.ndarray:
        return as_array(call(fn, copy.deepcopy(model), train.copy(), rng), what)

    recorded = RecordingGenerator(8)
    got = run(recorded)
    if got.ndim != 2 or got.shape[1] != train.shape[1]:
        raise Hint(f"{what} should return windows shaped like train, (n, {train.shape[1]}); "
                   f"got shape {got.shape}.", id="wrong-shape")
    if got.shape[0] != len(train):
        raise Hint(f"{what} returned {got.shape[0]} windows; the next training set replaces "
                   f"this one, so draw len(train) = {len(train)}.", id="wrong-size")
    if np.array_equal(got, train):
        raise Hint(f"{what} returned the training set itself: fit the model on it, then "
                   "return model.sample(len(train), rng).", id="returned-training-set")
    require_rng_use(run, got, recorded, what)
    fitted = copy.deepcopy(model).fit(train)
    if np.array_equal(got, fitted.sample(len(train), RecordingGenerator(8))):
        return ("correct: the model fitted on train generates the next training set with its "
                "own decoding, from rng.")
    plain = copy.deepcopy(fitted)
    plain.top_p = None
    if np.array_equal(got, plain.sample(len(train), RecordingGenerator(8))):
        raise Hint("your samples ignore the model's decoding (top_p): sample with the model you "
                   "were given, fitted on train, not with a new CharMLP().", id="decoding-dropped")
    raise Hint(f"{what} should equal model.fit(train).sample(len(train), rng) (a copy of the "
               "model you were given, fitted on train, sampled with rng).", id="wrong-value")

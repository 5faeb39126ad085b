"""A small neural language model over characters, with the course's model protocol.

:func:`load_char_corpus` cuts the bundled real English text (``helpers/corpora/``,
lower-cased words joined by single spaces, an alphabet of 28 characters: space,
apostrophe, a-z) into windows of character ids, with a held-out split.

:class:`CharMLP` is a neural language model in the style of Bengio et al. (2003):
each of the ``context`` previous characters is looked up in a learned embedding,
the embeddings are concatenated, pass through one ``tanh`` hidden layer, and a
softmax gives the probability of the next character. It is trained by full-batch
Adam on the cross-entropy, for a fixed number of steps from a seeded
initialisation, so the same data and ``seed`` give the same model. Training
works on the *distinct* contexts with their next-character counts (the
cross-entropy summed over the text equals the count-weighted sum over distinct
contexts), which is what makes a fit take a fraction of a second on one core.
``sample(n, rng)`` generates ``n`` windows character by character with the
decoding given at construction (:mod:`helpers.decoding`).

>>> corpus = load_char_corpus(n_train=40, n_heldout=10)
>>> lm = CharMLP(steps=30).fit(corpus.train)
>>> lm.sample(2, rng=0).shape
(2, 32)
>>> lm.perplexity(corpus.heldout) < len(ALPHABET)
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import Any, NamedTuple

import numpy as np

from helpers import decoding, validate
from helpers.data import _corpus_words, row_sampler
from helpers.loop import run_loop
from helpers.metrics import distinct_n, rare_category_recall
from helpers.models import _check_fitted, _Repr, _sample_size, _tokens
from helpers.validate import integer, real, rng_from

__all__ = ["ALPHABET", "CharCorpus", "load_char_corpus", "CharMLP", "TextMeasures",
           "text_measures", "DECODINGS", "POLICY_SETTINGS", "MEASURES", "LoopRuns", "loop_runs"]

ALPHABET = " 'abcdefghijklmnopqrstuvwxyz"  # id i is ALPHABET[i]; 0 is the space


@dataclass(frozen=True)
class CharCorpus:
    """Real text as windows of character ids: ``train`` and ``heldout``, int arrays (n, length).

    The held-out windows never overlap the training ones. ``decode(row)`` turns one
    window back into a string.
    """

    train: np.ndarray
    heldout: np.ndarray

    @staticmethod
    def decode(row: Any) -> str:
        """The string of one window of character ids.

        >>> CharCorpus.decode([9, 6, 13, 13, 16])
        'hello'
        """
        try:
            ids = np.asarray(row)
        except Exception:  # noqa: BLE001 -- an object whose conversion itself fails
            raise TypeError(f"row must be a 1-D array of character ids, got "
                            f"{type(row).__name__}") from None
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"row must be a 1-D array of character ids, got {ids.dtype} "
                            f"of shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(ALPHABET)):
            raise ValueError(f"row must hold ids in [0, {len(ALPHABET) - 1}]")
        return "".join(ALPHABET[i] for i in ids)


@lru_cache(maxsize=1)
def _char_ids() -> np.ndarray:
    text = " ".join(_corpus_words())
    lookup = np.full(128, -1, dtype=np.int64)
    lookup[[ord(c) for c in ALPHABET]] = np.arange(len(ALPHABET))
    ids = lookup[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    ids.setflags(write=False)
    return ids


def load_char_corpus(*, length: int = 32, n_train: int = 250,
                     n_heldout: int = 100) -> CharCorpus:
    """Windows of ``length`` characters of the bundled English text, for training and held out.

    The text (about 376,000 characters) is cut into consecutive windows; every
    fifth window is reserved for held-out use. ``n_train`` training windows and
    ``n_heldout`` held-out windows are taken evenly spaced over the whole text,
    so both cover every topic. No randomness: the same arguments give the same
    windows.

    >>> corpus = load_char_corpus(length=16, n_train=5, n_heldout=2)
    >>> corpus.train.shape, corpus.heldout.shape
    ((5, 16), (2, 16))
    """
    length = integer(length, "length", minimum=2, maximum=256)
    ids = _char_ids()
    windows = ids[: ids.size // length * length].reshape(-1, length)
    pool = {"train": windows[np.arange(len(windows)) % 5 != 4],
            "heldout": windows[np.arange(len(windows)) % 5 == 4]}
    n_train = integer(n_train, "n_train", minimum=1, maximum=len(pool["train"]))
    n_heldout = integer(n_heldout, "n_heldout", minimum=1, maximum=len(pool["heldout"]))

    def spread(rows: np.ndarray, k: int) -> np.ndarray:
        return rows[np.linspace(0, len(rows) - 1, k).round().astype(int)].copy()

    return CharCorpus(spread(pool["train"], n_train), spread(pool["heldout"], n_heldout))


# ---------------------------------------------------------------- the network


def _contexts(X: np.ndarray, context: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Every position's ``context`` previous ids (``pad`` before the window) and its id."""
    padded = np.concatenate([np.full((len(X), context), pad, dtype=np.int64), X], axis=1)
    L = X.shape[1]
    ctx = np.stack([padded[:, j:j + L] for j in range(context)], axis=-1)
    return ctx.reshape(-1, context), X.reshape(-1)


def forward(params: dict[str, np.ndarray], ctx: np.ndarray) -> tuple[np.ndarray, ...]:
    """Log-probabilities (m, V) of the next id after contexts ``ctx`` (m, context), with caches."""
    E = params["embedding"][ctx].reshape(len(ctx), -1)
    H = np.tanh(E @ params["W1"] + params["b1"])
    logits = H @ params["W2"] + params["b2"]
    logits = logits - logits.max(axis=1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return logp, E, H


def loss_and_grads(params: dict[str, np.ndarray], ctx: np.ndarray, counts: np.ndarray,
                   l2: float) -> tuple[float, dict[str, np.ndarray]]:
    """Mean cross-entropy per character (+ ``l2`` times the squared weights) and its gradients.

    ``ctx`` (U, context) are distinct contexts and ``counts`` (U, V) how often each
    id followed each of them; the loss is ``-sum(counts * log p) / counts.sum()``.
    """
    logp, E, H = forward(params, ctx)
    total = counts.sum()
    loss = -float(np.sum(counts * logp)) / total
    weights = ("embedding", "W1", "W2")
    loss += l2 * sum(float(np.sum(params[k] ** 2)) for k in weights)
    d_logits = (np.exp(logp) * counts.sum(axis=1, keepdims=True) - counts) / total
    grads = {"W2": H.T @ d_logits, "b2": d_logits.sum(axis=0)}
    d_pre = (d_logits @ params["W2"].T) * (1.0 - H**2)
    grads["W1"], grads["b1"] = E.T @ d_pre, d_pre.sum(axis=0)
    d_E = (d_pre @ params["W1"].T).reshape(ctx.shape + (-1,))
    rows = len(params["embedding"])
    onehot = np.zeros((len(ctx), rows))
    grads["embedding"] = np.zeros_like(params["embedding"])
    for j in range(ctx.shape[1]):  # scatter-add each position's gradient onto its embedding
        onehot[:] = 0.0
        onehot[np.arange(len(ctx)), ctx[:, j]] = 1.0
        grads["embedding"] += onehot.T @ d_E[:, j]
    for k in weights:
        grads[k] = grads[k] + 2.0 * l2 * params[k]
    return loss, grads


class CharMLP(_Repr):
    """Character-level neural language model (Bengio et al. 2003 style), trained by Adam.

    ``fit(X)`` takes windows of character ids, int array (n, length) with values in
    [0, 28) (``ALPHABET``), and trains from scratch: ``context`` previous characters
    (a padding id before the window starts), embeddings of size ``embed``, ``hidden``
    tanh units, ``steps`` full-batch Adam steps of size ``learning_rate``, weight decay
    ``l2``, initial weights drawn from ``seed``. ``sample(n, rng)`` returns (n, length)
    windows drawn with ``temperature``, ``top_k``, ``top_p`` (:func:`helpers.decoding.sample`,
    one uniform number per window and position from ``rng``). ``perplexity(X)`` is
    ``exp`` of the mean negative log-likelihood per character of windows ``X`` under
    the fitted (undecoded) model. Fitted: ``params_``, ``length_``, ``train_loss_``.

    >>> X = load_char_corpus(n_train=20, n_heldout=1).train
    >>> CharMLP(steps=5, top_p=0.9)
    CharMLP(steps=5, top_p=0.9)
    >>> CharMLP(steps=5).fit(X).sample(3, rng=1).shape
    (3, 32)
    """

    def __init__(self, context: int = 2, embed: int = 8, hidden: int = 48, *,
                 steps: int = 100, learning_rate: float = 0.05, l2: float = 1e-5,
                 temperature: float = 1.0, top_k: int | None = None,
                 top_p: float | None = None, seed: int = 0):
        self.context = integer(context, "context", minimum=1, maximum=8)
        self.embed = integer(embed, "embed", minimum=1, maximum=64)
        self.hidden = integer(hidden, "hidden", minimum=1, maximum=512)
        self.steps = integer(steps, "steps", minimum=1, maximum=10_000)
        self.learning_rate = real(learning_rate, "learning_rate", minimum=0.0,
                                  strict_min=True, maximum=1.0)
        self.l2 = real(l2, "l2", minimum=0.0, maximum=1.0)
        self.seed = integer(seed, "seed", minimum=0, maximum=2**32 - 1)
        self.temperature, self.top_k, self.top_p = temperature, top_k, top_p
        decoding.truncate(np.full(len(ALPHABET), 1.0 / len(ALPHABET)), temperature=temperature,
                          top_k=top_k, top_p=top_p)  # validates the decoding now

    def _init(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        V, D, H, k = len(ALPHABET), self.embed, self.hidden, self.context
        return {"embedding": rng.normal(0.0, 0.3, (V + 1, D)),
                "W1": rng.normal(0.0, 1.0 / np.sqrt(k * D), (k * D, H)), "b1": np.zeros(H),
                "W2": rng.normal(0.0, 1.0 / np.sqrt(H), (H, V)), "b2": np.zeros(V)}

    def fit(self, X: Any) -> CharMLP:
        """Train on windows ``X`` (n, length) of character ids, from the seeded initialisation."""
        X = _tokens(X, len(ALPHABET), ndim=2)
        V = len(ALPHABET)
        ctx, nxt = _contexts(X, self.context, pad=V)
        keys = ctx @ (V + 1) ** np.arange(self.context)
        distinct, inverse = np.unique(keys, return_inverse=True)
        counts = np.zeros((len(distinct), V))
        np.add.at(counts, (inverse.ravel(), nxt), 1.0)
        first = np.zeros(len(distinct), dtype=np.int64)
        first[inverse.ravel()[::-1]] = np.arange(len(ctx))[::-1]
        ctx = ctx[first]
        params = self._init()
        m = {k: np.zeros_like(v) for k, v in params.items()}
        s = {k: np.zeros_like(v) for k, v in params.items()}
        b1, b2, eps = 0.9, 0.999, 1e-8
        for step in range(1, self.steps + 1):
            _, grads = loss_and_grads(params, ctx, counts, self.l2)
            for k, g in grads.items():
                m[k] = b1 * m[k] + (1 - b1) * g
                s[k] = b2 * s[k] + (1 - b2) * g * g
                params[k] -= (self.learning_rate * (m[k] / (1 - b1**step))
                              / (np.sqrt(s[k] / (1 - b2**step)) + eps))
        self.params_ = params
        self.length_ = X.shape[1]
        self.train_loss_ = loss_and_grads(params, ctx, counts, 0.0)[0]
        return self

    def sample(self, n: int, rng: Any) -> np.ndarray:
        """Generate ``n`` windows (n, length_) of character ids with the model's decoding."""
        _check_fitted(self, "params_")
        n, rng = _sample_size(n), rng_from(rng, "rng")
        out = np.empty((n, self.length_), dtype=np.int64)
        ctx = np.full((n, self.context), len(ALPHABET), dtype=np.int64)
        for j in range(self.length_):
            probs = np.exp(forward(self.params_, ctx)[0])
            probs /= probs.sum(axis=1, keepdims=True)
            out[:, j] = decoding.sample(probs, rng, temperature=self.temperature,
                                        top_k=self.top_k, top_p=self.top_p)
            ctx = np.concatenate([ctx[:, 1:], out[:, j:j + 1]], axis=1)
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities (n, length, 28) of every character at every position of windows ``X``.

        Row ``[i, j]`` is the fitted (undecoded) distribution of character ``j`` of window
        ``i`` given the ``context`` characters before it.
        """
        _check_fitted(self, "params_")
        X = _tokens(X, len(ALPHABET), ndim=2)
        ctx, _ = _contexts(X, self.context, pad=len(ALPHABET))
        return np.exp(forward(self.params_, ctx)[0]).reshape(X.shape + (len(ALPHABET),))

    def perplexity(self, X: Any) -> float:
        """Per-character perplexity of windows ``X`` (n, length) under the fitted model.

        ``exp(-mean log p(x_j | previous context))`` over every character of ``X``; the
        decoding settings do not enter (it scores the model, not its sampler). 28 is
        a uniform guess over the alphabet; lower is better.
        """
        _check_fitted(self, "params_")
        X = _tokens(X, len(ALPHABET), ndim=2)
        ctx, nxt = _contexts(X, self.context, pad=len(ALPHABET))
        logp = forward(self.params_, ctx)[0]
        return float(np.exp(-np.mean(logp[np.arange(len(nxt)), nxt])))


# ---------------------------------------------------------------- measures of a generated corpus


class TextMeasures(NamedTuple):
    """What a generated corpus kept of the real one (:func:`text_measures`)."""

    rare_char_recall: float  # share of the real text's rare characters that still appear
    rare_word_recall: float  # share of the real text's rare word types that still appear
    distinct_4: float  # distinct character 4-grams / 4-grams (higher = more diverse)
    repetition: float  # 1 - word types / word tokens (higher = more repetitive)
    tail_mass: float  # share of the characters that are rare characters


def _words(windows: np.ndarray) -> list[str]:
    return " ".join(CharCorpus.decode(row) for row in windows).split()


def text_measures(samples: Any, real: Any, *, rare_char: float = 0.01,
                  rare_word: int = 2) -> TextMeasures:
    """Measure a generated corpus ``samples`` against the real text ``real`` (both (n, length)).

    Rare characters are those with frequency ``0 < f < rare_char`` in ``real`` (1%: the
    apostrophe, j, k, q, v, w, x, z in the bundled text); rare words are the word types seen
    at most ``rare_word`` times in ``real`` (words are split at spaces, so a word cut by a
    window's edge counts as it stands). Distinct-4 is
    :func:`helpers.metrics.distinct_n` on the character windows.

    >>> corpus = load_char_corpus(n_train=50, n_heldout=1)
    >>> text_measures(corpus.train, corpus.train).rare_char_recall
    1.0
    """
    samples = _tokens(samples, len(ALPHABET), ndim=2, name="samples")
    real = _tokens(real, len(ALPHABET), ndim=2, name="real")
    rare_char = validate.real(rare_char, "rare_char", minimum=0.0, strict_min=True, maximum=1.0)
    rare_word = integer(rare_word, "rare_word", minimum=1)
    freq = np.bincount(real.ravel(), minlength=len(ALPHABET)) / real.size
    rare = (freq > 0) & (freq < rare_char)
    if not rare.any():
        raise ValueError(f"rare_char={rare_char:g} selects no character of real; raise it")
    counts = np.bincount(samples.ravel(), minlength=len(ALPHABET))
    types, seen = np.unique(_words(real), return_counts=True)
    rare_words = set(types[seen <= rare_word].tolist())
    words = _words(samples)
    return TextMeasures(
        rare_char_recall=rare_category_recall(counts, freq, rare),
        rare_word_recall=len(rare_words & set(words)) / max(len(rare_words), 1),
        distinct_4=distinct_n(samples, 4) if samples.shape[1] >= 4 else 1.0,
        repetition=1.0 - len(set(words)) / len(words) if words else 1.0,
        tail_mass=float(counts[rare].sum() / samples.size),
    )


# ---------------------------------------------------------------- the loop under several decodings


DECODINGS = {"T = 1": {}, "T = 0.7": {"temperature": 0.7}, "top-p 0.9": {"top_p": 0.9}}
POLICY_SETTINGS = {"replace": {"policy": "replace"}, "accumulate": {"policy": "accumulate"},
                   "fresh 20%": {"policy": "fresh", "real_fraction": 0.2}}
MEASURES = ("perplexity",) + TextMeasures._fields
MAX_GENERATIONS, MAX_SEEDS = 100, 100  # each (decoding, policy, seed, generation) is one fit


@dataclass(frozen=True)
class LoopRuns:
    """The loop run for every decoding x policy x seed: ``values[measure]`` has shape
    ``(decodings, policies, seeds, generations + 1)`` (read-only). ``perplexity`` is the
    per-character perplexity of each generation's model on the held-out real windows; the
    other measures (:class:`TextMeasures`) are of each generation's generated corpus."""

    decodings: tuple[str, ...]
    policies: tuple[str, ...]
    seeds: tuple[int, ...]
    generations: int
    values: dict[str, np.ndarray]
    real: TextMeasures  # the measures of the real held-out windows, for reference
    last_text: dict[tuple[str, str], str]  # (decoding, policy) -> first seed's last window

    def at(self, measure: str, decoding: str, policy: str) -> np.ndarray:
        """``(seeds, generations + 1)`` values of one measure, decoding and policy."""
        measure = validate.one_of(measure, "measure", MEASURES)
        d = self.decodings.index(validate.one_of(decoding, "decoding", self.decodings))
        p = self.policies.index(validate.one_of(policy, "policy", self.policies))
        return self.values[measure][d, p]


def _fresh_sampler(length: int) -> Any:
    """``real_sampler(k, rng)``: k windows drawn from every training window of the text."""
    return row_sampler(load_char_corpus(length=length, n_train=len(_char_ids()) // length * 4 // 5,
                                        n_heldout=1).train)


_DECODING_ARGUMENTS = frozenset({"temperature", "top_k", "top_p"})
_POLICY_ARGUMENTS = frozenset({"policy", "real_fraction", "n_samples", "train_size"})


def _settings(given: Any, name: str, allowed: frozenset[str]) -> dict[str, dict]:
    """``given`` as a non-empty dict of str -> dict of arguments among ``allowed``."""
    if not isinstance(given, dict) or not given:
        raise TypeError(f"{name} must be a non-empty dict of name -> dict of arguments, "
                        f"got {type(given).__name__}")
    for key, value in given.items():
        if not isinstance(key, str) or not isinstance(value, dict):
            raise TypeError(f"{name} must map a str name to a dict of arguments")
        unknown = set(value) - allowed
        if unknown:
            raise ValueError(f"{name}[{key!r}] has unknown arguments {sorted(map(str, unknown))}"
                             f"; allowed: {sorted(allowed)}")
    return dict(given)


def _seeds(seeds: Any) -> tuple[int, ...]:
    """``seeds`` as a tuple of 1 to ``MAX_SEEDS`` non-negative int seeds."""
    if not isinstance(seeds, (Sequence, range, np.ndarray)) or isinstance(seeds, (str, bytes)):
        raise TypeError(f"seeds must be a sequence of int seeds, got {type(seeds).__name__}")
    try:
        given = tuple(islice(iter(seeds), MAX_SEEDS + 1))
    except Exception:  # noqa: BLE001 -- a sequence whose iteration itself fails
        raise TypeError("seeds must be a sequence of int seeds that can be read") from None
    if not 1 <= len(given) <= MAX_SEEDS:
        raise ValueError(f"seeds must hold 1 to {MAX_SEEDS} seeds")
    return tuple(integer(s, "seeds", minimum=0) for s in given)


def loop_runs(corpus: CharCorpus, *, generations: int = 5, seeds: Any = (0, 1, 2),
              decodings: dict[str, dict] | None = None,
              policies: dict[str, dict] | None = None,
              progress: Callable[[str], None] | None = None, **model: Any) -> LoopRuns:
    """Run :func:`helpers.loop.run_loop` with :class:`CharMLP` for each decoding and policy.

    ``decodings`` maps a name to ``CharMLP`` decoding arguments (default :data:`DECODINGS`),
    ``policies`` a name to ``run_loop`` policy arguments (default :data:`POLICY_SETTINGS`;
    ``"fresh"`` draws fresh real windows from the whole training part of the text);
    ``model`` holds further ``CharMLP`` arguments. Each run starts from ``corpus.train``.
    ``progress(message)``, if given, is called before each decoding x policy setting.
    """
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be callable or None, got {type(progress).__name__}")
    if not isinstance(corpus, CharCorpus):
        raise TypeError(f"corpus must be a CharCorpus, got {type(corpus).__name__}")
    decodings = _settings(DECODINGS if decodings is None else decodings, "decodings",
                          _DECODING_ARGUMENTS)
    policies = _settings(POLICY_SETTINGS if policies is None else policies, "policies",
                         _POLICY_ARGUMENTS)
    generations = integer(generations, "generations", minimum=0, maximum=MAX_GENERATIONS)
    seeds = _seeds(seeds)
    sampler = _fresh_sampler(corpus.train.shape[1])
    shape = (len(decodings), len(policies), len(seeds), generations + 1)
    values = {m: np.empty(shape) for m in MEASURES}
    last_text: dict[tuple[str, str], str] = {}
    names, names_p = list(decodings), list(policies)
    for d, decode in enumerate(decodings.values()):
        template = CharMLP(**model, **decode)
        for p, setting in enumerate(policies.values()):
            if progress is not None:
                progress(f"run {d * len(policies) + p + 1}/{len(decodings) * len(policies)}: "
                         f"{names[d]}, {names_p[p]}")
            extra = {"real_sampler": sampler} if setting.get("policy") == "fresh" else {}
            history = run_loop(template, corpus.train, generations=generations, seeds=seeds,
                               keep_samples=True, **setting, **extra,
                               model_metrics={"perplexity":
                                              lambda m: m.perplexity(corpus.heldout)})
            values["perplexity"][d, p] = history.metrics["perplexity"]
            last_text[names[d], names_p[p]] = CharCorpus.decode(history.samples[0, -1, 0])
            for s in range(len(seeds)):
                for g in range(generations + 1):
                    got = text_measures(history.samples[s, g], corpus.train)
                    for name, value in zip(TextMeasures._fields, got, strict=True):
                        values[name][d, p, s, g] = value
    for arr in values.values():
        arr.setflags(write=False)
    return LoopRuns(tuple(decodings), tuple(policies), seeds, generations, values,
                    text_measures(corpus.heldout, corpus.train), last_text)

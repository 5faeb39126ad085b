"""Real data and reference samples: the starting point of every recursive loop.

Nothing here downloads anything: the handwritten digits ship with scikit-learn,
and the token data are generated from a fixed, documented random process.

>>> images, labels = load_digits()
>>> images.shape, labels.shape
((1797, 64), (1797,))
>>> zipf_corpus(50, 4, 6, seed=0).shape
(4, 6)
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import sklearn.datasets

from helpers.validate import elements, integer, positive_int, real, rng_from

__all__ = ["load_digits", "zipf_probs", "zipf_tokens", "zipf_corpus", "gaussian_sample"]


@lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    images, labels = sklearn.datasets.load_digits(return_X_y=True)
    return images.astype(float), labels.astype(np.int64)


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """Return the 1,797 handwritten 8x8 digits bundled with scikit-learn (no download).

    Returns ``(images, labels)``: ``images`` has shape ``(1797, 64)`` with grey
    levels in [0, 16] (row-major 8x8 pixels), ``labels`` has shape ``(1797,)``
    with the digit 0-9. Fresh copies are returned, so changing them is safe.

    >>> images, labels = load_digits()
    >>> float(images.max()), int(labels.max())
    (16.0, 9)
    """
    images, labels = _digits()
    return images.copy(), labels.copy()


def zipf_probs(k: int, exponent: float) -> np.ndarray:
    """Return the Zipf probabilities ``p_i`` proportional to ``i**(-exponent)``, i = 1..k.

    Shape ``(k,)``, sums to 1, non-increasing (strictly decreasing if ``exponent > 0``).
    Index 0 holds the most frequent category.

    >>> zipf_probs(3, 1.0).round(3)
    array([0.545, 0.273, 0.182])
    """
    k = positive_int(k, "k")
    exponent = real(exponent, "exponent", minimum=0.0)
    weights = np.arange(1, k + 1, dtype=float) ** (-exponent)
    return weights / weights.sum()


def zipf_tokens(n: int, vocab_size: int, *, exponent: float = 1.5, seed=0) -> np.ndarray:
    """Draw ``n`` i.i.d. tokens from a Zipf distribution over ``vocab_size`` categories.

    Returns an int array of shape ``(n,)`` with values in ``[0, vocab_size)``;
    token 0 is the most frequent (see :func:`zipf_probs`). ``seed`` is an int or
    a ``numpy.random.Generator``.

    >>> zipf_tokens(5, 1000, seed=0).shape
    (5,)
    """
    n = positive_int(n, "n")
    vocab_size = positive_int(vocab_size, "vocab_size")
    p = zipf_probs(vocab_size, exponent)
    return rng_from(seed).choice(p.size, size=n, p=p)


def zipf_corpus(vocab_size: int, n_sentences: int, length: int, *, exponent: float = 1.1,
                seed=0) -> np.ndarray:
    """Generate a small tokenised corpus with bigram structure.

    The generator is a random first-order Markov chain over ``vocab_size``
    tokens:

    * the first token of every sentence is Zipf-distributed over the
      vocabulary (token 0 most frequent), ``p_i`` proportional to ``i**(-exponent)``;
    * every token ``v`` has its own random ranking of the vocabulary (a random
      permutation, fixed by ``seed``); the next token is the token of rank
      ``r`` in that ranking, where ``r`` is Zipf-distributed with the same
      exponent. So every row of the transition matrix is the same Zipf
      vector, permuted differently, and every transition has positive
      probability (the true chain has no dead ends).

    Returns an int array of shape ``(n_sentences, length)`` with values in
    ``[0, vocab_size)``. With the defaults, 300 sentences of 20 tokens over a
    500-word vocabulary hold about 4,500 distinct bigrams out of 5,700.

    >>> corpus = zipf_corpus(500, 300, 20, seed=0)
    >>> corpus.shape, int(corpus.min()) >= 0, int(corpus.max()) < 500
    ((300, 20), True, True)
    """
    vocab_size = integer(vocab_size, "vocab_size", minimum=2)
    elements(vocab_size**2, "vocab_size")  # one ranking of the vocabulary per token
    n_sentences = positive_int(n_sentences, "n_sentences")
    length = positive_int(length, "length")
    elements(n_sentences * length, "length")
    p = zipf_probs(vocab_size, exponent)
    rng = rng_from(seed)
    ranking = rng.permuted(np.tile(np.arange(vocab_size), (vocab_size, 1)), axis=1)
    corpus = np.empty((n_sentences, length), dtype=np.int64)
    corpus[:, 0] = rng.choice(vocab_size, size=n_sentences, p=p)
    for j in range(1, length):
        ranks = rng.choice(vocab_size, size=n_sentences, p=p)
        corpus[:, j] = ranking[corpus[:, j - 1], ranks]
    return corpus


def gaussian_sample(n: int, mu: float = 0.0, sigma: float = 1.0, *, dim: int | None = None,
                    seed=0) -> np.ndarray:
    """Draw a reference sample from N(mu, sigma^2).

    Shape ``(n,)`` if ``dim`` is None, else ``(n, dim)`` with independent
    coordinates (covariance ``sigma**2 * I``). ``seed``: int or ``numpy.random.Generator``.

    >>> gaussian_sample(3, seed=0).shape, gaussian_sample(3, dim=2, seed=0).shape
    ((3,), (3, 2))
    """
    n = positive_int(n, "n")
    mu = real(mu, "mu")
    sigma = real(sigma, "sigma", minimum=0.0)
    shape = (n,) if dim is None else (n, positive_int(dim, "dim"))
    elements(np.prod(shape, dtype=float), "dim" if dim is not None else "n")
    return rng_from(seed).normal(mu, sigma, size=shape)

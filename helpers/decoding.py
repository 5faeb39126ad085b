"""Decoding: temperature, top-k and top-p (nucleus) sampling, in one place.

A language model gives, at each position, a probability vector over the
vocabulary; *decoding* is the rule that turns it into a token. Three settings,
applied in this order (the order of common libraries):

1. **temperature** ``T > 0``: ``p_i ** (1/T)``, renormalised (``T < 1``
   sharpens, ``T > 1`` flattens, ``T = 1`` leaves ``p`` unchanged);
2. **top_k** ``k``: keep the ``k`` most probable tokens, renormalised;
3. **top_p** ``p`` (nucleus): keep the *smallest* set of most probable tokens
   whose cumulative probability (after steps 1 and 2) reaches ``p``, the token
   that crosses ``p`` included (a cumulative sum within ``TOLERANCE`` of ``p``
   counts as reaching it), renormalised. Ties are broken by a *stable* sort on
decreasing probability: among equally probable tokens the lower index comes
first. A token outside the kept set has probability exactly 0, so a model
refitted on its own decoded output can never bring it back.

:func:`truncate` returns the decoded distribution (used by the sampler and by
:func:`helpers.theory.unigram_truncation`); :func:`sample` draws from it.

>>> truncate([0.5, 0.3, 0.2], top_p=0.7).round(3).tolist()
[0.625, 0.375, 0.0]
>>> truncate([0.5, 0.3, 0.2], top_k=1).tolist()
[1.0, 0.0, 0.0]
>>> int(sample([0.5, 0.3, 0.2], rng=0, top_p=0.5))
0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from helpers.models import _tempered  # temperature's one home: p^(1/T) in log space
from helpers.validate import elements, finite_array, integer, real, rng_from

__all__ = ["TOLERANCE", "truncate", "sample"]

TOLERANCE = 1e-12  # a cumulative sum this close to top_p counts as reaching it
_SUM_TOLERANCE = 1e-6  # how far a row of probs may sum from 1


def _probs(probs: Any) -> np.ndarray:
    """``probs`` as a float array (V,) or (m, V) of non-negative rows summing to 1."""
    arr = finite_array(probs, "probs", ndim=(1, 2))
    if arr.shape[-1] == 0:
        raise ValueError(f"probs must have at least one token (last axis), got shape {arr.shape}")
    elements(arr.size, "probs")
    if np.any(arr < 0):
        raise ValueError("probs must not contain negative probabilities")
    sums = arr.sum(axis=-1)
    bad = np.abs(sums - 1.0) > _SUM_TOLERANCE
    if np.any(bad):
        first = float(np.atleast_1d(sums)[np.argmax(np.atleast_1d(bad))])
        raise ValueError(f"probs must sum to 1 along the last axis (within {_SUM_TOLERANCE:g}), "
                         f"got a sum of {first:.6g}")
    return arr


def _settings(temperature: Any, top_k: Any, top_p: Any,
              vocab: int) -> tuple[float, int | None, float | None]:
    temperature = real(temperature, "temperature", minimum=0.0, strict_min=True, maximum=1e3)
    if top_k is not None:
        top_k = integer(top_k, "top_k", minimum=1, maximum=vocab)
    if top_p is not None:
        top_p = real(top_p, "top_p", minimum=0.0, strict_min=True, maximum=1.0)
    return temperature, top_k, top_p


def truncate(probs: Any, *, temperature: float = 1.0, top_k: int | None = None,
             top_p: float | None = None) -> np.ndarray:
    """The decoded distribution: temperature, then top-k, then top-p, renormalised.

    ``probs``: one probability vector (V,) or a batch (m, V), rows summing to 1.
    ``temperature`` in (0, 1000]; ``top_k`` in [1, V] or ``None`` (no limit);
    ``top_p`` in (0, 1] or ``None`` (no nucleus). Returns an array of the same
    shape whose rows sum to 1; see the module docstring for the tie and
    threshold conventions.

    >>> truncate([0.2, 0.4, 0.4], top_p=0.4).tolist()  # the tie goes to the lower index
    [0.0, 1.0, 0.0]
    >>> truncate([0.25, 0.25, 0.5], temperature=0.5).round(3).tolist()
    [0.167, 0.167, 0.667]
    """
    p = _probs(probs)
    temperature, top_k, top_p = _settings(temperature, top_k, top_p, p.shape[-1])
    q = np.atleast_2d(_tempered(p, temperature))
    if top_k is not None or top_p is not None:
        order = np.argsort(-q, axis=1, kind="stable")
        ranked = np.take_along_axis(q, order, axis=1)
        if top_k is not None:
            ranked[:, top_k:] = 0.0
            ranked /= ranked.sum(axis=1, keepdims=True)
        if top_p is not None:
            before = np.cumsum(ranked, axis=1) - ranked  # mass of the tokens ranked above
            keep = before < top_p - TOLERANCE
            keep[:, 0] = True  # the most probable token always (a top_p below TOLERANCE)
            ranked = np.where(keep, ranked, 0.0)
        kept = np.zeros_like(q)
        np.put_along_axis(kept, order, ranked, axis=1)
        q = kept / kept.sum(axis=1, keepdims=True)
    return q.reshape(p.shape)


def sample(probs: Any, rng: Any, *, temperature: float = 1.0, top_k: int | None = None,
           top_p: float | None = None) -> int | np.ndarray:
    """Draw one token per probability vector after decoding (see :func:`truncate`).

    ``probs`` (V,) gives an ``int``; ``probs`` (m, V) gives an int array (m,),
    one token per row. ``rng`` (an int seed or a ``numpy.random.Generator``)
    supplies one uniform number per row (inverse-CDF sampling), so the same
    generator state gives the same tokens; a token with decoded probability 0
    is never drawn.

    >>> sample([[0.9, 0.1], [0.0, 1.0]], rng=0).tolist()
    [0, 1]
    """
    q = truncate(probs, temperature=temperature, top_k=top_k, top_p=top_p)
    rng = rng_from(rng, "rng")
    rows = np.atleast_2d(q)
    cdf = np.cumsum(rows, axis=1)
    u = rng.random(len(rows)) * cdf[:, -1]
    # the first index whose cumulative mass exceeds u; zero-probability tokens never qualify
    # (their cdf equals their predecessor's); clipping guards u at the top edge in float
    tokens = np.minimum((cdf <= u[:, None]).sum(axis=1), rows.shape[1] - 1)
    last = rows.shape[1] - 1 - np.argmax(rows[:, ::-1] > 0, axis=1)  # last kept token
    tokens = np.minimum(tokens, last)
    return int(tokens[0]) if q.ndim == 1 else tokens.astype(np.int64)

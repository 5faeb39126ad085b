"""A classification loop with a verifier (lesson 04; the setting of Feng et al. 2024, our design).

Each chain has a true direction ``w*`` (a random unit vector in d dimensions); real
examples are ``x ~ N(0, I_d)`` with labels ``sign(w* . x)``. The model is a *centroid
classifier*, ``w = mean(y x)`` over its training set, and its test error is exact:
``angle(w, w*) / pi``. Generation 0 is fitted on ``n`` real examples. Generation
``t >= 1`` is fitted on ``n`` synthetic examples: fresh inputs labelled by model
``t - 1``, each label flipped with probability ``flip`` (the generator's mistakes).

A **verifier** is a centroid classifier frozen after training once on ``verifier_size``
real examples. A **gate** ``gate(X, y, is_real, verifier) -> mask`` decides which
examples enter the training set (:func:`agrees_with_verifier`: real examples always,
synthetic ones only where the verifier agrees with the label). The gate is applied by the
course's verification step, :func:`helpers.policies.verified`: rejected examples are
dropped, so a gated training set is smaller than ``n``.

>>> run = classification_loop(5, 50, seed=0)
>>> run.error.shape
(6, 50)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import policies
from helpers.validate import (
    as_array,
    bounded_array,
    finite_array,
    fraction,
    function,
    integer,
    one_of,
    positive_int,
    rng_from,
    shown,
)

__all__ = ["MODES", "ClassificationRun", "centroid", "classification_error", "agrees_with_verifier",
           "classification_loop", "classification_loops"]

MODES = ("synthetic", "real")
Gate = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]


@dataclass(frozen=True, eq=False)
class ClassificationRun:
    """Result of :func:`classification_loop`; arrays have shape (generations + 1, chains).

    ``error[t, c]``: test error of chain c's generation-t model; ``train_size[t, c]``:
    examples it was fitted on; ``drawn[t, c]``: examples generated for it (``n``, or 0 for
    generation 0 and real-data runs); ``verifier_error[c]``: test error of chain c's verifier.
    """

    error: np.ndarray
    train_size: np.ndarray
    drawn: np.ndarray
    verifier_error: np.ndarray


def _examples(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` (n, d) or (chains, n, d) and its labels ``y`` (one +-1 per example), checked."""
    X = bounded_array(X, "X", ndim=(2, 3))
    if 0 in X.shape:
        raise ValueError(f"X must hold at least one example of at least one feature, "
                         f"got shape {X.shape}")
    y = finite_array(y, "y", ndim=(1, 2))
    if y.shape != X.shape[:-1]:
        raise ValueError(f"y must hold one label per example of X: shape {X.shape[:-1]}, "
                         f"got {y.shape}")
    if not np.all(np.abs(y) == 1.0):
        raise ValueError("y must hold labels -1 or +1")
    return X, y


def centroid(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Centroid classifier ``mean(y x)``; X has shape (n, d) or (chains, n, d), y (n,) or
    (chains, n) in {-1, +1}.

    >>> centroid(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, -1.0]))
    array([ 0.5, -0.5])
    """
    return _centroid(*_examples(X, y))


def _centroid(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.einsum("...n,...nd->...d", y, X) / X.shape[-2]


def classification_error(w: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    """Exact test error of ``sign(w . x)`` for ``x ~ N(0, I)``: ``angle(w, w*) / pi``.

    ``w`` and ``w_star`` are weight vectors (d,) or one per chain (chains, d); a zero
    vector has error 0.5 (it guesses).

    >>> float(classification_error(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    0.5
    """
    w = bounded_array(w, "w", ndim=(1, 2))
    w_star = bounded_array(w_star, "w_star", ndim=(1, 2))
    try:
        np.broadcast_shapes(w.shape, w_star.shape)
    except ValueError:
        raise ValueError(f"w and w_star must have the same number of features (and of "
                         f"chains), got shapes {w.shape} and {w_star.shape}") from None
    return _error(w, w_star)


def _error(w: np.ndarray, w_star: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(w, axis=-1) * np.linalg.norm(w_star, axis=-1)
    cos = np.einsum("...d,...d->...", w, w_star) / np.where(norms > 0, norms, 1.0)
    return np.arccos(np.clip(cos, -1.0, 1.0)) / np.pi


def agrees_with_verifier(X: np.ndarray, y: np.ndarray, is_real: np.ndarray,
             verifier: np.ndarray) -> np.ndarray:
    """The verification gate: keep every real example, and a synthetic one if the verifier
    (a weight vector, predicting ``sign(verifier . x)``) gives it the same label.

    Shapes: ``X`` (n, d), ``y`` and ``is_real`` (n,), ``verifier`` (d,); or one of each per
    chain, with a leading axis of chains.

    >>> X, y = np.array([[1.0], [1.0]]), np.array([-1.0, -1.0])
    >>> agrees_with_verifier(X, y, np.array([True, False]), np.array([1.0])).tolist()
    [True, False]
    """
    X, y = _examples(X, y)
    is_real = as_array(is_real, "is_real", "a boolean array")
    if is_real.dtype != bool or is_real.shape != y.shape:
        raise TypeError(f"is_real must be a boolean array of shape {y.shape} (one entry per "
                        f"example of X), got {is_real.dtype} of shape {is_real.shape}")
    verifier = bounded_array(verifier, "verifier", ndim=(1, 2))
    if verifier.shape != X.shape[:-2] + X.shape[-1:]:
        raise ValueError(f"verifier must be a weight vector per chain of X, shape "
                         f"{X.shape[:-2] + X.shape[-1:]}, got {verifier.shape}")
    return is_real | (np.sign(np.einsum("...nd,...d->...n", X, verifier)) == y)


def _gated_centroid(gate: Gate, X: np.ndarray, y: np.ndarray, is_real: np.ndarray,
                    verifier: np.ndarray) -> tuple[np.ndarray | None, int]:
    """One chain's examples through the verification step; (centroid or None, kept).

    The step gates the examples' indices; the loop makes the gate's arrays read-only."""
    kept, _ = policies.verified(np.arange(len(y)),
                                lambda _: gate(X, y, is_real, verifier))
    if len(kept) == 0:
        return None, 0
    return _centroid(X[kept], y[kept]), len(kept)


def classification_loop(generations: int, chains: int, *, d: int = 20, n: int = 200,
                        flip: float = 0.1, data: str = "synthetic", gate: Gate | None = None,
                        verifier_size: int = 200, seed: int | np.random.Generator = 0
                        ) -> ClassificationRun:
    """Run the verified classification loop for many chains at once (module docstring).

    ``data="real"`` fits every generation on ``n`` fresh real examples instead (the
    reference); ``gate=None`` admits every synthetic example (no verification). The
    gate is called once per chain and generation with ``X`` (n, d), ``y`` (n,),
    ``is_real`` (n,) and the chain's verifier (d,). Memory grows like ``chains * n * d``.

    >>> run = classification_loop(3, 20, gate=agrees_with_verifier, seed=1)
    >>> bool(run.train_size[1:].max() <= 200)
    True
    """
    return classification_loops(generations, chains, {"run": gate}, d=d, n=n, flip=flip,
                                data=data, verifier_size=verifier_size, seed=seed)["run"]


def _check_gates(gates: Any, data: str) -> None:
    if not isinstance(gates, Mapping) or not gates:
        raise TypeError(f"gates must be a non-empty dict of name -> gate or None, "
                        f"got {type(gates).__name__}")
    for name, gate in gates.items():
        if gate is not None:
            function(gate, f"gate {shown(name)} of gates", "gate(X, y, is_real, verifier) -> mask")
        if gate is not None and data == "real":
            raise ValueError("gate is not used with data='real'; leave it as None")


def _refit(gate: Gate | None, X: np.ndarray, flipped: np.ndarray, w: np.ndarray,
           sizes: np.ndarray, is_real: np.ndarray, verifier: np.ndarray) -> np.ndarray:
    """One generation of one gate's chains: label X with the current models ``w`` (flips
    applied), gate, refit; ``sizes`` (one per chain) receives the training-set sizes."""
    y = np.where(np.einsum("cnd,cd->cn", X, w) >= 0, 1.0, -1.0)
    y[flipped] *= -1.0
    y.flags.writeable = False
    if gate is None:
        return _centroid(X, y)
    for c in range(len(X)):
        w_c, sizes[c] = _gated_centroid(gate, X[c], y[c], is_real, verifier[c])
        if w_c is not None:  # nothing kept: the model stays as it was
            w[c] = w_c
    return w


def classification_loops(generations: int, chains: int, gates: Mapping[str, Gate | None], *,
                         d: int = 20, n: int = 200, flip: float = 0.1, data: str = "synthetic",
                         verifier_size: int = 200, seed: int | np.random.Generator = 0
                         ) -> dict[str, ClassificationRun]:
    """:func:`classification_loop` for several gates on one random stream, in one pass.

    Every gate (``None``: no verification) sees the same true directions, real examples,
    verifier, synthetic inputs and label flips, so the runs differ only by their gate, and
    each equals ``classification_loop(..., gate=gate, seed=seed)`` run alone.

    >>> runs = classification_loops(3, 20, {"verified": agrees_with_verifier, "not": None})
    >>> alone = classification_loop(3, 20, gate=agrees_with_verifier)
    >>> bool(np.array_equal(runs["verified"].error, alone.error))
    True
    """
    generations = integer(generations, "generations", minimum=0, maximum=10_000)
    chains = positive_int(chains, "chains")
    d = integer(d, "d", minimum=2, maximum=10_000)
    n = integer(n, "n", minimum=1)
    if chains * n * d > 50_000_000:
        raise ValueError(f"chains * n * d must be <= 50,000,000 to fit in memory, "
                         f"got {chains * n * d:,}")
    flip = fraction(flip, "flip")
    data = one_of(data, "data", MODES)
    _check_gates(gates, data)
    verifier_size = integer(verifier_size, "verifier_size", minimum=1, maximum=1_000_000)
    rng = rng_from(seed)

    w_star = rng.standard_normal((chains, d))
    w_star /= np.linalg.norm(w_star, axis=1, keepdims=True)

    def real(k: int) -> tuple[np.ndarray, np.ndarray]:
        X = rng.standard_normal((chains, k, d))
        return X, np.where(np.einsum("cnd,cd->cn", X, w_star) >= 0, 1.0, -1.0)

    first = _centroid(*real(n))
    verifier = _centroid(*real(verifier_size))
    verifier.flags.writeable = False  # a gate that edits what it is shown fails at once
    shape = (generations + 1, chains)
    w = {name: first.copy() for name in gates}
    error = {name: np.empty(shape) for name in gates}
    train_size = {name: np.full(shape, n) for name in gates}
    drawn = np.zeros(shape, dtype=int)
    for name in gates:
        error[name][0] = _error(first, w_star)
    is_real = np.zeros(n, dtype=bool)
    is_real.flags.writeable = False
    for t in range(1, generations + 1):
        if data == "real":
            fitted = _centroid(*real(n))
            for name in gates:
                w[name] = fitted
                error[name][t] = _error(fitted, w_star)
            continue
        X = rng.standard_normal((chains, n, d))
        X.flags.writeable = False
        flipped = rng.random((chains, n)) < flip
        drawn[t] = n
        for name, gate in gates.items():
            w[name] = _refit(gate, X, flipped, w[name], train_size[name][t], is_real, verifier)
            error[name][t] = _error(w[name], w_star)
    verifier_error = _error(verifier, w_star)
    return {name: ClassificationRun(error=error[name], train_size=train_size[name],
                                    drawn=drawn.copy(), verifier_error=verifier_error.copy())
            for name in gates}

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

import csv
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import sklearn.datasets

from helpers.validate import (
    data_points,
    elements,
    finite_array,
    integer,
    positive_int,
    real,
    rng_from,
)

__all__ = [
    "load_digits",
    "zipf_probs",
    "zipf_tokens",
    "zipf_corpus",
    "gaussian_sample",
    "TextCorpus",
    "load_text_corpus",
    "row_sampler",
    "load_csv",
    "real_data_columns",
]


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


# ---------------------------------------------------------------- real text

_CORPUS_FILE = Path(__file__).parent / "corpora" / "python_reference.txt"
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
OTHER = "<other>"


@dataclass(frozen=True)
class TextCorpus:
    """Word-level real text, cut into fixed-length windows of word ids.

    ``windows`` is an int array ``(n_windows, length)``; id ``i`` is ``vocab[i]``,
    ids are ranked by frequency (0 = most frequent) and the last id is
    ``"<other>"``, standing for every word outside the ``len(vocab) - 1`` most
    frequent ones. ``n_words`` and ``n_types`` describe the whole text.
    """

    windows: np.ndarray
    vocab: tuple[str, ...]
    n_words: int
    n_types: int

    def decode(self, row: Any) -> str:
        """Turn one window of ids back into words.

        >>> corpus = load_text_corpus(length=5, vocab_size=50)
        >>> len(corpus.decode(corpus.windows[0]).split())
        5
        """
        try:
            ids = np.asarray(row)
        except Exception:  # noqa: BLE001 -- ragged, nested too deeply, or a broken object
            raise TypeError(f"row must be a 1-D array of word ids, got "
                            f"{type(row).__name__}") from None
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"row must be a 1-D array of word ids, got {ids.dtype} "
                            f"of shape {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.vocab)):
            raise ValueError(f"row must hold ids in [0, {len(self.vocab) - 1}]")
        return " ".join(self.vocab[i] for i in ids)


@lru_cache(maxsize=1)
def _corpus_words() -> tuple[str, ...]:
    return tuple(_WORD.findall(_CORPUS_FILE.read_text(encoding="utf-8").lower()))


def load_text_corpus(*, length: int = 12, vocab_size: int = 1000) -> TextCorpus:
    """Load the bundled real English text as word-id windows for an n-gram model.

    The text is the *Python Language Reference* topic pages frozen from CPython
    3.11.7 (``helpers/corpora/``: about 64,000 words, 3,100 word types after
    lower-casing; PSF licence). Words are lower-cased runs of letters (with an
    apostrophe part, as in ``don't``); the text is cut into consecutive,
    non-overlapping windows of ``length`` words, 2 to 64. ``vocab_size``
    (2 to 4,000) counts the ids: the ``vocab_size - 1`` most frequent words
    and ``"<other>"`` for all the rest (when ``vocab_size`` exceeds the
    number of types, the vocabulary is just every type plus ``"<other>"``).

    >>> corpus = load_text_corpus(length=12, vocab_size=1000)
    >>> corpus.windows.shape[1], len(corpus.vocab), corpus.vocab[-1]
    (12, 1000, '<other>')
    """
    length = integer(length, "length", minimum=2, maximum=64)
    vocab_size = integer(vocab_size, "vocab_size", minimum=2, maximum=4000)
    words = _corpus_words()
    types, counts = np.unique(np.array(words), return_counts=True)
    order = np.lexsort((types, -counts))  # most frequent first, ties alphabetical
    kept = [str(w) for w in types[order][: vocab_size - 1]]
    vocab = tuple(kept) + (OTHER,)
    index = {w: i for i, w in enumerate(kept)}
    other = len(kept)
    ids = np.fromiter((index.get(w, other) for w in words), dtype=np.int64, count=len(words))
    n_windows = ids.size // length
    return TextCorpus(ids[: n_windows * length].reshape(n_windows, length), vocab,
                      len(words), int(types.size))


def row_sampler(pool: Any) -> Callable[[int, np.random.Generator], np.ndarray]:
    """``sampler(k, rng)``: ``k`` distinct rows of ``pool``, drawn at random.

    A fresh real sample from a finite population (the windows of a text): a
    healthy retrain's data and the ``fresh`` policy's real rows. Asking for
    more rows than ``pool`` holds is a ``ValueError`` naming ``k``.

    >>> draw = row_sampler(np.arange(10))
    >>> draw(3, np.random.default_rng(0)).shape
    (3,)
    """
    rows = data_points(pool, "pool")

    def sampler(k: int, rng: np.random.Generator) -> np.ndarray:
        k = integer(k, "k", minimum=0, maximum=len(rows))
        return rows[rng_from(rng).choice(len(rows), size=k, replace=False)]

    return sampler


# ---------------------------------------------------------------- the learner's own data

MAX_CSV_BYTES = 50 * 2**20
_MISSING = {"", "na", "n/a", "nan", "null", "none", "-", "?"}


def load_csv(path: Any, *, min_rows: int = 20, max_problems: int = 3) -> np.ndarray:
    """Load a numeric CSV file (one row per point, one column per feature) for the loop.

    The first line is a header when any of its cells is not a number. Every
    other cell must be a number. Problems are collected and reported together
    in one ``ValueError`` that says exactly what is wrong and where: missing
    values (empty, ``NA``, ``nan``, ...), columns holding text, rows of the
    wrong length, fewer than ``min_rows`` data rows; then a constant or collinear column
    (:func:`real_data_columns`). Returns a float array of
    shape ``(rows, columns)``. Files over 50 MiB are refused before reading.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "points.csv"
    >>> _ = f.write_text("x,y\\n" + "\\n".join(f"{i},{i * i % 7}" for i in range(30)))
    >>> load_csv(f).shape
    (30, 2)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file path (str or pathlib.Path), "
                        f"got {type(path).__name__}")
    min_rows = integer(min_rows, "min_rows", minimum=1, maximum=10**6)
    max_problems = integer(max_problems, "max_problems", minimum=1, maximum=100)
    path = _csv_file(Path(path))
    rows = _csv_rows(path)
    header = rows[0] if not all(_is_number(c) for c in rows[0]) else None
    data = rows[1:] if header is not None else rows
    width = len(header) if header is not None else len(rows[0])
    names = ([h.strip() or f"column {j + 1}" for j, h in enumerate(header)] if header
             else [f"column {j + 1}" for j in range(width)])
    problems = _csv_problems(data, names, 2 if header is not None else 1, max_problems)
    if len(data) < min_rows:
        problems.append(f"only {len(data)} data row(s); the loop needs at least {min_rows}")
    if problems:
        raise ValueError(f"{path.name}: " + " | ".join(problems))
    values = np.array([[float(c) for c in row] for row in data], dtype=float)
    try:
        return real_data_columns(values, names)
    except ValueError as error:
        raise ValueError(f"{path.name}: {error}") from None


def _csv_file(path: Path) -> Path:
    """``path`` if it is a regular file of at most :data:`MAX_CSV_BYTES`."""
    try:
        is_file = path.is_file()
    except OSError as error:  # e.g. a name too long for the file system
        raise ValueError(f"path: cannot use {str(path)[:80]!r} ({error.strerror})") from None
    if not is_file:
        raise ValueError(f"path: no file at {path.name[:80]!r} (looked in "
                         f"{str(path.parent)[:200]})")
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ValueError(f"path: {path.name} is {path.stat().st_size / 2**20:.0f} MiB; "
                         "files up to 50 MiB are accepted")
    return path


def _csv_rows(path: Path) -> list[list[str]]:
    """The non-blank rows of a UTF-8 CSV file (at least one)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise ValueError(f"{path.name} is not UTF-8 text: save it as a UTF-8 CSV file") from None
    except csv.Error as error:
        raise ValueError(f"{path.name} is not a readable CSV file ({error})") from None
    if not rows:
        raise ValueError(f"{path.name} is empty: it needs a header line and numeric rows")
    return rows


def _csv_problems(data: list[list[str]], names: list[str], first_line: int,
                  max_problems: int) -> list[str]:
    """What is wrong with the data rows: wrong lengths, missing values, text columns."""
    width = len(names)
    problems: list[str] = []
    ragged = [first_line + i for i, row in enumerate(data) if len(row) != width]
    if ragged:
        problems.append(f"{len(ragged)} row(s) do not have {width} values "
                        f"(first: line {ragged[0]})")
    missing, text = [], {}
    for i, row in enumerate(data):
        for j, cell in enumerate(row[:width]):
            value = cell.strip()
            if value.lower() in _MISSING:
                missing.append(f"line {first_line + i}, {names[j]}")
            elif not _is_number(value) and j not in text:
                text[j] = (value, first_line + i)
    if missing:
        shown = "; ".join(missing[:max_problems])
        more = f" and {len(missing) - max_problems} more" if len(missing) > max_problems else ""
        problems.append(f"{len(missing)} missing value(s) ({shown}{more}): "
                        "drop or fill those rows")
    for j, (value, line) in sorted(text.items()):
        problems.append(f"column {names[j]!r} holds text ({value[:20]!r} on line {line}): "
                        "keep only numeric columns")
    return problems


def real_data_columns(values: Any, names: Any = None) -> np.ndarray:
    """``values`` (rows = points, columns = features) as a float array, after refusing
    columns that carry no information of their own: a constant column, or one that is a
    linear combination of the columns before it (collinear). On such data a fitted
    Gaussian is singular and the tail measures read exactly 0.

    ``names`` labels the columns in the message (default ``column 1``, ``column 2``, ...).

    >>> real_data_columns([[0.0, 1.0], [1.0, 0.5], [2.0, 3.0]]).shape
    (3, 2)
    >>> real_data_columns([[0.0, 2.0], [1.0, 4.0], [2.0, 6.0]], ["x", "y"])
    Traceback (most recent call last):
    ...
    ValueError: column 'y' of values is a linear combination of column 'x' (collinear): drop it
    """
    data = finite_array(values, "values", ndim=2, min_len=2)
    width = data.shape[1]
    if width < 1:
        raise ValueError("values must have at least one column")
    if names is None:
        names = [f"column {j + 1}" for j in range(width)]
    elif (not isinstance(names, (list, tuple)) or len(names) != width
          or not all(isinstance(n, str) for n in names)):
        raise TypeError(f"names must be a list of {width} column names (str), got "
                        f"{type(names).__name__}")
    labels = [n if n.startswith("column ") else f"column {n!r}" for n in names]
    centred = data - data.mean(axis=0)
    scale = np.abs(centred).max(axis=0)
    basis: list[np.ndarray] = []  # orthonormal, spanning the informative columns so far
    kept: list[int] = []
    for j in range(width):
        if scale[j] <= 1e-12 * max(1.0, float(np.abs(data[:, j]).max())):
            raise ValueError(f"{labels[j]} of values is constant ({data[0, j]:g} on every "
                             "row): it carries no information; drop it")
        column = centred[:, j] / np.linalg.norm(centred[:, j])
        residual = column - sum((b @ column) * b for b in basis) if basis else column
        if np.linalg.norm(residual) < 1e-6:  # collinear up to a CSV's rounding
            others = ", ".join(labels[k] for k in kept)
            raise ValueError(f"{labels[j]} of values is a linear combination of {others} "
                             "(collinear): drop it")
        basis.append(residual / np.linalg.norm(residual))
        kept.append(j)
    return data


def _is_number(cell: str) -> bool:
    try:
        return math.isfinite(float(cell))
    except ValueError:
        return False

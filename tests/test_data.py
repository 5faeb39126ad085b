"""Tests for helpers.data: bundled digits, Zipf vocabularies and corpora, reference samples."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import gaussian_sample, load_digits, zipf_corpus, zipf_probs, zipf_tokens


def test_load_digits_shape_range_and_copies():
    images, labels = load_digits()
    assert images.shape == (1797, 64) and labels.shape == (1797,)
    assert images.dtype == float and np.issubdtype(labels.dtype, np.integer)
    assert images.min() == 0.0 and images.max() == 16.0
    assert set(np.unique(labels)) == set(range(10))
    images[:] = -1.0  # the caller's copy may be changed without affecting the next call
    assert load_digits()[0].min() == 0.0


@pytest.mark.parametrize("k, exponent", [(1, 1.0), (10, 0.5), (1000, 1.5), (50, 3.0)])
def test_zipf_probs_sums_to_one_and_decreases(k, exponent):
    p = zipf_probs(k, exponent)
    assert p.shape == (k,)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(np.diff(p) < 0)
    i = np.arange(1, k + 1)
    np.testing.assert_allclose(p / p[0], i ** (-exponent))


def test_zipf_probs_exponent_zero_is_uniform():
    np.testing.assert_allclose(zipf_probs(4, 0.0), 0.25)


def test_zipf_expected_categories_lost_matches_reference():
    # REFERENCES.md section 1: K=1000, exponent 1.5, M=1000 -> sum (1 - p_i)^M = 881.7
    p = zipf_probs(1000, 1.5)
    assert np.sum((1 - p) ** 1000) == pytest.approx(881.7, abs=0.05)


def test_zipf_tokens_frequencies_follow_zipf():
    tokens = zipf_tokens(200_000, 20, exponent=1.2, seed=1)
    assert tokens.shape == (200_000,) and tokens.min() >= 0 and tokens.max() < 20
    p = zipf_probs(20, 1.2)
    freq = np.bincount(tokens, minlength=20) / tokens.size
    se = np.sqrt(p * (1 - p) / tokens.size)
    assert np.all(np.abs(freq - p) < 4 * se)


def test_zipf_corpus_shape_range_and_reproducibility():
    corpus = zipf_corpus(500, 300, 20, seed=0)
    assert corpus.shape == (300, 20) and np.issubdtype(corpus.dtype, np.integer)
    assert corpus.min() >= 0 and corpus.max() < 500
    np.testing.assert_array_equal(corpus, zipf_corpus(500, 300, 20, seed=0))
    assert not np.array_equal(corpus, zipf_corpus(500, 300, 20, seed=1))


def test_zipf_corpus_default_diversity_matches_reference_corpus():
    # REFERENCES.md section 1 describes a corpus with distinct-2 = 0.792 (4512 types).
    corpus = zipf_corpus(500, 300, 20, seed=0)
    pairs = corpus[:, :-1] * 500 + corpus[:, 1:]
    assert 0.75 < np.unique(pairs).size / pairs.size < 0.83


def test_zipf_corpus_rows_are_permuted_zipf():
    vocab, exponent = 8, 1.3
    corpus = zipf_corpus(vocab, 4000, 30, exponent=exponent, seed=3)
    p = zipf_probs(vocab, exponent)
    first = np.bincount(corpus[:, 0], minlength=vocab) / len(corpus)
    assert np.all(np.abs(first - p) < 4 * np.sqrt(p * (1 - p) / len(corpus)))
    prev, nxt = corpus[:, :-1].ravel(), corpus[:, 1:].ravel()
    for token in range(vocab):
        successors = nxt[prev == token]
        freq = np.sort(np.bincount(successors, minlength=vocab))[::-1] / successors.size
        assert np.all(np.abs(freq - p) < 4 * np.sqrt(p * (1 - p) / successors.size) + 0.01)


def test_gaussian_sample_shapes_moments_and_seed():
    x = gaussian_sample(50_000, mu=2.0, sigma=3.0, seed=5)
    assert x.shape == (50_000,)
    assert abs(x.mean() - 2.0) < 4 * 3.0 / np.sqrt(x.size)
    assert abs(x.std() - 3.0) < 4 * 3.0 / np.sqrt(2 * x.size)
    assert gaussian_sample(10, dim=3, seed=0).shape == (10, 3)
    np.testing.assert_array_equal(gaussian_sample(5, seed=np.random.default_rng(7)),
                                  gaussian_sample(5, seed=7))


@pytest.mark.parametrize("call, name", [
    (lambda: zipf_probs(0, 1.0), "k"),
    (lambda: zipf_probs(5, -1.0), "exponent"),
    (lambda: zipf_probs(5, float("nan")), "exponent"),
    (lambda: zipf_corpus(1, 3, 3), "vocab_size"),
    (lambda: zipf_corpus(5, 0, 3), "n_sentences"),
    (lambda: zipf_corpus(5, 3, 2.5), "length"),
    (lambda: zipf_tokens(-1, 5), "n"),
    (lambda: gaussian_sample(5, sigma=-1.0), "sigma"),
    (lambda: gaussian_sample(5, dim=0), "dim"),
    (lambda: gaussian_sample(5, seed=-3), "seed"),
])
def test_bad_arguments_name_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=name):
        call()


_anything = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                      st.text(max_size=3), st.lists(st.integers(-2, 2), max_size=3))


@settings(max_examples=50, deadline=None)
@given(k=_anything, exponent=_anything, n=_anything)
def test_random_bad_inputs_raise_only_value_or_type_errors(k, exponent, n):
    for call in (lambda: zipf_probs(k, exponent), lambda: zipf_corpus(k, n, n, exponent=exponent),
                 lambda: gaussian_sample(n, sigma=exponent)):
        try:
            out = call()
        except (ValueError, TypeError):
            continue
        assert np.all(np.isfinite(out))

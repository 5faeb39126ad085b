"""Tests for helpers.models: the fit / sample protocol and its properties."""

import itertools
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from helpers.data import load_digits, zipf_corpus, zipf_tokens
from helpers.models import (
    KDE,
    BigramLM,
    Categorical,
    DigitsGenerator,
    Gaussian,
    GaussianMixtureModel,
    GenerativeModel,
    _digits_classifier_estimator,
    digits_classifier,
)

RNG = np.random.default_rng(12345)


def _bigram_types(X, V):
    return set(np.unique(X[:, :-1] * V + X[:, 1:]).tolist())


def _all_models():
    return [Gaussian(ddof=0), Categorical(5), BigramLM(5), GaussianMixtureModel(), KDE(),
            DigitsGenerator()]


# ---------------------------------------------------------------- protocol


@pytest.mark.parametrize("model", _all_models(), ids=lambda m: type(m).__name__)
def test_every_model_follows_the_protocol_and_refuses_to_sample_unfitted(model):
    assert isinstance(model, GenerativeModel)
    with pytest.raises(NotFittedError, match="fit"):
        model.sample(3, 0)
    assert issubclass(NotFittedError, ValueError)


# ---------------------------------------------------------------- Gaussian


def test_gaussian_recovers_parameters_on_a_large_sample():
    n = 200_000
    X = RNG.normal(3.0, 2.0, size=n)
    g = Gaussian(ddof=0).fit(X)
    assert abs(g.mean_ - 3.0) < 4 * 2.0 / np.sqrt(n)
    assert abs(g.var_ - 4.0) < 4 * 4.0 * np.sqrt(2 / n)
    S = g.sample(n, 1)
    assert S.shape == (n,)
    assert abs(S.mean() - g.mean_) < 4 * 2.0 / np.sqrt(n)


@pytest.mark.parametrize("ddof", [0, 1])
def test_gaussian_ddof_is_exact(ddof):
    X = RNG.normal(size=7)
    assert Gaussian(ddof=ddof).fit(X).var_ == pytest.approx(np.var(X, ddof=ddof), rel=1e-12)
    Y = RNG.normal(size=(9, 3))
    np.testing.assert_allclose(Gaussian(ddof=ddof).fit(Y).cov_,
                               np.cov(Y, rowvar=False, ddof=ddof), rtol=1e-12)


def test_ddof_changes_the_variance_by_n_over_n_minus_1():
    X = RNG.normal(size=10)
    assert Gaussian(ddof=1).fit(X).var_ / Gaussian(ddof=0).fit(X).var_ == pytest.approx(10 / 9)


def test_multivariate_gaussian_recovers_covariance_and_keeps_dimension():
    cov = np.array([[2.0, 0.8], [0.8, 1.0]])
    X = RNG.multivariate_normal([1.0, -1.0], cov, size=100_000)
    g = Gaussian(ddof=0).fit(X)
    np.testing.assert_allclose(g.mean_, [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(g.cov_, cov, atol=0.04)
    S = g.sample(100_000, 2)
    assert S.shape == (100_000, 2)
    np.testing.assert_allclose(np.cov(S, rowvar=False), cov, atol=0.04)
    assert Gaussian(ddof=0).fit(X[:, :1]).sample(4, 0).shape == (4, 1)


def test_gaussian_scale_shrinks_the_sampled_spread():
    g = Gaussian(ddof=0).fit(RNG.normal(size=1000))
    S = g.sample(100_000, 0)
    T = Gaussian(ddof=0, scale=0.5).fit(RNG.normal(size=1000)).sample(100_000, 0)
    assert np.var(T) / np.var(S) == pytest.approx(0.25, rel=0.05)
    g2 = Gaussian(ddof=0, scale=0.8).fit(RNG.normal(size=(1000, 2)))
    np.testing.assert_allclose(np.cov(g2.sample(100_000, 0), rowvar=False), 0.64 * g2.cov_,
                               atol=0.03)


def test_gaussian_samples_from_a_singular_covariance():
    g = Gaussian(ddof=0).fit([[0.0, 0.0, 0.0], [1.0, 2.0, 3.0]])  # rank 1
    S = g.sample(50, 0)
    assert S.shape == (50, 3) and np.all(np.isfinite(S))
    np.testing.assert_allclose(S[:, 1], 2 * S[:, 0], atol=1e-9)


def test_gaussian_refit_with_other_dimensionality_drops_stale_attributes():
    g = Gaussian(ddof=0).fit(RNG.normal(size=(5, 2)))
    g.fit(RNG.normal(size=5))
    assert not hasattr(g, "cov_") and g.sample(3, 0).shape == (3,)


def test_same_rng_same_samples_for_seed_or_generator():
    g = Gaussian(ddof=0).fit(RNG.normal(size=10))
    np.testing.assert_array_equal(g.sample(5, 3), g.sample(5, np.random.default_rng(3)))
    assert not np.array_equal(g.sample(5, 3), g.sample(5, 4))


# ---------------------------------------------------------------- tokens


def test_categorical_fits_frequencies_and_smoothing():
    m = Categorical(4).fit([0, 0, 1, 3])
    np.testing.assert_allclose(m.probs_, [0.5, 0.25, 0.0, 0.25])
    s = Categorical(4, smoothing=1.0).fit([0, 0, 1, 3])
    np.testing.assert_allclose(s.probs_, np.array([3, 2, 1, 2]) / 8)
    big = Categorical(3).fit(RNG.choice(3, size=100_000, p=[0.6, 0.3, 0.1]))
    np.testing.assert_allclose(big.probs_, [0.6, 0.3, 0.1], atol=0.01)


@pytest.mark.parametrize("temperature", [0.5, 1.0, 2.0])
def test_categorical_support_never_grows_under_self_refitting(temperature):
    for seed in range(5):
        rng = np.random.default_rng(seed)
        tokens = zipf_tokens(300, 200, seed=rng)
        support = np.unique(tokens)
        model = Categorical(200, temperature=temperature)
        for _ in range(10):
            tokens = model.fit(tokens).sample(300, rng)
            new_support = np.unique(tokens)
            assert set(new_support) <= set(support)
            support = new_support


def test_categorical_smoothing_lets_the_support_grow():
    m = Categorical(50, smoothing=1.0).fit([0] * 10)
    assert np.unique(m.sample(2000, 0)).size > 1


def test_temperature_below_one_concentrates():
    tokens = zipf_tokens(5000, 100, exponent=1.1, seed=0)
    cold = Categorical(100, temperature=0.5).fit(tokens)
    warm = Categorical(100).fit(tokens)
    top = np.argmax(warm.probs_)
    assert np.mean(cold.sample(20_000, 0) == top) > np.mean(warm.sample(20_000, 0) == top) + 0.1
    corpus = zipf_corpus(200, 200, 15, seed=0)
    d2 = [len(_bigram_types(BigramLM(200, temperature=t).fit(corpus).sample(200, 0), 200))
          for t in (0.5, 1.0)]
    assert d2[0] < 0.8 * d2[1]


def test_extreme_temperature_keeps_only_the_mode():
    m = Categorical(3, temperature=1e-3).fit([0, 0, 0, 1, 1, 2])
    assert set(np.unique(m.sample(500, 0))) == {0}


def test_bigram_fit_counts():
    lm = BigramLM(3).fit([[0, 1, 2], [0, 2, 2], [1, 1, 2]])
    np.testing.assert_allclose(lm.start_probs_, [2 / 3, 1 / 3, 0])
    np.testing.assert_array_equal(lm.bigram_counts_, [[0, 1, 1], [0, 1, 2], [0, 0, 1]])
    np.testing.assert_allclose(lm.transition_probs_[1], [0, 1 / 3, 2 / 3])


def test_bigram_types_and_start_tokens_never_grow_over_10_generations():
    V = 100
    for seed, temperature in itertools.product(range(3), (0.7, 1.0, 1.5)):
        rng = np.random.default_rng(seed)
        X = zipf_corpus(V, 80, 12, seed=seed)
        types, starts = _bigram_types(X, V), set(X[:, 0].tolist())
        model = BigramLM(V, temperature=temperature)
        for _ in range(10):
            X = model.fit(X).sample(80, rng)
            assert X.shape == (80, 12)
            assert _bigram_types(X, V) <= types and set(X[:, 0].tolist()) <= starts
            types, starts = _bigram_types(X, V), set(X[:, 0].tolist())


def test_bigram_dead_end_rule_equals_rejection_of_incomplete_sentences():
    # Token 2 is only ever seen at the end of a sentence: a dead end.
    train = [[0, 0, 0, 0], [0, 0, 1, 2], [1, 1, 0, 2], [1, 0, 1, 2]]
    lm = BigramLM(3).fit(train)
    assert lm.transition_probs_[2].sum() == 0  # the dead end
    start, P, L = lm.start_probs_, lm.transition_probs_, 4
    # exact law of "sample from the chain, redraw sentences that hit a dead end"
    law = {}
    for seq in itertools.product(range(3), repeat=L):
        p = start[seq[0]] * np.prod([P[a, b] for a, b in zip(seq, seq[1:], strict=False)])
        if p > 0:
            law[seq] = p
    total = sum(law.values())
    n = 40_000
    S = lm.sample(n, 0)
    seen = {}
    for row in map(tuple, S.tolist()):
        seen[row] = seen.get(row, 0) + 1
    assert set(seen) <= set(law)
    assert {seq[-1] for seq in seen} == {0, 1, 2}  # 2 can end a sentence, never start a step
    for seq, p in law.items():
        q = p / total
        assert abs(seen.get(seq, 0) / n - q) < 4 * np.sqrt(q * (1 - q) / n) + 1e-9


def test_bigram_sampling_is_reproducible_and_keeps_length():
    lm = BigramLM(50).fit(zipf_corpus(50, 40, 7, seed=2))
    np.testing.assert_array_equal(lm.sample(30, 9), lm.sample(30, 9))
    assert lm.sample(1, 0).shape == (1, 7)


# ---------------------------------------------------------------- scikit-learn adapters


def test_gmm_recovers_separated_components():
    X = np.r_[RNG.normal(-5, 1, 3000), RNG.normal(5, 0.5, 1000)]
    g = GaussianMixtureModel(2).fit(X)
    order = np.argsort(g.means_[:, 0])
    np.testing.assert_allclose(g.means_[order, 0], [-5, 5], atol=0.1)
    np.testing.assert_allclose(g.weights_[order], [0.75, 0.25], atol=0.02)
    S = g.sample(40_000, 0)
    assert S.shape == (40_000,)
    assert np.mean(S > 0) == pytest.approx(0.25, abs=0.015)


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_gmm_samples_reproducibly_for_every_covariance_type(covariance_type):
    X = np.r_[RNG.normal(0, 1, (300, 2)), RNG.normal(6, 1, (300, 2))]
    g = GaussianMixtureModel(2, covariance_type=covariance_type).fit(X)
    a, b = g.sample(20_000, 4), g.sample(20_000, np.random.default_rng(4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, g.sample(20_000, 5))
    assert a.shape == (20_000, 2)
    np.testing.assert_allclose(a.mean(axis=0), g.weights_ @ g.means_, atol=0.1)
    labels = g.gmm_.predict(a)  # the component sizes follow the fitted weights
    np.testing.assert_allclose(np.bincount(labels, minlength=2) / len(a), g.weights_, atol=0.02)


def test_gmm_fit_is_deterministic_given_seed():
    X = RNG.normal(size=(200, 2))
    a = GaussianMixtureModel(3, seed=1).fit(X)
    b = GaussianMixtureModel(3, seed=1).fit(X)
    np.testing.assert_array_equal(a.means_, b.means_)


def test_kde_samples_reproducibly_and_inflates_variance_by_h_squared():
    X = RNG.normal(size=500)
    k = KDE(bandwidth=0.75).fit(X)
    np.testing.assert_array_equal(k.sample(100, 3), k.sample(100, np.random.default_rng(3)))
    assert not np.array_equal(k.sample(100, 3), k.sample(100, 4))
    S = k.sample(200_000, 0)
    assert S.shape == (200_000,)
    expected = np.var(X) + 0.75**2  # REFERENCES.md section 2, KDE counterexample
    assert np.var(S) == pytest.approx(expected, rel=0.02)
    assert KDE().fit(RNG.normal(size=(20, 3))).sample(5, 0).shape == (5, 3)


def test_kde_rule_of_thumb_bandwidth():
    k = KDE("scott").fit(RNG.normal(size=100))
    assert k.bandwidth_ == pytest.approx(100 ** (-1 / 5))


# ---------------------------------------------------------------- digits


@pytest.mark.parametrize("density", ["gmm", "kde"])
def test_digits_generator_one_generation(density):
    images, _ = load_digits()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning or other noise
        gen = DigitsGenerator(density=density).fit(images)
        out = gen.sample(1800, 0)
        again = DigitsGenerator(density=density).fit(out).sample(1800, 1)
    assert out.shape == (1800, 64) and again.shape == (1800, 64)
    assert out.min() >= 0.0 and out.max() <= 16.0
    np.testing.assert_array_equal(out, gen.sample(1800, 0))
    # generated images still look like digits: the real-data classifier is confident on most
    labels = digits_classifier().predict(out)
    assert np.bincount(labels, minlength=10).min() > 50


def test_digits_classifier_held_out_accuracy():
    images, labels = load_digits()
    scores = cross_val_score(_digits_classifier_estimator(), images, labels, cv=5)
    assert scores.mean() >= 0.96
    assert digits_classifier() is digits_classifier()  # trained once


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, name", [
    (lambda: Gaussian(ddof=0).fit([1.0, np.nan, 2.0]), "X"),
    (lambda: Gaussian(ddof=0).fit([1.0]), "X"),
    (lambda: Gaussian(ddof=1).fit([[1.0, 2.0]]), "X"),
    (lambda: Gaussian(ddof=0).fit(np.zeros((3, 2, 2))), "X"),
    (lambda: Gaussian(ddof=0).fit("abc"), "X"),
    (lambda: Gaussian(ddof=-1), "ddof"),
    (lambda: Gaussian(ddof=0.5), "ddof"),
    (lambda: Gaussian(ddof=0, scale=-1.0), "scale"),
    (lambda: Gaussian(ddof=2), "ddof"),  # 0 or 1, as everywhere in helpers
    (lambda: Gaussian(), "ddof"),  # no default: the choice is the point
    (lambda: Gaussian(ddof=0).fit([1.0, 2.0]).sample(0, 0), "n"),
    (lambda: Gaussian(ddof=0).fit([1.0, 2.0]).sample(3, "seed"), "rng"),
    (lambda: Gaussian(ddof=0).fit([1.0, 2.0]).sample(3, -1), "rng"),
    (lambda: Categorical(1), "n_categories"),
    (lambda: Categorical(3, smoothing=-1.0), "smoothing"),
    (lambda: Categorical(3, temperature=0.0), "temperature"),
    (lambda: Categorical(3).fit([0, 3]), "X"),
    (lambda: Categorical(3).fit([0.5, 1.0]), "X"),
    (lambda: Categorical(3).fit([[0, 1]]), "X"),
    (lambda: Categorical(3).fit([True, False]), "X"),
    (lambda: BigramLM(3).fit([0, 1, 2]), "X"),
    (lambda: BigramLM(3).fit([[0], [1]]), "X"),
    (lambda: BigramLM(3).fit([[0, -1]]), "X"),
    (lambda: BigramLM(3, temperature=-2), "temperature"),
    (lambda: GaussianMixtureModel(0), "n_components"),
    (lambda: GaussianMixtureModel(covariance_type="round"), "covariance_type"),
    (lambda: GaussianMixtureModel(3).fit([0.0, 1.0]), "X"),
    (lambda: GaussianMixtureModel().fit([[np.inf, 0.0], [1.0, 1.0]]), "X"),
    (lambda: KDE(bandwidth=0.0), "bandwidth"),
    (lambda: KDE(bandwidth="wide"), "bandwidth"),
    (lambda: KDE().fit([np.nan, 1.0]), "X"),
    (lambda: DigitsGenerator(n_pca=0), "n_pca"),
    (lambda: DigitsGenerator(density="vae"), "density"),
    (lambda: DigitsGenerator(density="kde", bandwidth=-1.0), "bandwidth"),
    (lambda: DigitsGenerator().fit(np.zeros((100, 10))), "X"),
    (lambda: DigitsGenerator().fit(np.zeros((5, 64))), "X"),
])
def test_bad_input_raises_naming_the_argument(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"\b{name}\b"):
        call()


_arrays = st.one_of(
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
               elements=st.floats(allow_nan=True, allow_infinity=True, width=32)),
    hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
               elements=st.integers(-3, 8)),
    st.none(), st.text(max_size=3), st.lists(st.one_of(st.integers(), st.text()), max_size=3),
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=2),
                     st.floats(allow_nan=True, allow_infinity=True))


@settings(max_examples=50, deadline=None)
@given(X=_arrays, n=_scalars, rng=_scalars)
def test_random_bad_inputs_raise_only_value_or_type_errors(X, n, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in (Gaussian(ddof=0), Categorical(5), BigramLM(5), GaussianMixtureModel(1),
                      KDE(0.5)):
            try:
                model.fit(X)
            except (ValueError, TypeError):
                continue
            try:
                out = model.sample(n, rng)
            except (ValueError, TypeError):
                continue
            assert len(out) == n and np.all(np.isfinite(out))


@settings(max_examples=50, deadline=None)
@given(a=_scalars, b=_scalars)
def test_random_bad_hyperparameters_raise_only_value_or_type_errors(a, b):
    for make in (lambda: Gaussian(a, scale=b), lambda: Categorical(a, smoothing=b),
                 lambda: Categorical(5, temperature=a), lambda: BigramLM(a, temperature=b),
                 lambda: GaussianMixtureModel(a, covariance_type=b), lambda: KDE(a),
                 lambda: DigitsGenerator(a, b)):
        try:
            make()
        except (ValueError, TypeError):
            pass

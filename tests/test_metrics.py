"""Tests for helpers.metrics: the REFERENCES.md section 8 sanity values, the
section 5 precision/recall pattern, hand-computed examples, and bad input."""

from __future__ import annotations

import doctest
import inspect
import re
import warnings

import numpy as np
import pytest
import scipy.linalg
import scipy.stats
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import metrics as m


def normal(seed: int, n: int, d: int, scale: float = 1.0, shift: float = 0.0) -> np.ndarray:
    return shift + scale * np.random.default_rng(seed).normal(size=(n, d))


def test_doctest_examples() -> None:
    attempted = 0
    for module in (m.diversity, m.distance, m.tails):
        result = doctest.testmod(module, extraglobs={"np": np})
        attempted += result.attempted
        assert result.failed == 0
    assert attempted > 20


def test_metrics_reexports_every_public_function_of_its_three_modules() -> None:
    for module in (m.diversity, m.distance, m.tails):
        for name in module.__all__:
            assert getattr(m, name) is getattr(module, name)
    assert sorted(m.__all__) == sorted(m.diversity.__all__ + m.distance.__all__
                                       + m.tails.__all__)


# ---------------------------------------------------------------- diversity

def test_variance_and_cov_trace_match_numpy() -> None:
    x = normal(0, 50, 3)
    assert m.variance(x[:, 0]) == pytest.approx(np.var(x[:, 0]))
    assert m.variance(x[:, 0], ddof=1) == pytest.approx(np.var(x[:, 0], ddof=1))
    assert m.cov_trace(x) == pytest.approx(np.trace(np.cov(x, rowvar=False, ddof=0)))
    assert m.cov_trace(x, ddof=1) == pytest.approx(np.trace(np.cov(x, rowvar=False)))
    assert m.cov_trace(x[:, 0]) == pytest.approx(m.variance(x[:, 0]))
    assert m.variance([2.0, 2.0, 2.0]) == 0.0


def test_entropy_uniform_point_mass_and_counts_vs_probabilities() -> None:
    assert m.entropy(np.ones(8)) == pytest.approx(np.log(8))
    assert m.entropy(np.ones(8), base=2) == pytest.approx(3.0)
    assert m.entropy([0, 7, 0]) == 0.0
    assert m.entropy([2, 6]) == pytest.approx(m.entropy([0.25, 0.75]))
    assert m.entropy([1, 9]) < m.entropy([5, 5])


def test_support_size_counts_nonzero_categories() -> None:
    assert m.support_size([0, 3, 0, 1, 0.5]) == 3
    assert m.support_size(np.zeros(4)) == 0


def test_distinct_n_hand_computed() -> None:
    # bigrams: (1,2) (2,1) (1,2) | (1,2) (2,3) (3,3): 4 distinct of 6
    tokens = np.array([[1, 2, 1, 2], [1, 2, 3, 3]])
    assert m.distinct_n(tokens, 2) == pytest.approx(4 / 6)
    assert m.distinct_n(tokens.tolist(), 2) == pytest.approx(4 / 6)
    assert m.distinct_n(tokens, 1) == pytest.approx(3 / 8)
    assert m.distinct_n(tokens, 4) == 1.0


def test_distinct_n_does_not_cross_sentence_boundaries() -> None:
    # within sentences: (1,1) twice -> 1/2; across the boundary it would be 1/3
    assert m.distinct_n([[1, 1], [1, 1]], 2) == 0.5


def test_distinct_n_ragged_words_and_short_sentences() -> None:
    text = [["the", "cat", "sat"], ["the", "cat"], ["a"]]
    # bigrams: (the,cat) (cat,sat) | (the,cat); the one-word sentence has none
    assert m.distinct_n(text, 2) == pytest.approx(2 / 3)
    assert m.distinct_n(text, 3) == 1.0
    with pytest.raises(ValueError, match=r"\bn=4\b.*tokens"):
        m.distinct_n(text, 4)
    with pytest.raises(TypeError, match="tokens"):
        m.distinct_n(["the cat sat", "a dog"], 1)
    with pytest.raises(TypeError, match="tokens"):
        m.distinct_n([[1, 2], ["a", "b"]], 1)


def test_vendi_sanity_values() -> None:
    identical = np.tile(np.array([[1.0, -2.0, 0.5]]), (10, 1))
    assert m.vendi_score(identical, bandwidth=1.0) == pytest.approx(1.0, abs=1e-9)
    assert m.vendi_score(K=np.ones((10, 10))) == pytest.approx(1.0, abs=1e-9)
    assert m.vendi_score(K=np.eye(10)) == pytest.approx(10.0, abs=1e-9)
    # two far-apart groups of 5 identical points: K is block diagonal -> exactly 2
    two = np.repeat([[0.0], [100.0]], 5, axis=0)
    assert m.vendi_score(two, bandwidth=1.0) == pytest.approx(2.0, abs=1e-9)
    assert m.vendi_score(two, kernel=lambda X: np.exp(-np.abs(X - X.T))) == pytest.approx(2.0)


def test_vendi_sees_shrinkage_with_a_fixed_bandwidth() -> None:
    real = normal(0, 200, 2)
    h = m.median_bandwidth(real)
    assert m.vendi_score(0.3 * real, bandwidth=h) < 0.5 * m.vendi_score(real, bandwidth=h)
    with pytest.raises(ValueError, match="bandwidth"):
        m.vendi_score(real)
    with pytest.raises(ValueError, match="K"):
        m.vendi_score(K=2 * np.eye(3))  # k(x, x) != 1


def test_median_bandwidth_ignores_duplicates() -> None:
    assert m.median_bandwidth([[0.0], [0.0], [0.0], [2.0]]) == 2.0
    assert m.median_bandwidth(np.zeros((4, 2))) == 1.0
    assert m.median_bandwidth([[0.0]], [[3.0], [4.0]]) == 3.0


# ---------------------------------------------------------------- distances

def test_wasserstein1_equals_scipy() -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=300), rng.exponential(size=200)
    assert m.wasserstein1(x, y) == scipy.stats.wasserstein_distance(x, y)
    assert m.wasserstein1(x, x + 0.7) == pytest.approx(0.7)
    assert m.wasserstein1(x, x) == 0.0


def test_frechet_sanity_value_from_parameters() -> None:
    d = 16
    value = m.gaussian_w2sq(np.zeros(d), np.eye(d), np.full(d, 0.1), 0.25 * np.eye(d))
    assert value == pytest.approx(4.16, abs=1e-12)


def test_frechet_distance_on_large_samples_approaches_4_16() -> None:
    X = normal(2, 20000, 16)
    Y = normal(3, 20000, 16, scale=0.5, shift=0.1)
    assert m.frechet_distance(X, Y) == pytest.approx(4.16, abs=0.05)


def test_gaussian_w2sq_matches_sqrtm_formula_and_1d_closed_form() -> None:
    rng = np.random.default_rng(4)
    A, B = rng.normal(size=(5, 5)), rng.normal(size=(5, 5))
    c1, c2 = A @ A.T + 0.1 * np.eye(5), B @ B.T + 0.1 * np.eye(5)
    mu1, mu2 = rng.normal(size=5), rng.normal(size=5)
    expected = (np.sum((mu1 - mu2) ** 2) + np.trace(c1 + c2)
                - 2 * np.trace(scipy.linalg.sqrtm(c1 @ c2)).real)
    assert m.gaussian_w2sq(mu1, c1, mu2, c2) == pytest.approx(expected, rel=1e-9)
    # 1-D: W2^2 = (mu1 - mu2)^2 + (sigma1 - sigma2)^2, scalars accepted
    assert m.gaussian_w2sq(1.0, 4.0, -1.0, 9.0) == pytest.approx(4.0 + 1.0)


def test_gaussian_w2sq_is_stable_for_a_collapsed_covariance() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = m.gaussian_w2sq(np.zeros(3), np.zeros((3, 3)), np.zeros(3), np.eye(3))
    assert value == pytest.approx(3.0)
    with pytest.raises(ValueError, match="cov2"):
        m.gaussian_w2sq(np.zeros(2), np.eye(2), np.zeros(2), -np.eye(2))


def test_frechet_distance_equals_w2sq_of_the_fits() -> None:
    X, Y = normal(5, 40, 3), normal(6, 30, 3, scale=2.0)
    for ddof in (0, 1):
        fits = [(a.mean(axis=0), np.cov(a, rowvar=False, ddof=ddof)) for a in (X, Y)]
        assert m.frechet_distance(X, Y, ddof=ddof) == pytest.approx(
            m.gaussian_w2sq(*fits[0], *fits[1]), rel=1e-12)
    assert m.frechet_distance(X, Y) == m.frechet_distance(X, Y, ddof=0)  # the default
    assert m.frechet_distance(X, X) == pytest.approx(0.0, abs=1e-9)


def test_kl_zero_positive_and_hand_computed() -> None:
    assert m.kl_categorical([3, 1, 6], [6, 2, 12]) == 0.0
    p, q = np.array([0.5, 0.5]), np.array([0.9, 0.1])
    expected = float(np.sum(p * np.log(p / q)))
    assert m.kl_categorical([5, 5], [9, 1]) == pytest.approx(expected)
    assert m.kl_categorical([5, 5], [9, 1], base=2) == pytest.approx(expected / np.log(2))
    assert m.kl_categorical([1, 0], [1, 1]) == pytest.approx(np.log(2))  # p = 0 where q > 0


def test_kl_requires_smoothing_when_q_misses_a_category() -> None:
    with pytest.raises(ValueError, match="smoothing"):
        m.kl_categorical([5, 5, 1], [5, 5, 0])
    value = m.kl_categorical([5, 5, 1], [5, 5, 0], smoothing=0.5)
    expected = scipy.stats.entropy([5.5, 5.5, 1.5], [5.5, 5.5, 0.5])
    assert np.isfinite(value) and value == pytest.approx(expected) and value > 0


def _closed_form_mmd2(h: float, s1: float, s2: float, d: int) -> float:
    """Population MMD^2 between N(0, s1^2 I_d) and N(0, s2^2 I_d) for an RBF kernel."""
    def e_k(a2: float, b2: float) -> float:
        return (h**2 / (h**2 + a2 + b2)) ** (d / 2)
    return e_k(s1**2, s1**2) + e_k(s2**2, s2**2) - 2 * e_k(s1**2, s2**2)


def test_mmd2_sanity_values() -> None:
    same = [m.mmd2_rbf(normal(s, 500, 2), normal(100 + s, 500, 2)) for s in range(5)]
    assert max(abs(v) for v in same) < 0.01
    # REFERENCES: ~0.0016 for one seed; its |value| must be of that size
    assert abs(m.mmd2_rbf(normal(0, 500, 2), normal(100, 500, 2), bandwidth=1.0)) < 0.01
    shrunk = [m.mmd2_rbf(normal(s, 500, 2), normal(100 + s, 500, 2, scale=0.5))
              for s in range(5)]
    assert all(0.06 < v < 0.14 for v in shrunk)  # "about 0.10"; median heuristic gives ~0.085


def test_mmd2_matches_gaussian_closed_form_with_fixed_bandwidth() -> None:
    # population value 1/3 + 2/3 - 2/2.25 = 0.1111; one 500-vs-500 estimate has sd ~0.006
    values = [m.mmd2_rbf(normal(s, 500, 2), normal(100 + s, 500, 2, scale=0.5), bandwidth=1.0)
              for s in range(5)]
    assert np.mean(values) == pytest.approx(_closed_form_mmd2(1.0, 1.0, 0.5, 2), abs=0.012)


def test_mmd2_is_symmetric_and_unbiased_around_zero() -> None:
    X, Y = normal(7, 100, 2), normal(8, 80, 2)
    assert m.mmd2_rbf(X, Y) == pytest.approx(m.mmd2_rbf(Y, X))
    values = [m.mmd2_rbf(normal(s, 100, 2), normal(50 + s, 100, 2), bandwidth=1.0)
              for s in range(30)]
    # negative values occur: the unbiased estimate scatters around 0
    assert min(values) < 0 < max(values)
    assert abs(np.mean(values)) < 4 * np.std(values) / np.sqrt(len(values))


# ---------------------------------------------------------------- k-NN manifolds

def test_precision_recall_identical_sets_and_disjoint_sets() -> None:
    X = normal(9, 100, 2)
    assert m.precision_recall(X, X) == (1.0, 1.0)
    assert m.precision_recall(X, X + 100.0) == (0.0, 0.0)


def test_precision_stays_high_while_recall_falls_for_a_shrunk_sample() -> None:
    # REFERENCES section 5: sampling bias keeps precision, collapses recall
    same, shrunk = [], []
    for s in range(5):
        real = normal(s, 500, 2)
        same.append(m.precision_recall(real, normal(100 + s, 500, 2)))
        shrunk.append(m.precision_recall(real, normal(100 + s, 500, 2, scale=0.3)))
    p_same, r_same = np.mean(same, axis=0)
    p_shrunk, r_shrunk = np.mean(shrunk, axis=0)
    assert p_same > 0.95 and r_same > 0.95
    assert p_shrunk > 0.95
    assert r_shrunk < 0.6


def test_density_and_coverage_for_identical_distributions() -> None:
    # E[coverage] = 1 - prod_{i=1..k} (N - i) / (2N - i) for M = N (Naeem et al.), ~0.969;
    # one run with N = M = 1000 has sd ~0.012 (density too), so 20 seeds have se ~0.003.
    k, n = 5, 1000
    runs = [m.density_coverage(normal(s, n, 2), normal(1000 + s, n, 2), k=k) for s in range(20)]
    density, coverage = np.mean(runs, axis=0)
    expected = 1 - np.prod([(n - i) / (2 * n - i) for i in range(1, k + 1)])
    assert expected == pytest.approx(1 - 2.0**-k, abs=0.001)
    assert coverage == pytest.approx(expected, abs=0.012)
    assert density == pytest.approx(1.0, abs=0.015)


def test_density_and_coverage_for_a_shrunk_sample() -> None:
    real = normal(11, 1000, 2)
    same = m.density_coverage(real, normal(12, 1000, 2)).coverage
    shrunk = m.density_coverage(real, normal(12, 1000, 2, scale=0.3)).coverage
    assert same > 0.9
    assert shrunk < 0.5  # the outer real balls get no fake point


# ---------------------------------------------------------------- tails

def test_tail_mass_ratio_same_narrow_and_wide() -> None:
    # one run with n = 5000, q = 0.01 has sd ~0.15, so the mean of 20 has se ~0.035
    same = [m.tail_mass_ratio(normal(100 + s, 5000, 1)[:, 0], normal(s, 5000, 1)[:, 0])
            for s in range(20)]
    assert np.mean(same) == pytest.approx(1.0, abs=0.15)
    real = normal(0, 5000, 1)[:, 0]
    assert m.tail_mass_ratio(0.3 * normal(1, 5000, 1)[:, 0], real) < 0.01
    assert m.tail_mass_ratio(2.0 * normal(1, 5000, 1)[:, 0], real) > 5


def test_tail_mass_ratio_needs_real_tails() -> None:
    with pytest.raises(ValueError, match="real"):
        m.tail_mass_ratio([0.0, 1.0], np.ones(100))


def test_rare_category_recall() -> None:
    p_true = np.array([0.4, 0.3, 0.1, 0.1, 0.05, 0.05])
    counts = np.array([50, 40, 9, 0, 1, 0])
    # default threshold 1/K = 0.167: rare = categories 2..5, two of four still present
    assert m.rare_category_recall(counts, p_true) == 0.5
    assert m.rare_category_recall(counts, p_true, rare=0.08) == 0.5  # categories 4, 5
    mask = np.array([False, False, True, False, False, False])
    assert m.rare_category_recall(counts, p_true, rare=mask) == 1.0
    with pytest.raises(ValueError, match="rare"):
        m.rare_category_recall(counts, p_true, rare=0.01)


def test_support_retained_and_worst_class_accuracy() -> None:
    assert m.support_retained([1, 0, 3, 5], [2, 2, 2, 0]) == pytest.approx(2 / 3)
    assert m.support_retained([1, 1, 1], [1, 1, 1]) == 1.0
    y_true = [0, 0, 0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 0, 0, 1, 0, 2, 2]
    assert m.worst_class_accuracy(y_true, y_pred) == 0.5
    assert m.worst_class_accuracy(["a", "b"], ["a", "b"]) == 1.0


# ---------------------------------------------------------------- bad input

BAD_CALLS = [
    (m.variance, ([1.0, np.nan],), {}, "x"),
    (m.variance, ([1.0],), {"ddof": 1}, "x"),
    (m.variance, ([1.0, 2.0],), {"ddof": 2}, "ddof"),
    (m.cov_trace, (np.zeros((2, 2, 2)),), {}, "X"),
    (m.entropy, ([1, -1, 2],), {}, "counts_or_probs"),
    (m.entropy, ([0, 0],), {}, "counts_or_probs"),
    (m.entropy, ([1, 2],), {"base": 1}, "base"),
    (m.support_size, ([],), {}, "counts"),
    (m.distinct_n, ([[1, 2]],), {"n": 0}, "n"),
    (m.distinct_n, ([],), {"n": 1}, "tokens"),
    (m.distinct_n, (np.array([[0.5, 1.0]]),), {"n": 1}, "tokens"),
    (m.vendi_score, (), {}, "X"),
    (m.vendi_score, (), {"K": np.ones((2, 3))}, "K"),
    (m.vendi_score, (np.ones((3, 2)),), {"kernel": "laplace"}, "kernel"),
    (m.wasserstein1, ([], [1.0]), {}, "x"),
    (m.wasserstein1, ([1.0], [np.inf]), {}, "y"),
    (m.gaussian_w2sq, (np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), {}, "cov1"),
    (m.gaussian_w2sq, (np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), {}, "mu1"),
    (m.frechet_distance, (np.zeros((5, 2)), np.zeros((5, 3))), {}, "X"),
    (m.kl_categorical, ([1, 2], [1, 2, 3]), {}, "p_counts"),
    (m.kl_categorical, ([1, 2], [1, 2]), {"smoothing": -1}, "smoothing"),
    (m.mmd2_rbf, (np.zeros((1, 2)), np.zeros((5, 2))), {}, "X"),
    (m.mmd2_rbf, (np.zeros((3, 2)), np.zeros((5, 2))), {"bandwidth": 0}, "bandwidth"),
    (m.precision_recall, (np.zeros((10, 2)), np.zeros((3, 2))), {"k": 3}, "k"),
    (m.precision_recall, (np.zeros((10, 2)), np.zeros((10, 2))), {"k": 2.5}, "k"),
    (m.density_coverage, (np.zeros((5, 2)), np.zeros((50, 2))), {"k": 5}, "k"),
    (m.density_coverage, (np.full((9, 2), np.nan), np.zeros((9, 2))), {}, "real"),
    (m.tail_mass_ratio, (np.zeros(5), np.zeros(100)), {"q": 0.5}, "q"),
    (m.rare_category_recall, ([1, 2], [0.5, 0.5]), {"rare": [1, 0]}, "rare"),
    (m.support_retained, ([1, -2], [1, 1]), {}, "counts"),
    (m.worst_class_accuracy, ([0, 1], [0]), {}, "y_true"),
    (m.worst_class_accuracy, ([0.0, np.nan], [0, 1]), {}, "y_true"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "name"), BAD_CALLS,
                         ids=[f"{c[0].__name__}-{c[3]}" for c in BAD_CALLS])
def test_bad_input_names_the_argument(func, args, kwargs, name) -> None:
    with pytest.raises((ValueError, TypeError), match=rf"\b{re.escape(name)}\b"):
        func(*args, **kwargs)


# Random inputs, many of them bad: every call either returns a value free of NaN
# or raises ValueError / TypeError whose message names one of the arguments.
_ELEMENTS = st.one_of(st.floats(-5, 5), st.sampled_from([np.nan, np.inf, -1.0, 0.0, 1e-300]))
_SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=7)
_ARRAYS = st.one_of(
    hnp.arrays(np.float64, _SHAPES, elements=_ELEMENTS),
    hnp.arrays(np.int64, _SHAPES, elements=st.integers(-2, 3)),
)
_ANY = st.one_of(
    _ARRAYS,
    _ARRAYS.map(lambda a: a.tolist()),
    st.lists(st.lists(st.integers(-2, 3), max_size=4), max_size=4),  # ragged
    st.integers(-3, 12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([None, "abc", True, [], [[]], {"a": 1}, "rbf", "cosine"]),
)
_FUNCS = [getattr(m, name) for name in m.__all__ if inspect.isfunction(getattr(m, name))]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("func", _FUNCS, ids=[f.__name__ for f in _FUNCS])
@settings(max_examples=50, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_inputs_never_give_nan_or_unnamed_errors(func, data) -> None:
    params = inspect.signature(func).parameters.values()
    args, kwargs = [], {}
    for p in params:
        if p.kind is inspect.Parameter.VAR_POSITIONAL:
            args = data.draw(st.lists(_ANY, max_size=3), label=p.name)
        elif p.default is inspect.Parameter.empty or data.draw(st.booleans()):
            kwargs[p.name] = data.draw(_ANY, label=p.name)
    try:
        result = func(*args, **kwargs)
    except (ValueError, TypeError) as err:
        assert any(re.search(rf"\b{p.name}\b", str(err)) for p in params), str(err)
        event(type(err).__name__)
        return
    event("returned a value")
    assert not np.any(np.isnan(np.asarray(result, dtype=float)))


# --- gaussian_tail_mass_ratio (exact, for fitted Gaussians) --------------------------------


def test_gaussian_tail_mass_ratio_is_one_for_the_truth_and_matches_large_samples() -> None:
    assert m.gaussian_tail_mass_ratio(0.0, 1.0) == pytest.approx(1.0)
    assert m.gaussian_tail_mass_ratio(2.0, 9.0, q=0.05, mu0=2.0, sigma0=3.0) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    real, fitted = rng.normal(size=400_000), rng.normal(0.3, 0.8, size=400_000)
    sampled = m.tail_mass_ratio(fitted, real)
    assert m.gaussian_tail_mass_ratio(0.3, 0.64) == pytest.approx(sampled, rel=0.05)


def test_gaussian_tail_mass_ratio_is_vectorised_and_handles_point_masses() -> None:
    mean = np.array([[0.0, 0.0, 5.0], [0.0, -5.0, 0.0]])
    var = np.array([[1.0, 0.0, 0.0], [0.25, 0.0, 4.0]])
    got = m.gaussian_tail_mass_ratio(mean, var)
    assert got.shape == (2, 3)
    assert got[0, 0] == pytest.approx(1.0)
    assert got[0, 1] == 0.0 and got[0, 2] == 50.0 and got[1, 1] == 50.0  # 1 / (2q)
    assert 0.0 < got[1, 0] < 0.01 and got[1, 2] > 1.0  # narrower: tails gone; wider: heavier


def test_gaussian_tail_mass_ratio_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="var"):
        m.gaussian_tail_mass_ratio(0.0, -1.0)
    with pytest.raises(ValueError, match="same shape"):
        m.gaussian_tail_mass_ratio([0.0, 1.0], [1.0])
    with pytest.raises(ValueError, match="q"):
        m.gaussian_tail_mass_ratio(0.0, 1.0, q=0.5)
    with pytest.raises(TypeError, match="mean"):
        m.gaussian_tail_mass_ratio("0", 1.0)

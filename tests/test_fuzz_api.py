"""Fuzz of the engine's public API: one argument bad at a time, only ValueError/TypeError escape.

Every public function of the engine modules is called with valid arguments in which one
argument is replaced by a hostile value (huge or negative sizes, NaN, inf, subnormal
numbers, huge integers, strings, arrays of strings, objects of the wrong kind). The call
must either succeed with finite numbers or raise ``ValueError`` / ``TypeError`` -- never
``OverflowError``, ``MemoryError``, ``AttributeError``, ``KeyError``, ``IndexError``,
``ZeroDivisionError``, a NumPy internal error, or run for minutes.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import chains, data, detection, loop, metrics, models, policies, theory

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.text(max_size=3),
    st.integers(min_value=-10**6, max_value=30),
    st.sampled_from([0, -1, 10**12, 10**400, 2**63, -(10**400)]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([5e-324, 1e-310, 1e308, -1e308, float("nan"), float("inf")]),
    st.lists(st.floats(allow_nan=True), max_size=3),
    st.lists(st.lists(st.integers(-3, 3), max_size=2), max_size=2),
    st.sampled_from([object(), {"a": 1}, np.array(["a", "b"]), np.array([1 + 2j, 3j]),
                     np.zeros((2, 2, 2)), np.array([]), [object()], (1, "a"), 1 + 1j,
                     np.float64("nan"), np.int64(-5), b"xy", np.random.default_rng(0)]),
)

REAL1 = np.linspace(-2.0, 2.0, 40)
REAL2 = np.random.default_rng(0).normal(size=(30, 2))
COUNTS = np.array([5.0, 3.0, 0.0, 2.0])
FITTED = models.Gaussian(ddof=0).fit(REAL1)
MEASURES = {"var": np.var}

CALLS = {
    # data
    "data.zipf_probs": (data.zipf_probs, dict(k=5, exponent=1.2)),
    "data.zipf_tokens": (data.zipf_tokens, dict(n=20, vocab_size=10, exponent=1.5, seed=0)),
    "data.zipf_corpus": (data.zipf_corpus, dict(vocab_size=10, n_sentences=5, length=4,
                                                exponent=1.1, seed=0)),
    "data.gaussian_sample": (data.gaussian_sample, dict(n=5, mu=0.0, sigma=1.0, dim=2, seed=0)),
    # chains
    "chains.gaussian": (chains.gaussian, dict(n=5, generations=3, chains=4, ddof=0,
                                              policy="replace", real_fraction=0.4, mu0=0.0,
                                              sigma0=1.0, seed=0)),
    "chains.gaussian_policy": (chains.gaussian_policy, dict(
        n=6, generations=3, chains=4, policy="mix", real_fraction=0.5, train_size=6, ddof=1,
        mu0=0.0, sigma0=1.0, seed=0)),
    "chains.categorical": (chains.categorical, dict(p=[0.5, 0.5], m=5, generations=3, chains=4,
                                                    policy="accumulate", seed=0)),
    "chains.linear_regression": (chains.linear_regression, dict(
        d=2, T=6, noise_var=1.0, generations=3, chains=4, policy="replace", seed=0)),
    "GaussianChains.quantiles": (chains.gaussian(5, 3, 10).quantiles, dict(q=0.5, of="var")),
    # loop
    "loop.run_loop": (loop.run_loop, dict(model=models.Gaussian(ddof=0), real=REAL1,
                                          generations=2, policy="mix", seeds=[0],
                                          n_samples=40, train_size=20, real_fraction=0.5)),
    "loop.iterate_loop": (lambda **kw: list(loop.iterate_loop(**kw)), dict(
        model=models.Gaussian(ddof=0), real=REAL1, generations=2, policy="accumulate_subsample",
        seed=0, n_samples=30, train_size=20)),
    # policies
    "policies.make_plan": (policies.make_plan, dict(policy="mix", n_real_data=20,
                                                    real_fraction=0.5, train_size=10)),
    "policies.real_split": (policies.real_split, dict(real_fraction=0.3, size=10)),
    "policies.verified": (policies.verified, dict(samples=REAL1, gate=lambda s: s > 0)),
    "policies.gate_mask": (policies.gate_mask, dict(gate=lambda s: s > 0, samples=REAL1)),
    "policies.check_arguments": (policies.check_arguments, dict(
        policy="mix", given={"real_fraction": 0.5})),
    # models
    "Gaussian": (lambda **kw: models.Gaussian(**kw).fit(REAL2).sample(3, 0),
                 dict(ddof=1, scale=0.5)),
    "Gaussian.fit": (models.Gaussian(ddof=0).fit, dict(X=REAL2)),
    "Gaussian.sample": (FITTED.sample, dict(n=5, rng=0)),
    "Categorical": (lambda **kw: models.Categorical(**kw).fit([0, 1, 1]).sample(3, 0),
                    dict(n_categories=3, smoothing=0.1, temperature=0.5)),
    "Categorical.fit": (models.Categorical(4).fit, dict(X=[0, 1, 3])),
    "BigramLM": (lambda **kw: models.BigramLM(**kw).fit([[0, 1, 2]]).sample(2, 0),
                 dict(vocab_size=3, temperature=1.0)),
    "BigramLM.fit": (models.BigramLM(4).fit, dict(X=[[0, 1, 3], [1, 2, 3]])),
    "GaussianMixtureModel": (lambda **kw: models.GaussianMixtureModel(**kw).fit(REAL2),
                             dict(n_components=2, covariance_type="diag", seed=0, max_iter=50,
                                  reg_covar=1e-6)),
    "KDE": (lambda **kw: models.KDE(**kw).fit(REAL1).sample(3, 0), dict(bandwidth=0.5)),
    "DigitsGenerator": (models.DigitsGenerator, dict(n_pca=5, density="gmm", n_components=3,
                                                     bandwidth=3.5, seed=0)),
    # theory
    "theory.gaussian_var": (theory.gaussian_var, dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "theory.gaussian_log_var": (theory.gaussian_log_var, dict(t=5, n=10, ddof=1, sigma0=1.0)),
    "theory.gaussian_mean_sq": (theory.gaussian_mean_sq, dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "theory.gaussian_w2sq_to_truth": (theory.gaussian_w2sq_to_truth,
                                      dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "theory.gaussian_accumulate_var": (theory.gaussian_accumulate_var,
                                       dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "theory.categories_lost": (theory.categories_lost, dict(p=[0.5, 0.3, 0.2], m=10)),
    "theory.expected_support": (theory.expected_support, dict(p=[0.5, 0.5], m=10, t=3)),
    "theory.wright_fisher_fixation_time": (theory.wright_fisher_fixation_time,
                                           dict(m=10, p=0.5)),
    "theory.linreg_error": (theory.linreg_error, dict(k=3, d=2, T=10, noise_var=1.0,
                                                      policy="replace")),
    "theory.linreg_accumulate_bound": (theory.linreg_accumulate_bound,
                                       dict(d=2, T=10, noise_var=1.0)),
    "theory.kde_var": (theory.kde_var, dict(t=3, n=10, bandwidth=0.5, var0=1.0)),
    "theory.sampling_bias_trace": (theory.sampling_bias_trace,
                                   dict(t=3, n=10, lam=0.9, trace1=2.0)),
    # metrics
    "metrics.variance": (metrics.variance, dict(x=REAL1, ddof=0)),
    "metrics.cov_trace": (metrics.cov_trace, dict(X=REAL2, ddof=1)),
    "metrics.entropy": (metrics.entropy, dict(counts_or_probs=COUNTS, base=2.0)),
    "metrics.support_size": (metrics.support_size, dict(counts=COUNTS)),
    "metrics.distinct_n": (metrics.distinct_n, dict(tokens=[[0, 1, 2], [1, 2, 2]], n=2)),
    "metrics.median_bandwidth": (lambda x, y: metrics.median_bandwidth(x, y),
                                 dict(x=REAL2, y=REAL2 + 1)),
    "metrics.vendi_score": (metrics.vendi_score, dict(X=REAL2, kernel="rbf", bandwidth=1.0)),
    "metrics.wasserstein1": (metrics.wasserstein1, dict(x=REAL1, y=REAL1 + 1)),
    "metrics.gaussian_w2sq": (metrics.gaussian_w2sq, dict(mu1=np.zeros(2), cov1=np.eye(2),
                                                          mu2=np.ones(2), cov2=2 * np.eye(2))),
    "metrics.frechet_distance": (metrics.frechet_distance, dict(X=REAL2, Y=REAL2 + 1, ddof=1)),
    "metrics.kl_categorical": (metrics.kl_categorical, dict(p_counts=COUNTS, q_counts=COUNTS + 1,
                                                            smoothing=0.0)),
    "metrics.mmd2_rbf": (metrics.mmd2_rbf, dict(X=REAL2, Y=REAL2 + 1, bandwidth=1.0)),
    "metrics.precision_recall": (metrics.precision_recall, dict(real=REAL2, fake=REAL2 + 0.1,
                                                                k=3)),
    "metrics.density_coverage": (metrics.density_coverage, dict(real=REAL2, fake=REAL2[:10],
                                                                k=3)),
    "metrics.tail_mass_ratio": (metrics.tail_mass_ratio, dict(samples=REAL1, real=REAL1,
                                                              q=0.05)),
    "metrics.gaussian_tail_mass_ratio": (metrics.gaussian_tail_mass_ratio, dict(
        mean=0.1, var=0.8, q=0.01, mu0=0.0, sigma0=1.0)),
    "metrics.rare_category_recall": (metrics.rare_category_recall, dict(
        counts=COUNTS, p_true=[0.4, 0.3, 0.2, 0.1], rare=0.25)),
    "metrics.support_retained": (metrics.support_retained, dict(counts=COUNTS,
                                                                original_counts=COUNTS + 1)),
    "metrics.worst_class_accuracy": (metrics.worst_class_accuracy, dict(
        y_true=[0, 1, 1, 2], y_pred=[0, 1, 0, 2])),
    # detection
    "detection.evaluate": (detection.evaluate, dict(models=[FITTED, FITTED], measures=MEASURES,
                                                    eval_size=20, seed=0)),
    "detection.null_values": (detection.null_values, dict(model=FITTED, measures=MEASURES,
                                                          eval_size=20, n_draws=5, seed=0)),
    "detection.bootstrap_values": (detection.bootstrap_values, dict(
        sample=REAL1, statistic=np.mean, n_boot=20, seed=0)),
    "detection.mc_pvalue": (detection.mc_pvalue, dict(value=0.5, null=REAL1,
                                                      direction="lower")),
    "detection.band": (detection.band, dict(null=REAL1, alpha=0.05, direction="both")),
    "detection.first_detection": (detection.first_detection, dict(
        values=REAL1[:5], null=REAL1, alpha=0.05, direction="lower", start=1)),
    "detection.familywise_rate": (detection.familywise_rate, dict(alpha=0.05, tests=10)),
    "detection.per_test_alpha": (detection.per_test_alpha, dict(familywise=0.05, tests=10)),
    "detection.share_sample_size": (detection.share_sample_size, dict(
        share=0.02, rel_error=0.2, confidence=0.95)),
    "detection.fitted_models": (detection.fitted_models, dict(
        model=models.Gaussian(ddof=0), real=REAL1, generations=2, seed=0)),
}

ALLOWED = (ValueError, TypeError)


def _finite(result) -> bool:
    """True when every number in the result is finite (NaN is never a valid answer)."""
    if isinstance(result, (bool, str, type(None))):
        return True
    if isinstance(result, (list, tuple)) and not hasattr(result, "_fields"):
        return all(_finite(r) for r in result)
    for attr in ("var", "counts", "error", "train_size"):
        if hasattr(result, attr):
            return _finite(getattr(result, attr))
    if hasattr(result, "_fields"):  # named tuples of floats
        return all(_finite(r) for r in result)
    try:
        arr = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return True  # models, plans and other objects
    return not np.any(np.isnan(arr))


@pytest.mark.parametrize("name", sorted(CALLS))
def test_valid_calls_work(name):
    function, kwargs = CALLS[name]
    assert _finite(function(**kwargs))


@pytest.mark.parametrize("name", sorted(CALLS))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), junk=HOSTILE)
def test_one_bad_argument_raises_value_or_type_error(name, data, junk):
    function, kwargs = CALLS[name]
    arg = data.draw(st.sampled_from(sorted(kwargs)))
    start = time.perf_counter()
    try:
        result = function(**dict(kwargs, **{arg: junk}))
    except ALLOWED:
        return
    finally:
        assert time.perf_counter() - start < 20, f"{name}({arg}={junk!r}) took too long"
    assert _finite(result), f"{name}({arg}={junk!r}) returned NaN"


@pytest.mark.parametrize(("call", "name"), [
    (lambda: data.zipf_tokens(5, vocab_size=0), "vocab_size"),
    (lambda: data.zipf_corpus(vocab_size=10**9, n_sentences=2, length=2), "vocab_size"),
    (lambda: chains.gaussian(10, 10**12, 4), "generations"),
    (lambda: chains.gaussian(10, 1000, 10**9), "chains"),
    (lambda: chains.gaussian_policy(10, 10, 10**8, policy="accumulate_subsample"), "chains"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), REAL1, generations=10**12), "generations"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), REAL1, generations=1, n_samples=10**12),
     "n_samples"),
    (lambda: detection.bootstrap_values(REAL1, np.mean, n_boot=10**12), "n_boot"),
    (lambda: detection.null_values(FITTED, MEASURES, 10, n_draws=10**12), "n_draws"),
    (lambda: detection.evaluate([object()], MEASURES, 10), "models"),
    (lambda: metrics.mmd2_rbf(REAL2, REAL2, bandwidth=5e-324), "bandwidth"),
    (lambda: metrics.vendi_score(REAL2, bandwidth=5e-324), "bandwidth"),
    (lambda: theory.gaussian_var(5, 10, sigma0=10**400), "sigma0"),
    (lambda: theory.expected_support([0.5, 0.5], 10**6, 3), "m"),
    (lambda: theory.expected_support([0.5, 0.5], 10, 10**9), "t"),
    (lambda: loop.run_loop(models.Gaussian(ddof=0), [0.0, np.nan], generations=1), "real"),
    (lambda: data.gaussian_sample(10**6, dim=10**6), "dim"),
    (lambda: models.Gaussian(ddof=0).fit(REAL1).sample(10**12, 0), "n"),
])
def test_refusals_name_the_callers_argument(call, name):
    with pytest.raises(ALLOWED, match=rf"\b{name}\b"):
        call()

"""Many-chain simulators of helpers.chains against the closed forms of helpers.theory.

Simulated means are compared with theory within 4 standard errors (estimated from the
chains themselves); all seeds are fixed, so each test is deterministic.
"""

import numpy as np
import pytest
from badinput import JUNK, call_with_one_bad_argument
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import chains, policies, theory


def within_4se(samples, expected, axis=-1):
    """True where the mean of ``samples`` along ``axis`` is within 4 standard errors."""
    samples = np.asarray(samples, dtype=float)
    se = samples.std(axis=axis, ddof=1) / np.sqrt(samples.shape[axis])
    return np.all(np.abs(samples.mean(axis=axis) - expected) <= 4 * se)


def zipf(exponent, size):
    p = np.arange(1, size + 1) ** -float(exponent)
    return p / p.sum()


# --- Gaussian ---------------------------------------------------------------------------


# Generations are kept where the mean is still a fair yardstick: var_t is a product of
# t independent chi^2 factors, so its relative variance grows like (1 + 2/(n-1))^t.
@pytest.mark.parametrize(
    ("n", "ddof", "mu0", "sigma0", "t"),
    [(100, 0, 0.0, 1.0, (1, 5, 20, 50)), (100, 1, 0.0, 1.0, (1, 5, 20, 50)),
     (10, 0, 3.0, 2.0, (1, 5, 20)), (10, 1, -1.0, 0.5, (1, 5, 20)), (3, 1, 0.0, 1.0, (1, 2, 4))],
)
def test_gaussian_replace_matches_theory(n, ddof, mu0, sigma0, t):
    t = np.array(t)
    res = chains.gaussian(n, t.max(), 5000, ddof=ddof, mu0=mu0, sigma0=sigma0, seed=n + ddof)
    args = (t, n, ddof, sigma0)
    assert within_4se(np.log(res.var[t]), theory.gaussian_log_var(*args), axis=1)
    assert within_4se((res.mean[t] - mu0) ** 2, theory.gaussian_mean_sq(*args), axis=1)
    assert within_4se(res.w2sq[t], theory.gaussian_w2sq_to_truth(*args), axis=1)
    if ddof == 0:  # heavy right tail: the sample standard error is still a fair yardstick
        assert within_4se(res.var[t], theory.gaussian_var(*args), axis=1)


def test_gaussian_reference_setting_collapses():
    """REFERENCES.md: n=100, t=50, 5000 chains; the typical chain narrows much more."""
    res = chains.gaussian(100, 50, 5000, seed=0)
    assert within_4se(res.var[50], theory.gaussian_var(50, 100))
    assert np.median(res.var[50]) < theory.gaussian_var(50, 100)  # median below the mean
    assert np.all(res.var[0] == 1.0) and np.all(res.mean[0] == 0.0)


@pytest.mark.parametrize(("n", "ddof"), [(100, 0), (100, 1), (5, 0), (5, 1)])
def test_gaussian_accumulate_matches_theory(n, ddof):
    t = np.array([1, 2, 10, 50])
    res = chains.gaussian(n, 50, 5000, ddof=ddof, policy="accumulate", seed=7)
    assert within_4se(res.var[t], theory.gaussian_accumulate_var(t, n, ddof), axis=1)
    if (n, ddof) == (100, 0):  # REFERENCES.md: ~0.99, no collapse
        assert res.var[50].mean() == pytest.approx(0.99, abs=0.01)


def _fresh_mix_var(t, n, n_real, ddof):
    """E[var_t] (sigma0 = 1) when n_real of the n samples are fresh real data: exact recursion.

    The pooled sum of squares is SS_syn + SS_real + (k s / n) (mean_syn - mean_real)^2, so
    (E[var], E[mu^2]) follows an affine map; iterate it t times from the truth (1, 0).
    """
    k, s = n_real, n - n_real
    var, mean_sq = 1.0, 0.0
    for _ in range(t):
        sum_sq = var * (s - 1 + k / n) + (k - 1 + s / n) + k * s / n * mean_sq
        var, mean_sq = sum_sq / (n - ddof), (s**2 * mean_sq + s * var + k) / n**2
    return var


@pytest.mark.parametrize(
    ("n", "real_fraction", "ddof"),
    [(100, 0.5, 0), (100, 0.2, 0), (100, 0.1, 1), (100, 1.0, 0), (4, 0.5, 1), (10, 0.3, 0),
     (10, 0.3, 1)],
)
def test_gaussian_fresh_real_data_matches_exact_recursion(n, real_fraction, ddof):
    res = chains.gaussian(n, 30, 4000, ddof=ddof, real_fraction=real_fraction, seed=n)
    t = np.array([1, 2, 5, 30])
    expected = [_fresh_mix_var(i, n, round(real_fraction * n), ddof) for i in t]
    assert within_4se(res.var[t], expected, axis=1)


@pytest.mark.parametrize(("real_fraction", "ddof"), [(0.5, 0), (0.2, 0), (0.1, 1)])
def test_gaussian_fresh_real_data_keeps_the_variance(real_fraction, ddof):
    """Bertrand-style stability: with enough real data per generation the median stays near 1."""
    n, generations = 100, 200
    res = chains.gaussian(n, generations, 2000, ddof=ddof, real_fraction=real_fraction, seed=3)
    assert 0.93 < np.median(res.var[-1]) < 1.03
    assert within_4se(res.var[-1], _fresh_mix_var(generations, n, round(real_fraction * n), ddof))
    synthetic = chains.gaussian(n, generations, 2000, ddof=ddof, seed=3)
    assert np.median(synthetic.var[-1]) < 0.2  # while the fully synthetic loop collapses


def test_gaussian_fresh_mix_oracle_reduces_to_the_closed_form():
    # With no real data the recursion must give ((n-1)/n)^t: checks the oracle itself.
    assert _fresh_mix_var(30, 20, 0, 0) == pytest.approx(theory.gaussian_var(30, 20))


def test_gaussian_result_helpers():
    res = chains.gaussian(10, 8, 300, mu0=1.0, sigma0=2.0, seed=1)
    assert res.mean.shape == res.var.shape == res.w2sq.shape == (9, 300)
    assert np.array_equal(res.generations, np.arange(9))
    assert np.allclose(res.std**2, res.var)
    assert np.allclose(res.w2sq, (res.mean - 1.0) ** 2 + (np.sqrt(res.var) - 2.0) ** 2)
    band = res.quantiles([0.1, 0.5, 0.9], of="w2sq")
    assert band.shape == (3, 9) and np.all(band[0] <= band[1]) and np.all(band[1] <= band[2])
    assert np.allclose(res.quantiles(0.5), np.median(res.var, axis=1))
    with pytest.raises(ValueError, match="^q "):
        res.quantiles(1.5)
    with pytest.raises(ValueError, match="^of "):
        res.quantiles(0.5, of="variance")
    with pytest.raises(ValueError, match=r"^q must be a single number or 1-D, got .* \(1, 1\)"):
        res.quantiles([[0.5]])
    with pytest.raises(ValueError, match=r"^q must contain at least 1 value"):
        res.quantiles([])  # was: numpy's "zero-size array to reduction operation"
    with pytest.raises(TypeError, match=r"^q must be an array of real numbers, got dict"):
        res.quantiles({"a": {"b": {}}})  # was: a RecursionError on a deep dict's repr


# --- categorical ------------------------------------------------------------------------


def test_categories_lost_after_one_generation():
    p = zipf(1.5, 1000)  # REFERENCES.md: 881.7 expected
    res = chains.categorical(p, 1000, 1, 1000, seed=2)
    assert within_4se(1000 - res.support[1], theory.categories_lost(p, 1000))


def test_categorical_support_never_increases_under_replace():
    res = chains.categorical(zipf(1.5, 300), 200, 40, 200, seed=4)
    support = res.support
    assert np.all(support[0] == 300)
    assert np.all(np.diff(support, axis=0) <= 0) and np.all(support >= 1)
    assert support[-1].mean() < support[1].mean()


def test_categorical_accumulate_keeps_the_first_support():
    """Pooling keeps every category of the real sample: support is fixed after generation 1."""
    p = zipf(1.5, 300)
    acc = chains.categorical(p, 200, 30, 100, policy="accumulate", seed=4)
    rep = chains.categorical(p, 200, 30, 100, policy="replace", seed=4)
    assert np.array_equal(acc.counts[:2], rep.counts[:2])  # generation 1 is the same real sample
    assert np.all(acc.support[1:] == acc.support[1])


@pytest.mark.parametrize("policy", ["replace", "accumulate"])
def test_categorical_gini_simpson_diversity_matches_theory(policy):
    """E[1 - sum_i q_i^2] shrinks like the MLE variance of a Gaussian fitted on m points.

    Replace: factor ((m-1)/m)^t (theory.gaussian_var); accumulate: prod_j (1 - 1/(j^2 m))
    (theory.gaussian_accumulate_var). Same derivation: each is E[p(1-p)] of a sample mean.
    """
    p, m, t = zipf(1.2, 30), 40, np.array([1, 3, 10, 40])
    res = chains.categorical(p, m, 40, 3000, policy=policy, seed=5)
    diversity = 1 - np.sum(res.probs[t] ** 2, axis=-1)
    factor = (theory.gaussian_var if policy == "replace" else theory.gaussian_accumulate_var)
    assert within_4se(diversity, (1 - np.sum(p**2)) * factor(t, m), axis=1)


@pytest.mark.parametrize("policy", ["replace", "accumulate"])
def test_categorical_counts_and_probs(policy):
    p = np.array([0.5, 0.3, 0.2, 0.0])
    res = chains.categorical(p, 20, 6, 50, policy=policy, seed=1)
    assert res.counts.shape == res.probs.shape == (7, 50, 4)
    assert np.allclose(res.counts[0], 20 * p)
    assert np.all(res.counts[1:].sum(axis=-1) == 20)
    assert np.array_equal(res.counts[1:], np.round(res.counts[1:]))
    assert np.allclose(res.probs.sum(axis=-1), 1.0) and np.allclose(res.probs[0], p)
    assert np.all(res.counts[1:, :, 3] == 0)  # a zero-probability category never appears
    assert res.support.dtype.kind == "i" and np.all(res.support[0] == 3)


@pytest.mark.parametrize(("p", "m"), [((0.5, 0.5), 50), ((0.3, 0.7), 20)])
def test_wright_fisher_fixation(p, m):
    """Two states: fixation in state i with probability p_i; mean time vs the exact chain."""
    res = chains.categorical(p, m, 800, 4000, seed=8)
    support = res.support
    assert np.all(support[-1] == 1)  # every chain has fixed (exact: P(not) < 1e-5 overall)
    assert within_4se(res.probs[-1, :, 0], p[0])
    fixation_time = np.argmax(support == 1, axis=0)
    exact = theory.wright_fisher_fixation_time(m, p[0], method="exact")
    assert within_4se(fixation_time, exact)


# --- linear regression ------------------------------------------------------------------


@pytest.mark.parametrize(("d", "T", "noise_var"), [(10, 100, 1.0), (5, 20, 0.5)])
@pytest.mark.parametrize("policy", ["replace", "accumulate"])
def test_linear_regression_matches_theory(d, T, noise_var, policy):
    k = np.array([1, 5, 20])
    error = chains.linear_regression(d, T, noise_var, 20, 3000, policy=policy, seed=d).error
    assert error.shape == (21, 3000) and np.all(error[0] == 0.0)
    expected = theory.linreg_error(k, d, T, noise_var, policy=policy)
    assert within_4se(error[k], expected, axis=1)


def test_linear_regression_accumulate_stays_below_the_bound():
    error = chains.linear_regression(10, 100, 1.0, 30, 5000, policy="accumulate", seed=0).error
    assert np.all(error.mean(axis=1) <= theory.linreg_accumulate_bound(10, 100, 1.0))
    replace = chains.linear_regression(10, 100, 1.0, 30, 5000, policy="replace",
                                        seed=0).error
    assert np.array_equal(replace[1], error[1])  # iteration 1 fits the same real labels
    assert replace[30].mean() > 5 * error[30].mean()


# --- reproducibility --------------------------------------------------------------------

RUNS = {
    "gaussian": lambda seed: chains.gaussian(10, 5, 20, real_fraction=0.3, seed=seed).var,
    "gaussian_accumulate": lambda seed: chains.gaussian(
        10, 5, 20, policy="accumulate", seed=seed).mean,
    "categorical": lambda seed: chains.categorical(zipf(1.2, 20), 30, 5, 20, seed=seed).counts,
    "linear_regression": lambda seed: chains.linear_regression(3, 10, 1.0, 5, 20,
                                                               seed=seed).error,
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_same_seed_same_result_different_seed_differs(name):
    run = RUNS[name]
    assert np.array_equal(run(11), run(11))
    assert np.array_equal(run(11), run(np.random.default_rng(11)))
    assert not np.array_equal(run(11), run(12))


# --- bad arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: chains.gaussian(1, 5, 5), ValueError, "n"),
        (lambda: chains.gaussian(10.0, 5, 5), TypeError, "n"),
        (lambda: chains.gaussian(10, 0, 5), ValueError, "generations"),
        (lambda: chains.gaussian(10, 5, -1), ValueError, "chains"),
        (lambda: chains.gaussian(10, 5, 5, ddof=2), ValueError, "ddof"),
        (lambda: chains.gaussian(10, 5, 5, policy="fresh"), ValueError, "policy"),
        (lambda: chains.gaussian(10, 5, 5, real_fraction=1.5), ValueError, "real_fraction"),
        (lambda: chains.gaussian(10, 5, 5, sigma0=0.0), ValueError, "sigma0"),
        (lambda: chains.gaussian(10, 5, 5, sigma0=1e200), ValueError, "sigma0"),
        (lambda: chains.gaussian(10, 5, 5, mu0=np.nan), ValueError, "mu0"),
        (lambda: chains.gaussian(10, 5, 5, seed=-1), ValueError, "seed"),
        (lambda: chains.gaussian(10, 5, 5, seed=1.5), TypeError, "seed"),
        (lambda: chains.categorical([0.5, 0.6], 10, 5, 5), ValueError, "p"),
        (lambda: chains.categorical([[0.5, 0.5]], 10, 5, 5), ValueError, "p"),
        (lambda: chains.categorical([0.5, 0.5], 0, 5, 5), ValueError, "m"),
        (lambda: chains.categorical([0.5, 0.5], 10, 5, 5, policy=None), ValueError, "policy"),
        (lambda: chains.linear_regression(10, 11, 1.0, 5, 5), ValueError, "T"),
        (lambda: chains.linear_regression(0, 11, 1.0, 5, 5), ValueError, "d"),
        (lambda: chains.linear_regression(2, 11, 0.0, 5, 5), ValueError, "noise_var"),
        (lambda: chains.linear_regression(2, 11, "1", 5, 5), TypeError, "noise_var"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        call()


CALLS = {
    "gaussian": (chains.gaussian, dict(n=5, generations=3, chains=4, ddof=0, policy="replace",
                                       real_fraction=0.4, mu0=0.0, sigma0=1.0, seed=0)),
    "categorical": (chains.categorical, dict(p=[0.5, 0.5], m=5, generations=3, chains=4,
                                             policy="accumulate", seed=0)),
    "linear_regression": (chains.linear_regression, dict(d=2, T=6, noise_var=1.0,
                                                         generations=3, chains=4, seed=0)),
}


def _outputs(result):
    if isinstance(result, np.ndarray):
        return [result]
    if isinstance(result, chains.GaussianChains):
        return [result.mean, result.var, result.w2sq]
    if isinstance(result, chains.RegressionChains):
        return [result.error]
    return [result.counts, result.probs]


@settings(max_examples=50, deadline=None)
@given(which=st.sampled_from(sorted(CALLS)), data=st.data(), junk=JUNK)
def test_random_bad_input_raises_value_or_type_error_never_nan(which, data, junk):
    result = call_with_one_bad_argument(*CALLS[which], data, junk)
    if result is None:
        return
    assert all(np.all(np.isfinite(out)) for out in _outputs(result))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 1000), ddof=st.integers(0, 1), real_fraction=st.floats(0, 1),
       policy=st.sampled_from(chains.POLICIES), sigma0=st.floats(1e-6, 1e6))
def test_valid_gaussian_inputs_give_finite_nonnegative_variances(n, ddof, real_fraction,
                                                                 policy, sigma0):
    res = chains.gaussian(n, 20, 10, ddof=ddof, policy=policy, real_fraction=real_fraction,
                          sigma0=sigma0, seed=0)
    assert np.all(np.isfinite(res.mean)) and np.all(np.isfinite(res.var))
    assert np.all(res.var >= 0)


# --- gaussian_policy: the five data policies of helpers.loop ------------------------------


def _two_sample_close(a, b):
    """True when the means of two independent samples differ by at most 4 standard errors."""
    se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
    return abs(a.mean() - b.mean()) <= 4 * se


def test_gaussian_policy_replace_and_accumulate_match_theory():
    t = np.array([1, 5, 20, 50])
    replace = chains.gaussian_policy(100, 50, 4000, policy="replace", seed=1)
    assert within_4se(np.log(replace.var[t]), theory.gaussian_log_var(t, 100), axis=1)
    accumulate = chains.gaussian_policy(100, 50, 4000, policy="accumulate", ddof=1, seed=2)
    assert within_4se(accumulate.var[t], theory.gaussian_accumulate_var(t, 100, 1), axis=1)


def test_gaussian_policy_fresh_matches_gaussian_with_fresh_real_data():
    fresh = chains.gaussian_policy(50, 30, 4000, policy="fresh", real_fraction=0.2, seed=3)
    reference = chains.gaussian(50, 30, 4000, real_fraction=0.2, seed=4)
    assert _two_sample_close(np.log(fresh.var[30]), np.log(reference.var[30]))
    assert _two_sample_close(fresh.mean[30], reference.mean[30])


def test_gaussian_policy_mix_with_all_real_data_keeps_the_first_fit_exactly():
    res = chains.gaussian_policy(20, 10, 50, policy="reservoir", real_fraction=1.0, seed=5)
    assert np.array_equal(res.var[1:], np.broadcast_to(res.var[1], (10, 50)))
    assert np.array_equal(res.mean[1:], np.broadcast_to(res.mean[1], (10, 50)))
    no_real = chains.gaussian_policy(100, 40, 3000, policy="reservoir", real_fraction=0.0, seed=6)
    assert within_4se(np.log(no_real.var[40]), theory.gaussian_log_var(40, 100))


def test_gaussian_policy_subsample_with_a_large_budget_is_accumulate():
    big = chains.gaussian_policy(20, 15, 3000, policy="accumulate_subsample", train_size=10_000,
                                 seed=7)
    t = np.array([2, 15])
    assert within_4se(big.var[t], theory.gaussian_accumulate_var(t, 20), axis=1)


def _loop_log_ratio(policy, generations, runs, **kwargs):
    """log(var at the last generation / var fitted on the real data) from helpers.loop."""
    from helpers.loop import run_loop
    from helpers.models import Gaussian

    out = []
    for seed in range(runs):
        real = np.random.default_rng(10_000 + seed).normal(size=20)
        h = run_loop(Gaussian(ddof=0), real, generations=generations, policy=policy, seeds=[seed],
                     model_metrics={"var": lambda model: model.var_}, **kwargs)
        out.append(np.log(h.metrics["var"][0, -1] / h.metrics["var"][0, 0]))
    return np.array(out)


@pytest.mark.parametrize(("policy", "kwargs"), [("accumulate_subsample", {}),
                                                ("reservoir", {"real_fraction": 0.3})])
def test_gaussian_policy_follows_the_rules_of_helpers_loop(policy, kwargs):
    """Same law as run_loop with a Gaussian model (the loop's generation g is row g + 1)."""
    res = chains.gaussian_policy(20, 13, 3000, policy=policy, seed=8, **kwargs)
    fast = np.log(res.var[13] / res.var[1])
    assert _two_sample_close(fast, _loop_log_ratio(policy, 12, 600, **kwargs))
    # and the policy matters: the same statistic under replace is far lower
    assert np.mean(fast) > np.mean(np.log(chains.gaussian_policy(20, 13, 3000, seed=8).var[13]
                                          / chains.gaussian_policy(20, 13, 3000, seed=8).var[1]))


@pytest.mark.parametrize(("N", "k"), [(10, 3), (12, 12), (60, 5), (1000, 40)])
def test_subset_indices_are_distinct_and_uniform(N, k):
    idx = chains._subset_indices(np.random.default_rng(N), 4000, N, k)
    assert idx.shape == (4000, k)
    assert all(len(set(row)) == k for row in idx.tolist())
    assert idx.min() >= 0 and idx.max() < N
    counts = np.bincount(idx.ravel(), minlength=N)
    expected = 4000 * k / N
    assert np.all(np.abs(counts - expected) <= 5 * np.sqrt(expected))


def test_gaussian_policy_same_seed_same_result():
    def run(seed):
        return chains.gaussian_policy(10, 6, 20, policy="accumulate_subsample", seed=seed).var

    assert np.array_equal(run(3), run(3)) and not np.array_equal(run(3), run(4))


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        (dict(policy="bogus"), ValueError, "policy"),
        (dict(policy="reservoir"), ValueError, "real_fraction"),
        (dict(policy="replace", real_fraction=0.5), ValueError, "real_fraction"),
        (dict(policy="accumulate", train_size=50), ValueError, "train_size"),
        (dict(policy="fresh", real_fraction=1.5), ValueError, "real_fraction"),
        (dict(policy="reservoir", real_fraction=0.5, train_size=100), ValueError, "real_fraction"),
        (dict(policy="accumulate_subsample", train_size=1), ValueError, "train_size"),
        (dict(ddof=2), ValueError, "ddof"),
    ],
)
def test_gaussian_policy_bad_arguments_name_the_argument(kwargs, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        chains.gaussian_policy(10, 5, 5, **kwargs)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 200), ddof=st.integers(0, 1), real_fraction=st.floats(0, 1),
       policy=st.sampled_from(chains.LOOP_POLICIES), train_size=st.integers(2, 300))
def test_gaussian_policy_valid_inputs_give_finite_nonnegative_variances(
        n, ddof, real_fraction, policy, train_size):
    mixes = "real_fraction" in policies.POLICY_TABLE[policy].uses
    kwargs = {"real_fraction": real_fraction} if mixes else {}
    if "train_size" in policies.POLICY_TABLE[policy].uses:
        kwargs["train_size"] = train_size
    if policy == "reservoir" and round(real_fraction * train_size) > n:
        return
    res = chains.gaussian_policy(n, 8, 6, ddof=ddof, policy=policy, seed=0, **kwargs)
    assert np.all(np.isfinite(res.mean)) and np.all(res.var >= 0) and np.all(
        np.isfinite(res.var))

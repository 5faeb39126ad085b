"""Closed forms of helpers.theory: reference values of REFERENCES.md, identities, bad input."""

import math

import numpy as np
import pytest
from badinput import JUNK, call_with_one_bad_argument
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import theory

# --- reference values (REFERENCES.md sections 1, 2, 4, 5) -------------------------------


@pytest.mark.parametrize(
    ("ddof", "expected"),
    [(0, (0.6050, -1.0093, 0.3950, 0.6289)), (1, (1.0, -0.5068, 0.5, 0.7372))],
)
def test_gaussian_reference_values(ddof, expected):
    functions = (theory.gaussian_var, theory.gaussian_log_var, theory.gaussian_mean_sq,
                 theory.gaussian_w2sq_to_truth)
    got = [f(50, n=100, ddof=ddof) for f in functions]
    assert got == pytest.approx(expected, abs=5e-5)


def test_gaussian_accumulate_reference_value():
    # REFERENCES.md: "accumulate, ddof=0: E[sigma^2] ~ 0.99, no collapse" (n=100, t=50).
    assert theory.gaussian_accumulate_var(50, n=100) == pytest.approx(0.9838, abs=5e-5)


def test_categories_lost_zipf_reference():
    p = np.arange(1, 1001) ** -1.5
    assert theory.categories_lost(p / p.sum(), 1000) == pytest.approx(881.7, abs=0.05)


def test_linreg_reference_values():
    k = [1, 5, 20]
    replace = theory.linreg_error(k, d=10, T=100, noise_var=1.0, policy="replace")
    accumulate = theory.linreg_error(k, d=10, T=100, noise_var=1.0, policy="accumulate")
    assert replace == pytest.approx([0.1124, 0.5618, 2.2472], abs=5e-5)
    assert accumulate == pytest.approx([0.1124, 0.1645, 0.1793], abs=5e-5)
    assert theory.linreg_accumulate_bound(10, 100, 1.0) == pytest.approx(0.1848, abs=5e-5)


def test_kde_reference_values():
    got = theory.kde_var([1, 10, 50, 100], n=89, bandwidth=0.75, var0=1.0)
    assert got == pytest.approx([0.989, 5.680, 21.614, 33.650], abs=5e-4)


def test_sampling_bias_reference_values():
    got = theory.sampling_bias_trace([1, 10], n=500, lam=0.8, trace1=1.905)
    assert got == pytest.approx([1.905, 0.0337], abs=5e-5)


def test_wright_fisher_fixation_time():
    assert theory.wright_fisher_fixation_time(50) == pytest.approx(100 * math.log(2))
    # m = 2 from (1/2, 1/2): fixed after each generation with probability 1/2, so E[T] = 2.
    assert theory.wright_fisher_fixation_time(2, method="exact") == pytest.approx(2.0)
    # REFERENCES.md: simulation 67 for m = 50, diffusion approximation 69.
    assert theory.wright_fisher_fixation_time(50, method="exact") == pytest.approx(67.5, abs=0.1)
    assert theory.wright_fisher_fixation_time(50, p=1.0) == 0.0


# --- identities and shapes --------------------------------------------------------------


def test_scalar_in_float_out_array_in_array_out():
    assert isinstance(theory.gaussian_var(3, n=10), float)
    assert isinstance(theory.gaussian_var(np.int64(3), n=np.int64(10)), float)
    out = theory.gaussian_w2sq_to_truth(np.arange(6).reshape(2, 3), n=10)
    assert isinstance(out, np.ndarray) and out.shape == (2, 3)
    assert theory.linreg_error([], 10, 100, 1.0).shape == (0,)


@pytest.mark.parametrize("ddof", [0, 1])
def test_generation_zero_is_the_truth(ddof):
    sigma0 = 1.7
    assert theory.gaussian_var(0, 10, ddof, sigma0) == pytest.approx(sigma0**2)
    assert theory.gaussian_log_var(0, 10, ddof, sigma0) == pytest.approx(np.log(sigma0**2))
    assert theory.gaussian_mean_sq(0, 10, ddof, sigma0) == 0.0
    assert theory.gaussian_w2sq_to_truth(0, 10, ddof, sigma0) == pytest.approx(0.0, abs=1e-12)
    assert theory.gaussian_accumulate_var(0, 10, ddof, sigma0) == pytest.approx(sigma0**2)
    assert theory.kde_var(0, 10, 0.5, 2.0) == 2.0


@pytest.mark.parametrize("ddof", [0, 1])
def test_gaussian_forms_scale_with_sigma0_squared(ddof):
    t = np.arange(20)
    for f in (theory.gaussian_var, theory.gaussian_mean_sq, theory.gaussian_w2sq_to_truth,
              theory.gaussian_accumulate_var):
        assert f(t, 7, ddof, sigma0=3.0) == pytest.approx(9.0 * f(t, 7, ddof))


def test_mean_sq_is_the_sum_of_past_variances_over_n():
    t, n = np.arange(1, 30), 7
    for ddof in (0, 1):
        past = np.cumsum(theory.gaussian_var(np.arange(29), n, ddof)) / n
        assert theory.gaussian_mean_sq(t, n, ddof) == pytest.approx(past)


def test_w2_bounded_for_mle_unbounded_for_unbiased():
    t = np.array([10, 100, 1000, 10_000])
    mle, unbiased = theory.gaussian_w2sq_to_truth(t, 20, 0), theory.gaussian_w2sq_to_truth(t, 20, 1)
    assert np.all(np.diff(mle) >= 0) and np.all(mle <= 2.0) and mle[-1] == pytest.approx(2.0)
    assert unbiased[-1] == pytest.approx(10_000 / 20 + 2.0)  # t/n + 2, unbounded
    # REFERENCES.md: about 1.5 t/n while t << n
    assert theory.gaussian_w2sq_to_truth(5, 1000, 1) == pytest.approx(1.5 * 5 / 1000, rel=0.01)


def test_log_var_drifts_down_for_both_estimators():
    for n in (2, 5, 100, 10_000):
        for ddof in (0, 1):
            assert theory.gaussian_log_var(1, n, ddof) < 0


def test_accumulate_var_matches_its_recursion_and_limit():
    for n, ddof in [(2, 0), (3, 1), (100, 0), (100, 1)]:
        t = np.arange(1, 200)
        expected = (n - 1) / (n - ddof) * np.cumprod(
            np.r_[1.0, 1 - 1 / (t[1:] * (t[1:] * n - ddof))])
        assert theory.gaussian_accumulate_var(t, n, ddof) == pytest.approx(expected, rel=1e-9)
    x = 1 / np.sqrt(100)
    assert theory.gaussian_accumulate_var(10**12, 100) == pytest.approx(
        np.sin(np.pi * x) / (np.pi * x), rel=1e-9)


def test_linreg_accumulate_increases_to_the_bound():
    k = np.arange(0, 2000)
    acc = theory.linreg_error(k, 5, 30, 2.0, policy="accumulate")
    bound = theory.linreg_accumulate_bound(5, 30, 2.0)
    assert acc[0] == 0.0 and np.all(np.diff(acc) > 0) and np.all(acc < bound)
    assert acc[-1] == pytest.approx(bound, rel=1e-3)


def test_categories_lost_vectorised_and_limits():
    p = np.array([0.5, 0.25, 0.25, 0.0])
    assert theory.categories_lost(p, [1, 2]) == pytest.approx([3.0, 1 + 0.25 + 2 * 0.75**2])
    assert theory.categories_lost(p, 1) == pytest.approx(3.0)  # one draw keeps exactly one


def test_kde_fixed_point_and_zero_bandwidth():
    assert theory.kde_var(10**6, 30, 0.5, 1.0) == pytest.approx(29 * 0.25)
    # h = 0 is plain resampling: the MLE-variance decay ((n-1)/n)^t.
    assert theory.kde_var(7, 30, 0.0, 2.0) == pytest.approx(theory.gaussian_var(7, 30, 0, 2**0.5))


def test_kde_var_matches_a_direct_simulation():
    """The convention (generation 1 = real sample, then KDE resampling) against a NumPy loop."""
    rng = np.random.default_rng(5)
    n, h, chains, generations = 89, 0.75, 4000, 10
    data = rng.standard_normal((chains, n))
    variances = [data.var(axis=1)]
    for _ in range(generations - 1):
        picks = rng.integers(n, size=(chains, n))
        data = np.take_along_axis(data, picks, axis=1) + h * rng.standard_normal((chains, n))
        variances.append(data.var(axis=1))
    variances = np.array(variances)
    se = variances.std(axis=1, ddof=1) / np.sqrt(chains)
    expected = theory.kde_var(np.arange(1, generations + 1), n, h, 1.0)
    assert np.all(np.abs(variances.mean(axis=1) - expected) < 4 * se)


def test_sampling_bias_matches_a_direct_simulation():
    rng = np.random.default_rng(6)
    n, lam, chains, generations = 50, 0.8, 3000, 6
    cov = np.broadcast_to(np.diag([1.0, 0.5]), (chains, 2, 2))
    mean = np.zeros((chains, 2))
    traces = []
    for t in range(generations):
        scale = lam if t > 0 else 1.0  # generation 1 is fitted on real data
        x = mean[:, None, :] + scale * np.einsum(
            "cij,ckj->cki", np.linalg.cholesky(cov), rng.standard_normal((chains, n, 2)))
        mean = x.mean(axis=1)
        centred = x - mean[:, None, :]
        cov = np.einsum("cki,ckj->cij", centred, centred) / n
        traces.append(np.trace(cov, axis1=1, axis2=2))
    traces = np.array(traces)
    se = traces.std(axis=1, ddof=1) / np.sqrt(chains)
    expected = theory.sampling_bias_trace(np.arange(1, generations + 1), n, lam, 1.5 * (n - 1) / n)
    assert np.all(np.abs(traces.mean(axis=1) - expected) < 4 * se)


def _reservoir_chains(n: int, k: int, generations: int, chains: int, seed: int):
    """Point-by-point "reservoir" loop: each chain draws a real set R of n points from N(0, 1) once;
    generation 1 fits R (MLE), each later one k points of R (without replacement) plus n - k
    draws of the previous fit. Returns the fitted variances (generations, chains) and var(R)."""
    rng = np.random.default_rng(seed)
    real = rng.standard_normal((chains, n))
    mu, var = real.mean(axis=1), real.var(axis=1)
    out = [var]
    for _ in range(2, generations + 1):
        pick = np.argsort(rng.random((chains, n)), axis=1)[:, :k]
        synthetic = mu[:, None] + np.sqrt(var)[:, None] * rng.standard_normal((chains, n - k))
        x = np.concatenate([np.take_along_axis(real, pick, axis=1), synthetic], axis=1)
        mu, var = x.mean(axis=1), x.var(axis=1)
        out.append(var)
    return np.array(out), out[0]


@pytest.mark.parametrize(("n", "k"), [(20, 5), (30, 12)])
def test_reservoir_mix_matches_a_direct_simulation_and_differs_from_fresh_data(n, k):
    """At parameters other than the lesson's (n = 100, rho = 0.05 to 0.2). Tolerance: 4
    standard errors of the mean over 20,000 chains (SE about 0.004), a two-sided miss of
    about 6e-5 per comparison. The fresh-data form, the likely confusion, sits 5 or more SEs
    away from the 3rd generation on, so the test can tell the two apart."""
    generations, chains = 10, 20_000
    var, v = _reservoir_chains(n, k, generations, chains, seed=7)
    t = np.arange(1, generations + 1)
    expected = theory.fixed_reservoir_var(t, n, k / n)
    se = var.std(axis=1, ddof=1) / np.sqrt(chains)
    assert np.all(np.abs(var.mean(axis=1) - expected) < 4 * se)
    # given R the level is a share of var(R): E[sigma_t^2 / v] = (n / (n-1)) * expected
    ratio = var[1:] / v
    se_ratio = ratio.std(axis=1, ddof=1) / np.sqrt(chains)
    assert np.all(np.abs(ratio.mean(axis=1) - expected[1:] * n / (n - 1)) < 4 * se_ratio)
    fresh = theory.fresh_real_var(t, n, k / n)
    assert np.all(np.abs(var.mean(axis=1) - fresh)[2:] > 5 * se[2:])


def test_reservoir_mix_reference_values_and_limits():
    # stationary levels at n = 100 (REFERENCES.md section 9), below the fresh-data ones
    got = [theory.fixed_reservoir_var(5000, n=100, rho=rho) for rho in (0.05, 0.10, 0.20)]
    assert got == pytest.approx([0.8977, 0.9407, 0.9641], abs=5e-5)
    assert all(g < theory.fresh_real_fixed_point(100, rho)
               for g, rho in zip(got, (0.05, 0.10, 0.20), strict=True))
    t = np.arange(0, 40)
    # rho = 0 is the replace loop; rho = 1 refits R every generation
    assert theory.fixed_reservoir_var(t, 13, 0.0) == pytest.approx(theory.gaussian_var(t, 13))
    assert theory.fixed_reservoir_var(t[1:], 13, 1.0) == pytest.approx(np.full(39, 12 / 13))
    assert theory.fixed_reservoir_var(0, 10, 0.3) == 1.0
    assert np.all(np.diff(theory.fixed_reservoir_var(t, 40, 0.25)) <= 0)
    # a whole number of real points is accepted at any size despite rounding (0.1 * 10**9)
    assert 0.99 < theory.fixed_reservoir_var(3, 10**9, 0.1) < 1.0


# --- bad arguments ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda: theory.gaussian_var(5, n=1), ValueError, "n"),
        (lambda: theory.gaussian_var(5, n=10.0), TypeError, "n"),
        (lambda: theory.gaussian_var(-1, n=10), ValueError, "t"),
        (lambda: theory.gaussian_var(1.5, n=10), ValueError, "t"),
        (lambda: theory.gaussian_var("3", n=10), TypeError, "t"),
        (lambda: theory.gaussian_var(True, n=10), TypeError, "t"),
        (lambda: theory.gaussian_var([1, np.nan], n=10), ValueError, "t"),
        (lambda: theory.gaussian_log_var(5, 10, ddof=2), ValueError, "ddof"),
        (lambda: theory.gaussian_mean_sq(5, 10, ddof=True), TypeError, "ddof"),
        (lambda: theory.gaussian_w2sq_to_truth(5, 10, sigma0=0.0), ValueError, "sigma0"),
        (lambda: theory.gaussian_accumulate_var(5, 10, sigma0=np.inf), ValueError, "sigma0"),
        (lambda: theory.categories_lost([0.5, 0.6], 10), ValueError, "p"),
        (lambda: theory.categories_lost([0.5, 0.5], 0), ValueError, "m"),
        (lambda: theory.linreg_error(3, d=10, T=11, noise_var=1.0), ValueError, "T"),
        (lambda: theory.linreg_error(3, d=0, T=11, noise_var=1.0), ValueError, "d"),
        (lambda: theory.linreg_error(3, 10, 100, noise_var=-1.0), ValueError, "noise_var"),
        (lambda: theory.linreg_error(3, 10, 100, 1.0, policy="reservoir"), ValueError, "policy"),
        (lambda: theory.linreg_accumulate_bound(10, 11, 1.0), ValueError, "T"),
        (lambda: theory.kde_var(3, 10, bandwidth=-0.1, var0=1.0), ValueError, "bandwidth"),
        (lambda: theory.kde_var(3, 10, bandwidth=0.1, var0=0.0), ValueError, "var0"),
        (lambda: theory.sampling_bias_trace(0, 10, 0.8, 1.0), ValueError, "t"),
        (lambda: theory.sampling_bias_trace(1, 10, 0.0, 1.0), ValueError, "lam"),
        (lambda: theory.sampling_bias_trace(1, 10, 0.8, -1.0), ValueError, "trace1"),
        (lambda: theory.wright_fisher_fixation_time(1), ValueError, "m"),
        (lambda: theory.wright_fisher_fixation_time(10, p=1.5), ValueError, "p"),
        (lambda: theory.wright_fisher_fixation_time(10, method="mc"), ValueError, "method"),
        (lambda: theory.fixed_reservoir_var(-1, 10, 0.3), ValueError, "t"),
        (lambda: theory.fixed_reservoir_var(3, 1, 0.0), ValueError, "n"),
        (lambda: theory.fixed_reservoir_var(3, 10, 1.5), ValueError, "rho"),
        (lambda: theory.fixed_reservoir_var(3, 10, True), TypeError, "rho"),
        (lambda: theory.fixed_reservoir_var(3, 100, 0.125), ValueError, "rho"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(call, error, name):
    with pytest.raises(error, match=rf"^{name} "):
        call()


CALLS = {
    "gaussian_var": (theory.gaussian_var, dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "gaussian_log_var": (theory.gaussian_log_var, dict(t=5, n=10, ddof=1, sigma0=1.0)),
    "gaussian_w2sq_to_truth": (theory.gaussian_w2sq_to_truth, dict(t=5, n=10, ddof=0, sigma0=1.0)),
    "gaussian_accumulate_var": (theory.gaussian_accumulate_var, dict(t=5, n=10, ddof=1)),
    "categories_lost": (theory.categories_lost, dict(p=[0.5, 0.5], m=3)),
    "linreg_error": (theory.linreg_error, dict(k=3, d=2, T=10, noise_var=1.0)),
    "kde_var": (theory.kde_var, dict(t=3, n=10, bandwidth=0.5, var0=1.0)),
    "sampling_bias_trace": (theory.sampling_bias_trace, dict(t=3, n=10, lam=0.8, trace1=1.0)),
    "wright_fisher_fixation_time": (theory.wright_fisher_fixation_time, dict(m=10, p=0.5)),
    "fixed_reservoir_var": (theory.fixed_reservoir_var, dict(t=3, n=10, rho=0.3)),
}


@settings(max_examples=50, deadline=None)
@given(which=st.sampled_from(sorted(CALLS)), data=st.data(), junk=JUNK)
def test_random_bad_input_raises_value_or_type_error_never_nan(which, data, junk):
    out = call_with_one_bad_argument(*CALLS[which], data, junk)
    if out is None:
        return
    assert not np.any(np.isnan(out))  # accepted input never gives NaN


# --- expected_support (added for lesson 01) ----------------------------------------------


def test_expected_support_one_generation_is_k_minus_categories_lost():
    p = np.arange(1, 1001) ** -1.5
    p /= p.sum()
    assert theory.expected_support(p, 1000, 1) == pytest.approx(
        1000 - theory.categories_lost(p, 1000))
    assert 1000 - theory.expected_support(p, 1000, 1) == pytest.approx(881.7, abs=0.05)
    assert theory.expected_support(p, 1000, 0) == 1000.0


def test_expected_support_matches_simulation_and_never_grows():
    from helpers import chains

    p = np.arange(1, 201) ** -1.5
    p /= p.sum()
    curve = theory.expected_support(p, 100, np.arange(41))
    assert np.all(np.diff(curve) <= 1e-9) and curve.shape == (41,)
    sim = chains.categorical(p, 100, 40, 400, seed=3).support
    se = sim.std(axis=1, ddof=1) / np.sqrt(sim.shape[1])
    for t in (1, 5, 20, 40):
        assert abs(sim[t].mean() - curve[t]) < 4 * se[t] + 1e-9


def test_expected_support_bad_input():
    with pytest.raises(ValueError, match="m"):
        theory.expected_support([0.5, 0.5], 0, 3)
    with pytest.raises(ValueError, match="t"):
        theory.expected_support([0.5, 0.5], 5, -1)
    with pytest.raises(ValueError, match="p"):
        theory.expected_support([0.5, 0.6], 5, 1)


@pytest.mark.parametrize("function", [
    lambda **kw: theory.linreg_error(3, **kw), theory.linreg_accumulate_bound])
def test_the_linreg_size_condition_names_both_sizes(function):
    with pytest.raises(ValueError, match=r"^T must be >= d \+ 2 = 1000000000002, got 10$"):
        function(d=10**12, T=10, noise_var=1.0)

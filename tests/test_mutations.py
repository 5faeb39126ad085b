"""Tests aimed at changes an earlier sample of deliberate bugs got past the suite.

Each test names the change it catches. They are exact identities or hand-computed
values, so they have power at any sample size.
"""

import numpy as np
import pytest

from helpers import chains, loop, metrics, policies, theory
from helpers.models import Gaussian

# --- theory.expected_support at t = 0 counts only categories with p > 0 ---------------------


def test_expected_support_at_t0_ignores_zero_probability_categories():
    # mutation caught: curve[0] = len(p) instead of the number of p_i > 0
    p = [0.5, 0.0, 0.25, 0.0, 0.25]
    assert theory.expected_support(p, 20, 0) == 3.0
    assert theory.expected_support(p, 20, [0, 0]).tolist() == [3.0, 3.0]
    # a category with p = 0 never appears, so it cannot count at t = 1 either
    assert theory.expected_support(p, 20, 1) <= 3.0


# --- ddof is applied inside the policy chains ------------------------------------------------


@pytest.mark.parametrize("policy", policies.POLICIES)
def test_gaussian_policy_ddof_scales_the_first_fit_by_exactly_n_over_n_minus_1(policy):
    # same seed, so the same real sample: only the divisor differs (mutation: ddof dropped)
    kwargs = {"real_fraction": 0.5} if policy in ("reservoir", "fresh") else {}
    n = 12
    mle = chains.gaussian_policy(n, 3, 50, policy=policy, ddof=0, seed=5, **kwargs)
    unbiased = chains.gaussian_policy(n, 3, 50, policy=policy, ddof=1, seed=5, **kwargs)
    np.testing.assert_allclose(unbiased.var[1], mle.var[1] * n / (n - 1), rtol=1e-12)
    np.testing.assert_array_equal(unbiased.mean[1], mle.mean[1])


@pytest.mark.parametrize("fit", ["gaussian", "gaussian_policy"])
def test_replace_chains_scale_by_n_over_n_minus_1_per_generation(fit):
    # under replace, var_t = var_{t-1} * chi2 / (n - ddof) with the same chi2 draws
    # for both ddofs, so the ratio is exactly (n / (n - 1))^t at every generation
    n, G = 5, 8
    run = getattr(chains, fit)
    mle = run(n, G, 40, policy="replace", ddof=0, seed=9)
    unbiased = run(n, G, 40, policy="replace", ddof=1, seed=9)
    t = np.arange(G + 1)[:, None]
    np.testing.assert_allclose(unbiased.var / mle.var, (n / (n - 1)) ** t * np.ones((1, 40)),
                               rtol=1e-9)


def test_accumulate_chain_divides_the_pooled_sum_by_its_size_minus_ddof():
    # first fit of chains.gaussian: n draws, so the ratio is n / (n - 1) exactly
    n = 4
    mle = chains.gaussian(n, 2, 30, policy="accumulate", ddof=0, seed=2)
    unbiased = chains.gaussian(n, 2, 30, policy="accumulate", ddof=1, seed=2)
    np.testing.assert_allclose(unbiased.var[1], mle.var[1] * n / (n - 1), rtol=1e-12)


def test_small_n_unbiased_chain_keeps_its_expected_variance():
    # n = 3: E[var_t] = 1 for ddof = 1 but (2/3)^t for ddof = 0 -- at t = 3, 1 vs 0.30
    res = chains.gaussian_policy(3, 3, 20_000, policy="replace", ddof=1, seed=0)
    assert res.var[3].mean() == pytest.approx(1.0, abs=0.1)


# --- density_coverage divides by the number of *fake* points --------------------------------


def test_density_coverage_when_fake_and_real_sizes_differ():
    # real: 0, 1, ..., 99 (k = 1: every ball has radius 1); fake: 0.5, 1.5, ..., 9.5.
    # Each fake point lies in exactly two balls, so density = 2 / k = 2 for any M;
    # the balls of 0..10 contain a fake point, so coverage = 11 / 100.
    # (mutation caught: dividing by k * N instead of k * M gives 0.2)
    real = np.arange(100.0)[:, None]
    fake = np.arange(10)[:, None] + 0.5
    out = metrics.density_coverage(real, fake, k=1)
    assert out.density == pytest.approx(2.0)
    assert out.coverage == pytest.approx(0.11)
    bigger = metrics.density_coverage(real[:10], np.repeat(fake[:9], 20, axis=0), k=1)
    assert bigger.density == pytest.approx(2.0)


# --- the mix policy redraws its real part every generation ----------------------------------


def test_loop_mix_redraws_the_real_part_every_generation():
    real = np.arange(40.0)  # distinct values: a subset is identified by its values
    steps = list(loop.iterate_loop(Gaussian(ddof=0), real, generations=4, policy="reservoir",
                                   real_fraction=0.25, seed=3))
    parts = [frozenset(g.train[g.is_real].tolist()) for g in steps[1:]]
    assert all(len(part) == 10 and part <= set(real.tolist()) for part in parts)
    assert len(set(parts)) == len(parts)  # four different subsets (a repeat has p < 1e-8)


def test_chains_mix_redraws_the_real_part_every_generation():
    # a model with zero variance at 0: the training set's mean is the real part's sum / size
    n, chains_ = 30, 200
    real_points = np.random.default_rng(0).normal(size=(chains_, n))
    source = chains.GaussianSource(chains_, n, (0.0, 1.0), seed=1, kept=None,
                                   real_points=real_points)
    source.model = (np.zeros(chains_), np.zeros(chains_))
    plan = policies.make_plan("reservoir", n_real_data=n, real_fraction=0.5)
    first, second = (policies.training_set(source, plan) for _ in range(2))
    assert first[0] == second[0] == n
    assert np.all(first[1] != second[1])
    # and each is the mean of a 15-point subset of that chain's real sample
    assert np.all(np.abs(first[1]) <= np.abs(real_points).max(axis=1))

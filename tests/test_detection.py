"""Tests for helpers.detection: bands, Monte Carlo p-values, false-alarm rates, sample sizes."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from badinput import Broken
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import detection as d
from helpers.models import Categorical, Gaussian


def test_doctest_examples():
    result = doctest.testmod(d, extraglobs={"np": np})
    assert result.attempted > 10
    assert result.failed == 0


# ---------------------------------------------------------------- p-values and bands


def test_mc_pvalue_counts_ties_as_extreme():
    null = [1.0, 2.0, 2.0, 3.0]
    assert d.mc_pvalue(2.0, null, "lower") == pytest.approx(4 / 5)
    assert d.mc_pvalue(2.0, null, "higher") == pytest.approx(4 / 5)
    assert d.mc_pvalue(0.0, null, "lower") == pytest.approx(1 / 5)
    assert d.mc_pvalue(0.0, null, "both") == pytest.approx(2 / 5)
    assert d.mc_pvalue(2.0, null, "both") == 1.0


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=5, max_size=60),
       st.integers(-6, 6), st.sampled_from(d.DIRECTIONS),
       st.sampled_from([0.02, 0.05, 0.1, 0.2]))
def test_band_agrees_with_the_pvalue_even_with_ties(null, value, direction, alpha):
    null = np.array(null, dtype=float)
    side = alpha / 2 if direction == "both" else alpha
    if side * (len(null) + 1) < 1:
        with pytest.raises(ValueError, match="alpha"):
            d.band(null, alpha, direction)
        return
    edges = d.band(null, alpha, direction)
    outside = value < edges.low or value > edges.high
    if direction == "both":
        p_side = min(d.mc_pvalue(value, null, "lower"), d.mc_pvalue(value, null, "higher"))
        assert outside == (p_side <= side + 1e-12)
    else:
        assert outside == (d.mc_pvalue(value, null, direction) <= alpha + 1e-12)


def test_band_sides():
    null = np.arange(1.0, 100.0)
    assert d.band(null, 0.01, "lower") == (1.0, math.inf)
    assert d.band(null, 0.01, "higher") == (-math.inf, 99.0)
    assert d.band(null, 0.02, "both") == (1.0, 99.0)
    assert d.band(null, 0.05, "lower").low == 5.0


def test_first_detection_starts_at_generation_one_and_returns_none():
    null = np.arange(1.0, 100.0)
    assert d.first_detection([0.0, 5.0, 0.5], null, alpha=0.01, direction="lower") == 2
    assert d.first_detection([0.0, 5.0, 0.5], null, alpha=0.01, start=0) == 0
    assert d.first_detection([50.0, 60.0], null, alpha=0.01) is None
    assert d.first_detection([50.0, 100.5], null, alpha=0.01, direction="higher") == 1


def test_false_alarm_rate_of_a_healthy_monitor_matches_theory():
    # 4000 healthy runs: null and monitored values from one distribution; 10 generations.
    rng = np.random.default_rng(0)
    alarms = 0
    runs, generations = 4000, 10
    for _ in range(runs):
        null = rng.normal(size=99)
        values = rng.normal(size=generations + 1)
        alarms += d.first_detection(values, null, alpha=0.01) is not None
    expected = d.familywise_rate(0.01, generations)
    se = math.sqrt(expected * (1 - expected) / runs)
    assert abs(alarms / runs - expected) < 4 * se


def test_familywise_and_per_test_alpha_are_inverse():
    for fw, tests in ((0.05, 10), (0.1, 30), (0.5, 1)):
        assert d.familywise_rate(d.per_test_alpha(fw, tests), tests) == pytest.approx(fw)
    assert d.per_test_alpha(0.05, 10) > 0.05 / 10  # Sidak is above Bonferroni


# ---------------------------------------------------------------- null values and evaluation


def test_null_values_are_seeded_and_have_the_measure_distribution():
    model = Gaussian(ddof=0).fit(np.random.default_rng(1).normal(size=1000))
    a = d.null_values(model, {"var": np.var, "mean": np.mean}, 400, n_draws=300, seed=3)
    b = d.null_values(model, {"var": np.var, "mean": np.mean}, 400, n_draws=300, seed=3)
    assert np.array_equal(a["var"], b["var"])
    # the mean of 400 draws has standard deviation sigma / 20
    sd = a["mean"].std(ddof=1)
    expected = math.sqrt(model.var_) / 20
    assert abs(sd / expected - 1) < 4 / math.sqrt(2 * 299)


def test_evaluate_draws_one_sample_per_model():
    real = np.random.default_rng(0).integers(0, 5, size=200)
    chain = d.fitted_models(Categorical(5), real, generations=4, seed=1)
    out = d.evaluate(chain, {"support": lambda s: len(np.unique(s))}, eval_size=50, seed=2)
    assert out["support"].shape == (5,)
    # support can never grow under pure self-resampling, so neither can the models' support
    supports = [np.count_nonzero(m.probs_) for m in chain]
    assert supports == sorted(supports, reverse=True)


def test_fitted_models_match_the_loop_and_are_snapshots():
    real = np.random.default_rng(0).normal(size=50)
    chain = d.fitted_models(Gaussian(ddof=0), real, generations=5, seed=4)
    assert len(chain) == 6 and len({id(m) for m in chain}) == 6
    assert chain[0].var_ == pytest.approx(np.var(real))
    again = d.fitted_models(Gaussian(ddof=0), real, generations=5, seed=4)
    assert [m.var_ for m in chain] == [m.var_ for m in again]
    shorter = d.fitted_models(Gaussian(ddof=0), real, generations=2, seed=4)
    assert [m.var_ for m in shorter] == [m.var_ for m in chain[:3]]


def test_bootstrap_values_standard_error_of_the_mean():
    x = np.random.default_rng(0).normal(size=400)
    boot = d.bootstrap_values(x, np.mean, n_boot=2000, seed=1)
    assert boot.std() == pytest.approx(x.std() / 20, rel=0.1)


def test_bootstrap_biases_counts_of_distinct_items_down():
    x = np.arange(300)
    boot = d.bootstrap_values(x, lambda s: len(np.unique(s)), n_boot=200, seed=0)
    # a resample of n distinct items keeps about 1 - 1/e of them
    assert boot.mean() / 300 == pytest.approx(1 - math.exp(-1), abs=0.01)


# ---------------------------------------------------------------- sample size


def test_share_sample_size_gives_the_requested_precision():
    p, rel = 0.02, 0.2
    m = d.share_sample_size(p, rel)
    assert m == 4706
    shares = np.random.default_rng(0).binomial(m, p, size=20_000) / m
    within = np.mean(np.abs(shares / p - 1) <= rel)
    assert within == pytest.approx(0.95, abs=0.01)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("call, match", [
    (lambda: d.mc_pvalue(1.0, [], "lower"), "null"),
    (lambda: d.mc_pvalue(1.0, [1.0], "sideways"), "direction"),
    (lambda: d.mc_pvalue(float("nan"), [1.0], "lower"), "value"),
    (lambda: d.band([1.0, 2.0], 0.01), "alpha"),
    (lambda: d.band([1.0, 2.0], 0.0), "alpha"),
    (lambda: d.band([1.0, np.nan], 0.5), "null"),
    (lambda: d.first_detection([[1.0]], [1.0, 2.0], alpha=0.9), "values"),
    (lambda: d.familywise_rate(1.5, 3), "alpha"),
    (lambda: d.per_test_alpha(0.05, 0), "tests"),
    (lambda: d.share_sample_size(0.0, 0.1), "share"),
    (lambda: d.share_sample_size(0.1, 0.0), "rel_error"),
    (lambda: d.share_sample_size(0.1, 0.1, confidence=1.0), "confidence"),
    (lambda: d.bootstrap_values([1.0], np.mean), "sample"),
    (lambda: d.null_values(Gaussian(ddof=0).fit([0.0, 1.0]), {}, 10), "measures"),
    (lambda: d.null_values(Gaussian(ddof=0).fit([0.0, 1.0]), {"m": np.mean}, 0), "eval_size"),
    (lambda: d.evaluate([], {"m": np.mean}, 10), "models"),
    (lambda: d.fitted_models(Gaussian(ddof=0), [0.0, 1.0, 2.0], 2, seeds=(1,)), "seeds"),
    # the defects the API fuzz found (tests/test_fuzz_api.py), one each
    (lambda: d.band([1.0, 2.0], 1e-320), r"alpha=9.99989e-321 is too small .* larger alpha \(this"),
    (lambda: d.band([1.0, 2.0], 5e-324, "both"), r"alpha=4.94066e-324 is too small .*10\*\*15"),
    (lambda: d.band([1.0, 2.0], 0.01), r"use at least 99 null values"),
    (lambda: d.first_detection([1.0], [1.0, 2.0], alpha=1e-320), "alpha"),
    (lambda: d.share_sample_size(0.02, 1e308), r"rel_error must be <= 1.0"),
    (lambda: d.mc_pvalue(Broken(), [1.0, 2.0]), "value must be a single number, got Broken"),
    (lambda: d.mc_pvalue(True, [1.0, 2.0]), "value must be a single number, got bool"),
    (lambda: d.bootstrap_values([[1.0, 2.0], [3.0]], np.mean), "sample"),
    (lambda: d.bootstrap_values(Broken(), np.mean), "sample"),
    (lambda: d.bootstrap_values(np.array([None, 1]), np.mean), "sample"),
    (lambda: d.fitted_models(Gaussian(ddof=0), [[1.0, 2.0]], 2), "real must contain at least 2"),
    (lambda: d.fitted_models(Gaussian(ddof=0), np.zeros((2, 2, 2)), 2), "real must be 1-D or 2-D"),
    (lambda: d.fitted_models(Gaussian(ddof=0), [1e308, -1e308, 1e308], 2), "real has values"),
    (lambda: d.fitted_models(Gaussian(ddof=0), Broken(), 2), "real"),
])
def test_bad_arguments_name_the_argument(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_measures_that_return_nan_or_text_are_rejected():
    model = Gaussian(ddof=0).fit([0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="NaN"):
        d.null_values(model, {"bad": lambda s: float("nan")}, 5, n_draws=2)
    with pytest.raises(TypeError, match="single number"):
        d.evaluate([model], {"bad": lambda s: "text"}, 5)


def test_an_infinite_value_still_gets_a_p_value():
    """A huge int (or inf: a KL divergence without smoothing) is an extreme value, not an error."""
    null = np.arange(1.0, 100.0)
    assert d.mc_pvalue(10**400, null, "higher") == d.mc_pvalue(math.inf, null, "higher") == 0.01
    assert d.mc_pvalue(-(10**400), null, "lower") == 0.01


def test_share_sample_size_accepts_the_loosest_precision():
    # +-100% at 95%: z**2 (1 - p) / p = 1.959964**2 * 49 = 188.2 -> 189 samples
    assert d.share_sample_size(0.02, 1.0) == 189


class _DistinctRows:
    """A model whose samples all equal the share of distinct rows it was fitted on."""

    def fit(self, X):
        self.share_ = len(np.unique(X)) / len(X)
        return self

    def sample(self, n, rng):
        return np.full(n, self.share_)


def test_the_bootstrap_null_corrects_for_the_rows_a_resample_misses():
    """Fresh continuous data have no repeats (share 1). A resample keeps 1 - 1/e = 0.632 of the
    distinct rows, a resample of it 1 - exp(-0.632) = 0.469 (theory, large n); the corrected
    null is 0.632 + (0.632 - 0.469) = 0.796: nearer the truth than either, though short of it."""
    x = np.random.default_rng(0).normal(size=5000)
    null = d.retrain_values(_DistinctRows(), x, {"share": np.mean}, n_draws=30, seed=1)["share"]
    once, twice = 1 - math.exp(-1), 1 - math.exp(-(1 - math.exp(-1)))
    assert np.median(null) == pytest.approx(2 * once - twice, abs=0.005)
    fresh = d.retrain_values(_DistinctRows(), x, {"share": np.mean}, n_draws=5, seed=1,
                             real_sampler=lambda k, rng: rng.normal(size=k))["share"]
    assert np.all(fresh == 1.0)  # with a source of new rows there is nothing to correct


def test_the_bootstrap_null_refits_twice_per_draw_and_a_fresh_null_once():
    calls = []

    class Counting(_DistinctRows):
        def fit(self, X):
            calls.append(len(X))
            return super().fit(X)

    x = np.random.default_rng(0).normal(size=50)
    d.retrain_values(Counting(), x, {"share": np.mean}, n_draws=7, seed=1)
    assert calls == [50] * 14
    calls.clear()
    d.retrain_values(Counting(), x, {"share": np.mean}, n_draws=7, seed=1,
                     real_sampler=lambda k, rng: rng.normal(size=k))
    assert calls == [50] * 7

"""Checks of notebook 01 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes

from helpers.checks import m01

# ---------------------------------------------------------------- 01.1 one generation


def one_generation(data, ddof, rng):
    return rng.normal(np.mean(data), np.std(data, ddof=ddof), size=len(data))


def test_one_generation_solution_passes():
    assert_passes(m01.one_generation, one_generation)


def test_one_generation_other_valid_sampling_passes():
    assert_passes(m01.one_generation, lambda data, ddof, rng: (
        data.mean() + data.std(ddof=ddof) * rng.standard_normal(len(data))[::-1]))


def test_one_generation_stub_is_not_attempted():
    assert_not_attempted(m01.one_generation)


@pytest.mark.parametrize(("wrong", "fragments"), [
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(), size=len(d)),
     ("with ddof=1 you still get the ddof=0",)),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=1), size=len(d)),
     ("always divides by n−1",)),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=1 - ddof), size=len(d)),
     ("swapped",)),
    (lambda d, ddof, rng: rng.normal(0.0, 1.0, size=len(d)), ("true distribution",)),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.var(ddof=ddof), size=len(d)),
     ("not the variance",)),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=ddof), size=100),
     ("as many samples as it was given",)),
])
def test_one_generation_known_mistakes_get_their_hint(wrong, fragments):
    assert_hint(m01.one_generation, wrong, *fragments)


def test_one_generation_ignoring_the_rng_gets_the_seed_hint():
    global_rng = np.random.default_rng(123)
    assert_hint(m01.one_generation,
                lambda d, ddof, rng: global_rng.normal(d.mean(), d.std(ddof=ddof), len(d)),
                "never drew", id="rng-not-used")


def test_one_generation_wrong_spread_in_another_order_is_caught_statistically():
    assert_hint(m01.one_generation, lambda d, ddof, rng: (
        d.mean() + 1.3 * d.std(ddof=ddof) * rng.standard_normal(len(d))[::-1]),
        "times the fitted variance")


# ---------------------------------------------------------------- 01.2 a chain


def run_chain(n, generations, ddof, seed):
    rng = np.random.default_rng(seed)
    mean, var = 0.0, 1.0
    variances = [var]
    for _ in range(generations):
        data = rng.normal(mean, np.sqrt(var), size=n)
        mean, var = np.mean(data), np.var(data, ddof=ddof)
        variances.append(var)
    return np.array(variances)


def run_chain_with_one_generation(n, generations, ddof, seed):
    rng = np.random.default_rng(seed)
    data = rng.normal(0.0, 1.0, size=n)
    variances = [1.0, data.var(ddof=ddof)]
    for _ in range(generations - 1):
        data = one_generation(data, ddof, rng)
        variances.append(data.var(ddof=ddof))
    return np.array(variances)


def test_run_chain_solution_and_a_variant_pass():
    assert_passes(m01.run_chain, run_chain)
    assert_passes(m01.run_chain, run_chain_with_one_generation)


def test_run_chain_with_another_random_stream_passes_statistically():
    def other_stream(n, generations, ddof, seed):
        rng = np.random.default_rng(seed + 1000)
        mean, var, out = 0.0, 1.0, [1.0]
        for _ in range(generations):
            data = mean + np.sqrt(var) * rng.standard_normal(n)[::-1]
            mean, var = data.mean(), data.var(ddof=ddof)
            out.append(var)
        return np.array(out)

    assert_passes(m01.run_chain, other_stream)


def test_run_chain_stub_is_not_attempted():
    assert_not_attempted(m01.run_chain)


def test_run_chain_without_generation_zero_gets_the_off_by_one_hint():
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g, ddof, seed)[1:],
                "you left out generation 0")


def test_run_chain_one_generation_too_many_gets_the_off_by_one_hint():
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g + 1, ddof, seed)[1:],
                "off by one generation")


def test_run_chain_true_parameters_get_their_hint():
    def from_the_truth(n, generations, ddof, seed):
        rng = np.random.default_rng(seed)
        return np.array([1.0] + [rng.normal(0.0, 1.0, n).var(ddof=ddof)
                                 for _ in range(generations)])

    assert_hint(m01.run_chain, from_the_truth, "true distribution")


def test_run_chain_wrong_ddof_gets_its_hint():
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g, 0, seed),
                "with ddof=1 you get the ddof=0 chain")


def test_run_chain_standard_deviations_get_their_hint():
    assert_hint(m01.run_chain,
                lambda n, g, ddof, seed: np.sqrt(run_chain(n, g, ddof, seed)),
                "standard deviations")


def test_run_chain_forgetting_the_seed_gets_its_hint():
    assert_hint(m01.run_chain,
                lambda n, g, ddof, seed: run_chain(n, g, ddof, None), "same seed")
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g, ddof, 0),
                "different seeds gave the same chain")


# ---------------------------------------------------------------- 01.3 halving generation


def halving_generation(variances):
    median = np.median(variances, axis=1)
    return int(np.argmax(median <= 0.5 * median[0]))


def test_halving_generation_solution_passes():
    assert_passes(m01.halving_generation, halving_generation)
    assert_passes(m01.halving_generation, lambda v: int(np.nonzero(
        np.median(v, axis=1) / np.median(v[0]) <= 0.5)[0][0]))


def test_halving_generation_stub_is_not_attempted():
    assert_not_attempted(m01.halving_generation)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda v: halving_generation(v) + 1, "off by one"),
    (lambda v: halving_generation(v) - 1, "off by one"),
    (lambda v: int(np.argmax(v.mean(axis=1) <= 0.5 * v[0].mean())), "the mean over chains"),
    (lambda v: int(np.argmax(np.median(v, axis=1) <= 0.5)), "fixed number 0.5"),
    (lambda v: float(np.median(v, axis=1)[halving_generation(v)]), "not the median variance"),
    (lambda v: int(np.argmax(np.median(v, axis=0) <= 0.5 * np.median(v, axis=0)[0])),
     "wrong axis"),
])
def test_halving_generation_known_mistakes_get_their_hint(wrong, fragment):
    assert_hint(m01.halving_generation, wrong, fragment)


# ---------------------------------------------------------------- 01.4 tail share


def tail_share(samples, real):
    lo, hi = np.quantile(real, [0.01, 0.99])
    return np.mean((samples < lo) | (samples > hi))


def test_tail_share_solution_and_other_quantile_conventions_pass():
    assert_passes(m01.tail_share, tail_share)
    for method in ("lower", "higher", "nearest", "hazen", "weibull"):
        assert_passes(m01.tail_share, lambda s, r, method=method: np.mean(
            (s <= np.quantile(r, 0.01, method=method))
            | (s >= np.quantile(r, 0.99, method=method))))


def test_tail_share_stub_is_not_attempted():
    assert_not_attempted(m01.tail_share)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda s, r: tail_share(s, s), "quantiles of `samples` themselves"),
    (lambda s, r: np.mean(s > np.quantile(r, 0.99)), "only one tail"),
    (lambda s, r: 100 * tail_share(s, r), "percentage"),
    (lambda s, r: np.sum((s < np.quantile(r, 0.01)) | (s > np.quantile(r, 0.99))), "a count"),
    (lambda s, r: np.mean(np.abs(s) > 2.3263), "standard normal's quantiles"),
    (lambda s, r: np.mean((s < np.quantile(r, 0.1)) | (s > np.quantile(r, 0.9))), "10%"),
])
def test_tail_share_known_mistakes_get_their_hint(wrong, fragment):
    assert_hint(m01.tail_share, wrong, fragment)


# ---------------------------------------------------------------- 01.5 categories lost


def expected_lost(p, m):
    return np.sum((1 - p) ** m)


def test_expected_lost_solution_passes():
    assert_passes(m01.expected_lost, expected_lost)
    assert_passes(m01.expected_lost, lambda p, m: sum((1 - q) ** m for q in p))


def test_expected_lost_stub_is_not_attempted():
    assert_not_attempted(m01.expected_lost)


@pytest.mark.parametrize(("wrong", "fragment"), [
    (lambda p, m: (1 - p) ** m, "one number per category"),
    (lambda p, m: np.sum(np.exp(-m * p)), "Poisson approximation"),
    (lambda p, m: len(p) - np.sum((1 - p) ** m), "kept"),
    (lambda p, m: np.sum(p**m), "*all* draws"),
    (lambda p, m: np.sum((1 - p) ** (m - 1)), "off by one"),
    (lambda p, m: m * np.sum(1 - p), "not a probability"),
])
def test_expected_lost_known_mistakes_get_their_hint(wrong, fragment):
    assert_hint(m01.expected_lost, wrong, fragment)


def test_checks_never_raise_on_garbage():
    for check in (m01.one_generation, m01.run_chain, m01.halving_generation, m01.tail_share,
                  m01.expected_lost):
        for answer in (lambda *a: None, lambda *a: "text", lambda *a: np.nan, 42,
                       lambda *a: 1 / 0):
            assert m01_result_status(check, answer) == "fail"


def m01_result_status(check, answer):
    return check.evaluate(answer).status

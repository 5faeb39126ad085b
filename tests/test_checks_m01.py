"""Checks of notebook 01 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes, result_of

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


@pytest.mark.parametrize(("wrong", "fragments", "hint_id"), [
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(), size=len(d)),
     ("with ddof=1 you still get the ddof=0",), "ddof-ignored"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=1), size=len(d)),
     ("always divides by n−1",), "ddof-always-one"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=1 - ddof), size=len(d)),
     ("swapped",), "ddof-swapped"),
    (lambda d, ddof, rng: rng.normal(0.0, 1.0, size=len(d)), ("true distribution",),
     "sampled-from-truth"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.var(ddof=ddof), size=len(d)),
     ("not the variance", "square root"), "variance-as-scale"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=ddof), size=100),
     ("as many samples as it was given",), "wrong-count"),
    # the same mistakes with the samples in another order: read from what rng was asked
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(ddof=1 - ddof), size=len(d))[::-1],
     ("swapped",), "ddof-swapped"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.var(ddof=ddof), size=len(d))[::-1],
     ("not the variance",), "variance-as-scale"),
    (lambda d, ddof, rng: rng.normal(d.mean(), d.std(), size=len(d))[::-1],
     ("still get the ddof=0",), "ddof-ignored"),
    (lambda d, ddof, rng: rng.normal(np.median(d), d.std(ddof=ddof), size=len(d))[::-1],
     ("fitted mean",), "mean-off"),
    (lambda d, ddof, rng: rng.normal(d.mean(), 1.5 * d.std(ddof=ddof), size=len(d))[::-1],
     ("standard deviation",), "spread-off"),
])
def test_one_generation_known_mistakes_get_their_hint(wrong, fragments, hint_id):
    assert_hint(m01.one_generation, wrong, *fragments, id=hint_id)


def test_one_generation_ignoring_the_rng_gets_the_rng_hint():
    global_rng = np.random.default_rng(123)
    assert_hint(m01.one_generation,
                lambda d, ddof, rng: global_rng.normal(d.mean(), d.std(ddof=ddof), len(d)),
                "never drew", id="rng-not-used")
    assert_hint(m01.one_generation,
                lambda d, ddof, rng: np.random.normal(d.mean(), d.std(ddof=ddof), len(d)),
                "never drew", id="rng-not-used")


def test_one_generation_own_generator_gets_the_rng_hint_not_a_mean_hint():
    result = result_of(m01.one_generation, lambda d, ddof, rng: np.random.default_rng(0).normal(
        d.mean(), d.std(ddof=ddof), len(d)))
    assert result.hint_id == "rng-fixed-seed", result.line
    assert "var(" not in result.message


def halves(d, ddof, rng, factor=1.0, shift=0.0):
    """Another valid stream: two half-size draws, reversed (factor/shift make it wrong)."""
    n, scale = len(d), factor * d.std(ddof=ddof)
    parts = [rng.normal(d.mean() + shift, scale, size=k) for k in (n // 2, n - n // 2)]
    return np.concatenate(parts)[::-1]


def test_one_generation_statistical_fallback_has_teeth_just_outside_its_tolerance():
    # variance 9% too large (tolerance 6%), drawn in another stream
    assert_hint(m01.one_generation, lambda d, ddof, rng: halves(d, ddof, rng, np.sqrt(1.09)),
                "times the fitted variance", id="spread-off")
    assert_passes(m01.one_generation, lambda d, ddof, rng: halves(d, ddof, rng, np.sqrt(1.03)))
    # ddof swapped *and* another stream: only the fallback sees it
    assert_hint(m01.one_generation, lambda d, ddof, rng: halves(d, 1 - ddof, rng), "swapped",
                id="ddof-swapped")
    assert_hint(m01.one_generation, lambda d, ddof, rng: halves(d, ddof, rng, shift=0.1),
                id="mean-off")


def test_one_generation_our_numbers_rescaled_are_named_exactly():
    assert_hint(m01.one_generation, lambda d, ddof, rng: (
        d.mean() + 1.01 * d.std(ddof=ddof) * rng.standard_normal(len(d))[::-1]),
        "1.01 times", id="spread-off")
    assert_hint(m01.one_generation, lambda d, ddof, rng: (
        d.mean() + d.std(ddof=1 - ddof) * rng.standard_normal(len(d))[::-1]), "swapped",
        id="ddof-swapped")


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
                "you left out generation 0", id="missing-generation-zero")


def test_run_chain_one_generation_too_many_gets_the_off_by_one_hint():
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g + 1, ddof, seed)[1:],
                "off by one generation", id="one-generation-too-many")


def chain_variant(n, generations, ddof, seed, *, truth=False, var_scale=False,
                  first=1.0, stream=0, reverse=False, factor=1.0):
    """Likely mistakes in run_chain (keywords); stream != 0 draws another valid stream."""
    rng = np.random.default_rng(seed + stream)
    mean, var, out = 0.0, 1.0, [first]
    for _ in range(generations):
        z = rng.standard_normal(n)
        z = z[::-1] if reverse else z
        scale = 1.0 if truth else (var if var_scale else np.sqrt(var))
        data = (0.0 if truth else mean) + scale * z
        mean, var = data.mean(), factor * data.var(ddof=ddof)
        out.append(var)
    return np.array(out)


@pytest.mark.parametrize(("mistake", "hint_id"), [
    (dict(truth=True), "sampled-from-truth"),
    (dict(var_scale=True), "variance-as-scale"),
    (dict(first=0.0), "wrong-generation-zero"),
])
def test_run_chain_known_mistakes_get_their_hint(mistake, hint_id):
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: chain_variant(n, g, ddof, seed, **mistake),
                id=hint_id)


@pytest.mark.parametrize(("ddofs", "hint_id"), [
    ((0, 0), "ddof-ignored"), ((1, 1), "ddof-always-one"), ((1, 0), "ddof-swapped")])
def test_run_chain_wrong_ddof_gets_its_hint(ddofs, hint_id):
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g, ddofs[ddof], seed),
                id=hint_id)


def test_run_chain_standard_deviations_get_their_hint():
    assert_hint(m01.run_chain,
                lambda n, g, ddof, seed: np.sqrt(run_chain(n, g, ddof, seed)),
                "standard deviations", id="returned-std")


def test_run_chain_forgetting_the_seed_gets_its_hint():
    assert_hint(m01.run_chain,
                lambda n, g, ddof, seed: run_chain(n, g, ddof, None), "same seed",
                id="rng-not-used")
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: run_chain(n, g, ddof, 0),
                "different seeds gave the same chain", id="rng-fixed-seed")


def test_run_chain_a_new_generator_per_generation_gets_its_hint():
    def per_generation(n, generations, ddof, seed):
        mean, var, out = 0.0, 1.0, [1.0]
        for t in range(generations):
            data = np.random.default_rng(seed + t).normal(mean, np.sqrt(var), size=n)
            mean, var = data.mean(), data.var(ddof=ddof)
            out.append(var)
        return np.array(out)

    assert_hint(m01.run_chain, per_generation, "created 30 generators",
                id="generator-per-generation")


def test_run_chain_the_legacy_global_generator_gets_its_hint():
    def legacy(n, generations, ddof, seed):
        np.random.seed(seed)
        mean, var, out = 0.0, 1.0, [1.0]
        for _ in range(generations):
            data = np.random.normal(mean, np.sqrt(var), size=n)
            mean, var = data.mean(), data.var(ddof=ddof)
            out.append(var)
        return np.array(out)

    assert_hint(m01.run_chain, legacy, "np.random.seed", id="legacy-global-seed")


def test_run_chain_a_zero_variance_gets_a_hint():
    def zero_at_the_end(n, g, ddof, seed):
        out = chain_variant(n, g, ddof, seed, stream=1000, reverse=True)
        out[-1] = 0.0
        return out

    assert_hint(m01.run_chain, zero_at_the_end, "zero or negative", id="nonpositive-variance")


def test_run_chain_statistical_fallback_has_teeth_just_outside_its_tolerance():
    other = dict(stream=1000, reverse=True)
    # a 3% inflation per generation gives |z| about 6 (tolerance 4, far below 40)
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: chain_variant(
        n, g, ddof, seed, factor=1.03, **other), "the theory says", id="off-theory")
    assert_passes(m01.run_chain, lambda n, g, ddof, seed: chain_variant(
        n, g, ddof, seed, factor=1.005, **other))
    # ddof swapped *and* drawn in another order: only the law can tell
    assert_hint(m01.run_chain, lambda n, g, ddof, seed: chain_variant(
        n, g, 1 - ddof, seed, **other), "swapped", id="ddof-swapped")


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


@pytest.mark.parametrize(("wrong", "fragment", "hint_id"), [
    (lambda v: halving_generation(v) + 1, "off by one", "off-by-one"),
    (lambda v: halving_generation(v) - 1, "off by one", "off-by-one"),
    (lambda v: int(np.argmax(v.mean(axis=1) <= 0.5 * v[0].mean())), "the mean over chains",
     "mean-not-median"),
    (lambda v: int(np.argmax(np.median(v, axis=1) <= 0.5)), "fixed number 0.5",
     "fixed-threshold"),
    (lambda v: float(np.median(v, axis=1)[halving_generation(v)]), "not the median variance",
     "returned-median"),
    (lambda v: int(np.argmax(np.median(v, axis=0) <= 0.5 * np.median(v, axis=0)[0])),
     "wrong axis", "wrong-axis"),
    (lambda v: int(np.argmax(np.median(v, axis=1) < 0.5 * np.median(v, axis=1)[0])),
     "at most", "strict-inequality"),
])
def test_halving_generation_known_mistakes_get_their_hint(wrong, fragment, hint_id):
    assert_hint(m01.halving_generation, wrong, fragment, id=hint_id)


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


@pytest.mark.parametrize(("wrong", "fragment", "hint_id"), [
    (lambda s, r: tail_share(s, s), "quantiles of `samples` themselves", "own-quantiles"),
    (lambda s, r: np.mean(s > np.quantile(r, 0.99)), "only one tail", "one-tail"),
    (lambda s, r: 100 * tail_share(s, r), "percentage", "percentage"),
    (lambda s, r: np.sum((s < np.quantile(r, 0.01)) | (s > np.quantile(r, 0.99))), "a count",
     "count-not-share"),
    (lambda s, r: np.mean(np.abs(s) > 2.3263), "standard normal's quantiles",
     "standard-normal-quantiles"),
    (lambda s, r: np.mean((s < np.quantile(r, 0.1)) | (s > np.quantile(r, 0.9))), "10%",
     "wrong-quantile-level"),
    (lambda s, r: tail_share(r, s), "swapped the roles", "swapped-arguments"),
    (lambda s, r: np.mean((s < np.percentile(r, 0.01)) | (s > np.percentile(r, 0.99))),
     "percentages", "percentile-confusion"),
])
def test_tail_share_known_mistakes_get_their_hint(wrong, fragment, hint_id):
    assert_hint(m01.tail_share, wrong, fragment, id=hint_id)


# ---------------------------------------------------------------- 01.5 categories lost


def expected_lost(p, m):
    return np.sum((1 - p) ** m)


def test_expected_lost_solution_passes():
    assert_passes(m01.expected_lost, expected_lost)
    assert_passes(m01.expected_lost, lambda p, m: sum((1 - q) ** m for q in p))


def test_expected_lost_stub_is_not_attempted():
    assert_not_attempted(m01.expected_lost)


@pytest.mark.parametrize(("wrong", "fragment", "hint_id"), [
    (lambda p, m: (1 - p) ** m, "one number per category", "per-category"),
    (lambda p, m: list((1 - p) ** m), "one number per category", "per-category"),
    (lambda p, m: np.sum(np.exp(-m * p)), "Poisson approximation", "poisson-approximation"),
    (lambda p, m: len(p) - np.sum((1 - p) ** m), "kept", "kept-not-lost"),
    (lambda p, m: np.sum(p**m), "*all* draws", "p-to-the-m"),
    (lambda p, m: np.sum((1 - p) ** (m - 1)), "off by one", "exponent-off-by-one"),
    (lambda p, m: np.sum((1 - p) ** (m + 1)), "off by one", "exponent-off-by-one"),
    (lambda p, m: m * np.sum(1 - p), "not a probability", "times-not-power"),
    (lambda p, m: np.sum((1 - p) ** m) / len(p), "expected 881.7", "wrong-value"),
])
def test_expected_lost_known_mistakes_get_their_hint(wrong, fragment, hint_id):
    assert_hint(m01.expected_lost, wrong, fragment, id=hint_id)


def test_checks_never_raise_on_garbage():
    for check in (m01.one_generation, m01.run_chain, m01.halving_generation, m01.tail_share,
                  m01.expected_lost):
        for answer in (lambda *a: None, lambda *a: "text", lambda *a: np.nan, 42,
                       lambda *a: 1 / 0):
            assert m01_result_status(check, answer) == "fail"


def m01_result_status(check, answer):
    return check.evaluate(answer).status

"""Checks of notebook 03 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes, result_of
from scipy.stats import norm
from sklearn.metrics.pairwise import rbf_kernel

from helpers.checks import m03

# ---------------------------------------------------------------- 03.1 distinct-n


def distinct_solution(sentences, n):
    grams = [tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)]
    return len(set(grams)) / len(grams)


def test_distinct_solution_passes():
    assert_passes(m03.distinct_n, distinct_solution)


def test_distinct_with_numpy_passes():
    def with_numpy(sentences, n):
        rows = [np.lib.stride_tricks.sliding_window_view(np.asarray(s), n)
                for s in sentences if len(s) >= n]
        grams = np.concatenate(rows)
        return np.unique(grams, axis=0).shape[0] / grams.shape[0]

    assert_passes(m03.distinct_n, with_numpy)


def test_distinct_stub_is_not_attempted():
    assert_not_attempted(m03.distinct_n)


def test_distinct_count_instead_of_share_gets_a_hint():
    assert_hint(m03.distinct_n,
                lambda s, n: len({tuple(x[i:i + n]) for x in s for i in range(len(x) - n + 1)}),
                "divide by the total number of n-grams", id="count-not-share")


def test_distinct_across_sentence_boundaries_gets_a_hint():
    def flat(sentences, n):
        tokens = [t for s in sentences for t in s]
        grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return len(set(grams)) / len(grams)

    assert_hint(m03.distinct_n, flat, "sentence boundaries", id="across-sentences")


def test_distinct_off_by_one_window_gets_a_hint():
    def short(sentences, n):
        grams = [tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n)]
        return len(set(grams)) / len(grams)

    assert_hint(m03.distinct_n, short, "L - n + 1", id="window-off-by-one")


def test_distinct_divided_by_tokens_gets_a_hint():
    def per_token(sentences, n):
        grams = {tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)}
        return len(grams) / sum(len(s) for s in sentences)

    assert_hint(m03.distinct_n, per_token, "number of tokens", id="per-token")


def test_distinct_hapax_share_gets_a_hint():
    def hapax(sentences, n):
        grams = [tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)]
        return sum(grams.count(g) == 1 for g in set(grams)) / len(grams)

    assert_hint(m03.distinct_n, hapax, "exactly once", id="hapax")


def test_distinct_returning_none_gets_a_hint():
    assert_hint(m03.distinct_n, lambda s, n: None, "return")


# ---------------------------------------------------------------- 03.2 tail mass ratio


def tail_solution(samples, real, q):
    lo, hi = np.quantile(real, [q, 1 - q])
    beyond = lambda x: np.mean((x < lo) | (x > hi))  # noqa: E731
    return beyond(samples) / beyond(real)


def test_tail_solution_passes():
    assert_passes(m03.tail_mass_ratio, tail_solution)


def test_tail_stub_is_not_attempted():
    assert_not_attempted(m03.tail_mass_ratio)


def test_tail_share_without_ratio_gets_a_hint():
    def share(samples, real, q):
        lo, hi = np.quantile(real, [q, 1 - q])
        return np.mean((samples < lo) | (samples > hi))

    assert_hint(m03.tail_mass_ratio, share, "divides it by the real data's own share",
                id="share-not-ratio")


def test_tail_own_quantiles_gets_a_hint():
    def own(samples, real, q):
        lo, hi = np.quantile(samples, [q, 1 - q])
        r_lo, r_hi = np.quantile(real, [q, 1 - q])
        return np.mean((samples < lo) | (samples > hi)) / np.mean((real < r_lo) | (real > r_hi))

    assert_hint(m03.tail_mass_ratio, own, "*real* data's quantiles", id="own-quantiles")


def test_tail_upper_only_gets_a_hint():
    def upper(samples, real, q):
        hi = np.quantile(real, 1 - q)
        return np.mean(samples > hi) / np.mean(real > hi)

    assert_hint(m03.tail_mass_ratio, upper, "both tails", id="one-tail")


def test_tail_percentile_confusion_gets_a_hint():
    def percent(samples, real, q):
        lo, hi = np.percentile(real, [q, 1 - q])
        beyond = lambda x: np.mean((x < lo) | (x > hi))  # noqa: E731
        return beyond(samples) / beyond(real)

    assert_hint(m03.tail_mass_ratio, percent, "np.percentile takes percentages",
                id="percentile-confusion")


# ---------------------------------------------------------------- 03.3 MMD²


def mmd_solution(X, Y, bandwidth):
    def k(a, b):
        d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        return np.exp(-d2 / (2 * bandwidth**2))

    m, n = len(X), len(Y)
    kxx, kyy, kxy = k(X, X), k(Y, Y), k(X, Y)
    within_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    within_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return within_x + within_y - 2 * kxy.mean()


def test_mmd_solution_passes():
    assert_passes(m03.mmd2_unbiased, mmd_solution)


def test_mmd_with_sklearn_passes():
    def with_sklearn(X, Y, bandwidth):
        g = 1 / (2 * bandwidth**2)
        kxx, kyy = rbf_kernel(X, gamma=g), rbf_kernel(Y, gamma=g)
        m, n = len(X), len(Y)
        return ((kxx.sum() - m) / (m * (m - 1)) + (kyy.sum() - n) / (n * (n - 1))
                - 2 * rbf_kernel(X, Y, gamma=g).mean())

    assert_passes(m03.mmd2_unbiased, with_sklearn)


def test_mmd_stub_is_not_attempted():
    assert_not_attempted(m03.mmd2_unbiased)


def test_mmd_biased_estimate_gets_a_hint():
    def biased(X, Y, bandwidth):
        g = 1 / (2 * bandwidth**2)
        return (rbf_kernel(X, gamma=g).mean() + rbf_kernel(Y, gamma=g).mean()
                - 2 * rbf_kernel(X, Y, gamma=g).mean())

    assert_hint(m03.mmd2_unbiased, biased, "biased estimate", id="biased-estimate")


def test_mmd_gamma_convention_gets_a_hint():
    assert_hint(m03.mmd2_unbiased,
                lambda X, Y, bandwidth: mmd_solution(X, Y, bandwidth / math.sqrt(2)),
                "left out the 2", id="gamma-convention")


def test_mmd_missing_factor_two_gets_a_hint():
    def no_two(X, Y, bandwidth):
        g = 1 / (2 * bandwidth**2)
        kxx, kyy = rbf_kernel(X, gamma=g), rbf_kernel(Y, gamma=g)
        m, n = len(X), len(Y)
        return ((kxx.sum() - m) / (m * (m - 1)) + (kyy.sum() - n) / (n * (n - 1))
                - rbf_kernel(X, Y, gamma=g).mean())

    assert_hint(m03.mmd2_unbiased, no_two, "cross term counts twice", id="cross-term-once")


def test_mmd_divided_by_m_squared_gets_a_hint():
    def n_squared(X, Y, bandwidth):
        g = 1 / (2 * bandwidth**2)
        kxx, kyy = rbf_kernel(X, gamma=g), rbf_kernel(Y, gamma=g)
        m, n = len(X), len(Y)
        cross = rbf_kernel(X, Y, gamma=g).mean()
        return (kxx.sum() - m) / m**2 + (kyy.sum() - n) / n**2 - 2 * cross

    assert_hint(m03.mmd2_unbiased, n_squared, "m(m - 1)", id="divided-by-m-squared")


def test_mmd_square_root_gets_a_hint():
    assert_hint(m03.mmd2_unbiased,
                lambda X, Y, bandwidth: math.sqrt(max(mmd_solution(X, Y, bandwidth), 0.0)),
                "not its square root", id="square-root")


# ---------------------------------------------------------------- 03.4 detection generation


def detection_solution(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
    n = len(gen0_sample)
    null = [statistic(gen0_sample[rng.integers(0, n, size=n)]) for _ in range(n_boot)]
    edge = np.quantile(null, alpha)
    for g in range(1, len(trajectory)):
        if trajectory[g] < edge:
            return g
    return None


def test_detection_solution_passes():
    assert_passes(m03.detection_generation, detection_solution)


def test_detection_with_engine_band_passes():
    from helpers import detection

    def with_engine(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        null = detection.bootstrap_values(gen0_sample, statistic, n_boot, seed=rng)
        return detection.first_detection(trajectory, null, alpha=alpha, direction="lower")

    assert_passes(m03.detection_generation, with_engine)


@pytest.mark.parametrize("skip", range(5))
def test_detection_answer_does_not_depend_on_the_bootstrap_draws(skip):
    def other_draws(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        rng.random(skip * 1000 + 1)  # other resamples, still drawn from rng
        return detection_solution(trajectory, gen0_sample, statistic, rng, n_boot, alpha)

    assert_passes(m03.detection_generation, other_draws)


def test_detection_with_choice_and_a_vectorised_statistic_passes():
    def vectorised(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        resamples = rng.choice(gen0_sample, size=(n_boot, len(gen0_sample)))
        edge = np.quantile(statistic(resamples, axis=1), alpha)
        below = [g for g in range(1, len(trajectory)) if trajectory[g] < edge]
        return below[0] if below else None

    assert_passes(m03.detection_generation, vectorised)


def test_detection_stub_is_not_attempted():
    assert_not_attempted(m03.detection_generation)


def test_detection_off_by_one_gets_a_hint():
    def off_by_one(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        g = detection_solution(trajectory, gen0_sample, statistic, rng, n_boot, alpha)
        return None if g is None else g - 1

    assert_hint(m03.detection_generation, off_by_one, "one less", id="off-by-one")


def test_detection_two_sided_gets_a_hint():
    def two_sided(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        n = len(gen0_sample)
        null = [statistic(gen0_sample[rng.integers(0, n, size=n)]) for _ in range(n_boot)]
        lo, hi = np.quantile(null, [alpha / 2, 1 - alpha / 2])
        for g in range(1, len(trajectory)):
            if not lo <= trajectory[g] <= hi:
                return g
        return None

    assert_hint(m03.detection_generation, two_sided, "only a drop below", id="two-sided")


def test_detection_against_generation_zero_value_gets_a_hint():
    def raw(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        for g in range(1, len(trajectory)):
            if trajectory[g] < trajectory[0]:
                return g
        return None

    assert_hint(m03.detection_generation, raw, "compared each value with generation 0's value",
                id="raw-comparison")


def test_detection_fixed_margin_gets_a_hint():
    def fixed(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        for g in range(1, len(trajectory)):
            if trajectory[g] < 0.85 * trajectory[0]:
                return g
        return None

    assert_hint(m03.detection_generation, fixed, "not from a fixed margin",
                id="fixed-margin-wide")


def detection_variant(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01, *,
                      level=None, start=1, stop=0, replace=True, size=None, boots=None,
                      measure=None, source=None, minimum=False):
    """The solution (defaults) and its likely mistakes (keywords)."""
    n = len(gen0_sample)
    source = rng if source is None else source
    measure = statistic if measure is None else measure
    null = []
    for _ in range(n_boot if boots is None else boots):
        if replace:
            resample = gen0_sample[source.integers(0, n, size=n if size is None else size)]
        else:
            resample = source.permutation(gen0_sample)
        null.append(measure(resample))
    edge = np.min(null) if minimum else np.quantile(null, alpha if level is None else level(alpha))
    for g in range(start, len(trajectory) - stop):
        if trajectory[g] < edge:
            return g
    return None


@pytest.mark.parametrize(("mistake", "fragment", "hint_id"), [
    (dict(level=lambda a: 1 - a), "(1 − alpha)-quantile", "upper-quantile"),
    (dict(minimum=True), "not the smallest bootstrap value", "minimum-not-quantile"),
    (dict(start=0), "starts at generation 1", "generation-zero-included"),
    (dict(stop=1), "stops one generation early", "last-generation-skipped"),
    (dict(replace=False), "without replacement", "no-replacement"),
    (dict(size=50), "statistic` saw", "resample-size"),
    (dict(boots=199), "use the `n_boot` argument", "n-boot-ignored"),
    (dict(measure=np.std), "never called `statistic`", "statistic-not-used"),
    (dict(measure=np.var), "never called `statistic`", "statistic-not-used"),
    (dict(source=np.random.default_rng(0)), "never drew from the `rng`", "rng-not-used"),
])
def test_detection_rule_variants_get_their_hint(mistake, fragment, hint_id):
    assert_hint(m03.detection_generation, lambda *args: detection_variant(*args, **mistake),
                fragment, id=hint_id)


def test_detection_np_random_bootstrap_gets_the_rng_hint():
    def global_state(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        n = len(gen0_sample)
        null = [statistic(gen0_sample[np.random.randint(0, n, size=n)]) for _ in range(n_boot)]
        below = [g for g in range(1, len(trajectory)) if trajectory[g] < np.quantile(null, alpha)]
        return below[0] if below else None

    assert_hint(m03.detection_generation, global_state, id="rng-not-used")


def test_detection_absolute_margin_misses_the_narrow_band():
    def margin(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        below = [g for g in range(1, len(trajectory)) if trajectory[g] < trajectory[0] - 0.3]
        return below[0] if below else None

    assert_hint(m03.detection_generation, margin, "band is narrow", id="fixed-margin-narrow")


def test_detection_without_any_band_gets_a_hint():
    assert_hint(m03.detection_generation, lambda traj, *args: {6: 4, 5: 2}.get(len(traj), 1),
                "never resampled", id="no-bootstrap")


@pytest.mark.parametrize(("returned", "hint_id"), [
    (lambda g: 2.0 if g is None else float(g), "wrong-type"),
    (lambda g: None, "none-returned"),
    (lambda g: g if g is None else g + 3, "wrong-value"),
])
def test_detection_wrong_returns_get_a_hint(returned, hint_id):
    def answer(*args, **kwargs):
        return returned(detection_solution(*args, **kwargs))

    assert_hint(m03.detection_generation, answer, id=hint_id)


def test_detection_minus_one_for_never_gets_a_hint():
    def minus_one(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        g = detection_solution(trajectory, gen0_sample, statistic, rng, n_boot, alpha)
        return -1 if g is None else g

    assert_hint(m03.detection_generation, minus_one, "return None", id="none-expected")


# ---------------------------------------------------------------- 03.5 samples needed


def samples_solution(share, rel_error, confidence=0.95):
    z = norm.ppf(0.5 + confidence / 2)
    return math.ceil(z**2 * (1 - share) / (share * rel_error**2))


def test_samples_solution_passes():
    assert_passes(m03.samples_needed, samples_solution)


def test_samples_stub_is_not_attempted():
    assert_not_attempted(m03.samples_needed)


def test_samples_without_rounding_up_gets_a_hint():
    def unrounded(share, rel_error, confidence=0.95):
        z = norm.ppf(0.5 + confidence / 2)
        return z**2 * (1 - share) / (share * rel_error**2)

    assert_hint(m03.samples_needed, unrounded, "round up", id="not-rounded-up")


def test_samples_z_not_squared_gets_a_hint():
    def z_only(share, rel_error, confidence=0.95):
        z = norm.ppf(0.5 + confidence / 2)
        return math.ceil(z * (1 - share) / (share * rel_error**2))

    assert_hint(m03.samples_needed, z_only, "z², not z", id="z-not-squared")


def test_samples_poisson_approximation_gets_a_hint():
    def poisson(share, rel_error, confidence=0.95):
        z = norm.ppf(0.5 + confidence / 2)
        return math.ceil(z**2 / (share * rel_error**2))

    assert_hint(m03.samples_needed, poisson, "(1 - p)", id="dropped-one-minus-p")


def test_samples_one_sided_quantile_gets_a_hint():
    def one_sided(share, rel_error, confidence=0.95):
        z = norm.ppf(confidence)
        return math.ceil(z**2 * (1 - share) / (share * rel_error**2))

    assert_hint(m03.samples_needed, one_sided, "one-sided", id="one-sided-z")


def test_samples_absolute_error_gets_a_hint():
    def absolute(share, rel_error, confidence=0.95):
        z = norm.ppf(0.5 + confidence / 2)
        return math.ceil(z**2 * share * (1 - share) / rel_error**2)

    assert_hint(m03.samples_needed, absolute, "*relative*", id="absolute-error")


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize("check", [m03.distinct_n, m03.tail_mass_ratio, m03.mmd2_unbiased,
                                   m03.detection_generation, m03.samples_needed])
def test_checks_never_raise_on_bad_answers(check):
    for answer in (lambda *a: "text", lambda *a: float("nan"), lambda *a: 1 / 0, 42):
        assert result_of(check, answer).status == "fail"


def test_samples_hard_coded_z_gets_a_hint():
    def fixed(share, rel_error, confidence=0.95):
        return math.ceil(1.96**2 * (1 - share) / (share * rel_error**2))

    assert_hint(m03.samples_needed, fixed, "z = 1.96", id="fixed-z")


def test_samples_lower_tail_z_gets_a_hint():
    def lower(share, rel_error, confidence=0.95):
        z = norm.ppf(1 - confidence / 2)
        return math.ceil(z**2 * (1 - share) / (share * rel_error**2))

    assert_hint(m03.samples_needed, lower, "norm.ppf(0.5 + confidence / 2)",
                id="wrong-z-formula")


def test_samples_a_wrong_formula_gets_the_formula():
    assert_hint(m03.samples_needed, lambda share, rel, conf=0.95: 100, "m = z²(1 - p)",
                id="wrong-value")


def test_mmd_ignoring_the_bandwidth_gets_a_hint():
    assert_hint(m03.mmd2_unbiased, lambda X, Y, bandwidth: mmd_solution(X, Y, 1.0),
                "bandwidth` argument", id="bandwidth-ignored")


@pytest.mark.parametrize(("kernel", "hint_id"), [
    (lambda d2, h: np.exp(-np.sqrt(d2) / (2 * h**2)), "distance-not-squared"),
    (lambda d2, h: np.exp(-d2 / (2 * h)), "bandwidth-not-squared"),
])
def test_mmd_kernel_mistakes_get_their_hint(kernel, hint_id):
    def wrong(X, Y, bandwidth):
        def k(a, b):
            return kernel(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), bandwidth)

        m, n = len(X), len(Y)
        kxx, kyy, kxy = k(X, X), k(Y, Y), k(X, Y)
        return ((kxx.sum() - np.trace(kxx)) / (m * (m - 1))
                + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean())

    assert_hint(m03.mmd2_unbiased, wrong, id=hint_id)


def test_mmd_wrong_sanity_gets_a_hint():
    def tampered(X, Y, bandwidth):
        right = mmd_solution(X, Y, bandwidth)
        return right if len(X) == 60 else right + 0.05  # right on the check's data only

    assert_hint(m03.mmd2_unbiased, tampered, "sanity values", id="sanity-off")


def test_mmd_an_unknown_mistake_gets_the_recipe():
    assert_hint(m03.mmd2_unbiased, lambda X, Y, bandwidth: 0.5, "Build the three",
                id="wrong-value")


@pytest.mark.parametrize(("wrong", "hint_id"), [
    (lambda s, r, q: 1 / tail_solution(s, r, q), "inverted-ratio"),
    (lambda s, r, q: tail_solution(r, s, q), "swapped-arguments"),
    (lambda s, r, q: tail_solution(s, r, q / 2), "q-halved"),
    (lambda s, r, q: tail_solution(s, r, q) + 0.1, "wrong-value"),
])
def test_tail_ratio_more_mistakes_get_their_hint(wrong, hint_id):
    assert_hint(m03.tail_mass_ratio, wrong, id=hint_id)


@pytest.mark.parametrize(("wrong", "hint_id"), [
    (lambda s, n: distinct_solution(s, n) if n != 2 else 0.5, "wrong-value"),
    (lambda s, n: distinct_solution(s, 2), "n-ignored"),
])
def test_distinct_more_mistakes_get_their_hint(wrong, hint_id):
    assert_hint(m03.distinct_n, wrong, id=hint_id)


def test_distinct_lists_in_a_set_get_the_tuple_hint():
    def lists(sentences, n):
        grams = [s[i:i + n] for s in sentences for i in range(len(s) - n + 1)]
        return len(set(grams)) / len(grams)

    assert_hint(m03.distinct_n, lists, "tuple", id="unhashable-ngram")


def test_distinct_per_sentence_average_gets_its_own_hint():
    def averaged(sentences, n):
        shares = []
        for s in sentences:
            grams = [tuple(s[i:i + n]) for i in range(len(s) - n + 1)]
            if grams:
                shares.append(len(set(grams)) / len(grams))
        return sum(shares) / len(shares)

    assert_hint(m03.distinct_n, averaged, "averaged", id="averaged-per-sentence")


def test_distinct_short_sentence_negative_count_gets_a_hint():
    def negative(sentences, n):
        grams = {tuple(s[i:i + n]) for s in sentences for i in range(len(s) - n + 1)}
        return len(grams) / sum(len(s) - n + 1 for s in sentences)

    assert_hint(m03.distinct_n, negative, "shorter than n", id="short-sentence-count")


@pytest.mark.parametrize("method", ["lower", "higher", "nearest", "inverted_cdf", "hazen"])
def test_detection_other_quantile_conventions_pass_the_edge_case(method):
    def answer(trajectory, gen0_sample, statistic, rng, n_boot=199, alpha=0.01):
        n = len(gen0_sample)
        null = [statistic(gen0_sample[rng.integers(0, n, size=n)]) for _ in range(n_boot)]
        edge = np.quantile(null, alpha, method=method)
        return next((g for g in range(1, len(trajectory)) if trajectory[g] < edge), None)

    assert_passes(m03.detection_generation, answer)

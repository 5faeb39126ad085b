"""Checks of notebook 00 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes

from helpers.checks import m00


def solution(data, rng):
    return rng.normal(np.mean(data), np.std(data), size=len(data))


def test_solution_passes():
    assert_passes(m00.one_generation, solution)


def test_an_equivalent_formulation_passes():
    assert_passes(m00.one_generation,
                  lambda data, rng: data.mean() + data.std() * rng.standard_normal(data.size))


def test_a_different_but_valid_sampling_order_passes():
    assert_passes(m00.one_generation,
                  lambda data, rng: rng.normal(data.mean(), data.std(), size=len(data))[::-1])


def test_stub_is_not_attempted():
    assert_not_attempted(m00.one_generation)


def test_unbiased_variance_gets_the_ddof_hint():
    assert_hint(m00.one_generation,
                lambda data, rng: rng.normal(data.mean(), data.std(ddof=1), size=len(data)),
                "ddof=1", "MLE")


def test_sampling_from_the_truth_gets_the_fitted_parameters_hint():
    assert_hint(m00.one_generation, lambda data, rng: rng.normal(0, 1, size=len(data)),
                "true distribution")


def test_variance_as_scale_gets_a_hint():
    assert_hint(m00.one_generation,
                lambda data, rng: rng.normal(data.mean(), data.var(), size=len(data)),
                "not the variance")


def test_ignoring_the_rng_gets_the_seed_hint():
    global_rng = np.random.default_rng(123)
    assert_hint(m00.one_generation,
                lambda data, rng: global_rng.normal(data.mean(), data.std(), size=len(data)),
                "never drew", id="rng-not-used")


def test_wrong_length_gets_a_hint():
    assert_hint(m00.one_generation,
                lambda data, rng: rng.normal(data.mean(), data.std(), size=100),
                "as many samples as it was given")


def test_a_generator_of_its_own_gets_the_fixed_seed_hint():
    assert_hint(m00.one_generation, lambda data, rng: np.random.default_rng(0).normal(
        data.mean(), data.std(), size=len(data)), "makes its own", id="rng-fixed-seed")
    assert_hint(m00.one_generation, lambda data, rng: np.random.default_rng(7).normal(
        data.mean(), data.std(), size=len(data)), "makes its own", id="rng-fixed-seed")


def test_drawing_from_np_random_gets_the_rng_hint():
    assert_hint(m00.one_generation, lambda data, rng: np.random.normal(
        data.mean(), data.std(), size=len(data)), "never drew", id="rng-not-used")


@pytest.mark.parametrize(("wrong", "hint_id"), [
    (lambda d, rng: rng.normal(d.mean(), d.std(ddof=1), size=len(d))[::-1], "ddof-one"),
    (lambda d, rng: rng.normal(d.mean(), d.var(), size=len(d))[::-1], "variance-as-scale"),
    (lambda d, rng: np.sort(rng.normal(0.0, 1.0, size=len(d))), "sampled-from-truth"),
    (lambda d, rng: rng.normal(np.median(d), d.std(), size=len(d))[::-1], "mean-off"),
    (lambda d, rng: rng.normal(d.mean(), 2 * d.std(), size=len(d))[::-1], "spread-off"),
    (lambda d, rng: rng.normal(d.mean(), d.std(), size=2 * len(d)), "wrong-count"),
    (lambda d, rng: rng.normal(d.mean(), d.std(), size=(1, len(d))), "wrong-shape"),
])
def test_what_was_asked_of_rng_names_the_mistake_whatever_the_order(wrong, hint_id):
    assert_hint(m00.one_generation, wrong, id=hint_id)


def test_our_random_numbers_rescaled_or_shifted_are_named_exactly():
    assert_hint(m00.one_generation, lambda d, rng: (
        d.mean() + 1.01 * d.std() * rng.standard_normal(len(d))[::-1]), "1.01 times",
        id="spread-off")
    assert_hint(m00.one_generation, lambda d, rng: (
        d.mean() + 0.01 + d.std() * rng.standard_normal(len(d))[::-1]), id="mean-off")


def halves(d, rng, scale=1.0, shift=0.0):
    """Another valid stream: two half-size draws, reversed (scale/shift make it wrong)."""
    n = len(d)
    parts = [rng.normal(d.mean() + shift, scale * d.std(), size=k) for k in (n // 2, n - n // 2)]
    return np.concatenate(parts)[::-1]


def test_the_statistical_fallback_has_teeth_just_outside_its_tolerances():
    # spread 7% too large (tolerance 5%, about 10 standard errors); mean shifted by
    # about 5.6 standard errors of the pooled mean (tolerance 5)
    assert_hint(m00.one_generation, lambda d, rng: halves(d, rng, scale=1.07), "times the fitted",
                id="spread-off")
    assert_hint(m00.one_generation, lambda d, rng: halves(d, rng, shift=0.08), id="mean-off")
    assert_passes(m00.one_generation, lambda d, rng: halves(d, rng, scale=1.03))
    assert_passes(m00.one_generation, lambda d, rng: halves(d, rng, shift=0.03))


def test_overwriting_the_input_gets_a_hint():
    def in_place(data, rng):
        data[:] = rng.normal(data.mean(), data.std(), size=len(data))
        return data

    assert_hint(m00.one_generation, in_place, "changed its input", id="mutated-input")


def test_drawing_through_the_bit_generator_gets_a_hint_naming_rngs_methods():
    def around(data, rng):
        return np.random.Generator(rng.bit_generator).normal(data.mean(), data.std(), len(data))

    assert_hint(m00.one_generation, around, "rng's own methods", id="rng-not-used")


def test_spawned_children_and_other_generator_methods_are_fine():
    def spawned(data, rng):
        (child,) = rng.spawn(1)
        return child.normal(data.mean(), data.std(), size=len(data))

    def box_muller(data, rng):
        u, v = rng.random(len(data)), rng.uniform(size=len(data))
        z = np.sqrt(-2 * np.log1p(-u)) * np.cos(2 * np.pi * v)
        return data.mean() + data.std() * z

    assert_passes(m00.one_generation, spawned)
    assert_passes(m00.one_generation, box_muller)

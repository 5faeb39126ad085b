"""Checks of notebook 00 have teeth: the solution passes, known wrong answers get their hint."""

from __future__ import annotations

import numpy as np
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

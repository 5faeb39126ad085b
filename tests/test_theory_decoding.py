"""theory.unigram_truncation: one generation of decode-sample-refit on a unigram model, against
simulation (through the real sampler) at parameters the lesson does not use, and hand values."""

import numpy as np
import pytest
from badinput import JUNK, call_with_one_bad_argument
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import decoding, theory


def simulate(p, m, reps, rng, rare, **decode):
    """reps independent generations: draw m tokens with the decoder, refit by frequencies."""
    draws = decoding.sample(np.tile(p, (reps * m, 1)), rng, **decode).reshape(reps, m)
    counts = np.stack([np.bincount(row, minlength=p.size) for row in draws])
    seen = counts > 0
    freq = counts / m
    rare_set = (p > 0) & (p < rare)
    return {"expected_distinct": seen.sum(axis=1),
            "expected_lost_mass": (~seen * p).sum(axis=1),
            "expected_rare_recall": seen[:, rare_set].mean(axis=1),
            "rare_mass": freq[:, rare_set].sum(axis=1)}


@pytest.mark.parametrize("decode, m", [
    (dict(top_p=0.83), 57),
    (dict(top_k=11), 40),
    (dict(temperature=0.6), 90),
    (dict(temperature=1.3, top_k=25, top_p=0.95), 33),
])
def test_matches_simulation_within_4_standard_errors(decode, m):
    rng = np.random.default_rng(11)
    p = np.sort(rng.dirichlet(np.full(40, 0.4)))[::-1]
    rare = 1.0 / 40
    got = theory.unigram_truncation(p, m, **decode)
    sims = simulate(p, m, 3000, rng, rare, **decode)
    for field, values in sims.items():
        se = values.std(ddof=1) / np.sqrt(values.size)
        assert abs(values.mean() - getattr(got, field)) <= 4 * se + 1e-12, field
    # the refitted support never leaves the decoded support
    assert sims["expected_distinct"].max() <= got.support


def test_hand_values():
    p = [0.5, 0.3, 0.15, 0.05]
    r = theory.unigram_truncation(p, 10, top_p=0.8)
    # nucleus {0.5, 0.3}: q = (5/8, 3/8); lost mass = 0.2 + 0.5 (3/8)^10 + 0.3 (5/8)^10
    assert r.support == 2 and r.kept_mass == pytest.approx(0.8)
    assert r.expected_lost_mass == pytest.approx(0.2 + 0.5 * 0.375**10 + 0.3 * 0.625**10)
    assert r.expected_distinct == pytest.approx(2 - 0.375**10 - 0.625**10)
    # rare = below 1/4: only the 0.15 and 0.05 tokens, both outside the nucleus
    assert r.expected_rare_recall == 0.0 and r.rare_mass == 0.0
    # untruncated: the categorical loss of lesson 01, sum_i (1 - p_i)^m
    full = theory.unigram_truncation(p, 10)
    assert full.support == 4 and full.kept_mass == pytest.approx(1.0)
    assert 4 - full.expected_distinct == pytest.approx(theory.categories_lost(p, 10))
    assert full.rare_mass == pytest.approx(0.2)


def test_more_truncation_loses_more():
    p = np.array([0.3, 0.2, 0.15, 0.1, 0.08, 0.07, 0.05, 0.03, 0.02])
    lost = [theory.unigram_truncation(p, 200, top_p=tp).expected_lost_mass
            for tp in (1.0, 0.95, 0.8, 0.5)]
    assert lost == sorted(lost) and lost[0] < 1e-2 < lost[-1]


@pytest.mark.parametrize("kwargs, name", [
    (dict(p=[0.5, 0.6]), "p"),
    (dict(m=0), "m"),
    (dict(m=2.5), "m"),
    (dict(top_p=0.0), "top_p"),
    (dict(top_k=5), "top_k"),
    (dict(temperature=0.0), "temperature"),
    (dict(rare=0.0), "rare"),
    (dict(rare=0.01), "rare"),
])
def test_bad_input_names_the_argument(kwargs, name):
    kwargs = {"p": [0.5, 0.3, 0.2], "m": 10, **kwargs}
    with pytest.raises((ValueError, TypeError), match=name):
        theory.unigram_truncation(**kwargs)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), junk=JUNK)
def test_fuzz_only_value_or_type_errors(data, junk):
    kwargs = {"p": [0.5, 0.3, 0.2], "m": 10, "temperature": 1.0, "top_k": 2, "top_p": 0.9}
    out = call_with_one_bad_argument(theory.unigram_truncation, kwargs, data, junk)
    if out is not None:
        assert np.isfinite(out.expected_distinct)

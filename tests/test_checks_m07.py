"""Checks of notebook 07 have teeth: the solutions pass, known wrong answers get their hint."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from checktools import assert_hint, assert_not_attempted, assert_passes

from helpers.checks import m07
from helpers.lm import CharMLP

# ---------------------------------------------------------------- 07.1 nucleus


def nucleus(probs, p, *, sort=True, renormalise=True, strict=True, crossing=True):
    """The solution (defaults) and its classic mistakes, written independently of the check."""
    order = sorted(range(len(probs)), key=lambda i: -probs[i]) if sort else range(len(probs))
    out, mass = np.zeros(len(probs)), 0.0
    for i in order:
        if crossing:
            if (mass >= p - 1e-12) if strict else (mass > p + 1e-12):
                break
        elif mass + probs[i] > p + 1e-12:
            break
        out[i] = probs[i]
        mass += probs[i]
    return out / out.sum() if renormalise else out


def test_nucleus_solution_passes():
    assert_passes(m07.nucleus, nucleus)


def test_nucleus_stub_is_not_attempted():
    assert_not_attempted(m07.nucleus)


@pytest.mark.parametrize("kwargs, hint", [
    (dict(sort=False), "not-sorted"),
    (dict(renormalise=False), "not-renormalised"),
    (dict(crossing=False), "crossing-token-excluded"),
    (dict(strict=False), "off-by-one-threshold"),
])
def test_nucleus_mistakes(kwargs, hint):
    assert_hint(m07.nucleus, lambda probs, p: nucleus(probs, p, **kwargs), id=hint)


def test_nucleus_other_wrong_answers():
    assert_hint(m07.nucleus, lambda probs, p: probs, id="wrong-value")
    assert_hint(m07.nucleus, lambda probs, p: probs[:2], id="wrong-shape")
    assert_hint(m07.nucleus, lambda probs, p: None, id="returned-none")
    # top-k instead of top-p
    assert_hint(m07.nucleus, lambda probs, p: nucleus(np.where(
        probs >= np.sort(probs)[-2], probs, 0.0), 1.0), id="wrong-value")


# ---------------------------------------------------------------- 07.2 sampler


def top_p_sample(probs, p, n, rng):
    q = nucleus(probs, p)
    return rng.choice(len(q), size=n, p=q)


def test_sampler_solution_passes():
    assert_passes(m07.top_p_sample, top_p_sample)


def test_sampler_by_inverse_cdf_passes():
    def other(probs, p, n, rng):
        return np.searchsorted(np.cumsum(nucleus(probs, p)), rng.random(n), side="right")

    assert_passes(m07.top_p_sample, other)


def test_sampler_stub_is_not_attempted():
    assert_not_attempted(m07.top_p_sample)


def test_sampler_mistakes():
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: rng.choice(len(probs), size=n,
                                                                      p=probs),
                id="outside-nucleus")
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: rng.choice(
        np.flatnonzero(nucleus(probs, p)), size=n), id="wrong-frequencies")
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: top_p_sample(
        probs, p, n, np.random.default_rng(0)), id="rng-fixed-seed")
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: np.random.default_rng().choice(
        len(probs), size=n, p=nucleus(probs, p)), id="rng-not-used")
    # excluding the crossing token: draws stay inside, but the frequencies are off
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: rng.choice(
        len(probs), size=n, p=nucleus(probs, p, crossing=False)), id="wrong-frequencies")
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: top_p_sample(probs, p, n - 1, rng),
                id="wrong-shape")
    assert_hint(m07.top_p_sample, lambda probs, p, n, rng: top_p_sample(probs, p, n, rng) + 0.5,
                id="wrong-value")
    # just outside the frequency tolerance: token 1 takes 4% of the draws from token 6
    def skewed(probs, p, n, rng):
        q = nucleus(probs, p)
        q[1], q[6] = q[1] + 0.04, q[6] - 0.04
        return rng.choice(len(q), size=n, p=q)

    assert_hint(m07.top_p_sample, skewed, id="wrong-frequencies")


# ---------------------------------------------------------------- 07.3 perplexity


def perplexity(probs, windows):
    p = np.take_along_axis(probs, windows[..., None], axis=-1)[..., 0]
    return float(np.exp(-np.mean(np.log(p))))


def test_perplexity_solution_passes():
    assert_passes(m07.perplexity, perplexity)
    assert_passes(m07.perplexity, lambda probs, windows: 2 ** np.mean(-np.log2(
        np.take_along_axis(probs, windows[..., None], axis=-1))))


def test_perplexity_stub_is_not_attempted():
    assert_not_attempted(m07.perplexity)


def _p(probs, windows):
    return np.take_along_axis(probs, windows[..., None], axis=-1)[..., 0]


@pytest.mark.parametrize("answer, hint", [
    (lambda probs, w: float(np.mean(-np.log(_p(probs, w)))), "no-exp"),
    (lambda probs, w: float(np.mean(np.exp(-np.log(_p(probs, w)).mean(axis=1)))),
     "mean-of-perplexities"),
    (lambda probs, w: float(np.exp(-np.log2(_p(probs, w)).mean())), "mixed-bases"),
    (lambda probs, w: float(1 / _p(probs, w).mean()), "inverse-mean-probability"),
    (lambda probs, w: float(np.exp(-np.log(probs.max(axis=-1)).mean())), "most-probable-token"),
    (lambda probs, w: perplexity(probs, w) * 1.001, "wrong-value"),
    (lambda probs, w: float(np.exp(-np.log(_p(probs, w)).sum())), "wrong-value"),
    (lambda probs, w: "7", "wrong-type"),
])
def test_perplexity_mistakes(answer, hint):
    assert_hint(m07.perplexity, answer, id=hint)


# ---------------------------------------------------------------- 07.4 one generation


def one_generation(model, train, rng):
    return copy.deepcopy(model).fit(train).sample(len(train), rng)


def test_generation_solution_passes():
    assert_passes(m07.one_generation, one_generation)
    assert_passes(m07.one_generation, lambda model, train, rng: model.fit(train).sample(
        len(train), rng))


def test_generation_stub_is_not_attempted():
    assert_not_attempted(m07.one_generation)


def test_generation_mistakes():
    assert_hint(m07.one_generation, lambda model, train, rng: train, id="returned-training-set")
    assert_hint(m07.one_generation, lambda model, train, rng: CharMLP(steps=15).fit(
        train).sample(len(train), rng), id="decoding-dropped")
    assert_hint(m07.one_generation, lambda model, train, rng: model.fit(train).sample(
        len(train) + 1, rng), id="wrong-size")
    assert_hint(m07.one_generation, lambda model, train, rng: model.fit(train).sample(
        len(train), 0), id="rng-fixed-seed")
    assert_hint(m07.one_generation, lambda model, train, rng: model.fit(train[:12]).sample(
        len(train), rng), id="wrong-value")
    assert_hint(m07.one_generation, lambda model, train, rng: model.fit(train).sample(
        len(train), rng)[:, :5], id="wrong-shape")

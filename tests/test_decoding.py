"""helpers.decoding: temperature, top-k and top-p against hand-computed distributions,
the sampler against its distribution, the conventions (ties, threshold), and bad input."""

import numpy as np
import pytest
from badinput import JUNK, call_with_one_bad_argument
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.checks.core import RecordingGenerator
from helpers.decoding import sample, truncate


def nucleus_by_hand(p, top_p):
    """The nucleus written as a plain loop: most probable first, lower index first on ties."""
    order = sorted(range(len(p)), key=lambda i: (-p[i], i))
    kept, mass = [], 0.0
    for i in order:
        if mass >= top_p - 1e-12:
            break
        kept.append(i)
        mass += p[i]
    out = np.zeros(len(p))
    out[kept] = np.asarray(p)[kept] / sum(p[i] for i in kept)
    return out


def test_top_p_examples_by_hand():
    assert truncate([0.5, 0.3, 0.2], top_p=0.7) == pytest.approx([0.625, 0.375, 0.0])
    # 0.5 reaches p = 0.5 exactly: the nucleus is that one token
    assert truncate([0.5, 0.3, 0.2], top_p=0.5) == pytest.approx([1.0, 0.0, 0.0])
    # just above 0.5 the crossing token (0.3) is included
    assert truncate([0.5, 0.3, 0.2], top_p=0.5001) == pytest.approx([0.625, 0.375, 0.0])
    assert truncate([0.5, 0.3, 0.2], top_p=1.0) == pytest.approx([0.5, 0.3, 0.2])
    # not sorted on input: the most probable token is the last one
    assert truncate([0.1, 0.2, 0.7], top_p=0.75) == pytest.approx([0.0, 2 / 9, 7 / 9])
    # sums of tenths that land a hair below p in floating point still count as reaching it
    assert np.count_nonzero(truncate(np.full(10, 0.1), top_p=0.3)) == 3


def test_ties_go_to_the_lower_index():
    assert truncate([0.2, 0.4, 0.4], top_p=0.4).tolist() == [0.0, 1.0, 0.0]
    assert truncate([0.25] * 4, top_k=2).tolist() == [0.5, 0.5, 0.0, 0.0]


def test_top_p_matches_a_plain_loop_on_random_vectors():
    rng = np.random.default_rng(5)
    for _ in range(200):
        p = rng.dirichlet(np.full(int(rng.integers(1, 30)), 0.3))
        top_p = float(rng.uniform(0.05, 1.0))
        assert truncate(p, top_p=top_p) == pytest.approx(nucleus_by_hand(p, top_p), abs=1e-12)


def test_top_k_and_temperature_by_hand():
    p = np.array([0.1, 0.6, 0.3])
    assert truncate(p, top_k=2) == pytest.approx([0.0, 2 / 3, 1 / 3])
    assert truncate(p, top_k=1).tolist() == [0.0, 1.0, 0.0]
    w = p ** (1 / 0.7)
    assert truncate(p, temperature=0.7) == pytest.approx(w / w.sum())
    w = p ** (1 / 2.0)
    assert truncate(p, temperature=2.0) == pytest.approx(w / w.sum())
    # zeros stay zero at any temperature; a very low one does not underflow the row
    assert truncate([0.0, 0.5, 0.5], temperature=3.0)[0] == 0.0
    assert truncate([0.3, 0.7], temperature=1e-3) == pytest.approx([0.0, 1.0])


def test_order_is_temperature_then_top_k_then_top_p():
    p = np.array([0.4, 0.35, 0.25])
    # temperature 0.5 first: weights 0.16, 0.1225, 0.0625 -> 0.464, 0.355, 0.181; p = 0.8
    # then needs the crossing token 0.355 and stops: 2 tokens
    w = p**2 / np.sum(p**2)
    assert truncate(p, temperature=0.5, top_p=0.8) == pytest.approx([w[0], w[1], 0] / w[:2].sum())
    # untempered, p = 0.8 needs all three tokens (0.4 + 0.35 = 0.75 < 0.8)
    assert np.count_nonzero(truncate(p, top_p=0.8)) == 3
    # top_k before top_p: k = 2 keeps 0.4, 0.35 -> 0.533, 0.467; p = 0.5 keeps the first only
    assert truncate(p, top_k=2, top_p=0.5).tolist() == [1.0, 0.0, 0.0]


def test_batch_is_row_by_row():
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.ones(12), size=9)
    batch = truncate(P, temperature=0.8, top_k=7, top_p=0.6)
    assert batch.shape == P.shape
    for row, got in zip(P, batch, strict=True):
        assert got == pytest.approx(truncate(row, temperature=0.8, top_k=7, top_p=0.6))
    assert batch.sum(axis=1) == pytest.approx(np.ones(9))


def test_sample_follows_the_decoded_distribution():
    p = np.array([0.05, 0.4, 0.3, 0.15, 0.1])
    q = truncate(p, temperature=0.9, top_p=0.8)
    draws = sample(np.tile(p, (40_000, 1)), rng=3, temperature=0.9, top_p=0.8)
    freq = np.bincount(draws, minlength=5) / draws.size
    se = np.sqrt(q * (1 - q) / draws.size)
    assert np.all(np.abs(freq - q) <= 4 * se + 1e-12)
    assert freq[q == 0].sum() == 0.0  # outside the nucleus: never drawn


def test_sample_uses_the_given_generator_once_per_row():
    p = np.array([[0.2, 0.8], [0.5, 0.5], [0.9, 0.1]])
    rng = RecordingGenerator(4)
    first = sample(p, rng)
    assert [(d.method, d.count) for d in rng.draws] == [("random", 3)]
    assert np.array_equal(first, sample(p, np.random.default_rng(4)))
    seeds = [tuple(sample(np.full((20, 4), 0.25), s)) for s in range(5)]
    assert len(set(seeds)) == 5
    one = sample([0.3, 0.7], rng=0)
    assert isinstance(one, int) and one in (0, 1)
    assert sample([[1.0, 0.0]], rng=0).dtype == np.int64


def test_sample_never_draws_a_zero_token_at_the_edge():
    class Top(np.random.Generator):
        def random(self, size=None):
            return np.full(size, np.nextafter(1.0, 0.0))

    top = Top(np.random.PCG64(0))
    assert sample([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0]], top).tolist() == [1, 1]


@pytest.mark.parametrize("kwargs, name", [
    (dict(probs=[0.5, -0.1, 0.6]), "probs"),
    (dict(probs=[0.5, 0.6]), "probs"),
    (dict(probs=[np.nan, 1.0]), "probs"),
    (dict(probs=np.full((2, 2, 2), 0.5)), "probs"),
    (dict(probs=np.zeros((2, 0))), "probs"),
    (dict(probs="ab"), "probs"),
    (dict(temperature=0.0), "temperature"),
    (dict(temperature=-1.0), "temperature"),
    (dict(temperature=float("nan")), "temperature"),
    (dict(temperature=True), "temperature"),
    (dict(top_k=0), "top_k"),
    (dict(top_k=4), "top_k"),
    (dict(top_k=1.5), "top_k"),
    (dict(top_k=True), "top_k"),
    (dict(top_p=0.0), "top_p"),
    (dict(top_p=1.1), "top_p"),
    (dict(top_p=float("nan")), "top_p"),
    (dict(top_p="0.9"), "top_p"),
])
def test_bad_input_names_the_argument(kwargs, name):
    kwargs = {"probs": [0.2, 0.3, 0.5], **kwargs}
    for fn, extra in ((truncate, {}), (sample, {"rng": 0})):
        with pytest.raises((ValueError, TypeError), match=name):
            fn(**kwargs, **extra)


def test_sample_bad_rng():
    with pytest.raises(TypeError, match="rng"):
        sample([0.5, 0.5], rng="seed")
    with pytest.raises(ValueError, match="rng"):
        sample([0.5, 0.5], rng=-1)


def test_huge_batch_is_refused_before_work():
    huge = np.broadcast_to(np.array([1.0]), (10**8 + 1, 1))
    with pytest.raises(ValueError, match="probs"):
        truncate(huge)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), junk=JUNK)
def test_fuzz_only_value_or_type_errors(data, junk):
    kwargs = {"probs": [0.2, 0.3, 0.5], "temperature": 0.8, "top_k": 2, "top_p": 0.9}
    out = call_with_one_bad_argument(truncate, kwargs, data, junk)
    if out is not None:
        assert np.all(np.isfinite(out)) and out.sum() == pytest.approx(1.0)


def test_a_tiny_top_p_keeps_the_most_probable_token():
    assert truncate([0.2, 0.5, 0.3], top_p=1e-300).tolist() == [0.0, 1.0, 0.0]

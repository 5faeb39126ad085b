"""The shared helpers of the checks are public: they refuse bad arguments up front."""

from __future__ import annotations

import numpy as np
import pytest
from badinput import JUNK, call_with_one_bad_argument
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.checks.core import Hint, RecordingGenerator
from helpers.checks.shared import (
    DATA,
    GeneratorsMade,
    draw,
    normal_request,
    parametric_sample,
    require_rng_use,
    share_beyond,
)


@pytest.mark.parametrize(("kwargs", "error", "argument"), [
    (dict(mean=float("nan"), scale=1.0), ValueError, "mean"),
    (dict(mean=0.0, scale=float("inf")), ValueError, "scale"),
    (dict(mean=0.0, scale=-1.0), ValueError, "scale"),
    (dict(mean="0", scale=1.0), TypeError, "mean"),
    (dict(mean=0.0, scale=1.0, n=10**12), ValueError, "n"),
    (dict(mean=0.0, scale=1.0, seed=-1), ValueError, "seed"),
    (dict(mean=0.0, scale=1.0, n=2.5), TypeError, "n"),
    (dict(mean=10**400, scale=1.0), ValueError, "mean"),  # no OverflowError
    (dict(mean=0.0, scale=-(10**400)), ValueError, "scale"),
    (dict(mean=0.0, scale=1e101), ValueError, "scale"),  # its draws would overflow
])
def test_draw_refuses_bad_arguments(kwargs, error, argument):
    with pytest.raises(error, match=argument):
        draw(**kwargs)


def test_draw_is_the_reference_stream():
    assert np.array_equal(draw(1.0, 2.0), np.random.default_rng(7).normal(1.0, 2.0, DATA.size))


@pytest.mark.parametrize(("args", "error", "argument"), [
    ((np.array([]), -1.0, 1.0), ValueError, "samples"),
    ((np.array(["a"]), -1.0, 1.0), ValueError, "samples"),
    ((np.ones((2, 2)), -1.0, 1.0), ValueError, "samples"),
    ((np.ones(3), float("nan"), 1.0), ValueError, "lo"),
    ((np.ones(3), -1.0, None), TypeError, "hi"),
    ((np.ones(3), 10**400, 1.0), ValueError, "lo"),  # no OverflowError
    ((np.ones(3), -1.0, -(10**400)), ValueError, "hi"),
    (([[1.0, 2.0], [3.0]], -1.0, 1.0), TypeError, "samples"),  # ragged
])
def test_share_beyond_refuses_bad_arguments(args, error, argument):
    with pytest.raises(error, match=argument):
        share_beyond(*args)
    with pytest.raises(ValueError, match="sides"):
        share_beyond(np.ones(3), -1.0, 1.0, sides="middle")


@settings(max_examples=60, deadline=None)
@given(data=st.data(), junk=JUNK)
def test_draw_never_returns_nan_for_a_bad_argument(data, junk):
    out = call_with_one_bad_argument(draw, dict(mean=0.0, scale=1.0, n=4, seed=1), data, junk)
    assert out is None or np.all(np.isfinite(out))


def test_rng_helpers_refuse_a_plain_generator():
    with pytest.raises(TypeError, match="RecordingGenerator"):
        normal_request(np.random.default_rng(0))
    with pytest.raises(TypeError, match="recorded"):
        require_rng_use(lambda rng: 1, 1, np.random.default_rng(0), "f(rng)")


def test_generators_made_records_seeds_and_restores_numpy():
    original = np.random.default_rng
    with GeneratorsMade() as made:
        np.random.default_rng(3)
        np.random.default_rng(4)
        np.random.seed(0)
    assert (made.seeds, made.legacy) == ([3, 4], 1)
    assert np.random.default_rng is original
    assert isinstance(RecordingGenerator(1), np.random.Generator)


def test_require_parametric_draws_tells_a_resample_from_a_seed():
    from helpers.checks.core import Hint, RecordingGenerator
    from helpers.checks.shared import require_parametric_draws

    seeded = RecordingGenerator(0)
    np.random.default_rng(int(seeded.integers(2**32))).normal(size=3)
    require_parametric_draws(seeded, "f")  # one integer, a seed: fine
    resampled = RecordingGenerator(0)
    resampled.choice(np.arange(5.0), size=5)
    with pytest.raises(Hint) as raised:
        require_parametric_draws(resampled, "f")
    assert raised.value.id == "resampled-data"


SAMPLES = np.random.default_rng(2).normal(1.0, 2.0, (60, 10))


@pytest.mark.parametrize(("kwargs", "error", "argument"), [
    (dict(draws=np.ones((30, 2))), ValueError, "draws"),  # fewer than 50 calls
    (dict(draws=np.ones((60, 1))), ValueError, "draws"),  # one point per call
    (dict(draws=np.ones(600)), ValueError, "draws"),
    (dict(draws=np.full((60, 10), np.nan)), ValueError, "draws"),
    (dict(draws=[[1.0, 2.0], [3.0]]), TypeError, "draws"),
    (dict(draws=10**400), ValueError, "draws"),
    (dict(data="x"), TypeError, "data"),
    (dict(data=np.array([1.0, np.inf])), ValueError, "data"),
    (dict(mean=float("nan")), ValueError, "mean"),
    (dict(mean=10**400), ValueError, "mean"),
    (dict(mean=np.zeros(3)), TypeError, "mean"),
    (dict(sd=0.0), ValueError, "sd"),
    (dict(sd=1e-320), ValueError, "sd"),  # its ratios would overflow
    (dict(sd="2"), TypeError, "sd"),
    (dict(what=None), TypeError, "what"),
    (dict(law=np.ones(3)), TypeError, "law"),
])
def test_parametric_sample_refuses_a_check_authors_bad_argument(kwargs, error, argument):
    valid = dict(draws=SAMPLES, data=np.zeros(3), mean=1.0, sd=2.0, what="f", law=True)
    with pytest.raises(error, match=rf"\b{argument}\b"):
        parametric_sample(**{**valid, **kwargs})


def test_parametric_sample_judges_the_draws_against_valid_parameters():
    """Valid parameters the draws do not fit give the learner's hint, not an error."""
    parametric_sample(SAMPLES, np.zeros(3), 1.0, 2.0, "f")
    for kwargs, hint_id in ((dict(mean=2**63), "mean-off"), (dict(sd=10**12), "spread-off"),
                            (dict(data=SAMPLES[:40].ravel()), "resampled-data")):
        with pytest.raises(Hint) as hint:
            parametric_sample(**{**dict(draws=SAMPLES, data=np.zeros(3), mean=1.0, sd=2.0,
                                        what="f"), **kwargs})
        assert hint.value.id == hint_id

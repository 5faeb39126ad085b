"""helpers.policies: the one home of the data policies' rules, used by the loop and the chains."""

import numpy as np
import pytest

from helpers import chains, loop, policies
from helpers.models import Gaussian


def test_policy_names_have_one_home():
    assert loop.POLICIES is policies.POLICIES
    assert chains.LOOP_POLICIES is policies.POLICIES
    assert set(policies.POLICIES) == {"replace", "accumulate", "accumulate_subsample", "reservoir",
                                      "fresh"}


@pytest.mark.parametrize(("fraction", "size", "expected"), [
    (0.25, 10, (2, 8)),     # 2.5 rounds half to even
    (0.35, 10, (4, 6)),     # 3.5 rounds to 4
    (0.0, 7, (0, 7)),
    (1.0, 7, (7, 0)),
])
def test_real_split_rounds_half_to_even(fraction, size, expected):
    assert policies.real_split(fraction, size) == expected


def test_make_plan_sizes():
    plan = policies.make_plan("fresh", n_real_data=40, real_fraction=0.5, train_size=30,
                              real_sampler=print)
    assert (plan.size, plan.n_real, plan.n_synthetic, plan.real_part, plan.memory) == (
        30, 15, 15, "fresh", "replace")
    plan = policies.make_plan("accumulate", n_real_data=40)
    assert (plan.size, plan.n_real, plan.n_synthetic) == (40, 0, None)


@pytest.mark.parametrize(("policy", "given", "error", "match"), [
    ("replace", dict(real_fraction=0.1), ValueError, "^real_fraction is not used"),
    ("accumulate", dict(train_size=3), ValueError, "^train_size is not used"),
    ("reservoir", dict(real_sampler=print, real_fraction=0.1), ValueError, "^real_sampler is not"),
    ("reservoir", dict(), ValueError, "^real_fraction .* required"),
    ("fresh", dict(real_fraction=0.2, real_sampler=None), TypeError, "^real_sampler .* required"),
    ("reservoir", dict(real_fraction=1.0, train_size=50), ValueError,
     "^real_fraction \\* train_size"),
])
def test_argument_rules(policy, given, error, match):
    with pytest.raises(error, match=match):
        policies.make_plan(policy, n_real_data=40, **given)


def test_arguments_the_caller_does_not_offer_are_never_required():
    # the Gaussian chains draw fresh data from the truth: no real_sampler argument
    plan = policies.make_plan("fresh", n_real_data=10, real_fraction=0.5)
    assert plan.n_real == 5


@pytest.mark.parametrize("policy", policies.POLICIES)
def test_loop_and_chains_build_training_sets_of_the_same_size_and_real_count(policy):
    kwargs = {}
    if policy in ("reservoir", "fresh"):
        kwargs["real_fraction"] = 0.3
    if policy != "replace" and policy != "accumulate":
        kwargs["train_size"] = 15
    extra = {"real_sampler": lambda k, r: r.normal(size=k)} if policy == "fresh" else {}
    real = np.random.default_rng(0).normal(size=20)
    steps = list(loop.iterate_loop(Gaussian(ddof=0), real, generations=3, policy=policy,
                                   seed=1, **kwargs, **extra))
    sizes = [len(g.train) for g in steps]
    plan = policies.make_plan(policy, n_real_data=20, **kwargs)
    source = chains.GaussianSource(4, 20, (0.0, 1.0), seed=0,
                                   kept=(20, np.zeros(4), np.ones(4) * 19),
                                   real_points=np.zeros((4, 20)),
                                   points=policy == "accumulate_subsample", capacity=80)
    source.model = (np.zeros(4), np.ones(4))
    chain_sizes = [20]
    for _ in range(3):
        chain_sizes.append(source.size(policies.training_set(source, plan)))
    assert sizes == chain_sizes


@pytest.mark.parametrize(("call", "message"), [
    (lambda: policies.check_arguments("reservoir", {"realfraction": 0.5}),
     r"given holds 'realfraction', which is no policy argument"),
    (lambda: policies.gate_mask(None, np.zeros(3)), r"gate must be a callable gate\(samples\)"),
    (lambda: policies.gate_mask(lambda s: s > 0, np.zeros((3, 0))),
     r"samples must hold at least 1 data point"),
    (lambda: policies.verified(np.array([]), lambda s: s > 0),  # was: share NaN
     r"samples must hold at least 1 data point"),
    (lambda: policies.verified(np.array([1.0, np.nan]), lambda s: s > 0),
     r"samples must contain only finite numbers"),
    (lambda: policies.verified(np.zeros(3), lambda s: s > 0, draw=3),
     r"draw must be a callable draw\(\)"),
    (lambda: policies.verified(np.zeros(3), lambda s: s > 0, generation=-1),
     r"generation must be >= 0"),
    (lambda: policies.gate_mask(lambda s: [[True], [False, True]], np.zeros(3)),  # ragged
     r"gate's result must be a boolean array \(one entry per sample\), got list"),
])
def test_the_verification_step_refuses_bad_arguments_by_name(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()

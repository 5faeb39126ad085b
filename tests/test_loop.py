"""Tests for helpers.loop: data policies, gate, metrics, seeds, validation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import digamma, polygamma

from helpers.data import zipf_corpus
from helpers.loop import POLICIES, History, iterate_loop, run_loop
from helpers.models import BigramLM, Gaussian

REAL = np.random.default_rng(2024).normal(size=100)


class Recorder(Gaussian):
    """A 1-D Gaussian that logs every training set it is fitted on (shared across copies)."""

    def __init__(self, log=None):
        super().__init__(ddof=0)
        self.log = [] if log is None else log

    def __deepcopy__(self, memo):
        return Recorder(self.log)

    def fit(self, X):
        self.log.append(np.array(X, copy=True))
        return super().fit(X)


def _train_sets(**kwargs):
    rec = Recorder()
    hist = run_loop(rec, kwargs.pop("real", REAL), keep_samples=True, **kwargs)
    return rec.log, hist


# ---------------------------------------------------------------- policies


def test_replace_trains_only_on_the_previous_samples():
    sets, h = _train_sets(generations=4, n_samples=60)
    np.testing.assert_array_equal(sets[0], REAL)
    for g in range(1, 5):
        np.testing.assert_array_equal(sets[g], h.samples[0, g - 1])
    assert h.train_size.tolist() == [[100, 60, 60, 60, 60]]
    assert h.real_count.tolist() == [[100, 0, 0, 0, 0]]


def test_accumulate_grows_by_n_samples_per_generation():
    sets, h = _train_sets(generations=5, policy="accumulate", n_samples=40)
    assert h.train_size.tolist() == [[100 + 40 * g for g in range(6)]]
    assert h.real_count.tolist() == [[100] * 6]
    for g in range(1, 6):
        expected = np.concatenate([REAL, *h.samples[0, :g]])
        np.testing.assert_array_equal(np.sort(sets[g]), np.sort(expected))


def test_accumulate_subsample_stays_at_the_budget_and_draws_from_the_pool():
    sets, h = _train_sets(generations=6, policy="accumulate_subsample", train_size=80)
    assert h.train_size.tolist() == [[100] + [80] * 6]
    for g in range(1, 7):
        pool = np.concatenate([REAL, *h.samples[0, :g]])
        assert np.isin(sets[g], pool).all() and np.unique(sets[g]).size == 80
        assert h.real_count[0, g] == np.isin(sets[g], REAL).sum()
    assert 0 < h.real_count[0, -1] < 80  # a uniform subsample keeps some real points


@pytest.mark.parametrize("real_fraction, train_size", [(0.25, 100), (0.1, 300), (1.0, 50),
                                                       (0.0, 100)])
def test_mix_contains_the_stated_real_share(real_fraction, train_size):
    sets, h = _train_sets(generations=4, policy="reservoir", real_fraction=real_fraction,
                          train_size=train_size)
    k = round(real_fraction * train_size)
    for g in range(1, 5):
        assert len(sets[g]) == train_size
        assert np.isin(sets[g], REAL).sum() == k
        assert np.isin(sets[g], h.samples[0, g - 1]).sum() == train_size - k
    assert (h.real_count[0, 1:] == k).all()
    np.testing.assert_allclose(h.real_share[0, 1:], k / train_size)
    assert h.n_samples >= train_size - k


def test_fresh_uses_new_real_data_every_generation():
    calls = []

    def real_sampler(k, rng):
        x = rng.normal(size=k)
        calls.append(x)
        return x

    sets, h = _train_sets(generations=5, policy="fresh", real_fraction=0.3,
                          real_sampler=real_sampler)
    assert len(calls) == 5
    seen = np.concatenate(calls)
    assert np.unique(seen).size == seen.size  # every generation's real data are new
    for g in range(1, 6):
        np.testing.assert_array_equal(sets[g][np.isin(sets[g], seen)], calls[g - 1])
        assert len(sets[g]) == 100 and not np.isin(sets[g], REAL).any()
    assert (h.real_count[0, 1:] == 30).all()


def test_gate_rejections_never_enter_training():
    def gate(x):
        return x <= 0

    for policy, extra in [("replace", {}), ("accumulate", {}),
                          ("reservoir", {"real_fraction": 0.2})]:
        for refill in (False, True):
            sets, h = _train_sets(generations=6, policy=policy, gate=gate, refill=refill,
                                  **extra)
            for g in range(1, 7):
                synthetic = sets[g][~np.isin(sets[g], REAL)]
                assert len(synthetic) > 0 and (synthetic <= 0).all()
            assert h.accept_rate.shape == (1, 7)
            assert 0.3 < h.accept_rate[0, 0] < 0.7
            if refill and policy == "replace":
                assert (h.train_size == 100).all()
            if not refill and policy == "replace":
                assert h.train_size[0, 1] == round(h.accept_rate[0, 0] * 100)


def test_refill_fails_clearly_when_the_gate_accepts_too_little():
    with pytest.raises(RuntimeError, match="gate accepted only"):
        run_loop(Gaussian(ddof=0), REAL, generations=2, gate=lambda x: x > 1e6, refill=True)
    with pytest.raises(RuntimeError, match="training set is empty"):
        run_loop(Gaussian(ddof=0), REAL, generations=2, gate=lambda x: x > 1e6)


@pytest.mark.parametrize("gate, error", [
    (lambda x: (x > 0).astype(int), TypeError),
    (lambda x: True, TypeError),
    (lambda x: None, TypeError),
    (lambda x: (x > 0)[:-1], ValueError),
    (lambda x: np.c_[x > 0, x > 0], ValueError),
])
def test_gate_must_return_one_boolean_per_sample(gate, error):
    with pytest.raises(error, match="gate"):
        run_loop(Gaussian(ddof=0), REAL, generations=1, gate=gate)


# ---------------------------------------------------------------- metrics and seeds


def test_metrics_receive_samples_and_real_and_model_metrics_the_model():
    seen = []

    def spread(samples, real):
        seen.append((samples.shape, real is not None and np.array_equal(real, REAL)))
        return float(np.var(samples))

    h = run_loop(Gaussian(ddof=0), REAL, generations=3, n_samples=70, seeds=[0, 1],
                 metrics={"spread": spread}, model_metrics={"var": lambda m: m.var_})
    assert seen == [((70,), True)] * 8
    assert set(h.metrics) == {"spread", "var"}
    assert h.metrics["var"].shape == (2, 4)
    assert h.metrics["var"][0, 0] == pytest.approx(np.var(REAL))
    assert h.accept_rate is None and h.samples is None and isinstance(h, History)


def test_same_seed_same_history_different_seeds_differ():
    kwargs = dict(generations=5, policy="accumulate_subsample", keep_samples=True,
                  model_metrics={"var": lambda m: m.var_})
    a = run_loop(Gaussian(ddof=0), REAL, seeds=[3, 4], **kwargs)
    b = run_loop(Gaussian(ddof=0), REAL, seeds=[3, 4], **kwargs)
    np.testing.assert_array_equal(a.metrics["var"], b.metrics["var"])
    np.testing.assert_array_equal(a.samples, b.samples)
    assert not np.array_equal(a.samples[0], a.samples[1])
    alone = run_loop(Gaussian(ddof=0), REAL, seeds=[4], **kwargs)  # runs are independent
    np.testing.assert_array_equal(alone.samples[0], a.samples[1])


def test_the_template_model_is_not_changed():
    template = Gaussian(ddof=0)
    run_loop(template, REAL, generations=2)
    assert not hasattr(template, "mean_")


def test_loop_works_with_token_sentences():
    corpus = zipf_corpus(60, 50, 8, seed=0)
    h = run_loop(BigramLM(60), corpus, generations=5, policy="accumulate", keep_samples=True,
                 model_metrics={"types": lambda m: float((m.bigram_counts_ > 0).sum())})
    assert h.samples.shape == (1, 6, 50, 8)
    assert (np.diff(h.metrics["types"][0]) == 0).all()  # accumulate cannot add bigram types


def test_replace_collapses_the_variance_and_accumulate_does_not():
    n, G, seeds = 100, 50, range(200)
    var = {policy: run_loop(Gaussian(ddof=0), REAL, generations=G, policy=policy, seeds=seeds,
                            model_metrics={"var": lambda m: m.var_}).metrics["var"]
           for policy in ("replace", "accumulate")}
    v0 = np.var(REAL)
    # replace: var_g = var_{g-1} * chi2_{n-1}/n, so E[log(var_G / var_0)] is exact
    log_ratio = np.log(var["replace"][:, G] / v0)
    expected = G * (digamma((n - 1) / 2) + np.log(2 / n))
    se = np.sqrt(G * polygamma(1, (n - 1) / 2) / len(log_ratio))
    assert abs(log_ratio.mean() - expected) < 4 * se
    median_replace = np.median(var["replace"][:, G]) / v0
    median_accumulate = np.median(var["accumulate"][:, G]) / v0
    assert median_replace < 0.5 < 0.9 < median_accumulate  # REFERENCES.md: ~0.97 accumulated
    assert median_accumulate - median_replace > 0.4


# ---------------------------------------------------------------- validation


def _bad_model():
    class NoSample:
        def fit(self, X):
            return self

    return NoSample()


class WrongShape(Gaussian):
    def sample(self, n, rng):
        return super().sample(n + 1, rng)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(policy="keep"), ValueError, "policy"),
    (dict(generations=-1), ValueError, "generations"),
    (dict(generations=2.5), TypeError, "generations"),
    (dict(seeds=5), TypeError, "seeds"),
    (dict(seeds=[]), ValueError, "seeds"),
    (dict(seeds=[0, -1]), ValueError, "seeds"),
    (dict(n_samples=0), ValueError, "n_samples"),
    (dict(policy="reservoir"), ValueError, "real_fraction"),
    (dict(policy="reservoir", real_fraction=1.5), ValueError, "real_fraction"),
    (dict(policy="reservoir", real_fraction=0.5, train_size=400), ValueError, "real_fraction"),
    (dict(policy="reservoir", real_fraction=0.5, n_samples=10), ValueError, "n_samples"),
    (dict(policy="replace", real_fraction=0.5), ValueError, "real_fraction"),
    (dict(policy="accumulate", train_size=50), ValueError, "train_size"),
    (dict(policy="accumulate_subsample", train_size=0), ValueError, "train_size"),
    (dict(policy="fresh", real_fraction=0.5), TypeError, "real_sampler"),
    (dict(policy="reservoir", real_fraction=0.5, real_sampler=lambda k, r: r.normal(size=k)),
     ValueError, "real_sampler"),
    (dict(policy="fresh", real_fraction=0.5, real_sampler=lambda k, r: r.normal(size=k + 1)),
     ValueError, "real_sampler"),
    (dict(refill=True), ValueError, "refill"),
    (dict(gate="yes"), TypeError, "gate"),
    (dict(metrics=[np.var]), TypeError, "metrics"),
    (dict(metrics={"m": 3}), TypeError, "metrics"),
    (dict(metrics={"m": lambda s, r: 1.0}, model_metrics={"m": lambda m: 1.0}), ValueError,
     "metrics"),
    (dict(metrics={"m": lambda s, r: np.nan}), ValueError, "NaN"),
    (dict(metrics={"m": lambda s, r: "high"}), TypeError, "metric 'm'"),
    (dict(model_metrics={"m": lambda m: np.ones(2)}), TypeError, "metric 'm'"),
    (dict(model=_bad_model()), TypeError, "model"),
    (dict(model=WrongShape(ddof=0)), ValueError, "model"),
    (dict(real=np.array([])), ValueError, "real"),
    (dict(real="abc"), TypeError, "real"),
    (dict(real=np.array(["a", "b"])), TypeError, "real"),
])
def test_bad_arguments_raise_naming_the_argument(kwargs, error, name):
    args = dict(model=Gaussian(ddof=0), real=REAL, generations=1)
    args.update(kwargs)
    with pytest.raises(error, match=name):
        run_loop(args.pop("model"), args.pop("real"), **args)


def test_inf_metrics_are_allowed():
    h = run_loop(Gaussian(ddof=0), REAL, generations=1, metrics={"kl": lambda s, r: np.inf})
    assert np.isinf(h.metrics["kl"]).all()


_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 300), st.text(max_size=3),
                    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(POLICIES))


@settings(max_examples=50, deadline=None)
@given(policy=_values, generations=_values, n_samples=_values, train_size=_values,
       real_fraction=_values)
def test_random_bad_arguments_raise_only_value_or_type_errors(policy, generations, n_samples,
                                                              train_size, real_fraction):
    try:
        h = run_loop(Gaussian(ddof=0), REAL[:20], policy=policy, generations=generations,
                     n_samples=n_samples, train_size=train_size, real_fraction=real_fraction,
                     real_sampler=(lambda k, r: r.normal(size=k)) if policy == "fresh" else None,
                     model_metrics={"var": lambda m: m.var_})
    except (ValueError, TypeError):
        return
    assert np.isfinite(h.metrics["var"]).all()


def test_refill_in_the_loop_samples_exactly_the_batches_it_needs():
    # a model whose every batch of 10 has exactly 5 points the gate accepts: generation 0
    # needs 10 accepted points for the next training set, so it samples 2 batches; the
    # last generation samples 1 and refills nothing (mutation: a refill one batch late)
    class Counting:
        calls = 0

        def fit(self, X):
            return self

        def sample(self, n, rng):
            Counting.calls += 1
            return np.arange(float(n))

    steps = list(iterate_loop(Counting(), np.zeros(10), generations=1, seed=0,
                              gate=lambda s: s < 5, refill=True))
    assert Counting.calls == 3
    assert len(steps[1].train) == 10 and steps[0].accept_rate == 0.5


class _Unreadable:
    def __iter__(self):
        raise RuntimeError("broken __iter__")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("broken __array__")


class _UnreadableSamples(Gaussian):
    def sample(self, n, rng):
        return _Unreadable()


@pytest.mark.parametrize(("kwargs", "message"), [
    (dict(real=np.zeros((2, 2, 2))),  # the model's own message names its own argument (X)
     r"real cannot be fitted by the model \(Gaussian\.fit: X must be 1-D or 2-D"),
    (dict(real=np.zeros((3, 0))), r"real must hold at least 1 data point"),
    (dict(seeds=_Unreadable()), r"seeds must be a sequence of integers that can be read"),
    (dict(seeds=[]), r"seeds must hold 1 to 10000 seeds, got none"),
    (dict(gate=3), r"gate must be a callable gate\(samples\)"),
    (dict(model=_UnreadableSamples(ddof=0)),
     r"model\.sample\(n, rng\) must be an array of points, got _Unreadable that cannot be read"),
])
def test_the_loop_names_the_bad_argument(kwargs, message):
    arguments = dict(model=Gaussian(ddof=0), real=np.arange(10.0), generations=1) | kwargs
    with pytest.raises((ValueError, TypeError), match=message):
        run_loop(**arguments)

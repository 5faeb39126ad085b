"""helpers.lm: the character corpus, the neural LM's gradients (checked numerically), its
determinism, protocol, decoding and perplexity, the loop and policies with it, and bad input."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from helpers.checks.core import RecordingGenerator
from helpers.data import _corpus_words
from helpers.lm import (
    ALPHABET,
    CharCorpus,
    CharMLP,
    load_char_corpus,
    loop_runs,
    loss_and_grads,
    text_measures,
)
from helpers.loop import iterate_loop, run_loop
from helpers.models import check_model

V = len(ALPHABET)


@pytest.fixture(scope="module")
def corpus():
    return load_char_corpus(n_train=120, n_heldout=60)


@pytest.fixture(scope="module")
def fitted(corpus):
    return CharMLP(steps=60).fit(corpus.train)


# ---------------------------------------------------------------- the corpus


def test_corpus_is_the_text_as_characters(corpus):
    text = " ".join(_corpus_words())
    assert set(text) == set(ALPHABET)
    row = CharCorpus.decode(corpus.train[0])
    assert len(row) == 32 and row in text
    assert corpus.train.shape == (120, 32) and corpus.heldout.shape == (60, 32)
    assert corpus.train.dtype == np.int64 and corpus.train.max() < V
    # the held-out windows are other windows of the text than the training ones
    # (every fifth window of 32 characters is held out: it starts at 128 modulo 160)
    def starts(row):
        found, at = set(), text.find(CharCorpus.decode(row))
        while at >= 0:
            found.add(at % 160)
            at = text.find(CharCorpus.decode(row), at + 1)
        return found

    assert all(128 in starts(r) for r in corpus.heldout)
    assert all(starts(r) - {128} for r in corpus.train)
    again = load_char_corpus(n_train=120, n_heldout=60)
    assert np.array_equal(again.train, corpus.train)


@pytest.mark.parametrize("kwargs, name", [
    (dict(length=1), "length"), (dict(length=2.0), "length"), (dict(n_train=0), "n_train"),
    (dict(n_train=10**7), "n_train"), (dict(n_heldout=True), "n_heldout"),
])
def test_corpus_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        load_char_corpus(**kwargs)


def test_decode_bad_input():
    with pytest.raises(TypeError, match="row"):
        CharCorpus.decode([[1, 2]])
    with pytest.raises(ValueError, match="row"):
        CharCorpus.decode([V])


# ---------------------------------------------------------------- gradients


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(2)
    params = {"embedding": rng.normal(size=(V + 1, 3)), "W1": rng.normal(size=(6, 5)),
              "b1": rng.normal(size=5), "W2": rng.normal(size=(5, V)), "b2": rng.normal(size=V)}
    ctx = rng.integers(0, V + 1, size=(7, 2))
    counts = rng.integers(0, 3, size=(7, V)).astype(float)
    _, grads = loss_and_grads(params, ctx, counts, l2=0.01)
    h = 1e-6
    for name, value in params.items():
        for index in [tuple(rng.integers(0, s) for s in value.shape) for _ in range(6)]:
            up = {k: v.copy() for k, v in params.items()}
            down = {k: v.copy() for k, v in params.items()}
            up[name][index] += h
            down[name][index] -= h
            numeric = (loss_and_grads(up, ctx, counts, 0.01)[0]
                       - loss_and_grads(down, ctx, counts, 0.01)[0]) / (2 * h)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-8), name


# ---------------------------------------------------------------- the model


def test_deterministic_for_a_seed(corpus, fitted):
    again = CharMLP(steps=60).fit(corpus.train)
    for k, v in fitted.params_.items():
        assert np.array_equal(v, again.params_[k])
    other = CharMLP(steps=60, seed=1).fit(corpus.train)
    assert not np.array_equal(other.params_["W1"], fitted.params_["W1"])
    assert np.array_equal(fitted.sample(5, 3), fitted.sample(5, 3))
    assert not np.array_equal(fitted.sample(5, 3), fitted.sample(5, 4))


def test_learns_more_than_character_frequencies(corpus, fitted):
    counts = np.bincount(corpus.train.ravel(), minlength=V) + 1.0
    p = counts / counts.sum()
    unigram = np.exp(-np.mean(np.log(p[corpus.heldout.ravel()])))
    assert fitted.perplexity(corpus.heldout) < 0.75 * unigram
    assert np.exp(fitted.train_loss_) < fitted.perplexity(corpus.heldout) + 1.0


def test_perplexity_by_hand_for_a_uniform_model(corpus):
    lm = CharMLP(steps=1).fit(corpus.train)
    for k in lm.params_:
        lm.params_[k] = np.zeros_like(lm.params_[k])
    assert lm.perplexity(corpus.heldout) == pytest.approx(V)


def test_protocol_and_rng(corpus, fitted):
    assert check_model(CharMLP(steps=20), corpus.train, n=20).ok
    rng = RecordingGenerator(0)
    out = fitted.sample(4, rng)
    assert out.shape == (4, 32) and out.min() >= 0 and out.max() < V
    assert [(d.method, d.count) for d in rng.draws] == [("random", 4)] * 32


def test_decoding_settings_reach_the_sampler(corpus):
    greedy = CharMLP(steps=60, top_k=1).fit(corpus.train)
    a, b = greedy.sample(3, 0), greedy.sample(3, 1)
    assert np.array_equal(a, b) and np.all(a == a[0])  # one most probable path
    plain = CharMLP(steps=60).fit(corpus.train)
    narrow = CharMLP(steps=60, top_p=0.5).fit(corpus.train)
    cold = CharMLP(steps=60, temperature=0.5).fit(corpus.train)
    kinds = {name: np.unique(m.sample(200, 5)).size
             for name, m in (("plain", plain), ("narrow", narrow), ("cold", cold))}
    assert kinds["narrow"] < kinds["plain"] and kinds["cold"] < kinds["plain"]
    # the decoding does not change what is learned, nor the perplexity
    assert narrow.perplexity(corpus.heldout) == plain.perplexity(corpus.heldout)
    assert repr(narrow) == "CharMLP(steps=60, top_p=0.5)"


@pytest.mark.parametrize("kwargs, name", [
    (dict(context=0), "context"), (dict(context=9), "context"), (dict(embed=0), "embed"),
    (dict(hidden=1.5), "hidden"), (dict(steps=0), "steps"), (dict(learning_rate=0.0),
                                                             "learning_rate"),
    (dict(l2=-1.0), "l2"), (dict(seed=-1), "seed"), (dict(temperature=0.0), "temperature"),
    (dict(top_k=V + 1), "top_k"), (dict(top_p=1.5), "top_p"), (dict(top_p="0.9"), "top_p"),
])
def test_constructor_bad_input(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        CharMLP(**kwargs)


@pytest.mark.parametrize("X", [np.zeros(10, int), np.full((3, 4), V), np.full((3, 4), -1),
                               np.full((3, 4), 0.5), "abc", np.zeros((0, 4), int)])
def test_fit_bad_input(X):
    with pytest.raises((ValueError, TypeError), match="X"):
        CharMLP(steps=1).fit(X)
    with pytest.raises((ValueError, TypeError), match="X"):
        CharMLP(steps=1).fit(np.zeros((2, 4), int)).perplexity(X)


def test_sample_bad_input(fitted):
    with pytest.raises(NotFittedError):
        CharMLP().sample(2, 0)
    with pytest.raises(NotFittedError):
        CharMLP().perplexity(np.zeros((2, 4), int))
    with pytest.raises(ValueError, match="n"):
        fitted.sample(0, 0)
    with pytest.raises(TypeError, match="rng"):
        fitted.sample(2, "x")


# ---------------------------------------------------------------- the loop, unchanged


@pytest.mark.parametrize("policy, extra", [
    ("replace", {}), ("accumulate", {}), ("reservoir", {"real_fraction": 0.2}),
    ("fresh", {"real_fraction": 0.2}),
])
def test_loop_and_policies_run_with_it(corpus, policy, extra):
    real = corpus.train[:40]
    pool = corpus.train[40:]

    def fresh(k, rng):
        return pool[rng.choice(len(pool), size=k, replace=False)]

    if policy == "fresh":
        extra = {**extra, "real_sampler": fresh}
    gens = list(iterate_loop(CharMLP(steps=10, top_p=0.9), real, generations=2, policy=policy,
                             seed=3, **extra))
    assert [g.t for g in gens] == [0, 1, 2]
    assert all(g.samples.shape == (40, 32) for g in gens)
    if policy == "accumulate":
        assert [len(g.train) for g in gens] == [40, 80, 120]
    if policy in ("reservoir", "fresh"):
        assert gens[2].real_count == 8
    h = run_loop(CharMLP(steps=10), real, generations=1, policy=policy, seeds=[0, 1],
                 model_metrics={"ppl": lambda m: m.perplexity(corpus.heldout)}, **extra)
    assert h.metrics["ppl"].shape == (2, 2) and np.all(h.metrics["ppl"] < V)


# ---------------------------------------------------------------- measures and the runs grid


def test_text_measures_by_hand():
    # real: "ab ab" style text with 'z' rare; generated: no 'z', repeated words
    real = load_char_corpus(n_train=50, n_heldout=1).train
    same = text_measures(real, real)
    assert same.rare_char_recall == 1.0 and same.rare_word_recall == 1.0
    freq = np.bincount(real.ravel(), minlength=V) / real.size
    assert same.tail_mass == pytest.approx(freq[(freq > 0) & (freq < 0.01)].sum())
    spaces = np.zeros((4, 8), dtype=int)
    spaces[:, 1:4] = [3, 4, 5]  # " bcd    " four times: one word type, 4 tokens
    got = text_measures(spaces, real)
    assert got.rare_char_recall == 0.0 and got.tail_mass == 0.0
    assert got.repetition == pytest.approx(1 - 1 / 4)
    assert got.distinct_4 == pytest.approx(5 / 20)  # 5 distinct 4-grams of 5 per window


@pytest.mark.parametrize("kwargs, name", [
    (dict(samples="abc"), "samples"), (dict(real=np.full((2, 4), V)), "real"),
    (dict(rare_char=0.0), "rare_char"), (dict(rare_char=1e-9), "rare_char"),
    (dict(rare_word=0), "rare_word"),
])
def test_text_measures_bad_input(kwargs, name):
    real = load_char_corpus(n_train=10, n_heldout=1).train
    kwargs = {"samples": real, "real": real, **kwargs}
    with pytest.raises((ValueError, TypeError), match=name):
        text_measures(**kwargs)


def test_loop_runs_shapes_and_agreement_with_run_loop(corpus):
    small = load_char_corpus(n_train=30, n_heldout=10)
    runs = loop_runs(small, generations=1, seeds=(4,), steps=5,
                     decodings={"T = 1": {}, "top-k 3": {"top_k": 3}},
                     policies={"replace": {"policy": "replace"},
                               "fresh": {"policy": "fresh", "real_fraction": 0.5}})
    assert runs.values["perplexity"].shape == (2, 2, 1, 2)
    assert not runs.values["distinct_4"].flags.writeable
    h = run_loop(CharMLP(steps=5, top_k=3), small.train, generations=1, seeds=[4],
                 model_metrics={"p": lambda m: m.perplexity(small.heldout)})
    assert runs.at("perplexity", "top-k 3", "replace")[0] == pytest.approx(h.metrics["p"][0])
    with pytest.raises(ValueError, match="decoding"):
        runs.at("perplexity", "T = 2", "replace")
    with pytest.raises(TypeError, match="corpus"):
        loop_runs(small.train)
    with pytest.raises(TypeError, match="policies"):
        loop_runs(small, policies={"replace": "replace"})


def test_predict_proba_agrees_with_perplexity(corpus, fitted):
    P = fitted.predict_proba(corpus.heldout[:5])
    assert P.shape == (5, 32, V) and P.sum(axis=-1) == pytest.approx(np.ones((5, 32)))
    p = np.take_along_axis(P, corpus.heldout[:5, :, None], axis=-1)
    assert fitted.perplexity(corpus.heldout[:5]) == pytest.approx(np.exp(-np.log(p).mean()))


def test_loop_runs_bad_progress():
    with pytest.raises(TypeError, match="progress"):
        loop_runs(load_char_corpus(n_train=5, n_heldout=2), progress="yes")

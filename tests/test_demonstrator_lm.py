"""The demonstrator with lesson 07's language model: ``--data chars --model char-mlp``,
``--decoding`` and ``fresh:RHO``. Its numbers are those of lesson 07's loop (helpers.lm),
and generation 0 is checked against a computation by hand."""

import copy
import json
from collections import Counter

import numpy as np
import pytest

from helpers import demonstrator, detection, lm, models
from helpers.loop import iterate_loop

SMALL = dict(data="chars", model="char-mlp", generations=2, seeds=2, jobs=1)


@pytest.fixture(scope="module")
def small_null():
    """Three healthy retrains instead of 99, with a false-alarm rate three retrains can give
    (jobs=1 runs in this process, so this applies)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(demonstrator, "N_NULL", 3)
        patch.setattr(demonstrator, "ALPHA_SIDE", 0.25)
        yield


@pytest.fixture(scope="module")
def demo(small_null):
    return demonstrator.run(policies=("replace", "fresh:0.2"), decoding={"top_p": 0.9}, **SMALL)


def test_the_runs_are_lesson_07s_loop(demo):
    """Same split, seeds, decoding and policies as helpers.lm.loop_runs (the lesson's runner)."""
    runs = lm.loop_runs(lm.load_char_corpus(), generations=2, seeds=(0, 1),
                        decodings={"top-p 0.9": {"top_p": 0.9}},
                        policies={"replace": {"policy": "replace"},
                                  "fresh": {"policy": "fresh", "real_fraction": 0.2}})
    for name, policy in (("replace", "replace"), ("fresh:0.2", "fresh")):
        np.testing.assert_allclose(demo.values[name]["distance"],
                                   runs.at("perplexity", "top-p 0.9", policy), rtol=1e-9)
        np.testing.assert_allclose(demo.values[name]["tail"],
                                   runs.at("rare_char_recall", "top-p 0.9", policy), rtol=1e-12)
    assert demo.results["setting"]["decoding"] == "top_p=0.9"
    assert demo.results["policies"]["fresh:0.2"]["real_points_in_training"] == 250 + 2 * 50


def test_generation_0_by_hand(demo):
    """Perplexity from the predicted probabilities, rare-character recall by counting letters."""
    corpus = lm.load_char_corpus()
    gen0 = next(iterate_loop(lm.CharMLP(top_p=0.9), corpus.train, generations=0, seed=1))
    p = gen0.model.predict_proba(corpus.heldout)
    actual = np.take_along_axis(p, corpus.heldout[..., None], axis=-1)
    assert demo.values["replace"]["distance"][1, 0] == pytest.approx(
        np.exp(-np.log(actual).mean()), rel=1e-12)
    real_text = "".join(lm.CharCorpus.decode(r) for r in corpus.train)
    share = {c: k / len(real_text) for c, k in Counter(real_text).items()}
    rare = {c for c, f in share.items() if f < 0.01}
    assert rare == set("'jkqvwxz")
    made = set("".join(lm.CharCorpus.decode(r) for r in gen0.samples))
    assert demo.values["replace"]["tail"][1, 0] == len(rare & made) / len(rare)
    assert 5.0 < demo.values["replace"]["distance"][1, 0] < 10.0  # far below 28 (uniform)


@pytest.fixture(scope="module")
def null_fits(small_null):
    """The training data of every healthy retrain of a chars run (recorded by a spy model)."""
    seen = []
    real_retrain_values = detection.retrain_values

    def spy(model, real, *args, **kwargs):
        class Recording(type(model)):
            def fit(self, X):
                seen.append(np.array(X))
                return super().fit(X)
        recording = copy.copy(model)
        recording.__class__ = Recording
        return real_retrain_values(recording, real, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detection, "retrain_values", spy)
        demo = demonstrator.run(policies=("replace",), **{**SMALL, "generations": 1, "seeds": 1})
    return demo, seen


def test_the_chars_null_refits_on_fresh_windows_of_the_text(null_fits):
    """A healthy retrain is what a healthy generation is: 250 windows of real text drawn anew,
    not a resample of a resample of the 250 training windows (about 117 distinct, all of them
    training windows), which sees fewer distinct contexts and sat above generation 0."""
    demo, fits = null_fits
    corpus = lm.load_char_corpus()
    every = lm.load_char_corpus(n_train=9393, n_heldout=1).train  # the text's training part
    pool = {row.tobytes() for row in every}
    train = {row.tobytes() for row in corpus.train}
    heldout = {row.tobytes() for row in corpus.heldout}
    assert len(fits) == 3 and demo.null["distance"].shape == (3,)
    for X in fits:
        rows = [row.tobytes() for row in X]
        assert X.shape == (250, 32) and X.dtype.kind == "i"
        assert len(set(rows)) == 250  # no window twice
        assert set(rows) <= pool and not set(rows) & heldout
        assert len(set(rows) & train) < 30  # about 250 * 250 / 9393 = 7 expected
    assert demo.results["detection"]["fresh_real"] is True


def test_generation_0_sits_inside_the_healthy_retrain_band():
    """19 healthy retrains of the lesson's model: generation 0 (7.48 per character, fitted on the
    lesson's 250 windows) lies between their smallest and largest held-out perplexity, and so
    does its rare-character recall. The old null (a resample of a resample) gave about 8.8 to
    11.4, above generation 0."""
    corpus = lm.load_char_corpus()
    tail, distance = demonstrator.measures_for("chars", corpus.heldout, train=corpus.train)
    null = detection.retrain_values(lm.CharMLP(top_p=0.9), corpus.train, {"tail": tail.fn},
                                    n_draws=19, seed=demonstrator.NULL_SEED,
                                    model_measures={"distance": distance.fn},
                                    real_sampler=lm._fresh_sampler(32))
    gen0 = next(iterate_loop(lm.CharMLP(top_p=0.9), corpus.train, generations=0, seed=0))
    ppl = distance.fn(gen0.model)
    assert ppl == pytest.approx(7.48, abs=0.005)
    assert null["distance"].min() < ppl < null["distance"].max()
    assert 7.0 < null["distance"].min() and null["distance"].max() < 8.8
    recall = tail.fn(gen0.samples)
    assert null["tail"].min() <= recall <= null["tail"].max()


def test_retrain_values_checks_the_real_sampler():
    real = np.random.default_rng(3).normal(size=50)
    with pytest.raises(TypeError, match="real_sampler"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 real_sampler="fresh")
    with pytest.raises(ValueError, match=r"real_sampler\(50, rng\) must return 50 rows"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 real_sampler=lambda k, rng: rng.normal(size=k - 1))
    with pytest.raises(ValueError, match="real_sampler's rows cannot be fitted"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 real_sampler=lambda k, rng: np.full(k, np.nan))
    with pytest.raises(ValueError, match="real_sampler"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 real_sampler=lambda k, rng: [[1.0], [1.0, 2.0]] * (k // 2))
    got = detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean}, n_draws=3,
                                   seed=1, model_measures={"mean": lambda m: float(m.mean_)},
                                   real_sampler=lambda k, rng: np.full(k, 5.0))
    np.testing.assert_array_equal(got["mean"], [5.0, 5.0, 5.0])  # fitted on the sampler's rows


def test_retrain_values_applies_model_measures_to_each_refit():
    real = np.random.default_rng(3).normal(size=50)
    got = detection.retrain_values(models.Gaussian(ddof=0), real, {"var": np.var}, n_draws=4,
                                   seed=7, model_measures={"mean": lambda m: float(m.mean_)})
    rng = np.random.default_rng(7)  # the same draws by hand: resample, fit, sample, and again
    once, twice = [], []
    for _ in range(4):
        source = real[rng.integers(0, 50, size=50)]
        once.append(source.mean())
        rng.normal(size=50)  # the evaluation sample the measures see
        twice.append(source[rng.integers(0, 50, size=50)].mean())
        rng.normal(size=50)
    # the bias-corrected bootstrap: the second refits, centred at 2 m1 - m2
    expected = np.array(twice) + 2 * (np.median(once) - np.median(twice))
    np.testing.assert_allclose(got["mean"], expected, rtol=1e-12)
    with pytest.raises(ValueError, match="model_measures"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 model_measures={"m": lambda m: 0.0})
    with pytest.raises(TypeError, match="model_measures"):
        detection.retrain_values(models.Gaussian(ddof=0), real, {"m": np.mean},
                                 model_measures={"s": "not callable"})


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(data="mixture", model="gaussian", decoding={"top_p": 0.9}), ValueError, "decoding"),
    (dict(data="chars", model="char-mlp", decoding={"top_q": 0.9}), ValueError, "decoding"),
    (dict(data="chars", model="char-mlp", decoding="top_p=0.9"), TypeError, "decoding"),
    (dict(data="chars", model="char-mlp", decoding={"top_p": 0.0}), ValueError, "top_p"),
    (dict(data="chars", model="char-mlp", decoding={"top_k": 29}), ValueError, "top_k"),
    (dict(data="digits", model="gmm", policies=["fresh:0.2"]), ValueError, "fresh"),
    (dict(data="chars", model="char-mlp", progress="loud"), TypeError, "progress"),
])
def test_run_refuses_bad_decoding_and_fresh_without_fresh_data(kwargs, error, name):
    with pytest.raises(error, match=name):
        demonstrator.run(generations=1, seeds=1, jobs=1, **kwargs)


def test_command_prints_the_comparison_and_a_progress_bar(small_null, tmp_path, capsys):
    out = tmp_path / "report"
    code = demonstrator.main(["--data", "chars", "--decoding", "temperature=0.7",
                              "--policies", "replace,accumulate", "--generations", "1",
                              "--seeds", "1", "--jobs", "1", "--out", str(out)])
    assert code == 0
    stdout, stderr = capsys.readouterr()
    results = json.loads((out / "results.json").read_text())
    assert results["setting"]["decoding"] == "temperature=0.7"
    lines = stdout.splitlines()
    assert lines[0].startswith("chars data, char-mlp model, decoding temperature=0.7")
    for name in ("replace", "accumulate"):
        p = results["policies"][name]["distance"]
        line = next(x for x in lines if x.startswith(f"  {name}:"))
        assert f"perplexity per character {p['start']['median']:.5g} -> " \
               f"{p['end']['median']:.5g}" in line
    assert lines[-1] == f"report written to {out}"
    # 2 chains and 3 parts of the null: the bar ends full
    assert "[demonstrator] [" + "#" * 30 + "] 5/5 tasks" in stderr
    assert "`temperature=0.7`" in (out / "report.md").read_text()


def test_progress_bar_redraws_in_place_on_a_terminal(monkeypatch, capsys):
    import sys
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    demonstrator._show_progress(demonstrator._bar(1, 3))
    demonstrator._show_progress(demonstrator._bar(3, 3))
    err = capsys.readouterr().err
    assert err == ("[demonstrator] [##########....................] 1/3 tasks\r"
                   "[demonstrator] [##############################] 3/3 tasks\n")


@pytest.mark.parametrize("argv, option", [
    (["--data", "chars", "--decoding", "top_p=0"], "--decoding"),
    (["--data", "chars", "--decoding", "top_k=29"], "--decoding"),
    (["--data", "chars", "--decoding", "top_p=0.9,top_p=0.8"], "--decoding"),
    (["--data", "chars", "--decoding", "nucleus=0.9"], "--decoding"),
    (["--data", "mixture", "--decoding", "top_p=0.9"], "--decoding"),
    (["--data", "digits", "--policies", "replace,fresh:0.2"], "--policies"),
    (["--data", "chars", "--policies", "fresh"], "--policies"),
    (["--data", "chars", "--model", "gmm"], "--model"),
])
def test_bad_language_model_options_are_one_line(argv, option, capsys, tmp_path):
    assert demonstrator.main(argv + ["--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and option in err[0], err
    assert not (tmp_path / "r").exists()


def test_decoding_option_reads_settings():
    assert demonstrator._decoding("temperature=0.7, top_k=5") == {"temperature": 0.7, "top_k": 5}
    assert demonstrator._decoding_text({}) == "temperature=1"
    assert demonstrator._decoding_text({"temperature": 0.7, "top_p": 0.9}) == \
        "temperature=0.7,top_p=0.9"


def test_fresh_is_a_command_line_policy_only_for_data_with_fresh_real_points():
    from helpers import policies
    assert "fresh" not in policies.command_line_policies()
    assert policies.command_line_policies(real_sampler=True)[-1] == "fresh"
    assert policies.parse_choice("fresh:0.2", real_sampler=True) == policies.Choice(
        "fresh:0.2", "fresh", 0.2)
    with pytest.raises(ValueError, match="use one of"):
        policies.parse_choice("fresh:0.2")
    with pytest.raises(ValueError, match="fresh needs a real fraction"):
        policies.parse_choice("fresh", real_sampler=True)
    with pytest.raises(TypeError, match="real_sampler"):
        policies.parse_choice("replace", real_sampler="yes")

"""Checks of notebook 06 have teeth: the solutions pass, known wrong answers get their hint ids."""

from __future__ import annotations

import numpy as np
import pytest
from checktools import assert_not_attempted, assert_passes, result_of

from helpers.checks import m06

# ---------------------------------------------------------------- solutions


def split_reference(X, fraction, rng):
    order = rng.permutation(len(X))
    k = round(fraction * len(X))
    return X[order[k:]], X[order[:k]]


class IsotropicGaussian:
    def fit(self, X):
        X = np.asarray(X, dtype=float)
        self.mean_ = X.mean(axis=0)
        self.var_ = float(np.mean((X - self.mean_) ** 2))
        return self

    def sample(self, n, rng):
        return rng.normal(self.mean_, np.sqrt(self.var_), size=(n, len(self.mean_)))


def replace_chain(model, real, generations, measure, rng):
    train, values = real, []
    for _ in range(generations + 1):
        samples = model.fit(train).sample(len(real), rng)
        values.append(measure(samples))
        train = samples
    return np.array(values)


def first_alarms(values, low, high):
    out = []
    for chain in values:
        hits = [g for g in range(1, len(chain)) if chain[g] < low or chain[g] > high]
        out.append(hits[0] if hits else None)
    return out


def vocabulary():
    return dict(m06.ANSWERS)


def write_up(results):
    rep = results["policies"]["replace"]
    acc = results["policies"]["accumulate"]
    return {
        "shows": f"Under replacement the tail ratio fell to {rep['tail']['end']['median']:.3f}. "
                 f"Accumulation kept it at {acc['tail']['end']['median']:.3f}, so tails went "
                 "first but more slowly.",
        "not_shows": "This is one small model on one data set. It says nothing yet about "
                     "language models.",
        "limits": "Few seeds were run and only two measures were used. Accumulation cost "
                  f"{acc['compute_ratio']:.1f} times the compute.",
        "recommendation": "Accumulate and keep real data in every training set. Monitor a tail "
                          "measure at every release.",
    }


SOLUTIONS = {"split_reference": split_reference, "isotropic_gaussian": IsotropicGaussian,
             "replace_chain": replace_chain, "first_alarms": first_alarms,
             "vocabulary": vocabulary, "write_up": write_up}


@pytest.mark.parametrize("name", SOLUTIONS)
def test_solution_passes(name):
    assert_passes(getattr(m06, name), SOLUTIONS[name])


@pytest.mark.parametrize("name", [n for n in SOLUTIONS if n != "isotropic_gaussian"])
def test_stub_is_not_attempted(name):
    assert_not_attempted(getattr(m06, name))


def test_stub_class_is_not_attempted():
    class Stub:
        def fit(self, X):
            ...
            raise NotImplementedError("stub")

        def sample(self, n, rng):
            ...
            raise NotImplementedError("stub")

    assert result_of(m06.isotropic_gaussian, Stub).status == "not_attempted"


def assert_id(check, answer, hint_id, *fragments):
    result = result_of(check, answer)
    assert (result.status, result.hint_id) == ("fail", hint_id), result.line
    for fragment in fragments:
        assert fragment in result.message, result.line


# ---------------------------------------------------------------- 06.1

def test_split_valid_alternative_passes():
    def choice(X, fraction, rng):
        k = round(fraction * len(X))
        held = rng.choice(len(X), size=k, replace=False)
        mask = np.zeros(len(X), bool)
        mask[held] = True
        return X[~mask], X[mask]
    assert_passes(m06.split_reference, choice)


@pytest.mark.parametrize("answer, hint_id, fragment", [
    (lambda X, f, rng: split_reference(X, f, rng)[::-1], "swapped", "training part first"),
    (lambda X, f, rng: split_reference(X, 1 - f, rng), "swapped", "1 − fraction"),
    (lambda X, f, rng: (X[int(f * len(X)):], X[:int(f * len(X))]), "int-not-round", "round("),
    (lambda X, f, rng: (X[round(f * len(X)):], X[:round(f * len(X))]), "not-shuffled",
     "file order"),
    (lambda X, f, rng: (X, X[rng.choice(len(X), round(f * len(X)))]), "wrong-count", "expect"),
    (lambda X, f, rng: (X[rng.choice(len(X), len(X) - round(f * len(X)))],
                        X[rng.choice(len(X), round(f * len(X)))]), "rows-repeated",
     "without replacement"),
    (lambda X, f, rng: split_reference(X, f, np.random.default_rng(0)), "rng-fixed-seed",
     "same result whatever generator"),
    (lambda X, f, rng: split_reference(X, f, np.random.default_rng()), "rng-not-used",
     "never drew"),
    (lambda X, f, rng: split_reference(X, f, rng)[0], "not-a-pair", "two arrays"),
])
def test_split_wrong_answers(answer, hint_id, fragment):
    assert_id(m06.split_reference, answer, hint_id, fragment)


def test_split_that_shuffles_x_in_place_is_caught():
    def in_place(X, fraction, rng):
        rng.shuffle(X)
        k = round(fraction * len(X))
        return X[k:], X[:k]
    assert_id(m06.split_reference, in_place, "mutated-input")


def test_split_hard_coded_for_forty_rows_fails_the_second_case():
    def forty(X, fraction, rng):
        order = rng.permutation(len(X))
        return X[order[12:]], X[order[:12]]
    assert_id(m06.split_reference, forty, "wrong-count", "25 rows")


def test_split_returning_views_of_a_shuffled_copy_passes():
    def copy_then_shuffle(X, fraction, rng):
        Y = X.copy()
        rng.shuffle(Y)
        k = round(fraction * len(Y))
        return Y[k:], Y[:k]
    assert_passes(m06.split_reference, copy_then_shuffle)


# ---------------------------------------------------------------- 06.2

def variant(**methods):
    return type("Mine", (IsotropicGaussian,), methods)


@pytest.mark.parametrize("cls, hint_id, fragment", [
    (variant(fit=lambda self, X: (IsotropicGaussian.fit(self, X), None)[1]), "protocol",
     "return self"),
    (variant(sample=lambda self, n, rng: np.random.normal(self.mean_, np.sqrt(self.var_),
                                                          size=(n, 3))), "protocol", "same seed"),
    (variant(sample=lambda self, n, rng: np.random.default_rng(0).normal(
        self.mean_, np.sqrt(self.var_), size=(n, 3))), "protocol", "ignores `rng`"),
    (variant(sample=lambda self, n, rng: rng.normal(self.mean_, np.sqrt(self.var_),
                                                    size=(3, n)).T[:, :2]), "protocol",
     "shape"),
    (variant(sample=lambda self, n, rng: rng.normal(self.mean_, self.var_, size=(n, 3))),
     "variance-as-scale", "standard"),
    (variant(fit=lambda self, X: (setattr(self, "mean_", X.mean(axis=0)),
                                  setattr(self, "var_", X.var(axis=0)), self)[2]),
     "per-coordinate-variance", "ONE variance"),
    (variant(fit=lambda self, X: (setattr(self, "mean_", X.mean(axis=0)),
                                  setattr(self, "var_", float(X.var(axis=0, ddof=1).mean())),
                                  self)[2]), "ddof-one", "n − 1"),
    (variant(fit=lambda self, X: (setattr(self, "mean_", X.mean(axis=0)),
                                  setattr(self, "var_", float(X.var())), self)[2]),
     "wrong-parameters", "shared by all coordinates"),
    (variant(fit=lambda self, X: (setattr(self, "mean_", np.zeros(3)),
                                  setattr(self, "var_", 1.0), self)[2]),
     "wrong-parameters", "mean of each column"),
])
def test_own_model_wrong_answers(cls, hint_id, fragment):
    assert_id(m06.isotropic_gaussian, cls, hint_id, fragment)


def test_own_model_sampling_in_another_valid_order_passes():
    assert_passes(m06.isotropic_gaussian, variant(
        sample=lambda self, n, rng: self.mean_ + np.sqrt(self.var_) * rng.standard_normal(
            (n, len(self.mean_)))))


def by_column(scale=1.0, shift=0.0, sd=None):
    """A valid sampler drawing column by column (another stream); scale/shift/sd make it wrong."""
    def sample(self, n, rng):
        s = np.sqrt(self.var_) if sd is None else sd
        return np.column_stack([rng.normal(m + shift, scale * s, size=n) for m in self.mean_])
    return variant(sample=sample)


def test_own_model_valid_samplers_drawing_other_numbers_pass():
    assert_passes(m06.isotropic_gaussian, by_column())
    assert_passes(m06.isotropic_gaussian, variant(  # a (d, n) block, transposed
        sample=lambda self, n, rng: rng.normal(self.mean_[:, None], np.sqrt(self.var_),
                                               size=(len(self.mean_), n)).T))
    assert_passes(m06.isotropic_gaussian, by_column(scale=1.03))  # inside ±0.05


@pytest.mark.parametrize("cls, hint_id", [
    (by_column(scale=1.07), "spread-off"),                 # just outside ±0.05
    (by_column(shift=0.15), "mean-off"),                   # about 6 standard errors
    (by_column(sd=1.0), "scale-missing"),                  # forgot the scale
    (variant(sample=lambda self, n, rng: rng.normal(self.mean_, size=(n, 3))[::-1]),
     "scale-missing"),
    (variant(sample=lambda self, n, rng: np.column_stack(   # the variance used as the sd
        [rng.normal(m, self.var_, size=n) for m in self.mean_])), "variance-as-scale"),
    (variant(sample=lambda self, n, rng: _X2_ROWS[rng.integers(0, len(_X2_ROWS), n)]),
     "resampled-data"),
    (variant(sample=lambda self, n, rng: (lambda z: self.mean_ + np.sqrt(self.var_) * (
        z - z.mean(axis=0)) / z.std(axis=0))(rng.standard_normal((n, 3)))[::-1]),
     "no-sampling-error"),
])
def test_own_model_sampler_mistakes_in_another_order(cls, hint_id):
    assert_id(m06.isotropic_gaussian, cls, hint_id)


_X2_ROWS = m06._X2


# ---------------------------------------------------------------- 06.3

def chain_variant(*, accumulate=False, from_real=False, on_train=False, size=None, gens=0,
                  own_rng=False):
    def fn(model, real, generations, measure, rng):
        r = np.random.default_rng(0) if own_rng else rng
        train, values = real, []
        for _ in range(generations + 1 + gens):
            samples = model.fit(real if from_real else train).sample(size or len(real), r)
            values.append(measure(train if on_train else samples))
            train = np.concatenate([train, samples]) if accumulate else samples
        return np.array(values)
    return fn


@pytest.mark.parametrize("kwargs, hint_id", [
    ({"accumulate": True}, "accumulated"), ({"from_real": True}, "fitted-on-real"),
    ({"on_train": True}, "measured-training-set"), ({"size": 40}, "sample-size"),
    ({"gens": -1}, "one-value-short"), ({"gens": 1}, "wrong-shape"),
    ({"own_rng": True}, "rng-fixed-seed"),
])
def test_chain_wrong_answers(kwargs, hint_id):
    assert_id(m06.replace_chain, chain_variant(**kwargs), hint_id)


def test_chain_that_ignores_its_model_gets_the_own_model_hint():
    from helpers.models import Gaussian

    def ddof1(model, real, generations, measure, rng):
        return replace_chain(Gaussian(ddof=1), real, generations, measure, rng)
    assert_id(m06.replace_chain, ddof1, "own-model", "not the `model` it is given")


def test_chain_on_our_random_numbers_with_another_output_gets_the_general_hint():
    def doubled_last(model, real, generations, measure, rng):
        out = replace_chain(model, real, generations, measure, rng)
        return np.r_[out[:-1], 2 * out[-1]]
    assert_id(m06.replace_chain, doubled_last, "wrong-value", "draws exactly our random numbers")


def spawned_chain(model, real, generations, measure, rng, *, accumulate=False,
                  from_real=False, factor=1.0):
    """A valid chain on other random numbers (one spawned generator per generation)."""
    train, values = real, []
    for child in rng.spawn(generations + 1):
        samples = model.fit(real if from_real else train).sample(len(real), child)
        values.append(factor * measure(samples))
        train = np.concatenate([train, samples]) if accumulate else samples
    return np.array(values)


def test_replace_chain_on_other_random_numbers_passes_in_law():
    assert_passes(m06.replace_chain, spawned_chain)
    assert_passes(m06.replace_chain, lambda *a: spawned_chain(*a, factor=1.1))  # inside ±4 se


@pytest.mark.parametrize("kwargs", [dict(accumulate=True), dict(from_real=True),
                                    dict(factor=1.3)])  # 1.3: about 5 standard errors
def test_replace_chain_mistakes_on_other_random_numbers_are_off_theory(kwargs):
    assert_id(m06.replace_chain, lambda *a: spawned_chain(*a, **kwargs), "off-theory")


# ---------------------------------------------------------------- 06.4

def alarm_variant(*, start=1, offset=0, sides="both", edge=False, high_edge=False,
                  median=False):
    def fn(values, low, high):
        if median:
            values = [np.median(values, axis=0)]
        out = []
        for chain in values:
            hits = [g for g in range(start, len(chain))
                    if (sides != "high" and (chain[g] <= low if edge else chain[g] < low))
                    or (sides != "low" and (chain[g] >= high if high_edge else chain[g] > high))]
            out.append(hits[0] - offset if hits else None)
        return out
    return fn


@pytest.mark.parametrize("kwargs, hint_id", [
    ({"start": 0}, "counted-generation-zero"), ({"offset": 1}, "off-by-one"),
    ({"sides": "low"}, "one-sided"), ({"edge": True}, "edge-counted"),
    ({"median": True}, "not-per-chain"), ({"high_edge": True}, "high-edge-counted"),
    ({"edge": True, "high_edge": True}, "edge-counted"),
])
def test_alarm_wrong_answers(kwargs, hint_id):
    assert_id(m06.first_alarms, alarm_variant(**kwargs), hint_id)


@pytest.mark.parametrize("entries", [
    [3.7, 1.2, 3.9, None, 3.0], ["3", "1", "3", None, "3"], [True, True, True, None, True],
    [3.0, 1.0, 3.0, None, 3.0], [3, 1, 3, float("nan"), 3],
])
def test_alarm_entries_that_are_not_ints_get_a_hint(entries):
    assert_id(m06.first_alarms, lambda v, lo, hi: entries, "wrong-type")


def test_alarm_returning_floats_and_numpy_ints_is_fine():
    assert_passes(m06.first_alarms, lambda v, lo, hi: [None if a is None else np.int64(a)
                                                      for a in first_alarms(v, lo, hi)])


# ---------------------------------------------------------------- 06.5

@pytest.mark.parametrize("swap, hint_id", [
    (("replacement", "accumulation"), "confused-replacement"),
    (("early collapse", "late collapse"), "confused-early-collapse"),
    (("tail-first", "early collapse"), "confused-tail-first"),
    (("reservoir", "verification"), "confused-reservoir"),
])
def test_vocabulary_swaps_name_the_first_confused_term(swap, hint_id):
    answers = dict(m06.ANSWERS)
    a, b = swap
    answers[a], answers[b] = answers[b], answers[a]
    assert_id(m06.vocabulary, lambda: answers, hint_id, "1 more to revisit")


@pytest.mark.parametrize("term, hint_id", [
    ("replacement", "confused-replacement"), ("accumulation", "confused-accumulation"),
    ("tail-first", "confused-tail-first"), ("early collapse", "confused-early-collapse"),
    ("late collapse", "confused-late-collapse"), ("reservoir", "confused-reservoir"),
    ("verification", "confused-verification"), ("false-alarm rate", "confused-false-alarm-rate"),
])
def test_vocabulary_one_wrong_term_is_named(term, hint_id):
    answers = dict(m06.ANSWERS)
    answers[term] = "A" if answers[term] != "A" else "B"
    assert_id(m06.vocabulary, lambda: answers, hint_id, f"'{term}'")


def test_vocabulary_missing_terms_and_case_insensitive_letters():
    partial = {k: v for k, v in m06.ANSWERS.items() if k != "false-alarm rate"}
    assert_id(m06.vocabulary, lambda: partial, "missing-terms", "false-alarm rate")
    assert_passes(m06.vocabulary, lambda: {k.upper(): v.lower() for k, v in
                                           m06.ANSWERS.items()})


# ---------------------------------------------------------------- 06.6

def edited(**changes):
    def fn(results):
        texts = write_up(results)
        texts.update(changes)
        return texts
    return fn


@pytest.mark.parametrize("changes, hint_id, fragment", [
    ({"limits": ""}, "missing-section", "limits"),
    ({"shows": "Replacement collapsed, accumulation did not."}, "too-short", "two sentences"),
    ({"limits": "One model was used. " + "word " * 160}, "too-long", "words"),
    ({"not_shows": "It shows that synthetic data always collapses. Full stop here now."},
     "overclaim", "always collapses"),
    ({"recommendation": "Model collapse is inevitable for every team. Plan for it now."},
     "overclaim", "inevitable"),
    ({"shows": "Under replacement the tail ratio fell to 0.012 by the end. Accumulation held "
               "it near the start value."}, "number-not-measured", "0.012"),
    ({"shows": "The synthetic data made the model worse over time. The tails went first in "
               "every run."}, "vague-policy-words", "replacement"),
    ({"recommendation": "Accumulate real and synthetic data. Accumulation prevents collapse."},
     "overclaim", "Accumulation prevents collapse."),
    ({"shows": "Under replacement the tail ratio fell to 0.061. Accumulation did better."},
     "number-wrong-policy", "Under replacement the tail ratio fell to 0.061."),
])
def test_write_up_wrong_answers(changes, hint_id, fragment):
    assert_id(m06.write_up, edited(**changes), hint_id, fragment)


def test_write_up_quoting_rounded_numbers_and_years_passes():
    assert_passes(m06.write_up, edited(
        not_shows="Shumailov et al. (2024) studied language models; this is one Gaussian "
                  "mixture. The loss here took 10 generations."))


def test_own_model_without_fit_gets_the_protocol_message():
    class NoFit:
        def sample(self, n, rng):
            return rng.normal(size=(n, 3))
    assert_id(m06.isotropic_gaussian, NoFit, "protocol", "no `fit` method")


def test_write_up_editing_the_results_it_is_given_is_a_mutation_and_changes_nothing():
    before = m06.WRITE_UP_RESULTS["policies"]["replace"]["tail"]["end"]["median"]

    def edits_then_quotes(results):
        results["policies"]["replace"]["tail"]["end"]["median"] = 0.5
        return write_up(results)

    assert_id(m06.write_up, edits_then_quotes, "mutated-input")
    assert m06.WRITE_UP_RESULTS["policies"]["replace"]["tail"]["end"]["median"] == before
    assert_passes(m06.write_up, write_up)

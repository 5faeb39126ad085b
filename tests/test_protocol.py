"""models.check_model: a learner's own model class gets plain words for each protocol mistake."""

import numpy as np
import pytest

from helpers.models import KDE, BigramLM, Gaussian, GaussianMixtureModel, check_model

X1 = np.random.default_rng(0).normal(size=200)
X2 = np.random.default_rng(1).normal(size=(200, 2))


class Good:
    def fit(self, X):
        self.mu_, self.sd_ = float(np.mean(X)), float(np.std(X))
        return self

    def sample(self, n, rng):
        return rng.normal(self.mu_, self.sd_, size=n)


@pytest.mark.parametrize("model, X", [(Good(), X1), (Gaussian(ddof=0), X1),
                                      (GaussianMixtureModel(2), X2), (KDE(0.5), X2),
                                      (BigramLM(3), np.array([[0, 1, 2], [2, 1, 0]] * 5))])
def test_models_that_follow_the_protocol_pass(model, X):
    report = check_model(model, X)
    assert report.ok and str(report).startswith("✓")


def variant(**methods):
    return type("Mine", (Good,), methods)()


WRONG = {
    "no fit": (type("Mine", (), {"sample": Good.sample})(), "no `fit` method"),
    "no sample": (type("Mine", (), {"fit": Good.fit})(), "no `sample` method"),
    "returns X": (variant(fit=lambda self, X: (Good.fit(self, X), X)[1]), "return self"),
    "returns None": (variant(fit=lambda self, X: None), "return self"),
    "global random state": (variant(sample=lambda self, n, rng: np.random.normal(size=n)),
                            "same seed gave different points"),
    "re-seeds": (variant(sample=lambda self, n, rng: np.random.default_rng(0).normal(size=n)),
                 "ignores `rng`"),
    "column vector": (variant(sample=lambda self, n, rng: rng.normal(size=(n, 1))),
                      "returned shape (50, 1)"),
    "one too few": (variant(sample=lambda self, n, rng: rng.normal(size=n - 1)),
                    "returned shape (49,)"),
    "nan": (variant(sample=lambda self, n, rng: np.full(n, np.nan)), "NaN"),
    "text": (variant(sample=lambda self, n, rng: ["a"] * n), "array of numbers"),
    "fit raises": (variant(fit=lambda self, X: 1 / 0), "fit(X) raised ZeroDivisionError"),
    "sample raises": (variant(sample=lambda self, n, rng: rng.nonsense()),
                      "sample(n, rng) raised AttributeError"),
    "mutates X": (variant(fit=lambda self, X: (X.sort(), Good.fit(self, X))[1]),
                  "changed X in place"),
}


@pytest.mark.parametrize("name", WRONG)
def test_each_protocol_mistake_is_named(name):
    model, expected = WRONG[name]
    report = check_model(model, X1)
    assert not report.ok
    assert expected in str(report) and str(report).startswith("✗ Mine")


@pytest.mark.parametrize("kwargs, arg", [({"X": "abc"}, "X"), ({"X": [1.0]}, "X"),
                                         ({"X": X1, "n": 1}, "n"), ({"X": X1, "seed": -1}, "seed")])
def test_bad_arguments_are_refused_by_name(kwargs, arg):
    with pytest.raises((TypeError, ValueError), match=arg):
        check_model(Good(), **kwargs)

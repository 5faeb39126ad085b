"""Every check of every lesson answers hostile learner code with one ✗ line, never a crash.

A ✗ with hint id ``check-error`` ("the check could not finish") means the check
itself broke on the answer; that must not happen for any of these answers either.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from checktools import result_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_checks_bank import RIGHT  # noqa: E402 (tests/ is on the path, as checktools)

from helpers.checks.core import SYMBOLS, registry

CHECKS = [(check.exercise_id, check) for check in registry().values()
          if check.__module__.startswith("helpers.checks.m")]


class Exit(BaseException):
    """A learner-defined BaseException."""


class Hostile:
    """A returned object whose every conversion raises ``error``."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    def __array__(self, *args, **kwargs):
        raise self.error

    def __float__(self):
        raise self.error

    def __int__(self):
        raise self.error

    def __index__(self):
        raise self.error

    def __len__(self):
        raise self.error

    def __iter__(self):
        raise self.error

    def __eq__(self, other):
        raise self.error

    def __bool__(self):
        raise self.error

    __hash__ = object.__hash__


def raises(*args, **kwargs):
    raise ValueError("learner bug\nsecond line")


def exits(*args, **kwargs):
    raise SystemExit(1)


def mutates(*args, **kwargs):
    for arg in args:
        if isinstance(arg, np.ndarray) and arg.dtype.kind == "f":
            arg[...] = np.nan
    return args[0] if args else None


class Shaped:
    """A class with the methods a model needs, every one of them wrong."""

    def __init__(self, *args, **kwargs):
        self.mean_, self.var_ = "mean", None

    def fit(self, X):
        return None

    def sample(self, n, rng):
        return [[None]]

    def __call__(self, *args, **kwargs):
        return self


class IntLike:
    """Coerces to 3 (int, index, float) without being a number."""

    def __int__(self):
        return 3

    __index__ = __int__

    def __float__(self):
        return 3.0


def mutates_everything(*args, **kwargs):
    """Changes every non-array argument it can reach: lists, dicts, dataclasses, objects."""
    for arg in [*args, *kwargs.values()]:
        if isinstance(arg, (list, dict)):
            arg.clear()
        elif dataclasses.is_dataclass(arg) and not isinstance(arg, type):
            for field in dataclasses.fields(arg):
                value = getattr(arg, field.name)
                if isinstance(value, (list, dict)):
                    value.clear()
                else:
                    object.__setattr__(arg, field.name, None)
        elif hasattr(arg, "__dict__") and not callable(arg) and not isinstance(
                arg, np.random.Generator):
            vars(arg).clear()
    return args[0] if args else None


def patches_numpy(*args, **kwargs):
    np.allclose = np.isclose = np.array_equal = lambda *a, **k: True
    np.mean = np.median = lambda *a, **k: 0.0
    math.isclose = lambda *a, **k: True
    return args[0] if args else None


HOSTILE = {
    "is a class with wrong methods": Shaped,
    "returns a class-shaped object": lambda *args, **kwargs: Shaped(),
    "mutates its non-array inputs": mutates_everything,
    "patches NumPy during the call": patches_numpy,
    "returns what coerces to int": lambda *args, **kwargs: IntLike(),
    "returns a list of int-likes": lambda *args, **kwargs: [IntLike()] * 5,
    "returns None": lambda *args, **kwargs: None,
    "raises": raises,
    "exits": exits,
    "interrupts": lambda *args, **kwargs: (_ for _ in ()).throw(KeyboardInterrupt()),
    "returns a string": lambda *args, **kwargs: "42",
    "returns NaN": lambda *args, **kwargs: float("nan"),
    "returns infinity": lambda *args, **kwargs: float("inf"),
    "returns an empty array": lambda *args, **kwargs: np.array([]),
    "returns a large array": lambda *args, **kwargs: np.ones((300, 300)),
    "returns a dict": lambda *args, **kwargs: {"answer": 1},
    "takes no arguments": lambda: 1.0,
    "returns a tuple of NaN": lambda *args, **kwargs: (np.nan, np.nan, np.nan),
    "returns complex": lambda *args, **kwargs: np.array([1 + 1j] * 8),
    "returns an object that exits": lambda *args, **kwargs: Hostile(SystemExit()),
    "overwrites its input": mutates,
    "returns its input": lambda *args, **kwargs: args[0] if args else None,
}


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[name for name, _ in CHECKS])
def test_hostile_answers_get_a_hint_not_a_crash(name, check, answer):
    result = result_of(check, answer)
    assert result.status == "fail", result.line
    assert result.hint_id != "check-error", result.line
    assert result.line.startswith(SYMBOLS["fail"]) and "\n" not in result.line
    if name in RIGHT:  # nothing the hostile answer did is left behind
        again = result_of(check, RIGHT[name])
        assert again.status == "pass", again.line


def test_every_lesson_with_exercises_has_checks():
    assert {name[:2] for name, _ in CHECKS} >= {"00", "01", "02", "03"}


ERRORS = st.sampled_from([SystemExit(0), KeyboardInterrupt(), GeneratorExit(), Exit("x"),
                          ValueError("a\nb"), MemoryError(), RecursionError(),
                          NotImplementedError("partly"), StopIteration(), AssertionError()])
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.complex_numbers(),
    st.text(max_size=5), st.binary(max_size=5), st.integers(-10, 10).map(np.int64),
    st.floats(width=32).map(np.float32), st.just(np.bool_(True)), st.just(Ellipsis),
    st.builds(Hostile, ERRORS), st.just(object()), st.builds(IntLike), st.builds(Shaped))
VALUES = st.recursive(
    SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=6), st.tuples(inner, inner),
        st.dictionaries(st.integers(0, 3), inner, max_size=3),
        st.lists(st.floats(), min_size=0, max_size=12).map(np.array),
        st.lists(st.complex_numbers(), min_size=1, max_size=8).map(np.array),
        st.lists(st.integers(-3, 3), min_size=1, max_size=8).map(
            lambda xs: np.array(xs, dtype=object))),
    max_leaves=8)


BEHAVIOURS = {  # what a fuzzed answer does before it returns or raises
    "nothing": lambda *args, **kwargs: None,
    "mutates its non-array inputs": mutates_everything,
    "patches NumPy": patches_numpy,
}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[name for name, _ in CHECKS])
def test_fuzzed_hostile_answers_never_break_a_check(name, check, data):
    returned = data.draw(VALUES, label="returned")
    error = data.draw(st.one_of(st.none(), ERRORS), label="raised")
    before = data.draw(st.sampled_from(sorted(BEHAVIOURS)), label="does first")

    def answer(*args, **kwargs):
        BEHAVIOURS[before](*args, **kwargs)
        if error is not None:
            raise error
        return returned

    result = result_of(check, answer)
    assert result.status in ("fail", "not_attempted"), result.line
    assert result.hint_id != "check-error", result.line
    if name in RIGHT and before != "nothing":  # what it did is not left behind
        assert result_of(check, RIGHT[name]).status == "pass"

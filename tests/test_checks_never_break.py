"""Every check of every lesson answers hostile learner code with a ✗ hint, never a crash.

A ✗ that says "the check could not finish" means the check itself broke on the
answer; that must not happen for any of these answers either.
"""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import helpers.checks
from helpers.checks.core import SYMBOLS

CHECKS = [
    (f"{module.name}.{name}", check)
    for module in pkgutil.iter_modules(helpers.checks.__path__)
    if module.name.startswith("m")
    for name, check in vars(importlib.import_module(f"helpers.checks.{module.name}")).items()
    if callable(check) and hasattr(check, "evaluate")
]


def raises(*args, **kwargs):
    raise ValueError("learner bug")


HOSTILE = {
    "returns None": lambda *args, **kwargs: None,
    "raises": raises,
    "returns a string": lambda *args, **kwargs: "42",
    "returns NaN": lambda *args, **kwargs: float("nan"),
    "returns infinity": lambda *args, **kwargs: float("inf"),
    "returns an empty array": lambda *args, **kwargs: np.array([]),
    "returns a large array": lambda *args, **kwargs: np.ones((300, 300)),
    "returns a dict": lambda *args, **kwargs: {"answer": 1},
    "takes no arguments": lambda: 1.0,
    "returns a tuple of NaN": lambda *args, **kwargs: (np.nan, np.nan, np.nan),
}


def test_every_lesson_with_exercises_has_checks():
    assert {name.split(".")[0] for name, _ in CHECKS} >= {"m00", "m01", "m02", "m03"}


@pytest.mark.parametrize("answer", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[name for name, _ in CHECKS])
def test_hostile_answers_get_a_hint_not_a_crash(name, check, answer):
    result = check.evaluate(answer)
    assert result.status == "fail", result.line
    assert "check could not finish" not in result.message, result.line
    assert result.line.startswith(SYMBOLS["fail"]) and "\n" not in result.line

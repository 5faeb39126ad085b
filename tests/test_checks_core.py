"""The check framework: one line, a machine-readable bundle, and it never raises."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from helpers.checks.core import MIME_TYPE, Hint, as_array, as_float, call, exercise


@exercise("99.1", "double a number")
def double_check(fn):
    got = as_float(call(fn, 2.5), "double(2.5)")
    if got == 5.0:
        return "correct."
    raise Hint(f"double(2.5) should be 5.0, got {got:g}.")


@exercise("99.2", "three squares")
def squares_check(fn):
    got = as_array(call(fn, 3), "squares(3)", shape=(3,))
    if np.array_equal(got, [0, 1, 4]):
        return "correct."
    raise Hint("squares(3) should be [0, 1, 4].")


@exercise("99.3", "slow")
def slow_check(fn):
    call(fn, time_limit=0.2)
    return "fast enough."


def test_pass_fail_and_not_attempted():
    assert double_check.evaluate(lambda x: 2 * x).status == "pass"
    wrong = double_check.evaluate(lambda x: x + 2)
    assert (wrong.status, wrong.message) == ("fail", "double(2.5) should be 5.0, got 4.5.")

    def stub(x):
        ...
        raise NotImplementedError("write your code")

    assert double_check.evaluate(stub).status == "not_attempted"


def test_the_line_starts_with_its_symbol_and_names_the_exercise():
    assert double_check.evaluate(lambda x: 2 * x).line.startswith("✓ Exercise 99.1 (double")
    assert double_check.evaluate(lambda x: x).line.startswith("✗ Exercise 99.1 (double")

    def stub(x):
        raise NotImplementedError

    assert double_check.evaluate(stub).line.endswith("not attempted yet (replace the `...` "
                                                     "and the `raise NotImplementedError` "
                                                     "with your code).")


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda x: 1 / 0, "raised ZeroDivisionError: division by zero"),
        (lambda x: "5", "should return a single number, got str"),
        (lambda x: None, "forget the `return` statement"),
        (lambda x: float("nan"), "returned NaN"),
        (lambda x: float("inf"), "returned infinity"),
        (lambda x: [5.0, 5.0], "should return a single number, got list"),
        (lambda: 5.0, "raised TypeError"),
    ],
)
def test_learner_mistakes_become_hints_not_tracebacks(answer, fragment):
    result = double_check.evaluate(answer)
    assert result.status == "fail"
    assert fragment in result.message


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        (lambda n: [0, 1], "shape (3,), got shape (2,)"),
        (lambda n: [[0, 1, 4]], "shape (3,), got shape (1, 3)"),
        (lambda n: ["a", "b", "c"], "array of numbers, got list"),
        (lambda n: [0, np.nan, 4], "NaN or infinite"),
    ],
)
def test_wrong_shapes_and_values_become_hints(answer, fragment):
    result = squares_check.evaluate(answer)
    assert result.status == "fail"
    assert fragment in result.message


def test_code_that_runs_too_long_is_stopped_with_a_hint():
    def forever():
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    result = slow_check.evaluate(forever)
    assert time.perf_counter() - start < 2
    assert result.status == "fail"
    assert "took longer than 0.2 s" in result.message


def test_a_bare_except_in_learner_code_cannot_swallow_the_time_limit():
    def stubborn():
        while True:
            try:
                time.sleep(0.01)
            except Exception:
                pass

    assert "took longer" in slow_check.evaluate(stubborn).message


def test_passing_a_value_instead_of_the_function_is_explained():
    result = double_check.evaluate(5.0)
    assert result.status == "fail"
    assert "pass the function itself" in result.message


def test_a_bug_in_the_check_itself_is_reported_not_raised():
    @exercise("99.4", "broken check")
    def broken(fn):
        return {}["missing"]

    result = broken.evaluate(lambda: 1)
    assert result.status == "fail"
    assert "please report" in result.message


def test_the_check_displays_one_line_and_returns_nothing(capsys):
    assert double_check(lambda x: 2 * x) is None
    assert capsys.readouterr().out == "✓ Exercise 99.1 (double a number): correct.\n"


def test_the_bundle_is_machine_readable():
    bundle = double_check.evaluate(lambda x: x)._repr_mimebundle_()
    assert set(bundle) == {"text/plain", MIME_TYPE}
    record = json.loads(json.dumps(bundle[MIME_TYPE]))
    assert record == {"exercise": "99.1", "title": "double a number", "status": "fail",
                      "message": "double(2.5) should be 5.0, got 2.5."}

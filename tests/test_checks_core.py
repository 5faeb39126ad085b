"""The check framework: one line, a machine-readable bundle (schema v1), and it never raises."""

from __future__ import annotations

import json
import math
import signal
import sys
import threading
import time

import numpy as np
import pytest

from helpers.checks import core
from helpers.checks.core import (
    GENERIC_HINT_IDS,
    MIME_TYPE,
    Hint,
    RecordingGenerator,
    as_array,
    as_float,
    call,
    close,
    exercise,
    registry,
)


@exercise("99.1", "double a number", hints=("added-two",))
def double_check(fn):
    got = as_float(call(fn, 2.5), "double(2.5)")
    if got == 5.0:
        return "correct."
    if got == 4.5:
        raise Hint("you added 2; double means multiply by 2.", id="added-two")
    raise Hint(f"double(2.5) should be 5.0, got {got:g}.", id="wrong-value")


@exercise("99.2", "three squares")
def squares_check(fn):
    got = as_array(call(fn, 3), "squares(3)", shape=(3,))
    if np.array_equal(got, [0, 1, 4]):
        return "correct."
    raise Hint("squares(3) should be [0, 1, 4].", id="wrong-value")


@exercise("99.3", "slow")
def slow_check(fn):
    call(fn, time_limit=0.2)
    return "fast enough."


@exercise("99.5", "sum of an array")
def sum_check(fn):
    data = np.array([1.0, 2.0, 3.0])
    got = as_float(call(fn, data), "total(data)")
    if close(got, float(np.sum(data))) and close(float(np.mean(data)), 2.0):
        return "correct."
    raise Hint(f"expected 6, got {got:g}.", id="wrong-value")


@exercise("99.6", "called many times")
def many_calls_check(fn):
    for _ in range(1000):
        call(fn)
    return "done."


def test_pass_fail_and_not_attempted():
    assert double_check.evaluate(lambda x: 2 * x).status == "pass"
    wrong = double_check.evaluate(lambda x: x + 2)
    assert (wrong.status, wrong.hint_id, wrong.message) == (
        "fail", "added-two", "you added 2; double means multiply by 2.")

    def stub(x):
        ...
        raise NotImplementedError("write your code")

    attempt = double_check.evaluate(stub)
    assert (attempt.status, attempt.hint_id) == ("not_attempted", "not-attempted")
    assert double_check.evaluate(lambda x: 2 * x).hint_id is None


def test_the_line_starts_with_its_symbol_and_names_the_exercise():
    assert double_check.evaluate(lambda x: 2 * x).line.startswith("✓ Exercise 99.1 (double")
    assert double_check.evaluate(lambda x: x).line.startswith("✗ Exercise 99.1 (double")

    def stub(x):
        raise NotImplementedError

    assert double_check.evaluate(stub).line.endswith("not attempted yet (replace the `...` "
                                                     "and the `raise NotImplementedError` "
                                                     "with your code).")


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("no")


class Custom(BaseException):
    pass


def raise_(error):
    def answer(*args):
        raise error
    return answer


class HostileArray:
    """An object whose conversion to an array raises (or exits)."""

    def __init__(self, error):
        self.error = error

    def __array__(self, *args, **kwargs):
        raise self.error

    def __float__(self):
        raise self.error


@pytest.mark.parametrize(
    ("answer", "hint_id", "fragment"),
    [
        (lambda x: 1 / 0, "raised-exception", "raised ZeroDivisionError: division by zero"),
        (lambda x: "5", "wrong-type", "should return a single number, got str"),
        (lambda x: None, "returned-none", "forget the `return` statement"),
        (lambda x: float("nan"), "not-finite", "returned NaN"),
        (lambda x: float("inf"), "not-finite", "returned infinity"),
        (lambda x: 10**400, "not-finite", "too large"),
        (lambda x: [5.0, 5.0], "wrong-type", "should return a single number, got list"),
        (lambda: 5.0, "raised-exception", "raised TypeError"),
        (lambda x: 5 + 0j, "complex-values", "complex"),
        (lambda x: np.complex128(5), "complex-values", "complex"),
        (lambda x: np.array([5 + 1e-20j]), "complex-values", "complex"),
        (lambda x: True, "wrong-type", "got bool"),
        (raise_(SystemExit(3)), "exited", "sys.exit()"),
        (raise_(KeyboardInterrupt()), "exited", "interrupted"),
        (raise_(GeneratorExit()), "exited", "GeneratorExit"),
        (raise_(Custom("bye")), "exited", "Custom"),
        (raise_(Unprintable()), "raised-exception", "could not be printed"),
        (raise_(ValueError("line one\nline two")), "raised-exception", "line one line two"),
        (raise_(ValueError("x" * 10_000)), "raised-exception", "…"),
        (lambda x: HostileArray(SystemExit()), "exited", "sys.exit()"),
        (lambda x: HostileArray(ValueError("no")), "wrong-type", "got HostileArray"),
        (lambda x: HostileArray(Custom()), "exited", "Custom"),
    ],
)
def test_learner_mistakes_become_one_line_hints_not_tracebacks(answer, hint_id, fragment):
    result = double_check.evaluate(answer)
    assert (result.status, result.hint_id) == ("fail", hint_id), result.line
    assert fragment in result.message
    assert "\n" not in result.line and len(result.line) < 800


@pytest.mark.parametrize(
    ("answer", "hint_id", "fragment"),
    [
        (lambda n: [0, 1], "wrong-shape", "shape (3,), got shape (2,)"),
        (lambda n: [[0, 1, 4]], "wrong-shape", "shape (3,), got shape (1, 3)"),
        (lambda n: ["a", "b", "c"], "wrong-type", "array of numbers, got list"),
        (lambda n: ["0", "1", "4"], "wrong-type", "array of numbers, got list"),
        (lambda n: [0, None, 4], "wrong-type", "array of numbers"),
        (lambda n: [[0], [1, 4]], "wrong-shape", "different lengths"),
        (lambda n: [0, np.nan, 4], "not-finite", "NaN or infinite"),
        (lambda n: np.array([0, 1, 4]) + 0j, "complex-values", "complex"),
        (lambda n: np.sqrt(np.array([0, 1, 16]) + 0j), "complex-values", "complex"),
        (lambda n: {"a": 1}, "wrong-type", "got dict"),
        (lambda n: HostileArray(KeyboardInterrupt()), "exited", "interrupted"),
    ],
)
def test_wrong_shapes_and_values_become_hints(answer, hint_id, fragment):
    result = squares_check.evaluate(answer)
    assert (result.status, result.hint_id) == ("fail", hint_id), result.line
    assert fragment in result.message


def test_valid_array_like_answers_pass():
    assert squares_check.evaluate(lambda n: [0, 1, 4]).status == "pass"
    assert squares_check.evaluate(lambda n: (0.0, 1.0, 4.0)).status == "pass"
    assert squares_check.evaluate(lambda n: np.arange(n) ** 2).status == "pass"
    assert squares_check.evaluate(lambda n: np.ma.masked_array([0, 1, 4])).status == "pass"
    assert double_check.evaluate(lambda x: np.float32(2 * x)).status == "pass"
    assert double_check.evaluate(lambda x: np.array([[2 * x]])).status == "pass"


def test_code_that_runs_too_long_is_stopped_with_a_hint():
    def forever():
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    result = slow_check.evaluate(forever)
    assert time.perf_counter() - start < 2
    assert (result.status, result.hint_id) == ("fail", "timeout")
    assert "took longer than 0.2 s" in result.message


def test_a_bare_except_in_learner_code_cannot_swallow_the_time_limit():
    def stubborn():
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            try:
                time.sleep(0.01)
            except Exception:
                pass

    start = time.perf_counter()
    assert "took longer" in slow_check.evaluate(stubborn).message
    assert time.perf_counter() - start < 5  # the first alarm already ends it

    def swallows_everything():
        total = 0
        for _ in range(200):  # 10 s unless the repeated alarm cuts each sleep short
            try:
                time.sleep(0.05)
                total += 1
            except:  # noqa: E722 (the point of the test)
                pass
        return total

    start = time.perf_counter()
    result = slow_check.evaluate(swallows_everything)
    assert time.perf_counter() - start < 7
    assert (result.status, result.hint_id) == ("fail", "timeout"), result.line

    def spins_and_swallows():
        deadline = time.perf_counter() + 10
        while time.perf_counter() < deadline:
            try:
                sum(range(100))
            except:  # noqa: E722
                pass

    start = time.perf_counter()
    result = slow_check.evaluate(spins_and_swallows)
    assert time.perf_counter() - start < 7  # a repeated alarm escapes at the loop's jump back
    assert (result.status, result.hint_id) == ("fail", "timeout"), result.line


def test_an_alarm_that_fires_while_it_is_being_disarmed_is_not_left_running():
    """The time limit's alarm can go off just as the learner's code returns, inside the code
    that disarms it; it must still be disarmed, or it keeps firing into whatever runs next.
    Limits from 2 µs to 300 µs put the first alarm around that moment (with the old handler,
    about 4 evaluations in 10 left the alarm running)."""
    if not hasattr(signal, "setitimer"):
        pytest.skip("no interval timer on this platform")
    limit = [0.0]

    @exercise("99.8", "tiny limit")
    def tiny_limit_check(fn):
        call(fn, time_limit=limit[0])
        return "fast enough."

    before = signal.getsignal(signal.SIGALRM)
    statuses = set()
    for i in range(400):
        limit[0] = float(np.exp(np.random.default_rng(i).uniform(np.log(2e-6), np.log(3e-4))))
        result = tiny_limit_check.evaluate(lambda: None)
        statuses.add(result.status)
        assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0), (i, limit[0])
        assert signal.getsignal(signal.SIGALRM) is before, (i, limit[0])
        assert result.status == "pass" or result.hint_id == "timeout", result.line
    assert statuses == {"pass", "fail"}  # the limits reach both sides of the race


def test_a_slow_call_without_an_alarm_is_caught_after_it_returns():
    """In a thread other than the main one there is no alarm: the elapsed time still counts."""
    results = []
    worker = threading.Thread(target=lambda: results.append(
        slow_check.evaluate(lambda: time.sleep(0.4))))
    worker.start()
    worker.join()
    assert (results[0].status, results[0].hint_id) == ("fail", "timeout"), results[0].line
    fast = []
    worker = threading.Thread(target=lambda: fast.append(slow_check.evaluate(lambda: None)))
    worker.start()
    worker.join()
    assert fast[0].status == "pass"


def test_the_calls_of_one_check_share_a_total_time_budget(monkeypatch):
    monkeypatch.setattr(core, "TIME_BUDGET", 0.5)
    start = time.perf_counter()
    result = many_calls_check.evaluate(lambda: time.sleep(0.01))
    assert time.perf_counter() - start < 2
    assert (result.status, result.hint_id) == ("fail", "timeout"), result.line
    assert "together the calls took more than 0.5 s" in result.message
    assert many_calls_check.evaluate(lambda: None).status == "pass"


def test_an_answer_that_changes_its_input_in_place_fails():
    def in_place(data):
        data -= data.mean()
        return 6.0

    result = sum_check.evaluate(in_place)
    assert (result.status, result.hint_id) == ("fail", "mutated-input"), result.line
    assert sum_check.evaluate(np.sum).status == "pass"


def test_the_result_is_a_copy_the_learner_cannot_change_later():
    kept = []

    @exercise("99.7", "returns a kept buffer")
    def buffer_check(fn):
        first = call(fn)
        call(fn)
        return "same" if first[0] == 1.0 else "changed"

    def answer():
        buffer = kept[0] if kept else np.zeros(1)
        kept[:] = [buffer]
        buffer += 1
        return buffer

    assert buffer_check.evaluate(answer).message == "same"


@pytest.mark.parametrize("name", ["mean", "sum", "asarray", "isclose", "allclose", "array_equal"])
def test_monkeypatched_numpy_does_not_fool_a_check(name):
    original = getattr(np, name)
    try:
        setattr(np, name, lambda *args, **kwargs: 6.0)
        wrong = sum_check.evaluate(lambda data: 5.0)
        right = sum_check.evaluate(lambda data: 6.0)
    finally:
        patched = getattr(np, name)
        setattr(np, name, original)
    assert wrong.hint_id == "wrong-value" and right.status == "pass", (wrong.line, right.line)
    assert patched is not original  # the learner's patch is put back after the check


def test_math_patched_by_the_learner_does_not_fool_a_check(monkeypatch):
    monkeypatch.setattr(math, "isclose", lambda *args, **kwargs: True)
    assert double_check.evaluate(lambda x: 7.0).status == "fail"


def test_passing_a_value_instead_of_the_function_is_explained():
    result = double_check.evaluate(5.0)
    assert (result.status, result.hint_id) == ("fail", "not-callable")
    assert "pass the function itself" in result.message


def test_a_bug_in_the_check_itself_is_reported_not_raised():
    @exercise("99.4", "broken check")
    def broken(fn):
        return {}["missing"]

    result = broken.evaluate(lambda: 1)
    assert (result.status, result.hint_id) == ("fail", "check-error")
    assert "please report" in result.message


def test_learner_prints_and_warnings_do_not_add_lines(capsys):
    import warnings

    def noisy(x):
        print("debugging", x)
        warnings.warn("careful", stacklevel=1)
        return np.float64(1.0) / 0.0 * 0 + 2 * x  # a RuntimeWarning as well

    double_check(noisy)
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and captured.err == ""


def test_the_check_displays_one_line_and_returns_nothing(capsys):
    assert double_check(lambda x: 2 * x) is None
    assert capsys.readouterr().out == "✓ Exercise 99.1 (double a number): correct.\n"


def test_a_learner_exit_inside_a_check_still_prints_one_line(capsys):
    double_check(lambda x: sys.exit())
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("✗ Exercise 99.1")


def test_the_bundle_is_machine_readable_schema_v1():
    bundle = double_check.evaluate(lambda x: x)._repr_mimebundle_()
    assert set(bundle) == {"text/plain", MIME_TYPE}
    record = json.loads(json.dumps(bundle[MIME_TYPE]))
    assert list(record) == ["schema", "exercise", "title", "status", "hint_id", "message"]
    assert record == {"schema": 1, "exercise": "99.1", "title": "double a number",
                      "status": "fail", "hint_id": "wrong-value",
                      "message": "double(2.5) should be 5.0, got 2.5."}


def test_hint_ids_are_validated():
    with pytest.raises(ValueError, match="kebab-case"):
        Hint("a hint", id="Ddof Swapped")
    with pytest.raises(TypeError, match="kebab-case"):
        Hint("a hint", id=None)
    with pytest.raises(TypeError, match="message"):
        Hint("", id="empty")
    with pytest.raises(ValueError, match="unique"):
        exercise("99.8", "t", hints=("a-b", "a-b"))
    with pytest.raises(ValueError, match="generic"):
        exercise("99.8", "t", hints=("timeout",))
    with pytest.raises(ValueError, match="01.2"):
        exercise("1.2", "t")


def test_the_registry_maps_every_lesson_exercise_to_its_check():
    checks = registry()
    lessons = {key: check for key, check in checks.items() if not key.startswith("99.")}
    assert {key[:2] for key in lessons} >= {"00", "01", "02", "03"}
    assert len(lessons) >= 16
    for key, check in lessons.items():
        assert check.exercise_id == key and callable(check.evaluate) and check.title
        assert check.__module__ == f"helpers.checks.m{key[:2]}"
    with pytest.raises(ValueError, match="already has a check"):
        exercise("00.1", "a second check of the same exercise")(lambda fn: "ok")


def test_specific_hint_ids_are_kebab_case_unique_and_not_generic():
    for check in registry().values():
        assert len(set(check.hint_ids)) == len(check.hint_ids), check
        assert not set(check.hint_ids) & GENERIC_HINT_IDS, check


def test_public_helpers_validate_their_arguments():
    with pytest.raises(ValueError, match="time_limit"):
        call(lambda: 1, time_limit=-1)
    with pytest.raises(TypeError, match="fn must be callable"):
        call(5)
    with pytest.raises(TypeError, match="what"):
        as_float(1.0, None)
    with pytest.raises(TypeError, match="shape"):
        as_array([1.0], "f()", shape=3)
    with pytest.raises(ValueError, match="abs_tol"):
        close(1.0, 1.0, abs_tol=-1)
    with pytest.raises(TypeError, match="got"):
        close("1", 1.0)
    with pytest.raises(ValueError, match="seed"):
        RecordingGenerator(-1)


def test_the_recording_generator_gives_the_same_numbers_and_records_requests():
    rng = RecordingGenerator(3)
    reference = np.random.default_rng(3)
    assert np.array_equal(rng.normal(1.0, 2.0, size=4), reference.normal(1.0, 2.0, size=4))
    assert np.array_equal(rng.integers(0, 5, size=(2, 3)), reference.integers(0, 5, size=(2, 3)))
    assert [(d.method, d.args, d.kwargs, d.count) for d in rng.draws] == [
        ("normal", (1.0, 2.0), {"size": 4}, 4), ("integers", (0, 5), {"size": (2, 3)}, 6)]
    assert isinstance(rng, np.random.Generator)


DEEP = [0]
for _ in range(100_000):
    DEEP = [DEEP]


class _BrokenIterable:
    def __iter__(self):
        raise RuntimeError("broken __iter__")


@pytest.mark.parametrize(("make", "kind", "name"), [
    # a limit under the timer's microsecond would time out every answer (it fires at once)
    (lambda: call(lambda: 1, time_limit=1e-320), ValueError, "time_limit"),
    (lambda: call(lambda: 1, time_limit=5e-7), ValueError, "time_limit"),
    (lambda: call(lambda: 1, time_limit=DEEP), TypeError, "time_limit"),
    (lambda: close(10**400, 1.0), ValueError, "got"),
    (lambda: close(1.0, -(10**400)), ValueError, "expected"),
    (lambda: close(1.0, 1.0, rel=10**400), ValueError, "rel"),
    (lambda: core.diagnose(1.0, 3.0, None, same=close), TypeError, "mistakes"),
    (lambda: core.diagnose(1.0, 3.0, {"a": 1}, same=close), TypeError, "mistakes"),
    (lambda: core.diagnose(1.0, 3.0, {"a": ("m",)}, same=close), TypeError, "mistakes"),
    (lambda: core.diagnose(1.0, 3.0, {"Not An Id": ("m", 1.0)}, same=close), ValueError,
     "mistakes"),
    (lambda: core.as_mask([True], "f()", 10**12), ValueError, "length"),
    (lambda: core.as_mask([True], "f()", DEEP), TypeError, "length"),
    (lambda: as_array([1.0], "f()", shape=(10**6, 10**6)), ValueError, "shape"),
    (lambda: as_array([1.0], "f()", shape=DEEP), TypeError, "shape"),
    (lambda: as_array([1.0], "f()", finite=np.zeros(3)), TypeError, "finite"),
    (lambda: RecordingGenerator(DEEP), ValueError, "seed"),
    (lambda: RecordingGenerator(0).spawn(10**12), ValueError, "n_children"),
    (lambda: exercise(DEEP, "t"), ValueError, "exercise_id"),
    (lambda: exercise("99.9", DEEP), TypeError, "title"),
    (lambda: exercise("99.9", "t", hints=3), TypeError, "hints"),
    (lambda: exercise("99.9", "t", hints=_BrokenIterable()), TypeError, "hints"),
    (lambda: exercise("99.9", "t", hints=iter(lambda: "a-b", None)), ValueError, "hints"),
])
def test_a_check_authors_bad_argument_is_named_before_any_work(make, kind, name):
    """The check author's arguments (limits, shapes, sizes, tolerances, the mistakes table)
    get a ValueError/TypeError naming them: no RecursionError from a deep value's repr, no
    OverflowError from a huge int, no AttributeError from a table that is not a dict."""
    with pytest.raises(kind, match=rf"\b{name}\b"):
        make()


def test_the_shortest_time_limit_still_runs_the_call():
    assert call(lambda: 1, time_limit=core.MIN_TIME_LIMIT * 10**6) == 1
    assert core.MIN_TIME_LIMIT == 1e-6


@pytest.mark.parametrize("got", [10**400, "1.0", DEEP, np.array([1.0, 9.0]), None])
def test_diagnose_a_learners_value_it_cannot_compare_matches_no_mistake(got):
    """``got`` is the learner's value: one ``same`` cannot compare gives None (the caller's
    general hint), never an exception that would read as a bug of the check."""
    assert core.diagnose(got, 3.0, {"sum-not-mean": ("you returned the sum", 9.0)},
                         same=close) is None


@pytest.mark.parametrize(("value", "hint_id"), [
    (10**400, "not-finite"), (DEEP, "wrong-type"), (float("nan"), "not-finite"),
    ("1.5", "wrong-type"), (1 + 2j, "complex-values"), (None, "returned-none")])
def test_a_learners_hostile_value_is_a_hint_naming_the_call(value, hint_id):
    with pytest.raises(Hint, match=r"f\(x\)") as hint:
        as_float(value, "f(x)")
    assert hint.value.id == hint_id


def test_a_learner_asking_spawn_for_too_many_generators_gets_a_hint():
    @exercise("99.11", "spawn")
    def spawn_check(fn):
        call(fn, RecordingGenerator(0))
        return "ok"

    result = spawn_check.evaluate(lambda rng: rng.spawn(10**12))
    assert (result.status, result.hint_id) == ("fail", "raised-exception"), result.line
    assert "n_children" in result.message

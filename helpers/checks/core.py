"""The self-check framework behind every exercise.

A check calls the learner's function on fixed, seeded inputs and shows
exactly one line:

* ``✓ Exercise 00.1 (sample mean): …`` when the answer is right,
* ``✗ Exercise 00.1 (sample mean): …`` with a specific hint when it is wrong,
* ``… Exercise 00.1 (sample mean): not attempted yet`` while the function
  still raises ``NotImplementedError`` (the generated stub does).

A check never raises, whatever the learner wrote: exceptions, wrong types or
shapes, NaN and code that runs far too long all become a ``✗`` line. Next to
the line it emits a machine-readable bundle (MIME type :data:`MIME_TYPE`) that
a grading command can collect from a saved notebook.

Writing a check::

    @exercise("00.1", "sample mean")
    def sample_mean(fn):
        got = as_float(call(fn, [1.0, 2.0, 6.0]), "sample_mean([1, 2, 6])")
        if got == approx(3.0):
            return "correct: the mean of [1, 2, 6] is 3.0."
        raise Hint("expected 3.0 for [1, 2, 6]; did you divide by the number of values?")

The learner runs ``sample_mean(my_function)``; tests use
``sample_mean.evaluate(my_function)``, which returns a :class:`CheckResult`
and displays nothing.
"""

from __future__ import annotations

import functools
import math
import numbers
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

__all__ = [
    "MIME_TYPE",
    "CheckResult",
    "Hint",
    "exercise",
    "call",
    "as_float",
    "as_array",
    "close",
]

MIME_TYPE = "application/vnd.model-collapse.check+json"
TIME_LIMIT = 10.0  # seconds a learner's function may run inside one check
SYMBOLS = {"pass": "✓", "fail": "✗", "not_attempted": "…"}

Status = Literal["pass", "fail", "not_attempted"]


class Hint(Exception):
    """Raised inside a check body: the learner's answer is wrong; the message is the hint."""


class _NotAttempted(Exception):
    """The learner's function still raises NotImplementedError."""


class _TimedOut(BaseException):
    """Raised by the alarm when the learner's code exceeds the time limit.

    A BaseException, so a learner's bare ``except Exception`` cannot swallow it.
    """


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: which exercise, its status and the message shown."""

    exercise: str
    title: str
    status: Status
    message: str

    @property
    def line(self) -> str:
        """The one line the learner sees."""
        return f"{SYMBOLS[self.status]} Exercise {self.exercise} ({self.title}): {self.message}"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {"text/plain": self.line, MIME_TYPE: asdict(self)}

    def show(self) -> None:
        """Display the line (and the machine-readable bundle in a notebook)."""
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # plain Python: the line is all there is
            print(self.line)
            return
        if get_ipython() is None:
            print(self.line)
        else:
            display(self)


def _alarm_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def call(fn: Callable[..., Any], *args: Any, time_limit: float | None = None,
         **kwargs: Any) -> Any:
    """Call the learner's ``fn(*args, **kwargs)`` safely, for use inside a check body.

    ``NotImplementedError`` means "not attempted yet"; any other exception, or
    running longer than ``time_limit`` seconds, becomes a :class:`Hint`.
    """
    limit = TIME_LIMIT if time_limit is None else time_limit
    described = _describe_call(fn, args, kwargs)
    use_alarm = _alarm_available()
    previous = None
    if use_alarm:
        def on_alarm(signum: int, frame: Any) -> None:
            raise _TimedOut
        previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    start = time.perf_counter()
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError:
        raise _NotAttempted from None
    except _TimedOut:
        raise Hint(_too_slow(described, limit)) from None
    except Exception as error:
        raise Hint(
            f"{described} raised {type(error).__name__}: {error}. "
            "Run it yourself in a cell to see where."
        ) from None
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    if time.perf_counter() - start > limit:  # where no alarm could interrupt it
        raise Hint(_too_slow(described, limit))
    return result


def _too_slow(described: str, limit: float) -> str:
    return (f"{described} took longer than {limit:g} s. Look for a loop that never ends "
            "or work that NumPy could do in one vectorised call.")


def _describe_call(fn: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    name = getattr(fn, "__name__", "your function")
    shown = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _short(value: Any) -> str:
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."


def as_float(value: Any, what: str) -> float:
    """Return ``value`` as a finite float, or raise a :class:`Hint` saying what is wrong.

    ``what`` describes the value for the learner, e.g. ``"sample_mean([1, 2])"``.
    """
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if value is None:
            raise Hint(f"{what} returned None: did you forget the `return` statement?")
        raise Hint(f"{what} should return a single number, got {type(value).__name__}.")
    value = float(value)
    if math.isnan(value):
        raise Hint(f"{what} returned NaN: look for 0/0 or the mean of an empty array.")
    if math.isinf(value):
        raise Hint(f"{what} returned infinity: look for a division by zero or log(0).")
    return value


def as_array(value: Any, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """Return ``value`` as a finite float array (of ``shape`` if given), or raise a Hint."""
    if value is None:
        raise Hint(f"{what} returned None: did you forget the `return` statement?")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Hint(f"{what} should return an array of numbers, "
                   f"got {type(value).__name__}.") from None
    if shape is not None and arr.shape != tuple(shape):
        raise Hint(f"{what} should return an array of shape {tuple(shape)}, "
                   f"got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise Hint(f"{what} returned NaN or infinite values.")
    return arr


def close(got: float, expected: float, *, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """True when ``got`` equals ``expected`` up to a relative and absolute tolerance."""
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_tol)


def _evaluate(exercise_id: str, title: str, body: Callable[[Any], str],
              answer: Any) -> CheckResult:
    def result(status: Status, message: str) -> CheckResult:
        return CheckResult(exercise_id, title, status, message)

    if not callable(answer):
        return result("fail", "pass the function itself, e.g. check(my_function), "
                              "not the result of calling it.")
    try:
        message = body(answer)
    except (_NotAttempted, NotImplementedError):
        return result("not_attempted", "not attempted yet (replace the `...` and the "
                                       "`raise NotImplementedError` with your code).")
    except Hint as hint:
        return result("fail", str(hint))
    except _TimedOut:
        return result("fail", "your code took too long to check.")
    except Exception as error:  # a bug in the check itself: still never raise
        return result("fail", f"the check could not finish ({type(error).__name__}: "
                              f"{error}). If your function looks right, please report this.")
    return result("pass", message)


def exercise(exercise_id: str, title: str) -> Callable[[Callable[[Any], str]],
                                                       Callable[[Any], None]]:
    """Turn a check body into a learner-facing check that never raises.

    The body receives the learner's answer, returns the success message, and
    raises :class:`Hint` for a wrong answer. The decorated check displays one
    line and returns ``None``; ``check.evaluate(answer)`` returns the
    :class:`CheckResult` without displaying anything.
    """
    def decorate(body: Callable[[Any], str]) -> Callable[[Any], None]:
        evaluate = functools.partial(_evaluate, exercise_id, title, body)

        @functools.wraps(body)
        def check(answer: Any) -> None:
            evaluate(answer).show()

        check.evaluate = evaluate  # type: ignore[attr-defined]
        check.exercise_id = exercise_id  # type: ignore[attr-defined]
        return check

    return decorate

"""The self-check framework behind every exercise.

A check calls the learner's function on fixed, seeded inputs and shows
exactly one line:

* ``✓ Exercise 00.1 (sample mean): …`` when the answer is right,
* ``✗ Exercise 00.1 (sample mean): …`` with a specific hint when it is wrong,
* ``… Exercise 00.1 (sample mean): not attempted yet`` while the function
  still raises ``NotImplementedError`` (the generated stub does).

A check never raises, whatever the learner wrote: exceptions (``SystemExit``
and other ``BaseException`` included), objects whose conversion fails, wrong
types or shapes, complex numbers, NaN, inputs changed in place, NumPy functions
monkeypatched by the learner, and code that runs too long (per call and in
total) all become a ``✗`` line with a hint.

Next to the line a check emits a machine-readable bundle, MIME type
:data:`MIME_TYPE`, equal to ``dataclasses.asdict(result)`` of its
:class:`CheckResult` (schema version :data:`SCHEMA`)::

    {"schema": 1,                 # bumped on any incompatible change
     "exercise": "01.2",          # exercise id, "NN.k"
     "title": "a chain of the Gaussian loop",
     "status": "fail",            # "pass" | "fail" | "not_attempted"
     "hint_id": "ddof-ignored",   # stable kebab-case id; None for pass,
                                  # "not-attempted" for not_attempted
     "message": "with ddof=1 …"}  # the text after the exercise title (one line)

Hint ids are stable and never contain the learner's numbers, so a grader can
count them; the framework's own ids are :data:`GENERIC_HINT_IDS`, and each
check declares its specific ones (``check.hint_ids``). :func:`registry` maps
every exercise id to its check.

Writing a check::

    @exercise("00.1", "sample mean", hints=("sum-not-mean",))
    def sample_mean(fn):
        got = as_float(call(fn, [1.0, 2.0, 6.0]), "sample_mean([1, 2, 6])")
        if close(got, 3.0):
            return "correct: the mean of [1, 2, 6] is 3.0."
        if close(got, 9.0):
            raise Hint("you returned the sum; divide by the number of values.",
                       id="sum-not-mean")
        raise Hint("expected 3.0 for [1, 2, 6].", id="wrong-value")

The learner runs ``sample_mean(my_function)``; tests and graders use
``sample_mean.evaluate(my_function)``, which returns a :class:`CheckResult`
and displays nothing.
"""

from __future__ import annotations

import builtins
import contextlib
import copy
import functools
import importlib
import io
import math
import numbers
import pkgutil
import re
import signal
import threading
import time
import types
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, is_dataclass
from dataclasses import fields as dataclass_fields
from typing import Any, Literal

import numpy as np

from helpers.validate import integer, real, shown

__all__ = [
    "MIME_TYPE",
    "SCHEMA",
    "GENERIC_HINT_IDS",
    "Check",
    "CheckResult",
    "Hint",
    "RecordingGenerator",
    "exercise",
    "registry",
    "call",
    "as_float",
    "as_array",
    "as_mask",
    "close",
    "diagnose",
]

MIME_TYPE = "application/vnd.model-collapse.check+json"
SCHEMA = 1
TIME_LIMIT = 10.0   # seconds one call of the learner's function may run
TIME_BUDGET = 40.0  # seconds all the calls of one check may run together
MIN_TIME_LIMIT = 1e-6  # the interval timer counts whole microseconds (a shorter limit is 1 µs)
SYMBOLS = {"pass": "✓", "fail": "✗", "not_attempted": "…"}
GENERIC_HINT_IDS = frozenset({
    "not-callable",      # the learner passed a value, not a function
    "raised-exception",  # the learner's code raised an Exception
    "exited",            # ... or SystemExit, KeyboardInterrupt or another BaseException
    "timeout",           # one call, or all calls together, ran too long
    "returned-none",     # no return statement
    "wrong-type",        # not a number / not an array of numbers
    "wrong-shape",       # wrong length or number of dimensions
    "not-finite",        # NaN, infinity, or a number too large for a float
    "complex-values",    # complex numbers where real ones are asked for
    "mutated-input",     # the function changed an argument in place
    "rng-not-used",      # never drew from the generator it was given
    "rng-fixed-seed",    # made its own generator: same result whatever rng/seed it gets
    "wrong-value",       # a wrong answer that matches no known mistake
    "check-error",       # a bug in the check itself
})
_MAX_MESSAGE = 700   # characters of one line
_MAX_QUOTED = 160    # characters quoted from a learner's exception
_MAX_VALUES = 50_000_000  # elements of a returned array the checks will look at
_MAX_CHILDREN = 10_000  # generators one rng.spawn call may make
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_EXERCISE = re.compile(r"\d\d\.\d{1,2}\Z")

Status = Literal["pass", "fail", "not_attempted"]


def _valid_id(value: Any, argument: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a kebab-case string such as 'ddof-swapped', "
                        f"got {type(value).__name__}")
    if not _ID.match(value):
        raise ValueError(f"{argument} must be kebab-case (lower-case letters, digits and "
                         f"single hyphens, e.g. 'ddof-swapped'), got {shown(value)}")
    return value


class Hint(Exception):
    """Raised inside a check body: the learner's answer is wrong.

    ``message`` is the hint shown to the learner (it may contain their numbers);
    ``id`` is a stable kebab-case name of the mistake (it never does).

    >>> Hint("divide by n, not n - 1", id="ddof-swapped").id
    'ddof-swapped'
    """

    def __init__(self, message: str, id: str) -> None:  # noqa: A002 (the contract's name)
        if not isinstance(message, str) or not message.strip():
            raise TypeError("message must be a non-empty string (the hint the learner reads)")
        super().__init__(message)
        self.message = message
        self.id = _valid_id(id, "id")


class _NotAttempted(Exception):
    """The learner's function still raises NotImplementedError."""


class _TimedOut(BaseException):
    """Raised by the alarm when the learner's code exceeds the time limit.

    A BaseException, so a learner's ``except Exception`` cannot swallow it; the
    alarm also repeats every 10 ms until the call ends, and a call that ends
    after its limit counts as timed out, so a bare ``except:`` cannot hide it.
    """


@dataclass(frozen=True, kw_only=True)
class CheckResult:
    """The outcome of one check (schema :data:`SCHEMA`); ``asdict`` of it is the bundle.

    >>> r = CheckResult(exercise="00.1", title="t", status="pass", hint_id=None, message="ok")
    >>> r.line
    '✓ Exercise 00.1 (t): ok'
    """

    schema: int = SCHEMA
    exercise: str
    title: str
    status: Status
    hint_id: str | None
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


# ---------------------------------------------------------------- running learner code


class _Opaque:
    """Stands for a returned object the checks will not touch (its methods are the learner's)."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


def type_name(value: Any) -> str:
    """The name of ``value``'s type as the learner wrote it (``"list"``, ``"MyClass"``)."""
    return value.type_name if isinstance(value, _Opaque) else type(value).__name__


_state = threading.local()


def _remaining_budget() -> float:
    deadline = getattr(_state, "deadline", None)
    return math.inf if deadline is None else deadline - time.perf_counter()


def _alarm_available() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _quote(error: BaseException) -> str:
    try:
        text = str(error)
    except BaseException:  # noqa: BLE001 (a learner's __str__ may raise anything)
        text = "<message could not be printed>"
    text = " ".join(text.split())
    return text if len(text) <= _MAX_QUOTED else text[:_MAX_QUOTED - 1] + "…"


class _LearnerCode:
    """Run a block of learner code under a time limit and turn whatever it does into Hints."""

    def __init__(self, described: str, limit: float, *, budget: bool = False) -> None:
        self.described, self.limit, self.budget = described, limit, budget

    def __enter__(self) -> _LearnerCode:
        self.fired = False
        self.use_alarm = _alarm_available()
        if self.use_alarm:
            self.previous = signal.signal(signal.SIGALRM, self._on_alarm)
            # the interval re-arms the alarm, so a swallowed one comes back
            signal.setitimer(signal.ITIMER_REAL, self.limit, 0.01)
        self.start = time.perf_counter()
        return self

    def _on_alarm(self, signum: int, frame: Any) -> None:
        self.fired = True
        if frame is not None and frame.f_code in _OWN_CODE:
            return  # arming or disarming: raising here would leave the alarm running
        raise _TimedOut

    def _disarm(self) -> None:
        if self.use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous if self.previous is not None
                          else signal.SIG_DFL)
            self.use_alarm = False

    def __exit__(self, kind: Any, error: BaseException | None, tb: Any) -> bool:
        self._disarm()
        elapsed = time.perf_counter() - self.start  # swallowed alarms still count here
        if self.fired or isinstance(error, _TimedOut) or elapsed > self.limit:
            raise Hint(_too_slow(self.described, self.limit, self.budget), id="timeout") from None
        if error is None:
            return False
        if isinstance(error, (Hint, _NotAttempted)):
            return False
        if isinstance(error, NotImplementedError):
            raise _NotAttempted from None
        if isinstance(error, Exception):
            raise Hint(f"{self.described} raised {type(error).__name__}: {_quote(error)}. "
                       "Run it yourself in a cell to see where.", id="raised-exception") from None
        if isinstance(error, SystemExit):
            what = "called sys.exit() (or exit(), quit()), which ends the program"
        elif isinstance(error, KeyboardInterrupt):
            what = "was interrupted (KeyboardInterrupt)"
        else:
            what = (f"raised {type(error).__name__}, which is not an ordinary error and would "
                    "stop the notebook")
        raise Hint(f"{self.described} {what}. A function hands its answer back with `return`; "
                   "run it yourself in a cell to see where.", id="exited") from None


# where an alarm only marks the time as over (the frames that arm and disarm it)
_OWN_CODE = frozenset(method.__code__ for method in
                      (_LearnerCode.__enter__, _LearnerCode._disarm, _LearnerCode.__exit__))


def _too_slow(described: str, limit: float, budget: bool = False) -> str:
    if budget:
        return (f"your function is too slow for this check, which calls it many times: "
                f"together the calls took more than {TIME_BUDGET:g} s. Look for a loop that "
                "NumPy could do in one vectorised call.")
    return (f"{described} took longer than {limit:g} s. Look for a loop that never ends "
            "or work that NumPy could do in one vectorised call.")


def _plain(value: Any, depth: int = 0) -> Any:
    """``value`` made of built-in and NumPy types only, copied (runs learner code: guard it)."""
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str):
        return value
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        return value
    if kind is np.ndarray and not value.dtype.hasobject:
        return value.copy() if value.size <= _MAX_VALUES else _Opaque("huge array")
    if kind in (list, tuple) and depth < 4 and len(value) <= 1_000_000:
        return kind(_plain(item, depth + 1) for item in value)
    if kind is dict:
        return _plain_dict(value, depth)
    if isinstance(value, numbers.Real) and not isinstance(value, np.ndarray):
        return float(value)  # e.g. fractions.Fraction
    try:
        arr = np.asarray(value)  # a subclass or foreign object: let NumPy convert it here
    except Exception:  # noqa: BLE001 (whatever it is, it is not a numeric array)
        return _Opaque(kind.__name__)
    if arr.dtype.hasobject or arr.size > _MAX_VALUES:
        return _Opaque(kind.__name__)
    return np.array(arr, copy=True, subok=False)


def _plain_dict(value: dict, depth: int) -> Any:
    if depth >= 4 or len(value) > 10_000 or not all(type(key) in (str, int) for key in value):
        return _Opaque("dict")
    return {key: _plain(item, depth + 1) for key, item in value.items()}


_KEEP_IDENTITY = (np.random.Generator, type, types.ModuleType, types.FunctionType,
                  types.BuiltinFunctionType, functools.partial)


def _isolated(value: Any) -> Any:
    """A deep copy of an argument, so nothing the learner does to it reaches the check.

    Generators (the check reads what was drawn from them), functions and other callables
    (a check may record their calls), classes and modules are handed over as they are; an
    object that cannot be copied too.
    """
    if isinstance(value, _KEEP_IDENTITY) or callable(value) or value is None or type(value) in (
            bool, int, float, complex, str, bytes):
        return value
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)) and any(
            isinstance(item, np.random.Generator) for item in value):
        return type(value)(_isolated(item) for item in value)
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 (a database connection, a lock: hand it over)
        return value


class _Fields:
    """The snapshot of a dataclass instance: its type and its fields' snapshots."""

    def __init__(self, value: Any) -> None:
        self.kind = type(value)
        self.fields = {f.name: _snapshot(getattr(value, f.name)) for f in dataclass_fields(value)}


def _snapshot(value: Any, depth: int = 0) -> Any:
    """What an argument holds, to tell afterwards whether the learner changed it."""
    if depth > 16:  # deeper than any argument a check hands over
        return None
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return [_snapshot(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {key: _snapshot(item, depth + 1) for key, item in value.items()}
    if type(value) in (bool, int, float, complex, str, bytes) or value is None:
        return ("scalar", value)
    if is_dataclass(value) and not isinstance(value, type):
        return _Fields(value)
    return None


def _unchanged(value: Any, before: Any) -> bool:
    if isinstance(before, np.ndarray):
        return (type(value) is np.ndarray and value.shape == before.shape
                and value.dtype == before.dtype
                and bool(np.array_equal(value, before, equal_nan=before.dtype.kind in "fc")))
    if isinstance(before, list):
        return (type(value) in (list, tuple) and len(value) == len(before)
                and all(_unchanged(v, b) for v, b in zip(value, before, strict=True)))
    if isinstance(before, dict):
        return (type(value) is dict and value.keys() == before.keys()
                and all(_unchanged(value[k], before[k]) for k in before))
    if isinstance(before, tuple):  # ("scalar", value)
        old = before[1]
        return type(value) is type(old) and (value == old or (value != value and old != old))
    if isinstance(before, _Fields):
        return type(value) is before.kind and all(
            _unchanged(getattr(value, name, _MISSING), item)
            for name, item in before.fields.items())
    return True


def call(fn: Callable[..., Any], *args: Any, time_limit: float | None = None,
         **kwargs: Any) -> Any:
    """Call the learner's ``fn(*args, **kwargs)`` safely, for use inside a check body.

    Returns the result converted to built-in and NumPy types (a copy the learner
    cannot change later). ``NotImplementedError`` means "not attempted yet"; any
    other exception, changing an array/list/dict argument in place, or running
    longer than ``time_limit`` seconds (default :data:`TIME_LIMIT`, and within the
    check's total :data:`TIME_BUDGET`) becomes a :class:`Hint`.

    >>> call(lambda x: [x, 2 * x], 1.5)
    [1.5, 3.0]
    """
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    limit = TIME_LIMIT if time_limit is None else _time_limit(time_limit)
    described = _describe_call(fn, args, kwargs)
    remaining = _remaining_budget()
    if remaining <= 0:
        raise Hint(_too_slow(described, 0.0, budget=True), id="timeout")
    args, kwargs = _isolated(args), {key: _isolated(value) for key, value in kwargs.items()}
    before = _snapshot((args, kwargs))
    try:
        with _LearnerCode(described, min(limit, remaining), budget=remaining < limit):
            result = _plain(fn(*args, **kwargs))
    finally:
        _restore_libraries()  # whatever the learner patched during its own call
    if not _unchanged((args, kwargs), before):
        raise Hint(f"{described} changed its input in place (an array it was given now holds "
                   "other values). Leave the arguments as they are: compute new arrays, or "
                   "work on a copy (data = data.copy()).", id="mutated-input")
    return result


def _time_limit(value: Any) -> float:
    """A per-call limit in [MIN_TIME_LIMIT, TIME_BUDGET] seconds: the interval timer rounds a
    shorter one up to a microsecond, so it would time out every answer."""
    seconds = real(value, "time_limit")
    if not MIN_TIME_LIMIT <= seconds <= TIME_BUDGET:
        raise ValueError(f"time_limit must be a number of seconds in [{MIN_TIME_LIMIT:g}, "
                         f"{TIME_BUDGET:g}] (the timer counts whole microseconds), got {seconds!r}")
    return seconds


def _describe_call(fn: Callable[..., Any], args: tuple, kwargs: dict) -> str:
    name = getattr(fn, "__name__", None)
    name = name if isinstance(name, str) and name.isidentifier() else "your function"
    shown = [_short(a) for a in args] + [f"{k}={_short(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(shown)})"


def _short(value: Any) -> str:
    if isinstance(value, np.random.Generator):
        return "rng"
    if isinstance(value, np.ndarray):
        return f"<array of shape {value.shape}>"
    if callable(value):
        return getattr(value, "__name__", "<function>")
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 (deep nesting, a huge int, a broken __repr__)
        text = shown(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _learner_value(value: Any, what: str) -> Any:
    """``value`` as plain data; converting it runs learner code, so guard it."""
    kind = type(value)
    if value is None or kind in (bool, int, float, complex, str, _Opaque) or (
            kind is np.ndarray and not value.dtype.hasobject) or (
            isinstance(value, np.generic) and kind.__module__ == "numpy"):
        return value
    limit = min(TIME_LIMIT, max(_remaining_budget(), 1.0))
    with _LearnerCode(f"converting what {what} returned", limit):
        return _plain(value)


def _described(what: Any) -> str:
    if not isinstance(what, str):
        raise TypeError(f"what must be a string describing the call, got {type(what).__name__}")
    return what


def as_float(value: Any, what: str) -> float:
    """Return ``value`` as a finite float, or raise a :class:`Hint` saying what is wrong.

    ``what`` describes the call for the learner, e.g. ``"sample_mean([1, 2])"``.

    >>> as_float(np.float32(0.5), "f()")
    0.5
    """
    _described(what)
    value = _learner_value(value, what)
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(()).item()
    if value is None:
        raise Hint(f"{what} returned None: did you forget the `return` statement?",
                   id="returned-none")
    if isinstance(value, (complex, np.complexfloating)) or (
            isinstance(value, np.ndarray) and value.dtype.kind == "c"):
        raise Hint(f"{what} returned a complex number ({value}); the answer is a real number: "
                   "look for the square root or power of a negative number.", id="complex-values")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise Hint(f"{what} should return a single number, got {type_name(value)}.",
                   id="wrong-type")
    try:
        value = float(value)
    except OverflowError:
        raise Hint(f"{what} returned a number too large for a float ({_short(value)}).",
                   id="not-finite") from None
    if math.isnan(value):
        raise Hint(f"{what} returned NaN: look for 0/0 or the mean of an empty array.",
                   id="not-finite")
    if math.isinf(value):
        raise Hint(f"{what} returned infinity: look for a division by zero or log(0).",
                   id="not-finite")
    return value


def as_array(value: Any, what: str, shape: tuple[int, ...] | None = None, *,
             finite: bool = True) -> np.ndarray:
    """Return ``value`` as a float array (of ``shape`` if given), or raise a Hint.

    With ``finite=False`` NaN and infinity are let through (for a check that
    recognises the mistake that produced them).

    >>> as_array([1, 2], "f()", shape=(2,))
    array([1., 2.])
    """
    _described(what)
    _expected_shape(shape)
    if not isinstance(finite, (bool, np.bool_)):
        raise TypeError(f"finite must be True or False, got {type(finite).__name__}")
    value = _learner_value(value, what)
    if value is None:
        raise Hint(f"{what} returned None: did you forget the `return` statement?",
                   id="returned-none")
    if isinstance(value, (str, bytes, _Opaque)):
        raise Hint(f"{what} should return an array of numbers, got {type_name(value)}.",
                   id="wrong-type")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged nested lists
        raise Hint(f"{what} should return an array of numbers; what it returned has rows of "
                   "different lengths.", id="wrong-shape") from None
    if arr.dtype.kind == "c":
        raise Hint(f"{what} returned complex numbers; the answer is real: look for the square "
                   "root or power of a negative number.", id="complex-values")
    if arr.dtype.kind not in "iuf":
        raise Hint(f"{what} should return an array of numbers, got {type_name(value)}"
                   + (f" of {arr.dtype.kind!r}-kind values" if arr.size else "") + ".",
                   id="wrong-type")
    arr = arr.astype(float)
    if shape is not None and arr.shape != tuple(shape):
        raise Hint(f"{what} should return an array of shape {tuple(shape)}, "
                   f"got shape {arr.shape}.", id="wrong-shape")
    if finite and not np.all(np.isfinite(arr)):
        raise Hint(f"{what} returned NaN or infinite values.", id="not-finite")
    return arr


def _expected_shape(shape: Any) -> None:
    """Refuse a ``shape`` argument that is not None or a tuple of at most 5e7 values."""
    if shape is None:
        return
    if not isinstance(shape, tuple) or not all(
            isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
        raise TypeError(f"shape must be a tuple of non-negative ints or None, got {shown(shape)}")
    if math.prod(shape) > _MAX_VALUES:
        raise ValueError(f"shape must describe at most {_MAX_VALUES:.0e} values (the most a "
                         f"check looks at), got {shown(shape)}")


def as_mask(value: Any, what: str, length: int) -> np.ndarray:
    """Return ``value`` as a boolean array of ``length`` entries (True = keep), or raise a Hint.

    >>> as_mask([True, False], "gate()", 2)
    array([ True, False])
    """
    _described(what)
    length = integer(length, "length", minimum=0, maximum=_MAX_VALUES)
    value = _learner_value(value, what)
    if value is None:
        raise Hint(f"{what} returned None: did you forget the `return` statement?",
                   id="returned-none")
    try:
        mask = np.asarray(value) if not isinstance(value, (str, bytes, _Opaque)) else None
    except (TypeError, ValueError):  # ragged nested lists
        mask = None
    if mask is None or mask.dtype != bool:
        raise Hint(f"{what} should return a boolean mask (True = keep), one entry per example; "
                   f"got {type_name(value)}" + (f" of {mask.dtype}" if mask is not None else "")
                   + ".", id="not-a-mask")
    if mask.shape != (length,):
        raise Hint(f"{what} should return one True/False per example, shape ({length},); got "
                   f"shape {mask.shape}.", id="wrong-shape")
    return mask


def close(got: float, expected: float, *, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """True when ``got`` equals ``expected`` up to a relative and absolute tolerance.

    >>> close(1.0 + 1e-9, 1.0)
    True
    """
    got, expected = _float(got, "got"), _float(expected, "expected")
    rel, abs_tol = _float(rel, "rel"), _float(abs_tol, "abs_tol")
    if not (0 <= rel < math.inf and 0 <= abs_tol < math.inf):
        raise ValueError(f"rel and abs_tol must be finite and >= 0, got {rel!r}, {abs_tol!r}")
    return math.isclose(got, expected, rel_tol=rel, abs_tol=abs_tol)


def _float(value: Any, name: str) -> float:
    """``value`` as a float (NaN and infinity included); a real number, not a bool."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a real number within the range of a float "
                         f"(|x| < 1.8e308), got {shown(value)}") from None


def diagnose(got: Any, expected: Any, mistakes: dict[str, tuple[str, Any]], *,
             same: Callable[[Any, Any], bool]) -> None:
    """Raise the :class:`Hint` of the known mistake whose output is ``got``, if there is one.

    ``mistakes`` maps a hint id to ``(message, output)``: what that mistake returns on the
    check's own inputs (``output`` may be a function of no arguments, computed when needed).
    A mistake whose output equals the right answer's ``expected`` here is skipped, so a hint
    never names a mistake the inputs cannot tell apart. ``got`` is the learner's (converted)
    value: one that ``same`` cannot compare (it raises TypeError, ValueError or an
    ArithmeticError) matches no mistake. Returns None when nothing matches (the caller then
    gives its general hint).

    >>> diagnose(9.0, 3.0, {"sum-not-mean": ("you returned the sum", 9.0)},
    ...          same=lambda a, b: close(a, b))
    Traceback (most recent call last):
    ...
    helpers.checks.core.Hint: you returned the sum
    """
    if not callable(same):
        raise TypeError(f"same must be callable, same(got, output) -> bool; got "
                        f"{type(same).__name__}")
    for hint_id, (message, output) in _mistakes(mistakes).items():
        value = output() if callable(output) else output
        if value is None and got is not None:
            continue
        try:
            matches = bool(same(got, value))
        except (TypeError, ValueError, ArithmeticError):  # a learner's value it cannot compare
            matches = False
        if matches and not same(expected, value):
            raise Hint(message, id=hint_id)


def _mistakes(mistakes: Any) -> dict[str, tuple[str, Any]]:
    """``mistakes`` checked to be a dict hint id -> (message, output)."""
    if not isinstance(mistakes, dict):
        raise TypeError(f"mistakes must be a dict hint id -> (message, output), got "
                        f"{type(mistakes).__name__}")
    for hint_id, entry in mistakes.items():
        _valid_id(hint_id, "each key of mistakes")
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)
                and entry[0].strip()):
            raise TypeError(f"mistakes[{hint_id!r}] must be a pair (message, output) with a "
                            f"non-empty message, got {shown(entry)}")
    return mistakes


# ---------------------------------------------------------------- a generator that records


class RecordingGenerator(np.random.Generator):
    """A NumPy Generator that records what was drawn from it (method, arguments, count).

    It produces exactly the numbers ``np.random.default_rng(seed)`` would, so a check
    can hand it to the learner and afterwards see which distribution, parameters
    and sizes were asked for.

    >>> rng = RecordingGenerator(7)
    >>> bool(np.allclose(rng.normal(1.0, 2.0, size=3),
    ...                  np.random.default_rng(7).normal(1.0, 2.0, size=3)))
    True
    >>> rng.draws[0].method, rng.draws[0].count
    ('normal', 3)
    """

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {shown(seed)}")
        super().__init__(np.random.PCG64(int(seed)))
        self.seed = int(seed)
        self.draws: list[Draw] = []

    def spawn(self, n_children: int) -> list[np.random.Generator]:
        """Independent child generators, as ``Generator.spawn``; their draws are recorded here.

        >>> rng = RecordingGenerator(1)
        >>> _ = rng.spawn(2)[1].normal(size=3)
        >>> rng.draws[0].method, rng.draws[0].count
        ('spawn[1].normal', 3)
        """
        n_children = integer(n_children, "n_children", minimum=0, maximum=_MAX_CHILDREN)
        children = []
        for i, seq in enumerate(self.bit_generator.seed_seq.spawn(n_children)):
            child = RecordingGenerator.__new__(RecordingGenerator)
            np.random.Generator.__init__(child, np.random.PCG64(seq))
            child.seed, child.draws, child._parent = self.seed, _Tagged(self.draws, i), self
            children.append(child)
        return children

    def __reduce__(self) -> Any:  # copy.deepcopy and pickle give a plain Generator
        return np.random.Generator, (self.bit_generator,)


class _Tagged(list):
    """A child generator's record: appends go to the parent's list, prefixed ``spawn[i].``."""

    def __init__(self, parent: list, index: int) -> None:
        super().__init__()
        self.parent, self.index = parent, index

    def append(self, draw: Draw) -> None:
        super().append(draw)
        self.parent.append(Draw(f"spawn[{self.index}].{draw.method}", draw.args, draw.kwargs,
                                draw.count))


@dataclass(frozen=True)
class Draw:
    """One request made to a :class:`RecordingGenerator`."""

    method: str
    args: tuple
    kwargs: dict
    count: int  # how many numbers the request produced


def _recording(method: str) -> Callable[..., Any]:
    original = getattr(np.random.Generator, method)

    @functools.wraps(original)
    def wrapper(self: RecordingGenerator, *args: Any, **kwargs: Any) -> Any:
        out = original(self, *args, **kwargs)
        self.draws.append(Draw(method, args, dict(kwargs), int(np.size(out))))
        return out

    # NumPy's docstring (with examples in NumPy's own output format) is not ours to doctest.
    wrapper.__doc__ = f"``numpy.random.Generator.{method}``, recorded in ``draws``."
    return wrapper


for _method in dir(np.random.Generator):  # every method that draws numbers is recorded
    if not _method.startswith("_") and _method not in ("spawn", "bit_generator") and callable(
            getattr(np.random.Generator, _method)):
        setattr(RecordingGenerator, _method, _recording(_method))


# ---------------------------------------------------------------- NumPy as it was imported


_GUARDED = (np, np.random, np.linalg, math, builtins)
_ORIGINAL = {module: {key: value for key, value in vars(module).items()
                      if module is not builtins or not key.startswith("_")}
             for module in _GUARDED}
_MISSING = object()


def _restore_libraries() -> None:
    """Put back every NumPy, math and builtins name a learner's call rebound (bound at import)."""
    for module in _GUARDED:
        current, original = vars(module), _ORIGINAL[module]
        for key, value in original.items():
            if current.get(key, _MISSING) is not value:
                setattr(module, key, value)


class _RealLibraries:
    """Inside a check, NumPy and math are as imported, whatever the learner patched.

    A learner's cell may rebind ``np.mean`` or ``np.asarray``; the check (and the
    helpers it calls) must not be fooled. The learner's changes are put back after.
    """

    def __enter__(self) -> None:
        self.patched = []
        for module in _GUARDED:
            current, original = vars(module), _ORIGINAL[module]
            changed = {k: current.get(k, _MISSING) for k in original
                       if current.get(k, _MISSING) is not original[k]}
            if changed:
                self.patched.append((module, changed))
                for key in changed:
                    setattr(module, key, original[key])

    def __exit__(self, *exc: Any) -> None:
        for module, changed in self.patched:
            for key, value in changed.items():
                if value is _MISSING:
                    delattr(module, key)
                else:
                    setattr(module, key, value)


# ---------------------------------------------------------------- checks and the registry


def _one_line(message: str) -> str:
    text = " ".join(str(message).split())
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE - 1] + "…"


class Check:
    """A learner-facing check: call it to display one line; ``evaluate`` to get the result.

    Made by :func:`exercise`; attributes ``exercise_id``, ``title``, ``hint_ids``
    (the specific ids its hints use, besides :data:`GENERIC_HINT_IDS`).
    """

    def __init__(self, exercise_id: str, title: str, body: Callable[[Any], str],
                 hint_ids: tuple[str, ...]) -> None:
        self.exercise_id, self.title, self.hint_ids = exercise_id, title, hint_ids
        self._body = body
        functools.update_wrapper(self, body)

    def __call__(self, answer: Any) -> None:
        self.evaluate(answer).show()

    def __repr__(self) -> str:
        return f"<check of exercise {self.exercise_id} ({self.title})>"

    def passes(self, answer: Any) -> bool:
        """True when ``answer`` gets ✓ (a follow-up cell runs only a checked answer)."""
        return self.evaluate(answer).status == "pass"

    def evaluate(self, answer: Any) -> CheckResult:
        """The :class:`CheckResult` for ``answer``, displaying nothing and never raising."""
        outer = getattr(_state, "deadline", None)
        _state.deadline = time.perf_counter() + TIME_BUDGET if outer is None else outer
        try:
            with _RealLibraries(), warnings.catch_warnings(), np.errstate(all="ignore"), \
                    contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")  # the check's output is its one line
                status, hint_id, message = self._run(answer)
        except _TimedOut:  # the alarm fired between two guarded blocks
            status, hint_id, message = "fail", "timeout", "your code took too long to check."
        finally:
            _state.deadline = outer
        return CheckResult(exercise=self.exercise_id, title=self.title, status=status,
                           hint_id=hint_id, message=_one_line(message))

    def _run(self, answer: Any) -> tuple[Status, str | None, str]:
        if not callable(answer):
            return ("fail", "not-callable", "pass the function itself, e.g. "
                    "check(my_function), not the result of calling it.")
        try:
            return "pass", None, self._body(answer)
        except (_NotAttempted, NotImplementedError):
            return ("not_attempted", "not-attempted", "not attempted yet (replace the `...` "
                    "and the `raise NotImplementedError` with your code).")
        except Hint as hint:
            return "fail", hint.id, hint.message
        except _TimedOut:
            return "fail", "timeout", "your code took too long to check."
        except (SystemExit, KeyboardInterrupt, GeneratorExit) as error:
            return ("fail", "exited", f"your code raised {type(error).__name__} while the check "
                    "looked at it (for example in a method or attribute of your class); a "
                    "function hands its answer back with `return`.")
        except Exception as error:  # noqa: BLE001 (a bug in the check itself: never raise)
            return ("fail", "check-error", f"the check could not finish "
                    f"({type(error).__name__}: {_quote(error)}). If your function looks right, "
                    "please report this.")


_REGISTRY: dict[str, Check] = {}


def exercise(exercise_id: str, title: str, *,
             hints: Iterable[str] = ()) -> Callable[[Callable[[Any], str]], Check]:
    """Turn a check body into a learner-facing :class:`Check` that never raises.

    The body receives the learner's answer, returns the success message, and
    raises :class:`Hint` for a wrong answer. ``hints`` lists the ids of its
    specific hints (the generic ones need not be listed). The check is added
    to :func:`registry` under ``exercise_id``.
    """
    if not isinstance(exercise_id, str) or not _EXERCISE.match(exercise_id):
        raise ValueError(f"exercise_id must look like '01.2', got {shown(exercise_id)}")
    if not isinstance(title, str) or not title.strip():
        raise TypeError(f"title must be a non-empty string, got {shown(title)}")
    hint_ids = _hint_ids(hints)
    clash = [h for h in hint_ids if h in GENERIC_HINT_IDS or hint_ids.count(h) > 1]
    if clash:
        raise ValueError(f"hints must be unique and not generic ids; repeated or generic: {clash}")

    def decorate(body: Callable[[Any], str]) -> Check:
        check = Check(exercise_id, title, body, hint_ids)
        known = _REGISTRY.get(exercise_id)
        if known is not None and (known.__module__, known.__qualname__) != (
                check.__module__, check.__qualname__):
            raise ValueError(f"exercise {exercise_id} already has a check, "
                             f"{known.__module__}.{known.__qualname__}")
        _REGISTRY[exercise_id] = check
        return check

    return decorate


def _hint_ids(hints: Any) -> tuple[str, ...]:
    """``hints`` as a tuple of kebab-case ids (at most ``_MAX_HINTS``), read one at a time."""
    if isinstance(hints, (str, bytes)):
        raise TypeError("hints must be a collection of ids, not one string")
    try:
        items = iter(hints)
    except TypeError:
        raise TypeError(f"hints must be a collection of kebab-case ids, got "
                        f"{type(hints).__name__}") from None
    except Exception as error:  # noqa: BLE001 (an object whose __iter__ fails)
        raise TypeError(f"hints must be a collection of kebab-case ids; iterating it raised "
                        f"{type(error).__name__}") from None
    found: list[str] = []
    while len(found) <= _MAX_HINTS:  # one at a time: an endless iterable stops at a non-id
        try:
            item = next(items)
        except StopIteration:
            return tuple(found)
        except Exception as error:  # noqa: BLE001 (an iterator that fails part way)
            raise TypeError(f"hints could not be read: iterating it raised "
                            f"{type(error).__name__}") from None
        found.append(_valid_id(item, "hints"))
    raise ValueError(f"hints must list at most {_MAX_HINTS} ids")


_MAX_HINTS = 100  # specific hint ids of one check


def registry() -> dict[str, Check]:
    """Every exercise id → its check, for all lessons (importing each lesson's module).

    >>> registry()["00.1"].title
    'one generation of the loop'
    """
    import helpers.checks

    for module in pkgutil.iter_modules(helpers.checks.__path__):
        if re.fullmatch(r"m\d\d", module.name):
            importlib.import_module(f"helpers.checks.{module.name}")
    return dict(sorted(_REGISTRY.items()))

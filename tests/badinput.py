"""Random bad arguments for the property tests of the public functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

JUNK = st.one_of(
    st.none(), st.booleans(), st.text(max_size=3),
    st.integers(min_value=-10**6, max_value=30),  # large sizes would only make tests slow
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.floats(allow_nan=True), max_size=3),
    st.lists(st.lists(st.integers(-3, 3), max_size=2), max_size=2),
)


def call_with_one_bad_argument(function: Callable[..., Any], kwargs: dict[str, Any],
                               data: st.DataObject, junk: Any) -> Any:
    """Call ``function(**kwargs)`` with one argument (drawn by ``data``) replaced by ``junk``.

    Returns the result, or ``None`` when the function rejected the input with
    ``ValueError`` or ``TypeError`` (the only exceptions a public function may raise).
    """
    kwargs = dict(kwargs, **{data.draw(st.sampled_from(sorted(kwargs))): junk})
    try:
        return function(**kwargs)
    except (ValueError, TypeError):
        return None


# --- the hidden-fuzz families: every public callable, one argument bad at a time ---------------
#
# ``public_callables()`` derives the fuzzed set from the ``__all__`` of every module under
# ``helpers`` (functions, classes and the public methods of those classes), so a new public
# function is fuzzed -- or reported as unspecified -- without editing a list. ``hostile_values``
# builds the families of bad values; ``judge`` runs one call under a time limit and says what,
# if anything, was wrong with the outcome.

import contextlib  # noqa: E402
import importlib  # noqa: E402
import inspect  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import pkgutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def _modules(package: str) -> list[Any]:
    root = importlib.import_module(package)
    names = [package] + sorted(m.name for m in pkgutil.walk_packages(root.__path__, package + ".")
                               if not m.name.endswith("__main__"))
    return [importlib.import_module(name) for name in names]


def public_callables(package: str = "helpers") -> dict[str, Any]:
    """Every function, class and public method named in an ``__all__`` under ``package``.

    Keys are ``module.qualname`` of the object's home (a re-export is listed once); methods
    are ``module.Class.method``. Exceptions are left out (raising them is their only use).
    """
    found: dict[str, Any] = {}
    for module in _modules(package):
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)) and not callable(obj):
                continue
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                continue
            home = getattr(obj, "__module__", None) or module.__name__
            if not home.startswith(package):  # typing aliases such as explorers.View
                continue
            qualname = getattr(obj, "__qualname__", name)
            found.setdefault(f"{home}.{qualname}", obj)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if inspect.isfunction(member) or isinstance(member, (classmethod,
                                                                         staticmethod)):
                        found.setdefault(f"{home}.{qualname}.{attr}", getattr(obj, attr))
    return found


def modules_without_all(package: str = "helpers") -> list[str]:
    """Modules under ``package`` that define public names but no ``__all__``."""
    return [m.__name__ for m in _modules(package) if not hasattr(m, "__all__")]


class Broken:
    """An object whose conversions raise (``lie=False``) or return nonsense (``lie=True``)."""

    def __init__(self, lie: bool = False) -> None:
        self.lie = lie

    def _fail(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("broken object")

    def __len__(self) -> int:
        if self.lie:
            return 10**9  # claims a billion items, holds none
        raise RuntimeError("broken __len__")

    def __float__(self) -> float:
        return float("nan") if self.lie else self._fail()

    def __index__(self) -> int:
        return 10**18 if self.lie else self._fail()

    __int__ = __index__

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        if self.lie:
            return np.full((3, 0, 2), np.nan)  # a shape nobody asked for
        raise RuntimeError("broken __array__")

    def __iter__(self) -> Any:
        if self.lie:
            return _endless()
        raise RuntimeError("broken __iter__")

    def __repr__(self) -> str:
        return f"Broken(lie={self.lie})"


def _endless() -> Any:
    """An iterator that never ends, slowly (a time limit can stop it; memory stays small)."""
    import time

    count = 0
    while True:
        count += 1
        if count % 1000 == 0:
            time.sleep(0.001)
        yield 0


def nested_list(depth: int = 100_000) -> list:
    out: list = []
    for _ in range(depth):
        out = [out]
    return out


def nested_dict(depth: int = 100_000) -> dict:
    out: dict = {}
    for _ in range(depth):
        out = {"a": out}
    return out


def hostile_paths(folder: Path) -> dict[str, Any]:
    """Paths a path argument must refuse (or handle) without OSError, made inside ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "file.txt"
    target.write_text("not what you expected\n")
    fifo = folder / "fifo"
    if not fifo.exists():
        os.mkfifo(fifo)
    link = folder / "link"
    if not link.is_symlink():
        link.symlink_to(target)
    dangling = folder / "dangling"
    if not dangling.is_symlink():
        dangling.symlink_to(folder / "nowhere")
    locked = folder / "locked"
    locked.mkdir(exist_ok=True)
    locked.chmod(0o500)
    return {
        "path:fifo": str(fifo), "path:symlink": str(link), "path:dangling": str(dangling),
        "path:directory": str(folder), "path:unwritable": str(locked / "out.jsonl"),
        "path:proc": "/proc/self/status", "path:proc-dir": "/proc/self",
        "path:empty": "", "path:long": "a" * 300, "path:nul": "a\0b",
        "path:missing": str(folder / "missing" / "deeper.txt"), "path:obj": Path(folder),
    }


def hostile_values(folder: Path) -> dict[str, Any]:
    """The families of bad values, by name: numbers, sizes, objects, nesting, paths, data."""
    values: dict[str, Any] = {
        # numbers that overflow, underflow or are not numbers
        "10**400": 10**400, "-10**400": -(10**400), "2**63": 2**63, "1e-320": 1e-320,
        "5e-324": 5e-324, "1e308": 1e308, "nan": float("nan"), "inf": float("inf"),
        "-inf": float("-inf"), "np.nan": np.float64("nan"), "-1": -1, "0": 0, "0.5": 0.5,
        "True": True, "False": False, "np.True_": np.bool_(True), "complex": 1 + 2j,
        # sizes that cannot fit in memory
        "10**12": 10**12, "2**62": 2**62, "np.int64-max": np.int64(2**63 - 1),
        # kinds that are wrong
        "None": None, "str": "x", "empty-str": "", "bytes": b"\xff\xfe", "object": object(),
        "dict": {"a": 1}, "set": {1, 2}, "rng": np.random.default_rng(0),
        "callable": (lambda *a, **k: None),
        "broken": Broken(), "lying": Broken(lie=True),
        # nesting
        "nested-list": nested_list(), "nested-dict": nested_dict(),
        "ragged": [[1.0, 2.0], [3.0]], "list-of-objects": [object(), object()],
        # degenerate or odd data
        "empty-array": np.array([]), "empty-2d": np.empty((0, 2)), "empty-list": [],
        "constant": np.zeros(30), "constant-2d": np.ones((30, 2)),
        "collinear": np.column_stack([np.arange(30.0), 2 * np.arange(30.0)]),
        "one-point": np.array([[1.0, 2.0]]), "strings-array": np.array(["a", "b"]),
        "nan-array": np.array([1.0, np.nan, 2.0]), "inf-array": np.array([1.0, np.inf]),
        "3d": np.zeros((2, 2, 2)), "huge-values": np.array([1e308, -1e308, 1e308]),
        "bool-array": np.array([True, False, True]), "object-array": np.array([None, 1]),
        "complex-array": np.array([1 + 2j, 3j]),
    }
    values.update(hostile_paths(folder))
    return values


class Hang(BaseException):
    """Raised by :func:`time_limit` when a call runs past its limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Any:
    """Raise :class:`Hang` inside the block after ``seconds`` of wall-clock time (main thread)."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _standard_fds_open() -> bool:
    try:
        for fd in (0, 1, 2):
            os.fstat(fd)
    except OSError:
        return False
    return True


def has_nan(result: Any, depth: int = 0) -> bool:
    """True when a number in ``result`` (arrays, tuples, dicts, dataclasses) is NaN."""
    if depth > 4 or isinstance(result, (str, bytes, bool, type(None))):
        return False
    if isinstance(result, float):
        return math.isnan(result)
    if isinstance(result, np.ndarray):
        return result.dtype.kind in "fc" and bool(np.isnan(result).any())
    if isinstance(result, np.generic):
        return bool(np.isnan(result)) if result.dtype.kind in "fc" else False
    if isinstance(result, dict):
        return any(has_nan(v, depth + 1) for v in result.values())
    if isinstance(result, (list, tuple)):
        return any(has_nan(v, depth + 1) for v in result[:1000])
    fields = getattr(result, "__dataclass_fields__", None)
    if fields:
        return any(has_nan(getattr(result, f, None), depth + 1) for f in fields)
    return False


def judge(function: Callable[..., Any], kwargs: dict[str, Any], arg: str, value: Any, *,
          names: tuple[str, ...], limit: float = 5.0, exits: bool = False) -> str | None:
    """Call ``function(**kwargs)`` with ``kwargs[arg] = value``; None when the outcome is
    acceptable, else a one-line description of the defect.

    Acceptable: a result without NaN, or a ``ValueError`` / ``TypeError`` (public class) whose
    message names the argument (any of ``names``). Anything else -- another exception, a
    private exception class, NaN, a call past ``limit`` seconds, a closed standard stream --
    is a defect. ``exits``: a ``SystemExit`` with code 2 is acceptable (a command's ``main``).
    """
    saved = [os.dup(fd) for fd in (0, 1, 2)]
    try:
        with time_limit(limit):
            result = function(**dict(kwargs, **{arg: value}))
    except Hang:
        return f"hang: more than {limit} s"
    except RecursionError as error:
        return f"RecursionError: {str(error)[:80]}"
    except (ValueError, TypeError) as error:
        kind = type(error)
        if kind.__name__.startswith("_"):
            return f"private exception {kind.__name__}"
        message = str(error)
        if isinstance(value, (str, os.PathLike)) and str(value).strip("\0"):
            names = (*names, os.path.basename(os.fspath(value)))  # the file it was given
        if not any(name in message for name in names):
            return f"unclear {kind.__name__} (does not name {names[0]!r}): {message[:100]!r}"
        return None
    except SystemExit as error:
        return None if exits and error.code == 2 else f"SystemExit({error.code!r})"
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 -- the point of the fuzz
        return f"{type(error).__module__}.{type(error).__name__}: {str(error)[:100]!r}"
    finally:
        broken = not _standard_fds_open()
        for fd, copy in zip((0, 1, 2), saved, strict=True):
            if broken:
                os.dup2(copy, fd)
            os.close(copy)
        sys.stdout.flush()
        if broken:
            return "closed a standard stream of the process"  # noqa: B012
    if has_nan(result):
        return "returned NaN"
    return None

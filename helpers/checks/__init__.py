"""Self-checks for the exercises: the framework (:mod:`helpers.checks.core`)
and one module of checks per lesson (``m00``, ``m01``, …).

In an exercise notebook::

    from helpers.checks import m00 as check
    check.one_generation(one_generation)

A grader uses :func:`registry` (exercise id → check) and ``check.evaluate``.
"""

from helpers.checks.core import (
    GENERIC_HINT_IDS,
    MIME_TYPE,
    SCHEMA,
    Check,
    CheckResult,
    Hint,
    as_array,
    as_float,
    call,
    exercise,
    registry,
)

__all__ = ["GENERIC_HINT_IDS", "MIME_TYPE", "SCHEMA", "Check", "CheckResult", "Hint",
           "as_array", "as_float", "call", "exercise", "registry"]

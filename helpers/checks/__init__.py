"""Self-checks for the exercises: the framework (:mod:`helpers.checks.core`)
and one module of checks per lesson (``m00``, ``m01``, …).

In an exercise notebook::

    from helpers.checks import m00 as check
    check.one_generation(one_generation)
"""

from helpers.checks.core import MIME_TYPE, CheckResult, Hint, as_array, as_float, call, exercise

__all__ = ["MIME_TYPE", "CheckResult", "Hint", "as_array", "as_float", "call", "exercise"]

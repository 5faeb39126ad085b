"""Assertions shared by the tests of the exercise checks."""

from __future__ import annotations

from helpers.checks.core import CheckResult


def result_of(check, answer) -> CheckResult:
    """Evaluate ``check`` on ``answer`` without displaying anything."""
    return check.evaluate(answer)


def assert_passes(check, answer) -> None:
    result = result_of(check, answer)
    assert result.status == "pass", result.line


def assert_not_attempted(check) -> None:
    def stub(*args, **kwargs):
        ...
        raise NotImplementedError("stub")

    result = result_of(check, stub)
    assert result.status == "not_attempted", result.line


def assert_hint(check, answer, *fragments: str) -> None:
    """The check fails on ``answer`` and its hint contains every fragment."""
    result = result_of(check, answer)
    assert result.status == "fail", result.line
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in: {result.line}"

"""Assertions shared by the tests of the exercise checks."""

from __future__ import annotations

from helpers.checks.core import GENERIC_HINT_IDS, CheckResult


def result_of(check, answer) -> CheckResult:
    """Evaluate ``check`` on ``answer`` without displaying anything; the result is schema v1.

    Every hint id it reports is one the check declares (or a generic one).
    """
    result = check.evaluate(answer)
    assert result.schema == 1
    assert "\n" not in result.line, result.line
    expected_ids = {"pass": {None}, "not_attempted": {"not-attempted"},
                    "fail": set(check.hint_ids) | GENERIC_HINT_IDS}[result.status]
    assert result.hint_id in expected_ids, f"undeclared hint id {result.hint_id!r}: {result.line}"
    return result


def assert_passes(check, answer) -> None:
    result = result_of(check, answer)
    assert result.status == "pass", result.line


def assert_not_attempted(check) -> None:
    def stub(*args, **kwargs):
        ...
        raise NotImplementedError("stub")

    result = result_of(check, stub)
    assert result.status == "not_attempted", result.line


def assert_hint(check, answer, *fragments: str, id: str | None = None) -> None:  # noqa: A002
    """The check fails on ``answer`` with hint ``id`` (if given) containing every fragment."""
    result = result_of(check, answer)
    assert result.status == "fail", result.line
    if id is not None:
        assert result.hint_id == id, f"hint id {result.hint_id!r}, not {id!r}: {result.line}"
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in: {result.line}"

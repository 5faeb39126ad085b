"""Every hint id a check declares is the expected id of a known wrong answer in its tests."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers.checks.core import registry

TESTS = Path(__file__).parent
CHECKS = [check for check in registry().values() if check.__module__.startswith("helpers.checks.m")]


def string_constants(path: Path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


@pytest.mark.parametrize("check", CHECKS, ids=[c.exercise_id for c in CHECKS])
def test_every_declared_hint_id_has_a_known_wrong_answer(check):
    lesson = check.__module__.rsplit(".", 1)[1]
    tested = string_constants(TESTS / f"test_checks_{lesson}.py") | string_constants(
        TESTS / "test_checks_bank.py")
    assert [hint_id for hint_id in check.hint_ids if hint_id not in tested] == []


@pytest.mark.parametrize("check", CHECKS, ids=[c.exercise_id for c in CHECKS])
def test_hint_ids_are_unique_within_an_exercise(check):
    assert len(check.hint_ids) == len(set(check.hint_ids))

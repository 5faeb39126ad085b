"""The course map finds the lessons, or says clearly where it looked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpers.course import course_map, lessons, lessons_folder
from tools import nbio


def test_the_map_has_a_row_for_every_lesson_notebook():
    rows = course_map().rows
    assert [row[4] for row in rows] == sorted(p.name for p in nbio.LESSONS.glob("*.ipynb"))
    assert all(row[1] and row[2] for row in rows)


def test_the_repository_folder_or_its_notebooks_folder_can_be_passed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert course_map(nbio.ROOT) == course_map(nbio.LESSONS) == course_map(str(nbio.ROOT))


def test_a_notebook_folder_as_current_folder_finds_the_lessons(monkeypatch):
    monkeypatch.setattr("helpers.course._PACKAGE_PARENT", Path("/nonexistent"))
    monkeypatch.chdir(nbio.EXERCISES)
    assert lessons_folder() == nbio.LESSONS


def test_without_lessons_it_raises_and_says_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.setattr("helpers.course._PACKAGE_PARENT", tmp_path)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"course_map\('path/to/"):
        course_map()
    with pytest.raises(FileNotFoundError, match="no lesson notebooks"):
        course_map(tmp_path)


def test_notebooks_without_course_metadata_are_not_taken_for_lessons(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "other.ipynb").write_text(json.dumps({"metadata": {}}))
    with pytest.raises(FileNotFoundError):
        lessons_folder(tmp_path)


def test_an_empty_folder_has_no_lessons(tmp_path):
    with pytest.raises(FileNotFoundError, match="no notebooks"):
        lessons(tmp_path)


def test_a_repository_that_is_not_a_path_is_a_type_error():
    with pytest.raises(TypeError, match="repository must be a folder path"):
        course_map(3)

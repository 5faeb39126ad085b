"""Learner times come from the stated method, computed from the notebooks, never typed by hand."""

from __future__ import annotations

import nbformat
import pytest

from tools import coursemap, nbio


def lesson(*cells: tuple[str, str], optional: str = "") -> nbformat.NotebookNode:
    front = ("# 09 · Test lesson\n\nWhy.\n\n**Core question:** What?  \n"
             "**Estimated time:** 1 minutes  \n"
             + (f"**Optional sections:** {optional}  \n" if optional else "")
             + "**Prerequisites:** none.\n\n## Learning objectives\n\n- Do *(exercise 09.1)*")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(front)]
    for kind, text in cells:
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(make(text))
    return nb


def front_matter_words(nb: nbformat.NotebookNode) -> int:
    return coursemap._words(coursemap.TIME_LINE.sub("", nb.cells[0].source))


def test_words_of_text_and_code_count_and_the_time_line_does_not():
    nb = lesson(("markdown", "## 1 · Text\n\none two three"), ("code", "x = np.mean(data)"))
    base = front_matter_words(nb)
    assert coursemap.reading_words(nb, "x") == (base + 5 + 3, 0)   # "1 Text one two three"
    nb.cells[0].source = nb.cells[0].source.replace("1 minutes", "999 minutes (reading 5 min)")
    assert coursemap.reading_words(nb, "x")[0] == base + 8


def test_optional_sections_are_counted_apart_until_the_next_heading_of_their_level():
    nb = lesson(("markdown", "## Core\n\na b"), ("markdown", "## Extra\n\nc d e\n\n### Sub\n\nf"),
                ("code", "g = 1"), ("markdown", "## Summary\n\nh"), optional="Extra")
    base = front_matter_words(nb)
    core, extra = coursemap.reading_words(nb, "x")
    assert extra == 1 + 3 + 1 + 1 + 2   # Extra; c d e; Sub; f; g 1
    assert core == base + 3 + 2          # Core a b; Summary h


def test_an_optional_section_that_is_not_a_heading_is_an_error():
    with pytest.raises(coursemap.FrontMatterError, match="Nowhere"):
        coursemap.reading_words(lesson(("markdown", "## Here\n\nx"), optional="Nowhere"), "x")


def test_timing_applies_the_stated_rates():
    nb = nbio.read(nbio.LESSONS / "01_mechanism.ipynb")
    t = coursemap.timing(nb, "01_mechanism.ipynb")
    words, _ = coursemap.reading_words(nb, "01_mechanism.ipynb")
    code, written = coursemap.exercise_counts("01_mechanism.ipynb")
    assert (code, written) == (5, 3)     # 01.1–01.5 checked; 01.3, 01.6, 01.7 written
    assert t["reading"] == -(-words // coursemap.READING_WORDS_PER_MINUTE)
    assert t["exercises"] == (5 * coursemap.CODE_EXERCISE_MINUTES
                              + 3 * coursemap.WRITTEN_EXERCISE_MINUTES)


def test_time_line_round_trips_through_the_front_matter():
    t = {"reading": 56, "exercises": 74, "total": 130, "optional": 15, "code": 5, "written": 3}
    nb = lesson()
    nb.cells[0].source = coursemap.TIME_LINE.sub(coursemap.time_line(t), nb.cells[0].source)
    parsed = coursemap.front_matter(nb, "x")
    assert (parsed["estimated_minutes"], parsed["reading_minutes"], parsed["exercise_minutes"],
            parsed["optional_minutes"]) == (130, 56, 74, 15)


def test_every_lesson_states_the_computed_time():
    assert coursemap.update_time_lines(write=False) == []
    for name in nbio.lesson_names():
        nb = nbio.read(nbio.LESSONS / name)
        t = coursemap.timing(nb, name)
        assert coursemap.time_line(t).strip() in nb.cells[0].source


def test_the_readme_states_the_method_with_its_numbers():
    readme = coursemap.README.read_text(encoding="utf-8")
    assert coursemap.METHOD in readme
    assert f"{coursemap.READING_WORDS_PER_MINUTE} words per minute" in coursemap.METHOD

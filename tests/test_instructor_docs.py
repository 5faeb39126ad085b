"""The instructor guide covers every lesson, its links resolve, and what it says about the
checks and the exercises matches the course."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helpers.checks.core import GENERIC_HINT_IDS, registry
from tools import nbio
from tools.grading.course import load_course, parse_rubrics

DOCS = nbio.ROOT / "docs" / "instructor"
PAGES = sorted(DOCS.glob("*.md"))
LESSONS = load_course()
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {slug(m[1]) for m in re.finditer(r"^#{1,6} (.+?)\s*$", text, re.MULTILINE)}


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_every_lesson_with_exercises_has_a_page_linked_from_the_index(number):
    page = DOCS / f"lesson-{number}.md"
    assert page.is_file(), f"no instructor notes for lesson {number}"
    assert f"(lesson-{number}.md)" in (DOCS / "README.md").read_text(encoding="utf-8")
    text = page.read_text(encoding="utf-8")
    for heading in ("## Objectives and how they are assessed", "## Misconceptions",
                    "## Think! prompts", "## In class", "## Where learners get stuck"):
        assert heading in text, f"lesson-{number}.md lacks {heading!r}"


def test_every_written_exercise_has_a_rubric():
    rubrics = parse_rubrics((DOCS / "rubrics.md").read_text(encoding="utf-8"))
    written = {e.id for lesson in LESSONS.values() for e in lesson.exercises if e.written}
    assert written <= set(rubrics), f"no rubric for {sorted(written - set(rubrics))}"
    assert all("| criterion |" in rubrics[e] for e in written)


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_hint_ids_named_in_the_notes_exist_in_that_lessons_checks(number):
    text = (DOCS / f"lesson-{number}.md").read_text(encoding="utf-8")
    stuck = text.split("## Where learners get stuck", 1)[1]
    known = set(GENERIC_HINT_IDS)
    for exercise_id, check in registry().items():
        if exercise_id.startswith(number):
            known |= set(check.hint_ids)
    named = {m.rstrip("*") for m in re.findall(r"`([a-z]+(?:-[a-z0-9*]+)+)`", stuck)}
    unknown = {n for n in named
               if n not in known and not any(k.startswith(n.rstrip("*")) for k in known)}
    assert not unknown, f"lesson-{number}.md names hint ids no check has: {sorted(unknown)}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_relative_links_and_anchors_resolve(page):
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        assert resolved.exists(), f"{page.name}: broken link {target}"
        if anchor and resolved.suffix == ".md":
            assert anchor in anchors(resolved), f"{page.name}: no heading for #{anchor}"


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_pages_never_point_at_the_team_notes(page):
    text = page.read_text(encoding="utf-8")
    assert "shared/" not in text and "REFERENCES" not in text


def test_the_readme_links_the_guide_and_the_grading_command():
    readme = (nbio.ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/instructor/README.md)" in readme and "make grade" in readme

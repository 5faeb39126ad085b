"""What the grader knows about the course, read from the released notebooks, never a learner's.

For every lesson with an exercise notebook: the released setup cell, and for every exercise its
id, title, kind (a checked function, a written answer, or both), the check that grades it and
the learner function it is called on (parsed from the one-line ``check.<name>(<function>)``
cell), the model answer from the solution notebook and the rubric from
docs/instructor/rubrics.md.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tools import nbio

CHECK_CALL = re.compile(r"^check\.(\w+)\((\w+)\)\s*$", re.MULTILINE)
CHECK_IMPORT = re.compile(r"^from helpers\.checks import (m\d\d) as check\s*$", re.MULTILINE)
EXERCISE_HEADING = re.compile(r"^## Exercise (\d\d\.\d+) · (.+?)\s*$", re.MULTILINE)
ANSWER_PLACEHOLDER = "*Your answer here.*"
MODEL_ANSWER = re.compile(r"<!-- ### BEGIN SOLUTION -->\s*(.*?)\s*<!-- ### END SOLUTION -->",
                          re.DOTALL)
RUBRICS = nbio.ROOT / "docs" / "instructor" / "rubrics.md"


@dataclass
class Exercise:
    """One exercise of a lesson."""

    id: str
    title: str
    check: str | None = None      # name of the check in helpers.checks.mNN
    function: str | None = None   # the learner function the check is called on
    written: bool = False         # has a written answer
    prompt: str = ""              # the released text of the exercise's markdown cells
    model_answer: str = ""
    rubric: str = ""
    stub: str = ""                # the released exercise cell defining the function
    solution: str = ""            # the worked solution's cell defining it


@dataclass
class Lesson:
    """A lesson with exercises, as released."""

    number: str
    stem: str                     # e.g. "01_mechanism"
    title: str
    module: str                   # e.g. "helpers.checks.m01"
    setup: str                    # the released setup cell's source
    exercises: list[Exercise] = field(default_factory=list)
    released_lines: set[str] = field(default_factory=set)  # code lines of both notebooks

    @property
    def checked(self) -> list[Exercise]:
        return [e for e in self.exercises if e.check]

    def exercise(self, exercise_id: str) -> Exercise:
        return next(e for e in self.exercises if e.id == exercise_id)


def defining_cell(cells: list[dict], name: str) -> str:
    """The source of the last code cell that defines ``name`` (def or class), or ""."""
    pattern = re.compile(rf"^(?:async\s+)?(?:def|class)\s+{re.escape(name)}\b", re.MULTILINE)
    found = [_source(c) for c in cells if c.get("cell_type") == "code"
             and pattern.search(_source(c))]
    return found[-1] if found else ""


def _source(cell: dict) -> str:
    """A cell's source as one string (a list of lines joined; anything else, e.g. null, is "")."""
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(line for line in source if isinstance(line, str))
    return source if isinstance(source, str) else ""


def _sections(cells: list[dict]) -> list[tuple[str, str, list[dict]]]:
    """(exercise id, title, cells from its heading up to the next exercise heading); a markdown
    cell holding several exercise headings is split at each of them."""
    sections: list[tuple[str, str, list[dict]]] = []
    for cell in cells:
        text = _source(cell)
        starts = ([m.start() for m in EXERCISE_HEADING.finditer(text)]
                  if cell.get("cell_type") == "markdown" else [])
        if not starts:
            if sections:
                sections[-1][2].append(cell)
            continue
        if starts[0] > 0 and sections:
            sections[-1][2].append({"cell_type": "markdown", "source": text[:starts[0]]})
        for begin, end in zip(starts, starts[1:] + [len(text)], strict=True):
            part = text[begin:end]
            match = EXERCISE_HEADING.match(part)
            sections.append((match[1], match[2], [{"cell_type": "markdown", "source": part}]))
    return sections


def load_lesson(exercise_path: Path, solution_path: Path, rubrics: dict[str, str]) -> Lesson:
    """Read one released exercise notebook and its solution notebook."""
    cells = json.loads(exercise_path.read_text(encoding="utf-8"))["cells"]
    setup = next((_source(c) for c in cells
                  if c.get("cell_type") == "code" and CHECK_IMPORT.search(_source(c))), "")
    title = re.search(r"^# \d\d · (.+?)(?: — exercises)?\s*$", _source(cells[0]), re.MULTILINE)
    module = CHECK_IMPORT.search(setup)
    lesson = Lesson(number=exercise_path.name[:2], stem=exercise_path.stem,
                    title=title[1] if title else exercise_path.stem,
                    module="helpers.checks." + module[1] if module else "", setup=setup)
    solution_sections, solution_cells = {}, []
    if solution_path.exists():
        solution_cells = json.loads(solution_path.read_text(encoding="utf-8"))["cells"]
        solution_sections = {i: s for i, _, s in _sections(solution_cells)}
    lesson.released_lines = {line.strip() for c in cells + solution_cells
                             if c.get("cell_type") == "code"
                             for line in _source(c).splitlines() if line.strip()}
    for exercise_id, heading, section in _sections(cells):
        exercise = Exercise(id=exercise_id, title=heading, rubric=rubrics.get(exercise_id, ""))
        for cell in section:
            text = _source(cell)
            if cell.get("cell_type") == "markdown":
                exercise.prompt += text.replace(ANSWER_PLACEHOLDER, "").strip() + "\n\n"
                exercise.written |= ANSWER_PLACEHOLDER in text
            elif match := CHECK_CALL.search(text):
                exercise.check, exercise.function = match[1], match[2]
        if exercise.function:
            exercise.stub = defining_cell(cells, exercise.function)
            exercise.solution = defining_cell(solution_cells, exercise.function)
        answers = [MODEL_ANSWER.search(_source(c)) for c in solution_sections.get(exercise_id, [])]
        exercise.model_answer = "\n\n".join(a[1] for a in answers if a)
        exercise.prompt = exercise.prompt.strip()
        lesson.exercises.append(exercise)
    return lesson


def parse_rubrics(text: str) -> dict[str, str]:
    """Rubric text per exercise id, from the ``### Exercise NN.k`` sections of rubrics.md."""
    parts = re.split(r"^### Exercise (\d\d\.\d+)\b.*$", text, flags=re.MULTILINE)
    return {parts[i]: re.split(r"^#{1,3} ", parts[i + 1], flags=re.MULTILINE)[0].strip()
            for i in range(1, len(parts) - 1, 2)}


def load_course(root: Path = nbio.ROOT) -> dict[str, Lesson]:
    """Every lesson that has an exercise notebook, by number."""
    rubric_file = root / "docs" / "instructor" / "rubrics.md"
    rubrics = parse_rubrics(rubric_file.read_text(encoding="utf-8")) if rubric_file.exists() \
        else {}
    lessons = {}
    for path in sorted((root / "exercises").glob("[0-9][0-9]_*.ipynb")):
        lesson = load_lesson(path, root / "solutions" / path.name, rubrics)
        lessons[lesson.number] = lesson
    return lessons


def course_commit(root: Path = nbio.ROOT) -> str:
    """The course's git commit (short), or ``unknown`` outside a git checkout."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 else "unknown"

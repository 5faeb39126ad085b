"""The course map: each lesson's front matter, its learner time, its metadata, and the README table.

A lesson's first markdown cell is its front matter (see CONTRIBUTING.md)::

    # 01 · The mechanism
    ...
    **Core question:** Why does recursive training narrow a distribution?
    **Estimated time:** 131 minutes (reading 65 min + exercises 66 min; optional sections +9 min)
    **Optional sections:** Two tokens: genetic drift; Further reading
    ## Learning objectives
    - Implement ... *(exercise 01.1)*

The estimated time is never typed by hand: :func:`timing` computes it from the notebooks with
the method of :data:`METHOD` (words read at a stated speed, minutes per exercise by type), and
:func:`update_time_lines` writes it into the front matter. ``make execute`` (or
``python -m tools.coursemap``) updates the time lines, copies the front matter into
``metadata["course"]`` together with the measured execution time, and rewrites the README's
course map from that metadata. ``python -m tools.coursemap --check`` (run by the test suite)
fails if a time line, the README or any notebook's metadata is out of date.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

from nbformat import NotebookNode

from helpers.arguments import Parser
from helpers.course import lessons
from tools import nbio

README = nbio.ROOT / "README.md"
START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"
FRONT_MATTER_KEYS = ("number", "title", "question", "estimated_minutes", "reading_minutes",
                     "exercise_minutes", "optional_minutes", "optional_sections", "objectives")
EXERCISE_REF = re.compile(r"\b(\d\d\.\d+)\b")

# The timing method: one home for its numbers (the README paragraph is generated from them).
READING_WORDS_PER_MINUTE = 100   # careful reading of technical text with formulas and code
CODE_EXERCISE_MINUTES = 10       # write a function, run its self-check, fix it once or twice
WRITTEN_EXERCISE_MINUTES = 8     # think, then write a short answer
METHOD = (f"*Reading* counts every word of a lesson's text and code (Think! answers included) "
          f"at {READING_WORDS_PER_MINUTE} words per minute, a careful pace for technical text "
          f"with formulas and code (everyday prose is read at 200–300); *exercises* allow "
          f"{CODE_EXERCISE_MINUTES} minutes per code exercise (write the function, run its "
          f"self-check, fix it) and {WRITTEN_EXERCISE_MINUTES} per written answer, counting both "
          "for an exercise that asks for both. Sections a lesson lists as optional are left out "
          "of the total and shown separately. The figures are computed from the notebooks by "
          "`tools/coursemap.py` (`make execute`); nobody types them.")
TIME_LINE = re.compile(r"^\*\*Estimated time:\*\*.*?(  )?$", re.MULTILINE)
OPTIONAL_LINE = re.compile(r"^\*\*Optional sections:\*\*\s*(.+?)\s*$", re.MULTILINE)
HEADING = re.compile(r"^(#{2,3}) (.+?)\s*$", re.MULTILINE)


class FrontMatterError(ValueError):
    """A lesson's first cell lacks a required part of the front matter."""


def front_matter(nb: NotebookNode, name: str) -> dict:
    """Extract number, title, core question, estimated minutes and objectives."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise FrontMatterError(f"{name}: the first cell must be the markdown front matter")
    text = nb.cells[0].source

    def find(pattern: str, what: str) -> re.Match:
        match = re.search(pattern, text, flags=re.MULTILINE)
        if match is None:
            raise FrontMatterError(f"{name}: front matter has no {what}")
        return match

    title = find(r"^# (\d\d) · (.+?)\s*$", "'# NN · Title' heading")
    question = find(r"^\*\*Core question:\*\*\s*(.+?)\s*$", "'**Core question:**' line")
    minutes = find(r"^\*\*Estimated time:\*\*\s*(\d+) minutes", "'**Estimated time:** N minutes'")
    parts = re.search(r"reading (\d+) min \+ exercises (\d+) min(?:; optional sections \+(\d+) "
                      r"min)?", minutes.string[minutes.start():].splitlines()[0])
    section = find(r"^## Learning objectives\s*\n(?:.*\n)*?((?:- .+\n?)+)", "objectives list")
    objectives = [line[2:].strip() for line in section[1].splitlines() if line.startswith("- ")]
    return {"number": title[1], "title": title[2], "question": question[1],
            "estimated_minutes": int(minutes[1]),
            "reading_minutes": int(parts[1]) if parts else None,
            "exercise_minutes": int(parts[2]) if parts else None,
            "optional_minutes": int(parts[3] or 0) if parts else None,
            "optional_sections": optional_sections(text), "objectives": objectives}


def optional_sections(front: str) -> list[str]:
    """The section headings a front matter lists as optional (``**Optional sections:** A; B``)."""
    match = OPTIONAL_LINE.search(front)
    return [item.strip() for item in match[1].split(";") if item.strip()] if match else []


def _words(text: str) -> int:
    return len(re.findall(r"[\w'’.-]*\w", text))


def reading_words(nb: NotebookNode, name: str) -> tuple[int, int]:
    """Words of the lesson's markdown and code cells: (core, in optional sections).

    A heading listed as optional makes everything up to the next heading of the same or a
    higher level optional. The front matter's time line is not counted.
    """
    optional = optional_sections(nb.cells[0].source) if nb.cells else []
    found: set[str] = set()
    core = extra = 0
    level_off: int | None = None   # heading level of the optional section we are in
    for index, cell in enumerate(nb.cells):
        text = TIME_LINE.sub("", cell.source) if index == 0 else cell.source
        chunks = [(None, None, text)]
        if cell.cell_type == "markdown":
            marks = list(HEADING.finditer(text))
            chunks = [(None, None, text[:marks[0].start()] if marks else text)]
            chunks += [(len(m[1]), m[2], text[m.start():(marks[k + 1].start()
                        if k + 1 < len(marks) else len(text))]) for k, m in enumerate(marks)]
        for level, heading, chunk in chunks:
            if heading is not None:
                if level_off is not None and level <= level_off:
                    level_off = None
                if heading in optional:
                    found.add(heading)
                    level_off = level
            if level_off is None:
                core += _words(chunk)
            else:
                extra += _words(chunk)
    missing = [h for h in optional if h not in found]
    if missing:
        raise FrontMatterError(f"{name}: optional section(s) not found as headings: {missing}")
    return core, extra


def exercise_counts(name: str, exercises: Path = nbio.EXERCISES) -> tuple[int, int]:
    """(code exercises, written answers) of a lesson, from its exercise notebook."""
    from tools.grading.course import load_lesson

    path = exercises / name
    if not path.exists():
        return 0, 0
    lesson = load_lesson(path, nbio.SOLUTIONS / name, {})
    return len(lesson.checked), sum(1 for e in lesson.exercises if e.written)


def timing(nb: NotebookNode, name: str) -> dict[str, int]:
    """Learner minutes for one lesson, by :data:`METHOD`.

    >>> t = timing(nbio.read(nbio.LESSONS / "00_start_here.ipynb"), "00_start_here.ipynb")
    >>> t["total"] == t["reading"] + t["exercises"]
    True
    """
    core, extra = reading_words(nb, name)
    code, written = exercise_counts(name)
    reading = math.ceil(core / READING_WORDS_PER_MINUTE)
    exercises = code * CODE_EXERCISE_MINUTES + written * WRITTEN_EXERCISE_MINUTES
    return {"reading": reading, "exercises": exercises, "total": reading + exercises,
            "optional": math.ceil(extra / READING_WORDS_PER_MINUTE), "code": code,
            "written": written}


def time_line(t: dict[str, int]) -> str:
    """The front matter's time line for a :func:`timing` result."""
    optional = f"; optional sections +{t['optional']} min" if t["optional"] else ""
    return (f"**Estimated time:** {t['total']} minutes (reading {t['reading']} min + exercises "
            f"{t['exercises']} min{optional})  ")


def update_time_lines(write: bool = True) -> list[str]:
    """Rewrite every lesson's time line from :func:`timing`; return the lessons that changed."""
    changed = []
    for name in nbio.lesson_names():
        path = nbio.LESSONS / name
        nb = nbio.read(path)
        if not nb.cells or not TIME_LINE.search(nb.cells[0].source):
            raise FrontMatterError(f"{name}: front matter has no '**Estimated time:**' line")
        wanted = TIME_LINE.sub(time_line(timing(nb, name)), nb.cells[0].source, count=1)
        if wanted != nb.cells[0].source:
            changed.append(name)
            if write:
                nb.cells[0].source = wanted
                nbio.write(nb, path)
    return changed


def refresh_metadata() -> None:
    """Recompute every lesson's time line, then copy its front matter into its metadata (before
    executing, so that a notebook that shows the course map sees the current front matter)."""
    update_time_lines()
    for name in nbio.lesson_names():
        path = nbio.LESSONS / name
        nb = nbio.read(path)
        wanted = front_matter(nb, name)
        if {k: nb.metadata.get("course", {}).get(k) for k in FRONT_MATTER_KEYS} != wanted:
            nb.metadata.setdefault("course", {}).update(wanted)
            nbio.write(nb, path)


def objective_exercises(objective: str) -> list[str]:
    """Exercise ids an objective names, e.g. ``['01.2', '01.3']``."""
    return EXERCISE_REF.findall(objective)


def stale_metadata() -> list[str]:
    """Lessons whose stored course metadata differs from their front matter."""
    stale = []
    for name in nbio.lesson_names():
        nb = nbio.read(nbio.LESSONS / name)
        stored = {k: nb.metadata.get("course", {}).get(k) for k in FRONT_MATTER_KEYS}
        if stored != front_matter(nb, name):
            stale.append(name)
    return stale


def _seconds(course: dict) -> str:
    seconds = course.get("measured_seconds")
    return "–" if seconds is None else f"{seconds:.0f} s"


def _minutes(value: object) -> str:
    return "?" if value is None else f"{value} min"


def table() -> str:
    """The README course map, generated from the lessons' metadata, and the timing method."""
    rows = ["| # | Lesson | Core question | Reading | Exercises | Learner time "
            "| Optional extra | Execution time (lesson / solutions) |",
            "|---|---|---|---|---|---|---|---|"]
    details = []
    totals = [0, 0, 0]
    solutions = {entry["file"]: entry for entry in lessons(nbio.SOLUTIONS)}
    for course in lessons(nbio.LESSONS):
        name = course["file"]
        practice = (f"[exercises](exercises/{name}) · [solutions](solutions/{name})"
                    if name in solutions else "no exercises")
        optional = course.get("optional_minutes")
        rows.append(f"| {course.get('number', '?')} | [{course.get('title', name)}]"
                    f"(notebooks/{name}) ({practice}) | {course.get('question', '')} | "
                    f"{_minutes(course.get('reading_minutes'))} | "
                    f"{_minutes(course.get('exercise_minutes'))} | "
                    f"**{_minutes(course.get('estimated_minutes'))}** | "
                    f"{'+' + _minutes(optional) if optional else '–'} | "
                    f"{_seconds(course)} / {_seconds(solutions.get(name, {}))} |")
        for k, key in enumerate(("reading_minutes", "exercise_minutes", "estimated_minutes")):
            totals[k] += course.get(key) or 0
        objectives = "\n".join(f"  - {o}" for o in course.get("objectives", []))
        details.append(f"- **{course.get('number', '?')} · {course.get('title', name)}** — "
                       f"you will be able to:\n{objectives}")
    hours = f"{totals[2] // 60} h {totals[2] % 60:02d} min"
    method = (f"{METHOD} All lessons together: reading {totals[0]} min + exercises "
              f"{totals[1]} min = {totals[2]} min, about {hours}.")
    return ("\n".join(rows) + "\n\n" + method + "\n\nLearning objectives by lesson:\n\n"
            + "\n".join(details))


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the course-map markers replaced by :func:`table`."""
    if START not in readme or END not in readme:
        raise FrontMatterError(f"README.md must contain {START} and {END}")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = Parser(
        prog="python -m tools.coursemap",
        description="Recompute lesson times and rewrite metadata and the README course map.")
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = readme_with_table(current)
    if args.check:
        problems = [f"notebooks/{n}: the estimated time is not what the timing method gives; "
                    "run `python -m tools.coursemap`" for n in update_time_lines(write=False)]
        problems += [f"notebooks/{n}: course metadata differs from its front matter; "
                     "run `make execute`" for n in stale_metadata()]
        if wanted != current:
            problems.append("README.md: course map is out of date; run `make execute`")
        print("\n".join(problems) or "course map and metadata are up to date")
        return 1 if problems else 0
    refresh_metadata()
    README.write_text(readme_with_table(current), encoding="utf-8")
    print("lesson time lines, metadata and README.md course map updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

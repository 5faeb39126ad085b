"""The course map: each lesson's front matter, its notebook metadata, and the README table.

A lesson's first markdown cell is its front matter (see CONTRIBUTING.md)::

    # 01 · The mechanism
    ...
    **Core question:** Why does recursive training narrow a distribution?
    **Estimated time:** 60 minutes
    ## Learning objectives
    - Explain ... *(exercise 01.1)*

``make execute`` copies it into ``metadata["course"]`` together with the
measured execution time, and rewrites the README's course map from that
metadata. ``python -m tools.coursemap --check`` (run by the test suite) fails
if the README or any notebook's metadata is out of date.
"""

from __future__ import annotations

import argparse
import re
import sys

from nbformat import NotebookNode

from helpers.course import lessons
from tools import nbio

README = nbio.ROOT / "README.md"
START, END = "<!-- course-map:start -->", "<!-- course-map:end -->"
FRONT_MATTER_KEYS = ("number", "title", "question", "estimated_minutes", "objectives")
EXERCISE_REF = re.compile(r"\b(\d\d\.\d+)\b")


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
    section = find(r"^## Learning objectives\s*\n(?:.*\n)*?((?:- .+\n?)+)", "objectives list")
    objectives = [line[2:].strip() for line in section[1].splitlines() if line.startswith("- ")]
    return {"number": title[1], "title": title[2], "question": question[1],
            "estimated_minutes": int(minutes[1]), "objectives": objectives}


def refresh_metadata() -> None:
    """Copy every lesson's front matter into its metadata (before executing, so that a
    notebook that shows the course map sees every lesson's current front matter)."""
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


def table() -> str:
    """The README course map, generated from the lessons' metadata."""
    rows = ["| # | Lesson | Core question | Learner time | Execution time (lesson / solutions) |",
            "|---|---|---|---|---|"]
    details = []
    solutions = {entry["file"]: entry for entry in lessons(nbio.SOLUTIONS)}
    for course in lessons(nbio.LESSONS):
        name = course["file"]
        practice = (f"[exercises](exercises/{name}) · [solutions](solutions/{name})"
                    if name in solutions else "no exercises")
        rows.append(f"| {course.get('number', '?')} | [{course.get('title', name)}]"
                    f"(notebooks/{name}) ({practice}) | {course.get('question', '')} | "
                    f"{course.get('estimated_minutes', '?')} min | "
                    f"{_seconds(course)} / {_seconds(solutions.get(name, {}))} |")
        objectives = "\n".join(f"  - {o}" for o in course.get("objectives", []))
        details.append(f"- **{course.get('number', '?')} · {course.get('title', name)}** — "
                       f"you will be able to:\n{objectives}")
    return "\n".join(rows) + "\n\nLearning objectives by lesson:\n\n" + "\n".join(details)


def readme_with_table(readme: str) -> str:
    """``readme`` with the text between the course-map markers replaced by :func:`table`."""
    if START not in readme or END not in readme:
        raise FrontMatterError(f"README.md must contain {START} and {END}")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check or rewrite the README course map.")
    parser.add_argument("--check", action="store_true", help="exit 1 if anything is stale")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = readme_with_table(current)
    if args.check:
        problems = [f"notebooks/{n}: course metadata differs from its front matter; "
                    "run `make execute`" for n in stale_metadata()]
        if wanted != current:
            problems.append("README.md: course map is out of date; run `make execute`")
        print("\n".join(problems) or "course map and metadata are up to date")
        return 1 if problems else 0
    README.write_text(wanted, encoding="utf-8")
    print("README.md course map updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

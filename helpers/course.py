"""The course map, read from the lesson notebooks' metadata.

``make execute`` stores each lesson's front matter (number, title, core
question, estimated time, objectives) in its metadata; this module reads it
back, for the start-here notebook and for the README.

>>> [lesson["number"] for lesson in lessons()][:1]
['00']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LESSONS_DIR", "lessons", "course_map", "CourseMap"]

LESSONS_DIR = Path(__file__).resolve().parent.parent / "notebooks"


def lessons(folder: Path = LESSONS_DIR) -> list[dict]:
    """The ``course`` metadata of every lesson notebook in ``folder``, in course order.

    Each entry also carries ``file``, the notebook's file name.
    """
    entries = []
    for path in sorted(Path(folder).glob("*.ipynb")):
        course = json.loads(path.read_text(encoding="utf-8"))["metadata"].get("course", {})
        entries.append({"file": path.name, **course})
    return entries


@dataclass(frozen=True)
class CourseMap:
    """A table of the lessons; shows as Markdown in a notebook and as text elsewhere.

    ``rows`` holds (number, title, core question, minutes, file name) per lesson.
    """

    rows: tuple[tuple[str, str, str, str, str], ...]

    def _table(self, link: bool) -> str:
        lines = ["| # | Lesson | Core question | Time |", "|---|---|---|---|"]
        for number, title, question, minutes, file in self.rows:
            shown = f"[{title}]({file})" if link else title
            lines.append(f"| {number} | {shown} | {question} | {minutes} min |")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        return self._table(link=True)

    def __str__(self) -> str:
        return self._table(link=False)

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))


def course_map(folder: Path = LESSONS_DIR) -> CourseMap:
    """The course map of the lessons in ``folder`` (number, title, core question, minutes)."""
    return CourseMap(tuple(
        (entry.get("number", "?"), entry.get("title", entry["file"]),
         entry.get("question", ""), str(entry.get("estimated_minutes", "?")), entry["file"])
        for entry in lessons(folder)
    ))

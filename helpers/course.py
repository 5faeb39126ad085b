"""The course map, read from the lesson notebooks' metadata.

``make execute`` stores each lesson's front matter (number, title, core
question, estimated time, objectives) in its metadata; this module reads it
back, for the start-here notebook and for the README.

The lessons are found in a source checkout or editable install (next to the
package), or from the folder a notebook runs in (its ``notebooks/``,
``exercises/`` or ``solutions/`` folder, or the repository itself). With a
normal installed package anywhere else, pass the repository folder:
``course_map("path/to/model-collapse-course")``.

>>> [lesson["number"] for lesson in lessons()][:1]
['00']
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["lessons_folder", "lessons", "course_map", "CourseMap", "LessonsNotFound"]


class LessonsNotFound(ValueError, FileNotFoundError):
    """No lesson notebooks where the course looked (a ValueError naming the argument; also a
    FileNotFoundError, as before)."""

_PACKAGE_PARENT = Path(__file__).resolve().parent.parent


def _is_lessons_folder(folder: Path) -> bool:
    """True if ``folder`` holds at least one notebook with course metadata."""
    try:
        if not folder.is_dir():
            return False
        paths = sorted(folder.glob("*.ipynb"))
    except OSError:  # a name too long, a folder that cannot be listed
        return False
    for path in paths:
        try:
            if "course" in _notebook(path)["metadata"]:
                return True
        except (ValueError, KeyError, TypeError):
            continue
    return False


def _notebook(path: Path) -> dict:
    """The JSON of one notebook file; a file that cannot be read is a ValueError naming it."""
    try:
        if not path.is_file():
            raise ValueError(f"{path.name} is not a regular file")
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError:
        raise ValueError(f"{path.name}: JSON nested too deeply") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{path.name}: cannot read it ({error})") from None
    if not isinstance(data, dict) or not isinstance(data.get("metadata"), dict):
        raise ValueError(f"{path.name}: not a notebook (no metadata object)")
    return data


def lessons_folder(repository: str | Path | None = None) -> Path:
    """The folder of lesson notebooks: ``repository/notebooks`` (or ``repository`` itself).

    Without ``repository``: next to the installed ``helpers`` package (a source
    checkout), else from the current folder (the repository, or one of its
    notebook folders). Raises :class:`LessonsNotFound` saying where it looked.

    >>> lessons_folder().name
    'notebooks'
    """
    if repository is not None:
        if not isinstance(repository, (str, Path)) or not str(repository).strip():
            raise TypeError(f"repository must be a folder path (str or Path), "
                            f"got {type(repository).__name__}")
        base = Path(repository).expanduser()
        candidates = [base / "notebooks", base]
    else:
        cwd = Path.cwd()
        candidates = [_PACKAGE_PARENT / "notebooks", cwd / "notebooks", cwd.parent / "notebooks",
                      cwd]
    for folder in candidates:
        if _is_lessons_folder(folder):
            return folder
    where = ", ".join(str(folder)[:200] for folder in candidates)
    raise LessonsNotFound(
        f"{'repository: ' if repository is not None else ''}no lesson notebooks "
        f"(notebooks/NN_name.ipynb with course metadata) found in: {where}. "
        "Pass the course repository's folder, e.g. course_map('path/to/model-collapse-course')."
    )


def lessons(folder: str | Path | None = None) -> list[dict]:
    """The ``course`` metadata of every notebook in ``folder``, in course order.

    ``folder`` defaults to :func:`lessons_folder`. Each entry also carries
    ``file``, the notebook's file name. Raises :class:`LessonsNotFound` if ``folder``
    has no notebooks, a ValueError naming the file if one cannot be read.
    """
    if folder is not None and (not isinstance(folder, (str, Path)) or not str(folder).strip()):
        raise TypeError(f"folder must be a folder path (str or Path) or None, "
                        f"got {type(folder).__name__}")
    folder = lessons_folder() if folder is None else Path(folder)
    try:
        paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    except OSError:
        paths = []
    if not paths:
        raise LessonsNotFound(f"folder: no notebooks (*.ipynb) in {str(folder)[:200]}")
    entries = []
    for path in paths:
        course = _notebook(path)["metadata"].get("course", {})
        if not isinstance(course, dict):
            raise ValueError(f"{path.name}: its course metadata is not an object")
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


def course_map(repository: str | Path | None = None) -> CourseMap:
    """The course map (number, title, core question, minutes) of the lessons.

    ``repository`` is the course repository's folder (or its ``notebooks/``
    folder); by default it is found as :func:`lessons_folder` says.

    >>> course_map().rows[0][:2]
    ('00', 'Start here')
    """
    return CourseMap(tuple(
        (entry.get("number", "?"), entry.get("title", entry["file"]),
         entry.get("question", ""), str(entry.get("estimated_minutes", "?")), entry["file"])
        for entry in lessons(lessons_folder(repository))
    ))

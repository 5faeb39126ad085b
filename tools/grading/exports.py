"""Files an LMS can import, the plain score table, and the anonymisation key.

Every cell written here goes through :func:`neutralise`: a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so that a spreadsheet shows
it as text instead of running it as a formula (CSV injection). Numbers are written by the
grader and never start with one of these. :func:`clean_cell` undoes it when a sheet is read
back.

Example::

    >>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("Ada"), clean_cell("'-bob")
    ('\\'=HYPERLINK("http://x")', 'Ada', '-bob')
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from tools.grading.submissions import roster_text

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
ROSTER_COLUMNS = {"name": ("name", "student"), "canvas_id": ("id", "canvas_id"),
                  "sis_user_id": ("sis user id", "sis_user_id"),
                  "sis_login_id": ("sis login id", "sis_login_id"), "section": ("section",),
                  "email": ("email", "email address"), "idnumber": ("idnumber", "id number"),
                  "username": ("username",)}
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def neutralise(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def clean_cell(text: str) -> str:
    """The value :func:`neutralise` was given (surrounding spaces removed)."""
    text = text.strip()
    return text[1:] if text.startswith("'") and text[1:].startswith(DANGEROUS) else text


def csv_text(rows: list[list[object]]) -> str:
    """Rows as CSV (``\\n`` line ends), every cell neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[neutralise(c) for c in r] for r in rows])
    return buffer.getvalue()


@dataclass(frozen=True)
class Identity:
    """What an LMS knows a learner by (from the roster's optional columns)."""

    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    email: str = ""
    idnumber: str = ""
    username: str = ""


def read_identities(path: Path, learner_id) -> tuple[dict[str, Identity], list[str]]:
    """LMS identities by learner id from the roster CSV (its ``learner`` column, or the first,
    passed through ``learner_id`` as the grader does), and one error line per unusable row."""
    try:
        text, _ = roster_text(path)  # the grader's note already says when it was Latin-1
        rows = list(csv.reader(io.StringIO(text.replace("\0", ""))))
    except (OSError, ValueError, csv.Error) as error:
        return {}, [f"roster {path.name}: cannot be read for the LMS exports "
                    f"({str(error)[:120]})"]
    if not rows:
        return {}, []
    header = [h.strip().lower() for h in rows[0]]
    column = header.index("learner") if "learner" in header else 0
    where = {field: next((header.index(n) for n in names if n in header), None)
             for field, names in ROSTER_COLUMNS.items()}
    identities, errors = {}, []
    for number, row in enumerate(rows[1:], start=2):
        if len(row) <= column or not row[column].strip():
            continue
        learner = learner_id(row[column])
        if learner in identities:
            errors.append(f"roster row {number}: {learner} appears twice (the first row counts)")
            continue
        identities[learner] = Identity(**{f: clean_cell(row[i]) if i is not None and i < len(row)
                                          else "" for f, i in where.items()})
    return identities, errors


def canvas_csv(totals: list[tuple[str, float]], maximum: float, identities: dict[str, Identity],
               assignment: str, assignment_id: str) -> tuple[str, list[str]]:
    """Canvas's gradebook import: Student, ID, SIS User ID, SIS Login ID, Section, then one
    column ``Assignment (id)``; a *Points Possible* row under the header. Learners with no
    Canvas ID, SIS User ID or SIS Login ID on the roster are left out and named in the errors."""
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    rows: list[list[object]] = [[*CANVAS_COLUMNS, column],
                                ["    Points Possible", "", "", "", "", _points(maximum)]]
    errors = []
    for learner, points in totals:
        who = identities.get(learner, Identity())
        if not (who.canvas_id or who.sis_user_id or who.sis_login_id):
            errors.append(f"canvas: {learner} has no id, sis_user_id or sis_login_id on the "
                          "roster; left out")
            continue
        rows.append([who.name or learner, who.canvas_id, who.sis_user_id, who.sis_login_id,
                     who.section, _points(points)])
    return csv_text(rows), errors


def moodle_csv(totals: list[tuple[str, float]], identities: dict[str, Identity], field: str,
               assignment: str) -> tuple[str, list[str]]:
    """Moodle's grade import (Grades → Import → CSV file): the identifier column (``email``,
    ``idnumber`` or ``username``, mapped to the user field of that name on import) and the grade
    column, named after the assignment."""
    rows: list[list[object]] = [[field, assignment]]
    errors = []
    for learner, points in totals:
        value = getattr(identities.get(learner, Identity()), field)
        if not value:
            errors.append(f"moodle: {learner} has no {field} on the roster; left out")
            continue
        rows.append([value, _points(points)])
    return csv_text(rows), errors


def _points(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value else "0"


def write_key(path: Path, names: dict[str, str]) -> None:
    """The anonymisation key (pseudonym, learner), readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = csv_text([["pseudonym", "learner"],
                     *sorted([pseudonym, learner] for learner, pseudonym in names.items())])
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.chmod(path, 0o600)

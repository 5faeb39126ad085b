"""The rubric sheet: one CSV row per learner × question graded with a rubric, for the instructor
to fill with the rubric's levels; read back and validated on the next run.

Questions are the exercises with a rubric in docs/instructor/rubrics.md (the written exercises,
the written part of 01.3 and the content of 06.6) and the capstone. Columns: ``learner``,
``question``, ``title``, ``answer`` (word count, or why there is none), ``criteria`` (the
rubric's criteria, numbered), ``levels`` (the levels each accepts), ``c1`` … ``c8`` (the levels
given, one per criterion) and ``comment``. A row whose ``c`` cells are all empty is not marked
yet; anything else that does not fit the rubric is one error, never a crash.

Example::

    >>> table = "| criterion | 2 | 1 | 0 |\\n|---|---|---|---|\\n| Reason | a | b | c |"
    >>> rubric = parse_table(table)
    >>> rubric.criteria[0].name, rubric.criteria[0].levels, rubric.maximum
    ('Reason', (0, 1, 2), 2)
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading.course import parse_rubrics
from tools.grading.exports import clean_cell, neutralise

CAPSTONE = "capstone"
MAX_CRITERIA = 8  # the capstone rubric has 8 criteria
COLUMNS = ["learner", "question", "title", "answer", "criteria", "levels",
           *[f"c{k}" for k in range(1, MAX_CRITERIA + 1)], "comment"]


@dataclass(frozen=True)
class Criterion:
    name: str
    levels: tuple[int, ...]       # the levels a marker may give
    bonus: bool = False           # no 0 level: adds to the score, not to the maximum


@dataclass(frozen=True)
class Rubric:
    title: str
    criteria: tuple[Criterion, ...]

    @property
    def maximum(self) -> int:
        return sum(max(c.levels) for c in self.criteria if not c.bonus)

    def describe_levels(self) -> str:
        parts = []
        for k, c in enumerate(self.criteria, 1):
            shown = "/".join(map(str, c.levels)) + (" or empty (bonus)" if c.bonus else "")
            parts.append(f"c{k}: {shown}")
        return "; ".join(parts)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_table(text: str, title: str = "") -> Rubric:
    """The first ``| criterion | … |`` table of a rubric: levels from its header (every whole
    number from 0 to the largest, as the capstone's 0–4), minus those a row marks ``—``."""
    lines = [line for line in text.splitlines() if line.strip().startswith("|")]
    if not lines or not lines[0].lower().startswith("| criterion"):
        raise ValueError(f"rubric {title!r}: no '| criterion |' table")
    header = [int(m[0]) for cell in _cells(lines[0])[1:] if (m := re.match(r"\d+", cell))]
    top = max(header)
    criteria = []
    for line in lines[2:]:
        cells = _cells(line)
        name = cells[0].replace("**", "").strip()
        barred = {level for level, cell in zip(header, cells[1:], strict=False)
                  if cell.startswith("—")}
        levels = tuple(v for v in range(top + 1) if v not in barred)
        criteria.append(Criterion(name, levels, bonus=0 in barred))
    return Rubric(title, tuple(criteria))


def load_rubrics(text: str) -> dict[str, Rubric]:
    """Every exercise rubric of rubrics.md and the capstone's, by question id."""
    rubrics = {}
    for exercise_id, body in parse_rubrics(text).items():
        heading = re.search(rf"^### Exercise {re.escape(exercise_id)} · (.+?)\s*$", text,
                            re.MULTILINE)
        rubrics[exercise_id] = parse_table(body, heading[1] if heading else exercise_id)
    capstone = re.search(r"^## Capstone\s*$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    if capstone:
        rubrics[CAPSTONE] = parse_table(capstone[1], "Capstone")
    return rubrics


@dataclass
class Marks:
    """What a rubric sheet says: levels per (learner, question), the raw rows to carry over to
    the next sheet, and one error line per row that does not fit."""

    levels: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    kept: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def read_sheet(path: Path, rubrics: dict[str, Rubric], learners: dict[str, str]) -> Marks:
    """Read a filled sheet; ``learners`` maps the names shown on the sheet to learner ids."""
    marks = Marks()
    for number, row in enumerate(_sheet_rows(path, marks.errors), start=2):
        _read_row(marks, row, f"{path.name} row {number}", rubrics, learners)
    return marks


def _sheet_rows(path: Path, errors: list[str]) -> list[dict]:
    """The rows of the sheet at ``path``; none, with one line in ``errors``, when the file
    cannot be read, is not a UTF-8 CSV or lacks a needed column."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as error:
        errors.append(f"{path.name}: cannot be read ({error.strerror})")
        return []
    except UnicodeDecodeError:
        errors.append(f"{path.name}: not UTF-8 text (save it as CSV UTF-8)")
        return []
    try:
        reader = csv.DictReader(io.StringIO(text.replace("\0", "")))
        rows = list(reader)
    except csv.Error as error:
        errors.append(f"{path.name}: not a CSV file a spreadsheet saved ({error})")
        return []
    missing = {"learner", "question", "c1"} - set(reader.fieldnames or [])
    if missing:
        errors.append(f"{path.name}: no column {', '.join(sorted(missing))} "
                      "(regenerate the sheet and copy your marks into it)")
        return []
    return rows


def _read_row(marks: Marks, row: dict, at: str, rubrics: dict[str, Rubric],
              learners: dict[str, str]) -> None:
    """Add one sheet row (found ``at``) to ``marks``: kept cells, levels, or one error line."""
    shown = clean_cell(row.get("learner") or "")
    question = clean_cell(row.get("question") or "")
    where = f"{at} ({shown or '?'} · {question or '?'})"
    given = [(row.get(f"c{k}") or "").strip() for k in range(1, MAX_CRITERIA + 1)]
    if question not in rubrics:
        marks.errors.append(f"{where}: unknown question")
        return
    if shown not in learners:
        marks.errors.append(f"{where}: unknown learner")
        return
    key = (learners[shown], question)
    if key in marks.kept:
        marks.errors.append(f"{where}: a second row for this learner and question "
                            "(the first one counts)")
        return
    marks.kept[key] = {c: row.get(c) or "" for c in (f"c{k}" for k in
                                                     range(1, MAX_CRITERIA + 1))}
    marks.kept[key]["comment"] = clean_cell(row.get("comment") or "")
    if not any(given):
        return
    problem, levels = _levels(given, rubrics[question])
    if problem:
        marks.errors.append(f"{where}: {problem}")
    else:
        marks.levels[key] = levels


def _levels(given: list[str], rubric: Rubric) -> tuple[str, tuple[int, ...]]:
    count = len(rubric.criteria)
    if any(given[count:]):
        return f"only c1–c{count} are used for this question", ()
    levels = []
    for k, (cell, criterion) in enumerate(zip(given, rubric.criteria, strict=False), 1):
        if not cell and criterion.bonus:
            levels.append(0)
            continue
        if not cell:
            return f"c{k} ({criterion.name}) is empty: give every criterion a level", ()
        if not re.fullmatch(r"\d{1,2}", cell) or int(cell) not in criterion.levels:
            allowed = "/".join(map(str, criterion.levels))
            return f"c{k} ({criterion.name}): {cell[:20]!r} is not a level ({allowed})", ()
        levels.append(int(cell))
    return "", tuple(levels)


def sheet_csv(rows: list[tuple[str, str, str]], rubrics: dict[str, Rubric],
              kept: dict[tuple[str, str], dict[str, str]], shown: dict[str, str]) -> str:
    """The sheet for ``rows`` of (learner id, question, answer summary), with the marks in
    ``kept`` carried over; ``shown`` maps learner ids to the names written on the sheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for learner, question, answer in rows:
        rubric = rubrics[question]
        criteria = "; ".join(f"c{k} {c.name}" for k, c in enumerate(rubric.criteria, 1))
        old = kept.get((learner, question), {})
        cells = [old.get(f"c{k}", "") for k in range(1, MAX_CRITERIA + 1)]
        writer.writerow([neutralise(v) for v in (shown.get(learner, learner), question,
                                                 rubric.title, answer, criteria,
                                                 rubric.describe_levels(), *cells,
                                                 old.get("comment", ""))])
    return buffer.getvalue()

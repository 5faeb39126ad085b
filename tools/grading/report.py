"""The class's results and every file the grader writes from them.

Everything written here is sorted and free of timings and paths outside OUT, so two runs on the
same input give byte-identical CSVs and summaries; the measured seconds per exercise go to
``timings.json``, the one output that differs between runs.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading import similarity
from tools.grading import submissions as subs
from tools.grading.course import Exercise, Lesson
from tools.grading.results import ExerciseResult, exercise_key, sort_results

SYMBOL = {"pass": "✓", "fail": "✗", "not_attempted": "…", "answered": "✎"}
ERRORS = ("crashed", "timeout", "missing", "unreadable")
GRADES_COLUMNS = ["learner", "lesson", "exercise", "kind", "status", "hint_id", "message",
                  "course_commit", "flags"]


@dataclass
class Notebook:
    learner: str
    lesson: Lesson
    relative: str
    stored: dict[str, tuple[str, bool]]
    integrity: list[str]
    written: dict[str, str | None] = field(default_factory=dict)
    code: dict[str, str] = field(default_factory=dict)  # exercise id -> the cells it ran
    cell_errors: set[str] = field(default_factory=set)


@dataclass
class Class:
    """Everything known about one class's submissions."""

    lessons: dict[str, Lesson]
    notes: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str, str]] = field(default_factory=list)  # path, why, learner
    notebooks: dict[tuple[str, str], Notebook] = field(default_factory=dict)
    rows: dict[tuple[str, str, str, str], dict] = field(default_factory=dict)  # … × part
    jobs: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    seconds: dict[tuple[str, str, str], float] = field(default_factory=dict)
    roster: list[str] | None = None

    def learners(self) -> list[str]:
        return sorted({k[0] for k in self.notebooks} | set(self.roster or [])
                      | {learner for _, _, learner in self.unreadable if learner})

    def pending(self) -> list[tuple[tuple[str, str, str], dict]]:
        return sorted(self.jobs.items(), key=lambda kv: (kv[0][0], exercise_key(kv[0][2])))

    def _row(self, key: tuple[str, str, str], part: str, status: str, hint_id: str,
             message: str, flags: list[str] | None = None) -> None:
        self.rows[(*key, part)] = {"learner": key[0], "lesson": key[1], "exercise": key[2],
                                   "kind": part, "status": status, "hint_id": hint_id or "",
                                   "message": message, "flags": list(flags or [])}

    def add_notebook(self, learner: str, lesson: Lesson, submission: subs.Submission) -> None:
        """Register a readable notebook: static rows now, a job per checked exercise."""
        cells = subs.code_cells(submission.cells)
        provided = subs.setup_names(lesson)
        notebook = Notebook(learner, lesson, submission.relative,
                            subs.stored_results(submission.cells),
                            subs.integrity_notes(cells, lesson.released_lines))
        for exercise in lesson.exercises:
            key = (learner, lesson.number, exercise.id)
            if exercise.check:
                needed = subs.needed_cells(cells, exercise.function, provided)
                if isinstance(needed, str) and needed:
                    self._row(key, "code", "fail", "syntax-error", needed)
                elif isinstance(needed, str):
                    self._row(key, "code", "missing", "function-missing",
                              f"no `def {exercise.function}(...)` in your notebook: was its cell "
                              "deleted, or the function renamed?")
                else:
                    self.jobs[key] = {"module": lesson.module, "check": exercise.check,
                                      "function": exercise.function, "setup": lesson.setup,
                                      "cells": [[c.index, c.source] for c in needed]}
                    notebook.code[exercise.id] = "\n".join(c.source for c in needed)
            if exercise.written:
                answer = subs.written_answer(submission.cells, exercise)
                notebook.written[exercise.id] = answer
                if answer is None:
                    self._row(key, "written", "missing", "section-missing",
                              f"the heading 'Exercise {exercise.id}' was not found.")
                elif answer:
                    words = len(answer.split())
                    self._row(key, "written", "answered", "",
                              f"written answer ({words} words), graded with the rubric.")
                else:
                    self._row(key, "written", "not_attempted", "not-attempted",
                              "no written answer yet.")
        self.notebooks[(learner, lesson.number)] = notebook

    def record(self, key: tuple[str, str, str], outcome: dict) -> None:
        """Store a judge's outcome for ``key`` (learner, lesson, exercise)."""
        self.seconds[key] = float(outcome.get("seconds", 0.0))
        status = str(outcome.get("status", "crashed"))
        hint_id = outcome.get("hint_id") or ("not-attempted" if status == "not_attempted" else "")
        self._row(key, "code", status, str(hint_id), str(outcome.get("message", "")),
                  outcome.get("flags", []))
        notebook = self.notebooks[(key[0], key[1])]
        notebook.cell_errors.update(outcome.get("cell_errors", []))
        if outcome.get("setup_error"):
            self.rows[(*key, "code")]["flags"].append("released setup failed: "
                                                      + outcome["setup_error"])

    def flag_similar(self) -> None:
        """Similarity flags (tools.grading.similarity) on the code rows they concern."""
        for flag in similarity.flags(self.lessons, {k: nb.code for k, nb in
                                                    self.notebooks.items()}):
            row = self.rows.get((flag.learner, flag.exercise[:2], flag.exercise, "code"))
            if row is not None:
                row["flags"].append(flag.text)

    def results(self) -> list[ExerciseResult]:
        """The class's results (tools/grading/RESULTS.md): call after :meth:`complete`."""
        out = []
        for (learner, number, exercise_id, part), row in self.rows.items():
            notebook = self.notebooks.get((learner, number))
            answer = notebook.written.get(exercise_id) if notebook and part == "written" \
                else None
            out.append(ExerciseResult(
                learner=learner, lesson=number, notebook=notebook.relative if notebook else "",
                exercise=exercise_id, part=part, status=row["status"], hint_id=row["hint_id"],
                message=row["message"], flags=tuple(row["flags"]), answer=answer))
        return sort_results(out)

    def apply_roster(self, roster: list[str]) -> None:
        self.roster = roster
        extra = sorted({k[0] for k in self.notebooks} - set(roster))
        self.notes += [f"not on the roster (graded anyway): {learner}" for learner in extra]

    def complete(self, compare_stored: bool) -> None:
        """Rows for learner × lesson pairs without a notebook, and stored-output flags."""
        numbers = sorted({k[1] for k in self.notebooks} | self._unreadable_lessons())
        unreadable = {(learner, number) for learner, number in self._unreadable_pairs()}
        for learner in self.learners():
            for number in numbers:
                if (learner, number) in self.notebooks:
                    continue
                status = "unreadable" if (learner, number) in unreadable else "no_submission"
                for exercise in self.lessons[number].exercises:
                    parts = ["code"] * bool(exercise.check) + ["written"] * exercise.written
                    for part in parts:
                        self._row((learner, number, exercise.id), part, status,
                                  status.replace("_", "-"),
                                  "notebook unreadable (see summary)." if status == "unreadable"
                                  else "no notebook submitted for this lesson.")
        if not compare_stored:
            return
        for (learner, number, exercise_id, _), row in self.rows.items():
            notebook = self.notebooks.get((learner, number))
            claim = notebook.stored.get(exercise_id) if notebook else None
            if claim and row["kind"] == "code" and claim[0] != row["status"]:
                row["flags"].append(f"stored output says {SYMBOL.get(claim[0], claim[0])} "
                                    f"({claim[0]}), re-run gives {row['status']}"
                                    + ("" if claim[1] else " (stored line has no check bundle)"))

    def _unreadable_pairs(self) -> list[tuple[str, str]]:
        pairs = []
        for relative, _, learner in self.unreadable:
            for match in subs.LESSON_IN_NAME.finditer(subs._stem(Path(relative).name)):
                if match[1] in self.lessons:
                    pairs.append((learner, match[1]))
                    break
        return pairs

    def _unreadable_lessons(self) -> set[str]:
        return {number for _, number in self._unreadable_pairs()}

    def sorted_rows(self) -> list[dict]:
        return [self.rows[k] for k in sorted(self.rows, key=lambda k: (k[0], exercise_key(k[2]),
                                                                      k[3]))]


# ------------------------------------------------------------------------------------ writers


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def grades_csv(klass: Class, commit: str) -> str:
    rows = [GRADES_COLUMNS]
    for row in klass.sorted_rows():
        rows.append([row["learner"], row["lesson"], row["exercise"], row["kind"], row["status"],
                     row["hint_id"], row["message"], commit, "; ".join(row["flags"])])
    return _csv(rows)


def _all_exercises(klass: Class) -> list[Exercise]:
    numbers = sorted({k[1] for k in klass.rows})
    return [e for n in numbers for e in klass.lessons[n].exercises]


def wide_csv(klass: Class) -> str:
    exercises = _all_exercises(klass)
    checked = [e for e in exercises if e.check]
    columns = [(e.id, "code") for e in checked] + [(e.id, "written") for e in exercises
                                                    if e.written]
    columns.sort(key=lambda c: (exercise_key(c[0]), c[1]))
    rows = [["learner", *[i if not (p == "written" and klass.lessons[i[:2]].exercise(i).check)
                          else f"{i} written" for i, p in columns],
             "passed", "checked", "percent", "written_answered", "written"]]
    for learner in klass.learners():
        def status(exercise_id: str, part: str, learner: str = learner) -> str:
            return klass.rows.get((learner, exercise_id[:2], exercise_id, part), {}).get(
                "status", "")

        statuses = [status(i, p) for i, p in columns]
        passed = sum(1 for e in checked if status(e.id, "code") == "pass")
        written = [e for e in exercises if e.written]
        answered = sum(1 for e in written if status(e.id, "written") == "answered")
        percent = f"{100 * passed / len(checked):.0f}" if checked else ""
        rows.append([learner, *statuses, str(passed), str(len(checked)), percent,
                     str(answered), str(len(written))])
    return _csv(rows)


def _rate(count: int, total: int) -> str:
    return f"{100 * count / total:.0f}%" if total else "–"


def summary_md(klass: Class, commit: str, isolation: str, limits: tuple[float, int]) -> str:
    rows = klass.sorted_rows()
    lines = ["# Grading summary", "",
             f"Course commit `{commit}`; {len(klass.learners())} learners, "
             f"{len(klass.notebooks)} notebooks graded, {len(klass.unreadable)} unreadable.",
             f"Each exercise ran in its own job, isolated as a probe job measured: {isolation}",
             f"Limits per exercise: {limits[0]:g} s wall-clock and {limits[1]} MB.", "",
             "## Per exercise", "",
             "| exercise | title | learners | pass | fail | not attempted | error "
             "| no submission |",
             "|---|---|---|---|---|---|---|---|"]
    low = []
    written_lines = []
    for exercise in _all_exercises(klass):
        mine = [r for r in rows if r["exercise"] == exercise.id
                and r["kind"] == ("code" if exercise.check else "written")]
        count = Counter(r["status"] for r in mine)
        total = len(mine)
        if exercise.check:
            submitted = total - count["no_submission"]
            errors = sum(count[s] for s in ERRORS)
            lines.append(f"| {exercise.id} | {exercise.title} | {total} | "
                         f"{_rate(count['pass'], submitted)} | {_rate(count['fail'], submitted)} | "
                         f"{_rate(count['not_attempted'], submitted)} | "
                         f"{_rate(errors, submitted)} | {count['no_submission']} |")
            if submitted and count["pass"] / submitted < 0.5:
                low.append(f"- {exercise.id} ({exercise.title}): "
                           f"{_rate(count['pass'], submitted)} passed")
        if exercise.written:
            answers = [nb.written.get(exercise.id) for (_, number), nb in klass.notebooks.items()
                       if number == exercise.id[:2]]
            written_lines.append(f"| {exercise.id} | {exercise.title} | "
                                 f"{sum(1 for a in answers if a)} of {total} | "
                                 f"[answers](written/{exercise.id}.md) |")
    if written_lines:
        lines += ["", "Written exercises (graded by hand with the rubric):", "",
                  "| exercise | title | answered | collected |", "|---|---|---|---|",
                  *written_lines]
    lines += ["", "Rates are over learners who submitted the lesson; *error* is crashed, "
              "timeout, missing function or unreadable notebook.", "",
              "## Pass rate below 50%", "", *(low or ["None."]), "",
              "## Most frequent hints", "",
              "| exercise | hint id | learners | example |", "|---|---|---|---|"]
    hints = Counter((r["exercise"], r["hint_id"]) for r in rows
                    if r["status"] in ("fail", *ERRORS) and r["hint_id"])
    for (exercise_id, hint_id), count in sorted(hints.items(),
                                                key=lambda kv: (-kv[1], kv[0]))[:15]:
        example = next(r["message"] for r in rows
                       if r["exercise"] == exercise_id and r["hint_id"] == hint_id)
        lines.append(f"| {exercise_id} | `{hint_id}` | {count} | {_cell(example)} |")
    if not hints:
        lines.append("| – | – | 0 | – |")
    flags = [f"- {r['learner']} · {r['exercise']}: {flag}" for r in rows for flag in r["flags"]]
    flags += [f"- {nb.learner} · lesson {nb.lesson.number} ({nb.relative}): {note}"
              for _, nb in sorted(klass.notebooks.items()) for note in nb.integrity]
    lines += ["", "## Integrity flags", "",
              "Re-run results are what count; these are for you to look at.", "",
              *(flags or ["None."]), "",
              "## Unreadable or refused files", "",
              *([f"- `{p}`: {why}" for p, why, _ in sorted(klass.unreadable)] or ["None."]), "",
              "## Layout notes", "", *([f"- {n}" for n in sorted(klass.notes)] or ["None."]), ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_html(markdown: str) -> str:
    try:
        import mistune
        # escape=True: file names and messages come from learners and must not become HTML
        body = mistune.create_markdown(escape=True, plugins=["table"])(markdown)
    except ImportError:  # still a readable page
        body = f"<pre>{html.escape(markdown)}</pre>"
    style = ("body{font-family:sans-serif;max-width:70em;margin:2em auto}"
             "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2em .5em}")
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Grading summary</title>"
            f"<style>{style}</style></head><body>\n{body}</body></html>\n")


def feedback_md(klass: Class, notebook: Notebook) -> str:
    lesson = notebook.lesson
    lines = [f"# Feedback · {lesson.number} · {lesson.title}", "",
             f"Graded file: `{notebook.relative}`. Every exercise was re-run from your code; the "
             f"worked solutions are in `solutions/{lesson.stem}.ipynb` of the course.", ""]
    for exercise in lesson.exercises:
        row = klass.rows.get((notebook.learner, lesson.number, exercise.id,
                              "code" if exercise.check else "written"))
        lines += [f"## Exercise {exercise.id} · {exercise.title}", ""]
        if row:
            symbol = SYMBOL.get(row["status"], "!")
            hint = f" *(hint id `{row['hint_id']}`)*" if row["hint_id"] else ""
            lines += [f"{symbol} **{row['status'].replace('_', ' ')}**: {row['message']}{hint}",
                      ""]
        if exercise.written:
            answer = notebook.written.get(exercise.id)
            quoted = "\n".join(f"> {line}" for line in (answer or "(no answer)").splitlines())
            lines += ["Your written answer:", "", quoted, "",
                      f"Compare it with the model answer in `solutions/{lesson.stem}.ipynb`.", ""]
    if notebook.cell_errors:
        lines += ["## Cells that raised an error when re-run", "",
                  *[f"- {e}" for e in sorted(notebook.cell_errors)], ""]
    return "\n".join(lines)


def anonymous_names(learners: list[str]) -> dict[str, str]:
    """Stable pseudonyms that do not follow the alphabetical order of the ids."""
    ordered = sorted(learners, key=lambda s: hashlib.sha256(s.encode()).hexdigest())
    return {learner: f"learner-{k + 1:02d}" for k, learner in enumerate(ordered)}


def written_md(klass: Class, exercise: Exercise, anonymise: bool) -> str:
    number = exercise.id[:2]
    names = anonymous_names(klass.learners()) if anonymise else {}
    lines = [f"# Exercise {exercise.id} · {exercise.title}: written answers", "",
             "## The question", "", exercise.prompt, "",
             "## Model answer", "", exercise.model_answer or "(none in the solution notebook)", "",
             "## Rubric", "",
             exercise.rubric or "(no rubric found in docs/instructor/rubrics.md)", "",
             "## Answers", ""]
    answers = []
    for learner in klass.learners():
        notebook = klass.notebooks.get((learner, number))
        answer = notebook.written.get(exercise.id) if notebook else None
        shown = names.get(learner, learner)
        answers.append((shown, answer))
    for shown, answer in sorted(answers):
        lines += [f"### {shown}", "", answer or "*(no answer)*", ""]
    return "\n".join(lines)


def write_all(klass: Class, out: Path, *, commit: str, isolation: str, compare_stored: bool,
              anonymise: bool, limits: tuple[float, int]) -> None:
    """Write every output file into ``out``."""
    klass.flag_similar()
    klass.complete(compare_stored)
    out.mkdir(parents=True, exist_ok=True)

    def write(relative: str, text: str) -> None:
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")

    write("grades.csv", grades_csv(klass, commit))
    write("grades_wide.csv", wide_csv(klass))
    summary = summary_md(klass, commit, isolation, limits)
    write("summary.md", summary)
    write("summary.html", summary_html(summary))
    for (learner, _), notebook in sorted(klass.notebooks.items()):
        write(f"feedback/{learner}/{notebook.lesson.stem}.md", feedback_md(klass, notebook))
    for exercise in _all_exercises(klass):
        if exercise.written:
            write(f"written/{exercise.id}.md", written_md(klass, exercise, anonymise))
    timings = {f"{k[0]} {k[2]}": klass.seconds[k] for k in sorted(klass.seconds)}
    write("timings.json", json.dumps(timings, indent=1, sort_keys=True) + "\n")

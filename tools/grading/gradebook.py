"""The grading command's points, exports and executors: its options, the run of the jobs, and
the files written after grading (see docs/instructor/grading.md, *Points, rubric sheet and
exports*).

``tools/grade.py`` calls :func:`add_arguments`, :func:`prepare` (usage errors before anything
runs), :meth:`Gradebook.run` (the jobs, through an executor) and :meth:`Gradebook.finish` (after
``report.write_all``). Files written into OUT:

- ``records/``: each learner's job outcomes, reused by ``--regrade``;
- ``rubric-sheet.csv``: to fill; its marks are read back on the next run;
- ``points.csv``, ``scores.csv``, ``canvas-gradebook.csv``, ``moodle-grades.csv``;
- ``points-summary.md``: totals and one line per row of input that could not be used.

Example::

    python -m tools.grade subs/ -o graded/ --points grading-points.toml --roster roster.csv
    python -m tools.grade subs/ -o graded/ --regrade ada    # ada again, the others reused
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading import report
from tools.grading import submissions as subs
from tools.grading.config import Config, ConfigError, course_rules, load_config
from tools.grading.course import RUBRICS, course_commit
from tools.grading.executor import (
    DaskExecutor,
    Job,
    LocalExecutor,
    ReuseExecutor,
    SandboxSpec,
    connect,
    run_jobs,
)
from tools.grading.exports import (
    canvas_csv,
    clean_cell,
    csv_text,
    moodle_csv,
    read_identities,
    write_key,
)
from tools.grading.results import ExerciseResult
from tools.grading.rubric_sheet import CAPSTONE, Marks, Rubric, load_rubrics, read_sheet, sheet_csv
from tools.grading.scores import (
    Score,
    capstone_counts,
    hand_in_times,
    read_manifest,
    score_class,
)

SHEET = "rubric-sheet.csv"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("points, exports and executors")
    group.add_argument("--points", type=Path, metavar="TOML",
                       help="points scheme (default docs/instructor/grading-points.toml)")
    group.add_argument("--rubric-sheet", type=Path, metavar="CSV",
                       help=f"filled rubric sheet to merge (default OUT/{SHEET} if it exists)")
    group.add_argument("--manifest", type=Path, metavar="CSV|JSON",
                       help="hand-in times for the late policy (default: file times)")
    group.add_argument("--anonymise-key", type=Path, metavar="CSV",
                       help="where --anonymise writes its key (default: next to OUT, "
                            "OUT-anonymisation-key.csv)")
    group.add_argument("--key-in-out", action="store_true",
                       help="allow --anonymise-key inside OUT, next to grades in clear")
    group.add_argument("--regrade", action="append", metavar="LEARNER", default=[],
                       help="re-run this learner only; reuse OUT/records for the others")
    group.add_argument("--dask-scheduler", metavar="ADDRESS",
                       help="run the jobs on this Dask cluster (tcp://host:8786)")


@dataclass
class Gradebook:
    args: argparse.Namespace
    root: Path
    out: Path
    config: Config
    rubrics: dict[str, Rubric]
    key_path: Path | None
    dask_client: object = None
    errors: list[str] = field(default_factory=list)
    reused: int = 0
    outcomes: dict = field(default_factory=dict)

    # ------------------------------------------------------------------ running the jobs

    def run(self, klass: report.Class, start_local: Callable[[Path], tuple[list, str]],
            quiet: bool) -> str:
        """Run every pending job of ``klass`` through the executor; the isolation sentence.
        ``start_local(workdir)`` starts the local runners (``run(job)``, ``close()``) and says
        what isolates them; it is not called with ``--dask-scheduler``."""
        args = self.args
        jobs = [Job(key, payload) for key, payload in klass.pending()]
        with tempfile.TemporaryDirectory(prefix="grade-") as tmp:
            if args.dask_scheduler:
                warm = tuple(sorted({nb.lesson.setup for nb in klass.notebooks.values()}))
                spec = SandboxSpec(warm, args.time_limit, args.memory_mb, course_commit(),
                                   args.isolation)
                inner = DaskExecutor(self.dask_client, spec)
            else:
                runners, isolation = start_local(Path(tmp))
                inner = LocalExecutor(runners)
            executor = ReuseExecutor(inner, self._stored() if self.args.regrade else {},
                                     set(self.fresh))
            try:
                run_jobs(jobs, executor, klass.record, quiet)
                if isinstance(inner, DaskExecutor):
                    isolation = inner.isolation()
            finally:
                executor.close()
        self.reused, self.outcomes = executor.reused, executor.outcomes
        if not quiet and args.regrade:
            print(f"reused {self.reused} stored outcomes from {self.out / 'records'}",
                  file=sys.stderr)
        return isolation

    def check_regrade(self, klass: report.Class) -> str:
        """A usage error when ``--regrade`` names nobody in the class ("" otherwise)."""
        unknown = sorted(set(self.fresh) - set(klass.learners()))
        if unknown and self.dask_client is not None:
            self.dask_client.close()
        return f"--regrade {unknown[0]}: no such learner in SUBMISSIONS" if unknown else ""

    @property
    def fresh(self) -> list[str]:
        return [subs.safe_id(name) for name in self.args.regrade]

    def _stored(self) -> dict:
        stored, commit = {}, course_commit()
        for path in sorted((self.out / "records").glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                if record["commit"] != commit:
                    continue
                for exercise, (digest, outcome) in record["jobs"].items():
                    stored[(record["learner"], exercise[:2], exercise)] = (digest, outcome)
            except (OSError, ValueError, KeyError, TypeError):
                self.errors.append(f"records/{path.name}: unreadable; its learner is re-run")
        return stored

    # ------------------------------------------------------------------ after grading

    def finish(self, klass: report.Class) -> None:
        """Write records, rubric sheet, points and exports into OUT."""
        results = klass.results()  # tools/grading/RESULTS.md
        learners = sorted({r.learner for r in results})
        self._write_records()
        names = report.anonymous_names(learners) if self.args.anonymise else {}
        shown = {learner: names.get(learner, learner) for learner in learners}
        marks = self._marks(shown)
        manifest = None
        if self.args.manifest is not None:
            manifest, errors = read_manifest(self.args.manifest, set(learners), subs.safe_id)
            self.errors += errors
        submitted = hand_in_times(results, self.root, manifest) if self.config.late else {}
        scores = score_class(results, self.config, self.rubrics, marks.levels, submitted)
        self._write(SHEET, sheet_csv(sheet_rows(results, self.rubrics, self.config, learners),
                                     self.rubrics, marks.kept, shown))
        self._write("points.csv", points_csv(scores))
        self._write("scores.csv", scores_csv(scores))
        totals = [(s.learner, s.total) for s in scores]
        maximum = max((s.possible for s in scores), default=0.0)
        if self.args.roster is not None:
            identities, errors = read_identities(self.args.roster, subs.safe_id)
            canvas, canvas_errors = canvas_csv(totals, maximum, identities,
                                               self.config.assignment,
                                               self.config.canvas_assignment_id)
            moodle, moodle_errors = moodle_csv(totals, identities, self.config.moodle_id,
                                               self.config.assignment)
            self._write("canvas-gradebook.csv", canvas)
            self._write("moodle-grades.csv", moodle)
            self.errors += errors + canvas_errors + moodle_errors
        if names and self.key_path is not None:
            write_key(self.key_path, names)
        self._write("points-summary.md", self.summary(scores, marks))
        for line in self.errors:
            print(f"points: {line}", file=sys.stderr)

    def _marks(self, shown: dict[str, str]) -> Marks:
        path = self.args.rubric_sheet or self.out / SHEET
        if not path.exists():
            return Marks()
        decode = {name: learner for learner, name in shown.items()}
        if self.args.anonymise and self.key_path is not None and self.key_path.is_file():
            decode |= _read_key(self.key_path)  # the pseudonyms the sheet was written with
        marks = read_sheet(path, self.rubrics, decode)
        self.errors += marks.errors
        return marks

    def _write_records(self) -> None:
        commit = course_commit()
        by_learner: dict[str, dict] = {}
        for key, (digest, outcome) in sorted(self.outcomes.items()):
            by_learner.setdefault(key[0], {})[key[2]] = [digest, outcome]
        for learner, jobs in by_learner.items():
            self._write(f"records/{record_name(learner)}",
                        json.dumps({"learner": learner, "commit": commit, "jobs": jobs},
                                   indent=1, sort_keys=True) + "\n")

    def _write(self, relative: str, text: str) -> None:
        path = self.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # a lone surrogate (from a file name that is not UTF-8) is replaced, never a crash
        path.write_text(text, encoding="utf-8", errors="replace", newline="\n")

    def summary(self, scores: list[Score], marks: Marks) -> str:
        maximum = max((s.possible for s in scores), default=0.0)
        unmarked = sum(s.unmarked for s in scores)
        lines = ["# Points", "",
                 f"{len(scores)} learners; at most {maximum:g} points each. Rubric rows in "
                 f"`{SHEET}`: {len(marks.levels)} marked, {unmarked} still to mark.",
                 *([f"Regrade: {self.reused} stored outcomes reused, only "
                    f"{', '.join(self.fresh)} re-run."] if self.args.regrade else []),
                 "", "## Rows that could not be used", "",
                 *([f"- {e}" for e in self.errors] or ["None."]), ""]
        return "\n".join(lines)


def record_name(learner: str) -> str:
    """The records file of a learner: a digest, safe as a file name whatever the id."""
    return hashlib.sha256(learner.encode("utf-8", "surrogatepass")).hexdigest()[:24] + ".json"


def _read_key(path: Path) -> dict[str, str]:
    """Pseudonym → learner, from a key :func:`~tools.grading.exports.write_key` wrote."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))[1:]
    return {clean_cell(r[0]): clean_cell(r[1]) for r in rows if len(r) == 2}


def prepare(args: argparse.Namespace, lessons: dict, root: Path,
            out: Path) -> Gradebook | str:
    """Validate the options of this module; a usage error message, or the gradebook."""
    from helpers.checks.core import registry

    rubrics = load_rubrics(RUBRICS.read_text(encoding="utf-8")) if RUBRICS.exists() else {}
    defaults = course_rules(lessons, set(rubrics) - {CAPSTONE})
    try:
        config = load_config(args.points, defaults,
                             {i: tuple(c.hint_ids) for i, c in registry().items()})
    except ConfigError as error:
        return str(error)
    if problem := _check_inputs(args, out):
        return problem
    key_path = _key_path(args, out) if args.anonymise else None
    if isinstance(key_path, str):
        return key_path
    client = _dask_client(args.dask_scheduler) if args.dask_scheduler is not None else None
    if isinstance(client, str):
        return client
    return Gradebook(args, root, out, config, rubrics, key_path, client)


def _check_inputs(args: argparse.Namespace, out: Path) -> str | None:
    """``--rubric-sheet`` and ``--manifest`` are files; ``--regrade`` has earlier records."""
    for name in ("rubric_sheet", "manifest"):
        path = getattr(args, name)
        if path is not None and not path.is_file():
            return f"--{name.replace('_', '-')} {path} is not a file"
    if args.regrade and not (out / "records").is_dir():
        return f"--regrade needs the records of an earlier run in {out / 'records'}"
    return None


def _key_path(args: argparse.Namespace, out: Path) -> Path | str:
    """Where ``--anonymise`` writes its key (outside OUT unless ``--key-in-out``), or the
    usage error."""
    key_path = (args.anonymise_key or out.parent / f"{out.name}-anonymisation-key.csv")
    key_path = key_path.resolve()
    if (key_path == out or out in key_path.parents) and not args.key_in_out:
        return (f"--anonymise-key {key_path} is inside OUT, next to grades in clear: "
                "choose another folder, or add --key-in-out")
    if key_path.is_dir():
        return f"--anonymise-key {key_path} is a folder"
    return key_path


def _dask_client(address: str) -> object:
    """A client of the Dask scheduler at ``address``, or the usage error (a string)."""
    if "://" not in address:
        return f"--dask-scheduler {address!r}: expected tcp://host:port"
    try:
        return connect(address)
    except ValueError as error:
        return str(error)


# ------------------------------------------------------------------------ tables


def sheet_rows(results: list[ExerciseResult], rubrics: dict[str, Rubric], config: Config,
               learners: list[str]) -> list[tuple[str, str, str]]:
    """(learner, question, answer summary) for every rubric question with points."""
    answers = {}
    for r in results:
        if r.part == "written":
            answers[(r.learner, r.exercise)] = (f"{len(r.answer.split())} words" if r.answer
                                                else r.status.replace("_", " "))
        else:
            answers.setdefault((r.learner, r.exercise), f"function: {r.status}")
    questions = sorted({r.exercise for r in results
                        if r.exercise in rubrics and config.rules[r.exercise].written},
                       key=lambda q: tuple(map(int, q.split("."))))
    if capstone_counts(results, config, rubrics):
        questions.append(CAPSTONE)
    return [(learner, q, answers.get((learner, q), "the capstone report" if q == CAPSTONE
                                     else "no submission"))
            for learner in learners for q in questions]


def points_csv(scores: list[Score]) -> str:
    rows: list[list[object]] = [["learner", "lesson", "question", "part", "status", "hint_id",
                                 "points", "possible", "late_penalty_percent", "points_after_late",
                                 "note"]]
    for score in scores:
        for line in score.lines:
            rows.append([line.learner, line.lesson, line.question, line.part, line.status,
                         line.hint_id, _num(line.points), _num(line.possible),
                         _num(100 * line.late_share), _num(line.points * (1 - line.late_share)),
                         line.note])
    return csv_text(rows)


def scores_csv(scores: list[Score]) -> str:
    rows: list[list[object]] = [["learner", "checks", "written", "capstone", "late_penalty",
                                 "total", "possible", "percent", "unmarked", "capstone_pass"]]
    for s in scores:
        rows.append([s.learner, _num(s.part_total("code")), _num(s.part_total("written")),
                     _num(s.part_total("capstone")), _num(s.late_points), _num(s.total),
                     _num(s.possible), _num(100 * s.total / s.possible if s.possible else 0),
                     s.unmarked, s.capstone_pass])
    return csv_text(rows)


def _num(value: float) -> str:
    return f"{value:.2f}"


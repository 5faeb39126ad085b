"""Grade a class: ``python -m tools.grade SUBMISSIONS -o OUT`` (or ``make grade``).

SUBMISSIONS is a folder of submitted exercise notebooks, flat (``alice_01_mechanism.ipynb``) or
one sub-folder per learner (``alice/01_mechanism (1).ipynb``). Every checked exercise is
re-executed in its own sandboxed process and graded by the course's own check, called by the
grader; stored outputs are only compared (``--compare-stored``), never trusted. OUT receives
``grades.csv``, ``grades_wide.csv``, ``summary.md``/``summary.html``, ``feedback/`` and
``written/``; see docs/instructor/grading.md.

Exit status: 0 when grading finished (whatever the grades), 2 for a usage error.

Example::

    python -m tools.grade submissions/ -o graded/ --roster roster.csv --compare-stored
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools import nbio
from tools.grading import client, gradebook, report
from tools.grading import submissions as subs
from tools.grading.course import Lesson, course_commit, load_course

TIME_LIMIT = 60.0
MEMORY_MB = 1024


def _usage(message: str) -> int:
    print(f"usage error: {message}", file=sys.stderr)
    return 2


def _pick(group: list[subs.Submission]) -> tuple[subs.Submission, list[str]]:
    """One notebook per learner and lesson: the newest file (then the last name)."""
    ordered = sorted(group, key=lambda s: (s.path.stat().st_mtime_ns, s.relative))
    chosen = ordered[-1]
    notes = [f"duplicate for {chosen.learner} · lesson {chosen.lesson}: graded "
             f"{chosen.relative}, ignored {s.relative}" for s in ordered[:-1]]
    return chosen, notes


def plan(root: Path, lessons: dict[str, Lesson], roster: list[str] | None) -> report.Class:
    """Read every submission and decide, without running anything, what each exercise needs."""
    found, notes = subs.discover(root)
    klass = report.Class(lessons=lessons, notes=notes)
    groups: dict[tuple[str, str], list[subs.Submission]] = {}
    for submission in found:
        subs.read(submission, lessons)
        klass.notes += submission.notes
        if submission.problem:
            klass.unreadable.append((submission.relative, submission.problem,
                                     submission.learner))
        else:
            groups.setdefault((submission.learner, submission.lesson), []).append(submission)
    for (learner, number), group in sorted(groups.items()):
        chosen, duplicate_notes = _pick(group)
        klass.notes += duplicate_notes
        klass.add_notebook(learner, lessons[number], chosen)
    if roster is not None:
        klass.apply_roster(roster)
    return klass


def start_sandboxes(klass: report.Class, workers: int, time_limit: float, memory_mb: int,
                    read_only: list[str], workdir: Path) -> tuple[list[client.Sandbox], str]:
    """``workers`` sandbox servers, started; the summary's isolation sentence."""
    prefix = client.isolation_mode()
    warm = sorted({nb.lesson.setup for nb in klass.notebooks.values()})
    sandboxes = []
    for k in range(max(1, min(workers, len(klass.pending())))):
        (workdir / f"worker{k}").mkdir()
        sandboxes.append(client.Sandbox(workdir / f"worker{k}", prefix, warm, read_only,
                                        time_limit, memory_mb))
        sandboxes[-1].start()
    mounted = sorted({p for s in sandboxes for p in s.read_only})
    return sandboxes, client.describe_isolation(prefix, mounted)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.grade",
        description="Re-execute and grade a class's exercise notebooks.")
    parser.add_argument("submissions", type=Path, help="folder of submitted notebooks")
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    parser.add_argument("--roster", type=Path, help="CSV of learner ids ('learner' column)")
    parser.add_argument("--compare-stored", action="store_true",
                        help="flag exercises whose stored check output disagrees with the re-run")
    parser.add_argument("--anonymise", action="store_true",
                        help="replace learner ids by numbers in written/")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"wall-clock seconds per exercise (default {TIME_LIMIT:g})")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                        help=f"memory per exercise in MB (default {MEMORY_MB})")
    parser.add_argument("--workers", type=int, default=2, help="parallel sandboxes (default 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    gradebook.add_arguments(parser)  # points, exports, executors: tools/grading/gradebook.py
    args = parser.parse_args(argv)

    root, out = args.submissions.resolve(), args.out.resolve()
    if not root.is_dir():
        return _usage(f"SUBMISSIONS must be a folder, got {args.submissions}")
    if out == root or root in out.parents:
        return _usage("the output folder must not be inside SUBMISSIONS")
    if args.roster is not None and not args.roster.is_file():
        return _usage(f"--roster {args.roster} is not a file")
    if args.time_limit <= 0 or args.memory_mb < 64 or args.workers < 1:
        return _usage("--time-limit must be > 0, --memory-mb >= 64, --workers >= 1")
    lessons = load_course()
    if not lessons:
        return _usage(f"no exercise notebooks found in {nbio.EXERCISES}")
    roster = subs.read_roster(args.roster) if args.roster else None
    book = gradebook.prepare(args, lessons, root, out)
    if isinstance(book, str):
        return _usage(book)

    klass = plan(root, lessons, roster)
    if problem := book.check_regrade(klass):
        return _usage(problem)
    if not args.quiet:
        print(f"{len(klass.notebooks)} notebooks from {len(klass.learners())} learners, "
              f"{len(klass.pending())} exercises to run, {len(klass.unreadable)} unreadable",
              file=sys.stderr, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    isolation = book.run(klass, lambda tmp: start_sandboxes(
        klass, args.workers, args.time_limit, args.memory_mb,
        [str(root), str(nbio.ROOT), str(out)], tmp), args.quiet)
    report.write_all(klass, out, commit=course_commit(), isolation=isolation,
                     compare_stored=args.compare_stored, anonymise=args.anonymise,
                     limits=(args.time_limit, args.memory_mb))
    book.finish(klass)
    if not args.quiet:
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

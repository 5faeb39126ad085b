"""Grade a class: ``python -m tools.grade SUBMISSIONS -o OUT`` (or ``make grade``).

SUBMISSIONS is a folder of submitted exercise notebooks, flat (``alice_01_mechanism.ipynb``) or
one sub-folder per learner (``alice/01_mechanism (1).ipynb``). Every checked exercise is
re-executed in its own isolated job (:mod:`tools.grading.sandbox`) and graded by the course's own
check, run by a judge process that learner code cannot reach (:mod:`tools.grading.judge`);
stored outputs are only compared (``--compare-stored``), never trusted. ``Class.results()`` is
the list of results that scoring and exports read (tools/grading/RESULTS.md). OUT receives
``grades.csv``, ``grades_wide.csv``, ``summary.md``/``summary.html``, ``feedback/`` and
``written/``; see docs/instructor/grading.md.

Exit status: 0 when grading finished (whatever the grades), 2 for a usage error.

Example::

    python -m tools.grade submissions/ -o graded/ --roster roster.csv --compare-stored
"""

from __future__ import annotations

import argparse
import math
import os
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
    ordered = sorted(group, key=lambda s: (os.lstat(s.path).st_mtime_ns, s.relative))
    chosen = ordered[-1]
    notes = [f"duplicate for {chosen.learner} · lesson {chosen.lesson}: graded "
             f"{chosen.relative}, ignored {s.relative}" for s in ordered[:-1]]
    return chosen, notes


def plan(root: Path, lessons: dict[str, Lesson], roster: list[str] | None) -> report.Class:
    """Read every submission and decide, without running anything, what each exercise needs."""
    found, notes, refused = subs.discover(root)
    klass = report.Class(lessons=lessons, notes=notes, unreadable=refused)
    groups: dict[tuple[str, str], list[subs.Submission]] = {}
    for submission in found:
        try:
            subs.read(submission, lessons)
        except Exception as error:  # noqa: BLE001 - one malformed file is one row, never a crash
            submission.problem = f"could not be read ({type(error).__name__})"
        klass.notes += submission.notes
        if submission.problem:
            klass.unreadable.append((submission.relative, submission.problem,
                                     submission.learner))
        else:
            groups.setdefault((submission.learner, submission.lesson), []).append(submission)
    for (learner, number), group in sorted(groups.items()):
        chosen, duplicate_notes = _pick(group)
        klass.notes += duplicate_notes
        try:
            klass.add_notebook(learner, lessons[number], chosen)
        except Exception as error:  # noqa: BLE001 - one malformed file is one row, never a crash
            klass.notebooks.pop((learner, number), None)
            klass.unreadable.append((chosen.relative, f"could not be taken apart "
                                     f"({type(error).__name__})", learner))
    if roster is not None:
        klass.apply_roster(roster)
    return klass




def _path(text: str) -> Path:
    """A command-line path; an empty one (an unset shell variable) is a usage error."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path; give a folder")
    return Path(text)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit status 2
        print(f"usage error: {message} (see python -m tools.grade --help)", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m tools.grade",
                     description="Re-execute and grade a class's exercise notebooks.")
    parser.add_argument("submissions", type=_path, help="folder of submitted notebooks")
    parser.add_argument("-o", "--out", type=_path, required=True, help="output folder")
    parser.add_argument("--roster", type=Path, help="CSV of learner ids ('learner' column)")
    parser.add_argument("--compare-stored", action="store_true",
                        help="flag exercises whose stored check output disagrees with the re-run")
    parser.add_argument("--anonymise", action="store_true",
                        help="replace learner ids by pseudonyms in written/")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT,
                        help=f"wall-clock seconds per exercise (default {TIME_LIMIT:g})")
    parser.add_argument("--memory-mb", type=int, default=MEMORY_MB,
                        help=f"memory per exercise in MB (default {MEMORY_MB})")
    parser.add_argument("--workers", type=int, default=2, help="parallel judges (default 2)")
    parser.add_argument("--isolation", choices=("auto", *client.MODES), default="auto",
                        help="sandbox mode (default: the strongest this machine allows; "
                             "a weaker one only to see what a machine without it gives)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    gradebook.add_arguments(parser)  # points, exports, executors: tools/grading/gradebook.py
    return parser


def _check_arguments(args: argparse.Namespace) -> str | None:
    """The usage error in ``args``, if any (before any work starts)."""
    return _check_folders(args) or _check_roster(args.roster) or _check_limits(args)


def _check_folders(args: argparse.Namespace) -> str | None:
    """SUBMISSIONS is a folder, ``-o`` a folder apart from it, neither holding the course."""
    root, out = args.submissions, args.out
    if not root.is_dir():
        return f"SUBMISSIONS must be a folder, got {root}"
    if out.exists() and not out.is_dir():
        return f"-o {out} names an existing file; give a folder (new or existing)"
    root, out = root.resolve(), out.resolve()
    if out == root or root in out.parents:
        return "the output folder must not be SUBMISSIONS or inside it"
    for name, folder in (("SUBMISSIONS", root), ("-o", out)):
        if folder == nbio.ROOT or folder in nbio.ROOT.parents:
            return f"{name} {folder} holds the course, which jobs must see: give another folder"
    return None


def _check_roster(roster: Path | None) -> str | None:
    """``--roster``, when given, is a file of at most ``subs.MAX_BYTES``."""
    if roster is not None and not roster.is_file():
        return f"--roster {roster} is not a file"
    if roster is not None and roster.stat().st_size > subs.MAX_BYTES:
        return f"--roster {roster} is larger than {subs.MAX_BYTES // 2**20} MB"
    return None


def _check_limits(args: argparse.Namespace) -> str | None:
    """Time limit, memory and workers in their accepted ranges."""
    if not (math.isfinite(args.time_limit) and 0 < args.time_limit <= 86_400):
        return f"--time-limit must be a number of seconds in (0, 86400], got {args.time_limit}"
    if not 64 <= args.memory_mb <= 1_048_576:
        return f"--memory-mb must be in [64, 1048576], got {args.memory_mb}"
    if not 1 <= args.workers <= 64:
        return f"--workers must be in [1, 64], got {args.workers}"
    return None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problem = _check_arguments(args)
    if problem:
        return _usage(problem)
    root, out = args.submissions.resolve(), args.out.resolve()
    lessons = load_course()
    if not lessons:
        return _usage(f"no exercise notebooks found in {nbio.EXERCISES}")
    roster, roster_note = subs.read_roster(args.roster) if args.roster else (None, "")
    book = gradebook.prepare(args, lessons, root, out)
    if isinstance(book, str):
        return _usage(book)

    klass = plan(root, lessons, roster)
    if roster_note:
        klass.notes.append(roster_note)
    if problem := book.check_regrade(klass):
        return _usage(problem)
    if not args.quiet:
        print(f"{len(klass.notebooks)} notebooks from {len(klass.learners())} learners, "
              f"{len(klass.pending())} exercises to run, {len(klass.unreadable)} unreadable",
              file=sys.stderr, flush=True)
    out.mkdir(parents=True, exist_ok=True)
    warm = sorted({nb.lesson.setup for nb in klass.notebooks.values()})
    count = max(1, min(args.workers, len(klass.pending())))
    isolation = book.run(klass, lambda tmp: client.start_judges(
        warm, count, args.time_limit, args.memory_mb, [str(root), str(out), str(tmp)], tmp,
        args.isolation), args.quiet)
    report.write_all(klass, out, commit=course_commit(), isolation=isolation,
                     compare_stored=args.compare_stored, anonymise=args.anonymise,
                     limits=(args.time_limit, args.memory_mb))
    book.finish(klass)
    if not args.quiet:
        print(f"wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

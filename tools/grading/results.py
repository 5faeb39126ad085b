"""The results of grading a class: the one interface between *grading* and *scoring*.

Grading (``tools.grade``: discovery, the sandbox, the judge) produces a list of
:class:`ExerciseResult`, one per learner × exercise × part, sorted by learner, then exercise
id (numerically), then part (``code`` before ``written``). Everything that turns results into
points, grades and exports (``tools.grading.scores``, ``tools.grading.exports``) reads only this
list and never looks at notebooks, sandboxes or checks. Described for instructors and other
tools in ``tools/grading/RESULTS.md``.

>>> r = ExerciseResult(learner="李雷", lesson="01", notebook="李雷/01_mechanism.ipynb",
...                    exercise="01.3", part="written", status="answered", hint_id="",
...                    message="written answer (12 words), graded with the rubric.",
...                    flags=(), answer="Twice as many generations.")
>>> r.key
('李雷', '01.3', 'written')
"""

from __future__ import annotations

from dataclasses import dataclass

#: every status a result can have, per part
CODE_STATUSES = ("pass", "fail", "not_attempted", "missing", "crashed", "timeout",
                 "unreadable", "no_submission")
WRITTEN_STATUSES = ("answered", "not_attempted", "missing", "unreadable", "no_submission")


@dataclass(frozen=True)
class ExerciseResult:
    """One learner's result on one part of one exercise.

    ``learner``: the learner id (NFC-normalised Unicode, as in the roster and in OUT's folder
    names). ``lesson``: "00".."06". ``notebook``: the graded file, relative to SUBMISSIONS
    ("" when there is none). ``exercise``: "NN.k". ``part``: "code" (the checked function) or
    "written" (the answer in words); an exercise with both (01.3) gives two results.
    ``status``: one of :data:`CODE_STATUSES` / :data:`WRITTEN_STATUSES`. ``hint_id``: the
    check's stable kebab-case hint id ("" for pass and written parts). ``message``: the hint
    text the learner reads. ``flags``: integrity flags for an instructor to look at (never a
    verdict). ``answer``: the written answer's text (written parts; ``None`` when the section
    is missing).
    """

    learner: str
    lesson: str
    notebook: str
    exercise: str
    part: str
    status: str
    hint_id: str
    message: str
    flags: tuple[str, ...] = ()
    answer: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.learner, self.exercise, self.part)


def exercise_key(exercise_id: str) -> tuple[int, ...]:
    """Numeric sort key of an exercise id: ``"01.10"`` after ``"01.9"``.

    >>> sorted(["01.10", "01.9"], key=exercise_key)
    ['01.9', '01.10']
    """
    return tuple(int(part) for part in exercise_id.split("."))


def sort_results(results: list[ExerciseResult]) -> list[ExerciseResult]:
    """The documented order: learner, exercise (numerically), then ``code`` before ``written``."""
    return sorted(results, key=lambda r: (r.learner, exercise_key(r.exercise), r.part))

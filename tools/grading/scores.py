"""From statuses to points: the class's results, the rubric marks and the late policy, combined by
the points scheme (:mod:`tools.grading.config`).

A checked part earns its points for ``pass``, the configured share for a ``fail`` whose hint id
has partial credit, nothing otherwise. A part graded with a rubric earns its points × the levels
given / the rubric's maximum (bonus criteria may make up for a lower level, never beyond the
points). The capstone likewise, from its rubric row. Lateness takes a share of a lesson's points
(its checks and its written answers). Totals count every lesson present in the results.

Example::

    >>> from tools.grading.config import Config, Rule
    >>> from tools.grading.results import ExerciseResult
    >>> r = ExerciseResult("ada", "00", "ada/00.ipynb", "00.1", "code", "pass", "", "ok")
    >>> score_class([r], Config({"00.1": Rule(check=2.0)}), {}, {}, {})[0].total
    2.0
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tools.grading.config import Config
from tools.grading.results import ExerciseResult, exercise_key
from tools.grading.rubric_sheet import CAPSTONE, Rubric


@dataclass
class Line:
    """Points for one part of one exercise (or the capstone) of one learner."""

    learner: str
    lesson: str
    question: str
    part: str          # code, written or capstone
    status: str
    hint_id: str
    points: float
    possible: float
    late_share: float = 0.0
    note: str = ""


@dataclass
class Score:
    """A learner's total, with its parts."""

    learner: str
    lines: list[Line] = field(default_factory=list)
    unmarked: int = 0          # rubric questions with points and no marks yet
    capstone_pass: str = ""    # yes / no / "" (not marked)

    def part_total(self, part: str) -> float:
        return sum(line.points * (1 - line.late_share) for line in self.lines if line.part == part)

    @property
    def late_points(self) -> float:
        return sum(line.points * line.late_share for line in self.lines)

    @property
    def total(self) -> float:
        return round(sum(line.points * (1 - line.late_share) for line in self.lines), 4)

    @property
    def possible(self) -> float:
        return sum(line.possible for line in self.lines)


def code_points(result: ExerciseResult, config: Config) -> tuple[float, str]:
    rule = config.rules[result.exercise]
    if result.status == "pass":
        return rule.check, ""
    share = rule.partial.get(result.hint_id) if result.status == "fail" else None
    if share is not None:
        return rule.check * share, f"partial credit for {result.hint_id}"
    return 0.0, ""


def rubric_points(levels: tuple[int, ...] | None, rubric: Rubric, possible: float) -> float:
    if levels is None or not rubric.maximum:
        return 0.0
    return possible * min(1.0, sum(levels) / rubric.maximum)


def score_class(results: list[ExerciseResult], config: Config, rubrics: dict[str, Rubric],
                marks: dict[tuple[str, str], tuple[int, ...]],
                submitted: dict[tuple[str, str], dt.datetime]) -> list[Score]:
    """One :class:`Score` per learner, sorted by learner id. ``submitted`` maps (learner,
    lesson or ``capstone``) to the hand-in time used by the late policy."""
    scores: dict[str, Score] = {}
    parts: dict[tuple[str, str], dict[str, ExerciseResult]] = {}
    for result in results:
        parts.setdefault((result.learner, result.exercise), {})[result.part] = result

    def late(learner: str, lesson: str) -> float:
        return config.late.penalty(lesson, submitted.get((learner, lesson))) \
            if config.late else 0.0

    for (learner, exercise), mine in sorted(parts.items(),
                                            key=lambda kv: (kv[0][0], exercise_key(kv[0][1]))):
        score = scores.setdefault(learner, Score(learner))
        rule = config.rules.get(exercise)
        if rule is None:
            continue
        code = mine.get("code")
        if code is not None and rule.check:
            points, note = code_points(code, config)
            score.lines.append(Line(learner, code.lesson, exercise, "code", code.status,
                                    code.hint_id, points, rule.check, late(learner, code.lesson),
                                    note))
        if rule.written and exercise in rubrics:
            # the written part's status; 06.6's content is marked on its function's output
            shown = mine.get("written") or code
            levels = marks.get((learner, exercise))
            score.unmarked += levels is None
            score.lines.append(Line(learner, shown.lesson, exercise, "written", shown.status, "",
                                    rubric_points(levels, rubrics[exercise], rule.written),
                                    rule.written, late(learner, shown.lesson),
                                    "" if levels else "not marked on the rubric sheet yet"))
    if capstone_counts(results, config, rubrics):
        for learner, score in scores.items():
            levels = marks.get((learner, CAPSTONE))
            score.unmarked += levels is None
            score.lines.append(Line(learner, CAPSTONE, CAPSTONE, "capstone",
                                    "marked" if levels else "not_marked", "",
                                    rubric_points(levels, rubrics[CAPSTONE], config.capstone),
                                    config.capstone, late(learner, CAPSTONE)))
            if levels:
                score.capstone_pass = "yes" if sum(levels) * 2 >= rubrics[CAPSTONE].maximum \
                    and min(levels) > 0 else "no"
    return [scores[k] for k in sorted(scores)]


def capstone_counts(results: list[ExerciseResult], config: Config,
                    rubrics: dict[str, Rubric]) -> bool:
    """The capstone has points, a rubric, and its lesson (06) is in the results."""
    return bool(config.capstone) and CAPSTONE in rubrics and any(r.lesson == "06"
                                                                 for r in results)


# ------------------------------------------------------------------------ submission times


def read_manifest(path: Path, learners: set[str], learner_id,
                  ) -> tuple[dict[tuple[str, str], dt.datetime], list[str]]:
    """Hand-in times from a submissions manifest: CSV with columns ``learner``, ``lesson``
    (optional: empty means every lesson) and ``submitted_at`` (ISO 8601 with a UTC offset), or
    JSON, a list of objects with the same keys. One error line per row that cannot be used."""
    times: dict[tuple[str, str], dt.datetime] = {}
    errors: list[str] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
        if path.suffix.lower() == ".json":
            rows = json.loads(text)
            if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                return {}, [f"manifest {path.name}: expected a JSON list of objects"]
        else:
            rows = list(csv.DictReader(io.StringIO(text.replace("\0", ""))))
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as error:
        return {}, [f"manifest {path.name}: cannot be read ({str(error)[:120]})"]
    for number, row in enumerate(rows, start=1 if path.suffix.lower() == ".json" else 2):
        where = f"manifest {path.name} row {number}"
        learner = learner_id(str(row.get("learner") or ""))
        lesson = str(row.get("lesson") or "").strip()
        if learner not in learners:
            errors.append(f"{where}: unknown learner {str(row.get('learner'))[:40]!r}")
            continue
        if lesson and not re.fullmatch(r"\d\d|capstone", lesson):
            errors.append(f"{where}: lesson {lesson[:20]!r} is not NN or capstone")
            continue
        when = _time(row.get("submitted_at"))
        if when is None:
            errors.append(f"{where}: submitted_at {str(row.get('submitted_at'))[:40]!r} is not "
                          "an ISO 8601 time with a UTC offset (2026-12-18T23:59:00Z)")
            continue
        for key in ([(learner, lesson)] if lesson else [(learner, "*")]):
            times[key] = max(times.get(key, when), when)
    return times, errors


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def hand_in_times(results: list[ExerciseResult], root: Path,
                  manifest: dict[tuple[str, str], dt.datetime] | None
                  ) -> dict[tuple[str, str], dt.datetime]:
    """(learner, lesson) → time: the manifest's when given (a row without a lesson applies to
    every lesson), else the graded notebook's modification time."""
    times = {}
    for result in results:
        key = (result.learner, result.lesson)
        if key in times:
            continue
        if manifest is not None:
            when = manifest.get(key) or manifest.get((result.learner, "*"))
        elif result.notebook:
            try:
                stamp = (root / result.notebook).lstat().st_mtime
            except OSError:
                continue
            when = dt.datetime.fromtimestamp(stamp, dt.timezone.utc)
        else:
            when = None
        if when is not None:
            times[key] = when
    if manifest is not None:
        learners = {r.learner for r in results}
        times |= {k: v for k, v in manifest.items() if k[1] == CAPSTONE and k[0] in learners}
    return times
